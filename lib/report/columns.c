/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * columns.c - the table of columns, built from columns.def, and the
 * figures derived from a run's raw ones.
 *
 * Each column is declared once, in columns.def; its getter is the line
 * there.  The CSV, JSON and text writers, the README's table and
 * netcopy(7) all follow the table (tests/unit-columns checks the docs).
 * A figure that was not measured is NA, never 0.
 */
#include <string.h>

#include "internal.h"
#include "recv/recv.h"
#include "report/report.h"
#include "send/send.h"

/* ---- cells ---- */

struct nc_cell nc_cell_na(void)
{
	return (struct nc_cell){ .kind = NC_CELL_NA };
}

struct nc_cell nc_cell_u64(bool known, uint64_t v)
{
	return known ? (struct nc_cell){ .kind = NC_CELL_U64, .u = v } :
		       nc_cell_na();
}

struct nc_cell nc_cell_double(bool known, double v, int decimals)
{
	return known ? (struct nc_cell){ .kind = NC_CELL_DOUBLE, .d = v,
					 .decimals = decimals } :
		       nc_cell_na();
}

struct nc_cell nc_cell_text(const char *s)
{
	return (struct nc_cell){ .kind = NC_CELL_TEXT, .text = s };
}

/* ---- one side's figures ---- */

double nc_figures_interval_s(const struct nc_figures *f)
{
	return (double)f->interval_ns / 1e9;
}

bool nc_figures_have_interval(const struct nc_figures *f)
{
	return f->measured && f->interval_ns > 0;
}

double nc_figures_gbps(const struct nc_figures *f)
{
	if (!nc_figures_have_interval(f))
		return 0;
	return (double)f->bytes * 8 / 1e9 / nc_figures_interval_s(f);
}

bool nc_figures_counted(const struct nc_figures *f, enum nc_event ev)
{
	return f->measured && (f->counts.known & (1u << ev));
}

bool nc_figures_zc_known(const struct nc_figures *f)
{
	return f->measured && f->zc.completions >= 0;
}

/* --rx zero-copy's figures, measured by a receiving side. */
bool nc_figures_rx_zc_known(const struct nc_figures *f)
{
	return f->measured && f->rx_zc_mapped >= 0;
}

struct nc_cell nc_figures_counter(const struct nc_figures *f,
				  enum nc_event ev)
{
	return nc_cell_u64(nc_figures_counted(f, ev), f->counts.value[ev]);
}

/* CPU microseconds per KiB moved: netperf's service demand. */
struct nc_cell nc_figures_cpu_per_kib(const struct nc_figures *f)
{
	bool known = f->measured && f->bytes;

	return nc_cell_double(known, known ? (double)f->cpu_us /
			      ((double)f->bytes / 1024) : 0, 5);
}

/* CPU time as a share of one CPU over the side's interval. */
struct nc_cell nc_figures_cpu_share(const struct nc_figures *f)
{
	bool known = nc_figures_have_interval(f);

	return nc_cell_double(known, known ? (double)f->cpu_us / 1e4 /
			      nc_figures_interval_s(f) : 0, 1);
}

/* SO_RCVBUF (rcv) or SO_SNDBUF as the kernel held it. */
struct nc_cell nc_figures_sock_buf(const struct nc_figures *f, bool rcv)
{
	int64_t v = rcv ? f->sockbuf.rcv : f->sockbuf.snd;	/* -1: NA */

	return nc_cell_u64(f->measured && v >= 0, (uint64_t)v);
}

const char *nc_scope_name(uint8_t scope)
{
	return scope == NC_SCOPE_ALL ? "user+kernel" :
	       scope == NC_SCOPE_USER ? "user" : "off";
}

const char *nc_status_word(int status)
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

bool nc_result_rr(const struct netcopy_result *r)
{
	return r->params.workload == NC_WORKLOAD_RR;
}

bool nc_result_round_trips(const struct netcopy_result *r)
{
	return nc_result_rr(r) && nc_hist_count(&r->rtt) > 0;
}

bool nc_result_rate_capped(const struct netcopy_result *r)
{
	uint64_t cap = r->sender.rate_cap;

	return cap && (!r->params.rate || cap < r->params.rate);
}

uint64_t nc_result_rate(const struct netcopy_result *r)
{
	return nc_result_rate_capped(r) ? r->sender.rate_cap :
					  r->params.rate;
}

