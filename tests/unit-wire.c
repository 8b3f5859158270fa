/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unit-wire.c - the control protocol: every message survives encode and
 * decode; every malformed header and body is refused with
 * NETCOPY_EPROTOCOL and a reason; encoders never write past their
 * buffer; and thousands of random bodies crash no decoder (CI runs this
 * under ASan, so every decode reads from a buffer of exactly its length).
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "recv/recv.h"
#include "wire/wire.h"
#include "unit.h"

/* The field numbers come from lib/wire-spec.h (the byte-exact cases at
 * the end pin them); F_LAST here is the last field every trailer has. */
#define F_LAST NC_F_REQUIRED_LAST
#define KNOWN_ALL ((1ULL << NC_EV_COUNT) - 1)

/* The receive path goes on the wire as this byte. */
_Static_assert(NC_RX_MODE == 0 && NC_RX_RECV == 1 && NC_RX_RECVMSG == 2 &&
	       NC_RX_ZERO_COPY == 3 && NC_RX_RECVMMSG == 4 &&
	       NC_RX_GRO == 5 && NC_RX_LAST == 5,
	       "rx values");
/* The workload goes on the wire as this byte. */
_Static_assert(NC_WORKLOAD_STREAM == 0 && NC_WORKLOAD_RR == 1,
	       "workload values");
/* The longest warm-up in nanoseconds, and the CPU field's -1 (no
 * pinning): an int32 sign-extended to 64 bits. */
#define MAX_WARMUP_NS ((uint64_t)(NC_MAX_WARMUP_S * 1e9))
#define CPU_NONE UINT64_MAX
_Static_assert(NC_MAX_WARMUP_S == 3600.0 && NC_MAX_CPU == 65536,
	       "warm-up and CPU limits");

/* The zero-copy figures, in struct nc_figures order. */
static const uint16_t zc_field[5] = { NC_F_ZC_SENDS, NC_F_ZC_NOTIFICATIONS,
				      NC_F_ZC_COMPLETIONS, NC_F_ZC_COPIED,
				      NC_F_ZC_ENOBUFS };
static const char *const zc_name[5] = { "sends", "notifications",
					"completions", "copied", "enobufs" };

/* ---- building bodies by hand ---- */

struct body {
	uint8_t buf[NC_MAX_BODY + 64];
	size_t len;
};

static void raw_field(struct body *b, uint16_t type, uint16_t len,
		      const void *val)
{
	if (b->len + 4 + len > sizeof(b->buf))
		unit_error("test body overflow");
	b->buf[b->len++] = (uint8_t)(type >> 8);
	b->buf[b->len++] = (uint8_t)type;
	b->buf[b->len++] = (uint8_t)(len >> 8);
	b->buf[b->len++] = (uint8_t)len;
	if (len)
		memcpy(b->buf + b->len, val, len);
	b->len += len;
}

static void u64_field(struct body *b, uint16_t type, uint64_t v)
{
	uint8_t be[8];

	for (int i = 7; i >= 0; i--, v >>= 8)
		be[i] = (uint8_t)v;
	raw_field(b, type, 8, be);
}

static void u8_field(struct body *b, uint16_t type, uint8_t v)
{
	raw_field(b, type, 1, &v);
}

static void str_field(struct body *b, uint16_t type, const char *s)
{
	raw_field(b, type, (uint16_t)strlen(s), s);
}

/* What a valid hello holds, field by field, so tests can leave one out
 * or change one. */
struct hello_spec {
	const char *mode;
	uint64_t size, threads, duration;
	uint8_t reverse, verify, perf;
	uint8_t workload;		/* enum nc_workload */
	unsigned int omit;		/* field number to leave out */
	uint64_t warmup;		/* nanoseconds */
	uint64_t cpu;			/* int32 as u64: UINT64_MAX is -1 */
};

static const struct hello_spec good_hello = {
	"two-copy", 65536, 4, 2000000000, 1, 0, 1, NC_WORKLOAD_RR, 0,
	500000000, 3
};

static void build_hello(struct body *b, const struct hello_spec *s)
{
	b->len = 0;
	if (s->omit != NC_H_MODE)
		str_field(b, NC_H_MODE, s->mode);
	if (s->omit != NC_H_SIZE)
		u64_field(b, NC_H_SIZE, s->size);
	if (s->omit != NC_H_THREADS)
		u64_field(b, NC_H_THREADS, s->threads);
	if (s->omit != NC_H_DURATION)
		u64_field(b, NC_H_DURATION, s->duration);
	if (s->omit != NC_H_REVERSE)
		u8_field(b, NC_H_REVERSE, s->reverse);
	if (s->omit != NC_H_VERIFY)
		u8_field(b, NC_H_VERIFY, s->verify);
	if (s->omit != NC_H_PERF)
		u8_field(b, NC_H_PERF, s->perf);
	if (s->omit != NC_H_WORKLOAD)
		u8_field(b, NC_H_WORKLOAD, s->workload);
	if (s->omit != NC_H_WARMUP)
		u64_field(b, NC_H_WARMUP, s->warmup);
	if (s->omit != NC_H_CPU)
		u64_field(b, NC_H_CPU, s->cpu);
}

/* The same for figures: a value per field number (the scope field's is
 * its byte, repeated scope_len times), and the reason. */
struct figures_spec {
	uint64_t v[F_LAST + 1];
	const char *reason;
	uint16_t scope_len;
	unsigned int omit;		/* field number to leave out */
};

static struct figures_spec good_figures(void)
{
	struct figures_spec s;

	memset(&s, 0, sizeof(s));
	for (unsigned int f = NC_F_STATUS; f <= F_LAST; f++)
		s.v[f] = f * 1000;
	s.v[NC_F_STATUS] = 0;
	s.v[NC_F_COUNTERS_KNOWN] = KNOWN_ALL;
	s.v[NC_F_COUNTERS_SCOPE] = NC_SCOPE_ALL;
	s.v[NC_F_ZC_SENDS] = 40;
	s.v[NC_F_ZC_NOTIFICATIONS] = 30;
	s.v[NC_F_ZC_COMPLETIONS] = 20;
	s.v[NC_F_ZC_COPIED] = 10;
	s.v[NC_F_ZC_ENOBUFS] = 3;
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++)
		s.v[NC_F_COUNTER_0 + ev] = (ev + 1) * 1000000007ULL << ev;
	s.reason = "";
	s.scope_len = 1;
	return s;
}

/* Fields in number order, which is the encoder's order too. */
static void build_figures_spec(struct body *b, const struct figures_spec *s)
{
	b->len = 0;
	for (unsigned int f = NC_F_STATUS; f <= F_LAST; f++) {
		if (f == s->omit)
			continue;
		if (f == NC_F_REASON) {
			str_field(b, NC_F_REASON, s->reason);
		} else if (f == NC_F_COUNTERS_SCOPE) {
			uint8_t scope[8];

			if (s->scope_len > sizeof(scope))
				unit_error("scope field too long");
			memset(scope, (uint8_t)s->v[f], sizeof(scope));
			raw_field(b, (uint16_t)f, s->scope_len, scope);
		} else {
			u64_field(b, (uint16_t)f, s->v[f]);
		}
	}
}

/* Append field type of the well-formed body src to dst. */
static void copy_field(struct body *dst, const struct body *src,
		       uint16_t type)
{
	bool found = false;

	for (size_t pos = 0; pos + 4 <= src->len;) {
		uint16_t t = (uint16_t)(src->buf[pos] << 8 | src->buf[pos + 1]);
		uint16_t l = (uint16_t)(src->buf[pos + 2] << 8 |
					src->buf[pos + 3]);

		if (t == type) {
			raw_field(dst, t, l, src->buf + pos + 4);
			found = true;
		}
		pos += 4u + l;
	}
	if (!found)
		unit_error("field %u not in the body", type);
}

/* A valid body but for status, completions and copied; the other
 * zero-copy figures are -1 when both of those are, else counts. */
static void build_figures(struct body *b, unsigned int omit, uint64_t status,
			  uint64_t completions, uint64_t copied)
{
	struct figures_spec s = good_figures();

	s.omit = omit;
	s.v[NC_F_STATUS] = status;
	s.v[NC_F_ZC_COMPLETIONS] = completions;
	s.v[NC_F_ZC_COPIED] = copied;
	if (completions == UINT64_MAX && copied == UINT64_MAX) {
		s.v[NC_F_ZC_SENDS] = UINT64_MAX;
		s.v[NC_F_ZC_NOTIFICATIONS] = UINT64_MAX;
		s.v[NC_F_ZC_ENOBUFS] = UINT64_MAX;
	}
	build_figures_spec(b, &s);
}

/* Decoded figures hold exactly what the spec put on the wire. */
static void expect_figures(const struct nc_figures *got,
			   const struct figures_spec *s, const char *what)
{
	const int64_t zc[5] = { got->zc.sends, got->zc.notifications,
				got->zc.completions, got->zc.copied,
				got->zc.enobufs };

	CHECK(got->measured, "%s: not measured", what);
	CHECK(got->status == (int32_t)(int64_t)s->v[NC_F_STATUS],
	      "%s: status %" PRId32, what, got->status);
	CHECK(got->total_bytes == s->v[NC_F_TOTAL_BYTES],
	      "%s: total bytes %" PRIu64, what, got->total_bytes);
	CHECK(got->bytes == s->v[NC_F_BYTES] &&
	      got->messages == s->v[NC_F_MESSAGES] &&
	      got->interval_ns == s->v[NC_F_INTERVAL] &&
	      got->latency_ns == s->v[NC_F_LATENCY] &&
	      got->mismatches == s->v[NC_F_MISMATCHES] &&
	      got->cpu_us == s->v[NC_F_CPU_US],
	      "%s: a number field differs", what);
	CHECK(got->counts.known == s->v[NC_F_COUNTERS_KNOWN],
	      "%s: known %#" PRIx32, what, got->counts.known);
	CHECK(got->counts.scope == s->v[NC_F_COUNTERS_SCOPE],
	      "%s: scope %u", what, got->counts.scope);
	for (unsigned int i = 0; i < 5; i++)
		CHECK(zc[i] == (int64_t)s->v[zc_field[i]],
		      "%s: zc %s %" PRId64 ", want %" PRId64, what,
		      zc_name[i], zc[i], (int64_t)s->v[zc_field[i]]);
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++)
		CHECK(got->counts.value[ev] == s->v[NC_F_COUNTER_0 + ev],
		      "%s: counter %u %" PRIu64 ", want %" PRIu64, what, ev,
		      got->counts.value[ev], s->v[NC_F_COUNTER_0 + ev]);
	CHECK(strcmp(got->reason, s->reason) == 0,
	      "%s: reason \"%s\", want \"%s\"", what, got->reason,
	      s->reason);
}

/* Printable text longer than any text field may be. */
static char long_text[2000];

/* ---- decoding from a buffer of exactly len bytes ---- */

enum kind { HELLO, REPLY, TAG, FIGURES, N_KINDS };
static const char *const kind_name[] = { "hello", "reply", "tag", "figures" };

union decoded {
	struct nc_params hello;
	struct nc_reply reply;
	struct nc_tag tag;
	struct nc_figures figures;
};

static int decode(enum kind kind, const uint8_t *body, size_t len,
		  union decoded *out, const char **why)
{
	uint8_t *copy = unit_malloc(len);
	int err = -1;

	if (len)
		memcpy(copy, body, len);
	*why = NULL;
	switch (kind) {
	case HELLO:
		err = nc_hello_decode(copy, len, &out->hello, why);
		break;
	case REPLY:
		err = nc_reply_decode(copy, len, &out->reply, why);
		break;
	case TAG:
		err = nc_tag_decode(copy, len, &out->tag, why);
		break;
	case FIGURES:
		err = nc_figures_decode(copy, len, &out->figures, why);
		break;
	default:
		unit_error("bad kind");
	}
	free(copy);
	return err;
}

#define EXPECT_OK(kind, body, len, out, what)				\
	do {								\
		const char *why_;					\
		int err_ = decode(kind, body, len, out, &why_);		\
		CHECK(err_ == 0, "%s: %s: decode returned %d (%s)",	\
		      kind_name[kind], what, err_,			\
		      why_ ? why_ : "no reason");			\
	} while (0)

/* Refused figures are not marked measured (out_ starts as all 1s, so a
 * decoder that never cleared it would show). */
#define EXPECT_REFUSED(kind, body, len, what)				\
	do {								\
		union decoded out_;					\
		const char *why_;					\
		int err_;						\
									\
		memset(&out_, 1, sizeof(out_));				\
		err_ = decode(kind, body, len, &out_, &why_);		\
		CHECK(err_ == NETCOPY_EPROTOCOL,			\
		      "%s: %s: decode returned %d, want %d",		\
		      kind_name[kind], what, err_, NETCOPY_EPROTOCOL);	\
		CHECK(err_ == 0 || (why_ && *why_),			\
		      "%s: %s: refused without a reason",		\
		      kind_name[kind], what);				\
		CHECK((kind) != FIGURES || !out_.figures.measured,	\
		      "%s: %s: refused but measured",			\
		      kind_name[kind], what);				\
	} while (0)

/* ---- round trips ---- */

static void check_hello_round_trip(const struct nc_params *h)
{
	uint8_t buf[NC_MAX_BODY];
	union decoded d;
	int len = nc_hello_encode(h, buf, sizeof(buf));

	CHECK(len > 0 && len <= NC_MAX_BODY, "hello encode returned %d", len);
	if (len <= 0)
		return;
	memset(&d, 0x5a, sizeof(d));
	EXPECT_OK(HELLO, buf, (size_t)len, &d, h->mode);
	CHECK(strcmp(d.hello.mode, h->mode) == 0, "mode \"%s\", want \"%s\"",
	      d.hello.mode, h->mode);
	CHECK_U64(d.hello.size, h->size);
	CHECK_U64(d.hello.threads, h->threads);
	CHECK_U64(nc_seconds_ns(d.hello.duration), nc_seconds_ns(h->duration));
	CHECK_INT(d.hello.reverse, h->reverse);
	CHECK_INT(d.hello.verify, h->verify);
	CHECK_INT(d.hello.perf, h->perf);
	CHECK_INT(d.hello.workload, h->workload);
	CHECK_U64(nc_seconds_ns(d.hello.warmup), nc_seconds_ns(h->warmup));
	CHECK_INT(d.hello.cpu, h->cpu);
	CHECK_U64(d.hello.qd, h->qd);
	CHECK_INT(d.hello.fixed_buffers, h->fixed_buffers);
	CHECK_INT(d.hello.rx, h->rx);
	CHECK_U64(d.hello.sndbuf, h->sndbuf);
	CHECK_U64(d.hello.rcvbuf, h->rcvbuf);
	CHECK_U64(nc_seconds_ns(d.hello.rr_timeout),
		  nc_seconds_ns(h->rr_timeout));
	CHECK_U64(d.hello.flows, h->flows);
	if (h->qd != NETCOPY_DEFAULT_QD || h->fixed_buffers || h->rx ||
	    h->sndbuf || h->rcvbuf || h->flows ||
	    h->rr_timeout != NC_DEFAULT_RR_TIMEOUT_S)
		return;		/* then those come last */
	/* Both are numbers of 8 bytes, the CPU sign-extended, right after
	 * the workload and last. */
	CHECK(len >= 24 &&
	      buf[len - 24] == 0 && buf[len - 23] == NC_H_WARMUP &&
	      buf[len - 22] == 0 && buf[len - 21] == 8 &&
	      buf[len - 12] == 0 && buf[len - 11] == NC_H_CPU &&
	      buf[len - 10] == 0 && buf[len - 9] == 8,
	      "%s: warm-up and CPU not the last two fields", h->mode);
	if (len >= 24) {
		uint64_t warmup = 0, cpu = 0;

		for (int i = 0; i < 8; i++) {
			warmup = warmup << 8 | buf[len - 20 + i];
			cpu = cpu << 8 | buf[len - 8 + i];
		}
		CHECK_U64(warmup, nc_seconds_ns(h->warmup));
		CHECK_U64(cpu, (uint64_t)(int64_t)h->cpu);
	}
}

static void check_hellos(void)
{
	struct nc_params h;

	memset(&h, 0, sizeof(h));
	strcpy(h.mode, "two-copy");
	h.size = 65536;
	h.threads = 4;
	h.duration = 10;
	h.reverse = true;
	h.perf = true;
	h.workload = NC_WORKLOAD_STREAM;
	h.warmup = 0;
	h.cpu = -1;
	h.qd = NETCOPY_DEFAULT_QD;
	h.batch = NETCOPY_DEFAULT_BATCH;
	h.rr_timeout = NC_DEFAULT_RR_TIMEOUT_S;
	check_hello_round_trip(&h);

	strcpy(h.mode, "zero-copy");
	h.size = 1;
	h.threads = 1;
	h.duration = NETCOPY_MIN_SECONDS;
	h.reverse = false;
	h.verify = true;
	h.perf = false;
	h.workload = NC_WORKLOAD_RR;
	h.warmup = NETCOPY_MIN_SECONDS;
	h.cpu = 0;
	check_hello_round_trip(&h);
	/* rr over UDP's --rr-timeout, sent when not the default. */
	h.rr_timeout = 0.25;
	check_hello_round_trip(&h);
	h.rr_timeout = NC_DEFAULT_RR_TIMEOUT_S;

	/* Warm-up: none, the shortest, the longest; CPU: none, the first,
	 * the last. */
	{
		static const uint64_t warmups[] = { 0, 1000000, 2000000000,
						    MAX_WARMUP_NS };
		static const int32_t cpus[] = { -1, 0, 1, 63,
						NC_MAX_CPU - 1 };

		strcpy(h.mode, "one-copy");
		for (size_t i = 0; i < sizeof(warmups) / sizeof(*warmups);
		     i++) {
			for (size_t k = 0; k < sizeof(cpus) / sizeof(*cpus);
			     k++) {
				h.warmup = (double)(warmups[i]) / 1e9;
				h.cpu = cpus[k];
				check_hello_round_trip(&h);
			}
		}
	}

	/* The limits themselves are valid. */
	memset(h.mode, 'm', NC_MODE_NAME_MAX - 1);
	h.mode[NC_MODE_NAME_MAX - 1] = '\0';
	h.size = NETCOPY_MAX_MESSAGE_SIZE;
	h.threads = NETCOPY_MAX_THREADS;
	h.duration = (double)((uint64_t)(NC_MAX_DURATION_S * 1e9)) / 1e9;
	h.reverse = true;
	h.perf = true;
	h.warmup = (double)(MAX_WARMUP_NS) / 1e9;
	h.cpu = NC_MAX_CPU - 1;
	for (unsigned int w = NC_WORKLOAD_STREAM; w <= NC_WORKLOAD_RR; w++) {
		h.workload = (uint8_t)w;
		check_hello_round_trip(&h);
	}

	/* Every combination of the flags, with each workload. */
	strcpy(h.mode, "one-copy");
	for (unsigned int bits = 0; bits < 16; bits++) {
		h.reverse = bits & 1;
		h.verify = bits & 2;
		h.perf = bits & 4;
		h.workload = bits & 8 ? NC_WORKLOAD_RR : NC_WORKLOAD_STREAM;
		h.warmup = bits % 3 == 0 ? 0 :
			   (double)(bits * 1000000007ULL) / 1e9;
		h.cpu = bits % 5 == 0 ? -1 : (int32_t)(bits * 4099);
		check_hello_round_trip(&h);
	}
}

static void expect_hello_reason(const struct body *b, const char *reason,
				const char *what);

/* Queue depth and registered buffers (fields 11 and 12): optional, on
 * the wire only when not the defaults, checked against their limits. */
