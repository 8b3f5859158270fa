/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * report-print.c - one call writes a figure into the text or the JSON,
 * after iproute2's json_print: the writer says where each figure goes
 * (NC_PRINT_TEXT, NC_PRINT_JSON or both) and the printer, made for one
 * of the two, does its part.  The JSON is built with json-c and written
 * at the end; doubles at their shortest exact form (base/number.c).
 */
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "internal.h"
#include "base/base.h"
#include "report/report.h"

void nc_printer_init(struct nc_printer *p, FILE *out, bool json,
		     const struct netcopy_result *r)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->json = json;
	p->r = r;
	if (json)
		p->obj[0] = json_object_new_object();
}

int nc_printer_finish(struct nc_printer *p)
{
	const int flags = JSON_C_TO_STRING_PLAIN |
			  JSON_C_TO_STRING_NOSLASHESCAPE;
	int err = 0;

	if (!p->json)
		return 0;
	if (fprintf(p->out, "%s\n",
		    json_object_to_json_string_ext(p->obj[0], flags)) < 0)
		err = -EIO;
	json_object_put(p->obj[0]);
	p->obj[0] = NULL;
	return err;
}

static void add(struct nc_printer *p, const char *key, json_object *v)
{
	json_object_object_add(p->obj[p->depth], key, v);
}

/* 0.6 as "0.6": json-c's own form is %.17g's, 0.59999999999999998. */
static json_object *json_double(double d)
{
	char buf[NC_SHORTEST_CAP];

	if (!isfinite(d))
		return NULL;
	nc_format_shortest(buf, sizeof(buf), d);
	return json_object_new_double_s(d, buf);
}

static json_object *json_cell(struct nc_cell c)
{
	switch (c.kind) {
	case NC_CELL_U64:
		return json_object_new_uint64(c.u);
	case NC_CELL_DOUBLE:
		return json_double(c.d);
	case NC_CELL_TEXT:
		return json_object_new_string(c.text);
	default:
		return NULL;
	}
}

/* ---- the text: lines of items, wrapped ---- */

/* Every character of the text goes through here, so that the printer
 * knows the column it is at. */
static void emit(struct nc_printer *p, const char *s)
{
	const char *nl = strrchr(s, '\n');

	fputs(s, p->out);
	if (nl) {
		p->col = strlen(nl + 1);
		p->items = 0;
	} else {
		p->col += strlen(s);
	}
}

/* "(s)" in a count's fragment: nothing for 1, "s" for the rest. */
static void plural(char *buf, bool one)
{
	char *s = strstr(buf, "(s)");

	if (s)
		memmove(s + !one, s + 3, strlen(s + 3) + 1);
	if (s && !one)
		s[0] = 's';
}

/*
 * fmt comes from the writers and from columns.def, never from input; it
 * holds one conversion of the cell's kind (tests/unit-columns checks
 * the table's).  False for NA, which writes nothing.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static bool text_cell(char *buf, size_t cap, const char *fmt,
		      struct nc_cell c)
{
	switch (c.kind) {
	case NC_CELL_U64:
		snprintf(buf, cap, fmt, (unsigned long long)c.u);
		plural(buf, c.u == 1);
		return true;
	case NC_CELL_DOUBLE:
		snprintf(buf, cap, fmt, c.d);
		return true;
	case NC_CELL_TEXT:
		snprintf(buf, cap, fmt, c.text);
		return true;
	default:
		return false;
	}
}
#pragma GCC diagnostic pop

void nc_print_line(struct nc_printer *p, const char *label)
{
	if (p->json)
		return;
	if (p->col)
		emit(p, "\n");
	/* Written with the line's first item: a line of NAs is none. */
	p->label = label ? label : "";
}

/* The pending line's lead, before anything is written on it. */
static void lead(struct nc_printer *p)
{
	char buf[NC_TEXT_LEAD + 1];

	if (!p->label)
		return;
	snprintf(buf, sizeof(buf), "  %-*s", NC_TEXT_LEAD - 2, p->label);
	p->label = NULL;
	emit(p, buf);
}

void nc_print_line_end(struct nc_printer *p)
{
	if (!p->json && p->col)
		emit(p, "\n");
	p->label = NULL;
}

/* One item of a line: after ", ", or glued to the one before where it
 * starts with a space; on a new line under the lead where it would
 * pass NC_TEXT_WIDTH. */
