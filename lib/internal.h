/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * internal.h - declarations shared inside libnetcopy and with its tests
 * (through the uninstalled libnetcopy-internal.la); not installed.
 */
#ifndef NETCOPY_INTERNAL_H
#define NETCOPY_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "base/histogram.h"
#include "netcopy.h"
#include "wire/wire-spec.h"

#define NETCOPY_EXPORT __attribute__((visibility("default")))

/* clock.c */
uint64_t nc_now_ns(void);

/* ---- layout.c: the one-copy message is 8 separately allocated fields. */
#define NC_FIELDS 8
/* Split size bytes into NC_FIELDS lengths that add up to size; below
 * NC_FIELDS bytes the last fields are empty. */
void nc_layout_fields(uint64_t size, size_t len[NC_FIELDS]);

/* ---- pattern.c: what --verify stamps and checks. */
/* Fill buf with bytes [offset, offset+len) of message msg of flow. */
void nc_pattern_fill(void *buf, size_t len, uint32_t flow, uint64_t msg,
		     uint64_t offset);
/* True when buf holds exactly those bytes. */
bool nc_pattern_matches(const void *buf, size_t len, uint32_t flow,
			uint64_t msg, uint64_t offset);

/* Checks a received byte stream of size-byte messages, in any chunks. */
struct nc_verifier {
	uint64_t size;
	uint32_t flow;
	uint64_t pos;		/* stream bytes checked so far */
	uint64_t bad_messages;	/* messages with at least one wrong byte */
	uint64_t last_bad;	/* last message counted bad, plus one */
	/* Message n carries the stamp of n % period (modes that send
	 * from a fixed set of blocks); 0: of n itself. */
	uint64_t period;
};
void nc_verifier_init(struct nc_verifier *v, uint64_t size, uint32_t flow);
void nc_verifier_feed(struct nc_verifier *v, const void *buf, size_t len);

/* ---- counters.c: perf counters of one thread. */
#define NC_MAX_PMUS 2		/* hybrid CPUs: cpu_core and cpu_atom */

enum nc_event {
	NC_EV_CYCLES,
	NC_EV_INSTRUCTIONS,
	NC_EV_CACHE_REFS,
	NC_EV_CACHE_MISSES,
	NC_EV_CONTEXT_SWITCHES,
	NC_EV_TASK_CLOCK,	/* nanoseconds */
	NC_EV_PAGE_FAULTS,
	NC_EV_COUNT
};

enum nc_scope {
	NC_SCOPE_OFF,		/* counting turned off (--no-perf) */
	NC_SCOPE_USER,		/* the system allows user mode only */
	NC_SCOPE_ALL,		/* user and kernel mode */
};

struct nc_counters {
	int fd[NC_EV_COUNT][NC_MAX_PMUS];	/* hardware events */
	bool enabled;
	bool user_only;
	/* Software events, from the thread's own accounting: the values
	 * at the start, and the sum of the measured spans. */
	bool usage_ok;
	bool usage_running;
	uint64_t usage_base[NC_EV_COUNT];
	uint64_t usage_sum[NC_EV_COUNT];
};

/* What was counted: value[ev] means something only if known has bit ev. */
struct nc_counts {
	uint64_t value[NC_EV_COUNT];
	uint32_t known;
	uint8_t scope;		/* enum nc_scope */
};

/* Open the calling thread's counters, disabled. */
void nc_counters_open(struct nc_counters *c);
/* Open one event for the calling thread: an fd, or -errno. */
int nc_counter_open(uint32_t type, uint64_t config, bool user_only);
void nc_counters_start(struct nc_counters *c);
void nc_counters_stop(struct nc_counters *c);
void nc_counters_read(struct nc_counters *c, struct nc_counts *out);
void nc_counters_close(struct nc_counters *c);
/* Add x into sum; first: sum = x.  A sum knows what all parts knew. */
void nc_counts_add(struct nc_counts *sum, const struct nc_counts *x,
		   bool first);