static void check_hello_uring(void)
{
	static const uint64_t bad_qd[] = { 0, NETCOPY_MAX_QD + 1,
					   1ULL << 32, UINT64_MAX };
	uint8_t with[NC_MAX_BODY], without[NC_MAX_BODY];
	struct hello_spec s = good_hello;
	struct nc_params h;
	union decoded d;
	struct body b;
	char what[64];
	int len, base;

	/* An old client's hello means the defaults. */
	build_hello(&b, &s);
	EXPECT_OK(HELLO, b.buf, b.len, &d, "hello without qd");
	CHECK_U64(d.hello.qd, NETCOPY_DEFAULT_QD);
	CHECK_INT(d.hello.fixed_buffers, 0);
	h = d.hello;
	base = nc_hello_encode(&h, without, sizeof(without));
	CHECK(base == (int)b.len, "defaults encoded in %d bytes, want %zu "
	      "(no qd, no fixed-buffers field)", base, b.len);

	strcpy(h.mode, "uring-zc");
	for (uint32_t qd = 1; qd <= NETCOPY_MAX_QD; qd = qd * 2 + 1) {
		h.qd = qd;
		h.fixed_buffers = qd & 2;
		check_hello_round_trip(&h);
	}
	h.qd = NETCOPY_MAX_QD;
	h.fixed_buffers = true;
	check_hello_round_trip(&h);
	len = nc_hello_encode(&h, with, sizeof(with));
	CHECK(len == base + 12 + 5, "qd and fixed-buffers took %d bytes, "
	      "want 17", len - base);

	for (size_t i = 0; i < sizeof(bad_qd) / sizeof(*bad_qd); i++) {
		build_hello(&b, &s);
		u64_field(&b, NC_H_QD, bad_qd[i]);
		snprintf(what, sizeof(what), "qd %" PRIu64, bad_qd[i]);
		expect_hello_reason(&b, "queue depth out of range", what);
	}
	build_hello(&b, &s);
	u8_field(&b, NC_H_QD, 8);
	EXPECT_REFUSED(HELLO, b.buf, b.len, "qd of 1 byte");
	build_hello(&b, &s);
	u64_field(&b, NC_H_QD, 4);
	u64_field(&b, NC_H_QD, 4);
	expect_hello_reason(&b, "repeated field", "qd twice");
	build_hello(&b, &s);
	u8_field(&b, NC_H_FIXED_BUFFERS, 2);
	EXPECT_REFUSED(HELLO, b.buf, b.len, "fixed-buffers 2");
	build_hello(&b, &s);
	u64_field(&b, NC_H_FIXED_BUFFERS, 1);
	EXPECT_REFUSED(HELLO, b.buf, b.len, "fixed-buffers of 8 bytes");
	build_hello(&b, &s);
	u8_field(&b, NC_H_LAST + 1, 0);
	expect_hello_reason(&b, "unknown field", "the field after the last");
	/* Given explicitly, the defaults decode the same. */
	build_hello(&b, &s);
	u64_field(&b, NC_H_QD, NETCOPY_DEFAULT_QD);
	u8_field(&b, NC_H_FIXED_BUFFERS, 0);
	EXPECT_OK(HELLO, b.buf, b.len, &d, "explicit defaults");
	CHECK_U64(d.hello.qd, NETCOPY_DEFAULT_QD);
	CHECK_INT(d.hello.fixed_buffers, 0);
}

static void check_reply_round_trip(const struct nc_reply *r)
{
	uint8_t buf[NC_MAX_BODY];
	union decoded d;
	int len = nc_reply_encode(r, buf, sizeof(buf));

	CHECK(len > 0 && len <= NC_MAX_BODY, "reply encode returned %d", len);
	if (len <= 0)
		return;
	memset(&d, 0x5a, sizeof(d));
	EXPECT_OK(REPLY, buf, (size_t)len, &d,
		  r->accepted ? "accepted" : r->reason);
	CHECK_INT(d.reply.accepted, r->accepted);
	if (r->accepted) {
		CHECK(memcmp(d.reply.run_id, r->run_id, NC_RUN_ID_LEN) == 0,
		      "run id differs after the round trip");
	} else {
		CHECK_INT(d.reply.code, r->code);
		CHECK(strcmp(d.reply.reason, r->reason) == 0,
		      "reason \"%s\", want \"%s\"", d.reply.reason,
		      r->reason);
	}
}

static void check_replies(void)
{
	struct nc_reply r;

	memset(&r, 0, sizeof(r));
	r.accepted = true;
	for (int i = 0; i < NC_RUN_ID_LEN; i++)
		r.run_id[i] = (uint8_t)(0xf0 + i * 7);
	check_reply_round_trip(&r);

	memset(&r, 0, sizeof(r));
	r.accepted = false;
	r.code = NETCOPY_EUNSUPPORTED;
	strcpy(r.reason, "mode zero-copy is not supported on this server");
	check_reply_round_trip(&r);

	r.code = -12;	/* -ENOMEM: a refusal may carry an errno too */
	memset(r.reason, 'r', NC_REASON_MAX - 1);
	r.reason[NC_REASON_MAX - 1] = '\0';
	check_reply_round_trip(&r);

	r.code = NETCOPY_EREFUSED;
	r.reason[0] = '\0';
	check_reply_round_trip(&r);
}

static void check_tags(void)
{
	static const uint32_t indexes[] = { 0, 1, 7, NETCOPY_MAX_THREADS - 1 };

	for (size_t k = 0; k < sizeof(indexes) / sizeof(indexes[0]); k++) {
		struct nc_tag t = { .index = indexes[k] };
		uint8_t buf[NC_MAX_BODY];
		union decoded d;
		int len;

		for (int i = 0; i < NC_RUN_ID_LEN; i++)
			t.run_id[i] = (uint8_t)(i * 31 + k);
		len = nc_tag_encode(&t, buf, sizeof(buf));
		CHECK(len > 0, "tag encode returned %d", len);
		if (len <= 0)
			continue;
		EXPECT_OK(TAG, buf, (size_t)len, &d, "round trip");
		CHECK_U64(d.tag.index, t.index);
		CHECK(memcmp(d.tag.run_id, t.run_id, NC_RUN_ID_LEN) == 0,
		      "tag run id differs after the round trip");
	}
}

static void check_figures_round_trip(const struct nc_figures *f)
{
	uint8_t buf[NC_MAX_BODY];
	union decoded d;
	struct nc_sockbufs bufs;
	int len = nc_figures_encode(f, buf, sizeof(buf));

	CHECK(len > 0 && len <= NC_MAX_BODY, "figures encode returned %d",
	      len);
	if (len <= 0)
		return;
	memset(&d, 0x5a, sizeof(d));
	EXPECT_OK(FIGURES, buf, (size_t)len, &d, f->reason);
	CHECK_INT(d.figures.status, f->status);
	CHECK_U64(d.figures.total_bytes, f->total_bytes);
	CHECK_U64(d.figures.bytes, f->bytes);
	/* Total bytes: a number of 8 bytes just before the counters. */
	CHECK((size_t)len >= 12u * (NC_EV_COUNT + 1),
	      "figures of %d bytes", len);
	if ((size_t)len >= 12u * (NC_EV_COUNT + 1)) {
		size_t at = (size_t)len - 12u * (NC_EV_COUNT + 1);
		uint64_t total = 0;

		CHECK(buf[at] == 0 && buf[at + 1] == NC_F_TOTAL_BYTES &&
		      buf[at + 2] == 0 && buf[at + 3] == 8,
		      "total bytes not just before the counters");
		for (size_t i = 0; i < 8; i++)
			total = total << 8 | buf[at + 4 + i];
		CHECK_U64(total, f->total_bytes);
	}
	CHECK_U64(d.figures.messages, f->messages);
	CHECK_U64(d.figures.interval_ns, f->interval_ns);
	CHECK_U64(d.figures.latency_ns, f->latency_ns);
	CHECK_U64(d.figures.mismatches, f->mismatches);
	CHECK_INT(d.figures.zc.completions, f->zc.completions);
	CHECK_INT(d.figures.zc.copied, f->zc.copied);
	CHECK_INT(d.figures.zc.sends, f->zc.sends);
	CHECK_INT(d.figures.zc.notifications, f->zc.notifications);
	CHECK_INT(d.figures.zc.enobufs, f->zc.enobufs);
	CHECK_INT(d.figures.rx_zc_mapped, f->rx_zc_mapped);
	bufs = f->sockbuf;	/* both go on the wire, or neither */
	if (bufs.snd < 0 || bufs.rcv < 0)
		bufs = nc_sockbufs_none;
	CHECK_INT(d.figures.sockbuf.snd, bufs.snd);
	CHECK_INT(d.figures.sockbuf.rcv, bufs.rcv);
	CHECK_INT(d.figures.rx_zc_copied,
		  f->rx_zc_mapped < 0 ? -1 : f->rx_zc_copied);
	CHECK_INT(d.figures.rx_zc_refused,
		  f->rx_zc_mapped < 0 ? 0 : f->rx_zc_refused);
	CHECK_U64(d.figures.cpu_us, f->cpu_us);
	CHECK_U64(d.figures.counts.known, f->counts.known);
	CHECK_INT(d.figures.counts.scope, f->counts.scope);
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++)
		CHECK_U64(d.figures.counts.value[ev], f->counts.value[ev]);
	for (int i = 0; i < NC_TCP_FIGS; i++)
		CHECK(f->tcp.value[i] < 0 ? d.figures.tcp.value[i] == -1 :
		      fabs(d.figures.tcp.value[i] - f->tcp.value[i]) <= 5e-7,
		      "TCP figure %d: %.9g, want %.9g", i,
		      d.figures.tcp.value[i], f->tcp.value[i]);
	CHECK_INT(d.figures.pacing, f->pacing);
	CHECK_U64(d.figures.rate_cap, f->rate_cap);
	CHECK_INT(d.figures.measured, true);
	CHECK(strcmp(d.figures.reason, f->reason) == 0,
	      "reason \"%s\", want \"%s\"", d.figures.reason, f->reason);
}

static void set_zc(struct nc_figures *f, int64_t sends, int64_t notifications,
		   int64_t completions, int64_t copied, int64_t enobufs)
{
	f->zc.sends = sends;
	f->zc.notifications = notifications;
	f->zc.completions = completions;
	f->zc.copied = copied;
	f->zc.enobufs = enobufs;
}

static void check_figures(void)
{
	struct nc_figures f;

	memset(&f, 0, sizeof(f));
	f.status = 0;
	f.total_bytes = 0;
	f.bytes = 123456789012345ULL;
	f.messages = 1884;
	f.interval_ns = 100000000;
	f.latency_ns = 53079;
	f.mismatches = 0;
	f.cpu_us = 98765;
	set_zc(&f, -1, -1, -1, -1, -1);	/* not zero-copy */
	f.counts.known = KNOWN_ALL;
	f.counts.scope = NC_SCOPE_ALL;
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++)
		f.counts.value[ev] = 123456789ULL * (ev + 3);
	check_figures_round_trip(&f);

	f.status = NETCOPY_EVERIFY;
	f.total_bytes = UINT64_MAX;
	f.bytes = UINT64_MAX;
	f.messages = UINT64_MAX - 1;
	f.interval_ns = UINT64_MAX;
	f.latency_ns = 1;
	f.mismatches = 3;
	f.cpu_us = UINT64_MAX;
	set_zc(&f, 1200, 900, 1000, 1000, 17);
	f.counts.scope = NC_SCOPE_USER;
	f.counts.known = 1u << NC_EV_CYCLES | 1u << NC_EV_PAGE_FAULTS;
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++)
		f.counts.value[ev] = UINT64_MAX - ev;
	strcpy(f.reason, "3 messages did not match");
	check_figures_round_trip(&f);

	f.status = -104;		/* -ECONNRESET */
	f.total_bytes = 1;
	set_zc(&f, INT64_MAX, INT64_MAX, INT64_MAX, 0, INT64_MAX);
	f.cpu_us = 0;
	f.counts.scope = NC_SCOPE_OFF;
	f.counts.known = 0;
	memset(f.counts.value, 0, sizeof(f.counts.value));
	memset(f.reason, '~', NC_REASON_MAX - 1);
	f.reason[NC_REASON_MAX - 1] = '\0';
	check_figures_round_trip(&f);

	/* Zero-copy counts that are all zero, and copied == completions at
	 * the largest value. */
	f.reason[0] = '\0';
	set_zc(&f, 0, 0, 0, 0, 0);
	check_figures_round_trip(&f);
	set_zc(&f, 0, 0, INT64_MAX, INT64_MAX, 0);
	check_figures_round_trip(&f);

	/* Each scope with known masks of every shape: none, each counter
	 * alone, all but each one, all; and a value in every counter. */
	for (unsigned int scope = NC_SCOPE_OFF; scope <= NC_SCOPE_ALL;
	     scope++) {
		f.counts.scope = (uint8_t)scope;
		for (unsigned int k = 0; k <= 2 * NC_EV_COUNT + 1; k++) {
			f.counts.known = k == 0 ? 0 :
				k <= NC_EV_COUNT ? 1u << (k - 1) :
				k <= 2 * NC_EV_COUNT ?
				(uint32_t)KNOWN_ALL &
				~(1u << (k - NC_EV_COUNT - 1)) :
				(uint32_t)KNOWN_ALL;
			for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++)
				f.counts.value[ev] = (uint64_t)(k + 1) <<
						     (ev * 9);
			f.cpu_us = scope * 1000 + k;
			f.total_bytes = k % 3 == 0 ? 0 : k % 3 == 1 ?
					UINT64_MAX : (uint64_t)k << 40;
			if (k % 2)
				set_zc(&f, -1, -1, -1, -1, -1);
			else
				set_zc(&f, k, k + 1, k + 2, k, k / 2);
			check_figures_round_trip(&f);
		}
	}
}

/* ---- headers ---- */

static int header_decode(const uint8_t in[NC_HEADER_LEN], struct nc_header *h,
			 const char **why)
{
	uint8_t *copy = unit_malloc(NC_HEADER_LEN);
	int err;

	memcpy(copy, in, NC_HEADER_LEN);
	*why = NULL;
	err = nc_header_decode(copy, h, why);
	free(copy);
	return err;
}

static void expect_header_refused(const uint8_t buf[NC_HEADER_LEN],
				  const char *what)
{
	struct nc_header h;
	const char *why;
	int err = header_decode(buf, &h, &why);

	CHECK(err == NETCOPY_EPROTOCOL, "header %s: returned %d, want %d",
	      what, err, NETCOPY_EPROTOCOL);
	CHECK(err == 0 || (why && *why), "header %s: refused without reason",
	      what);
}

static void check_headers(void)
{
	static const uint32_t lengths[] = { 0, 1, 100, NC_MAX_BODY };
	uint8_t buf[NC_HEADER_LEN];
	struct nc_header h;
	const char *why;
	int err;

	for (uint16_t type = NC_MSG_HELLO; type <= NC_MSG_LAST; type++) {
		for (size_t i = 0; i < sizeof(lengths) / sizeof(*lengths); i++) {
			nc_header_encode(buf, type, lengths[i]);
			memset(&h, 0, sizeof(h));
			err = header_decode(buf, &h, &why);
			CHECK(err == 0, "header type %u length %u: %d (%s)",
			      type, lengths[i], err, why ? why : "");
			CHECK_INT(h.type, type);
			CHECK_U64(h.length, lengths[i]);
		}
	}

	/* Network byte order: "NCPY", version, type, length. */
	nc_header_encode(buf, NC_MSG_TRAILER, 0x0102);
	CHECK(memcmp(buf, "NCPY\0\1\0\5\0\0\1\2", NC_HEADER_LEN) == 0,
	      "header bytes %02x%02x%02x%02x %02x%02x %02x%02x "
	      "%02x%02x%02x%02x", buf[0], buf[1], buf[2], buf[3], buf[4],
	      buf[5], buf[6], buf[7], buf[8], buf[9], buf[10], buf[11]);

	nc_header_encode(buf, NC_MSG_HELLO, 10);
	buf[0] ^= 0x20;
	expect_header_refused(buf, "wrong magic");
	nc_header_encode(buf, NC_MSG_HELLO, 10);
	buf[3] = 0;
	expect_header_refused(buf, "wrong magic (last byte)");
	memset(buf, 0, sizeof(buf));
	expect_header_refused(buf, "all zero");
	nc_header_encode(buf, NC_MSG_HELLO, 10);
	buf[5] = NC_VERSION + 1;
	expect_header_refused(buf, "version 2");
	nc_header_encode(buf, NC_MSG_HELLO, 10);
	buf[4] = 1;
	expect_header_refused(buf, "version 257");
	nc_header_encode(buf, NC_MSG_HELLO, 10);
	buf[5] = 0;
	expect_header_refused(buf, "version 0");
	nc_header_encode(buf, NC_MSG_HELLO, NC_MAX_BODY + 1);
	expect_header_refused(buf, "body one byte too long");
	nc_header_encode(buf, NC_MSG_HELLO, UINT32_MAX);
	expect_header_refused(buf, "body 4 GiB long");
	nc_header_encode(buf, 0, 10);
	expect_header_refused(buf, "type 0");
	nc_header_encode(buf, NC_MSG_LAST + 1, 10);
	expect_header_refused(buf, "type past the last");
	nc_header_encode(buf, UINT16_MAX, 10);
	expect_header_refused(buf, "type 65535");
}

/* ---- malformed bodies ---- */

/* Every proper prefix of a valid body is refused. */
static void check_prefixes(enum kind kind, const uint8_t *body, size_t len)
{
	char what[64];

	for (size_t n = 0; n < len; n++) {
		snprintf(what, sizeof(what), "prefix of %zu of %zu bytes", n,
			 len);
		EXPECT_REFUSED(kind, body, n, what);
	}
}

/* Decoders refuse trailing bytes too short to be a field, and fields
 * that claim more bytes than there are. */
static void check_tails(enum kind kind, const uint8_t *body, size_t len)
{
	static const uint8_t stray[3] = { 0, 1, 0 };
	struct body b;
	char what[64];

	for (size_t extra = 1; extra <= sizeof(stray); extra++) {
		memcpy(b.buf, body, len);
		memcpy(b.buf + len, stray, extra);
		snprintf(what, sizeof(what), "%zu stray bytes at the end",
			 extra);
		EXPECT_REFUSED(kind, b.buf, len + extra, what);
	}
	/* A field header saying 8 bytes, with 3 there. */
	memcpy(b.buf, body, len);
	b.len = len;
	raw_field(&b, 1, 3, "abc");
	b.buf[len + 3] = 8;
	EXPECT_REFUSED(kind, b.buf, b.len, "field longer than the body");
	/* A field header saying 65535 bytes. */
	b.buf[len + 2] = 0xff;
	b.buf[len + 3] = 0xff;
	EXPECT_REFUSED(kind, b.buf, b.len, "field of 65535 bytes");
}

/* A hello refused with exactly this reason. */
static void expect_hello_reason(const struct body *b, const char *reason,
				const char *what)
{
	union decoded d;
	const char *why;
	int err;

	EXPECT_REFUSED(HELLO, b->buf, b->len, what);
	err = decode(HELLO, b->buf, b->len, &d, &why);
	CHECK(err == NETCOPY_EPROTOCOL && why && strcmp(why, reason) == 0,
	      "hello: %s: returned %d (%s), want %d (%s)", what, err,
	      why ? why : "no reason", NETCOPY_EPROTOCOL, reason);
}

/* A hello refused as out of range. */
static void expect_hello_out_of_range(const struct body *b, const char *what)
{
	union decoded d;
	const char *why;
	int err;

	EXPECT_REFUSED(HELLO, b->buf, b->len, what);
	err = decode(HELLO, b->buf, b->len, &d, &why);
	CHECK(err == NETCOPY_EPROTOCOL && why &&
	      strstr(why, "out of range") != NULL,
	      "hello: %s: returned %d (%s), want %d (out of range)", what,
	      err, why ? why : "no reason", NETCOPY_EPROTOCOL);
}

