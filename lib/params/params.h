/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * params.h - a run's parameters, each declared once in params.def: the
 * struct the client fills and the hello carries, the table the wire
 * codec and the checks walk, and nc_params_check(), the one judge of
 * their ranges.  Uses base/ only.
 */
#ifndef NETCOPY_PARAMS_H
#define NETCOPY_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netcopy.h"

enum nc_workload {
	NC_WORKLOAD_STREAM,	/* the sender sends, the receiver receives */
	NC_WORKLOAD_RR,		/* the client asks, the server answers */
};

/* --rx: the receive path a run asks for instead of the mode's own
 * receive call (recv/ implements them). */
enum nc_rx {
	NC_RX_MODE,		/* the mode's own (the default) */
	NC_RX_RECV,		/* recv() into one buffer */
	NC_RX_RECVMSG,		/* recvmsg() scattering NC_FIELDS fields */
	NC_RX_ZERO_COPY,	/* TCP_ZEROCOPY_RECEIVE, recv() where not */
	NC_RX_RECVMMSG,		/* UDP: recvmmsg(), datagrams in batches */
	NC_RX_GRO,		/* UDP: UDP_GRO, coalesced datagrams */
};
#define NC_RX_LAST NC_RX_GRO

/* --proto: what a run's data goes over (its control is always TCP). */
enum nc_proto {
	NC_PROTO_TCP,		/* one byte stream per data connection */
	NC_PROTO_UDP,		/* datagrams, each with struct nc_dgram_hdr */
};
#define NC_PROTO_LAST NC_PROTO_UDP
/* A set of protocols, as modes and receive paths declare theirs. */
#define NC_PROTO_BIT(proto) (1u << (proto))

/* "tcp" or "udp"; NULL past NC_PROTO_LAST. */
const char *nc_proto_name(uint8_t proto);
/* The protocol named; -EINVAL for none. */
int nc_proto_parse(const char *name, uint8_t *proto);

/* ---- params.c: a run's parameters, each declared once in params.def.
 * They are what the hello carries; nc_params_check() is the one place
 * their ranges are judged (the client's setters, the hello decoder). */
#define NC_MODE_NAME_MAX 32
#define NC_MAX_DURATION_S 86400.0
/* --flows: data connections a run may have (NC_H_FLOWS). */
#define NC_MAX_FLOWS 65536U
#define NC_MAX_WARMUP_S 3600.0
#define NC_MAX_CPU 65536
/* --rr-timeout over UDP: how long an asker waits for each answer. */
#define NC_DEFAULT_RR_TIMEOUT_S 0.1
#define NC_MAX_RR_TIMEOUT_S 10.0
/* --rate, bits/s: a byte per second up to a petabit (NC_WIRE_MAX_GBPS). */
#define NC_MIN_RATE 8ULL
#define NC_MAX_RATE 1000000000000000ULL

enum nc_param_kind {
	NC_PK_STR,		/* char[NC_MODE_NAME_MAX] */
	NC_PK_U64,
	NC_PK_U32,
	NC_PK_S32,
	NC_PK_SECONDS,		/* double */
	NC_PK_BOOL,
	NC_PK_U8,		/* an enum */
};
#define NC_PF_OPTIONAL 1u	/* sent only when not the default */
#define NC_PF_ZERO_OK 2u	/* 0 (unset) is allowed too */
#define NC_PF_ASK 4u		/* a BOOL the client sets; see params.def */
#define NC_PF_ZERO_NONE 8u	/* 0 (none) is allowed too, and sent */

#define NC_PARAM_MEMBER_STR(n) char n[NC_MODE_NAME_MAX]
#define NC_PARAM_MEMBER_U64(n) uint64_t n
#define NC_PARAM_MEMBER_U32(n) uint32_t n
#define NC_PARAM_MEMBER_S32(n) int32_t n
#define NC_PARAM_MEMBER_SECONDS(n) double n
#define NC_PARAM_MEMBER_BOOL(n) bool n
#define NC_PARAM_MEMBER_U8(n) uint8_t n

struct nc_params {
#define NC_PARAM(name, NAME, field, kind, ...) NC_PARAM_MEMBER_##kind(name);
#include "params/params.def"
#undef NC_PARAM
};

/* One row of params.def. */
struct nc_param {
	const char *name;
	size_t offset;			/* in struct nc_params */
	uint16_t field;			/* in the hello */
	uint8_t kind;			/* enum nc_param_kind */
	uint8_t flags;			/* NC_PF_* */
	double min, max;
	const char *unit;
	const char *why;
	const char *log;
};
extern const struct nc_param nc_param_table[];
extern const size_t nc_param_count;
/* Every parameter at its default. */
extern const struct nc_params nc_params_defaults;

/* A parameter's value, exactly (every kind fits a double within its
 * range, and one past it stays past it); 0 for STR. */
double nc_param_value(const struct nc_param *param,
		      const struct nc_params *p);
/* The first parameter out of its range, or NULL. */
const struct nc_param *nc_params_invalid(const struct nc_params *p);
/* 0, or -EINVAL with *why saying which is out of range (static). */
int nc_params_check(const struct nc_params *p, const char **why);
/* "1 to 256", "1024 to 1073741824 bytes": what the parameter allows. */
void nc_param_range(const struct nc_param *param, char *buf, size_t cap);
/* Set every NC_PF_ASK parameter of p to on.  Returns how many were not
 * on before; names (cap bytes, may be 0) gets their logs, ", "-joined. */
unsigned int nc_params_ask(struct nc_params *p, bool on, char *names,
			   size_t cap);

/* The data connections of a run: --flows, or one per thread. */
static inline uint32_t nc_params_flows(const struct nc_params *p)
{
	return p->flows ? p->flows : p->threads;
}

/* Who sends in the run: the client in rr (it asks), and in a stream
 * the client only when reversed. */
static inline bool nc_client_sends(const struct nc_params *p)
{
	return p->workload == NC_WORKLOAD_RR || p->reverse;
}

/* What --rcvbuf (rcv) or --sndbuf asked for; 0: the kernel's default. */
static inline uint64_t nc_params_sockbuf(const struct nc_params *p, bool rcv)
{
	return rcv ? p->rcvbuf : p->sndbuf;
}

/* Seconds as whole nanoseconds, rounded. */
static inline uint64_t nc_seconds_ns(double seconds)
{
	return (uint64_t)(seconds * 1e9 + 0.5);
}

#endif /* NETCOPY_PARAMS_H */
