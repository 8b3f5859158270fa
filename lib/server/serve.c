/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * serve.c - what a connection's first message (greet.c reads it) makes
 * of it: a hello, a run's control connection, which gets a thread
 * (control.c); a data tag, one of its data connections, which gets a
 * thread where it drives flows, and is parked in its run right away
 * where it is a member of a --flows group (members.c).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"
#include "server/server.h"
#include "base/base.h"
#include "flow/flow.h"
#include "params/params.h"
#include "recv/recv.h"
#include "send/send.h"
#include "wire/wire.h"

/* ---- data connections ---- */

static struct run *find_run_locked(struct netcopy_server *srv,
				   const uint8_t *id)
{
	for (struct run *run = srv->runs; run; run = run->next)
		if (memcmp(run->id, id, NC_RUN_ID_LEN) == 0)
			return run;
	return NULL;
}

/* Claim the data connection's place in its run; NULL if it has none
 * (*code and *why say why; a refusal's reason is copied to refusal, as
 * the run may be gone once the lock is let go).  It must come from its
 * control connection's address (or, over loopback, another loopback
 * address: this host's all): a run id is sent in clear, and who saw it
 * must not attach in the owner's place. */
static struct run *claim(struct netcopy_server *srv, const struct conn *c,
			 const struct nc_tag *tag, int *code, const char **why,
			 char refusal[NC_REASON_MAX])
{
	int fd = c->fd;
	struct run *run;

	pthread_mutex_lock(&srv->lock);
	run = find_run_locked(srv, tag->run_id);
	if (!run)
		*why = "no such run";
	else if (!nc_host_same_origin(&run->addr, &c->addr))
		*why = "data connection from another address than its "
		       "control connection";
	else if (!nc_tag_authentic(srv, run, tag))
		*why = "data tag authentication failed";
	else if (tag->index >= nc_params_flows(&run->params) ||
		 run->fds[tag->index] >= 0 || run->started || run->aborted)
		*why = "data connection not expected";
	else if (tag->index < run->params.threads &&	/* buffers */
		 (*code = nc_run_charge_locked(srv, run))) {
		snprintf(refusal, NC_REASON_MAX, "%s", run->refusal);
		*why = refusal;
		nc_run_abort_locked(run);	/* called off for it */
	}
	if (!run || **why) {
		pthread_mutex_unlock(&srv->lock);
		return NULL;
	}
	run->fds[tag->index] = fd;
	run->claimed++;
	run->refs++;
	pthread_mutex_unlock(&srv->lock);
	return run;
}


/* A UDP run's data connection: accepted with a UDP socket's port and a
 * cookie, which must come back to that socket from this connection's
 * peer before the server sends it anything; then it says so here.
 * 0, or -errno with the client told why. */
static int attach_udp(struct netcopy_server *srv, int fd,
		      const struct run *run, int *udp_fd)
{
	char reason[NC_REASON_MAX];
	uint64_t cookie;
	uint32_t port;
	int err = nc_udp_link_open(fd, udp_fd, &port);

	if (!err && getrandom(&cookie, sizeof(cookie), 0) != sizeof(cookie))
		err = -EIO;
	if (!err)
		err = nc_accept_run(fd, run, port, cookie);
	if (!err)
		err = nc_udp_link_await(*udp_fd, fd, cookie,
					(int)(srv->hello_timeout * 1000));
	if (!err)
		return nc_accept_run(fd, run, 0, 0);
	snprintf(reason, sizeof(reason), "UDP socket not attached: %s",
		 netcopy_strerror(err));
	nc_refuse(fd, NETCOPY_EREFUSED, reason);
	return err;
}

/* A data connection's end: its error noted, its place let go (the
 * control thread lets go of its descriptor), its end signalled, its
 * hold on the run dropped. */
static void data_end(struct netcopy_server *srv, struct run *run,
		     uint32_t index, int err)
{
	pthread_mutex_lock(&srv->lock);
	run->errs[index] = err;
	run->fds[index] = -1;
	pthread_mutex_unlock(&srv->lock);
	nc_run_ends(srv, run, 1);
}

/* Whether data connection index of run is a member of a --flows group:
 * parked in its run, which its group's thread drives, no thread of its
 * own. */
static bool is_member(const struct run *run, uint32_t index)
{
	return run->params.flows && index >= run->params.threads;
}

/* Whether data connection index of run is attached in the server's
 * loop: a member over TCP.  Over UDP it waits for its socket's cookie
 * (attach_udp()), a wait for a thread of its own. */
static bool attaches_in_loop(const struct run *run, uint32_t index)
{
	return is_member(run, index) && run->params.proto != NC_PROTO_UDP;
}

/* Data connection index of run, claimed, on fd: true when its run keeps
 * it (a member), false when it is done with.  One that drives flows
 * does so here, on its own thread, until the run ends. */
