/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uring-group.h - the books of a thread's one ring for all its sending
 * flows (uring-group.c sets it up, uring-group-loop.c drives it).
 */
#ifndef NC_SEND_URING_GROUP_H
#define NC_SEND_URING_GROUP_H

#include <liburing.h>
#include <stdbool.h>
#include <stdint.h>

#include "send/engines.h"

/* A flow's books. */
struct ug_flow {
	struct nc_flow *flow;
	uint32_t queued;	/* in its chain not yet submitted */
	uint32_t inflight;	/* submitted, not yet completed */
	bool waiting;		/* to be named by wait once it may go on */
	bool granted;		/* taken off the pool's queue, to start */
	struct io_uring_sqe *last;	/* its chain's latest send */
	uint32_t chain_last;	/* and its slot */
	/* The chain in flight: its length, and of it the sends that went
	 * whole, the first that failed (and its slot) and the first -ENOMEM
	 * (chain_len: none), and the first real error. */
	uint32_t chain_len;
	uint32_t sent;
	uint32_t fail_at;
	uint32_t fail_slot;
	uint32_t enomem_at;
	int fail_err;
	/* After -ENOMEM: the messages to send again, the flow's still, from
	 * slot redo_first on down their links, in chains of at most fit;
	 * redo_next, the slot after the chain in flight. */
	uint32_t redo;
	uint32_t redo_first;
	uint32_t redo_next;
	uint32_t fit;
	struct nc_zc_counts counts;
};

/* A slot's books: the flow that has it, its place in that flow's
 * chain, the next slot of the chain, its latest send's generation and
 * whether that send's notification is owed. */
struct ug_slot {
	uint32_t flow;
	uint32_t pos;
	uint32_t link;
	uint32_t gen;
	bool owed;
};

struct nc_uring_group {
	struct io_uring ring;
	const struct nc_uring_ops *ops;
	bool fixed;
	uint32_t n;
	uint32_t qd;
	uint32_t per_reg;	/* slots a registered buffer holds */
	size_t stride;
	uint8_t *slab;
	size_t slab_len;
	/* The pool: its slots, those free (a stack), and the flows that
	 * found it empty (a ring of n, oldest first), and of those the
	 * ones named to start a chain that have not yet. */
	uint32_t slots;
	struct ug_slot *slot;
	uint32_t *free;
	uint32_t nfree;
	uint32_t *fifo;
	uint32_t fifo_head;
	uint32_t fifo_len;
	uint32_t ngranted;
	uint32_t owed_count;
	uint32_t notified;	/* notifications the latest reap took */
	uint32_t *deferred;	/* flows to send again after -ENOMEM */
	uint32_t ndeferred;
	unsigned int pauses;	/* tries with nothing owed to wait for */
	uint32_t inflight;
	struct ug_flow *f;
	uint32_t *chains;	/* flows with a chain queued */
	uint32_t nchains;
};

/* The pool (uring-group.c).  start: whether flow i may start a chain
 * now (a slot free and no flow before it), else it waits in the queue;
 * take: a free slot, to flow i; give: a slot back; grant: the flows
 * whose turn has come, into ready[] (*got of them there). */
bool nc_ug_start(struct nc_uring_group *g, uint32_t i);
uint32_t nc_ug_take(struct nc_uring_group *g, uint32_t i);
void nc_ug_give(struct nc_uring_group *g, uint32_t slot);
void nc_ug_grant(struct nc_uring_group *g, uint32_t *ready, int *got);

#endif
