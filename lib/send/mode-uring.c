/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mode-uring.c - io_uring IORING_OP_SEND of a batch of --qd messages, one
 * linked chain at a time (see uring-ring.c for why that keeps the stream
 * in order; over UDP, --batch datagrams, see uring-flow.c); the receiver
 * recv()s.  The kernel copies each message as it
 * sends it, as send() does, so a slot is free once its send completes.
 */
#include <liburing.h>

#include "send/engines.h"

/* No registered buffers: IORING_OP_SEND refuses IORING_RECVSEND_FIXED_BUF
 * (only the zero-copy sends take it), so the mode does not offer them. */
static void uring_prep(struct io_uring_sqe *sqe, int fd, void *buf,
		       size_t len, int msg_flags, int buf_index)
{
	io_uring_prep_send(sqe, fd, buf, len, msg_flags);
}

/* A slot is free again once its send has completed. */
static uint32_t uring_slots(uint64_t size, uint32_t qd)
{
	return qd;
}

static const struct nc_uring_ops uring_ops = {
	.prep = uring_prep,
	.slots = uring_slots,
};

static int uring_probe(const char **why)
{
	return nc_uring_probe(IORING_OP_SEND, "this kernel's io_uring lacks "
			      "IORING_OP_SEND (Linux 5.6 or later needed)",
			      why);
}

static uint64_t uring_memory(uint64_t size, uint32_t qd)
{
	return nc_uring_memory(&uring_ops, size, qd);
}

static int uring_prepare(struct nc_flow *flow)
{
	return nc_uring_prepare_flow(flow, &uring_ops);
}

static uint64_t uring_group_memory(uint64_t size, uint32_t qd, uint32_t n)
{
	return nc_uring_group_memory(&uring_ops, size, qd, n);
}

static int uring_group_open(struct nc_flow **flows, uint32_t n, void **ring)
{
	return nc_uring_group_open(&uring_ops, flows, n, ring);
}

static const struct nc_ring_group_ops uring_group =
	NC_URING_GROUP_OPS(uring_group_memory, uring_group_open);

const struct netcopy_mode nc_mode_uring = {
	.name = nc_mode_name_uring,
	.own_rx = NC_RX_RECV,
	.summary = "io_uring IORING_OP_SEND, --qd sends in flight as one "
		   "linked chain (UDP: --batch datagrams); recv() at the "
		   "receiver",
	.probe = uring_probe,
	.memory = uring_memory,
	.fds = 1,	/* the ring */
	.prepare = uring_prepare,
	.send_message = nc_uring_send_message,
	.per_call = nc_uring_per_call,
	.send_datagrams = nc_uring_send_datagrams,
	.send_flush = nc_uring_send_flush,
	.ring_group = &uring_group,
	.recv_some = nc_recv_into_buffer,
	.release = nc_uring_release_flow,
};
