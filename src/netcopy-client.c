/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netcopy-client - run one measurement against a netcopy-server: a thin
 * popt front end over libnetcopy's client. */
#include <errno.h>
#include <limits.h>
#include <popt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "cli.h"
#include "netcopy.h"

struct args {
	char *auth_file;
	char *ip, *port, *size, *threads, *duration, *mode, *format, *output;
	char *workload, *warmup, *affinity, *interval, *qd, *rx, *proto;
	char *batch, *gso_segments, *rr_timeout, *flows, *local_address;
	char *sndbuf, *rcvbuf, *rate, *interval_file, *rx_size;
	int reverse, verify, no_perf, version, list_modes, fixed_buffers;
	int bidir, per_flow;
};

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

/* --flows: at least one a thread (-t, default 4). */
static void set_flows(struct netcopy_client *c, const struct args *a)
{
	unsigned int flows = count("flows", a->flows);
	unsigned int threads = a->threads ? count("threads", a->threads) : 4;

	if (netcopy_client_set_flows(c, flows))
		refused(c, "flows", a->flows);
	if (flows < threads)
		cli_usage_error("invalid flows '%s': below -t %u (each thread "
				"drives a flow at least)", cli_shown(a->flows),
				threads);
}

/* --per-flow: in JSON; from whichever side received (the server's
 * after its trailer), but rr's two ways. */
