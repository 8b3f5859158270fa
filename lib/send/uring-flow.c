/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* uring-flow.c - the io_uring engines' prepare, release and sends of a
 * flow, over the ring of uring-ring.c.  Over UDP a batch is --batch
 * datagrams, a send each, linked in order and submitted by one
 * io_uring_enter(): the call DatagramsPerCall counts. */
#include <errno.h>
#include <stdint.h>

#include "send/engines.h"

/* The flow's ring for a sender; a receiver's plain buffer.  Both
 * engines' prepare. */
int nc_uring_prepare_flow(struct nc_flow *flow,
			  const struct nc_uring_ops *ops)
{
	struct nc_uring *u;
	int err = nc_buffers_prepare(flow, false, nc_flow_receives(flow));

	if (err || !nc_flow_sends(flow))
		return err;
	/* --flows above -t: the thread's ring is its group's. */
	if (nc_params_flows(flow->params) > flow->params->threads)
		return 0;
	err = nc_uring_open(&u, ops, flow->fd, flow->size,
			    nc_uring_per_call(flow),
			    flow->params->fixed_buffers);
	flow->state = u;
	return err;
}

void nc_uring_release_flow(struct nc_flow *flow)
{
	nc_uring_close(flow->state);
	flow->state = NULL;
	nc_buffers_release(flow);
}

/* One message through the ring: stamped when verifying, sent with its
 * batch, or at once in rr, where the peer waits for each. */
int nc_uring_send_message(struct nc_flow *flow)
{
	struct nc_uring *u = flow->state;
	uint8_t *buf;
	int err = nc_uring_next_buffer(u, &buf);

	if (err)
		return err;
	if (flow->verify)
		nc_pattern_fill(buf, (size_t)flow->size, flow->index,
				flow->seq, 0);
	return nc_uring_queue(u, (size_t)flow->size,
			      flow->params->workload == NC_WORKLOAD_RR);
}

uint32_t nc_uring_per_call(const struct nc_flow *flow)
{
	const struct nc_params *p = flow->params;

	return p->proto == NC_PROTO_UDP ? p->batch : p->qd;
}

int nc_uring_send_datagrams(struct nc_flow *flow, uint32_t max)
{
	struct nc_uring *u = flow->state;
	uint32_t batch = nc_uring_per_call(flow);
	uint32_t n = max < batch ? max : batch;
	size_t size = (size_t)flow->size;
	int err = 0;

	for (uint32_t i = 0; i < n && !err; i++) {
		struct iovec iov = { NULL, size };
		uint8_t *buf;

		err = nc_uring_next_buffer(u, &buf);
		if (err)
			break;
		iov.iov_base = buf;
		nc_dgram_stamp(&iov, 1, size, flow, flow->seq + i);
		err = nc_uring_queue(u, size, i + 1 == n);
	}
	if (err == -ECONNREFUSED)	/* an ICMP: the chain went no further */
		return 0;
	return err ? err : (int)n;
}

int nc_uring_send_flush(struct nc_flow *flow)
{
	return nc_uring_flush(flow->state);
}
