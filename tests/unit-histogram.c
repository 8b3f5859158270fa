/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unit-histogram.c - the latency histogram: exact below 64, within 1/32
 * above, whatever the magnitude; percentiles in order; and merging the
 * histograms of two halves gives the histogram of the whole.
 */
#include <string.h>

#include "base/histogram.h"
#include "unit.h"

/* One histogram at a time on the stack is fine; the rest are static. */
static struct nc_histogram ha, hb, hall;

static const double ps[] = { 0, 0.1, 1, 10, 25, 50, 75, 90, 99, 99.9,
			     99.99, 100 };

/* |got - want| <= want / 32 */
#define CHECK_NEAR(got, want, what)					\
	CHECK(((got) > (want) ? (got) - (want) : (want) - (got)) <=	\
	      (want) / 32, "%s: got %" PRIu64 ", want %" PRIu64	\
	      " +- 1/32", what, (uint64_t)(got), (uint64_t)(want))

static void test_empty(void)
{
	nc_hist_init(&ha);
	CHECK_U64(nc_hist_count(&ha), 0);
	CHECK_U64(nc_hist_min(&ha), 0);
	CHECK_U64(nc_hist_max(&ha), 0);
	CHECK(nc_hist_mean(&ha) == 0, "mean %g", nc_hist_mean(&ha));
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
		CHECK_U64(nc_hist_percentile(&ha, ps[i]), 0);
}

static void test_single(uint64_t v)
{
	nc_hist_init(&ha);
	nc_hist_add(&ha, v);
	CHECK_U64(nc_hist_count(&ha), 1);
	CHECK_U64(nc_hist_min(&ha), v);
	CHECK_U64(nc_hist_max(&ha), v);
	CHECK(nc_hist_mean(&ha) == (double)v, "mean %g, want %" PRIu64,
	      nc_hist_mean(&ha), v);
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
		CHECK_U64(nc_hist_percentile(&ha, ps[i]), v);
}

/* 0..63 have a bucket each: the k-th of 64 is k - 1 exactly. */
static void test_exact_small(void)
{
	nc_hist_init(&ha);
	for (uint64_t v = 0; v < 64; v++)
		nc_hist_add(&ha, v);
	for (uint64_t k = 1; k <= 64; k++)
		CHECK(nc_hist_percentile(&ha, k * 100.0 / 64) == k - 1,
		      "rank %" PRIu64 " of 64: got %" PRIu64, k,
		      nc_hist_percentile(&ha, k * 100.0 / 64));
	CHECK_U64(nc_hist_percentile(&ha, 0), 0);
	CHECK_U64(nc_hist_percentile(&ha, 0.5), 0);
	CHECK_U64(nc_hist_percentile(&ha, 50), 31);
	CHECK_U64(nc_hist_percentile(&ha, 100), 63);
	CHECK(nc_hist_mean(&ha) == 31.5, "mean %g", nc_hist_mean(&ha));
}

/*
 * p = 100 * k / n must give rank k even where p / 100 * n rounds to a
 * hair above k (99.9 % of 1000 is rank 999, not 1000).
 */
static void test_rank(void)
{
	for (uint64_t n = 1; n <= 64; n++) {
		nc_hist_init(&ha);
		for (uint64_t v = 0; v < n; v++)
			nc_hist_add(&ha, v);
		for (uint64_t k = 1; k < n; k++) {
			uint64_t got = nc_hist_percentile(&ha, 100.0 * k / n);

			CHECK(got == k - 1, "n %" PRIu64 ", p %.17g: got %"
			      PRIu64 ", want %" PRIu64, n, 100.0 * k / n,
			      got, k - 1);
		}
	}
}

