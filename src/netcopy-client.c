/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netcopy-client - run one measurement against a netcopy-server: a thin
 * popt front end over libnetcopy's client. */
#include <errno.h>
#include <limits.h>
#include <popt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "netcopy.h"

struct args {
	char *ip, *port, *size, *threads, *duration, *mode, *format, *output;
	char *workload, *warmup, *affinity, *interval, *qd, *rx, *proto;
	char *sndbuf, *rcvbuf;
	int reverse, verify, no_perf, version, list_modes, fixed_buffers;
};

/* popt hands out string arguments in malloc()ed memory. */
static void args_free(struct args *a)
{
	char **strings[] = { &a->ip, &a->port, &a->size, &a->threads,
			     &a->duration, &a->mode, &a->format, &a->output,
			     &a->workload, &a->warmup, &a->affinity,
			     &a->interval, &a->qd, &a->rx, &a->sndbuf,
			     &a->rcvbuf, &a->proto };

	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		free(*strings[i]);
		*strings[i] = NULL;
	}
}

static enum netcopy_format parse_format(const char *text)
{
	if (!text || strcmp(text, "text") == 0)
		return NETCOPY_FORMAT_TEXT;
	if (strcmp(text, "csv") == 0)
		return NETCOPY_FORMAT_CSV;
	if (strcmp(text, "json") == 0)
		return NETCOPY_FORMAT_JSON;
	cli_usage_error("invalid format '%s' (expected text, csv or json)",
			cli_shown(text));
}

/* The names of every mode netcopy has (all) or of those built in, from
 * the library's table, joined by ", " and before the last by last. */
static void join_modes(char *buf, size_t cap, bool all, const char *last)
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

static void mode_usage_error(const char *name)
{
	char list[256];

	join_modes(list, sizeof(list), false, ", ");
	cli_usage_error("unknown mode '%s' (this build has: %s)",
			cli_shown(name), list);
}

static void print_progress(void *data, double from, double to,
			   uint64_t bytes, bool warmup);

/* A value the library refused: why, and what it allows. */
static void refused(const struct netcopy_client *c, const char *opt,
		    const char *text)
{
	cli_usage_error("invalid %s '%s': %s", opt, cli_shown(text),
			netcopy_client_detail(c));
}

/* The library's setters take unsigned int: a larger count stays out of
 * range rather than wrapping into it. */
static unsigned int count(const char *opt, const char *text)
{
	uint64_t v = cli_number(opt, text);

	return v > UINT_MAX ? UINT_MAX : (unsigned int)v;
}

/* --sndbuf/--rcvbuf: 0 would mean the kernel's default, which is
 * leaving the option out. */
static uint64_t socket_buffer(const char *opt, const char *text)
{
	uint64_t v;

	if (!text)
		return 0;
	v = cli_bytes(opt, text);
	if (!v)
		cli_usage_error("invalid %s '%s': leave --%s out for the "
				"kernel's default", opt, cli_shown(text), opt);
	return v;
}

static void set_socket_buffers(struct netcopy_client *c, const struct args *a)
{
	uint64_t snd = socket_buffer("sndbuf", a->sndbuf);
	uint64_t rcv = socket_buffer("rcvbuf", a->rcvbuf);

	if (netcopy_client_set_socket_buffers(c, snd, 0))
		refused(c, "sndbuf", a->sndbuf);
	if (netcopy_client_set_socket_buffers(c, snd, rcv))
		refused(c, "rcvbuf", a->rcvbuf);
}

/* -A N[,M]: CPUs for the client's and the server's threads. */
static void set_affinity(struct netcopy_client *c, const char *text)
{
	unsigned int max = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	char client[32], *comma;
	int server = -1;

	snprintf(client, sizeof(client), "%s", text);
	comma = strchr(client, ',');
	if (comma) {
		uint64_t v;

		*comma = '\0';
		/* The server's machine may have more CPUs than this one:
		 * the library judges its CPU. */
		v = cli_number("affinity", comma + 1);
		server = v > INT_MAX ? INT_MAX : (int)v;
	}
	if (netcopy_client_set_affinity(c, (int)cli_count("affinity", client,
				0, max ? max - 1 : 0), server))
		refused(c, "affinity", text);
}

