/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * result.c - a run's result: the few figures the library's users read,
 * and the run written as text, CSV (report-csv.c) or JSON.  The columns
 * and their figures are in columns.def and columns.c.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define na nc_cell_na
#define u64 nc_cell_u64
#define dbl nc_cell_double
#define have_interval nc_figures_have_interval
#define interval_s nc_figures_interval_s
#define gbps nc_figures_gbps
#define counted nc_figures_counted
#define zc_known nc_figures_zc_known
#define rx_zc_known nc_figures_rx_zc_known
#define counter nc_figures_counter
#define cpu_per_kib nc_figures_cpu_per_kib
#define cpu_share nc_figures_cpu_share
#define sock_buf nc_figures_sock_buf
#define scope_name nc_scope_name
#define status_word nc_status_word
#define rr nc_result_rr
#define round_trips nc_result_round_trips

/* ---- text ---- */

static void text_counts(FILE *out, const char *side,
			const struct nc_figures *f)
{
	static const char *const names[NC_EV_COUNT] = {
		"cycles", "instructions", "cache-refs", "cache-misses",
		"ctx-switches", "task-clock-ns", "page-faults",
	};

	fprintf(out, "  %-13s", side);
	if (!f->measured) {
		fputs(" NA (figures never arrived)\n", out);
		return;
	}
	fprintf(out, " cpu %llu us", (unsigned long long)f->cpu_us);
	if (f->bytes)
		fprintf(out, " (%.4f us/KiB)", (double)f->cpu_us /
			((double)f->bytes / 1024));
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++) {
		if (counted(f, ev))
			fprintf(out, ", %s %llu", names[ev],
				(unsigned long long)f->counts.value[ev]);
		else if (f->counts.scope != NC_SCOPE_OFF)
			fprintf(out, ", %s NA", names[ev]);
	}
	fprintf(out, " [counters: %s]\n", scope_name(f->counts.scope));
}

static void text_zero_copy(FILE *out, const struct nc_figures *tx)
{
	double copied = tx->zc_completions ?
			(double)tx->zc_copied / (double)tx->zc_completions : 0;

	fprintf(out, "  zero-copy     %lld sends, %lld notifications, %lld "
		"completions, ", (long long)tx->zc_sends,
		(long long)tx->zc_notifications,
		(long long)tx->zc_completions);
	if (tx->zc_copied >= 0)
		fprintf(out, "%lld copied by the kernel anyway (%.1f %%), ",
			(long long)tx->zc_copied, copied * 100);
	else
		fputs("copied by the kernel NA (it would not say), ", out);
	fprintf(out, "%lld sends retried (ENOBUFS/ENOMEM)\n",
		(long long)tx->zc_enobufs);
	if (copied > 0.5)
		fputs("                the kernel fell back to copying on this "
		      "path (loopback and veth always do; a real NIC may "
		      "not), so these figures show no zero-copy gain\n", out);
}

/* Whether anything was mapped, said plainly: on loopback and veth the
 * kernel copies every byte. */
static void text_rx_zero_copy(FILE *out, const char *side,
			      const struct nc_figures *f)
{
	uint64_t all = (uint64_t)(f->rx_zc_mapped + f->rx_zc_copied);

	fprintf(out, "  rx zero-copy  %s: %lld bytes mapped, %lld copied "
		"(%.1f %% mapped)\n", side, (long long)f->rx_zc_mapped,
		(long long)f->rx_zc_copied,
		all ? (double)f->rx_zc_mapped * 100 / (double)all : 0.0);
	if (f->rx_zc_refused)
		fprintf(out, "                the kernel refused "
			"TCP_ZEROCOPY_RECEIVE (%s), so every byte was read "
			"with recv()\n", netcopy_strerror(f->rx_zc_refused));
	else if (!f->rx_zc_mapped && all)
		fputs("                nothing was mapped: the kernel copied "
		      "every byte (loopback and veth always do; a NIC "
		      "splitting headers from page-aligned payload may "
		      "not)\n", out);
}

