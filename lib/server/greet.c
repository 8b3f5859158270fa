/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * greet.c - the server's loop: it accepts, and reads each connection's
 * first message (a hello or a data tag) as it comes, in parts where it
 * comes so, without waiting on any one: until that message is in, a
 * connection costs an entry in an epoll set, not a thread, and a peer
 * that is silent or slow holds up no other.  --hello-timeout counts
 * from the accept; as it is one for all, the connections wait in
 * accept order and the oldest is the first due.  serve.c takes each
 * connection whose message is in.  On stop the loop refuses those
 * still to speak, and drains the others.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"
#include "server/server.h"
#include "base/base.h"
#include "wire/wire.h"

#define GREET_EVENTS 64		/* events taken per wait */
#define ACCEPT_BATCH 64		/* accepts before the others' turn */

struct greeter {
	struct netcopy_server *srv;
	int ep;
	struct conn *oldest, *newest;	/* those waited for */
	uint64_t hello_ns;
	char listen_mark, stop_mark;	/* the epoll data of those fds */
};

static int ep_add(int ep, int fd, void *ptr)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = ptr };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* Wait for (more of) c's first message: c in the set, the newest. */
static int greet_wait(struct greeter *g, struct conn *c)
{
	int err = ep_add(g->ep, c->fd, c);

	if (err)
		return err;
	c->greeted = true;
	c->older = g->newest;
	c->newer = NULL;
	if (g->newest)
		g->newest->newer = c;
	else
		g->oldest = c;
	g->newest = c;
	return 0;
}

/* c's first message is in, or c is let go: out of the set. */
static void greet_forget(struct greeter *g, struct conn *c)
{
	if (!c->greeted)
		return;
	epoll_ctl(g->ep, EPOLL_CTL_DEL, c->fd, NULL);
	if (c->older)
		c->older->newer = c->newer;
	else
		g->oldest = c->newer;
	if (c->newer)
		c->newer->older = c->older;
	else
		g->newest = c->older;
	c->greeted = false;
}

/* Read what has come of c's first message, without waiting: 1 once it
 * is all in (c->h, c->body), 0 while more is to come, or an error as
 * nc_msg_recv()'s (NETCOPY_EPROTOCOL with *why). */
static int greet_read(struct conn *c, const char **why)
{
	for (;;) {
		bool head = c->got < NC_HEADER_LEN;
		size_t need = NC_HEADER_LEN + (head ? 0 : c->h.length);
		uint8_t *at = head ? c->head + c->got :
				     c->body + (c->got - NC_HEADER_LEN);
		ssize_t n;
		int err;

		if (c->got == need)
			return 1;
		n = recv(c->fd, at, need - c->got, MSG_DONTWAIT);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 :
									 -errno;
		c->got += (uint32_t)n;
		if (!head || c->got < NC_HEADER_LEN)
			continue;
		err = nc_header_decode(c->head, &c->h, why);
		if (err)
			return err;
		c->body = malloc(c->h.length ? c->h.length : 1);
		if (!c->body)
			return -ENOMEM;
	}
}

/* A connection whose first message did not come: said why, closed. */
static void greet_drop(struct netcopy_server *srv, struct conn *c, int err,
		       const char *why)
{
	char peer[80];

	nc_conn_peer(c, peer, sizeof(peer));
	nc_server_log(srv, "%s: dropped: %s", peer,
		      err == NETCOPY_EPROTOCOL ? why :
		      err == -ECONNRESET ? "closed before its hello" :
		      netcopy_strerror(err));
	if (err == NETCOPY_EPROTOCOL)
		nc_refuse(c->fd, NETCOPY_EPROTOCOL, why);
	nc_conn_close(c);
}

/* Read what came for c: its first message, once in, goes to serve.c;
 * until then c waits, unless its time is up (late) or it failed. */
static void greet_step(struct greeter *g, struct conn *c, bool late)
{
	const char *why = "";
	int r = greet_read(c, &why);

	if (r == 0 && late)
		r = -ETIMEDOUT;
	if (r == 0 && (c->greeted || !(r = greet_wait(g, c))))
		return;
	greet_forget(g, c);
	if (r == 1)
		nc_conn_first(c);
	else
		greet_drop(g->srv, c, r, why);
}

/* Let go of the connections whose hello timeout is over, each after a
 * last read: what came in time counts, however late the loop is to see
 * it.  The milliseconds until the next is due, or -1 for none. */
