/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * wire-spec.c - the policy of every message: which field holds which
 * member, of what type and bounds, in the order sent, and the rules
 * across fields.  The hello's comes from params.def.
 */
#include <stddef.h>
#include <string.h>

#include "base/base.h"
#include "wire/wire.h"

_Static_assert(NC_WIRE_COUNTERS == NC_EV_COUNT, "a field per counter");
_Static_assert(NC_WIRE_TCP_FIGS == NC_TCP_FIGS, "a field per TCP figure");
_Static_assert(sizeof(struct nc_figures) <= UINT16_MAX &&
	       sizeof(struct nc_params) <= UINT16_MAX,
	       "a policy's 16-bit offsets reach every member");

/* ---- hello: the run's parameters ---- */

#define NC_WIRE_KIND_STR NC_WK_STR
#define NC_WIRE_KIND_U64 NC_WK_U64
#define NC_WIRE_KIND_U32 NC_WK_U32
#define NC_WIRE_KIND_S32 NC_WK_S32
#define NC_WIRE_KIND_SECONDS NC_WK_NS
#define NC_WIRE_KIND_BOOL NC_WK_FLAG
#define NC_WIRE_KIND_U8 NC_WK_U8

/* Ranges are nc_params_check()'s; a U8 refused for its length says
 * what the parameter is, as one out of range does. */
