/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * file-blocks.c - what the file modes (sendfile, splice) send from: a
 * memfd of K message-sized blocks, block k stamped as message k, so that
 * message n is block n % K and the receiver checks it with a verifier of
 * period K.  The blocks are written once, before the clock starts; at run
 * time the kernel moves page-cache pages to the socket and user space
 * touches no byte of the data.
 *
 * --flows above -t: a thread's flows share one memfd, each with blocks
 * of its own stamped for it, so that every byte the receiver checks is
 * its flow's.  A flow then has fewer blocks, some FILE_BYTES over the
 * flows of a thread, two at least: both ends count them from the run's
 * parameters alone, so the receiver's period is the sender's.
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

static uint64_t blocks_of(uint64_t size, uint32_t flows)
{
	uint64_t k = FILE_BYTES / (size ? size : 1) / flows;

	return k < MIN_BLOCKS ? MIN_BLOCKS : k > MAX_BLOCKS ? MAX_BLOCKS : k;
}

uint64_t nc_file_block_count(uint64_t size)
{
	return blocks_of(size, 1);
}

/* A flow's blocks: FILE_BYTES over the most flows a thread drives. */
static uint64_t flow_blocks(const struct nc_flow *flow)
{
	const struct nc_params *p = flow->params;
	uint32_t threads = p->threads ? p->threads : 1;
	uint32_t most = (nc_params_flows(p) + threads - 1) / threads;

	return blocks_of(flow->size, most ? most : 1);
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

/* The blocks first.. of b, in fd. */
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
			err = write_all(fd, buf, n,
					nc_file_block_offset(b, k) +
					(off_t)off);
		}
	}
	nc_pages_free(buf, chunk);
	return err;
}

static int blocks_open(struct nc_file_blocks *b, const struct nc_flow *flow)
{
	int fd, err;

	b->size = flow->size;
	b->count = flow_blocks(flow);
	b->first = 0;
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

static struct nc_file_sender *sender_new(void)
{
	struct nc_file_sender *s = calloc(1, sizeof(*s));

	if (s)
		s->blocks.fd = s->pipe[0] = s->pipe[1] = -1;
	return s;
}

int nc_file_prepare(struct nc_flow *flow)
{
	struct nc_file_sender *s;
	int err = nc_buffers_prepare(flow, false, nc_flow_receives(flow));

	if (err)
		return err;
	if (nc_flow_receives(flow))
		flow->verifier.period = flow_blocks(flow);
	if (!nc_flow_sends(flow))
		return 0;
	block_sigpipe();
	s = sender_new();
	if (!s)
		return -ENOMEM;
	err = blocks_open(&s->blocks, flow);
	if (err) {
		free(s);
		return err;
	}
	flow->state = s;
	return 0;
}

int nc_file_join(struct nc_flow *owner, struct nc_flow *member, uint32_t i,
		 uint32_t n)
{
	const struct nc_file_sender *o = owner->state;
	struct nc_file_sender *s;

	(void)n;
	member->state = NULL;
	if (nc_flow_receives(member))
		member->verifier.period = flow_blocks(member);
	if (!nc_flow_sends(member))
		return 0;
	s = sender_new();
	if (!s)
		return -ENOMEM;
	member->state = s;
	s->blocks = o->blocks;		/* the owner's memfd: not s's */
	s->blocks.first = (uint64_t)i * o->blocks.count;
	return stamp_blocks(o->blocks.fd, &s->blocks, member->index);
}

ssize_t nc_file_sent(ssize_t n)
{
	if (n < 0)
		return errno == EAGAIN ? -EAGAIN : -errno;
	return n ? n : -EIO;	/* the file ended: cannot be */
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void sender_free(struct nc_file_sender *s, bool owns_blocks)
{
	if (!s)
		return;
	if (owns_blocks)
		close_fd(&s->blocks.fd);
	close_fd(&s->pipe[0]);
	close_fd(&s->pipe[1]);
	free(s);
}

void nc_file_leave(struct nc_flow *member)
{
	sender_free(member->state, false);
	member->state = NULL;
}

void nc_file_release(struct nc_flow *flow)
{
	sender_free(flow->state, true);
	flow->state = NULL;
	nc_buffers_release(flow);
}
