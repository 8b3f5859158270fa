/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.c - option checks and error reporting for the front ends. */
#include <errno.h>
#include <fcntl.h>
#include <popt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* The string options' values, every one given. */
static struct {
	char **v;
	size_t n, cap;
} strings;

void cli_keep_string(poptContext ctx, enum poptCallbackReason reason,
		     const struct poptOption *opt, const char *arg,
		     const void *data)
{
	char **v;

	if (reason != POPT_CALLBACK_REASON_OPTION || !opt->arg ||
	    (opt->argInfo & POPT_ARG_MASK) != POPT_ARG_STRING)
		return;
	if (strings.n == strings.cap) {
		strings.cap = strings.cap ? 2 * strings.cap : 16;
		v = realloc(strings.v, strings.cap * sizeof(*v));
		if (!v)
			cli_usage_error("out of memory");
		strings.v = v;
	}
	strings.v[strings.n++] = *(char **)opt->arg;
}

void cli_free_strings(void)
{
	while (strings.n)
		free(strings.v[--strings.n]);
	free(strings.v);
	strings.v = NULL;
	strings.cap = 0;
}

void cli_wipe(void *buf, size_t len)
{
	volatile unsigned char *p = buf;

	while (len--)
		*p++ = 0;
}

/* Up to cap bytes of fd; -1 on a read error. */
static ssize_t read_up_to(int fd, unsigned char *buf, size_t cap)
{
	size_t got = 0;

	while (got < cap) {
		ssize_t n = read(fd, buf + got, cap - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* The secret's bytes, the one line's: without its newline (\n or
 * \r\n); 0 when another line or a NUL follows. */
static size_t secret_line(const unsigned char *buf, size_t n)
{
	const unsigned char *nl = memchr(buf, '\n', n);
	size_t len = nl ? (size_t)(nl - buf) : n;

	if (nl && (size_t)(nl - buf) + 1 != n)
		return 0;
	if (len && buf[len - 1] == '\r')
		len--;
	return memchr(buf, '\0', len) || memchr(buf, '\r', len) ? 0 : len;
}

size_t cli_auth_file(const char *path, unsigned char *key)
{
	unsigned char buf[NETCOPY_MAX_SECRET + 3];
	const char *shown = cli_shown(path);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	ssize_t n;
	size_t len;

	if (fd < 0)
		cli_usage_error("cannot read --auth-file %s: %s", shown,
				strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		cli_usage_error("--auth-file %s: not a regular file", shown);
	/* As ssh judges a private key: a file of one's own must be one's
	 * own alone; one another user owns (root granting read access by
	 * an ACL, as systemd's LoadCredential= does) is theirs to guard. */
	if (st.st_uid == geteuid() && (st.st_mode & (S_IRWXG | S_IRWXO)))
		cli_usage_error("--auth-file %s: group or others have access "
				"to it (mode %04o): chmod 600 it", shown,
				(unsigned int)(st.st_mode & 07777));
	n = read_up_to(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		cli_usage_error("cannot read --auth-file %s: %s", shown,
				strerror(errno));
	if (n == 0)
		cli_usage_error("--auth-file %s is empty", shown);
	len = secret_line(buf, (size_t)n);
	if (!len)
		cli_usage_error("--auth-file %s: not one line of secret", shown);
	if (len < NETCOPY_MIN_SECRET || len > NETCOPY_MAX_SECRET)
		cli_usage_error("--auth-file %s: a secret of %s%zu bytes "
				"(expected %u to %u; e.g. 64 hex digits)",
				shown, len > NETCOPY_MAX_SECRET ? "over " : "",
				len > NETCOPY_MAX_SECRET ? NETCOPY_MAX_SECRET :
				len, NETCOPY_MIN_SECRET, NETCOPY_MAX_SECRET);
	memcpy(key, buf, len);
	cli_wipe(buf, sizeof(buf));
	return len;
}

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

/* NAME, yes|no|not-built, the summary or reason, then the protocols
 * ("tcp,udp"): a fourth field, so that readers of the first three
 * still work. */
void cli_list_modes(poptContext ctx)
{
	for (size_t i = 0; i < netcopy_known_mode_count(); i++) {
		const char *why, *name = netcopy_known_mode(i, &why);
		const struct netcopy_mode *mode = netcopy_mode_find(name);
		const char *state = "not-built";

		if (mode && netcopy_mode_probe(mode, &why))
			state = "no";
		else if (mode) {
			state = "yes";
			why = netcopy_mode_summary(mode);
		}
		printf("%s\t%s\t%s\t%s\n", name, state, why,
		       netcopy_known_mode_protos(i));
	}
	poptFreeContext(ctx);
	exit(EXIT_OK);
}