static void text_round_trips(const struct netcopy_result *r, FILE *out)
{
	static const double p[] = { 0, 50, 90, 99, 99.9, 100 };
	static const char *const name[] = { "min", "p50", "p90", "p99",
					    "p99.9", "max" };

	fprintf(out, "  round trips   %llu", (unsigned long long)
		nc_hist_count(&r->rtt));
	if (have_interval(&r->sender))
		fprintf(out, ", %.0f/s", (double)r->sender.messages /
			interval_s(&r->sender));
	fprintf(out, "\n  round trip    mean %.3f us",
		nc_hist_mean(&r->rtt) / 1e3);
	for (unsigned int i = 0; i < 6; i++)
		fprintf(out, ", %s %.3f", name[i],
			(double)nc_hist_percentile(&r->rtt, p[i]) / 1e3);
	fputc('\n', out);
}

/* One buffer the kernel held, and what was asked for it. */
static void text_sock_buf(FILE *out, const char *what,
			  const struct nc_figures *f, int64_t held,
			  uint64_t asked)
{
	if (f->measured && held >= 0)
		fprintf(out, "%s %lld", what, (long long)held);
	else
		fprintf(out, "%s NA", what);
	if (asked)
		fprintf(out, " (asked %llu)", (unsigned long long)asked);
	else
		fputs(" (the kernel's)", out);
}

static void write_text(const struct netcopy_result *r, FILE *out)
{
	const struct nc_figures *rx = &r->receiver, *tx = &r->sender;

	fprintf(out, "netcopy %s: %llu-byte messages, %u thread%s, %.3g s, "
		"%s\n", r->mode, (unsigned long long)r->size, r->threads,
		r->threads == 1 ? "" : "s", r->duration_s, rr(r) ? "request-response" :
		r->reverse ? "client sends" : "server sends");
	if (round_trips(r))
		text_round_trips(r, out);
	if (!rx->measured) {
		fputs("  received      NA (the receiver's figures never "
		      "arrived)\n", out);
	} else {
		fprintf(out, "  received      %llu bytes, %llu messages in "
			"%.3f s\n", (unsigned long long)rx->bytes,
			(unsigned long long)rx->messages, interval_s(rx));
		if (have_interval(rx))
			fprintf(out, "  throughput    %.3f Gbit/s, %.0f "
				"messages/s\n", gbps(rx),
				(double)rx->messages / interval_s(rx));
		fprintf(out, "  per message   %.3f us (mean time per "
			"message)\n", (double)rx->latency_ns / 1e3);
		if (r->verify)
			fprintf(out, "  verify        %llu mismatched "
				"messages\n",
				(unsigned long long)rx->mismatches);
	}
	if (zc_known(tx))
		text_zero_copy(out, tx);
	if (rx_zc_known(rx))
		text_rx_zero_copy(out, rr(r) ? "server" : "receiver", rx);
	if (rr(r) && rx_zc_known(tx))
		text_rx_zero_copy(out, "client", tx);
	text_counts(out, rr(r) ? "client (asks)" : "sender", tx);
	text_counts(out, rr(r) ? "server" : "receiver", rx);
	if (r->sndbuf || r->rcvbuf) {
		text_sock_buf(out, "  socket bufs   sender SO_SNDBUF", tx,
			      tx->sndbuf, r->sndbuf);
		text_sock_buf(out, ", receiver SO_RCVBUF", rx, rx->rcvbuf,
			      r->rcvbuf);
		fputc('\n', out);
	}
	fprintf(out, "  status        %s%s%s\n", status_word(r->status),
		rx->reason[0] ? ": " : "", rx->reason);
}

/* ---- JSON ---- */

static json_object *json_cell(struct nc_cell c)
{
	switch (c.kind) {
	case NC_CELL_U64:
		return json_object_new_uint64(c.u);
	case NC_CELL_DOUBLE:
		return json_object_new_double(c.d);
	case NC_CELL_TEXT:
		return json_object_new_string(c.text);
	default:
		return NULL;
	}
}

