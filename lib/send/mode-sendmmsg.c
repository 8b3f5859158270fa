/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mode-sendmmsg.c - UDP only: --batch datagrams handed to the kernel by
 * one sendmmsg(), each from a buffer of its own (so that --verify's
 * pattern, which differs per datagram, costs no copy); the system call
 * is paid once per batch, the kernel's copy of every byte is not.  The
 * receiver reads with recvmmsg().
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "send/engines.h"

struct mmsg_sender {
	struct mmsghdr *msg;
	struct iovec *iov;
	uint8_t *bufs;
	size_t len;			/* of bufs */
	uint32_t batch;
};

static uint32_t sendmmsg_per_call(const struct nc_flow *flow)
{
	return flow->params->batch;
}

/* A batch of datagrams to send, and the receive buffer recvmmsg()'s
 * own (rx/) does without. */
static uint64_t sendmmsg_memory(uint64_t size, uint32_t batch)
{
	return size * batch;
}

static void sendmmsg_release(struct nc_flow *flow)
{
	struct mmsg_sender *m = flow->state;

	if (m) {
		nc_pages_free(m->bufs, m->len);
		free(m->msg);
		free(m->iov);
	}
	free(m);
	flow->state = NULL;
}

static int sendmmsg_prepare(struct nc_flow *flow)
{
	struct mmsg_sender *m = calloc(1, sizeof(*m));
	size_t size = (size_t)flow->size;

	if (!m)
		return -ENOMEM;
	flow->state = m;
	if (!nc_flow_sends(flow))
		return 0;
	m->batch = sendmmsg_per_call(flow);
	m->len = size * m->batch;
	m->msg = calloc(m->batch, sizeof(*m->msg));
	m->iov = calloc(m->batch, sizeof(*m->iov));
	m->bufs = nc_pages_alloc(m->len);
	if (!m->msg || !m->iov || !m->bufs)
		return -ENOMEM;
	for (uint32_t i = 0; i < m->batch; i++) {
		m->iov[i].iov_base = m->bufs + i * size;
		m->iov[i].iov_len = size;
		m->msg[i].msg_hdr.msg_iov = &m->iov[i];
		m->msg[i].msg_hdr.msg_iovlen = 1;
	}
	return 0;
}

/* Up to max (at most the batch) datagrams in one call; the kernel may
 * take fewer, and those not taken go again next call. */
static int sendmmsg_send_datagrams(struct nc_flow *flow, uint32_t max)
{
	struct mmsg_sender *m = flow->state;
	uint32_t n = max < m->batch ? max : m->batch;
	int sent;

	for (uint32_t i = 0; i < n; i++)
		nc_dgram_stamp(&m->iov[i], 1, m->iov[i].iov_len, flow,
			       flow->seq + i);
	sent = sendmmsg(flow->fd, m->msg, n, 0);
	return sent >= 0 ? sent : nc_dgram_sent(sent);
}

const struct netcopy_mode nc_mode_sendmmsg = {
	.name = nc_mode_name_sendmmsg,
	.own_rx = NC_RX_RECVMMSG,
	.summary = "UDP only: sendmmsg() of --batch datagrams a call, "
		   "recvmmsg() at the receiver",
	.memory = sendmmsg_memory,
	.prepare = sendmmsg_prepare,
	.per_call = sendmmsg_per_call,
	.send_datagrams = sendmmsg_send_datagrams,
	.release = sendmmsg_release,
};
