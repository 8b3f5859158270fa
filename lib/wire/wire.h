/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * wire.h - the control protocol: the spec of each message (wire-spec.c,
 * numbers in wire-spec.h), the one encoder and decoder over it
 * (wire.c), the messages as structs, among them a side's figures, and
 * framed messages over sockets (net.c).  Uses base/, measure/ (the
 * figures' types) and params/.
 */
#ifndef NETCOPY_WIRE_H
#define NETCOPY_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "netcopy.h"
#include "measure/measure.h"
#include "params/params.h"
#include "wire/wire-spec.h"

/* ---- wire.c: the control protocol (numbers in wire-spec.h), coded
 * over one spec per message, as libnl's nla_policy: each field's
 * number, type, bounds and whether it is required. */
#define NC_REASON_MAX 200

enum nc_wire_kind {
	NC_WK_U64,		/* uint64_t */
	NC_WK_U32,		/* uint32_t, sent as 8 bytes */
	NC_WK_S32,		/* int32_t, sign-extended to 8 bytes */
	NC_WK_ERR,		/* int32_t: 0, -errno or a NETCOPY_E* code */
	NC_WK_I64,		/* int64_t, at most INT64_MAX */
	NC_WK_NS,		/* double seconds, sent as nanoseconds */
	/* double >= 0, sent in NC_WIRE_FIXED_SCALE units (rounded); -1
	 * is NA, which is never sent: make the field optional. */
	NC_WK_FIXED,
	NC_WK_FLAG,		/* bool, one byte 0 or 1 */
	NC_WK_U8,		/* uint8_t, one byte */
	NC_WK_STR,		/* char[len], printable ASCII */
	NC_WK_BYTES,		/* uint8_t[len], exactly */
	/* struct nc_u64s: its n values, 8 bytes each, each at most max;
	 * never optional. */
	NC_WK_U64S,
};
#define NC_WF_OPTIONAL 1u	/* a message may leave it out */
#define NC_WF_NA 2u		/* I64: UINT64_MAX is -1, not measured */

struct nc_wire_policy {
	uint16_t type;			/* the field's number */
	uint8_t kind;			/* enum nc_wire_kind */
	uint8_t flags;			/* NC_WF_* */
	/* Nonzero: the optional fields of this group come all or none. */
	uint8_t group;
	uint16_t offset;		/* of the value in the message */
	uint16_t len;			/* STR: capacity; BYTES: length */
	uint64_t max;			/* 0: any value of its kind */
	const char *why;		/* out of bounds; NULL: the kind's */
	/* Optional fields: whether msg sends it; NULL: when it is not
	 * what the spec's defaults hold. */
	bool (*sent)(const void *msg);
};

struct nc_wire_spec {
	const struct nc_wire_policy *policy;	/* in the order sent */
	size_t count;
	uint16_t last;			/* the highest field number */
	/* What a decoder starts from, and absent fields keep. */
	const void *defaults;
	size_t size;
	/* After every field is read: rules across fields, or NULL.
	 * 0, or NETCOPY_EPROTOCOL with *why. */
	int (*validate)(void *msg, const bool *seen, const char **why);
};

extern const struct nc_wire_spec nc_hello_spec;
extern const struct nc_wire_spec nc_reply_spec;
extern const struct nc_wire_spec nc_tag_spec;
extern const struct nc_wire_spec nc_challenge_spec;
extern const struct nc_wire_spec nc_proof_spec;
extern const struct nc_wire_spec nc_figures_spec;
extern const struct nc_wire_spec nc_flow_chunk_spec;

/* The body of msg as spec says: its length, or -ENOSPC. */
int nc_wire_encode(const struct nc_wire_spec *spec, const void *msg,
		   uint8_t *buf, size_t cap);
/* Read a body into msg; seen[] (spec->last + 1 entries) says which
 * fields it had.  0, or NETCOPY_EPROTOCOL with *why (static text):
 * every length is checked before use, and unknown, repeated, missing,
 * malformed or out-of-bounds fields are refused. */
int nc_wire_decode(const struct nc_wire_spec *spec, const uint8_t *buf,
		   size_t len, void *msg, bool *seen, const char **why);

/* 0, a negative errno, or one of the library's own codes. */
static inline bool nc_error_code_valid(int64_t v)
{
	return v <= 0 && v >= NETCOPY_ECOMPLETION - 100;
}

struct nc_reply {
	bool accepted;
	uint8_t run_id[NC_RUN_ID_LEN];
	int32_t code;			/* a netcopy error when refused */
	char reason[NC_REASON_MAX];
	/* UDP runs' data connections: where the server's UDP socket is,
	 * and what to echo to it; 0 otherwise. */
	uint32_t udp_port;
	uint64_t cookie;
};

struct nc_tag {
	uint8_t run_id[NC_RUN_ID_LEN];
	uint32_t index;
	bool has_mac;			/* an authenticated run's tag */
	uint8_t mac[NC_MAC_LEN];
};

/* The server's challenge, and the client's answer (lib/wire/auth.h). */
struct nc_challenge {
	uint8_t challenge[NC_CHALLENGE_LEN];
};

struct nc_proof {
	uint8_t mac[NC_MAC_LEN];
};

/* What one side measured; the server sends its own in the trailer. */
struct nc_figures {
	bool measured;			/* false: every figure is unknown */
	int32_t status;			/* 0, or the error that ended it */
	uint64_t total_bytes;		/* warm-up included */
	uint64_t bytes;
	uint64_t messages;
	uint64_t interval_ns;		/* first to last byte */
	uint64_t latency_ns;		/* mean per message, over flows */
	uint64_t mismatches;
	struct nc_counts counts;
	uint64_t cpu_us;		/* user + system, all threads */
	struct nc_zc_counts zc;
	/* --rx zero-copy, -1 each otherwise: bytes the kernel mapped, and
	 * bytes read by copy instead (together: bytes); refused: 0, or the error with which
	 * the kernel refused TCP_ZEROCOPY_RECEIVE (then all is copied). */
	int64_t rx_zc_mapped;
	int64_t rx_zc_copied;
	int32_t rx_zc_refused;
	struct nc_sockbufs sockbuf;	/* the largest over the side's */
	struct nc_tcp_figures tcp;	/* TCP_INFO; -1 each: NA */
	uint8_t pacing;			/* enum nc_pacing (base/pace.h) */
	struct nc_udp_counts udp;	/* a UDP receiver's */
	/* A UDP sender's send system calls in the measured span; 0: not
	 * counted (TCP, or a peer that does not say). */
	uint64_t udp_sends;
	/* The rate, bits/s a data connection, a server held its sends to
	 * below what the hello asked (--max-rate-per-host; the mean over
	 * the run, where it changed); 0: none. */
	uint64_t rate_cap;
	/* Over the side's flows, each one's bytes over the side's interval
	 * (flow_figures.c): 0 flows: not measured (NA).  Jain's fairness
	 * index, 1/flows to 1. */
	uint32_t flow_n;
	double flow_gbps_min, flow_gbps_median, flow_gbps_max;
	double flow_fairness;
	char reason[NC_REASON_MAX];
};

/* A list of numbers in one field (NC_WK_U64S). */
struct nc_u64s {
	uint32_t n;
	uint64_t v[NC_FLOW_CHUNK];
};

/* Flows first to first + bytes.n - 1 of a run of flows flows: each
 * one's bytes (NC_MSG_FLOW_BYTES). */
struct nc_flow_chunk {
	uint32_t flows;
	uint32_t first;
	struct nc_u64s bytes;
};

struct nc_header {
	uint16_t type;
	uint32_t length;
};

/* Each encoder returns the body length, or -ENOSPC. */
int nc_hello_encode(const struct nc_params *p, uint8_t *buf, size_t cap);
int nc_reply_encode(const struct nc_reply *r, uint8_t *buf, size_t cap);
int nc_tag_encode(const struct nc_tag *t, uint8_t *buf, size_t cap);
int nc_figures_encode(const struct nc_figures *f, uint8_t *buf, size_t cap);
int nc_challenge_encode(const struct nc_challenge *c, uint8_t *buf,
			size_t cap);
int nc_proof_encode(const struct nc_proof *p, uint8_t *buf, size_t cap);
int nc_flow_chunk_encode(const struct nc_flow_chunk *c, uint8_t *buf,
			 size_t cap);
/* Each decoder returns 0, or NETCOPY_EPROTOCOL with *why saying what was
 * wrong (static text), as nc_wire_decode(). */
int nc_header_decode(const uint8_t buf[NC_HEADER_LEN], struct nc_header *h,
		     const char **why);
int nc_hello_decode(const uint8_t *buf, size_t len, struct nc_params *p,
		    const char **why);
int nc_reply_decode(const uint8_t *buf, size_t len, struct nc_reply *r,
		    const char **why);
int nc_tag_decode(const uint8_t *buf, size_t len, struct nc_tag *t,
		  const char **why);
int nc_figures_decode(const uint8_t *buf, size_t len, struct nc_figures *f,
		      const char **why);
int nc_challenge_decode(const uint8_t *buf, size_t len,
			struct nc_challenge *c, const char **why);
int nc_proof_decode(const uint8_t *buf, size_t len, struct nc_proof *p,
		    const char **why);
int nc_flow_chunk_decode(const uint8_t *buf, size_t len,
			 struct nc_flow_chunk *c, const char **why);
void nc_header_encode(uint8_t buf[NC_HEADER_LEN], uint16_t type,
		      uint32_t length);

/* ---- net.c: sockets. */
/* Send one framed message.  Returns 0 or -errno. */
int nc_msg_send(int fd, uint16_t type, const uint8_t *body, size_t len);
/* Receive one framed message within timeout_ms (-1: no limit).  Returns 0,
 * -ETIMEDOUT, -ECONNRESET on EOF, -errno, or NETCOPY_EPROTOCOL (*why). */
int nc_msg_recv(int fd, struct nc_header *h, uint8_t body[NC_MAX_BODY],
		int timeout_ms, const char **why);
/* Connect to host:port by getaddrinfo; *fd on success, else -errno or
 * -EAI (as EHOSTUNREACH) with detail written into detail. */
int nc_connect(const char *host, unsigned int port, int *fd, char *detail,
	       size_t detail_len);
/* nc_connect from local (NULL: the kernel's choice), bound before the
 * connect; only the server's addresses of local's family are tried. */
int nc_connect_from(const char *host, unsigned int port,
		    const struct sockaddr *local, socklen_t local_len, int *fd,
		    char *detail, size_t detail_len);
/* A connect to an address already resolved (to), from local as
 * nc_connect_from's: 0 with *fd, or -errno with detail written. */
int nc_connect_to(const struct sockaddr *to, socklen_t to_len,
		  const struct sockaddr *local, socklen_t local_len, int *fd,
		  char *detail, size_t detail_len);
/* Bound how long a stalled peer can block a data connection. */
int nc_set_io_timeout(int fd, int seconds);
/* "ADDR port N" of a socket's peer, for logs. */
void nc_peer_name(int fd, char *buf, size_t len);
/* That of an address (sl bytes at sa). */
void nc_addr_name(const struct sockaddr *sa, socklen_t sl, char *buf,
		  size_t len);

#endif /* NETCOPY_WIRE_H */
