/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * wire.c - the control protocol's encoding.  A message is a 12-byte
 * header (magic, version, type, body length; network byte order) and a
 * body of fields, each a 16-bit type, a 16-bit length and the value, so
 * later options are new fields, not a new version.  Decoders check every
 * length against its limit before use and refuse unknown, repeated,
 * missing or malformed fields.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "internal.h"

enum hello_field { H_MODE = 1, H_SIZE, H_THREADS, H_DURATION, H_REVERSE,
		   H_VERIFY, H_PERF, H_WORKLOAD, H_WARMUP, H_CPU, H_QD,
		   H_FIXED_BUFFERS, H_RX, H_SNDBUF, H_RCVBUF };
enum reply_field { R_ACCEPTED = 1, R_RUN_ID, R_CODE, R_REASON };
enum tag_field { T_RUN_ID = 1, T_INDEX };
enum figures_field { F_STATUS = 1, F_BYTES, F_MESSAGES, F_INTERVAL,
		     F_LATENCY, F_MISMATCHES, F_ZC_COMPLETIONS, F_ZC_COPIED,
		     F_REASON, F_CPU_US, F_COUNTERS_KNOWN, F_COUNTERS_SCOPE,
		     F_ZC_SENDS, F_ZC_NOTIFICATIONS, F_ZC_ENOBUFS,
		     F_TOTAL_BYTES, F_COUNTER_0 };	/* then the counters */
/* The fields every trailer has; later ones are optional, absent
 * meaning not measured, so older peers' trailers still decode. */
#define F_REQUIRED_LAST (F_COUNTER_0 + NC_EV_COUNT - 1)
/* --rx zero-copy's receive figures. */
enum { F_RX_ZC_MAPPED = F_REQUIRED_LAST + 1, F_RX_ZC_COPIED,
       F_RX_ZC_REFUSED };
/* The socket buffers the kernel held. */
enum { F_SNDBUF = F_RX_ZC_REFUSED + 1, F_RCVBUF };
#define F_LAST F_RCVBUF
/* The reader keeps a 32-bit mask of the fields it has seen. */
_Static_assert(F_LAST < 32 && H_RCVBUF < 32, "too many fields for the mask");

/* ---- writing ---- */

struct writer {
	uint8_t *buf;
	size_t cap, len;
	bool full;
};

static void put_field(struct writer *w, uint16_t type, const void *val,
		      size_t len)
{
	if (w->full || len > UINT16_MAX || w->cap - w->len < 4 + len) {
		w->full = true;
		return;
	}
	w->buf[w->len++] = (uint8_t)(type >> 8);
	w->buf[w->len++] = (uint8_t)type;
	w->buf[w->len++] = (uint8_t)(len >> 8);
	w->buf[w->len++] = (uint8_t)len;
	memcpy(w->buf + w->len, val, len);
	w->len += len;
}

