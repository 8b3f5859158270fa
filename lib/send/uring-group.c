/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uring-group.c - --flows above -t for the io_uring engines: one ring
 * serves every sending flow of a thread, and its completions, not
 * epoll, say which flow may send again (flow/group.c drives it through
 * struct nc_ring_group_ops; uring-group-loop.c is its loop).
 *
 * A flow's memory is its books, not buffers (issue 17): the slots of -s
 * bytes are the thread's, a pool of every flow's --qd (twice that for
 * SEND_ZC, so that one chain is filled while the last one's
 * notifications are owed) while they take at most POOL_BYTES, else as
 * many as POOL_BYTES holds, never fewer than one flow's.  As a single
 * flow's ring does (uring-ring.c), a flow sends its messages as one
 * linked chain of at most --qd sends with MSG_WAITALL, and its next
 * chain only once this one has completed: its stream stays whole and
 * in order.  It takes a slot from the pool for each message as it
 * queues it (filled then with its pattern at that offset when
 * verifying), and the slot goes back as its send completes, or for
 * SEND_ZC as its notification comes: each slot written again only
 * once the kernel is done with it.  A flow that finds the pool empty
 * as it would start a chain waits its turn in a queue, oldest first;
 * as slots come back, wait names the queue's first flows, about a
 * chain's slots each, and no other flow starts a chain before them.  A
 * completion's user_data is its slot's index in the slab, whose books
 * name its flow: O(1) an event, nothing allocated and no clock read
 * per message.
 *
 * The ring holds what the pool can have in flight, a send a slot,
 * within the kernel's bound; completions, notifications included, go
 * in a queue twice as large.
 *
 * Locked memory.  SEND_ZC charges what is in flight to RLIMIT_MEMLOCK
 * (a user without CAP_IPC_LOCK), the other rings of the user's
 * included: a chain that would pass it fails whole as it is submitted
 * (-ENOMEM, the rest -ECANCELED; IORING_SETUP_SUBMIT_ALL keeps the other
 * flows' chains going).  As a single flow's ring does, the flow then
 * sends what did not go again, in order, from the same slots (it keeps
 * them), in chains no longer than what fitted, once a notification has
 * released pages (or after a pause where none is owed, up to
 * LOST_AFTER_S of them); each send's user_data carries its slot's
 * generation, so that a notification of a failed send is not taken for
 * a later one's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "send/uring-group.h"

/* The kernel's bounds (io_uring/io_uring.h: IORING_MAX_ENTRIES and
 * IORING_MAX_CQ_ENTRIES; io_uring/rsrc.c: a registered buffer's size),
 * which its uapi header does not give. */
#define MAX_SQ_ENTRIES 32768u
#define MAX_CQ_ENTRIES (2 * MAX_SQ_ENTRIES)
#define MAX_REG_BYTES (1ULL << 30)

/* A thread's slots, at most (the pool's bound): enough that a few
 * hundred chains of 16 KiB messages are in flight at once, which keeps
 * loopback's throughput at 10,000 flows (bench/flows). */
#define POOL_BYTES (8ULL << 20)

/* The pool: every flow's slots within POOL_BYTES, at least one flow's,
 * and no more than the ring's bound (a send a slot in flight). */
static uint32_t pool_slots(const struct nc_uring_ops *ops, uint64_t size,
			   uint32_t qd, uint32_t n)
{
	uint64_t per_flow = ops->notifies ? 2ULL * qd : qd;
	uint64_t slots = POOL_BYTES / nc_uring_stride(size);

	if (slots > n * per_flow)
		slots = n * per_flow;
	if (slots < per_flow)
		slots = per_flow;
	return slots < MAX_SQ_ENTRIES ? (uint32_t)slots : MAX_SQ_ENTRIES;
}

uint64_t nc_uring_group_memory(const struct nc_uring_ops *ops, uint64_t size,
			       uint32_t qd, uint32_t n)
{
	return (uint64_t)pool_slots(ops, size, qd, n) * nc_uring_stride(size);
}

/* The pool is bounded whatever the flows, and the thread paces them
 * (flow/group.c), so a thread's ring runs any --flows. */
int nc_uring_group_check(const struct nc_params *p, uint32_t n, char *why,
			 size_t cap)
{
	return 0;
}

/* The slab as few registered buffers as hold it, whole slots each. */
static int register_slab(struct nc_uring_group *g)
{
	uint32_t total = g->slots;
	uint32_t count = (total + g->per_reg - 1) / g->per_reg;
	struct iovec *iov = calloc(count, sizeof(*iov));
	int err;

	if (!iov)
		return -ENOMEM;
	for (uint32_t i = 0; i < count; i++) {
		uint32_t slots = total - i * g->per_reg;

		iov[i].iov_base = g->slab + (size_t)i * g->per_reg * g->stride;
		iov[i].iov_len = (size_t)(slots < g->per_reg ? slots :
					  g->per_reg) * g->stride;
	}
	err = io_uring_register_buffers(&g->ring, iov, count);
	free(iov);
	return err;
}

static int group_setup(struct nc_uring_group *g)
{
	uint64_t cq = (uint64_t)g->slots * (g->ops->notifies ? 2 : 1) + 1;
	struct io_uring_params p;
	int err;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL;
	p.cq_entries = cq < MAX_CQ_ENTRIES ? (uint32_t)cq : MAX_CQ_ENTRIES;
	/* A send a slot (a cancel comes once they are all submitted).
	 * Before 5.18 (no SUBMIT_ALL) a plain send fails no
	 * chain as it is submitted. */
	err = io_uring_queue_init_params(g->slots, &g->ring, &p);
	if (err == -EINVAL && !g->ops->notifies) {
		p.flags &= ~IORING_SETUP_SUBMIT_ALL;
		err = io_uring_queue_init_params(g->slots, &g->ring, &p);
	}
	if (err)
		return err;
	if (g->fixed && (err = register_slab(g))) {
		io_uring_queue_exit(&g->ring);
		return err;
	}
	return 0;
}

static void group_free(struct nc_uring_group *g)
{
	nc_pages_free(g->slab, g->slab_len);
	free(g->slot);
	free(g->free);
	free(g->fifo);
	free(g->deferred);
	free(g->f);
	free(g->chains);
	free(g);
}

int nc_uring_group_open(const struct nc_uring_ops *ops, struct nc_flow **flows,
			uint32_t n, void **out)
{
	const struct nc_params *p = flows[0]->params;
	struct nc_uring_group *g = calloc(1, sizeof(*g));
	uint64_t per_reg;
	int err;

	*out = NULL;
	if (!g)
		return -ENOMEM;
	g->ops = ops;
	g->fixed = p->fixed_buffers;
	g->n = n;
	g->qd = p->qd;
	g->slots = pool_slots(ops, flows[0]->size, p->qd, n);
	g->stride = nc_uring_stride(flows[0]->size);
	per_reg = MAX_REG_BYTES / g->stride;
	g->per_reg = per_reg > UINT32_MAX ? UINT32_MAX :
		     per_reg ? (uint32_t)per_reg : 1;
	g->slab_len = (size_t)g->slots * g->stride;
	g->slab = nc_pages_alloc(g->slab_len);
	g->slot = calloc(g->slots, sizeof(*g->slot));
	g->free = calloc(g->slots, sizeof(*g->free));
	g->fifo = calloc(n, sizeof(*g->fifo));
	g->f = calloc(n, sizeof(*g->f));
	g->chains = calloc(n, sizeof(*g->chains));
	g->deferred = calloc(n, sizeof(*g->deferred));
	err = g->slab && g->slot && g->free && g->fifo && g->f &&
	      g->chains && g->deferred ? group_setup(g) : -ENOMEM;
	if (err) {
		group_free(g);
		return err;
	}
	for (uint32_t k = 0; k < g->slots; k++)
		g->free[k] = g->slots - 1 - k;
	g->nfree = g->slots;
	for (uint32_t i = 0; i < n; i++) {
		g->f[i].flow = flows[i];
		g->f[i].counts = (struct nc_zc_counts){ 0, 0, 0, 0, 0 };
		g->f[i].counts.copied = ops->reports_copied ? 0 : -1;
	}
	*out = g;
	return 0;
}

/* Exiting the ring cancels what is left before the slab goes. */
void nc_uring_group_close(void *ring)
{
	struct nc_uring_group *g = ring;

	if (!g)
		return;
	io_uring_queue_exit(&g->ring);
	group_free(g);
}

/* The slots the flows named to start have yet to take, about. */
static uint64_t reserved(const struct nc_uring_group *g)
{
	return (uint64_t)g->ngranted * g->qd;
}

static void fifo_push(struct nc_uring_group *g, uint32_t i, bool first)
{
	if (first)
		g->fifo_head = (g->fifo_head + g->n - 1) % g->n;
	g->fifo[(g->fifo_head + (first ? 0 : g->fifo_len)) % g->n] = i;
	g->fifo_len++;
	g->f[i].waiting = false;	/* grant names it */
}

/* A flow named to start keeps its turn, first in the queue again,
 * where another took the slots before it. */
bool nc_ug_start(struct nc_uring_group *g, uint32_t i)
{
	struct ug_flow *u = &g->f[i];

	if (u->granted) {
		u->granted = false;
		g->ngranted--;
		if (g->nfree)
			return true;
		fifo_push(g, i, true);
		return false;
	}
	if (!g->fifo_len && g->nfree > reserved(g))
		return true;
	fifo_push(g, i, false);
	return false;
}

uint32_t nc_ug_take(struct nc_uring_group *g, uint32_t i)
{
	uint32_t slot = g->free[--g->nfree];

	g->slot[slot].flow = i;
	return slot;
}

void nc_ug_give(struct nc_uring_group *g, uint32_t slot)
{
	g->free[g->nfree++] = slot;
}

void nc_ug_grant(struct nc_uring_group *g, uint32_t *ready, int *got)
{
	uint64_t want = reserved(g);

	while (g->fifo_len && g->nfree > want) {
		uint32_t i = g->fifo[g->fifo_head];

		g->fifo_head = (g->fifo_head + 1) % g->n;
		g->fifo_len--;
		g->f[i].granted = true;
		g->ngranted++;
		want += g->qd;
		ready[(*got)++] = i;
	}
}
