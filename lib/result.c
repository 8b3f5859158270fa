/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * result.c - a run's figures, and the columns they are written in.
 *
 * One table says every CSV column's name, unit, side and meaning; the
 * CSV header and row come from it, so they cannot drift apart.  The
 * study's 11 columns come first (with the sender's counters).  A figure
 * that was not measured is NA in CSV and null in JSON, never 0.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- figures derived from the raw ones ---- */

static double interval_s(const struct nc_figures *f)
{
	return (double)f->interval_ns / 1e9;
}

static bool have_interval(const struct nc_figures *f)
{
	return f->measured && f->interval_ns > 0;
}

static bool counted(const struct nc_figures *f, enum nc_event ev)
{
	return f->measured && (f->counts.known & (1u << ev));
}

static bool zc_known(const struct nc_figures *f)
{
	return f->measured && f->zc.completions >= 0;
}

/* --rx zero-copy's figures, measured by a receiving side. */
static bool rx_zc_known(const struct nc_figures *f)
{
	return f->measured && f->rx_zc_mapped >= 0;
}

static const char *scope_name(uint8_t scope)
{
	return scope == NC_SCOPE_ALL ? "user+kernel" :
	       scope == NC_SCOPE_USER ? "user" : "off";
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
	if (r->params.workload == NC_WORKLOAD_RR)
		return "client-asks";
	return r->params.reverse ? "client-sends" : "server-sends";
}

/* The columns, in CSV order. */
enum column {
	COL_IMPLEMENTATION,
	COL_MESSAGE_SIZE,
	COL_THREADS,
	COL_THROUGHPUT_GBPS,
	COL_LATENCY_US,
	COL_TOTAL_BYTES,
	COL_CPU_CYCLES,
	COL_CYCLES_PER_BYTE,
	COL_CACHE_MISSES,
	COL_CACHE_REFS,
	COL_CONTEXT_SWITCHES,
	COL_WORKLOAD,
	COL_DIRECTION,
	COL_DURATION_S,
	COL_INTERVAL_S,
	COL_MESSAGES,
	COL_MESSAGES_PER_SEC,
	COL_VERIFY,
	COL_MISMATCHES,
	COL_SND_BYTES,
	COL_SND_INSTRUCTIONS,
	COL_SND_TASK_CLOCK_MS,
	COL_SND_PAGE_FAULTS,
	COL_SND_CPU_TIME_US,
	COL_SND_CPU_US_PER_KIB,
	COL_SND_CPU_SHARE_PCT,
	COL_RCV_CYCLES,
	COL_RCV_CYCLES_PER_BYTE,
	COL_RCV_INSTRUCTIONS,
	COL_RCV_CACHE_MISSES,
	COL_RCV_CACHE_REFS,
	COL_RCV_CONTEXT_SWITCHES,
	COL_RCV_TASK_CLOCK_MS,
	COL_RCV_PAGE_FAULTS,
	COL_RCV_CPU_TIME_US,
	COL_RCV_CPU_US_PER_KIB,
	COL_RCV_CPU_SHARE_PCT,
	COL_ZC_SENDS,
	COL_ZC_NOTIFICATIONS,
	COL_ZC_COMPLETIONS,
	COL_ZC_COPIED,
	COL_ZC_COPIED_FRACTION,
	COL_ZC_ENOBUFS,
	COL_RX,
	COL_RX_ZC_MAPPED,
	COL_RX_ZC_COPIED,
	COL_SND_SOCK_BUF,
	COL_RCV_SOCK_BUF,
	COL_ROUND_TRIPS,
	COL_ROUND_TRIPS_PER_SEC,
	COL_RTT_MIN_US,
	COL_RTT_P50_US,
	COL_RTT_P90_US,
	COL_RTT_P99_US,
	COL_RTT_P999_US,
	COL_RTT_MAX_US,
	COL_COUNTERS_SCOPE,
	COL_STATUS,
	COL_TIMESTAMP,
	COL_HOST,
	COL_KERNEL,
	COL_NETCOPY_VERSION,
	COLUMN_COUNT
};

