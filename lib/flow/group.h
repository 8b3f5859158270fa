/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * group.h - what the loops of a thread's group of flows share: the
 * group (group.c), driven as a stream there or as request-response in
 * group-rr.c, which group.c calls and which calls nothing of it.
 */
#ifndef NETCOPY_FLOW_GROUP_H
#define NETCOPY_FLOW_GROUP_H

#include <errno.h>
#include <sys/epoll.h>

#include "flow/flow.h"

/* Events one wait takes; a wait with none lasts at most TICK_MS. */
#define GROUP_EVENTS 64
#define TICK_MS 100
/* As long as a stalled peer may hold a data connection (flow.c's
 * DATA_IO_TIMEOUT_S): in waits that found nothing. */
#define STALL_TICKS (30 * 1000 / TICK_MS)
/* What one flow may move per event (a message at least), so that one
 * flow does not hold the thread while hundreds wait: a thread's round
 * over its ready flows stays short against the run. */
#define EVENT_BYTES (64u << 10)

struct nc_group {
	const struct netcopy_mode *mode;
	struct nc_flow **flows;
	uint32_t n;
	uint32_t active;	/* flows whose stream has not ended */
	int ep;			/* -1 where a ring drives the flows */
	const struct nc_ring_group_ops *rg;	/* that ring's, or NULL */
	void *ring;
	uint32_t *ready;	/* the flows the ring names */
	struct nc_pace pace;	/* --rate in user space: all its flows' */
	struct epoll_event ev[GROUP_EVENTS];
};

/* Wait for the next events: how many, 0 after a tick with none, or
 * -ETIMEDOUT after a stall (or -errno). */
static inline int nc_group_wait(struct nc_group *g, unsigned int *idle)
{
	for (;;) {
		int n = epoll_wait(g->ep, g->ev, GROUP_EVENTS, TICK_MS);

		if (n > 0) {
			*idle = 0;
			return n;
		}
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n == 0 && ++*idle >= STALL_TICKS)
			return -ETIMEDOUT;
		if (n == 0)
			return 0;
	}
}

/* group-rr.c: the group's request-response until every flow has ended
 * (the asker's after its last answer once told to stop, the
 * answerer's at its asker's end), or the first error. */
int nc_group_rr_drive(struct nc_group *g);

/* group-udp.c: --proto udp.  Flow i's datagram socket and link into
 * the wait (sends: for EPOLLOUT), 0 or -errno; a member's receive path
 * and counts; the group's stream until every flow has ended, or the
 * first error. */
int nc_group_udp_watch(struct nc_group *g, uint32_t i, bool sends);
void nc_group_udp_join(struct nc_flow *owner, struct nc_flow *member);
int nc_group_udp_drive(struct nc_group *g);

#endif /* NETCOPY_FLOW_GROUP_H */
