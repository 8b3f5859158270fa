/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rx.c - the receive path a run asks for with --rx, in place of the
 * mode's own receive call: recv() into one buffer, recvmsg() scattering
 * the message's fields (scatter.c), or TCP_ZEROCOPY_RECEIVE
 * (rx-zero-copy.c).  Only the receiving side of a flow changes, so every
 * path works under every mode.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const names[] = {
	[NC_RX_MODE] = "mode",
	[NC_RX_RECV] = "recv",
	[NC_RX_RECVMSG] = "recvmsg",
	[NC_RX_ZERO_COPY] = "zero-copy",
};

struct rx {
	uint8_t *buf;			/* recv, and zero-copy's copies */
	size_t cap;
	struct nc_scatter scatter;	/* recvmsg */
	struct nc_rx_zc *zc;
};

const char *nc_rx_name(uint8_t rx)
{
	return rx <= NC_RX_LAST ? names[rx] : NULL;
}

int nc_rx_parse(const char *name, uint8_t *rx)
{
	for (uint8_t i = 0; name && i <= NC_RX_LAST; i++) {
		if (strcmp(name, names[i]) == 0) {
			*rx = i;
			return 0;
		}
	}
	return -EINVAL;
}

int nc_rx_probe(uint8_t rx, const char **why)
{
	if (rx == NC_RX_ZERO_COPY && !nc_rx_zc_built) {
		*why = "zero-copy receive: not built (linux/tcp.h had no "
		       "TCP_ZEROCOPY_RECEIVE)";
		return NETCOPY_EUNSUPPORTED;
	}
	return 0;
}

uint64_t nc_rx_memory(uint8_t rx, uint64_t size)
{
	switch (rx) {
	case NC_RX_RECV:
	case NC_RX_ZERO_COPY:	/* the copy buffer; the mapping is the
				 * socket's own pages */
		return nc_recv_buffer_size(size);
	case NC_RX_RECVMSG:
		return size;
	default:
		return 0;
	}
}

int nc_rx_prepare(struct nc_flow *flow)
{
	struct rx *rx = calloc(1, sizeof(*rx));

	if (!rx)
		return -ENOMEM;
	flow->rx_state = rx;
	switch (flow->params->rx) {
	case NC_RX_RECVMSG:
		return nc_scatter_init(&rx->scatter, flow->size);
	case NC_RX_ZERO_COPY:
		flow->rx_zc_mapped = flow->rx_zc_copied = 0;
		return nc_rx_zc_open(&rx->zc, flow);
	default:
		rx->cap = (size_t)nc_recv_buffer_size(flow->size);
		rx->buf = nc_pages_alloc(rx->cap);
		return rx->buf ? 0 : -ENOMEM;
	}
}

void nc_rx_release(struct nc_flow *flow)
{
	struct rx *rx = flow->rx_state;

	if (!rx)
		return;
	nc_pages_free(rx->buf, rx->cap);
	nc_scatter_free(&rx->scatter);
	nc_rx_zc_close(rx->zc);
	free(rx);
	flow->rx_state = NULL;
}

ssize_t nc_rx_recv_some(struct nc_flow *flow, size_t max)
{
	struct rx *rx = flow->rx_state;

	switch (flow->params->rx) {
	case NC_RX_RECVMSG:
		return nc_scatter_recv(flow, &rx->scatter);
	case NC_RX_ZERO_COPY:
		return nc_rx_zc_recv(flow, rx->zc, max);
	default:
		return nc_recv_into(flow, rx->buf, rx->cap, max);
	}
}
