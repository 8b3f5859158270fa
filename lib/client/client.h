/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * client.h - what the client's files share: the client's state, which
 * its setters (setters.c) fill and a run (run.c) reads.  The client
 * offers the library's users netcopy_client_* (netcopy.h) and nothing
 * to the rest of the library.
 */
#ifndef NETCOPY_CLIENT_H
#define NETCOPY_CLIENT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "netcopy.h"
#include "params/params.h"
#include "send/send.h"
#include "wire/auth.h"
#include "wire/wire.h"

/* --local-address: at most this many (3 already hold NC_MAX_FLOWS'
 * ephemeral ports to one server port). */
#define NC_MAX_LOCAL 64

struct netcopy_client {
	char host[256];
	unsigned int port;
	struct nc_params p;		/* what the hello carries */
	int cpu;			/* the client's first CPU; -1: none */
	double interval;		/* 0: no progress reports */
	netcopy_progress_fn progress;
	void *progress_data;
	int64_t iv_retransmits;		/* the interval reported's; -1: NA */
	char detail[256];
	char note[256];			/* on a run that worked, or "" */
	atomic_bool stopped;		/* netcopy_client_stop() was called */
	int stop_fd;			/* an eventfd it wakes a run with */
	uint64_t stopped_ns;		/* into the last run it was seen; 0 */
	uint64_t connect_ns;		/* the last run's data connections */
	struct nc_secret secret;	/* len 0: no authentication */
	struct nc_challenge challenge;	/* the run's, when authenticated */
	bool bidir;			/* --bidir: both directions at once */
	struct nc_pair *pair;		/* in a --bidir run, its two runs' */
	/* --bidir: the client-sends run beside this one, kept until the
	 * client is freed so that netcopy_client_stop() can reach it. */
	struct netcopy_client *_Atomic twin;
	struct netcopy_client *owner;	/* a twin's; NULL: this one */
	bool in_report;			/* in the progress function */
	bool iv_reverse;		/* the interval reported's direction */
	bool per_flow;			/* keep each flow's received bytes */
	/* --local-address: the data connections' source addresses, round
	 * robin by index, the control connection's the first; n 0: the
	 * kernel's choice. */
	struct nc_local {
		struct sockaddr_storage addr[NC_MAX_LOCAL];
		socklen_t len[NC_MAX_LOCAL];
		uint32_t n;
	} local;
	/* The address the control connection reached, which the data
	 * connections reach without resolving the host again for each;
	 * server_len 0: not known. */
	struct sockaddr_storage server;
	socklen_t server_len;
};

/* How long the server may take to answer a hello or a data tag. */
#define REPLY_TIMEOUT_MS 10000

/* Note one line of detail for netcopy_client_detail(); yields err. */
#define fail(c, err, ...) \
	(snprintf((c)->detail, sizeof((c)->detail), __VA_ARGS__), (err))

/* The engine of the mode set; set_mode takes only names it finds. */
static inline const struct netcopy_mode *
mode_of(const struct netcopy_client *c)
{
	return netcopy_mode_find(c->p.mode);
}

/* ---- control.c: the control connection */
/* The server's answer on fd (accept or refuse) into rep: 0, or an error
 * with its detail (a refusal is NETCOPY_EREFUSED or _EUNSUPPORTED). */
int nc_client_read_reply(struct netcopy_client *c, int fd,
			 struct nc_reply *rep);
/* 0, or -EMFILE with the reason when RLIMIT_NOFILE cannot hold the
 * run's descriptors. */
int nc_client_check_fds(struct netcopy_client *c,
			const struct netcopy_mode *mode);
/* 0, or an error with the reason: --flows below -t, or more flows
 * than threads where the run cannot spread them (yet).  --flows equal
 * to -t becomes unset, the run without it. */
int nc_client_check_flows(struct netcopy_client *c,
			  const struct netcopy_mode *mode);
/* ---- local.c: --local-address */
/* Connect to the server from local address index (round robin over
 * the list; the kernel's choice without one): 0 or an error, with its
 * detail. */
int nc_client_connect(struct netcopy_client *c, uint32_t index, int *fd);
/* ---- data.c */
/* Data connection index of the run rep accepted, taken by the server
 * (with its UDP socket in *udp_fd for a UDP run).  0 or an error, with
 * c->detail saying why; nothing left open then. */
int nc_client_open_data(struct netcopy_client *c, const struct nc_reply *rep,
			uint32_t index, int *fd, int *udp_fd);
/* --flows above -t: n TCP data connections into fds, their tags sent
 * ahead of the server's answers, and a UDP run's sockets into udp_fds
 * (NULL for TCP).  0 or an error, as above. */
