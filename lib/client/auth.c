/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * auth.c - the client's side of authentication (--auth-file): its
 * secret, the proof that answers the server's challenge, and the MACs
 * of its data tags (the HMACs in lib/wire/auth.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "client/client.h"
#include "wire/auth.h"
#include "wire/wire.h"

NETCOPY_EXPORT int netcopy_client_set_auth(struct netcopy_client *c,
					   const void *secret, size_t len)
{
	int err = nc_secret_set(&c->secret, secret, len);

	if (err == NETCOPY_EUNSUPPORTED)
		return fail(c, err, "built without authentication "
			    "(libsodium)");
	if (err == -EINVAL)
		return fail(c, err, "a secret of %zu bytes: %u to %u are "
			    "needed", len, NETCOPY_MIN_SECRET,
			    NETCOPY_MAX_SECRET);
	if (err)
		return fail(c, err, "libsodium: %s", netcopy_strerror(err));
	c->p.auth = len > 0;
	return 0;
}

int nc_client_prove(struct netcopy_client *c, int ctrl, const uint8_t *hello,
		    size_t len)
{
	struct nc_proof proof;
	uint8_t body[64];
	int n, err;

	err = nc_auth_proof(&c->secret, c->challenge.challenge, hello, len,
			    proof.mac);
	n = err ? err : nc_proof_encode(&proof, body, sizeof(body));
	err = n < 0 ? n : nc_msg_send(ctrl, NC_MSG_PROOF, body, (size_t)n);
	if (err)
		return fail(c, err, "cannot authenticate: %s",
			    netcopy_strerror(err));
	return 0;
}

int nc_client_tag_mac(struct netcopy_client *c, struct nc_tag *tag)
{
	int err = nc_auth_tag(&c->secret, tag->run_id, tag->index,
			      c->challenge.challenge, tag->mac);

	if (err)
		return fail(c, err, "data tag: %s", netcopy_strerror(err));
	return 0;
}
