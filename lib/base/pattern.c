/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pattern.c - the bytes --verify stamps into every message and checks at
 * the receiver.  Word w of message msg on flow f is key(f, msg) + w * K,
 * stored little-endian: cheap to make and check, and different for every
 * message, so a buffer rewritten too early or a message misplaced shows.
 */
#include <string.h>

#include "base/base.h"

#define STEP 0x9e3779b97f4a7c15ULL

static uint64_t pattern_key(uint32_t flow, uint64_t msg)
{
	uint64_t z = ((uint64_t)flow << 48) ^ msg ^ 0x6e6574636f7079ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint8_t pattern_byte(uint64_t key, uint64_t offset)
{
	uint64_t word = key + (offset / 8) * STEP;

	return (uint8_t)(word >> (8 * (offset % 8)));
}

static uint64_t to_le64(uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap64(v);
#else
	return v;
#endif
}

void nc_pattern_fill(void *buf, size_t len, uint32_t flow, uint64_t msg,
		     uint64_t offset)
{
	uint64_t key = pattern_key(flow, msg);
	uint8_t *p = buf;
	size_t i = 0;

	for (; i < len && (offset + i) % 8; i++)
		p[i] = pattern_byte(key, offset + i);
	for (; i + 8 <= len; i += 8) {
		uint64_t w = to_le64(key + ((offset + i) / 8) * STEP);

		memcpy(p + i, &w, 8);
	}
	for (; i < len; i++)
		p[i] = pattern_byte(key, offset + i);
}

bool nc_pattern_matches(const void *buf, size_t len, uint32_t flow,
			uint64_t msg, uint64_t offset)
{
	uint64_t key = pattern_key(flow, msg);
	const uint8_t *p = buf;
	uint64_t diff = 0;
	size_t i = 0;

	for (; i < len && (offset + i) % 8; i++)
		diff |= p[i] ^ pattern_byte(key, offset + i);
	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		diff |= w ^ to_le64(key + ((offset + i) / 8) * STEP);
	}
	for (; i < len; i++)
		diff |= p[i] ^ pattern_byte(key, offset + i);
	return diff == 0;
}

void nc_verifier_init(struct nc_verifier *v, uint64_t size, uint32_t flow)
{
	memset(v, 0, sizeof(*v));
	v->size = size;
	v->flow = flow;
}

void nc_verifier_feed(struct nc_verifier *v, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		uint64_t msg = v->pos / v->size, off = v->pos % v->size;
		uint64_t stamp = v->period ? msg % v->period : msg;
		size_t n = len;

		if (n > v->size - off)
			n = (size_t)(v->size - off);
		if (!nc_pattern_matches(p, n, v->flow, stamp, off) &&
		    v->last_bad != msg + 1) {
			v->bad_messages++;
			v->last_bad = msg + 1;
		}
		p += n;
		len -= n;
		v->pos += n;
	}
}