/* ---- one cell of output ---- */

enum cell_kind { CELL_NA, CELL_U64, CELL_DOUBLE, CELL_TEXT };

struct cell {
	enum cell_kind kind;
	uint64_t u;
	double d;
	int decimals;
	const char *text;
};

static struct cell na(void)
{
	return (struct cell){ .kind = CELL_NA };
}

static struct cell u64(bool known, uint64_t v)
{
	return known ? (struct cell){ .kind = CELL_U64, .u = v } : na();
}

static struct cell dbl(bool known, double v, int decimals)
{
	return known ? (struct cell){ .kind = CELL_DOUBLE, .d = v,
				      .decimals = decimals } : na();
}

static struct cell text(const char *s)
{
	return (struct cell){ .kind = CELL_TEXT, .text = s };
}

static struct cell counter(const struct nc_figures *f, enum nc_event ev)
{
	return u64(counted(f, ev), f->counts.value[ev]);
}

static struct cell per_byte(const struct nc_figures *f, enum nc_event ev,
			    uint64_t bytes)
{
	return dbl(counted(f, ev) && bytes,
		   (double)f->counts.value[ev] / (double)bytes, 4);
}

/* CPU microseconds per KiB moved: netperf's service demand. */
static struct cell cpu_per_kib(const struct nc_figures *f)
{
	return dbl(f->measured && f->bytes,
		   (double)f->cpu_us / ((double)f->bytes / 1024), 5);
}

/* CPU time as a share of one CPU over the side's interval. */
static struct cell cpu_share(const struct nc_figures *f)
{
	return dbl(have_interval(f),
		   (double)f->cpu_us / 1e4 / interval_s(f), 1);
}

static struct cell task_clock_ms(const struct nc_figures *f)
{
	return dbl(counted(f, NC_EV_TASK_CLOCK),
		   (double)f->counts.value[NC_EV_TASK_CLOCK] / 1e6, 3);
}

/* Each may be -1 on its own: ZcCopied where the kernel would not say. */
static struct cell zc(const struct nc_figures *f, int64_t v)
{
	return u64(zc_known(f) && v >= 0, (uint64_t)v);
}

static double gbps(const struct nc_figures *rx)
{
	return (double)rx->bytes * 8 / 1e9 / interval_s(rx);
}

static bool rr(const struct netcopy_result *r)
{
	return r->params.workload == NC_WORKLOAD_RR;
}

static const char *workload(const struct netcopy_result *r)
{
	return rr(r) ? "rr" : "stream";
}

static bool round_trips(const struct netcopy_result *r)
{
	return rr(r) && nc_hist_count(&r->rtt) > 0;
}

/* A round-trip percentile in microseconds (0: min, 100: max). */
static struct cell rtt_us(const struct netcopy_result *r, double p)
{
	return dbl(round_trips(r),
		   (double)nc_hist_percentile(&r->rtt, p) / 1e3, 3);
}

/* A socket buffer the kernel held: -1 where not known. */
static struct cell sock_buf(const struct nc_figures *f, int64_t v)
{
	return u64(f->measured && v >= 0, (uint64_t)v);
}

/* The receive call the run's receivers made: --rx's, else the mode's. */
static uint8_t rx_used(const struct netcopy_result *r)
{
	const struct netcopy_mode *mode = netcopy_mode_find(r->params.mode);

	if (r->params.rx != NC_RX_MODE || !mode)
		return r->params.rx;
	return mode->own_rx;
}

