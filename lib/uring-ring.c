/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uring-ring.c - what the io_uring engines share: a ring per connection,
 * a slab of message slots (registered with the ring for --fixed-buffers)
 * and the sends of a batch queued as one linked chain.
 *
 * Byte order.  Several sends in flight on one TCP socket must reach it
 * whole and in the order queued, but io_uring orders nothing between
 * independent requests: one that finds the socket full waits for poll
 * (or runs in io-wq) while a later one may find room and go first.  So
 * the sends of a batch form one IOSQE_IO_LINK chain, each started only
 * once the one before it has completed, and carry MSG_WAITALL, so the
 * kernel itself retries a partial send until the whole message is in the
 * socket.  A send that still ends short (an error part way) fails the
 * chain: the rest complete with -ECANCELED and the run ends with
 * NETCOPY_ESHORTSEND, as nothing can follow a hole in order.  A chain
 * ends with its submission, so the next batch is submitted only once
 * every send of this one has completed.
 */
#include <errno.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "internal.h"

/* Kernel 6.2 and later; liburing 2.3's headers lack it. */
#ifndef IORING_NOTIF_USAGE_ZC_COPIED
#define IORING_NOTIF_USAGE_ZC_COPIED (1U << 31)
#endif

/* user_data of the request that cancels a stalled batch. */
#define CANCEL_DATA UINT64_MAX
/* How long a batch's sends may take after a cancel, or a zero-copy
 * notification after its send, before they are called lost. */
#define LOST_AFTER_S 10

struct nc_uring {
	struct io_uring ring;
	const struct nc_uring_ops *ops;
	int fd;
	bool fixed;
	uint8_t *slab;
	size_t stride;			/* bytes between slots */
	uint32_t slots;
	uint32_t qd;			/* sends per batch */
	uint32_t next_slot;
	size_t *len;			/* per slot: the bytes its send owes */
	uint8_t *owed;			/* per slot: a notification owed */
	uint32_t owed_count;
	uint32_t queued;		/* in the batch, not yet submitted */
	uint32_t inflight;		/* submitted, not yet completed */
	struct io_uring_sqe *last;	/* the batch's latest send */
	struct __kernel_timespec timeout;
	bool has_timeout;		/* SO_SNDTIMEO of the socket */
	struct nc_uring_counts counts;
};

static size_t slot_stride(uint64_t size)
{
	uint64_t align = size >= 4096 ? 4096 : 64;

	return (size_t)((size + align - 1) / align * align);
}

uint64_t nc_uring_memory(const struct nc_uring_ops *ops, uint64_t size,
			 uint32_t qd)
{
	return (uint64_t)ops->slots(size, qd) * slot_stride(size);
}

/* One line for a failed io_uring_setup. */
static const char *setup_failure(int err)
{
	switch (err) {
	case -ENOSYS:
		return "this kernel has no io_uring (io_uring_setup: ENOSYS; "
		       "Linux 5.6 or later built with CONFIG_IO_URING needed)";
	case -EPERM:
	case -EACCES:
		return "io_uring is disabled here (io_uring_setup refused: "
		       "sysctl kernel.io_uring_disabled, a seccomp filter or "
		       "a container policy)";
	case -ENOMEM:
		return "io_uring_setup failed for lack of memory (is "
		       "RLIMIT_MEMLOCK too low?)";
	default:
		return "io_uring_setup failed";
	}
}

int nc_uring_probe(int opcode, const char *missing, const char **why)
{
	struct io_uring_probe *probe;
	struct io_uring ring;
	int err = io_uring_queue_init(2, &ring, 0);

	if (err) {
		*why = setup_failure(err);
		return NETCOPY_EUNSUPPORTED;
	}
	probe = io_uring_get_probe_ring(&ring);
	err = probe && io_uring_opcode_supported(probe, opcode) ? 0 :
	      NETCOPY_EUNSUPPORTED;
	if (err)
		*why = missing;
	io_uring_free_probe(probe);
	io_uring_queue_exit(&ring);
	return err;
}

/* The socket's send timeout bounds how long a batch may wait. */
static void read_timeout(struct nc_uring *u)
{
	struct timeval tv = { 0, 0 };
	socklen_t len = sizeof(tv);

	if (getsockopt(u->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, &len) == 0 &&
	    (tv.tv_sec || tv.tv_usec)) {
		u->timeout.tv_sec = tv.tv_sec;
		u->timeout.tv_nsec = tv.tv_usec * 1000;
		u->has_timeout = true;
	}
}

static int register_slots(struct nc_uring *u)
{
	struct iovec *iov = calloc(u->slots, sizeof(*iov));
	int err;

	if (!iov)
		return -ENOMEM;
	for (uint32_t i = 0; i < u->slots; i++) {
		iov[i].iov_base = u->slab + (size_t)i * u->stride;
		iov[i].iov_len = u->stride;
	}
	err = io_uring_register_buffers(&u->ring, iov, u->slots);
	free(iov);
	return err;
}

