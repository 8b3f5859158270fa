/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pair.c - the two runs of --bidir (bidir.c) in step: where each waits
 * for the other, so their clocks start together, and their progress
 * reports, one at a time.
 */
#include <pthread.h>
#include <stdio.h>

#include "internal.h"
#include "client/client.h"

enum { SERVER_SENDS = NC_PAIR_SERVER_SENDS,
       CLIENT_SENDS = NC_PAIR_CLIENT_SENDS };

const char *const nc_pair_side_name[NC_PAIR_SIDES] = { "server-sends",
						       "client-sends" };

static int side_of(const struct netcopy_client *c)
{
	return c->p.reverse ? CLIENT_SENDS : SERVER_SENDS;
}

void nc_pair_post(struct nc_pair *pr, int side, int err)
{
	pthread_mutex_lock(&pr->lock);
	if (pr->state[side] == NC_PAIR_PENDING) {
		pr->state[side] = err ? NC_PAIR_FAILED : NC_PAIR_READY;
		pr->err[side] = err;
		if (err && pr->first_failed < 0)
			pr->first_failed = side;
		pthread_cond_broadcast(&pr->cond);
	}
	pthread_mutex_unlock(&pr->lock);
}

/* Until the other side has posted: 0 when it is ready, else its error
 * (and this side says it gave up for it). */
static int wait_other(struct netcopy_client *c, struct nc_pair *pr, int side)
{
	int other = !side, err;

	pthread_mutex_lock(&pr->lock);
	while (pr->state[other] == NC_PAIR_PENDING)
		pthread_cond_wait(&pr->cond, &pr->lock);
	err = pr->state[other] == NC_PAIR_FAILED ? pr->err[other] : 0;
	pthread_mutex_unlock(&pr->lock);
	if (err)
		snprintf(c->detail, sizeof(c->detail), "the %s run failed",
			 nc_pair_side_name[other]);
	return err;
}

int nc_client_pair_step(struct netcopy_client *c, enum nc_pair_step step,
			int err)
{
	struct nc_pair *pr = c->pair;
	int side = side_of(c);

	if (!pr)
		return err;
	/* The client sends once its threads are ready and the server's
	 * data connections are in; the server sends once the client's
	 * threads are ready. */
	if (side == CLIENT_SENDS && step == NC_PAIR_PREPARED) {
		nc_pair_post(pr, side, err);
		return err ? err : wait_other(c, pr, side);
	}
	if (side == SERVER_SENDS && step == NC_PAIR_HELLO)
		return err ? err : wait_other(c, pr, side);
	if (side == SERVER_SENDS && step == NC_PAIR_CONNECTED)
		nc_pair_post(pr, side, err);
	return err;
}

void nc_client_report(struct netcopy_client *c, double from, double to,
		      uint64_t bytes, bool warmup, int64_t retransmits)
{
	struct netcopy_client *o = c->owner ? c->owner : c;

	if (c->pair)
		pthread_mutex_lock(&c->pair->report);
	o->iv_retransmits = retransmits;
	o->iv_reverse = c->p.reverse;
	o->in_report = true;
	o->progress(o->progress_data, from, to, bytes, warmup);
	o->in_report = false;
	o->iv_retransmits = -1;
	if (c->pair)
		pthread_mutex_unlock(&c->pair->report);
}

