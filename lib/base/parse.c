/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* parse.c - strict parsing of sizes and durations given on command lines. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "base/base.h"

NETCOPY_EXPORT int netcopy_parse_size(const char *text, uint64_t *out)
{
	unsigned long long value;
	unsigned int shift = 0;
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
	case 'K': case 'k':
		shift = 10;
		end++;
		break;
	case 'M': case 'm':
		shift = 20;
		end++;
		break;
	case 'G': case 'g':
		shift = 30;
		end++;
		break;
	default:
		return -EINVAL;
	}
	if (*end != '\0')
		return -EINVAL;
	if (shift && value > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = (uint64_t)value << shift;
	return 0;
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
