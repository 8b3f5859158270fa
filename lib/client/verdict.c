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
		char theirs[sizeof(rx->reason)];

		memcpy(theirs, peer->reason, sizeof(theirs));	/* may be ours */
		theirs[sizeof(theirs) - 1] = '\0';
		snprintf(reason, cap, "data connection %u: %s%s%.120s",
			 bad_flow, netcopy_strerror(local_err),
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
