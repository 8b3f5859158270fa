/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * access.c - who may use the server: --allow, the prefixes connections
 * may come from (judged at accept), and --auth-file, the shared secret
 * a client proves on its control connection (the server's challenge
 * answered with an HMAC of the hello, lib/wire/auth.h) and each data
 * connection in its tag.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"
#include "server/server.h"
#include "wire/auth.h"
#include "wire/wire.h"

/* ---- --allow ---- */

/* One "ADDR[/BITS]" of n bytes into p. */
static int prefix_parse(const char *text, size_t n, struct nc_prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 5], *slash, *end;
	unsigned long bits;
	unsigned int max;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, n);
	buf[n] = '\0';
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, buf, p->addr) == 1)
		p->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, p->addr) == 1)
		p->family = AF_INET6;
	else
		return -EINVAL;
	max = p->family == AF_INET ? 32 : 128;
	bits = max;
	if (slash) {
		if (slash[1] < '0' || slash[1] > '9')
			return -EINVAL;
		errno = 0;
		bits = strtoul(slash + 1, &end, 10);
		if (errno || *end || bits > max)
			return -EINVAL;
	}
	p->bits = (unsigned int)bits;
	for (unsigned int i = p->bits; i < 128; i++)	/* host bits */
		p->addr[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	return 0;
}

int nc_prefixes_parse(const char *text, struct nc_prefix **out,
		      size_t *count)
{
	size_t n = 1, k = 0;
	struct nc_prefix *list;

	for (const char *c = text; *c; c++)
		n += *c == ',';
	list = calloc(n, sizeof(*list));
	if (!list)
		return -ENOMEM;
	for (const char *at = text;; k++) {
		size_t len = strcspn(at, ",");

		if (prefix_parse(at, len, &list[k])) {
			free(list);
			return -EINVAL;
		}
		if (!at[len])
			break;
		at += len + 1;
	}
	*out = list;
	*count = n;
	return 0;
}

/* The first bits of a and b are the same. */
static bool same_bits(const uint8_t *a, const uint8_t *b, unsigned int bits)
{
	unsigned int whole = bits / 8, rest = bits % 8;
	uint8_t mask = (uint8_t)(0xff00u >> rest);

	return memcmp(a, b, whole) == 0 &&
	       (!rest || ((a[whole] ^ b[whole]) & mask) == 0);
}

bool nc_prefixes_match(const struct nc_prefix *list, size_t count,
		       const struct sockaddr *sa)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
	const uint8_t *addr;
	int family = sa->sa_family;

	if (family == AF_INET) {
		addr = (const uint8_t *)
		       &((const struct sockaddr_in *)sa)->sin_addr;
	} else if (family == AF_INET6) {
		addr = s6->sin6_addr.s6_addr;
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			family = AF_INET;	/* a dual-stack socket's */
			addr += 12;
		}
	} else {
		return false;
	}
	for (size_t i = 0; i < count; i++)
		if (list[i].family == family &&
		    same_bits(list[i].addr, addr, list[i].bits))
			return true;
	return false;
}

NETCOPY_EXPORT int netcopy_server_set_allow(struct netcopy_server *srv,
					    const char *prefixes)
{
	struct nc_prefix *list = NULL;
	size_t count = 0;
	int err;

	if (prefixes && (err = nc_prefixes_parse(prefixes, &list, &count)))
		return err;
	free(srv->allow);
	srv->allow = list;
	srv->allow_count = count;
	return 0;
}

bool nc_server_outside_allow(struct netcopy_server *srv, int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char peer[80];

	if (!srv->allow)
		return false;
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0 &&
	    nc_prefixes_match(srv->allow, srv->allow_count,
			      (struct sockaddr *)&ss))
		return false;
	nc_peer_name(fd, peer, sizeof(peer));
	nc_server_log(srv, "%s: refused: not in --allow", peer);
	close(fd);
	return true;
}

/* ---- --auth-file ---- */

NETCOPY_EXPORT int netcopy_server_set_auth(struct netcopy_server *srv,
					   const void *secret, size_t len)
{
	return nc_secret_set(&srv->secret, secret, len);
}

/* Send a fresh challenge and read the proof that answers it. */
static int challenge(struct netcopy_server *srv, int fd,
		     uint8_t chal[NC_CHALLENGE_LEN], struct nc_proof *proof,
		     const char **why)
{
	struct nc_challenge c;
	uint8_t body[NC_MAX_BODY];
	struct nc_header h;
	int len, err = nc_auth_challenge(c.challenge);

	*why = "cannot make a challenge";
	if (err)
		return err;
	memcpy(chal, c.challenge, NC_CHALLENGE_LEN);
	len = nc_challenge_encode(&c, body, sizeof(body));
	err = len < 0 ? len : nc_msg_send(fd, NC_MSG_CHALLENGE, body,
					  (size_t)len);
	*why = "no proof";
	if (!err)
		err = nc_msg_recv(fd, &h, body,
				  (int)(srv->hello_timeout * 1000), why);
	if (!err && h.type != NC_MSG_PROOF) {
		*why = "expected the proof of the secret";
		err = NETCOPY_EPROTOCOL;
	}
	return err ? err : nc_proof_decode(body, h.length, proof, why);
}

int nc_server_authenticate(struct netcopy_server *srv, int fd,
			   const struct nc_params *hello, const uint8_t *body,
			   size_t len, uint8_t chal[NC_CHALLENGE_LEN],
			   const char **why)
{
	uint8_t want[NC_MAC_LEN];
	struct nc_proof proof;
	int err;

	*why = "";
	if (!srv->secret.len && !hello->auth)
		return 0;
	*why = srv->secret.len ? "this server requires --auth-file" :
	       "this server does not authenticate (no --auth-file)";
	if (!srv->secret.len || !hello->auth)
		return NETCOPY_EREFUSED;
	err = challenge(srv, fd, chal, &proof, why);
	if (err)
		return err;
	err = nc_auth_proof(&srv->secret, chal, body, len, want);
	*why = "authentication failed";
	return nc_auth_check(err, want, proof.mac) ? 0 : NETCOPY_EREFUSED;
}

bool nc_tag_authentic(const struct netcopy_server *srv, const struct run *run,
		      const struct nc_tag *tag)
{
	uint8_t want[NC_MAC_LEN];

	if (!run->authed)
		return true;
	return tag->has_mac &&
	       nc_auth_check(nc_auth_tag(&srv->secret, run->id, tag->index,
					 run->challenge, want),
			     want, tag->mac);
}
