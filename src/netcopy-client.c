/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netcopy-client - run one measurement against a netcopy-server: a thin
 * popt front end over libnetcopy's client.  Here main and the signals;
 * client.h says where the rest is. */
#include <errno.h>
#include <popt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "client.h"
#include "netcopy.h"

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

int main(int argc, const char **argv)
{
	const struct args *a;
	struct netcopy_result *result = NULL;
	struct netcopy_client *client;
	struct output out;
	enum netcopy_format format;
	poptContext ctx;
	int err;

	cli_init("netcopy-client");
	ctx = parse_options(argc, argv, &a);
	format = parse_format(a->format);
	if (a->interval_file && !a->interval)
		cli_usage_error("--interval-file needs -I SECONDS");
	client = configure(a);
	if (!output_open(&out, a->output, stdout, format,
			 netcopy_result_csv_header()) ||
	    !intervals_open(a->interval_file, format, a->bidir)) {
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