/* The figure of column i. */
static struct cell column_cell(const struct netcopy_result *r, size_t i)
{
	const struct nc_figures *rx = &r->receiver, *tx = &r->sender;
	switch (i) {
	case COL_IMPLEMENTATION:
		return text(r->params.mode);
	case COL_MESSAGE_SIZE:
		return u64(true, r->params.size);
	case COL_THREADS:
		return u64(true, r->params.threads);
	case COL_THROUGHPUT_GBPS:
		return dbl(have_interval(rx), have_interval(rx) ?
			   gbps(rx) : 0, 6);
	case COL_LATENCY_US:
		if (rr(r))
			return dbl(round_trips(r), nc_hist_mean(&r->rtt) / 1e3,
				   3);
		return dbl(rx->measured, (double)rx->latency_ns / 1e3, 3);
	case COL_TOTAL_BYTES:
		return u64(rx->measured, rx->bytes);
	case COL_CPU_CYCLES:
		return counter(tx, NC_EV_CYCLES);
	case COL_CYCLES_PER_BYTE:
		return per_byte(tx, NC_EV_CYCLES, rx->measured ? rx->bytes : 0);
	case COL_CACHE_MISSES:
		return counter(tx, NC_EV_CACHE_MISSES);
	case COL_CACHE_REFS:
		return counter(tx, NC_EV_CACHE_REFS);
	case COL_CONTEXT_SWITCHES:
		return counter(tx, NC_EV_CONTEXT_SWITCHES);
	case COL_WORKLOAD:
		return text(workload(r));
	case COL_DIRECTION:
		return text(direction(r));
	case COL_DURATION_S:
		return dbl(true, r->params.duration, 3);
	case COL_INTERVAL_S:
		return dbl(rx->measured, interval_s(rx), 6);
	case COL_MESSAGES:
		return u64(rx->measured, rx->messages);
	case COL_MESSAGES_PER_SEC:
		return dbl(have_interval(rx), have_interval(rx) ?
			    (double)rx->messages / interval_s(rx) : 0, 1);
	case COL_VERIFY:
		return u64(true, r->params.verify);
	case COL_MISMATCHES:
		return u64(rx->measured && r->params.verify,
			   netcopy_result_mismatches(r));
	case COL_SND_BYTES:
		return u64(tx->measured, tx->bytes);
	case COL_SND_INSTRUCTIONS:
		return counter(tx, NC_EV_INSTRUCTIONS);
	case COL_SND_TASK_CLOCK_MS:
		return task_clock_ms(tx);
	case COL_SND_PAGE_FAULTS:
		return counter(tx, NC_EV_PAGE_FAULTS);
	case COL_SND_CPU_TIME_US:
		return u64(tx->measured, tx->cpu_us);
	case COL_SND_CPU_US_PER_KIB:
		return cpu_per_kib(tx);
	case COL_SND_CPU_SHARE_PCT:
		return cpu_share(tx);
	case COL_RCV_CYCLES:
		return counter(rx, NC_EV_CYCLES);
	case COL_RCV_CYCLES_PER_BYTE:
		return per_byte(rx, NC_EV_CYCLES, rx->bytes);
	case COL_RCV_INSTRUCTIONS:
		return counter(rx, NC_EV_INSTRUCTIONS);
	case COL_RCV_CACHE_MISSES:
		return counter(rx, NC_EV_CACHE_MISSES);
	case COL_RCV_CACHE_REFS:
		return counter(rx, NC_EV_CACHE_REFS);
	case COL_RCV_CONTEXT_SWITCHES:
		return counter(rx, NC_EV_CONTEXT_SWITCHES);
	case COL_RCV_TASK_CLOCK_MS:
		return task_clock_ms(rx);
	case COL_RCV_PAGE_FAULTS:
		return counter(rx, NC_EV_PAGE_FAULTS);
	case COL_RCV_CPU_TIME_US:
		return u64(rx->measured, rx->cpu_us);
	case COL_RCV_CPU_US_PER_KIB:
		return cpu_per_kib(rx);
	case COL_RCV_CPU_SHARE_PCT:
		return cpu_share(rx);
	case COL_ZC_SENDS:
		return zc(tx, tx->zc.sends);
	case COL_ZC_NOTIFICATIONS:
		return zc(tx, tx->zc.notifications);
	case COL_ZC_COMPLETIONS:
		return zc(tx, tx->zc.completions);
	case COL_ZC_COPIED:
		return zc(tx, tx->zc.copied);
	case COL_ZC_COPIED_FRACTION:
		return dbl(zc_known(tx) && tx->zc.completions > 0 &&
			   tx->zc.copied >= 0,
			    (double)tx->zc.copied /
			    (double)(tx->zc.completions ? tx->zc.completions :
				     1), 4);
	case COL_ZC_ENOBUFS:
		return zc(tx, tx->zc.enobufs);
	case COL_RX:
		return text(nc_rx_name(rx_used(r)));
	case COL_RX_ZC_MAPPED:
		return u64(rx_zc_known(rx), (uint64_t)rx->rx_zc_mapped);
	case COL_RX_ZC_COPIED:
		return u64(rx_zc_known(rx), (uint64_t)rx->rx_zc_copied);
	case COL_SND_SOCK_BUF:
		return sock_buf(tx, tx->sndbuf);
	case COL_RCV_SOCK_BUF:
		return sock_buf(rx, rx->rcvbuf);
	case COL_ROUND_TRIPS:
		return u64(rr(r) && tx->measured, tx->messages);
	case COL_ROUND_TRIPS_PER_SEC:
		return dbl(rr(r) && have_interval(tx), have_interval(tx) ?
			   (double)tx->messages / interval_s(tx) : 0, 1);
	case COL_RTT_MIN_US:
		return rtt_us(r, 0);
	case COL_RTT_P50_US:
		return rtt_us(r, 50);
	case COL_RTT_P90_US:
		return rtt_us(r, 90);
	case COL_RTT_P99_US:
		return rtt_us(r, 99);
	case COL_RTT_P999_US:
		return rtt_us(r, 99.9);
	case COL_RTT_MAX_US:
		return rtt_us(r, 100);
	case COL_COUNTERS_SCOPE:
		return text(!r->params.perf ? "off" :
			     !tx->measured || !rx->measured ? "NA" :
			     scope_name(tx->counts.scope < rx->counts.scope ?
					tx->counts.scope : rx->counts.scope));
	case COL_STATUS:
		return text(status_word(r->status));
	case COL_TIMESTAMP:
		return u64(r->timestamp >= 0, (uint64_t)r->timestamp);
	case COL_HOST:
		return text(r->host);
	case COL_KERNEL:
		return r->kernel[0] ? text(r->kernel) : na();
	case COL_NETCOPY_VERSION:
		return text(PACKAGE_VERSION);
	}
	return na();
}

