/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unit-pattern.c - the --verify pattern and the stream verifier: a filled
 * message matches, any one changed byte does not, a slice filled at an
 * offset is that slice of the whole, messages and flows differ, and the
 * verifier counts each bad message once whatever the chunking.
 */
#include <string.h>

#include "base/base.h"
#include "unit.h"

static const uint64_t sizes[] = { 1, 7, 8, 9, 4096, 65537 };

#define FLOW 5u
#define MSG 42u

static void check_fill_matches(uint64_t size)
{
	uint8_t *buf = unit_malloc(size);
	size_t pos[] = { 0, 1, 7, 8, 9, size / 2, size - 2, size - 1 };
	uint8_t flips[] = { 0x01, 0x80, 0xff };

	nc_pattern_fill(buf, size, FLOW, MSG, 0);
	CHECK(nc_pattern_matches(buf, size, FLOW, MSG, 0),
	      "size %" PRIu64 ": a filled message does not match", size);
	for (size_t i = 0; i < sizeof(pos) / sizeof(pos[0]); i++) {
		if (pos[i] >= size)
			continue;
		for (size_t f = 0; f < sizeof(flips); f++) {
			buf[pos[i]] ^= flips[f];
			CHECK(!nc_pattern_matches(buf, size, FLOW, MSG, 0),
			      "size %" PRIu64 ": byte %zu ^ 0x%02x still "
			      "matches", size, pos[i], flips[f]);
			buf[pos[i]] ^= flips[f];
		}
	}
	CHECK(nc_pattern_matches(buf, size, FLOW, MSG, 0),
	      "size %" PRIu64 ": restored message does not match", size);
	CHECK(nc_pattern_matches(buf, 0, FLOW, MSG, 0),
	      "size %" PRIu64 ": empty range does not match", size);
	free(buf);
}

/* Filling [off, off+len) gives the same bytes as that slice of a full
 * fill, and matches at that offset. */
static void check_offsets(uint64_t size)
{
	uint8_t *full = unit_malloc(size), *part = unit_malloc(size);
	uint64_t offs[] = { 0, 1, 3, 7, 8, 9, 15, 16, 17, size / 3,
			    size / 2, size - 9, size - 8, size - 1 };
	uint64_t seed = 0x6f666673657473ULL ^ size;

	nc_pattern_fill(full, size, FLOW, MSG, 0);
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		uint64_t off = offs[i];

		if (off >= size)
			continue;
		for (int k = 0; k < 12; k++) {
			uint64_t len = size - off;

			if (k > 0 && len > 1)
				len = unit_rand_range(&seed, 1, len);
			memset(part, 0xee, size);
			nc_pattern_fill(part, len, FLOW, MSG, off);
			CHECK(memcmp(part, full + off, len) == 0,
			      "size %" PRIu64 ": fill at offset %" PRIu64
			      " length %" PRIu64 " differs from the full fill",
			      size, off, len);
			CHECK(nc_pattern_matches(full + off, len, FLOW, MSG,
						 off),
			      "size %" PRIu64 ": slice at %" PRIu64 " length %"
			      PRIu64 " does not match", size, off, len);
			if (len < size)
				CHECK(part[len] == 0xee,
				      "size %" PRIu64 ": fill at %" PRIu64
				      " length %" PRIu64 " wrote past the end",
				      size, off, len);
		}
	}
	free(full);
	free(part);
}

/* From 8 bytes on, the first word alone tells messages and flows apart. */
static void check_distinct(uint64_t size)
{
	uint8_t *a = unit_malloc(size), *b = unit_malloc(size);

	if (size < 8)
		goto out;
	nc_pattern_fill(a, size, FLOW, MSG, 0);
	nc_pattern_fill(b, size, FLOW, MSG + 1, 0);
	CHECK(memcmp(a, b, size) != 0,
	      "size %" PRIu64 ": messages %u and %u are the same", size, MSG,
	      MSG + 1);
	CHECK(!nc_pattern_matches(b, size, FLOW, MSG, 0),
	      "size %" PRIu64 ": message %u matches as %u", size, MSG + 1,
	      MSG);
	nc_pattern_fill(b, size, FLOW + 1, MSG, 0);
	CHECK(memcmp(a, b, size) != 0,
	      "size %" PRIu64 ": flows %u and %u are the same", size, FLOW,
	      FLOW + 1);
	CHECK(!nc_pattern_matches(b, size, FLOW, MSG, 0),
	      "size %" PRIu64 ": flow %u matches as flow %u", size, FLOW + 1,
	      FLOW);
	nc_pattern_fill(b, size, 0, 0, 0);
	nc_pattern_fill(a, size, 0, 1, 0);
	CHECK(memcmp(a, b, size) != 0,
	      "size %" PRIu64 ": flow 0 messages 0 and 1 are the same", size);
out:
	free(a);
	free(b);
}

/* Feed stream to a fresh verifier in random chunks of 1 .. 3 * size. */
static void feed(struct nc_verifier *v, const uint8_t *stream, size_t total,
		 uint64_t size, uint64_t *seed)
{
	size_t pos = 0;

	while (pos < total) {
		size_t n = (size_t)unit_rand_range(seed, 1, 3 * size);

		if (n > total - pos)
			n = total - pos;
		nc_verifier_feed(v, stream + pos, n);
		pos += n;
	}
}

