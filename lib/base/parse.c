/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* parse.c - strict parsing of sizes, rates and durations given on command
 * lines. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "base/base.h"

/* Decimal digits with an optional K, M or G (either case): powers of
 * unit (1024 for sizes, 1000 for rates).  No sign, space or hex. */
static int parse_scaled(const char *text, uint64_t unit, uint64_t *out)
{
	unsigned long long value;
	uint64_t scale = 1;
	char *end;

	if (!text || !isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	value = strtoull(text, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	switch (*end) {
	case '\0':
		break;
	case 'G': case 'g':
		scale *= unit;
		/* fall through */
	case 'M': case 'm':
		scale *= unit;
		/* fall through */
	case 'K': case 'k':
		scale *= unit;
		end++;
		break;
	default:
		return -EINVAL;
	}
	if (*end != '\0')
		return -EINVAL;
	if (value > UINT64_MAX / scale)
		return -ERANGE;
	*out = (uint64_t)value * scale;
	return 0;
}

NETCOPY_EXPORT int netcopy_parse_size(const char *text, uint64_t *out)
{
	return parse_scaled(text, 1024, out);
}

NETCOPY_EXPORT int netcopy_parse_rate(const char *text, uint64_t *out)
{
	return parse_scaled(text, 1000, out);
}

NETCOPY_EXPORT int netcopy_parse_seconds(const char *text, double *out)
{
	double value;
	char *end;

	/* Decimal only, as sizes are: strtod() would also take hex
	 * ("0x1p3") and the names of infinity and NaN. */
	if (!text || !(isdigit((unsigned char)text[0]) || text[0] == '.') ||
	    text[strspn(text, "0123456789.eE+-")] != '\0')
		return -EINVAL;
	errno = 0;
	value = strtod(text, &end);
	if (errno || *end != '\0' || !isfinite(value) || value < 0)
		return -EINVAL;
	*out = value;
	return 0;
}
