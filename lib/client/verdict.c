/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * verdict.c - what a client's run comes to: the two sides' figures
 * judged against each other, or the server's refused.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "client/client.h"
#include "report/report.h"
#include "wire/wire.h"

/* Our side's error err, on data connection flow, as the line that says
 * it: what a zero-copy run's peer still owed, where that was it. */
static void local_reason(const struct netcopy_result *r, int err,
			 uint32_t flow, char *buf, size_t cap)
{
	const struct nc_zc_counts *zc = nc_client_sends(&r->params) ?
					&r->sender.zc : &r->receiver.zc;
	int64_t owed = zc->sends - zc->completions;

	if (err == NETCOPY_ECOMPLETION && zc->sends >= 0 &&
	    zc->completions >= 0 && owed > 0)
		snprintf(buf, cap, "%lld zero-copy completions never came: "
			 "the peer stopped acknowledging", (long long)owed);
	else
		snprintf(buf, cap, "data connection %u: %s", flow,
			 netcopy_strerror(err));
}

int nc_client_judge(struct netcopy_result *r, int local_err,
		    uint32_t bad_flow)
{
	struct nc_figures *rx = &r->receiver, *tx = &r->sender;
	char *reason = rx->reason;
	size_t cap = sizeof(rx->reason);

	if (local_err) {
		/* A server that cut the run says why: kept beside ours. */
		const struct nc_figures *peer = nc_client_sends(&r->params) ?
						rx : tx;
		bool said = peer->status && peer->reason[0];
		char theirs[sizeof(rx->reason)], ours[sizeof(rx->reason)];

		memcpy(theirs, peer->reason, sizeof(theirs));	/* may be ours */
		theirs[sizeof(theirs) - 1] = '\0';
		local_reason(r, local_err, bad_flow, ours, sizeof(ours));
		/* 100 + 14 + 85 fits NC_REASON_MAX with its NUL. */
		snprintf(reason, cap, "%.100s%s%.85s", ours,
			 said ? "; the server: " : "", said ? theirs : "");
		return local_err;
	}
	if (tx->status || rx->status) {
		int st = tx->status ? tx->status : rx->status;

		if (!reason[0])
			snprintf(reason, cap, "%s", tx->status ? tx->reason :
				 netcopy_strerror(st));
		return st == NETCOPY_EVERIFY ? NETCOPY_ESHORT : st;
	}
	if (r->params.proto == NC_PROTO_UDP ?
	    rx->total_bytes > tx->total_bytes :
	    rx->total_bytes != tx->total_bytes) {
		snprintf(reason, cap, "received %llu of %llu bytes sent",
			 (unsigned long long)rx->total_bytes,
			 (unsigned long long)tx->total_bytes);
		return NETCOPY_ESHORT;
	}
	if (rx->total_bytes % r->params.size) {
		snprintf(reason, cap, "a message arrived incomplete");
		return NETCOPY_ESHORT;
	}
	if (!rx->bytes) {
		snprintf(reason, cap, "%s", rx->total_bytes ? "the run ended "
			 "in its warm-up" : "no data arrived");
		return NETCOPY_ESHORT;
	}
	if (netcopy_result_mismatches(r)) {
		snprintf(reason, cap, "%llu messages did not match",
			 (unsigned long long)netcopy_result_mismatches(r));
		return NETCOPY_EVERIFY;
	}
	return 0;
}

int nc_client_lost_peer(struct netcopy_result *r, struct nc_figures *remote,
			int trailer_err, int err, uint32_t flow)
{
	char ours[sizeof(r->receiver.reason) - 32];	/* and why */

	local_reason(r, err, flow, ours, sizeof(ours));
	nc_client_refuse_peer(r, remote, trailer_err, ours,
			      "no figures from the server");
	return err;
}

int nc_client_refuse_peer(struct netcopy_result *r, struct nc_figures *remote,
			  int err, const char *what, const char *why)
{
	memset(remote, 0, sizeof(*remote));	/* not measured */
	snprintf(r->receiver.reason, sizeof(r->receiver.reason), "%s: %s",
		 what, why);
	if (err != NETCOPY_EPROTOCOL)
		return NETCOPY_ESHORT;
	r->peer_refused = true;
	return err;
}

/* A run that netcopy_client_stop() cut short, and was otherwise whole
 * or short, is short for that reason. */
int nc_client_interrupted(const struct netcopy_client *c,
			  struct netcopy_result *r, int status)
{
	if (!c->stopped_ns || (status && status != NETCOPY_ESHORT))
		return status;
	snprintf(r->receiver.reason, sizeof(r->receiver.reason),
		 "interrupted: the run was cut short after %.2f s",
		 (double)c->stopped_ns / 1e9);
	return NETCOPY_ESHORT;
}
