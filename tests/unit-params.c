/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unit-params.c - the parameter table and its one check: the defaults
 * pass; every numeric parameter passes at both ends of its range and is
 * refused, with its own reason, just past either; the client's setters
 * refuse through the same check and say why in netcopy_client_detail().
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "params/params.h"
#include "wire/wire.h"
#include "unit.h"

/* Store v into the parameter, as its kind holds it. */
static void put(const struct nc_param *param, struct nc_params *p, double v)
{
	void *at = (char *)p + param->offset;

	switch (param->kind) {
	case NC_PK_U64:
		*(uint64_t *)at = (uint64_t)v;
		break;
	case NC_PK_U32:
		*(uint32_t *)at = (uint32_t)v;
		break;
	case NC_PK_S32:
		*(int32_t *)at = (int32_t)v;
		break;
	case NC_PK_SECONDS:
		*(double *)at = v;
		break;
	case NC_PK_U8:
		*(uint8_t *)at = (uint8_t)v;
		break;
	}
}

/* p with param at v: accepted, or refused for param's reason. */
static void expect(const struct nc_param *param, double v, bool ok)
{
	struct nc_params p = nc_params_defaults;
	const char *why = NULL;
	int err;

	put(param, &p, v);
	err = nc_params_check(&p, &why);
	if (ok) {
		CHECK(err == 0, "%s = %g refused: %s", param->name, v,
		      why ? why : "?");
		return;
	}
	CHECK(err == -EINVAL && why && strcmp(why, param->why) == 0 &&
	      nc_params_invalid(&p) == param,
	      "%s = %g: returned %d (%s), want -EINVAL (%s)", param->name, v,
	      err, why ? why : "no reason", param->why);
}

static void check_ranges(void)
{
	const char *why = "";
	size_t numeric = 0;

	CHECK(nc_params_check(&nc_params_defaults, &why) == 0,
	      "the defaults are refused: %s", why);
	for (size_t i = 0; i < nc_param_count; i++) {
		const struct nc_param *param = &nc_param_table[i];
		bool whole = param->kind != NC_PK_SECONDS;
		bool is_unsigned = param->kind != NC_PK_S32 && whole;
		bool zero = param->flags & (NC_PF_ZERO_OK | NC_PF_ZERO_NONE);
		/* One step past an end: a unit, or for seconds a little. */
		double below = whole ? param->min - 1 :
			       param->min > 0 ? param->min / 2 :
			       param->min - 1e-3;
		double above = whole ? param->max + 1 : param->max + 1e-3;

		if (param->kind == NC_PK_STR || param->kind == NC_PK_BOOL)
			continue;
		numeric++;
		CHECK(param->why && param->why[0], "%s has no reason",
		      param->name);
		expect(param, param->min, true);
		expect(param, param->max, true);
		/* Nothing below, or only the 0 that means unset or none. */
		if (!(is_unsigned && param->min == 0) && !(zero && below == 0))
			expect(param, below, false);
		expect(param, above, false);
		if (zero)
			expect(param, 0, true);
		if (!whole)
			expect(param, NAN, false);
	}
	CHECK(numeric >= 10, "only %zu numeric parameters", numeric);
}

static void check_range_text(void)
{
	char buf[96];

	for (size_t i = 0; i < nc_param_count; i++) {
		const struct nc_param *param = &nc_param_table[i];

		nc_param_range(param, buf, sizeof(buf));
		if (strcmp(param->name, "qd") == 0)
			CHECK(strcmp(buf, "1 to 256") == 0, "qd: '%s'", buf);
		if (strcmp(param->name, "sndbuf") == 0)
			CHECK(strcmp(buf, "1024 to 1073741824 bytes") == 0,
			      "sndbuf: '%s'", buf);
		if (strcmp(param->name, "duration") == 0)
			CHECK(strcmp(buf, "0.001 to 86400 seconds") == 0,
			      "duration: '%s'", buf);
	}
}

static void progress(void *data, double from, double to, uint64_t bytes,
		     bool warmup)
{
	(void)data, (void)from, (void)to, (void)bytes, (void)warmup;
}

/* A refused setter says why, with what is allowed. */
static void check_setters(void)
{
	struct netcopy_client *c;
	int err;

	if (netcopy_client_new(&c))
		unit_error("out of memory");
	CHECK_INT(netcopy_client_set_qd(c, 32), 0);
	err = netcopy_client_set_qd(c, NETCOPY_MAX_QD + 1);
	CHECK_INT(err, -EINVAL);
	CHECK(strcmp(netcopy_client_detail(c), "queue depth out of range "
		     "(expected 1 to 256)") == 0, "detail '%s'",
	      netcopy_client_detail(c));
	CHECK_INT(netcopy_client_set_threads(c, 0), -EINVAL);
	CHECK(strstr(netcopy_client_detail(c), "threads out of range"),
	      "detail '%s'", netcopy_client_detail(c));
	CHECK_INT(netcopy_client_set_duration(c, NAN), -EINVAL);
	/* Below a millisecond: 1e-10 s would go as 0 ns, "unset". */
	CHECK_INT(netcopy_client_set_duration(c, 1e-10), -EINVAL);
	CHECK_INT(netcopy_client_set_duration(c, 0.000999), -EINVAL);
	CHECK_INT(netcopy_client_set_duration(c, NETCOPY_MIN_SECONDS), 0);
	/* The warm-up: none, or at least a millisecond. */
	CHECK_INT(netcopy_client_set_warmup(c, 1e-10), -EINVAL);
	CHECK_INT(netcopy_client_set_warmup(c, 0), 0);
	CHECK_INT(netcopy_client_set_warmup(c, NETCOPY_MIN_SECONDS), 0);
	/* Progress: off, or at least a millisecond apart. */
	CHECK_INT(netcopy_client_set_progress(c, 1e-6, progress, NULL),
		  -EINVAL);
	CHECK(strstr(netcopy_client_detail(c), "interval out of range"),
	      "detail '%s'", netcopy_client_detail(c));
	CHECK_INT(netcopy_client_set_progress(c, NAN, progress, NULL),
		  -EINVAL);
	CHECK_INT(netcopy_client_set_progress(c, NETCOPY_MIN_SECONDS,
					      progress, NULL), 0);
	CHECK_INT(netcopy_client_set_progress(c, 0, NULL, NULL), 0);
	CHECK_INT(netcopy_client_set_socket_buffers(c, 1023, 0), -EINVAL);
	CHECK_INT(netcopy_client_set_socket_buffers(c, 0, 0), 0);
	CHECK_INT(netcopy_client_set_affinity(c, -1, NC_MAX_CPU), -EINVAL);
	CHECK_INT(netcopy_client_set_affinity(c, -1, NC_MAX_CPU - 1), 0);
	netcopy_client_free(c);
}

int main(void)
{
	check_ranges();
	check_range_text();
	check_setters();
	return unit_exit("unit-params");
}
