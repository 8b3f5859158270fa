/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * result.c - a run's result as the library's users see it: a few
 * figures, and the run written as text, CSV or JSON.  The columns are in
 * columns.def; the writers in report-csv.c and report.c.
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"
#include "report/report.h"

/* ---- the public face ---- */

NETCOPY_EXPORT void netcopy_result_free(struct netcopy_result *result)
{
	if (!result)
		return;
	if (result->next)
		free(result->next->flow_bytes);
	free(result->next);
	free(result->flow_bytes);
	free(result);
}

NETCOPY_EXPORT const struct netcopy_result *
netcopy_result_next(const struct netcopy_result *r)
{
	return r ? r->next : NULL;
}

NETCOPY_EXPORT int netcopy_result_status(const struct netcopy_result *r)
{
	return r->status;
}

NETCOPY_EXPORT uint64_t netcopy_result_bytes(const struct netcopy_result *r)
{
	return r->receiver.bytes;
}

NETCOPY_EXPORT double netcopy_result_gbps(const struct netcopy_result *r)
{
	return nc_figures_gbps(&r->receiver);
}

/* A count column as the public getters give it: -1 for NA. */
static int64_t count_or_minus_1(const struct netcopy_result *r,
				enum nc_column_id id)
{
	struct nc_cell c = nc_column_cell(r, id);

	return c.kind == NC_CELL_U64 ? (int64_t)c.u : -1;
}

NETCOPY_EXPORT int64_t
netcopy_result_zc_completions(const struct netcopy_result *r)
{
	return count_or_minus_1(r, COL_ZC_COMPLETIONS);
}

NETCOPY_EXPORT int64_t netcopy_result_zc_copied(const struct netcopy_result *r)
{
	return count_or_minus_1(r, COL_ZC_COPIED);
}

NETCOPY_EXPORT int netcopy_result_write(const struct netcopy_result *r,
					FILE *out, enum netcopy_format format,
					bool header)
{
	int err = 0;

	switch (format) {
	case NETCOPY_FORMAT_TEXT:
		err = nc_report(r, out, false);
		break;
	case NETCOPY_FORMAT_CSV:
		nc_report_csv(r, out, header);
		break;
	case NETCOPY_FORMAT_JSON:
		err = nc_report(r, out, true);
		break;
	default:
		return -EINVAL;
	}
	if (!err && (ferror(out) || fflush(out)))
		err = -EIO;
	return err;
}