static void check_hello_refusals(void)
{
	struct hello_spec s;
	struct body b;
	char mode[NC_MODE_NAME_MAX + 8];
	char what[64];
	union decoded d;

	/* With each workload: the encoder writes the same fields, in the
	 * same order. */
	for (unsigned int w = NC_WORKLOAD_STREAM; w <= NC_WORKLOAD_RR; w++) {
		uint8_t enc[NC_MAX_BODY];
		int len;

		s = good_hello;
		s.workload = (uint8_t)w;
		build_hello(&b, &s);
		snprintf(what, sizeof(what), "hand-built hello, workload %u",
			 w);
		memset(&d, 0x5a, sizeof(d));
		EXPECT_OK(HELLO, b.buf, b.len, &d, what);
		CHECK(strcmp(d.hello.mode, "two-copy") == 0, "mode \"%s\"",
		      d.hello.mode);
		CHECK_U64(d.hello.size, good_hello.size);
		CHECK_U64(d.hello.threads, good_hello.threads);
		CHECK_U64(nc_seconds_ns(d.hello.duration), good_hello.duration);
		CHECK_INT(d.hello.reverse, 1);
		CHECK_INT(d.hello.verify, 0);
		CHECK_INT(d.hello.perf, 1);
		CHECK_INT(d.hello.workload, w);
		CHECK_U64(nc_seconds_ns(d.hello.warmup), good_hello.warmup);
		CHECK_INT(d.hello.cpu, (int32_t)(int64_t)good_hello.cpu);
		len = nc_hello_encode(&d.hello, enc, sizeof(enc));
		CHECK(len == (int)b.len &&
		      memcmp(enc, b.buf, b.len) == 0,
		      "%s: encoded hello (%d bytes) differs from the "
		      "hand-built one (%zu bytes)", what, len, b.len);
	}
	build_hello(&b, &good_hello);
	check_prefixes(HELLO, b.buf, b.len);
	check_tails(HELLO, b.buf, b.len);

	/* Field order does not matter. */
	b.len = 0;
	u64_field(&b, NC_H_CPU, UINT64_MAX);
	u64_field(&b, NC_H_WARMUP, 0);
	u8_field(&b, NC_H_WORKLOAD, NC_WORKLOAD_RR);
	u8_field(&b, NC_H_PERF, 0);
	u8_field(&b, NC_H_VERIFY, 1);
	u64_field(&b, NC_H_DURATION, 5000000);
	u8_field(&b, NC_H_REVERSE, 0);
	u64_field(&b, NC_H_THREADS, 2);
	u64_field(&b, NC_H_SIZE, 7);
	str_field(&b, NC_H_MODE, "one-copy");
	EXPECT_OK(HELLO, b.buf, b.len, &d, "fields in reverse order");
	CHECK_U64(d.hello.size, 7);
	CHECK_INT(d.hello.verify, 1);
	CHECK_INT(d.hello.perf, 0);
	CHECK_INT(d.hello.workload, NC_WORKLOAD_RR);
	CHECK_INT(d.hello.cpu, -1);
	CHECK_U64(nc_seconds_ns(d.hello.warmup), 0);

	/* Each required field left out. */
	for (unsigned int f = NC_H_MODE; f <= NC_H_CPU; f++) {
		s = good_hello;
		s.omit = f;
		build_hello(&b, &s);
		snprintf(what, sizeof(what), "field %u missing", f);
		EXPECT_REFUSED(HELLO, b.buf, b.len, what);
	}
	/* The new ones with the decoder's reason, alone and together. */
	s = good_hello;
	s.omit = NC_H_WARMUP;
	build_hello(&b, &s);
	expect_hello_reason(&b, "required field missing", "warm-up missing");
	s.omit = NC_H_CPU;
	build_hello(&b, &s);
	expect_hello_reason(&b, "required field missing", "CPU missing");
	s.omit = NC_H_CPU;
	build_hello(&b, &s);
	b.len -= 12;		/* the warm-up, now last, too */
	expect_hello_reason(&b, "required field missing",
			    "warm-up and CPU missing");
	/* The CPU under the next field number is no CPU. */
	s.omit = NC_H_CPU;
	build_hello(&b, &s);
	u64_field(&b, NC_H_CPU + 1, good_hello.cpu);
	EXPECT_REFUSED(HELLO, b.buf, b.len, "CPU sent as field 11");

	/* Warm-up and CPU: the edges of their ranges. */
	{
		static const struct { uint64_t warmup, cpu; bool ok; } w[] = {
			{ 0, 0, true },
			{ (uint64_t)(NC_MAX_WARMUP_S * 1e9), NC_MAX_CPU - 1,
			  true },
			{ (uint64_t)(NC_MAX_WARMUP_S * 1e9) + 1, 0, false },
			{ 0, NC_MAX_CPU, false },
			{ 0, (uint64_t)-2, false },
			{ 0, 1ULL << 32, false },
			{ UINT64_MAX, UINT64_MAX, false },
			/* More edges: none, the shortest, -1 with each. */
			{ 0, CPU_NONE, true },
			{ 1000000, CPU_NONE, true },
			{ 1000000, 0, true },
			{ 1000000, 1, true },
			{ 999999, 0, false },
			{ 1, CPU_NONE, false },
			{ MAX_WARMUP_NS, CPU_NONE, true },
			{ MAX_WARMUP_NS - 1, NC_MAX_CPU - 2, true },
			{ MAX_WARMUP_NS + 1, CPU_NONE, false },
			{ MAX_WARMUP_NS + 1, NC_MAX_CPU - 1, false },
			{ MAX_WARMUP_NS * 2, 0, false },
			{ 1ULL << 63, 0, false },
			{ UINT64_MAX, 0, false },
			{ UINT64_MAX, CPU_NONE, false },
			{ MAX_WARMUP_NS, NC_MAX_CPU, false },
			{ 0, NC_MAX_CPU + 1, false },
			{ 0, INT32_MAX, false },
			/* CPUs that only become valid cut to 32 bits (the
			 * encoder sign-extends). */
			{ 0, 0xffffffffULL, false },
			{ 0, (1ULL << 32) + 1, false },
			{ 0, 0xffffffff00000000ULL, false },
			{ 0, (uint64_t)(int64_t)INT32_MIN, false },
			{ 0, 0x80000000ULL, false },
			{ 0, (uint64_t)-(int64_t)NC_MAX_CPU, false },
			{ 0, 1ULL << 63, false },
			{ 0, (uint64_t)INT64_MAX, false },
			{ 0, 0x7fffffffffffffffULL - 1, false },
		};

		for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
			s = good_hello;
			s.warmup = w[i].warmup;
			s.cpu = w[i].cpu;
			build_hello(&b, &s);
			snprintf(what, sizeof(what), "warm-up %" PRIu64
				 " cpu %" PRIu64, w[i].warmup, w[i].cpu);
			if (w[i].ok) {
				uint8_t enc[NC_MAX_BODY];
				int len;

				memset(&d, 0x5a, sizeof(d));
				EXPECT_OK(HELLO, b.buf, b.len, &d, what);
				CHECK_U64(nc_seconds_ns(d.hello.warmup),
					  w[i].warmup);
				CHECK_INT(d.hello.cpu, (int64_t)w[i].cpu);
				CHECK_U64(d.hello.size, good_hello.size);
				CHECK_INT(d.hello.workload,
					  good_hello.workload);
				len = nc_hello_encode(&d.hello, enc,
						      sizeof(enc));
				CHECK(len == (int)b.len &&
				      memcmp(enc, b.buf, b.len) == 0,
				      "%s: encoded differently", what);
			} else {
				expect_hello_out_of_range(&b, what);
			}
		}
	}

	/* Unknown fields. */
	static const uint16_t unknown[] = { 0, NC_H_LAST + 1,
					    NC_H_LAST + 2, 31, 32, 33, 255,
					    256, 0x8001, UINT16_MAX };
	for (size_t i = 0; i < sizeof(unknown) / sizeof(*unknown); i++) {
		/* As a flag, a number that would be in range, and empty. */
		build_hello(&b, &good_hello);
		u8_field(&b, unknown[i], 0);
		snprintf(what, sizeof(what), "unknown flag field %u",
			 unknown[i]);
		EXPECT_REFUSED(HELLO, b.buf, b.len, what);
		build_hello(&b, &good_hello);
		u64_field(&b, unknown[i], 1);
		snprintf(what, sizeof(what), "unknown number field %u",
			 unknown[i]);
		EXPECT_REFUSED(HELLO, b.buf, b.len, what);
		build_hello(&b, &good_hello);
		raw_field(&b, unknown[i], 0, NULL);
		snprintf(what, sizeof(what), "unknown empty field %u",
			 unknown[i]);
		EXPECT_REFUSED(HELLO, b.buf, b.len, what);
	}

	/* Repeated fields, even with the same value. */
	build_hello(&b, &good_hello);
	u64_field(&b, NC_H_SIZE, good_hello.size);
	EXPECT_REFUSED(HELLO, b.buf, b.len, "size twice");
	build_hello(&b, &good_hello);
	str_field(&b, NC_H_MODE, "one-copy");
	EXPECT_REFUSED(HELLO, b.buf, b.len, "mode twice");
	build_hello(&b, &good_hello);
	u8_field(&b, NC_H_PERF, good_hello.perf);
	EXPECT_REFUSED(HELLO, b.buf, b.len, "perf twice");
	build_hello(&b, &good_hello);
	u8_field(&b, NC_H_PERF, !good_hello.perf);
	EXPECT_REFUSED(HELLO, b.buf, b.len, "perf twice, both values");
	build_hello(&b, &good_hello);
	u8_field(&b, NC_H_WORKLOAD, good_hello.workload);
	EXPECT_REFUSED(HELLO, b.buf, b.len, "workload twice");
	build_hello(&b, &good_hello);
	u8_field(&b, NC_H_WORKLOAD, NC_WORKLOAD_STREAM);
	EXPECT_REFUSED(HELLO, b.buf, b.len, "workload twice, both values");
	s = good_hello;
	s.omit = NC_H_WORKLOAD;
	build_hello(&b, &s);
	u8_field(&b, NC_H_WORKLOAD, NC_WORKLOAD_STREAM);
	u8_field(&b, NC_H_WORKLOAD, NC_WORKLOAD_STREAM);
	EXPECT_REFUSED(HELLO, b.buf, b.len, "workload stream twice");
	build_hello(&b, &good_hello);
	u64_field(&b, NC_H_WARMUP, good_hello.warmup);
	EXPECT_REFUSED(HELLO, b.buf, b.len, "warm-up twice");
	build_hello(&b, &good_hello);
	u64_field(&b, NC_H_WARMUP, 0);
	EXPECT_REFUSED(HELLO, b.buf, b.len, "warm-up twice, then 0");
	build_hello(&b, &good_hello);
	u64_field(&b, NC_H_CPU, good_hello.cpu);
	EXPECT_REFUSED(HELLO, b.buf, b.len, "CPU twice");
	build_hello(&b, &good_hello);
	u64_field(&b, NC_H_CPU, CPU_NONE);
	EXPECT_REFUSED(HELLO, b.buf, b.len, "CPU twice, then -1");
	s = good_hello;
	s.cpu = CPU_NONE;
	build_hello(&b, &s);
	u64_field(&b, NC_H_CPU, CPU_NONE);
	EXPECT_REFUSED(HELLO, b.buf, b.len, "CPU -1 twice");
	s = good_hello;
	s.omit = NC_H_WARMUP;
	build_hello(&b, &s);
	u64_field(&b, NC_H_WARMUP, 0);
	u64_field(&b, NC_H_WARMUP, 0);
	EXPECT_REFUSED(HELLO, b.buf, b.len, "warm-up 0 twice");
	/* Every field repeated right after itself. */
	for (unsigned int f = NC_H_MODE; f <= NC_H_CPU; f++) {
		struct body all;

		build_hello(&all, &good_hello);
		b.len = 0;
		for (unsigned int g = NC_H_MODE; g <= NC_H_CPU; g++) {
			copy_field(&b, &all, (uint16_t)g);
			if (g == f)
				copy_field(&b, &all, (uint16_t)g);
		}
		snprintf(what, sizeof(what), "field %u twice", f);
		EXPECT_REFUSED(HELLO, b.buf, b.len, what);
	}

	/* Numbers and flags of the wrong length. */
	static const uint16_t bad_num_len[] = { 0, 1, 3, 4, 7, 9, 16 };
	for (unsigned int f = NC_H_SIZE; f <= NC_H_DURATION; f++) {
		for (size_t i = 0; i < sizeof(bad_num_len) /
					   sizeof(*bad_num_len); i++) {
			uint8_t zeros[16] = { 0 };

			s = good_hello;
			s.omit = f;
			build_hello(&b, &s);
			zeros[bad_num_len[i] ? bad_num_len[i] - 1 : 0] = 1;
			raw_field(&b, (uint16_t)f, bad_num_len[i], zeros);
			snprintf(what, sizeof(what),
				 "field %u of %u bytes", f, bad_num_len[i]);
			EXPECT_REFUSED(HELLO, b.buf, b.len, what);
		}
	}
	/* The warm-up and the CPU too, whatever the bytes say (all zero,
	 * all 0xff as a short -1, a valid value in the last 8), and with
	 * the reason a number's. */
	for (unsigned int f = NC_H_WARMUP; f <= NC_H_CPU; f++) {
		for (size_t i = 0; i < sizeof(bad_num_len) /
					   sizeof(*bad_num_len); i++) {
			for (unsigned int fill = 0; fill < 3; fill++) {
				uint8_t val[16];

				memset(val, fill == 1 ? 0xff : 0, sizeof(val));
				if (fill == 2 && bad_num_len[i])
					val[bad_num_len[i] - 1] = 1;
				s = good_hello;
				s.omit = f;
				build_hello(&b, &s);
				raw_field(&b, (uint16_t)f, bad_num_len[i],
					  val);
				snprintf(what, sizeof(what),
					 "field %u of %u bytes, fill %u", f,
					 bad_num_len[i], fill);
				expect_hello_reason(&b,
					"number field of the wrong length",
					what);
			}
		}
	}
	/* The flags and the workload: one byte, 0 or 1 (the workload is
	 * an enum of two, stream and rr). */
	for (unsigned int f = NC_H_REVERSE; f <= NC_H_WORKLOAD; f++) {
		static const uint8_t two[2] = { 0, 1 };
		static const uint8_t eight[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };
		const char *name = f == NC_H_WORKLOAD ? "workload" : "flag";

		s = good_hello;
		s.omit = f;
		build_hello(&b, &s);
		raw_field(&b, (uint16_t)f, 0, NULL);
		snprintf(what, sizeof(what), "empty %s %u", name, f);
		EXPECT_REFUSED(HELLO, b.buf, b.len, what);
		build_hello(&b, &s);
		raw_field(&b, (uint16_t)f, 2, two);
		snprintf(what, sizeof(what), "%s %u of 2 bytes", name, f);
		EXPECT_REFUSED(HELLO, b.buf, b.len, what);
		build_hello(&b, &s);
		raw_field(&b, (uint16_t)f, 8, eight);
		snprintf(what, sizeof(what), "%s %u of 8 bytes", name, f);
		EXPECT_REFUSED(HELLO, b.buf, b.len, what);
		build_hello(&b, &s);
		u8_field(&b, (uint16_t)f, 2);
		snprintf(what, sizeof(what), "%s %u value 2", name, f);
		EXPECT_REFUSED(HELLO, b.buf, b.len, what);
		build_hello(&b, &s);
		u8_field(&b, (uint16_t)f, 0xff);
		snprintf(what, sizeof(what), "%s %u value 255", name, f);
		EXPECT_REFUSED(HELLO, b.buf, b.len, what);
		for (uint8_t v = 0; v <= 1; v++) {
			build_hello(&b, &s);
			u8_field(&b, (uint16_t)f, v);
			snprintf(what, sizeof(what), "%s %u value %u", name,
				 f, v);
			memset(&d, 0x5a, sizeof(d));
			EXPECT_OK(HELLO, b.buf, b.len, &d, what);
			CHECK_INT(f == NC_H_REVERSE ? d.hello.reverse :
				  f == NC_H_VERIFY ? d.hello.verify :
				  f == NC_H_PERF ? d.hello.perf :
				  d.hello.workload, v);
		}
	}

	/* The workload: every byte but 0 (stream) and 1 (rr), and every
	 * other length, is refused as an unknown workload. */
	for (unsigned int v = 0; v <= UINT8_MAX; v++) {
		s = good_hello;
		s.omit = NC_H_WORKLOAD;
		build_hello(&b, &s);
		u8_field(&b, NC_H_WORKLOAD, (uint8_t)v);
		snprintf(what, sizeof(what), "workload %u", v);
		if (v <= NC_WORKLOAD_RR) {
			memset(&d, 0x5a, sizeof(d));
			EXPECT_OK(HELLO, b.buf, b.len, &d, what);
			CHECK_INT(d.hello.workload, v);
			CHECK_INT(d.hello.perf, good_hello.perf);
		} else {
			expect_hello_reason(&b, "unknown workload", what);
		}
	}
	static const uint16_t bad_workload_len[] = { 0, 2, 3, 8, 16 };
	for (size_t i = 0; i < sizeof(bad_workload_len) /
				   sizeof(*bad_workload_len); i++) {
		for (unsigned int v = NC_WORKLOAD_STREAM; v <= NC_WORKLOAD_RR;
		     v++) {
			uint8_t val[16];

			/* Each byte a valid workload, so only the length
			 * is wrong. */
			memset(val, (int)v, sizeof(val));
			s = good_hello;
			s.omit = NC_H_WORKLOAD;
			build_hello(&b, &s);
			raw_field(&b, NC_H_WORKLOAD, bad_workload_len[i], val);
			snprintf(what, sizeof(what),
				 "workload of %u bytes of %u",
				 bad_workload_len[i], v);
			expect_hello_reason(&b, "unknown workload", what);
		}
	}
	/* Refused however the fields are ordered. */
	s = good_hello;
	s.omit = NC_H_WORKLOAD;
	b.len = 0;
	u8_field(&b, NC_H_WORKLOAD, 2);
	{
		struct body rest;

		build_hello(&rest, &s);
		memcpy(b.buf + b.len, rest.buf, rest.len);
		b.len += rest.len;
	}
	expect_hello_reason(&b, "unknown workload", "workload 2 first");

	/* Mode names: the longest that fits, one longer, embedded NUL,
	 * control and non-ASCII bytes. */
	s = good_hello;
	memset(mode, 'x', sizeof(mode));
	mode[NC_MODE_NAME_MAX - 1] = '\0';
	s.mode = mode;
	build_hello(&b, &s);
	EXPECT_OK(HELLO, b.buf, b.len, &d, "mode of 31 bytes");
	CHECK(strlen(d.hello.mode) == NC_MODE_NAME_MAX - 1,
	      "mode of %zu bytes", strlen(d.hello.mode));
	mode[NC_MODE_NAME_MAX - 1] = 'x';
	mode[NC_MODE_NAME_MAX] = '\0';
	build_hello(&b, &s);
	EXPECT_REFUSED(HELLO, b.buf, b.len, "mode of 32 bytes");
	mode[NC_MODE_NAME_MAX + 7] = '\0';
	memset(mode, 'x', NC_MODE_NAME_MAX + 7);
	build_hello(&b, &s);
	EXPECT_REFUSED(HELLO, b.buf, b.len, "mode of 39 bytes");
	s.omit = NC_H_MODE;
	build_hello(&b, &s);
	raw_field(&b, NC_H_MODE, sizeof(long_text), long_text);
	EXPECT_REFUSED(HELLO, b.buf, b.len, "mode of 2000 bytes");
	static const char *const bad_names[] = {
		"two\0copy", "two-copy\0", "\0", "two\ncopy", "two\x7f",
		"\x01", "zero-c\xc3\xb6py", "\xff",
	};
	static const uint16_t bad_lens[] = { 8, 9, 1, 8, 4, 1, 10, 1 };
	for (size_t i = 0; i < sizeof(bad_lens) / sizeof(*bad_lens); i++) {
		s = good_hello;
		s.omit = NC_H_MODE;
		build_hello(&b, &s);
		raw_field(&b, NC_H_MODE, bad_lens[i], bad_names[i]);
		snprintf(what, sizeof(what), "bad mode name %zu", i);
		EXPECT_REFUSED(HELLO, b.buf, b.len, what);
	}

	/* Numbers out of range. */
	static const struct {
		unsigned int field;
		uint64_t value;
		bool ok;
	} nums[] = {
		{ NC_H_SIZE, 0, false },
		{ NC_H_SIZE, 1, true },
		{ NC_H_SIZE, NETCOPY_MAX_MESSAGE_SIZE, true },
		{ NC_H_SIZE, NETCOPY_MAX_MESSAGE_SIZE + 1, false },
		{ NC_H_SIZE, UINT64_MAX, false },
		{ NC_H_SIZE, 1ULL << 63, false },
		{ NC_H_THREADS, 0, false },
		{ NC_H_THREADS, 1, true },
		{ NC_H_THREADS, NETCOPY_MAX_THREADS, true },
		{ NC_H_THREADS, NETCOPY_MAX_THREADS + 1, false },
		{ NC_H_THREADS, 1ULL << 32, false },
		{ NC_H_THREADS, (1ULL << 32) + 1, false },
		{ NC_H_THREADS, UINT64_MAX, false },
		{ NC_H_DURATION, 0, false },
		{ NC_H_DURATION, 1, false },
		{ NC_H_DURATION, 999999, false },
		{ NC_H_DURATION, 1000000, true },
		{ NC_H_DURATION, 86400000000000ULL, true },
		{ NC_H_DURATION, 86400000000001ULL, false },
		{ NC_H_DURATION, UINT64_MAX, false },
		{ NC_H_WARMUP, 0, true },
		{ NC_H_WARMUP, 1, false },
		{ NC_H_WARMUP, 999999, false },
		{ NC_H_WARMUP, 1000000, true },
		{ NC_H_WARMUP, 3600000000000ULL, true },
		{ NC_H_WARMUP, 3600000000001ULL, false },
		{ NC_H_WARMUP, UINT64_MAX, false },
		{ NC_H_CPU, CPU_NONE, true },
		{ NC_H_CPU, 0, true },
		{ NC_H_CPU, NC_MAX_CPU - 1, true },
		{ NC_H_CPU, NC_MAX_CPU, false },
		{ NC_H_CPU, (uint64_t)-2, false },
		{ NC_H_CPU, 1ULL << 32, false },
		{ NC_H_CPU, 0xffffffffULL, false },
	};
	for (size_t i = 0; i < sizeof(nums) / sizeof(*nums); i++) {
		s = good_hello;
		if (nums[i].field == NC_H_SIZE)
			s.size = nums[i].value;
		else if (nums[i].field == NC_H_THREADS)
			s.threads = nums[i].value;
		else if (nums[i].field == NC_H_DURATION)
			s.duration = nums[i].value;
		else if (nums[i].field == NC_H_WARMUP)
			s.warmup = nums[i].value;
		else
			s.cpu = nums[i].value;
		build_hello(&b, &s);
		snprintf(what, sizeof(what), "field %u = %" PRIu64,
			 nums[i].field, nums[i].value);
		if (nums[i].ok) {
			memset(&d, 0x5a, sizeof(d));
			EXPECT_OK(HELLO, b.buf, b.len, &d, what);
			if (nums[i].field == NC_H_WARMUP)
				CHECK_U64(nc_seconds_ns(d.hello.warmup),
					  nums[i].value);
			else if (nums[i].field == NC_H_CPU)
				CHECK_INT(d.hello.cpu,
					  (int64_t)nums[i].value);
		} else {
			expect_hello_out_of_range(&b, what);
		}
	}
}

