/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * zc-books.c - a MSG_ZEROCOPY sender's books (mode-zero-copy.c): which
 * of its ring's slots the kernel still holds, by the ids of the sends
 * made from them, and the notifications that give them back, read from
 * the socket's error queue.  Each notification is an inclusive range
 * of send ids, flagged SO_EE_CODE_ZEROCOPY_COPIED when the kernel had
 * to copy after all.
 */
#include <errno.h>
#include <time.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "send/engines.h"

size_t nc_zc_stride(uint64_t size)
{
	uint64_t align = size >= 4096 ? 4096 : 64;

	return (size_t)((size + align - 1) / align * align);
}

void nc_zc_free(struct nc_zc_sender *z)
{
	if (z->ring_len)
		nc_pages_free(z->ring, z->ring_len);
	free(z->pending);
	free(z->id_slot);
	free(z->id_done);
}

/* SO_ZEROCOPY on fd, and the books of slots slots of size bytes each;
 * the ring is the caller's to give. */
int nc_zc_init_books(struct nc_zc_sender *z, int fd, uint64_t size,
		     uint32_t slots)
{
	int one = 1;

	memset(z, 0, sizeof(*z));
	z->fd = fd;
	z->slots = slots;
	z->stride = nc_zc_stride(size);
	z->id_cap = z->slots * 4;
	if (setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)))
		return errno == ENOPROTOOPT ? NETCOPY_EUNSUPPORTED : -errno;
	z->pending = calloc(z->slots, sizeof(*z->pending));
	z->id_slot = calloc(z->id_cap, sizeof(*z->id_slot));
	z->id_done = calloc(z->id_cap, 1);
	if (!z->pending || !z->id_slot || !z->id_done) {
		nc_zc_free(z);
		return -ENOMEM;
	}
	return 0;
}

/* A ring of slots of size bytes each, within what memory says. */
int nc_zc_init(struct nc_zc_sender *z, int fd, uint64_t size, uint32_t slots)
{
	int err = nc_zc_init_books(z, fd, size, slots);

	if (err)
		return err;
	z->ring_len = z->slots * z->stride;
	z->ring = nc_pages_alloc(z->ring_len);
	if (!z->ring) {
		z->ring_len = 0;
		nc_zc_free(z);
		return -ENOMEM;
	}
	return 0;
}

/* Account one notification: ids lo..hi (inclusive, may wrap). */
static int zc_complete(struct nc_zc_sender *z, uint32_t lo, uint32_t hi,
		       bool copied)
{
	uint32_t count = hi - lo + 1;

	for (uint32_t i = 0; i < count; i++) {
		uint32_t id = lo + i, at = id % z->id_cap;

		if (id - z->oldest >= nc_zc_outstanding(z) || z->id_done[at])
			return NETCOPY_EPROTOCOL;	/* never sent */
		z->id_done[at] = 1;
		z->pending[z->id_slot[at]]--;
		z->counts.completions++;
		z->counts.copied += copied;
	}
	while (nc_zc_outstanding(z) && z->id_done[z->oldest % z->id_cap]) {
		z->id_done[z->oldest % z->id_cap] = 0;
		z->oldest++;
	}
	return 0;
}

/* Read one message of the error queue: 1 if it held completions, 0 if
 * the queue was empty, else an error. */
static int zc_read_errqueue(struct nc_zc_sender *z)
{
	char control[CMSG_SPACE(sizeof(struct sock_extended_err)) + 64];
	struct msghdr msg = { .msg_control = control,
			      .msg_controllen = sizeof(control) };
	struct cmsghdr *cm;
	int got = 0;

	if (recvmsg(z->fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		struct sock_extended_err serr;
		int err;

		if (!((cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_RECVERR) ||
		      (cm->cmsg_level == SOL_IPV6 &&
		       cm->cmsg_type == IPV6_RECVERR)))
			continue;
		memcpy(&serr, CMSG_DATA(cm), sizeof(serr));
		if (serr.ee_origin != SO_EE_ORIGIN_ZEROCOPY)
			return serr.ee_errno ? -(int)serr.ee_errno : -EIO;
		err = zc_complete(z, serr.ee_info, serr.ee_data,
				  serr.ee_code & SO_EE_CODE_ZEROCOPY_COPIED);
		if (err)
			return err;
		z->counts.notifications++;
		got = 1;
	}
	return got;
}

/* Read notifications until one holds completions, waiting for it when
 * the queue is empty (and calling it lost after NC_OWED_WAIT_NS, or
 * once by_ns has passed where it is set).
 * Callers reap only when they need a completion: the kernel merges the
 * notifications of consecutive sends while they wait in the queue, so
 * reading late takes fewer system calls than reading after every send. */
int nc_zc_reap_by(struct nc_zc_sender *z, uint64_t by_ns)
{
	uint64_t deadline = by_ns;

	for (;;) {
		struct pollfd pfd = { .fd = z->fd, .events = 0 };
		int got = zc_read_errqueue(z);

		if (got)
			return got < 0 ? got : 0;
		if (!deadline)
			deadline = nc_now_ns() + NC_OWED_WAIT_NS;
		else if (nc_now_ns() > deadline)
			return NETCOPY_ECOMPLETION;
		/* POLLERR means the error queue has something; a dead
		 * connection keeps POLLHUP up, so then wait a little. */
		if (poll(&pfd, 1, 100) > 0 && !(pfd.revents & POLLERR))
			usleep(1000);
	}
}

int nc_zc_reap_one(struct nc_zc_sender *z)
{
	return nc_zc_reap_by(z, 0);
}

/* Every notification the queue holds now, without waiting. */
int nc_zc_reap_ready(struct nc_zc_sender *z)
{
	int got;

	while ((got = zc_read_errqueue(z)) > 0)
		;
	return got;
}

int nc_zc_reap_next(struct nc_zc_sender *z)
{
	int got = zc_read_errqueue(z);

	return got < 0 ? got : 0;
}

/* A sendmsg() from slot sent something: it used the next id. */
void nc_zc_sent(struct nc_zc_sender *z, uint32_t slot)
{
	z->id_slot[z->next_id % z->id_cap] = slot;
	z->pending[slot]++;
	z->next_id++;
	z->counts.sends++;
}
