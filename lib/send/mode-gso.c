/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mode-gso.c - UDP only: UDP_SEGMENT (GSO).  One send() of
 * --gso-segments datagrams laid end to end, which the kernel cuts into
 * datagrams of -s bytes (the segment size) as late as it can: on
 * loopback and veth after the stack, on a NIC with USO in hardware.  One
 * system call and one trip down the stack per batch; the copy of every
 * byte into the kernel stays.  The limit on segments a call is probed
 * on loopback (assumed 64 where it is down).  zero-copy over UDP sends
 * the same way (nc_gso_*, engines.h).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "send/engines.h"

/* The most segments probed for; kernels allow 64 or 128 so far. */
#define GSO_PROBE_MAX 1024
/* The limit assumed where loopback cannot be probed (it is down, as in
 * a fresh network namespace): the older kernels' UDP_MAX_SEGMENTS. */
#define GSO_ASSUMED_LIMIT 64

struct gso_sender {
	uint8_t *buf;
	size_t len;
	uint32_t segments;
};

/* Whether this kernel takes a send of n 1-byte segments: a UDP socket
 * sends them to itself, nonblocking (a full queue drops them). */
static bool gso_takes(int fd, uint32_t n)
{
	static const uint8_t zeros[GSO_PROBE_MAX + 1];

	return send(fd, zeros, n, MSG_DONTWAIT) >= 0 || errno == EAGAIN;
}

static uint32_t gso_limit;	/* 0: no UDP_SEGMENT here */
static int gso_errno;

/* The kernel's limit on segments a call (UDP_MAX_SEGMENTS), by
 * bisection between a count it takes and one it refuses (EINVAL). */
static void gso_probe_once(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	uint32_t lo = 1, hi = GSO_PROBE_MAX + 1;
	int one = 1, fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || setsockopt(fd, SOL_UDP, UDP_SEGMENT, &one,
				 sizeof(one))) {
		gso_errno = errno;
		if (fd >= 0)
			close(fd);
		return;
	}
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) ||
	    connect(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    !gso_takes(fd, 1)) {
		gso_limit = GSO_ASSUMED_LIMIT;
		close(fd);
		return;
	}
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (gso_takes(fd, mid))
			lo = mid;
		else
			hi = mid;
	}
	gso_limit = lo;
	close(fd);
}

static uint32_t gso_kernel_limit(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, gso_probe_once);
	return gso_limit;
}

int nc_gso_probe(const char **why)
{
	if (gso_kernel_limit())
		return 0;
	*why = gso_errno == ENOPROTOOPT ?
	       "the kernel lacks UDP_SEGMENT (Linux 4.18 or later)" :
	       "no UDP socket for a probe of UDP_SEGMENT";
	return NETCOPY_EUNSUPPORTED;
}

uint32_t nc_gso_per_call(const struct nc_flow *flow)
{
	const struct nc_params *p = flow->params;
	uint64_t fit = NC_GSO_MAX_BYTES / p->size;
	uint32_t limit = gso_kernel_limit();

	if (p->gso_segments)
		return p->gso_segments;
	if (fit > limit)
		fit = limit;
	return fit ? (uint32_t)fit : 1;
}

int nc_gso_check(const struct nc_params *p, const char **why)
{
	static _Thread_local char reason[128];
	uint32_t n = p->gso_segments, limit = gso_kernel_limit();

	if (n && limit && n > limit)
		snprintf(reason, sizeof(reason), "--gso-segments %u is above "
			 "this kernel's limit of %u", n, limit);
	else if ((uint64_t)(n ? n : 1) * p->size > NC_GSO_MAX_BYTES)
		snprintf(reason, sizeof(reason), "%u segments of %llu bytes "
			 "exceed the %u bytes a call may carry", n ? n : 1,
			 (unsigned long long)p->size, NC_GSO_MAX_BYTES);
	else
		return 0;
	*why = reason;
	return -EINVAL;
}

static uint64_t gso_memory(uint64_t size, uint32_t depth)
{
	(void)depth;
	return NC_GSO_MAX_BYTES + size;
}

