/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sockbuf.c - the data sockets' buffer sizes (--sndbuf, --rcvbuf): set
 * only when asked, so that by default the kernel sizes and autotunes
 * them as it would for any program, and read back at the end of a run,
 * since what the kernel holds is not what was asked: it doubles the
 * request for its own bookkeeping and caps it at net.core.wmem_max /
 * rmem_max, and autotuning grows a buffer nobody set.  Read back only
 * when one was set: the figures then go on the wire, which a peer that
 * predates them would refuse.
 */
#include <errno.h>
#include <sys/socket.h>

#include "flow/flow.h"

static int set_one(int fd, int option, uint64_t bytes)
{
	int v = (int)bytes;	/* at most NETCOPY_MAX_SOCKET_BUFFER */

	if (!bytes)
		return 0;
	return setsockopt(fd, SOL_SOCKET, option, &v, sizeof(v)) ? -errno : 0;
}

int nc_sockbuf_apply(const struct nc_flow *flow)
{
	const struct nc_params *p = flow->params;
	int err = set_one(flow->fd, SO_SNDBUF, nc_params_sockbuf(p, false));

	if (err)
		return err;
	return set_one(flow->fd, SO_RCVBUF, nc_params_sockbuf(p, true));
}

static int64_t get_one(int fd, int option)
{
	int v = 0;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, option, &v, &len) || v < 0)
		return -1;
	return v;
}

void nc_sockbuf_read(struct nc_flow *flow)
{
	const struct nc_params *p = flow->params;

	if (!nc_params_sockbuf(p, false) && !nc_params_sockbuf(p, true))
		return;
	flow->sockbuf.snd = get_one(flow->fd, SO_SNDBUF);
	flow->sockbuf.rcv = get_one(flow->fd, SO_RCVBUF);
}

void nc_sockbuf_figures(struct nc_figures *f, const struct nc_flow *flows,
			uint32_t n)
{
	f->sockbuf = nc_sockbufs_none;
	for (uint32_t i = 0; i < n; i++) {
		const struct nc_sockbufs *b = &flows[i].sockbuf;

		/* A flow that never ran is all zeros: not a size. */
		if (b->snd > 0 && b->snd > f->sockbuf.snd)
			f->sockbuf.snd = b->snd;
		if (b->rcv > 0 && b->rcv > f->sockbuf.rcv)
			f->sockbuf.rcv = b->rcv;
	}
}
