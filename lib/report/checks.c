/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * checks.c - whether the peer's figures can be true, before the client
 * believes them.  The wire's spec bounds each field by its type; here
 * every column the peer's figures make is held to its rule (columns.def's
 * check): sent only when the run asked for it, and within what the run
 * allows: the client's own count, the threads, its wall time, physics.
 * One loop over the table, so a new column is checked as it is declared.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "report/report.h"
#include "send/send.h"

/* The two ends read their clocks a little apart, and a figure the peer
 * rounds or truncates may pass the client's wall time by a little. */
#define WALL_SLACK 1.02
#define WALL_SLACK_S 0.01
/* A data thread's CPU time also spans each of its flows' start and
 * finish (TCP_INFO, socket buffers, a ring's last completions), outside
 * the interval: 128 uring-zc flows on one thread under ASan came to
 * 111 % of it. */
#define FLOW_SLACK_S 0.001

/* The client's wall time with that slack, in seconds. */
static double wall_s(const struct netcopy_result *r)
{
	return (double)r->wall_ns / 1e9 * WALL_SLACK + WALL_SLACK_S;
}

static double num(struct nc_cell v)
{
	return v.kind == NC_CELL_U64 ? (double)v.u : v.d;
}

static bool known(struct nc_cell v)
{
	return v.kind == NC_CELL_U64 || v.kind == NC_CELL_DOUBLE;
}

/* A figure as the CSV writes it. */
static void put_cell(char *buf, size_t cap, struct nc_cell v)
{
	if (v.kind == NC_CELL_TEXT)
		snprintf(buf, cap, "%s", v.text);
	else if (v.kind == NC_CELL_U64)
		snprintf(buf, cap, "%llu", (unsigned long long)v.u);
	else
		snprintf(buf, cap, "%.*f", v.decimals, v.d);
}

/* Whether the run asked for a figure of this kind; else why not. */
static bool asked(const struct netcopy_result *r, uint8_t ask, char *not,
		  size_t cap)
{
	const struct nc_params *p = &r->params;
	const struct netcopy_mode *mode = netcopy_mode_find(p->mode);

	switch (ask) {
	case NC_ASK_PERF:
		snprintf(not, cap, "--no-perf was given");
		return p->perf;
	case NC_ASK_ZC:
		snprintf(not, cap, "%s is not a zero-copy mode", p->mode);
		return mode && mode->zero_copy;
	case NC_ASK_RX_ZC:
		snprintf(not, cap, "--rx zero-copy was not given");
		return p->rx == NC_RX_ZERO_COPY;
	case NC_ASK_SOCKBUF:
		snprintf(not, cap, "neither --sndbuf nor --rcvbuf was given");
		return p->sndbuf || p->rcvbuf;
	case NC_ASK_VERIFY:
		snprintf(not, cap, "--verify was not given");
		return p->verify;
	case NC_ASK_TCPI:
		snprintf(not, cap, "the TCP_INFO figures were not asked for");
		return p->tcp_info;
	case NC_ASK_FLOWS:
		snprintf(not, cap, "--flows was not given");
		return p->flows != 0;
	case NC_ASK_UDP:
		snprintf(not, cap, "the run was not over UDP");
		return p->proto == NC_PROTO_UDP;
	default:
		return true;
	}
}

/* The figure of its side's bytes: the receiver cannot get more than the
 * sender sent, nor the sender have sent less than arrived. */
static bool bytes_within(const struct netcopy_result *r, uint64_t v,
			 char *why, size_t cap)
{
	uint64_t got = r->receiver.total_bytes;
	/* A run cut short may end with a message in flight on each
	 * connection: handed to the kernel, and received, but not yet
	 * counted by a sender whose loop ended on the error. */
	uint64_t sent = r->sender.total_bytes;
	uint64_t slack = r->params.size * nc_params_flows(&r->params);

	if (sent + slack < got) {
		snprintf(why, cap, ", but %llu bytes were sent in all, fewer "
			 "than the %llu received", (unsigned long long)sent,
			 (unsigned long long)got);
		return false;
	}
	if (v <= sent + slack)
		return true;
	snprintf(why, cap, " exceeds the %llu bytes sent",
		 (unsigned long long)sent);
	return false;
}

/* A share of one CPU over its side's interval, in %. */
static bool share_within(const struct netcopy_result *r,
			 const struct nc_column *c, double v, char *why,
			 size_t cap)
{
	const struct nc_figures *f = strcmp(c->side, "sender") == 0 ?
				     &r->sender : &r->receiver;
	double threads = r->params.threads;
	double slack_s = WALL_SLACK_S +
			 FLOW_SLACK_S * nc_params_flows(&r->params) / threads;

	if (v <= 100 * threads * (WALL_SLACK + slack_s /
				  nc_figures_interval_s(f)))
		return true;
	snprintf(why, cap, " exceeds %u thread%s x 100 %%",
		 r->params.threads, r->params.threads == 1 ? "" : "s");
	return false;
}

