/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * group-rr.c - request-response over a thread's group of flows, as
 * nc_rr_ask and nc_rr_answer do over one: each flow keeps one request
 * in flight, the asker timing each round trip into its thread's
 * histogram, the answerer answering each request with a message of the
 * same size on the same flow.
 *
 * Every socket waits for input under the group's epoll; a message goes
 * out at once, and only a send the socket cannot take whole waits for
 * EPOLLOUT (EPOLLERR for the kernel's completions), so an exchange
 * costs no epoll_ctl where the sockets keep up.  Zero-copy's
 * completions are reaped whenever a socket reports them: epoll reports
 * EPOLLERR whatever a flow waits for, as long as its error queue holds
 * any, so a flow awaiting its answer would wake the thread at every
 * wait until its next send reaped them.  One clock read per round
 * trip, as over one flow: an answer's time is when the next request
 * leaves.  Once told to stop, each asker's flow ends after its
 * next answer; the answerer ends each at its asker's end.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "flow/group.h"

enum rr_phase {
	RR_RECV,	/* receiving a request or an answer */
	RR_SEND,	/* sending its message */
	RR_SEND_WAIT,	/* the same, waiting for the socket */
	RR_CLOSE,	/* asked its last: waits for the answerer's end */
};

struct rr_drive {
	struct nc_group *g;
	bool stopping;
	/* NETCOPY_RR_FAULT=odd in the answerer's environment, for the
	 * tests of a peer that answers only some flows: the flows of odd
	 * index are never answered. */
	bool mute_odd;
};

static int watch(struct rr_drive *d, struct nc_flow *f, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = f };

	return epoll_ctl(d->g->ep, EPOLL_CTL_MOD, f->fd, &ev) ? -errno : 0;
}

static void ended(struct rr_drive *d, struct nc_flow *f)
{
	epoll_ctl(d->g->ep, EPOLL_CTL_DEL, f->fd, NULL);
	f->ended = true;
	d->g->active--;
}

/* Once per message: the owner's warm-up ends first, as its end starts
 * the thread's histogram afresh; no member's measured round trip may
 * come before that. */
static void check_warmup(struct rr_drive *d, struct nc_flow *f)
{
	if (f != d->g->flows[0])
		nc_flow_check_warmup(d->g->flows[0]);
	nc_flow_check_warmup(f);
}

/* The rest of the flow's message, as far as the socket takes it. */
static int send_on(struct rr_drive *d, struct nc_flow *f)
{
	for (;;) {
		ssize_t n = d->g->mode->send_part(f, f->part);

		if (n == -EAGAIN || n == -EINPROGRESS) {
			f->phase = RR_SEND_WAIT;
			return watch(d, f, n == -EAGAIN ? EPOLLOUT : 0);
		}
		if (n < 0)
			return (int)n;
		f->part += (uint64_t)n;
		if (f->part == f->size)
			break;
	}
	f->part = 0;
	f->seq++;
	if (!f->sender) {	/* answered */
		f->messages++;
		nc_flow_report(f);
	}
	if (f->phase == RR_SEND_WAIT) {
		f->phase = RR_RECV;
		return watch(d, f, EPOLLIN);
	}
	f->phase = RR_RECV;
	return 0;
}

/* The asker's next request, or its end once told to stop. */
static int ask(struct rr_drive *d, struct nc_flow *f)
{
	if (d->stopping) {
		f->phase = RR_CLOSE;
		return shutdown(f->fd, SHUT_WR) ? -errno : 0;
	}
	check_warmup(d, f);
	f->phase = RR_SEND;
	return send_on(d, f);
}

/* A whole message in: the asker's answer timed, the answerer's request
 * answered. */
