/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * host.c - who a peer is, for the per-host limits: an IPv4 address, or
 * an IPv6 /64 (one IPv6 host can rotate through its prefix at will).
 * An IPv4-mapped IPv6 address (a dual-stack listener's IPv4 peer) is
 * its IPv4 address.  Loopback addresses (127.0.0.0/8, ::1) are all
 * this host's, which alone can send from them: one origin, and one
 * host, so that a client spreading over 127/8 (--local-address) is
 * held to one host's limits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "server/server.h"

int nc_host_addr(const struct sockaddr *sa, struct nc_host *h)
{
	memset(h, 0, sizeof(*h));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		h->addr[10] = h->addr[11] = 0xff;	/* ::ffff:a.b.c.d */
		memcpy(h->addr + 12, &s4->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		memcpy(h->addr, &s6->sin6_addr, sizeof(h->addr));
		return 0;
	}
	return -EAFNOSUPPORT;
}

static bool is_v4(const struct nc_host *h)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	return memcmp(h->addr, mapped, sizeof(mapped)) == 0;
}

static bool is_loopback(const struct nc_host *h)
{
	static const uint8_t one[16] = { [15] = 1 };

	return is_v4(h) ? h->addr[12] == 127 :
			  memcmp(h->addr, one, sizeof(one)) == 0;
}

/* The key of every loopback address: ::ffff:127.0.0.0, the network. */
static void loopback_key(struct nc_host *key)
{
	memset(key->addr, 0, sizeof(key->addr));
	key->addr[10] = key->addr[11] = 0xff;
	key->addr[12] = 127;
}

int nc_host_key(const struct sockaddr *sa, struct nc_host *key)
{
	int err = nc_host_addr(sa, key);

	if (err)
		return err;
	if (is_loopback(key))
		loopback_key(key);
	else if (!is_v4(key))
		memset(key->addr + 8, 0, 8);	/* the /64 */
	return 0;
}

bool nc_host_equal(const struct nc_host *a, const struct nc_host *b)
{
	return memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

bool nc_host_same_origin(const struct nc_host *a, const struct nc_host *b)
{
	return nc_host_equal(a, b) || (is_loopback(a) && is_loopback(b));
}

const char *nc_host_name(const struct nc_host *key, char *buf, size_t cap)
{
	char text[INET6_ADDRSTRLEN];
	bool v4 = is_v4(key);

	if (is_loopback(key)) {
		snprintf(buf, cap, "loopback");
		return buf;
	}
	inet_ntop(v4 ? AF_INET : AF_INET6, key->addr + (v4 ? 12 : 0), text,
		  sizeof(text));
	snprintf(buf, cap, "%s%s", text, v4 ? "" : "/64");
	return buf;
}