static void item(struct nc_printer *p, const char *text)
{
	bool glued = text[0] == ' ';
	const char *sep = glued || !p->items ? "" : ", ";

	lead(p);
	if (glued && !p->items && !p->col)
		text++;
	if (p->items && p->col + strlen(sep) + strlen(text) > NC_TEXT_WIDTH) {
		if (!glued)
			emit(p, ",");
		nc_print_line(p, NULL);
		lead(p);
		sep = "";
		text += glued;
	}
	emit(p, sep);
	emit(p, text);
	p->items++;
}

void nc_print_cell(struct nc_printer *p, enum nc_print_to to,
		   const char *key, const char *fmt, struct nc_cell c)
{
	char buf[256];

	if (p->json && (to & NC_PRINT_JSON) && key)
		add(p, key, json_cell(c));
	if (!p->json && (to & NC_PRINT_TEXT) && fmt &&
	    text_cell(buf, sizeof(buf), fmt, c))
		item(p, buf);
}

void nc_print_column(struct nc_printer *p, enum nc_print_to to, size_t id)
{
	nc_print_cell(p, to, nc_columns[id].key, nc_columns[id].text,
		      nc_column_cell(p->r, id));
	if (to & NC_PRINT_TEXT)
		p->shown[id] = true;
}

void nc_print_bool(struct nc_printer *p, const char *key, bool v)
{
	if (p->json)
		add(p, key, json_object_new_boolean(v));
}

void nc_print_u64_array(struct nc_printer *p, const char *key,
			const uint64_t *v, uint32_t n)
{
	json_object *a;

	if (!p->json)
		return;
	a = json_object_new_array();
	for (uint32_t i = 0; a && i < n; i++)
		json_object_array_add(a, json_object_new_uint64(v[i]));
	add(p, key, a);
}

void nc_print_text(struct nc_printer *p, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (p->json)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	lead(p);
	emit(p, buf);
}

void nc_print_note(struct nc_printer *p, const char *text)
{
	char word[NC_TEXT_WIDTH + 1];

	if (p->json)
		return;
	nc_print_line(p, NULL);
	while (*text) {
		size_t len = strcspn(text, " ");

		snprintf(word, sizeof(word), "%.*s", (int)len, text);
		lead(p);
		if (p->items && p->col + 1 + strlen(word) > NC_TEXT_WIDTH) {
			nc_print_line(p, NULL);
			lead(p);
		} else if (p->items) {
			emit(p, " ");
		}
		emit(p, word);
		p->items++;
		text += len + (text[len] == ' ');
	}
	nc_print_line_end(p);
}

/* The last part of obj's path: its key in its parent. */
static const char *obj_key(enum nc_json_obj obj)
{
	const char *dot = strrchr(nc_json_obj_path[obj], '.');

	return dot ? dot + 1 : nc_json_obj_path[obj];
}

void nc_print_open(struct nc_printer *p, enum nc_json_obj obj)
{
	json_object *o;

	/* The document nests three deep: NC_PRINT_DEPTH leaves room. */
	if (!p->json || p->depth + 1 >= NC_PRINT_DEPTH)
		return;
	o = json_object_new_object();
	add(p, obj_key(obj), o);
	p->obj[++p->depth] = o;
	p->id[p->depth] = obj;
}

/* The table's columns of the object being closed, not written yet. */
static void complete(struct nc_printer *p)
{
	for (size_t i = 0; i < nc_column_count; i++) {
		const struct nc_column *c = &nc_columns[i];

		if (c->where != p->id[p->depth] ||
		    json_object_object_get_ex(p->obj[p->depth], c->key, NULL))
			continue;
		add(p, c->key, json_cell(nc_column_cell(p->r, i)));
	}
}

void nc_print_close(struct nc_printer *p)
{
	if (!p->json || p->depth == 0)
		return;
	complete(p);
	p->depth--;
}

void nc_print_null(struct nc_printer *p, enum nc_json_obj obj)
{
	if (p->json)
		add(p, obj_key(obj), NULL);
}

void nc_print_text_rest(struct nc_printer *p, enum nc_json_obj obj)
{
	bool started = false;

	if (p->json)
		return;
	for (size_t i = 0; i < nc_column_count; i++) {
		if (nc_columns[i].where != obj || !nc_columns[i].text ||
		    p->shown[i] ||
		    nc_column_cell(p->r, i).kind == NC_CELL_NA)
			continue;
		if (!started)
			nc_print_line(p, NULL);
		started = true;
		nc_print_column(p, NC_PRINT_TEXT, i);
	}
	nc_print_line_end(p);
}
