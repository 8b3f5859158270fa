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

size_t nc_fields_from(const struct iovec field[NC_FIELDS], uint64_t off,
		      size_t max, struct iovec out[NC_FIELDS])
{
	size_t n = 0;

	for (unsigned int i = 0; i < NC_FIELDS && max; i++) {
		size_t len = field[i].iov_len;

		if (off >= len) {
			off -= len;
			continue;
		}
		out[n].iov_base = (uint8_t *)field[i].iov_base + off;
		out[n].iov_len = len - off < max ? len - (size_t)off : max;
		max -= out[n++].iov_len;
		off = 0;
	}
	return n;
}

int nc_scatter_init(struct nc_scatter *s, uint64_t size)
{
	return nc_fields_alloc(s->field, size);
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

ssize_t nc_scatter_recv(struct nc_flow *flow, struct nc_scatter *s,
			size_t max)
{
	struct iovec iov[NC_FIELDS];
	struct msghdr msg = { .msg_iov = iov };
	ssize_t n;

	/* Where the message stands is the flow's: the fields may be its
	 * thread's, shared with other flows (--flows). */
	msg.msg_iovlen = nc_fields_from(s->field, flow->rx_part, max, iov);
	do
		n = recvmsg(flow->fd, &msg, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	if (flow->verify)
		verify_scattered(&flow->verifier, iov, (size_t)n);
	flow->rx_part += (uint64_t)n;
	if (flow->rx_part == flow->size)	/* a whole message in */
		flow->rx_part = 0;
	return n;
}
