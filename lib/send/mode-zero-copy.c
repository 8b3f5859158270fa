/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mode-zero-copy.c - sendmsg(MSG_ZEROCOPY) on an SO_ZEROCOPY socket.
 *
 * The kernel pins the pages instead of copying them and reports on the
 * socket's error queue when it is done with them: each notification an
 * inclusive range of send ids, flagged SO_EE_CODE_ZEROCOPY_COPIED when it
 * had to copy after all (always, on loopback and veth).  So messages go
 * out of a ring of slots, a slot is written again only once every send
 * from it has completed, and all completions are reaped before the end.
 *
 * --flows above -t: each flow has its own error queue and send ids, so
 * each its own books (zc-books.c), over a slice of its thread's ring
 * (zero_copy_join).
 * Slices rather than slots shared among the flows: a flow then waits
 * only for its own socket's completions, which epoll reports on that
 * socket (EPOLLERR), and a slow flow cannot starve the others of slots.
 * A flow's slice may be a single slot (its next message waits for the
 * last one's completions while the thread serves the other flows); a
 * thread with more flows than its ring has slots widens its ring to
 * one a flow, which the server's budget (a ring a thread) does not see.
 *
 * Over UDP a slot holds --gso-segments datagrams, sent by one sendmsg()
 * that the kernel cuts up (UDP_SEGMENT, as the gso mode does): one
 * completion per call, since zero-copy pays only with sends this large.
 */
#include <errno.h>
#include <time.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "send/engines.h"

/* About this many bytes of messages in flight per connection. */
#define RING_BYTES (8u << 20)
#define MIN_SLOTS 2u
#define MAX_SLOTS 4096u
#define FLOW_MIN_SLOTS 1u	/* --flows: a flow's slice, at least */

static uint32_t ring_slots(uint64_t size)
{
	uint64_t n = RING_BYTES / size;

	return n < MIN_SLOTS ? MIN_SLOTS : n > MAX_SLOTS ? MAX_SLOTS : (uint32_t)n;
}

static uint64_t zero_copy_memory(uint64_t size, uint32_t qd)
{
	return (uint64_t)ring_slots(size) * nc_zc_stride(size);
}

/* ENOBUFS: the socket's option memory is full of notifications, or the
 * pages would pass RLIMIT_MEMLOCK.  Reap to free them; with nothing
 * outstanding, wait a little, up to a bound.  The kernel answers
 * ENOBUFS before it looks at the connection, so a connection shut down
 * (a run cut off) or reset is seen here (POLLHUP), not by sendmsg(). */
static int zc_backoff(struct nc_zc_sender *z, unsigned int *idle)
{
	struct pollfd pfd = { .fd = z->fd, .events = POLLOUT };

	if (nc_zc_outstanding(z))
		return nc_zc_reap_one(z);
	if (poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLHUP))
		return -EPIPE;
	if (++*idle > 10000)
		return -ENOBUFS;
	usleep(1000);
	return 0;
}

/* Send a slot's message; each sendmsg() that sends anything uses an id. */
static int zc_send_slot(struct nc_zc_sender *z, uint32_t slot, size_t size)
{
	const uint8_t *p = z->ring + (size_t)slot * z->stride;
	unsigned int idle = 0;

	while (size) {
		struct iovec iov = { (void *)p, size };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		while (nc_zc_outstanding(z) == z->id_cap) {
			int err = nc_zc_reap_one(z);

			if (err)
				return err;
		}
		n = sendmsg(z->fd, &msg, MSG_ZEROCOPY | MSG_NOSIGNAL);
		if (n < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			if (err == ENOBUFS) {	/* out of optmem: reap, retry */
				z->counts.enobufs++;
				err = zc_backoff(z, &idle);
				if (err)
					return err;
				continue;
			}
			return err == EAGAIN ? -ETIMEDOUT : -err;
		}
		nc_zc_sent(z, slot);
		p += n;
		size -= (size_t)n;
	}
	return 0;
}

