/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * figure.c - the table of columns as the library's users see it: each
 * column's name, unit and meaning, and any figure of a result by its
 * column's name.  The columns are in columns.def.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "report/report.h"

/* The public handle of a column: its place in the table.  Opaque, so
 * that what a column offers can grow without an ABI change. */
struct netcopy_column {
	size_t id;			/* enum nc_column_id */
};

static const struct netcopy_column handles[NC_COLUMN_COUNT] = {
#define COLUMN(id, name, unit, side, where, key, text, get, check, meaning) \
	[COL_##id] = { COL_##id },
#include "columns.def"
#undef COLUMN
};

NETCOPY_EXPORT size_t netcopy_column_count(void)
{
	return NC_COLUMN_COUNT;
}

NETCOPY_EXPORT const struct netcopy_column *netcopy_column_at(size_t index)
{
	return index < NC_COLUMN_COUNT ? &handles[index] : NULL;
}

NETCOPY_EXPORT const char *
netcopy_column_name(const struct netcopy_column *column)
{
	return nc_columns[column->id].name;
}

NETCOPY_EXPORT const char *
netcopy_column_unit(const struct netcopy_column *column)
{
	return nc_columns[column->id].unit;
}

NETCOPY_EXPORT const char *
netcopy_column_meaning(const struct netcopy_column *column)
{
	return nc_columns[column->id].meaning;
}

/* columns.def gives a text column, and no other, the unit "-". */
bool nc_column_is_text(size_t id)
{
	return strcmp(nc_columns[id].unit, "-") == 0;
}

static size_t column_id(const char *name)
{
	for (size_t i = 0; name && i < NC_COLUMN_COUNT; i++)
		if (strcmp(nc_columns[i].name, name) == 0)
			return i;
	return NC_COLUMN_COUNT;
}

NETCOPY_EXPORT int netcopy_result_figure(const struct netcopy_result *r,
					 const char *column, double *value)
{
	size_t id = column_id(column);
	struct nc_cell c;

	if (id == NC_COLUMN_COUNT)
		return -ENOENT;
	if (nc_column_is_text(id))
		return -EINVAL;
	if (!r)
		return -ENODATA;
	c = nc_column_cell(r, id);
	if (c.kind != NC_CELL_U64 && c.kind != NC_CELL_DOUBLE)
		return -ENODATA;
	if (value)
		*value = c.kind == NC_CELL_U64 ? (double)c.u : c.d;
	return 0;
}