static void check_reply_refusals(void)
{
	static const uint8_t id[NC_RUN_ID_LEN + 1] = { 1, 2, 3 };
	struct nc_reply r;
	uint8_t buf[NC_MAX_BODY];
	struct body b;
	union decoded d;
	int len;

	memset(&r, 0, sizeof(r));
	r.accepted = true;
	len = nc_reply_encode(&r, buf, sizeof(buf));
	if (len > 0) {
		check_prefixes(REPLY, buf, (size_t)len);
		check_tails(REPLY, buf, (size_t)len);
	}
	r.accepted = false;
	r.code = NETCOPY_EREFUSED;
	strcpy(r.reason, "busy");
	len = nc_reply_encode(&r, buf, sizeof(buf));
	if (len > 0) {
		check_prefixes(REPLY, buf, (size_t)len);
		check_tails(REPLY, buf, (size_t)len);
	}

	b.len = 0;
	raw_field(&b, NC_R_RUN_ID, NC_RUN_ID_LEN, id);
	EXPECT_REFUSED(REPLY, b.buf, b.len, "run id without accepted");

	b.len = 0;
	u8_field(&b, NC_R_ACCEPTED, 1);
	EXPECT_REFUSED(REPLY, b.buf, b.len, "accepted without run id");
	raw_field(&b, NC_R_RUN_ID, NC_RUN_ID_LEN - 1, id);
	EXPECT_REFUSED(REPLY, b.buf, b.len, "run id of 15 bytes");
	b.len = 0;
	u8_field(&b, NC_R_ACCEPTED, 1);
	raw_field(&b, NC_R_RUN_ID, NC_RUN_ID_LEN + 1, id);
	EXPECT_REFUSED(REPLY, b.buf, b.len, "run id of 17 bytes");
	b.len = 0;
	u8_field(&b, NC_R_ACCEPTED, 2);
	raw_field(&b, NC_R_RUN_ID, NC_RUN_ID_LEN, id);
	EXPECT_REFUSED(REPLY, b.buf, b.len, "accepted = 2");
	b.len = 0;
	u8_field(&b, NC_R_ACCEPTED, 1);
	raw_field(&b, NC_R_RUN_ID, NC_RUN_ID_LEN, id);
	EXPECT_OK(REPLY, b.buf, b.len, &d, "hand-built acceptance");
	u8_field(&b, NC_R_REASON + 1, 0);
	EXPECT_REFUSED(REPLY, b.buf, b.len, "unknown field");

	b.len = 0;
	u8_field(&b, NC_R_ACCEPTED, 0);
	EXPECT_REFUSED(REPLY, b.buf, b.len, "refused without code");
	u64_field(&b, NC_R_CODE, (uint64_t)(int64_t)NETCOPY_EREFUSED);
	EXPECT_REFUSED(REPLY, b.buf, b.len, "refused without reason");
	str_field(&b, NC_R_REASON, "too many runs");
	EXPECT_OK(REPLY, b.buf, b.len, &d, "hand-built refusal");
	CHECK_INT(d.reply.code, NETCOPY_EREFUSED);

	/* Out of range, and numbers that only become a valid code when
	 * cut to 32 bits (the encoder sign-extends to 64). */
	static const int64_t bad_codes[] = { 0, 1, 4096, INT32_MAX,
					     (int64_t)INT32_MIN,
					     INT64_MIN, -100000,
					     0xfffff000LL, 0xfffffffbLL,
					     -0x100000000LL - 5 };
	for (size_t i = 0; i < sizeof(bad_codes) / sizeof(*bad_codes); i++) {
		char what[64];

		b.len = 0;
		u8_field(&b, NC_R_ACCEPTED, 0);
		u64_field(&b, NC_R_CODE, (uint64_t)bad_codes[i]);
		str_field(&b, NC_R_REASON, "x");
		snprintf(what, sizeof(what), "refusal code %" PRId64,
			 bad_codes[i]);
		EXPECT_REFUSED(REPLY, b.buf, b.len, what);
	}
	b.len = 0;
	u8_field(&b, NC_R_ACCEPTED, 0);
	u64_field(&b, NC_R_CODE, (uint64_t)(int64_t)NETCOPY_EREFUSED);
	raw_field(&b, NC_R_REASON, 4, "a\0b\n");
	EXPECT_REFUSED(REPLY, b.buf, b.len, "reason with NUL and newline");
	b.len = 0;
	u8_field(&b, NC_R_ACCEPTED, 0);
	u64_field(&b, NC_R_CODE, (uint64_t)(int64_t)NETCOPY_EREFUSED);
	raw_field(&b, NC_R_REASON, NC_REASON_MAX, long_text);
	EXPECT_REFUSED(REPLY, b.buf, b.len, "reason of 200 bytes");
}

static void check_tag_refusals(void)
{
	static const uint8_t id[NC_RUN_ID_LEN + 1] = { 9 };
	struct nc_tag t = { .index = 3 };
	uint8_t buf[NC_MAX_BODY];
	struct body b;
	union decoded d;
	int len = nc_tag_encode(&t, buf, sizeof(buf));

	if (len > 0) {
		check_prefixes(TAG, buf, (size_t)len);
		check_tails(TAG, buf, (size_t)len);
	}
	b.len = 0;
	raw_field(&b, NC_T_RUN_ID, NC_RUN_ID_LEN, id);
	EXPECT_REFUSED(TAG, b.buf, b.len, "index missing");
	b.len = 0;
	u64_field(&b, NC_T_INDEX, 1);
	EXPECT_REFUSED(TAG, b.buf, b.len, "run id missing");
	b.len = 0;
	raw_field(&b, NC_T_RUN_ID, NC_RUN_ID_LEN, id);
	u64_field(&b, NC_T_INDEX, NC_MAX_FLOWS - 1);
	EXPECT_OK(TAG, b.buf, b.len, &d, "last index");
	b.len = 0;
	raw_field(&b, NC_T_RUN_ID, NC_RUN_ID_LEN, id);
	u64_field(&b, NC_T_INDEX, NC_MAX_FLOWS);
	EXPECT_REFUSED(TAG, b.buf, b.len, "index past the last flow");
	b.len = 0;
	raw_field(&b, NC_T_RUN_ID, NC_RUN_ID_LEN, id);
	u64_field(&b, NC_T_INDEX, 1ULL << 32);
	EXPECT_REFUSED(TAG, b.buf, b.len, "index 2^32");
	b.len = 0;
	raw_field(&b, NC_T_RUN_ID, NC_RUN_ID_LEN + 1, id);
	u64_field(&b, NC_T_INDEX, 0);
	EXPECT_REFUSED(TAG, b.buf, b.len, "run id of 17 bytes");
	b.len = 0;
	raw_field(&b, NC_T_RUN_ID, NC_RUN_ID_LEN, id);
	raw_field(&b, NC_T_INDEX, 4, id);
	EXPECT_REFUSED(TAG, b.buf, b.len, "index of 4 bytes");
	b.len = 0;
	raw_field(&b, NC_T_RUN_ID, NC_RUN_ID_LEN, id);
	u64_field(&b, NC_T_INDEX, 0);
	u64_field(&b, NC_T_INDEX, 0);
	EXPECT_REFUSED(TAG, b.buf, b.len, "index twice");
}

