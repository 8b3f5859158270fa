/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unit-columns: the documentation says what the table of columns
 * (lib/report/columns.def) says.
 *   - README's table of CSV columns: every column, in order, with its
 *     unit, side and meaning (a wrapped meaning is read as one line);
 *   - README's sketch of the JSON names every column's JSON key;
 *   - netcopy(7)'s CSV COLUMNS: every column once, with its unit, and
 *     its side where the entry or its subsection names one;
 *   - the CSV header starts with the study's 11 columns.
 * When README's table is wrong, the test prints the rows the table
 * gives, to paste in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "unit.h"

static const char study[] =
	"Implementation,MessageSize,Threads,Throughput_Gbps,Latency_us,"
	"TotalBytes,CPUCycles,CyclesPerByte,CacheMisses,CacheRefs,"
	"ContextSwitches,";

/* README's columns: where the meaning starts, and its wrap. */
#define MEANING_AT 45
#define README_WIDTH 76

static FILE *open_doc(const char *name)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", top ? top : ".", name);
	f = fopen(path, "r");
	if (!f)
		unit_error("cannot open %s", path);
	return f;
}

/* The row of column i as README has it, the meaning wrapped. */
static void print_readme_row(FILE *out, size_t i)
{
	const struct nc_column *c = &nc_columns[i];
	const char *m = c->meaning;
	int at;

	at = fprintf(out, "  %-19s %-12s %-9s ", c->name, c->unit, c->side);
	while (*m) {
		size_t word = strcspn(m, " ");

		if (at > MEANING_AT && at + 1 + (int)word > README_WIDTH) {
			at = fprintf(out, "\n%*s", MEANING_AT, "") - 1;
		} else if (at > MEANING_AT) {
			fputc(' ', out);
			at++;
		}
		at += fprintf(out, "%.*s", (int)word, m);
		m += word;
		m += strspn(m, " ");
	}
	fputc('\n', out);
}

/* Compare one README row (meaning joined) with column row. */
static void check_row(size_t row, const char *name, const char *unit,
		      const char *side, const char *meaning)
{
	const struct nc_column *c = &nc_columns[row];

	CHECK(strcmp(name, c->name) == 0, "column %zu: README %s, table %s",
	      row, name, c->name);
	CHECK(strcmp(unit, c->unit) == 0, "%s: README unit %s, table %s",
	      name, unit, c->unit);
	CHECK(strcmp(side, c->side) == 0, "%s: README side %s, table %s",
	      name, side, c->side);
	CHECK(strcmp(meaning, c->meaning) == 0,
	      "%s: README means \"%s\", the table \"%s\"", name, meaning,
	      c->meaning);
}

static void check_readme_table(FILE *f)
{
	char line[512], name[64] = "", unit[32], side[32], meaning[512];
	unsigned long failed = unit_failures;
	bool in_table = false;
	size_t row = 0;

	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!in_table) {
			in_table = strncmp(line, "  column ", 9) == 0;
			continue;
		}
		if (line[0] != ' ' || line[2] != ' ') {
			if (name[0])
				check_row(row++, name, unit, side, meaning);
			name[0] = '\0';
		}
		if (!line[0])
			break;
		if (line[2] == ' ') {	/* a wrapped meaning */
			size_t len = strlen(meaning);

			snprintf(meaning + len, sizeof(meaning) - len, " %s",
				 line + strspn(line, " "));
			continue;
		}
		if (row >= nc_column_count ||
		    sscanf(line, "%63s %31s %31s", name, unit, side) != 3 ||
		    strlen(line) <= MEANING_AT) {
			CHECK(0, "README table line beyond the %zu columns, "
			      "or not a row: %s", nc_column_count, line);
			name[0] = '\0';
			continue;
		}
		snprintf(meaning, sizeof(meaning), "%s", line + MEANING_AT);
	}
	CHECK(in_table, "no column table in README");
	CHECK(row == nc_column_count, "README lists %zu columns, table %zu",
	      row, nc_column_count);
	if (unit_failures == failed)
		return;
	fputs("README's table should read:\n", stderr);
	for (size_t i = 0; i < nc_column_count; i++)
		print_readme_row(stderr, i);
}

