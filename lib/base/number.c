/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * number.c - numbers as people and JSON read them: a byte count in
 * 1024-based units, and a double at its shortest exact form, for JSON
 * (json-c writes %.17g, 0.59999999999999998 for 0.6, and has no setting
 * for the shortest form).  netcopy-client builds this file in too, for
 * its -I lines.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

/* Whichever decimal point the locale printed, a JSON one. */
static void point(char *buf)
{
	for (; *buf; buf++)
		if (*buf == ',')
			*buf = '.';
}

size_t nc_format_shortest(char *buf, size_t cap, double v)
{
	int len = 0;

	if (cap < NC_SHORTEST_CAP || !isfinite(v))
		return (size_t)snprintf(buf, cap, "null");
	/* The fewest digits that read back as v: %.17g always does. */
	for (int digits = 15; digits <= 17; digits++) {
		len = snprintf(buf, cap, "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	point(buf);
	/* Still a double when read back: 2.0, not 2. */
	if (!strpbrk(buf, ".e")) {
		memcpy(buf + len, ".0", 3);
		len += 2;
	}
	return (size_t)len;
}

void nc_format_bytes(char *buf, size_t cap, uint64_t bytes)
{
	static const char *const unit[] = {
		"Bytes", "KBytes", "MBytes", "GBytes", "TBytes", "PBytes",
	};
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1024 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, cap, u ? "%.2f %s" : "%.0f %s", v, unit[u]);
}