static void check_figures_refusals(void)
{
	struct figures_spec s;
	struct nc_figures f;
	uint8_t buf[NC_MAX_BODY];
	struct body b;
	union decoded d;
	char what[80];
	int len;

	memset(&f, 0, sizeof(f));
	set_zc(&f, 12, 11, 10, 2, 1);
	f.cpu_us = 4321;
	f.counts.known = KNOWN_ALL;
	f.counts.scope = NC_SCOPE_USER;
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++)
		f.counts.value[ev] = 1000 + ev;
	strcpy(f.reason, "ok");
	len = nc_figures_encode(&f, buf, sizeof(buf));
	if (len > 0) {
		check_prefixes(FIGURES, buf, (size_t)len);
		check_tails(FIGURES, buf, (size_t)len);
	}

	build_figures(&b, 0, 0, (uint64_t)-1, (uint64_t)-1);
	EXPECT_OK(FIGURES, b.buf, b.len, &d, "hand-built figures");
	CHECK_INT(d.figures.zc.completions, -1);
	CHECK_INT(d.figures.zc.copied, -1);
	CHECK_INT(d.figures.zc.sends, -1);
	CHECK_INT(d.figures.zc.notifications, -1);
	CHECK_INT(d.figures.zc.enobufs, -1);
	CHECK_U64(d.figures.bytes, NC_F_BYTES * 1000);
	CHECK_U64(d.figures.cpu_us, NC_F_CPU_US * 1000);

	/* Every field of a hand-built body lands where it belongs, and the
	 * encoder writes the same bytes back. */
	s = good_figures();
	s.v[NC_F_STATUS] = (uint64_t)(int64_t)NETCOPY_ECOMPLETION;
	s.reason = "hand-built";
	for (unsigned int scope = NC_SCOPE_OFF; scope <= NC_SCOPE_ALL;
	     scope++) {
		s.v[NC_F_COUNTERS_SCOPE] = scope;
		s.v[NC_F_COUNTERS_KNOWN] = scope == NC_SCOPE_OFF ? 0 :
			scope == NC_SCOPE_USER ? 0x55 & KNOWN_ALL : KNOWN_ALL;
		build_figures_spec(&b, &s);
		snprintf(what, sizeof(what), "hand-built figures, scope %u",
			 scope);
		memset(&d, 0x5a, sizeof(d));
		EXPECT_OK(FIGURES, b.buf, b.len, &d, what);
		expect_figures(&d.figures, &s, what);
		len = nc_figures_encode(&d.figures, buf, sizeof(buf));
		CHECK(len == (int)b.len && memcmp(buf, b.buf, b.len) == 0,
		      "%s: encoded (%d bytes) differs from the hand-built "
		      "body (%zu bytes)", what, len, b.len);
	}

	/* Total bytes: any 64-bit number, independent of bytes (the
	 * warm-up's are in it, so it is usually larger, but need not be). */
	{
		static const uint64_t totals[] = { 0, 1, NC_F_BYTES * 1000 - 1,
						   1ULL << 63, UINT64_MAX };

		for (size_t i = 0; i < sizeof(totals) / sizeof(*totals); i++) {
			s = good_figures();
			s.v[NC_F_TOTAL_BYTES] = totals[i];
			build_figures_spec(&b, &s);
			snprintf(what, sizeof(what), "total bytes %" PRIu64,
				 totals[i]);
			memset(&d, 0x5a, sizeof(d));
			EXPECT_OK(FIGURES, b.buf, b.len, &d, what);
			expect_figures(&d.figures, &s, what);
			CHECK_U64(d.figures.total_bytes, totals[i]);
			CHECK_U64(d.figures.bytes, NC_F_BYTES * 1000);
			len = nc_figures_encode(&d.figures, buf, sizeof(buf));
			CHECK(len == (int)b.len &&
			      memcmp(buf, b.buf, b.len) == 0,
			      "%s: encoded differently", what);
		}
	}
	/* Total bytes missing, repeated or not 8 bytes long, with the
	 * decoder's reasons. */
	{
		static const uint16_t bad_len[] = { 0, 1, 4, 7, 9, 16 };
		const char *why;

		s = good_figures();
		s.omit = NC_F_TOTAL_BYTES;
		build_figures_spec(&b, &s);
		EXPECT_REFUSED(FIGURES, b.buf, b.len, "total bytes missing");
		CHECK(decode(FIGURES, b.buf, b.len, &d, &why) ==
		      NETCOPY_EPROTOCOL && why &&
		      strcmp(why, "required field missing") == 0,
		      "total bytes missing: %s", why ? why : "no reason");
		u64_field(&b, NC_F_TOTAL_BYTES, 0);
		EXPECT_OK(FIGURES, b.buf, b.len, &d, "total bytes last");
		CHECK_U64(d.figures.total_bytes, 0);
		u64_field(&b, NC_F_TOTAL_BYTES, 0);
		EXPECT_REFUSED(FIGURES, b.buf, b.len, "total bytes 0 twice");
		CHECK(decode(FIGURES, b.buf, b.len, &d, &why) ==
		      NETCOPY_EPROTOCOL && why &&
		      strcmp(why, "repeated field") == 0,
		      "total bytes twice: %s", why ? why : "no reason");
		for (size_t i = 0; i < sizeof(bad_len) / sizeof(*bad_len);
		     i++) {
			uint8_t val[16];

			memset(val, 0, sizeof(val));
			if (bad_len[i])
				val[bad_len[i] - 1] = 1;
			build_figures_spec(&b, &s);
			raw_field(&b, NC_F_TOTAL_BYTES, bad_len[i], val);
			snprintf(what, sizeof(what),
				 "total bytes of %u bytes", bad_len[i]);
			EXPECT_REFUSED(FIGURES, b.buf, b.len, what);
			CHECK(decode(FIGURES, b.buf, b.len, &d, &why) ==
			      NETCOPY_EPROTOCOL && why &&
			      strcmp(why, "number field of the wrong "
				     "length") == 0,
			      "%s: %s", what, why ? why : "no reason");
		}
		/* The layout before total bytes: the counters at 16 .. 22
		 * and nothing at 23. */
		s = good_figures();
		b.len = 0;
		for (unsigned int f2 = NC_F_STATUS; f2 <= F_LAST; f2++) {
			if (f2 == NC_F_TOTAL_BYTES)
				continue;
			if (f2 == NC_F_REASON)
				str_field(&b, NC_F_REASON, s.reason);
			else if (f2 == NC_F_COUNTERS_SCOPE)
				u8_field(&b, NC_F_COUNTERS_SCOPE,
					 (uint8_t)s.v[f2]);
			else
				u64_field(&b, (uint16_t)(f2 < NC_F_TOTAL_BYTES ?
							 f2 : f2 - 1),
					  s.v[f2]);
		}
		EXPECT_REFUSED(FIGURES, b.buf, b.len,
			       "counters at the old field numbers");
	}

	/* Field order does not matter. */
	{
		struct body all;

		s = good_figures();
		s.reason = "backwards";
		build_figures_spec(&all, &s);
		b.len = 0;
		for (int f2 = F_LAST; f2 >= NC_F_STATUS; f2--)
			copy_field(&b, &all, (uint16_t)f2);
		CHECK(b.len == all.len, "reversed body of %zu bytes, want %zu",
		      b.len, all.len);
		EXPECT_OK(FIGURES, b.buf, b.len, &d, "fields in reverse order");
		expect_figures(&d.figures, &s, "fields in reverse order");
	}

	/* Every field is required, the reason and each new one too. */
	for (unsigned int omit = NC_F_STATUS; omit <= F_LAST; omit++) {
		build_figures(&b, omit, 0, 5, 5);
		snprintf(what, sizeof(what), "field %u missing", omit);
		EXPECT_REFUSED(FIGURES, b.buf, b.len, what);
		build_figures(&b, omit, 0, (uint64_t)-1, (uint64_t)-1);
		snprintf(what, sizeof(what), "field %u missing (not zc)",
			 omit);
		EXPECT_REFUSED(FIGURES, b.buf, b.len, what);
	}

	/* Every field repeated, even with the same value. */
	for (unsigned int f2 = NC_F_STATUS; f2 <= F_LAST; f2++) {
		struct body all;

		s = good_figures();
		build_figures_spec(&all, &s);
		build_figures_spec(&b, &s);
		copy_field(&b, &all, (uint16_t)f2);
		snprintf(what, sizeof(what), "field %u twice", f2);
		EXPECT_REFUSED(FIGURES, b.buf, b.len, what);
	}

	/* Unknown fields. */
	static const uint16_t unknown[] = { 0, F_LAST + 1, F_LAST + 2,
					    NC_F_LAST + 1, NC_F_LAST + 2, 63,
					    64, 255, 256, 0x8001, UINT16_MAX };
	for (size_t i = 0; i < sizeof(unknown) / sizeof(*unknown); i++) {
		build_figures(&b, 0, 0, 5, 5);
		u64_field(&b, unknown[i], 0);
		snprintf(what, sizeof(what), "unknown field %u", unknown[i]);
		EXPECT_REFUSED(FIGURES, b.buf, b.len, what);
		build_figures(&b, 0, 0, 5, 5);
		u8_field(&b, unknown[i], 0);
		snprintf(what, sizeof(what), "unknown 1-byte field %u",
			 unknown[i]);
		EXPECT_REFUSED(FIGURES, b.buf, b.len, what);
		build_figures(&b, 0, 0, 5, 5);
		raw_field(&b, unknown[i], 0, NULL);
		snprintf(what, sizeof(what), "unknown empty field %u",
			 unknown[i]);
		EXPECT_REFUSED(FIGURES, b.buf, b.len, what);
	}

	/* Numbers of the wrong length, in every number field. */
	static const uint16_t bad_num_len[] = { 0, 1, 3, 4, 7, 9, 16 };
	for (unsigned int f2 = NC_F_STATUS; f2 <= F_LAST; f2++) {
		if (f2 == NC_F_REASON || f2 == NC_F_COUNTERS_SCOPE)
			continue;
		for (size_t i = 0; i < sizeof(bad_num_len) /
					   sizeof(*bad_num_len); i++) {
			uint8_t zeros[16] = { 0 };

			s = good_figures();
			s.omit = f2;
			build_figures_spec(&b, &s);
			raw_field(&b, (uint16_t)f2, bad_num_len[i], zeros);
			snprintf(what, sizeof(what), "field %u of %u bytes",
				 f2, bad_num_len[i]);
			EXPECT_REFUSED(FIGURES, b.buf, b.len, what);
		}
	}

	/* The scope: one byte, 0 to 2. */
	static const uint16_t bad_scope_len[] = { 0, 2, 3, 8 };
	for (size_t i = 0; i < sizeof(bad_scope_len) /
				   sizeof(*bad_scope_len); i++) {
		for (uint8_t v = 0; v <= 1; v++) {
			s = good_figures();
			s.scope_len = bad_scope_len[i];
			s.v[NC_F_COUNTERS_SCOPE] = v;
			build_figures_spec(&b, &s);
			snprintf(what, sizeof(what),
				 "scope field of %u bytes of %u",
				 bad_scope_len[i], v);
			EXPECT_REFUSED(FIGURES, b.buf, b.len, what);
		}
	}
	static const uint8_t bad_scope[] = { NC_SCOPE_ALL + 1, 4, 0x7f, 0x80,
					     0xff };
	for (size_t i = 0; i < sizeof(bad_scope); i++) {
		s = good_figures();
		s.v[NC_F_COUNTERS_SCOPE] = bad_scope[i];
		build_figures_spec(&b, &s);
		snprintf(what, sizeof(what), "scope %u", bad_scope[i]);
		EXPECT_REFUSED(FIGURES, b.buf, b.len, what);
	}
	for (unsigned int scope = NC_SCOPE_OFF; scope <= NC_SCOPE_ALL;
	     scope++) {
		s = good_figures();
		s.v[NC_F_COUNTERS_SCOPE] = scope;
		build_figures_spec(&b, &s);
		snprintf(what, sizeof(what), "scope %u", scope);
		EXPECT_OK(FIGURES, b.buf, b.len, &d, what);
		expect_figures(&d.figures, &s, what);
	}

	/* The known mask: a bit per counter and no more (also none that
	 * would only vanish when cut to 32 bits). */
	static const struct {
		uint64_t known;
		bool ok;
	} masks[] = {
		{ 0, true },
		{ 1, true },
		{ 1ULL << (NC_EV_COUNT - 1), true },
		{ KNOWN_ALL, true },
		{ 1ULL << NC_EV_COUNT, false },
		{ KNOWN_ALL | 1ULL << NC_EV_COUNT, false },
		{ (1ULL << NC_EV_COUNT) | 1, false },
		{ 1ULL << 31, false },
		{ 1ULL << 32, false },
		{ (1ULL << 32) | 1, false },
		{ 1ULL << 63, false },
		{ UINT64_MAX, false },
	};
	for (size_t i = 0; i < sizeof(masks) / sizeof(*masks); i++) {
		s = good_figures();
		s.v[NC_F_COUNTERS_KNOWN] = masks[i].known;
		build_figures_spec(&b, &s);
		snprintf(what, sizeof(what), "known mask %#" PRIx64,
			 masks[i].known);
		if (masks[i].ok) {
			EXPECT_OK(FIGURES, b.buf, b.len, &d, what);
			expect_figures(&d.figures, &s, what);
		} else {
			EXPECT_REFUSED(FIGURES, b.buf, b.len, what);
		}
	}

	/* Counter values and CPU time are any 64-bit number. */
	s = good_figures();
	s.v[NC_F_CPU_US] = UINT64_MAX;
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++)
		s.v[NC_F_COUNTER_0 + ev] = ev % 2 ? UINT64_MAX : 0;
	build_figures_spec(&b, &s);
	EXPECT_OK(FIGURES, b.buf, b.len, &d, "extreme counters");
	expect_figures(&d.figures, &s, "extreme counters");

	build_figures(&b, 0, 1, 0, 0);
	EXPECT_REFUSED(FIGURES, b.buf, b.len, "positive status");
	build_figures(&b, 0, (uint64_t)INT64_MAX, 0, 0);
	EXPECT_REFUSED(FIGURES, b.buf, b.len, "status INT64_MAX");
	/* Only a sign-extended 32-bit status is a status. */
	build_figures(&b, 0, 0xffffffffULL, 0, 0);
	EXPECT_REFUSED(FIGURES, b.buf, b.len, "status 0xffffffff");
	build_figures(&b, 0, 0xffffef00ULL, 0, 0);
	EXPECT_REFUSED(FIGURES, b.buf, b.len, "status 0xffffef00");
	build_figures(&b, 0, (uint64_t)(-0x100000000LL - 4), 0, 0);
	EXPECT_REFUSED(FIGURES, b.buf, b.len, "status -2^32 - 4");
	build_figures(&b, 0, (uint64_t)(int64_t)NETCOPY_ESHORT, 0, 0);
	EXPECT_OK(FIGURES, b.buf, b.len, &d, "status NETCOPY_ESHORT");
	CHECK_INT(d.figures.status, NETCOPY_ESHORT);
	build_figures(&b, 0, 0, (uint64_t)-2, (uint64_t)-2);
	EXPECT_REFUSED(FIGURES, b.buf, b.len, "completions -2");
	build_figures(&b, 0, 0, 5, (uint64_t)-2);
	EXPECT_REFUSED(FIGURES, b.buf, b.len, "copied -2");
	build_figures(&b, 0, 0, 5, 6);
	EXPECT_REFUSED(FIGURES, b.buf, b.len, "more copied than completed");
	build_figures(&b, 0, 0, (uint64_t)-1, 0);
	EXPECT_REFUSED(FIGURES, b.buf, b.len, "copied without completions");
	build_figures(&b, 0, 0, 0, 1);
	EXPECT_REFUSED(FIGURES, b.buf, b.len, "copied 1 of 0 completed");
	build_figures(&b, 0, 0, (uint64_t)INT64_MAX - 1, (uint64_t)INT64_MAX);
	EXPECT_REFUSED(FIGURES, b.buf, b.len, "copied INT64_MAX");
	build_figures(&b, 0, 0, 5, 5);
	EXPECT_OK(FIGURES, b.buf, b.len, &d, "all copied");
	build_figures(&b, 0, 0, 5, 0);
	EXPECT_OK(FIGURES, b.buf, b.len, &d, "none copied");

	/* The zero-copy figures: all -1 or all counts, never a mix; no
	 * count past INT64_MAX nor below -1. */
	for (unsigned int i = 0; i < 5; i++) {
		static const uint64_t bad[] = { (uint64_t)-2, 1ULL << 63,
						(uint64_t)INT64_MIN + 1 };

		s = good_figures();
		s.v[zc_field[i]] = UINT64_MAX;
		build_figures_spec(&b, &s);
		snprintf(what, sizeof(what), "zc %s -1, the others counts",
			 zc_name[i]);
		/* Copied alone may be unknown: the kernel would not say. */
		if (zc_field[i] == NC_F_ZC_COPIED) {
			EXPECT_OK(FIGURES, b.buf, b.len, &d, what);
			CHECK_INT(d.figures.zc.copied, -1);
		} else {
			EXPECT_REFUSED(FIGURES, b.buf, b.len, what);
		}

		for (unsigned int k = 0; k < 5; k++)
			s.v[zc_field[k]] = k == i ? 0 : UINT64_MAX;
		build_figures_spec(&b, &s);
		snprintf(what, sizeof(what), "zc %s 0, the others -1",
			 zc_name[i]);
		EXPECT_REFUSED(FIGURES, b.buf, b.len, what);

		for (unsigned int k = 0; k < 5; k++)
			s.v[zc_field[k]] = k == i ? 7 : UINT64_MAX;
		build_figures_spec(&b, &s);
		snprintf(what, sizeof(what), "zc %s 7, the others -1",
			 zc_name[i]);
		EXPECT_REFUSED(FIGURES, b.buf, b.len, what);

		for (size_t j = 0; j < sizeof(bad) / sizeof(*bad); j++) {
			s = good_figures();
			s.v[zc_field[i]] = bad[j];
			build_figures_spec(&b, &s);
			snprintf(what, sizeof(what), "zc %s %" PRId64,
				 zc_name[i], (int64_t)bad[j]);
			EXPECT_REFUSED(FIGURES, b.buf, b.len, what);
			for (unsigned int k = 0; k < 5; k++)
				s.v[zc_field[k]] = k == i ? bad[j] :
						   UINT64_MAX;
			build_figures_spec(&b, &s);
			snprintf(what, sizeof(what),
				 "zc %s %" PRId64 ", the others -1",
				 zc_name[i], (int64_t)bad[j]);
			EXPECT_REFUSED(FIGURES, b.buf, b.len, what);
		}

		/* The largest count is fine (copied needs completions as
		 * large). */
		s = good_figures();
		s.v[zc_field[i]] = INT64_MAX;
		if (zc_field[i] == NC_F_ZC_COPIED)
			s.v[NC_F_ZC_COMPLETIONS] = INT64_MAX;
		build_figures_spec(&b, &s);
		snprintf(what, sizeof(what), "zc %s INT64_MAX", zc_name[i]);
		EXPECT_OK(FIGURES, b.buf, b.len, &d, what);
		expect_figures(&d.figures, &s, what);
	}
	s = good_figures();
	for (unsigned int k = 0; k < 5; k++)
		s.v[zc_field[k]] = UINT64_MAX;
	build_figures_spec(&b, &s);
	EXPECT_OK(FIGURES, b.buf, b.len, &d, "zc all -1");
	expect_figures(&d.figures, &s, "zc all -1");
	for (unsigned int k = 0; k < 5; k++)
		s.v[zc_field[k]] = 0;
	build_figures_spec(&b, &s);
	EXPECT_OK(FIGURES, b.buf, b.len, &d, "zc all 0");
	expect_figures(&d.figures, &s, "zc all 0");
	/* Mixes of -1 and counts over all 32 patterns but the three good
	 * (copied alone unknown is one: uring-zc where the kernel would not
	 * say). */
	for (unsigned int pat = 1; pat < 31; pat++) {
		s = good_figures();
		for (unsigned int k = 0; k < 5; k++)
			if (pat & 1u << k)
				s.v[zc_field[k]] = UINT64_MAX;
		build_figures_spec(&b, &s);
		snprintf(what, sizeof(what), "zc -1 pattern %#x", pat);
		if (pat == 1u << 3) {
			EXPECT_OK(FIGURES, b.buf, b.len, &d, what);
			expect_figures(&d.figures, &s, what);
		} else {
			EXPECT_REFUSED(FIGURES, b.buf, b.len, what);
		}
	}

	build_figures(&b, 0, 0, 5, 5);
	u64_field(&b, NC_F_REASON + 1, 0);
	EXPECT_REFUSED(FIGURES, b.buf, b.len, "cpu time twice");
	build_figures(&b, NC_F_REASON, 0, 5, 5);
	raw_field(&b, NC_F_REASON, 3, "a\tb");
	EXPECT_REFUSED(FIGURES, b.buf, b.len, "reason with a tab");
	build_figures(&b, NC_F_REASON, 0, 5, 5);
	raw_field(&b, NC_F_REASON, NC_REASON_MAX, long_text);
	EXPECT_REFUSED(FIGURES, b.buf, b.len, "reason of 200 bytes");
	build_figures(&b, NC_F_REASON, 0, 5, 5);
	raw_field(&b, NC_F_REASON, NC_REASON_MAX - 1, long_text);
	EXPECT_OK(FIGURES, b.buf, b.len, &d, "reason of 199 bytes");
	build_figures(&b, NC_F_BYTES, 0, 5, 5);
	raw_field(&b, NC_F_BYTES, 3, "abc");
	EXPECT_REFUSED(FIGURES, b.buf, b.len, "bytes of 3 bytes");
}

/* ---- encoders and small buffers ---- */

static void check_encoder_space(void)
{
	struct nc_params h = { .size = 1, .threads = 1, .duration = 1e-3,
			      .perf = true, .workload = NC_WORKLOAD_RR,
			      .warmup = 1e-3, .cpu = -1 };
	struct nc_reply r = { .accepted = false, .code = NETCOPY_EREFUSED };
	struct nc_tag t = { .index = 1 };
	struct nc_figures f = { .zc.sends = -1, .zc.notifications = -1,
				.zc.completions = -1, .zc.copied = -1,
				.zc.enobufs = -1, .cpu_us = 5,
				.total_bytes = UINT64_MAX,
				.counts = { .value = { 1, 2, 3 },
					    .known = KNOWN_ALL,
					    .scope = NC_SCOPE_ALL } };
	uint8_t full[NC_MAX_BODY], buf[NC_MAX_BODY + 16];

	strcpy(h.mode, "one-copy");
	strcpy(r.reason, "no");
	strcpy(f.reason, "fine");
	for (enum kind kind = HELLO; kind < N_KINDS; kind++) {
		int want, got;

		switch (kind) {
		case HELLO:
			want = nc_hello_encode(&h, full, sizeof(full));
			break;
		case REPLY:
			want = nc_reply_encode(&r, full, sizeof(full));
			break;
		case TAG:
			want = nc_tag_encode(&t, full, sizeof(full));
			break;
		default:
			want = nc_figures_encode(&f, full, sizeof(full));
			break;
		}
		CHECK(want > 0, "%s: encode returned %d", kind_name[kind],
		      want);
		for (int cap = 0; cap <= want; cap++) {
			memset(buf, 0xee, sizeof(buf));
			switch (kind) {
			case HELLO:
				got = nc_hello_encode(&h, buf, (size_t)cap);
				break;
			case REPLY:
				got = nc_reply_encode(&r, buf, (size_t)cap);
				break;
			case TAG:
				got = nc_tag_encode(&t, buf, (size_t)cap);
				break;
			default:
				got = nc_figures_encode(&f, buf, (size_t)cap);
				break;
			}
			if (cap < want)
				CHECK(got == -ENOSPC,
				      "%s: encode into %d of %d bytes "
				      "returned %d", kind_name[kind], cap,
				      want, got);
			else
				CHECK(got == want &&
				      memcmp(buf, full, (size_t)want) == 0,
				      "%s: encode into exactly %d bytes "
				      "returned %d", kind_name[kind], want,
				      got);
			for (size_t i = (size_t)cap; i < sizeof(buf); i++) {
				if (buf[i] != 0xee) {
					CHECK(buf[i] == 0xee,
					      "%s: encode into %d bytes wrote "
					      "byte %zu", kind_name[kind],
					      cap, i);
					break;
				}
			}
		}
	}
}

/* ---- random input ---- */

/* A decoded message must hold what the protocol allows, and encode back
 * to something that decodes the same. */
static void check_decoded(enum kind kind, const union decoded *d)
{
	uint8_t buf[NC_MAX_BODY];
	union decoded again;
	int len;

	switch (kind) {
	case HELLO:
		CHECK(memchr(d->hello.mode, 0, sizeof(d->hello.mode)) != NULL,
		      "random hello: mode not terminated");
		CHECK(d->hello.size >= 1 &&
		      d->hello.size <= NETCOPY_MAX_MESSAGE_SIZE,
		      "random hello: size %" PRIu64, d->hello.size);
		CHECK(d->hello.threads >= 1 &&
		      d->hello.threads <= NETCOPY_MAX_THREADS,
		      "random hello: threads %" PRIu32, d->hello.threads);
		CHECK(nc_seconds_ns(d->hello.duration) >= 1000000,
		      "random hello: duration %" PRIu64,
		      nc_seconds_ns(d->hello.duration));
		CHECK(d->hello.workload <= NC_WORKLOAD_RR,
		      "random hello: workload %u", d->hello.workload);
		CHECK(nc_seconds_ns(d->hello.warmup) <= MAX_WARMUP_NS &&
		      (d->hello.warmup == 0 ||
		       nc_seconds_ns(d->hello.warmup) >= 1000000),
		      "random hello: warm-up %" PRIu64,
		      nc_seconds_ns(d->hello.warmup));
		CHECK(d->hello.cpu >= -1 && d->hello.cpu < NC_MAX_CPU,
		      "random hello: cpu %" PRId32, d->hello.cpu);
		CHECK(d->hello.rx <= NC_RX_LAST, "random hello: rx %u",
		      d->hello.rx);
		len = nc_hello_encode(&d->hello, buf, sizeof(buf));
		break;
	case REPLY:
		CHECK(memchr(d->reply.reason, 0, sizeof(d->reply.reason)),
		      "random reply: reason not terminated");
		CHECK(d->reply.accepted || d->reply.code < 0,
		      "random reply: refused with code %" PRId32,
		      d->reply.code);
		len = nc_reply_encode(&d->reply, buf, sizeof(buf));
		break;
	case TAG:
		CHECK(d->tag.index < NC_MAX_FLOWS,
		      "random tag: index %" PRIu32, d->tag.index);
		len = nc_tag_encode(&d->tag, buf, sizeof(buf));
		break;
	default:
		CHECK(memchr(d->figures.reason, 0,
			     sizeof(d->figures.reason)),
		      "random figures: reason not terminated");
		CHECK(d->figures.status <= 0, "random figures: status %" PRId32,
		      d->figures.status);
		CHECK(d->figures.measured, "random figures: not measured");
		CHECK(d->figures.counts.known < 1u << NC_EV_COUNT,
		      "random figures: known %#" PRIx32,
		      d->figures.counts.known);
		CHECK(d->figures.counts.scope <= NC_SCOPE_ALL,
		      "random figures: scope %u", d->figures.counts.scope);
		{
			const struct nc_figures *f = &d->figures;
			bool none = f->zc.sends == -1 &&
				    f->zc.notifications == -1 &&
				    f->zc.completions == -1 &&
				    f->zc.copied == -1 && f->zc.enobufs == -1;
			bool counts = f->zc.sends >= 0 &&
				      f->zc.notifications >= 0 &&
				      f->zc.completions >= 0 &&
				      f->zc.copied >= 0 && f->zc.enobufs >= 0 &&
				      f->zc.copied <= f->zc.completions;

			CHECK(none || counts, "random figures: zc %" PRId64
			      " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64,
			      f->zc.sends, f->zc.notifications,
			      f->zc.completions, f->zc.copied, f->zc.enobufs);
		}
		len = nc_figures_encode(&d->figures, buf, sizeof(buf));
		break;
	}
	CHECK(len > 0, "random %s: re-encode returned %d", kind_name[kind],
	      len);
	if (len <= 0)
		return;
	{
		const char *why;
		int err = decode(kind, buf, (size_t)len, &again, &why);

		CHECK(err == 0, "random %s: re-encoded message refused: %s",
		      kind_name[kind], why ? why : "");
		if (err)
			return;
	}
	switch (kind) {
	case HELLO:
		CHECK(strcmp(again.hello.mode, d->hello.mode) == 0 &&
		      again.hello.size == d->hello.size &&
		      again.hello.threads == d->hello.threads &&
		      again.hello.duration == d->hello.duration &&
		      again.hello.reverse == d->hello.reverse &&
		      again.hello.verify == d->hello.verify &&
		      again.hello.perf == d->hello.perf &&
		      again.hello.workload == d->hello.workload &&
		      again.hello.warmup == d->hello.warmup &&
		      again.hello.cpu == d->hello.cpu,
		      "random hello changed on a round trip");
		break;
	case REPLY:
		CHECK(again.reply.accepted == d->reply.accepted,
		      "random reply changed on a round trip");
		break;
	case TAG:
		CHECK(again.tag.index == d->tag.index &&
		      memcmp(again.tag.run_id, d->tag.run_id,
			     NC_RUN_ID_LEN) == 0,
		      "random tag changed on a round trip");
		break;
	default:
		CHECK(again.figures.status == d->figures.status &&
		      again.figures.total_bytes == d->figures.total_bytes &&
		      again.figures.bytes == d->figures.bytes &&
		      again.figures.messages == d->figures.messages &&
		      again.figures.interval_ns == d->figures.interval_ns &&
		      again.figures.latency_ns == d->figures.latency_ns &&
		      again.figures.mismatches == d->figures.mismatches &&
		      again.figures.cpu_us == d->figures.cpu_us &&
		      again.figures.zc.sends == d->figures.zc.sends &&
		      again.figures.zc.notifications ==
		      d->figures.zc.notifications &&
		      again.figures.zc.completions ==
		      d->figures.zc.completions &&
		      again.figures.zc.copied == d->figures.zc.copied &&
		      again.figures.zc.enobufs == d->figures.zc.enobufs &&
		      again.figures.counts.known == d->figures.counts.known &&
		      again.figures.counts.scope == d->figures.counts.scope &&
		      memcmp(again.figures.counts.value,
			     d->figures.counts.value,
			     sizeof(d->figures.counts.value)) == 0 &&
		      again.figures.measured &&
		      strcmp(again.figures.reason, d->figures.reason) == 0,
		      "random figures changed on a round trip");
		break;
	}
}