static const struct nc_wire_policy hello_policy[] = {
#define NC_PARAM(name, NAME, num, k, lo, hi, dflt, fl, unit, text, log) \
	{ .type = num, .kind = NC_WIRE_KIND_##k,                       \
	  .flags = (fl) & NC_PF_OPTIONAL ? NC_WF_OPTIONAL : 0,            \
	  .offset = offsetof(struct nc_params, name),                     \
	  .len = sizeof(((struct nc_params *)0)->name),                   \
	  .why = NC_WIRE_KIND_##k == NC_WK_U8 ||                       \
		 NC_WIRE_KIND_##k == NC_WK_U32 ||                      \
		 NC_WIRE_KIND_##k == NC_WK_S32 ? text : NULL },
#include "params/params.def"
#undef NC_PARAM
};

/* In range; and a parameter whose 0 means unset is never sent as 0. */
static int hello_validate(void *msg, const bool *seen, const char **why)
{
	const struct nc_params *p = msg;

	for (size_t i = 0; i < nc_param_count; i++) {
		const struct nc_param *param = &nc_param_table[i];

		if ((param->flags & NC_PF_ZERO_OK) && seen[param->field] &&
		    nc_param_value(param, msg) == 0) {
			*why = param->why;
			return NETCOPY_EPROTOCOL;
		}
	}
	if (p->flows && p->flows < p->threads) {
		*why = "--flows below -t (each thread drives a flow at least)";
		return NETCOPY_EPROTOCOL;
	}
	if (p->flow_bytes &&
	    (!p->reverse || p->workload != NC_WORKLOAD_STREAM)) {
		*why = "per-flow bytes only where the server receives a stream";
		return NETCOPY_EPROTOCOL;
	}
	return nc_params_check(msg, why) ? NETCOPY_EPROTOCOL : 0;
}

const struct nc_wire_spec nc_hello_spec = {
	hello_policy, sizeof(hello_policy) / sizeof(hello_policy[0]),
	NC_H_LAST, &nc_params_defaults, sizeof(struct nc_params),
	hello_validate,
};

/* ---- accept and refuse ---- */

static bool accepted(const void *msg)
{
	return ((const struct nc_reply *)msg)->accepted;
}

static bool refused(const void *msg)
{
	return !accepted(msg);
}

#define REPLY(member) .offset = offsetof(struct nc_reply, member), \
		      .len = sizeof(((struct nc_reply *)0)->member)
static const struct nc_wire_policy reply_policy[] = {
	{ NC_R_ACCEPTED, NC_WK_FLAG, 0, 0, REPLY(accepted) },
	{ NC_R_RUN_ID, NC_WK_BYTES, NC_WF_OPTIONAL, 0, REPLY(run_id),
	  .sent = accepted },
	{ NC_R_CODE, NC_WK_ERR, NC_WF_OPTIONAL, 0, REPLY(code),
	  .why = "refusal code out of range", .sent = refused },
	{ NC_R_REASON, NC_WK_STR, NC_WF_OPTIONAL, 0, REPLY(reason),
	  .sent = refused },
	{ NC_R_UDP_PORT, NC_WK_U32, NC_WF_OPTIONAL, 1, REPLY(udp_port),
	  .max = UINT16_MAX, .why = "UDP port out of range" },
	{ NC_R_COOKIE, NC_WK_U64, NC_WF_OPTIONAL, 1, REPLY(cookie) },
};

/* Exactly the fields of an acceptance, or of a refusal. */
static int reply_validate(void *msg, const bool *seen, const char **why)
{
	const struct nc_reply *r = msg;
	const char *bad = NULL;

	if (r->accepted && (seen[NC_R_CODE] || seen[NC_R_REASON]))
		bad = "an acceptance with a refusal's fields";
	else if (!r->accepted && (seen[NC_R_RUN_ID] ||
				  seen[NC_R_UDP_PORT]))
		bad = "a refusal with an acceptance's fields";
	else if (seen[NC_R_UDP_PORT] && !r->udp_port)
		bad = "UDP port out of range";
	else if (r->accepted ? !seen[NC_R_RUN_ID] :
		 !seen[NC_R_CODE] || !seen[NC_R_REASON])
		bad = "required field missing";
	else if (!r->accepted && r->code == 0)
		bad = "refusal code out of range";
	if (bad)
		*why = bad;
	return bad ? NETCOPY_EPROTOCOL : 0;
}

static const struct nc_reply reply_defaults;

const struct nc_wire_spec nc_reply_spec = {
	reply_policy, sizeof(reply_policy) / sizeof(reply_policy[0]),
	NC_R_LAST, &reply_defaults, sizeof(struct nc_reply), reply_validate,
};

/* ---- the data tag ---- */

#define TAG(member) .offset = offsetof(struct nc_tag, member), \
		    .len = sizeof(((struct nc_tag *)0)->member)
static bool has_mac(const void *msg)
{
	return ((const struct nc_tag *)msg)->has_mac;
}

static const struct nc_wire_policy tag_policy[] = {
	{ NC_T_RUN_ID, NC_WK_BYTES, 0, 0, TAG(run_id) },
	{ NC_T_INDEX, NC_WK_U32, 0, 0, TAG(index),
	  .max = NC_MAX_FLOWS - 1,
	  .why = "data connection index out of range" },
	{ NC_T_MAC, NC_WK_BYTES, NC_WF_OPTIONAL, 0, TAG(mac),
	  .sent = has_mac },
};

/* Whether the tag had a MAC, which decides whether it is sent again. */
static int tag_validate(void *msg, const bool *seen, const char **why)
{
	((struct nc_tag *)msg)->has_mac = seen[NC_T_MAC];
	return 0;
}

static const struct nc_tag tag_defaults;

const struct nc_wire_spec nc_tag_spec = {
	tag_policy, sizeof(tag_policy) / sizeof(tag_policy[0]), NC_T_LAST,
	&tag_defaults, sizeof(struct nc_tag), tag_validate,
};

/* ---- authentication: the challenge and the proof ---- */

static const struct nc_wire_policy challenge_policy[] = {
	{ NC_C_CHALLENGE, NC_WK_BYTES, 0, 0,
	  .offset = offsetof(struct nc_challenge, challenge),
	  .len = NC_CHALLENGE_LEN },
};

static const struct nc_challenge challenge_defaults;

const struct nc_wire_spec nc_challenge_spec = {
	challenge_policy, 1, NC_C_LAST, &challenge_defaults,
	sizeof(struct nc_challenge), NULL,
};

static const struct nc_wire_policy proof_policy[] = {
	{ NC_P_PROOF, NC_WK_BYTES, 0, 0,
	  .offset = offsetof(struct nc_proof, mac), .len = NC_MAC_LEN },
};

static const struct nc_proof proof_defaults;

const struct nc_wire_spec nc_proof_spec = {
	proof_policy, 1, NC_P_LAST, &proof_defaults, sizeof(struct nc_proof),
	NULL,
};

/* ---- the per-flow bytes, in chunks after the trailer ---- */

#define CHUNK(member) .offset = offsetof(struct nc_flow_chunk, member), \
		      .len = sizeof(((struct nc_flow_chunk *)0)->member)
static const char chunk_range[] = "per-flow bytes out of range";
static const struct nc_wire_policy chunk_policy[] = {
	{ NC_B_FLOWS, NC_WK_U32, 0, 0, CHUNK(flows), .max = NC_MAX_FLOWS,
	  .why = chunk_range },
	{ NC_B_FIRST, NC_WK_U32, 0, 0, CHUNK(first), .max = NC_MAX_FLOWS - 1,
	  .why = chunk_range },
	{ NC_B_BYTES, NC_WK_U64S, 0, 0, CHUNK(bytes) },
};

/* A chunk says one flow at least, and only flows of the run. */
static int chunk_validate(void *msg, const bool *seen, const char **why)
{
	const struct nc_flow_chunk *c = msg;

	if (!c->bytes.n || c->first >= c->flows ||
	    c->bytes.n > c->flows - c->first) {
		*why = chunk_range;
		return NETCOPY_EPROTOCOL;
	}
	return 0;
}

static const struct nc_flow_chunk chunk_defaults;

const struct nc_wire_spec nc_flow_chunk_spec = {
	chunk_policy, sizeof(chunk_policy) / sizeof(chunk_policy[0]),
	NC_B_LAST, &chunk_defaults, sizeof(struct nc_flow_chunk),
	chunk_validate,
};

/* ---- the trailer: one side's figures ---- */

enum { GROUP_RX = 1, GROUP_SOCKBUF, GROUP_UDP, GROUP_FLOWS };

static bool rx_measured(const void *msg)
{
	return ((const struct nc_figures *)msg)->rx_zc_mapped >= 0;
}

static bool sockbuf_known(const void *msg)
{
	const struct nc_figures *f = msg;

	return f->sockbuf.snd >= 0 && f->sockbuf.rcv >= 0;
}

/* A sender paced (--rate) says how; an unpaced one sends nothing. */
static bool paced(const void *msg)
{
	return ((const struct nc_figures *)msg)->pacing != NC_PACING_NONE;
}

static bool udp_measured(const void *msg)
{
	return ((const struct nc_figures *)msg)->udp.measured;
}

/* The server capped the run's rate. */
static bool rate_capped(const void *msg)
{
	return ((const struct nc_figures *)msg)->rate_cap != 0;
}

/* A UDP sender counted its send calls. */
static bool udp_sent(const void *msg)
{
	return ((const struct nc_figures *)msg)->udp_sends != 0;
}

/* The per-flow figures were measured (a run with --flows). */
static bool flows_measured(const void *msg)
{
	return ((const struct nc_figures *)msg)->flow_n != 0;
}

static const char out_of_range[] = "figures out of range";
static const char flow_range[] = "per-flow figures out of range";
static const char rx_range[] = "receive zero-copy figures out of range";
static const char buf_range[] = "socket buffer figures out of range";
static const char tcp_range[] = "TCP_INFO figures out of range";
static const char udp_range[] = "UDP figures out of range";

#define FIG(member) .offset = offsetof(struct nc_figures, member), \
		    .len = sizeof(((struct nc_figures *)0)->member)
#define COUNT(type, member) { type, NC_WK_U64, 0, 0, FIG(member) }
#define ZC(type, member) { type, NC_WK_I64, NC_WF_NA, 0, FIG(member), \
			   .why = out_of_range }
