/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * histogram.c - log-bucketed latency histogram.  A value v >= 2^6 with
 * its top bit at e keeps its SUB_BITS + 1 leading bits: shift = e -
 * SUB_BITS, and v >> shift lies in [32, 64).  The bucket index is
 * shift * 32 + (v >> shift), which for shift 0 is v itself, so the exact
 * buckets 0..63 and the log buckets share one formula.  A bucket at
 * shift s is 2^s wide and starts at or above 32 * 2^s: relative error at
 * most 1/32, and the midpoint halves that.
 */
#include <string.h>

#include "histogram.h"

/* Below this every value has its own bucket (and clz(0) is avoided). */
#define EXACT (2 * NC_HIST_SUB)

static unsigned int hist_index(uint64_t v)
{
	unsigned int shift;

	if (v < EXACT)
		return (unsigned int)v;
	shift = 63 - (unsigned int)__builtin_clzll(v) - NC_HIST_SUB_BITS;
	return shift * NC_HIST_SUB + (unsigned int)(v >> shift);
}

/* Inverse of hist_index(): the lowest value of bucket i and its width. */
static uint64_t hist_low(unsigned int i, unsigned int *shift)
{
	if (i < EXACT) {
		*shift = 0;
		return i;
	}
	*shift = i / NC_HIST_SUB - 1;
	return (uint64_t)(i - *shift * NC_HIST_SUB) << *shift;
}

/* Written as low + (width - 1) / 2 so the last bucket cannot overflow. */
static uint64_t hist_mid(unsigned int i)
{
	unsigned int shift;
	uint64_t low = hist_low(i, &shift);

	return low + (((uint64_t)1 << shift) - 1) / 2;
}

void nc_hist_init(struct nc_histogram *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

static void hist_sum_add(struct nc_histogram *h, uint64_t lo, uint64_t hi)
{
	h->sum_lo += lo;
	h->sum_hi += hi + (h->sum_lo < lo);
}

void nc_hist_add(struct nc_histogram *h, uint64_t value)
{
	h->bucket[hist_index(value)]++;
	h->count++;
	if (value < h->min)
		h->min = value;
	if (value > h->max)
		h->max = value;
	hist_sum_add(h, value, 0);
}

void nc_hist_merge(struct nc_histogram *dst, const struct nc_histogram *src)
{
	for (unsigned int i = 0; i < NC_HIST_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
	dst->count += src->count;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	hist_sum_add(dst, src->sum_lo, src->sum_hi);
}

uint64_t nc_hist_count(const struct nc_histogram *h)
{
	return h->count;
}

uint64_t nc_hist_min(const struct nc_histogram *h)
{
	return h->count ? h->min : 0;
}

uint64_t nc_hist_max(const struct nc_histogram *h)
{
	return h->max;
}

double nc_hist_mean(const struct nc_histogram *h)
{
	if (!h->count)
		return 0;
	return ((double)h->sum_hi * 18446744073709551616.0 +
		(double)h->sum_lo) / (double)h->count;
}

/* ceil(p / 100 * count), within [1, count]; 0 < p < 100 and count > 0. */
static uint64_t hist_rank(uint64_t count, double p)
{
	double r = p / 100.0 * (double)count;
	uint64_t rank;

	/*
	 * p / 100 is rarely exact in binary: without this slack 99.9 % of
	 * 1000 samples would come out as rank 1000 instead of 999.
	 */
	r -= r * 1e-12;
	if (r <= 1)
		return 1;
	if (r >= (double)count)
		return count;
	rank = (uint64_t)r;
	return rank + ((double)rank < r);
}

uint64_t nc_hist_percentile(const struct nc_histogram *h, double p)
{
	uint64_t rank, seen = 0, v;
	unsigned int i;

	if (!h->count)
		return 0;
	if (!(p > 0))		/* NaN too */
		return h->min;
	if (p >= 100)
		return h->max;
	rank = hist_rank(h->count, p);
	for (i = 0; i < NC_HIST_BUCKETS - 1; i++) {
		seen += h->bucket[i];
		if (seen >= rank)
			break;
	}
	v = hist_mid(i);
	if (v < h->min)
		return h->min;
	if (v > h->max)
		return h->max;
	return v;
}
