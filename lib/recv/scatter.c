/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * scatter.c - recvmsg() into NC_FIELDS separately allocated fields, one
 * message at a time, as a real message's parts would be received: the
 * receive side of one-copy, and --rx recvmsg for any mode.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "recv/recv.h"

size_t nc_iov_advance(struct iovec **iov, size_t cnt, size_t n)
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

int nc_fields_alloc(struct iovec field[NC_FIELDS], uint64_t size)
{
	size_t len[NC_FIELDS];

	nc_layout_fields(size, len);
	for (unsigned int i = 0; i < NC_FIELDS; i++) {
		field[i].iov_len = len[i];
		field[i].iov_base = calloc(1, len[i] ? len[i] : 1);
		if (!field[i].iov_base)
			return -ENOMEM;
	}
	return 0;
}

void nc_fields_free(struct iovec field[NC_FIELDS])
{
	for (unsigned int i = 0; i < NC_FIELDS; i++) {
		free(field[i].iov_base);
		field[i].iov_base = NULL;
	}
}

static void rewind_cursor(struct nc_scatter *s)
{
	memcpy(s->cursor, s->field, sizeof(s->cursor));
	s->next = s->cursor;
	s->left = NC_FIELDS;
}

int nc_scatter_init(struct nc_scatter *s, uint64_t size)
{
	int err = nc_fields_alloc(s->field, size);

	rewind_cursor(s);
	return err;
}

void nc_scatter_free(struct nc_scatter *s)
{
	nc_fields_free(s->field);
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

/* The first max bytes of what is left of the message, in iov. */
static size_t cursor_prefix(const struct nc_scatter *s, size_t max,
			    struct iovec iov[NC_FIELDS])
{
	size_t n;

	for (n = 0; n < s->left && max; n++) {
		iov[n] = s->next[n];
		if (iov[n].iov_len > max)
			iov[n].iov_len = max;
		max -= iov[n].iov_len;
	}
	return n;
}

ssize_t nc_scatter_recv(struct nc_flow *flow, struct nc_scatter *s,
			size_t max)
{
	struct iovec iov[NC_FIELDS];
	struct msghdr msg = { .msg_iov = iov };
	ssize_t n;

	msg.msg_iovlen = cursor_prefix(s, max, iov);

	do
		n = recvmsg(flow->fd, &msg, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	if (flow->verify)
		verify_scattered(&flow->verifier, s->next, (size_t)n);
	s->left = nc_iov_advance(&s->next, s->left, (size_t)n);
	if (!s->left)		/* a whole message in: start the next */
		rewind_cursor(s);
	return n;
}
