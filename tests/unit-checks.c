/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unit-checks: the rules of the columns (lib/report/columns.def's check)
 * and nc_result_check_peer() over them.
 *   - the table: a rule's column is one of the same side, and the
 *     client's own and the run's columns have none;
 *   - an honest run passes, in each direction and in rr, and so do
 *     figures at the edge of their bounds;
 *   - each lie about one of the server's figures is refused, naming
 *     the column; the same figure of the client's own side is not the
 *     check's to judge.
 */
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "report/report.h"
#include "unit.h"

#define WALL_NS 2100000000ull	/* the client's span of a 2 s run */

/* A side as a real run of n messages of size gives it. */
static void side(struct nc_figures *f, uint64_t size, uint64_t n)
{
	memset(f, 0, sizeof(*f));
	f->measured = true;
	f->bytes = f->total_bytes = size * n;
	f->messages = n;
	f->interval_ns = 2000000000;
	f->latency_ns = f->interval_ns / n;
	f->cpu_us = 1500000;
	f->counts.scope = NC_SCOPE_ALL;
	f->counts.known = (1u << NC_EV_COUNT) - 1;
	f->counts.value[NC_EV_CYCLES] = 4500000000ull;	/* 3 GHz */
	f->counts.value[NC_EV_INSTRUCTIONS] = 9000000000ull;
	f->counts.value[NC_EV_CACHE_REFS] = 50000000;
	f->counts.value[NC_EV_CACHE_MISSES] = 20000000;
	f->counts.value[NC_EV_CONTEXT_SWITCHES] = 300;
	f->counts.value[NC_EV_TASK_CLOCK] = 1500000000;
	f->counts.value[NC_EV_PAGE_FAULTS] = 10;
	f->zc = nc_zc_none;
	f->rx_zc_mapped = f->rx_zc_copied = -1;
	f->sockbuf = nc_sockbufs_none;
	nc_tcp_figures_init(&f->tcp);
}

static void run(struct netcopy_result *r, bool reverse)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->params.mode, sizeof(r->params.mode), "two-copy");
	r->params.size = 65536;
	r->params.threads = 1;
	r->params.duration = 2;
	r->params.perf = true;
	r->params.reverse = reverse;
	r->params.workload = NC_WORKLOAD_STREAM;
	r->params.rx = NC_RX_MODE;
	r->wall_ns = WALL_NS;
	side(&r->sender, 65536, 100000);
	side(&r->receiver, 65536, 100000);
	nc_hist_init(&r->rtt);
}

/* The server's figures of run r: the sender's unless -R. */
static struct nc_figures *server(struct netcopy_result *r)
{
	return r->params.reverse ? &r->receiver : &r->sender;
}

static void check_passes(const char *what, const struct netcopy_result *r)
{
	char why[200] = "";
	int err = nc_result_check_peer(r, why, sizeof(why));

	CHECK(err == 0, "%s: refused: %s", what, why);
}

static void check_refused(const char *what, const struct netcopy_result *r,
			  const char *column)
{
	char why[200] = "";
	int err = nc_result_check_peer(r, why, sizeof(why));
	size_t n = strlen(column);

	CHECK(err == NETCOPY_EPROTOCOL, "%s: not refused", what);
	CHECK(strncmp(why, column, n) == 0 && why[n] == ' ',
	      "%s: the line names \"%s\", not %s", what, why, column);
}

/* ---- the table */

static bool takes_column(uint8_t kind)
{
	return kind == NC_RULE_AT_MOST || kind == NC_RULE_WHOLE ||
	       kind == NC_RULE_INTERVAL;
}

static void check_table(void)
{
	for (size_t i = 0; i < nc_column_count; i++) {
		const struct nc_column *c = &nc_columns[i];
		const struct nc_rule *k = &c->rule;
		bool own = strcmp(c->side, "-") == 0 ||
			   strcmp(c->side, "client") == 0;

		CHECK(!own || (k->ask == NC_ASK_ALWAYS &&
			       k->kind == NC_RULE_ANY),
		      "%s is the client's or the run's: a rule never applied",
		      c->name);
		if (!takes_column(k->kind))
			continue;
		CHECK(k->col != 0 && k->col < nc_column_count &&
		      k->col != i, "%s: its rule's column %u", c->name,
		      k->col);
		CHECK(strcmp(c->side, "both") == 0 ||
		      strcmp(nc_columns[k->col].side, c->side) == 0,
		      "%s (%s) bounded by %s of the %s", c->name, c->side,
		      nc_columns[k->col].name, nc_columns[k->col].side);
	}
}

/* ---- honest runs, and the edges */

