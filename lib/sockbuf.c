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

#include "internal.h"

static int set_one(int fd, int option, uint64_t bytes)
{
	int v = (int)bytes;	/* at most NETCOPY_MAX_SOCKET_BUFFER */

	if (!bytes)
		return 0;
	return setsockopt(fd, SOL_SOCKET, option, &v, sizeof(v)) ? -errno : 0;
}

int nc_sockbuf_apply(int fd, uint64_t sndbuf, uint64_t rcvbuf)
{
	int err = set_one(fd, SO_SNDBUF, sndbuf);

	return err ? err : set_one(fd, SO_RCVBUF, rcvbuf);
}

static int64_t get_one(int fd, int option)
{
	int v = 0;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, option, &v, &len) || v < 0)
		return -1;
	return v;
}

void nc_sockbuf_read(int fd, int64_t *sndbuf, int64_t *rcvbuf)
{
	*sndbuf = get_one(fd, SO_SNDBUF);
	*rcvbuf = get_one(fd, SO_RCVBUF);
}
