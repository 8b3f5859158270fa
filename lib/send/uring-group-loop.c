/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uring-group-loop.c - the loop of a thread's one ring for all its
 * sending flows: chains queued and submitted, completions to their
 * flows' books, sends after -ENOMEM again (uring-group.c says how).
 */
#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "send/uring-consts.h"
#include "send/uring-group.h"

/* Whether flow i may queue its next message, and go on from a wait. */
static bool may_queue(const struct nc_uring_group *g, uint32_t i)
{
	const struct ug_flow *u = &g->f[i];

	return !u->inflight && !u->redo && u->queued < g->qd;
}

static bool may_go(const struct nc_uring_group *g, uint32_t i)
{
	return !g->f[i].queued && may_queue(g, i);
}

/* Queue a send of slot (flow i's) as the next link of the flow's
 * chain. */
static int prep_slot(struct nc_uring_group *g, uint32_t i, uint32_t slot)
{
	struct ug_flow *u = &g->f[i];
	struct ug_slot *s = &g->slot[slot];
	struct io_uring_sqe *sqe = io_uring_get_sqe(&g->ring);

	if (!sqe)
		return -EIO;	/* the ring holds a send a slot: a bug */
	g->ops->prep(sqe, u->flow->fd, g->slab + (size_t)slot * g->stride,
		     (size_t)u->flow->size, MSG_WAITALL | MSG_NOSIGNAL,
		     g->fixed ? (int)(slot / g->per_reg) : -1);
	sqe->flags |= IOSQE_IO_LINK;
	sqe->user_data = (uint64_t)++s->gen << 32 | slot;
	if (g->ops->notifies) {
		s->owed = true;
		g->owed_count++;
	}
	if (!u->queued)
		g->chains[g->nchains++] = i;
	else
		g->slot[u->chain_last].link = slot;
	s->pos = u->queued++;
	u->chain_last = slot;
	u->last = sqe;
	return 0;
}

int nc_uring_group_queue(void *ring, uint32_t i)
{
	struct nc_uring_group *g = ring;
	struct ug_flow *u = &g->f[i];
	struct nc_flow *flow = u->flow;
	uint32_t slot;

	if (!may_queue(g, i)) {
		u->waiting = true;
		return -EAGAIN;
	}
	/* A chain begins in its turn, and ends early with the pool. */
	if (!u->queued && !nc_ug_start(g, i))
		return -EAGAIN;
	if (!g->nfree) {
		u->waiting = true;
		return -EAGAIN;
	}
	slot = nc_ug_take(g, i);
	if (flow->verify)
		nc_pattern_fill(g->slab + (size_t)slot * g->stride,
				(size_t)flow->size, flow->index, flow->seq, 0);
	return prep_slot(g, i, slot);
}

int nc_uring_group_idle(void *ring, uint32_t i)
{
	struct nc_uring_group *g = ring;
	struct ug_flow *u = &g->f[i];

	if (!u->inflight && !u->queued && !u->redo)
		return 0;
	u->waiting = true;
	return -EAGAIN;
}

/* Every chain queued ends, and goes in one submission. */
static int submit_chains(struct nc_uring_group *g)
{
	uint32_t sqes = 0;
	int n;

	if (!g->nchains)
		return 0;
	for (uint32_t k = 0; k < g->nchains; k++) {
		struct ug_flow *u = &g->f[g->chains[k]];

		u->last->flags &= (uint8_t)~IOSQE_IO_LINK;
		u->inflight = u->chain_len = u->queued;
		u->sent = 0;
		u->fail_at = u->enomem_at = u->chain_len;
		u->fail_err = 0;
		sqes += u->queued;
		u->queued = 0;
	}
	g->nchains = 0;
	g->inflight += sqes;
	n = io_uring_submit(&g->ring);
	if (n < 0)
		return n;
	return (uint32_t)n == sqes ? 0 : -EIO;	/* the ring refused some */
}

int nc_uring_group_submit(void *ring)
{
	return submit_chains(ring);
}

static void slot_done(struct nc_uring_group *g, uint32_t slot)
{
	if (g->slot[slot].owed) {
		g->slot[slot].owed = false;
		g->owed_count--;
	}
}

