/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * params.c - a run's parameters: the table made from params.def, their
 * defaults, and the one check of their ranges.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "params/params.h"

const struct nc_param nc_param_table[] = {
#define NC_PARAM(name, NAME, num, kind, lo, hi, dflt, fl, unit, text, \
		 label)                                                    \
	{ #name, offsetof(struct nc_params, name), num, NC_PK_##kind,    \
	  fl, lo, hi, unit, text, label },
#include "params.def"
#undef NC_PARAM
};
const size_t nc_param_count = sizeof(nc_param_table) /
			      sizeof(nc_param_table[0]);

const struct nc_params nc_params_defaults = {
#define NC_PARAM(name, NAME, field, kind, min, max, dflt, ...) .name = dflt,
#include "params.def"
#undef NC_PARAM
};

double nc_param_value(const struct nc_param *param,
		      const struct nc_params *p)
{
	const void *at = (const char *)p + param->offset;

	switch (param->kind) {
	case NC_PK_U64:
		return (double)*(const uint64_t *)at;
	case NC_PK_U32:
		return *(const uint32_t *)at;
	case NC_PK_S32:
		return *(const int32_t *)at;
	case NC_PK_SECONDS:
		return *(const double *)at;
	case NC_PK_U8:
		return *(const uint8_t *)at;
	case NC_PK_BOOL:
		return *(const bool *)at;
	}
	return 0;
}

const struct nc_param *nc_params_invalid(const struct nc_params *p)
{
	for (size_t i = 0; i < nc_param_count; i++) {
		const struct nc_param *param = &nc_param_table[i];
		double v;

		/* The mode table judges names; a bool is in range. */
		if (param->kind == NC_PK_STR || param->kind == NC_PK_BOOL)
			continue;
		v = nc_param_value(param, p);
		if (v == 0 &&
		    (param->flags & (NC_PF_ZERO_OK | NC_PF_ZERO_NONE)))
			continue;
		if (!(v >= param->min && v <= param->max))	/* NaN too */
			return param;
	}
	return NULL;
}

int nc_params_check(const struct nc_params *p, const char **why)
{
	const struct nc_param *bad = nc_params_invalid(p);

	if (!bad)
		return 0;
	*why = bad->why;
	return -EINVAL;
}

void nc_param_range(const struct nc_param *param, char *buf, size_t cap)
{
	snprintf(buf, cap, "%.15g to %.15g%s", param->min, param->max,
		 param->unit);
}

unsigned int nc_params_ask(struct nc_params *p, bool on, char *names,
			   size_t cap)
{
	unsigned int changed = 0;
	size_t at = 0;

	if (cap)
		names[0] = '\0';
	for (size_t i = 0; i < nc_param_count; i++) {
		const struct nc_param *param = &nc_param_table[i];
		bool *v = (bool *)((char *)p + param->offset);

		if (!(param->flags & NC_PF_ASK) || *v == on)
			continue;
		*v = on;
		if (at < cap)
			at += (size_t)snprintf(names + at, cap - at, "%s%s",
					       changed ? ", " : "",
					       param->log);
		changed++;
	}
	return changed;
}

static const char *const proto_names[] = {
	[NC_PROTO_TCP] = "tcp",
	[NC_PROTO_UDP] = "udp",
};

_Static_assert(sizeof(proto_names) / sizeof(proto_names[0]) ==
	       NC_PROTO_LAST + 1, "a protocol without its name");

const char *nc_proto_name(uint8_t proto)
{
	return proto <= NC_PROTO_LAST ? proto_names[proto] : NULL;
}

int nc_proto_parse(const char *name, uint8_t *proto)
{
	for (uint8_t i = 0; name && i <= NC_PROTO_LAST; i++) {
		if (strcmp(name, proto_names[i]) == 0) {
			*proto = i;
			return 0;
		}
	}
	return -EINVAL;
}
