/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unit-loopback.c - whole runs over 127.0.0.1 through the public API
 * only: a server in a thread, then a client run with --verify for every
 * mode this kernel can send with, three message sizes, both directions.
 * Every run must complete with bytes, no mismatch, and completions for
 * zero-copy.  netcopy_client_stop() ends a long run early, short with
 * its figures, both before it starts and mid-run.  A --bidir run, twice
 * on one client, gives a verified result each way, and reports the
 * progress of both directions.  Skips only when loopback TCP cannot be
 * had.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "netcopy.h"
#include "unit.h"

#define THREADS 2
#define DURATION 0.1
/* A hung run fails the test instead of the whole test suite. */
#define WATCHDOG_S 240

struct server_thread {
	struct netcopy_server *server;
	pthread_t thread;
	int ret;
};

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void server_log(void *data, const char *line)
{
	pthread_mutex_lock(&log_lock);
	printf("server: %s\n", line);
	fflush(stdout);
	pthread_mutex_unlock(&log_lock);
}

static void *serve(void *arg)
{
	struct server_thread *st = arg;

	st->ret = netcopy_server_run(st->server);
	return NULL;
}

/* Check what the result writers make of it: text, CSV under its header
 * (as many commas), one line of JSON. */
static void check_writers(const struct netcopy_result *res, const char *run)
{
	static const enum netcopy_format formats[] = {
		NETCOPY_FORMAT_TEXT, NETCOPY_FORMAT_CSV, NETCOPY_FORMAT_JSON,
	};
	static const char *const format_name[] = { "text", "csv", "json" };

	for (size_t i = 0; i < 3; i++) {
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		int err;

		if (!f)
			unit_error("open_memstream: %s", strerror(errno));
		err = netcopy_result_write(res, f, formats[i],
					   formats[i] == NETCOPY_FORMAT_CSV);
		if (fclose(f))
			unit_error("fclose of a memory stream failed");
		CHECK(err == 0, "%s: write %s returned %d (%s)", run,
		      format_name[i], err, netcopy_strerror(err));
		CHECK(len > 0 && text[len - 1] == '\n',
		      "%s: %s output of %zu bytes does not end a line", run,
		      format_name[i], len);
		if (formats[i] == NETCOPY_FORMAT_CSV && len > 0) {
			const char *header = netcopy_result_csv_header();
			size_t hl = strlen(header), commas = 0, hc = 0;

			CHECK(strncmp(text, header, hl) == 0 &&
			      text[hl] == '\n',
			      "%s: CSV does not start with its header", run);
			for (size_t k = 0; k < hl; k++)
				hc += header[k] == ',';
			for (size_t k = hl + 1; k < len; k++)
				commas += text[k] == ',';
			CHECK(commas == hc, "%s: CSV row has %zu commas, the "
			      "header %zu", run, commas, hc);
		}
		if (formats[i] == NETCOPY_FORMAT_JSON && len > 1)
			CHECK(text[0] == '{' && text[len - 2] == '}' &&
			      memchr(text, '\n', len) == text + len - 1,
			      "%s: JSON is not one object on one line: %s",
			      run, text);
		free(text);
	}
}

static int make_client(struct netcopy_client **out, unsigned int port,
		       const char *mode, uint64_t size, bool reverse)
{
	struct netcopy_client *c;
	int err = netcopy_client_new(&c);

	if (err)
		unit_error("netcopy_client_new: %s", netcopy_strerror(err));
	if ((err = netcopy_client_set_host(c, "127.0.0.1")) ||
	    (err = netcopy_client_set_port(c, port)) ||
	    (err = netcopy_client_set_mode(c, mode)) ||
	    (err = netcopy_client_set_size(c, size)) ||
	    (err = netcopy_client_set_threads(c, THREADS)) ||
	    (err = netcopy_client_set_duration(c, DURATION)) ||
	    (err = netcopy_client_set_reverse(c, reverse)) ||
	    (err = netcopy_client_set_verify(c, true))) {
		netcopy_client_free(c);
		return err;
	}
	*out = c;
	return 0;
}