/* -I: 0 would turn the reports off, which is leaving -I out. */
static void set_interval(struct netcopy_client *c, const char *text)
{
	double v = cli_secs("interval", text);

	if (!(v > 0))
		cli_usage_error("invalid interval '%s': leave -I out for no "
				"reports", cli_shown(text));
	if (netcopy_client_set_progress(c, v, print_progress, NULL))
		refused(c, "interval", text);
}

static struct netcopy_client *configure(const struct args *a)
{
	struct netcopy_client *c;
	int err;

	if (netcopy_client_new(&c)) {
		cli_error("out of memory");
		exit(EXIT_RUNTIME);
	}
	if (a->ip && netcopy_client_set_host(c, a->ip))
		cli_usage_error("invalid host '%s'", cli_shown(a->ip));
	if (a->port)
		netcopy_client_set_port(c, cli_port("port", a->port, 1));
	if (a->size && netcopy_client_set_size(c, cli_bytes("size", a->size)))
		refused(c, "size", a->size);
	if (a->threads && netcopy_client_set_threads(c, count("threads",
							     a->threads)))
		refused(c, "threads", a->threads);
	if (a->duration && netcopy_client_set_duration(c, cli_secs("duration",
							a->duration)))
		refused(c, "duration", a->duration);
	if (a->mode && (err = netcopy_client_set_mode(c, a->mode))) {
		if (err != NETCOPY_EUNSUPPORTED)
			mode_usage_error(a->mode);
		cli_error("%s: not built into this netcopy (configured "
			  "without it)", a->mode);
		exit(EXIT_UNSUPPORTED);
	}
	if (a->workload && netcopy_client_set_workload(c, a->workload))
		cli_usage_error("invalid workload '%s' (expected stream or rr)",
				cli_shown(a->workload));
	if (a->reverse && a->workload && strcmp(a->workload, "rr") == 0)
		cli_usage_error("-R does not apply to rr: the client always "
				"asks");
	netcopy_client_set_reverse(c, a->reverse);
	if (a->warmup && netcopy_client_set_warmup(c, cli_secs("warmup",
							     a->warmup)))
		refused(c, "warmup", a->warmup);
	if (a->affinity)
		set_affinity(c, a->affinity);
	netcopy_client_set_verify(c, a->verify);
	netcopy_client_set_perf(c, !a->no_perf);
	if (a->qd && netcopy_client_set_qd(c, count("qd", a->qd)))
		refused(c, "qd", a->qd);
	if (a->rx && (err = netcopy_client_set_rx(c, a->rx))) {
		if (err != NETCOPY_EUNSUPPORTED)
			cli_usage_error("invalid receive path '%s' (expected "
					"recv, recvmsg, zero-copy or "
					"recvmmsg)",
					cli_shown(a->rx));
		cli_error("--rx zero-copy: not built into this netcopy "
			  "(linux/tcp.h had no TCP_ZEROCOPY_RECEIVE)");
		exit(EXIT_UNSUPPORTED);
	}
	set_socket_buffers(c, a);
	if (a->proto && netcopy_client_set_proto(c, a->proto))
		cli_usage_error("invalid protocol '%s' (expected tcp or udp)",
				cli_shown(a->proto));
	if (netcopy_client_set_fixed_buffers(c, a->fixed_buffers))
		cli_usage_error("--fixed-buffers: mode %s cannot send from "
				"registered buffers (uring-zc can)",
				a->mode ? a->mode : "two-copy");
	if (a->interval)
		set_interval(c, a->interval);
	return c;
}