static void set_per_flow(struct netcopy_client *c, const struct args *a)
{
	bool rr = a->workload && strcmp(a->workload, "rr") == 0;

	if (parse_format(a->format) != NETCOPY_FORMAT_JSON)
		cli_usage_error("--per-flow writes JSON only: add -f json");
	if (rr)
		cli_usage_error("--per-flow: a stream's only, not rr");
	netcopy_client_set_per_flow(c, true);
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

/* --rate BITS: 1000-based, as network rates are; 0 is unpaced. */
static void set_rate(struct netcopy_client *c, const char *text)
{
	uint64_t v;

	if (netcopy_parse_rate(text, &v))
		cli_usage_error("invalid rate '%s' (expected bits per second; "
				"K, M and G suffixes are 1000-based)",
				cli_shown(text));
	if (netcopy_client_set_rate(c, v))
		refused(c, "rate", text);
}

/* --rx-size: 0 would mean the default, which is leaving it out. */
static void set_rx_size(struct netcopy_client *c, const char *text)
{
	uint64_t v = cli_bytes("rx-size", text);

	if (!v)
		cli_usage_error("invalid rx-size '%s': leave --rx-size out "
				"for the default", cli_shown(text));
	if (netcopy_client_set_rx_size(c, v))
		refused(c, "rx-size", text);
}

/* --gso-segments: 0 would mean the default, which is leaving it out. */
static void set_gso_segments(struct netcopy_client *c, const char *text)
{
	unsigned int v = count("gso-segments", text);

	if (!v)
		cli_usage_error("invalid gso-segments '%s': leave "
				"--gso-segments out for as many as fit",
				cli_shown(text));
	if (netcopy_client_set_gso_segments(c, v))
		refused(c, "gso-segments", text);
}

/* --rr-timeout: only rr over UDP waits on an answer; elsewhere it is
 * ignored, as --batch is outside sendmmsg, but said. */
static void set_rr_timeout(struct netcopy_client *c, const struct args *a)
{
	if (netcopy_client_set_rr_timeout(c, cli_secs("rr-timeout",
						      a->rr_timeout)))
		refused(c, "rr-timeout", a->rr_timeout);
	if (!a->proto || strcmp(a->proto, "udp") ||
	    !a->workload || strcmp(a->workload, "rr"))
		cli_error("warning: --rr-timeout applies to -w rr --proto udp "
			  "only: ignored");
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

/* Where the result goes (-o FILE, appended to, or standard output), or
 * -I's reports (--interval-file FILE, or a standard stream). */
struct output {
	const char *path;		/* NULL: the standard stream */
	FILE *file;
	enum netcopy_format format;
	bool header;			/* the first row needs its header */
};

/* Close -o FILE (if any).  Returns 0 or -errno. */
static int output_close(struct output *o)
{
	int err = o->path && o->file && fclose(o->file) ? -errno : 0;

	o->file = NULL;
	return err;
}

/* Open FILE (path) before the run, and write a new CSV file's header
 * then, so that a destination that cannot take the result (a directory,
 * a read-only file, /dev/full) fails before anything is measured; no
 * path: the stream std.  False (said on stderr) when it cannot: the
 * caller frees and exits. */
static bool output_open(struct output *o, const char *path, FILE *std,
			enum netcopy_format format, const char *header)
{
	struct stat st;
	const char *why;

	*o = (struct output){ path, std, format, true };
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
	if (fprintf(o->file, "%s\n", header) < 0 ||
	    fflush(o->file)) {
		why = strerror(errno);
		cli_error("cannot write to %s: %s", cli_shown(path), why);
		output_close(o);
		return false;
	}
	return true;
}

/* ---- -I: a report every interval, in the run's format ---- */

/* Its figures, once: the CSV header's names and the JSON keys, in
 * order; decimals: CSV's (-1: a count, -2: 0/1, true/false in JSON).
 * A count below 0 is not measured: NA, null in JSON. */
enum { IV_FROM, IV_TO, IV_BYTES, IV_GBPS, IV_RETRANS, IV_WARMUP, IV_COUNT };
static const struct {
	const char *name, *key;
	int decimals;
} iv_fields[IV_COUNT] = {
	[IV_FROM] = { "From_s", "from_s", 6 },
	[IV_TO] = { "To_s", "to_s", 6 },
	[IV_BYTES] = { "Bytes", "bytes", -1 },
	[IV_GBPS] = { "Throughput_Gbps", "throughput_gbps", 6 },
	[IV_RETRANS] = { "Retransmits", "retransmits", -1 },
	[IV_WARMUP] = { "Warmup", "warmup", -2 },
};

static struct output intervals;
/* Whose progress it is, for the figures beyond the bytes. */
static const struct netcopy_client *intervals_client;
/* --bidir: each report says its direction, after the figures. */
static bool intervals_bidir;

static const char *interval_csv_header(void)
{
	static char header[128];
	size_t len = 0;

	for (int i = 0; i < IV_COUNT && len < sizeof(header); i++)
		len += (size_t)snprintf(header + len, sizeof(header) - len,
					"%s%s", i ? "," : "",
					iv_fields[i].name);
	if (intervals_bidir && len < sizeof(header))
		snprintf(header + len, sizeof(header) - len, ",Direction");
	return header;
}

/* The direction of the interval reported, as the Direction column
 * names it. */
static const char *interval_direction(void)
{
	return netcopy_client_interval_reverse(intervals_client) == 1 ?
	       "client-sends" : "server-sends";
}

/* One figure of the CSV row or the JSON object. */
static void interval_field(FILE *f, bool json, int i, double v)
{
	char num[NC_SHORTEST_CAP];

	if (iv_fields[i].decimals == -1 && v < 0)
		fputs(json ? "null" : "NA", f);
	else if (iv_fields[i].decimals == -1)
		fprintf(f, "%llu", (unsigned long long)v);
	else if (iv_fields[i].decimals == -2 && json)
		fputs(v ? "true" : "false", f);
	else if (iv_fields[i].decimals == -2)
		fputs(v ? "1" : "0", f);
	else if (json && nc_format_shortest(num, sizeof(num), v))
		fputs(num, f);
	else
		fprintf(f, "%.*f", iv_fields[i].decimals, v);
}

/* Aligned under a header, with human units; iperf3's Retr column, "-"
 * where not measured. */
static void interval_text(FILE *f, bool header, const double v[IV_COUNT])
{
	char transfer[32], retr[24] = "-";

	if (header)
		fprintf(f, "%17s  %14s  %14s  %6s\n", "Interval", "Transfer",
			"Throughput", "Retr");
	nc_format_bytes(transfer, sizeof(transfer), (uint64_t)v[IV_BYTES]);
	if (v[IV_RETRANS] >= 0)
		snprintf(retr, sizeof(retr), "%llu",
			 (unsigned long long)v[IV_RETRANS]);
	fprintf(f, "%7.2f-%7.2f s  %14s  %7.3f Gbit/s  %6s%s%s%s\n",
		v[IV_FROM], v[IV_TO], transfer, v[IV_GBPS], retr,
		v[IV_WARMUP] ? "  (warm-up)" : "",
		intervals_bidir ? "  " : "",
		intervals_bidir ? interval_direction() : "");
}

/* The interval's retransmits, where the library measured them; -1. */
static double interval_retransmits(void)
{
	uint64_t n;

	return netcopy_client_interval_retransmits(intervals_client, &n) ?
	       -1 : (double)n;
}

/* The progress function: one line per interval, as iperf3 prints
 * them; --json-stream's objects for JSON. */
static void print_progress(void *data, double from, double to,
			   uint64_t bytes, bool warmup)
{
	struct output *o = data;
	bool json = o->format == NETCOPY_FORMAT_JSON;
	const double v[IV_COUNT] = {
		[IV_FROM] = from, [IV_TO] = to, [IV_BYTES] = (double)bytes,
		[IV_GBPS] = (double)bytes * 8 / 1e9 / (to - from),
		[IV_RETRANS] = interval_retransmits(),
		[IV_WARMUP] = warmup,
	};

	if (o->format == NETCOPY_FORMAT_TEXT) {
		interval_text(o->file, o->header, v);
	} else {
		if (o->header && !json)
			fprintf(o->file, "%s\n", interval_csv_header());
		fputs(json ? "{\"type\":\"interval\"" : "", o->file);
		for (int i = 0; i < IV_COUNT; i++) {
			if (json)
				fprintf(o->file, ",\"%s\":", iv_fields[i].key);
			else if (i)
				fputc(',', o->file);
			interval_field(o->file, json, i, v[i]);
		}
		if (intervals_bidir)
			fprintf(o->file, json ? ",\"direction\":\"%s\"" :
				",%s", interval_direction());
		fputs(json ? "}\n" : "\n", o->file);
	}
	o->header = false;
	fflush(o->file);
}

/* -I: 0 would turn the reports off, which is leaving -I out. */
static void set_interval(struct netcopy_client *c, const char *text)
{
	double v = cli_secs("interval", text);

	if (!(v > 0))
		cli_usage_error("invalid interval '%s': leave -I out for no "
				"reports", cli_shown(text));
	if (netcopy_client_set_progress(c, v, print_progress, &intervals))
		refused(c, "interval", text);
	intervals_client = c;
}

/* --auth-file: the secret to prove. */
static void set_auth(struct netcopy_client *c, const char *path)
{
	unsigned char key[NETCOPY_MAX_SECRET];
	size_t len = cli_auth_file(path, key);
	int err = netcopy_client_set_auth(c, key, len);

	cli_wipe(key, sizeof(key));
	if (err)
		cli_usage_error("--auth-file: %s", netcopy_client_detail(c));
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
	if (a->flows)
		set_flows(c, a);
	if (a->local_address &&
	    netcopy_client_set_local_address(c, a->local_address))
		refused(c, "local-address", a->local_address);
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
	if (a->rate && a->workload && strcmp(a->workload, "rr") == 0)
		cli_usage_error("--rate does not apply to rr: it paces a "
				"stream");
	if (a->bidir && a->reverse)
		cli_usage_error("--bidir runs both directions: leave -R out");
	if (a->bidir && a->workload && strcmp(a->workload, "rr") == 0)
		cli_usage_error("--bidir does not apply to rr: rr moves data "
				"both ways already");
	netcopy_client_set_reverse(c, a->reverse);
	netcopy_client_set_bidir(c, a->bidir);
	if (a->per_flow)
		set_per_flow(c, a);
	if (a->warmup && netcopy_client_set_warmup(c, cli_secs("warmup",
							     a->warmup)))
		refused(c, "warmup", a->warmup);
	if (a->affinity)
		set_affinity(c, a->affinity);
	netcopy_client_set_verify(c, a->verify);
	netcopy_client_set_perf(c, !a->no_perf);
	if (a->qd && netcopy_client_set_qd(c, count("qd", a->qd)))
		refused(c, "qd", a->qd);
	if (a->batch && netcopy_client_set_batch(c, count("batch", a->batch)))
		refused(c, "batch", a->batch);
	if (a->gso_segments)
		set_gso_segments(c, a->gso_segments);
	if (a->rr_timeout)
		set_rr_timeout(c, a);
	if (a->rx && (err = netcopy_client_set_rx(c, a->rx))) {
		if (err != NETCOPY_EUNSUPPORTED)
			cli_usage_error("invalid receive path '%s' (expected "
					"recv, recvmsg, zero-copy, "
					"recvmmsg or gro)",
					cli_shown(a->rx));
		cli_error("--rx zero-copy: not built into this netcopy "
			  "(linux/tcp.h had no TCP_ZEROCOPY_RECEIVE)");
		exit(EXIT_UNSUPPORTED);
	}
	if (a->rx_size)
		set_rx_size(c, a->rx_size);
	set_socket_buffers(c, a);
	if (a->rate)
		set_rate(c, a->rate);
	if (a->proto && netcopy_client_set_proto(c, a->proto))
		cli_usage_error("invalid protocol '%s' (expected tcp or udp)",
				cli_shown(a->proto));
	if (netcopy_client_set_fixed_buffers(c, a->fixed_buffers))
		cli_usage_error("--fixed-buffers: mode %s cannot send from "
				"registered buffers (uring-zc can)",
				a->mode ? a->mode : "two-copy");
	if (a->interval)
		set_interval(c, a->interval);
	if (a->auth_file)
		set_auth(c, a->auth_file);
	return c;
}

/* Write the result and close -o FILE.  Where the file fails now, the
 * result goes to standard output instead: nothing measured is lost.
 * Returns 0 or -EIO. */
static int output_write(struct output *o, const struct netcopy_result *r)
{
	int err = netcopy_result_write(r, o->file, o->format, o->header);
	const struct netcopy_result *next = netcopy_result_next(r);
	int closed;

	/* --bidir: the client-sends row follows, under the same header */
	if (!err && next) {
		if (o->format == NETCOPY_FORMAT_TEXT)
			fputc('\n', o->file);
		err = netcopy_result_write(next, o->file, o->format, false);
	}
	closed = output_close(o);

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
	if (netcopy_result_next(r))
		netcopy_result_write(netcopy_result_next(r), stdout, o->format,
				     false);
	return -EIO;
}

/* SIGINT/SIGTERM: the first ends the run early, and what was measured
 * is still written.  A second, while it winds down, ends the client at
 * once by that signal's default action, as an uncaught one would: the
 * caller (a shell, a script's loop) sees it died of it, and no exit
 * path runs beside the abandoned data threads.  Any thread may take a
 * signal, so the count is atomic. */
static const int interrupt_signals[] = { SIGINT, SIGTERM };
#define INTERRUPT_SIGNALS \
	(sizeof(interrupt_signals) / sizeof(interrupt_signals[0]))
static struct netcopy_client *interruptible;
static atomic_uint interrupts;

static void on_interrupt(int sig)
{
	static const char again[] = "netcopy-client: interrupted again: "
				    "exiting without a result\n";
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t set;

	if (atomic_fetch_add(&interrupts, 1) == 0 && interruptible &&
	    netcopy_client_stop(interruptible) == 0)
		return;
	if (write(STDERR_FILENO, again, sizeof(again) - 1) < 0) {
		/* nothing better to say it with */
	}
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);	/* not reached */
}

/* No SA_RESTART: a blocking call in the main thread wakes at once.  The
 * other signal waits while a thread is in the handler.  A signal found
 * ignored stays so, as a shell's background job has SIGINT: the
 * terminal's Ctrl-C is not for it. */
static void catch_interrupts(struct netcopy_client *c)
{
	struct sigaction sa = { .sa_handler = on_interrupt }, old;

	interruptible = c;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < INTERRUPT_SIGNALS; i++)
		sigaddset(&sa.sa_mask, interrupt_signals[i]);
	for (size_t i = 0; i < INTERRUPT_SIGNALS; i++)
		if (sigaction(interrupt_signals[i], NULL, &old) == 0 &&
		    old.sa_handler != SIG_IGN)
			sigaction(interrupt_signals[i], &sa, NULL);
}

