/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * serve.c - every connection the server accepts gets a thread; its
 * first message says whether it is a run's control connection
 * (control.c) or one of its data connections (here).  Then the server's
 * loop, and how it drains on stop.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
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

/* A data connection: true when its run keeps it (a --flows member,
 * which its group's thread drives), false when it is done with. */
static bool serve_data(struct netcopy_server *srv, const struct conn *c,
		       const uint8_t *body, size_t len, const char *peer)
{
	int fd = c->fd, udp_fd = -1;
	int err = 0, code = NETCOPY_EPROTOCOL;
	char refusal[NC_REASON_MAX];
	const char *why = "";
	struct nc_tag tag;
	struct nc_flow *flow;
	struct run *run;
	uint64_t one = 1;

	if (nc_tag_decode(body, len, &tag, &why) ||
	    !(run = claim(srv, c, &tag, &code, &why, refusal))) {
		nc_server_log(srv, "%s: %s data connection: %s", peer,
			      code == NETCOPY_EPROTOCOL ? "bad" : "refused",
			      why);
		nc_refuse(fd, code, why);
		return false;
	}
	if (run->params.proto == NC_PROTO_UDP)
		err = attach_udp(srv, fd, run, &udp_fd);
	else	/* a failed send shows in the data path */
		nc_accept_run(fd, run, 0, 0);
	flow = &run->flows[tag.index];
	nc_flow_init(flow, udp_fd >= 0 ? udp_fd : fd, &run->params, tag.index,
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
	} else if (tag.index < run->params.threads) {
		err = nc_serve_group(srv, run, tag.index);
	} else if (nc_member_park(srv, run, tag.index)) {
		return true;
	}
	pthread_mutex_lock(&srv->lock);
	run->errs[tag.index] = err;
	run->fds[tag.index] = -1;	/* the control thread lets go of it */
	pthread_mutex_unlock(&srv->lock);
	if (udp_fd >= 0)
		close(udp_fd);
	if (write(run->done_fd, &one, sizeof(one)) != sizeof(one))
		nc_server_log(srv, "%s: cannot signal the end of a data connection",
		      peer);
	nc_run_put(srv, run);
	return false;
}

/* ---- every connection ---- */

/* Refuse a connection before its thread: the reason (it fits the
 * socket buffer), the stream's end, and what the peer already sent
 * read, so that the close is not a reset that could beat the reason. */
