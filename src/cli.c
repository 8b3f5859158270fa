/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.c - option checks and error reporting for the front ends. */
#include <popt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "netcopy.h"

const char *cli_program = "netcopy";

void cli_init(const char *program)
{
	struct rlimit rl;

	cli_program = program;
	/* A peer that goes away is an error to report, not a death. */
	signal(SIGPIPE, SIG_IGN);
	/* A connection is a descriptor: take all the hard limit allows
	 * (Debian's soft 1024 is less than a -t 1024 run needs). */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void vreport(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", cli_program);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
}

void cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	exit(EXIT_USAGE);
}

const char *cli_shown(const char *text)
{
	static char slot[4][CLI_SHOWN + 4];
	static unsigned int next;
	size_t n = CLI_SHOWN;
	char *buf;

	if (strlen(text) <= CLI_SHOWN)
		return text;
	while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
		n--;		/* not inside a UTF-8 character */
	buf = slot[next++ % 4];
	memcpy(buf, text, n);
	strcpy(buf + n, "...");
	return buf;
}

int cli_exit_code(int err)
{
	switch (err) {
	case 0:
		return EXIT_OK;
	case NETCOPY_EVERIFY:
		return EXIT_VERIFY;
	case NETCOPY_EUNSUPPORTED:
		return EXIT_UNSUPPORTED;
	default:
		return EXIT_RUNTIME;
	}
}

/* Digits only: no sign, no suffix, no spaces. */
static int parse_count(const char *text, uint64_t *v)
{
	if (!text || text[0] < '0' || text[0] > '9' ||
	    text[strspn(text, "0123456789")] != '\0')
		return -1;
	return netcopy_parse_size(text, v);
}

unsigned int cli_port(const char *opt, const char *text, unsigned int min)
{
	uint64_t v;

	if (parse_count(text, &v) || v < min || v > 65535)
		cli_usage_error("invalid %s '%s' (expected %u-65535)", opt,
				cli_shown(text), min);
	return (unsigned int)v;
}

uint64_t cli_number(const char *opt, const char *text)
{
	uint64_t v;

	if (parse_count(text, &v))
		cli_usage_error("invalid %s '%s' (expected a whole number)",
				opt, cli_shown(text));
	return v;
}

unsigned int cli_count(const char *opt, const char *text, unsigned int min,
		       unsigned int max)
{
	uint64_t v = cli_number(opt, text);

	if (v < min || v > max)
		cli_usage_error("invalid %s '%s' (expected %u-%u)", opt,
				cli_shown(text), min, max);
	return (unsigned int)v;
}

uint64_t cli_bytes(const char *opt, const char *text)
{
	uint64_t v;

	if (netcopy_parse_size(text, &v))
		cli_usage_error("invalid %s '%s' (expected a number of bytes; "
				"K, M and G suffixes are 1024-based)", opt,
				cli_shown(text));
	return v;
}

uint64_t cli_size(const char *opt, const char *text, uint64_t min,
		  uint64_t max)
{
	uint64_t v = cli_bytes(opt, text);

	if (v < min || v > max)
		cli_usage_error("invalid %s '%s' (expected %llu to %llu bytes; "
				"K, M and G suffixes are 1024-based)", opt,
				cli_shown(text), (unsigned long long)min,
				(unsigned long long)max);
	return v;
}

double cli_secs(const char *opt, const char *text)
{
	double v;

	if (netcopy_parse_seconds(text, &v))
		cli_usage_error("invalid %s '%s' (expected a number of "
				"seconds)", opt, cli_shown(text));
	return v;
}

double cli_seconds(const char *opt, const char *text, double max)
{
	double v = cli_secs(opt, text);

	if (!(v >= NETCOPY_MIN_SECONDS && v <= max))
		cli_usage_error("invalid %s '%s' (expected %g to %.15g "
				"seconds)", opt, cli_shown(text),
				NETCOPY_MIN_SECONDS, max);
	return v;
}

static void help(poptContext ctx, enum poptCallbackReason reason,
		 const struct poptOption *opt, const char *arg,
		 const void *data)
{
	if (opt->val == 'u')
		poptPrintUsage(ctx, stdout, 0);
	else
		poptPrintHelp(ctx, stdout, 0);
	poptFreeContext(ctx);
	exit(EXIT_OK);
}

struct poptOption cli_help_options[] = {
	{ NULL, '\0', POPT_ARG_CALLBACK, (void *)help, 0, NULL, NULL },
	{ "help", 'h', POPT_ARG_NONE, NULL, 'h',
	  "Show this help message", NULL },
	{ NULL, '?', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, NULL, 'h',
	  NULL, NULL },
	{ "usage", '\0', POPT_ARG_NONE, NULL, 'u',
	  "Display brief usage message", NULL },
	POPT_TABLEEND
};

void cli_parse(poptContext ctx)
{
	int rc;

	while ((rc = poptGetNextOpt(ctx)) > 0)
		;
	if (rc < -1)
		cli_usage_error("%s: %s", cli_shown(poptBadOption(ctx,
				POPT_BADOPTION_NOALIAS)), poptStrerror(rc));
	if (poptPeekArg(ctx))
		cli_usage_error("unexpected argument '%s'",
				cli_shown(poptPeekArg(ctx)));
}

void cli_version(poptContext ctx)
{
	printf("%s %s\n", cli_program, netcopy_version());
	poptFreeContext(ctx);
	exit(EXIT_OK);
}

void cli_list_modes(poptContext ctx)
{
	for (size_t i = 0; i < netcopy_known_mode_count(); i++) {
		const char *why, *name = netcopy_known_mode(i, &why);
		const struct netcopy_mode *mode = netcopy_mode_find(name);

		if (!mode)
			printf("%s\tnot-built\t%s\n", name, why);
		else if (netcopy_mode_probe(mode, &why))
			printf("%s\tno\t%s\n", name, why);
		else
			printf("%s\tyes\t%s\n", name,
			       netcopy_mode_summary(mode));
	}
	poptFreeContext(ctx);
	exit(EXIT_OK);
}
