/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * host.c - what the server's per-host limits count by.  A host is an
 * IPv4 address (also when it comes as a v4-mapped IPv6 one), or an IPv6
 * /64: one IPv6 host may rotate through the addresses of its prefix.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "server/server.h"

int nc_host_key(const struct sockaddr *sa, struct nc_host *host)
{
	memset(host, 0, sizeof(*host));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		host->family = AF_INET;
		memcpy(host->addr, &in->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			host->family = AF_INET;
			memcpy(host->addr, &in6->sin6_addr.s6_addr[12], 4);
		} else {
			host->family = AF_INET6;
			memcpy(host->addr, &in6->sin6_addr, 8);	/* the /64 */
		}
		return 0;
	}
	return -EAFNOSUPPORT;
}

bool nc_host_equal(const struct nc_host *a, const struct nc_host *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}
