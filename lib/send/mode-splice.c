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

/* --flows: a member's pipe of its own, as what it holds of a message
 * stays there until its socket takes it. */
static int splice_join(struct nc_flow *owner, struct nc_flow *member,
		       uint32_t i, uint32_t n)
{
	int err = nc_file_join(owner, member, i, n);

	if (err || !member->state)
		return err;
	return pipe_open(member->state, member->size);
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

/* --flows: the rest of the message from byte off, without blocking.
 * The pipe holds the bytes from off on that the socket did not take;
 * filled (from the memfd, which never blocks) once it is empty. */
static ssize_t splice_send_part(struct nc_flow *flow, uint64_t off)
{
	struct nc_file_sender *s = flow->state;
	loff_t at = nc_file_block_offset(&s->blocks, flow->seq) + (loff_t)off;
	size_t left = (size_t)(flow->size - off);
	ssize_t n;

	while (!s->in_pipe) {
		n = splice(s->blocks.fd, &at, s->pipe[1], NULL,
			   left < s->pipe_cap ? left : s->pipe_cap,
			   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -EIO;
		s->in_pipe = (size_t)n;
	}
	do
		n = splice(s->pipe[0], NULL, flow->fd, NULL, s->in_pipe,
			   SPLICE_F_MOVE | SPLICE_F_NONBLOCK |
			   (flow->more ? SPLICE_F_MORE : 0));
	while (n < 0 && errno == EINTR);
	n = nc_file_sent(n);
	if (n > 0)
		s->in_pipe -= (size_t)n;
	return n;
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
	.send_part = splice_send_part,
	.join = splice_join,
	.leave = nc_file_leave,
	.recv_some = nc_recv_into_buffer,
	.release = nc_file_release,
};