/* 1..1e6 once each: the value of rank r is r. */
static void test_uniform(void)
{
	static const struct {
		double p;
		uint64_t want;
	} t[] = {
		{ 50, 500000 }, { 90, 900000 }, { 99, 990000 },
		{ 99.9, 999000 }, { 99.99, 999900 }, { 1, 10000 },
	};
	const uint64_t n = 1000000;

	nc_hist_init(&ha);
	for (uint64_t v = 1; v <= n; v++)
		nc_hist_add(&ha, v);
	CHECK_U64(nc_hist_count(&ha), n);
	CHECK_U64(nc_hist_min(&ha), 1);
	CHECK_U64(nc_hist_max(&ha), n);
	CHECK_U64(nc_hist_percentile(&ha, 0), 1);
	CHECK_U64(nc_hist_percentile(&ha, 100), n);
	CHECK(nc_hist_mean(&ha) == 500000.5, "mean %.3f",
	      nc_hist_mean(&ha));
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t got = nc_hist_percentile(&ha, t[i].p);
		char what[32];

		snprintf(what, sizeof(what), "uniform p%g", t[i].p);
		CHECK_NEAR(got, t[i].want, what);
	}
}

/* 99 % at 10 us, 1 % at 5 ms. */
static void test_two_point(void)
{
	nc_hist_init(&ha);
	for (int i = 0; i < 9900; i++)
		nc_hist_add(&ha, 10000);
	for (int i = 0; i < 100; i++)
		nc_hist_add(&ha, 5000000);
	CHECK_NEAR(nc_hist_percentile(&ha, 50), 10000, "two-point p50");
	CHECK_NEAR(nc_hist_percentile(&ha, 99), 10000, "two-point p99");
	CHECK_NEAR(nc_hist_percentile(&ha, 99.01), 5000000,
		   "two-point p99.01");
	CHECK_NEAR(nc_hist_percentile(&ha, 99.9), 5000000,
		   "two-point p99.9");
	CHECK_U64(nc_hist_percentile(&ha, 0), 10000);
	CHECK_U64(nc_hist_percentile(&ha, 100), 5000000);
	CHECK(nc_hist_mean(&ha) == 59900.0, "mean %g", nc_hist_mean(&ha));
}

/*
 * The bucket of any value, however large: in {0, v, UINT64_MAX} the
 * median is v's bucket midpoint, unclamped.
 */
static void test_bucket_error(void)
{
	uint64_t seed = 0x68697374ULL;

	for (int i = 0; i < 200000; i++) {
		uint64_t r = unit_rand(&seed);
		uint64_t v = r >> (unit_rand(&seed) % 64);
		uint64_t got;

		nc_hist_init(&ha);
		nc_hist_add(&ha, 0);
		nc_hist_add(&ha, v);
		nc_hist_add(&ha, UINT64_MAX);
		got = nc_hist_percentile(&ha, 50);
		CHECK_NEAR(got, v, "median of {0, v, max}");
		if (unit_failures > 10)
			break;
	}
}

static void test_huge(void)
{
	static const uint64_t v[] = {
		UINT64_MAX, UINT64_MAX - 1, (uint64_t)1 << 63,
		((uint64_t)1 << 63) - 1, (uint64_t)1 << 32, 1000, 1, 0,
	};
	const size_t n = sizeof(v) / sizeof(v[0]);
	uint64_t prev = 0;

	nc_hist_init(&ha);
	for (size_t i = 0; i < n; i++)
		nc_hist_add(&ha, v[i]);
	CHECK_U64(nc_hist_count(&ha), n);
	CHECK_U64(nc_hist_min(&ha), 0);
	CHECK_U64(nc_hist_max(&ha), UINT64_MAX);
	/* Rank k of n is v[n - k]. */
	for (size_t k = 1; k <= n; k++) {
		uint64_t got = nc_hist_percentile(&ha, k * 100.0 / n);

		CHECK_NEAR(got, v[n - k], "huge");
		CHECK(got >= prev, "rank %zu: %" PRIu64 " < %" PRIu64, k,
		      got, prev);
		prev = got;
	}
	CHECK_U64(nc_hist_percentile(&ha, 100), UINT64_MAX);

	/* The sum needs more than 64 bits. */
	nc_hist_init(&ha);
	nc_hist_add(&ha, UINT64_MAX);
	nc_hist_add(&ha, UINT64_MAX);
	nc_hist_add(&ha, UINT64_MAX);
	CHECK(nc_hist_mean(&ha) == (double)UINT64_MAX, "mean %g",
	      nc_hist_mean(&ha));
}

/* Log-spread, the way latencies are: mostly small, a long tail. */
static uint64_t rand_latency(uint64_t *seed)
{
	return 1000 + (unit_rand(seed) >> (34 + unit_rand(seed) % 30));
}

