/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* buffers.c - the one buffer each way that most engines send from and
 * receive into, and the checked recv() they read with. */
#include <errno.h>
#include <sys/socket.h>

#include "engine/engine.h"

/* The receive buffer: a message, but never less than 64 KiB, so small
 * messages are not read one system call each. */
#define MIN_RECV_BUFFER (64u << 10)

uint64_t nc_recv_buffer_size(uint64_t size)
{
	return size > MIN_RECV_BUFFER ? size : MIN_RECV_BUFFER;
}

/* --rx-size larger than that default needs a larger buffer; a smaller
 * one only shortens the reads (nc_recv_some). */
size_t nc_recv_cap(const struct nc_flow *flow)
{
	uint64_t cap = nc_recv_buffer_size(flow->size);

	return (size_t)(flow->params->rx_size > cap ? flow->params->rx_size :
			cap);
}

uint64_t nc_rx_size_memory(const struct nc_params *p)
{
	uint64_t cap = nc_recv_buffer_size(p->size);

	return p->rx_size > cap ? p->rx_size - cap : 0;
}

uint64_t nc_buffers_memory(uint64_t size, uint32_t qd)
{
	return nc_recv_buffer_size(size);
}

int nc_buffers_prepare(struct nc_flow *flow, bool send, bool recv)
{
	if (send && !(flow->send_buf = nc_pages_alloc((size_t)flow->size)))
		return -ENOMEM;
	if (recv) {
		flow->recv_cap = nc_recv_cap(flow);
		flow->recv_buf = nc_pages_alloc(flow->recv_cap);
		if (!flow->recv_buf)
			return -ENOMEM;
	}
	return 0;
}

int nc_buffers_prepare_flow(struct nc_flow *flow)
{
	return nc_buffers_prepare(flow, nc_flow_sends(flow),
				  nc_flow_receives(flow));
}

void nc_buffers_release(struct nc_flow *flow)
{
	nc_pages_free(flow->send_buf, (size_t)flow->size);
	nc_pages_free(flow->recv_buf, flow->recv_cap);
	flow->send_buf = flow->recv_buf = NULL;
}

ssize_t nc_recv_into(struct nc_flow *flow, void *buf, size_t cap, size_t max)
{
	ssize_t n;

	do
		n = recv(flow->fd, buf, max < cap ? max : cap, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	if (n > 0 && flow->verify)
		nc_verifier_feed(&flow->verifier, buf, (size_t)n);
	return n;
}

ssize_t nc_recv_into_buffer(struct nc_flow *flow, size_t max)
{
	return nc_recv_into(flow, flow->recv_buf, flow->recv_cap, max);
}
