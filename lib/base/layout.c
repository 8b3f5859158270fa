/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * layout.c - how a one-copy message is cut into its fields: as evenly as
 * possible, the first (size % 8) fields one byte longer, so any size from
 * one byte up works and the layout stays the same on both ends.
 */
#include "base/base.h"

void nc_layout_fields(uint64_t size, size_t len[NC_FIELDS])
{
	uint64_t base = size / NC_FIELDS, extra = size % NC_FIELDS;

	for (unsigned int i = 0; i < NC_FIELDS; i++)
		len[i] = (size_t)(base + (i < extra ? 1 : 0));
}
