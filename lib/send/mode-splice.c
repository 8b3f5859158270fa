/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mode-splice.c - splice() from a memfd of stamped blocks into a pipe,
 * and from the pipe into the socket; the receiver recv()s.  The pipe
 * holds references to page-cache pages, not copies.  No vmsplice() of
 * user memory: the kernel gives no completion for vmspliced pages, so a
 * rewritten buffer would corrupt data still in flight.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "send/engines.h"

/* As much of a message as one pipe can hold, within reason. */
#define MAX_PIPE (1u << 20)

static int pipe_open(struct nc_file_sender *s, uint64_t size)
{
	int cap;

	if (pipe2(s->pipe, O_CLOEXEC))
		return -errno;
	/* Larger than the default 64 KiB when messages are; an
	 * unprivileged process may be held to fs.pipe-max-size, and then
	 * the default will do. */
	if (size > MAX_PIPE)
		size = MAX_PIPE;
	fcntl(s->pipe[1], F_SETPIPE_SZ, (int)size);
	cap = fcntl(s->pipe[1], F_GETPIPE_SZ);
	s->pipe_cap = cap > 0 ? (size_t)cap : 65536;
	return 0;
}

static int splice_prepare(struct nc_flow *flow)
{
	int err = nc_file_prepare(flow);

	if (err || !flow->state)
		return err;
	return pipe_open(flow->state, flow->size);
}

static int io_error(void)
{
	return errno == EAGAIN ? -ETIMEDOUT : -errno;
}

/* Move len bytes that are in the pipe on into the socket. */
static int drain(int pipe_r, int sock, size_t len)
{
	while (len) {
		ssize_t n = splice(pipe_r, NULL, sock, NULL, len,
				   SPLICE_F_MOVE);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? io_error() : -EIO;
		len -= (size_t)n;
	}
	return 0;
}

static int splice_send_message(struct nc_flow *flow)
{
	struct nc_file_sender *s = flow->state;
	loff_t off = nc_file_block_offset(&s->blocks, flow->seq);
	size_t left = (size_t)flow->size;

	while (left) {
		size_t want = left < s->pipe_cap ? left : s->pipe_cap;
		ssize_t n = splice(s->blocks.fd, &off, s->pipe[1], NULL, want,
				   SPLICE_F_MOVE);
		int err;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -EIO;
		err = drain(s->pipe[0], flow->fd, (size_t)n);
		if (err)
			return err;
		left -= (size_t)n;
	}
	return 0;
}

const struct netcopy_mode nc_mode_splice = {
	.name = nc_mode_name_splice,
	.own_rx = NC_RX_RECV,
	.summary = "splice() of message-sized blocks of a memfd into a pipe, "
		   "then into the socket; recv() at the receiver",
	.memory = nc_file_memory,
	.fds = 3,	/* the memfd, the pipe's ends */
	.prepare = splice_prepare,
	.send_message = splice_send_message,
	.recv_some = nc_recv_into_buffer,
	.release = nc_file_release,
};