int nc_client_open_flows(struct netcopy_client *c, const struct nc_reply *rep,
			 uint32_t n, int *fds, int *udp_fds);
/* A run that netcopy_client_stop() cut short, and was otherwise whole
 * or short, is short for that reason: status, or NETCOPY_ESHORT. */
int nc_client_interrupted(const struct netcopy_client *c,
			  struct netcopy_result *r, int status);
/* Connect and send the hello (again once without what an older server
 * does not know, noted in c->note): 0 with *ctrl and the acceptance in
 * rep, or an error with its detail. */
int nc_client_open_control(struct netcopy_client *c, int *ctrl,
			   struct nc_reply *rep);

/* ---- pair.c: --bidir's two runs in step */
enum { NC_PAIR_SERVER_SENDS, NC_PAIR_CLIENT_SENDS, NC_PAIR_SIDES };
enum nc_pair_state { NC_PAIR_PENDING, NC_PAIR_READY, NC_PAIR_FAILED };

struct nc_pair {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum nc_pair_state state[NC_PAIR_SIDES];
	int err[NC_PAIR_SIDES];
	int first_failed;		/* the side that failed first; -1 */
	pthread_mutex_t report;		/* one progress report at a time */
};

/* The sides as the Direction column names them. */
extern const char *const nc_pair_side_name[NC_PAIR_SIDES];
/* Post a side's state once (err: failed); a later post changes
 * nothing. */
void nc_pair_post(struct nc_pair *pr, int side, int err);
/* Where a run of a --bidir pair stands: the client-sends run posts once
 * its threads are ready and waits for the server-sends run's data
 * connections; that run waits for it before its hello, and posts once
 * its data connections are in.  So both clocks start together.  A side
 * that fails posts err, and the other gives up with it; without a pair,
 * err.  Returns 0 or the error this side ends with. */
enum nc_pair_step { NC_PAIR_HELLO, NC_PAIR_CONNECTED, NC_PAIR_PREPARED };
int nc_client_pair_step(struct netcopy_client *c, enum nc_pair_step step,
			int err);
/* Report an interval through the owner's progress function, one
 * direction at a time, with its retransmits (-1: NA). */
void nc_client_report(struct netcopy_client *c, double from, double to,
		      uint64_t bytes, bool warmup, int64_t retransmits);

/* ---- flow-bytes.c: --per-flow where the server received */
/* Read the list of its flows' bytes the server sends after the trailer
 * into r->flow_bytes: whole, in order, the run's flows, summing to the
 * trailer's bytes, within REPLY_TIMEOUT_MS.  0, or the server's figures
 * refused (nc_client_refuse_peer()) and why, or -ENOMEM. */
struct netcopy_result;
int nc_client_read_flow_bytes(int ctrl, struct netcopy_result *r,
			      struct nc_figures *remote);

/* ---- run.c */
/* One run, one direction. */
int nc_client_run_one(struct netcopy_client *c, struct netcopy_result **out);

/* ---- bidir.c: --bidir, two runs at once over one interval */
/* Both directions: the twin's run beside this one's. */
int nc_client_run_bidir(struct netcopy_client *c,
			struct netcopy_result **out);
/* Stop c's twin too, from a signal handler as well. */
void nc_client_stop_twin(struct netcopy_client *c);
/* Free c's twin, if any. */
void nc_client_free_twin(struct netcopy_client *c);

/* ---- auth.c: --auth-file */
/* Answer the server's challenge (kept in c) with the proof of the hello
 * body as sent.  0, or an error with its detail. */
int nc_client_prove(struct netcopy_client *c, int ctrl, const uint8_t *hello,
		    size_t len);
/* Set the MAC of an authenticated run's data tag.  0, or an error. */
int nc_client_tag_mac(struct netcopy_client *c, struct nc_tag *tag);
/* ---- verdict.c */
struct netcopy_result;
struct nc_figures;
/* Judge the run from both sides' figures (a UDP run may lose
 * datagrams, a TCP run no byte): 0, or why not in the receiver's
 * reason. */
int nc_client_judge(struct netcopy_result *r, int local_err,
		    uint32_t bad_flow);
/* No figures from the server (trailer_err) after our own error err on
 * data connection flow: ours is the line, theirs NA.  err. */
int nc_client_lost_peer(struct netcopy_result *r, struct nc_figures *remote,
			int trailer_err, int err, uint32_t flow);
/* The server's figures cannot be used: NA, and why (not in them).  A
 * trailer broken or impossible is an error; none at all, a run cut
 * short. */
int nc_client_refuse_peer(struct netcopy_result *r, struct nc_figures *remote,
			  int err, const char *what, const char *why);

#endif /* NETCOPY_CLIENT_H */
