/* SPDX-License-Identifier: GPL-2.0-or-later */
/* client-options.c - netcopy-client's command line: popt's option
 * table, read into struct args. */
#include <popt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "client.h"
#include "netcopy.h"

/* The names of every mode netcopy has (all) or of those built in, from
 * the library's table, joined by ", " and before the last by last. */
void join_modes(char *buf, size_t cap, bool all, const char *last)
{
	size_t n = all ? netcopy_known_mode_count() : netcopy_mode_count();

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(buf);

		snprintf(buf + len, cap - len, "%s%s",
			 i == 0 ? "" : i + 1 < n ? ", " : last,
			 all ? netcopy_known_mode(i, NULL) :
			       netcopy_mode_name(netcopy_mode_at(i)));
	}
}

/* What the command line gave: the table below reads into it. */
static struct args a;
/* -m's help names the library's modes; popt reads it in cli_parse. */
static char mode_help[400];

static struct poptOption options[] = {
	CLI_KEEP_STRINGS
	{ "ip", 'i', POPT_ARG_STRING, &a.ip, 0,
	  "server host name or address (default 127.0.0.1)", "HOST" },
	{ "port", 'p', POPT_ARG_STRING, &a.port, 0,
	  "server port (default 8080)", "PORT" },
	{ "size", 's', POPT_ARG_STRING, &a.size, 0,
	  "message size, 1 to 64M; K, M and G are 1024-based "
	  "(default 1024)", "SIZE" },
	{ "threads", 't', POPT_ARG_STRING, &a.threads, 0,
	  "threads at each end, one data connection each unless "
	  "--flows (default 4)", "N" },
	{ "flows", '\0', POPT_ARG_STRING, &a.flows, 0,
	  "data connections, spread over the threads, each driving "
	  "its share with epoll (default: one a thread)", "N" },
	{ "local-address", '\0', POPT_ARG_STRING, &a.local_address, 0,
	  "source addresses of the data connections, round robin "
	  "(the control connection's the first)", "ADDR,..." },
	{ "duration", 'd', POPT_ARG_STRING, &a.duration, 0,
	  "seconds to send, fractions allowed (default 10)",
	  "SECONDS" },
	{ "mode", 'm', POPT_ARG_STRING, &a.mode, 0, mode_help,
	  "MODE" },
	{ "workload", 'w', POPT_ARG_STRING, &a.workload, 0,
	  "stream, or rr: request-response, timing every round trip "
	  "(default stream)", "WORKLOAD" },
	{ "warmup", '\0', POPT_ARG_STRING, &a.warmup, 0,
	  "seconds to run before measuring, left out of every "
	  "figure (default 0)", "SECONDS" },
	{ "affinity", 'A', POPT_ARG_STRING, &a.affinity, 0,
	  "pin the client's threads to CPU N (thread i to N+i), "
	  "and the server's to M", "N[,M]" },
	{ "interval", 'I', POPT_ARG_STRING, &a.interval, 0,
	  "report the throughput of every interval: text rows, or "
	  "a JSON object a line (-f json), or CSV rows on stderr "
	  "(-f csv)", "SECONDS" },
	{ "interval-file", '\0', POPT_ARG_STRING, &a.interval_file, 0,
	  "-I: append the reports to FILE instead (CSV: with their "
	  "own header)", "FILE" },
	{ "reverse", 'R', POPT_ARG_NONE, &a.reverse, 0,
	  "the client sends and the server receives", NULL },
	{ "per-flow", '\0', POPT_ARG_NONE, &a.per_flow, 0,
	  "in JSON, every flow's received bytes, from whichever "
	  "side received (not rr)", NULL },
	{ "bidir", '\0', POPT_ARG_NONE, &a.bidir, 0,
	  "both directions at once: a run the server sends and one "
	  "the client sends, a result each (not with -R or rr)",
	  NULL },
	{ "verify", '\0', POPT_ARG_NONE, &a.verify, 0,
	  "stamp every message and check every byte received", NULL },
	{ "no-perf", '\0', POPT_ARG_NONE, &a.no_perf, 0,
	  "do not count perf events on either side", NULL },
	{ "qd", '\0', POPT_ARG_STRING, &a.qd, 0,
	  "uring modes: sends in flight per connection, 1 to 256 "
	  "(default 8)", "N" },
	{ "batch", '\0', POPT_ARG_STRING, &a.batch, 0,
	  "sendmmsg (UDP): datagrams per call, 1 to 1024 (default "
	  "32)", "N" },
	{ "gso-segments", '\0', POPT_ARG_STRING, &a.gso_segments, 0,
	  "gso (UDP): datagrams per send(), 1 to the kernel's limit, "
	  "within 64K (default: as many as fit)", "N" },
	{ "rr-timeout", '\0', POPT_ARG_STRING, &a.rr_timeout, 0,
	  "rr over UDP: seconds to wait for each answer before the "
	  "request counts as lost, 0.001 to 10 (default 0.1)",
	  "SECONDS" },
	{ "fixed-buffers", '\0', POPT_ARG_NONE, &a.fixed_buffers, 0,
	  "uring-zc: send from buffers registered with the ring",
	  NULL },
	{ "proto", '\0', POPT_ARG_STRING, &a.proto, 0,
	  "what the data goes over: tcp, or udp (datagrams of -s "
	  "bytes, 24 to 65507; two-copy, one-copy, sendmmsg, gso) "
	  "(default tcp)",
	  "PROTO" },
	{ "rx", '\0', POPT_ARG_STRING, &a.rx, 0,
	  "how the receiver reads: recv, recvmsg, zero-copy "
	  "(TCP_ZEROCOPY_RECEIVE, TCP only), recvmmsg or gro "
	  "(UDP_GRO; UDP only; "
	  "default: the mode's own)", "PATH" },
	{ "rx-size", '\0', POPT_ARG_STRING, &a.rx_size, 0,
	  "most bytes the receiver reads per call, both ends, 1 to "
	  "64M, TCP only (default: the larger of 64K and -s)", "SIZE" },
	{ "sndbuf", '\0', POPT_ARG_STRING, &a.sndbuf, 0,
	  "SO_SNDBUF of every data socket, both ends, 1K to 1G "
	  "(default: the kernel's, autotuned)", "SIZE" },
	{ "rcvbuf", '\0', POPT_ARG_STRING, &a.rcvbuf, 0,
	  "SO_RCVBUF of every data socket, both ends, 1K to 1G "
	  "(default: the kernel's, autotuned)", "SIZE" },
	{ "rate", '\0', POPT_ARG_STRING, &a.rate, 0,
	  "payload bits per second of each data connection; K, M "
	  "and G are 1000-based here, as network rates are (sizes: "
	  "1024); 0: unpaced (the default)", "BITS" },
	{ "format", 'f', POPT_ARG_STRING, &a.format, 0,
	  "output: text, csv or json (default text)", "FORMAT" },
	{ "output", 'o', POPT_ARG_STRING, &a.output, 0,
	  "append the result to FILE instead of standard output",
	  "FILE" },
	{ "auth-file", '\0', POPT_ARG_STRING, &a.auth_file, 0,
	  "prove the shared secret in FILE to the server (one line, "
	  "at least 32 bytes, mode 600)", "FILE" },
	{ "list-modes", '\0', POPT_ARG_NONE, &a.list_modes, 0,
	  "list every mode, whether it can run here, and why "
	  "not, then exit", NULL },
	{ "version", '\0', POPT_ARG_NONE, &a.version, 0,
	  "print the version and exit", NULL },
	CLI_AUTOHELP
	POPT_TABLEEND
};

poptContext parse_options(int argc, const char **argv,
			  const struct args **args)
{
	poptContext ctx = poptGetContext("netcopy-client", argc, argv, options,
					 0);
	char modes[256];

	join_modes(modes, sizeof(modes), true, " or ");
	snprintf(mode_help, sizeof(mode_help), "data path: %s; --list-modes "
		 "says which can run here (default two-copy)", modes);
	cli_parse(ctx);
	if (a.version)
		cli_version(ctx);
	if (a.list_modes)
		cli_list_modes(ctx);
	*args = &a;
	return ctx;
}
