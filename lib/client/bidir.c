/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bidir.c - --bidir: both directions at once, as iperf3's --bidir.  The
 * client's run (server sends) and its twin's (client sends, -R) are two
 * whole runs against the same server, each with its own control and
 * data connections, engines and figures, started together: the twin's
 * threads ready first, then the run's hello and data connections, at
 * whose last the server's clock starts, and then the twin's gate opens.
 * A side that fails before the data move makes the other give up.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "internal.h"
#include "client/client.h"
#include "report/report.h"

enum { SERVER_SENDS = NC_PAIR_SERVER_SENDS,
       CLIENT_SENDS = NC_PAIR_CLIENT_SENDS };

/* Wake a run's watch without marking the client stopped (a direction
 * that failed ends the other), or, with mark, as netcopy_client_stop()
 * does.  Safe in a signal handler. */
static void wake(struct netcopy_client *c, bool mark)
{
	uint64_t one = 1;
	int saved = errno;

	if (mark)
		atomic_store(&c->stopped, true);
	if (write(c->stop_fd, &one, sizeof(one)) < 0) {
		/* full: it is awake already */
	}
	errno = saved;
}

void nc_client_stop_twin(struct netcopy_client *c)
{
	struct netcopy_client *twin = atomic_load(&c->twin);

	if (twin)
		wake(twin, true);
}

void nc_client_free_twin(struct netcopy_client *c)
{
	struct netcopy_client *twin = atomic_exchange(&c->twin, NULL);

	if (!twin)
		return;
	close(twin->stop_fd);
	nc_secret_clear(&twin->secret);
	free(twin);
}

/* An internal wake-up read back, unless the client was stopped. */
static void drain(struct netcopy_client *c)
{
	uint64_t n;

	if (!atomic_load(&c->stopped) &&
	    read(c->stop_fd, &n, sizeof(n)) == sizeof(n) &&
	    atomic_load(&c->stopped))
		wake(c, false);
}

/* The twin, as c but sending, made once and kept until c is freed. */
static int twin_of(struct netcopy_client *c, struct netcopy_client **out)
{
	struct netcopy_client *twin = atomic_load(&c->twin);
	int fd;

	if (!twin) {
		twin = calloc(1, sizeof(*twin));
		if (!twin)
			return -ENOMEM;
		twin->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (twin->stop_fd < 0) {
			free(twin);
			return -ENOMEM;
		}
		atomic_store(&c->twin, twin);
	}
	fd = twin->stop_fd;
	nc_secret_clear(&twin->secret);
	memcpy(twin, c, sizeof(*twin));
	twin->stop_fd = fd;
	twin->twin = NULL;
	twin->owner = c;
	twin->bidir = false;
	twin->p.reverse = true;
	atomic_store(&twin->stopped, atomic_load(&c->stopped));
	drain(twin);
	*out = twin;
	return 0;
}

struct twin_run {
	struct netcopy_client *c;
	struct netcopy_result *r;
	int err;
};

static void *twin_main(void *arg)
{
	struct twin_run *t = arg;

	t->err = nc_client_run_one(t->c, &t->r);
	nc_pair_post(t->c->pair, CLIENT_SENDS, t->err ? t->err : NETCOPY_ESHORT);
	if (t->err && !t->r)
		wake(t->c->owner, false);	/* the other ends too */
	return NULL;
}

/* What netcopy_client_detail() says: the direction that failed (the
 * first to, where neither has a result), or the first note. */
static void say(struct netcopy_client *c, const struct netcopy_client *twin,
		int side)
{
	char detail[sizeof(c->detail) + 16];
	const struct netcopy_client *from = side == SERVER_SENDS ? c : twin;

	if (side < 0) {
		if (!c->detail[0])
			snprintf(c->detail, sizeof(c->detail), "%s",
				 twin->detail);
		return;
	}
	snprintf(detail, sizeof(detail), "%s: %s", nc_pair_side_name[side],
		 from->detail);
	memcpy(c->detail, detail, sizeof(c->detail) - 1);
	c->detail[sizeof(c->detail) - 1] = '\0';
}

/* The pair's outcome: both results chained (the server-sends one first)
 * and the first status of the two, or, where either has none, the
 * error of the side that failed first and no result. */
static int combine(struct netcopy_client *c, struct netcopy_client *twin,
		   struct nc_pair *pr, struct netcopy_result *r, int err,
		   struct twin_run *t, struct netcopy_result **out)
{
	int side = pr->first_failed;

	if (!r || !t->r) {
		if (side < 0 || (side == SERVER_SENDS ? !err : !t->err))
			side = r ? CLIENT_SENDS : SERVER_SENDS;
		netcopy_result_free(r);
		netcopy_result_free(t->r);
		say(c, twin, side);
		return side == SERVER_SENDS ? err : t->err;
	}
	r->next = t->r;
	*out = r;
	say(c, twin, err ? SERVER_SENDS : t->err ? CLIENT_SENDS : -1);
	return err ? err : t->err;
}

int nc_client_run_bidir(struct netcopy_client *c, struct netcopy_result **out)
{
	struct nc_pair pr = { .lock = PTHREAD_MUTEX_INITIALIZER,
			      .cond = PTHREAD_COND_INITIALIZER,
			      .first_failed = -1,
			      .report = PTHREAD_MUTEX_INITIALIZER };
	struct netcopy_result *r = NULL;
	struct twin_run t = { 0 };
	pthread_t tid;
	int err;

	*out = NULL;
	c->detail[0] = '\0';
	if (c->p.reverse)
		return fail(c, -EINVAL, "--bidir runs both directions: -R "
			    "does not apply");
	if (c->p.workload == NC_WORKLOAD_RR)
		return fail(c, -EINVAL, "rr: --bidir does not apply (rr "
			    "moves data both ways already)");
	err = twin_of(c, &t.c);
	if (err)
		return fail(c, err, "--bidir: %s", netcopy_strerror(err));
	c->pair = t.c->pair = &pr;
	err = pthread_create(&tid, NULL, twin_main, &t);
	if (err) {
		c->pair = NULL;
		return fail(c, -err, "cannot start a thread: %s",
			    strerror(err));
	}
	err = nc_client_run_one(c, &r);
	nc_pair_post(&pr, SERVER_SENDS, err ? err : NETCOPY_ESHORT);
	if (err && !r)
		wake(t.c, false);
	pthread_join(tid, NULL);
	c->pair = t.c->pair = NULL;
	drain(c);
	drain(t.c);
	err = combine(c, t.c, &pr, r, err, &t, out);
	pthread_mutex_destroy(&pr.lock);
	pthread_cond_destroy(&pr.cond);
	pthread_mutex_destroy(&pr.report);
	return err;
}

NETCOPY_EXPORT int netcopy_client_run(struct netcopy_client *c,
				      struct netcopy_result **out)
{
	return c->bidir ? nc_client_run_bidir(c, out) :
			  nc_client_run_one(c, out);
}
