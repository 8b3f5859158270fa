/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * server.c - serves every mode to any number of runs at once.
 *
 * A thread per connection.  The first message says what a connection is:
 * a hello opens a run (the control connection), a data tag attaches a
 * data connection to its run.  The control thread starts the run once all
 * data connections are in, ends it after the duration (when the server
 * sends), and answers with the server's figures.  Everything a run holds
 * is counted against --max-memory before it is accepted.
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
#include "base/base.h"
#include "flow/flow.h"
#include "params/params.h"
#include "recv/recv.h"
#include "send/send.h"
#include "wire/wire.h"

#define DATA_IO_TIMEOUT_S 30
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

static void logf_(struct netcopy_server *srv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void logf_(struct netcopy_server *srv, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!srv->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	srv->log(srv->log_data, line);
}

/* ---- configuration ---- */

NETCOPY_EXPORT int netcopy_server_new(struct netcopy_server **out)
{
	struct netcopy_server *srv = calloc(1, sizeof(*srv));

	if (!srv)
		return -ENOMEM;
	srv->port = 8080;
	srv->max_size = NETCOPY_MAX_MESSAGE_SIZE;
	srv->max_memory = 1ULL << 30;
	srv->hello_timeout = 5;
	srv->max_conns = NETCOPY_DEFAULT_MAX_CONNS;
	srv->listen_fd = -1;
	if (pipe2(srv->stop_pipe, O_CLOEXEC | O_NONBLOCK)) {
		int err = -errno;

		free(srv);
		return err;
	}
	pthread_mutex_init(&srv->lock, NULL);
	pthread_cond_init(&srv->idle, NULL);
	srv->conns.next = srv->conns.prev = &srv->conns;
	*out = srv;
	return 0;
}

NETCOPY_EXPORT void netcopy_server_free(struct netcopy_server *srv)
{
	if (!srv)
		return;
	if (srv->listen_fd >= 0)
		close(srv->listen_fd);
	close(srv->stop_pipe[0]);
	close(srv->stop_pipe[1]);
	pthread_mutex_destroy(&srv->lock);
	pthread_cond_destroy(&srv->idle);
	free(srv->bind);
	free(srv);
}

NETCOPY_EXPORT int netcopy_server_set_bind(struct netcopy_server *srv,
					   const char *addr)
{
	char *copy = NULL;

	if (addr && !(copy = strdup(addr)))
		return -ENOMEM;
	free(srv->bind);
	srv->bind = copy;
	return 0;
}

NETCOPY_EXPORT int netcopy_server_set_port(struct netcopy_server *srv,
					   unsigned int port)
{
	if (port > 65535)
		return -EINVAL;
	srv->port = port;
	return 0;
}

NETCOPY_EXPORT int netcopy_server_set_max_size(struct netcopy_server *srv,
					       uint64_t size)
{
	if (size < 1 || size > NETCOPY_MAX_MESSAGE_SIZE)
		return -EINVAL;
	srv->max_size = size;
	return 0;
}

NETCOPY_EXPORT int netcopy_server_set_max_memory(struct netcopy_server *srv,
						 uint64_t bytes)
{
	if (bytes < 1)
		return -EINVAL;
	srv->max_memory = bytes;
	return 0;
}

NETCOPY_EXPORT int
netcopy_server_set_hello_timeout(struct netcopy_server *srv, double seconds)
{
	if (!(seconds > 0) || seconds > 3600)
		return -EINVAL;
	srv->hello_timeout = seconds;
	return 0;
}

NETCOPY_EXPORT int netcopy_server_set_max_conns(struct netcopy_server *srv,
						unsigned int max)
{
	srv->max_conns = max;
	return 0;
}

NETCOPY_EXPORT int netcopy_server_set_once(struct netcopy_server *srv,
					   bool once)
{
	srv->once = once;
	return 0;
}

NETCOPY_EXPORT int netcopy_server_set_log(struct netcopy_server *srv,
					  netcopy_log_fn fn, void *data)
{
	srv->log = fn;
	srv->log_data = data;
	return 0;
}

NETCOPY_EXPORT unsigned int
netcopy_server_port(const struct netcopy_server *srv)
{
	return srv->bound_port;
}

NETCOPY_EXPORT const char *
netcopy_server_address(const struct netcopy_server *srv)
{
	return srv->address;
}

NETCOPY_EXPORT void netcopy_server_stop(struct netcopy_server *srv)
{
	ssize_t n = write(srv->stop_pipe[1], "x", 1);

	(void)n;	/* full pipe: a stop is already pending */
}

static bool stopping(struct netcopy_server *srv)
{
	struct pollfd pfd = { .fd = srv->stop_pipe[0], .events = POLLIN };

	return poll(&pfd, 1, 0) > 0;
}

/* ---- listening ---- */

static int listen_addr(struct netcopy_server *srv, const struct sockaddr *sa,
		       socklen_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int one = 1, zero = 0, err;
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sa->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, sa, len) || listen(fd, 1024) ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl)) {
		err = -errno;
		close(fd);
		return err;
	}
	getnameinfo((struct sockaddr *)&ss, sl, srv->address,
		    sizeof(srv->address), NULL, 0, NI_NUMERICHOST);
	srv->bound_port = ntohs(ss.ss_family == AF_INET6 ?
				((struct sockaddr_in6 *)&ss)->sin6_port :
				((struct sockaddr_in *)&ss)->sin_port);
	srv->listen_fd = fd;
	return 0;
}

