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
	uint32_t next;		/* its next slot, in its slice */
	uint32_t queued;	/* in its chain not yet submitted */
	uint32_t inflight;	/* submitted, not yet completed */
	bool waiting;		/* to be named by wait once it may go on */
	struct io_uring_sqe *last;	/* its chain's latest send */
	/* The chain in flight: its first slot, its length, and of it the
	 * sends that went whole, the first that failed and the first
	 * -ENOMEM (chain_len: none), and the first real error. */
	uint32_t chain_first;
	uint32_t chain_len;
	uint32_t sent;
	uint32_t fail_at;
	uint32_t enomem_at;
	int fail_err;
	/* After -ENOMEM: the messages to send again from slot redo_first,
	 * in chains of at most fit. */
	uint32_t redo;
	uint32_t redo_first;
	uint32_t fit;
	struct nc_zc_counts counts;
};

struct nc_uring_group {
	struct io_uring ring;
	const struct nc_uring_ops *ops;
	bool fixed;
	uint32_t n;
	uint32_t qd;
	uint32_t per_flow;	/* slots a flow has */
	uint32_t per_reg;	/* slots a registered buffer holds */
	size_t stride;
	uint8_t *slab;
	size_t slab_len;
	uint8_t *owed;		/* per slot: its notification owed */
	uint32_t *gen;		/* per slot: its latest send's */
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

#endif
