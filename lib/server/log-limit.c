/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * log-limit.c - repeated log lines coalesced.  A flood of connections
 * (3,000 quick connects, each refused) must not write a line each: per
 * kind of line (its format), LOG_BURST lines a second go out, the rest
 * are counted, and once the second is over one line says how many more
 * there were and what the last said.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "server/server.h"
#include "base/base.h"

#define SECOND_NS 1000000000ULL

void nc_log_limit_init(struct nc_log_limit *l)
{
	memset(l->kinds, 0, sizeof(l->kinds));
	pthread_mutex_init(&l->lock, NULL);
}

void nc_log_limit_destroy(struct nc_log_limit *l)
{
	pthread_mutex_destroy(&l->lock);
}

/* The second of k is over: say what it left out.  Under the lock. */
static void close_window(struct netcopy_server *srv, struct nc_log_kind *k)
{
	char line[256];

	if (k->dropped && srv->log) {
		snprintf(line, sizeof(line), "... %llu more in the last "
			 "second (the last: %s)", k->dropped, k->last);
		srv->log(srv->log_data, line);
	}
	k->dropped = 0;
	k->lines = 0;
}

/* The slot of fmt, or a free one (or the oldest, its window closed). */
static struct nc_log_kind *kind_of(struct netcopy_server *srv,
				   const char *fmt)
{
	struct nc_log_kind *oldest = NULL;

	for (size_t i = 0; i < LOG_KINDS; i++) {
		struct nc_log_kind *k = &srv->log_limit.kinds[i];

		if (k->fmt == fmt || !k->fmt)
			return k;
		if (!oldest || k->since_ns < oldest->since_ns)
			oldest = k;
	}
	close_window(srv, oldest);
	oldest->fmt = NULL;
	return oldest;
}

void nc_log_limited(struct netcopy_server *srv, const char *fmt,
		    const char *line)
{
	struct nc_log_limit *l = &srv->log_limit;
	uint64_t now = nc_now_ns();
	struct nc_log_kind *k;

	pthread_mutex_lock(&l->lock);
	k = kind_of(srv, fmt);
	if (k->fmt && now - k->since_ns >= SECOND_NS)
		close_window(srv, k);
	if (!k->fmt || !k->lines) {
		k->fmt = fmt;
		k->since_ns = now;
	}
	if (k->lines < LOG_BURST) {
		k->lines++;
		srv->log(srv->log_data, line);
	} else {
		k->dropped++;
		snprintf(k->last, sizeof(k->last), "%s", line);
	}
	pthread_mutex_unlock(&l->lock);
}

int nc_log_limit_flush(struct netcopy_server *srv, bool all)
{
	struct nc_log_limit *l = &srv->log_limit;
	uint64_t now = nc_now_ns(), next = UINT64_MAX;

	pthread_mutex_lock(&l->lock);
	for (size_t i = 0; i < LOG_KINDS; i++) {
		struct nc_log_kind *k = &l->kinds[i];
		uint64_t end = k->since_ns + SECOND_NS;

		if (!k->fmt || !k->dropped)
			continue;
		if (all || now >= end)
			close_window(srv, k);
		else if (end < next)
			next = end;
	}
	pthread_mutex_unlock(&l->lock);
	return next == UINT64_MAX ? -1 : (int)((next - now) / 1000000 + 1);
}