static void put_u64(struct writer *w, uint16_t type, uint64_t v)
{
	uint8_t b[8];

	for (int i = 7; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
	put_field(w, type, b, 8);
}

static void put_u8(struct writer *w, uint16_t type, uint8_t v)
{
	put_field(w, type, &v, 1);
}

static void put_str(struct writer *w, uint16_t type, const char *s)
{
	put_field(w, type, s, strlen(s));
}

static int writer_done(const struct writer *w)
{
	return w->full ? -ENOSPC : (int)w->len;
}

void nc_header_encode(uint8_t buf[NC_HEADER_LEN], uint16_t type,
		      uint32_t length)
{
	uint32_t magic = htonl(NC_MAGIC), len = htonl(length);
	uint16_t version = htons(NC_VERSION), t = htons(type);

	memcpy(buf, &magic, 4);
	memcpy(buf + 4, &version, 2);
	memcpy(buf + 6, &t, 2);
	memcpy(buf + 8, &len, 4);
}

int nc_hello_encode(const struct nc_hello *h, uint8_t *buf, size_t cap)
{
	struct writer w = { buf, cap, 0, false };

	put_str(&w, H_MODE, h->mode);
	put_u64(&w, H_SIZE, h->size);
	put_u64(&w, H_THREADS, h->threads);
	put_u64(&w, H_DURATION, h->duration_ns);
	put_u8(&w, H_REVERSE, h->reverse);
	put_u8(&w, H_VERIFY, h->verify);
	put_u8(&w, H_PERF, h->perf);
	put_u8(&w, H_WORKLOAD, h->workload);
	put_u64(&w, H_WARMUP, h->warmup_ns);
	put_u64(&w, H_CPU, (uint64_t)(int64_t)h->cpu);
	/* Only when not the defaults, so older servers, which refuse
	 * fields they do not know, still serve every other run. */
	if (h->qd != NETCOPY_DEFAULT_QD)
		put_u64(&w, H_QD, h->qd);
	if (h->fixed_buffers)
		put_u8(&w, H_FIXED_BUFFERS, h->fixed_buffers);
	if (h->rx != NC_RX_MODE)
		put_u8(&w, H_RX, h->rx);
	if (h->sndbuf)
		put_u64(&w, H_SNDBUF, h->sndbuf);
	if (h->rcvbuf)
		put_u64(&w, H_RCVBUF, h->rcvbuf);
	return writer_done(&w);
}

int nc_reply_encode(const struct nc_reply *r, uint8_t *buf, size_t cap)
{
	struct writer w = { buf, cap, 0, false };

	put_u8(&w, R_ACCEPTED, r->accepted);
	if (r->accepted) {
		put_field(&w, R_RUN_ID, r->run_id, NC_RUN_ID_LEN);
	} else {
		put_u64(&w, R_CODE, (uint64_t)(int64_t)r->code);
		put_str(&w, R_REASON, r->reason);
	}
	return writer_done(&w);
}

int nc_tag_encode(const struct nc_tag *t, uint8_t *buf, size_t cap)
{
	struct writer w = { buf, cap, 0, false };

	put_field(&w, T_RUN_ID, t->run_id, NC_RUN_ID_LEN);
	put_u64(&w, T_INDEX, t->index);
	return writer_done(&w);
}

int nc_figures_encode(const struct nc_figures *f, uint8_t *buf, size_t cap)
{
	struct writer w = { buf, cap, 0, false };

	put_u64(&w, F_STATUS, (uint64_t)(int64_t)f->status);
	put_u64(&w, F_BYTES, f->bytes);
	put_u64(&w, F_MESSAGES, f->messages);
	put_u64(&w, F_INTERVAL, f->interval_ns);
	put_u64(&w, F_LATENCY, f->latency_ns);
	put_u64(&w, F_MISMATCHES, f->mismatches);
	put_u64(&w, F_ZC_COMPLETIONS, (uint64_t)f->zc_completions);
	put_u64(&w, F_ZC_COPIED, (uint64_t)f->zc_copied);
	put_str(&w, F_REASON, f->reason);
	put_u64(&w, F_CPU_US, f->cpu_us);
	put_u64(&w, F_COUNTERS_KNOWN, f->counts.known);
	put_u8(&w, F_COUNTERS_SCOPE, f->counts.scope);
	put_u64(&w, F_ZC_SENDS, (uint64_t)f->zc_sends);
	put_u64(&w, F_ZC_NOTIFICATIONS, (uint64_t)f->zc_notifications);
	put_u64(&w, F_ZC_ENOBUFS, (uint64_t)f->zc_enobufs);
	/* Only when measured: older clients refuse fields they do not
	 * know, and only a client that asked for --rx zero-copy gets them.
	 * Before the required tail, so no prefix of a trailer decodes. */
	if (f->rx_zc_mapped >= 0) {
		put_u64(&w, F_RX_ZC_MAPPED, (uint64_t)f->rx_zc_mapped);
		put_u64(&w, F_RX_ZC_COPIED, (uint64_t)f->rx_zc_copied);
		put_u64(&w, F_RX_ZC_REFUSED,
			(uint64_t)(int64_t)f->rx_zc_refused);
	}
	if (f->sndbuf >= 0 && f->rcvbuf >= 0) {
		put_u64(&w, F_SNDBUF, (uint64_t)f->sndbuf);
		put_u64(&w, F_RCVBUF, (uint64_t)f->rcvbuf);
	}
	put_u64(&w, F_TOTAL_BYTES, f->total_bytes);
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++)
		put_u64(&w, (uint16_t)(F_COUNTER_0 + ev), f->counts.value[ev]);
	return writer_done(&w);
}

