/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unit-parse.c - strict parsing of sizes, rates and seconds, the
 * shortest form of a double written back, error texts, and the mode
 * table (lookup, probe, NETCOPY_DISABLE_MODES).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "base/base.h"
#include "recv/recv.h"
#include "send/send.h"
#include "unit.h"

#define UNTOUCHED 0x5555555555555555ULL

/* A parser of counts with suffixes: netcopy_parse_size or _rate. */
typedef int (*parse_fn)(const char *text, uint64_t *out);

static void parsed_ok(parse_fn parse, const char *name, const char *text,
		      uint64_t want)
{
	uint64_t got = UNTOUCHED;
	int err = parse(text, &got);

	CHECK(err == 0 && got == want,
	      "%s(\"%s\"): returned %d, value %" PRIu64 ", want 0, %"
	      PRIu64, name, text, err, got, want);
}

/* A refusal leaves the value alone. */
static void parsed_bad(parse_fn parse, const char *name, const char *text,
		       int want)
{
	uint64_t got = UNTOUCHED;
	int err = parse(text, &got);

	CHECK(err == want && got == UNTOUCHED, "%s(\"%s\"): returned %d "
	      "(value %" PRIu64 "), want %d", name, text, err, got, want);
}

static void size_ok(const char *text, uint64_t want)
{
	parsed_ok(netcopy_parse_size, "parse_size", text, want);
}

static void size_bad(const char *text, int want)
{
	parsed_bad(netcopy_parse_size, "parse_size", text, want);
}

static void check_sizes(void)
{
	size_ok("0", 0);
	size_ok("1", 1);
	size_ok("1000", 1000);
	size_ok("64K", 65536);
	size_ok("1K", 1024);
	size_ok("1M", 1048576);
	size_ok("64M", 67108864);
	size_ok("1G", 1073741824);
	size_ok("0K", 0);
	size_ok("007", 7);
	size_ok("4096G", 4398046511104ULL);
	size_ok("18446744073709551615", UINT64_MAX);
	size_ok("17179869183G", 17179869183ULL << 30);
	size_ok("17592186044415M", 17592186044415ULL << 20);

	size_bad("18446744073709551616", -ERANGE);
	size_bad("99999999999999999999", -ERANGE);
	size_bad("17179869184G", -ERANGE);
	size_bad("17592186044416M", -ERANGE);
	size_bad("18014398509481984K", -ERANGE);
	size_bad("18446744073709551615K", -ERANGE);

	static const char *const invalid[] = {
		"", "abc", "1X", "-1", "-0", "+5", " 5", "5 ", "5\n", "\t5",
		"1KB", "1 K", "K", "M", "1.5M", "1.0", "0x10", "1e3", "1,000",
		"1_000", "64KK", "1T", "1B", "1KiB", "5-", "--5", "5\x01",
	};
	for (size_t i = 0; i < sizeof(invalid) / sizeof(*invalid); i++)
		size_bad(invalid[i], -EINVAL);
}

static void rate_ok(const char *text, uint64_t want)
{
	parsed_ok(netcopy_parse_rate, "parse_rate", text, want);
}

static void rate_bad(const char *text, int want)
{
	parsed_bad(netcopy_parse_rate, "parse_rate", text, want);
}

/* Rates are 1000-based, as iperf3's -b, where sizes are 1024-based. */
static void check_rates(void)
{
	rate_ok("0", 0);
	rate_ok("1", 1);
	rate_ok("1K", 1000);
	rate_ok("200M", 200000000);
	rate_ok("200m", 200000000);
	rate_ok("1G", 1000000000);
	rate_ok("10g", 10000000000ULL);
	rate_ok("18446744073709551615", UINT64_MAX);
	rate_ok("18446744073G", 18446744073000000000ULL);

	rate_bad("18446744073709551616", -ERANGE);
	rate_bad("18446744074G", -ERANGE);
	rate_bad("18446744073709552K", -ERANGE);

	static const char *const invalid[] = {
		"", "abc", "-1", "-0", "+5", " 5", "5 ", "1.5G", "0x10",
		"1e9", "1,000", "1T", "1Kb", "1Mbit", "1 M", "M", "64KK",
	};
	for (size_t i = 0; i < sizeof(invalid) / sizeof(*invalid); i++)
		rate_bad(invalid[i], -EINVAL);
}

static void seconds_ok(const char *text, double want)
{
	double got = -123.0;
	int err = netcopy_parse_seconds(text, &got);

	CHECK(err == 0 && got == want,
	      "parse_seconds(\"%s\"): returned %d, value %g, want 0, %g", text,
	      err, got, want);
}

static void seconds_bad(const char *text)
{
	double got = -123.0;
	int err = netcopy_parse_seconds(text, &got);

	CHECK(err == -EINVAL, "parse_seconds(\"%s\"): returned %d (value %g), "
	      "want %d", text, err, got, -EINVAL);
}