/* -I: one line per interval, as iperf3 prints them. */
static void print_progress(void *data, double from, double to,
			   uint64_t bytes, bool warmup)
{
	(void)data;
	printf("[%7.2f-%7.2f s] %12llu bytes %10.3f Gbit/s%s\n", from, to,
	       (unsigned long long)bytes, (double)bytes * 8 / 1e9 / (to - from),
	       warmup ? " (warm-up)" : "");
	fflush(stdout);
}

/* Where the result goes: -o FILE, appended to, or standard output. */
struct output {
	const char *path;		/* NULL: standard output */
	FILE *file;
	enum netcopy_format format;
	bool header;			/* the CSV row needs its header */
};

/* Close -o FILE (if any).  Returns 0 or -errno. */
static int output_close(struct output *o)
{
	int err = o->path && o->file && fclose(o->file) ? -errno : 0;

	o->file = NULL;
	return err;
}

/* Open -o FILE before the run, and write a new CSV file's header then,
 * so that a destination that cannot take the result (a directory, a
 * read-only file, /dev/full) fails before anything is measured.  False
 * (said on stderr) when it cannot: the caller frees and exits. */
static bool output_open(struct output *o, const char *path,
			enum netcopy_format format)
{
	struct stat st;
	const char *why;

	*o = (struct output){ path, stdout, format, true };
	if (!path)
		return true;
	o->file = fopen(path, "a");
	if (!o->file) {
		why = strerror(errno);
		cli_error("cannot open %s: %s", cli_shown(path), why);
		return false;
	}
	o->header = false;
	if (format != NETCOPY_FORMAT_CSV || fstat(fileno(o->file), &st) ||
	    st.st_size != 0)
		return true;
	if (fprintf(o->file, "%s\n", netcopy_result_csv_header()) < 0 ||
	    fflush(o->file)) {
		why = strerror(errno);
		cli_error("cannot write to %s: %s", cli_shown(path), why);
		output_close(o);
		return false;
	}
	return true;
}

/* Write the result and close -o FILE.  Where the file fails now, the
 * result goes to standard output instead: nothing measured is lost.
 * Returns 0 or -EIO. */
static int output_write(struct output *o, const struct netcopy_result *r)
{
	int err = netcopy_result_write(r, o->file, o->format, o->header);
	int closed = output_close(o);

	if (!err)
		err = closed;
	if (!err)
		return 0;
	if (!o->path) {
		cli_error("cannot write the result: %s", strerror(-err));
		return -EIO;
	}
	cli_error("cannot write the result to %s (%s); it follows on "
		  "standard output", cli_shown(o->path), strerror(-err));
	netcopy_result_write(r, stdout, o->format, true);
	return -EIO;
}