static int greet_expire(struct greeter *g)
{
	uint64_t now = nc_now_ns();

	while (g->oldest) {
		uint64_t due = g->oldest->accepted_ns + g->hello_ns;

		if (now < due)
			return (int)((due - now + 999999) / 1000000);
		greet_step(g, g->oldest, true);
	}
	return -1;
}

/* A new connection: greeted, or refused saying which limit. */
static void take(struct greeter *g, int fd, const struct sockaddr_storage *ss,
		 socklen_t sl, uint64_t accepted_ns)
{
	struct netcopy_server *srv = g->srv;
	char reason[NC_REASON_MAX], peer[80];
	struct conn *c = calloc(1, sizeof(*c));

	if (!c) {
		close(fd);
		nc_server_log(srv, "cannot take a connection: out of memory");
		return;
	}
	c->fd = fd;
	c->srv = srv;
	c->sa = *ss;
	c->sa_len = sl;
	c->accepted_ns = accepted_ns;
	nc_host_addr((const struct sockaddr *)ss, &c->addr);
	nc_host_key((const struct sockaddr *)ss, &c->host);
	if (nc_conn_over_limits(srv, &c->host, reason, sizeof(reason))) {
		nc_conn_peer(c, peer, sizeof(peer));
		nc_conn_refuse(srv, fd, peer, reason);
		free(c);
		return;
	}
	nc_conn_link(c);
	greet_step(g, c, false);	/* what came with the connect */
}

/* The connections waiting to be accepted, ACCEPT_BATCH at most. */
static void accept_some(struct greeter *g)
{
	struct netcopy_server *srv = g->srv;

	for (int i = 0; i < ACCEPT_BATCH; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(srv->listen_fd, (struct sockaddr *)&ss, &sl,
				 SOCK_CLOEXEC);
		uint64_t now = nc_now_ns();

		if (fd < 0 && errno == ECONNABORTED)
			continue;	/* gone before its accept */
		if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
			/* Not a reason to stop serving others. */
			nc_server_log(srv, "cannot accept: %s",
				      strerror(errno));
			usleep(10000);
		}
		if (fd < 0)
			return;
		if (!nc_server_outside_allow(srv, fd))
			take(g, fd, &ss, sl, now);
	}
}

/* The earlier of two waits in ms, -1 being none. */
static int sooner(int a, int b)
{
	return a < 0 ? b : b < 0 || a < b ? a : b;
}

/* Accept and greet until a stop (0) or an error of the loop's own. */
static int greet_loop(struct greeter *g)
{
	struct epoll_event evs[GREET_EVENTS];

	for (;;) {
		int ms = sooner(greet_expire(g),
				nc_log_limit_flush(g->srv, false));
		int n = epoll_wait(g->ep, evs, GREET_EVENTS, ms);

		if (n < 0 && errno != EINTR)
			return -errno;
		for (int i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (p == &g->stop_mark)
				return 0;
			if (p == &g->listen_mark)
				accept_some(g);
			else
				greet_step(g, p, false);
		}
	}
}

/* Those still to say what they are when the server stops are refused:
 * no run would start for them now. */
static void greet_stop(struct greeter *g)
{
	char peer[80];

	while (g->oldest) {
		struct conn *c = g->oldest;

		greet_forget(g, c);
		nc_conn_peer(c, peer, sizeof(peer));
		nc_conn_refuse(g->srv, c->fd, peer, "the server is stopping");
		c->fd = -1;
		nc_conn_close(c);
	}
}

static int greet_open(struct greeter *g)
{
	struct netcopy_server *srv = g->srv;
	int fl = fcntl(srv->listen_fd, F_GETFL);

	g->ep = epoll_create1(EPOLL_CLOEXEC);
	if (g->ep < 0 || fl < 0 ||
	    fcntl(srv->listen_fd, F_SETFL, fl | O_NONBLOCK))
		return -errno;
	g->hello_ns = nc_seconds_ns(srv->hello_timeout);
	if (ep_add(g->ep, srv->listen_fd, &g->listen_mark) ||
	    ep_add(g->ep, srv->stop_pipe[0], &g->stop_mark))
		return -errno;
	return 0;
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
	struct greeter g = { .srv = srv, .ep = -1 };
	int err;

	if (srv->listen_fd < 0)
		return -EBADF;
	nc_fit_descriptors(srv);
	err = greet_open(&g);
	if (!err)
		err = greet_loop(&g);
	greet_stop(&g);
	if (g.ep >= 0)
		close(g.ep);
	close(srv->listen_fd);
	srv->listen_fd = -1;
	drain(srv);
	nc_log_limit_flush(srv, true);
	return err;
}