static void check_seconds(void)
{
	seconds_ok("10", 10.0);
	seconds_ok("0.5", 0.5);
	seconds_ok("0", 0.0);
	seconds_ok("0.1", 0.1);
	seconds_ok("86400", 86400.0);
	seconds_ok("2.25", 2.25);
	seconds_ok("1e-3", 0.001);
	seconds_ok(".5", 0.5);
	seconds_ok("2.5E+1", 25.0);

	static const char *const invalid[] = {
		"", "abc", "-1", "-0.5", "nan", "NaN", "inf", "INF", "infinity",
		"-inf", "1e999", " 1", "1 ", "1s", "10sec", "1..2", "+1", "--1",
		"1,5", "\n",
		/* Decimal only, as sizes are: strtod() would take hex. */
		"0x1p3", "0X10", "0x.8", "0x1P-2", "1p3",
	};
	for (size_t i = 0; i < sizeof(invalid) / sizeof(*invalid); i++)
		seconds_bad(invalid[i]);
}

static void shortest_is(double v, const char *want)
{
	char buf[NC_SHORTEST_CAP];
	size_t len = nc_format_shortest(buf, sizeof(buf), v);

	CHECK(strcmp(buf, want) == 0 && len == strlen(want),
	      "shortest(%.17g): \"%s\" (%zu), want \"%s\"", v, buf, len,
	      want);
}

/* JSON's numbers: the fewest digits that read back, still a double. */
static void check_shortest(void)
{
	shortest_is(0.6, "0.6");
	shortest_is(1.4, "1.4");
	shortest_is(2, "2.0");
	shortest_is(0, "0.0");
	shortest_is(-3, "-3.0");
	shortest_is(0.1 + 0.2, "0.30000000000000004");
	shortest_is(1.0 / 3, "0.3333333333333333");
	shortest_is(1e300, "1e+300");
	shortest_is(5e-324, "4.94065645841247e-324");
	shortest_is(NAN, "null");
	shortest_is(INFINITY, "null");
}