static void test_monotone(void)
{
	uint64_t seed = 0x6d6f6e6fULL, prev;

	nc_hist_init(&ha);
	for (int i = 0; i < 100000; i++)
		nc_hist_add(&ha, rand_latency(&seed));
	CHECK(nc_hist_percentile(&ha, 50) <= nc_hist_percentile(&ha, 90) &&
	      nc_hist_percentile(&ha, 90) <= nc_hist_percentile(&ha, 99) &&
	      nc_hist_percentile(&ha, 99) <= nc_hist_percentile(&ha, 99.9) &&
	      nc_hist_percentile(&ha, 99.9) <= nc_hist_max(&ha),
	      "p50 %" PRIu64 " p90 %" PRIu64 " p99 %" PRIu64 " p99.9 %"
	      PRIu64 " max %" PRIu64, nc_hist_percentile(&ha, 50),
	      nc_hist_percentile(&ha, 90), nc_hist_percentile(&ha, 99),
	      nc_hist_percentile(&ha, 99.9), nc_hist_max(&ha));
	CHECK_U64(nc_hist_percentile(&ha, 0), nc_hist_min(&ha));
	prev = nc_hist_min(&ha);
	for (int i = 1; i <= 1000; i++) {
		uint64_t got = nc_hist_percentile(&ha, i / 10.0);

		CHECK(got >= prev, "p%g: %" PRIu64 " < %" PRIu64, i / 10.0,
		      got, prev);
		prev = got;
	}
	CHECK_U64(prev, nc_hist_max(&ha));
}

static void check_same(const struct nc_histogram *a,
		       const struct nc_histogram *b, const char *what)
{
	CHECK(nc_hist_count(a) == nc_hist_count(b) &&
	      nc_hist_min(a) == nc_hist_min(b) &&
	      nc_hist_max(a) == nc_hist_max(b) &&
	      nc_hist_mean(a) == nc_hist_mean(b),
	      "%s: count %" PRIu64 "/%" PRIu64 " min %" PRIu64 "/%" PRIu64
	      " max %" PRIu64 "/%" PRIu64 " mean %g/%g", what,
	      nc_hist_count(a), nc_hist_count(b), nc_hist_min(a),
	      nc_hist_min(b), nc_hist_max(a), nc_hist_max(b),
	      nc_hist_mean(a), nc_hist_mean(b));
	CHECK(memcmp(a->bucket, b->bucket, sizeof(a->bucket)) == 0,
	      "%s: bucket counts differ", what);
	for (int i = 0; i <= 1000; i++) {
		uint64_t x = nc_hist_percentile(a, i / 10.0);
		uint64_t y = nc_hist_percentile(b, i / 10.0);

		CHECK(x == y, "%s: p%g %" PRIu64 " != %" PRIu64, what,
		      i / 10.0, x, y);
	}
}

static void test_merge(void)
{
	uint64_t seed = 0x6d65726765ULL;
	const int n = 100001;

	nc_hist_init(&ha);
	nc_hist_init(&hb);
	nc_hist_init(&hall);
	for (int i = 0; i < n; i++) {
		uint64_t v = rand_latency(&seed);

		nc_hist_add(i < n / 2 ? &ha : &hb, v);
		nc_hist_add(&hall, v);
	}
	nc_hist_merge(&ha, &hb);
	check_same(&ha, &hall, "merge of halves");

	/* Into and from an empty one. */
	nc_hist_init(&ha);
	nc_hist_merge(&ha, &hall);
	check_same(&ha, &hall, "merge into empty");
	nc_hist_init(&hb);
	nc_hist_merge(&ha, &hb);
	check_same(&ha, &hall, "merge of empty");
	nc_hist_init(&ha);
	nc_hist_merge(&ha, &hb);
	CHECK_U64(nc_hist_count(&ha), 0);
	CHECK_U64(nc_hist_min(&ha), 0);
	CHECK_U64(nc_hist_percentile(&ha, 50), 0);
}

int main(void)
{
	test_empty();
	test_single(0);
	test_single(1);
	test_single(12345);
	test_single(UINT64_MAX);
	test_exact_small();
	test_rank();
	test_uniform();
	test_two_point();
	test_bucket_error();
	test_huge();
	test_monotone();
	test_merge();
	return unit_exit("unit-histogram");
}