/* README's sketch of the JSON document names every column's key. */
static void check_readme_json(FILE *f)
{
	char line[512], text[8192] = "";
	bool in = false;

	while (fgets(line, sizeof(line), f)) {
		if (!in) {
			in = strncmp(line, "JSON (-f json)", 14) == 0;
			continue;
		}
		if (line[0] == '\n')
			break;
		strncat(text, line, sizeof(text) - strlen(text) - 1);
	}
	CHECK(in, "no JSON sketch in README");
	for (size_t i = 0; i < nc_column_count; i++) {
		const char *key = nc_columns[i].key, *s;
		size_t len;
		bool found = false;

		if (nc_columns[i].where == NC_JSON_NONE)
			continue;
		len = strlen(key);
		for (s = strstr(text, key); s && !found;
		     s = strstr(s + 1, key))
			found = (s == text || strchr(" {,\n", s[-1])) &&
				strchr(" ,}\n", s[len]);
		CHECK(found, "README's JSON sketch lacks %s (%s)", key,
		      nc_columns[i].name);
	}
}

static size_t column_named(const char *name)
{
	for (size_t i = 0; i < nc_column_count; i++)
		if (strcmp(nc_columns[i].name, name) == 0)
			return i;
	return nc_column_count;
}

/* "(0\(en1, receiver)" -> unit "0-1", side "receiver" (or ""). */
static void man_parens(const char *s, char *unit, char *side)
{
	char buf[128], *comma;
	size_t o = 0;

	for (s++; *s && *s != ')' && o < sizeof(buf) - 1; s++) {
		if (strncmp(s, "\\(en", 4) == 0) {
			buf[o++] = '-';
			s += 3;
		} else if (*s != '\\') {
			buf[o++] = *s;
		}
	}
	buf[o] = '\0';
	comma = strstr(buf, ", ");
	strcpy(side, comma ? comma + 2 : "");
	if (comma)
		*comma = '\0';
	strcpy(unit, buf);
}

/* One entry's heading: .B Name, or .BR A ", " B " (unit, side)". */
static void check_man_heading(const char *line, const char *section_side,
			      unsigned int seen[])
{
	char names[8][64], unit[128] = "-", side[128] = "", buf[512];
	size_t n = 0;
	const char *s;

	snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(line, "\n"), line);
	s = buf + strcspn(buf, " ");

	while (*s) {
		s += strspn(s, " ");
		if (*s == '"') {
			const char *end = strchr(s + 1, '"');
			const char *paren = strchr(s, '(');

			if (!end)
				end = s + strlen(s) - 1;
			if (paren && paren < end)
				man_parens(paren, unit, side);
			s = end + 1;
			continue;
		}
		if (*s && n < 8)
			snprintf(names[n++], sizeof(names[0]), "%.*s",
				 (int)strcspn(s, " "), s);
		s += strcspn(s, " ");
	}
	if (!side[0])
		strcpy(side, section_side);
	for (size_t k = 0; k < n; k++) {
		size_t i = column_named(names[k]);

		if (i == nc_column_count) {
			CHECK(0, "netcopy.7 lists %s, which is no column",
			      names[k]);
			continue;
		}
		seen[i]++;
		CHECK(strcmp(unit, nc_columns[i].unit) == 0,
		      "%s: netcopy.7 unit %s, table %s", names[k], unit,
		      nc_columns[i].unit);
		CHECK(!side[0] || strcmp(side, nc_columns[i].side) == 0,
		      "%s: netcopy.7 side %s, table %s", names[k], side,
		      nc_columns[i].side);
	}
}

/* The side a subsection's title names, if one. */
static const char *title_side(const char *title)
{
	static const char *const sides[] = { "sender", "receiver", "client" };

	for (size_t i = 0; i < 3; i++) {
		const char *s = strstr(title, sides[i]);

		if (s && !(s[strlen(sides[i])] >= 'a' &&
			   s[strlen(sides[i])] <= 'z'))
			return sides[i];
	}
	return "";
}

static void check_man(FILE *f)
{
	unsigned int seen[NC_COLUMN_COUNT] = { 0 };
	const char *section_side = "";
	char line[512];
	bool in = false, heading = false;

	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, ".SH", 3) == 0) {
			in = strcmp(line, ".SH CSV COLUMNS\n") == 0;
			continue;
		}
		if (!in)
			continue;
		if (strncmp(line, ".SS ", 4) == 0)
			section_side = title_side(line);
		else if (heading)
			check_man_heading(line, section_side, seen);
		heading = strcmp(line, ".TP\n") == 0;
	}
	for (size_t i = 0; i < nc_column_count; i++)
		CHECK(seen[i] == 1, "netcopy.7 lists %s %u times",
		      nc_columns[i].name, seen[i]);
}

int main(void)
{
	FILE *f;

	CHECK(strncmp(netcopy_result_csv_header(), study,
		      strlen(study)) == 0, "header starts %.60s",
	      netcopy_result_csv_header());
	f = open_doc("README");
	check_readme_table(f);
	check_readme_json(f);
	fclose(f);
	f = open_doc("man/netcopy.7");
	check_man(f);
	fclose(f);
	return unit_exit("unit-columns");
}