static void check_honest(void)
{
	struct netcopy_result r;

	run(&r, false);
	check_passes("a stream", &r);
	run(&r, true);
	check_passes("-R", &r);
	run(&r, false);
	r.params.workload = NC_WORKLOAD_RR;
	r.receiver.bytes -= 65536;	/* answered across the warm-up */
	check_passes("rr", &r);
	run(&r, true);
	r.params.perf = false;
	memset(&r.receiver.counts, 0, sizeof(r.receiver.counts));
	check_passes("--no-perf, -R", &r);
	run(&r, false);
	r.sender.cpu_us = WALL_NS / 1000;	/* one busy thread */
	r.sender.interval_ns = WALL_NS;
	r.sender.counts.value[NC_EV_CYCLES] = 21000000000ull;
	check_passes("CPU time the whole wall time", &r);
	run(&r, true);
	r.receiver.messages = 0;	/* one message, never whole */
	r.receiver.interval_ns = 0;
	r.receiver.bytes = 100;
	check_passes("no whole message, no interval", &r);
	run(&r, false);
	snprintf(r.params.mode, sizeof(r.params.mode), "zero-copy");
	r.sender.zc = (struct nc_zc_counts){ 10, 10, 10, 10, 0 };
	r.params.sndbuf = 65536;
	r.sender.sockbuf.snd = r.sender.sockbuf.rcv = 131072;
	r.params.verify = true;
	r.receiver.mismatches = 3;
	check_passes("zero-copy, --sndbuf, --verify", &r);
	run(&r, false);
	r.receiver.bytes = r.receiver.total_bytes = 1;	/* the client's */
	r.receiver.cpu_us = UINT64_MAX / 2;
	check_passes("the client's own figures are not the check's", &r);
	run(&r, true);	/* cut short: a message in flight per connection */
	r.receiver.total_bytes += r.params.size * r.params.threads;
	r.receiver.bytes = r.receiver.total_bytes;
	check_passes("-R cut short, a message in flight each", &r);
	run(&r, false);
	r.params.rate = 200000000;
	r.sender.pacing = NC_PACING_KERNEL;
	check_passes("--rate, paced by the kernel", &r);
	run(&r, true);	/* the client paces: its word is its own */
	r.params.rate = 200000000;
	r.sender.pacing = NC_PACING_USER;
	check_passes("--rate -R, paced in user space", &r);
	run(&r, false);	/* the server capped an unpaced run */
	r.sender.rate_cap = 200000000;
	r.sender.pacing = NC_PACING_USER;
	check_passes("no --rate, the server's cap", &r);
	CHECK_U64(nc_result_rate(&r), 200000000);
	CHECK(nc_result_rate_capped(&r), "an unpaced run's cap not said");
	r.params.rate = 100000000;	/* below the cap: its own */
	CHECK_U64(nc_result_rate(&r), 100000000);
	CHECK(!nc_result_rate_capped(&r), "a cap above --rate taken");
	r.params.rate = 300000000;
	CHECK_U64(nc_result_rate(&r), 200000000);
}

/* ---- lies: one figure of the server each */

struct lie {
	const char *what;
	bool reverse;
	void (*set)(struct netcopy_result *r, struct nc_figures *f);
	const char *column;
};

static void bytes_2_63(struct netcopy_result *r, struct nc_figures *f)
{
	(void)r;
	f->bytes = 1ull << 63;
}

static void sent_fewer(struct netcopy_result *r, struct nc_figures *f)
{
	f->total_bytes = r->receiver.total_bytes -
			 r->params.size * r->params.threads - 1;
}

static void messages_max(struct netcopy_result *r, struct nc_figures *f)
{
	(void)r;
	f->messages = UINT64_MAX;
}

static void interval_0(struct netcopy_result *r, struct nc_figures *f)
{
	(void)r;
	f->interval_ns = 0;
}

static void interval_1ns(struct netcopy_result *r, struct nc_figures *f)
{
	(void)r;
	f->interval_ns = 1;
}

static void interval_long(struct netcopy_result *r, struct nc_figures *f)
{
	f->interval_ns = r->wall_ns * 2;
}

static void cpu_huge(struct netcopy_result *r, struct nc_figures *f)
{
	(void)r;
	f->cpu_us = 4611686018427388ull;
}

static void cpu_over_wall(struct netcopy_result *r, struct nc_figures *f)
{
	f->cpu_us = r->wall_ns / 1000 * 11 / 10;
	f->counts.value[NC_EV_CYCLES] = f->cpu_us * 3000;
}

static void cycles_max(struct netcopy_result *r, struct nc_figures *f)
{
	(void)r;
	f->counts.value[NC_EV_CYCLES] = UINT64_MAX;
}

static void ipc_17(struct netcopy_result *r, struct nc_figures *f)
{
	(void)r;
	f->counts.value[NC_EV_INSTRUCTIONS] =
		f->counts.value[NC_EV_CYCLES] * 17 + 17;
}

static void misses(struct netcopy_result *r, struct nc_figures *f)
{
	(void)r;
	f->counts.value[NC_EV_CACHE_MISSES] =
		f->counts.value[NC_EV_CACHE_REFS] * NC_MAX_MISSES_PER_REF + 100;
}