static void add(json_object *o, const char *key, struct nc_cell c)
{
	json_object_object_add(o, key, json_cell(c));
}

static json_object *json_side(const struct nc_figures *f)
{
	static const char *const names[NC_EV_COUNT] = {
		"cycles", "instructions", "cache_references", "cache_misses",
		"context_switches", "task_clock_ns", "page_faults",
	};
	json_object *o, *c;

	if (!f->measured)
		return NULL;
	o = json_object_new_object();
	c = json_object_new_object();
	add(o, "bytes", u64(true, f->bytes));
	add(o, "messages", u64(true, f->messages));
	add(o, "interval_s", dbl(true, interval_s(f), 6));
	add(o, "cpu_us", u64(true, f->cpu_us));
	add(o, "cpu_us_per_kib", cpu_per_kib(f));
	add(o, "cpu_share_pct", cpu_share(f));
	add(o, "counters_scope", nc_cell_text(scope_name(f->counts.scope)));
	add(o, "sndbuf", sock_buf(f, f->sndbuf));
	add(o, "rcvbuf", sock_buf(f, f->rcvbuf));
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++)
		add(c, names[ev], counter(f, ev));
	json_object_object_add(o, "counters", c);
	return o;
}

static json_object *json_rx_zero_copy(const struct nc_figures *rx)
{
	json_object *o;

	if (!rx_zc_known(rx))
		return NULL;
	o = json_object_new_object();
	add(o, "mapped", u64(true, (uint64_t)rx->rx_zc_mapped));
	add(o, "copied", u64(true, (uint64_t)rx->rx_zc_copied));
	if (rx->rx_zc_refused)
		add(o, "refused",
		    nc_cell_text(netcopy_strerror(rx->rx_zc_refused)));
	return o;
}

static json_object *json_zero_copy(const struct netcopy_result *r)
{
	json_object *o;

	if (!zc_known(&r->sender))
		return NULL;
	o = json_object_new_object();
	add(o, "sends", nc_column_cell(r, COL_ZC_SENDS));
	add(o, "notifications", nc_column_cell(r, COL_ZC_NOTIFICATIONS));
	add(o, "completions", nc_column_cell(r, COL_ZC_COMPLETIONS));
	add(o, "copied", nc_column_cell(r, COL_ZC_COPIED));
	add(o, "enobufs", nc_column_cell(r, COL_ZC_ENOBUFS));
	return o;
}

/* rr's round trips, in microseconds; null for a stream. */
static json_object *json_latency(const struct netcopy_result *r)
{
	json_object *o;

	if (!round_trips(r))
		return NULL;
	o = json_object_new_object();
	add(o, "round_trips", nc_column_cell(r, COL_ROUND_TRIPS));
	add(o, "round_trips_per_s", nc_column_cell(r, COL_ROUND_TRIPS_PER_SEC));
	add(o, "mean_us", nc_column_cell(r, COL_LATENCY_US));
	add(o, "min_us", nc_column_cell(r, COL_RTT_MIN_US));
	add(o, "p50_us", nc_column_cell(r, COL_RTT_P50_US));
	add(o, "p90_us", nc_column_cell(r, COL_RTT_P90_US));
	add(o, "p99_us", nc_column_cell(r, COL_RTT_P99_US));
	add(o, "p99_9_us", nc_column_cell(r, COL_RTT_P999_US));
	add(o, "max_us", nc_column_cell(r, COL_RTT_MAX_US));
	return o;
}

/* The model name of the first CPU, from /proc/cpuinfo. */
static void cpu_model(char *buf, size_t len)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "re");

	buf[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !colon)
			continue;
		snprintf(buf, len, "%s", colon + 2);
		buf[strcspn(buf, "\n")] = '\0';
		break;
	}
	if (f)
		fclose(f);
}