const struct nc_column nc_columns[COLUMN_COUNT] = {
	[COL_IMPLEMENTATION] = { "Implementation", "-", "-", "the mode" },
	[COL_MESSAGE_SIZE] = { "MessageSize", "bytes",
	  "-", "message size asked for" },
	[COL_THREADS] = { "Threads", "-",
	  "-", "data connections, a thread each per side" },
	[COL_THROUGHPUT_GBPS] = { "Throughput_Gbps", "Gbit/s", "receiver",
	  "payload bits received / 1e9 / Interval_s" },
	[COL_LATENCY_US] = { "Latency_us", "us", "receiver",
	  "mean time per message: per connection, interval / messages, "
	  "averaged over connections; rr: mean round trip" },
	[COL_TOTAL_BYTES] = { "TotalBytes", "bytes",
	  "receiver", "payload bytes received" },
	[COL_CPU_CYCLES] = { "CPUCycles", "cycles",
	  "sender", "cycles counter" },
	[COL_CYCLES_PER_BYTE] = { "CyclesPerByte", "cycles/byte", "sender",
	  "CPUCycles / TotalBytes" },
	[COL_CACHE_MISSES] = { "CacheMisses", "count",
	  "sender", "cache-misses counter" },
	[COL_CACHE_REFS] = { "CacheRefs", "count",
	  "sender", "cache-references counter" },
	[COL_CONTEXT_SWITCHES] = { "ContextSwitches", "count",
	  "sender", "context-switches counter" },
	[COL_WORKLOAD] = { "Workload", "-", "-",
	  "stream, or rr (request-response, -w rr)" },
	[COL_DIRECTION] = { "Direction", "-",
	  "-", "server-sends, or client-sends with -R" },
	[COL_DURATION_S] = { "Duration_s", "s", "-", "duration asked for" },
	[COL_INTERVAL_S] = { "Interval_s", "s", "receiver",
	  "first byte to last byte of the run" },
	[COL_MESSAGES] = { "Messages", "count",
	  "receiver", "whole messages received" },
	[COL_MESSAGES_PER_SEC] = { "MessagesPerSec", "1/s",
	  "receiver", "Messages / Interval_s" },
	[COL_VERIFY] = { "Verify", "0/1", "-", "whether --verify was on" },
	[COL_MISMATCHES] = { "Mismatches", "count", "receiver",
	  "messages with a wrong byte (NA without --verify)" },
	[COL_SND_BYTES] = { "SndBytes", "bytes",
	  "sender", "payload bytes sent" },
	[COL_SND_INSTRUCTIONS] = { "SndInstructions", "count",
	  "sender", "instructions counter" },
	[COL_SND_TASK_CLOCK_MS] = { "SndTaskClock_ms", "ms",
	  "sender", "task-clock counter" },
	[COL_SND_PAGE_FAULTS] = { "SndPageFaults", "count",
	  "sender", "page-faults counter" },
	[COL_SND_CPU_TIME_US] = { "SndCpuTime_us", "us", "sender",
	  "user + system CPU time of the data threads" },
	[COL_SND_CPU_US_PER_KIB] = { "SndCpuUsPerKiB", "us/KiB", "sender",
	  "SndCpuTime_us per KiB sent (service demand)" },
	[COL_SND_CPU_SHARE_PCT] = { "SndCpuShare_pct", "%", "sender",
	  "SndCpuTime_us / the sender's interval, in % of one CPU" },
	[COL_RCV_CYCLES] = { "RcvCycles", "cycles",
	  "receiver", "cycles counter" },
	[COL_RCV_CYCLES_PER_BYTE] = { "RcvCyclesPerByte", "cycles/byte",
	  "receiver",
	  "RcvCycles / TotalBytes" },
	[COL_RCV_INSTRUCTIONS] = { "RcvInstructions", "count",
	  "receiver", "instructions counter" },
	[COL_RCV_CACHE_MISSES] = { "RcvCacheMisses", "count",
	  "receiver", "cache-misses counter" },
	[COL_RCV_CACHE_REFS] = { "RcvCacheRefs", "count",
	  "receiver", "cache-references counter" },
	[COL_RCV_CONTEXT_SWITCHES] = { "RcvContextSwitches", "count",
	  "receiver",
	  "context-switches counter" },
	[COL_RCV_TASK_CLOCK_MS] = { "RcvTaskClock_ms", "ms",
	  "receiver", "task-clock counter" },
	[COL_RCV_PAGE_FAULTS] = { "RcvPageFaults", "count",
	  "receiver", "page-faults counter" },
	[COL_RCV_CPU_TIME_US] = { "RcvCpuTime_us", "us", "receiver",
	  "user + system CPU time of the data threads" },
	[COL_RCV_CPU_US_PER_KIB] = { "RcvCpuUsPerKiB", "us/KiB", "receiver",
	  "RcvCpuTime_us per KiB received (service demand)" },
	[COL_RCV_CPU_SHARE_PCT] = { "RcvCpuShare_pct", "%", "receiver",
	  "RcvCpuTime_us / the receiver's interval, in % of one CPU" },
	[COL_ZC_SENDS] = { "ZcSends", "count", "sender",
	  "zero-copy sendmsg calls (NA for other modes)" },
	[COL_ZC_NOTIFICATIONS] = { "ZcNotifications", "count", "sender",
	  "completion notifications read from the error queue" },
	[COL_ZC_COMPLETIONS] = { "ZcCompletions", "count", "sender",
	  "sends those notifications completed" },
	[COL_ZC_COPIED] = { "ZcCopied", "count", "sender",
	  "completions flagged SO_EE_CODE_ZEROCOPY_COPIED" },
	[COL_ZC_COPIED_FRACTION] = { "ZcCopiedFraction", "0-1", "sender",
	  "ZcCopied / ZcCompletions" },
	[COL_ZC_ENOBUFS] = { "ZcEnobufs", "count",
	  "sender", "sends retried after ENOBUFS (uring-zc: ENOMEM, over "
	  "RLIMIT_MEMLOCK)" },
	[COL_RX] = { "Rx", "-", "receiver",
	  "the receive call: the mode's own (recv; one-copy: recvmsg) or "
	  "--rx's (recv, recvmsg, zero-copy)" },
	[COL_RX_ZC_MAPPED] = { "RxZcMapped", "bytes", "receiver",
	  "--rx zero-copy: bytes TCP_ZEROCOPY_RECEIVE mapped (NA otherwise)" },
	[COL_RX_ZC_COPIED] = { "RxZcCopied", "bytes", "receiver",
	  "--rx zero-copy: bytes read by copy instead" },
	[COL_SND_SOCK_BUF] = { "SndSockBuf", "bytes", "sender",
	  "with --sndbuf or --rcvbuf (else NA): SO_SNDBUF of the sending "
	  "sockets at the end, the largest; --sndbuf doubled and capped by "
	  "the kernel, or what it autotuned" },
	[COL_RCV_SOCK_BUF] = { "RcvSockBuf", "bytes", "receiver",
	  "the same for SO_RCVBUF of the receiving sockets (--rcvbuf)" },
	[COL_ROUND_TRIPS] = { "RoundTrips", "count", "client",
	  "rr: round trips completed (NA for a stream)" },
	[COL_ROUND_TRIPS_PER_SEC] = { "RoundTripsPerSec", "1/s", "client",
	  "rr: RoundTrips / the client's interval" },
	[COL_RTT_MIN_US] = { "RttMin_us", "us", "client",
	  "rr: shortest round trip" },
	[COL_RTT_P50_US] = { "RttP50_us", "us", "client",
	  "rr: median round trip (within 1/64 from a log histogram)" },
	[COL_RTT_P90_US] = { "RttP90_us", "us", "client",
	  "rr: 90th percentile" },
	[COL_RTT_P99_US] = { "RttP99_us", "us", "client",
	  "rr: 99th percentile" },
	[COL_RTT_P999_US] = { "RttP999_us", "us", "client",
	  "rr: 99.9th percentile" },
	[COL_RTT_MAX_US] = { "RttMax_us", "us", "client",
	  "rr: longest round trip" },
	[COL_COUNTERS_SCOPE] = { "CountersScope", "-", "both",
	  "hardware counters: user+kernel, user (all the system allows), or off" },
	[COL_STATUS] = { "Status", "-", "-",
	  "ok, short (cut short or bytes missing), mismatch or error" },
	[COL_TIMESTAMP] = { "Timestamp", "s",
	  "-", "start of the run, seconds since 1970" },
	[COL_HOST] = { "Host", "-", "-", "the server, as given to -i" },
	[COL_KERNEL] = { "Kernel", "-",
	  "client", "kernel release of the client's machine" },
	[COL_NETCOPY_VERSION] = { "NetcopyVersion", "-",
	  "-", "netcopy's version" },
};