static unsigned long random_accepted[N_KINDS];

static void decode_random(const uint8_t *body, size_t len)
{
	for (enum kind kind = HELLO; kind < N_KINDS; kind++) {
		union decoded d;
		const char *why;
		int err = decode(kind, body, len, &d, &why);

		CHECK(err == 0 || err == NETCOPY_EPROTOCOL,
		      "random %s of %zu bytes: returned %d", kind_name[kind],
		      len, err);
		if (err) {
			CHECK(why && *why, "random %s of %zu bytes: refused "
			      "without a reason", kind_name[kind], len);
			continue;
		}
		random_accepted[kind]++;
		check_decoded(kind, &d);
	}
}

/* Random fields with plausible types and lengths, so decoding gets past
 * the first field often enough to matter. */
static void random_fields(struct body *b, uint64_t *seed)
{
	/* Small types (hello, reply, tag) or all the figures' and more. */
	bool wide = unit_rand(seed) % 2;
	unsigned int n = (unsigned int)unit_rand_range(seed, 0,
						       wide ? 30 : 12);
	uint16_t top = wide ? F_LAST + 2 : NC_H_CPU + 1;
	uint8_t val[64];

	b->len = 0;
	for (unsigned int i = 0; i < n; i++) {
		uint16_t type = (uint16_t)unit_rand_range(seed, 0, top);
		uint64_t pick = unit_rand(seed) % 8;
		uint16_t len = pick < 3 ? 8 : pick == 3 ? 1 :
			       pick == 4 ? NC_RUN_ID_LEN :
			       (uint16_t)unit_rand_range(seed, 0, sizeof(val));

		for (size_t k = 0; k < len; k++) {
			uint64_t r = unit_rand(seed);

			/* Small numbers, printable text or anything. */
			val[k] = (uint8_t)(r % 3 == 0 ? 0 :
					   r % 3 == 1 ? 0x20 + (r >> 8) % 95 :
					   r >> 16);
		}
		if (len == 1)
			val[0] = (uint8_t)(unit_rand(seed) % 3);
		if (len == 8 && unit_rand(seed) % 2) {
			memset(val, 0, 6);
			val[6] = (uint8_t)(unit_rand(seed) % 4);
		}
		if (len == 8 && unit_rand(seed) % 4 == 0)
			memset(val, 0xff, 7);
		raw_field(b, type, len, val);
	}
}

/* A valid message of each kind as a list of fields, then changed field
 * by field: dropped, repeated, its value or length changed, unknown
 * fields added, the order shuffled.  Many of these still decode. */
struct tlv {
	uint16_t type, len;
	uint8_t val[40];
};

static size_t valid_fields(enum kind kind, struct tlv *t, uint64_t *seed)
{
	static const char *const modes[] = { "two-copy", "one-copy",
					     "zero-copy", "x", "" };
	size_t n = 0;

#define ADD_U64(ty, v)							\
	do {								\
		uint64_t v_ = (v);					\
		t[n].type = (ty);					\
		t[n].len = 8;						\
		for (int k_ = 7; k_ >= 0; k_--, v_ >>= 8)		\
			t[n].val[k_] = (uint8_t)v_;			\
		n++;							\
	} while (0)
#define ADD_RAW(ty, l, byte)						\
	do {								\
		t[n].type = (ty);					\
		t[n].len = (l);						\
		memset(t[n].val, (byte), (l));				\
		n++;							\
	} while (0)

	switch (kind) {
	case HELLO: {
		const char *m = modes[unit_rand(seed) % 5];

		t[n].type = NC_H_MODE;
		t[n].len = (uint16_t)strlen(m);
		memcpy(t[n].val, m, strlen(m));
		n++;
		ADD_U64(NC_H_SIZE, unit_rand_range(seed, 1, 1u << 26));
		ADD_U64(NC_H_THREADS, unit_rand_range(seed, 1, 1024));
		ADD_U64(NC_H_DURATION, unit_rand_range(seed, 1, 1ULL << 40));
		ADD_RAW(NC_H_REVERSE, 1, unit_rand(seed) % 2);
		ADD_RAW(NC_H_VERIFY, 1, unit_rand(seed) % 2);
		ADD_RAW(NC_H_PERF, 1, unit_rand(seed) % 2);
		ADD_RAW(NC_H_WORKLOAD, 1, unit_rand(seed) % 2);
		/* The warm-up and the CPU at their edges now and then. */
		switch (unit_rand(seed) % 4) {
		case 0:
			ADD_U64(NC_H_WARMUP, 0);
			break;
		case 1:
			ADD_U64(NC_H_WARMUP, MAX_WARMUP_NS);
			break;
		default:
			ADD_U64(NC_H_WARMUP, unit_rand_range(seed, 0,
							  MAX_WARMUP_NS));
			break;
		}
		switch (unit_rand(seed) % 5) {
		case 0:
		case 1:
			ADD_U64(NC_H_CPU, CPU_NONE);
			break;
		case 2:
			ADD_U64(NC_H_CPU, 0);
			break;
		case 3:
			ADD_U64(NC_H_CPU, NC_MAX_CPU - 1);
			break;
		default:
			ADD_U64(NC_H_CPU, unit_rand_range(seed, 0,
						       NC_MAX_CPU - 1));
			break;
		}
		break;
	}
	case REPLY:
		if (unit_rand(seed) % 2) {
			ADD_RAW(NC_R_ACCEPTED, 1, 1);
			ADD_RAW(NC_R_RUN_ID, NC_RUN_ID_LEN, unit_rand(seed));
		} else {
			ADD_RAW(NC_R_ACCEPTED, 1, 0);
			ADD_U64(NC_R_CODE, (uint64_t)(int64_t)
				-(int64_t)unit_rand_range(seed, 1, 4200));
			ADD_RAW(NC_R_REASON, unit_rand(seed) % 40, 'a');
		}
		break;
	case TAG:
		ADD_RAW(NC_T_RUN_ID, NC_RUN_ID_LEN, unit_rand(seed));
		ADD_U64(NC_T_INDEX, unit_rand_range(seed, 0, 1100));
		break;
	default: {
		int64_t done = (int64_t)unit_rand_range(seed, 0, 100) - 1;

		ADD_U64(NC_F_STATUS,
			(uint64_t)-(int64_t)unit_rand_range(seed, 0, 4200));
		for (unsigned int f = NC_F_BYTES; f <= NC_F_MISMATCHES; f++)
			ADD_U64(f, unit_rand(seed) >> (unit_rand(seed) % 64));
		ADD_U64(NC_F_ZC_COMPLETIONS, (uint64_t)done);
		ADD_U64(NC_F_ZC_COPIED, (uint64_t)(done < 0 ? -1 :
			(int64_t)unit_rand_range(seed, 0, (uint64_t)done)));
		ADD_RAW(NC_F_REASON, unit_rand(seed) % 40, '~');
		ADD_U64(NC_F_CPU_US, unit_rand(seed) >> (unit_rand(seed) % 64));
		ADD_U64(NC_F_COUNTERS_KNOWN, unit_rand(seed) % (KNOWN_ALL + 1));
		ADD_RAW(NC_F_COUNTERS_SCOPE, 1, unit_rand(seed) % 3);
		ADD_U64(NC_F_ZC_SENDS, done < 0 ? (uint64_t)-1 :
			unit_rand_range(seed, 0, 200));
		ADD_U64(NC_F_ZC_NOTIFICATIONS, done < 0 ? (uint64_t)-1 :
			unit_rand_range(seed, 0, 200));
		ADD_U64(NC_F_ZC_ENOBUFS, done < 0 ? (uint64_t)-1 :
			unit_rand_range(seed, 0, 3));
		ADD_U64(NC_F_TOTAL_BYTES,
			unit_rand(seed) % 4 == 0 ? UINT64_MAX :
			unit_rand(seed) >> (unit_rand(seed) % 64));
		for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++)
			ADD_U64(NC_F_COUNTER_0 + ev,
				unit_rand(seed) >> (unit_rand(seed) % 64));
		break;
	}
	}
#undef ADD_U64
#undef ADD_RAW
	return n;
}

static void mutated_fields(enum kind kind, struct body *b, uint64_t *seed)
{
	struct tlv t[48];
	size_t n;

	/* Zeroed, so a longer length reads known bytes and every run is
	 * the same. */
	memset(t, 0, sizeof(t));
	n = valid_fields(kind, t, seed);

	for (size_t i = 0; i < n; i++) {
		uint64_t r = unit_rand(seed) % 64;

		if (r == 0 && n < 48) {		/* repeat it */
			t[n++] = t[i];
		} else if (r == 1 && n < 48) {	/* add an unknown field */
			t[n] = t[i];
			t[n++].type = (uint16_t)unit_rand_range(seed, 0,
								F_LAST + 2);
		} else if (r == 2) {		/* another length */
			t[i].len = (uint16_t)unit_rand_range(seed, 0,
							     sizeof(t[i].val));
		} else if (r == 3) {		/* another value */
			t[i].val[unit_rand(seed) % sizeof(t[i].val)] =
				(uint8_t)unit_rand(seed);
		} else if (r == 4 && t[i].len > 0) {
			t[i].val[unit_rand(seed) % t[i].len] ^= 0x80;
		}
	}
	for (size_t i = n; i > 1; i--) {	/* shuffle now and then */
		if (unit_rand(seed) % 4 == 0) {
			size_t j = (size_t)(unit_rand(seed) % i);
			struct tlv x = t[i - 1];

			t[i - 1] = t[j];
			t[j] = x;
		}
	}
	b->len = 0;
	for (size_t i = 0; i < n; i++)
		if (unit_rand(seed) % 32)	/* drop one now and then */
			raw_field(b, t[i].type, t[i].len, t[i].val);
}

static void check_random(void)
{
	uint64_t seed = 0x6e6574636f7079ULL;
	struct body b;

	/* Pure noise. */
	for (int i = 0; i < 3000; i++) {
		size_t len = (size_t)(i % 10 == 0 ?
				      unit_rand_range(&seed, 0, NC_MAX_BODY) :
				      unit_rand_range(&seed, 0, 64));

		for (size_t k = 0; k < len; k++)
			b.buf[k] = (uint8_t)unit_rand(&seed);
		decode_random(b.buf, len);
	}
	/* Noise shaped like fields. */
	for (int i = 0; i < 20000; i++) {
		random_fields(&b, &seed);
		decode_random(b.buf, b.len);
	}
	/* Valid messages changed field by field. */
	for (int i = 0; i < 20000; i++) {
		mutated_fields((enum kind)(i % N_KINDS), &b, &seed);
		decode_random(b.buf, b.len);
	}
	/* Valid messages with a few bytes changed, cut or cut short. */
	for (int i = 0; i < 5000; i++) {
		struct nc_params h = { .size = 1000, .threads = 2,
				      .duration = 1,
				      .perf = true,
				      .workload = (uint8_t)(i / 2 % 2),
				      .warmup = i % 3 ? 0.25 : 0,
				      .cpu = i % 5 ? (int32_t)(i % 64) : -1 };
		struct nc_figures f = { .zc.sends = 9, .zc.notifications = 8,
					.zc.completions = 7, .zc.copied = 7,
					.zc.enobufs = 1, .cpu_us = 1234,
					.total_bytes = 1ULL << 40,
					.counts = { .value = { 5, 6, 7, 8 },
						    .known = 0x0f,
						    .scope = NC_SCOPE_USER } };
		int len;

		strcpy(h.mode, "zero-copy");
		if (i % 2)
			len = nc_hello_encode(&h, b.buf, NC_MAX_BODY);
		else
			len = nc_figures_encode(&f, b.buf, NC_MAX_BODY);
		if (len <= 0)
			continue;
		for (int k = (int)unit_rand_range(&seed, 1, 4); k > 0; k--)
			b.buf[unit_rand(&seed) % (unsigned int)len] ^=
				(uint8_t)unit_rand_range(&seed, 1, 255);
		decode_random(b.buf, (size_t)unit_rand_range(&seed, 0,
							     (uint64_t)len));
	}
	/* The header decoder takes any 12 bytes. */
	for (int i = 0; i < 5000; i++) {
		uint8_t head[NC_HEADER_LEN];
		struct nc_header h;
		const char *why;
		int err;

		for (int k = 0; k < NC_HEADER_LEN; k++)
			head[k] = (uint8_t)unit_rand(&seed);
		if (i % 2)	/* a valid start, random type and length */
			memcpy(head, "NCPY\0\1", 6);
		err = header_decode(head, &h, &why);
		CHECK(err == 0 || err == NETCOPY_EPROTOCOL,
		      "random header: returned %d", err);
		if (err == 0)
			CHECK(h.length <= NC_MAX_BODY && h.type >= 1 &&
			      h.type <= NC_MSG_LAST,
			      "random header accepted: type %u length %" PRIu32,
			      h.type, h.length);
	}
	printf("random bodies accepted: hello %lu, reply %lu, tag %lu, "
	       "figures %lu\n", random_accepted[HELLO], random_accepted[REPLY],
	       random_accepted[TAG], random_accepted[FIGURES]);
}

/* The receive path (hello field 13): optional, absent meaning the
 * mode's own, on the wire only when not that, an unknown one refused. */
static void check_hello_rx(void)
{
	static const uint8_t bad[] = { NC_RX_LAST + 1, 0x7f, 0xff };
	uint8_t buf[NC_MAX_BODY];
	struct nc_params h;
	struct body b;
	union decoded d;
	int base, len;
	char what[64];

	/* The names --rx takes, and back. */
	for (uint8_t rx = NC_RX_MODE; rx <= NC_RX_LAST; rx++) {
		uint8_t back = 0xff;

		CHECK(nc_rx_name(rx) && nc_rx_parse(nc_rx_name(rx), &back) == 0
		      && back == rx, "rx %u does not parse back", rx);
	}
	CHECK(nc_rx_name(NC_RX_LAST + 1) == NULL, "a name past the last rx");
	CHECK(nc_rx_parse("zerocopy", &h.rx) == -EINVAL, "rx zerocopy");
	CHECK(nc_rx_parse(NULL, &h.rx) == -EINVAL, "rx NULL");

	build_hello(&b, &good_hello);
	EXPECT_OK(HELLO, b.buf, b.len, &d, "hello without rx");
	CHECK_INT(d.hello.rx, NC_RX_MODE);
	h = d.hello;
	base = nc_hello_encode(&h, buf, sizeof(buf));
	for (uint8_t rx = NC_RX_MODE; rx <= NC_RX_LAST; rx++) {
		h.rx = rx;
		check_hello_round_trip(&h);
		len = nc_hello_encode(&h, buf, sizeof(buf));
		CHECK(len == base + (rx ? 5 : 0), "rx %u took %d bytes, want "
		      "%d", rx, len - base, rx ? 5 : 0);
	}
	for (size_t i = 0; i < sizeof(bad); i++) {
		build_hello(&b, &good_hello);
		u8_field(&b, NC_H_RX, bad[i]);
		snprintf(what, sizeof(what), "rx %u", bad[i]);
		expect_hello_reason(&b, "unknown receive path (--rx)", what);
	}
	build_hello(&b, &good_hello);
	u64_field(&b, NC_H_RX, NC_RX_RECV);
	expect_hello_reason(&b, "unknown receive path (--rx)",
			    "rx of 8 bytes");
	build_hello(&b, &good_hello);
	raw_field(&b, NC_H_RX, 0, NULL);
	EXPECT_REFUSED(HELLO, b.buf, b.len, "empty rx");
	build_hello(&b, &good_hello);
	u8_field(&b, NC_H_RX, NC_RX_RECV);
	u8_field(&b, NC_H_RX, NC_RX_RECV);
	expect_hello_reason(&b, "repeated field", "rx twice");
	/* Given explicitly, the default decodes the same. */
	build_hello(&b, &good_hello);
	u8_field(&b, NC_H_RX, NC_RX_MODE);
	EXPECT_OK(HELLO, b.buf, b.len, &d, "explicit rx mode");
	CHECK_INT(d.hello.rx, NC_RX_MODE);
}

/* --rx zero-copy's figures (24 to 26): optional, all or none, counts
 * that fit in 63 bits and a refusal that is an error code. */
static void check_figures_rx(void)
{
	static const struct { uint64_t v[3]; const char *what; } bad[] = {
		{ { 1ULL << 63, 0, 0 }, "mapped past INT64_MAX" },
		{ { 0, UINT64_MAX, 0 }, "copied -1" },
		{ { 0, 0, 1 }, "a positive refusal" },
		{ { 0, 0, (uint64_t)(int64_t)(NETCOPY_ECOMPLETION - 101) },
		  "a refusal past every code" },
	};
	struct nc_figures f;
	struct body b, base;
	union decoded d;

	memset(&f, 0, sizeof(f));
	set_zc(&f, -1, -1, -1, -1, -1);
	f.counts.known = KNOWN_ALL;
	f.total_bytes = 1ULL << 40;
	f.rx_zc_mapped = 0;
	f.rx_zc_copied = 1LL << 40;
	strcpy(f.reason, "rx zero-copy, all copied");
	check_figures_round_trip(&f);
	f.rx_zc_mapped = f.rx_zc_copied = INT64_MAX;
	f.rx_zc_refused = -EOPNOTSUPP;
	strcpy(f.reason, "rx zero-copy refused");
	check_figures_round_trip(&f);
	f.rx_zc_mapped = -1;
	strcpy(f.reason, "no rx zero-copy");
	check_figures_round_trip(&f);

	/* An older server's trailer: none of them, so not measured. */
	build_figures(&base, 0, 0, (uint64_t)-1, (uint64_t)-1);
	EXPECT_OK(FIGURES, base.buf, base.len, &d, "figures without rx");
	CHECK_INT(d.figures.rx_zc_mapped, -1);
	CHECK_INT(d.figures.rx_zc_copied, -1);
	for (unsigned int omit = 0; omit < 3; omit++) {
		b = base;
		for (unsigned int i = 0; i < 3; i++)
			if (i != omit)
				u64_field(&b,
					  (uint16_t)(NC_F_RX_ZC_MAPPED + i), 0);
		EXPECT_REFUSED(FIGURES, b.buf, b.len, "rx figures without one");
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		b = base;
		for (unsigned int j = 0; j < 3; j++)
			u64_field(&b, (uint16_t)(NC_F_RX_ZC_MAPPED + j),
				  bad[i].v[j]);
		EXPECT_REFUSED(FIGURES, b.buf, b.len, bad[i].what);
	}
	b = base;
	u8_field(&b, NC_F_RX_ZC_MAPPED, 0);
	u64_field(&b, NC_F_RX_ZC_COPIED, 0);
	u64_field(&b, NC_F_RX_ZC_REFUSED, 0);
	EXPECT_REFUSED(FIGURES, b.buf, b.len, "rx mapped of 1 byte");
	b = base;
	u64_field(&b, NC_F_LAST + 1, 0);
	EXPECT_REFUSED(FIGURES, b.buf, b.len, "the field after the last");
}