/* Before the client is freed, which the handler must not see: from here
 * a signal caught has its default action. */
static void release_interrupts(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old;

	sigemptyset(&dfl.sa_mask);
	for (size_t i = 0; i < INTERRUPT_SIGNALS; i++)
		if (sigaction(interrupt_signals[i], NULL, &old) == 0 &&
		    old.sa_handler == on_interrupt)
			sigaction(interrupt_signals[i], &dfl, NULL);
}

/* -I's reports: --interval-file FILE, else standard output, but for a
 * CSV's rows, which go to standard error: its output is the header and
 * the run's row.  False (said) when FILE cannot be opened. */
static bool intervals_open(const char *path, enum netcopy_format format)
{
	FILE *std = format == NETCOPY_FORMAT_CSV ? stderr : stdout;

	return output_open(&intervals, path, std, format,
			   interval_csv_header());
}

/* Returns 0, or -EIO (said) when a report could not be written. */
static int intervals_close(void)
{
	bool failed = intervals.file && ferror(intervals.file);
	const char *path = intervals.path;

	if (output_close(&intervals) || failed) {
		cli_error("cannot write the interval reports to %s",
			  path ? cli_shown(path) : "the standard stream");
		return -EIO;
	}
	return 0;
}

int main(int argc, const char **argv)
{
	struct args a = { 0 };
	char modes[256], mode_help[400];
	struct poptOption options[] = {
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
	if (a.interval_file && !a.interval)
		cli_usage_error("--interval-file needs -I SECONDS");
	intervals_bidir = a.bidir;
	client = configure(&a);
	if (!output_open(&out, a.output, stdout, format,
			 netcopy_result_csv_header()) ||
	    !intervals_open(a.interval_file, format)) {
		output_close(&out);
		netcopy_client_free(client);
		cli_free_strings();
		poptFreeContext(ctx);
		return EXIT_USAGE;
	}

	catch_interrupts(client);
	err = netcopy_client_run(client, &result);
	if (err)
		cli_error("%s", netcopy_client_detail(client)[0] ?
			  netcopy_client_detail(client) :
			  netcopy_strerror(err));
	else if (netcopy_client_detail(client)[0])	/* a note */
		fprintf(stderr, "netcopy-client: note: %s\n",
			netcopy_client_detail(client));
	if (intervals_close() && !err)
		err = -EIO;
	if (result && output_write(&out, result) && !err)
		err = -EIO;
	output_close(&out);	/* no result: nothing to write */
	netcopy_result_free(result);
	release_interrupts();
	netcopy_client_free(client);
	cli_free_strings();
	poptFreeContext(ctx);
	/* The run refuses a value only the connection could judge (-s
	 * over UDP, IPv4): a usage error all the same. */
	return err == -EINVAL ? EXIT_USAGE : cli_exit_code(err);
}