enum nc_workload {
	NC_WORKLOAD_STREAM,	/* the sender sends, the receiver receives */
	NC_WORKLOAD_RR,		/* the client asks, the server answers */
};

/* ---- params.c: a run's parameters, each declared once in params.def.
 * They are what the hello carries; nc_params_check() is the one place
 * their ranges are judged (the client's setters, the hello decoder). */
#define NC_MODE_NAME_MAX 32
#define NC_MAX_DURATION_S 86400.0
#define NC_MAX_WARMUP_S 3600.0
#define NC_MAX_CPU 65536

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

/* Who sends in the run: the client in rr (it asks), and in a stream
 * the client only when reversed. */
static inline bool nc_client_sends(const struct nc_params *p)
{
	return p->workload == NC_WORKLOAD_RR || p->reverse;
}

/* Seconds as whole nanoseconds, rounded. */
static inline uint64_t nc_seconds_ns(double seconds)
{
	return (uint64_t)(seconds * 1e9 + 0.5);
}

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
	NC_WK_FLAG,		/* bool, one byte 0 or 1 */
	NC_WK_U8,		/* uint8_t, one byte */
	NC_WK_STR,		/* char[len], printable ASCII */
	NC_WK_BYTES,		/* uint8_t[len], exactly */
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
extern const struct nc_wire_spec nc_figures_spec;

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
};

struct nc_tag {
	uint8_t run_id[NC_RUN_ID_LEN];
	uint32_t index;
};

/* Zero-copy accounting of a flow, or of a side's flows; -1 each when
 * the mode is not zero-copy: sends that owe a notification (sendmsg
 * calls, io_uring sends), the notifications read, the send ids they
 * covered, those the kernel copied (-1 alone: it would not say), and
 * the sends retried for want of memory (ENOBUFS, -ENOMEM). */
struct nc_zc_counts {
	int64_t sends;
	int64_t notifications;
	int64_t completions;
	int64_t copied;
	int64_t enobufs;
};
extern const struct nc_zc_counts nc_zc_none;

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
	/* SO_SNDBUF and SO_RCVBUF the kernel held at the end, the largest
	 * over the side's connections; -1 each: not known. */
	int64_t sndbuf;
	int64_t rcvbuf;
	char reason[NC_REASON_MAX];
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
/* Bound how long a stalled peer can block a data connection. */
int nc_set_io_timeout(int fd, int seconds);
/* "ADDR port N" of a socket's peer, for logs. */
void nc_peer_name(int fd, char *buf, size_t len);

/* ---- engines: one per data path, all behind struct netcopy_mode. */

/* One data connection's work and, afterwards, its figures. */
struct nc_flow {
	int fd;
	uint32_t index;			/* binds the pattern to the link */
	/* The run's parameters, which outlive the flow. */
	const struct nc_params *params;
	uint64_t size;			/* params->size, read often */
	bool verify;			/* params->verify, likewise */
	bool sender;			/* stream: sends; rr: asks */
	const atomic_bool *stop;	/* the driving side stops when set */
	/* Set when the warm-up ends; NULL: measure from the start. */
	const atomic_bool *measuring;
	bool warm;			/* still in the warm-up */
	int cpu;			/* pin the thread here; -1: don't */
	atomic_uint_fast64_t progress;	/* bytes so far, for reports */
	bool done;			/* under the owner's lock: finished */

	/* Made by prepare: */
	uint8_t *send_buf;		/* a message, for one-buffer modes */
	uint8_t *recv_buf;
	size_t recv_cap;
	void *state;			/* the engine's own */
	struct nc_verifier verifier;
	struct nc_histogram *rtt;	/* rr, the asking side */

