/* SPDX-License-Identifier: GPL-2.0-or-later */
/* client-intervals.c - -I: a report every interval, in the run's
 * format: text rows, CSV rows or JSON objects. */
#include <errno.h>
#include <stdio.h>

#include "base/base.h"
#include "cli.h"
#include "client.h"
#include "netcopy.h"

/* Its figures, once: the CSV header's names and the JSON keys, in
 * order; decimals: CSV's (-1: a count, -2: 0/1, true/false in JSON).
 * A count below 0 is not measured: NA, null in JSON. */
enum { IV_FROM, IV_TO, IV_BYTES, IV_GBPS, IV_RETRANS, IV_WARMUP, IV_COUNT };
static const struct {
	const char *name, *key;
	int decimals;
} iv_fields[IV_COUNT] = {
	[IV_FROM] = { "From_s", "from_s", 6 },
	[IV_TO] = { "To_s", "to_s", 6 },
	[IV_BYTES] = { "Bytes", "bytes", -1 },
	[IV_GBPS] = { "Throughput_Gbps", "throughput_gbps", 6 },
	[IV_RETRANS] = { "Retransmits", "retransmits", -1 },
	[IV_WARMUP] = { "Warmup", "warmup", -2 },
};

static struct output intervals;
/* Whose progress it is, for the figures beyond the bytes. */
static const struct netcopy_client *intervals_client;
/* --bidir: each report says its direction, after the figures. */
static bool intervals_bidir;

static const char *interval_csv_header(void)
{
	static char header[128];
	size_t len = 0;

	for (int i = 0; i < IV_COUNT && len < sizeof(header); i++)
		len += (size_t)snprintf(header + len, sizeof(header) - len,
					"%s%s", i ? "," : "",
					iv_fields[i].name);
	if (intervals_bidir && len < sizeof(header))
		snprintf(header + len, sizeof(header) - len, ",Direction");
	return header;
}

/* The direction of the interval reported, as the Direction column
 * names it. */
static const char *interval_direction(void)
{
	return netcopy_client_interval_reverse(intervals_client) == 1 ?
	       "client-sends" : "server-sends";
}

/* One figure of the CSV row or the JSON object. */
static void interval_field(FILE *f, bool json, int i, double v)
{
	char num[NC_SHORTEST_CAP];

	if (iv_fields[i].decimals == -1 && v < 0)
		fputs(json ? "null" : "NA", f);
	else if (iv_fields[i].decimals == -1)
		fprintf(f, "%llu", (unsigned long long)v);
	else if (iv_fields[i].decimals == -2 && json)
		fputs(v ? "true" : "false", f);
	else if (iv_fields[i].decimals == -2)
		fputs(v ? "1" : "0", f);
	else if (json && nc_format_shortest(num, sizeof(num), v))
		fputs(num, f);
	else
		fprintf(f, "%.*f", iv_fields[i].decimals, v);
}

/* Aligned under a header, with human units; iperf3's Retr column, "-"
 * where not measured. */
static void interval_text(FILE *f, bool header, const double v[IV_COUNT])
{
	char transfer[32], retr[24] = "-";

	if (header)
		fprintf(f, "%17s  %14s  %14s  %6s\n", "Interval", "Transfer",
			"Throughput", "Retr");
	nc_format_bytes(transfer, sizeof(transfer), (uint64_t)v[IV_BYTES]);
	if (v[IV_RETRANS] >= 0)
		snprintf(retr, sizeof(retr), "%llu",
			 (unsigned long long)v[IV_RETRANS]);
	fprintf(f, "%7.2f-%7.2f s  %14s  %7.3f Gbit/s  %6s%s%s%s\n",
		v[IV_FROM], v[IV_TO], transfer, v[IV_GBPS], retr,
		v[IV_WARMUP] ? "  (warm-up)" : "",
		intervals_bidir ? "  " : "",
		intervals_bidir ? interval_direction() : "");
}

/* The interval's retransmits, where the library measured them; -1. */
static double interval_retransmits(void)
{
	uint64_t n;

	return netcopy_client_interval_retransmits(intervals_client, &n) ?
	       -1 : (double)n;
}

/* The progress function: one line per interval, as iperf3 prints
 * them; --json-stream's objects for JSON. */
static void print_progress(void *data, double from, double to,
			   uint64_t bytes, bool warmup)
{
	struct output *o = data;
	bool json = o->format == NETCOPY_FORMAT_JSON;
	const double v[IV_COUNT] = {
		[IV_FROM] = from, [IV_TO] = to, [IV_BYTES] = (double)bytes,
		[IV_GBPS] = (double)bytes * 8 / 1e9 / (to - from),
		[IV_RETRANS] = interval_retransmits(),
		[IV_WARMUP] = warmup,
	};

	if (o->format == NETCOPY_FORMAT_TEXT) {
		interval_text(o->file, o->header, v);
	} else {
		if (o->header && !json)
			fprintf(o->file, "%s\n", interval_csv_header());
		fputs(json ? "{\"type\":\"interval\"" : "", o->file);
		for (int i = 0; i < IV_COUNT; i++) {
			if (json)
				fprintf(o->file, ",\"%s\":", iv_fields[i].key);
			else if (i)
				fputc(',', o->file);
			interval_field(o->file, json, i, v[i]);
		}
		if (intervals_bidir)
			fprintf(o->file, json ? ",\"direction\":\"%s\"" :
				",%s", interval_direction());
		fputs(json ? "}\n" : "\n", o->file);
	}
	o->header = false;
	fflush(o->file);
}


/* -I: 0 would turn the reports off, which is leaving -I out. */
void set_interval(struct netcopy_client *c, const char *text)
{
	double v = cli_secs("interval", text);

	if (!(v > 0))
		cli_usage_error("invalid interval '%s': leave -I out for no "
				"reports", cli_shown(text));
	if (netcopy_client_set_progress(c, v, print_progress, &intervals))
		refused(c, "interval", text);
	intervals_client = c;
}

/* -I's reports: --interval-file FILE, else standard output, but for a
 * CSV's rows, which go to standard error: its output is the header and
 * the run's row; with --bidir (bidir) each says its direction.  False
 * (said) when FILE cannot be opened. */
bool intervals_open(const char *path, enum netcopy_format format, bool bidir)
{
	FILE *std = format == NETCOPY_FORMAT_CSV ? stderr : stdout;

	intervals_bidir = bidir;
	return output_open(&intervals, path, std, format,
			   interval_csv_header());
}

/* Returns 0, or -EIO (said) when a report could not be written. */
int intervals_close(void)
{
	bool failed = intervals.file && ferror(intervals.file);
	const char *path = intervals.path;

	if (output_close(&intervals) || failed) {
		cli_error("cannot write the interval reports to %s",
			  path ? cli_shown(path) : "the standard stream");
		return -EIO;
	}
	return 0;
}
