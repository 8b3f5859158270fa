/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mode-one-copy.c - a message of 8 separately allocated fields gathered by
 * one sendmsg() with an 8-entry iovec (no packing copy in user space);
 * the receiver scatters it with recvmsg() into 8 buffers the same way.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"

struct fields {
	struct iovec iov[NC_FIELDS];
};

struct one_copy {
	struct fields send;
	struct fields recv;
	/* Where the next recvmsg() goes: the rest of the message. */
	struct iovec cursor[NC_FIELDS];
	struct iovec *next;
	size_t left;
};

static void fields_free(struct fields *m)
{
	for (unsigned int i = 0; i < NC_FIELDS; i++)
		free(m->iov[i].iov_base);
}

/* Each field is its own allocation, as a real message's parts would be. */
static int fields_alloc(struct fields *m, uint64_t size)
{
	size_t len[NC_FIELDS];

	nc_layout_fields(size, len);
	for (unsigned int i = 0; i < NC_FIELDS; i++) {
		m->iov[i].iov_len = len[i];
		m->iov[i].iov_base = calloc(1, len[i] ? len[i] : 1);
		if (!m->iov[i].iov_base)
			return -ENOMEM;
	}
	return 0;
}

static void fields_stamp(struct fields *m, uint32_t flow, uint64_t msg)
{
	uint64_t off = 0;

	for (unsigned int i = 0; i < NC_FIELDS; i++) {
		nc_pattern_fill(m->iov[i].iov_base, m->iov[i].iov_len, flow,
				msg, off);
		off += m->iov[i].iov_len;
	}
}

/* Drop n bytes from the front of an iovec array; returns entries left. */
static size_t iov_advance(struct iovec **iov, size_t cnt, size_t n)
{
	while (cnt && n >= (*iov)->iov_len) {
		n -= (*iov)->iov_len;
		(*iov)++;
		cnt--;
	}
	if (cnt) {
		(*iov)->iov_base = (uint8_t *)(*iov)->iov_base + n;
		(*iov)->iov_len -= n;
	}
	return cnt;
}

static void rewind_cursor(struct one_copy *oc)
{
	memcpy(oc->cursor, oc->recv.iov, sizeof(oc->cursor));
	oc->next = oc->cursor;
	oc->left = NC_FIELDS;
}

static void one_copy_release(struct nc_flow *flow)
{
	struct one_copy *oc = flow->state;

	if (oc) {
		fields_free(&oc->send);
		fields_free(&oc->recv);
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
		err = fields_alloc(&oc->send, flow->size);
	if (!err && nc_flow_receives(flow))
		err = fields_alloc(&oc->recv, flow->size);
	rewind_cursor(oc);
	return err;
}

static int one_copy_send_message(struct nc_flow *flow)
{
	struct one_copy *oc = flow->state;
	struct iovec iov[NC_FIELDS], *p = iov;
	struct msghdr msg = { 0 };
	size_t cnt = NC_FIELDS;

	if (flow->verify)
		fields_stamp(&oc->send, flow->index, flow->seq);
	memcpy(iov, oc->send.iov, sizeof(iov));
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
		cnt = iov_advance(&p, cnt, (size_t)n);
	}
	return 0;
}

/* Check what one recvmsg() scattered, field by field, in stream order. */
static void verify_scattered(struct nc_verifier *v, const struct iovec *iov,
			     size_t n)
{
	for (; n; iov++) {
		size_t part = n < iov->iov_len ? n : iov->iov_len;

		nc_verifier_feed(v, iov->iov_base, part);
		n -= part;
	}
}

/* Reads at most the rest of the current message, whatever max says. */
static ssize_t one_copy_recv_some(struct nc_flow *flow, size_t max)
{
	struct one_copy *oc = flow->state;
	struct msghdr msg = { .msg_iov = oc->next, .msg_iovlen = oc->left };
	ssize_t n;

	(void)max;
	do
		n = recvmsg(flow->fd, &msg, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	if (flow->verify)
		verify_scattered(&flow->verifier, oc->next, (size_t)n);
	oc->left = iov_advance(&oc->next, oc->left, (size_t)n);
	if (!oc->left)		/* a whole message in: start the next */
		rewind_cursor(oc);
	return n;
}

const struct netcopy_mode nc_mode_one_copy = {
	.name = "one-copy",
	.summary = "sendmsg() gathering 8 separately allocated fields, "
		   "recvmsg() scattering them",
	.memory = nc_buffers_memory,
	.prepare = one_copy_prepare,
	.send_message = one_copy_send_message,
	.recv_some = one_copy_recv_some,
	.release = one_copy_release,
};
