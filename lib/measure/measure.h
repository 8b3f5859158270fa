/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * measure.h - what a thread or a connection costs and does, counted
 * where it happens: perf counters (counters.c), the thread's CPU time
 * (cpu.c), the zero-copy accounting every engine fills, the socket
 * buffers the kernel held, and TCP_INFO (tcp-info.h).  Uses base/ only.
 */
#ifndef NETCOPY_MEASURE_H
#define NETCOPY_MEASURE_H

#include <stdbool.h>
#include <stdint.h>

#include "measure/tcp-info.h"

/* ---- counters.c: perf counters of one thread. */
#define NC_MAX_PMUS 2		/* hybrid CPUs: cpu_core and cpu_atom */

enum nc_event {
	NC_EV_CYCLES,
	NC_EV_INSTRUCTIONS,
	NC_EV_CACHE_REFS,
	NC_EV_CACHE_MISSES,
	NC_EV_CONTEXT_SWITCHES,
	NC_EV_TASK_CLOCK,	/* nanoseconds */
	NC_EV_PAGE_FAULTS,
	NC_EV_COUNT
};

enum nc_scope {
	NC_SCOPE_OFF,		/* counting turned off (--no-perf) */
	NC_SCOPE_USER,		/* the system allows user mode only */
	NC_SCOPE_ALL,		/* user and kernel mode */
};

struct nc_counters {
	int fd[NC_EV_COUNT][NC_MAX_PMUS];	/* hardware events */
	bool enabled;
	bool user_only;
	/* Software events, from the thread's own accounting: the values
	 * at the start, and the sum of the measured spans. */
	bool usage_ok;
	bool usage_running;
	uint64_t usage_base[NC_EV_COUNT];
	uint64_t usage_sum[NC_EV_COUNT];
};

/* What was counted: value[ev] means something only if known has bit ev. */
struct nc_counts {
	uint64_t value[NC_EV_COUNT];
	uint32_t known;
	uint8_t scope;		/* enum nc_scope */
};

/* Open the calling thread's counters, disabled. */
void nc_counters_open(struct nc_counters *c);
/* Open one event for the calling thread: an fd, or -errno. */
int nc_counter_open(uint32_t type, uint64_t config, bool user_only);
void nc_counters_start(struct nc_counters *c);
void nc_counters_stop(struct nc_counters *c);
void nc_counters_read(struct nc_counters *c, struct nc_counts *out);
void nc_counters_close(struct nc_counters *c);
/* Add x into sum; first: sum = x.  A sum knows what all parts knew. */
void nc_counts_add(struct nc_counts *sum, const struct nc_counts *x,
		   bool first);

/* Zero-copy accounting of a flow, or of a side's flows; -1 each when
 * the mode is not zero-copy: sends that owe a notification (sendmsg
 * calls, io_uring sends), the notifications read, the send ids they
 * covered, those the kernel copied (-1 alone: it would not say), and
 * the sends retried for want of memory (ENOBUFS, -ENOMEM). */
struct nc_zc_counts {
	int64_t sends;
	int64_t notifications;
	int64_t completions;
	int64_t copied;
	int64_t enobufs;
};
/* What a mode that is not zero-copy counts: -1 each (zero-copy.c). */
extern const struct nc_zc_counts nc_zc_none;

/* SO_SNDBUF and SO_RCVBUF the kernel held at the end of a run, of a
 * flow's data socket or the largest over a side's; -1 each: not known
 * (read only when --sndbuf or --rcvbuf was given). */
struct nc_sockbufs {
	int64_t snd;
	int64_t rcv;
};
/* Nothing known: -1 each (sockbufs.c). */
extern const struct nc_sockbufs nc_sockbufs_none;

/* A UDP receiver's counts over the measured span, from the datagrams'
 * sequence numbers (engine/datagram.c). */
struct nc_udp_counts {
	bool measured;		/* false: NA, every one (a TCP run) */
	uint64_t lost;		/* never arrived */
	uint64_t reordered;	/* arrived after a later one */
	uint64_t duplicated;	/* arrived again */
	uint64_t reads;		/* the system calls that read them */
	double jitter_us;	/* RFC 3550's, mean over connections */
};
/* An hour: no jitter is longer, as no run is (the wire's bound). */
#define NC_MAX_JITTER_US 3600000000ULL

/* ---- cpu.c: user and system time of the calling thread, in µs;
 * 0 when the kernel would not say. */
uint64_t nc_thread_cpu_us(void);

#endif /* NETCOPY_MEASURE_H */
