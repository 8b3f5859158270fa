/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mode-one-copy.c - a message of 8 separately allocated fields gathered by
 * one sendmsg() with an 8-entry iovec (no packing copy in user space);
 * the receiver scatters it with recvmsg() into 8 buffers the same way
 * (scatter.c).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "recv/recv.h"
#include "send/engines.h"

struct one_copy {
	struct iovec send[NC_FIELDS];
	struct nc_scatter recv;
};

static void fields_stamp(struct iovec field[NC_FIELDS], uint32_t flow,
			 uint64_t msg)
{
	uint64_t off = 0;

	for (unsigned int i = 0; i < NC_FIELDS; i++) {
		nc_pattern_fill(field[i].iov_base, field[i].iov_len, flow,
				msg, off);
		off += field[i].iov_len;
	}
}

static void one_copy_release(struct nc_flow *flow)
{
	struct one_copy *oc = flow->state;

	if (oc) {
		nc_fields_free(oc->send);
		nc_scatter_free(&oc->recv);
	}
	free(oc);
	flow->state = NULL;
}

static int one_copy_prepare(struct nc_flow *flow)
{
	struct one_copy *oc = calloc(1, sizeof(*oc));
	int err = 0;

	if (!oc)
		return -ENOMEM;
	flow->state = oc;
	if (nc_flow_sends(flow))
		err = nc_fields_alloc(oc->send, flow->size);
	if (!err && nc_flow_receives(flow))
		err = nc_scatter_init(&oc->recv, flow->size);
	return err;
}

static int one_copy_send_message(struct nc_flow *flow)
{
	struct one_copy *oc = flow->state;
	struct iovec iov[NC_FIELDS], *p = iov;
	struct msghdr msg = { 0 };
	size_t cnt = NC_FIELDS;

	if (flow->verify)
		fields_stamp(oc->send, flow->index, flow->seq);
	memcpy(iov, oc->send, sizeof(iov));
	while (cnt) {
		ssize_t n;

		msg.msg_iov = p;
		msg.msg_iovlen = cnt;
		n = sendmsg(flow->fd, &msg, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		cnt = nc_iov_advance(&p, cnt, (size_t)n);
	}
	return 0;
}

/* --flows: the rest of the message from byte off, without blocking;
 * stamped again when verifying, as the fields are the thread's. */
static ssize_t one_copy_send_part(struct nc_flow *flow, uint64_t off)
{
	struct one_copy *oc = flow->state;
	struct iovec iov[NC_FIELDS];
	struct msghdr msg = { .msg_iov = iov };
	ssize_t n;

	msg.msg_iovlen = nc_fields_from(oc->send, off, SIZE_MAX, iov);
	for (size_t i = 0; flow->verify && i < msg.msg_iovlen; i++) {
		nc_pattern_fill(iov[i].iov_base, iov[i].iov_len, flow->index,
				flow->seq, off);
		off += iov[i].iov_len;
	}
	do
		n = sendmsg(flow->fd, &msg, nc_part_flags(flow));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? -EAGAIN : -errno;
	return n;
}

/* UDP: one datagram gathered from the fields by one sendmsg(). */
static int one_copy_send_datagrams(struct nc_flow *flow, uint32_t max)
{
	struct one_copy *oc = flow->state;
	struct msghdr msg = { .msg_iov = oc->send, .msg_iovlen = NC_FIELDS };

	(void)max;
	nc_dgram_stamp(oc->send, NC_FIELDS, (size_t)flow->size, flow,
		       flow->seq);
	return nc_dgram_sent(sendmsg(flow->fd, &msg, 0));
}

/* Reads at most the rest of the current message, and max. */
static ssize_t one_copy_recv_some(struct nc_flow *flow, size_t max)
{
	struct one_copy *oc = flow->state;

	return nc_scatter_recv(flow, &oc->recv, max);
}

const struct netcopy_mode nc_mode_one_copy = {
	.name = nc_mode_name_one_copy,
	.own_rx = NC_RX_RECVMSG,
	.summary = "sendmsg() gathering 8 separately allocated fields, "
		   "recvmsg() scattering them",
	.memory = nc_buffers_memory,
	.prepare = one_copy_prepare,
	.send_message = one_copy_send_message,
	.send_part = one_copy_send_part,
	.send_datagrams = one_copy_send_datagrams,
	.recv_some = one_copy_recv_some,
	.release = one_copy_release,
};
