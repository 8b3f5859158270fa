/* SPDX-License-Identifier: GPL-2.0-or-later */
/* client-output.c - where netcopy-client's result goes: -f's format,
 * -o FILE or standard output. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "client.h"
#include "netcopy.h"

enum netcopy_format parse_format(const char *text)
{
	if (!text || strcmp(text, "text") == 0)
		return NETCOPY_FORMAT_TEXT;
	if (strcmp(text, "csv") == 0)
		return NETCOPY_FORMAT_CSV;
	if (strcmp(text, "json") == 0)
		return NETCOPY_FORMAT_JSON;
	cli_usage_error("invalid format '%s' (expected text, csv or json)",
			cli_shown(text));
}

/* Close -o FILE (if any).  Returns 0 or -errno. */
int output_close(struct output *o)
{
	int err = o->path && o->file && fclose(o->file) ? -errno : 0;

	o->file = NULL;
	return err;
}

/* Open FILE (path) before the run, and write a new CSV file's header
 * then, so that a destination that cannot take the result (a directory,
 * a read-only file, /dev/full) fails before anything is measured; no
 * path: the stream std.  False (said on stderr) when it cannot: the
 * caller frees and exits. */
bool output_open(struct output *o, const char *path, FILE *std,
			enum netcopy_format format, const char *header)
{
	struct stat st;
	const char *why;

	*o = (struct output){ path, std, format, true };
	if (!path)
		return true;
	o->file = fopen(path, "a");
	if (!o->file) {
		why = strerror(errno);
		cli_error("cannot open %s: %s", cli_shown(path), why);
		return false;
	}
	o->header = false;
	if (format != NETCOPY_FORMAT_CSV || fstat(fileno(o->file), &st) ||
	    st.st_size != 0)
		return true;
	if (fprintf(o->file, "%s\n", header) < 0 ||
	    fflush(o->file)) {
		why = strerror(errno);
		cli_error("cannot write to %s: %s", cli_shown(path), why);
		output_close(o);
		return false;
	}
	return true;
}

/* Write the result and close -o FILE.  Where the file fails now, the
 * result goes to standard output instead: nothing measured is lost.
 * Returns 0 or -EIO. */
int output_write(struct output *o, const struct netcopy_result *r)
{
	int err = netcopy_result_write(r, o->file, o->format, o->header);
	const struct netcopy_result *next = netcopy_result_next(r);
	int closed;

	/* --bidir: the client-sends row follows, under the same header */
	if (!err && next) {
		if (o->format == NETCOPY_FORMAT_TEXT)
			fputc('\n', o->file);
		err = netcopy_result_write(next, o->file, o->format, false);
	}
	closed = output_close(o);

	if (!err)
		err = closed;
	if (!err)
		return 0;
	if (!o->path) {
		cli_error("cannot write the result: %s", strerror(-err));
		return -EIO;
	}
	cli_error("cannot write the result to %s (%s); it follows on "
		  "standard output", cli_shown(o->path), strerror(-err));
	netcopy_result_write(r, stdout, o->format, true);
	if (netcopy_result_next(r))
		netcopy_result_write(netcopy_result_next(r), stdout, o->format,
				     false);
	return -EIO;
}