const size_t nc_column_count = COLUMN_COUNT;

/* ---- CSV ---- */

/* Text cells are quoted when they hold a comma or a quote (RFC 4180). */
static void csv_text(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void csv_cell(FILE *out, struct cell c)
{
	switch (c.kind) {
	case CELL_NA:
		fputs("NA", out);
		break;
	case CELL_U64:
		fprintf(out, "%llu", (unsigned long long)c.u);
		break;
	case CELL_DOUBLE:
		fprintf(out, "%.*f", c.decimals, c.d);
		break;
	case CELL_TEXT:
		csv_text(out, c.text);
		break;
	}
}

NETCOPY_EXPORT const char *netcopy_result_csv_header(void)
{
	static char header[2048];

	if (!header[0]) {
		size_t len = 0;

		for (size_t i = 0; i < nc_column_count; i++)
			len += (size_t)snprintf(header + len,
						sizeof(header) - len, "%s%s",
						i ? "," : "",
						nc_columns[i].name);
	}
	return header;
}

static void write_csv(const struct netcopy_result *r, FILE *out, bool header)
{
	if (header)
		fprintf(out, "%s\n", netcopy_result_csv_header());
	for (size_t i = 0; i < nc_column_count; i++) {
		if (i)
			fputc(',', out);
		csv_cell(out, column_cell(r, i));
	}
	fputc('\n', out);
}

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
	double copied = tx->zc.completions ?
			(double)tx->zc.copied / (double)tx->zc.completions : 0;

	fprintf(out, "  zero-copy     %lld sends, %lld notifications, %lld "
		"completions, ", (long long)tx->zc.sends,
		(long long)tx->zc.notifications,
		(long long)tx->zc.completions);
	if (tx->zc.copied >= 0)
		fprintf(out, "%lld copied by the kernel anyway (%.1f %%), ",
			(long long)tx->zc.copied, copied * 100);
	else
		fputs("copied by the kernel NA (it would not say), ", out);
	fprintf(out, "%lld sends retried (ENOBUFS/ENOMEM)\n",
		(long long)tx->zc.enobufs);
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
	const struct nc_params *p = &r->params;

	fprintf(out, "netcopy %s: %llu-byte messages, %u thread%s, %.3g s, "
		"%s\n", p->mode, (unsigned long long)p->size, p->threads,
		p->threads == 1 ? "" : "s", p->duration,
		rr(r) ? "request-response" :
		p->reverse ? "client sends" : "server sends");
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
		if (r->params.verify)
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
	if (r->params.sndbuf || r->params.rcvbuf) {
		text_sock_buf(out, "  socket bufs   sender SO_SNDBUF", tx,
			      tx->sndbuf, r->params.sndbuf);
		text_sock_buf(out, ", receiver SO_RCVBUF", rx, rx->rcvbuf,
			      r->params.rcvbuf);
		fputc('\n', out);
	}
	fprintf(out, "  status        %s%s%s\n", status_word(r->status),
		rx->reason[0] ? ": " : "", rx->reason);
}