/* ---- reading ---- */

struct field {
	uint16_t type;
	uint16_t len;
	const uint8_t *val;
};

struct reader {
	const uint8_t *buf;
	size_t len, pos;
	uint32_t seen;		/* bit per field type already read */
};

/* 1 with *f filled, 0 at the end, NETCOPY_EPROTOCOL when malformed. */
static int next_field(struct reader *r, struct field *f, uint16_t max_type,
		      const char **why)
{
	if (r->pos == r->len)
		return 0;
	if (r->len - r->pos < 4) {
		*why = "truncated field header";
		return NETCOPY_EPROTOCOL;
	}
	f->type = (uint16_t)(r->buf[r->pos] << 8 | r->buf[r->pos + 1]);
	f->len = (uint16_t)(r->buf[r->pos + 2] << 8 | r->buf[r->pos + 3]);
	r->pos += 4;
	if (f->len > r->len - r->pos) {
		*why = "field longer than the message";
		return NETCOPY_EPROTOCOL;
	}
	if (f->type == 0 || f->type > max_type) {
		*why = "unknown field";
		return NETCOPY_EPROTOCOL;
	}
	if (r->seen & (1u << f->type)) {
		*why = "repeated field";
		return NETCOPY_EPROTOCOL;
	}
	r->seen |= 1u << f->type;
	f->val = r->buf + r->pos;
	r->pos += f->len;
	return 1;
}

static int get_u64(const struct field *f, uint64_t *v, const char **why)
{
	if (f->len != 8) {
		*why = "number field of the wrong length";
		return NETCOPY_EPROTOCOL;
	}
	*v = 0;
	for (int i = 0; i < 8; i++)
		*v = *v << 8 | f->val[i];
	return 0;
}

static int get_bool(const struct field *f, bool *v, const char **why)
{
	if (f->len != 1 || f->val[0] > 1) {
		*why = "flag field not 0 or 1";
		return NETCOPY_EPROTOCOL;
	}
	*v = f->val[0];
	return 0;
}

/* Text fields hold printable ASCII only, so they are safe to print. */
static int get_str(const struct field *f, char *s, size_t cap,
		   const char **why)
{
	if (f->len >= cap) {
		*why = "text field too long";
		return NETCOPY_EPROTOCOL;
	}
	for (size_t i = 0; i < f->len; i++) {
		if (f->val[i] < 0x20 || f->val[i] > 0x7e) {
			*why = "text field not printable";
			return NETCOPY_EPROTOCOL;
		}
	}
	memcpy(s, f->val, f->len);
	s[f->len] = '\0';
	return 0;
}

static int get_bytes(const struct field *f, uint8_t *b, size_t len,
		     const char **why)
{
	if (f->len != len) {
		*why = "id field of the wrong length";
		return NETCOPY_EPROTOCOL;
	}
	memcpy(b, f->val, len);
	return 0;
}

static int require(const struct reader *r, uint32_t mask, const char **why)
{
	if ((r->seen & mask) != mask) {
		*why = "required field missing";
		return NETCOPY_EPROTOCOL;
	}
	return 0;
}

#define BIT(x) (1u << (x))

/* Zero-copy figures: all -1 (not zero-copy) or all counts, with no
 * more copied than completed; copied alone may be -1 (the kernel would
 * not say). */
static bool zc_valid(const uint64_t zc[5])
{
	const uint64_t na = UINT64_MAX, limit = INT64_MAX;
	bool all_na = true, all_counts = true;

	for (unsigned int i = 0; i < 5; i++) {
		all_na &= zc[i] == na;
		all_counts &= zc[i] <= limit || (i == 3 && zc[i] == na);
	}
	return all_na || (all_counts && (zc[3] == na || zc[3] <= zc[2]));
}

/* 0, a negative errno, or one of the library's own codes. */
static bool error_code_valid(int64_t v)
{
	return v <= 0 && v >= NETCOPY_ECOMPLETION - 100;
}

/* The receive-side zero-copy figures: all three or none (not
 * measured), counts that fit, and a refusal that is an error code. */
