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

/*
 * fmt comes from the writers and from columns.def, never from input; it
 * holds one conversion of the cell's kind (tests/unit-columns checks
 * the table's).
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void text_cell(FILE *out, const char *fmt, struct nc_cell c)
{
	switch (c.kind) {
	case NC_CELL_U64:
		fprintf(out, fmt, (unsigned long long)c.u);
		break;
	case NC_CELL_DOUBLE:
		fprintf(out, fmt, c.d);
		break;
	case NC_CELL_TEXT:
		fprintf(out, fmt, c.text);
		break;
	default:
		break;
	}
}
#pragma GCC diagnostic pop

void nc_print_cell(struct nc_printer *p, enum nc_print_to to,
		   const char *key, const char *fmt, struct nc_cell c)
{
	if (p->json && (to & NC_PRINT_JSON) && key)
		add(p, key, json_cell(c));
	if (!p->json && (to & NC_PRINT_TEXT) && fmt)
		text_cell(p->out, fmt, c);
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

void nc_print_text(struct nc_printer *p, const char *fmt, ...)
{
	va_list ap;

	if (p->json)
		return;
	va_start(ap, fmt);
	vfprintf(p->out, fmt, ap);
	va_end(ap);
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

void nc_print_text_rest(struct nc_printer *p, enum nc_json_obj obj,
			const char *lead)
{
	const char *sep = lead;

	if (p->json)
		return;
	for (size_t i = 0; i < nc_column_count; i++) {
		struct nc_cell c = nc_column_cell(p->r, i);

		if (nc_columns[i].where != obj || !nc_columns[i].text ||
		    p->shown[i] || c.kind == NC_CELL_NA)
			continue;
		fputs(sep, p->out);
		text_cell(p->out, nc_columns[i].text, c);
		p->shown[i] = true;
		sep = ", ";
	}
	if (sep != lead)
		fputc('\n', p->out);
}
