/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * limits.c - what peers may hold of the server: connections and runs
 * per host (an IPv4 address, an IPv6 /64: host.c), the descriptors
 * RLIMIT_NOFILE allows, and the progress a data connection must make
 * (--idle-timeout).  Each says why when a peer is over it.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <sys/resource.h>

#include "internal.h"
#include "server/server.h"
#include "base/base.h"
#include "measure/tcp-info.h"

/* The connections host has open.  Under the lock. */
unsigned int nc_host_conns_locked(struct netcopy_server *srv,
				  const struct nc_host *host)
{
	unsigned int n = 0;

	for (struct conn *c = srv->conns.next; c != &srv->conns; c = c->next)
		n += nc_host_equal(&c->host, host);
	for (struct run *r = srv->runs; r; r = r->next)	/* --flows */
		n += nc_host_equal(&r->host, host) ? r->parked_n : 0;
	return n;
}

/* The per-host limit, where it is a share of --max-conns. */
unsigned int nc_conns_per_host(const struct netcopy_server *srv)
{
	if (srv->conns_per_host_set)
		return srv->max_conns_per_host;
	return srv->max_conns > 1 ? srv->max_conns / 2 : srv->max_conns;
}

/* The runs host has.  Under the lock. */
static unsigned int host_runs_locked(struct netcopy_server *srv,
				     const struct nc_host *host)
{
	unsigned int n = 0;

	for (struct run *r = srv->runs; r; r = r->next)
		n += nc_host_equal(&r->host, host);
	return n;
}

/* Whether the server sends run's data as UDP datagrams. */
static bool sends_udp(const struct run *run)
{
	return run->params.proto == NC_PROTO_UDP &&
	       run->params.workload == NC_WORKLOAD_STREAM &&
	       !nc_client_sends(&run->params);
}

/* Account for the rate run was held to until now. */
static void rate_note(struct run *run, uint64_t now)
{
	uint64_t held = atomic_load(&run->held_rate);

	run->rate_ns += (double)held * (double)(now - run->rate_since_ns);
	run->rate_since_ns = now;
}

/* The least is NC_MIN_RATE a connection. */
void nc_host_share_rate_locked(struct netcopy_server *srv,
			       const struct nc_host *host)
{
	uint64_t cap = srv->max_rate_per_host, now = nc_now_ns();
	unsigned int runs = 0;

	if (!cap)
		return;
	for (struct run *r = srv->runs; r; r = r->next)
		runs += nc_host_equal(&r->host, host) && sends_udp(r);
	for (struct run *r = srv->runs; r; r = r->next) {
		uint64_t share, asked = r->asked_rate;

		if (!nc_host_equal(&r->host, host) || !sends_udp(r))
			continue;
		share = cap / runs / r->params.threads;
		if (share < NC_MIN_RATE)
			share = NC_MIN_RATE;
		if (!r->rate_start_ns)
			r->rate_start_ns = r->rate_since_ns = now;
		rate_note(r, now);
		if (!asked || asked > share)
			r->rate_capped = true;
		atomic_store(&r->held_rate, asked && asked <= share ? asked :
							       share);
	}
}

uint64_t nc_run_rate_used_locked(struct run *run)
{
	uint64_t now = nc_now_ns();

	if (!run->rate_capped)
		return 0;
	rate_note(run, now);
	if (now == run->rate_start_ns)
		return atomic_load(&run->held_rate);
	return (uint64_t)(run->rate_ns / (double)(now - run->rate_start_ns) +
			  0.5);
}

/* Whether the run fits --max-runs-per-host, the descriptors and the
 * connections a host or the server may hold; if not, why in reason.
 * Its control connection is open already, its data connections come.
 * Under the lock. */
bool nc_run_over_limits_locked(struct netcopy_server *srv,
			       const struct run *run, char *reason, size_t cap)
{
	unsigned int per_runs = srv->max_runs_per_host;
	unsigned int per_conns = nc_conns_per_host(srv);
	unsigned int flows = nc_params_flows(&run->params);
	unsigned int conns = flows + 1, runs, mine;
	const char *unit = run->params.flows ? "flows" : "threads";
	char name[INET6_ADDRSTRLEN + 4];

	nc_host_name(&run->host, name, sizeof(name));
	runs = host_runs_locked(srv, &run->host);
	mine = nc_host_conns_locked(srv, &run->host);	/* this one too */
	if (per_runs && runs >= per_runs)
		snprintf(reason, cap, "too many runs from %s: %u running "
			 "(--max-runs-per-host %u)", name, runs, per_runs);
	else if ((uint64_t)srv->nconns + srv->parked + srv->fds_reserved +
		 FD_MARGIN + flows + run->fd_need > srv->fd_limit ||
		 (srv->fd_capped && conns > srv->max_conns))
		snprintf(reason, cap, "not enough file descriptors (limit %u)",
			 srv->fd_limit);
	else if (srv->max_conns && conns > srv->max_conns)
		snprintf(reason, cap, "a run of %u %s holds %u "
			 "connections, above this server's %u (--max-conns)",
			 flows, unit, conns, srv->max_conns);
	else if (per_conns && (uint64_t)mine + flows > per_conns)
		snprintf(reason, cap, "too many connections from %s: %u open, "
			 "and a run of %u %s adds %u "
			 "(--max-conns-per-host %u)", name, mine,
			 flows, unit, flows, per_conns);
	else
		return false;
	return true;
}

