/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* net.c - socket plumbing shared by the client, the server and engines. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/base.h"
#include "wire/wire.h"

/* Read exactly len bytes before the deadline (0: none). */
static int read_full(int fd, void *buf, size_t len, uint64_t deadline)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n;

		if (deadline) {
			uint64_t now = nc_now_ns();
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			int ms, r;

			/* Past the deadline, what has already come is
			 * still read: a reader that ran late is no
			 * reason to drop a peer that was on time. */
			ms = now >= deadline ? 0 :
			     (int)((deadline - now + 999999) / 1000000);
			r = poll(&pfd, 1, ms);
			if (r < 0 && errno != EINTR)
				return -errno;
			if (r == 0 && now >= deadline)
				return -ETIMEDOUT;
			if (r <= 0)
				continue;
		}
		n = recv(fd, p, len, 0);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (n == 0)
			return -ECONNRESET;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int nc_msg_send(int fd, uint16_t type, const uint8_t *body, size_t len)
{
	uint8_t msg[NC_HEADER_LEN + NC_MAX_BODY];

	if (len > NC_MAX_BODY)
		return -EMSGSIZE;
	nc_header_encode(msg, type, (uint32_t)len);
	memcpy(msg + NC_HEADER_LEN, body, len);
	return nc_send_all(fd, msg, NC_HEADER_LEN + len, 0);
}

int nc_msg_recv(int fd, struct nc_header *h, uint8_t body[NC_MAX_BODY],
		int timeout_ms, const char **why)
{
	uint64_t deadline = 0;
	uint8_t head[NC_HEADER_LEN];
	int err;

	if (timeout_ms >= 0)
		deadline = nc_now_ns() + (uint64_t)timeout_ms * 1000000u + 1;
	err = read_full(fd, head, sizeof(head), deadline);
	if (err)
		return err;
	err = nc_header_decode(head, h, why);
	if (err)
		return err;
	return read_full(fd, body, h->length, deadline);
}

int nc_set_io_timeout(int fd, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };

	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -errno;
	return 0;
}

/* Bind s to local, its port left to connect() so that ports are
 * unique per 4-tuple rather than per source address. */
static int bind_local(int s, const struct sockaddr *local, socklen_t len)
{
	int one = 1;

	if (!local)
		return 0;
#ifdef IP_BIND_ADDRESS_NO_PORT
	setsockopt(s, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
#endif
	return bind(s, local, len) ? -errno : 0;
}

static void local_name(const struct sockaddr *local, socklen_t len,
		       char *buf, size_t cap)
{
	if (getnameinfo(local, len, buf, cap, NULL, 0, NI_NUMERICHOST))
		snprintf(buf, cap, "?");
}

/* One address: 0 with *fd, else -errno (*bound false: the bind to
 * local failed, and no other address of the server will do better). */
static int connect_one(const struct sockaddr *to, socklen_t to_len,
		       int socktype, int protocol, const struct sockaddr *local,
		       socklen_t local_len, int *fd, bool *bound)
{
	int s = socket(to->sa_family, socktype | SOCK_CLOEXEC, protocol);
	int err;

	*bound = true;
	if (s < 0)
		return -errno;
	err = bind_local(s, local, local_len);
	if (err) {
		*bound = false;
		close(s);
		return err;
	}
	if (connect(s, to, to_len) == 0) {
		*fd = s;
		return 0;
	}
	err = -errno;
	close(s);
	return err;
}

static int bind_failed(const struct sockaddr *local, socklen_t local_len,
		       int err, char *detail, size_t detail_len)
{
	char from[NI_MAXHOST];

	local_name(local, local_len, from, sizeof(from));
	snprintf(detail, detail_len, "cannot bind to local address %s: %s",
		 from, strerror(-err));
	return err;
}

int nc_connect_to(const struct sockaddr *to, socklen_t to_len,
		  const struct sockaddr *local, socklen_t local_len, int *fd,
		  char *detail, size_t detail_len)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	bool bound;
	int err = connect_one(to, to_len, SOCK_STREAM, 0, local, local_len,
			      fd, &bound);

	if (!err)
		return 0;
	if (!bound)
		return bind_failed(local, local_len, err, detail, detail_len);
	if (getnameinfo(to, to_len, host, sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV))
		snprintf(host, sizeof(host), "?");
	snprintf(detail, detail_len, "cannot connect to %s port %s: %s", host,
		 serv, strerror(-err));
	return err;
}

int nc_connect_from(const char *host, unsigned int port,
		    const struct sockaddr *local, socklen_t local_len, int *fd,
		    char *detail, size_t detail_len)
{
	/* local sets the family; AI_ADDRCONFIG would refuse even it on a
	 * host (a namespace) with loopback alone. */
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = local ? 0 : AI_ADDRCONFIG,
				  .ai_family = local ? local->sa_family :
						       AF_UNSPEC };
	struct addrinfo *list, *ai;
	char service[8], from[NI_MAXHOST];
	int err = -EHOSTUNREACH, rc;
	bool bound = true;

	snprintf(service, sizeof(service), "%u", port);
	rc = getaddrinfo(host, service, &hints, &list);
	if (rc && local) {
		local_name(local, local_len, from, sizeof(from));
		snprintf(detail, detail_len, "local address %s is IPv%c, "
			 "but %s has no IPv%c address: %s", from,
			 local->sa_family == AF_INET ? '4' : '6', host,
			 local->sa_family == AF_INET ? '4' : '6',
			 gai_strerror(rc));
		return -EAFNOSUPPORT;
	}
	if (rc) {
		snprintf(detail, detail_len, "cannot resolve %s: %s", host,
			 gai_strerror(rc));
		return -EHOSTUNREACH;
	}
	for (ai = list; ai; ai = ai->ai_next) {
		err = connect_one(ai->ai_addr, ai->ai_addrlen, ai->ai_socktype,
				  ai->ai_protocol, local, local_len, fd,
				  &bound);
		if (!err || !bound)
			break;
	}
	freeaddrinfo(list);
	if (!err)
		return 0;
	if (!bound)
		return bind_failed(local, local_len, err, detail, detail_len);
	snprintf(detail, detail_len, "cannot connect to %s port %u: %s", host,
		 port, strerror(-err));
	return err;
}

int nc_connect(const char *host, unsigned int port, int *fd, char *detail,
	       size_t detail_len)
{
	return nc_connect_from(host, port, NULL, 0, fd, detail, detail_len);
}

void nc_addr_name(const struct sockaddr *sa, socklen_t sl, char *buf,
		  size_t len)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getnameinfo(sa, sl, host, sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV)) {
		snprintf(buf, len, "unknown peer");
		return;
	}
	snprintf(buf, len, "%s port %s", host, serv);
}

void nc_peer_name(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &sl)) {
		snprintf(buf, len, "unknown peer");
		return;
	}
	nc_addr_name((struct sockaddr *)&ss, sl, buf, len);
}
