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
#include "base/base.h"
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
	column(p, ANY, COL_DURATION_S);
	nc_print_cell(p, TEXT, NULL, "%s", nc_cell_text(rr ?
		      "request-response" : r->params.reverse ?
		      "client sends" : "server sends"));
	if (r->params.proto == NC_PROTO_UDP)
		nc_print_cell(p, TEXT, NULL, "%s", nc_cell_text("over UDP"));
	if (nc_result_rate(r)) {
		struct nc_cell how = nc_column_cell(r, COL_PACING_METHOD);
		char paced[96];

		snprintf(paced, sizeof(paced), "paced to %.6g Mbit/s a "
			 "connection (%s%s)", (double)nc_result_rate(r) / 1e6,
			 how.kind == NC_CELL_TEXT ? how.text : "NA",
			 nc_result_rate_capped(r) ? "; the server's cap, "
			 "--max-rate-per-host" : "");
		nc_print_cell(p, TEXT, NULL, "%s", nc_cell_text(paced));
	}
	nc_print_line_end(p);
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
	nc_print_line(p, "round trips");
	nc_print_cell(p, TEXT, NULL, "%llu",
		      nc_cell_u64(true, nc_hist_count(&r->rtt)));
	column(p, JSON, COL_ROUND_TRIPS);
	column(p, ANY, COL_ROUND_TRIPS_PER_SEC);
	nc_print_line(p, "round trip us");
	nc_print_cell(p, ANY, "mean_us", "mean %.3f",
		      nc_column_cell(r, COL_LATENCY_US));
	for (enum nc_column_id id = COL_RTT_MIN_US; id <= COL_RTT_MAX_US; id++)
		column(p, ANY, id);
	nc_print_line_end(p);
	nc_print_close(p);
}

/* "62.50 MBytes" for a byte count's text; NA below a KByte, where the
 * count says as much. */
static struct nc_cell human_bytes(struct nc_cell bytes, char *buf, size_t cap)
{
	if (bytes.kind != NC_CELL_U64 || bytes.u < 1024)
		return nc_cell_na();
	nc_format_bytes(buf, cap, bytes.u);
	return nc_cell_text(buf);
}

/* What the receiver received; the status leads in JSON. */
static void result(struct nc_printer *p, const struct netcopy_result *r)
{
	const struct nc_figures *rx = &r->receiver;
	char human[32];

	nc_print_open(p, NC_JSON_RESULT);
	column(p, JSON, COL_STATUS);
	if (rx->reason[0])
		nc_print_cell(p, JSON, "reason", NULL,
			      nc_cell_text(rx->reason));
	nc_print_line(p, "received");
	if (!rx->measured)
		nc_print_text(p, "NA (the receiver's figures never arrived)");
	column(p, ANY, COL_TOTAL_BYTES);
	nc_print_cell(p, TEXT, NULL, " (%s)", human_bytes(nc_column_cell(r,
		      COL_TOTAL_BYTES), human, sizeof(human)));
	column(p, ANY, COL_MESSAGES);
	column(p, ANY, COL_INTERVAL_S);
	nc_print_line(p, "throughput");
	column(p, ANY, COL_THROUGHPUT_GBPS);
	column(p, ANY, COL_MESSAGES_PER_SEC);
	column(p, JSON, COL_LATENCY_US);
	nc_print_line(p, "per message");
	nc_print_cell(p, TEXT, NULL, "%.3f us (mean time per message)",
		      nc_cell_double(rx->measured,
				     (double)rx->latency_ns / 1e3, 3));
	column(p, JSON, COL_MISMATCHES);
	if (r->flow_bytes)
		nc_print_u64_array(p, "flow_bytes", r->flow_bytes,
				   r->flow_bytes_n);
	nc_print_line(p, "verify");
	nc_print_cell(p, TEXT, NULL, "%llu mismatched message(s)",
		      nc_cell_u64(rx->measured && r->params.verify,
				  rx->mismatches));
	nc_print_line_end(p);
	nc_print_close(p);	/* and CountersScope */
}

/* Above this share lost, a UDP run measures drops more than the path. */
#define LOSS_WARNING 0.01

