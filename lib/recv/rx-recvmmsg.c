/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rx-recvmmsg.c - --rx recvmmsg, UDP's only: up to RX_BATCH datagrams a
 * system call (MSG_WAITFORONE: it waits for the first, within the
 * socket's timeout, and takes what else is queued), each into a buffer
 * of its own, handed to the loop one at a time.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "recv/recv.h"

/* Datagrams one call may take. */
#define RX_BATCH 32

struct rx_mmsg {
	struct mmsghdr msg[RX_BATCH];
	struct iovec iov[RX_BATCH];
	uint8_t *bufs;
	size_t size;			/* of one buffer: a datagram */
	unsigned int got, next;		/* of the last call's */
};

static uint64_t mmsg_memory(uint64_t size)
{
	return size * RX_BATCH;
}

static int mmsg_prepare(struct nc_flow *flow)
{
	struct rx_mmsg *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	flow->rx_state = m;
	m->size = (size_t)flow->size;
	m->bufs = nc_pages_alloc(m->size * RX_BATCH);
	if (!m->bufs)
		return -ENOMEM;
	for (unsigned int i = 0; i < RX_BATCH; i++) {
		m->iov[i].iov_base = m->bufs + i * m->size;
		m->iov[i].iov_len = m->size;
		m->msg[i].msg_hdr.msg_iov = &m->iov[i];
		m->msg[i].msg_hdr.msg_iovlen = 1;
	}
	return 0;
}

static ssize_t mmsg_recv_datagram(struct nc_flow *flow,
				  const struct iovec **iov, size_t *cnt)
{
	struct rx_mmsg *m = flow->rx_state;
	const struct mmsghdr *h;
	int n;

	if (m->next == m->got) {
		do
			n = recvmmsg(flow->fd, m->msg, RX_BATCH,
				     MSG_WAITFORONE, NULL);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		m->got = (unsigned int)n;
		m->next = 0;
		flow->rx_calls++;
		if (!n)
			return -ETIMEDOUT;
	}
	h = &m->msg[m->next];
	*iov = &m->iov[m->next++];
	*cnt = 1;
	/* A datagram longer than the buffer was cut: say it was longer. */
	return h->msg_hdr.msg_flags & MSG_TRUNC ? (ssize_t)m->size + 1 :
						  (ssize_t)h->msg_len;
}

static bool mmsg_held(const struct nc_flow *flow)
{
	const struct rx_mmsg *m = flow->rx_state;

	return m->next < m->got;
}

static void mmsg_release(struct nc_flow *flow)
{
	struct rx_mmsg *m = flow->rx_state;

	nc_pages_free(m->bufs, m->size * RX_BATCH);
	free(m);
}

const struct nc_rx_ops nc_rx_recvmmsg = {
	.name = "recvmmsg",
	.memory = mmsg_memory,
	.prepare = mmsg_prepare,
	.recv_datagram = mmsg_recv_datagram,
	.held = mmsg_held,
	.release = mmsg_release,
};
