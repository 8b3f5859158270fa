/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * local.c - --local-address: the client's source addresses, so that
 * more flows than one address's ephemeral ports reach one server port.
 * The server takes a data connection only from its control connection's
 * address, or over loopback from any loopback address (lib/server/
 * host.c), so off loopback only the first address is of use to it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "client/client.h"

/* One numeric address into l's next place: 0 or -EINVAL. */
static int add_one(struct nc_local *l, const char *text)
{
	struct sockaddr_in *s4 = (void *)&l->addr[l->n];
	struct sockaddr_in6 *s6 = (void *)&l->addr[l->n];

	memset(&l->addr[l->n], 0, sizeof(l->addr[l->n]));
	if (inet_pton(AF_INET, text, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		l->len[l->n++] = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, text, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		l->len[l->n++] = sizeof(*s6);
		return 0;
	}
	return -EINVAL;
}

static int parse(struct netcopy_client *c, const char *list,
		 struct nc_local *l)
{
	char text[INET6_ADDRSTRLEN + 1];

	l->n = 0;
	while (*list) {
		size_t len = strcspn(list, ",");

		if (l->n == NC_MAX_LOCAL)
			return fail(c, -EINVAL, "more than %d addresses",
				    NC_MAX_LOCAL);
		if (!len)
			return fail(c, -EINVAL, "an empty address");
		if (len >= sizeof(text))
			return fail(c, -EINVAL, "'%.*s' is not a numeric IPv4 "
				    "or IPv6 address", (int)len, list);
		memcpy(text, list, len);
		text[len] = '\0';
		if (add_one(l, text))
			return fail(c, -EINVAL, "'%s' is not a numeric IPv4 "
				    "or IPv6 address", text);
		list += len;
		if (*list == ',' && !*++list)
			return fail(c, -EINVAL, "an empty address");
	}
	return 0;
}

NETCOPY_EXPORT int netcopy_client_set_local_address(struct netcopy_client *c,
						    const char *list)
{
	struct nc_local l;
	int err;

	c->detail[0] = '\0';
	err = parse(c, list ? list : "", &l);
	if (!err)
		c->local = l;
	return err;
}

int nc_client_connect(struct netcopy_client *c, uint32_t index, int *fd)
{
	const struct nc_local *l = &c->local;
	uint32_t i = l->n ? index % l->n : 0;
	const struct sockaddr *from = l->n ?
				      (const struct sockaddr *)&l->addr[i] :
				      NULL;

	/* Thousands of flows: one name lookup, not one each. */
	if (c->server_len &&
	    (!from || from->sa_family == c->server.ss_family))
		return nc_connect_to((const struct sockaddr *)&c->server,
				     c->server_len, from, l->len[i], fd,
				     c->detail, sizeof(c->detail));
	return nc_connect_from(c->host, c->port, from, l->len[i], fd,
			       c->detail, sizeof(c->detail));
}
