/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rx-zero-copy.c - --rx zero-copy: TCP_ZEROCOPY_RECEIVE maps received
 * pages into a mapping of the socket instead of copying them.  The
 * kernel maps only whole pages that a device placed page-aligned
 * (header split); the rest it names in recv_skip_hint, and that is read
 * with recv() and counted as copied.  On loopback and veth nothing is
 * mapped.  A kernel that refuses the getsockopt on its first call gets
 * recv() for the rest of the run, all counted as copied, and the error
 * reported.
 *
 * With --flows above -t a thread's flows share one mapping and one copy
 * buffer: the kernel asks only that the address lie in a TCP mapping,
 * not that of the socket read, and each call's pages are checked
 * before the next call (any flow's) unmaps them.  What is a flow's own
 * (the bytes it was told to copy, its fallback) is a small struct.
 * Non-blocking, the getsockopt maps what is queued and no more; with
 * nothing queued the copy's recv() says EAGAIN.
 *
 * This file includes linux/tcp.h, never glibc's netinet/tcp.h: the two
 * define the same structures.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>
#include <linux/tcp.h>

#include "recv/recv.h"

#if HAVE_DECL_TCP_ZEROCOPY_RECEIVE

struct rx_zc {
	void *map;			/* the socket mapped; MAP_FAILED: not */
	size_t map_len;
	size_t page;
	uint8_t *buf;			/* what is copied lands here */
	size_t cap;
	uint64_t skip;			/* bytes the kernel said to copy */
	bool fallback;			/* recv() for the rest of the run */
	bool answered;			/* the getsockopt worked once */
};

/* The socket mapped for messages of flow->size, and a copy buffer for
 * what the kernel will not map. */
static int rx_zc_prepare(struct nc_flow *flow)
{
	struct rx_zc *z = calloc(1, sizeof(*z));
	long page = sysconf(_SC_PAGESIZE);

	flow->rx_state = z;
	if (!z)
		return -ENOMEM;
	flow->rx_zc_mapped = flow->rx_zc_copied = 0;
	z->page = page > 0 ? (size_t)page : 4096;
	z->cap = nc_recv_cap(flow);
	z->buf = nc_pages_alloc(z->cap);
	if (!z->buf)
		return -ENOMEM;
	/* Room for a message, in whole pages, as the kernel maps. */
	z->map_len = (z->cap + z->page - 1) / z->page * z->page;
	z->map = mmap(NULL, z->map_len, PROT_READ, MAP_SHARED, flow->fd, 0);
	if (z->map == MAP_FAILED) {
		/* A kernel without tcp_mmap: copy all, and say why. */
		flow->rx_zc_refused = -errno;
		z->fallback = true;
	}
	return 0;
}

static void rx_zc_release(struct nc_flow *flow)
{
	struct rx_zc *z = flow->rx_state;

	if (z->map && z->map != MAP_FAILED)
		munmap(z->map, z->map_len);
	nc_pages_free(z->buf, z->cap);
	free(z);
}

/* A member: the owner's mapping and buffer, its own counts. */
static int rx_zc_join(struct nc_flow *owner, struct nc_flow *member)
{
	const struct rx_zc *o = owner->rx_state;
	struct rx_zc *z = malloc(sizeof(*z));

	if (!z)
		return -ENOMEM;
	*z = (struct rx_zc){ .map = o->map, .map_len = o->map_len,
			     .page = o->page, .buf = o->buf, .cap = o->cap,
			     .fallback = o->map == MAP_FAILED };
	member->rx_state = z;
	member->rx_zc_mapped = member->rx_zc_copied = 0;
	member->rx_zc_refused = owner->rx_zc_refused;
	return 0;
}

static void rx_zc_leave(struct nc_flow *member)
{
	free(member->rx_state);
}

/* recv() what cannot be mapped: at most the bytes the kernel named, so
 * the next call maps again where it can. */
static ssize_t copy(struct nc_flow *flow, struct rx_zc *z, size_t max)
{
	ssize_t n;

	if (z->skip && z->skip < max)
		max = (size_t)z->skip;
	n = nc_recv_into(flow, z->buf, z->cap, max);
	if (n > 0) {
		flow->rx_zc_copied += n;
		z->skip -= z->skip < (uint64_t)n ? z->skip : (uint64_t)n;
	}
	return n;
}

/* The first call's refusal means this kernel or socket cannot. */
static bool refusal(int err)
{
	return err == EOPNOTSUPP || err == ENOPROTOOPT || err == EINVAL;
}

/* Map or copy up to max bytes; counts into flow->rx_zc_*. */
static ssize_t rx_zc_recv_some(struct nc_flow *flow, size_t max)
{
	struct rx_zc *z = flow->rx_state;
	struct tcp_zerocopy_receive zc = { 0 };
	socklen_t len = sizeof(zc);
	/* At most a buffer's worth, as recv() reads (the RxSize column). */
	size_t want = max < z->cap ? max : z->cap;
	int r;

	/* Less than a page wanted (rr's tail of a message) cannot map. */
	if (z->fallback || z->skip || want < z->page)
		return copy(flow, z, max);
	zc.address = (uint64_t)(uintptr_t)z->map;
	zc.length = (uint32_t)(want / z->page * z->page);
	/* This also unmaps what the last call mapped: the verifier has
	 * checked those pages already. */
	do
		r = getsockopt(flow->fd, IPPROTO_TCP, TCP_ZEROCOPY_RECEIVE,
			       &zc, &len);
	while (r && errno == EINTR);
	/* EIO: nothing queued and the peer is done; recv() says which. */
	if (r && errno == EIO)
		return copy(flow, z, max);
	if (r) {
		if (z->answered || !refusal(errno))
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		flow->rx_zc_refused = -errno;
		z->fallback = true;
		return copy(flow, z, max);
	}
	z->answered = true;
	if (zc.err)
		return -zc.err;
	z->skip = zc.recv_skip_hint;
	if (!zc.length)		/* nothing mappable: copy, or wait */
		return copy(flow, z, max);
	if (flow->verify)
		nc_verifier_feed(&flow->verifier, z->map, zc.length);
	flow->rx_zc_mapped += zc.length;
	return zc.length;
}

static uint64_t rx_zc_memory(uint64_t size)
{
	/* The copy buffer; the mapping is the socket's own pages. */
	return nc_recv_buffer_size(size);
}

const struct nc_rx_ops nc_rx_zero_copy = {
	.name = "zero-copy",
	.memory = rx_zc_memory,
	.prepare = rx_zc_prepare,
	.recv_some = rx_zc_recv_some,
	.release = rx_zc_release,
	.join = rx_zc_join,
	.leave = rx_zc_leave,
};

#else	/* !HAVE_DECL_TCP_ZEROCOPY_RECEIVE: the probe refuses it. */

static int rx_zc_probe(const char **why)
{
	*why = "zero-copy receive: not built (linux/tcp.h had no "
	       "TCP_ZEROCOPY_RECEIVE)";
	return NETCOPY_EUNSUPPORTED;
}

static int rx_zc_prepare(struct nc_flow *flow)
{
	return NETCOPY_EUNSUPPORTED;
}

const struct nc_rx_ops nc_rx_zero_copy = {
	.name = "zero-copy",
	.probe = rx_zc_probe,
	.prepare = rx_zc_prepare,
};

#endif
