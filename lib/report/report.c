/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * report.c - a run as text for people, or as one JSON document (schema
 * 1), from the same section writers.
 *
 * Each section below writes its figures once, through the printer (see
 * report-print.c), saying for each whether it belongs to the text, the
 * JSON or both; a column's key and text fragment come from the table
 * (columns.def).  The two documents differ in the order of their
 * sections only, and the sections in what the other leaves out.
 */
#include <string.h>

#include "internal.h"
#include "report/report.h"

#define ANY NC_PRINT_ANY
#define JSON NC_PRINT_JSON
#define TEXT NC_PRINT_TEXT

static void column(struct nc_printer *p, enum nc_print_to to,
		   enum nc_column_id id)
{
	nc_print_column(p, to, id);
}

/* A socket buffer asked for, null for the kernel's. */
static void asked(struct nc_printer *p, const char *key, uint64_t bytes)
{
	nc_print_cell(p, JSON, key, NULL, nc_cell_u64(bytes != 0, bytes));
}

/* "netcopy two-copy: 65536-byte messages, 1 thread, 2 s, server sends" */
static void params(struct nc_printer *p, const struct netcopy_result *r)
{
	bool rr = nc_result_rr(r);

	nc_print_open(p, NC_JSON_PARAMS);
	column(p, ANY, COL_IMPLEMENTATION);
	column(p, ANY, COL_MESSAGE_SIZE);
	column(p, ANY, COL_THREADS);
	nc_print_text(p, "%s", r->params.threads == 1 ? "" : "s");
	column(p, ANY, COL_DURATION_S);
	nc_print_text(p, ", %s%s\n", rr ? "request-response" :
		      r->params.reverse ? "client sends" : "server sends",
		      r->params.proto == NC_PROTO_UDP ? ", over UDP" : "");
	column(p, JSON, COL_WORKLOAD);
	column(p, JSON, COL_DIRECTION);
	column(p, JSON, COL_RX);
	/* null: the kernel's default, autotuned */
	asked(p, "sndbuf", nc_params_sockbuf(&r->params, false));
	asked(p, "rcvbuf", nc_params_sockbuf(&r->params, true));
	nc_print_bool(p, "verify", r->params.verify);
	nc_print_bool(p, "perf", r->params.perf);
	nc_print_close(p);	/* and Host, from the table */
}

/* rr's round trips, in microseconds; null for a stream. */
static void latency(struct nc_printer *p, const struct netcopy_result *r)
{
	if (!nc_result_round_trips(r)) {
		nc_print_null(p, NC_JSON_LATENCY);
		return;
	}
	nc_print_open(p, NC_JSON_LATENCY);
	nc_print_text(p, "  round trips   %llu",
		      (unsigned long long)nc_hist_count(&r->rtt));
	column(p, JSON, COL_ROUND_TRIPS);
	column(p, ANY, COL_ROUND_TRIPS_PER_SEC);
	nc_print_cell(p, ANY, "mean_us", "\n  round trip    mean %.3f us",
		      nc_column_cell(r, COL_LATENCY_US));
	for (enum nc_column_id id = COL_RTT_MIN_US; id <= COL_RTT_MAX_US; id++)
		column(p, ANY, id);
	nc_print_close(p);
}

/* What the receiver received; the status leads in JSON. */
static void result(struct nc_printer *p, const struct netcopy_result *r)
{
	const struct nc_figures *rx = &r->receiver;

	nc_print_open(p, NC_JSON_RESULT);
	column(p, JSON, COL_STATUS);
	if (rx->reason[0])
		nc_print_cell(p, JSON, "reason", NULL,
			      nc_cell_text(rx->reason));
	if (!rx->measured)
		nc_print_text(p, "  received      NA (the receiver's figures "
			      "never arrived)\n");
	column(p, ANY, COL_TOTAL_BYTES);
	column(p, ANY, COL_MESSAGES);
	column(p, ANY, COL_INTERVAL_S);
	column(p, ANY, COL_THROUGHPUT_GBPS);
	column(p, ANY, COL_MESSAGES_PER_SEC);
	column(p, JSON, COL_LATENCY_US);
	if (rx->measured)
		nc_print_text(p, "  per message   %.3f us (mean time per "
			      "message)\n", (double)rx->latency_ns / 1e3);
	column(p, JSON, COL_MISMATCHES);
	if (rx->measured && r->params.verify)
		nc_print_text(p, "  verify        %llu mismatched messages\n",
			      (unsigned long long)rx->mismatches);
	nc_print_close(p);	/* and CountersScope */
}

/* Above this share lost, a UDP run measures drops more than the path. */
#define LOSS_WARNING 0.01