/* A UDP receiver's counts, and a plain warning when much was lost. */
static void datagrams(struct nc_printer *p, const struct netcopy_result *r)
{
	struct nc_cell loss = nc_column_cell(r, COL_LOSS_FRACTION);
	char warn[96];

	if (!r->receiver.measured || !r->receiver.udp.measured)
		return;
	nc_print_line(p, "datagrams");
	for (enum nc_column_id id = COL_LOST; id <= COL_JITTER_US; id++) {
		if (id == COL_DATAGRAMS_PER_READ)	/* the reads below */
			nc_print_line(p, NULL);
		column(p, TEXT, id);
	}
	nc_print_line_end(p);
	if (loss.kind != NC_CELL_DOUBLE || loss.d <= LOSS_WARNING)
		return;
	snprintf(warn, sizeof(warn), "%.1f %% lost: these figures measure "
		 "drops more than the path%s", loss.d * 100,
		 nc_result_rate(r) ? "" : " (unpaced)");
	nc_print_line(p, "warning");
	nc_print_cell(p, TEXT, NULL, "%s", nc_cell_text(warn));
	nc_print_line_end(p);
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
	nc_print_line(p, "zero-copy");
	column(p, ANY, COL_ZC_SENDS);
	column(p, ANY, COL_ZC_NOTIFICATIONS);
	column(p, ANY, COL_ZC_COMPLETIONS);
	column(p, TEXT, COL_ZC_ENOBUFS);
	/* The copies on a line of their own: the figure that matters. */
	nc_print_line(p, NULL);
	column(p, ANY, COL_ZC_COPIED);
	if (nc_column_cell(r, COL_ZC_COPIED).kind != NC_CELL_NA)
		nc_print_cell(p, TEXT, NULL, " (%.1f %%)",
			      nc_cell_double(true, copied * 100, 1));
	else
		nc_print_cell(p, TEXT, NULL, "%s", nc_cell_text(
			      "copied by the kernel NA (it would not say)"));
	column(p, JSON, COL_ZC_ENOBUFS);
	nc_print_line_end(p);
	if (copied > 0.5)
		nc_print_note(p, "the kernel fell back to copying on this "
			      "path (loopback and veth always do; a real NIC "
			      "may not), so these figures show no zero-copy "
			      "gain");
	nc_print_close(p);
}

/* Whether anything was mapped, said plainly: on loopback and veth the
 * kernel copies every byte.  The JSON has the receiver's only. */
static void rx_zero_copy(struct nc_printer *p, const char *side,
			 const struct nc_figures *f)
{
	uint64_t mapped = (uint64_t)f->rx_zc_mapped;
	uint64_t all = mapped + (uint64_t)f->rx_zc_copied;
	char why[200];

	if (!nc_figures_rx_zc_known(f)) {
		nc_print_null(p, NC_JSON_RX_ZEROCOPY);
		return;
	}
	nc_print_open(p, NC_JSON_RX_ZEROCOPY);
	nc_print_line(p, "rx zero-copy");
	nc_print_text(p, "%s: ", side);
	nc_print_cell(p, ANY, "mapped", "%llu bytes mapped",
		      nc_cell_u64(true, mapped));
	nc_print_cell(p, ANY, "copied", "%llu copied",
		      nc_cell_u64(true, (uint64_t)f->rx_zc_copied));
	nc_print_cell(p, TEXT, NULL, " (%.1f %% mapped)", nc_cell_double(true,
		      all ? (double)mapped * 100 / (double)all : 0.0, 1));
	nc_print_line_end(p);
	if (f->rx_zc_refused) {
		nc_print_cell(p, JSON, "refused", NULL, nc_cell_text(
			      netcopy_strerror(f->rx_zc_refused)));
		snprintf(why, sizeof(why), "the kernel refused "
			 "TCP_ZEROCOPY_RECEIVE (%s), so every byte was read "
			 "with recv()", netcopy_strerror(f->rx_zc_refused));
		nc_print_note(p, why);
	} else if (!mapped && all) {
		nc_print_note(p, "nothing was mapped: the kernel copied every "
			      "byte (loopback and veth always do; a NIC "
			      "splitting headers from page-aligned payload "
			      "may not)");
	}
	nc_print_close(p);
}