static int received(struct rr_drive *d, struct nc_flow *f)
{
	f->got = 0;
	if (f->sender) {
		uint64_t now = nc_now_ns();

		if (!f->warm)
			nc_hist_add(f->rtt, now - f->last_ns);
		f->last_ns = now;
		f->messages++;
		nc_flow_report(f);
		return ask(d, f);
	}
	check_warmup(d, f);
	if (!f->messages)
		f->first_ns = nc_now_ns();
	if (__builtin_expect(d->mute_odd && f->index % 2, 0))
		return 0;
	f->phase = RR_SEND;
	return send_on(d, f);
}

/* The end of the peer's stream: the answerer's at the asker's end,
 * which it answers with its own; anywhere else the asker's answer is
 * missing.  Inside a message: short. */
static int peer_ended(struct rr_drive *d, struct nc_flow *f)
{
	int err = 0;

	if (f->got || f->sender)
		return NETCOPY_ESHORT;
	if (shutdown(f->fd, SHUT_WR))
		err = -errno;
	f->last_ns = nc_now_ns();
	ended(d, f);
	return err;
}

/* A readable flow: its message, until the socket has no more or the
 * budget is spent.  0 or an error. */
static int recv_on(struct rr_drive *d, struct nc_flow *f)
{
	for (uint64_t moved = 0; moved < EVENT_BYTES;) {
		ssize_t n = nc_recv_some(d->g->mode, f,
					 (size_t)(f->size - f->got));

		if (n == -ETIMEDOUT)	/* non-blocking: nothing more now */
			return 0;
		if (n < 0)
			return (int)n;
		if (n == 0)
			return peer_ended(d, f);
		moved += (uint64_t)n;
		f->bytes += (uint64_t)n;
		f->got += (uint64_t)n;
		/* One message in flight: nothing more to read now. */
		if (f->got == f->size)
			return received(d, f);
	}
	return 0;
}

/* After its last request: the answerer's end, and nothing before it. */
static int close_on(struct rr_drive *d, struct nc_flow *f)
{
	ssize_t n = nc_recv_some(d->g->mode, f, f->size);

	if (n == -ETIMEDOUT)
		return 0;
	if (n < 0)
		return (int)n;
	if (n)
		return NETCOPY_EPROTOCOL;	/* an unasked answer */
	ended(d, f);
	return 0;
}

/* An event on a flow: first the kernel's completions of its sends
 * where its socket reports them (EPOLLERR; zero-copy, with the answer
 * whose ACK freed the request), then its phase's. */
static int on_event(struct rr_drive *d, struct nc_flow *f, uint32_t events)
{
	int err = 0;

	if ((events & EPOLLERR) && d->g->mode->send_reap)
		err = d->g->mode->send_reap(f);
	if (err)
		return err;
	switch (f->phase) {
	case RR_SEND:
	case RR_SEND_WAIT:
		return send_on(d, f);
	case RR_CLOSE:
		return close_on(d, f);
	default:
		return recv_on(d, f);
	}
}

/* Every asker's flow sends its first request, each timed from its own
 * send. */
static int start(struct rr_drive *d)
{
	int err = 0;

	for (uint32_t i = 0; i < d->g->n && !err; i++) {
		struct nc_flow *f = d->g->flows[i];

		f->phase = RR_RECV;
		f->got = f->part = 0;
		if (!f->sender)
			continue;
		f->first_ns = f->last_ns = nc_now_ns();
		err = ask(d, f);
	}
	return err;
}

int nc_group_rr_drive(struct nc_group *g)
{
	const char *fault = getenv("NETCOPY_RR_FAULT");
	struct rr_drive d = { g, nc_flow_stopping(g->flows[0]),
			      fault && !strcmp(fault, "odd") };
	unsigned int idle = 0;
	int err = start(&d);

	while (g->active && !err) {
		int n;

		if (g->flows[0]->sender && !d.stopping)
			d.stopping = nc_flow_stopping(g->flows[0]);
		n = nc_group_wait(g, &idle);
		if (n < 0)
			err = n;
		for (int i = 0; i < n && !err; i++) {
			struct nc_flow *f = g->ev[i].data.ptr;

			if (!f->ended)
				err = on_event(&d, f, g->ev[i].events);
		}
	}
	return err;
}