	uint64_t total_bytes;		/* warm-up included */
	uint64_t seq;			/* messages sent, warm-up included */
	uint64_t cpu_start_us;
	uint64_t bytes;			/* received, or sent by a sender */
	uint64_t messages;		/* messages, or round trips */
	uint64_t first_ns;
	uint64_t last_ns;
	uint64_t mismatches;
	struct nc_counters counters;
	struct nc_counts counts;
	uint64_t cpu_us;
	struct nc_zc_counts zc;		/* nc_zc_none unless zero-copy */
	/* The state of the receive path (params->rx) when not the mode's
	 * own; the receive-side zero-copy figures as in struct nc_figures
	 * (warm-up left out, so they add up to bytes). */
	void *rx_state;
	int64_t rx_zc_mapped;
	int64_t rx_zc_copied;
	int32_t rx_zc_refused;
	/* What the kernel held at the end (nc_sockbuf_read); 0: not read. */
	int64_t sndbuf;
	int64_t rcvbuf;
};

/* Whether the flow sends / receives messages (rr: both). */
static inline bool nc_flow_sends(const struct nc_flow *f)
{
	return f->sender || f->params->workload == NC_WORKLOAD_RR;
}

static inline bool nc_flow_receives(const struct nc_flow *f)
{
	return !f->sender || f->params->workload == NC_WORKLOAD_RR;
}

struct netcopy_mode {
	const char *name;
	const char *summary;
	/* The call recv_some reads with (enum nc_rx: NC_RX_RECV or
	 * NC_RX_RECVMSG), named in the Rx column when --rx is not given. */
	uint8_t own_rx;
	/* Sends from buffers registered with the kernel (--fixed-buffers). */
	bool fixed_buffers;
	/* 0, or NETCOPY_EUNSUPPORTED with a reason. */
	int (*probe)(const char **why);
	/* Buffer bytes one direction of a data connection of this mode
	 * commits for a message size and queue depth (--qd). */
	uint64_t (*memory)(uint64_t size, uint32_t qd);
	/* Make and touch the flow's buffers for what it sends and
	 * receives, before the run's clock starts.  0 or -errno. */
	int (*prepare)(struct nc_flow *flow);
	/* Send message number flow->seq (stamped when verifying).
	 * 0, -ETIMEDOUT for a stalled peer, or another error. */
	int (*send_message)(struct nc_flow *flow);
	/* Send what send_message queued but has not sent yet, before the
	 * stream's end.  NULL when send_message sends at once. */
	int (*send_flush)(struct nc_flow *flow);
	/* After the last message: collect what the kernel still owes
	 * (zero-copy completions).  NULL when there is nothing. */
	int (*send_end)(struct nc_flow *flow);
	/* Receive up to max bytes, never past the current message when
	 * the mode reads message by message; checked when verifying.
	 * Bytes read, 0 at end of stream, or a negative error. */
	ssize_t (*recv_some)(struct nc_flow *flow, size_t max);
	/* Free what prepare made; safe after a failed prepare. */
	void (*release)(struct nc_flow *flow);
};

/* Data connection index of a run of p on fd, at the client's end or
 * the server's: which sends, and the CPU its thread runs on (first_cpu
 * + index, -1: any).  stop and measuring are the run's. */
void nc_flow_init(struct nc_flow *flow, int fd, const struct nc_params *p,
		  uint32_t index, bool client, int first_cpu,
		  const atomic_bool *stop, const atomic_bool *measuring);
/* The engine's prepare, the counters opened (when flow->count) and the
 * rr histogram, in the thread that will run the flow, before the run
 * starts. */
int nc_flow_prepare(const struct netcopy_mode *mode, struct nc_flow *flow);
/* The flow's workload with counting on, then everything released. */
int nc_flow_run(const struct netcopy_mode *mode, struct nc_flow *flow);
/* Release what nc_flow_prepare made, for a flow that will not run. */
void nc_flow_release(const struct netcopy_mode *mode, struct nc_flow *flow);
/* Zeroed, page-aligned memory mapped for a run's data, populated now;
 * NULL when there is none.  Free with the same length. */