static int zc_wait_slot(struct nc_zc_sender *z, uint32_t slot)
{
	int err = 0;

	while (!err && z->pending[slot])
		err = nc_zc_reap_one(z);
	return err;
}

/* A flow's zc_sender (a member's, when it leaves its group). */
static void zero_copy_leave(struct nc_flow *flow)
{
	if (flow->state)
		nc_zc_free(flow->state);
	free(flow->state);
	flow->state = NULL;
}

static void zero_copy_release(struct nc_flow *flow)
{
	zero_copy_leave(flow);
	nc_buffers_release(flow);
}

/* Over UDP: slots of a call's datagrams, as many as fit in the memory
 * a ring of -s byte slots takes (the table's figure), two at least. */
static int zc_init_udp(struct nc_zc_sender *z, struct nc_flow *flow)
{
	uint32_t segments = nc_gso_per_call(flow);
	uint64_t slot = flow->size * segments;
	uint64_t n = zero_copy_memory(flow->size, 0) / nc_zc_stride(slot);
	int err = nc_zc_init(z, flow->fd, slot, n < MIN_SLOTS ? MIN_SLOTS :
						 (uint32_t)n);

	z->segments = segments;
	return err ? err : nc_gso_segment(flow);
}

/* The sender's ring; a receiver's plain buffer. */
static int zero_copy_prepare(struct nc_flow *flow)
{
	struct nc_zc_sender *z;
	int err = nc_buffers_prepare(flow, false, nc_flow_receives(flow));

	if (err || !nc_flow_sends(flow))
		return err;
	z = malloc(sizeof(*z));
	if (!z)
		return -ENOMEM;
	if (flow->params->proto == NC_PROTO_UDP)
		err = zc_init_udp(z, flow);
	else
		err = nc_zc_init(z, flow->fd, flow->size,
			      ring_slots(flow->size));
	if (err == -ENOMEM) {
		free(z);
		return err;
	}
	flow->state = z;	/* release frees what zc_init made */
	return err;
}

static int zero_copy_send_message(struct nc_flow *flow)
{
	struct nc_zc_sender *z = flow->state;
	uint32_t slot = z->next_slot;
	int err = zc_wait_slot(z, slot);

	if (err)
		return err;
	if (flow->verify)
		nc_pattern_fill(z->ring + (size_t)slot * z->stride,
				(size_t)flow->size, flow->index,
				flow->seq, 0);
	err = zc_send_slot(z, slot, (size_t)flow->size);
	if (!err)
		z->next_slot = (slot + 1) % z->slots;
	return err;
}

/* UDP: up to max datagrams (at most a slot's) in one sendmsg() of the
 * next slot, once the kernel has let go of it. */
static int zero_copy_send_datagrams(struct nc_flow *flow, uint32_t max)
{
	struct nc_zc_sender *z = flow->state;
	uint32_t slot = z->next_slot;
	uint32_t n = max < z->segments ? max : z->segments;
	size_t size = (size_t)flow->size;
	uint8_t *p = z->ring + (size_t)slot * z->stride;
	int err = zc_wait_slot(z, slot);

	if (err)
		return err;
	for (uint32_t i = 0; i < n; i++) {
		struct iovec seg = { p + i * size, size };

		nc_dgram_stamp(&seg, 1, size, flow, flow->seq + i);
	}
	err = zc_send_slot(z, slot, n * size);
	if (err == -EINVAL)		/* larger than the path's MTU */
		return -EMSGSIZE;
	if (err == -ECONNREFUSED)	/* an ICMP: nothing went */
		return 0;
	if (err)
		return err;
	z->next_slot = (slot + 1) % z->slots;
	return (int)n;
}

/* --flows: member i of a group of n gets slice i of the ring of its
 * group's first flow (owner), whose own is slice 0.  The first member
 * widens that ring, before anything is sent, where n flows need more
 * than it has. */
