/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * auth.h - authentication with a shared secret (--auth-file): the
 * server's random challenge, the client's proof and the data tags' MACs,
 * each an HMAC-SHA512-256 (libsodium) keyed with the secret:
 *
 *   proof = HMAC(secret, "netcopy proof" 0 || challenge || hello body)
 *   tag   = HMAC(secret, "netcopy tag" 0 || run id || index (4 bytes,
 *                big-endian) || challenge)
 *
 * The labels keep a proof from serving as a tag.  The hello is covered
 * as sent, so what the run asks for cannot be changed on the way; a
 * tag covers its run's fresh challenge, so one seen on the wire opens
 * no other run nor connection.  Built only with libsodium (configure);
 * without it every function is a stub returning NETCOPY_EUNSUPPORTED.
 * Uses base/ only.
 */
#ifndef NETCOPY_WIRE_AUTH_H
#define NETCOPY_WIRE_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netcopy.h"
#include "wire/wire-spec.h"

/* A secret the library holds: a copy, wiped when let go. */
struct nc_secret {
	uint8_t key[NETCOPY_MAX_SECRET];
	size_t len;			/* 0: no authentication */
};

#if NETCOPY_WITH_AUTH
/* Take a copy of a secret of NETCOPY_MIN_SECRET to NETCOPY_MAX_SECRET
 * bytes; len 0 forgets it.  0, -EINVAL, or -EIO (libsodium would not
 * start). */
int nc_secret_set(struct nc_secret *s, const void *key, size_t len);
/* Wipe it. */
void nc_secret_clear(struct nc_secret *s);
/* Fill out with random bytes.  0, or -EIO. */
int nc_auth_challenge(uint8_t out[NC_CHALLENGE_LEN]);
/* The client's proof of a hello body, as sent, under a challenge. */
int nc_auth_proof(const struct nc_secret *s,
		  const uint8_t challenge[NC_CHALLENGE_LEN],
		  const uint8_t *hello, size_t len, uint8_t out[NC_MAC_LEN]);
/* The MAC of data connection index of run id. */
int nc_auth_tag(const struct nc_secret *s, const uint8_t id[NC_RUN_ID_LEN],
		uint32_t index, const uint8_t challenge[NC_CHALLENGE_LEN],
		uint8_t out[NC_MAC_LEN]);
/* a == b, in a time that does not depend on where they differ. */
bool nc_auth_equal(const uint8_t a[NC_MAC_LEN], const uint8_t b[NC_MAC_LEN]);
#else
static inline int nc_secret_set(struct nc_secret *s, const void *key,
				size_t len)
{
	return len ? NETCOPY_EUNSUPPORTED : 0;
}

static inline void nc_secret_clear(struct nc_secret *s)
{
	s->len = 0;
}

static inline int nc_auth_challenge(uint8_t out[NC_CHALLENGE_LEN])
{
	return NETCOPY_EUNSUPPORTED;
}

static inline int nc_auth_proof(const struct nc_secret *s,
				const uint8_t challenge[NC_CHALLENGE_LEN],
				const uint8_t *hello, size_t len,
				uint8_t out[NC_MAC_LEN])
{
	return NETCOPY_EUNSUPPORTED;
}

static inline int nc_auth_tag(const struct nc_secret *s,
			      const uint8_t id[NC_RUN_ID_LEN], uint32_t index,
			      const uint8_t challenge[NC_CHALLENGE_LEN],
			      uint8_t out[NC_MAC_LEN])
{
	return NETCOPY_EUNSUPPORTED;
}

static inline bool nc_auth_equal(const uint8_t a[NC_MAC_LEN],
				 const uint8_t b[NC_MAC_LEN])
{
	return false;
}
#endif

/* Whether a proof or tag MAC is what the secret gives: false on any
 * error, so that nothing unchecked passes. */
static inline bool nc_auth_check(int err, const uint8_t want[NC_MAC_LEN],
				 const uint8_t got[NC_MAC_LEN])
{
	return !err && nc_auth_equal(want, got);
}

#endif /* NETCOPY_WIRE_AUTH_H */
