/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * udp-link.c - a UDP flow's socket, tied to its data connection (the
 * link) so the server never reflects: it sends only to the address its
 * cookie came back from, and only if that is the link's peer.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flow/flow.h"

/* How often the client sends its cookie until the server has it. */
#define COOKIE_EVERY_MS 20

static socklen_t addr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
					   sizeof(struct sockaddr_in);
}

static void set_port(struct sockaddr_storage *ss, uint32_t port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
}

/* Whether two addresses are one host (the port left out). */
static bool same_host(const struct sockaddr_storage *a,
		      const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			      &((const struct sockaddr_in6 *)b)->sin6_addr,
			      sizeof(struct in6_addr)) == 0;
	return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
	       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
}

/* A UDP socket on the link's own address (port 0: any). */
static int open_beside(int link_fd, int *udp_fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd;

	if (getsockname(link_fd, (struct sockaddr *)&ss, &len))
		return -errno;
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	set_port(&ss, 0);
	if (bind(fd, (struct sockaddr *)&ss, addr_len(&ss))) {
		int err = -errno;

		close(fd);
		return err;
	}
	*udp_fd = fd;
	return 0;
}

uint64_t nc_udp_max_size(int link_fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	/* A dual-stack socket's IPv4 peer is an IPv4 path all the same. */
	if (getsockname(link_fd, (struct sockaddr *)&ss, &len) == 0 &&
	    ss.ss_family == AF_INET6 &&
	    !IN6_IS_ADDR_V4MAPPED(&((struct sockaddr_in6 *)&ss)->sin6_addr))
		return NC_DGRAM_MAX_IPV6;
	return NC_DGRAM_MAX_IPV4;
}

uint64_t nc_udp_path_payload(int link_fd, int *mtu)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss), mlen = sizeof(*mtu);
	bool v6;
	int fd, err, hdrs;

	if (getpeername(link_fd, (struct sockaddr *)&ss, &len))
		return 0;
	v6 = ss.ss_family == AF_INET6;
	/* A dual-stack socket's IPv4 peer is an IPv4 path all the same. */
	hdrs = v6 && !IN6_IS_ADDR_V4MAPPED(
		&((struct sockaddr_in6 *)&ss)->sin6_addr) ? 40 + 8 : 20 + 8;
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	/* Connecting a UDP socket sends nothing: it picks the route. */
	err = connect(fd, (struct sockaddr *)&ss, len) ||
	      getsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
			 v6 ? IPV6_MTU : IP_MTU, mtu, &mlen);
	close(fd);
	if (err || *mtu <= hdrs)
		return 0;
	return (uint64_t)(*mtu - hdrs);
}

int nc_udp_link_open(int link_fd, int *udp_fd, uint32_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int err = open_beside(link_fd, udp_fd);

	if (err)
		return err;
	if (getsockname(*udp_fd, (struct sockaddr *)&ss, &len)) {
		err = -errno;
		close(*udp_fd);
		*udp_fd = -1;
		return err;
	}
	*port = ntohs(ss.ss_family == AF_INET6 ?
		      ((struct sockaddr_in6 *)&ss)->sin6_port :
		      ((struct sockaddr_in *)&ss)->sin_port);
	return 0;
}

/* One datagram waiting on fd: the cookie, from the link's peer? */
static bool cookie_from(int fd, const struct sockaddr_storage *peer,
			uint64_t cookie, struct sockaddr_storage *from)
{
	uint8_t buf[NC_DGRAM_HDR_LEN];
	struct iovec iov = { buf, sizeof(buf) };
	socklen_t len = sizeof(*from);
	struct nc_dgram_hdr h;
	ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)from, &len);

	return n == sizeof(buf) && !nc_dgram_read(&iov, 1, (size_t)n, &h) &&
	       h.kind == NC_DGRAM_COOKIE && h.seq == cookie &&
	       same_host(from, peer);
}

int nc_udp_link_await(int udp_fd, int link_fd, uint64_t cookie,
		      int timeout_ms)
{
	uint64_t end = nc_now_ns() + (uint64_t)timeout_ms * 1000000;
	struct pollfd pfd[2] = { { .fd = udp_fd, .events = POLLIN },
				 { .fd = link_fd, .events = POLLIN } };
	struct sockaddr_storage peer, from;
	socklen_t len = sizeof(peer);

	if (getpeername(link_fd, (struct sockaddr *)&peer, &len))
		return -errno;
	for (;;) {
		uint64_t now = nc_now_ns();

		if (now >= end)
			return -ETIMEDOUT;
		if (poll(pfd, 2, (int)((end - now) / 1000000 + 1)) < 0 &&
		    errno != EINTR)
			return -errno;
		if (pfd[1].revents)	/* the client says nothing here */
			return -ECONNRESET;
		if (!(pfd[0].revents & POLLIN) ||
		    !cookie_from(udp_fd, &peer, cookie, &from))
			continue;
		if (connect(udp_fd, (struct sockaddr *)&from, addr_len(&from)))
			return -errno;
		return 0;
	}
}

int nc_udp_link_connect(int link_fd, uint32_t port, uint64_t cookie,
			int timeout_ms, int *udp_fd)
{
	uint8_t buf[NC_DGRAM_HDR_LEN];
	struct iovec iov = { buf, sizeof(buf) };
	struct nc_dgram_hdr h = { NC_DGRAM_COOKIE, 0, cookie, 0 };
	struct pollfd pfd = { .fd = link_fd, .events = POLLIN };
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	int err = open_beside(link_fd, udp_fd);

	if (err)
		return err;
	if (getpeername(link_fd, (struct sockaddr *)&peer, &len))
		goto fail;
	set_port(&peer, port);
	if (connect(*udp_fd, (struct sockaddr *)&peer, addr_len(&peer)))
		goto fail;
	nc_dgram_write(&iov, 1, &h);
	for (int waited = 0; waited < timeout_ms; waited += COOKIE_EVERY_MS) {
		/* A lost cookie is sent again; a refused one too. */
		send(*udp_fd, buf, sizeof(buf), 0);
		if (poll(&pfd, 1, COOKIE_EVERY_MS) > 0)
			return 0;
	}
	errno = ETIMEDOUT;
fail:
	err = -errno;
	close(*udp_fd);
	*udp_fd = -1;
	return err;
}