static int rx_figures(const struct reader *r, const uint64_t rx[3],
		      struct nc_figures *fig, const char **why)
{
	const uint32_t all = BIT(F_RX_ZC_MAPPED) | BIT(F_RX_ZC_COPIED) |
			     BIT(F_RX_ZC_REFUSED);

	fig->rx_zc_mapped = fig->rx_zc_copied = -1;
	if (!(r->seen & all))
		return 0;
	if ((r->seen & all) != all || rx[0] > INT64_MAX ||
	    rx[1] > INT64_MAX || !error_code_valid((int64_t)rx[2])) {
		*why = "receive zero-copy figures out of range";
		return NETCOPY_EPROTOCOL;
	}
	fig->rx_zc_mapped = (int64_t)rx[0];
	fig->rx_zc_copied = (int64_t)rx[1];
	fig->rx_zc_refused = (int32_t)(int64_t)rx[2];
	return 0;
}

/* The socket buffers: both or neither (not known), each an int. */
static int sockbuf_figures(const struct reader *r, const uint64_t buf[2],
			   struct nc_figures *fig, const char **why)
{
	const uint32_t all = BIT(F_SNDBUF) | BIT(F_RCVBUF);

	fig->sndbuf = fig->rcvbuf = -1;
	if (!(r->seen & all))
		return 0;
	if ((r->seen & all) != all || buf[0] > INT32_MAX ||
	    buf[1] > INT32_MAX) {
		*why = "socket buffer figures out of range";
		return NETCOPY_EPROTOCOL;
	}
	fig->sndbuf = (int64_t)buf[0];
	fig->rcvbuf = (int64_t)buf[1];
	return 0;
}

int nc_header_decode(const uint8_t buf[NC_HEADER_LEN], struct nc_header *h,
		     const char **why)
{
	uint32_t magic, len;
	uint16_t version, type;

	memcpy(&magic, buf, 4);
	memcpy(&version, buf + 4, 2);
	memcpy(&type, buf + 6, 2);
	memcpy(&len, buf + 8, 4);
	if (ntohl(magic) != NC_MAGIC) {
		*why = "not a netcopy peer (bad magic)";
		return NETCOPY_EPROTOCOL;
	}
	if (ntohs(version) != NC_VERSION) {
		*why = "unsupported protocol version";
		return NETCOPY_EPROTOCOL;
	}
	h->type = ntohs(type);
	h->length = ntohl(len);
	if (h->type < NC_MSG_HELLO || h->type > NC_MSG_TRAILER) {
		*why = "unknown message type";
		return NETCOPY_EPROTOCOL;
	}
	if (h->length > NC_MAX_BODY) {
		*why = "message longer than the limit";
		return NETCOPY_EPROTOCOL;
	}
	return 0;
}

