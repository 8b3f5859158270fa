/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * wire.c - the control protocol's codec: the header, and one encoder
 * and one decoder that walk a message's spec (lib/wire-spec.c), as
 * libnl's nla_parse() walks an nla_policy.  The decoder checks every
 * length before use and refuses unknown, repeated, missing, malformed
 * and out-of-bounds fields; a spec's validate() then judges what spans
 * fields.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "base/base.h"
#include "wire/wire.h"

/* ---- values ---- */

static void *at(void *msg, const struct nc_wire_policy *p)
{
	return (char *)msg + p->offset;
}

static const void *cat(const void *msg, const struct nc_wire_policy *p)
{
	return (const char *)msg + p->offset;
}

/* A fractional figure in NC_WIRE_FIXED_SCALE units; NA (< 0) and what
 * does not fit are UINT64_MAX: as the NA default, so not sent, and
 * refused if it ever arrives. */
static uint64_t fixed(double v)
{
	double units = v * NC_WIRE_FIXED_SCALE + 0.5;

	if (!(v >= 0) || units >= (double)UINT64_MAX)
		return UINT64_MAX;
	return (uint64_t)units;
}

/* A number field's value as sent. */
static uint64_t number(const struct nc_wire_policy *p, const void *msg)
{
	const void *v = cat(msg, p);

	switch (p->kind) {
	case NC_WK_U32:
		return *(const uint32_t *)v;
	case NC_WK_S32:
	case NC_WK_ERR:
		return (uint64_t)(int64_t)*(const int32_t *)v;
	case NC_WK_I64:
		return (uint64_t)*(const int64_t *)v;
	case NC_WK_NS:
		return nc_seconds_ns(*(const double *)v);
	case NC_WK_FIXED:
		return fixed(*(const double *)v);
	default:
		return *(const uint64_t *)v;
	}
}

/* The field's value as it goes on the wire: its length. */
static size_t field_bytes(const struct nc_wire_policy *p, const void *msg,
			  uint8_t out[8], const uint8_t **val)
{
	const uint8_t *v = cat(msg, p);
	uint64_t n;

	*val = out;
	switch (p->kind) {
	case NC_WK_FLAG:
	case NC_WK_U8:
		out[0] = *v;
		return 1;
	case NC_WK_STR:
		*val = v;
		return strnlen((const char *)v, p->len);
	case NC_WK_BYTES:
		*val = v;
		return p->len;
	case NC_WK_U64S:	/* written by put_u64s() */
		*val = NULL;
		return (size_t)((const struct nc_u64s *)v)->n * 8;
	}
	n = number(p, msg);
	for (int i = 7; i >= 0; i--, n >>= 8)
		out[i] = (uint8_t)n;
	return 8;
}

/* ---- writing ---- */

static void put_u64s(uint8_t *buf, const struct nc_u64s *list)
{
	for (uint32_t i = 0; i < list->n; i++) {
		uint64_t v = list->v[i];

		for (int b = 7; b >= 0; b--, v >>= 8)
			buf[i * 8 + (uint32_t)b] = (uint8_t)v;
	}
}

static bool differs(const struct nc_wire_spec *spec,
		    const struct nc_wire_policy *p, const void *msg)
{
	uint8_t mine[8], dflt[8];
	const uint8_t *a, *b;
	size_t n;

	if (!(p->flags & NC_WF_OPTIONAL))
		return true;
	if (p->sent)
		return p->sent(msg);
	n = field_bytes(p, msg, mine, &a);
	return n != field_bytes(p, spec->defaults, dflt, &b) ||
	       memcmp(a, b, n) != 0;
}

/*
 * A group goes whole or not at all: the decoder refuses half a group, so
 * a member left at its default (a UDP cookie of 0) is sent with the rest.
 */
static bool is_sent(const struct nc_wire_spec *spec,
		    const struct nc_wire_policy *p, const void *msg)
{
	if (!p->group)
		return differs(spec, p, msg);
	for (size_t i = 0; i < spec->count; i++)
		if (spec->policy[i].group == p->group &&
		    differs(spec, &spec->policy[i], msg))
			return true;
	return false;
}

