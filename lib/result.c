/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * result.c - a run's figures and how they are written: text for people,
 * CSV (the study's 11 columns first) and JSON (json-c) for programs.
 * A figure that was not measured is NA in CSV and null in JSON, never 0.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char csv_header[] =
	"Implementation,MessageSize,Threads,Throughput_Gbps,Latency_us,"
	"TotalBytes,CPUCycles,CyclesPerByte,CacheMisses,CacheRefs,"
	"ContextSwitches,Direction,Duration_s,Interval_s,Messages,"
	"Messages_per_s,Verify,Mismatches,SentBytes,ZC_Completions,"
	"ZC_Copied,Status";

NETCOPY_EXPORT const char *netcopy_result_csv_header(void)
{
	return csv_header;
}

NETCOPY_EXPORT void netcopy_result_free(struct netcopy_result *result)
{
	free(result);
}

NETCOPY_EXPORT int netcopy_result_status(const struct netcopy_result *r)
{
	return r->status;
}

NETCOPY_EXPORT uint64_t netcopy_result_bytes(const struct netcopy_result *r)
{
	return r->receiver.bytes;
}

static double interval_s(const struct netcopy_result *r)
{
	return (double)r->receiver.interval_ns / 1e9;
}

NETCOPY_EXPORT double netcopy_result_gbps(const struct netcopy_result *r)
{
	double s = interval_s(r);

	return s > 0 ? (double)r->receiver.bytes * 8 / 1e9 / s : 0;
}

static double messages_per_s(const struct netcopy_result *r)
{
	double s = interval_s(r);

	return s > 0 ? (double)r->receiver.messages / s : 0;
}

NETCOPY_EXPORT uint64_t
netcopy_result_mismatches(const struct netcopy_result *r)
{
	return r->receiver.mismatches;
}

NETCOPY_EXPORT int64_t
netcopy_result_zc_completions(const struct netcopy_result *r)
{
	return r->sender.zc_completions;
}

NETCOPY_EXPORT int64_t netcopy_result_zc_copied(const struct netcopy_result *r)
{
	return r->sender.zc_copied;
}

static const char *status_word(int status)
{
	switch (status) {
	case 0:
		return "ok";
	case NETCOPY_ESHORT:
		return "short";
	case NETCOPY_EVERIFY:
		return "mismatch";
	default:
		return "error";
	}
}

static const char *direction(const struct netcopy_result *r)
{
	return r->reverse ? "client-sends" : "server-sends";
}

/* CSV cells: a figure, or NA where it was not measured. */
static void csv_u64(FILE *out, bool known, uint64_t v)
{
	if (known)
		fprintf(out, "%llu,", (unsigned long long)v);
	else
		fputs("NA,", out);
}

static void csv_double(FILE *out, bool known, int decimals, double v)
{
	if (known)
		fprintf(out, "%.*f", decimals, v);
	else
		fputs("NA", out);
	fputc(',', out);
}

static void write_csv(const struct netcopy_result *r, FILE *out, bool header)
{
	const struct nc_figures *rx = &r->receiver, *tx = &r->sender;
	bool zc = tx->measured && tx->zc_completions >= 0;

	if (header)
		fprintf(out, "%s\n", csv_header);
	fprintf(out, "%s,%llu,%u,", r->mode, (unsigned long long)r->size,
		r->threads);
	csv_double(out, rx->measured, 6, netcopy_result_gbps(r));
	csv_double(out, rx->measured, 3, (double)rx->latency_ns / 1e3);
	csv_u64(out, rx->measured, rx->bytes);
	fputs("NA,NA,NA,NA,NA,", out);	/* perf counters: not measured */
	fprintf(out, "%s,%.3f,", direction(r), r->duration_s);
	csv_double(out, rx->measured, 6, interval_s(r));
	csv_u64(out, rx->measured, rx->messages);
	csv_double(out, rx->measured, 1, messages_per_s(r));
	fprintf(out, "%d,", r->verify);
	csv_u64(out, rx->measured && r->verify, rx->mismatches);
	csv_u64(out, tx->measured, tx->bytes);
	csv_u64(out, zc, (uint64_t)tx->zc_completions);
	csv_u64(out, zc, (uint64_t)tx->zc_copied);
	fprintf(out, "%s\n", status_word(r->status));
}

static void write_text(const struct netcopy_result *r, FILE *out)
{
	const struct nc_figures *rx = &r->receiver, *tx = &r->sender;

	fprintf(out, "netcopy %s: %llu-byte messages, %u threads, %.3g s, %s\n",
		r->mode, (unsigned long long)r->size, r->threads,
		r->duration_s, r->reverse ? "client sends" : "server sends");
	if (!rx->measured) {
		fputs("  received      NA (the receiver's figures never "
		      "arrived)\n", out);
		goto status;
	}
	fprintf(out, "  received      %llu bytes, %llu messages in %.3f s\n",
		(unsigned long long)rx->bytes,
		(unsigned long long)rx->messages, interval_s(r));
	fprintf(out, "  throughput    %.3f Gbit/s, %.0f messages/s\n",
		netcopy_result_gbps(r), messages_per_s(r));
	fprintf(out, "  per message   %.3f us (mean time per message)\n",
		(double)rx->latency_ns / 1e3);
	if (r->verify)
		fprintf(out, "  verify        %llu mismatched messages\n",
			(unsigned long long)rx->mismatches);
	if (tx->measured && tx->zc_completions >= 0) {
		fprintf(out, "  zero-copy     %lld completions, %lld copied by "
			"the kernel anyway",
			(long long)tx->zc_completions,
			(long long)tx->zc_copied);
		if (tx->zc_completions && tx->zc_copied == tx->zc_completions)
			fputs(" (all: this path fell back to copying, as "
			      "loopback and veth always do, so no zero-copy "
			      "gain here)", out);
		fputc('\n', out);
	}
	fputs("  perf counters NA (not measured)\n", out);
status:
	fprintf(out, "  status        %s%s%s\n", status_word(r->status),
		rx->reason[0] ? ": " : "", rx->reason);
}

static json_object *json_figures(const struct nc_figures *f)
{
	json_object *o;

	if (!f->measured)
		return NULL;
	o = json_object_new_object();

	json_object_object_add(o, "bytes", json_object_new_uint64(f->bytes));
	json_object_object_add(o, "messages",
			       json_object_new_uint64(f->messages));
	json_object_object_add(o, "interval_s",
			       json_object_new_double((double)f->interval_ns / 1e9));
	return o;
}

static json_object *json_params(const struct netcopy_result *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "mode", json_object_new_string(r->mode));
	json_object_object_add(o, "size", json_object_new_uint64(r->size));
	json_object_object_add(o, "threads", json_object_new_int(r->threads));
	json_object_object_add(o, "duration_s",
			       json_object_new_double(r->duration_s));
	json_object_object_add(o, "direction",
			       json_object_new_string(direction(r)));
	json_object_object_add(o, "verify", json_object_new_boolean(r->verify));
	return o;
}

