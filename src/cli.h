/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.h - what the two front ends share: exit codes and option checks. */
#ifndef NETCOPY_CLI_H
#define NETCOPY_CLI_H

#include <popt.h>
#include <stdint.h>

enum cli_exit {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1,	/* runtime or peer error */
	EXIT_USAGE = 2,		/* bad option or value */
	EXIT_VERIFY = 3,	/* received data did not match */
	EXIT_UNSUPPORTED = 4,	/* mode not supported here or by the server */
};

/* The program's name for messages, set once by cli_init(). */
extern const char *cli_program;

void cli_init(const char *program);
/* Print "program: message" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the usage error and exit with EXIT_USAGE. */
void cli_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
/* text as messages show it: at most CLI_SHOWN bytes of it, then "...",
 * so that a huge argument cannot drown its line.  The last four stay
 * valid. */
#define CLI_SHOWN 40
const char *cli_shown(const char *text);
/* The exit code for a library error. */
int cli_exit_code(int err);
/* Parsers that exit with EXIT_USAGE on bad input, naming the option. */
unsigned int cli_port(const char *opt, const char *text, unsigned int min);
/* For values the library judges: the form only (digits; a size with an
 * optional K, M or G; non-negative seconds). */
uint64_t cli_number(const char *opt, const char *text);
uint64_t cli_bytes(const char *opt, const char *text);
double cli_secs(const char *opt, const char *text);
/* For the front end's own settings: the form and a range. */
uint64_t cli_size(const char *opt, const char *text, uint64_t min,
		  uint64_t max);
/* NETCOPY_MIN_SECONDS to max. */
double cli_seconds(const char *opt, const char *text, double max);
unsigned int cli_count(const char *opt, const char *text, unsigned int min,
		       unsigned int max);

/* The help options, as popt's POPT_AUTOHELP with -h for --help too (-?
 * still works): print on stdout and exit 0. */
extern struct poptOption cli_help_options[];
#define CLI_AUTOHELP { NULL, '\0', POPT_ARG_INCLUDE_TABLE, cli_help_options, \
		       0, "Help options:", NULL },

/* First in an option table whose string options (POPT_ARG_STRING) are
 * to be kept: popt allocates each string given and drops the one before
 * when an option is repeated, so cli.c keeps them all, for
 * cli_free_strings() to free.  The table's strings are then cli.c's:
 * free none of them. */
void cli_keep_string(poptContext ctx, enum poptCallbackReason reason,
		     const struct poptOption *opt, const char *arg,
		     const void *data);
#define CLI_KEEP_STRINGS { NULL, '\0', POPT_ARG_CALLBACK, \
			   (void *)cli_keep_string, 0, NULL, NULL },
/* Free every string option given (those of CLI_KEEP_STRINGS tables). */
void cli_free_strings(void);

/* --auth-file: the shared secret in path (one line, its newline not
 * part of it) into key (NETCOPY_MAX_SECRET bytes); its length.  A file
 * that cannot be read, of one's own that group or others may use (as
 * ssh judges a private key), of more than one line, or holding fewer
 * than NETCOPY_MIN_SECRET bytes is a usage error. */
size_t cli_auth_file(const char *path, unsigned char *key);
/* Wipe a secret read (it held the key). */
void cli_wipe(void *buf, size_t len);

/* Read every option; a bad one or a stray argument is a usage error. */
void cli_parse(poptContext ctx);
/* --version: print "program VERSION" and exit 0. */
void cli_version(poptContext ctx) __attribute__((noreturn));

/* --list-modes: every mode, a line each, "NAME<tab>STATE<tab>TEXT" with
 * STATE yes (TEXT: what it does), no (TEXT: why this kernel or
 * environment cannot run it) or not-built (TEXT: why); exit 0. */
void cli_list_modes(poptContext ctx) __attribute__((noreturn));

#endif
