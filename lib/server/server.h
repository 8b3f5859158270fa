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

#include "netcopy.h"
#include "flow/flow.h"
#include "params/params.h"
#include "wire/wire.h"

#define DRAIN_GRACE_MS 2000

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
	uint64_t memory;
	char peer[80];
	/* Under the server's lock: */
	uint32_t attached;
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
	uint64_t run_count;
};

/* ---- listen.c */
/* One line for the server's log, when it has one. */
void nc_server_log(struct netcopy_server *srv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Whether netcopy_server_stop() was called. */
bool nc_server_stopping(struct netcopy_server *srv);

/* ---- control.c */
/* Drop a reference to run; the last one frees it. */
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
void nc_serve_control(struct netcopy_server *srv, int fd,
		      const uint8_t *body, size_t len, const char *peer);
#endif /* NETCOPY_SERVER_H */