/* The first real error wins: the sends after it in a chain are only
 * -ECANCELED because of it. */
static void keep_error(int *first, int err)
{
	if (err && (!*first || *first == -ECANCELED))
		*first = err;
}

/* Flow i's next n messages to send again, from redo_first on down
 * the links, as a chain (the flow still has their slots). */
static int redo_chain(struct nc_uring_group *g, uint32_t i, uint32_t n)
{
	struct ug_flow *u = &g->f[i];
	uint32_t slot = u->redo_first;
	int err = 0;

	for (uint32_t k = 0; k < n && !err; k++) {
		uint32_t next = g->slot[slot].link;

		err = prep_slot(g, i, slot);
		slot = next;
	}
	u->redo_next = slot;
	return err;
}

/* Flow i's chain has completed: 0, going on with what -ENOMEM left to
 * send again, or the error that failed it. */
static int chain_done(struct nc_uring_group *g, uint32_t i)
{
	struct ug_flow *u = &g->f[i];
	uint32_t fit;

	if (u->fail_at == u->chain_len) {
		if (!u->redo)
			return 0;
		/* Chains shortened by -ENOMEM grow back. */
		u->redo -= u->chain_len;
		u->redo_first = u->redo_next;
		fit = 2 * u->chain_len;
		return u->redo ? redo_chain(g, i, fit < u->redo ? fit :
					    u->redo) : 0;
	}
	if (u->fail_err)
		return u->fail_err;
	if (u->enomem_at == u->chain_len)
		return -ECANCELED;	/* cancelled: the run ends */
	if (u->sent != u->fail_at)
		return NETCOPY_ESHORTSEND;	/* nothing can follow a hole */
	u->counts.enobufs += u->chain_len - u->fail_at;
	u->redo = (u->redo ? u->redo : u->chain_len) - u->fail_at;
	u->redo_first = u->fail_slot;
	u->fit = u->enomem_at > u->fail_at ? u->enomem_at - u->fail_at : 1;
	g->deferred[g->ndeferred++] = i;
	return 0;
}

/* A send's completion: the first error of its chain noted, its slot
 * back in the pool unless a notification follows (or it failed: the
 * flow keeps it to send again). */
static int send_done(struct nc_uring_group *g, uint32_t i, uint32_t slot,
		     const struct io_uring_cqe *cqe)
{
	struct ug_flow *u = &g->f[i];
	uint32_t at = g->slot[slot].pos;
	int res = cqe->res;

	u->inflight--;
	g->inflight--;
	if (res >= 0 && (cqe->flags & IORING_CQE_F_MORE))
		u->counts.sends++;	/* a notification follows */
	else
		slot_done(g, slot);
	if (res >= 0 && !(cqe->flags & IORING_CQE_F_MORE))
		nc_ug_give(g, slot);
	if (res < 0)
		g->slot[slot].gen++;	/* its notification, if any, is stale */
	if (res >= 0 && (uint64_t)res == u->flow->size) {
		u->sent++;
	} else {
		if (at < u->fail_at) {
			u->fail_at = at;
			u->fail_slot = slot;
		}
		if (res == -ENOMEM && at < u->enomem_at)
			u->enomem_at = at;
		if (res != -ENOMEM && res != -ECANCELED && !u->fail_err)
			u->fail_err = res < 0 ? res : NETCOPY_ESHORTSEND;
	}
	return u->inflight ? 0 : chain_done(g, i);
}

/* One completion, to its flow's books; the flow in ready[] (when
 * given) once it may go on.  0, or the error its send ended with. */
