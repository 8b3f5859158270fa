/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * listen.c - a server's configuration, its log, and the socket it
 * listens on.
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

void nc_server_log(struct netcopy_server *srv, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!srv->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	nc_log_limited(srv, fmt, line);
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
	srv->max_runs_per_host = NETCOPY_DEFAULT_MAX_RUNS_PER_HOST;
	srv->max_rate_per_host = NETCOPY_DEFAULT_MAX_RATE_PER_HOST;
	srv->idle_timeout = NETCOPY_DEFAULT_IDLE_TIMEOUT;
	srv->listen_fd = -1;
	if (pipe2(srv->stop_pipe, O_CLOEXEC | O_NONBLOCK)) {
		int err = -errno;

		free(srv);
		return err;
	}
	pthread_mutex_init(&srv->lock, NULL);
	pthread_cond_init(&srv->idle, NULL);
	nc_log_limit_init(&srv->log_limit);
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
	nc_log_limit_destroy(&srv->log_limit);
	nc_secret_clear(&srv->secret);
	free(srv->allow);
	free(srv->bind);
	free(srv);
}

NETCOPY_EXPORT int netcopy_server_set_bind(struct netcopy_server *srv,
					   const char *addr)
{
	char *copy = NULL;

	if (addr && !*addr)	/* no address is not every address */
		return -EINVAL;
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

/* The memory budgets: a byte at least. */
static int set_budget(uint64_t *budget, uint64_t bytes)
{
	if (bytes < 1)
		return -EINVAL;
	*budget = bytes;
	return 0;
}

NETCOPY_EXPORT int netcopy_server_set_max_memory(struct netcopy_server *srv,
						 uint64_t bytes)
{
	return set_budget(&srv->max_memory, bytes);
}

NETCOPY_EXPORT int netcopy_server_set_max_pinned(struct netcopy_server *srv,
						 uint64_t bytes)
{
	return set_budget(&srv->max_pinned, bytes);
}

NETCOPY_EXPORT int
netcopy_server_set_max_memory_per_host(struct netcopy_server *srv,
				       uint64_t bytes)
{
	return set_budget(&srv->max_memory_per_host, bytes);
}

NETCOPY_EXPORT int
netcopy_server_set_hello_timeout(struct netcopy_server *srv, double seconds)
{
	if (!(seconds >= NETCOPY_MIN_SECONDS &&
	      seconds <= NETCOPY_MAX_HELLO_TIMEOUT))	/* NaN too */
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

NETCOPY_EXPORT int
netcopy_server_set_max_conns_per_host(struct netcopy_server *srv,
				      unsigned int max)
{
	srv->max_conns_per_host = max;
	srv->conns_per_host_set = true;
	return 0;
}

NETCOPY_EXPORT int
netcopy_server_set_max_runs_per_host(struct netcopy_server *srv,
				     unsigned int max)
{
	srv->max_runs_per_host = max;
	return 0;
}

NETCOPY_EXPORT int
netcopy_server_set_max_rate_per_host(struct netcopy_server *srv,
				     uint64_t bits_per_second)
{
	if (bits_per_second && (bits_per_second < NC_MIN_RATE ||
				bits_per_second > NC_MAX_RATE))
		return -EINVAL;
	srv->max_rate_per_host = bits_per_second;
	return 0;
}

NETCOPY_EXPORT int
netcopy_server_set_idle_timeout(struct netcopy_server *srv, double seconds)
{
	if (!(seconds >= NETCOPY_MIN_SECONDS &&
	      seconds <= NETCOPY_MAX_IDLE_TIMEOUT))	/* NaN too */
		return -EINVAL;
	srv->idle_timeout = seconds;
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

bool nc_server_stopping(struct netcopy_server *srv)
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
	if (nc_server_budgets(srv))
		nc_server_log(srv, "RLIMIT_MEMLOCK (%llu KiB) is below "
			      "--max-pinned: a run's registered buffers "
			      "(--fixed-buffers) are held to it",
			      (unsigned long long)(srv->memlock_limit >> 10));
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