static json_object *json_result(const struct netcopy_result *r)
{
	json_object *o = json_object_new_object(), *p, *res, *m;
	char model[200];

	p = json_object_new_object();
	add(p, "mode", nc_cell_text(r->mode));
	add(p, "size", u64(true, r->size));
	add(p, "threads", u64(true, r->threads));
	add(p, "duration_s", dbl(true, r->duration_s, 3));
	add(p, "workload", nc_column_cell(r, COL_WORKLOAD));
	add(p, "direction", nc_column_cell(r, COL_DIRECTION));
	add(p, "rx", nc_column_cell(r, COL_RX));
	/* null: the kernel's default, autotuned */
	add(p, "sndbuf", u64(r->sndbuf != 0, r->sndbuf));
	add(p, "rcvbuf", u64(r->rcvbuf != 0, r->rcvbuf));
	json_object_object_add(p, "verify", json_object_new_boolean(r->verify));
	json_object_object_add(p, "perf", json_object_new_boolean(r->perf));
	add(p, "host", nc_cell_text(r->host));

	res = json_object_new_object();
	add(res, "status", nc_cell_text(status_word(r->status)));
	if (r->receiver.reason[0])
		add(res, "reason", nc_cell_text(r->receiver.reason));
	add(res, "bytes", nc_column_cell(r, COL_TOTAL_BYTES));
	add(res, "messages", nc_column_cell(r, COL_MESSAGES));
	add(res, "interval_s", nc_column_cell(r, COL_INTERVAL_S));
	add(res, "throughput_gbps", nc_column_cell(r, COL_THROUGHPUT_GBPS));
	add(res, "messages_per_s", nc_column_cell(r, COL_MESSAGES_PER_SEC));
	add(res, "latency_us", nc_column_cell(r, COL_LATENCY_US));
	add(res, "mismatches", nc_column_cell(r, COL_MISMATCHES));
	add(res, "counters_scope", nc_column_cell(r, COL_COUNTERS_SCOPE));

	cpu_model(model, sizeof(model));
	m = json_object_new_object();
	add(m, "timestamp", nc_column_cell(r, COL_TIMESTAMP));
	add(m, "kernel", nc_column_cell(r, COL_KERNEL));
	add(m, "cpu_model", model[0] ? nc_cell_text(model) : na());
	add(m, "netcopy_version", nc_cell_text(PACKAGE_VERSION));

	json_object_object_add(o, "schema", json_object_new_int(1));
	json_object_object_add(o, "params", p);
	json_object_object_add(o, "result", res);
	json_object_object_add(o, "sender", json_side(&r->sender));
	json_object_object_add(o, "receiver", json_side(&r->receiver));
	json_object_object_add(o, "zerocopy", json_zero_copy(r));
	json_object_object_add(o, "rx_zerocopy",
			       json_rx_zero_copy(&r->receiver));
	json_object_object_add(o, "latency", json_latency(r));
	json_object_object_add(o, "machine", m);
	return o;
}

static int write_json(const struct netcopy_result *r, FILE *out)
{
	json_object *o = json_result(r);
	int err = 0;

	if (fprintf(out, "%s\n", json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
		err = -EIO;
	json_object_put(o);
	return err;
}

/* ---- the public face ---- */

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

NETCOPY_EXPORT double netcopy_result_gbps(const struct netcopy_result *r)
{
	return gbps(&r->receiver);
}

/* In rr both sides check what they receive. */
NETCOPY_EXPORT uint64_t
netcopy_result_mismatches(const struct netcopy_result *r)
{
	return r->receiver.mismatches +
	       (r->sender.measured ? r->sender.mismatches : 0);
}

NETCOPY_EXPORT int64_t
netcopy_result_zc_completions(const struct netcopy_result *r)
{
	return zc_known(&r->sender) ? r->sender.zc_completions : -1;
}

NETCOPY_EXPORT int64_t netcopy_result_zc_copied(const struct netcopy_result *r)
{
	return zc_known(&r->sender) ? r->sender.zc_copied : -1;
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
		nc_report_csv(r, out, header);
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
