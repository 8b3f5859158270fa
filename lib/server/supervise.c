/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * supervise.c - a run's life on its control connection once it has
 * started: the warm-up's end, the stop after the duration (when the
 * server sends), the end when the client goes or the server stops, and
 * the cuts: of a data connection that moves nothing for --idle-timeout,
 * and of the whole run a grace after its duration (grace_ms).
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"
#include "server/server.h"
#include "base/base.h"
#include "params/params.h"

void nc_run_put(struct netcopy_server *srv, struct run *run)
{
	bool last;

	pthread_mutex_lock(&srv->lock);
	last = --run->refs == 0;
	pthread_mutex_unlock(&srv->lock);
	if (!last)
		return;
	pthread_cond_destroy(&run->cond);
	close(run->done_fd);
	free(run->fds);
	free(run->errs);
	free(run->moved);
	free(run->flows);
	free(run->parked);
	free(run);
}

/* Shut down the run's data connections so blocked engines return. */
void nc_run_abort_locked(struct run *run)
{
	run->aborted = true;
	atomic_store(&run->stop, true);
	for (uint32_t i = 0; i < nc_params_flows(&run->params); i++)
		if (run->fds[i] >= 0)
			shutdown(run->fds[i], SHUT_RDWR);
	pthread_cond_broadcast(&run->cond);
}

/* Reset a connection its data thread is using: connect() to AF_UNSPEC
 * disconnects the socket with a reset, which drops what it still queues
 * (zero-copy buffers complete), wakes a send blocked in any engine
 * (io_uring included) and reaches the peer as ECONNRESET.  Done through
 * a descriptor of our own: the data thread's is never changed under it
 * (ThreadSanitizer takes a connect() that succeeds for a new socket on
 * that descriptor).  Without a descriptor to spare, the shutdown that
 * follows still wakes the data thread. */
static void reset_conn(int fd)
{
	struct sockaddr sa = { .sa_family = AF_UNSPEC };
	int own = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	if (own < 0)
		return;
	connect(own, &sa, sizeof(sa));
	close(own);
}

/* Cut the run now: its data connections reset (what they still queue
 * is dropped, not left for a peer that does not read), then shut down,
 * so blocked engines return.  The reset comes first, so the peer sees
 * only it, never a FIN it could take for the stream's end.  Under the
 * lock. */
static void cut_locked(struct run *run)
{
	for (uint32_t i = 0; i < nc_params_flows(&run->params); i++)
		if (run->fds[i] >= 0)
			reset_conn(run->fds[i]);
	nc_run_abort_locked(run);
}

/* --idle-timeout: a data connection that moved no byte for that long
 * (a peer that neither reads nor sends holds its slots and threads) cuts
 * the run; true then, with why in reason. */
static bool cut_idle(struct netcopy_server *srv, struct run *run,
		     char *reason, size_t cap)
{
	int idle;

	pthread_mutex_lock(&srv->lock);
	idle = nc_run_idle_locked(srv, run);
	if (idle >= 0)
		cut_locked(run);
	pthread_mutex_unlock(&srv->lock);
	if (idle < 0)
		return false;
	snprintf(reason, cap, "data connection %d moved no byte for %.3g s "
		 "(--idle-timeout)", idle, nc_idle_seconds(srv, run));
	return true;
}

/* Past its duration and grace, a run is cut whatever its peer does
 * (a slow reader, a sender that never stops).  The reset comes before
 * the shutdown, so the peer sees only the reset, never a FIN that it
 * could take for the stream's end. */
static void cut_off(struct netcopy_server *srv, struct run *run,
		    uint64_t grace_ms, char *reason, size_t cap)
{
	pthread_mutex_lock(&srv->lock);
	cut_locked(run);
	pthread_mutex_unlock(&srv->lock);
	snprintf(reason, cap, "cut off %.1f s after its duration ended "
		 "(the server's deadline)", (double)grace_ms / 1000);
}

