/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mode-uring-zc.c - io_uring IORING_OP_SEND_ZC (Linux 6.0 and later):
 * the kernel pins a message's pages instead of copying them, completes
 * the send with IORING_CQE_F_MORE and posts a notification
 * (IORING_CQE_F_NOTIF) once it has let go of them, so a slot is written
 * again only after its notification.  Asked to (REPORT_USAGE, 6.2 and
 * later), the notification says whether the kernel had to copy after all
 * (always, on loopback and veth): the ZcCopied column, NA where the
 * kernel refuses to say.  The receiver recv()s.
 */
#include <errno.h>
#include <liburing.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "send/engines.h"

/* Kernel 6.2 and later; liburing 2.3's headers lack it. */
#ifndef IORING_SEND_ZC_REPORT_USAGE
#define IORING_SEND_ZC_REPORT_USAGE (1U << 3)
#endif

static void uring_zc_prep(struct io_uring_sqe *sqe, int fd, void *buf,
			  size_t len, int msg_flags, int buf_index,
			  bool report)
{
	unsigned int zc_flags = report ? IORING_SEND_ZC_REPORT_USAGE : 0;

	if (buf_index >= 0)
		io_uring_prep_send_zc_fixed(sqe, fd, buf, len, msg_flags,
					    zc_flags, (unsigned int)buf_index);
	else
		io_uring_prep_send_zc(sqe, fd, buf, len, msg_flags, zc_flags);
}

static void prep_report(struct io_uring_sqe *sqe, int fd, void *buf,
			size_t len, int msg_flags, int buf_index)
{
	uring_zc_prep(sqe, fd, buf, len, msg_flags, buf_index, true);
}

static void prep_quiet(struct io_uring_sqe *sqe, int fd, void *buf,
		       size_t len, int msg_flags, int buf_index)
{
	uring_zc_prep(sqe, fd, buf, len, msg_flags, buf_index, false);
}

/* About this many bytes of messages may wait for their notifications:
 * TCP keeps a segment, and so its pages, until the peer acknowledges it,
 * and a delayed ACK would stall a ring of only a few batches. */
#define RING_BYTES (8u << 20)
#define MAX_SLOTS 4096u

/* Two batches at least, so one is filled while the last is owed. */
static uint32_t uring_zc_slots(uint64_t size, uint32_t qd)
{
	uint64_t n = RING_BYTES / size;

	return n < 2 * qd ? 2 * qd : n > MAX_SLOTS ? MAX_SLOTS : (uint32_t)n;
}

static const struct nc_uring_ops report_ops = {
	.prep = prep_report,
	.slots = uring_zc_slots,
	.notifies = true,
	.reports_copied = true,
};

static const struct nc_uring_ops quiet_ops = {
	.prep = prep_quiet,
	.slots = uring_zc_slots,
	.notifies = true,
};

static bool report_usage;
static pthread_once_t report_once = PTHREAD_ONCE_INIT;

/* Does the kernel take REPORT_USAGE?  A kernel that does not fails the
 * send's prep with -EINVAL; one that does gets as far as the send, which
 * fails on a socket that is not connected. */
static void check_report_usage(void)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	char byte = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || io_uring_queue_init(2, &ring, 0)) {
		if (fd >= 0)
			close(fd);
		return;
	}
	sqe = io_uring_get_sqe(&ring);
	uring_zc_prep(sqe, fd, &byte, 1, MSG_NOSIGNAL, -1, true);
	if (io_uring_submit_and_wait(&ring, 1) >= 0 &&
	    io_uring_peek_cqe(&ring, &cqe) == 0)
		report_usage = cqe->res != -EINVAL;
	/* Exiting the ring takes any notification along. */
	io_uring_queue_exit(&ring);
	close(fd);
}

static int uring_zc_probe(const char **why)
{
	int err = nc_uring_probe(IORING_OP_SEND_ZC, "this kernel's io_uring "
				 "lacks IORING_OP_SEND_ZC (Linux 6.0 or later "
				 "needed)", why);

	if (!err)
		pthread_once(&report_once, check_report_usage);
	return err;
}

static uint64_t uring_zc_memory(uint64_t size, uint32_t qd)
{
	return nc_uring_memory(&report_ops, size, qd);
}

static int uring_zc_prepare(struct nc_flow *flow)
{
	pthread_once(&report_once, check_report_usage);
	return nc_uring_prepare_flow(flow, report_usage ? &report_ops :
							&quiet_ops);
}

/* Every notification is owed before the slots may go. */
static int uring_zc_send_end(struct nc_flow *flow)
{
	const struct nc_zc_counts *c;
	int err = nc_uring_drain(flow->state);

	c = nc_uring_counts(flow->state);
	flow->zc = *c;
	return err;
}

static uint64_t uring_zc_group_memory(uint64_t size, uint32_t qd, uint32_t n)
{
	return nc_uring_group_memory(&report_ops, size, qd, n);
}

static int uring_zc_group_open(struct nc_flow **flows, uint32_t n,
			       void **ring)
{
	pthread_once(&report_once, check_report_usage);
	return nc_uring_group_open(report_usage ? &report_ops : &quiet_ops,
				   flows, n, ring);
}

static const struct nc_ring_group_ops uring_zc_group =
	NC_URING_GROUP_OPS(uring_zc_group_memory, uring_zc_group_open);

const struct netcopy_mode nc_mode_uring_zc = {
	.name = nc_mode_name_uring_zc,
	.own_rx = NC_RX_RECV,
	.summary = "io_uring IORING_OP_SEND_ZC, --qd sends in flight as one "
		   "linked chain (UDP: --batch datagrams), a buffer reused "
		   "after its notification; recv() at the receiver",
	.fixed_buffers = true,
	.zero_copy = true,
	.probe = uring_zc_probe,
	.memory = uring_zc_memory,
	.fds = 1,	/* the ring */
	.prepare = uring_zc_prepare,
	.send_message = nc_uring_send_message,
	.per_call = nc_uring_per_call,
	.send_datagrams = nc_uring_send_datagrams,
	.send_flush = nc_uring_send_flush,
	.send_end = uring_zc_send_end,
	.ring_group = &uring_zc_group,
	.recv_some = nc_recv_into_buffer,
	.release = nc_uring_release_flow,
};