static void run_one(unsigned int port, const char *mode, uint64_t size,
		    bool reverse)
{
	struct netcopy_client *c;
	struct netcopy_result *res = NULL;
	char run[96];
	bool zc = strcmp(mode, "zero-copy") == 0 ||
		  strcmp(mode, "uring-zc") == 0;
	int err;

	snprintf(run, sizeof(run), "%s size %" PRIu64 "%s", mode, size,
		 reverse ? " reverse" : "");
	err = make_client(&c, port, mode, size, reverse);
	CHECK(err == 0, "%s: a setter returned %d (%s)", run, err,
	      netcopy_strerror(err));
	if (err)
		return;
	err = netcopy_client_run(c, &res);
	CHECK(err == 0, "%s: run returned %d (%s): %s", run, err,
	      netcopy_strerror(err), netcopy_client_detail(c));
	if (!res) {
		CHECK(res != NULL, "%s: no result", run);
		netcopy_client_free(c);
		return;
	}
	printf("%s: %" PRIu64 " bytes, %.3f Gbit/s, %" PRIu64 " mismatches, "
	       "zc %" PRId64 "/%" PRId64 "\n", run, netcopy_result_bytes(res),
	       netcopy_result_gbps(res), netcopy_result_mismatches(res),
	       netcopy_result_zc_completions(res),
	       netcopy_result_zc_copied(res));
	CHECK(netcopy_result_status(res) == 0, "%s: status %d (%s): %s", run,
	      netcopy_result_status(res),
	      netcopy_strerror(netcopy_result_status(res)),
	      netcopy_client_detail(c));
	CHECK(netcopy_result_bytes(res) > 0, "%s: no bytes received", run);
	CHECK(netcopy_result_bytes(res) >= size,
	      "%s: %" PRIu64 " bytes, less than one message", run,
	      netcopy_result_bytes(res));
	CHECK(netcopy_result_gbps(res) > 0, "%s: %g Gbit/s", run,
	      netcopy_result_gbps(res));
	CHECK(netcopy_result_mismatches(res) == 0,
	      "%s: %" PRIu64 " mismatched messages", run,
	      netcopy_result_mismatches(res));
	if (zc) {
		CHECK(netcopy_result_zc_completions(res) > 0,
		      "%s: %" PRId64 " zero-copy completions", run,
		      netcopy_result_zc_completions(res));
		/* uring-zc: -1 where the kernel would not say (< 6.2). */
		CHECK((netcopy_result_zc_copied(res) >= 0 ||
		       strcmp(mode, "uring-zc") == 0) &&
		      netcopy_result_zc_copied(res) <=
		      netcopy_result_zc_completions(res),
		      "%s: %" PRId64 " of %" PRId64 " completions copied", run,
		      netcopy_result_zc_copied(res),
		      netcopy_result_zc_completions(res));
	} else {
		CHECK(netcopy_result_zc_completions(res) == -1 &&
		      netcopy_result_zc_copied(res) == -1,
		      "%s: zero-copy figures %" PRId64 "/%" PRId64 ", want "
		      "-1/-1", run, netcopy_result_zc_completions(res),
		      netcopy_result_zc_copied(res));
	}
	check_writers(res, run);
	netcopy_result_free(res);
	netcopy_client_free(c);
}

/* Progress of a run to stop: the first interval with data stops it. */
static void stop_on_data(void *data, double from, double to,
			 uint64_t bytes, bool warmup)
{
	if (bytes > 0)
		netcopy_client_stop(data);
}

/* netcopy_client_stop() before the run (the run ends at once) or at its
 * first data (mid_run): a 60 s run ends within a few seconds, returns
 * NETCOPY_ESHORT with a short result, and what arrived is verified. */
