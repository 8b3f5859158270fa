/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * members.c - --flows above -t at the server: the first -t data
 * connections of a run each drive a group of its flows (flow/group.c);
 * the others, its members, are parked in the run as they attach, by
 * the server's loop (greet.c): they have no thread.  A parked member
 * stays open and counts as a connection of its host until whoever took
 * it lets it go: its group's thread after the run, or the control
 * thread of a run called off before its group took it.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"
#include "server/server.h"
#include "flow/flow.h"

bool nc_run_ready(struct netcopy_server *srv, struct run *run)
{
	bool go;

	pthread_mutex_lock(&srv->lock);
	run->attached++;
	pthread_cond_broadcast(&run->cond);
	while (!run->started && !run->aborted)
		pthread_cond_wait(&run->cond, &srv->lock);
	go = !run->aborted;
	pthread_mutex_unlock(&srv->lock);
	return go;
}

bool nc_member_park(struct netcopy_server *srv, struct run *run,
		    uint32_t index)
{
	uint32_t flows = nc_params_flows(&run->params);
	bool parked;

	pthread_mutex_lock(&srv->lock);
	parked = !run->aborted;
	if (parked) {
		run->parked[index] = true;
		run->parked_n++;
		srv->parked++;
		run->members++;
		run->attached++;	/* its group prepares it */
		/* Waited for are the last member (group_take) and the
		 * last attach (the control thread): waking the groups
		 * and the control thread at each of 10,000 members has
		 * them fight the server's loop for the lock. */
		if (run->members == flows - run->params.threads ||
		    run->attached == flows)
			pthread_cond_broadcast(&run->cond);
	}
	pthread_mutex_unlock(&srv->lock);
	return parked;
}

/* A parked member's end: its connection closed, as its own thread
 * would have; nc_run_ends() says so. */
static void member_finish(struct netcopy_server *srv, struct run *run,
			  uint32_t index)
{
	int fd, udp_fd;

	pthread_mutex_lock(&srv->lock);
	fd = run->fds[index];
	/* A UDP run's: its datagram socket (the link is fd). */
	udp_fd = run->flows[index].link_fd >= 0 ? run->flows[index].fd : -1;
	run->fds[index] = -1;
	run->parked[index] = false;
	run->parked_n--;
	srv->parked--;
	pthread_mutex_unlock(&srv->lock);
	if (fd >= 0)
		close(fd);
	if (udp_fd >= 0)
		close(udp_fd);
}

/* n data connections finished: their ends signalled at once (for
 * members, the control thread woken once, not at each of 10,000), their
 * holds on the run let go. */
void nc_run_ends(struct netcopy_server *srv, struct run *run, uint64_t n)
{
	if (n && write(run->done_fd, &n, sizeof(n)) != sizeof(n))
		nc_server_log(srv, "%s: cannot signal the end of data "
			      "connections (%llu)", run->peer,
			      (unsigned long long)n);
	for (; n; n--)
		nc_run_put(srv, run);
}

void nc_members_sweep(struct netcopy_server *srv, struct run *run)
{
	uint32_t flows = nc_params_flows(&run->params);
	uint64_t done = 0;

	for (uint32_t i = run->params.threads; i < flows; i++) {
		bool mine;

		pthread_mutex_lock(&srv->lock);
		mine = run->parked[i] && !run->flows[i].member;
		run->flows[i].member |= mine;	/* taken: by no group now */
		pthread_mutex_unlock(&srv->lock);
		if (mine) {
			member_finish(srv, run, i);
			done++;
		}
	}
	nc_run_ends(srv, run, done);
}

/* The group of thread index: once every member is parked, its flows
 * taken (marked members), or false when the run is called off. */
static bool group_take(struct netcopy_server *srv, struct run *run,
		       uint32_t index, struct nc_flow **group, uint32_t n)
{
	uint32_t threads = run->params.threads;
	bool ok;

	pthread_mutex_lock(&srv->lock);
	while (run->members < nc_params_flows(&run->params) - threads &&
	       !run->aborted)
		pthread_cond_wait(&run->cond, &srv->lock);
	ok = !run->aborted;
	for (uint32_t k = 0; k < n; k++) {
		group[k] = &run->flows[index + k * threads];
		group[k]->member = ok && k;
	}
	pthread_mutex_unlock(&srv->lock);
	return ok;
}

int nc_serve_group(struct netcopy_server *srv, struct run *run,
		   uint32_t index)
{
	uint32_t threads = run->params.threads;
	uint32_t n = nc_group_size(nc_params_flows(&run->params), threads,
				   index);
	struct nc_flow **group = calloc(n, sizeof(*group));
	struct nc_group *g = NULL;
	bool taken = false;
	int err = group ? 0 : -ENOMEM;

	if (err) {	/* its members would wait for a group that never is */
		pthread_mutex_lock(&srv->lock);
		nc_run_abort_locked(run);
		pthread_mutex_unlock(&srv->lock);
	}
	if (!err && !(taken = group_take(srv, run, index, group, n)))
		err = NETCOPY_ESHORT;
	if (!err)
		err = nc_group_prepare(run->mode, group, n, &g);
	if (!nc_run_ready(srv, run) && !err)
		err = NETCOPY_ESHORT;
	if (err)
		nc_group_release(g);
	else
		err = nc_group_run(g);
	for (uint32_t k = 1; taken && k < n; k++)
		member_finish(srv, run, index + k * threads);
	nc_run_ends(srv, run, taken ? n - 1 : 0);
	free(group);
	return err;
}