/* --sndbuf and --rcvbuf (hello fields 14 and 15): optional, absent
 * meaning the kernel's, on the wire only when set, and in range. */
static void check_hello_sockbuf(void)
{
	static const uint64_t bad[] = { 0, 1, NETCOPY_MIN_SOCKET_BUFFER - 1,
					NETCOPY_MAX_SOCKET_BUFFER + 1,
					1ULL << 32, UINT64_MAX };
	static const uint64_t good[] = { NETCOPY_MIN_SOCKET_BUFFER, 65536,
					 NETCOPY_MAX_SOCKET_BUFFER };
	uint8_t buf[NC_MAX_BODY];
	struct nc_params h;
	struct body b;
	union decoded d;
	char what[64];
	int base, len;

	build_hello(&b, &good_hello);
	EXPECT_OK(HELLO, b.buf, b.len, &d, "hello without socket buffers");
	CHECK_U64(d.hello.sndbuf, 0);
	CHECK_U64(d.hello.rcvbuf, 0);
	h = d.hello;
	base = nc_hello_encode(&h, buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		h.sndbuf = good[i];
		h.rcvbuf = 0;
		check_hello_round_trip(&h);
		len = nc_hello_encode(&h, buf, sizeof(buf));
		CHECK(len == base + 12, "sndbuf alone took %d bytes",
		      len - base);
		h.rcvbuf = good[sizeof(good) / sizeof(*good) - 1 - i];
		check_hello_round_trip(&h);
		h.sndbuf = 0;
		check_hello_round_trip(&h);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		for (uint16_t field = NC_H_SNDBUF; field <= NC_H_RCVBUF;
		     field++) {
			build_hello(&b, &good_hello);
			u64_field(&b, field, bad[i]);
			snprintf(what, sizeof(what), "field %u = %llu", field,
				 (unsigned long long)bad[i]);
			expect_hello_reason(&b, "socket buffer size out of "
					    "range", what);
		}
	}
	build_hello(&b, &good_hello);
	u8_field(&b, NC_H_SNDBUF, 64);
	EXPECT_REFUSED(HELLO, b.buf, b.len, "sndbuf of 1 byte");
	build_hello(&b, &good_hello);
	u64_field(&b, NC_H_RCVBUF, 65536);
	u64_field(&b, NC_H_RCVBUF, 65536);
	expect_hello_reason(&b, "repeated field", "rcvbuf twice");
}

/* The socket buffers the kernel held (figures 27 and 28): both or
 * neither, each fitting an int. */
static void check_figures_sockbuf(void)
{
	struct nc_figures f;
	struct body b, base;
	union decoded d;

	memset(&f, 0, sizeof(f));
	set_zc(&f, -1, -1, -1, -1, -1);
	f.rx_zc_mapped = f.rx_zc_copied = -1;
	f.sockbuf.snd = 4194304;
	f.sockbuf.rcv = INT32_MAX;
	strcpy(f.reason, "socket buffers");
	check_figures_round_trip(&f);
	f.sockbuf.snd = -1;
	strcpy(f.reason, "no socket buffers");
	check_figures_round_trip(&f);

	build_figures(&base, 0, 0, (uint64_t)-1, (uint64_t)-1);
	EXPECT_OK(FIGURES, base.buf, base.len, &d, "figures without buffers");
	CHECK_INT(d.figures.sockbuf.snd, -1);
	CHECK_INT(d.figures.sockbuf.rcv, -1);
	b = base;
	u64_field(&b, NC_F_SNDBUF, 65536);
	EXPECT_REFUSED(FIGURES, b.buf, b.len, "sndbuf without rcvbuf");
	b = base;
	u64_field(&b, NC_F_RCVBUF, 65536);
	EXPECT_REFUSED(FIGURES, b.buf, b.len, "rcvbuf without sndbuf");
	b = base;
	u64_field(&b, NC_F_SNDBUF, (uint64_t)INT32_MAX + 1);
	u64_field(&b, NC_F_RCVBUF, 65536);
	EXPECT_REFUSED(FIGURES, b.buf, b.len, "sndbuf past INT32_MAX");
	b = base;
	u64_field(&b, NC_F_SNDBUF, 65536);
	u64_field(&b, NC_F_RCVBUF, 65536);
	EXPECT_OK(FIGURES, b.buf, b.len, &d, "both buffers");
	CHECK_INT(d.figures.sockbuf.snd, 65536);
	CHECK_INT(d.figures.sockbuf.rcv, 65536);
}

/* The highest field number in a body. */
static unsigned int highest_field(const uint8_t *buf, size_t len)
{
	unsigned int high = 0;

	for (size_t at = 0; at + 4 <= len;
	     at += 4u + (size_t)(buf[at + 2] << 8 | buf[at + 3]))
		if ((unsigned int)(buf[at] << 8 | buf[at + 1]) > high)
			high = (unsigned int)(buf[at] << 8 | buf[at + 1]);
	return high;
}

#define TCPF(fig) (NC_F_TCP_0 + (fig))
#define MILLIONTHS(v) ((uint64_t)((v) * NC_WIRE_FIXED_SCALE))

/* A trailer with figures for busy, rwnd- and sndbuf-limited (percent,
 * -1: left out) refused or not. */
static void expect_shares(const struct body *base, double busy, double rwnd,
			  double sndbuf, bool ok)
{
	struct body b = *base;
	union decoded d;
	char what[96];

	if (busy >= 0)
		u64_field(&b, TCPF(NC_TCP_BUSY_PCT), MILLIONTHS(busy));
	if (rwnd >= 0)
		u64_field(&b, TCPF(NC_TCP_RWND_LIMITED_PCT), MILLIONTHS(rwnd));
	if (sndbuf >= 0)
		u64_field(&b, TCPF(NC_TCP_SNDBUF_LIMITED_PCT),
			  MILLIONTHS(sndbuf));
	snprintf(what, sizeof(what), "busy %g rwnd %g sndbuf %g", busy, rwnd,
		 sndbuf);
	if (!ok) {
		EXPECT_REFUSED(FIGURES, b.buf, b.len, what);
		return;
	}
	EXPECT_OK(FIGURES, b.buf, b.len, &d, what);
	CHECK(d.figures.tcp.value[NC_TCP_BUSY_PCT] == busy &&
	      d.figures.tcp.value[NC_TCP_RWND_LIMITED_PCT] == rwnd &&
	      d.figures.tcp.value[NC_TCP_SNDBUF_LIMITED_PCT] == sndbuf,
	      "%s decoded as %g %g %g", what,
	      d.figures.tcp.value[NC_TCP_BUSY_PCT],
	      d.figures.tcp.value[NC_TCP_RWND_LIMITED_PCT],
	      d.figures.tcp.value[NC_TCP_SNDBUF_LIMITED_PCT]);
}

/* TCP_INFO figures: NA never sent (an older client refuses the fields),
 * known ones in millionths, and the impossible refused. */
static void check_figures_tcp(void)
{
	static const double known[NC_TCP_FIGS] = {
		[NC_TCP_RETRANSMITS] = 12, [NC_TCP_RTT_US] = 45.25,
		[NC_TCP_CWND] = 10.5, [NC_TCP_DELIVERY_GBPS] = 71.123456,
		[NC_TCP_BUSY_PCT] = 99.75, [NC_TCP_RWND_LIMITED_PCT] = 40,
		[NC_TCP_SNDBUF_LIMITED_PCT] = 59.75, [NC_TCP_RCV_RTT_US] = 8,
		[NC_TCP_RCV_SPACE] = 65483.5,
	};
	uint8_t buf[NC_MAX_BODY];
	struct nc_figures f;
	struct body b, base;
	union decoded d;
	int len;

	memset(&f, 0, sizeof(f));
	set_zc(&f, -1, -1, -1, -1, -1);
	f.rx_zc_mapped = f.rx_zc_copied = -1;
	f.sockbuf = nc_sockbufs_none;
	nc_tcp_figures_init(&f.tcp);
	strcpy(f.reason, "no TCP_INFO");
	check_figures_round_trip(&f);
	len = nc_figures_encode(&f, buf, sizeof(buf));
	CHECK(len > 0 && highest_field(buf, (size_t)len) < NC_F_TCP_0,
	      "NA TCP figures sent (field %u)",
	      highest_field(buf, (size_t)(len > 0 ? len : 0)));
	memcpy(f.tcp.value, known, sizeof(known));
	strcpy(f.reason, "TCP_INFO");
	check_figures_round_trip(&f);
	len = nc_figures_encode(&f, buf, sizeof(buf));
	CHECK(len > 0 && highest_field(buf, (size_t)len) ==
	      NC_F_TCP_0 + NC_WIRE_TCP_FIGS - 1, "TCP figures not sent");
	f.tcp.value[NC_TCP_RTT_US] = -1;	/* one alone NA */
	check_figures_round_trip(&f);
	/* A paced sender says how; an unpaced one sends nothing. */
	f.pacing = NC_PACING_USER;
	check_figures_round_trip(&f);
	len = nc_figures_encode(&f, buf, sizeof(buf));
	CHECK(len > 0 && highest_field(buf, (size_t)len) == NC_F_PACING,
	      "the pacing method not sent");
	/* A server's cap (--max-rate-per-host) goes only where it capped,
	 * and no faster than a rate may be. */
	f.rate_cap = NC_MAX_RATE;
	check_figures_round_trip(&f);
	len = nc_figures_encode(&f, buf, sizeof(buf));
	CHECK(len > 0 && highest_field(buf, (size_t)len) == NC_F_RATE_CAP,
	      "the capped rate not sent");
	f.rate_cap = NC_MAX_RATE + 1;
	len = nc_figures_encode(&f, buf, sizeof(buf));
	CHECK(len > 0, "figures encode returned %d", len);
	if (len > 0)
		EXPECT_REFUSED(FIGURES, buf, (size_t)len, "a cap above "
			       "NC_MAX_RATE");
	f.rate_cap = 0;
	f.pacing = NC_PACING_NONE;

	build_figures(&base, 0, 0, (uint64_t)-1, (uint64_t)-1);
	EXPECT_OK(FIGURES, base.buf, base.len, &d, "figures without TCP");
	for (int i = 0; i < NC_TCP_FIGS; i++)
		CHECK(d.figures.tcp.value[i] == -1, "absent TCP figure %d: %g",
		      i, d.figures.tcp.value[i]);
	expect_shares(&base, 50, 30, 20, true);
	expect_shares(&base, 100, -1, -1, true);
	expect_shares(&base, 0, 0, 0, true);
	expect_shares(&base, 100.000001, -1, -1, false);
	expect_shares(&base, 50, 50.000001, -1, false);
	expect_shares(&base, 50, -1, 60, false);
	expect_shares(&base, 50, 30, 30, false);
	expect_shares(&base, -1, 10, -1, false);
	expect_shares(&base, -1, -1, 10, false);
	b = base;
	u64_field(&b, TCPF(NC_TCP_RETRANSMITS), MILLIONTHS(3));
	EXPECT_OK(FIGURES, b.buf, b.len, &d, "3 retransmits");
	CHECK(d.figures.tcp.value[NC_TCP_RETRANSMITS] == 3,
	      "3 retransmits decoded as %g",
	      d.figures.tcp.value[NC_TCP_RETRANSMITS]);
	b = base;
	u64_field(&b, TCPF(NC_TCP_RETRANSMITS), MILLIONTHS(1.5));
	EXPECT_REFUSED(FIGURES, b.buf, b.len, "1.5 retransmits");
	b = base;
	u64_field(&b, TCPF(NC_TCP_RTT_US),
		  MILLIONTHS((double)UINT32_MAX) + 1);
	EXPECT_REFUSED(FIGURES, b.buf, b.len, "rtt past a u32");
	b = base;
	u64_field(&b, TCPF(NC_TCP_CWND), UINT64_MAX);
	EXPECT_REFUSED(FIGURES, b.buf, b.len, "cwnd UINT64_MAX");
	b = base;
	u8_field(&b, TCPF(NC_TCP_RCV_SPACE), 1);
	EXPECT_REFUSED(FIGURES, b.buf, b.len, "rcv space of 1 byte");
}

/* ---- byte-exact: what version 1 puts on the wire ----
 * Bodies captured from the encoder as it was before the spec-driven
 * codec, so older peers keep reading what we send and we theirs. */
static const uint8_t hello_default[] = {
	0x00, 0x01, 0x00, 0x08, 0x74, 0x77, 0x6f, 0x2d, 0x63, 0x6f, 0x70, 0x79,
	0x00, 0x02, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
	0x00, 0x03, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04,
	0x00, 0x04, 0x00, 0x08, 0x00, 0x00, 0x00, 0x02, 0x54, 0x0b, 0xe4, 0x00,
	0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x06, 0x00, 0x01, 0x00, 0x00, 0x07,
	0x00, 0x01, 0x01, 0x00, 0x08, 0x00, 0x01, 0x00, 0x00, 0x09, 0x00, 0x08,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x08,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};
static const uint8_t hello_all[] = {
	0x00, 0x01, 0x00, 0x08, 0x75, 0x72, 0x69, 0x6e, 0x67, 0x2d, 0x7a, 0x63,
	0x00, 0x02, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
	0x00, 0x03, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x00, 0x04, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x1d, 0xcd, 0x65, 0x00,
	0x00, 0x05, 0x00, 0x01, 0x01, 0x00, 0x06, 0x00, 0x01, 0x01, 0x00, 0x07,
	0x00, 0x01, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00, 0x00, 0x09, 0x00, 0x08,
	0x00, 0x00, 0x00, 0x00, 0x0e, 0xe6, 0xb2, 0x80, 0x00, 0x0a, 0x00, 0x08,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x0b, 0x00, 0x08,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x0c, 0x00, 0x01,
	0x01, 0x00, 0x0d, 0x00, 0x01, 0x02, 0x00, 0x0e, 0x00, 0x08, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x08, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
};
static const uint8_t reply_accept[] = {
	0x00, 0x01, 0x00, 0x01, 0x01, 0x00, 0x02, 0x00, 0x10, 0xa0, 0xa1, 0xa2,
	0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae,
	0xaf,
};
static const uint8_t reply_refuse[] = {
	0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x03, 0x00, 0x08, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xef, 0xfe, 0x00, 0x04, 0x00, 0x0c, 0x6e, 0x6f, 0x20,
	0x73, 0x75, 0x63, 0x68, 0x20, 0x6d, 0x6f, 0x64, 0x65,
};
static const uint8_t tag[] = {
	0x00, 0x01, 0x00, 0x10, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0x00, 0x02, 0x00, 0x08,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
};
static const uint8_t figures_plain[] = {
	0x00, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x02, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00,
	0x00, 0x03, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x00, 0x04, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8,
	0x00, 0x05, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xf4,
	0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x07, 0x00, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0x00, 0x08, 0x00, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0x00, 0x09, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x4d, 0x00, 0x0b, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x41, 0x00, 0x0c, 0x00, 0x01, 0x01, 0x00, 0x0d, 0x00,
	0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x0e, 0x00,
	0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x0f, 0x00,
	0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x10, 0x00,
	0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b, 0xb8, 0x00, 0x11, 0x00,
	0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0x00, 0x12, 0x00,
	0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x13, 0x00,
	0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00,
	0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x15, 0x00,
	0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x16, 0x00,
	0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x17, 0x00,
	0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x6a,
};
static const uint8_t figures_all[] = {
	0x00, 0x01, 0x00, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xef, 0xfc,
	0x00, 0x02, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00,
	0x00, 0x03, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x00, 0x04, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8,
	0x00, 0x05, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xf4,
	0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x07, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,
	0x00, 0x08, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x00, 0x09, 0x00, 0x03, 0x63, 0x75, 0x74, 0x00, 0x0a, 0x00, 0x08, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x4d, 0x00, 0x0b, 0x00, 0x08, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x41, 0x00, 0x0c, 0x00, 0x01, 0x01,
	0x00, 0x0d, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a,
	0x00, 0x0e, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04,
	0x00, 0x0f, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x18, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
	0x00, 0x19, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
	0x00, 0x1a, 0x00, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xa1,
	0x00, 0x1b, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x00,
	0x00, 0x1c, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x24, 0x00,
	0x00, 0x10, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b, 0xb8,
	0x00, 0x11, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64,
	0x00, 0x12, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x13, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x14, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x15, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x16, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x17, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x6a,
};

/* Zeroed first: the decoded struct is compared byte for byte. */
static void exact_hellos(struct nc_params *dflt, struct nc_params *all)
{
	memset(dflt, 0, sizeof(*dflt));
	strcpy(dflt->mode, "two-copy");
	dflt->size = 1024;
	dflt->threads = 4;
	dflt->duration = 10;
	dflt->perf = true;
	dflt->cpu = -1;
	dflt->qd = NETCOPY_DEFAULT_QD;
	dflt->batch = NETCOPY_DEFAULT_BATCH;
	dflt->rr_timeout = NC_DEFAULT_RR_TIMEOUT_S;
	memset(all, 0, sizeof(*all));
	strcpy(all->mode, "uring-zc");
	all->size = 65536;
	all->threads = 2;
	all->duration = 0.5;
	all->reverse = true;
	all->verify = true;
	all->workload = NC_WORKLOAD_STREAM;
	all->warmup = 0.25;
	all->cpu = 3;
	all->qd = 32;
	all->batch = NETCOPY_DEFAULT_BATCH;
	all->rr_timeout = NC_DEFAULT_RR_TIMEOUT_S;
	all->fixed_buffers = true;
	all->rx = NC_RX_RECVMSG;
	all->sndbuf = 262144;
	all->rcvbuf = 131072;
}

static void exact_figures(struct nc_figures *plain, struct nc_figures *all)
{
	memset(plain, 0, sizeof(*plain));
	plain->measured = true;
	plain->total_bytes = 3000;
	plain->bytes = 2048;
	plain->messages = 2;
	plain->interval_ns = 1000;
	plain->latency_ns = 500;
	plain->cpu_us = 77;
	plain->zc.sends = plain->zc.notifications = -1;
	plain->zc.completions = plain->zc.copied = plain->zc.enobufs = -1;
	plain->rx_zc_mapped = plain->rx_zc_copied = -1;
	plain->sockbuf = nc_sockbufs_none;
	nc_tcp_figures_init(&plain->tcp);	/* newer than these bytes */
	plain->counts.known = 0x41;
	plain->counts.scope = NC_SCOPE_USER;
	plain->counts.value[0] = 100;
	plain->counts.value[6] = 106;
	memcpy(all, plain, sizeof(*all));
	all->status = NETCOPY_ESHORT;
	strcpy(all->reason, "cut");
	all->zc.sends = 10;
	all->zc.notifications = 4;
	all->zc.completions = 9;
	all->zc.copied = 2;
	all->zc.enobufs = 1;
	all->rx_zc_mapped = all->rx_zc_copied = 1024;
	all->rx_zc_refused = -95;
	all->sockbuf.snd = 4608;
	all->sockbuf.rcv = 9216;
}

#define CHECK_BYTES(got, n, want, what)					\
	CHECK((size_t)(n) == sizeof(want) &&				\
	      memcmp(got, want, sizeof(want)) == 0,			\
	      "%s: %d bytes, not the %zu of version 1", what, (int)(n),	\
	      sizeof(want))