/* Every address: dual-stack "::", or "0.0.0.0" where there is no IPv6. */
static int listen_any(struct netcopy_server *srv)
{
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6,
				    .sin6_addr = IN6ADDR_ANY_INIT,
				    .sin6_port = htons((uint16_t)srv->port) };
	struct sockaddr_in in4 = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_ANY),
				   .sin_port = htons((uint16_t)srv->port) };
	int err = listen_addr(srv, (struct sockaddr *)&in6, sizeof(in6));

	if (err == -EAFNOSUPPORT || err == -EADDRNOTAVAIL)
		err = listen_addr(srv, (struct sockaddr *)&in4, sizeof(in4));
	return err;
}

NETCOPY_EXPORT int netcopy_server_listen(struct netcopy_server *srv)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *list, *ai;
	char service[8];
	int err = -EADDRNOTAVAIL;

	if (srv->listen_fd >= 0)
		return -EALREADY;
	if (!srv->bind)
		return listen_any(srv);
	snprintf(service, sizeof(service), "%u", srv->port);
	if (getaddrinfo(srv->bind, service, &hints, &list))
		return -EADDRNOTAVAIL;
	for (ai = list; ai; ai = ai->ai_next) {
		err = listen_addr(srv, ai->ai_addr, ai->ai_addrlen);
		if (!err)
			break;
	}
	freeaddrinfo(list);
	return err;
}

/* ---- runs ---- */

static void run_put(struct netcopy_server *srv, struct run *run)
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
	free(run->flows);
	free(run);
}

static struct run *run_new(const struct nc_params *hello,
			   const struct netcopy_mode *mode)
{
	struct run *run = calloc(1, sizeof(*run));

	if (!run)
		return NULL;
	run->params = *hello;
	run->mode = mode;
	atomic_init(&run->measuring, hello->warmup <= 0);
	run->memory = hello->threads *
		      (mode->memory(hello->size, hello->qd) *
		       (hello->workload == NC_WORKLOAD_RR ? 2 : 1) +
		       nc_rx_memory(hello->rx, hello->size));
	run->refs = 1;
	run->fds = malloc(hello->threads * sizeof(*run->fds));
	run->errs = calloc(hello->threads, sizeof(*run->errs));
	run->flows = calloc(hello->threads, sizeof(*run->flows));
	run->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_cond_init(&run->cond, NULL);
	if (!run->fds || !run->errs || !run->flows || run->done_fd < 0 ||
	    getrandom(run->id, sizeof(run->id), 0) != sizeof(run->id)) {
		free(run->fds);
		free(run->errs);
		free(run->flows);
		if (run->done_fd >= 0)
			close(run->done_fd);
		pthread_cond_destroy(&run->cond);
		free(run);
		return NULL;
	}
	for (uint32_t i = 0; i < hello->threads; i++)
		run->fds[i] = -1;
	return run;
}

/* Shut down the run's data connections so blocked engines return. */
static void run_abort_locked(struct run *run)
{
	run->aborted = true;
	atomic_store(&run->stop, true);
	for (uint32_t i = 0; i < run->params.threads; i++)
		if (run->fds[i] >= 0)
			shutdown(run->fds[i], SHUT_RDWR);
	pthread_cond_broadcast(&run->cond);
}

