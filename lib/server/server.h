/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * server.h - what the server's files share: the server, its runs and
 * connections (listen.c sets it up, greet.c is the server's loop and
 * reads every connection's first message, serve.c makes a control or a
 * data connection of it, control.c serves a run's control connection).
 * The server offers the library's users netcopy_server_* (netcopy.h)
 * and nothing to the rest of the library.
 */
#ifndef NETCOPY_SERVER_H
#define NETCOPY_SERVER_H

#include <arpa/inet.h>
#include <pthread.h>
#include <sys/socket.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "netcopy.h"
#include "flow/flow.h"
#include "params/params.h"
#include "wire/auth.h"
#include "wire/wire.h"

#define DRAIN_GRACE_MS 2000
/* A run is cut this long after its duration ends (supervise.c), plus
 * the time what the run has in flight takes to drain at DRAIN_FLOOR_BPS, at
 * most RUN_GRACE_MAX_MS in all. */
#define RUN_GRACE_MS 5000
#define DRAIN_FLOOR_BPS (32ULL << 20)
#define RUN_GRACE_MAX_MS 60000

/* Descriptors kept for the server itself (listener, stdio, pipes, log). */
#define FD_MARGIN 32

/* A peer's address (IPv4 as ::ffff:a.b.c.d), or its host's key: the
 * same for IPv4, the /64 for IPv6 (host.c). */
struct nc_host {
	uint8_t addr[16];
};

/* Repeated log lines: per kind (its format), a window of a second
 * (log-limit.c). */
#define LOG_KINDS 32
#define LOG_BURST 10	/* lines of one kind a second before counting */
struct nc_log_kind {
	const char *fmt;
	uint64_t since_ns;
	unsigned int lines;
	unsigned long long dropped;
	char last[160];
};

struct nc_log_limit {
	pthread_mutex_t lock;
	struct nc_log_kind kinds[LOG_KINDS];
};

struct conn {
	struct conn *prev, *next;	/* srv->conns, under the lock */
	int fd;
	struct nc_host addr, host;	/* the peer's address, its host */
	struct netcopy_server *srv;
	struct sockaddr_storage sa;	/* the peer's, for the log */
	socklen_t sa_len;
	uint64_t accepted_ns;	/* --hello-timeout counts from here */
	/* Its first message as it comes in (greet.c), the accepting
	 * thread's: the header, then the body, malloc()ed only where it
	 * comes in parts; got counts both. */
	struct conn *older, *newer;	/* of those greeted, accept order */
	bool greeted;			/* in the greeter's epoll set */
	uint32_t got;
	uint8_t head[NC_HEADER_LEN];
	struct nc_header h;
	uint8_t *body;
	/* For its thread, once it has one (serve.c): a hello's body, or
	 * a data connection's run and index. */
	struct run *run;
	uint32_t index;
};

/* What a data connection has moved, and since when (--idle-timeout);
 * when it is next looked at. */
struct nc_moved {
	uint64_t bytes, since_ns, next_ns;
};

struct run {
	struct run *next;
	uint8_t id[NC_RUN_ID_LEN];
	struct nc_params params;
	/* --max-rate-per-host, for a run the server sends UDP to: the
	 * hello's rate (0: none), kept; params.rate is set to the share
	 * as the run joins the server's, before any data connection. */
	uint64_t asked_rate;
	const struct netcopy_mode *mode;
	uint64_t share;		/* buffers per data connection */
	uint64_t pinned_share;	/* of share, pages the kernel pins */
	unsigned int fd_need;	/* descriptors beside its sockets */
	struct nc_host addr, host;	/* of its control connection */
	char peer[80];
	/* Authenticated: its data tags carry MACs over its challenge. */
	bool authed;
	uint8_t challenge[NC_CHALLENGE_LEN];
	/* Under the server's lock: */
	uint64_t charged;	/* of --max-memory, by attached connections */
	uint64_t pinned;	/* of --max-pinned, likewise */
	char refusal[NC_REASON_MAX];	/* why a data connection was not */
	uint32_t claimed;	/* data connections given a place */
	bool rate_capped;	/* held below asked_rate, or asked none */
	uint64_t rate_since_ns;	/* when held_rate was last set */
	uint64_t rate_start_ns;	/* when the run joined */
	double rate_ns;		/* held_rate over time: bit/s x ns */
	uint32_t attached;	/* of those, ready to start */
	uint32_t members;	/* --flows above -t: members initialised */
	bool started, aborted;
	int refs;
	int *fds;
	int *errs;
	struct nc_moved *moved;
	struct nc_flow *flows;
	pthread_cond_t cond;
	/* --flows above -t (members.c): the members parked, by index;
	 * under the lock. */
	bool *parked;
	uint32_t parked_n;
	/* Lock-free: */
	/* What each data connection is held to now: the host's share,
	 * which changes as its other runs start and end; 0: no cap. */
	_Atomic uint64_t held_rate;
	atomic_bool stop;
	atomic_bool measuring;
	int done_fd;		/* eventfd: +1 per data connection done */
};

struct netcopy_server {
	char *bind;
	unsigned int port;
	uint64_t max_size;
	uint64_t max_memory;
	uint64_t max_pinned;		/* 0: the default (memory.c) */
	uint64_t max_memory_per_host;	/* 0: half of max_memory */
	/* The budgets in force, from nc_server_budgets(): */
	uint64_t host_limit, pinned_limit;
	uint64_t memlock_limit;	/* RLIMIT_MEMLOCK without root; 0: none */
	const char *pinned_option;	/* what set pinned_limit */
	double hello_timeout;
	unsigned int max_conns;		/* 0: no limit */
	unsigned int max_conns_per_host;	/* 0: no limit */
	bool conns_per_host_set;	/* else half of max_conns */
	unsigned int max_runs_per_host;	/* 0: no limit */
	uint64_t max_rate_per_host;	/* UDP bits/s sent; 0: no cap */
	double idle_timeout;
	unsigned int fd_limit;		/* RLIMIT_NOFILE when serving */
	bool fd_capped;			/* max_conns lowered to fit it */
	bool once;
	netcopy_log_fn log;
	void *log_data;
	struct nc_secret secret;	/* --auth-file; len 0: none */
	struct nc_prefix *allow;	/* --allow; NULL: from anywhere */
	size_t allow_count;

	int listen_fd;
	unsigned int bound_port;
	char address[INET6_ADDRSTRLEN];
	int stop_pipe[2];

	pthread_mutex_t lock;
	pthread_cond_t idle;
	struct conn conns;	/* list head */
	unsigned int nconns;	/* being greeted, or held by a thread */
	struct run *runs;
	uint64_t committed;
	uint64_t pinned;	/* of committed, pinned by the kernel */
	uint64_t run_count;
	unsigned int fds_reserved;	/* the runs' fds beside sockets */
	unsigned int parked;		/* connections parked in runs */
	struct nc_log_limit log_limit;
};

/* ---- serve.c: a connection's first message */
/* Connection c, its first message in (c->h, c->body): served, handed to
 * a thread or its run, or refused; c is no longer the caller's. */
void nc_conn_first(struct conn *c);
/* "ADDR port N" of c's peer, for the log. */
void nc_conn_peer(const struct conn *c, char *buf, size_t cap);
/* Count c in srv->conns, as it is accepted. */
void nc_conn_link(struct conn *c);
/* Close c's descriptor (unless -1), count it out and free it. */
void nc_conn_close(struct conn *c);
/* Refuse a connection that has no thread: reason logged and sent (it
 * fits the socket buffer), the stream's end, and what the peer already
 * sent read, so that the close is not a reset that could beat the
 * reason; fd closed. */
void nc_conn_refuse(struct netcopy_server *srv, int fd, const char *peer,
		    const char *reason);

/* ---- members.c: a data connection's start, and --flows above -t */
/* Count a data connection of run in (its buffers ready) and wait for
 * the start; false if the run was called off. */
bool nc_run_ready(struct netcopy_server *srv, struct run *run);
/* Park member index in its run, which keeps its connection: true; false
 * when the run is called off (its thread ends it as any).  The run's
 * reference the member holds goes with it. */
void nc_run_ends(struct netcopy_server *srv, struct run *run, uint64_t n);
bool nc_member_park(struct netcopy_server *srv, struct run *run,
		    uint32_t index);
/* Data connection index below -t: its group of flows taken once every
 * member is parked, prepared, driven, and let go.  The group's error. */
int nc_serve_group(struct netcopy_server *srv, struct run *run,
		   uint32_t index);
/* A run called off: the members no group took are let go. */
void nc_members_sweep(struct netcopy_server *srv, struct run *run);

/* ---- listen.c */
/* One line for the server's log, when it has one. */
void nc_server_log(struct netcopy_server *srv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Whether netcopy_server_stop() was called. */
bool nc_server_stopping(struct netcopy_server *srv);

/* ---- host.c */
/* A peer's address from a sockaddr: 0, or -EAFNOSUPPORT. */
int nc_host_addr(const struct sockaddr *sa, struct nc_host *addr);
/* Its host's key: the address for IPv4, the /64 for IPv6; one for
 * every loopback address. */
int nc_host_key(const struct sockaddr *sa, struct nc_host *key);
bool nc_host_equal(const struct nc_host *a, const struct nc_host *b);
/* a and b (nc_host_addr's) are one sender: the same address, or two
 * loopback addresses (the client's --local-address over loopback). */
bool nc_host_same_origin(const struct nc_host *a, const struct nc_host *b);
/* A key for messages: "192.0.2.1", "2001:db8:1:2::/64", "loopback". */
const char *nc_host_name(const struct nc_host *key, char *buf, size_t cap);

/* ---- limits.c */
/* The connections host has open.  Under the lock. */
unsigned int nc_host_conns_locked(struct netcopy_server *srv,
				  const struct nc_host *host);
/* The effective --max-conns-per-host: 0 for no limit. */
unsigned int nc_conns_per_host(const struct netcopy_server *srv);
/* A new connection from host over --max-conns, --max-conns-per-host or
 * the descriptors: true, and why in reason. */
bool nc_conn_over_limits(struct netcopy_server *srv, const struct nc_host *host,
			 char *reason, size_t cap);
/* A run (its control connection open, its data connections to come)
 * over --max-runs-per-host, the descriptors or the connections a host
 * or the server may hold: true, and why in reason.  Under the lock. */
bool nc_run_over_limits_locked(struct netcopy_server *srv,
			       const struct run *run, char *reason,
			       size_t cap);
/* The runs host has that the server sends UDP to share
 * --max-rate-per-host evenly, each split over its data connections and
 * held to less than its --rate only where that is more (or none): set
 * each one's held_rate, as a run of host's joins or leaves srv->runs.
 * Under the lock. */
void nc_host_share_rate_locked(struct netcopy_server *srv,
			       const struct nc_host *host);
/* The rate, a data connection, run was held to over its life so far
 * (its mean, where it changed); 0 where it was not capped.  Under the
 * lock. */
uint64_t nc_run_rate_used_locked(struct run *run);
/* As the server starts: RLIMIT_NOFILE read, --max-conns lowered to fit
 * it (said once). */
void nc_fit_descriptors(struct netcopy_server *srv);
/* How often, in ms, the data connections' progress is looked at. */
int nc_idle_tick_ms(const struct netcopy_server *srv);
/* The seconds a data connection of run may move no byte: --idle-timeout,
 * or twice a message's time at its --rate where that is longer (paced
 * in user space, a message goes at once, then a pause). */
double nc_idle_seconds(const struct netcopy_server *srv,
		       const struct run *run);
/* The first data connection of run that moved no byte for
 * --idle-timeout, or -1; the progress of each one due a look noted.
 * Under the lock. */
int nc_run_idle_locked(struct netcopy_server *srv, struct run *run);

/* ---- log-limit.c */
void nc_log_limit_init(struct nc_log_limit *l);
void nc_log_limit_destroy(struct nc_log_limit *l);
/* Log line, of the kind fmt, unless LOG_BURST of its kind went in the
 * last second: then only count it. */
void nc_log_limited(struct netcopy_server *srv, const char *fmt,
		    const char *line);
/* Say how many of each kind were left out once its second is over;
 * returns the milliseconds until the next is due, -1 for none. */
int nc_log_limit_flush(struct netcopy_server *srv, bool all);

/* ---- supervise.c */
/* Watch a started run until its claimed data connections are done:
 * stop after its duration, end it when the client goes or the server
 * stops, cut it when a connection idles or its grace is over.  Returns
 * the run's status; why in reason (cap 0: keep what reason holds). */
int nc_run_supervise(struct netcopy_server *srv, int fd, struct run *run,
		     uint32_t claimed, char *reason, size_t cap);

/* ---- memory.c */
/* Set the budgets in force from the options; true when RLIMIT_MEMLOCK
 * (memlock_limit: what registered rings are held to) is below a
 * --max-pinned that was given. */
bool nc_server_budgets(struct netcopy_server *srv);
/* run->share and run->pinned_share, from its params and mode. */
void nc_run_shares(struct run *run);
/* A hello only asks: a run that could never fit is refused
 * (NETCOPY_EREFUSED, reason saying why), one that could is charged
 * nothing yet. */
int nc_run_admit_memory(struct netcopy_server *srv, const struct run *run,
			char reason[NC_REASON_MAX]);
/* Charge a data connection's buffers to every budget: 0, or
 * NETCOPY_EREFUSED with run->refusal saying why. */
int nc_run_charge_locked(struct netcopy_server *srv, struct run *run);
/* Give back all the run has charged. */
void nc_run_uncharge_locked(struct netcopy_server *srv, struct run *run);

/* ---- control.c */
/* Drop a reference to run; the last one frees it (supervise.c). */
void nc_run_put(struct netcopy_server *srv, struct run *run);
/* Shut down the run's data connections so blocked engines return. */
void nc_run_abort_locked(struct run *run);
/* Answer a hello with a refusal: code and reason. */
void nc_refuse(int fd, int code, const char *reason);
/* Answer a hello with the run's id. */
/* Accept on fd for run; a UDP run's data connection with the port of
 * its UDP socket and the cookie to echo there (0, 0 otherwise). */
int nc_accept_run(int fd, const struct run *run, uint32_t udp_port,
		  uint64_t cookie);
/* A control connection, from its hello (body, len) on. */
void nc_serve_control(struct netcopy_server *srv, const struct conn *c,
		      const uint8_t *body, size_t len, const char *peer);

/* ---- access.c: who may connect (--allow) and authentication */
/* An IPv4 or IPv6 prefix of --allow. */
struct nc_prefix {
	int family;			/* AF_INET or AF_INET6 */
	uint8_t addr[16];		/* host bits cleared */
	unsigned int bits;
};
/* Parse a --allow list into *out (malloc()ed), *count prefixes.  0,
 * -EINVAL or -ENOMEM. */
int nc_prefixes_parse(const char *text, struct nc_prefix **out,
		      size_t *count);
/* Whether an address (IPv4-mapped IPv6 taken as IPv4) is in a list. */
bool nc_prefixes_match(const struct nc_prefix *list, size_t count,
		       const struct sockaddr *sa);
/* A connection from outside --allow is logged and closed: true. */
bool nc_server_outside_allow(struct netcopy_server *srv, int fd);
/* With --auth-file, challenge the hello's sender and check its proof of
 * the hello's body (body, len, as received), keeping the challenge;
 * without, refuse a hello that asks to authenticate.  0 to go on;
 * NETCOPY_EREFUSED or NETCOPY_EPROTOCOL, to refuse with *why (static);
 * or -errno (*why: what failed) to drop the connection. */
int nc_server_authenticate(struct netcopy_server *srv, int fd,
			   const struct nc_params *hello, const uint8_t *body,
			   size_t len, uint8_t challenge[NC_CHALLENGE_LEN],
			   const char **why);
/* Whether a data tag may attach to run: its MAC, in an authenticated
 * run, is what the secret gives for the run and its index. */
bool nc_tag_authentic(const struct netcopy_server *srv, const struct run *run,
		      const struct nc_tag *tag);
#endif /* NETCOPY_SERVER_H */
