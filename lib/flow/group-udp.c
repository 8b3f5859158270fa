/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * group-udp.c - --flows above -t over UDP: a thread's flows' datagram
 * sockets and their data connections (the links) under the group's
 * epoll, each event naming its flow by index and whether it is the
 * link's.  group.c prepares and runs the group and calls this; this
 * calls nothing of group.c.
 *
 * The sender sends each writable flow's datagrams, a send_datagrams
 * call at a time, until its turn's bytes are spent (UDP rarely says a
 * socket is full: the receiver drops what it cannot take, and counts
 * it lost); once told to stop, every flow ends at once, as each is
 * between datagrams: its end markers, then its link's end.  A sender
 * whose link has something to read has lost its receiver.
 *
 * The receiver reads each readable flow until it would block or its
 * turn is spent, but never leaves a flow while the thread's buffers
 * hold datagrams of its (recvmmsg's batch, GRO's coalesced read).  A
 * flow ends at its end marker, or when its link ends (the sender is
 * done; what is queued is read first), or at a wait that found nothing
 * once this side is told to stop or the run is long past its time, as
 * the single flow's loop (workload-udp.c) ends.
 *
 * No clock is read per datagram: one a wait stamps what the turns after
 * it send and receive (the jitter's times: a wait's span at most).
 */
#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "flow/group.h"

/* An event's flow index, and whether it is the link's. */
#define LINK_BIT (1ULL << 63)

int nc_group_udp_watch(struct nc_group *g, uint32_t i, bool sends)
{
	struct nc_flow *f = g->flows[i];
	struct epoll_event ev = { .events = sends ? EPOLLOUT : EPOLLIN,
				  .data.u64 = i };
	struct epoll_event link = { .events = EPOLLIN,
				    .data.u64 = i | LINK_BIT };

	if (epoll_ctl(g->ep, EPOLL_CTL_ADD, f->fd, &ev) ||
	    epoll_ctl(g->ep, EPOLL_CTL_ADD, f->link_fd, &link))
		return -errno;
	return 0;
}

void nc_group_udp_join(struct nc_flow *owner, struct nc_flow *member)
{
	member->rx = owner->rx;		/* the mode's own path, named */
	nc_seq_init(&member->seqs);
}

/* A flow's end at this side: out of the wait. */
static void udp_ended(struct nc_group *g, struct nc_flow *f, uint64_t now)
{
	epoll_ctl(g->ep, EPOLL_CTL_DEL, f->fd, NULL);
	epoll_ctl(g->ep, EPOLL_CTL_DEL, f->link_fd, NULL);
	f->ended = true;
	g->active--;
	f->last_ns = now;
}

/* ---- the sender */

/* A writable flow's turn: 0 or -errno. */
static int send_turn(struct nc_group *g, struct nc_flow *f, uint32_t batch,
		     uint64_t now)
{
	f->stamp_ns = now;
	for (uint64_t moved = 0; moved < EVENT_BYTES;) {
		int n;

		nc_flow_check_warmup(f);
		n = g->mode->send_datagrams(f, batch);
		if (n == -ETIMEDOUT || !n)	/* full for now, or refused */
			break;
		if (n < 0)
			return n;
		f->tx_calls++;
		f->seq += (uint64_t)n;
		f->messages += (uint64_t)n;
		f->bytes += (uint64_t)n * f->size;
		moved += (uint64_t)n * f->size;
		nc_flow_report(f);
		if (g->pace.rate) {	/* paced: a call a turn */
			nc_pace_wait(&g->pace, (size_t)n * f->size);
			break;
		}
	}
	f->stamp_ns = 0;
	return 0;
}

/* Told to stop: every flow's end, the first error. */
static int end_all_sending(struct nc_group *g, uint64_t now)
{
	int err = 0;

	for (uint32_t i = 0; i < g->n; i++) {
		struct nc_flow *f = g->flows[i];
		int e;

		if (f->ended)
			continue;
		e = nc_udp_end_sending(f, 0);
		udp_ended(g, f, now);
		err = err ? err : e;
	}
	return err;
}