/* Why a new connection from host is over a limit, in reason; false if
 * it is not: --max-conns, --max-conns-per-host, and the descriptors it
 * needs beside what the runs hold. */
bool nc_conn_over_limits(struct netcopy_server *srv, const struct nc_host *host,
			 char *reason, size_t cap)
{
	unsigned int n, mine, fds, per = nc_conns_per_host(srv);
	char name[INET6_ADDRSTRLEN + 4];

	pthread_mutex_lock(&srv->lock);
	n = srv->nconns + srv->parked;
	mine = per ? nc_host_conns_locked(srv, host) : 0;
	fds = n + srv->fds_reserved + FD_MARGIN;
	pthread_mutex_unlock(&srv->lock);
	if (fds >= srv->fd_limit || (srv->fd_capped && n >= srv->max_conns))
		snprintf(reason, cap, "not enough file descriptors (limit %u)",
			 srv->fd_limit);
	else if (srv->max_conns && n >= srv->max_conns)
		snprintf(reason, cap, "server busy: %u connections open "
			 "(--max-conns %u)", n, srv->max_conns);
	else if (per && mine >= per)
		snprintf(reason, cap, "too many connections from %s: %u open "
			 "(--max-conns-per-host %u)",
			 nc_host_name(host, name, sizeof(name)), mine, per);
	else
		return false;
	return true;
}

/* RLIMIT_NOFILE, as the server starts: --max-conns lowered to what it
 * allows (a connection holds a descriptor at least), said once. */
void nc_fit_descriptors(struct netcopy_server *srv)
{
	char was[16] = "(no limit)";
	struct rlimit rl;
	unsigned int cap;

	srv->fd_limit = UINT_MAX / 2;
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < UINT_MAX / 2)
		srv->fd_limit = (unsigned int)rl.rlim_cur;
	cap = srv->fd_limit > 2 * FD_MARGIN ? srv->fd_limit - FD_MARGIN :
					      srv->fd_limit / 2;
	if (srv->max_conns && srv->max_conns <= cap)
		return;
	if (srv->max_conns)
		snprintf(was, sizeof(was), "%u", srv->max_conns);
	nc_server_log(srv, "--max-conns %s lowered to %u: the server may "
		      "open %u file descriptors (RLIMIT_NOFILE)", was, cap,
		      srv->fd_limit);
	srv->max_conns = cap;
	srv->fd_capped = true;
}

/* How often the data connections' progress is looked at. */
int nc_idle_tick_ms(const struct netcopy_server *srv)
{
	double ms = srv->idle_timeout * 250;

	return ms < 10 ? 10 : ms > 1000 ? 1000 : (int)ms;
}

double nc_idle_seconds(const struct netcopy_server *srv,
			const struct run *run)
{
	double paced = run->params.rate ?
		       2.0 * (double)run->params.size * 8 / run->params.rate : 0;

	return paced > srv->idle_timeout ? paced : srv->idle_timeout;
}

/* A connection is looked at (TCP_INFO, under the server's lock: 10,000
 * a tick at 10,000 flows) only where it could be found idle: half the
 * limit after it was seen to move, or after it joined (bytes unknown:
 * the first look is a move), and every tick once it was seen still.  It
 * is cut only after a limit seen without a move, at most half a limit
 * later than a look every tick would cut it. */
int nc_run_idle_locked(struct netcopy_server *srv, struct run *run)
{
	uint64_t now = nc_now_ns(), limit = nc_seconds_ns(nc_idle_seconds(srv,
								     run));
	int idle = -1;

	for (uint32_t i = 0; i < nc_params_flows(&run->params); i++) {
		struct nc_moved *m = &run->moved[i];
		uint64_t bytes;

		if (run->fds[i] < 0)
			continue;	/* done */
		if (!m->since_ns) {
			m->bytes = UINT64_MAX;
			m->since_ns = now;
			m->next_ns = now + limit / 2;
		}
		if (now < m->next_ns || nc_tcp_moved(run->fds[i], &bytes))
			continue;	/* not due, or the kernel cannot say */
		if (bytes != m->bytes) {
			m->bytes = bytes;
			m->since_ns = now;
			m->next_ns = now + limit / 2;
		} else if (now - m->since_ns >= limit && idle < 0) {
			idle = (int)i;
		}
	}
	return idle;
}