static void run_stopped(unsigned int port, bool mid_run)
{
	const char *run = mid_run ? "stopped mid-run" : "stopped before";
	struct netcopy_client *c;
	struct netcopy_result *res = NULL;
	struct timespec t0, t1;
	double took;
	int err = make_client(&c, port, "two-copy", 1024, false);

	CHECK(err == 0, "%s: a setter returned %d", run, err);
	if (err)
		return;
	err = netcopy_client_set_duration(c, 60);
	if (!err && mid_run)
		err = netcopy_client_set_progress(c, 0.05, stop_on_data, c);
	if (!err && !mid_run)
		err = netcopy_client_stop(c);
	CHECK(err == 0, "%s: set-up returned %d (%s)", run, err,
	      netcopy_strerror(err));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = netcopy_client_run(c, &res);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	took = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%s: run returned %d after %.3f s: %s\n", run, err, took,
	       netcopy_client_detail(c));
	CHECK(err == NETCOPY_ESHORT, "%s: run returned %d (%s), want %d",
	      run, err, netcopy_strerror(err), NETCOPY_ESHORT);
	/* 60 s asked: far less is the stop, whatever the load. */
	CHECK(took < 30, "%s: the run took %.3f s", run, took);
	CHECK(res && netcopy_result_status(res) == NETCOPY_ESHORT,
	      "%s: result status %d", run,
	      res ? netcopy_result_status(res) : 0);
	if (res && mid_run) {
		CHECK(netcopy_result_bytes(res) > 0, "%s: no bytes", run);
		CHECK(netcopy_result_mismatches(res) == 0,
		      "%s: %" PRIu64 " mismatched messages", run,
		      netcopy_result_mismatches(res));
	}
	netcopy_result_free(res);
	netcopy_client_free(c);
}

/* A message larger than the server allows is refused, with a reason. */
static void run_refused(unsigned int port, uint64_t max_size)
{
	struct netcopy_client *c;
	struct netcopy_result *res = NULL;
	int err = make_client(&c, port, "two-copy", max_size + 1, false);

	CHECK(err == 0, "refusal: a setter returned %d", err);
	if (err)
		return;
	err = netcopy_client_run(c, &res);
	CHECK(err == NETCOPY_EREFUSED, "size %" PRIu64 " over the server's "
	      "%" PRIu64 ": run returned %d (%s), want %d", max_size + 1,
	      max_size, err, netcopy_strerror(err), NETCOPY_EREFUSED);
	CHECK(*netcopy_client_detail(c) != '\0',
	      "refused run without a detail");
	printf("refused as it should be: %s\n", netcopy_client_detail(c));
	if (res)
		netcopy_result_free(res);
	netcopy_client_free(c);
}

static const struct netcopy_client *seen_client;

/* Progress of a --bidir run: the reports of each direction, counted. */
static void count_directions(void *data, double from, double to,
			     uint64_t bytes, bool warmup)
{
	unsigned int *seen = data;
	int reverse = netcopy_client_interval_reverse(seen_client);

	if (reverse == 0 || reverse == 1)
		seen[reverse]++;
	else
		seen[2]++;
}

static void check_direction(const struct netcopy_result *r, const char *run,
			    const char *dir)
{
	CHECK(r && netcopy_result_status(r) == 0, "%s %s: status %d", run,
	      dir, r ? netcopy_result_status(r) : 0);
	CHECK(r && netcopy_result_bytes(r) > 0, "%s %s: no bytes", run, dir);
	CHECK(r && netcopy_result_mismatches(r) == 0,
	      "%s %s: mismatched messages", run, dir);
}

/* --bidir: two verified results, the second freed with the first; -R
 * with it fails, with no result. */
static void run_bidir(unsigned int port)
{
	unsigned int seen[3] = { 0 };
	struct netcopy_client *c;
	struct netcopy_result *res = NULL;
	int err = make_client(&c, port, "two-copy", 1000, false);

	CHECK(err == 0, "bidir: a setter returned %d", err);
	if (err)
		return;
	seen_client = c;
	err = netcopy_client_set_bidir(c, true);
	if (!err)
		err = netcopy_client_set_progress(c, 0.02, count_directions,
						  seen);
	CHECK(err == 0, "bidir: set-up returned %d", err);
	for (int i = 0; i < 2 && !err; i++) {
		err = netcopy_client_run(c, &res);
		CHECK(err == 0, "bidir run %d returned %d (%s): %s", i, err,
		      netcopy_strerror(err), netcopy_client_detail(c));
		check_direction(res, "bidir", "server-sends");
		check_direction(netcopy_result_next(res), "bidir",
				"client-sends");
		CHECK(!netcopy_result_next(netcopy_result_next(res)),
		      "bidir: a third result");
		netcopy_result_free(res);
		res = NULL;
	}
	printf("bidir: %u server-sends and %u client-sends reports\n",
	       seen[0], seen[1]);
	CHECK(seen[0] > 0 && seen[1] > 0 && seen[2] == 0,
	      "bidir: reports %u server-sends, %u client-sends, %u neither",
	      seen[0], seen[1], seen[2]);
	CHECK(netcopy_client_interval_reverse(c) == -ENODATA,
	      "bidir: a direction outside a report");
	CHECK(!netcopy_result_next(NULL), "netcopy_result_next(NULL)");
	netcopy_client_set_reverse(c, true);
	err = netcopy_client_run(c, &res);
	CHECK(err == -EINVAL && !res && *netcopy_client_detail(c),
	      "bidir -R: run returned %d, want %d with a detail", err,
	      -EINVAL);
	netcopy_result_free(res);
	netcopy_client_free(c);
}

