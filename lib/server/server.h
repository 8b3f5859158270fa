/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * server.h - what the server's files share: the server, its runs and
 * connections (listen.c sets it up, control.c serves a run's control
 * connection, serve.c every connection and the server's loop).  The
 * server offers the library's users netcopy_server_* (netcopy.h) and
 * nothing to the rest of the library.
 */
#ifndef NETCOPY_SERVER_H
#define NETCOPY_SERVER_H

#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "netcopy.h"
#include "flow/flow.h"
#include "params/params.h"
#include "wire/wire.h"

#define DRAIN_GRACE_MS 2000
/* A run is cut this long after its duration ends (control.c). */
#define RUN_GRACE_MS 5000

/* A host of the per-host limits (host.c); zeroed, so it compares whole. */
struct nc_host {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t addr[8];	/* the IPv4 address, or the IPv6 /64 */
};

struct conn {
	struct conn *prev, *next;
	int fd;
	struct netcopy_server *srv;
};

struct run {
	struct run *next;
	uint8_t id[NC_RUN_ID_LEN];
	struct nc_params params;
	const struct netcopy_mode *mode;
	uint64_t share;		/* buffers per data connection */
	char peer[80];
	struct nc_host host;	/* its control connection's */
	uint64_t pinned_share;	/* of share, pages the kernel pins */
	/* Under the server's lock: */
	uint64_t charged;	/* of --max-memory, by attached connections */
	uint64_t pinned;	/* of --max-pinned, likewise */
	char refusal[NC_REASON_MAX];	/* why a data connection was not */
	uint32_t claimed;	/* data connections given a place */
	uint32_t attached;	/* of those, ready to start */
	bool started, aborted;
	int refs;
	int *fds;
	int *errs;
	struct nc_flow *flows;
	pthread_cond_t cond;
	/* Lock-free: */
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
	const char *pinned_option;	/* what set pinned_limit */
	double hello_timeout;
	unsigned int max_conns;		/* 0: no limit */
	bool once;
	netcopy_log_fn log;
	void *log_data;

	int listen_fd;
	unsigned int bound_port;
	char address[INET6_ADDRSTRLEN];
	int stop_pipe[2];

	pthread_mutex_t lock;
	pthread_cond_t idle;
	struct conn conns;	/* list head */
	unsigned int nconns;
	struct run *runs;
	uint64_t committed;
	uint64_t pinned;	/* of committed, pinned by the kernel */
	uint64_t run_count;
};

/* ---- listen.c */
/* One line for the server's log, when it has one. */
void nc_server_log(struct netcopy_server *srv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Whether netcopy_server_stop() was called. */
bool nc_server_stopping(struct netcopy_server *srv);

/* ---- host.c */
/* The host of a peer's address: 0, or -EAFNOSUPPORT. */
int nc_host_key(const struct sockaddr *sa, struct nc_host *host);
bool nc_host_equal(const struct nc_host *a, const struct nc_host *b);

/* ---- memory.c */
/* Set the budgets in force from the options; true when RLIMIT_MEMLOCK
 * cut --max-pinned down (pinned_limit). */
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
/* Drop a reference to run; the last one frees it. */
void nc_run_put(struct netcopy_server *srv, struct run *run);
/* Shut down the run's data connections so blocked engines return. */
void nc_run_abort_locked(struct run *run);
/* Answer a hello with a refusal: code and reason. */
void nc_refuse(int fd, int code, const char *reason);
/* Answer a hello with the run's id. */
int nc_accept_run(int fd, const struct run *run);
/* A control connection, from its hello (body, len) on. */
void nc_serve_control(struct netcopy_server *srv, int fd,
		      const uint8_t *body, size_t len, const char *peer);
#endif /* NETCOPY_SERVER_H */
