/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * flow-bytes.c - --per-flow where the server received: the list of
 * every flow's bytes it sends after its trailer, in chunks, read within
 * one deadline and believed only whole, in order, and summing to the
 * bytes its trailer says it received.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "client/client.h"
#include "report/report.h"
#include "wire/wire.h"

struct list {
	uint64_t *bytes;
	uint32_t n, got;
	uint64_t sum, total;		/* so far; the trailer's */
};

/* The next message within the deadline, as a chunk. */
static int next_chunk(int ctrl, uint64_t deadline, struct nc_flow_chunk *ch,
		      const char **why)
{
	uint8_t body[NC_MAX_BODY];
	struct nc_header h;
	uint64_t now = nc_now_ns();
	int err;

	if (now >= deadline)
		return -ETIMEDOUT;
	err = nc_msg_recv(ctrl, &h, body, (int)((deadline - now) / 1000000) + 1,
			  why);
	if (!err && h.type != NC_MSG_FLOW_BYTES) {
		*why = "expected the per-flow bytes";
		return NETCOPY_EPROTOCOL;
	}
	return err ? err : nc_flow_chunk_decode(body, h.length, ch, why);
}

/* One chunk into l: the run's flows, the next ones, no more bytes
 * than the trailer's in all (checked so that no sum overflows). */
static int take_chunk(struct list *l, const struct nc_flow_chunk *ch,
		      char *why, size_t cap)
{
	if (ch->flows != l->n) {
		snprintf(why, cap, "a list of %u flows, the run has %u",
			 ch->flows, l->n);
		return NETCOPY_EPROTOCOL;
	}
	if (ch->first != l->got) {
		snprintf(why, cap, "flow %u where %u was next", ch->first,
			 l->got);
		return NETCOPY_EPROTOCOL;
	}
	for (uint32_t i = 0; i < ch->bytes.n; i++, l->got++) {
		uint64_t v = ch->bytes.v[i];

		if (v > l->total - l->sum) {
			snprintf(why, cap, "flow %u: %llu bytes, over the %llu "
				 "received in all", l->got,
				 (unsigned long long)v,
				 (unsigned long long)l->total);
			return NETCOPY_EPROTOCOL;
		}
		l->sum += v;
		l->bytes[l->got] = v;
	}
	return 0;
}

static int read_list(int ctrl, struct list *l, char *why, size_t cap)
{
	uint64_t deadline = nc_now_ns() + REPLY_TIMEOUT_MS * 1000000ULL;
	struct nc_flow_chunk ch;
	const char *text = "";
	int err = 0;

	while (!err && l->got < l->n) {
		err = next_chunk(ctrl, deadline, &ch, &text);
		if (err == NETCOPY_EPROTOCOL)
			snprintf(why, cap, "%s", text);
		else if (err)
			snprintf(why, cap, "%u of %u flows said: %s", l->got,
				 l->n, netcopy_strerror(err));
		else
			err = take_chunk(l, &ch, why, cap);
	}
	if (!err && l->sum != l->total) {
		snprintf(why, cap, "they sum to %llu, not the %llu received",
			 (unsigned long long)l->sum,
			 (unsigned long long)l->total);
		err = NETCOPY_EPROTOCOL;
	}
	return err;
}

int nc_client_read_flow_bytes(int ctrl, struct netcopy_result *r,
			      struct nc_figures *remote)
{
	struct list l = { .n = nc_params_flows(&r->params),
			  .total = r->receiver.bytes };
	char why[NC_REASON_MAX / 2];
	int err;

	l.bytes = malloc(l.n * sizeof(*l.bytes));
	if (!l.bytes)
		return -ENOMEM;
	err = read_list(ctrl, &l, why, sizeof(why));
	if (err) {
		free(l.bytes);
		return nc_client_refuse_peer(r, remote, err, err ==
					     NETCOPY_EPROTOCOL ? "the server's "
					     "per-flow bytes are not "
					     "believable" : "the server's "
					     "per-flow bytes did not all "
					     "come", why);
	}
	r->flow_bytes = l.bytes;
	r->flow_bytes_n = l.n;
	return 0;
}