static int complete(struct nc_uring_group *g, const struct io_uring_cqe *cqe,
		    uint32_t *ready, int *got)
{
	uint64_t slot = cqe->user_data & UINT32_MAX;
	uint32_t gen = (uint32_t)(cqe->user_data >> 32);
	struct ug_flow *u;
	uint32_t i;
	int err = 0;

	if (cqe->user_data == CANCEL_DATA)
		return 0;
	if (slot >= g->slots)
		return -EIO;		/* not ours: cannot happen */
	i = g->slot[slot].flow;
	u = &g->f[i];
	if (!(cqe->flags & IORING_CQE_F_NOTIF)) {
		err = send_done(g, i, (uint32_t)slot, cqe);
	} else if (gen == g->slot[slot].gen) {
		/* The kernel is done with the slot's pages. */
		u->counts.notifications++;
		u->counts.completions++;
		if (u->counts.copied >= 0 &&
		    ((uint32_t)cqe->res & IORING_NOTIF_USAGE_ZC_COPIED))
			u->counts.copied++;
		slot_done(g, (uint32_t)slot);
		nc_ug_give(g, (uint32_t)slot);
		g->notified++;
	}
	if (ready && u->waiting && may_go(g, i)) {
		u->waiting = false;
		ready[(*got)++] = i;
	}
	return err;
}

/* After -ENOMEM: the flows' sends again, once a notification has let
 * pages go, or after a pause where nothing is owed (the pages are
 * locked elsewhere), up to LOST_AFTER_S of pauses. */
static int redo_deferred(struct nc_uring_group *g, bool notified)
{
	int err = 0;

	if (notified) {
		g->pauses = 0;
	} else {
		if (++g->pauses > LOST_AFTER_S * 1000000 / ENOMEM_PAUSE_US)
			return -ENOMEM;
		usleep(ENOMEM_PAUSE_US);
	}
	for (uint32_t k = 0; k < g->ndeferred && !err; k++) {
		struct ug_flow *u = &g->f[g->deferred[k]];

		err = redo_chain(g, g->deferred[k], u->fit < u->redo ?
				 u->fit : u->redo);
	}
	g->ndeferred = 0;
	return err;
}

/* Wait up to ts for a completion, then take all there are, their first
 * error in *first: 0, or the wait's error (-ETIME: nothing came). */
static int reap(struct nc_uring_group *g, uint32_t *ready, int *got,
		struct __kernel_timespec *ts, int *first)
{
	struct io_uring_cqe *cqe;
	unsigned int head, seen = 0;
	int err = io_uring_wait_cqe_timeout(&g->ring, &cqe, ts);

	if (err)
		return err;
	g->notified = 0;
	io_uring_for_each_cqe(&g->ring, head, cqe) {
		keep_error(first, complete(g, cqe, ready, got));
		seen++;
	}
	io_uring_cq_advance(&g->ring, seen);
	if (ready)
		nc_ug_grant(g, ready, got);
	return 0;
}

int nc_uring_group_wait(void *ring, uint32_t *ready, int ms)
{
	struct nc_uring_group *g = ring;
	struct __kernel_timespec ts = { .tv_sec = ms / 1000,
					.tv_nsec = (ms % 1000) * 1000000L };
	int got = 0, first = 0, err;

	if (g->ndeferred && !g->owed_count)
		first = redo_deferred(g, false);
	if (!first)
		first = submit_chains(g);
	if (first)
		return first;
	err = reap(g, ready, &got, &ts, &first);
	if (err == -ETIME || err == -EINTR)
		err = 0;
	keep_error(&first, err);
	if (!first && g->ndeferred && g->notified)
		first = redo_deferred(g, true);
	return first ? first : got;
}

static void cancel_all(struct nc_uring_group *g)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&g->ring);

	if (!sqe)
		return;
	io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
	sqe->user_data = CANCEL_DATA;
	io_uring_submit(&g->ring);
}

int nc_uring_group_drain(void *ring, bool cancel)
{
	struct nc_uring_group *g = ring;
	struct __kernel_timespec lost = { .tv_sec = LOST_AFTER_S };
	int first = submit_chains(g), got = 0;

	/* After an error, the chains queued went too: into sockets shut
	 * down, they fail at once. */
	if (cancel && g->inflight)
		cancel_all(g);
	while (g->inflight || g->owed_count) {
		int err = reap(g, NULL, &got, &lost, &first);

		if (err == -EINTR)
			continue;
		if (err) {	/* -ETIME: nothing for LOST_AFTER_S */
			keep_error(&first, err == -ETIME ?
				   NETCOPY_ECOMPLETION : err);
			break;
		}
	}
	for (uint32_t i = 0; g->ops->notifies && i < g->n; i++)
		g->f[i].flow->zc = g->f[i].counts;
	return first;
}