/* ---- the short names columns.def's getters are written in ---- */

#define na nc_cell_na
#define u64 nc_cell_u64
#define dbl nc_cell_double
#define text nc_cell_text
#define have_interval nc_figures_have_interval
#define interval_s nc_figures_interval_s
#define gbps nc_figures_gbps
#define counter nc_figures_counter
#define cpu_per_kib nc_figures_cpu_per_kib
#define cpu_share nc_figures_cpu_share
#define sock_buf nc_figures_sock_buf
#define status_word nc_status_word
#define rr nc_result_rr

/* In rr both sides check what they receive.  Public (result.c has the
 * other getters), and here because a column is made of it. */
NETCOPY_EXPORT uint64_t
netcopy_result_mismatches(const struct netcopy_result *r)
{
	return r->receiver.mismatches +
	       (r->sender.measured ? r->sender.mismatches : 0);
}

/* NA without --verify, unless a side sent some anyway: the peer's
 * check refuses those rather than have them unseen. */
static struct nc_cell mismatches(const struct netcopy_result *r)
{
	uint64_t n = netcopy_result_mismatches(r);

	return u64(r->receiver.measured && (r->params.verify || n), n);
}

/* Messages over the side's interval; 0 where it has none (then NA). */
static double per_s(const struct nc_figures *f, uint64_t messages)
{
	return have_interval(f) ? (double)messages / interval_s(f) : 0;
}

/* Column get_<id>'s figure, for a column made of others. */
#define col(id) get_##id(r)

/* One count over another, NA unless both are known and the second is
 * not 0. */
static struct nc_cell ratio(struct nc_cell n, struct nc_cell d, int decimals)
{
	bool known = n.kind == NC_CELL_U64 && d.kind == NC_CELL_U64 && d.u;

	return dbl(known, known ? (double)n.u / (double)d.u : 0, decimals);
}

/* Two counts added, NA unless both are known. */
static struct nc_cell sum(struct nc_cell a, struct nc_cell b)
{
	bool known = a.kind == NC_CELL_U64 && b.kind == NC_CELL_U64;

	return u64(known, known ? a.u + b.u : 0);
}

/* A UDP receiver's count; NA for a TCP run. */
static struct nc_cell udp(const struct nc_figures *f, uint64_t v)
{
	return u64(f->measured && f->udp.measured, v);
}

/* Who counts what was lost: a stream's receiver, or in rr the client,
 * which waits on each answer (its lost are requests not answered). */
static const struct nc_figures *loss_counter(const struct netcopy_result *r)
{
	return rr(r) ? &r->sender : &r->receiver;
}

/* rr's is of the answers' round trips: NA where none came. */
static struct nc_cell jitter_us(const struct netcopy_result *r)
{
	const struct nc_figures *f = loss_counter(r);

	return dbl(f->udp.measured && (!rr(r) || nc_result_round_trips(r)),
		   f->udp.jitter_us, 3);
}

static struct nc_cell task_clock_ms(const struct nc_figures *f)
{
	return dbl(nc_figures_counted(f, NC_EV_TASK_CLOCK),
		   (double)f->counts.value[NC_EV_TASK_CLOCK] / 1e6, 3);
}

/* Each may be -1 on its own: ZcCopied where the kernel would not say. */
static struct nc_cell zc(const struct nc_figures *f, int64_t v)
{
	return u64(nc_figures_zc_known(f) && v >= 0, (uint64_t)v);
}

static struct nc_cell rx_zc(const struct nc_figures *f, int64_t v)
{
	return u64(nc_figures_rx_zc_known(f), (uint64_t)v);
}

/* A TCP_INFO figure of the side; NA (-1) where not known. */
static struct nc_cell tcp(const struct nc_figures *f, enum nc_tcp_fig fig,
			  int decimals)
{
	double v = f->tcp.value[fig];

	return dbl(f->measured && v >= 0, v, decimals);
}

static struct nc_cell tcp_count(const struct nc_figures *f,
				enum nc_tcp_fig fig)
{
	double v = f->tcp.value[fig];

	return u64(f->measured && v >= 0, v >= 0 ? (uint64_t)v : 0);
}