static int hello_field(struct nc_hello *h, const struct field *f,
		       const char **why)
{
	uint64_t v = 0;
	int err = 0;

	switch (f->type) {
	case H_MODE:
		return get_str(f, h->mode, sizeof(h->mode), why);
	case H_REVERSE:
		return get_bool(f, &h->reverse, why);
	case H_VERIFY:
		return get_bool(f, &h->verify, why);
	case H_PERF:
		return get_bool(f, &h->perf, why);
	case H_FIXED_BUFFERS:
		return get_bool(f, &h->fixed_buffers, why);
	case H_RX:
		if (f->len != 1 || f->val[0] > NC_RX_LAST) {
			*why = "unknown receive path (--rx)";
			return NETCOPY_EPROTOCOL;
		}
		h->rx = f->val[0];
		return 0;
	case H_SNDBUF:
	case H_RCVBUF:
		err = get_u64(f, &v, why);
		if (!err && (v < NETCOPY_MIN_SOCKET_BUFFER ||
			     v > NETCOPY_MAX_SOCKET_BUFFER)) {
			*why = "socket buffer size out of range";
			return NETCOPY_EPROTOCOL;
		}
		*(f->type == H_SNDBUF ? &h->sndbuf : &h->rcvbuf) = v;
		return err;
	case H_QD:
		err = get_u64(f, &v, why);
		if (!err && (v == 0 || v > NETCOPY_MAX_QD)) {
			*why = "queue depth out of range";
			return NETCOPY_EPROTOCOL;
		}
		h->qd = (uint32_t)v;
		return err;
	case H_WORKLOAD:
		if (f->len != 1 || f->val[0] > NC_WORKLOAD_RR) {
			*why = "unknown workload";
			return NETCOPY_EPROTOCOL;
		}
		h->workload = f->val[0];
		return 0;
	case H_WARMUP:
		err = get_u64(f, &v, why);
		if (!err && v > (uint64_t)(NC_MAX_WARMUP_S * 1e9))
			goto range;
		h->warmup_ns = v;
		return err;
	case H_CPU:
		err = get_u64(f, &v, why);
		if (!err && (int64_t)v != -1 && v >= NC_MAX_CPU)
			goto range;
		h->cpu = (int32_t)(int64_t)v;
		return err;
	}
	err = get_u64(f, &v, why);
	if (err)
		return err;
	if (f->type == H_SIZE) {
		if (v == 0 || v > NETCOPY_MAX_MESSAGE_SIZE)
			goto range;
		h->size = v;
	} else if (f->type == H_THREADS) {
		if (v == 0 || v > NETCOPY_MAX_THREADS)
			goto range;
		h->threads = (uint32_t)v;
	} else {
		if (v == 0 || v > (uint64_t)(NC_MAX_DURATION_S * 1e9))
			goto range;
		h->duration_ns = v;
	}
	return 0;
range:
	*why = "size, threads, duration, warm-up or CPU out of range";
	return NETCOPY_EPROTOCOL;
}

int nc_hello_decode(const uint8_t *buf, size_t len, struct nc_hello *h,
		    const char **why)
{
	struct reader r = { buf, len, 0, 0 };
	struct field f;
	int err;

	memset(h, 0, sizeof(*h));
	h->qd = NETCOPY_DEFAULT_QD;
	while ((err = next_field(&r, &f, H_RCVBUF, why)) == 1) {
		err = hello_field(h, &f, why);
		if (err)
			return err;
	}
	if (err)
		return err;
	return require(&r, BIT(H_MODE) | BIT(H_SIZE) | BIT(H_THREADS) |
		       BIT(H_DURATION) | BIT(H_REVERSE) | BIT(H_VERIFY) |
		       BIT(H_PERF) | BIT(H_WORKLOAD) | BIT(H_WARMUP) |
		       BIT(H_CPU), why);
}

int nc_reply_decode(const uint8_t *buf, size_t len, struct nc_reply *rep,
		    const char **why)
{
	struct reader r = { buf, len, 0, 0 };
	struct field f;
	uint64_t code = 0;
	int err;

	memset(rep, 0, sizeof(*rep));
	while ((err = next_field(&r, &f, R_REASON, why)) == 1) {
		if (f.type == R_ACCEPTED)
			err = get_bool(&f, &rep->accepted, why);
		else if (f.type == R_RUN_ID)
			err = get_bytes(&f, rep->run_id, NC_RUN_ID_LEN, why);
		else if (f.type == R_CODE)
			err = get_u64(&f, &code, why);
		else
			err = get_str(&f, rep->reason, sizeof(rep->reason),
				      why);
		if (err)
			return err;
	}
	if (err)
		return err;
	if (require(&r, BIT(R_ACCEPTED), why))
		return NETCOPY_EPROTOCOL;
	/* Exactly the fields of an acceptance, or of a refusal. */
	if (rep->accepted && (r.seen & (BIT(R_CODE) | BIT(R_REASON)))) {
		*why = "an acceptance with a refusal's fields";
		return NETCOPY_EPROTOCOL;
	}
	if (!rep->accepted && (r.seen & BIT(R_RUN_ID))) {
		*why = "a refusal with a run id";
		return NETCOPY_EPROTOCOL;
	}
	if (rep->accepted)
		return require(&r, BIT(R_RUN_ID), why);
	err = require(&r, BIT(R_CODE) | BIT(R_REASON), why);
	if (err)
		return err;
	if (!error_code_valid((int64_t)code) || code == 0) {
		*why = "refusal code out of range";
		return NETCOPY_EPROTOCOL;
	}
	rep->code = (int32_t)(int64_t)code;
	return 0;
}