#define COUNTER(i) COUNT(NC_F_COUNTER_0 + i, counts.value[i])
/* A TCP_INFO figure, at most max of its unit: NA is absent. */
#define TCP(fig, max_) { NC_F_TCP_0 + fig, NC_WK_FIXED, NC_WF_OPTIONAL, 0, \
			 FIG(tcp.value[fig]),                            \
			 .max = (uint64_t)(max_) * NC_WIRE_FIXED_SCALE,   \
			 .why = tcp_range }
/* A UDP receiver's count: NA (absent) for TCP runs. */
#define UDP(type, member) { type, NC_WK_U64, NC_WF_OPTIONAL, GROUP_UDP, \
			    FIG(udp.member), .why = udp_range,          \
			    .sent = udp_measured }
/* A per-flow figure, at most max_ of its unit. */
#define FLOW(type, member, max_) { type, NC_WK_FIXED, NC_WF_OPTIONAL,     \
				   GROUP_FLOWS, FIG(member),              \
				   .max = (uint64_t)(max_) *              \
					  NC_WIRE_FIXED_SCALE,            \
				   .why = flow_range,                     \
				   .sent = flows_measured }
/* The most a u32 field of struct tcp_info gives, per connection and
 * over a side's, and the most a share can be. */
#define TCP_U32 ((uint64_t)UINT32_MAX)
#define TCP_SUM (TCP_U32 * NC_MAX_FLOWS)
#define TCP_PCT 100
#define TCP_GBPS NC_WIRE_MAX_GBPS
/* In the order sent: the optional ones before the required tail, so no
 * prefix of a trailer decodes. */
