/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcp-info.c - TCP_INFO of a connection at the start and at the end of
 * the measured span, and the figures they give.
 *
 * What the kernel says (net/ipv4/tcp.c, tcp_get_info() and
 * tcp_get_info_chrono_stats(), 6.x; include/net/tcp.h, tcp_chrono_*()):
 * - the chronograph is in one state at a time: idle, busy (data queued
 *   or in flight), rwnd-limited or sndbuf-limited; tcpi_busy_time is
 *   the sum of the three non-idle times, so tcpi_rwnd_limited and
 *   tcpi_sndbuf_limited are disjoint parts of it;
 * - it counts whole jiffies (tcp_jiffies32 * USEC_PER_SEC / HZ), so
 *   over a span its busy time can exceed the span by up to one jiffy;
 * - tcpi_rtt and tcpi_rcv_rtt are 0 until the first estimate, and
 *   tcpi_delivery_rate is left 0 until the first rate sample;
 * - getsockopt() copies min(optlen, its sizeof(struct tcp_info)) and
 *   says how much in optlen: an older kernel fills fewer fields.
 *
 * This file includes linux/tcp.h, never glibc's netinet/tcp.h: the two
 * define the same structures.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/tcp.h>

#include "base/base.h"
#include "measure/measure.h"

/* The longest jiffy, at the lowest HZ kernel/Kconfig.hz offers (100). */
#define JIFFY_MAX_US 10000.0

enum how {
	DELTA,		/* end - start */
	SHARE,		/* (end - start) / span, percent */
	END,		/* the value at the end */
};

struct fig_spec {
	size_t off, len;	/* of the field in struct tcp_info */
	enum how how;
	bool sum;		/* connections add; else their mean */
	bool zero_unknown;	/* 0 is the kernel's "no estimate yet" */
	double scale;		/* to the figure's unit */
};

#define FIELD(m) \
	offsetof(struct tcp_info, m), sizeof(((struct tcp_info *)0)->m)

static const struct fig_spec specs[NC_TCP_FIGS] = {
	[NC_TCP_RETRANSMITS] = { FIELD(tcpi_total_retrans), DELTA,
				 true, false, 1 },
	[NC_TCP_RTT_US] = { FIELD(tcpi_rtt), END, false, true, 1 },
	[NC_TCP_CWND] = { FIELD(tcpi_snd_cwnd), END, false, false, 1 },
	/* bytes/s to Gbit/s.  The rate of a connection's last sample
	 * (its last burst's): connections sharing a path each sample it,
	 * so their sum is no rate at all; the mean is one connection's. */
	[NC_TCP_DELIVERY_GBPS] = { FIELD(tcpi_delivery_rate), END,
				   false, true, 8e-9 },
	[NC_TCP_BUSY_PCT] = { FIELD(tcpi_busy_time), SHARE, false, false, 1 },
	[NC_TCP_RWND_LIMITED_PCT] = { FIELD(tcpi_rwnd_limited), SHARE,
				      false, false, 1 },
	[NC_TCP_SNDBUF_LIMITED_PCT] = { FIELD(tcpi_sndbuf_limited), SHARE,
					false, false, 1 },
	[NC_TCP_RCV_RTT_US] = { FIELD(tcpi_rcv_rtt), END, false, true, 1 },
	[NC_TCP_RCV_SPACE] = { FIELD(tcpi_rcv_space), END, false, false, 1 },
};

static uint64_t field(const uint8_t *p, size_t len)
{
	uint32_t v32;
	uint64_t v64;

	if (len == sizeof(v32)) {
		memcpy(&v32, p, sizeof(v32));
		return v32;
	}
	memcpy(&v64, p, sizeof(v64));
	return v64;
}

void nc_tcp_sample_parse(struct nc_tcp_sample *s, const void *info,
			 size_t len, uint64_t time_ns)
{
	int i;

	s->time_ns = time_ns;
	s->known = 0;
	for (i = 0; i < NC_TCP_FIGS; i++) {
		const struct fig_spec *f = &specs[i];

		s->raw[i] = 0;
		if (f->off + f->len > len)
			continue;	/* the kernel did not fill it */
		s->raw[i] = field((const uint8_t *)info + f->off, f->len);
		if (!(f->zero_unknown && !s->raw[i]))
			s->known |= 1u << i;
	}
}

/* tcpi_state of a listener (include/net/tcp_states.h's TCP_LISTEN,
 * which linux/tcp.h does not give). */
#define TCPI_STATE_LISTEN 10

int nc_tcp_sample_read(int fd, struct nc_tcp_sample *s)
{
	struct tcp_info info;
	socklen_t len = sizeof(info);

	/* A flow reads this twice: one call, not a second to ask whether
	 * fd listens.  A listener's TCP_INFO is mostly zeros that would
	 * read as known: it has no connection figures. */
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len))
		return -errno;
	if (len < 1 || info.tcpi_state == TCPI_STATE_LISTEN)
		return -EINVAL;
	nc_tcp_sample_parse(s, &info, len, nc_now_ns());
	return 0;
}