static void run_unlink(struct netcopy_server *srv, struct run *run)
{
	struct run **p;

	pthread_mutex_lock(&srv->lock);
	for (p = &srv->runs; *p; p = &(*p)->next) {
		if (*p == run) {
			*p = run->next;
			break;
		}
	}
	srv->committed -= run->memory;
	pthread_mutex_unlock(&srv->lock);
}

/* ---- the control connection ---- */

static void refuse(int fd, int code, const char *reason)
{
	struct nc_reply rep = { .accepted = false, .code = code };
	uint8_t body[NC_MAX_BODY];
	int len;

	snprintf(rep.reason, sizeof(rep.reason), "%s", reason);
	len = nc_reply_encode(&rep, body, sizeof(body));
	if (len > 0)
		nc_msg_send(fd, NC_MSG_REFUSE, body, (size_t)len);
}

/* Check a decoded hello against this server: 0, or a refusal sent. */
static int admit(struct netcopy_server *srv, int fd, const struct nc_params *h,
		 const struct netcopy_mode **mode)
{
	char reason[NC_REASON_MAX];
	const char *why;

	*mode = netcopy_mode_find(h->mode);
	if (!*mode) {
		snprintf(reason, sizeof(reason), "unknown mode '%s'", h->mode);
		refuse(fd, NETCOPY_EUNSUPPORTED, reason);
		return NETCOPY_EUNSUPPORTED;
	}
	if (h->workload == NC_WORKLOAD_RR && h->reverse) {
		refuse(fd, NETCOPY_EREFUSED, "rr cannot be reversed");
		return NETCOPY_EREFUSED;
	}
	/* The server sends in a stream it serves and answers in rr. */
	if ((!nc_client_sends(h) || h->workload == NC_WORKLOAD_RR) &&
	    netcopy_mode_probe(*mode, &why)) {
		snprintf(reason, sizeof(reason), "%s: %s", h->mode, why);
		refuse(fd, NETCOPY_EUNSUPPORTED, reason);
		return NETCOPY_EUNSUPPORTED;
	}
	/* The server receives when the client sends (-R, and rr). */
	if (nc_client_sends(h) && nc_rx_probe(h->rx, &why)) {
		refuse(fd, NETCOPY_EUNSUPPORTED, why);
		return NETCOPY_EUNSUPPORTED;
	}
	if (h->fixed_buffers && !(*mode)->fixed_buffers) {
		snprintf(reason, sizeof(reason), "%s cannot send from "
			 "registered buffers (--fixed-buffers)", h->mode);
		refuse(fd, NETCOPY_EREFUSED, reason);
		return NETCOPY_EREFUSED;
	}
	if (h->size > srv->max_size) {
		snprintf(reason, sizeof(reason), "message size %llu is above "
			 "this server's limit of %llu bytes (--max-size)",
			 (unsigned long long)h->size,
			 (unsigned long long)srv->max_size);
		refuse(fd, NETCOPY_EREFUSED, reason);
		return NETCOPY_EREFUSED;
	}
	return 0;
}

/* Register the run if its buffers fit under --max-memory. */
static int commit_run(struct netcopy_server *srv, int fd, struct run *run)
{
	char reason[NC_REASON_MAX];
	uint64_t used;

	pthread_mutex_lock(&srv->lock);
	used = srv->committed;
	if (run->memory <= srv->max_memory &&
	    used <= srv->max_memory - run->memory) {
		srv->committed += run->memory;
		run->next = srv->runs;
		srv->runs = run;
		srv->run_count++;
		pthread_mutex_unlock(&srv->lock);
		return 0;
	}
	pthread_mutex_unlock(&srv->lock);
	snprintf(reason, sizeof(reason), "run needs %llu MiB of buffers, "
		 "server has %llu of %llu MiB in use (--max-memory)",
		 (unsigned long long)(run->memory >> 20),
		 (unsigned long long)(used >> 20),
		 (unsigned long long)(srv->max_memory >> 20));
	refuse(fd, NETCOPY_EREFUSED, reason);
	return NETCOPY_EREFUSED;
}

