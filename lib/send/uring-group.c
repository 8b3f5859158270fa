/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uring-group.c - --flows above -t for the io_uring engines: one ring
 * serves every sending flow of a thread, and its completions, not
 * epoll, say which flow may send again (flow/group.c drives it through
 * struct nc_ring_group_ops).
 *
 * Each flow has a slice of the thread's slab of its own: --qd slots,
 * twice that for SEND_ZC, so that one chain is filled while the last
 * one's notifications are still owed, each slot written again only
 * after its own notification.  As a single flow's ring does
 * (uring-ring.c), a flow sends its messages as one linked chain of at
 * most --qd sends with MSG_WAITALL, and its next chain only once this
 * one has completed: its stream stays whole and in order, while the
 * chains of all the thread's flows are in flight side by side.  A
 * completion's user_data is its slot's index in the slab, whose flow is
 * the index / the slots a flow has: O(1) a completion, nothing allocated
 * and no clock read per message.
 *
 * The ring holds every flow's chain at once, flows x --qd entries,
 * which the kernel bounds (check refuses a run past it, with the
 * limit); completions, notifications included, go in a queue twice as
 * large, or the kernel's largest.
 *
 * Locked memory.  SEND_ZC charges what is in flight to RLIMIT_MEMLOCK
 * (a user without CAP_IPC_LOCK), the other rings of the user's
 * included: a chain that would pass it fails whole as it is submitted
 * (-ENOMEM, the rest -ECANCELED; IORING_SETUP_SUBMIT_ALL keeps the other
 * flows' chains going).  As a single flow's ring does, the flow then
 * sends what did not go again, in order, from the same slots, in chains
 * no longer than what fitted, once a notification has released pages
 * (or after a pause where none is owed, up to LOST_AFTER_S of them);
 * each send's user_data carries its slot's generation, so that a
 * notification of a failed send is not taken for a later one's.
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

static uint32_t flow_slots(const struct nc_uring_ops *ops, uint32_t qd)
{
	return ops->notifies ? 2 * qd : qd;
}

uint64_t nc_uring_group_memory(const struct nc_uring_ops *ops, uint64_t size,
			       uint32_t qd, uint32_t n)
{
	return (uint64_t)n * flow_slots(ops, qd) * nc_uring_stride(size);
}

int nc_uring_group_check(const struct nc_params *p, uint32_t n, char *why,
			 size_t cap)
{
	uint64_t entries = (uint64_t)n * p->qd;

	/* The ring's loop has no pacer (yet): --rate would go unheeded. */
	if (p->rate) {
		snprintf(why, cap, "--flows above -t: not yet for %s with "
			 "--rate", p->mode);
		return NETCOPY_EUNSUPPORTED;
	}
	if (p->workload != NC_WORKLOAD_STREAM) {
		snprintf(why, cap, "--flows above -t: not yet for %s rr",
			 p->mode);
		return NETCOPY_EUNSUPPORTED;
	}
	if (entries <= MAX_SQ_ENTRIES)
		return 0;
	snprintf(why, cap, "--flows %u over -t %u at --qd %u: a thread's "
		 "io_uring would hold %llu sends, above the kernel's limit "
		 "of %u", nc_params_flows(p), p->threads, p->qd,
		 (unsigned long long)entries, MAX_SQ_ENTRIES);
	return NETCOPY_EUNSUPPORTED;
}

/* The slab as few registered buffers as hold it, whole slots each. */
static int register_slab(struct nc_uring_group *g)
{
	uint32_t total = g->n * g->per_flow;
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
	uint64_t cq = (uint64_t)g->n * (g->qd + (g->ops->notifies ?
						 g->per_flow : 0)) + 1;
	struct io_uring_params p;
	int err;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL;
	p.cq_entries = cq < MAX_CQ_ENTRIES ? (uint32_t)cq : MAX_CQ_ENTRIES;
	/* check bounds the sends (a cancel comes once they are all
	 * submitted).  Before 5.18 (no SUBMIT_ALL) a plain send fails no
	 * chain as it is submitted. */
	err = io_uring_queue_init_params(g->n * g->qd, &g->ring, &p);
	if (err == -EINVAL && !g->ops->notifies) {
		p.flags &= ~IORING_SETUP_SUBMIT_ALL;
		err = io_uring_queue_init_params(g->n * g->qd, &g->ring, &p);
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
	free(g->owed);
	free(g->gen);
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
	g->per_flow = flow_slots(ops, p->qd);
	g->stride = nc_uring_stride(flows[0]->size);
	per_reg = MAX_REG_BYTES / g->stride;
	g->per_reg = per_reg > UINT32_MAX ? UINT32_MAX :
		     per_reg ? (uint32_t)per_reg : 1;
	g->slab_len = (size_t)n * g->per_flow * g->stride;
	g->slab = nc_pages_alloc(g->slab_len);
	g->owed = calloc((size_t)n * g->per_flow, 1);
	g->gen = calloc((size_t)n * g->per_flow, sizeof(*g->gen));
	g->f = calloc(n, sizeof(*g->f));
	g->chains = calloc(n, sizeof(*g->chains));
	g->deferred = calloc(n, sizeof(*g->deferred));
	err = g->slab && g->owed && g->gen && g->f && g->chains &&
	      g->deferred ? group_setup(g) : -ENOMEM;
	if (err) {
		group_free(g);
		return err;
	}
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