/* What is in flight when the duration ends has to drain: a client's
 * queued sends (uring's --qd of -s bytes, zero-copy's ring, on every
 * thread) and rr's requests and answers can be hundreds of MiB, slow
 * to drain on a loaded or sanitized host.  They are what the mode's
 * buffers hold, which the share already counts (memory.c); with --flows
 * above -t, each rr flow beyond a thread's first holds a request and an
 * answer more, in the buffers of its socket rather than its thread.
 * What the server sends a slow reader gets no more than the fixed
 * grace: that wait would be the server's to pay.  A stalled peer is
 * cut sooner, by --idle-timeout. */
static uint64_t grace_ms(const struct run *run)
{
	const struct nc_params *p = &run->params;
	uint64_t bytes = 0, ms;

	if (p->workload == NC_WORKLOAD_RR) {
		uint64_t members = nc_params_flows(p) - p->threads;

		bytes = run->share * p->threads + 2 * p->size * members;
	} else if (nc_client_sends(p)) {
		bytes = run->share * p->threads;
	}
	ms = RUN_GRACE_MS + bytes / (DRAIN_FLOOR_BPS / 1000);

	return ms < RUN_GRACE_MAX_MS ? ms : RUN_GRACE_MAX_MS;
}

/* The run's life on the control connection: stop after the duration when
 * the server sends, end early when the client goes or the server stops,
 * and cut it at its deadline, until every data connection is done.
 * Returns the run's status. */
int nc_run_supervise(struct netcopy_server *srv, int fd, struct run *run,
		     uint32_t claimed, char *reason, size_t cap)
{
	uint64_t warm_end = nc_now_ns() + nc_seconds_ns(run->params.warmup);
	uint64_t deadline = warm_end + nc_seconds_ns(run->params.duration);
	uint64_t grace = grace_ms(run);
	uint64_t cutoff = deadline + grace * 1000000ULL;
	uint64_t done = 0, check = 0;
	int status = 0;
	struct pollfd pfd[3] = {
		{ .fd = run->done_fd, .events = POLLIN },
		{ .fd = fd, .events = POLLIN },
		{ .fd = srv->stop_pipe[0], .events = POLLIN },
	};

	while (done < claimed) {
		uint64_t now = nc_now_ns();
		int ms = -1;

		if (!atomic_load(&run->measuring)) {
			if (now >= warm_end)
				atomic_store(&run->measuring, true);
			else
				ms = (int)((warm_end - now) / 1000000 + 1);
		}
		if (!nc_client_sends(&run->params) &&
		    !atomic_load(&run->stop) && ms < 0) {
			if (now >= deadline)
				atomic_store(&run->stop, true);
			else
				ms = (int)((deadline - now) / 1000000 + 1);
		}
		if (cutoff && now >= cutoff) {
			cut_off(srv, run, grace, reason, cap);
			status = NETCOPY_ESHORT;
			cutoff = 0;
		} else if (cutoff && (ms < 0 ||
				      (uint64_t)ms > (cutoff - now) / 1000000)) {
			ms = (int)((cutoff - now) / 1000000 + 1);
		}
		if (!status && now >= check) {
			if (cut_idle(srv, run, reason, cap))
				status = NETCOPY_ESHORT;
			check = now + nc_idle_tick_ms(srv) * 1000000ULL;
		}
		if (!status && (ms < 0 || ms > nc_idle_tick_ms(srv)))
			ms = nc_idle_tick_ms(srv);
		if (poll(pfd, 3, ms) <= 0)
			continue;
		if (pfd[0].revents) {
			uint64_t n;

			if (read(run->done_fd, &n, sizeof(n)) == sizeof(n))
				done += n;
		}
		if (pfd[1].revents || pfd[2].revents) {
			/* A stopped server's senders end their message and
			 * the stream cleanly; anything else is cut now. */
			pthread_mutex_lock(&srv->lock);
			if (pfd[1].revents || nc_client_sends(&run->params))
				nc_run_abort_locked(run);
			else
				atomic_store(&run->stop, true);
			pthread_mutex_unlock(&srv->lock);
			if (!status)	/* an idle cut said why already */
				snprintf(reason, cap, "%s", pfd[1].revents ?
					 "the client closed its control "
					 "connection" :
					 "the server was stopped");
			status = NETCOPY_ESHORT;
			pfd[1].fd = pfd[2].fd = -1;	/* seen: stop polling */
		}
	}
	return status;
}
