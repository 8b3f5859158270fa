/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rx-gro.c - --rx gro, UDP's only: UDP_GRO on the receiving socket, so
 * that the kernel may hand over datagrams of one flow coalesced into one
 * read, the segment size in a control message (SOL_UDP, UDP_GRO); each
 * is handed to the loop in turn.  On loopback and veth only what was
 * sent as one GSO packet (the gso mode) arrives coalesced.
 */
#include <errno.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "recv/recv.h"

/* A coalesced read is at most one IP packet's payload. */
#define GRO_BUF 65536

struct rx_gro {
	uint8_t *buf;
	struct iovec one;		/* the datagram handed out */
	size_t len, off;		/* of the last read, and how far */
	size_t seg;			/* its segment size */
};

static uint64_t gro_memory(uint64_t size)
{
	(void)size;
	return GRO_BUF;
}

static int gro_on(int fd)
{
	int one = 1;

	return setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof(one)) ?
	       -errno : 0;
}

static int gro_prepare(struct nc_flow *flow)
{
	struct rx_gro *g = calloc(1, sizeof(*g));

	if (!g)
		return -ENOMEM;
	flow->rx_state = g;
	g->buf = nc_pages_alloc(GRO_BUF);
	if (!g->buf)
		return -ENOMEM;
	return gro_on(flow->fd);
}

/* A group's member reads into the thread's buffer (each flow's reads
 * handed out whole before the next's: held), on a socket of its own. */
static int gro_join(struct nc_flow *owner, struct nc_flow *member)
{
	member->rx_state = owner->rx_state;
	return gro_on(member->fd);
}

static bool gro_held(const struct nc_flow *flow)
{
	const struct rx_gro *g = flow->rx_state;

	return g->off < g->len;
}

/* The segment size the control messages give; the read's length where
 * none came (one datagram, not coalesced). */
static size_t gro_segment(struct msghdr *msg, size_t len)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c;
	     c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
			uint16_t seg;

			memcpy(&seg, CMSG_DATA(c), sizeof(seg));
			return seg ? seg : len;
		}
	}
	return len;
}

static ssize_t gro_read(struct nc_flow *flow, struct rx_gro *g)
{
	char control[CMSG_SPACE(sizeof(uint16_t))];
	struct iovec iov = { g->buf, GRO_BUF };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = control,
			      .msg_controllen = sizeof(control) };
	ssize_t n;

	do
		n = recvmsg(flow->fd, &msg, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	flow->rx_calls++;
	g->len = (size_t)n;
	g->off = 0;
	g->seg = gro_segment(&msg, g->len);
	/* A datagram longer than the buffer was cut: say it was longer. */
	if (msg.msg_flags & MSG_TRUNC)
		g->seg = g->len = (size_t)flow->size + 1;
	return n;
}

static ssize_t gro_recv_datagram(struct nc_flow *flow,
				 const struct iovec **iov, size_t *cnt)
{
	struct rx_gro *g = flow->rx_state;
	size_t n;

	if (g->off >= g->len) {
		ssize_t got = gro_read(flow, g);

		if (got < 0)
			return got;
		if (got == 0) {		/* an empty datagram: not ours */
			g->one = (struct iovec){ g->buf, 0 };
			*iov = &g->one;
			*cnt = 1;
			return 0;
		}
	}
	n = g->len - g->off < g->seg ? g->len - g->off : g->seg;
	g->one = (struct iovec){ g->buf + g->off, n };
	g->off += n;
	*iov = &g->one;
	*cnt = 1;
	return (ssize_t)n;
}

static void gro_release(struct nc_flow *flow)
{
	struct rx_gro *g = flow->rx_state;

	nc_pages_free(g->buf, GRO_BUF);
	free(g);
}

const struct nc_rx_ops nc_rx_gro = {
	.name = "gro",
	.memory = gro_memory,
	.prepare = gro_prepare,
	.recv_datagram = gro_recv_datagram,
	.held = gro_held,
	.release = gro_release,
	.join = gro_join,
};
