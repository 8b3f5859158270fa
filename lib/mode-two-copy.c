/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mode-two-copy.c - send() of one contiguous buffer; the receiver recv()s.
 * The message is built in user space, then the kernel copies it again. */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

static int two_copy_send(struct nc_flow *flow)
{
	size_t size = (size_t)flow->size;
	uint8_t *buf = flow->state;
	int err = 0;

	flow->first_ns = nc_now_ns();
	while (!atomic_load_explicit(flow->stop, memory_order_relaxed)) {
		if (flow->verify)
			nc_pattern_fill(buf, size, flow->index, flow->messages,
					0);
		err = nc_send_all(flow->fd, buf, size, 0);
		if (err)
			break;
		flow->messages++;
	}
	flow->bytes = flow->messages * size;
	return err ? err : nc_send_finish(flow);
}

const struct netcopy_mode nc_mode_two_copy = {
	.name = "two-copy",
	.summary = "send() of one contiguous buffer, recv() at the receiver",
	.memory = nc_recv_stream_memory,
	.prepare = nc_buffer_prepare,
	.send = two_copy_send,
	.recv = nc_recv_stream,
	.release = nc_buffer_release,
};