static bool serve_data(struct netcopy_server *srv, struct run *run,
		       uint32_t index, int fd)
{
	struct nc_flow *flow = &run->flows[index];
	int udp_fd = -1, err = 0;

	if (run->params.proto == NC_PROTO_UDP)
		err = attach_udp(srv, fd, run, &udp_fd);
	else	/* a failed send shows in the data path */
		nc_accept_run(fd, run, 0, 0);
	nc_flow_init(flow, udp_fd >= 0 ? udp_fd : fd, &run->params, index,
		     false, run->params.cpu, &run->stop, &run->measuring);
	if (udp_fd >= 0)
		flow->link_fd = fd;
	if (!run->params.flows) {
		if (!err)
			err = nc_flow_prepare(run->mode, flow);
		/* Paced to the host's share, which its other runs change. */
		if (!err && flow->pacing == NC_PACING_USER &&
		    atomic_load(&run->held_rate))
			flow->pace.limit = &run->held_rate;
		if (!nc_run_ready(srv, run) && !err)
			err = NETCOPY_ESHORT;
		if (err)
			nc_flow_release(run->mode, flow);
		else
			err = nc_flow_run(run->mode, flow);
	} else if (err) {	/* not attached: its group would wait for it */
		pthread_mutex_lock(&srv->lock);
		nc_run_abort_locked(run);
		pthread_mutex_unlock(&srv->lock);
	} else if (!is_member(run, index)) {
		err = nc_serve_group(srv, run, index);
	} else if (nc_member_park(srv, run, index)) {
		return true;
	}
	if (udp_fd >= 0)
		close(udp_fd);
	data_end(srv, run, index, err);
	return false;
}

/* ---- every connection ---- */

void nc_conn_refuse(struct netcopy_server *srv, int fd, const char *peer,
		    const char *reason)
{
	char sink[4096];

	nc_server_log(srv, "%s: refused: %s", peer, reason);
	nc_refuse(fd, NETCOPY_EREFUSED, reason);
	shutdown(fd, SHUT_WR);
	for (int i = 0; i < 4; i++)
		if (recv(fd, sink, sizeof(sink), MSG_DONTWAIT) <= 0)
			break;
	close(fd);
}

void nc_conn_peer(const struct conn *c, char *buf, size_t cap)
{
	nc_addr_name((const struct sockaddr *)&c->sa, c->sa_len, buf, cap);
}

void nc_conn_link(struct conn *c)
{
	struct netcopy_server *srv = c->srv;

	pthread_mutex_lock(&srv->lock);
	c->next = srv->conns.next;
	c->prev = &srv->conns;
	c->next->prev = c;
	srv->conns.next = c;
	srv->nconns++;
	pthread_mutex_unlock(&srv->lock);
}

static void conn_unlink(struct conn *c)
{
	struct netcopy_server *srv = c->srv;

	pthread_mutex_lock(&srv->lock);
	c->prev->next = c->next;
	c->next->prev = c->prev;
	srv->nconns--;
	pthread_cond_broadcast(&srv->idle);
	pthread_mutex_unlock(&srv->lock);
}

void nc_conn_close(struct conn *c)
{
	conn_unlink(c);
	if (c->fd >= 0)
		close(c->fd);
	free(c->body);
	free(c);
}

static void *control_main(void *arg)
{
	struct conn *c = arg;
	char peer[80];

	nc_conn_peer(c, peer, sizeof(peer));
	nc_serve_control(c->srv, c, c->body, c->h.length, peer);
	nc_conn_close(c);
	return NULL;
}

static void *data_main(void *arg)
{
	struct conn *c = arg;

	if (serve_data(c->srv, c->run, c->index, c->fd))
		c->fd = -1;	/* its run's now */
	nc_conn_close(c);
	return NULL;
}

/* A thread for c, running fn: 0, or the error. */
static int conn_thread(struct conn *c, void *(*fn)(void *))
{
	pthread_attr_t attr;
	pthread_t tid;
	int err;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&tid, &attr, fn, c);
	pthread_attr_destroy(&attr);
	return -err;
}

/* A thread that could not be started is a refusal that says why, not a
 * reset. */
static void refuse_threadless(struct conn *c, int err)
{
	char reason[NC_REASON_MAX], peer[80];

	nc_conn_peer(c, peer, sizeof(peer));
	snprintf(reason, sizeof(reason), "cannot start a thread: %s",
		 strerror(-err));
	nc_conn_refuse(c->srv, c->fd, peer, reason);
	c->fd = -1;
	nc_conn_close(c);
}

/* A data tag: claimed, then parked (a TCP member) or given a thread;
 * or refused, logged, and closed. */
static void first_data(struct conn *c)
{
	struct netcopy_server *srv = c->srv;
	int code = NETCOPY_EPROTOCOL, err;
	char refusal[NC_REASON_MAX], peer[80];
	const char *why = "";
	struct nc_tag tag;
	struct run *run;

	if (nc_tag_decode(c->body, c->h.length, &tag, &why) ||
	    !(run = claim(srv, c, &tag, &code, &why, refusal))) {
		nc_conn_peer(c, peer, sizeof(peer));
		nc_server_log(srv, "%s: %s data connection: %s", peer,
			      code == NETCOPY_EPROTOCOL ? "bad" : "refused",
			      why);
		nc_refuse(c->fd, code, why);
		nc_conn_close(c);
		return;
	}
	if (attaches_in_loop(run, tag.index)) {
		if (serve_data(srv, run, tag.index, c->fd))
			c->fd = -1;	/* its run's now */
		nc_conn_close(c);
		return;
	}
	c->run = run;
	c->index = tag.index;
	err = conn_thread(c, data_main);
	if (!err)
		return;
	data_end(srv, run, tag.index, err);	/* its place let go first */
	refuse_threadless(c, err);
}

void nc_conn_first(struct conn *c)
{
	struct netcopy_server *srv = c->srv;
	char peer[80];
	int err;

	if (c->h.type == NC_MSG_HELLO) {
		err = conn_thread(c, control_main);
		if (err)
			refuse_threadless(c, err);
		return;
	}
	if (c->h.type == NC_MSG_DATA_TAG) {
		first_data(c);
		return;
	}
	nc_conn_peer(c, peer, sizeof(peer));
	nc_server_log(srv, "%s: dropped: unexpected first message", peer);
	nc_refuse(c->fd, NETCOPY_EPROTOCOL, "unexpected first message");
	nc_conn_close(c);
}