void *nc_pages_alloc(size_t len);
void nc_pages_free(void *p, size_t len);

/* One contiguous buffer each way: a message to send, and at least 64 KiB
 * to receive into.  The prepare/release of modes that need no more. */
int nc_buffers_prepare(struct nc_flow *flow, bool send, bool recv);
int nc_buffers_prepare_flow(struct nc_flow *flow);
void nc_buffers_release(struct nc_flow *flow);
uint64_t nc_recv_buffer_size(uint64_t size);
/* The memory of modes with one buffer each way. */
uint64_t nc_buffers_memory(uint64_t size, uint32_t qd);
/* recv() into that buffer, checked: the receive side of most modes. */
ssize_t nc_recv_into_buffer(struct nc_flow *flow, size_t max);
/* The same into buf of cap bytes: at most max bytes, checked when
 * verifying.  Bytes read, 0 at end of stream, or -errno. */
ssize_t nc_recv_into(struct nc_flow *flow, void *buf, size_t cap, size_t max);
/* send() all of buf (with flags); 0, -ETIMEDOUT for a stalled peer, or
 * -errno.  Never raises SIGPIPE. */
int nc_send_all(int fd, const void *buf, size_t len, int flags);

/* The warm-up is over: start every figure afresh (counters, CPU time,
 * bytes, messages, round trips). */
void nc_flow_begin_measuring(struct nc_flow *flow);

/* Call once per message or round trip: cheap while measuring. */
static inline void nc_flow_check_warmup(struct nc_flow *flow)
{
	if (__builtin_expect(flow->warm, 0) &&
	    atomic_load_explicit(flow->measuring, memory_order_relaxed))
		nc_flow_begin_measuring(flow);
}

/* ---- rx.c: the receive path a run asks for (--rx) instead of the
 * mode's own receive call. */
enum nc_rx {
	NC_RX_MODE,		/* the mode's own (the default) */
	NC_RX_RECV,		/* recv() into one buffer */
	NC_RX_RECVMSG,		/* recvmsg() scattering NC_FIELDS fields */
	NC_RX_ZERO_COPY,	/* TCP_ZEROCOPY_RECEIVE, recv() where not */
};
#define NC_RX_LAST NC_RX_ZERO_COPY
/* "mode", "recv", "recvmsg" or "zero-copy"; NULL past NC_RX_LAST. */
const char *nc_rx_name(uint8_t rx);
/* The path named; -EINVAL for none. */
int nc_rx_parse(const char *name, uint8_t *rx);
/* 0, or NETCOPY_EUNSUPPORTED with why: this build cannot receive so. */
int nc_rx_probe(uint8_t rx, const char **why);

/* One receive path: what nc_rx_* call for it (rx.c holds the table). */
struct nc_rx_ops {
	const char *name;
	/* 0, or NETCOPY_EUNSUPPORTED with why; NULL: always there. */
	int (*probe)(const char **why);
	/* Buffer bytes it adds to a receiving connection; NULL: none. */
	uint64_t (*memory)(uint64_t size);
	/* Set flow->rx_state up, even when failing (0 or -errno), so that
	 * release frees what was made.  NULL: the mode's own call. */
	int (*prepare)(struct nc_flow *flow);
	/* As struct netcopy_mode's recv_some. */
	ssize_t (*recv_some)(struct nc_flow *flow, size_t max);
	/* Free flow->rx_state (never NULL when called). */
	void (*release)(struct nc_flow *flow);
};

/* sockbuf.c: the socket buffers of a flow's data socket. */
/* Set those its params ask for (0 leaves one as the kernel has it).
 * 0 or a negative errno. */
int nc_sockbuf_apply(const struct nc_flow *flow);
/* At the end, when any was asked for: what the kernel holds, -1 each
 * where it would not say. */
void nc_sockbuf_read(struct nc_flow *flow);
/* A side's: the largest over its flows, -1 each when none is known. */
void nc_sockbuf_figures(struct nc_figures *f, const struct nc_flow *flows,
			uint32_t n);