int nc_wire_encode(const struct nc_wire_spec *spec, const void *msg,
		   uint8_t *buf, size_t cap)
{
	size_t len = 0;

	for (size_t i = 0; i < spec->count; i++) {
		const struct nc_wire_policy *p = &spec->policy[i];
		const uint8_t *val;
		uint8_t num[8];
		size_t n;

		if (!is_sent(spec, p, msg))
			continue;
		n = field_bytes(p, msg, num, &val);
		if (!val && n > NC_FLOW_CHUNK * 8)
			return -EINVAL;
		if (cap - len < 4 + n)
			return -ENOSPC;
		buf[len++] = (uint8_t)(p->type >> 8);
		buf[len++] = (uint8_t)p->type;
		buf[len++] = (uint8_t)(n >> 8);
		buf[len++] = (uint8_t)n;
		if (val)
			memcpy(buf + len, val, n);
		else
			put_u64s(buf + len, cat(msg, p));
		len += n;
	}
	return (int)len;
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

/* ---- reading ---- */

static int refuse(const char **why, const char *reason)
{
	*why = reason;
	return NETCOPY_EPROTOCOL;
}

static const char *reason(const struct nc_wire_policy *p, const char *kind)
{
	return p->why ? p->why : kind;
}

static int get_number(const struct nc_wire_policy *p, const uint8_t *val,
		      size_t len, void *out, const char **why)
{
	static const char *range = "number out of range";
	uint64_t v = 0, max = p->max;

	if (len != 8)
		return refuse(why, "number field of the wrong length");
	for (int i = 0; i < 8; i++)
		v = v << 8 | val[i];
	switch (p->kind) {
	case NC_WK_U32:
		if (v > (max ? max : UINT32_MAX))
			return refuse(why, reason(p, range));
		*(uint32_t *)out = (uint32_t)v;
		return 0;
	case NC_WK_S32:
		if ((int64_t)v < INT32_MIN || (int64_t)v > INT32_MAX)
			return refuse(why, reason(p, range));
		*(int32_t *)out = (int32_t)(int64_t)v;
		return 0;
	case NC_WK_ERR:
		if (!nc_error_code_valid((int64_t)v))
			return refuse(why, reason(p, range));
		*(int32_t *)out = (int32_t)(int64_t)v;
		return 0;
	case NC_WK_I64:
		if ((p->flags & NC_WF_NA) && v == UINT64_MAX)
			*(int64_t *)out = -1;
		else if (v > (max ? max : INT64_MAX))
			return refuse(why, reason(p, range));
		else
			*(int64_t *)out = (int64_t)v;
		return 0;
	case NC_WK_NS:
		*(double *)out = (double)v / 1e9;
		return 0;
	case NC_WK_FIXED:
		if (v > (max ? max : UINT64_MAX - 1))
			return refuse(why, reason(p, range));
		*(double *)out = (double)v / NC_WIRE_FIXED_SCALE;
		return 0;
	}
	if (max && v > max)
		return refuse(why, reason(p, range));
	*(uint64_t *)out = v;
	return 0;
}

/* Text fields hold printable ASCII only, so they are safe to print. */
static int get_str(const struct nc_wire_policy *p, const uint8_t *val,
		   size_t len, char *s, const char **why)
{
	if (len >= p->len)
		return refuse(why, "text field too long");
	for (size_t i = 0; i < len; i++)
		if (val[i] < 0x20 || val[i] > 0x7e)
			return refuse(why, "text field not printable");
	memcpy(s, val, len);
	s[len] = '\0';
	return 0;
}

/* Whole numbers, no more than the list holds, each within bounds. */
static int get_u64s(const struct nc_wire_policy *p, const uint8_t *val,
		    size_t len, struct nc_u64s *list, const char **why)
{
	if (len % 8 || len / 8 > NC_FLOW_CHUNK)
		return refuse(why, "list field of the wrong length");
	list->n = (uint32_t)(len / 8);
	for (uint32_t i = 0; i < list->n; i++) {
		uint64_t v = 0;

		for (int b = 0; b < 8; b++)
			v = v << 8 | val[i * 8 + (uint32_t)b];
		if (p->max && v > p->max)
			return refuse(why, reason(p, "number out of range"));
		list->v[i] = v;
	}
	return 0;
}

static int get_field(const struct nc_wire_policy *p, const uint8_t *val,
		     size_t len, void *msg, const char **why)
{
	uint8_t *out = at(msg, p);

	switch (p->kind) {
	case NC_WK_FLAG:
		if (len != 1 || val[0] > 1)
			return refuse(why, "flag field not 0 or 1");
		*(bool *)out = val[0];
		return 0;
	case NC_WK_U8:
		if (len != 1 || (p->max && val[0] > p->max))
			return refuse(why,
				      reason(p, "byte field out of range"));
		*out = val[0];
		return 0;
	case NC_WK_STR:
		return get_str(p, val, len, (char *)out, why);
	case NC_WK_BYTES:
		if (len != p->len)
			return refuse(why, "id field of the wrong length");
		memcpy(out, val, len);
		return 0;
	case NC_WK_U64S:
		return get_u64s(p, val, len, (struct nc_u64s *)out, why);
	}
	return get_number(p, val, len, out, why);
}

static const struct nc_wire_policy *policy_of(const struct nc_wire_spec *spec,
					      uint16_t type)
{
	for (size_t i = 0; i < spec->count; i++)
		if (spec->policy[i].type == type)
			return &spec->policy[i];
	return NULL;
}

/* Every required field there, and each group all there or not at all. */
static int check_presence(const struct nc_wire_spec *spec, const bool *seen,
			  const char **why)
{
	for (size_t i = 0; i < spec->count; i++) {
		const struct nc_wire_policy *p = &spec->policy[i];

		if (!(p->flags & NC_WF_OPTIONAL) && !seen[p->type])
			return refuse(why, "required field missing");
		for (size_t j = 0; p->group && j < i; j++) {
			const struct nc_wire_policy *q = &spec->policy[j];

			if (q->group != p->group ||
			    seen[q->type] == seen[p->type])
				continue;
			return refuse(why, reason(q, "incomplete group"));
		}
	}
	return 0;
}

int nc_wire_decode(const struct nc_wire_spec *spec, const uint8_t *buf,
		   size_t len, void *msg, bool *seen, const char **why)
{
	size_t pos = 0;
	int err;

	memcpy(msg, spec->defaults, spec->size);
	memset(seen, 0, (spec->last + 1u) * sizeof(*seen));
	while (pos < len) {
		const struct nc_wire_policy *p;
		uint16_t type, flen;

		if (len - pos < 4)
			return refuse(why, "truncated field header");
		type = (uint16_t)(buf[pos] << 8 | buf[pos + 1]);
		flen = (uint16_t)(buf[pos + 2] << 8 | buf[pos + 3]);
		pos += 4;
		if (flen > len - pos)
			return refuse(why, "field longer than the message");
		p = type <= spec->last ? policy_of(spec, type) : NULL;
		if (!p)
			return refuse(why, "unknown field");
		if (seen[type])
			return refuse(why, "repeated field");
		seen[type] = true;
		err = get_field(p, buf + pos, flen, msg, why);
		if (err)
			return err;
		pos += flen;
	}
	err = check_presence(spec, seen, why);
	if (!err && spec->validate)
		err = spec->validate(msg, seen, why);
	return err;
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
	if (ntohl(magic) != NC_MAGIC)
		return refuse(why, "not a netcopy peer (bad magic)");
	if (ntohs(version) != NC_VERSION)
		return refuse(why, "unsupported protocol version");
	h->type = ntohs(type);
	h->length = ntohl(len);
	if (h->type < NC_MSG_HELLO || h->type > NC_MSG_LAST)
		return refuse(why, "unknown message type");
	if (h->length > NC_MAX_BODY)
		return refuse(why, "message longer than the limit");
	return 0;
}

/* ---- the messages ---- */

int nc_hello_encode(const struct nc_params *p, uint8_t *buf, size_t cap)
{
	return nc_wire_encode(&nc_hello_spec, p, buf, cap);
}

int nc_reply_encode(const struct nc_reply *r, uint8_t *buf, size_t cap)
{
	return nc_wire_encode(&nc_reply_spec, r, buf, cap);
}

int nc_tag_encode(const struct nc_tag *t, uint8_t *buf, size_t cap)
{
	return nc_wire_encode(&nc_tag_spec, t, buf, cap);
}

int nc_figures_encode(const struct nc_figures *f, uint8_t *buf, size_t cap)
{
	return nc_wire_encode(&nc_figures_spec, f, buf, cap);
}

int nc_challenge_encode(const struct nc_challenge *c, uint8_t *buf,
			size_t cap)
{
	return nc_wire_encode(&nc_challenge_spec, c, buf, cap);
}

int nc_proof_encode(const struct nc_proof *p, uint8_t *buf, size_t cap)
{
	return nc_wire_encode(&nc_proof_spec, p, buf, cap);
}

int nc_flow_chunk_encode(const struct nc_flow_chunk *c, uint8_t *buf,
			 size_t cap)
{
	return nc_wire_encode(&nc_flow_chunk_spec, c, buf, cap);
}

int nc_hello_decode(const uint8_t *buf, size_t len, struct nc_params *p,
		    const char **why)
{
	bool seen[NC_H_LAST + 1];

	return nc_wire_decode(&nc_hello_spec, buf, len, p, seen, why);
}

int nc_reply_decode(const uint8_t *buf, size_t len, struct nc_reply *r,
		    const char **why)
{
	bool seen[NC_R_LAST + 1];

	return nc_wire_decode(&nc_reply_spec, buf, len, r, seen, why);
}

int nc_tag_decode(const uint8_t *buf, size_t len, struct nc_tag *t,
		  const char **why)
{
	bool seen[NC_T_LAST + 1];

	return nc_wire_decode(&nc_tag_spec, buf, len, t, seen, why);
}

int nc_figures_decode(const uint8_t *buf, size_t len, struct nc_figures *f,
		      const char **why)
{
	bool seen[NC_F_LAST + 1];

	return nc_wire_decode(&nc_figures_spec, buf, len, f, seen, why);
}

int nc_challenge_decode(const uint8_t *buf, size_t len,
			struct nc_challenge *c, const char **why)
{
	bool seen[NC_C_LAST + 1];

	return nc_wire_decode(&nc_challenge_spec, buf, len, c, seen, why);
}

int nc_proof_decode(const uint8_t *buf, size_t len, struct nc_proof *p,
		    const char **why)
{
	bool seen[NC_P_LAST + 1];

	return nc_wire_decode(&nc_proof_spec, buf, len, p, seen, why);
}

int nc_flow_chunk_decode(const uint8_t *buf, size_t len,
			 struct nc_flow_chunk *c, const char **why)
{
	bool seen[NC_B_LAST + 1];

	return nc_wire_decode(&nc_flow_chunk_spec, buf, len, c, seen, why);
}