/* A UDP receiver's counts, and a plain warning when much was lost. */
static void datagrams(struct nc_printer *p, const struct netcopy_result *r)
{
	struct nc_cell loss = nc_column_cell(r, COL_LOSS_FRACTION);

	if (!r->receiver.measured || !r->receiver.udp.measured)
		return;
	for (enum nc_column_id id = COL_LOST; id <= COL_JITTER_US; id++)
		column(p, TEXT, id);
	if (loss.kind == NC_CELL_DOUBLE && loss.d > LOSS_WARNING)
		nc_print_text(p, "  warning       %.1f %% lost: these figures "
			      "measure drops more than the path (unpaced)\n",
			      loss.d * 100);
}

static void zero_copy(struct nc_printer *p, const struct netcopy_result *r)
{
	struct nc_cell fraction = nc_column_cell(r, COL_ZC_COPIED_FRACTION);
	double copied = fraction.kind == NC_CELL_NA ? 0 : fraction.d;

	if (!nc_figures_zc_known(&r->sender)) {
		nc_print_null(p, NC_JSON_ZEROCOPY);
		return;
	}
	nc_print_open(p, NC_JSON_ZEROCOPY);
	column(p, ANY, COL_ZC_SENDS);
	column(p, ANY, COL_ZC_NOTIFICATIONS);
	column(p, ANY, COL_ZC_COMPLETIONS);
	column(p, ANY, COL_ZC_COPIED);
	if (nc_column_cell(r, COL_ZC_COPIED).kind != NC_CELL_NA)
		nc_print_text(p, " (%.1f %%), ", copied * 100);
	else
		nc_print_text(p, "copied by the kernel NA (it would not "
			      "say), ");
	column(p, ANY, COL_ZC_ENOBUFS);
	if (copied > 0.5)
		nc_print_text(p, "                the kernel fell back to "
			      "copying on this path (loopback and veth always "
			      "do; a real NIC may not), so these figures show "
			      "no zero-copy gain\n");
	nc_print_close(p);
}

/* Whether anything was mapped, said plainly: on loopback and veth the
 * kernel copies every byte.  The JSON has the receiver's only. */
static void rx_zero_copy(struct nc_printer *p, const char *side,
			 const struct nc_figures *f)
{
	uint64_t mapped = (uint64_t)f->rx_zc_mapped;
	uint64_t all = mapped + (uint64_t)f->rx_zc_copied;

	if (!nc_figures_rx_zc_known(f)) {
		nc_print_null(p, NC_JSON_RX_ZEROCOPY);
		return;
	}
	nc_print_open(p, NC_JSON_RX_ZEROCOPY);
	nc_print_text(p, "  rx zero-copy  %s: ", side);
	nc_print_cell(p, ANY, "mapped", "%llu bytes mapped",
		      nc_cell_u64(true, mapped));
	nc_print_cell(p, ANY, "copied", ", %llu copied",
		      nc_cell_u64(true, (uint64_t)f->rx_zc_copied));
	nc_print_text(p, " (%.1f %% mapped)\n",
		      all ? (double)mapped * 100 / (double)all : 0.0);
	if (f->rx_zc_refused) {
		nc_print_cell(p, JSON, "refused", NULL, nc_cell_text(
			      netcopy_strerror(f->rx_zc_refused)));
		nc_print_text(p, "                the kernel refused "
			      "TCP_ZEROCOPY_RECEIVE (%s), so every byte was "
			      "read with recv()\n",
			      netcopy_strerror(f->rx_zc_refused));
	} else if (!mapped && all) {
		nc_print_text(p, "                nothing was mapped: the "
			      "kernel copied every byte (loopback and veth "
			      "always do; a NIC splitting headers from "
			      "page-aligned payload may not)\n");
	}
	nc_print_close(p);
}

static void counters(struct nc_printer *p, enum nc_json_obj obj,
		     const struct nc_figures *f)
{
	static const char *const key[NC_EV_COUNT] = {
		"cycles", "instructions", "cache_references", "cache_misses",
		"context_switches", "task_clock_ns", "page_faults",
	};
	static const char *const label[NC_EV_COUNT] = {
		"cycles", "instructions", "cache-refs", "cache-misses",
		"ctx-switches", "task-clock-ns", "page-faults",
	};

	nc_print_open(p, obj);
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++) {
		if (nc_figures_counted(f, ev))
			nc_print_text(p, ", %s ", label[ev]);
		else if (f->counts.scope != NC_SCOPE_OFF)
			nc_print_text(p, ", %s NA", label[ev]);
		nc_print_cell(p, ANY, key[ev], "%llu",
			      nc_figures_counter(f, ev));
	}
	nc_print_close(p);
}

/* One side's own figures: obj in JSON (NC_JSON_SENDER or _RECEIVER,
 * each followed by its counters), after label in the text. */