int nc_tcp_moved(int fd, uint64_t *bytes)
{
	struct tcp_info info;
	socklen_t len = sizeof(info);
	size_t need = offsetof(struct tcp_info, tcpi_bytes_received) +
		      sizeof(info.tcpi_bytes_received);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len))
		return -errno;
	if (len < need)
		return -EOPNOTSUPP;	/* before Linux 4.1 */
	*bytes = info.tcpi_bytes_acked + info.tcpi_bytes_received;
	return 0;
}

void nc_tcp_figures_init(struct nc_tcp_figures *f)
{
	int i;

	f->conns = 0;
	for (i = 0; i < NC_TCP_FIGS; i++)
		f->value[i] = -1;
}

static bool both_know(const struct nc_tcp_sample *a,
		      const struct nc_tcp_sample *b, int i)
{
	return a->known & b->known & (1u << i);
}

/* end - start of a counter, -1 when not known; a counter that went
 * back (another socket's reading, or a wrap) is impossible: -1. */
static double delta(const struct nc_tcp_sample *start,
		    const struct nc_tcp_sample *end, int i)
{
	if (!both_know(start, end, i) || end->raw[i] < start->raw[i])
		return -1;
	return (double)(end->raw[i] - start->raw[i]);
}

/* Busy, rwnd- and sndbuf-limited time as percents of the span.  Busy
 * counted in whole jiffies can exceed the span by up to a jiffy: then
 * the span is the busy time (100 %, and its parts their share of it),
 * which is what the kernel measured, not a clamp of something larger.
 * Anything the kernel cannot give is impossible, and its figures -1
 * rather than a silently wrong number: busy over the span by more than
 * a jiffy, or a part over busy (they are disjoint parts of it). */
static void shares(struct nc_tcp_figures *f,
		   const struct nc_tcp_sample *start,
		   const struct nc_tcp_sample *end)
{
	double span = (double)(end->time_ns - start->time_ns) / 1e3;
	double busy = delta(start, end, NC_TCP_BUSY_PCT);
	double win_limited = delta(start, end, NC_TCP_RWND_LIMITED_PCT);
	double buf_limited = delta(start, end, NC_TCP_SNDBUF_LIMITED_PCT);

	if (busy < 0 || span <= 0 || busy > span + JIFFY_MAX_US)
		return;
	if (busy > span)
		span = busy;
	f->value[NC_TCP_BUSY_PCT] = busy * 100 / span;
	if (win_limited > busy)
		win_limited = -1;
	if (buf_limited > busy)
		buf_limited = -1;
	if (win_limited >= 0 && buf_limited >= 0 &&
	    win_limited + buf_limited > busy)
		return;		/* can't tell which of the two is wrong */
	if (win_limited >= 0)
		f->value[NC_TCP_RWND_LIMITED_PCT] = win_limited * 100 / span;
	if (buf_limited >= 0)
		f->value[NC_TCP_SNDBUF_LIMITED_PCT] = buf_limited * 100 / span;
}

int nc_tcp_conn_figures(struct nc_tcp_figures *f,
			const struct nc_tcp_sample *start,
			const struct nc_tcp_sample *end)
{
	int i;

	nc_tcp_figures_init(f);
	if (end->time_ns < start->time_ns)
		return -EINVAL;
	f->conns = 1;
	for (i = 0; i < NC_TCP_FIGS; i++) {
		const struct fig_spec *s = &specs[i];
		double d = delta(start, end, i);

		if (s->how == DELTA && d >= 0)
			f->value[i] = d * s->scale;
		else if (s->how == END && (end->known & (1u << i)))
			f->value[i] = (double)end->raw[i] * s->scale;
	}
	shares(f, start, end);
	return 0;
}

/* A figure of the side is known only if every connection knew it: a
 * sum over some of them would be silently low, and a mean over some of
 * them would pass for all.  All of a side's connections run on one
 * kernel, so a field is normally known for all or for none. */
int nc_tcp_figures_add(struct nc_tcp_figures *side,
		       const struct nc_tcp_figures *conn)
{
	double n = side->conns, m = conn->conns;
	int i;

	if (!conn->conns)
		return 0;
	if (side->conns > UINT32_MAX - conn->conns)
		return -EOVERFLOW;
	for (i = 0; i < NC_TCP_FIGS; i++) {
		double *v = &side->value[i], c = conn->value[i];

		if (!side->conns)
			*v = c;
		else if (*v < 0 || c < 0)
			*v = -1;
		else
			*v = specs[i].sum ? *v + c : (*v * n + c * m) / (n + m);
	}
	side->conns += conn->conns;
	return 0;
}

void nc_tcp_flow_begin(struct nc_tcp_flow *t, int fd, bool asked)
{
	t->started = asked && nc_tcp_sample_read(fd, &t->start) == 0;
}

void nc_tcp_flow_end(struct nc_tcp_flow *t, int fd, bool asked,
		     bool measured)
{
	struct nc_tcp_sample end;

	nc_tcp_figures_init(&t->figs);
	if (!asked)
		return;
	if (t->started && measured && nc_tcp_sample_read(fd, &end) == 0)
		nc_tcp_conn_figures(&t->figs, &t->start, &end);
	/* Asked but not read: NA for the side, not a low sum. */
	t->figs.conns = 1;
}
