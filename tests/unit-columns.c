/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unit-columns: README's table of CSV columns says exactly what the CSV
 * header holds, in order, with each column's unit and side; and the
 * header starts with the study's 11 columns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "unit.h"

static const char study[] =
	"Implementation,MessageSize,Threads,Throughput_Gbps,Latency_us,"
	"TotalBytes,CPUCycles,CyclesPerByte,CacheMisses,CacheRefs,"
	"ContextSwitches,";

int main(void)
{
	const char *top = getenv("top_srcdir");
	char path[4096], line[512], name[64], unit[32], side[32];
	bool in_table = false;
	size_t row = 0;
	FILE *f;

	CHECK(strncmp(netcopy_result_csv_header(), study,
		      strlen(study)) == 0, "header starts %.60s",
	      netcopy_result_csv_header());
	snprintf(path, sizeof(path), "%s/README", top ? top : ".");
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return 99;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!in_table) {
			in_table = strncmp(line, "  column ", 9) == 0;
			continue;
		}
		if (line[0] == '\n')
			break;
		if (line[2] == ' ')	/* a wrapped meaning */
			continue;
		if (sscanf(line, "%63s %31s %31s", name, unit, side) != 3) {
			CHECK(0, "README table line: %s", line);
			continue;
		}
		if (row >= nc_column_count) {
			CHECK(0, "README lists %s beyond the %zu columns",
			      name, nc_column_count);
			row++;
			continue;
		}
		CHECK(strcmp(name, nc_columns[row].name) == 0,
		      "column %zu: README %s, header %s", row, name,
		      nc_columns[row].name);
		CHECK(strcmp(unit, nc_columns[row].unit) == 0,
		      "%s: README unit %s, code %s", name, unit,
		      nc_columns[row].unit);
		CHECK(strcmp(side, nc_columns[row].side) == 0,
		      "%s: README side %s, code %s", name, side,
		      nc_columns[row].side);
		row++;
	}
	fclose(f);
	CHECK(in_table, "no column table in %s", path);
	CHECK(row == nc_column_count, "README lists %zu columns, header %zu",
	      row, nc_column_count);
	return unit_exit("unit-columns");
}