/* Buffer bytes the path adds to a receiving connection. */
uint64_t nc_rx_memory(uint8_t rx, uint64_t size);
/* A receiving flow's path other than the mode's: flow->rx_state.
 * 0 or -errno; nc_rx_release frees it, also after a failure. */
int nc_rx_prepare(struct nc_flow *flow);
void nc_rx_release(struct nc_flow *flow);
/* recv_some of the path: as struct netcopy_mode's. */
ssize_t nc_rx_recv_some(struct nc_flow *flow, size_t max);

/* What the loops call to receive: the --rx path, or the mode's own. */
static inline ssize_t nc_recv_some(const struct netcopy_mode *mode,
				   struct nc_flow *flow, size_t max)
{
	return flow->rx_state ? nc_rx_recv_some(flow, max) :
				mode->recv_some(flow, max);
}

/* ---- scatter.c: recvmsg() into NC_FIELDS separately allocated fields,
 * message by message (one-copy's receive, and --rx recvmsg). */
struct nc_scatter {
	struct iovec field[NC_FIELDS];
	/* Where the next recvmsg() goes: the rest of the message. */
	struct iovec cursor[NC_FIELDS];
	struct iovec *next;
	size_t left;
};
/* Fields of a message of size bytes laid out by nc_layout_fields, each
 * its own allocation; 0 or -ENOMEM (free them even then). */
int nc_fields_alloc(struct iovec field[NC_FIELDS], uint64_t size);
void nc_fields_free(struct iovec field[NC_FIELDS]);
/* Drop n bytes from the front of an iovec array; returns entries left. */
size_t nc_iov_advance(struct iovec **iov, size_t cnt, size_t n);
/* 0 or -ENOMEM; nc_scatter_free frees it, also after a failure. */
int nc_scatter_init(struct nc_scatter *s, uint64_t size);
void nc_scatter_free(struct nc_scatter *s);
/* Reads at most the rest of the current message; checked. */
ssize_t nc_scatter_recv(struct nc_flow *flow, struct nc_scatter *s);

/* ---- rx-zero-copy.c: TCP_ZEROCOPY_RECEIVE, kept apart because
 * linux/tcp.h clashes with glibc's netinet/tcp.h; where the headers lack
 * it, its probe says so. */
extern const struct nc_rx_ops nc_rx_zero_copy;

/* ---- workload.c: the loops every engine runs in. */
int nc_stream_send(const struct netcopy_mode *mode, struct nc_flow *flow);
int nc_stream_recv(const struct netcopy_mode *mode, struct nc_flow *flow);
/* rr: ask and time round trips until *stop, or answer until EOF. */
int nc_rr_ask(const struct netcopy_mode *mode, struct nc_flow *flow);
int nc_rr_answer(const struct netcopy_mode *mode, struct nc_flow *flow);

/* Sum flows into one side's figures: the interval runs from the first
 * flow's first byte to the last flow's last; latency is the mean over
 * flows of interval / messages. */
void nc_figures_from_flows(struct nc_figures *f, const struct nc_flow *flows,
			   uint32_t n);
/* CPUs this machine has, for spreading pinned threads. */
unsigned int nc_cpus(void);
/* Whether name is a mode of netcopy's, even one this build lacks. */
bool nc_mode_exists(const char *name);
/* Whether NETCOPY_DISABLE_MODES names this mode. */
bool nc_mode_disabled_by_env(const char *name);

