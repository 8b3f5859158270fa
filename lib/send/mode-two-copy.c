/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mode-two-copy.c - send() of one contiguous buffer; the receiver recv()s.
 * The message is built in user space, then the kernel copies it again. */
#include <errno.h>
#include <sys/socket.h>

#include "send/engines.h"

static int two_copy_send_message(struct nc_flow *flow)
{
	if (flow->verify)
		nc_pattern_fill(flow->send_buf, (size_t)flow->size, flow->index,
				flow->seq, 0);
	return nc_send_all(flow->fd, flow->send_buf, (size_t)flow->size, 0);
}

static ssize_t two_copy_send_part(struct nc_flow *flow, uint64_t off)
{
	size_t len = (size_t)(flow->size - off);
	ssize_t n;

	/* The buffer is the thread's: another flow may have stamped it. */
	if (flow->verify)
		nc_pattern_fill(flow->send_buf + off, len, flow->index,
				flow->seq, off);
	do
		n = send(flow->fd, flow->send_buf + off, len,
			 nc_part_flags(flow));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? -EAGAIN : -errno;
	return n;
}

/* UDP: one datagram, one send(). */
static int two_copy_send_datagrams(struct nc_flow *flow, uint32_t max)
{
	struct iovec iov = { flow->send_buf, (size_t)flow->size };

	(void)max;
	nc_dgram_stamp(&iov, 1, iov.iov_len, flow, flow->seq);
	return nc_dgram_sent(send(flow->fd, iov.iov_base, iov.iov_len, 0));
}

const struct netcopy_mode nc_mode_two_copy = {
	.name = nc_mode_name_two_copy,
	.own_rx = NC_RX_RECV,
	.summary = "send() of one contiguous buffer, recv() at the receiver",
	.memory = nc_buffers_memory,
	.prepare = nc_buffers_prepare_flow,
	.send_message = two_copy_send_message,
	.send_part = two_copy_send_part,
	.send_datagrams = two_copy_send_datagrams,
	.recv_some = nc_recv_into_buffer,
	.release = nc_buffers_release,
};