/* ---- JSON ---- */

static json_object *json_cell(struct cell c)
{
	switch (c.kind) {
	case CELL_U64:
		return json_object_new_uint64(c.u);
	case CELL_DOUBLE:
		return json_object_new_double(c.d);
	case CELL_TEXT:
		return json_object_new_string(c.text);
	default:
		return NULL;
	}
}

static void add(json_object *o, const char *key, struct cell c)
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
	add(o, "counters_scope", text(scope_name(f->counts.scope)));
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
		add(o, "refused", text(netcopy_strerror(rx->rx_zc_refused)));
	return o;
}

static json_object *json_zero_copy(const struct nc_figures *tx)
{
	json_object *o;

	if (!zc_known(tx))
		return NULL;
	o = json_object_new_object();
	add(o, "sends", zc(tx, tx->zc.sends));
	add(o, "notifications", zc(tx, tx->zc.notifications));
	add(o, "completions", zc(tx, tx->zc.completions));
	add(o, "copied", zc(tx, tx->zc.copied));
	add(o, "enobufs", zc(tx, tx->zc.enobufs));
	return o;
}

/* rr's round trips, in microseconds; null for a stream. */
static json_object *json_latency(const struct netcopy_result *r)
{
	json_object *o;

	if (!round_trips(r))
		return NULL;
	o = json_object_new_object();
	add(o, "round_trips", column_cell(r, COL_ROUND_TRIPS));
	add(o, "round_trips_per_s", column_cell(r, COL_ROUND_TRIPS_PER_SEC));
	add(o, "mean_us", column_cell(r, COL_LATENCY_US));
	add(o, "min_us", column_cell(r, COL_RTT_MIN_US));
	add(o, "p50_us", column_cell(r, COL_RTT_P50_US));
	add(o, "p90_us", column_cell(r, COL_RTT_P90_US));
	add(o, "p99_us", column_cell(r, COL_RTT_P99_US));
	add(o, "p99_9_us", column_cell(r, COL_RTT_P999_US));
	add(o, "max_us", column_cell(r, COL_RTT_MAX_US));
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
	add(p, "mode", text(r->params.mode));
	add(p, "size", u64(true, r->params.size));
	add(p, "threads", u64(true, r->params.threads));
	add(p, "duration_s", dbl(true, r->params.duration, 3));
	add(p, "workload", text(workload(r)));
	add(p, "direction", text(direction(r)));
	add(p, "rx", text(nc_rx_name(rx_used(r))));
	/* null: the kernel's default, autotuned */
	add(p, "sndbuf", u64(r->params.sndbuf != 0, r->params.sndbuf));
	add(p, "rcvbuf", u64(r->params.rcvbuf != 0, r->params.rcvbuf));
	json_object_object_add(p, "verify",
			       json_object_new_boolean(r->params.verify));
	json_object_object_add(p, "perf",
			       json_object_new_boolean(r->params.perf));
	add(p, "host", text(r->host));

	res = json_object_new_object();
	add(res, "status", text(status_word(r->status)));
	if (r->receiver.reason[0])
		add(res, "reason", text(r->receiver.reason));
	add(res, "bytes", column_cell(r, COL_TOTAL_BYTES));
	add(res, "messages", column_cell(r, COL_MESSAGES));
	add(res, "interval_s", column_cell(r, COL_INTERVAL_S));
	add(res, "throughput_gbps", column_cell(r, COL_THROUGHPUT_GBPS));
	add(res, "messages_per_s", column_cell(r, COL_MESSAGES_PER_SEC));
	add(res, "latency_us", column_cell(r, COL_LATENCY_US));
	add(res, "mismatches", column_cell(r, COL_MISMATCHES));
	add(res, "counters_scope", column_cell(r, COL_COUNTERS_SCOPE));

	cpu_model(model, sizeof(model));
	m = json_object_new_object();
	add(m, "timestamp", column_cell(r, COL_TIMESTAMP));
	add(m, "kernel", column_cell(r, COL_KERNEL));
	add(m, "cpu_model", model[0] ? text(model) : na());
	add(m, "netcopy_version", text(PACKAGE_VERSION));

	json_object_object_add(o, "schema", json_object_new_int(1));
	json_object_object_add(o, "params", p);
	json_object_object_add(o, "result", res);
	json_object_object_add(o, "sender", json_side(&r->sender));
	json_object_object_add(o, "receiver", json_side(&r->receiver));
	json_object_object_add(o, "zerocopy", json_zero_copy(&r->sender));
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
	return have_interval(&r->receiver) ? gbps(&r->receiver) : 0;
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
	return zc_known(&r->sender) ? r->sender.zc.completions : -1;
}

NETCOPY_EXPORT int64_t netcopy_result_zc_copied(const struct netcopy_result *r)
{
	return zc_known(&r->sender) ? r->sender.zc.copied : -1;
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