static const struct nc_wire_policy figures_policy[] = {
	{ NC_F_STATUS, NC_WK_ERR, 0, 0, FIG(status), .why = out_of_range },
	COUNT(NC_F_BYTES, bytes),
	COUNT(NC_F_MESSAGES, messages),
	COUNT(NC_F_INTERVAL, interval_ns),
	COUNT(NC_F_LATENCY, latency_ns),
	COUNT(NC_F_MISMATCHES, mismatches),
	ZC(NC_F_ZC_COMPLETIONS, zc.completions),
	ZC(NC_F_ZC_COPIED, zc.copied),
	{ NC_F_REASON, NC_WK_STR, 0, 0, FIG(reason) },
	COUNT(NC_F_CPU_US, cpu_us),
	{ NC_F_COUNTERS_KNOWN, NC_WK_U32, 0, 0, FIG(counts.known),
	  .max = (1u << NC_EV_COUNT) - 1, .why = out_of_range },
	{ NC_F_COUNTERS_SCOPE, NC_WK_U8, 0, 0, FIG(counts.scope),
	  .max = NC_SCOPE_ALL, .why = out_of_range },
	ZC(NC_F_ZC_SENDS, zc.sends),
	ZC(NC_F_ZC_NOTIFICATIONS, zc.notifications),
	ZC(NC_F_ZC_ENOBUFS, zc.enobufs),
	{ NC_F_RX_ZC_MAPPED, NC_WK_I64, NC_WF_OPTIONAL, GROUP_RX,
	  FIG(rx_zc_mapped), .why = rx_range, .sent = rx_measured },
	{ NC_F_RX_ZC_COPIED, NC_WK_I64, NC_WF_OPTIONAL, GROUP_RX,
	  FIG(rx_zc_copied), .why = rx_range, .sent = rx_measured },
	{ NC_F_RX_ZC_REFUSED, NC_WK_ERR, NC_WF_OPTIONAL, GROUP_RX,
	  FIG(rx_zc_refused), .why = rx_range, .sent = rx_measured },
	{ NC_F_SNDBUF, NC_WK_I64, NC_WF_OPTIONAL, GROUP_SOCKBUF,
	  FIG(sockbuf.snd), .max = INT32_MAX, .why = buf_range,
	  .sent = sockbuf_known },
	{ NC_F_RCVBUF, NC_WK_I64, NC_WF_OPTIONAL, GROUP_SOCKBUF,
	  FIG(sockbuf.rcv), .max = INT32_MAX, .why = buf_range,
	  .sent = sockbuf_known },
	TCP(NC_TCP_RETRANSMITS, TCP_SUM),
	TCP(NC_TCP_RTT_US, TCP_U32),
	TCP(NC_TCP_CWND, TCP_U32),
	TCP(NC_TCP_DELIVERY_GBPS, TCP_GBPS),
	TCP(NC_TCP_BUSY_PCT, TCP_PCT),
	TCP(NC_TCP_RWND_LIMITED_PCT, TCP_PCT),
	TCP(NC_TCP_SNDBUF_LIMITED_PCT, TCP_PCT),
	TCP(NC_TCP_RCV_RTT_US, TCP_U32),
	TCP(NC_TCP_RCV_SPACE, TCP_U32),
	{ NC_F_PACING, NC_WK_U8, NC_WF_OPTIONAL, 0, FIG(pacing),
	  .max = NC_PACING_LAST, .why = out_of_range, .sent = paced },
	UDP(NC_F_UDP_LOST, lost),
	UDP(NC_F_UDP_REORDERED, reordered),
	UDP(NC_F_UDP_DUPLICATED, duplicated),
	UDP(NC_F_UDP_READS, reads),
	{ NC_F_UDP_SENDS, NC_WK_U64, NC_WF_OPTIONAL, 0, FIG(udp_sends),
	  .why = udp_range, .sent = udp_sent },
	{ NC_F_RATE_CAP, NC_WK_U64, NC_WF_OPTIONAL, 0, FIG(rate_cap),
	  .max = NC_MAX_RATE, .why = out_of_range, .sent = rate_capped },
	{ NC_F_UDP_JITTER, NC_WK_FIXED, NC_WF_OPTIONAL, GROUP_UDP,
	  FIG(udp.jitter_us), .max = (uint64_t)NC_MAX_JITTER_US *
	  NC_WIRE_FIXED_SCALE, .why = udp_range, .sent = udp_measured },
	{ NC_F_FLOW_N, NC_WK_U32, NC_WF_OPTIONAL, GROUP_FLOWS, FIG(flow_n),
	  .max = NC_MAX_FLOWS, .why = flow_range, .sent = flows_measured },
	FLOW(NC_F_FLOW_GBPS_MIN, flow_gbps_min, NC_WIRE_MAX_GBPS),
	FLOW(NC_F_FLOW_GBPS_MEDIAN, flow_gbps_median, NC_WIRE_MAX_GBPS),
	FLOW(NC_F_FLOW_GBPS_MAX, flow_gbps_max, NC_WIRE_MAX_GBPS),
	FLOW(NC_F_FLOW_FAIRNESS, flow_fairness, 1),
	COUNT(NC_F_TOTAL_BYTES, total_bytes),
	COUNTER(0), COUNTER(1), COUNTER(2), COUNTER(3), COUNTER(4),
	COUNTER(5), COUNTER(6),
};

