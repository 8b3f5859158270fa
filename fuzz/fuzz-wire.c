/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz-wire - libFuzzer target for the control protocol's decoders.
 *
 * The first byte picks a decoder (header, hello, reply, tag, trailer,
 * challenge, proof, per-flow bytes);
 * the rest is its input.  Whatever a decoder accepts must encode and
 * decode again to the same thing, so a decoder that lets through what
 * the encoder cannot say is caught too.  Build: configure
 * --enable-fuzzing (clang); run: fuzz/fuzz-wire fuzz/corpus.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_hello(const uint8_t *p, size_t n)
{
	struct nc_params h, again;
	uint8_t buf[NC_MAX_BODY];
	const char *why;
	int len;

	if (nc_hello_decode(p, n, &h, &why))
		return;
	len = nc_hello_encode(&h, buf, sizeof(buf));
	if (len < 0 || nc_hello_decode(buf, (size_t)len, &again, &why) ||
	    memcmp(&h, &again, sizeof(h)))
		abort();
}

static void check_reply(const uint8_t *p, size_t n)
{
	struct nc_reply r, again;
	uint8_t buf[NC_MAX_BODY];
	const char *why;
	int len;

	if (nc_reply_decode(p, n, &r, &why))
		return;
	len = nc_reply_encode(&r, buf, sizeof(buf));
	if (len < 0 || nc_reply_decode(buf, (size_t)len, &again, &why) ||
	    memcmp(&r, &again, sizeof(r)))
		abort();
}

static void check_tag(const uint8_t *p, size_t n)
{
	struct nc_tag t, again;
	uint8_t buf[NC_MAX_BODY];
	const char *why;
	int len;

	if (nc_tag_decode(p, n, &t, &why))
		return;
	len = nc_tag_encode(&t, buf, sizeof(buf));
	if (len < 0 || nc_tag_decode(buf, (size_t)len, &again, &why) ||
	    memcmp(&t, &again, sizeof(t)))
		abort();
}

static void check_figures(const uint8_t *p, size_t n)
{
	struct nc_figures f, again;
	uint8_t buf[NC_MAX_BODY];
	const char *why;
	int len;

	if (nc_figures_decode(p, n, &f, &why))
		return;
	len = nc_figures_encode(&f, buf, sizeof(buf));
	if (len < 0 || nc_figures_decode(buf, (size_t)len, &again, &why) ||
	    memcmp(&f, &again, sizeof(f)))
		abort();
}

static void check_flow_chunk(const uint8_t *p, size_t n)
{
	struct nc_flow_chunk c, again;
	uint8_t buf[NC_MAX_BODY];
	const char *why;
	int len;

	if (nc_flow_chunk_decode(p, n, &c, &why))
		return;
	len = nc_flow_chunk_encode(&c, buf, sizeof(buf));
	if (len < 0 || nc_flow_chunk_decode(buf, (size_t)len, &again, &why) ||
	    memcmp(&c, &again, sizeof(c)))
		abort();
}

/* The challenge and the proof: one fixed-length field each. */
static void check_auth(const uint8_t *p, size_t n, bool proof)
{
	struct nc_challenge c, c2;
	struct nc_proof r, r2;
	uint8_t buf[NC_MAX_BODY];
	const char *why;
	int len;

	if (proof ? nc_proof_decode(p, n, &r, &why) :
	    nc_challenge_decode(p, n, &c, &why))
		return;
	len = proof ? nc_proof_encode(&r, buf, sizeof(buf)) :
	      nc_challenge_encode(&c, buf, sizeof(buf));
	if (len < 0 || (size_t)len != n || memcmp(buf, p, n) ||
	    (proof ? nc_proof_decode(buf, n, &r2, &why) ||
		     memcmp(&r, &r2, sizeof(r)) :
		     nc_challenge_decode(buf, n, &c2, &why) ||
		     memcmp(&c, &c2, sizeof(c))))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nc_header h;
	const char *why;
	uint8_t *copy;

	if (size < 1 || size - 1 > NC_MAX_BODY)
		return 0;
	/* An exact-size copy, so any over-read is out of bounds. */
	copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	switch (data[0] % 8) {
	case 0:
		if (size - 1 >= NC_HEADER_LEN)
			nc_header_decode(copy, &h, &why);
		break;
	case 1:
		check_hello(copy, size - 1);
		break;
	case 2:
		check_reply(copy, size - 1);
		break;
	case 3:
		check_tag(copy, size - 1);
		break;
	case 4:
		check_figures(copy, size - 1);
		break;
	case 5:
	case 6:
		check_auth(copy, size - 1, data[0] % 8 == 6);
		break;
	case 7:
		check_flow_chunk(copy, size - 1);
		break;
	}
	free(copy);
	return 0;
}