static int accept_run(int fd, const struct run *run)
{
	struct nc_reply rep = { .accepted = true };
	uint8_t body[NC_MAX_BODY];
	int len;

	memcpy(rep.run_id, run->id, NC_RUN_ID_LEN);
	len = nc_reply_encode(&rep, body, sizeof(body));
	return len < 0 ? len : nc_msg_send(fd, NC_MSG_ACCEPT, body,
					   (size_t)len);
}

static void timespec_add_ms(struct timespec *ts, uint64_t ms)
{
	uint64_t ns = (uint64_t)ts->tv_nsec + ms % 1000 * 1000000;

	ts->tv_sec += (time_t)(ms / 1000 + ns / 1000000000u);
	ts->tv_nsec = (long)(ns % 1000000000u);
}

static bool timespec_before(const struct timespec *a,
			    const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* The client has closed (or spoken on) its control connection. */
static bool client_gone(int ctrl)
{
	struct pollfd pfd = { .fd = ctrl, .events = POLLIN };

	return poll(&pfd, 1, 0) > 0;
}

/* Wait for every data connection, checking every 100 ms that the client
 * is still there; false (run aborted) if they are late or it left. */
static bool wait_attached(struct netcopy_server *srv, struct run *run,
			  int ctrl)
{
	struct timespec until, tick;
	bool all;

	clock_gettime(CLOCK_REALTIME, &until);
	tick = until;
	timespec_add_ms(&until, (uint64_t)(srv->hello_timeout * 1000) +
			run->params.threads * 10ULL);
	timespec_add_ms(&tick, 100);
	pthread_mutex_lock(&srv->lock);
	while (run->attached < run->params.threads && !run->aborted &&
	       !client_gone(ctrl)) {
		if (pthread_cond_timedwait(&run->cond, &srv->lock,
					   &tick) != ETIMEDOUT)
			continue;
		if (!timespec_before(&tick, &until))
			break;
		timespec_add_ms(&tick, 100);
	}
	all = run->attached == run->params.threads && !run->aborted;
	if (all)
		run->started = true;
	else
		run_abort_locked(run);
	pthread_cond_broadcast(&run->cond);
	pthread_mutex_unlock(&srv->lock);
	return all;
}

/* The run's life on the control connection: stop after the duration when
 * the server sends, end early when the client goes or the server stops,
 * until every data connection is done.  Returns the run's status. */
static int supervise(struct netcopy_server *srv, int fd, struct run *run,
		     char *reason, size_t cap)
{
	uint64_t warm_end = nc_now_ns() + nc_seconds_ns(run->params.warmup);
	uint64_t deadline = warm_end + nc_seconds_ns(run->params.duration);
	uint64_t done = 0;
	int status = 0;
	struct pollfd pfd[3] = {
		{ .fd = run->done_fd, .events = POLLIN },
		{ .fd = fd, .events = POLLIN },
		{ .fd = srv->stop_pipe[0], .events = POLLIN },
	};

	while (done < run->attached) {
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
				run_abort_locked(run);
			else
				atomic_store(&run->stop, true);
			pthread_mutex_unlock(&srv->lock);
			snprintf(reason, cap, "%s", pfd[1].revents ?
				 "the client closed its control connection" :
				 "the server was stopped");
			status = NETCOPY_ESHORT;
			pfd[1].fd = pfd[2].fd = -1;	/* seen: stop polling */
		}
	}
	return status;
}

/* Send the server's figures; returns the run's final status, which the
 * data connections' own errors decide when supervision saw none. */
static int send_trailer(int fd, struct run *run, int status, char *reason,
			size_t cap)
{
	struct nc_figures f;
	uint8_t body[NC_MAX_BODY];
	int len;

	nc_figures_from_flows(&f, run->flows, run->params.threads);
	for (uint32_t i = 0; i < run->params.threads && !status; i++) {
		if (run->errs[i]) {
			status = run->errs[i];
			snprintf(reason, cap, "server data connection %u: %s",
				 i, netcopy_strerror(status));
		}
	}
	f.status = status;
	snprintf(f.reason, sizeof(f.reason), "%s", reason);
	len = nc_figures_encode(&f, body, sizeof(body));
	if (len > 0)
		nc_msg_send(fd, NC_MSG_TRAILER, body, (size_t)len);
	return status;
}