int main(int argc, const char **argv)
{
	struct args a = { 0 };
	char modes[256], mode_help[400];
	struct poptOption options[] = {
		{ "ip", 'i', POPT_ARG_STRING, &a.ip, 0,
		  "server host name or address (default 127.0.0.1)", "HOST" },
		{ "port", 'p', POPT_ARG_STRING, &a.port, 0,
		  "server port (default 8080)", "PORT" },
		{ "size", 's', POPT_ARG_STRING, &a.size, 0,
		  "message size, 1 to 64M; K and M are 1024-based "
		  "(default 1024)", "SIZE" },
		{ "threads", 't', POPT_ARG_STRING, &a.threads, 0,
		  "data connections, one thread each (default 4)", "N" },
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
		  "print the throughput of every interval (text output)",
		  "SECONDS" },
		{ "reverse", 'R', POPT_ARG_NONE, &a.reverse, 0,
		  "the client sends and the server receives", NULL },
		{ "verify", '\0', POPT_ARG_NONE, &a.verify, 0,
		  "stamp every message and check every byte received", NULL },
		{ "no-perf", '\0', POPT_ARG_NONE, &a.no_perf, 0,
		  "do not count perf events on either side", NULL },
		{ "qd", '\0', POPT_ARG_STRING, &a.qd, 0,
		  "uring modes: sends in flight per connection, 1 to 256 "
		  "(default 8)", "N" },
		{ "fixed-buffers", '\0', POPT_ARG_NONE, &a.fixed_buffers, 0,
		  "uring-zc: send from buffers registered with the ring",
		  NULL },
		{ "proto", '\0', POPT_ARG_STRING, &a.proto, 0,
		  "what the data goes over: tcp, or udp (datagrams of -s "
		  "bytes, 24 to 65507; two-copy and one-copy) (default tcp)",
		  "PROTO" },
		{ "rx", '\0', POPT_ARG_STRING, &a.rx, 0,
		  "how the receiver reads: recv, recvmsg, zero-copy "
		  "(TCP_ZEROCOPY_RECEIVE, TCP only) or recvmmsg (UDP only; "
		  "default: the mode's own)", "PATH" },
		{ "sndbuf", '\0', POPT_ARG_STRING, &a.sndbuf, 0,
		  "SO_SNDBUF of every data socket, both ends, 1K to 1G "
		  "(default: the kernel's, autotuned)", "SIZE" },
		{ "rcvbuf", '\0', POPT_ARG_STRING, &a.rcvbuf, 0,
		  "SO_RCVBUF of every data socket, both ends, 1K to 1G "
		  "(default: the kernel's, autotuned)", "SIZE" },
		{ "format", 'f', POPT_ARG_STRING, &a.format, 0,
		  "output: text, csv or json (default text)", "FORMAT" },
		{ "output", 'o', POPT_ARG_STRING, &a.output, 0,
		  "append the result to FILE instead of standard output",
		  "FILE" },
		{ "list-modes", '\0', POPT_ARG_NONE, &a.list_modes, 0,
		  "list every mode, whether it can run here, and why "
		  "not, then exit", NULL },
		{ "version", '\0', POPT_ARG_NONE, &a.version, 0,
		  "print the version and exit", NULL },
		POPT_AUTOHELP
		POPT_TABLEEND
	};
	poptContext ctx = poptGetContext("netcopy-client", argc, argv, options,
					 0);
	struct netcopy_result *result = NULL;
	struct netcopy_client *client;
	struct output out;
	enum netcopy_format format;
	int err;

	cli_init("netcopy-client");
	/* -m's help names the library's modes; popt reads it in cli_parse. */
	join_modes(modes, sizeof(modes), true, " or ");
	snprintf(mode_help, sizeof(mode_help), "data path: %s; --list-modes "
		 "says which can run here (default two-copy)", modes);
	cli_parse(ctx);
	if (a.version)
		cli_version(ctx);
	if (a.list_modes)
		cli_list_modes(ctx);
	format = parse_format(a.format);
	client = configure(&a);
	if (!output_open(&out, a.output, format)) {
		netcopy_client_free(client);
		args_free(&a);
		poptFreeContext(ctx);
		return EXIT_USAGE;
	}

	err = netcopy_client_run(client, &result);
	if (err)
		cli_error("%s", netcopy_client_detail(client)[0] ?
			  netcopy_client_detail(client) :
			  netcopy_strerror(err));
	else if (netcopy_client_detail(client)[0])	/* a note */
		fprintf(stderr, "netcopy-client: note: %s\n",
			netcopy_client_detail(client));
	if (result && output_write(&out, result) && !err)
		err = -EIO;
	output_close(&out);	/* no result: nothing to write */
	netcopy_result_free(result);
	netcopy_client_free(client);
	args_free(&a);
	poptFreeContext(ctx);
	/* The run refuses a value only the connection could judge (-s
	 * over UDP, IPv4): a usage error all the same. */
	return err == -EINVAL ? EXIT_USAGE : cli_exit_code(err);
}