/* Each side's columns, as its text lines show them. */
static const struct side_columns {
	enum nc_column_id cpu, per_kib, share;
	enum nc_column_id counter[NC_EV_COUNT];
} side_columns[] = {
	[0] = { COL_SND_CPU_TIME_US, COL_SND_CPU_US_PER_KIB,
		COL_SND_CPU_SHARE_PCT, {
		[NC_EV_CYCLES] = COL_CPU_CYCLES,
		[NC_EV_INSTRUCTIONS] = COL_SND_INSTRUCTIONS,
		[NC_EV_CACHE_REFS] = COL_CACHE_REFS,
		[NC_EV_CACHE_MISSES] = COL_CACHE_MISSES,
		[NC_EV_CONTEXT_SWITCHES] = COL_CONTEXT_SWITCHES,
		[NC_EV_TASK_CLOCK] = COL_SND_TASK_CLOCK_MS,
		[NC_EV_PAGE_FAULTS] = COL_SND_PAGE_FAULTS } },
	[1] = { COL_RCV_CPU_TIME_US, COL_RCV_CPU_US_PER_KIB,
		COL_RCV_CPU_SHARE_PCT, {
		[NC_EV_CYCLES] = COL_RCV_CYCLES,
		[NC_EV_INSTRUCTIONS] = COL_RCV_INSTRUCTIONS,
		[NC_EV_CACHE_REFS] = COL_RCV_CACHE_REFS,
		[NC_EV_CACHE_MISSES] = COL_RCV_CACHE_MISSES,
		[NC_EV_CONTEXT_SWITCHES] = COL_RCV_CONTEXT_SWITCHES,
		[NC_EV_TASK_CLOCK] = COL_RCV_TASK_CLOCK_MS,
		[NC_EV_PAGE_FAULTS] = COL_RCV_PAGE_FAULTS } },
};

/* The PMU's events; the rest are the kernel's, counted everywhere. */
static bool hardware(unsigned int ev)
{
	return ev < NC_EV_CONTEXT_SWITCHES;
}

/* A side counting, whose machine has none of the PMU's events (a VM). */
static bool no_hardware(const struct nc_figures *f)
{
	if (!f->measured || f->counts.scope == NC_SCOPE_OFF)
		return false;
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++)
		if (hardware(ev) && nc_figures_counted(f, ev))
			return false;
	return true;
}

/* A column's item, or "cycles NA": the fragment's words and NA. */
static void column_or_na(struct nc_printer *p, enum nc_column_id id)
{
	const char *fmt = nc_columns[id].text;
	char words[64];

	if (nc_column_cell(p->r, id).kind != NC_CELL_NA) {
		column(p, TEXT, id);
		return;
	}
	snprintf(words, sizeof(words), "%.*sNA", (int)strcspn(fmt, "%"), fmt);
	nc_print_cell(p, TEXT, NULL, "%s", nc_cell_text(words));
}

/* Whether the side's counters line has an item: a counter counted, or
 * one that should have been and is NA. */
static bool counters_shown(const struct nc_figures *f,
			   const struct side_columns *cols, bool none)
{
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++) {
		if (!nc_columns[cols->counter[ev]].text)
			continue;
		if (nc_figures_counted(f, ev) ||
		    (f->counts.scope != NC_SCOPE_OFF &&
		     !(none && hardware(ev))))
			return true;
	}
	return false;
}

/* The side's counters: each known one; the unknown NA, but for a
 * machine without the PMU's, which is said once (hw_said: below both
 * sides).  Nothing counted with --no-perf: "counters off" on the line
 * above. */
static void counters(struct nc_printer *p, enum nc_json_obj obj,
		     const struct nc_figures *f,
		     const struct side_columns *cols, bool hw_said)
{
	static const char *const key[NC_EV_COUNT] = {
		"cycles", "instructions", "cache_references", "cache_misses",
		"context_switches", "task_clock_ns", "page_faults",
	};
	bool off = f->counts.scope == NC_SCOPE_OFF, none = no_hardware(f);

	nc_print_open(p, obj);
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++)
		nc_print_cell(p, JSON, key[ev], NULL,
			      nc_figures_counter(f, ev));
	nc_print_close(p);
	if (!counters_shown(f, cols, none)) {
		nc_print_cell(p, TEXT, NULL, "%s", nc_cell_text(off ?
			      "counters off" : "no hardware counters"));
		nc_print_line_end(p);
		return;
	}
	nc_print_line(p, NULL);
	nc_print_text(p, "counters (%s): ", nc_scope_name(f->counts.scope));
	if (none && !hw_said)
		nc_print_cell(p, TEXT, NULL, "%s",
			      nc_cell_text("no hardware counters"));
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++) {
		enum nc_column_id id = cols->counter[ev];

		if (!nc_columns[id].text)
			continue;
		if (nc_figures_counted(f, ev))
			column(p, TEXT, id);
		else if (!off && !(none && hardware(ev)))
			column_or_na(p, id);
	}
	nc_print_line_end(p);
}

