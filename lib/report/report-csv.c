/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * report-csv.c - a run as one CSV row, and the header: every column of
 * the table, in its order.
 */
#include <string.h>

#include "internal.h"
#include "report/report.h"

/* Text cells are quoted when they hold a comma or a quote (RFC 4180). */
static void csv_text(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void csv_cell(FILE *out, struct nc_cell c)
{
	switch (c.kind) {
	case NC_CELL_NA:
		fputs("NA", out);
		break;
	case NC_CELL_U64:
		fprintf(out, "%llu", (unsigned long long)c.u);
		break;
	case NC_CELL_DOUBLE:
		fprintf(out, "%.*f", c.decimals, c.d);
		break;
	case NC_CELL_TEXT:
		csv_text(out, c.text);
		break;
	}
}

NETCOPY_EXPORT const char *netcopy_result_csv_header(void)
{
	static char header[2048];

	if (!header[0]) {
		size_t len = 0;

		for (size_t i = 0; i < nc_column_count; i++)
			len += (size_t)snprintf(header + len,
						sizeof(header) - len, "%s%s",
						i ? "," : "",
						nc_columns[i].name);
	}
	return header;
}

void nc_report_csv(const struct netcopy_result *r, FILE *out, bool header)
{
	if (header)
		fprintf(out, "%s\n", netcopy_result_csv_header());
	for (size_t i = 0; i < nc_column_count; i++) {
		if (i)
			fputc(',', out);
		csv_cell(out, nc_column_cell(r, i));
	}
	fputc('\n', out);
}