static void check_strerror(void)
{
	static const int codes[] = {
		NETCOPY_EPROTOCOL, NETCOPY_EREFUSED, NETCOPY_EUNSUPPORTED,
		NETCOPY_EVERIFY, NETCOPY_ESHORT, NETCOPY_ECOMPLETION,
		NETCOPY_ESHORTSEND,
		-ENOMEM, -ECONNREFUSED, -EINVAL, -ERANGE, -ETIMEDOUT, 0,
	};
	const size_t n = sizeof(codes) / sizeof(*codes);
	const char *text[sizeof(codes) / sizeof(*codes)];

	for (size_t i = 0; i < n; i++) {
		text[i] = netcopy_strerror(codes[i]);
		CHECK(text[i] && *text[i], "strerror(%d) is empty", codes[i]);
		if (!text[i])
			text[i] = "";
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			CHECK(strcmp(text[i], text[j]) != 0,
			      "strerror(%d) and strerror(%d) are both \"%s\"",
			      codes[i], codes[j], text[i]);
	CHECK(strcmp(netcopy_strerror(-ENOMEM), strerror(ENOMEM)) == 0,
	      "strerror(-ENOMEM) is \"%s\"", netcopy_strerror(-ENOMEM));

	/* Anything else still gets text. */
	static const int others[] = { 1, 4096, -4095, -4103, -5000, INT32_MIN,
				      INT32_MAX };
	for (size_t i = 0; i < sizeof(others) / sizeof(*others); i++) {
		const char *t = netcopy_strerror(others[i]);

		CHECK(t && *t, "strerror(%d) is empty", others[i]);
	}
	CHECK(strcmp(netcopy_version(), PACKAGE_VERSION) == 0,
	      "version \"%s\", want \"%s\"", netcopy_version(),
	      PACKAGE_VERSION);
}

static void check_modes(void)
{
	/* What modes.def says, through the flags configure set. */
	static const struct {
		const char *name;
		bool built;
	} table[] = {
#define NC_MODE(id, name, protos, built, why) { name, built },
#include "send/modes.def"
#undef NC_MODE
	};
	const size_t known = sizeof(table) / sizeof(*table);
	const size_t count = netcopy_mode_count();
	size_t built = 0;
	const char *why;

	CHECK(count >= 2, "mode count %zu", count);
	CHECK_INT(netcopy_known_mode_count(), known);
	CHECK(netcopy_mode_find("two-copy") && netcopy_mode_find("one-copy"),
	      "two-copy or one-copy not built");

	/* The known modes in the table's order: the built ones found by
	 * name with no reason, the rest not found and with one, and
	 * nothing past the end. */
	for (size_t i = 0; i < known; i++) {
		const char *name = netcopy_known_mode(i, &why);
		const struct netcopy_mode *m;

		CHECK(name && why, "known mode %zu: name or reason NULL", i);
		if (!name || !why)
			continue;
		CHECK(strcmp(name, table[i].name) == 0,
		      "known mode %zu is %s, modes.def says %s", i, name,
		      table[i].name);
		m = netcopy_mode_find(name);
		if (table[i].built) {
			CHECK(m != NULL, "mode \"%s\" not found", name);
			CHECK(*why == '\0', "built mode %s has a reason: %s",
			      name, why);
			CHECK(m && strcmp(netcopy_mode_name(m), name) == 0,
			      "mode \"%s\" is named \"%s\"", name,
			      m ? netcopy_mode_name(m) : "(none)");
			CHECK(netcopy_mode_at(built) == m,
			      "mode_at(%zu) is not %s", built, name);
			built++;
		} else {
			CHECK(m == NULL, "mode %s found, but not built", name);
			CHECK(strncmp(why, "not built: ", 11) == 0 &&
			      why[11] != '\0', "mode %s not built, reason "
			      "\"%s\"", name, why);
		}
	}
	CHECK_INT(built, count);
	CHECK(netcopy_known_mode(known, &why) == NULL,
	      "a known mode past the end");
	for (size_t i = 0; i < count; i++) {
		const struct netcopy_mode *m = netcopy_mode_at(i);
		const char *name, *summary;

		CHECK(m != NULL, "mode_at(%zu) is NULL", i);
		if (!m)
			continue;
		name = netcopy_mode_name(m);
		summary = netcopy_mode_summary(m);
		CHECK(name && *name, "mode %zu has no name", i);
		CHECK(summary && *summary, "mode %zu has no summary", i);
		CHECK(name && strlen(name) < NC_MODE_NAME_MAX,
		      "mode %zu name too long for the wire", i);
		CHECK(name && netcopy_mode_find(name) == m,
		      "mode_find(\"%s\") is not mode_at(%zu)", name, i);
		for (size_t j = 0; j < i; j++)
			CHECK(netcopy_mode_at(j) != m, "mode %zu is mode %zu",
			      i, j);
	}
	CHECK(netcopy_mode_at(count) == NULL, "mode_at(count) is not NULL");
	CHECK(netcopy_mode_at((size_t)-1) == NULL, "mode_at(-1) is not NULL");
	static const char *const unknown[] = {
		"", "nope", "two-copy ", "Two-copy", "two", "two-copy,one-copy",
		"zero-copy-", "copy",
	};
	for (size_t i = 0; i < sizeof(unknown) / sizeof(*unknown); i++)
		CHECK(netcopy_mode_find(unknown[i]) == NULL,
		      "mode_find(\"%s\") found a mode", unknown[i]);

	/* NETCOPY_DISABLE_MODES: whole names in a comma-separated list. */
	if (setenv("NETCOPY_DISABLE_MODES", "one-copy", 1))
		unit_error("setenv failed");
	why = NULL;
	CHECK_INT(netcopy_mode_probe(netcopy_mode_find("one-copy"), &why),
		  NETCOPY_EUNSUPPORTED);
	CHECK(why && *why, "disabled mode refused without a reason");
	why = NULL;
	CHECK(netcopy_mode_probe(netcopy_mode_find("two-copy"), &why) == 0,
	      "two-copy refused: %s", why ? why : "(no reason)");

	static const struct {
		const char *list, *name;
		bool disabled;
	} env[] = {
		{ "one-copy", "one-copy", true },
		{ "one-copy", "two-copy", false },
		{ "two-copy,one-copy", "one-copy", true },
		{ "two-copy,one-copy", "two-copy", true },
		{ "two-copy,one-copy", "zero-copy", false },
		{ ",zero-copy,", "zero-copy", true },
		{ "one-copy,", "one-copy", true },
		{ "", "one-copy", false },
		{ ",", "one-copy", false },
		{ "one", "one-copy", false },
		{ "one-copy-x", "one-copy", false },
		{ "xone-copy", "one-copy", false },
		{ "zero-copy", "copy", false },
		{ "two-copy,,zero-copy", "zero-copy", true },
	};
	for (size_t i = 0; i < sizeof(env) / sizeof(*env); i++) {
		if (setenv("NETCOPY_DISABLE_MODES", env[i].list, 1))
			unit_error("setenv failed");
		CHECK(nc_mode_disabled_by_env(env[i].name) == env[i].disabled,
		      "NETCOPY_DISABLE_MODES=\"%s\": %s %s", env[i].list,
		      env[i].name, env[i].disabled ? "not disabled" :
		      "disabled");
	}
	unsetenv("NETCOPY_DISABLE_MODES");
	CHECK(!nc_mode_disabled_by_env("two-copy"),
	      "two-copy disabled with NETCOPY_DISABLE_MODES unset");
	why = NULL;
	CHECK(netcopy_mode_probe(netcopy_mode_find("two-copy"), &why) == 0,
	      "two-copy refused: %s", why ? why : "(no reason)");
	why = NULL;
	CHECK(netcopy_mode_probe(netcopy_mode_find("one-copy"), &why) == 0,
	      "one-copy refused: %s", why ? why : "(no reason)");
}

int main(void)
{
	check_sizes();
	check_rates();
	check_seconds();
	check_shortest();
	check_strerror();
	check_modes();
	return unit_exit("unit-parse");
}