int nc_tag_decode(const uint8_t *buf, size_t len, struct nc_tag *t,
		  const char **why)
{
	struct reader r = { buf, len, 0, 0 };
	struct field f;
	uint64_t index = 0;
	int err;

	memset(t, 0, sizeof(*t));
	while ((err = next_field(&r, &f, T_INDEX, why)) == 1) {
		if (f.type == T_RUN_ID)
			err = get_bytes(&f, t->run_id, NC_RUN_ID_LEN, why);
		else
			err = get_u64(&f, &index, why);
		if (err)
			return err;
	}
	if (err)
		return err;
	err = require(&r, BIT(T_RUN_ID) | BIT(T_INDEX), why);
	if (err)
		return err;
	if (index >= NETCOPY_MAX_THREADS) {
		*why = "data connection index out of range";
		return NETCOPY_EPROTOCOL;
	}
	t->index = (uint32_t)index;
	return 0;
}

int nc_figures_decode(const uint8_t *buf, size_t len, struct nc_figures *fig,
		      const char **why)
{
	struct reader r = { buf, len, 0, 0 };
	uint64_t *slot[F_LAST + 1] = { NULL };
	uint64_t status = 0, known = 0, zc[5] = { 0 }, rx[3] = { 0 };
	uint64_t sockbuf[2] = { 0 };
	struct field f;
	int err;

	memset(fig, 0, sizeof(*fig));
	slot[F_STATUS] = &status;
	slot[F_BYTES] = &fig->bytes;
	slot[F_MESSAGES] = &fig->messages;
	slot[F_INTERVAL] = &fig->interval_ns;
	slot[F_LATENCY] = &fig->latency_ns;
	slot[F_MISMATCHES] = &fig->mismatches;
	slot[F_CPU_US] = &fig->cpu_us;
	slot[F_TOTAL_BYTES] = &fig->total_bytes;
	slot[F_COUNTERS_KNOWN] = &known;
	slot[F_ZC_SENDS] = &zc[0];
	slot[F_ZC_NOTIFICATIONS] = &zc[1];
	slot[F_ZC_COMPLETIONS] = &zc[2];
	slot[F_ZC_COPIED] = &zc[3];
	slot[F_ZC_ENOBUFS] = &zc[4];
	slot[F_RX_ZC_MAPPED] = &rx[0];
	slot[F_RX_ZC_COPIED] = &rx[1];
	slot[F_RX_ZC_REFUSED] = &rx[2];
	slot[F_SNDBUF] = &sockbuf[0];
	slot[F_RCVBUF] = &sockbuf[1];
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++)
		slot[F_COUNTER_0 + ev] = &fig->counts.value[ev];
	while ((err = next_field(&r, &f, F_LAST, why)) == 1) {
		if (f.type == F_REASON) {
			err = get_str(&f, fig->reason, sizeof(fig->reason),
				      why);
		} else if (f.type == F_COUNTERS_SCOPE) {
			fig->counts.scope = f.len == 1 ? f.val[0] : 0xff;
			err = 0;
		} else {
			err = get_u64(&f, slot[f.type], why);
		}
		if (err)
			return err;
	}
	if (err)
		return err;
	err = require(&r, (uint32_t)((2ull << F_REQUIRED_LAST) - 2), why);
	if (err)
		return err;
	err = rx_figures(&r, rx, fig, why);
	if (!err)
		err = sockbuf_figures(&r, sockbuf, fig, why);
	if (err)
		return err;
	fig->status = (int32_t)(int64_t)status;
	fig->zc_sends = (int64_t)zc[0];
	fig->zc_notifications = (int64_t)zc[1];
	fig->zc_completions = (int64_t)zc[2];
	fig->zc_copied = (int64_t)zc[3];
	fig->zc_enobufs = (int64_t)zc[4];
	fig->counts.known = (uint32_t)known;
	if (!error_code_valid((int64_t)status) || !zc_valid(zc) ||
	    known >= 1u << NC_EV_COUNT || fig->counts.scope > NC_SCOPE_ALL) {
		*why = "figures out of range";
		return NETCOPY_EPROTOCOL;
	}
	fig->measured = true;
	return 0;
}