static int uring_setup(struct nc_uring *u)
{
	struct io_uring_params p;
	int err;

	/* Room for a batch and a cancel; completions for a batch, every
	 * notification still owed, and a cancel. */
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = 2 * (u->qd + u->slots + 1);
	err = io_uring_queue_init_params(u->qd + 1, &u->ring, &p);
	if (err)
		return err == -EPERM || err == -ENOSYS ? NETCOPY_EUNSUPPORTED :
		       err;
	if (u->fixed && (err = register_slots(u))) {
		io_uring_queue_exit(&u->ring);
		return err;
	}
	return 0;
}

int nc_uring_open(struct nc_uring **out, const struct nc_uring_ops *ops,
		  int fd, uint64_t size, uint32_t qd, bool fixed)
{
	struct nc_uring *u = calloc(1, sizeof(*u));
	int err;

	*out = NULL;
	if (!u)
		return -ENOMEM;
	u->ops = ops;
	u->fd = fd;
	u->fixed = fixed;
	u->qd = qd;
	u->slots = ops->slots(size, qd);
	u->stride = slot_stride(size);
	u->counts.copied = ops->reports_copied ? 0 : -1;
	read_timeout(u);
	u->slab = nc_pages_alloc(u->slots * u->stride);
	u->len = calloc(u->slots, sizeof(*u->len));
	u->owed = calloc(u->slots, 1);
	if (!u->slab || !u->len || !u->owed) {
		err = -ENOMEM;
	} else {
		err = uring_setup(u);
		if (!err) {
			*out = u;
			return 0;
		}
	}
	nc_pages_free(u->slab, u->slots * u->stride);
	free(u->len);
	free(u->owed);
	free(u);
	return err;
}

/* Account one completion: 0, or the error a send ended with. */
static int complete(struct nc_uring *u, const struct io_uring_cqe *cqe)
{
	uint64_t slot = cqe->user_data;

	if (slot == CANCEL_DATA)
		return 0;
	if (slot >= u->slots)
		return -EIO;		/* not ours: cannot happen */
	if (cqe->flags & IORING_CQE_F_NOTIF) {
		/* The kernel is done with the slot's pages. */
		u->counts.notifications++;
		if (u->counts.copied >= 0 &&
		    ((uint32_t)cqe->res & IORING_NOTIF_USAGE_ZC_COPIED))
			u->counts.copied++;
		if (u->owed[slot]) {
			u->owed[slot] = 0;
			u->owed_count--;
		}
		return 0;
	}
	u->inflight--;
	if (cqe->flags & IORING_CQE_F_MORE)
		u->counts.sends++;	/* a notification follows */
	else if (u->owed[slot]) {
		u->owed[slot] = 0;
		u->owed_count--;
	}
	if (cqe->res >= 0 && (size_t)cqe->res == u->len[slot])
		return 0;
	if (cqe->res < 0)
		return cqe->res;
	return NETCOPY_ESHORTSEND;
}

/* The first real error wins: those after it in the chain are only
 * -ECANCELED because of it. */
static void keep_error(int *first, int err)
{
	if (err && (!*first || *first == -ECANCELED))
		*first = err;
}

/* Reap completions until none of the batch is in flight (notifications
 * too, with notifs); -ETIME when the wait outlasts the timeout. */
static int reap(struct nc_uring *u, bool notifs, int *first,
		struct __kernel_timespec *timeout)
{
	while (u->inflight || (notifs && u->owed_count)) {
		struct io_uring_cqe *cqe;
		int err = io_uring_wait_cqe_timeout(&u->ring, &cqe, timeout);

		if (err == -EINTR)
			continue;
		if (err)
			return err;
		keep_error(first, complete(u, cqe));
		io_uring_cqe_seen(&u->ring, cqe);
	}
	return 0;
}

/* A stalled peer: cancel what is in flight, and wait (bounded) until the
 * kernel has let go of it. */
static int cancel_batch(struct nc_uring *u, int *first)
{
	struct __kernel_timespec lost = { .tv_sec = LOST_AFTER_S };
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);

	if (sqe) {
		io_uring_prep_cancel_fd(sqe, u->fd, IORING_ASYNC_CANCEL_ALL);
		sqe->user_data = CANCEL_DATA;
		io_uring_submit(&u->ring);
	}
	reap(u, false, first, &lost);
	return -ETIMEDOUT;
}