static void check_verifier(uint64_t size)
{
	uint64_t nmsg = size >= 4096 ? 24 : 400;
	size_t total = (size_t)(nmsg * size);
	uint8_t *stream = unit_malloc(total);
	uint64_t seed = 0x766572696679ULL + size;
	struct nc_verifier v;
	uint64_t bad[3] = { 1, nmsg / 2, nmsg - 1 };

	for (uint64_t m = 0; m < nmsg; m++)
		nc_pattern_fill(stream + m * size, (size_t)size, FLOW, m, 0);

	for (int round = 0; round < 4; round++) {
		nc_verifier_init(&v, size, FLOW);
		feed(&v, stream, total, size, &seed);
		CHECK_U64(v.pos, total);
		CHECK(v.bad_messages == 0,
		      "size %" PRIu64 " round %d: %" PRIu64 " bad messages "
		      "in a clean stream", size, round, v.bad_messages);
	}

	/* The same clean stream, but for another flow: every message bad
	 * (from 8 bytes on, where the first word tells flows apart). */
	if (size >= 8) {
		nc_verifier_init(&v, size, FLOW + 1);
		feed(&v, stream, total, size, &seed);
		CHECK(v.bad_messages == nmsg,
		      "size %" PRIu64 ": %" PRIu64 " bad messages for the "
		      "wrong flow, want %" PRIu64, size, v.bad_messages, nmsg);
	}

	/* Three bad messages: one wrong first byte, one wrong last byte,
	 * and one with several wrong bytes that chunks may split. */
	stream[bad[0] * size] ^= 0x40;
	stream[bad[1] * size + size - 1] ^= 0x01;
	stream[bad[2] * size] ^= 0xff;
	stream[bad[2] * size + size / 2] ^= 0x10;
	stream[bad[2] * size + size - 1] ^= 0x02;
	for (int round = 0; round < 4; round++) {
		nc_verifier_init(&v, size, FLOW);
		feed(&v, stream, total, size, &seed);
		CHECK(v.bad_messages == 3,
		      "size %" PRIu64 " round %d: %" PRIu64 " bad messages, "
		      "want 3", size, round, v.bad_messages);
	}

	/* Byte by byte, the slowest way a stream can arrive. */
	if (size <= 4096) {
		nc_verifier_init(&v, size, FLOW);
		for (size_t i = 0; i < total; i++)
			nc_verifier_feed(&v, stream + i, 1);
		CHECK(v.bad_messages == 3,
		      "size %" PRIu64 " byte by byte: %" PRIu64 " bad "
		      "messages, want 3", size, v.bad_messages);
	}

	/* All at once. */
	nc_verifier_init(&v, size, FLOW);
	nc_verifier_feed(&v, stream, total);
	CHECK(v.bad_messages == 3,
	      "size %" PRIu64 " in one chunk: %" PRIu64 " bad messages, "
	      "want 3", size, v.bad_messages);
	free(stream);
}

/* A stream sent from K blocks (the file modes): message m carries the
 * stamp of m % K.  A verifier of period K takes it, one without a period
 * or of another period does not, and a block sent out of turn shows. */
static void check_period(uint64_t size, uint64_t k)
{
	uint64_t nmsg = 5 * k + 3;
	size_t total = (size_t)(nmsg * size);
	uint8_t *stream = unit_malloc(total);
	uint64_t seed = 0x706572696f64ULL + size;
	struct nc_verifier v;

	for (uint64_t m = 0; m < nmsg; m++)
		nc_pattern_fill(stream + m * size, (size_t)size, FLOW, m % k, 0);
	nc_verifier_init(&v, size, FLOW);
	v.period = k;
	feed(&v, stream, total, size, &seed);
	CHECK(v.bad_messages == 0, "size %" PRIu64 " period %" PRIu64 ": %"
	      PRIu64 " bad messages in a clean stream", size, k,
	      v.bad_messages);

	nc_verifier_init(&v, size, FLOW);
	feed(&v, stream, total, size, &seed);
	CHECK(v.bad_messages == nmsg - k, "size %" PRIu64 " period %" PRIu64
	      " checked without it: %" PRIu64 " bad messages, want %" PRIu64,
	      size, k, v.bad_messages, nmsg - k);

	nc_verifier_init(&v, size, FLOW);
	v.period = k + 1;
	feed(&v, stream, total, size, &seed);
	CHECK(v.bad_messages > 0, "size %" PRIu64 " period %" PRIu64
	      " checked with period %" PRIu64 ": no bad message", size, k,
	      k + 1);

	/* Block 0 sent again where block 1 belongs (message k + 1). */
	nc_pattern_fill(stream + (k + 1) * size, (size_t)size, FLOW, 0, 0);
	nc_verifier_init(&v, size, FLOW);
	v.period = k;
	feed(&v, stream, total, size, &seed);
	CHECK(v.bad_messages == 1, "size %" PRIu64 " period %" PRIu64
	      ": a block out of turn gives %" PRIu64 " bad messages, want 1",
	      size, k, v.bad_messages);
	free(stream);
}

int main(void)
{
	check_period(8, 2);
	check_period(1000, 16);
	check_period(65536, 3);

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		check_fill_matches(sizes[i]);
		check_offsets(sizes[i]);
		check_distinct(sizes[i]);
		check_verifier(sizes[i]);
	}
	return unit_exit("unit-pattern");
}