static int zc_slice_ring(struct nc_zc_sender *o, uint32_t n)
{
	uint64_t total = (uint64_t)n * FLOW_MIN_SLOTS;
	uint8_t *ring;

	if (total < o->slots)
		total = o->slots;
	if (total > o->slots) {
		ring = nc_pages_alloc((size_t)total * o->stride);
		if (!ring)
			return -ENOMEM;
		nc_pages_free(o->ring, o->ring_len);
		o->ring = ring;
		o->ring_len = (size_t)total * o->stride;
	}
	o->slots = (uint32_t)(total / n);	/* pending has room */
	return 0;
}

static int zero_copy_join(struct nc_flow *owner, struct nc_flow *member,
			  uint32_t i, uint32_t n)
{
	struct nc_zc_sender *o = owner->state, *z;
	int err;

	member->state = NULL;
	if (!nc_flow_sends(member))
		return 0;
	if (i == 1 && (err = zc_slice_ring(o, n)))
		return err;
	z = malloc(sizeof(*z));
	if (!z)
		return -ENOMEM;
	err = nc_zc_init_books(z, member->fd, member->size, o->slots);
	if (err == -ENOMEM) {
		free(z);
		return err;
	}
	z->ring = o->ring + (size_t)i * o->slots * o->stride;
	member->state = z;	/* leave frees what nc_zc_init_books made */
	return err;
}

/* A flow woken while it waits for completions that did not come: its
 * connection reset or hung up (the error, which holds the socket's
 * EPOLLERR up), or 0 (a notification came after the reap). */
static int zc_gone(const struct nc_zc_sender *z)
{
	struct pollfd pfd = { .fd = z->fd, .events = 0 };
	socklen_t len = sizeof(int);
	int err = 0;

	if (poll(&pfd, 1, 0) <= 0)
		return 0;
	if (pfd.revents & POLLHUP)
		return -EPIPE;
	if ((pfd.revents & POLLERR) &&
	    !getsockopt(z->fd, SOL_SOCKET, SO_ERROR, &err, &len) && err)
		return -err;
	return 0;
}

/* Whether the next send waits for completions: the slot a message
 * starts in still in flight, or every id outstanding. */
static bool zc_owed(const struct nc_zc_sender *z, uint64_t off)
{
	return (!off && z->pending[z->next_slot]) ||
	       nc_zc_outstanding(z) == z->id_cap;
}

/* --flows: message flow->seq from byte off, without blocking, from
 * the slot it was stamped in when it started.  -EINPROGRESS: it waits
 * for completions (the socket's EPOLLERR).  A full socket reaps what
 * its queue holds first, so that the wait is not woken for it. */
static ssize_t zero_copy_send_part(struct nc_flow *flow, uint64_t off)
{
	struct nc_zc_sender *z = flow->state;
	uint32_t slot = z->next_slot;
	uint8_t *p = z->ring + (size_t)slot * z->stride;
	struct iovec iov = { p + off, (size_t)(flow->size - off) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;
	int err;

	if (zc_owed(z, off) && (err = nc_zc_reap_ready(z)))
		return err;
	if (zc_owed(z, off))
		return (err = zc_gone(z)) ? err : -EINPROGRESS;
	if (!off && flow->verify)
		nc_pattern_fill(p, iov.iov_len, flow->index, flow->seq, 0);
	do
		n = sendmsg(z->fd, &msg, MSG_ZEROCOPY | nc_part_flags(flow));
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == ENOBUFS)		/* out of optmem */
		z->counts.enobufs++;
	if (n < 0 && (errno == ENOBUFS || errno == EAGAIN)) {
		err = errno;
		if ((n = nc_zc_reap_ready(z)))
			return n;
		/* ENOBUFS with nothing owed: the pages' limit, others' */
		return err == ENOBUFS && nc_zc_outstanding(z) ? -EINPROGRESS :
							     -EAGAIN;
	}
	if (n < 0)
		return -errno;
	nc_zc_sent(z, slot);
	if (off + (uint64_t)n == flow->size)
		z->next_slot = (slot + 1) % z->slots;
	return n;
}

