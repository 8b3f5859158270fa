/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uring-ring.c - what the io_uring engines share: a ring per connection,
 * a slab of message slots (registered with the ring for --fixed-buffers)
 * and the sends of a batch queued as one linked chain.  What an engine
 * calls with a flow is in uring-flow.c.
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
 *
 * Locked memory.  SEND_ZC charges the memory of the sends in flight to
 * RLIMIT_MEMLOCK (for a user without CAP_IPC_LOCK): a send that would
 * pass it fails with -ENOMEM as the chain is submitted, and the whole
 * chain with it (the rest -ECANCELED), before a byte is sent.  As
 * zero-copy does after ENOBUFS, the batch then waits for every
 * notification owed, which releases what it can, and sends what did not
 * go again, in order, in chains no longer than what fitted; where
 * nothing fitted and nothing was owed, the memory is held elsewhere, so
 * it pauses, and ends the run with -ENOMEM after LOST_AFTER_S of that.
 * A send that failed pinned nothing, yet the kernel may still post a
 * notification for it, with or without IORING_CQE_F_MORE on the send's
 * completion: so each send's user_data carries its slot's generation,
 * bumped by every send from the slot and by every failure, and a
 * notification of an older generation is ignored rather than taken for
 * that of the slot's newer send.
 */
#include <errno.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "send/engines.h"
#include "send/uring-consts.h"

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
	uint32_t *gen;			/* per slot: its latest send's */
	uint32_t owed_count;
	uint32_t queued;		/* in the batch, not yet submitted */
	uint32_t inflight;		/* submitted, not yet completed */
	/* The batch being flushed: its first slot not yet sent, how many
	 * are left, and of the chain submitted last, how long it was, and
	 * as offsets from batch_first: the end of the sends that went, the
	 * first that failed and the first -ENOMEM (chain: none). */
	uint32_t batch_first;
	uint32_t batch_len;
	uint32_t chain;
	uint32_t sent_end;
	uint32_t unsent_from;
	uint32_t enomem_at;
	struct io_uring_sqe *last;	/* the batch's latest send */
	struct __kernel_timespec timeout;
	bool has_timeout;		/* SO_SNDTIMEO of the socket */
	struct nc_zc_counts counts;
};

size_t nc_uring_stride(uint64_t size)
{
	uint64_t align = size >= 4096 ? 4096 : 64;

	return (size_t)((size + align - 1) / align * align);
}