/* Datagrams counted by the receiver: no more than were sent. */
static bool sent_within(const struct netcopy_result *r, uint64_t v,
			char *why, size_t cap)
{
	uint64_t sent = r->sender.total_bytes / r->params.size;

	if (v <= sent + nc_params_flows(&r->params))
		return true;
	snprintf(why, cap, " exceeds the %llu datagrams sent",
		 (unsigned long long)sent);
	return false;
}

static bool span_within(double seconds, double wall, char *why, size_t cap)
{
	if (seconds <= wall)
		return true;
	snprintf(why, cap, " exceeds the run's %.2f s", wall);
	return false;
}

/* Paced (kernel or user) exactly when the run asked for a rate, or the
 * server capped it. */
static bool pacing_within(const struct netcopy_result *r, struct nc_cell v,
			  char *why, size_t cap)
{
	bool paced = strcmp(v.text, nc_pacing_name(NC_PACING_NONE)) != 0;

	if (paced == (nc_result_rate(r) != 0))
		return true;
	snprintf(why, cap, ", but --rate was %s", paced ? "not given" :
		 "given");
	return false;
}

/* The bound of c's rule on its figure v. */
static bool within(const struct netcopy_result *r, const struct nc_column *c,
		   struct nc_cell v, char *why, size_t cap)
{
	const struct nc_rule *k = &c->rule;
	struct nc_cell ref = nc_column_cell(r, k->col);
	double x = num(v), threads = r->params.threads, wall = wall_s(r);
	double conns = nc_params_flows(&r->params);	/* one unit each */
	const char *ref_name = nc_columns[k->col].name;
	char fig[32];

	put_cell(fig, sizeof(fig), ref);
	switch (k->kind) {
	case NC_RULE_MAX:
		if (x <= k->x)
			return true;
		snprintf(why, cap, " exceeds %.15g %s", k->x, c->unit);
		return false;
	case NC_RULE_AT_MOST:
		if (!known(ref) || x <= (num(ref) + conns) * k->x)
			return true;
		snprintf(why, cap, " exceeds %.15g x %s %s", k->x, ref_name,
			 fig);
		return false;
	case NC_RULE_BYTES:
		return bytes_within(r, v.u, why, cap);
	case NC_RULE_WHOLE:
		if (ref.kind != NC_CELL_U64 ||
		    v.u <= ref.u / r->params.size + nc_params_flows(&r->params))
			return true;
		snprintf(why, cap, " of %llu bytes exceed %s %s",
			 (unsigned long long)r->params.size, ref_name, fig);
		return false;
	case NC_RULE_INTERVAL:
		if (x <= 0 && known(ref) && num(ref) > 0) {
			snprintf(why, cap, " with %s %s", ref_name, fig);
			return false;
		}
		return span_within(x * k->x, wall, why, cap);
	case NC_RULE_SPAN:
		return span_within(x * k->x, wall, why, cap);
	case NC_RULE_CPU:
		if (x * k->x <= threads * wall)
			return true;
		snprintf(why, cap, " exceeds %u thread%s x %.2f s",
			 r->params.threads, r->params.threads == 1 ? "" : "s",
			 wall);
		return false;
	case NC_RULE_SHARE:
		return share_within(r, c, x, why, cap);
	case NC_RULE_PACING:
		return pacing_within(r, v, why, cap);
	case NC_RULE_SENT:
		return sent_within(r, v.u, why, cap);
	default:
		return true;
	}
}

/* A column made of the peer's figures: of its side, or of both. */
static bool peers(const struct netcopy_result *r, const struct nc_column *c)
{
	const char *peer = nc_client_sends(&r->params) ? "receiver" :
							 "sender";

	return strcmp(c->side, peer) == 0 || strcmp(c->side, "both") == 0;
}

/* A rate or a share, bounded by physics: made of figures with rules of
 * their own, which are judged first so that the line names the cause. */
static bool rate(const struct nc_column *c)
{
	return c->rule.kind == NC_RULE_MAX || c->rule.kind == NC_RULE_SHARE;
}

/* Column c, judged: 0, or NETCOPY_EPROTOCOL with why. */
static int check_column(const struct netcopy_result *r,
			const struct nc_column *c, char *why, size_t cap)
{
	char fig[32], not[80], bound[160];
	struct nc_cell v = c->get(r);
	bool ask;

	if (v.kind == NC_CELL_NA)
		return 0;	/* NA claims nothing; a word does */
	ask = asked(r, c->rule.ask, not, sizeof(not));
	if (ask && within(r, c, v, bound, sizeof(bound)))
		return 0;
	put_cell(fig, sizeof(fig), v);
	if (ask)
		snprintf(why, cap, "%s %s%s", c->name, fig, bound);
	else
		snprintf(why, cap, "%s %s, but %s", c->name, fig, not);
	return NETCOPY_EPROTOCOL;
}

int nc_result_check_peer(const struct netcopy_result *r, char *why,
			 size_t cap)
{
	for (int rates = 0; rates <= 1; rates++) {
		for (size_t i = 0; i < NC_COLUMN_COUNT; i++) {
			const struct nc_column *c = &nc_columns[i];
			int err;

			if (!peers(r, c) || rate(c) != rates)
				continue;
			err = check_column(r, c, why, cap);
			if (err)
				return err;
		}
	}
	return 0;
}
