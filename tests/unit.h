/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unit.h - the few helpers the C unit tests share.  A test counts its
 * failed checks and ends with unit_exit(): 0 pass, 1 fail; unit_error()
 * (99) when the test itself cannot go on, unit_skip() (77) when the
 * system lacks what it needs.  Every failed check says what it wanted.
 */
#ifndef NETCOPY_UNIT_H
#define NETCOPY_UNIT_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define UNIT_SKIP 77
#define UNIT_ERROR 99

static unsigned long unit_checks __attribute__((unused));
static unsigned long unit_failures __attribute__((unused));

__attribute__((format(printf, 4, 5), unused))
static void unit_fail(const char *file, int line, const char *expr,
		      const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: FAIL: %s: ", file, line, expr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	unit_failures++;
}

/* CHECK(condition, "printf format", ...): the values that failed. */
#define CHECK(cond, ...)						\
	do {								\
		unit_checks++;						\
		if (!(cond))						\
			unit_fail(__FILE__, __LINE__, #cond, __VA_ARGS__); \
	} while (0)

#define CHECK_INT(got, want)						\
	CHECK((intmax_t)(got) == (intmax_t)(want),			\
	      "got %jd, want %jd", (intmax_t)(got), (intmax_t)(want))

#define CHECK_U64(got, want)						\
	CHECK((uint64_t)(got) == (uint64_t)(want),			\
	      "got %" PRIu64 ", want %" PRIu64, (uint64_t)(got),	\
	      (uint64_t)(want))

__attribute__((format(printf, 1, 2), noreturn, unused))
static void unit_error(const char *fmt, ...)
{
	va_list ap;

	fputs("ERROR: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(UNIT_ERROR);
}

__attribute__((format(printf, 1, 2), noreturn, unused))
static void unit_skip(const char *fmt, ...)
{
	va_list ap;

	fputs("SKIP: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(UNIT_SKIP);
}

__attribute__((unused))
static void *unit_malloc(size_t len)
{
	void *p = malloc(len ? len : 1);

	if (!p)
		unit_error("out of memory (%zu bytes)", len);
	return p;
}

/* xorshift64*: a fixed seed makes every run test the same inputs. */
__attribute__((unused))
static uint64_t unit_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Uniform enough in [lo, hi]. */
__attribute__((unused))
static uint64_t unit_rand_range(uint64_t *state, uint64_t lo, uint64_t hi)
{
	return lo + unit_rand(state) % (hi - lo + 1);
}

__attribute__((unused))
static int unit_exit(const char *name)
{
	if (unit_failures) {
		fprintf(stderr, "%s: %lu of %lu checks failed\n", name,
			unit_failures, unit_checks);
		return 1;
	}
	printf("%s: all %lu checks passed\n", name, unit_checks);
	return 0;
}

#endif /* NETCOPY_UNIT_H */