/* The hello's options that are not their defaults, for the log. */
static void describe_options(const struct nc_params *p, char *buf, size_t cap)
{
	size_t at = 0;

	buf[0] = '\0';
#define APPEND(...) (at += (size_t)snprintf(buf + at, at < cap ? cap - at : 0, \
					    __VA_ARGS__))
	for (size_t i = 0; i < nc_param_count; i++) {
		const struct nc_param *param = &nc_param_table[i];
		double v = nc_param_value(param, p);

		if (!(param->flags & NC_PF_OPTIONAL) ||
		    v == nc_param_value(param, &nc_params_defaults))
			continue;
		APPEND(", %s", param->log);
		if (param->field == NC_H_RX)	/* rx.c names its values */
			APPEND(" %s", nc_rx_name((uint8_t)v));
		else if (param->kind != NC_PK_BOOL)
			APPEND(" %.15g", v);
	}
#undef APPEND
}

static void serve_control(struct netcopy_server *srv, int fd,
			  const uint8_t *body, size_t len, const char *peer)
{
	char reason[NC_REASON_MAX] = "", options[160];
	const struct netcopy_mode *mode;
	struct nc_params hello;
	const char *why;
	struct run *run;
	int status;

	if (nc_hello_decode(body, len, &hello, &why)) {
		logf_(srv, "%s: bad hello: %s", peer, why);
		refuse(fd, NETCOPY_EPROTOCOL, why);
		return;
	}
	if (admit(srv, fd, &hello, &mode))
		return;
	run = run_new(&hello, mode);
	if (!run) {
		refuse(fd, NETCOPY_EREFUSED, "server out of memory");
		return;
	}
	snprintf(run->peer, sizeof(run->peer), "%s", peer);
	if (commit_run(srv, fd, run)) {
		logf_(srv, "%s: refused: over --max-memory", peer);
		run_put(srv, run);
		return;
	}
	describe_options(&hello, options, sizeof(options));
	logf_(srv, "%s: run: %s, %llu-byte messages, %u thread%s, %.3g s, "
	      "%s%s", peer, mode->name, (unsigned long long)hello.size,
	      hello.threads, hello.threads == 1 ? "" : "s",
	      hello.duration,
	      hello.workload == NC_WORKLOAD_RR ? "request-response" :
	      hello.reverse ? "client sends" : "server sends", options);
	if (accept_run(fd, run) || !wait_attached(srv, run, fd)) {
		snprintf(reason, sizeof(reason), "only %u of %u data "
			 "connections arrived", run->attached,
			 hello.threads);
		status = NETCOPY_ESHORT;
		supervise(srv, fd, run, reason, 0);
	} else {
		status = supervise(srv, fd, run, reason, sizeof(reason));
	}
	status = send_trailer(fd, run, status, reason, sizeof(reason));
	logf_(srv, "%s: run ended: %s%s%s", peer,
	      status ? netcopy_strerror(status) : "ok",
	      reason[0] ? ": " : "", reason);
	run_unlink(srv, run);
	run_put(srv, run);
	if (srv->once)
		netcopy_server_stop(srv);
}

/* ---- data connections ---- */

static struct run *find_run_locked(struct netcopy_server *srv,
				   const uint8_t *id)
{
	for (struct run *run = srv->runs; run; run = run->next)
		if (memcmp(run->id, id, NC_RUN_ID_LEN) == 0)
			return run;
	return NULL;
}

/* Claim the data connection's place in its run; NULL if it has none. */
static struct run *claim(struct netcopy_server *srv, int fd,
			 const struct nc_tag *tag, const char **why)
{
	struct run *run;

	pthread_mutex_lock(&srv->lock);
	run = find_run_locked(srv, tag->run_id);
	if (!run)
		*why = "no such run";
	else if (tag->index >= run->params.threads ||
		 run->fds[tag->index] >= 0 || run->started || run->aborted)
		*why = "data connection not expected";
	if (!run || **why) {
		pthread_mutex_unlock(&srv->lock);
		return NULL;
	}
	run->fds[tag->index] = fd;
	run->refs++;
	pthread_mutex_unlock(&srv->lock);
	return run;
}

/* Count the connection in (its buffers ready) and wait for the start;
 * false if the run was called off. */
static bool ready(struct netcopy_server *srv, struct run *run)
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

