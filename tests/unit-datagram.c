/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unit-datagram.c - lib/engine/datagram.c: the 24-byte header survives
 * any split across an iovec and refuses what is not netcopy's; the
 * payload pattern is checked byte for byte (one flipped byte in any
 * field fails it); and the receiver's counts from sequence numbers:
 * lost, reordered, duplicated (within the window, and beyond it), the
 * tail an end marker adds, a fresh start, and RFC 3550's jitter.
 */
#include <errno.h>
#include <string.h>

#include "engine/engine.h"
#include "unit.h"

#define SIZE 1472

static uint8_t buf[SIZE];

/* buf cut at the given lengths (the last takes the rest). */
static size_t split(struct iovec *iov, const size_t *cuts, size_t n)
{
	size_t off = 0, i;

	for (i = 0; i < n && off < SIZE; i++) {
		size_t len = i + 1 == n || off + cuts[i] > SIZE ?
			     SIZE - off : cuts[i];

		iov[i].iov_base = buf + off;
		iov[i].iov_len = len;
		off += len;
	}
	return i;
}

static void header_round_trip(void)
{
	static const size_t cuts[][4] = {
		{ SIZE }, { 1, 2, 3, SIZE }, { 23, 1, 100, SIZE },
		{ 8, 8, 8, SIZE }, { 0, 24, 0, SIZE },
	};
	struct nc_dgram_hdr h = { NC_DGRAM_END, 0xfedcba98u,
				  0x0123456789abcdefULL, 42 }, got;

	for (size_t c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++) {
		struct iovec iov[4];
		size_t n = split(iov, cuts[c], 4);

		memset(buf, 0xa5, sizeof(buf));
		nc_dgram_write(iov, n, &h);
		memset(&got, 0, sizeof(got));
		CHECK_INT(nc_dgram_read(iov, n, SIZE, &got), 0);
		CHECK(got.kind == h.kind && got.flow == h.flow &&
		      got.seq == h.seq && got.sent_ns == h.sent_ns,
		      "split %zu: header changed on the way", c);
	}
	/* Network byte order: "NCD", the kind, then the flow. */
	CHECK(memcmp(buf, "NCD\x02\xfe\xdc\xba\x98", 8) == 0,
	      "the header's first bytes are not NCD, kind, flow");
	CHECK_INT(nc_dgram_read((struct iovec[]){ { buf, 23 } }, 1, 23, &got),
		  -EBADMSG);
	buf[0] = 'X';
	CHECK_INT(nc_dgram_read((struct iovec[]){ { buf, SIZE } }, 1, SIZE,
				&got), -EBADMSG);
}

static void payload_checked(void)
{
	static const size_t cuts[] = { 5, 30, 200, SIZE };
	struct nc_flow flow = { .index = 3, .verify = true };
	struct iovec iov[4];
	size_t n = split(iov, cuts, 4);

	nc_dgram_stamp(iov, n, SIZE, &flow, 77);
	CHECK(nc_dgram_matches(iov, n, SIZE, 3, 77), "a stamped datagram "
	      "does not match");
	CHECK(!nc_dgram_matches(iov, n, SIZE, 3, 78), "another sequence "
	      "number matches");
	CHECK(!nc_dgram_matches(iov, n, SIZE, 4, 77), "another flow matches");
	/* One flipped byte anywhere past the header, in any field. */
	for (size_t at = NC_DGRAM_HDR_LEN; at < SIZE; at += 97) {
		buf[at] ^= 1;
		CHECK(!nc_dgram_matches(iov, n, SIZE, 3, 77),
		      "byte %zu flipped, still matches", at);
		buf[at] ^= 1;
	}
	/* The header is not the payload's: a new send time changes
	 * nothing the check reads. */
	nc_dgram_write(iov, n, &(struct nc_dgram_hdr){ NC_DGRAM_DATA, 3, 77,
						       1 });
	CHECK(nc_dgram_matches(iov, n, SIZE, 3, 77), "the header is checked "
	      "as payload");
}

static struct nc_udp_counts counts_of(const uint64_t *seqs, size_t n,
				      uint64_t end)
{
	struct nc_seq_track t;
	struct nc_udp_counts c;

	nc_seq_init(&t);
	for (size_t i = 0; i < n; i++)
		nc_seq_add(&t, seqs[i], 1000 * seqs[i], 1000 * seqs[i] + 5);
	if (end)
		nc_seq_end(&t, end);
	nc_seq_counts(&t, &c);
	return c;
}

#define COUNTS(c, l, r, d)						\
	CHECK((c).measured && (c).lost == (l) && (c).reordered == (r) &&	\
	      (c).duplicated == (d), "lost %" PRIu64 " reordered %" PRIu64 \
	      " duplicated %" PRIu64 ", want %d %d %d", (c).lost,	\
	      (c).reordered, (c).duplicated, l, r, d)

static void sequence_counts(void)
{
	static const uint64_t in_order[] = { 0, 1, 2, 3, 4 };
	static const uint64_t gaps[] = { 0, 2, 3, 7 };
	static const uint64_t late[] = { 0, 2, 1, 3 };
	static const uint64_t dups[] = { 0, 1, 1, 2, 0 };
	static const uint64_t far[] = { 0, 5000, 1 };
	struct nc_udp_counts c;
	struct nc_seq_track t;

	c = counts_of(in_order, 5, 0);
	COUNTS(c, 0, 0, 0);
	CHECK(c.jitter_us == 0, "steady transit, jitter %g us", c.jitter_us);
	c = counts_of(in_order, 5, 8);		/* 3 never came */
	COUNTS(c, 3, 0, 0);
	c = counts_of(gaps, 4, 0);		/* 1, 4, 5, 6 */
	COUNTS(c, 4, 0, 0);
	c = counts_of(late, 4, 0);		/* 1 came late */
	COUNTS(c, 0, 1, 0);
	c = counts_of(dups, 5, 0);
	COUNTS(c, 0, 0, 2);
	/* Beyond the window a late one cannot be told from a duplicate:
	 * taken as late. */
	c = counts_of(far, 3, 0);
	COUNTS(c, 4998, 1, 0);
	/* A window that wrapped forgets the old slots: seq 0 + window is
	 * new, not a duplicate of 0. */
	nc_seq_init(&t);
	for (uint64_t s = 0; s <= NC_SEQ_WINDOW; s++)
		CHECK(nc_seq_add(&t, s, 0, 0), "seq %" PRIu64 " taken as a "
		      "duplicate", s);
	CHECK(!nc_seq_add(&t, NC_SEQ_WINDOW, 0, 0), "a duplicate taken");
	/* The measured span starts afresh. */
	nc_seq_add(&t, NC_SEQ_WINDOW + 10, 0, 0);
	nc_seq_begin(&t);
	nc_seq_counts(&t, &c);
	COUNTS(c, 0, 0, 0);
	/* Transit 5, 15, 5, 15 us: |D| = 10 us each, J -> 10 us from
	 * below, 1/16 of the way each time. */
	nc_seq_init(&t);
	for (uint64_t s = 0; s < 200; s++)
		nc_seq_add(&t, s, s * 100000, s * 100000 + (s % 2 ? 15000 :
							    5000));
	nc_seq_counts(&t, &c);
	CHECK(c.jitter_us > 9.9 && c.jitter_us <= 10, "jitter %g us, want "
	      "about 10", c.jitter_us);
}

int main(void)
{
	header_round_trip();
	payload_checked();
	sequence_counts();
	return unit_exit("unit-datagram");
}
