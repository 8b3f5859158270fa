/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * engines.h - what the engines of send/ share, for them only: the
 * mode names (names.c), the blocks the file modes send from
 * (file-blocks.c), zero-copy's books (zc-books.c) and the io_uring
 * ring (uring-ring.c, uring-flow.c, uring-group.c).
 */
#ifndef NETCOPY_SEND_ENGINES_H
#define NETCOPY_SEND_ENGINES_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "send/send.h"

/* ---- file-blocks.c: what sendfile and splice send from. */
struct nc_file_blocks {
	int fd;			/* a memfd */
	uint64_t size;		/* of a block: the message size */
	uint64_t count;		/* blocks; message n is block n % count */
	uint64_t first;		/* of them, after this many (--flows) */
};
/* A file mode's sender: the blocks, and splice's pipe (-1 without). */
struct nc_file_sender {
	struct nc_file_blocks blocks;
	int pipe[2];
	size_t pipe_cap;
	size_t in_pipe;		/* --flows: the message's bytes in the pipe */
};
/* Blocks for a message size (2 to 16), and a file mode's memory. */
uint64_t nc_file_block_count(uint64_t size);
uint64_t nc_file_memory(uint64_t size, uint32_t qd);
static inline off_t nc_file_block_offset(const struct nc_file_blocks *b,
					 uint64_t seq)
{
	return (off_t)((b->first + seq % b->count) * b->size);
}
/* A file mode's prepare: a receiving flow gets its buffer and expects
 * the blocks' stamps; a sending one gets a struct nc_file_sender in
 * flow->state with its blocks written, and SIGPIPE blocked in its
 * thread.  0 or -errno.  Release frees all of it. */
int nc_file_prepare(struct nc_flow *flow);
void nc_file_release(struct nc_flow *flow);
/* --flows: a member's blocks in its owner's memfd, after the owner's
 * and those of the members before it, stamped for the member; a
 * receiving member expects them.  0 or -errno; leave frees it. */
int nc_file_join(struct nc_flow *owner, struct nc_flow *member, uint32_t i,
		 uint32_t n);
void nc_file_leave(struct nc_flow *member);
/* --flows: sendfile's and splice's send_part once their bytes are in
 * the socket: bytes sent, -EAGAIN, or -errno (n from the call). */
ssize_t nc_file_sent(ssize_t n);

/* ---- zc-books.c: a MSG_ZEROCOPY sender's ring and books, which slots
 * the kernel still holds (mode-zero-copy.c). */
struct nc_zc_sender {
	int fd;
	size_t stride;		/* bytes between slots */
	uint32_t slots;
	uint8_t *ring;
	size_t ring_len;	/* mapped: 0 for a slice of another's */
	uint32_t *pending;	/* sends not yet completed, per slot */
	/* Outstanding send ids, id % id_cap -> slot, and which are done
	 * (completions may come out of order). */
	uint32_t id_cap;
	uint32_t *id_slot;
	uint8_t *id_done;
	uint32_t next_id;	/* the id the kernel gives the next send */
	uint32_t oldest;	/* oldest id not yet completed */
	uint32_t next_slot;
	uint32_t segments;	/* UDP: datagrams a slot holds */
	struct nc_zc_counts counts;
};
/* Bytes between slots of size bytes. */
size_t nc_zc_stride(uint64_t size);
/* SO_ZEROCOPY on fd, and the books of slots slots of size bytes each;
 * nc_zc_init maps the ring too, nc_zc_init_books leaves it to the
 * caller.  0, NETCOPY_EUNSUPPORTED or -errno; nc_zc_free frees what
 * either made (not z). */
int nc_zc_init_books(struct nc_zc_sender *z, int fd, uint64_t size,
		     uint32_t slots);
int nc_zc_init(struct nc_zc_sender *z, int fd, uint64_t size,
	       uint32_t slots);
void nc_zc_free(struct nc_zc_sender *z);
static inline uint32_t nc_zc_outstanding(const struct nc_zc_sender *z)
{
	return z->next_id - z->oldest;
}
/* Read notifications until one holds completions, waiting for it (10 s
 * at most: NETCOPY_ECOMPLETION).  0 or an error. */
int nc_zc_reap_one(struct nc_zc_sender *z);
/* The same, waiting until by_ns at most where it is set (past: only
 * what the queue holds now). */
int nc_zc_reap_by(struct nc_zc_sender *z, uint64_t by_ns);
/* Every notification the queue holds now, without waiting: 0 or an
 * error. */
int nc_zc_reap_ready(struct nc_zc_sender *z);
/* One message of the error queue, if it holds one: 0 or an error. */
int nc_zc_reap_next(struct nc_zc_sender *z);
/* A sendmsg() from slot sent something: it used the next id. */
void nc_zc_sent(struct nc_zc_sender *z, uint32_t slot);

/* ---- mode-gso.c: UDP_SEGMENT, which zero-copy over UDP sends with. */
/* The most bytes one call may carry: one UDP datagram's payload over
 * IPv4, which the kernel cuts up (64 KiB less the headers). */
