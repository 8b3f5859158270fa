/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * auth.c - the HMACs of authentication (auth.h), with libsodium's
 * HMAC-SHA512-256, its random bytes and its constant-time compare.
 */
#include <errno.h>
#include <sodium.h>
#include <string.h>

#include "wire/auth.h"

_Static_assert(crypto_auth_hmacsha512256_BYTES == NC_MAC_LEN,
	       "a MAC is an HMAC-SHA512-256");

static const char proof_label[] = "netcopy proof";	/* with its NUL */
static const char tag_label[] = "netcopy tag";

int nc_secret_set(struct nc_secret *s, const void *key, size_t len)
{
	if (len && (!key || len < NETCOPY_MIN_SECRET ||
		    len > NETCOPY_MAX_SECRET))
		return -EINVAL;
	if (len && sodium_init() < 0)
		return -EIO;
	nc_secret_clear(s);
	if (len)
		memcpy(s->key, key, len);
	s->len = len;
	return 0;
}

void nc_secret_clear(struct nc_secret *s)
{
	sodium_memzero(s->key, sizeof(s->key));
	s->len = 0;
}

int nc_auth_challenge(uint8_t out[NC_CHALLENGE_LEN])
{
	if (sodium_init() < 0)
		return -EIO;
	randombytes_buf(out, NC_CHALLENGE_LEN);
	return 0;
}

/* HMAC(secret, label || the parts); the parts end at a NULL one. */
static int mac(const struct nc_secret *s, const char *label,
	       const void *const *part, const size_t *len,
	       uint8_t out[NC_MAC_LEN])
{
	crypto_auth_hmacsha512256_state st;

	if (!s->len)
		return -EINVAL;
	crypto_auth_hmacsha512256_init(&st, s->key, s->len);
	crypto_auth_hmacsha512256_update(&st, (const uint8_t *)label,
					 strlen(label) + 1);
	for (; *part; part++, len++)
		crypto_auth_hmacsha512256_update(&st, *part, *len);
	crypto_auth_hmacsha512256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
	return 0;
}

int nc_auth_proof(const struct nc_secret *s,
		  const uint8_t challenge[NC_CHALLENGE_LEN],
		  const uint8_t *hello, size_t len, uint8_t out[NC_MAC_LEN])
{
	const void *part[] = { challenge, hello, NULL };
	const size_t lens[] = { NC_CHALLENGE_LEN, len };

	return mac(s, proof_label, part, lens, out);
}

int nc_auth_tag(const struct nc_secret *s, const uint8_t id[NC_RUN_ID_LEN],
		uint32_t index, const uint8_t challenge[NC_CHALLENGE_LEN],
		uint8_t out[NC_MAC_LEN])
{
	uint8_t be[4] = { (uint8_t)(index >> 24), (uint8_t)(index >> 16),
			  (uint8_t)(index >> 8), (uint8_t)index };
	const void *part[] = { id, be, challenge, NULL };
	const size_t lens[] = { NC_RUN_ID_LEN, sizeof(be), NC_CHALLENGE_LEN };

	return mac(s, tag_label, part, lens, out);
}

bool nc_auth_equal(const uint8_t a[NC_MAC_LEN], const uint8_t b[NC_MAC_LEN])
{
	return crypto_verify_32(a, b) == 0;
}
