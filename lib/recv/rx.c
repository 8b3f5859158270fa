/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rx.c - the receive path a run asks for with --rx, in place of the
 * mode's own receive call: recv() into one buffer, recvmsg() scattering
 * the message's fields (scatter.c), or TCP_ZEROCOPY_RECEIVE
 * (rx-zero-copy.c).  Only the receiving side of a flow changes, so every
 * path works under every mode.  Each path is one struct nc_rx_ops; the
 * table below, indexed by enum nc_rx (the hello's value), is the only
 * place that knows them all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "recv/recv.h"

/* "mode": the mode's own call; nothing to prepare, no memory of its own. */
static const struct nc_rx_ops rx_mode = {
	.name = "mode",
};

/* ---- recv: one buffer. */
struct rx_buffer {
	uint8_t *buf;
	size_t cap;
	struct iovec got;	/* the datagram last read, over UDP */
};

/* A datagram call's result: its length, or the error as the loops
 * take it. */
static ssize_t datagram_result(ssize_t n)
{
	return n >= 0 ? n : errno == EAGAIN ? -ETIMEDOUT : -errno;
}

static uint64_t recv_memory(uint64_t size)
{
	return nc_recv_buffer_size(size);
}

static int recv_prepare(struct nc_flow *flow)
{
	struct rx_buffer *b = calloc(1, sizeof(*b));

	if (!b)
		return -ENOMEM;
	flow->rx_state = b;
	b->cap = nc_recv_cap(flow);
	b->buf = nc_pages_alloc(b->cap);
	return b->buf ? 0 : -ENOMEM;
}

static ssize_t recv_recv_some(struct nc_flow *flow, size_t max)
{
	struct rx_buffer *b = flow->rx_state;

	return nc_recv_into(flow, b->buf, b->cap, max);
}

/* MSG_TRUNC: a datagram longer than the buffer says its length. */
static ssize_t recv_recv_datagram(struct nc_flow *flow,
				  const struct iovec **iov, size_t *cnt)
{
	struct rx_buffer *b = flow->rx_state;
	ssize_t n;

	do
		n = recv(flow->fd, b->buf, b->cap, MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n >= 0) {
		flow->rx_calls++;
		b->got.iov_base = b->buf;
		b->got.iov_len = (size_t)n < b->cap ? (size_t)n : b->cap;
		*iov = &b->got;
		*cnt = 1;
	}
	return datagram_result(n);
}

static void recv_release(struct nc_flow *flow)
{
	struct rx_buffer *b = flow->rx_state;

	nc_pages_free(b->buf, b->cap);
	free(b);
}

static const struct nc_rx_ops rx_recv = {
	.name = "recv",
	.memory = recv_memory,
	.prepare = recv_prepare,
	.recv_some = recv_recv_some,
	.recv_datagram = recv_recv_datagram,
	.release = recv_release,
};

/* ---- recvmsg: the message's fields, as one-copy receives. */
static uint64_t recvmsg_memory(uint64_t size)
{
	return size;
}

static int recvmsg_prepare(struct nc_flow *flow)
{
	struct nc_scatter *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	flow->rx_state = s;
	return nc_scatter_init(s, flow->size);
}

static ssize_t recvmsg_recv_some(struct nc_flow *flow, size_t max)
{
	return nc_scatter_recv(flow, flow->rx_state, max);
}

/* The fields hold exactly a message: a longer datagram is cut, and
 * said to be longer than one. */
static ssize_t recvmsg_recv_datagram(struct nc_flow *flow,
				     const struct iovec **iov, size_t *cnt)
{
	struct nc_scatter *s = flow->rx_state;
	struct msghdr msg = { .msg_iov = s->field, .msg_iovlen = NC_FIELDS };
	ssize_t n;

	do
		n = recvmsg(flow->fd, &msg, 0);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		flow->rx_calls++;
	if (n >= 0 && (msg.msg_flags & MSG_TRUNC))
		n = (ssize_t)flow->size + 1;
	*iov = s->field;
	*cnt = NC_FIELDS;
	return datagram_result(n);
}

static void recvmsg_release(struct nc_flow *flow)
{
	nc_scatter_free(flow->rx_state);
	free(flow->rx_state);
}

static const struct nc_rx_ops rx_recvmsg = {
	.name = "recvmsg",
	.memory = recvmsg_memory,
	.prepare = recvmsg_prepare,
	.recv_some = recvmsg_recv_some,
	.recv_datagram = recvmsg_recv_datagram,
	.release = recvmsg_release,
};

static const struct nc_rx_ops *const paths[] = {
	[NC_RX_MODE] = &rx_mode,
	[NC_RX_RECV] = &rx_recv,
	[NC_RX_RECVMSG] = &rx_recvmsg,
	[NC_RX_ZERO_COPY] = &nc_rx_zero_copy,
	[NC_RX_RECVMMSG] = &nc_rx_recvmmsg,
	[NC_RX_GRO] = &nc_rx_gro,
};

_Static_assert(sizeof(paths) / sizeof(paths[0]) == NC_RX_LAST + 1,
	       "a receive path without its ops");

static const struct nc_rx_ops *ops(uint8_t rx)
{
	return rx <= NC_RX_LAST ? paths[rx] : NULL;
}

const char *nc_rx_name(uint8_t rx)
{
	return ops(rx) ? ops(rx)->name : NULL;
}

int nc_rx_parse(const char *name, uint8_t *rx)
{
	for (uint8_t i = 0; name && i <= NC_RX_LAST; i++) {
		if (strcmp(name, paths[i]->name) == 0) {
			*rx = i;
			return 0;
		}
	}
	return -EINVAL;
}

int nc_rx_probe(uint8_t rx, const char **why)
{
	return ops(rx) && ops(rx)->probe ? ops(rx)->probe(why) : 0;
}

uint64_t nc_rx_memory(uint8_t rx, uint64_t size)
{
	return ops(rx) && ops(rx)->memory ? ops(rx)->memory(size) : 0;
}

int nc_rx_proto_check(const struct nc_params *p, const char **why)
{
	const struct nc_rx_ops *o = ops(p->rx);
	uint8_t proto = p->proto;

	/* A read shorter than the datagram would lose the rest of it. */
	if (proto == NC_PROTO_UDP && p->rx_size) {
		*why = "--rx-size is TCP only (each read takes a whole "
		       "datagram): not with --proto udp";
		return NETCOPY_EUNSUPPORTED;
	}
	if (p->rx == NC_RX_MODE || !o ||
	    (proto == NC_PROTO_UDP ? o->recv_datagram != NULL :
				     o->recv_some != NULL))
		return 0;
	if (proto == NC_PROTO_UDP)
		*why = "--rx zero-copy is TCP only (TCP_ZEROCOPY_RECEIVE "
		       "maps a byte stream's pages): not with --proto udp";
	else if (p->rx == NC_RX_GRO)
		*why = "--rx gro is UDP only (it reads datagrams): use it "
		       "with --proto udp";
	else
		*why = "--rx recvmmsg is UDP only (it reads datagrams): use "
		       "it with --proto udp";
	return NETCOPY_EUNSUPPORTED;
}

int nc_rx_prepare(struct nc_flow *flow)
{
	const struct nc_rx_ops *o = ops(flow->rx);

	if (!o)
		return -EINVAL;
	return o->prepare ? o->prepare(flow) : 0;
}

void nc_rx_release(struct nc_flow *flow)
{
	if (!flow->rx_state)
		return;
	ops(flow->rx)->release(flow);
	flow->rx_state = NULL;
}

/* recv's buffer and recvmsg's fields hold no flow's position (that is
 * flow->rx_part): a member shares them. */
int nc_rx_join(struct nc_flow *owner, struct nc_flow *member)
{
	const struct nc_rx_ops *o = ops(member->rx);

	if (!owner->rx_state || !o)
		return 0;
	if (o->join)
		return o->join(owner, member);
	member->rx_state = owner->rx_state;
	return 0;
}

void nc_rx_leave(struct nc_flow *member)
{
	const struct nc_rx_ops *o = ops(member->rx);

	if (member->rx_state && o->leave)
		o->leave(member);
	member->rx_state = NULL;
}

ssize_t nc_rx_recv_some(struct nc_flow *flow, size_t max)
{
	return ops(flow->rx)->recv_some(flow, max);
}

ssize_t nc_rx_recv_datagram(struct nc_flow *flow, const struct iovec **iov,
			    size_t *cnt)
{
	return ops(flow->rx)->recv_datagram(flow, iov, cnt);
}

bool nc_rx_held(const struct nc_flow *flow)
{
	const struct nc_rx_ops *o = ops(flow->rx);

	return o && o->held && o->held(flow);
}