static json_object *json_main(const struct netcopy_result *r)
{
	const struct nc_figures *rx = &r->receiver;
	json_object *o = json_object_new_object();

	json_object_object_add(o, "status",
			       json_object_new_string(status_word(r->status)));
	if (rx->reason[0])
		json_object_object_add(o, "reason",
				       json_object_new_string(rx->reason));
	if (!rx->measured)
		return o;	/* every figure unknown: left out */
	json_object_object_add(o, "bytes", json_object_new_uint64(rx->bytes));
	json_object_object_add(o, "messages",
			       json_object_new_uint64(rx->messages));
	json_object_object_add(o, "interval_s",
			       json_object_new_double(interval_s(r)));
	json_object_object_add(o, "throughput_gbps",
			       json_object_new_double(netcopy_result_gbps(r)));
	json_object_object_add(o, "messages_per_s",
			       json_object_new_double(messages_per_s(r)));
	json_object_object_add(o, "latency_us",
			       json_object_new_double((double)rx->latency_ns / 1e3));
	json_object_object_add(o, "mismatches", r->verify ?
			       json_object_new_uint64(rx->mismatches) : NULL);
	return o;
}

static int write_json(const struct netcopy_result *r, FILE *out)
{
	json_object *o = json_object_new_object(), *zc = NULL;
	int err = 0;

	if (!o)
		return -ENOMEM;
	if (r->sender.measured && r->sender.zc_completions >= 0) {
		zc = json_object_new_object();
		json_object_object_add(zc, "completions",
			json_object_new_int64(r->sender.zc_completions));
		json_object_object_add(zc, "copied",
			json_object_new_int64(r->sender.zc_copied));
	}
	json_object_object_add(o, "schema", json_object_new_int(1));
	json_object_object_add(o, "params", json_params(r));
	json_object_object_add(o, "result", json_main(r));
	json_object_object_add(o, "sender", json_figures(&r->sender));
	json_object_object_add(o, "receiver", json_figures(&r->receiver));
	json_object_object_add(o, "zerocopy", zc);
	json_object_object_add(o, "latency", NULL);
	if (fprintf(out, "%s\n", json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
		err = -EIO;
	json_object_put(o);
	return err;
}

NETCOPY_EXPORT int netcopy_result_write(const struct netcopy_result *r,
					FILE *out, enum netcopy_format format,
					bool header)
{
	int err = 0;

	switch (format) {
	case NETCOPY_FORMAT_TEXT:
		write_text(r, out);
		break;
	case NETCOPY_FORMAT_CSV:
		write_csv(r, out, header);
		break;
	case NETCOPY_FORMAT_JSON:
		err = write_json(r, out);
		break;
	default:
		return -EINVAL;
	}
	if (!err && (ferror(out) || fflush(out)))
		err = -EIO;
	return err;
}
