/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * group.c - --flows above -t: one thread drives several flows, their
 * sockets non-blocking under one epoll.  The first flow of the group
 * owns the thread's buffers, CPU time and counters; the others (its
 * members) share its buffers and keep only their state: where their
 * message stands, their bytes, their verifier.
 *
 * A stream's sender sends each writable flow's messages through the
 * mode's send_part, a message at a time, until the socket is full or
 * the flow's turn is spent, with MSG_MORE on all but the turn's last
 * (the kernel pushes what it holds at a full socket or a shutdown);
 * once told to stop, each flow finishes the message it is in and ends
 * its stream.  The receiver reads each readable flow until it would
 * block, and is done when every flow's stream has ended.  No clock is
 * read per message: a flow's first and last byte, and a wait that
 * found nothing, read one.
 *
 * --rate holds each flow to it: the thread's pacer (pacing.c says why
 * not the kernel's) runs at the sum of its flows' rates, and each
 * writable flow sends one message a turn, so epoll's round robin over
 * the ready sockets spreads the budget fairly; once a burst is spent
 * the pacer sleeps the thread to its deadline, however idle each flow.
 * (An epoll_wait timeout could not: the flows stay writable, so each
 * would have to leave the wait for the sleep, an epoll_ctl a flow.)
 *
 * With --rx the path's state is joined per flow (recv/rx.c): the
 * thread's buffers, a flow's own position in them.
 *
 * Request-response over a group is group-rr.c's; zero-copy's
 * completions are reaped there at the socket's EPOLLERR, which would
 * otherwise wake the thread at every wait for an answer.
 *
 * A mode whose sends the kernel answers later (zero-copy) gives each
 * member state of its own (join); a flow that must wait for those
 * answers waits for its socket's EPOLLERR alone, not for EPOLLOUT,
 * which would wake the thread for nothing until they come.
 *
 * A mode whose one ring drives a thread's sending flows (io_uring:
 * ring_group) needs no epoll: each flow queues its messages into the
 * ring until the mode says -EAGAIN, and the ring's completions name the
 * flows that may go on; a flow told to stop ends its stream once
 * nothing of it is in flight.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flow/group.h"

uint32_t nc_group_size(uint32_t flows, uint32_t threads, uint32_t t)
{
	return flows / threads + (t < flows % threads);
}

/* Over UDP a group sends through send_datagrams (group-udp.c). */
static int udp_check(const struct netcopy_mode *mode, const struct nc_params *p,
		     char *why, size_t cap)
{
	if (p->workload != NC_WORKLOAD_STREAM)
		snprintf(why, cap, "--flows above -t: not yet for rr over UDP");
	else if (mode->zero_copy || mode->ring_group)
		snprintf(why, cap, "--flows above -t: not yet for %s over UDP",
			 mode->name);
	else
		return 0;
	return NETCOPY_EUNSUPPORTED;
}

int nc_group_check(const struct netcopy_mode *mode, const struct nc_params *p,
		   char *why, size_t cap)
{
	if (nc_params_flows(p) <= p->threads)
		return 0;
	if (p->proto == NC_PROTO_UDP)
		return udp_check(mode, p, why, cap);
	if (p->workload != NC_WORKLOAD_STREAM && mode->ring_group)
		snprintf(why, cap, "--flows above -t: not yet for io_uring rr");
	else if (mode->ring_group)
		return mode->ring_group->check(p, nc_group_size(
			nc_params_flows(p), p->threads, 0), why, cap);
	else if (!mode->send_part)
		snprintf(why, cap, "--flows above -t: not yet for %s",
			 mode->name);
	else
		return 0;
	return NETCOPY_EUNSUPPORTED;
}

uint64_t nc_group_fds(const struct netcopy_mode *mode,
		      const struct nc_params *p)
{
	uint64_t flows = nc_params_flows(p);
	uint64_t fds = flows * nc_flow_fds(mode, p->proto);

	if (flows > p->threads && mode->ring_group)
		fds -= (flows - p->threads) * mode->fds;
	return fds;
}

static int set_nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK))
		return -errno;
	return 0;
}

/* A member (flow i of n): its verifier and socket buffers, the
 * owner's buffers, and the mode's state of its own where it has one. */