#define NC_GSO_MAX_BYTES NC_DGRAM_MAX_IPV4
/* 0, or NETCOPY_EUNSUPPORTED with why: no UDP_SEGMENT here. */
int nc_gso_probe(const char **why);
/* --gso-segments, or as many as fit in one call (and the kernel). */
uint32_t nc_gso_per_call(const struct nc_flow *flow);
/* The run's bounds that the table cannot know: the kernel's limit and
 * the bytes a call may carry.  0, or -EINVAL with why. */
int nc_gso_check(const struct nc_params *p, const char **why);
/* Set the flow's socket to cut sends into -s byte segments: 0, or
 * -EMSGSIZE where a segment does not fit the path's MTU, or -errno. */
int nc_gso_segment(struct nc_flow *flow);

/* ---- uring-ring.c: what the io_uring engines share. */
struct nc_uring;
struct io_uring_sqe;

struct nc_uring_ops {
	/* Fill sqe to send len bytes of buf on fd with msg_flags, from
	 * registered buffer buf_index (-1: not registered). */
	void (*prep)(struct io_uring_sqe *sqe, int fd, void *buf, size_t len,
		     int msg_flags, int buf_index);
	/* Message slots for a message size and queue depth: at least qd,
	 * more where the kernel may hold a slot after its send. */
	uint32_t (*slots)(uint64_t size, uint32_t qd);
	bool notifies;			/* a send's pages are owed back */
	bool reports_copied;		/* notifications say "copied" */
};

/* 0, or NETCOPY_EUNSUPPORTED with why: io_uring cannot be set up here,
 * or lacks opcode (missing says so). */
int nc_uring_probe(int opcode, const char *missing, const char **why);
uint64_t nc_uring_memory(const struct nc_uring_ops *ops, uint64_t size,
			 uint32_t qd);
int nc_uring_open(struct nc_uring **out, const struct nc_uring_ops *ops,
		  int fd, uint64_t size, uint32_t qd, bool fixed);
void nc_uring_close(struct nc_uring *u);
/* The next slot's buffer, once the kernel is done with it. */
int nc_uring_next_buffer(struct nc_uring *u, uint8_t **buf);
/* Queue that slot's len bytes; the batch goes when full, or now. */
int nc_uring_queue(struct nc_uring *u, size_t len, bool now);
/* Send the batch and wait until all of it has been sent, in order. */
int nc_uring_flush(struct nc_uring *u);
/* Wait for every notification still owed. */
int nc_uring_drain(struct nc_uring *u);
/* The ring's zero-copy counts (a notification completes one send). */
const struct nc_zc_counts *nc_uring_counts(const struct nc_uring *u);
/* The engines' prepare, release, send_message, send_datagrams (UDP),
 * per_call and send_flush. */
int nc_uring_prepare_flow(struct nc_flow *flow,
			  const struct nc_uring_ops *ops);
void nc_uring_release_flow(struct nc_flow *flow);
int nc_uring_send_message(struct nc_flow *flow);
int nc_uring_send_datagrams(struct nc_flow *flow, uint32_t max);
/* The sends of a batch: --qd, or over UDP --batch. */
uint32_t nc_uring_per_call(const struct nc_flow *flow);
int nc_uring_send_flush(struct nc_flow *flow);
/* Bytes between a ring's slots of size bytes. */
size_t nc_uring_stride(uint64_t size);

/* ---- uring-group.c: --flows above -t, one ring for a thread's
 * sending flows; the engines' struct nc_ring_group_ops, open with the
 * engine's ops. */
int nc_uring_group_check(const struct nc_params *p, uint32_t n, char *why,
			 size_t cap);
uint64_t nc_uring_group_memory(const struct nc_uring_ops *ops, uint64_t size,
			       uint32_t qd, uint32_t n);
int nc_uring_group_open(const struct nc_uring_ops *ops, struct nc_flow **flows,
			uint32_t n, void **out);
int nc_uring_group_queue(void *ring, uint32_t i);
int nc_uring_group_idle(void *ring, uint32_t i);
int nc_uring_group_submit(void *ring);
int nc_uring_group_wait(void *ring, uint32_t *ready, int ms);
int nc_uring_group_drain(void *ring, bool cancel);
void nc_uring_group_close(void *ring);
/* An engine's table, over its own memory and open. */
#define NC_URING_GROUP_OPS(memory_fn, open_fn) {			\
	.check = nc_uring_group_check,					\
	.memory = (memory_fn),						\
	.open = (open_fn),						\
	.queue = nc_uring_group_queue,					\
	.idle = nc_uring_group_idle,					\
	.submit = nc_uring_group_submit,				\
	.wait = nc_uring_group_wait,					\
	.drain = nc_uring_group_drain,					\
	.close = nc_uring_group_close,					\
}

#endif /* NETCOPY_SEND_ENGINES_H */