static void no_perf(struct netcopy_result *r, struct nc_figures *f)
{
	r->params.perf = false;
	f->counts.known = 1u << NC_EV_PAGE_FAULTS;
}

static void zc_two_copy(struct netcopy_result *r, struct nc_figures *f)
{
	(void)r;
	f->zc = (struct nc_zc_counts){ 10, 10, 10, 0, 0 };
}

static void sockbuf(struct netcopy_result *r, struct nc_figures *f)
{
	(void)r;
	f->sockbuf.snd = f->sockbuf.rcv = INT32_MAX;
}

static void rx_zc(struct netcopy_result *r, struct nc_figures *f)
{
	(void)r;
	f->rx_zc_mapped = f->rx_zc_copied = 5;
}

static void mismatches(struct netcopy_result *r, struct nc_figures *f)
{
	(void)r;
	f->mismatches = 5;
}

static void tcp_unasked(struct netcopy_result *r, struct nc_figures *f)
{
	(void)r;
	f->tcp.value[NC_TCP_RETRANSMITS] = 3;
	f->tcp.value[NC_TCP_RCV_SPACE] = 3;
}

/* A connection's mean delivery rate past physics (an old server's sum
 * over its connections could come to this). */
static void delivery_huge(struct netcopy_result *r, struct nc_figures *f)
{
	r->params.tcp_info = true;
	f->tcp.value[NC_TCP_DELIVERY_GBPS] = 2.0 * NC_WIRE_MAX_GBPS;
}

static void paced_unasked(struct netcopy_result *r, struct nc_figures *f)
{
	(void)r;
	f->pacing = NC_PACING_USER;
}

static void unpaced(struct netcopy_result *r, struct nc_figures *f)
{
	r->params.rate = 1000000;
	f->pacing = NC_PACING_NONE;
}

/* A server that says it capped the rate, and sent unpaced. */
static void capped_unpaced(struct netcopy_result *r, struct nc_figures *f)
{
	(void)r;
	f->rate_cap = 1000000;
	f->pacing = NC_PACING_NONE;
}

static const struct lie lies[] = {
	{ "TotalBytes 2^63, -R", true, bytes_2_63, "TotalBytes" },
	{ "SndBytes 2^63", false, bytes_2_63, "SndBytes" },
	{ "sent fewer than received", false, sent_fewer, "SndBytes" },
	{ "Messages 2^64-1, -R", true, messages_max, "Messages" },
	{ "Interval_s 0, -R", true, interval_0, "Interval_s" },
	{ "Throughput via a 1 ns interval", true, interval_1ns,
	  "Throughput_Gbps" },
	{ "SndCpuShare_pct via a 1 ns interval", false, interval_1ns,
	  "SndCpuShare_pct" },
	{ "Interval_s twice the wall time, -R", true, interval_long,
	  "Interval_s" },
	{ "SndCpuTime_us 2^62", false, cpu_huge, "SndCpuTime_us" },
	{ "RcvCpuTime_us 1.1 x wall, -R", true, cpu_over_wall,
	  "RcvCpuTime_us" },
	{ "CPUCycles 2^64-1", false, cycles_max, "CPUCycles" },
	{ "RcvInstructions 17 a cycle, -R", true, ipc_17,
	  "RcvInstructions" },
	{ "CacheMisses over CacheRefs", false, misses, "CacheMisses" },
	{ "page faults with --no-perf", false, no_perf, "SndPageFaults" },
	{ "ZcSends on two-copy", false, zc_two_copy, "ZcSends" },
	{ "SndSockBuf without --sndbuf", false, sockbuf, "SndSockBuf" },
	{ "RxZcMapped without --rx zero-copy, -R", true, rx_zc,
	  "RxZcMapped" },
	{ "Mismatches without --verify", false, mismatches, "Mismatches" },
	{ "Mismatches without --verify, -R", true, mismatches,
	  "Mismatches" },
	{ "TCP_INFO not asked for", false, tcp_unasked, "SndRetransmits" },
	{ "TCP_INFO not asked for, -R", true, tcp_unasked, "RcvSpace" },
	{ "delivery rate past physics", false, delivery_huge,
	  "SndDeliveryRate_Gbps" },
	{ "paced without --rate", false, paced_unasked, "PacingMethod" },
	{ "unpaced with --rate", false, unpaced, "PacingMethod" },
	{ "unpaced, said capped", false, capped_unpaced, "PacingMethod" },
};

static void check_lies(void)
{
	for (size_t i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		struct netcopy_result r;

		run(&r, lies[i].reverse);
		lies[i].set(&r, server(&r));
		check_refused(lies[i].what, &r, lies[i].column);
	}
}

int main(void)
{
	check_table();
	check_honest();
	check_lies();
	return unit_exit("unit-checks");
}