static void gso_release(struct nc_flow *flow)
{
	struct gso_sender *g = flow->state;

	if (g)
		nc_pages_free(g->buf, g->len);
	free(g);
	flow->state = NULL;
}

/* A segment and its IP and UDP headers must fit the path's MTU (that
 * of the connected socket), or the kernel refuses every send. */
static int fits_mtu(int fd, uint64_t size)
{
	struct sockaddr_storage a;
	socklen_t alen = sizeof(a), len = sizeof(int);
	int mtu, hdrs = 20 + 8;

	if (getpeername(fd, (struct sockaddr *)&a, &alen))
		return -errno;
	if (a.ss_family == AF_INET6) {
		/* An IPv4 peer of a dual-stack socket: IPv4's headers. */
		if (!IN6_IS_ADDR_V4MAPPED(
			&((struct sockaddr_in6 *)&a)->sin6_addr))
			hdrs = 40 + 8;
		if (getsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &mtu, &len))
			return -errno;
	} else if (getsockopt(fd, IPPROTO_IP, IP_MTU, &mtu, &len)) {
		return -errno;
	}
	return size + (uint64_t)hdrs <= (uint64_t)mtu ? 0 : -EMSGSIZE;
}

int nc_gso_segment(struct nc_flow *flow)
{
	int seg = (int)flow->size;

	if (setsockopt(flow->fd, SOL_UDP, UDP_SEGMENT, &seg, sizeof(seg)))
		return -errno;
	return fits_mtu(flow->fd, flow->size);
}

static int gso_prepare(struct nc_flow *flow)
{
	struct gso_sender *g = calloc(1, sizeof(*g));

	if (!g)
		return -ENOMEM;
	flow->state = g;
	if (!nc_flow_sends(flow))
		return 0;
	g->segments = nc_gso_per_call(flow);
	g->len = (size_t)flow->size * g->segments;
	g->buf = nc_pages_alloc(g->len);
	if (!g->buf)
		return -ENOMEM;
	return nc_gso_segment(flow);
}

/* --flows above -t: a member sends from the thread's buffer, on a
 * socket of its own that must cut it up too. */
static int gso_join(struct nc_flow *owner, struct nc_flow *member,
		    uint32_t i, uint32_t n)
{
	(void)i;
	(void)n;
	member->state = owner->state;
	return nc_flow_sends(member) ? nc_gso_segment(member) : 0;
}

static void gso_leave(struct nc_flow *member)
{
	member->state = NULL;	/* the owner's */
}

/* Up to max datagrams (at most the segments) in one send(). */
static int gso_send_datagrams(struct nc_flow *flow, uint32_t max)
{
	struct gso_sender *g = flow->state;
	size_t size = (size_t)flow->size;
	uint32_t n = max < g->segments ? max : g->segments;
	ssize_t sent;
	int ret;

	for (uint32_t i = 0; i < n; i++) {
		struct iovec seg = { g->buf + i * size, size };

		nc_dgram_stamp(&seg, 1, size, flow, flow->seq + i);
	}
	sent = send(flow->fd, g->buf, n * size, 0);
	if (sent >= 0)
		return (int)n;
	/* Larger than the path's MTU: the kernel says EINVAL. */
	if (errno == EINVAL)
		return -EMSGSIZE;
	ret = nc_dgram_sent(sent);
	return ret > 0 ? (int)n : ret;	/* ENOBUFS: all n lost */
}

const struct netcopy_mode nc_mode_gso = {
	.name = nc_mode_name_gso,
	.own_rx = NC_RX_RECVMMSG,
	.summary = "UDP only: UDP_SEGMENT, one send() of --gso-segments "
		   "datagrams the kernel cuts up; recvmmsg() at the "
		   "receiver",
	.fits_mtu = true,
	.probe = nc_gso_probe,
	.check = nc_gso_check,
	.memory = gso_memory,
	.prepare = gso_prepare,
	.per_call = nc_gso_per_call,
	.send_datagrams = gso_send_datagrams,
	.join = gso_join,
	.leave = gso_leave,
	.release = gso_release,
};
