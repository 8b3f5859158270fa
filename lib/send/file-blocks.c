/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * file-blocks.c - what the file modes (sendfile, splice) send from: a
 * memfd of K message-sized blocks, block k stamped as message k, so that
 * message n is block n % K and the receiver checks it with a verifier of
 * period K.  The blocks are written once, before the clock starts; at run
 * time the kernel moves page-cache pages to the socket and user space
 * touches no byte of the data.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "send/engines.h"

/* Some 4 MiB of blocks, and at least 2 so that neighbours differ. */
#define FILE_BYTES (4u << 20)
#define MIN_BLOCKS 2u
#define MAX_BLOCKS 16u
/* Blocks are written through a buffer of at most this much. */
#define WRITE_CHUNK (1u << 20)

uint64_t nc_file_block_count(uint64_t size)
{
	uint64_t k = FILE_BYTES / (size ? size : 1);

	return k < MIN_BLOCKS ? MIN_BLOCKS : k > MAX_BLOCKS ? MAX_BLOCKS : k;
}

uint64_t nc_file_memory(uint64_t size, uint32_t qd)
{
	uint64_t file = nc_file_block_count(size) * size;
	uint64_t recv = nc_recv_buffer_size(size);

	return file > recv ? file : recv;
}

static int write_all(int fd, const uint8_t *p, size_t len, off_t at)
{
	while (len) {
		ssize_t n = pwrite(fd, p, len, at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
		at += n;
	}
	return 0;
}

static int stamp_blocks(int fd, const struct nc_file_blocks *b,
			uint32_t flow)
{
	size_t chunk = b->size < WRITE_CHUNK ? (size_t)b->size : WRITE_CHUNK;
	uint8_t *buf = nc_pages_alloc(chunk);
	int err = buf ? 0 : -ENOMEM;

	for (uint64_t k = 0; !err && k < b->count; k++) {
		for (uint64_t off = 0; !err && off < b->size; off += chunk) {
			size_t n = b->size - off < chunk ?
				   (size_t)(b->size - off) : chunk;

			nc_pattern_fill(buf, n, flow, k, off);
			err = write_all(fd, buf, n, (off_t)(k * b->size + off));
		}
	}
	nc_pages_free(buf, chunk);
	return err;
}

static int blocks_open(struct nc_file_blocks *b, const struct nc_flow *flow)
{
	int fd, err;

	b->size = flow->size;
	b->count = nc_file_block_count(flow->size);
	fd = memfd_create("netcopy-blocks", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = stamp_blocks(fd, b, flow->index);
	if (err) {
		close(fd);
		return err;
	}
	b->fd = fd;
	return 0;
}

/* sendfile() and splice() have no MSG_NOSIGNAL: a peer that resets would
 * raise SIGPIPE in a program that did not ignore it.  Blocked in this
 * (the library's own data) thread, it stays pending and the call fails
 * with EPIPE instead. */
static void block_sigpipe(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int nc_file_prepare(struct nc_flow *flow)
{
	struct nc_file_sender *s;
	int err = nc_buffers_prepare(flow, false, nc_flow_receives(flow));

	if (err)
		return err;
	if (nc_flow_receives(flow))
		flow->verifier.period = nc_file_block_count(flow->size);
	if (!nc_flow_sends(flow))
		return 0;
	block_sigpipe();
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->pipe[0] = s->pipe[1] = -1;
	s->pipe_cap = 0;
	err = blocks_open(&s->blocks, flow);
	if (err) {
		free(s);
		return err;
	}
	flow->state = s;
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void nc_file_release(struct nc_flow *flow)
{
	struct nc_file_sender *s = flow->state;

	if (s) {
		close_fd(&s->blocks.fd);
		close_fd(&s->pipe[0]);
		close_fd(&s->pipe[1]);
		free(s);
	}
	flow->state = NULL;
	nc_buffers_release(flow);
}
