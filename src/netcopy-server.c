/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netcopy-server - serve netcopy runs: a thin popt front end over
 * libnetcopy's server. */
#include <errno.h>
#include <netdb.h>
#include <popt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "netcopy.h"

static struct netcopy_server *server;

static void on_signal(int sig)
{
	(void)sig;
	netcopy_server_stop(server);
}

static void log_line(void *data, const char *line)
{
	(void)data;
	fprintf(stderr, "%s: %s\n", cli_program, line);
}

static void *exit_timer(void *arg)
{
	double seconds = *(double *)arg;
	struct timespec ts = { .tv_sec = (time_t)seconds,
			       .tv_nsec = (long)((seconds - (time_t)seconds) *
						 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	netcopy_server_stop(server);
	return NULL;
}

/* Zero-copy is built in but this kernel may not have it: say so once. */
static void note_unsupported_modes(void)
{
	for (size_t i = 0; i < netcopy_mode_count(); i++) {
		const struct netcopy_mode *m = netcopy_mode_at(i);
		const char *why;

		if (netcopy_mode_probe(m, &why))
			cli_error("%s not available, serving the other modes: "
				  "%s", netcopy_mode_name(m), why);
	}
}

/* Why the server cannot listen, in one line: -EADDRNOTAVAIL is also
 * what a bind address that does not resolve gets, which is worth
 * naming. */
static void listen_failed(const char *bind, const char *port, int err)
{
	struct addrinfo hints = { .ai_flags = AI_PASSIVE };
	struct addrinfo *list;
	int rc;

	if (bind && err == -EADDRNOTAVAIL) {
		rc = getaddrinfo(bind, NULL, &hints, &list);
		if (rc) {
			cli_error("cannot resolve %s: %s", cli_shown(bind),
				  gai_strerror(rc));
			return;
		}
		freeaddrinfo(list);
	}
	cli_error("cannot listen on %s port %s: %s",
		  bind ? cli_shown(bind) : "every address",
		  port ? port : "8080", netcopy_strerror(err));
}

/* --auth-file and --allow. */
static void set_access(const char *auth_file, const char *allow)
{
	unsigned char key[NETCOPY_MAX_SECRET];
	size_t len;
	int err;

	if (allow && netcopy_server_set_allow(server, allow))
		cli_usage_error("invalid --allow '%s' (expected IPv4 or IPv6 "
				"prefixes, comma-separated: ADDR[/LENGTH],...)",
				cli_shown(allow));
	if (!auth_file)
		return;
	len = cli_auth_file(auth_file, key);
	err = netcopy_server_set_auth(server, key, len);
	cli_wipe(key, sizeof(key));
	if (err == NETCOPY_EUNSUPPORTED)
		cli_usage_error("--auth-file: built without authentication "
				"(libsodium)");
	if (err)
		cli_usage_error("--auth-file: %s", netcopy_strerror(err));
}

/* --max-rate-per-host BITS: 1000-based, as the client's --rate. */
static void set_rate_per_host(const char *text)
{
	uint64_t v;

	if (netcopy_parse_rate(text, &v) ||
	    netcopy_server_set_max_rate_per_host(server, v))
		cli_usage_error("invalid max-rate-per-host '%s' (expected 0, "
				"or 8 to 10^15 bits per second; K, M and G "
				"are 1000-based)", cli_shown(text));
}

static void setup_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int main(int argc, const char **argv)
{
	char *port = NULL, *bind = NULL, *max_size = NULL, *exit_after = NULL;
	char *max_memory = NULL, *hello_timeout = NULL, *max_conns = NULL;
	char *conns_per_host = NULL, *runs_per_host = NULL;
	char *idle_timeout = NULL, *rate_per_host = NULL;
	char *auth_file = NULL, *allow = NULL;
	char *max_pinned = NULL, *max_memory_per_host = NULL;
	int once = 0, version = 0, list_modes = 0, err;
	double exit_seconds = 0;
	bool timing;
	pthread_t timer;
	struct poptOption options[] = {
		CLI_KEEP_STRINGS
		{ "port", 'p', POPT_ARG_STRING, &port, 0,
		  "TCP port to listen on; 0 picks a free one (default 8080)",
		  "PORT" },
		{ "bind", 'b', POPT_ARG_STRING, &bind, 0,
		  "listen on this address only (default: every address)",
		  "ADDR" },
		{ "max-size", 's', POPT_ARG_STRING, &max_size, 0,
		  "largest message size accepted (default 64M)", "SIZE" },
		{ "exit-after", 'd', POPT_ARG_STRING, &exit_after, 0,
		  "stop after this many seconds (default: run until "
		  "SIGINT or SIGTERM)", "SECONDS" },
		{ "once", '1', POPT_ARG_NONE, &once, 0,
		  "serve one run, then exit", NULL },
		{ "max-memory", '\0', POPT_ARG_STRING, &max_memory, 0,
		  "buffer memory committed across runs at most (default 1G)",
		  "SIZE" },
		{ "max-memory-per-host", '\0', POPT_ARG_STRING,
		  &max_memory_per_host, 0,
		  "buffer memory committed for one host's runs at most (an "
		  "IPv4 address, an IPv6 /64; default half of --max-memory)",
		  "SIZE" },
		{ "max-pinned", '\0', POPT_ARG_STRING, &max_pinned, 0,
		  "memory the kernel pins for zero-copy sends at most "
		  "(default the smaller of 256M and half of --max-memory)",
		  "SIZE" },
		{ "hello-timeout", '\0', POPT_ARG_STRING, &hello_timeout, 0,
		  "seconds a new connection has to introduce itself "
		  "(default 5)", "SECONDS" },
		{ "max-conns", '\0', POPT_ARG_STRING, &max_conns, 0,
		  "connections open at once at most, a run of N threads "
		  "holding N+1 (default 4096)", "N" },
		{ "max-conns-per-host", '\0', POPT_ARG_STRING, &conns_per_host,
		  0, "connections one host (an IPv4 address, an IPv6 /64) "
		  "may hold open at once (default half of --max-conns)", "N" },
		{ "max-runs-per-host", '\0', POPT_ARG_STRING, &runs_per_host, 0,
		  "runs one host may have at once (default 8)", "N" },
		{ "max-rate-per-host", '\0', POPT_ARG_STRING, &rate_per_host,
		  0, "UDP payload sent to one host at most, over its runs, in "
		  "bits/s, K, M, G 1000-based; 0: no cap (default 1G)",
		  "BITS" },
		{ "idle-timeout", '\0', POPT_ARG_STRING, &idle_timeout, 0,
		  "seconds a data connection may move no byte before its "
		  "run is cut (default 10)", "SECONDS" },
		{ "auth-file", '\0', POPT_ARG_STRING, &auth_file, 0,
		  "serve only clients that prove the shared secret in FILE "
		  "(one line, at least 32 bytes, mode 600)", "FILE" },
		{ "allow", '\0', POPT_ARG_STRING, &allow, 0,
		  "accept connections only from these prefixes "
		  "(default: from anywhere)", "CIDR,..." },
		{ "list-modes", '\0', POPT_ARG_NONE, &list_modes, 0,
		  "list every mode, whether it can run here, and why "
		  "not, then exit", NULL },
		{ "version", '\0', POPT_ARG_NONE, &version, 0,
		  "print the version and exit", NULL },
		CLI_AUTOHELP
		POPT_TABLEEND
	};
	poptContext ctx = poptGetContext("netcopy-server", argc, argv, options,
					 0);

	cli_init("netcopy-server");
	cli_parse(ctx);
	if (version)
		cli_version(ctx);
	if (list_modes)
		cli_list_modes(ctx);
	if (netcopy_server_new(&server))
		cli_usage_error("out of memory");
	netcopy_server_set_log(server, log_line, NULL);
	if (port)
		netcopy_server_set_port(server, cli_port("port", port, 0));
	if (bind && netcopy_server_set_bind(server, bind))
		cli_usage_error("invalid bind address '%s' (expected a host "
				"name or address)", cli_shown(bind));
	if (max_size)
		netcopy_server_set_max_size(server, cli_size("max-size",
			max_size, 1, NETCOPY_MAX_MESSAGE_SIZE));
	if (max_memory)
		netcopy_server_set_max_memory(server, cli_size("max-memory",
			max_memory, 1, UINT64_MAX));
	if (max_memory_per_host)
		netcopy_server_set_max_memory_per_host(server,
			cli_size("max-memory-per-host", max_memory_per_host, 1,
				 UINT64_MAX));
	if (max_pinned)
		netcopy_server_set_max_pinned(server, cli_size("max-pinned",
			max_pinned, 1, UINT64_MAX));
	if (hello_timeout && netcopy_server_set_hello_timeout(server,
				cli_secs("hello-timeout", hello_timeout)))
		cli_usage_error("invalid hello-timeout '%s' (expected %g to %g "
				"seconds)", cli_shown(hello_timeout),
				NETCOPY_MIN_SECONDS, NETCOPY_MAX_HELLO_TIMEOUT);
	if (exit_after)
		exit_seconds = cli_seconds("exit-after", exit_after, 1e9);
	if (max_conns)
		netcopy_server_set_max_conns(server, cli_count("max-conns",
					     max_conns, 1, 1000000));
	if (conns_per_host)
		netcopy_server_set_max_conns_per_host(server, cli_count(
			"max-conns-per-host", conns_per_host, 1, 1000000));
	if (runs_per_host)
		netcopy_server_set_max_runs_per_host(server, cli_count(
			"max-runs-per-host", runs_per_host, 1, 1000000));
	if (rate_per_host)
		set_rate_per_host(rate_per_host);
	if (idle_timeout && netcopy_server_set_idle_timeout(server,
				cli_secs("idle-timeout", idle_timeout)))
		cli_usage_error("invalid idle-timeout '%s' (expected %g to %g "
				"seconds)", cli_shown(idle_timeout),
				NETCOPY_MIN_SECONDS, NETCOPY_MAX_IDLE_TIMEOUT);
	set_access(auth_file, allow);
	netcopy_server_set_once(server, once);
	poptFreeContext(ctx);

	err = netcopy_server_listen(server);
	if (err) {
		listen_failed(bind, port, err);
		netcopy_server_free(server);
		cli_free_strings();
		return EXIT_RUNTIME;
	}
	printf("netcopy-server: listening on %s port %u\n",
	       netcopy_server_address(server), netcopy_server_port(server));
	fflush(stdout);
	note_unsupported_modes();
	setup_signals();
	timing = exit_seconds > 0 &&
		 pthread_create(&timer, NULL, exit_timer, &exit_seconds) == 0;
	err = netcopy_server_run(server);
	/* Nothing may touch the server once it is freed: no signal handler
	 * and no timer. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	if (timing) {
		pthread_cancel(timer);	/* asleep in nanosleep: a cancel point */
		pthread_join(timer, NULL);
	}
	netcopy_server_free(server);
	cli_free_strings();
	if (err) {
		cli_error("%s", netcopy_strerror(err));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}