static int member_prepare(const struct netcopy_mode *mode,
			  struct nc_flow *owner, struct nc_flow *f,
			  uint32_t i, uint32_t n)
{
	int err;

	nc_verifier_init(&f->verifier, f->size, f->index);
	f->member = true;
	f->send_buf = owner->send_buf;
	f->recv_buf = owner->recv_buf;
	f->recv_cap = owner->recv_cap;
	/* A mode's own state is not the owner's to free by a leave. */
	f->state = mode->join ? NULL : owner->state;
	/* rr: its round trips go into the thread's histogram. */
	f->rtt = owner->rtt;
	if (f->params->workload == NC_WORKLOAD_RR)
		nc_flow_nodelay(f);
	if (f->params->proto == NC_PROTO_UDP)
		nc_group_udp_join(owner, f);
	err = nc_sockbuf_apply(f);
	nc_pacing_apply(f);
	if (!err && mode->join)
		err = mode->join(owner, f, i, n);
	if (!err && nc_flow_receives(f))
		err = nc_rx_join(owner, f);
	return err;
}

static void member_release(const struct netcopy_mode *mode,
			   struct nc_flow *f)
{
	nc_rx_leave(f);
	if (mode->leave)
		mode->leave(f);
	f->send_buf = f->recv_buf = NULL;
	f->state = NULL;
	f->rtt = NULL;	/* the owner's, freed with it */
}

void nc_group_release(struct nc_group *g)
{
	if (!g)
		return;
	if (g->ring)
		g->rg->close(g->ring);
	free(g->ready);
	for (uint32_t i = 1; i < g->n; i++)
		member_release(g->mode, g->flows[i]);
	nc_flow_release(g->mode, g->flows[0]);
	if (g->ep >= 0)
		close(g->ep);
	free(g);
}

/* The thread's rate: each of its n flows' (saturated: NC_MAX_RATE
 * times 65536 flows would wrap). */
static uint64_t group_rate(uint64_t rate, uint32_t n)
{
	return rate > UINT64_MAX / n ? UINT64_MAX : rate * n;
}

/* --rate: one pacer for the thread, at the sum of its flows' rates. */
static void pace_prepare(struct nc_group *g)
{
	struct nc_flow *f = g->flows[0];

	if (f->pacing == NC_PACING_USER)
		nc_pace_init(&g->pace, group_rate(f->params->rate, g->n),
			     f->size, f->stop);
}

/* Senders that one ring drives: their sockets stay blocking, as the
 * ring sends. */
static int ring_prepare(struct nc_group *g, struct nc_group **out)
{
	const struct netcopy_mode *mode = g->mode;
	int err;

	g->ep = -1;
	g->rg = mode->ring_group;
	err = nc_flow_prepare(mode, g->flows[0]);
	for (uint32_t i = 1; i < g->n && !err; i++)
		err = member_prepare(mode, g->flows[0], g->flows[i], i, g->n);
	if (!err) {
		g->ready = calloc(g->n, sizeof(*g->ready));
		err = g->ready ? g->rg->open(g->flows, g->n, &g->ring) :
				 -ENOMEM;
	}
	if (err) {
		nc_group_release(g);
		return err;
	}
	pace_prepare(g);
	*out = g;
	return 0;
}

int nc_group_prepare(const struct netcopy_mode *mode, struct nc_flow **flows,
		     uint32_t n, struct nc_group **out)
{
	struct nc_group *g = calloc(1, sizeof(*g));
	/* An rr asker sends its first requests at once, then waits for
	 * the answers. */
	bool sends = flows[0]->sender &&
		     flows[0]->params->workload != NC_WORKLOAD_RR;
	int err;

	*out = NULL;
	if (!g)
		return -ENOMEM;
	g->mode = mode;
	g->flows = flows;
	g->n = n;
	if (sends && mode->ring_group)
		return ring_prepare(g, out);
	g->ep = epoll_create1(EPOLL_CLOEXEC);
	err = g->ep < 0 ? -errno : nc_flow_prepare(mode, flows[0]);
	for (uint32_t i = 0; i < n && !err; i++) {
		struct epoll_event ev = {
			.events = sends ? EPOLLOUT : EPOLLIN,
			.data.ptr = flows[i],
		};

		if (i)
			err = member_prepare(mode, flows[0], flows[i], i, n);
		if (!err)
			err = set_nonblocking(flows[i]->fd);
		if (!err && flows[i]->link_fd >= 0)
			err = nc_group_udp_watch(g, i, sends);
		else if (!err &&
			 epoll_ctl(g->ep, EPOLL_CTL_ADD, flows[i]->fd, &ev))
			err = -errno;
	}
	if (err) {
		nc_group_release(g);
		return err;
	}
	pace_prepare(g);
	*out = g;
	return 0;
}

/* A flow's stream is over at this end: out of the wait. */
static void flow_ended(struct nc_group *g, struct nc_flow *f)
{
	if (g->ep >= 0)
		epoll_ctl(g->ep, EPOLL_CTL_DEL, f->fd, NULL);
	f->ended = true;
	g->active--;
	f->last_ns = nc_now_ns();
}