static void serve_data(struct netcopy_server *srv, int fd,
		       const uint8_t *body, size_t len, const char *peer)
{
	const char *why = "";
	struct nc_tag tag;
	struct nc_flow *flow;
	struct run *run;
	uint64_t one = 1;
	int err;

	if (nc_tag_decode(body, len, &tag, &why) ||
	    !(run = claim(srv, fd, &tag, &why))) {
		logf_(srv, "%s: bad data connection: %s", peer, why);
		refuse(fd, NETCOPY_EPROTOCOL, why);
		return;
	}
	accept_run(fd, run);	/* a failed send shows in the data path */
	flow = &run->flows[tag.index];
	nc_flow_init(flow, fd, &run->params, tag.index, false, run->params.cpu,
		     &run->stop, &run->measuring);
	err = nc_set_io_timeout(fd, DATA_IO_TIMEOUT_S);
	if (!err)
		err = nc_flow_prepare(run->mode, flow);
	if (!ready(srv, run) && !err)
		err = NETCOPY_ESHORT;
	if (err)
		nc_flow_release(run->mode, flow);
	else
		err = nc_flow_run(run->mode, flow);
	pthread_mutex_lock(&srv->lock);
	run->errs[tag.index] = err;
	run->fds[tag.index] = -1;	/* the control thread lets go of it */
	pthread_mutex_unlock(&srv->lock);
	if (write(run->done_fd, &one, sizeof(one)) != sizeof(one))
		logf_(srv, "%s: cannot signal the end of a data connection",
		      peer);
	run_put(srv, run);
}

/* ---- every connection ---- */

static void conn_close(struct conn *c)
{
	struct netcopy_server *srv = c->srv;

	pthread_mutex_lock(&srv->lock);
	c->prev->next = c->next;
	c->next->prev = c->prev;
	srv->nconns--;
	pthread_cond_broadcast(&srv->idle);
	pthread_mutex_unlock(&srv->lock);
	close(c->fd);
	free(c);
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
	err = nc_msg_recv(c->fd, &h, body, (int)(srv->hello_timeout * 1000),
			  &why);
	if (err) {
		logf_(srv, "%s: dropped: %s", peer, err == NETCOPY_EPROTOCOL ?
		      why : err == -ECONNRESET ? "closed before its hello" :
		      netcopy_strerror(err));
		if (err == NETCOPY_EPROTOCOL)
			refuse(c->fd, NETCOPY_EPROTOCOL, why);
	} else if (h.type == NC_MSG_HELLO) {
		serve_control(srv, c->fd, body, h.length, peer);
	} else if (h.type == NC_MSG_DATA_TAG) {
		serve_data(srv, c->fd, body, h.length, peer);
	} else {
		logf_(srv, "%s: dropped: unexpected first message", peer);
		refuse(c->fd, NETCOPY_EPROTOCOL, "unexpected first message");
	}
	conn_close(c);
	return NULL;
}

static int conn_start(struct netcopy_server *srv, int fd)
{
	struct conn *c = calloc(1, sizeof(*c));
	pthread_attr_t attr;
	pthread_t tid;
	int err;

	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	c->fd = fd;
	c->srv = srv;
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
	if (err) {
		conn_close(c);
		return -err;
	}
	return 0;
}

/* --max-conns: a connection over the limit is told why, then closed. */
static bool too_many(struct netcopy_server *srv, int fd)
{
	char reason[NC_REASON_MAX], peer[80];
	unsigned int n;

	pthread_mutex_lock(&srv->lock);
	n = srv->nconns;
	pthread_mutex_unlock(&srv->lock);
	if (!srv->max_conns || n < srv->max_conns)
		return false;
	nc_peer_name(fd, peer, sizeof(peer));
	snprintf(reason, sizeof(reason), "server busy: %u connections open "
		 "(--max-conns %u)", n, srv->max_conns);
	logf_(srv, "%s: refused: %s", peer, reason);
	refuse(fd, NETCOPY_EREFUSED, reason);	/* fits the socket buffer */
	close(fd);
	return true;
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
				run_abort_locked(r);
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
	while (!stopping(srv)) {
		int fd;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		fd = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			/* Out of descriptors or a connection gone before
			 * accept: not a reason to stop serving others. */
			if (errno == EMFILE || errno == ENFILE)
				usleep(10000);
			continue;
		}
		if (too_many(srv, fd))
			continue;
		if (conn_start(srv, fd))	/* it closed fd */
			logf_(srv, "cannot start a connection thread");
	}
	close(srv->listen_fd);
	srv->listen_fd = -1;
	drain(srv);
	return err;
}