uint64_t nc_uring_memory(const struct nc_uring_ops *ops, uint64_t size,
			 uint32_t qd)
{
	return (uint64_t)ops->slots(size, qd) * nc_uring_stride(size);
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
	u->stride = nc_uring_stride(size);
	u->counts.copied = ops->reports_copied ? 0 : -1;
	read_timeout(u);
	u->slab = nc_pages_alloc(u->slots * u->stride);
	u->len = calloc(u->slots, sizeof(*u->len));
	u->owed = calloc(u->slots, 1);
	u->gen = calloc(u->slots, sizeof(*u->gen));
	if (!u->slab || !u->len || !u->owed || !u->gen) {
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
	free(u->gen);
	free(u);
	return err;
}

/* Where in the chain a send went, failed, or found no locked memory. */
static void note_outcome(struct nc_uring *u, uint32_t slot, int res)
{
	uint32_t at = (slot + u->slots - u->batch_first) % u->slots;

	if (res >= 0 && (size_t)res == u->len[slot] && at + 1 > u->sent_end)
		u->sent_end = at + 1;
	if (res < 0 && at < u->unsent_from)
		u->unsent_from = at;
	if (res == -ENOMEM && at < u->enomem_at)
		u->enomem_at = at;
}

/* Account one completion: 0, or the error a send ended with. */
static int complete(struct nc_uring *u, const struct io_uring_cqe *cqe)
{
	uint64_t slot = cqe->user_data & UINT32_MAX;
	uint32_t gen = (uint32_t)(cqe->user_data >> 32);

	if (cqe->user_data == CANCEL_DATA)
		return 0;
	if (slot >= u->slots)
		return -EIO;		/* not ours: cannot happen */
	if (gen != u->gen[slot])
		return 0;		/* of a failed send: nothing pinned */
	if (cqe->flags & IORING_CQE_F_NOTIF) {
		/* The kernel is done with the slot's pages: a notification
		 * completes one send. */
		u->counts.notifications++;
		u->counts.completions++;
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
	note_outcome(u, (uint32_t)slot, cqe->res);
	if (cqe->res < 0)
		u->gen[slot]++;		/* its notification, if any, is stale */
	if (cqe->res >= 0 && (cqe->flags & IORING_CQE_F_MORE))
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

/* Submit the queued chain and reap its sends: the first error. */
static int submit_chain(struct nc_uring *u)
{
	int first = 0, n, err;

	u->last->flags &= (uint8_t)~IOSQE_IO_LINK;	/* the chain ends */
	u->chain = u->queued;
	u->sent_end = 0;
	u->unsent_from = u->enomem_at = u->chain;
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

/* After -ENOMEM: wait for every notification owed, so the kernel
 * releases those pages; where there were none and nothing went either,
 * the memory is held elsewhere, so pause, up to LOST_AFTER_S in all. */
static int relieve(struct nc_uring *u, bool went, unsigned int *idle)
{
	struct __kernel_timespec lost = { .tv_sec = LOST_AFTER_S };
	bool owed = u->owed_count > 0;
	int first = 0, err;

	if (went)
		*idle = 0;
	err = reap(u, true, &first, &lost);
	if (err)
		return err == -ETIME ? NETCOPY_ECOMPLETION : err;
	if (first)
		return first;
	if (!owed && !went) {
		if (++*idle > LOST_AFTER_S * 1000000 / ENOMEM_PAUSE_US)
			return -ENOMEM;
		usleep(ENOMEM_PAUSE_US);
	}
	return 0;
}

/* Fill the next sqe to send the slot's message, linked to the next. */
static int prep_slot(struct nc_uring *u, uint32_t slot)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);

	if (!sqe)
		return -EIO;		/* the batch would not fit: a bug */
	u->ops->prep(sqe, u->fd, u->slab + (size_t)slot * u->stride,
		     u->len[slot], MSG_WAITALL | MSG_NOSIGNAL,
		     u->fixed ? (int)slot : -1);
	sqe->flags |= IOSQE_IO_LINK;
	sqe->user_data = (uint64_t)++u->gen[slot] << 32 | slot;
	if (u->ops->notifies) {
		u->owed[slot] = 1;
		u->owed_count++;
	}
	u->last = sqe;
	u->queued++;
	return 0;
}

/* The batch's next n messages, queued as one chain. */
static int queue_chain(struct nc_uring *u, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		int err = prep_slot(u, (u->batch_first + i) % u->slots);

		if (err)
			return err;
	}
	return 0;
}

/* The batch's first n messages went. */
static void batch_advance(struct nc_uring *u, uint32_t n)
{
	u->batch_first = (u->batch_first + n) % u->slots;
	u->batch_len -= n;
}

/* Sends queued from slot first on were never submitted (an error came
 * first): they owe no notification. */
static void forget_queued_from(struct nc_uring *u, uint32_t first)
{
	for (; u->queued; u->queued--) {
		uint32_t slot = (first + u->queued - 1) % u->slots;

		if (u->owed[slot]) {
			u->owed[slot] = 0;
			u->owed_count--;
		}
	}
}

/* A flush that fails leaves its chain, queued from batch_first, as is. */
static int forget_chain(struct nc_uring *u, int err)
{
	forget_queued_from(u, u->batch_first);
	return err;
}

static uint32_t at_most(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

int nc_uring_flush(struct nc_uring *u)
{
	unsigned int idle = 0;
	int err;

	if (!u->queued)
		return 0;
	u->batch_first = (u->next_slot + u->slots - u->queued) % u->slots;
	u->batch_len = u->queued;
	for (;;) {
		uint32_t fit;

		err = submit_chain(u);
		if (!err) {
			/* Chains shortened by -ENOMEM grow back. */
			batch_advance(u, u->chain);
			if (!u->batch_len)
				return 0;
			err = queue_chain(u, at_most(2 * u->chain,
						     u->batch_len));
			if (err)
				return forget_chain(u, err);
			continue;
		}
		/* Only a send's -ENOMEM is retried, not the submit's. */
		if (err != -ENOMEM || u->enomem_at >= u->chain)
			return forget_chain(u, err);
		/* What went must be a prefix: nothing can follow a hole. */
		if (u->sent_end > u->unsent_from)
			return NETCOPY_ESHORTSEND;
		fit = u->enomem_at - u->unsent_from;
		u->counts.enobufs += u->chain - u->unsent_from;
		batch_advance(u, u->unsent_from);
		err = relieve(u, u->unsent_from > 0, &idle);
		if (err)
			return err;
		err = queue_chain(u, at_most(fit ? fit : 1, u->batch_len));
		if (err)
			return forget_chain(u, err);
	}
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
	int err;

	u->len[slot] = len;
	err = prep_slot(u, slot);
	if (err)
		return err;
	u->next_slot = (slot + 1) % u->slots;
	if (u->queued < u->qd && !now)
		return 0;
	return nc_uring_flush(u);
}

int nc_uring_drain(struct nc_uring *u)
{
	struct __kernel_timespec lost = { .tv_sec = LOST_AFTER_S };
	int first = 0, err;

	/* A batch being queued ends just before next_slot. */
	forget_queued_from(u, (u->next_slot + u->slots - u->queued) % u->slots);
	err = reap(u, true, &first, &lost);

	if (err == -ETIME)
		err = NETCOPY_ECOMPLETION;
	keep_error(&first, err);
	return first;
}

const struct nc_zc_counts *nc_uring_counts(const struct nc_uring *u)
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
	free(u->gen);
	free(u);
}