/* A sender's stream ends once its message is whole. */
static int end_stream(struct nc_group *g, struct nc_flow *f)
{
	int err = shutdown(f->fd, SHUT_WR) ? -errno : 0;

	flow_ended(g, f);
	return err;
}

/* Wait for the flow's socket's EPOLLERR alone (owed), or for it to
 * be writable again. */
static int wait_owed(struct nc_group *g, struct nc_flow *f, bool owed)
{
	struct epoll_event ev = { .events = owed ? 0 : EPOLLOUT,
				  .data.ptr = f };

	f->owed = owed;
	return epoll_ctl(g->ep, EPOLL_CTL_MOD, f->fd, &ev) ? -errno : 0;
}

/* A writable flow: its messages until the socket is full, or the
 * budget spent.  0 or -errno. */
static int send_ready(struct nc_group *g, struct nc_flow *f, bool stopping)
{
	int err = f->owed ? wait_owed(g, f, false) : 0;

	if (err)
		return err;
	for (uint64_t moved = 0; moved < EVENT_BYTES;) {
		ssize_t n;

		if (!f->part) {
			/* The flag too: a paced wait may have seen it
			 * with more of this wait's events to go. */
			if (stopping || nc_flow_stopping(f))
				return end_stream(g, f);
			nc_flow_check_warmup(f);
		}
		/* The next message follows in this turn: without MSG_MORE
		 * each would leave as a segment of its own, a flow's
		 * earlier ones being acknowledged by then (loopback). */
		f->more = moved + f->size - f->part < EVENT_BYTES;
		n = g->mode->send_part(f, f->part);
		if (n == -EAGAIN)
			return 0;
		if (n == -EINPROGRESS)
			return wait_owed(g, f, true);
		if (n < 0)
			return (int)n;
		moved += (uint64_t)n;
		f->part += (uint64_t)n;
		if (f->part < f->size)
			continue;
		f->part = 0;
		f->seq++;
		f->messages++;
		f->bytes += f->size;
		nc_flow_report(f);
		if (g->pace.rate) {	/* paced: a message a turn */
			nc_pace_wait(&g->pace, f->size);
			return 0;
		}
	}
	return 0;
}

/* A readable flow: until it would block, or the budget is spent.  Its
 * end of stream (or an error) ends it.  0 or -errno. */
static int recv_ready(struct nc_group *g, struct nc_flow *f)
{
	for (uint64_t moved = 0; moved < EVENT_BYTES;) {
		ssize_t n = nc_recv_some(g->mode, f, SIZE_MAX);

		if (n == -ETIMEDOUT)	/* non-blocking: nothing more now */
			return 0;
		if (n <= 0) {
			flow_ended(g, f);
			return (int)n;
		}
		if (!f->bytes)
			f->first_ns = nc_now_ns();
		moved += (uint64_t)n;
		f->bytes += (uint64_t)n;
		nc_flow_report(f);
		nc_flow_check_warmup(f);
	}
	return 0;
}

/* Once told to stop, a sender ends every flow between messages now;
 * those inside one end when it is whole. */
static int stop_idle_flows(struct nc_group *g)
{
	int err = 0;

	for (uint32_t i = 0; i < g->n; i++) {
		struct nc_flow *f = g->flows[i];

		if (!f->ended && !f->part) {
			int e = end_stream(g, f);

			err = err ? err : e;
		}
	}
	return err;
}

static int drive(struct nc_group *g, bool sends)
{
	bool stopping = false;
	unsigned int idle = 0;
	int err = 0;

	while (g->active && !err) {
		int n;

		if (sends && !stopping && nc_flow_stopping(g->flows[0])) {
			stopping = true;
			err = stop_idle_flows(g);
			continue;
		}
		n = nc_group_wait(g, &idle);
		if (n < 0)
			err = n;
		for (int i = 0; i < n && !err; i++) {
			struct nc_flow *f = g->ev[i].data.ptr;

			if (f->ended)
				continue;
			err = sends ? send_ready(g, f, stopping) :
				      recv_ready(g, f);
		}
	}
	return err;
}

/* A flow the ring named: its messages until the ring is full for it
 * (paced: one, submitted before the pacer sleeps, the flow named again
 * once it is sent, as idle says); once told to stop, its stream's end
 * when nothing is in flight. */
