/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * wire-spec.h - the control protocol's numbers, version 1: framing,
 * message types and every message's field numbers.  The library's codec
 * (lib/wire.c, over the policies in lib/wire-spec.c), the unit tests,
 * tests/rawpeer and the fuzzer all take them from here; this header
 * needs nothing but lib/params.def, so a raw peer can include it.
 *
 * A message is a 12-byte header (magic, version, type, body length;
 * network byte order) and a body of fields, each a 16-bit type, a 16-bit
 * length and the value.  Numbers are 8 bytes big-endian, flags and
 * enums one byte, text printable ASCII without a terminator.  New
 * options are new optional fields, sent only when used, never a new
 * version.  Never renumber a field; append.
 */
#ifndef NETCOPY_WIRE_SPEC_H
#define NETCOPY_WIRE_SPEC_H

#define NC_MAGIC 0x4e435059u		/* "NCPY" */
#define NC_VERSION 1
#define NC_HEADER_LEN 12
#define NC_MAX_BODY 4096
#define NC_RUN_ID_LEN 16
/* Authentication (--auth-file, lib/wire/auth.h): the server's random
 * challenge, and each HMAC-SHA512-256 (the proof, a data tag's). */
#define NC_CHALLENGE_LEN 32
#define NC_MAC_LEN 32
/* A fractional figure (a mean, a share) goes as an integer count of
 * millionths: 12.5 % is 12500000. */
#define NC_WIRE_FIXED_SCALE 1000000u
/* No side moves a petabit per second (Gbit/s). */
#define NC_WIRE_MAX_GBPS 1000000

enum nc_msg_type {
	NC_MSG_HELLO = 1,	/* client -> server: run parameters */
	NC_MSG_ACCEPT = 2,	/* server -> client: run id */
	NC_MSG_REFUSE = 3,	/* server -> client: code and reason */
	NC_MSG_DATA_TAG = 4,	/* client -> server, first on a data link */
	NC_MSG_TRAILER = 5,	/* server -> client: the server's figures */
	/* Only where the hello asked to authenticate (NC_H_AUTH): */
	NC_MSG_CHALLENGE = 6,	/* server -> client, answering the hello */
	NC_MSG_PROOF = 7,	/* client -> server: the challenge's HMAC */
	/* Only where the hello asked (NC_H_FLOW_BYTES), after the
	 * trailer, in order until every flow is said: */
	NC_MSG_FLOW_BYTES = 8,	/* server -> client: flows' bytes */
	NC_MSG_LAST = NC_MSG_FLOW_BYTES
};

/* The hello: one field per parameter, numbered in lib/params.def. */
enum nc_hello_field {
#define NC_PARAM(name, NAME, field, ...) NC_H_##NAME = field,
#include "params/params.def"
#undef NC_PARAM
	NC_H_LAST = NC_H_FLOW_BYTES
};

/* Accept and refuse: accepted, then the run id, or the code and reason.
 * A UDP run's data connection is accepted with its UDP port and the
 * cookie the client's UDP socket must echo (both or none). */
enum nc_reply_field { NC_R_ACCEPTED = 1, NC_R_RUN_ID, NC_R_CODE,
		      NC_R_REASON, NC_R_UDP_PORT, NC_R_COOKIE,
		      NC_R_LAST = NC_R_COOKIE };

/* The data tag: which run, and which of its connections; in an
 * authenticated run, also the tag's HMAC (optional: only then). */
enum nc_tag_field { NC_T_RUN_ID = 1, NC_T_INDEX, NC_T_MAC,
		    NC_T_LAST = NC_T_MAC };

/* The challenge and the proof: one field each. */
enum nc_challenge_field { NC_C_CHALLENGE = 1, NC_C_LAST = NC_C_CHALLENGE };
enum nc_proof_field { NC_P_PROOF = 1, NC_P_LAST = NC_P_PROOF };

/* A chunk of the server's per-flow bytes (--per-flow where it
 * receives): the run's flows, the first flow of the chunk, and the
 * bytes of each of its flows, 8 bytes each.  A list of 10,000 flows
 * does not fit one message: chunks of at most NC_FLOW_CHUNK flows (a
 * 4,000-byte field, within NC_MAX_BODY with the others). */
#define NC_FLOW_CHUNK 500
enum nc_flow_bytes_field { NC_B_FLOWS = 1, NC_B_FIRST, NC_B_BYTES,
			   NC_B_LAST = NC_B_BYTES };

/* The perf counters a trailer carries, one field each (enum nc_event). */
#define NC_WIRE_COUNTERS 7
/* The TCP_INFO figures, one field each (enum nc_tcp_fig), fixed-point. */
#define NC_WIRE_TCP_FIGS 9

/* The trailer: one side's figures (struct nc_figures). */
enum nc_figures_field {
	NC_F_STATUS = 1, NC_F_BYTES, NC_F_MESSAGES, NC_F_INTERVAL,
	NC_F_LATENCY, NC_F_MISMATCHES, NC_F_ZC_COMPLETIONS, NC_F_ZC_COPIED,
	NC_F_REASON, NC_F_CPU_US, NC_F_COUNTERS_KNOWN, NC_F_COUNTERS_SCOPE,
	NC_F_ZC_SENDS, NC_F_ZC_NOTIFICATIONS, NC_F_ZC_ENOBUFS,
	NC_F_TOTAL_BYTES, NC_F_COUNTER_0,	/* then the counters */
	/* Every trailer has the fields up to here. */
	NC_F_REQUIRED_LAST = NC_F_COUNTER_0 + NC_WIRE_COUNTERS - 1,
	/* Optional, all three or none: --rx zero-copy's figures. */
	NC_F_RX_ZC_MAPPED, NC_F_RX_ZC_COPIED, NC_F_RX_ZC_REFUSED,
	/* Optional, both or none: the socket buffers the kernel held. */
	NC_F_SNDBUF, NC_F_RCVBUF,
	/* Optional, each on its own (absent: NA), sent only when the hello
	 * asked (NC_H_TCPI): the TCP_INFO figures, in enum nc_tcp_fig's
	 * order, each in NC_WIRE_FIXED_SCALE units. */
	NC_F_TCP_0,
	/* Optional, all or none: a UDP receiver's counts (--proto udp),
	 * and its read count (NC_F_UDP_READS, after --rate's). */
	NC_F_UDP_LOST = NC_F_TCP_0 + NC_WIRE_TCP_FIGS, NC_F_UDP_REORDERED,
	NC_F_UDP_DUPLICATED, NC_F_UDP_JITTER,
	/* Optional, sent only when paced (NC_H_RATE): how the sender held
	 * the rate (enum nc_pacing). */
	NC_F_PACING,
	NC_F_UDP_READS,
	/* Optional: a UDP sender's send calls (nc_figures.udp_sends). */
	NC_F_UDP_SENDS,
	/* Optional, sent only when the server lowered the hello's --rate
	 * (or set one) to its --max-rate-per-host share: that rate, per
	 * data connection (its mean over the run, where it changed).
	 * Only a UDP run is capped, so no client from before UDP is sent
	 * it. */
	NC_F_RATE_CAP,
	/* Optional, all or none, sent only for a run with --flows: the
	 * per-flow figures (nc_figures.flow_*). */
	NC_F_FLOW_N, NC_F_FLOW_GBPS_MIN, NC_F_FLOW_GBPS_MEDIAN,
	NC_F_FLOW_GBPS_MAX, NC_F_FLOW_FAIRNESS,
	NC_F_LAST = NC_F_FLOW_FAIRNESS
};

#endif /* NETCOPY_WIRE_SPEC_H */
