/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pacing.c - --rate on a TCP data connection.  TCP paces itself once
 * SO_MAX_PACING_RATE is set (its internal pacing needs no fq qdisc),
 * but it releases at least two segments at a time: where those are more
 * than KERNEL_BURST_NS of the rate (64 KiB segments on loopback, below
 * about 105 Mbit/s) the run's figures would jump by them, so user space
 * paces instead.  TCP_NOTSENT_LOWAT keeps what waits unsent to that
 * span too, so the run still ends on time: without it the whole send
 * buffer drains at the rate after the end.  UDP is paced in user space
 * always: the kernel paces a UDP socket only under the fq qdisc, which
 * a run cannot count on.
 *
 * With --flows above -t the rate is still each flow's, and a thread's
 * flows are paced in user space together (group.c): one pacer per
 * thread at the sum of its flows' rates, its budget handed round robin
 * to whichever flow is writable.  The kernel's per socket pacing is not
 * used there: its 10 ms window (TCP_NOTSENT_LOWAT) is lost whenever
 * the thread reaches a socket later than that, which at thousands of
 * sockets a thread it does, and the run falls short; a thread's one
 * pacer gives what one flow missed to the next (and catches up), so
 * the total holds, with one clock read a burst for all its flows.
 * Nor could the kernel pace many flows on loopback: 64 KiB segments
 * need about 105 Mbit/s a flow (1 Tbit/s at 10,000 flows).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "flow/flow.h"

#define KERNEL_BURST_NS 10000000ull
/* TCP's least burst: tcp_min_tso_segs' default. */
#define KERNEL_MIN_SEGS 2

/* Bytes that take ns at rate bits/s. */
static uint64_t bytes_in(uint64_t rate, uint64_t ns)
{
	return (uint64_t)((double)rate / 8 * (double)ns / 1e9);
}

static bool user_asked(void)
{
	const char *env = getenv("NETCOPY_PACING");

	return env && strcmp(env, "user") == 0;
}

/* 0 when the kernel paces flow's socket to its rate; else user space
 * must. */
static int kernel_pace(const struct nc_flow *flow)
{
	uint64_t rate = flow->params->rate, span;
	uint64_t bytes = rate / 8 ? rate / 8 : 1;	/* per second */
	int mss = 0, lowat;
	socklen_t len = sizeof(mss);

	if (user_asked())
		return -EPERM;
	if (getsockopt(flow->fd, IPPROTO_TCP, TCP_MAXSEG, &mss, &len))
		return -errno;
	span = bytes_in(rate, KERNEL_BURST_NS);
	if (mss <= 0 || (uint64_t)mss * KERNEL_MIN_SEGS > span)
		return -ERANGE;
	/* An unsigned long since Linux 4.20, a u32 before: the smaller
	 * one is for rates under 32 Gbit/s only. */
	if (bytes < UINT32_MAX) {
		uint32_t v32 = (uint32_t)bytes;

		if (setsockopt(flow->fd, SOL_SOCKET, SO_MAX_PACING_RATE,
			       &v32, sizeof(v32)))
			return -errno;
	} else if (setsockopt(flow->fd, SOL_SOCKET, SO_MAX_PACING_RATE,
			      &bytes, sizeof(bytes))) {
		return -errno;
	}
	lowat = span > INT32_MAX ? INT32_MAX : (int)span;
	if (setsockopt(flow->fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat,
		       sizeof(lowat)))
		return -errno;
	return 0;
}

void nc_pacing_apply(struct nc_flow *flow)
{
	uint64_t rate = flow->params->rate;

	flow->pacing = NC_PACING_NONE;
	nc_pace_init(&flow->pace, 0, flow->size, flow->stop);
	if (!rate || !flow->sender ||
	    flow->params->workload != NC_WORKLOAD_STREAM)
		return;
	if (flow->params->proto != NC_PROTO_UDP &&
	    nc_params_flows(flow->params) <= flow->params->threads &&
	    kernel_pace(flow) == 0) {
		flow->pacing = NC_PACING_KERNEL;
		return;
	}
	flow->pacing = NC_PACING_USER;
	nc_pace_init(&flow->pace, rate, flow->size, flow->stop);
}