static int ring_send(struct nc_group *g, uint32_t i, bool stopping)
{
	struct nc_flow *f = g->flows[i];
	int err;

	if (f->ended)
		return 0;
	for (;;) {
		if (stopping) {
			err = g->rg->idle(g->ring, i);
			return err == -EAGAIN ? 0 : err ? err :
			       end_stream(g, f);
		}
		nc_flow_check_warmup(f);
		err = g->rg->queue(g->ring, i);
		if (err)
			return err == -EAGAIN ? 0 : err;
		f->seq++;
		f->messages++;
		f->bytes += f->size;
		nc_flow_report(f);
		if (g->pace.rate) {	/* paced: a message a turn, sent */
			err = g->rg->submit(g->ring);
			nc_pace_wait(&g->pace, f->size);
			if (!err)
				err = g->rg->idle(g->ring, i);
			return err == -EAGAIN ? 0 : err;
		}
	}
}

/* Every flow first, then those the ring names; all of them again once
 * told to stop.  A ring's wait may end early with no flow to name (its
 * retries after -ENOMEM), so the stall is timed, by a clock read per
 * wait that named none. */
static int drive_ring(struct nc_group *g)
{
	uint64_t stall_ns = (uint64_t)STALL_TICKS * TICK_MS * 1000000;
	uint64_t idle_since = 0;
	bool stopping = false;
	uint32_t n = g->n;
	int err = 0;

	for (uint32_t i = 0; i < g->n; i++)
		g->ready[i] = i;
	while (g->active && !err) {
		int got;

		if (!stopping && nc_flow_stopping(g->flows[0])) {
			stopping = true;
			for (uint32_t i = 0; i < g->n; i++)
				g->ready[i] = i;
			n = g->n;
		}
		for (uint32_t k = 0; k < n && !err; k++) {
			/* Paced, a pass may outlast the run: the end is
			 * each flow's next turn. */
			if (g->pace.rate && !stopping &&
			    nc_flow_stopping(g->flows[0]))
				break;
			err = ring_send(g, g->ready[k], stopping);
		}
		if (err || !g->active)
			break;
		got = g->rg->wait(g->ring, g->ready, TICK_MS);
		if (got < 0)
			err = got;
		else if (got)
			idle_since = 0;
		else if (!idle_since)
			idle_since = nc_now_ns();
		else if (nc_now_ns() - idle_since >= stall_ns)
			err = -ETIMEDOUT;
		n = got > 0 ? (uint32_t)got : 0;
	}
	return err;
}

/* After an error: every stream still open ends, so that peers see
 * the end rather than wait for it. */
static void end_all(struct nc_group *g)
{
	for (uint32_t i = 0; i < g->n; i++)
		if (!g->flows[i]->ended)
			shutdown(g->flows[i]->link_fd >= 0 ?
				 g->flows[i]->link_fd : g->flows[i]->fd,
				 SHUT_WR);
}

/* What the kernel still owes the sending flows, by one deadline for
 * them all: a peer gone silent must not cost each flow a wait. */
static int collect_owed(struct nc_group *g, int err)
{
	uint64_t by = nc_now_ns() + NC_OWED_WAIT_NS;

	for (uint32_t i = 0; i < g->n; i++) {
		struct nc_flow *f = g->flows[i];

		if (nc_flow_sends(f)) {
			f->owed_by_ns = &by;
			err = nc_send_owed(g->mode, f, err);
			f->owed_by_ns = NULL;
		}
	}
	return err;
}

int nc_group_run(struct nc_group *g)
{
	bool sends = g->flows[0]->sender;
	uint64_t now;
	int err;

	g->active = g->n;
	for (uint32_t i = 0; i < g->n; i++)
		nc_flow_start(g->flows[i]);
	/* After the starts (thousands of flows' take a while): the pacer
	 * would take them for a stall and give up what it owed. */
	now = nc_now_ns();
	for (uint32_t i = 0; sends && i < g->n; i++)
		g->flows[i]->first_ns = now;
	nc_pace_start(&g->pace, now);
	if (g->ring)
		err = drive_ring(g);
	else if (g->flows[0]->link_fd >= 0)
		err = nc_group_udp_drive(g);
	else if (g->flows[0]->params->workload == NC_WORKLOAD_RR)
		err = nc_group_rr_drive(g);
	else
		err = drive(g, sends);
	if (err)
		end_all(g);
	if (g->ring) {
		int owed = g->rg->drain(g->ring, err != 0);

		err = err ? err : owed;
	}
	if (!g->ring)
		err = collect_owed(g, err);
	now = nc_now_ns();
	for (uint32_t i = 0; i < g->n; i++) {
		struct nc_flow *f = g->flows[i];

		if (!f->ended)
			f->last_ns = now;
		if (!nc_flow_sends(f))
			f->messages = f->bytes / f->size;
		nc_flow_finish(f);
		if (f->member)	/* the thread's are the owner's */
			f->cpu_us = 0;
	}
	nc_group_release(g);
	return err;
}