static int drive_send(struct nc_group *g)
{
	uint32_t batch = nc_udp_batch(g->mode, g->flows[0], &g->pace);
	unsigned int idle = 0;
	int err = 0;

	while (g->active && !err) {
		uint64_t now;
		int n;

		if (nc_flow_stopping(g->flows[0]))
			return end_all_sending(g, nc_now_ns());
		n = nc_group_wait(g, &idle);
		if (n < 0)
			return n;
		now = nc_now_ns();
		for (int i = 0; i < n && !err; i++) {
			uint64_t u = g->ev[i].data.u64;
			struct nc_flow *f = g->flows[u & ~LINK_BIT];

			if (u & LINK_BIT)	/* the receiver is gone */
				err = -ECONNRESET;
			else
				err = send_turn(g, f, batch, now);
		}
	}
	return err;
}

/* ---- the receiver */

/* A readable flow's datagrams, until it would block, or until its turn
 * is spent (all: drain) and the thread's buffers hold none of its: 1
 * at its end marker, else 0, or -errno. */
static int recv_turn(struct nc_flow *f, bool drain, uint64_t now)
{
	uint64_t moved = 0;

	while (drain || moved < EVENT_BYTES || nc_rx_held(f)) {
		const struct iovec *iov;
		size_t cnt;
		ssize_t n = nc_rx_recv_datagram(f, &iov, &cnt);

		if (n == -ETIMEDOUT)	/* non-blocking: none now */
			return 0;
		if (n == -ECONNREFUSED)	/* an ICMP: not ours */
			continue;
		if (n < 0)
			return (int)n;
		moved += (uint64_t)n;
		if (nc_udp_got(f, iov, cnt, (size_t)n, now) == NC_DGRAM_END)
			return 1;
		nc_flow_report(f);
		nc_flow_check_warmup(f);
	}
	return 0;
}

/* The flow's end, with what is queued for it read first (drain: but
 * not after its end marker).  0 or -errno. */
static int recv_end(struct nc_group *g, struct nc_flow *f, bool drain,
		    uint64_t now)
{
	int err = drain ? recv_turn(f, true, now) : 0;

	udp_ended(g, f, now);
	nc_udp_recv_end(f);
	return err < 0 ? err : 0;
}

/* A wait that found nothing: every flow ends once this side is told to
 * stop or the deadline has passed.  0 or -errno. */
static int recv_idle(struct nc_group *g, uint64_t deadline)
{
	uint64_t now = nc_now_ns();
	int err = 0;

	if (!nc_flow_stopping(g->flows[0]) && now <= deadline)
		return 0;
	for (uint32_t i = 0; i < g->n; i++) {
		struct nc_flow *f = g->flows[i];
		int e = f->ended ? 0 : recv_end(g, f, true, now);

		err = err ? err : e;
	}
	return err;
}

static int drive_recv(struct nc_group *g)
{
	uint64_t deadline = nc_udp_recv_deadline(g->flows[0]);
	unsigned int idle = 0;
	int err = 0;

	while (g->active && !err) {
		uint64_t now;
		int n = nc_group_wait(g, &idle);

		if (n < 0)
			return n;
		if (!n) {
			err = recv_idle(g, deadline);
			continue;
		}
		now = nc_now_ns();
		for (int i = 0; i < n && !err; i++) {
			uint64_t u = g->ev[i].data.u64;
			struct nc_flow *f = g->flows[u & ~LINK_BIT];

			if (f->ended)
				continue;
			if (u & LINK_BIT)	/* the sender is done */
				err = recv_end(g, f, true, now);
			else if ((err = recv_turn(f, false, now)) > 0)
				err = recv_end(g, f, false, now);
		}
	}
	return err;
}

int nc_group_udp_drive(struct nc_group *g)
{
	return g->flows[0]->sender ? drive_send(g) : drive_recv(g);
}