/* One side's own figures: obj in JSON (NC_JSON_SENDER or _RECEIVER,
 * each followed by its counters), after label in the text. */
static void side(struct nc_printer *p, enum nc_json_obj obj,
		 const char *label, const struct nc_figures *f, bool hw_said)
{
	const struct side_columns *cols =
		&side_columns[obj == NC_JSON_SENDER ? 0 : 1];

	nc_print_line(p, label);
	if (!f->measured) {
		nc_print_text(p, "NA (figures never arrived)\n");
		nc_print_null(p, obj);
		return;
	}
	nc_print_open(p, obj);
	nc_print_cell(p, JSON, "bytes", NULL, nc_cell_u64(true, f->bytes));
	nc_print_cell(p, JSON, "messages", NULL,
		      nc_cell_u64(true, f->messages));
	nc_print_cell(p, JSON, "interval_s", NULL,
		      nc_cell_double(true, nc_figures_interval_s(f), 6));
	column(p, ANY, cols->cpu);
	column(p, ANY, cols->per_kib);
	column(p, ANY, cols->share);
	nc_print_cell(p, JSON, "counters_scope", NULL,
		      nc_cell_text(nc_scope_name(f->counts.scope)));
	nc_print_cell(p, JSON, "sndbuf", NULL, nc_figures_sock_buf(f, false));
	nc_print_cell(p, JSON, "rcvbuf", NULL, nc_figures_sock_buf(f, true));
	counters(p, obj == NC_JSON_SENDER ? NC_JSON_SENDER_COUNTERS :
		 NC_JSON_RECEIVER_COUNTERS, f, cols, hw_said);
	nc_print_close(p);
	nc_print_text_rest(p, obj);
}

/* One buffer the kernel held, and what was asked for it (text only). */
static void sock_buf(struct nc_printer *p, const char *what,
		     struct nc_cell held, uint64_t asked)
{
	char item[64];

	snprintf(item, sizeof(item), "%s %%llu", what);
	if (held.kind == NC_CELL_NA)
		nc_print_cell(p, TEXT, NULL, "%s NA", nc_cell_text(what));
	nc_print_cell(p, TEXT, NULL, item, held);
	if (asked)
		nc_print_cell(p, TEXT, NULL, " (asked %llu)",
			      nc_cell_u64(true, asked));
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
	nc_print_line(p, "socket bufs");
	sock_buf(p, "sender SO_SNDBUF",
		 nc_column_cell(r, COL_SND_SOCK_BUF), snd);
	sock_buf(p, "receiver SO_RCVBUF",
		 nc_column_cell(r, COL_RCV_SOCK_BUF), rcv);
	nc_print_line_end(p);
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
	side(p, NC_JSON_SENDER, "sender", &r->sender, false);
	side(p, NC_JSON_RECEIVER, "receiver", &r->receiver, false);
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
	/* Both sides without the PMU's counters: one machine, on loopback,
	 * or two alike; said once below them. */
	bool hw_said = no_hardware(&r->sender) && no_hardware(rx);

	params(p, r);
	latency(p, r);
	result(p, r);
	datagrams(p, r);
	zero_copy(p, r);
	rx_zero_copy(p, rr ? "server" : "receiver", rx);
	if (rr)
		rx_zero_copy(p, "client", &r->sender);
	side(p, NC_JSON_SENDER, rr ? "client (asks)" : "sender", &r->sender,
	     hw_said);
	side(p, NC_JSON_RECEIVER, rr ? "server" : "receiver", rx, hw_said);
	if (hw_said)
		nc_print_text(p, "  hardware counters: not available on this "
			      "machine\n");
	sock_bufs(p, r);
	nc_print_line(p, "status");
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