/* ---- file-blocks.c: what sendfile and splice send from. */
struct nc_file_blocks {
	int fd;			/* a memfd */
	uint64_t size;		/* of a block: the message size */
	uint64_t count;		/* blocks; message n is block n % count */
};
/* A file mode's sender: the blocks, and splice's pipe (-1 without). */
struct nc_file_sender {
	struct nc_file_blocks blocks;
	int pipe[2];
	size_t pipe_cap;
};
/* Blocks for a message size (2 to 16), and a file mode's memory. */
uint64_t nc_file_block_count(uint64_t size);
uint64_t nc_file_memory(uint64_t size, uint32_t qd);
static inline off_t nc_file_block_offset(const struct nc_file_blocks *b,
					 uint64_t seq)
{
	return (off_t)((seq % b->count) * b->size);
}
/* A file mode's prepare: a receiving flow gets its buffer and expects
 * the blocks' stamps; a sending one gets a struct nc_file_sender in
 * flow->state with its blocks written, and SIGPIPE blocked in its
 * thread.  0 or -errno.  Release frees all of it. */
int nc_file_prepare(struct nc_flow *flow);
void nc_file_release(struct nc_flow *flow);

/* ---- mode.c: the engines modes.def lists, and their names (an engine
 * sets .name = nc_mode_name_<id>); those not built are only declared. */
#define NC_MODE(id, name, built, why)					\
	extern const char nc_mode_name_##id[];				\
	extern const struct netcopy_mode nc_mode_##id;
#include "send/modes.def"
#undef NC_MODE

/* ---- uring-ring.c: what the io_uring engines share. */
struct nc_uring;
struct io_uring_sqe;

struct nc_uring_ops {
	/* Fill sqe to send len bytes of buf on fd with msg_flags, from
	 * registered buffer buf_index (-1: not registered). */
	void (*prep)(struct io_uring_sqe *sqe, int fd, void *buf, size_t len,
		     int msg_flags, int buf_index);
	/* Message slots for a message size and queue depth: at least qd,
	 * more where the kernel may hold a slot after its send. */
	uint32_t (*slots)(uint64_t size, uint32_t qd);
	bool notifies;			/* a send's pages are owed back */
	bool reports_copied;		/* notifications say "copied" */
};

/* 0, or NETCOPY_EUNSUPPORTED with why: io_uring cannot be set up here,
 * or lacks opcode (missing says so). */
int nc_uring_probe(int opcode, const char *missing, const char **why);
uint64_t nc_uring_memory(const struct nc_uring_ops *ops, uint64_t size,
			 uint32_t qd);
int nc_uring_open(struct nc_uring **out, const struct nc_uring_ops *ops,
		  int fd, uint64_t size, uint32_t qd, bool fixed);
void nc_uring_close(struct nc_uring *u);
/* The next slot's buffer, once the kernel is done with it. */
int nc_uring_next_buffer(struct nc_uring *u, uint8_t **buf);
/* Queue that slot's len bytes; the batch goes when full, or now. */
int nc_uring_queue(struct nc_uring *u, size_t len, bool now);
/* Send the batch and wait until all of it has been sent, in order. */
int nc_uring_flush(struct nc_uring *u);
/* Wait for every notification still owed. */
int nc_uring_drain(struct nc_uring *u);
/* The ring's zero-copy counts (a notification completes one send). */
const struct nc_zc_counts *nc_uring_counts(const struct nc_uring *u);
/* The engines' prepare, release, send_message and send_flush. */
int nc_uring_prepare_flow(struct nc_flow *flow,
			  const struct nc_uring_ops *ops);
void nc_uring_release_flow(struct nc_flow *flow);
int nc_uring_send_message(struct nc_flow *flow);
int nc_uring_send_flush(struct nc_flow *flow);

/* ---- result.c */
struct netcopy_result {
	struct nc_params params;	/* what the run asked for */
	int status;
	int64_t timestamp;		/* run start, seconds since the epoch */
	char host[256];			/* the server, as given */
	char kernel[65];		/* this machine's release */
	/* In rr the client, which asks, is the sender. */
	struct nc_figures receiver;
	struct nc_figures sender;
	struct nc_histogram rtt;	/* rr: every round trip, in ns */
};

/* ---- report.h: the columns, and the writers of a result. */
#include "report/report.h"

#endif /* NETCOPY_INTERNAL_H */
