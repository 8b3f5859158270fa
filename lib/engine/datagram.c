/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * datagram.c - what every UDP datagram of a run carries (struct
 * nc_dgram_hdr), written and read across an iovec so one-copy's fields
 * carry it as a contiguous buffer does, the --verify pattern after it,
 * and what a receiver counts from the sequence numbers: lost,
 * reordered, duplicated, and RFC 3550's jitter.  Nothing here allocates
 * or loops over more than a fixed window per datagram.
 */
#include <errno.h>
#include <string.h>

#include "engine/engine.h"

/* "NCD" and the kind, in the first four bytes. */
#define DGRAM_MAGIC 0x4e434400u

static void put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_be(const uint8_t *p, int len)
{
	uint64_t v = 0;

	for (int i = 0; i < len; i++)
		v = v << 8 | p[i];
	return v;
}

/* Copy len bytes between buf and the front of iov (to_iov: into it). */
static void iov_copy(const struct iovec *iov, size_t cnt, uint8_t *buf,
		     size_t len, bool to_iov)
{
	for (size_t i = 0; i < cnt && len; i++) {
		size_t n = iov[i].iov_len < len ? iov[i].iov_len : len;

		if (to_iov)
			memcpy(iov[i].iov_base, buf, n);
		else
			memcpy(buf, iov[i].iov_base, n);
		buf += n;
		len -= n;
	}
}

void nc_dgram_write(const struct iovec *iov, size_t cnt,
		    const struct nc_dgram_hdr *h)
{
	uint8_t b[NC_DGRAM_HDR_LEN];

	put_be32(b, DGRAM_MAGIC | h->kind);
	put_be32(b + 4, h->flow);
	put_be64(b + 8, h->seq);
	put_be64(b + 16, h->sent_ns);
	iov_copy(iov, cnt, b, sizeof(b), true);
}

int nc_dgram_read(const struct iovec *iov, size_t cnt, size_t len,
		  struct nc_dgram_hdr *h)
{
	uint8_t b[NC_DGRAM_HDR_LEN];
	uint32_t word;

	if (len < NC_DGRAM_HDR_LEN)
		return -EBADMSG;
	iov_copy(iov, cnt, b, sizeof(b), false);
	word = (uint32_t)get_be(b, 4);
	if ((word & ~0xffu) != DGRAM_MAGIC)
		return -EBADMSG;
	h->kind = (uint8_t)word;
	h->flow = (uint32_t)get_be(b + 4, 4);
	h->seq = get_be(b + 8, 8);
	h->sent_ns = get_be(b + 16, 8);
	return 0;
}

/* The pattern of (flow, seq) over the payload: write it, or check it.
 * Offsets count from the datagram's start, as TCP's from a message's. */
static bool payload(const struct iovec *iov, size_t cnt, size_t len,
		    uint32_t flow, uint64_t seq, bool fill)
{
	uint64_t off = 0;
	bool ok = true;

	for (size_t i = 0; i < cnt && off < len; i++) {
		uint8_t *p = iov[i].iov_base;
		size_t n = iov[i].iov_len;
		size_t skip = off < NC_DGRAM_HDR_LEN ?
			      (size_t)(NC_DGRAM_HDR_LEN - off) : 0;

		if (n > len - off)
			n = (size_t)(len - off);
		if (skip < n && fill)
			nc_pattern_fill(p + skip, n - skip, flow, seq,
					off + skip);
		else if (skip < n)
			ok &= nc_pattern_matches(p + skip, n - skip, flow,
						 seq, off + skip);
		off += iov[i].iov_len;
	}
	return ok;
}

void nc_dgram_stamp(const struct iovec *iov, size_t cnt, size_t len,
		    const struct nc_flow *flow, uint64_t seq)
{
	struct nc_dgram_hdr h = { NC_DGRAM_DATA, flow->index, seq,
				  flow->stamp_ns ? flow->stamp_ns :
						   nc_now_ns() };

	if (flow->verify)
		payload(iov, cnt, len, flow->index, seq, true);
	nc_dgram_write(iov, cnt, &h);
}

bool nc_dgram_matches(const struct iovec *iov, size_t cnt, size_t len,
		      uint32_t flow, uint64_t seq)
{
	return payload(iov, cnt, len, flow, seq, false);
}

int nc_dgram_sent(ssize_t n)
{
	if (n >= 0)
		return 1;
	switch (errno) {
	case ENOBUFS:		/* dropped on the way out: lost */
		return 1;
	case EINTR:
	case ECONNREFUSED:	/* the ICMP of one that found no socket */
		return 0;
	case EAGAIN:
		return -ETIMEDOUT;
	default:
		return -errno;
	}
}

/* ---- the receiver's counts ---- */

const struct nc_udp_counts nc_udp_none = { .measured = false };

#define WORDS (NC_SEQ_WINDOW / 64)

static bool seen(const struct nc_seq_track *t, uint64_t seq)
{
	return t->seen[seq / 64 % WORDS] >> (seq % 64) & 1;
}

static void mark(struct nc_seq_track *t, uint64_t seq, bool on)
{
	uint64_t bit = 1ULL << (seq % 64);

	if (on)
		t->seen[seq / 64 % WORDS] |= bit;
	else
		t->seen[seq / 64 % WORDS] &= ~bit;
}

void nc_seq_init(struct nc_seq_track *t)
{
	memset(t, 0, sizeof(*t));
}

void nc_seq_begin(struct nc_seq_track *t)
{
	t->lost = t->reordered = t->duplicated = 0;
	t->jitter_ns = 0;
	t->have_transit = false;
}

/* RFC 3550, 6.4.1: J += (|D| - J) / 16, D the change in transit time;
 * the two clocks' offset cancels out. */
void nc_seq_jitter(struct nc_seq_track *t, uint64_t sent_ns, uint64_t now_ns)
{
	int64_t transit = (int64_t)(now_ns - sent_ns);
	int64_t d = transit - t->transit;

	if (t->have_transit)
		t->jitter_ns += ((double)(d < 0 ? -d : d) - t->jitter_ns) / 16;
	t->transit = transit;
	t->have_transit = true;
}

bool nc_seq_add(struct nc_seq_track *t, uint64_t seq, uint64_t sent_ns,
		uint64_t now_ns)
{
	if (seq >= t->next) {
		uint64_t gap = seq - t->next;

		t->lost += gap;
		/* The slots the window moves over start unseen. */
		if (gap >= NC_SEQ_WINDOW)
			memset(t->seen, 0, sizeof(t->seen));
		else
			for (uint64_t s = t->next; s < seq; s++)
				mark(t, s, false);
		mark(t, seq, true);
		t->next = seq + 1;
	} else if (t->next - seq <= NC_SEQ_WINDOW && seen(t, seq)) {
		t->duplicated++;
		return false;
	} else {
		/* Late: counted lost when its gap was seen.  Beyond the
		 * window a duplicate cannot be told from it. */
		if (t->next - seq <= NC_SEQ_WINDOW)
			mark(t, seq, true);
		t->reordered++;
		if (t->lost)
			t->lost--;
	}
	nc_seq_jitter(t, sent_ns, now_ns);
	return true;
}

void nc_seq_end(struct nc_seq_track *t, uint64_t sent)
{
	if (sent > t->next) {
		t->lost += sent - t->next;
		t->next = sent;
	}
}

void nc_seq_counts(const struct nc_seq_track *t, struct nc_udp_counts *c)
{
	c->measured = true;
	c->lost = t->lost;
	c->reordered = t->reordered;
	c->duplicated = t->duplicated;
	c->jitter_us = t->jitter_ns / 1000;
}