static void refuse_conn(struct netcopy_server *srv, int fd, const char *peer,
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

static void conn_close(struct conn *c)
{
	conn_unlink(c);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

/* What is left of the hello timeout: it counts from the accept, not
 * from when the connection's thread first ran, which a loaded machine
 * can delay by seconds. */
static int hello_left_ms(const struct conn *c)
{
	uint64_t limit = nc_seconds_ns(c->srv->hello_timeout);
	uint64_t spent = nc_now_ns() - c->accepted_ns;

	return spent >= limit ? 0 : (int)((limit - spent) / 1000000);
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	struct netcopy_server *srv = c->srv;
	uint8_t body[NC_MAX_BODY];
	struct nc_header h;
	const char *why = "";
	char peer[80];
	int err;

	nc_peer_name(c->fd, peer, sizeof(peer));
	err = nc_msg_recv(c->fd, &h, body, hello_left_ms(c), &why);
	if (err) {
		nc_server_log(srv, "%s: dropped: %s", peer, err == NETCOPY_EPROTOCOL ?
		      why : err == -ECONNRESET ? "closed before its hello" :
		      netcopy_strerror(err));
		if (err == NETCOPY_EPROTOCOL)
			nc_refuse(c->fd, NETCOPY_EPROTOCOL, why);
	} else if (h.type == NC_MSG_HELLO) {
		nc_serve_control(srv, c, body, h.length, peer);
	} else if (h.type == NC_MSG_DATA_TAG) {
		if (serve_data(srv, c, body, h.length, peer))
			c->fd = -1;	/* its run's now */
	} else {
		nc_server_log(srv, "%s: dropped: unexpected first message", peer);
		nc_refuse(c->fd, NETCOPY_EPROTOCOL, "unexpected first message");
	}
	conn_close(c);
	return NULL;
}

/* A thread for the connection; one that cannot be started is a
 * refusal that says why, not a reset. */
static void conn_start(struct netcopy_server *srv, struct conn *c)
{
	char reason[NC_REASON_MAX], peer[80];
	pthread_attr_t attr;
	pthread_t tid;
	int err;

	pthread_mutex_lock(&srv->lock);
	c->next = srv->conns.next;
	c->prev = &srv->conns;
	c->next->prev = c;
	srv->conns.next = c;
	srv->nconns++;
	pthread_mutex_unlock(&srv->lock);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&tid, &attr, conn_main, c);
	pthread_attr_destroy(&attr);
	if (!err)
		return;
	conn_unlink(c);
	nc_peer_name(c->fd, peer, sizeof(peer));
	snprintf(reason, sizeof(reason), "cannot start a thread: %s",
		 strerror(err));
	refuse_conn(srv, c->fd, peer, reason);
	free(c);
}

/* A new connection: a thread for it, or a refusal saying which limit. */
static void take(struct netcopy_server *srv, int fd,
		 const struct sockaddr *sa, uint64_t accepted_ns)
{
	char reason[NC_REASON_MAX], peer[80];
	struct conn *c = calloc(1, sizeof(*c));

	if (!c) {
		close(fd);
		nc_server_log(srv, "cannot take a connection: out of memory");
		return;
	}
	c->fd = fd;
	c->srv = srv;
	c->accepted_ns = accepted_ns;
	nc_host_addr(sa, &c->addr);
	nc_host_key(sa, &c->host);
	if (!nc_conn_over_limits(srv, &c->host, reason, sizeof(reason))) {
		conn_start(srv, c);
		return;
	}
	nc_peer_name(fd, peer, sizeof(peer));
	refuse_conn(srv, fd, peer, reason);
	free(c);
}

/* After a stop: give connections a grace period, then cut them. */
static void drain(struct netcopy_server *srv)
{
	uint64_t cut = nc_now_ns() + DRAIN_GRACE_MS * 1000000ULL;
	struct timespec ts;

	pthread_mutex_lock(&srv->lock);
	while (srv->nconns) {
		if (cut && nc_now_ns() >= cut) {
			for (struct conn *c = srv->conns.next;
			     c != &srv->conns; c = c->next)
				shutdown(c->fd, SHUT_RDWR);
			for (struct run *r = srv->runs; r; r = r->next)
				nc_run_abort_locked(r);
			cut = 0;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&srv->idle, &srv->lock, &ts);
	}
	pthread_mutex_unlock(&srv->lock);
}

NETCOPY_EXPORT int netcopy_server_run(struct netcopy_server *srv)
{
	struct pollfd pfd[2] = {
		{ .fd = srv->listen_fd, .events = POLLIN },
		{ .fd = srv->stop_pipe[0], .events = POLLIN },
	};
	int err = 0;

	if (srv->listen_fd < 0)
		return -EBADF;
	nc_fit_descriptors(srv);
	while (!nc_server_stopping(srv)) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		uint64_t now;
		int fd;

		if (poll(pfd, 2, nc_log_limit_flush(srv, false)) < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		fd = accept4(srv->listen_fd, (struct sockaddr *)&ss, &sl,
			     SOCK_CLOEXEC);
		now = nc_now_ns();
		if (fd < 0) {
			/* Out of descriptors or a connection gone before
			 * accept: not a reason to stop serving others. */
			if (errno == EMFILE || errno == ENFILE) {
				nc_server_log(srv, "cannot accept: %s",
					      strerror(errno));
				usleep(10000);
			}
			continue;
		}
		if (nc_server_outside_allow(srv, fd))
			continue;
		take(srv, fd, (struct sockaddr *)&ss, now);
	}
	close(srv->listen_fd);
	srv->listen_fd = -1;
	drain(srv);
	nc_log_limit_flush(srv, true);
	return err;
}
