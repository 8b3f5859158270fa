/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcp-info.h - what the kernel says about a connection (TCP_INFO), read
 * at the start and at the end of the measured span, and the figures a
 * side's connections give together.  This header does not include
 * linux/tcp.h (it clashes with glibc's netinet/tcp.h); only tcp-info.c
 * does.
 */
#ifndef NETCOPY_TCP_INFO_H
#define NETCOPY_TCP_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Each figure comes from one field of struct tcp_info; the enum indexes
 * both a sample's raw fields and the figures.  In tcp-info.c one table
 * says, per figure, which field, whether a difference, a share of the
 * span or the value at the end, and whether connections add or average. */
enum nc_tcp_fig {
	NC_TCP_RETRANSMITS,		/* tcpi_total_retrans; sum */
	NC_TCP_RTT_US,			/* tcpi_rtt at the end; mean */
	NC_TCP_CWND,			/* tcpi_snd_cwnd, segments; mean */
	NC_TCP_DELIVERY_GBPS,		/* tcpi_delivery_rate; sum */
	NC_TCP_BUSY_PCT,		/* tcpi_busy_time / span; mean */
	NC_TCP_RWND_LIMITED_PCT,	/* tcpi_rwnd_limited / span; mean */
	NC_TCP_SNDBUF_LIMITED_PCT,	/* tcpi_sndbuf_limited / span; mean */
	NC_TCP_RCV_RTT_US,		/* tcpi_rcv_rtt at the end; mean */
	NC_TCP_RCV_SPACE,		/* tcpi_rcv_space, bytes; mean */
	NC_TCP_FIGS
};

/* One connection at an instant: the kernel's fields as it gave them
 * (µs, segments, bytes/s, bytes), bit 1 << fig of known for each field
 * it filled. */
struct nc_tcp_sample {
	uint64_t time_ns;		/* CLOCK_MONOTONIC, nc_now_ns() */
	uint32_t known;
	uint64_t raw[NC_TCP_FIGS];
};

/* The figures of one connection (conns 1) or of a side's connections
 * together; -1 each: not known, as in struct nc_figures. */
struct nc_tcp_figures {
	uint32_t conns;			/* connections added */
	double value[NC_TCP_FIGS];
};

/* A connection's TCP_INFO over the measured span: the reading at its
 * start, and once it ends the figures (conns 0: not asked for). */
struct nc_tcp_flow {
	bool started;			/* start holds a reading */
	struct nc_tcp_sample start;
	struct nc_tcp_figures figs;
};

/* The span starts: read fd's TCP_INFO if asked (the hello's
 * tcp_info); else the connection gives no figures. */
void nc_tcp_flow_begin(struct nc_tcp_flow *t, int fd, bool asked);

/* The span ends (measured: false when it never began, as when the run
 * ended in its warm-up): the connection's figures, each NA (-1) that
 * the kernel did not give.  Nothing when not asked. */
void nc_tcp_flow_end(struct nc_tcp_flow *t, int fd, bool asked,
		     bool measured);

/* Read TCP_INFO of a connected TCP socket, stamped with the time.
 * Returns 0, -errno of getsockopt(), or -EINVAL for a listener. */
int nc_tcp_sample_read(int fd, struct nc_tcp_sample *s);

/* The bytes fd has moved so far, both ways: acknowledged by the peer
 * and received from it (for the server's --idle-timeout).  Returns 0,
 * -errno of getsockopt(), or -EOPNOTSUPP where the kernel does not say. */
int nc_tcp_moved(int fd, uint64_t *bytes);

/* The same from a struct tcp_info of len bytes (what getsockopt()
 * returned in optlen), read at time_ns: a field that does not end
 * within len is not known, nor an estimate the kernel has not made. */
void nc_tcp_sample_parse(struct nc_tcp_sample *s, const void *info,
			 size_t len, uint64_t time_ns);

/* No connections yet: every figure -1. */
void nc_tcp_figures_init(struct nc_tcp_figures *f);

/* The figures of one connection over [start, end].  Returns 0, or
 * -EINVAL when end was read before start. */
int nc_tcp_conn_figures(struct nc_tcp_figures *f,
			const struct nc_tcp_sample *start,
			const struct nc_tcp_sample *end);

/* Add the figures of one connection (or of several: means are weighted
 * by conns) to a side's.  Returns 0, or -EOVERFLOW past UINT32_MAX
 * connections. */
int nc_tcp_figures_add(struct nc_tcp_figures *side,
		       const struct nc_tcp_figures *conn);

#endif /* NETCOPY_TCP_INFO_H */