/* The mean time per message; rr: the mean round trip. */
static struct nc_cell latency_us(const struct netcopy_result *r)
{
	const struct nc_figures *rx = &r->receiver;

	if (rr(r))
		return dbl(nc_result_round_trips(r),
			   nc_hist_mean(&r->rtt) / 1e3, 3);
	return dbl(rx->measured, (double)rx->latency_ns / 1e3, 3);
}

/* A round-trip percentile in microseconds (0: min, 100: max). */
static struct nc_cell rtt_us(const struct netcopy_result *r, double p)
{
	return dbl(nc_result_round_trips(r),
		   (double)nc_hist_percentile(&r->rtt, p) / 1e3, 3);
}

/* The narrower of the two sides' scopes. */
static struct nc_cell counters_scope(const struct netcopy_result *r)
{
	const struct nc_figures *rx = &r->receiver, *tx = &r->sender;

	if (!r->params.perf)
		return text("off");
	if (!tx->measured || !rx->measured)
		return text("NA");
	return text(nc_scope_name(tx->counts.scope < rx->counts.scope ?
				  tx->counts.scope : rx->counts.scope));
}

static const char *direction(const struct netcopy_result *r)
{
	if (rr(r))
		return "client-asks";
	return r->params.reverse ? "client-sends" : "server-sends";
}

/* The receive call the run's receivers made: --rx's, else the mode's. */
static uint8_t rx_used(const struct netcopy_result *r)
{
	const struct netcopy_mode *mode = netcopy_mode_find(r->params.mode);

	if (r->params.rx != NC_RX_MODE || !mode)
		return r->params.rx;
	return mode->own_rx;
}

/* What each receive call asked for at most (lib/flow/flow.h's
 * nc_recv_some, the buffers of engine/ and recv/). */
static uint64_t rx_size(const struct netcopy_result *r)
{
	uint64_t size = r->params.size, most = r->params.rx_size ?
		r->params.rx_size : nc_recv_buffer_size(size);

	/* These read message by message. */
	if ((rx_used(r) == NC_RX_RECVMSG || rr(r)) && most > size)
		return size;
	return most;
}

/* ---- the table ---- */

const char *const nc_json_obj_path[NC_JSON_OBJ_COUNT] = {
	[NC_JSON_NONE] = "",
	[NC_JSON_PARAMS] = "params",
	[NC_JSON_RESULT] = "result",
	[NC_JSON_SENDER] = "sender",
	[NC_JSON_SENDER_COUNTERS] = "sender.counters",
	[NC_JSON_RECEIVER] = "receiver",
	[NC_JSON_RECEIVER_COUNTERS] = "receiver.counters",
	[NC_JSON_ZEROCOPY] = "zerocopy",
	[NC_JSON_RX_ZEROCOPY] = "rx_zerocopy",
	[NC_JSON_LATENCY] = "latency",
	[NC_JSON_MACHINE] = "machine",
};

/* One getter per column, named get_<id>. */
#define COLUMN(id, name, unit, side, where, key, txt, get, check, meaning) \
	static struct nc_cell get_##id(const struct netcopy_result *r)	\
	{								\
		const struct nc_figures *rx __attribute__((unused)) =	\
			&r->receiver;					\
		const struct nc_figures *tx __attribute__((unused)) =	\
			&r->sender;					\
		return get;						\
	}
#include "columns.def"
#undef COLUMN

/* A column's rule (columns.def's check). */
#define any() { NC_ASK_ALWAYS, NC_RULE_ANY, 0, 0 }
#define rule(ask, kind, col, x) \
	{ NC_ASK_##ask, NC_RULE_##kind, COL_##col, x }
#define COL_0 0

_Static_assert(NC_COLUMN_COUNT <= UINT8_MAX, "a rule's column fits");

const struct nc_column nc_columns[NC_COLUMN_COUNT] = {
#define COLUMN(id, name, unit, side, where, key, txt, get, check, meaning) \
	[COL_##id] = { name, unit, side, NC_JSON_##where, key, txt,	\
		       get_##id, check, meaning },
#include "columns.def"
#undef COLUMN
};

const size_t nc_column_count = NC_COLUMN_COUNT;

struct nc_cell nc_column_cell(const struct netcopy_result *r, size_t id)
{
	return id < NC_COLUMN_COUNT ? nc_columns[id].get(r) : na();
}
