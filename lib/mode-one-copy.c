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
	memset(m, 0, sizeof(*m));
	for (unsigned int i = 0; i < NC_FIELDS; i++) {
		m->iov[i].iov_len = len[i];
		m->iov[i].iov_base = calloc(1, len[i] ? len[i] : 1);
		if (!m->iov[i].iov_base) {
			fields_free(m);
			return -ENOMEM;
		}
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

static int sendmsg_all(int fd, const struct fields *m)
{
	struct iovec iov[NC_FIELDS], *p = iov;
	struct msghdr msg = { 0 };
	size_t cnt = NC_FIELDS;

	memcpy(iov, m->iov, sizeof(iov));
	while (cnt) {
		ssize_t n;

		msg.msg_iov = p;
		msg.msg_iovlen = cnt;
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		cnt = iov_advance(&p, cnt, (size_t)n);
	}
	return 0;
}

static int one_copy_prepare(struct nc_flow *flow)
{
	struct fields *m = malloc(sizeof(*m));
	int err;

	if (!m)
		return -ENOMEM;
	err = fields_alloc(m, flow->size);
	if (err) {
		free(m);
		return err;
	}
	flow->state = m;
	return 0;
}

static void one_copy_release(struct nc_flow *flow)
{
	if (flow->state)
		fields_free(flow->state);
	free(flow->state);
	flow->state = NULL;
}

static int one_copy_send(struct nc_flow *flow)
{
	struct fields *m = flow->state;
	int err = 0;

	flow->first_ns = nc_now_ns();
	while (!atomic_load_explicit(flow->stop, memory_order_relaxed)) {
		if (flow->verify)
			fields_stamp(m, flow->index, flow->messages);
		err = sendmsg_all(flow->fd, m);
		if (err)
			break;
		flow->messages++;
	}
	flow->bytes = flow->messages * flow->size;
	return err ? err : nc_send_finish(flow);
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

static int one_copy_recv(struct nc_flow *flow)
{
	struct iovec iov[NC_FIELDS], *p;
	struct msghdr msg = { 0 };
	const struct fields *m = flow->state;
	struct nc_verifier v;
	size_t cnt;
	int err = 0;

	nc_verifier_init(&v, flow->size, flow->index);
	memcpy(iov, m->iov, sizeof(iov));
	p = iov;
	cnt = NC_FIELDS;
	for (;;) {
		ssize_t n;

		msg.msg_iov = p;
		msg.msg_iovlen = cnt;
		n = recvmsg(flow->fd, &msg, 0);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = errno == EAGAIN ? -ETIMEDOUT : -errno;
			break;
		}
		if (!flow->bytes)
			flow->first_ns = nc_now_ns();
		flow->bytes += (uint64_t)n;
		if (flow->verify)
			verify_scattered(&v, p, (size_t)n);
		cnt = iov_advance(&p, cnt, (size_t)n);
		if (!cnt) {	/* a whole message in: start the next */
			memcpy(iov, m->iov, sizeof(iov));
			p = iov;
			cnt = NC_FIELDS;
		}
	}
	nc_flow_received(flow, v.bad_messages);
	return err;
}

const struct netcopy_mode nc_mode_one_copy = {
	.name = "one-copy",
	.summary = "sendmsg() gathering 8 separately allocated fields, "
		   "recvmsg() scattering them",
	.memory = nc_recv_stream_memory,
	.prepare = one_copy_prepare,
	.send = one_copy_send,
	.recv = one_copy_recv,
	.release = one_copy_release,
};
