/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * base.h - the bottom of the library, included by every area and
 * including none: the clock, page-backed memory, the one-copy layout,
 * the --verify pattern, the CPU count, the send() of a whole buffer and
 * a double's shortest form.  The histogram (histogram.h), the pacer
 * (pace.h) and the parsers of sizes, seconds and rates (netcopy.h) live
 * here too.
 */
#ifndef NETCOPY_BASE_H
#define NETCOPY_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/histogram.h"
#include "base/pace.h"

/* clock.c */
uint64_t nc_now_ns(void);

/* ---- layout.c: the one-copy message is 8 separately allocated fields. */
#define NC_FIELDS 8
/* Split size bytes into NC_FIELDS lengths that add up to size; below
 * NC_FIELDS bytes the last fields are empty. */
void nc_layout_fields(uint64_t size, size_t len[NC_FIELDS]);

/* ---- number.c: v at its shortest exact form, as JSON writes a double
 * ("0.6", "2.0", "1e+300"; "null" where not finite), into buf of at
 * least NC_SHORTEST_CAP bytes.  Returns its length. */
#define NC_SHORTEST_CAP 32
size_t nc_format_shortest(char *buf, size_t cap, double v);
/* bytes in 1024-based units with two decimals, as iperf3 writes a
 * transfer: "199.83 MBytes" ("512 Bytes" below a KByte). */
void nc_format_bytes(char *buf, size_t cap, uint64_t bytes);

/* ---- pattern.c: what --verify stamps and checks. */
/* Fill buf with bytes [offset, offset+len) of message msg of flow. */
void nc_pattern_fill(void *buf, size_t len, uint32_t flow, uint64_t msg,
		     uint64_t offset);
/* True when buf holds exactly those bytes. */
bool nc_pattern_matches(const void *buf, size_t len, uint32_t flow,
			uint64_t msg, uint64_t offset);

/* Checks a received byte stream of size-byte messages, in any chunks. */
struct nc_verifier {
	uint64_t size;
	uint32_t flow;
	uint64_t pos;		/* stream bytes checked so far */
	uint64_t bad_messages;	/* messages with at least one wrong byte */
	uint64_t last_bad;	/* last message counted bad, plus one */
	/* Message n carries the stamp of n % period (modes that send
	 * from a fixed set of blocks); 0: of n itself. */
	uint64_t period;
};
void nc_verifier_init(struct nc_verifier *v, uint64_t size, uint32_t flow);
void nc_verifier_feed(struct nc_verifier *v, const void *buf, size_t len);


/* ---- pages.c */
/* Zeroed, page-aligned memory mapped for a run's data, populated now;
 * NULL when there is none.  Free with the same length. */
void *nc_pages_alloc(size_t len);
void nc_pages_free(void *p, size_t len);

/* ---- cpus.c */
/* CPUs this machine has, for spreading pinned threads. */
unsigned int nc_cpus(void);

/* ---- io.c: the lowest I/O call. */
/* send() all of buf (with flags); 0, -ETIMEDOUT for a stalled peer, or
 * -errno.  Never raises SIGPIPE. */
int nc_send_all(int fd, const void *buf, size_t len, int flags);

#endif /* NETCOPY_BASE_H */