/* Two shares, each rounded to millionths, may sum to a unit over their
 * busy time. */
#define SHARE_SLACK 2e-6

/* TCP_INFO figures a kernel could give: whole retransmits, and the
 * rwnd- and sndbuf-limited shares (disjoint parts of the busy time)
 * known only with it, and within it together. */
static bool tcp_possible(const struct nc_tcp_figures *t)
{
	double retrans = t->value[NC_TCP_RETRANSMITS];
	double busy = t->value[NC_TCP_BUSY_PCT];
	double win_limited = t->value[NC_TCP_RWND_LIMITED_PCT];
	double buf_limited = t->value[NC_TCP_SNDBUF_LIMITED_PCT];

	if (retrans >= 0 && retrans != (double)(uint64_t)retrans)
		return false;
	if (busy < 0)
		return win_limited < 0 && buf_limited < 0;
	if (win_limited > busy || buf_limited > busy)	/* rounding keeps <= */
		return false;
	return (win_limited < 0 ? 0 : win_limited) +
	       (buf_limited < 0 ? 0 : buf_limited) <= busy + SHARE_SLACK;
}

/* Zero-copy figures: all -1 (not zero-copy) or all counts, with no more
 * copied than completed; copied alone may be -1 (the kernel would not
 * say).  TCP_INFO figures a kernel could give. */
static int figures_validate(void *msg, const bool *seen, const char **why)
{
	struct nc_figures *f = msg;
	bool na = f->zc.sends < 0 && f->zc.notifications < 0 &&
		  f->zc.completions < 0 && f->zc.copied < 0 &&
		  f->zc.enobufs < 0;
	bool counts = f->zc.sends >= 0 && f->zc.notifications >= 0 &&
		      f->zc.completions >= 0 && f->zc.enobufs >= 0 &&
		      f->zc.copied <= f->zc.completions;

	if (!na && !counts) {
		*why = out_of_range;
		return NETCOPY_EPROTOCOL;
	}
	if (!tcp_possible(&f->tcp)) {
		*why = tcp_range;
		return NETCOPY_EPROTOCOL;
	}
	f->measured = true;
	f->udp.measured = seen[NC_F_UDP_LOST];
	return 0;
}

static const struct nc_figures figures_defaults = {
	.rx_zc_mapped = -1, .rx_zc_copied = -1, .sockbuf = { -1, -1 },
	.tcp.value = { [0 ... NC_TCP_FIGS - 1] = -1 },
};

const struct nc_wire_spec nc_figures_spec = {
	figures_policy, sizeof(figures_policy) / sizeof(figures_policy[0]),
	NC_F_LAST, &figures_defaults, sizeof(struct nc_figures),
	figures_validate,
};