static void check_exact(void)
{
	struct nc_params h[2], hd;
	struct nc_reply r[2], rd;
	struct nc_figures f[2], fd;
	struct nc_tag t, td;
	uint8_t buf[NC_MAX_BODY];
	const char *why = "";
	int n;

	exact_hellos(&h[0], &h[1]);
	n = nc_hello_encode(&h[0], buf, sizeof(buf));
	CHECK_BYTES(buf, n, hello_default, "hello with the defaults");
	n = nc_hello_encode(&h[1], buf, sizeof(buf));
	CHECK_BYTES(buf, n, hello_all, "hello with every option");
	CHECK(nc_hello_decode(hello_all, sizeof(hello_all), &hd, &why) == 0 &&
	      memcmp(&hd, &h[1], sizeof(hd)) == 0, "hello_all: %s", why);
	CHECK(nc_hello_decode(hello_default, sizeof(hello_default), &hd,
			      &why) == 0 &&
	      memcmp(&hd, &h[0], sizeof(hd)) == 0, "hello_default: %s", why);

	memset(r, 0, sizeof(r));
	r[0].accepted = true;
	for (int i = 0; i < NC_RUN_ID_LEN; i++)
		r[0].run_id[i] = (uint8_t)(0xa0 + i);
	r[1].code = NETCOPY_EUNSUPPORTED;
	strcpy(r[1].reason, "no such mode");
	n = nc_reply_encode(&r[0], buf, sizeof(buf));
	CHECK_BYTES(buf, n, reply_accept, "acceptance");
	n = nc_reply_encode(&r[1], buf, sizeof(buf));
	CHECK_BYTES(buf, n, reply_refuse, "refusal");
	CHECK(nc_reply_decode(reply_refuse, sizeof(reply_refuse), &rd,
			      &why) == 0 && memcmp(&rd, &r[1], sizeof(rd)) == 0,
	      "reply_refuse: %s", why);

	memset(&t, 0, sizeof(t));
	memcpy(t.run_id, r[0].run_id, NC_RUN_ID_LEN);
	t.index = 7;
	n = nc_tag_encode(&t, buf, sizeof(buf));
	CHECK_BYTES(buf, n, tag, "data tag");
	CHECK(nc_tag_decode(tag, sizeof(tag), &td, &why) == 0 &&
	      memcmp(&td, &t, sizeof(td)) == 0, "tag: %s", why);

	exact_figures(&f[0], &f[1]);
	n = nc_figures_encode(&f[0], buf, sizeof(buf));
	CHECK_BYTES(buf, n, figures_plain, "trailer, no options");
	n = nc_figures_encode(&f[1], buf, sizeof(buf));
	CHECK_BYTES(buf, n, figures_all, "trailer with every option");
	for (int i = 0; i < 2; i++) {
		const uint8_t *want = i ? figures_all : figures_plain;
		size_t len = i ? sizeof(figures_all) : sizeof(figures_plain);

		CHECK(nc_figures_decode(want, len, &fd, &why) == 0 &&
		      memcmp(&fd, &f[i], sizeof(fd)) == 0, "figures %d: %s",
		      i, why);
	}
}

/* The codec sets no limit on a message's fields: a spec of 40 numbers
 * (more than a 32-bit mask could track) round-trips, and its 35th field
 * repeated or its 39th missing are refused. */
#define MANY 40
struct many { uint64_t v[MANY]; };

static void check_many_fields(void)
{
	static const struct many zero;
	struct nc_wire_policy policy[MANY];
	struct nc_wire_spec spec = { policy, MANY, MANY, &zero,
				     sizeof(struct many), NULL };
	struct many m, d;
	struct body b;
	bool seen[MANY + 1];
	const char *why = "";
	int n;

	memset(policy, 0, sizeof(policy));
	for (unsigned int i = 0; i < MANY; i++) {
		policy[i].type = (uint16_t)(i + 1);
		policy[i].kind = NC_WK_U64;
		policy[i].offset = (uint16_t)(i * sizeof(uint64_t));
		m.v[i] = 3ULL * i + 1;
	}
	n = nc_wire_encode(&spec, &m, b.buf, sizeof(b.buf));
	CHECK_INT(n, MANY * 12);
	CHECK(nc_wire_decode(&spec, b.buf, (size_t)n, &d, seen, &why) == 0 &&
	      memcmp(&d, &m, sizeof(d)) == 0, "40 fields: %s", why);
	b.len = (size_t)n;
	u64_field(&b, 35, 7);
	CHECK(nc_wire_decode(&spec, b.buf, b.len, &d, seen, &why) ==
	      NETCOPY_EPROTOCOL && strcmp(why, "repeated field") == 0,
	      "field 35 twice: %s", why);
	b.len = 0;
	for (unsigned int i = 0; i < MANY; i++)
		if (i + 1 != 39)
			u64_field(&b, (uint16_t)(i + 1), m.v[i]);
	CHECK(nc_wire_decode(&spec, b.buf, b.len, &d, seen, &why) ==
	      NETCOPY_EPROTOCOL && strcmp(why, "required field missing") == 0,
	      "field 39 missing: %s", why);
}

/* NC_WK_FIXED: millionths on the wire, rounded; NA (-1) never sent; a
 * bound in wire units; what does not fit is NA, never wrapped. */
struct fixed_msg { double a, b; };

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void check_fixed(void)
{
	static const struct fixed_msg na = { -1, -1 };
	static const struct nc_wire_policy policy[] = {
		{ 1, NC_WK_FIXED, NC_WF_OPTIONAL, 0,
		  offsetof(struct fixed_msg, a), sizeof(double),
		  .max = 100 * (uint64_t)NC_WIRE_FIXED_SCALE },
		{ 2, NC_WK_FIXED, NC_WF_OPTIONAL, 0,
		  offsetof(struct fixed_msg, b), sizeof(double), .max = 0 },
	};
	struct nc_wire_spec spec = { policy, 2, 2, &na,
				     sizeof(struct fixed_msg), NULL };
	struct fixed_msg m = { 12.3456784, -1 }, d;
	struct body b;
	bool seen[3];
	const char *why = "";
	int n;

	n = nc_wire_encode(&spec, &m, b.buf, sizeof(b.buf));
	CHECK_INT(n, 12);		/* b is NA: not sent */
	CHECK(b.buf[1] == 1 && get_be64(b.buf + 4) == 12345678,
	      "12.3456784 sent as %" PRIu64, get_be64(b.buf + 4));
	CHECK(nc_wire_decode(&spec, b.buf, (size_t)n, &d, seen, &why) == 0,
	      "fixed: %s", why);
	CHECK(d.a == 12.345678 && d.b == -1, "fixed decoded %g %g", d.a, d.b);
	b.len = 0;
	u64_field(&b, 1, 100 * (uint64_t)NC_WIRE_FIXED_SCALE + 1);
	CHECK(nc_wire_decode(&spec, b.buf, b.len, &d, seen, &why) ==
	      NETCOPY_EPROTOCOL, "fixed past its bound decoded");
	b.len = 0;
	u64_field(&b, 2, UINT64_MAX);
	CHECK(nc_wire_decode(&spec, b.buf, b.len, &d, seen, &why) ==
	      NETCOPY_EPROTOCOL, "fixed UINT64_MAX decoded");
	m.a = 1e300;		/* beyond u64: as NA, not wrapped */
	CHECK_INT(nc_wire_encode(&spec, &m, b.buf, sizeof(b.buf)), 0);
}

/* A UDP port without its cookie is half a group: refused. */
static void check_port_alone(void)
{
	struct body b = { .len = 0 };
	uint8_t id[NC_RUN_ID_LEN] = { 7 };
	union decoded d;
	const char *why = "";

	u8_field(&b, NC_R_ACCEPTED, 1);
	raw_field(&b, NC_R_RUN_ID, sizeof(id), id);
	u64_field(&b, NC_R_UDP_PORT, 40000);
	CHECK(nc_reply_decode(b.buf, b.len, &d.reply, &why) != 0,
	      "a UDP port without its cookie decodes");
}

/* --proto udp: a hello carries it only for UDP; a data connection's
 * acceptance carries the UDP port and cookie, both or neither, never in
 * a refusal; a UDP receiver's trailer carries its counts as a group. */
static void check_udp(void)
{
	struct nc_params h = nc_params_defaults;
	struct nc_reply r = { .accepted = true, .udp_port = 40000,
			      .cookie = 0x1122334455667788ULL };
	struct nc_figures f;
	uint8_t buf[NC_MAX_BODY];
	union decoded d;
	const char *why = "";
	int len;

	len = nc_hello_encode(&h, buf, sizeof(buf));
	CHECK(len > 0 && highest_field(buf, (size_t)len) < NC_H_PROTO,
	      "a TCP hello carries proto");
	h.proto = NC_PROTO_UDP;
	len = nc_hello_encode(&h, buf, sizeof(buf));
	CHECK(len > 0 && highest_field(buf, (size_t)len) == NC_H_PROTO,
	      "a UDP hello lacks proto");
	CHECK(len > 0 && nc_hello_decode(buf, (size_t)len, &d.hello,
					 &why) == 0 &&
	      d.hello.proto == NC_PROTO_UDP, "a UDP hello decodes as %u: %s",
	      d.hello.proto, why);
	h.proto = NC_PROTO_LAST + 1;
	CHECK(nc_hello_encode(&h, buf, sizeof(buf)) < 0 ||
	      nc_hello_decode(buf, (size_t)nc_hello_encode(&h, buf,
							   sizeof(buf)),
			      &d.hello, &why) != 0,
	      "an unknown protocol decodes");

	len = nc_reply_encode(&r, buf, sizeof(buf));
	CHECK(len > 0 && nc_reply_decode(buf, (size_t)len, &d.reply,
					 &why) == 0 &&
	      d.reply.udp_port == r.udp_port && d.reply.cookie == r.cookie,
	      "the UDP port and cookie do not survive: %s", why);
	r.cookie = 0;		/* a default member still goes with its group */
	len = nc_reply_encode(&r, buf, sizeof(buf));
	CHECK(len > 0 && nc_reply_decode(buf, (size_t)len, &d.reply,
					 &why) == 0 &&
	      d.reply.udp_port == r.udp_port && d.reply.cookie == 0,
	      "a cookie of 0 does not survive: %s", why);
	check_port_alone();
	r = (struct nc_reply){ .accepted = false, .code = NETCOPY_EREFUSED,
			       .reason = "no", .udp_port = 1, .cookie = 1 };
	len = nc_reply_encode(&r, buf, sizeof(buf));
	CHECK(len > 0 && nc_reply_decode(buf, (size_t)len, &d.reply,
					 &why) != 0,
	      "a refusal with a UDP port decodes");

	memset(&f, 0, sizeof(f));
	set_zc(&f, -1, -1, -1, -1, -1);
	f.rx_zc_mapped = f.rx_zc_copied = -1;
	f.sockbuf = nc_sockbufs_none;
	nc_tcp_figures_init(&f.tcp);
	check_figures_round_trip(&f);
	f.udp = (struct nc_udp_counts){ true, 7, 3, 1, 90, 12.25 };
	check_figures_round_trip(&f);
	len = nc_figures_encode(&f, buf, sizeof(buf));
	CHECK(len > 0 && highest_field(buf, (size_t)len) == NC_F_UDP_READS,
	      "a UDP receiver's counts not sent");
}

/* --flows (field 23): optional, on the wire only when set, at least
 * the threads (good_hello has 4) and at most NC_MAX_FLOWS. */
static void check_hello_flows(void)
{
	static const uint64_t bad[] = { 0, NC_MAX_FLOWS + 1ULL, 1ULL << 32,
					UINT64_MAX };
	uint8_t buf[NC_MAX_BODY];
	struct nc_params h;
	struct body b;
	union decoded d;
	char what[64];
	int base, len;

	build_hello(&b, &good_hello);
	EXPECT_OK(HELLO, b.buf, b.len, &d, "hello without flows");
	CHECK_U64(d.hello.flows, 0);
	CHECK_U64(nc_params_flows(&d.hello), good_hello.threads);
	h = d.hello;
	base = nc_hello_encode(&h, buf, sizeof(buf));
	CHECK(base == (int)b.len, "no flows encoded in %d bytes, want %zu",
	      base, b.len);
	for (uint32_t flows = 4; flows <= NC_MAX_FLOWS; flows = flows * 3) {
		h.flows = flows;
		check_hello_round_trip(&h);
		len = nc_hello_encode(&h, buf, sizeof(buf));
		CHECK(len == base + 12, "flows took %d bytes", len - base);
	}
	h.flows = NC_MAX_FLOWS;
	check_hello_round_trip(&h);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		build_hello(&b, &good_hello);
		u64_field(&b, NC_H_FLOWS, bad[i]);
		snprintf(what, sizeof(what), "flows %" PRIu64, bad[i]);
		expect_hello_reason(&b, "flows out of range (--flows)", what);
	}
	build_hello(&b, &good_hello);
	u64_field(&b, NC_H_FLOWS, 3);
	expect_hello_reason(&b, "--flows below -t (each thread drives a "
			    "flow at least)", "flows 3 over 4 threads");
}

/* --per-flow where the server receives (hello field 25): asked only of
 * a stream the server receives. */
static void check_hello_flow_bytes(void)
{
	uint8_t buf[NC_MAX_BODY];
	struct nc_params h = nc_params_defaults, d;
	const char *why = NULL;
	int len;

	h.reverse = h.flow_bytes = true;
	len = nc_hello_encode(&h, buf, sizeof(buf));
	CHECK(len > 0 && nc_hello_decode(buf, (size_t)len, &d, &why) == 0 &&
	      d.flow_bytes && d.reverse, "per-flow bytes asked: %s", why);
	h.reverse = false;
	len = nc_hello_encode(&h, buf, sizeof(buf));
	CHECK(len > 0 && nc_hello_decode(buf, (size_t)len, &d, &why) ==
	      NETCOPY_EPROTOCOL && why && strcmp(why, "per-flow bytes only "
	      "where the server receives a stream") == 0,
	      "per-flow bytes of a server that sends: %s", why);
	h.flow_bytes = false;
	len = nc_hello_encode(&h, buf, sizeof(buf));
	CHECK(len > 0 && nc_hello_decode(buf, (size_t)len, &d, &why) == 0 &&
	      !d.flow_bytes, "no per-flow bytes: %s", why);
}

/* A chunk of per-flow bytes as sent: flows, first, then the list. */
static void build_chunk(struct body *b, uint64_t flows, uint64_t first,
			uint32_t n, uint16_t list_len)
{
	uint8_t list[(NC_FLOW_CHUNK + 1) * 8];

	for (uint32_t i = 0; i < sizeof(list); i++)
		list[i] = (uint8_t)(i / 8 + 1);
	b->len = 0;
	u64_field(b, NC_B_FLOWS, flows);
	u64_field(b, NC_B_FIRST, first);
	raw_field(b, NC_B_BYTES, list_len ? list_len : (uint16_t)(n * 8),
		  list);
}

static void expect_chunk_refused(const struct body *b, const char *reason,
				 const char *what)
{
	struct nc_flow_chunk c;
	const char *why = NULL;
	uint8_t *copy = unit_malloc(b->len);
	int err;

	memcpy(copy, b->buf, b->len);
	err = nc_flow_chunk_decode(copy, b->len, &c, &why);
	free(copy);
	CHECK(err == NETCOPY_EPROTOCOL && why && strcmp(why, reason) == 0,
	      "%s: got %d \"%s\", want \"%s\"", what, err, why ? why : "",
	      reason);
}

/* The per-flow bytes' chunks: a full one fits a message and comes back
 * as it went; every prefix, and each lie about its place, is refused. */
static void check_flow_chunks(void)
{
	struct nc_flow_chunk c = { .flows = NC_MAX_FLOWS,
				   .first = NC_MAX_FLOWS - NC_FLOW_CHUNK,
				   .bytes.n = NC_FLOW_CHUNK }, got;
	uint8_t buf[NC_MAX_BODY], *copy;
	const char *why = NULL;
	struct body b;
	int len;

	for (uint32_t i = 0; i < NC_FLOW_CHUNK; i++)
		c.bytes.v[i] = i % 3 ? (uint64_t)i << 40 : UINT64_MAX - i;
	len = nc_flow_chunk_encode(&c, buf, sizeof(buf));
	CHECK(len == 3 * 12 + (NC_FLOW_CHUNK - 1) * 8,
	      "a full chunk took %d bytes", len);
	memset(&got, 0x5a, sizeof(got));
	CHECK(len > 0 && nc_flow_chunk_decode(buf, (size_t)len, &got,
					      &why) == 0 &&
	      got.flows == c.flows && got.first == c.first &&
	      got.bytes.n == c.bytes.n &&
	      memcmp(got.bytes.v, c.bytes.v, sizeof(c.bytes.v)) == 0,
	      "a full chunk does not come back: %s", why);
	for (int n = 0; n < len; n++) {
		copy = unit_malloc((size_t)n);
		memcpy(copy, buf, (size_t)n);
		CHECK(nc_flow_chunk_decode(copy, (size_t)n, &got, &why) ==
		      NETCOPY_EPROTOCOL, "a chunk's first %d bytes decode",
		      n);
		free(copy);
	}
	CHECK(nc_flow_chunk_encode(&c, buf, (size_t)len - 1) == -ENOSPC,
	      "a chunk encoded in too little room");
	c.bytes.n = NC_FLOW_CHUNK + 1;
	CHECK(nc_flow_chunk_encode(&c, buf, sizeof(buf)) == -EINVAL,
	      "a chunk over NC_FLOW_CHUNK encoded");

	build_chunk(&b, 8, 0, 8, 0);
	CHECK(nc_flow_chunk_decode(b.buf, b.len, &got, &why) == 0 &&
	      got.bytes.n == 8 && got.bytes.v[7] == 0x0808080808080808ULL,
	      "a chunk of 8 flows: %s", why);
	build_chunk(&b, 8, 0, 0, 0);
	expect_chunk_refused(&b, "per-flow bytes out of range", "no flows");
	build_chunk(&b, 8, 8, 1, 0);
	expect_chunk_refused(&b, "per-flow bytes out of range",
			     "first past the flows");
	build_chunk(&b, 8, 4, 5, 0);
	expect_chunk_refused(&b, "per-flow bytes out of range",
			     "more flows than the run's");
	build_chunk(&b, 0, 0, 1, 0);
	expect_chunk_refused(&b, "per-flow bytes out of range", "0 flows");
	build_chunk(&b, NC_MAX_FLOWS + 1ULL, 0, 1, 0);
	expect_chunk_refused(&b, "per-flow bytes out of range",
			     "flows over NC_MAX_FLOWS");
	build_chunk(&b, 8, 0, 1, 12);
	expect_chunk_refused(&b, "list field of the wrong length",
			     "a list of 1.5 numbers");
	build_chunk(&b, NC_MAX_FLOWS, 0, NC_FLOW_CHUNK + 1, 0);
	expect_chunk_refused(&b, "list field of the wrong length",
			     "a list over NC_FLOW_CHUNK");
	b.len = 0;
	u64_field(&b, NC_B_FLOWS, 8);
	raw_field(&b, NC_B_BYTES, 8, buf);
	expect_chunk_refused(&b, "required field missing", "no first");
}

int main(void)
{
	memset(long_text, 'x', sizeof(long_text));
	check_udp();
	check_hellos();
	check_replies();
	check_tags();
	check_figures();
	check_headers();
	check_hello_refusals();
	check_hello_uring();
	check_hello_rx();
	check_hello_sockbuf();
	check_hello_flows();
	check_hello_flow_bytes();
	check_flow_chunks();
	check_reply_refusals();
	check_tag_refusals();
	check_figures_refusals();
	check_figures_rx();
	check_figures_sockbuf();
	check_figures_tcp();
	check_encoder_space();
	check_random();
	check_exact();
	check_many_fields();
	check_fixed();
	return unit_exit("unit-wire");
}