static void side(struct nc_printer *p, enum nc_json_obj obj,
		 const char *label, const struct nc_figures *f)
{
	nc_print_text(p, "  %-13s", label);
	if (!f->measured) {
		nc_print_text(p, " NA (figures never arrived)\n");
		nc_print_null(p, obj);
		return;
	}
	nc_print_open(p, obj);
	nc_print_cell(p, JSON, "bytes", NULL, nc_cell_u64(true, f->bytes));
	nc_print_cell(p, JSON, "messages", NULL,
		      nc_cell_u64(true, f->messages));
	nc_print_cell(p, JSON, "interval_s", NULL,
		      nc_cell_double(true, nc_figures_interval_s(f), 6));
	nc_print_cell(p, ANY, "cpu_us", " cpu %llu us",
		      nc_cell_u64(true, f->cpu_us));
	nc_print_cell(p, ANY, "cpu_us_per_kib", " (%.4f us/KiB)",
		      nc_figures_cpu_per_kib(f));
	nc_print_cell(p, JSON, "cpu_share_pct", NULL,
		      nc_figures_cpu_share(f));
	nc_print_cell(p, JSON, "counters_scope", NULL,
		      nc_cell_text(nc_scope_name(f->counts.scope)));
	nc_print_cell(p, JSON, "sndbuf", NULL, nc_figures_sock_buf(f, false));
	nc_print_cell(p, JSON, "rcvbuf", NULL, nc_figures_sock_buf(f, true));
	counters(p, obj == NC_JSON_SENDER ? NC_JSON_SENDER_COUNTERS :
		 NC_JSON_RECEIVER_COUNTERS, f);
	nc_print_text(p, " [counters: %s]\n", nc_scope_name(f->counts.scope));
	nc_print_close(p);
	nc_print_text_rest(p, obj, "                ");
}

/* One buffer the kernel held, and what was asked for it (text only). */
static void sock_buf(struct nc_printer *p, const char *what,
		     struct nc_cell held, uint64_t asked)
{
	nc_print_text(p, "%s ", what);
	if (held.kind == NC_CELL_NA)
		nc_print_text(p, "NA");
	nc_print_cell(p, TEXT, NULL, "%llu", held);
	if (asked)
		nc_print_text(p, " (asked %llu)", (unsigned long long)asked);
	else
		nc_print_text(p, " (the kernel's)");
}

/* Only when --sndbuf or --rcvbuf was given, as the columns. */
static void sock_bufs(struct nc_printer *p, const struct netcopy_result *r)
{
	uint64_t snd = nc_params_sockbuf(&r->params, false);
	uint64_t rcv = nc_params_sockbuf(&r->params, true);

	if (!snd && !rcv)
		return;
	sock_buf(p, "  socket bufs   sender SO_SNDBUF",
		 nc_column_cell(r, COL_SND_SOCK_BUF), snd);
	sock_buf(p, ", receiver SO_RCVBUF",
		 nc_column_cell(r, COL_RCV_SOCK_BUF), rcv);
	nc_print_text(p, "\n");
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

static void machine(struct nc_printer *p, const struct netcopy_result *r)
{
	char model[200];

	cpu_model(model, sizeof(model));
	nc_print_open(p, NC_JSON_MACHINE);
	column(p, JSON, COL_TIMESTAMP);
	column(p, JSON, COL_KERNEL);
	nc_print_cell(p, JSON, "cpu_model", NULL,
		      model[0] ? nc_cell_text(model) : nc_cell_na());
	nc_print_close(p);	/* and NetcopyVersion */
}

static void json_document(struct nc_printer *p,
			  const struct netcopy_result *r)
{
	nc_print_cell(p, JSON, "schema", NULL, nc_cell_u64(true, 1));
	params(p, r);
	result(p, r);
	side(p, NC_JSON_SENDER, "sender", &r->sender);
	side(p, NC_JSON_RECEIVER, "receiver", &r->receiver);
	zero_copy(p, r);
	rx_zero_copy(p, NULL, &r->receiver);
	latency(p, r);
	machine(p, r);
}

/* In rr the client, which asks, is the sender. */
static void text_document(struct nc_printer *p,
			  const struct netcopy_result *r)
{
	const struct nc_figures *rx = &r->receiver;
	bool rr = nc_result_rr(r);

	params(p, r);
	latency(p, r);
	result(p, r);
	datagrams(p, r);
	zero_copy(p, r);
	rx_zero_copy(p, rr ? "server" : "receiver", rx);
	if (rr)
		rx_zero_copy(p, "client", &r->sender);
	side(p, NC_JSON_SENDER, rr ? "client (asks)" : "sender", &r->sender);
	side(p, NC_JSON_RECEIVER, rr ? "server" : "receiver", rx);
	sock_bufs(p, r);
	column(p, TEXT, COL_STATUS);
	nc_print_text(p, "%s%s\n", rx->reason[0] ? ": " : "", rx->reason);
}

int nc_report(const struct netcopy_result *r, FILE *out, bool json)
{
	struct nc_printer p;

	nc_printer_init(&p, out, json, r);
	if (json)
		json_document(&p, r);
	else
		text_document(&p, r);
	return nc_printer_finish(&p);
}
