/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * histogram.h - a fixed-size, log-bucketed latency histogram (a simplified
 * HdrHistogram) for round-trip times in nanoseconds.  Each thread fills
 * its own without allocating; the threads' histograms are merged at the
 * end.  Any uint64_t value is accepted; percentiles are within 1/32
 * (about 3 %) of the true value.
 */
#ifndef NETCOPY_HISTOGRAM_H
#define NETCOPY_HISTOGRAM_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Values below 2^(SUB_BITS + 1) get one bucket each; every power-of-two
 * range [2^e, 2^(e+1)) above is split into 2^SUB_BITS equal buckets.
 */
#define NC_HIST_SUB_BITS 5
#define NC_HIST_SUB (1u << NC_HIST_SUB_BITS)
#define NC_HIST_BUCKETS ((64 - NC_HIST_SUB_BITS + 1) * NC_HIST_SUB)

struct nc_histogram {
	uint64_t count;
	uint64_t min;		/* UINT64_MAX while empty */
	uint64_t max;
	uint64_t sum_lo;	/* 128-bit sum: exact, whatever the values */
	uint64_t sum_hi;
	uint64_t bucket[NC_HIST_BUCKETS];
};

void nc_hist_init(struct nc_histogram *h);
/* O(1): one clz and a few shifts. */
void nc_hist_add(struct nc_histogram *h, uint64_t value);
void nc_hist_merge(struct nc_histogram *dst, const struct nc_histogram *src);

uint64_t nc_hist_count(const struct nc_histogram *h);
/* min, max and mean are exact; all three are 0 when empty. */
uint64_t nc_hist_min(const struct nc_histogram *h);
uint64_t nc_hist_max(const struct nc_histogram *h);
double nc_hist_mean(const struct nc_histogram *h);
/*
 * The value of rank ceil(p / 100 * count) (at least 1) for p in [0, 100]:
 * the midpoint of its bucket, clamped to [min, max].  p <= 0 gives min,
 * p >= 100 max; 0 when empty.
 */
uint64_t nc_hist_percentile(const struct nc_histogram *h, double p);

#endif /* NETCOPY_HISTOGRAM_H */