int nc_uring_flush(struct nc_uring *u)
{
	int first = 0, n, err;

	if (!u->queued)
		return 0;
	u->last->flags &= (uint8_t)~IOSQE_IO_LINK;	/* the chain ends */
	n = io_uring_submit(&u->ring);
	if (n < 0)
		return n;
	u->inflight += (uint32_t)n;
	if ((uint32_t)n != u->queued)
		keep_error(&first, -EIO);	/* the ring refused some */
	u->queued = 0;
	err = reap(u, false, &first, u->has_timeout ? &u->timeout : NULL);
	if (err == -ETIME)
		err = cancel_batch(u, &first);
	keep_error(&first, err);
	return first;
}

/* Wait for the slot's notification: the kernel may still read it.  The
 * wait submits nothing (IORING_FEAT_EXT_ARG, Linux 5.11, older than
 * SEND_ZC), so a batch being queued is not cut in two. */
static int wait_slot(struct nc_uring *u, uint32_t slot)
{
	struct __kernel_timespec lost = { .tv_sec = LOST_AFTER_S };
	int first = 0;

	while (u->owed[slot]) {
		struct io_uring_cqe *cqe;
		int err = io_uring_wait_cqe_timeout(&u->ring, &cqe, &lost);

		if (err == -EINTR)
			continue;
		if (err)
			return err == -ETIME ? NETCOPY_ECOMPLETION : err;
		keep_error(&first, complete(u, cqe));
		io_uring_cqe_seen(&u->ring, cqe);
	}
	return first;
}

int nc_uring_next_buffer(struct nc_uring *u, uint8_t **buf)
{
	int err = wait_slot(u, u->next_slot);

	*buf = u->slab + (size_t)u->next_slot * u->stride;
	return err;
}

int nc_uring_queue(struct nc_uring *u, size_t len, bool now)
{
	uint32_t slot = u->next_slot;
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);

	if (!sqe)
		return -EIO;		/* the batch would not fit: a bug */
	u->ops->prep(sqe, u->fd, u->slab + (size_t)slot * u->stride, len,
		     MSG_WAITALL | MSG_NOSIGNAL, u->fixed ? (int)slot : -1);
	sqe->flags |= IOSQE_IO_LINK;
	sqe->user_data = slot;
	u->len[slot] = len;
	if (u->ops->notifies) {
		u->owed[slot] = 1;
		u->owed_count++;
	}
	u->last = sqe;
	u->next_slot = (slot + 1) % u->slots;
	if (++u->queued < u->qd && !now)
		return 0;
	return nc_uring_flush(u);
}

/* Sends never submitted (an error came first) owe nothing. */
static void forget_queued(struct nc_uring *u)
{
	for (; u->queued; u->queued--) {
		uint32_t slot = (u->next_slot + u->slots - u->queued) %
				u->slots;

		if (u->owed[slot]) {
			u->owed[slot] = 0;
			u->owed_count--;
		}
	}
}

int nc_uring_drain(struct nc_uring *u)
{
	struct __kernel_timespec lost = { .tv_sec = LOST_AFTER_S };
	int first = 0, err;

	forget_queued(u);
	err = reap(u, true, &first, &lost);

	if (err == -ETIME)
		err = NETCOPY_ECOMPLETION;
	keep_error(&first, err);
	return first;
}

const struct nc_uring_counts *nc_uring_counts(const struct nc_uring *u)
{
	return &u->counts;
}

/* Exiting the ring cancels whatever is left before the slab goes. */
void nc_uring_close(struct nc_uring *u)
{
	if (!u)
		return;
	io_uring_queue_exit(&u->ring);
	nc_pages_free(u->slab, u->slots * u->stride);
	free(u->len);
	free(u->owed);
	free(u);
}

/* The flow's ring for a sender; a receiver's plain buffer.  Both
 * engines' prepare. */
int nc_uring_prepare_flow(struct nc_flow *flow,
			  const struct nc_uring_ops *ops)
{
	struct nc_uring *u;
	int err = nc_buffers_prepare(flow, false, nc_flow_receives(flow));

	if (err || !nc_flow_sends(flow))
		return err;
	err = nc_uring_open(&u, ops, flow->fd, flow->size, flow->qd,
			    flow->fixed_buffers);
	flow->state = u;
	return err;
}

void nc_uring_release_flow(struct nc_flow *flow)
{
	nc_uring_close(flow->state);
	flow->state = NULL;
	nc_buffers_release(flow);
}

/* One message through the ring: stamped when verifying, sent with its
 * batch, or at once in rr, where the peer waits for each. */
int nc_uring_send_message(struct nc_flow *flow)
{
	struct nc_uring *u = flow->state;
	uint8_t *buf;
	int err = nc_uring_next_buffer(u, &buf);

	if (err)
		return err;
	if (flow->verify)
		nc_pattern_fill(buf, (size_t)flow->size, flow->index,
				flow->seq, 0);
	return nc_uring_queue(u, (size_t)flow->size,
			      flow->workload == NC_WORKLOAD_RR);
}

int nc_uring_send_flush(struct nc_flow *flow)
{
	return nc_uring_flush(flow->state);
}