int main(void)
{
	static const uint64_t sizes[] = { 1, 1000, 65536 };
	const uint64_t max_size = 1u << 20;
	struct server_thread st = { 0 };
	unsigned int port, modes_run = 0;
	int err;

	alarm(WATCHDOG_S);
	signal(SIGPIPE, SIG_IGN);
	/* As tests/lib.sh: only NETCOPY_TEST_DISABLE_MODES disables modes
	 * here. */
	if (getenv("NETCOPY_TEST_DISABLE_MODES"))
		setenv("NETCOPY_DISABLE_MODES",
		       getenv("NETCOPY_TEST_DISABLE_MODES"), 1);
	else
		unsetenv("NETCOPY_DISABLE_MODES");

	err = netcopy_server_new(&st.server);
	if (err)
		unit_error("netcopy_server_new: %s", netcopy_strerror(err));
	if ((err = netcopy_server_set_bind(st.server, "127.0.0.1")) ||
	    (err = netcopy_server_set_port(st.server, 0)) ||
	    (err = netcopy_server_set_max_size(st.server, max_size)) ||
	    (err = netcopy_server_set_log(st.server, server_log, NULL)))
		unit_error("server setter: %s", netcopy_strerror(err));
	err = netcopy_server_listen(st.server);
	if (err == -EADDRNOTAVAIL || err == -EAFNOSUPPORT ||
	    err == -EPROTONOSUPPORT)
		unit_skip("no loopback TCP here: %s", netcopy_strerror(err));
	if (err)
		unit_error("netcopy_server_listen: %s", netcopy_strerror(err));
	port = netcopy_server_port(st.server);
	CHECK(port > 0 && port < 65536, "listening on port %u", port);
	CHECK(netcopy_server_address(st.server) &&
	      strcmp(netcopy_server_address(st.server), "127.0.0.1") == 0,
	      "listening on \"%s\"", netcopy_server_address(st.server) ?
	      netcopy_server_address(st.server) : "(null)");
	err = pthread_create(&st.thread, NULL, serve, &st);
	if (err)
		unit_error("pthread_create: %s", strerror(err));

	/* Every built mode that sends over TCP (udp.sh runs the rest). */
	for (size_t m = 0; m < netcopy_known_mode_count(); m++) {
		const char *name = netcopy_known_mode(m, NULL), *why = NULL;
		const struct netcopy_mode *mode = netcopy_mode_find(name);

		if (!mode || !strstr(netcopy_known_mode_protos(m), "tcp"))
			continue;
		err = netcopy_mode_probe(mode, &why);
		if (err) {
			printf("%s: not run, this kernel refuses it: %s\n",
			       name, why ? why : "(no reason)");
			CHECK(err == NETCOPY_EUNSUPPORTED && why && *why,
			      "%s: probe returned %d with reason \"%s\"",
			      name, err, why ? why : "(null)");
			continue;
		}
		modes_run++;
		for (size_t s = 0; s < sizeof(sizes) / sizeof(*sizes); s++) {
			run_one(port, name, sizes[s], false);
			run_one(port, name, sizes[s], true);
		}
	}
	CHECK(modes_run >= 2, "only %u modes ran", modes_run);
	run_refused(port, max_size);
	run_stopped(port, false);
	run_stopped(port, true);
	run_bidir(port);

	netcopy_server_stop(st.server);
	err = pthread_join(st.thread, NULL);
	if (err)
		unit_error("pthread_join: %s", strerror(err));
	CHECK(st.ret == 0, "server run returned %d (%s)", st.ret,
	      netcopy_strerror(st.ret));
	netcopy_server_free(st.server);
	return unit_exit("unit-loopback");
}