/* --flows, rr: the error queue's next message, as the socket's
 * EPOLLERR says.  Left there, it would hold that EPOLLERR up while the
 * flow waits for its answer, waking the thread at every wait.  One a
 * wake: with a request in flight that is all there is, and whatever
 * else holds EPOLLERR up for the next wait, where reading the queue to
 * its end would cost every wake a call that finds nothing. */
static int zero_copy_send_reap(struct nc_flow *flow)
{
	return flow->state ? nc_zc_reap_next(flow->state) : 0;
}

/* Every completion is owed before the buffers may go: by the group's
 * deadline where it has one, which a completion in time pushes back
 * (a slow peer is still acknowledging; a gone one never does). */
static int zero_copy_send_end(struct nc_flow *flow)
{
	struct nc_zc_sender *z = flow->state;
	uint64_t *by = flow->owed_by_ns;
	int err = 0;

	while (!err && nc_zc_outstanding(z)) {
		err = nc_zc_reap_by(z, by ? *by : 0);
		if (!err && by && nc_now_ns() < *by)
			*by = nc_now_ns() + NC_OWED_WAIT_NS;
	}
	flow->zc = z->counts;
	return err;
}

/* MSG_ZEROCOPY on UDP: Linux 5.0 and later (4.14 for TCP). */
static int udp_probe_errno;
static pthread_once_t udp_probe_once = PTHREAD_ONCE_INIT;

static void probe_udp(void)
{
	int one = 1, fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &one,
				 sizeof(one)))
		udp_probe_errno = errno;
	if (fd >= 0)
		close(fd);
}

/* Over UDP: the kernel takes MSG_ZEROCOPY and UDP_SEGMENT on UDP, and
 * the run's segments fit a call. */
static int zero_copy_check(const struct nc_params *p, const char **why)
{
	pthread_once(&udp_probe_once, probe_udp);
	if (udp_probe_errno) {
		*why = "this kernel does not support MSG_ZEROCOPY on UDP "
		       "(setsockopt SO_ZEROCOPY failed; Linux 5.0 or later "
		       "needed)";
		return NETCOPY_EUNSUPPORTED;
	}
	if (nc_gso_probe(why))
		return NETCOPY_EUNSUPPORTED;
	return nc_gso_check(p, why);
}

static int zero_copy_probe(const char **why)
{
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd < 0) {
		*why = "cannot open a TCP socket to probe SO_ZEROCOPY";
		return NETCOPY_EUNSUPPORTED;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one))) {
		close(fd);
		*why = "this kernel does not support MSG_ZEROCOPY on TCP "
		       "(setsockopt SO_ZEROCOPY failed; Linux 4.14 or later "
		       "needed)";
		return NETCOPY_EUNSUPPORTED;
	}
	close(fd);
	return 0;
}

const struct netcopy_mode nc_mode_zero_copy = {
	.name = nc_mode_name_zero_copy,
	.own_rx = NC_RX_RECV,
	.zero_copy = true,
	.fits_mtu = true,	/* over UDP, GSO's segments */
	.summary = "sendmsg(MSG_ZEROCOPY) from a ring of buffers, completions "
		   "reaped from the error queue (UDP: --gso-segments "
		   "datagrams a call, UDP_SEGMENT); recv() at the receiver",
	.probe = zero_copy_probe,
	.check = zero_copy_check,
	.memory = zero_copy_memory,
	.prepare = zero_copy_prepare,
	.send_message = zero_copy_send_message,
	.send_part = zero_copy_send_part,
	.send_reap = zero_copy_send_reap,
	.join = zero_copy_join,
	.leave = zero_copy_leave,
	.per_call = nc_gso_per_call,
	.send_datagrams = zero_copy_send_datagrams,
	.send_end = zero_copy_send_end,
	.recv_some = nc_recv_into_buffer,
	.release = zero_copy_release,
};
