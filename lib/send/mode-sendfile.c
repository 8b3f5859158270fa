/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mode-sendfile.c - sendfile() from a memfd of stamped blocks
 * (file-blocks.c), round robin; the receiver recv()s.  No user-space
 * copy at the sender: the kernel copies page-cache pages into socket
 * buffers (or, on a NIC with scatter-gather, hands it the pages).
 */
#include <errno.h>
#include <sys/sendfile.h>

#include "send/engines.h"

static int sendfile_send_message(struct nc_flow *flow)
{
	struct nc_file_sender *s = flow->state;
	off_t off = nc_file_block_offset(&s->blocks, flow->seq);
	size_t left = (size_t)flow->size;

	while (left) {
		ssize_t n = sendfile(flow->fd, s->blocks.fd, &off, left);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		if (n == 0)
			return -EIO;	/* the file ended: cannot be */
		left -= (size_t)n;
	}
	return 0;
}

/* --flows: the rest of the message from byte off, without blocking. */
static ssize_t sendfile_send_part(struct nc_flow *flow, uint64_t off)
{
	struct nc_file_sender *s = flow->state;
	off_t at = nc_file_block_offset(&s->blocks, flow->seq) + (off_t)off;
	ssize_t n;

	do
		n = sendfile(flow->fd, s->blocks.fd, &at,
			     (size_t)(flow->size - off));
	while (n < 0 && errno == EINTR);
	return nc_file_sent(n);
}

const struct netcopy_mode nc_mode_sendfile = {
	.name = nc_mode_name_sendfile,
	.own_rx = NC_RX_RECV,
	.summary = "sendfile() of message-sized blocks of a memfd, round "
		   "robin; recv() at the receiver",
	.memory = nc_file_memory,
	.fds = 1,	/* the memfd */
	.prepare = nc_file_prepare,
	.send_message = sendfile_send_message,
	.send_part = sendfile_send_part,
	.join = nc_file_join,
	.leave = nc_file_leave,
	.recv_some = nc_recv_into_buffer,
	.release = nc_file_release,
};
