/* SPDX-License-Identifier: GPL-2.0-or-later */
/* client.h - what the files of netcopy-client share: the command line
 * read (client-options.c), applied to the library's client
 * (client-configure.c), and where the result and -I's reports go
 * (client-output.c, client-intervals.c); main is netcopy-client.c. */
#ifndef NETCOPY_CLIENT_H
#define NETCOPY_CLIENT_H

#include <popt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

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

/* ---- client-options.c ---- */

/* The names of every mode netcopy has (all) or of those built in, from
 * the library's table, joined by ", " and before the last by last. */
void join_modes(char *buf, size_t cap, bool all, const char *last);
/* Read the command line into *args (the table's strings stay cli.c's):
 * --help, --version and --list-modes exit here, a bad option is a usage
 * error.  Returns popt's context, for poptFreeContext at the end. */
poptContext parse_options(int argc, const char **argv,
			  const struct args **args);

/* ---- client-configure.c ---- */

/* A value the library refused: why, and what it allows. */
void refused(const struct netcopy_client *c, const char *opt,
	     const char *text);
/* A client with every option given applied; a bad one is a usage
 * error. */
struct netcopy_client *configure(const struct args *a);

/* ---- client-output.c ---- */

enum netcopy_format parse_format(const char *text);

/* Where the result goes (-o FILE, appended to, or standard output), or
 * -I's reports (--interval-file FILE, or a standard stream). */
struct output {
	const char *path;		/* NULL: the standard stream */
	FILE *file;
	enum netcopy_format format;
	bool header;			/* the first row needs its header */
};

/* Open FILE (path) before the run, and write a new CSV file's header
 * then; no path: the stream std.  False (said on stderr) when it
 * cannot: the caller frees and exits. */
bool output_open(struct output *o, const char *path, FILE *std,
		 enum netcopy_format format, const char *header);
/* Close -o FILE (if any).  Returns 0 or -errno. */
int output_close(struct output *o);
/* Write the result and close -o FILE (the result on standard output
 * where the file fails).  Returns 0 or -EIO. */
int output_write(struct output *o, const struct netcopy_result *r);

/* ---- client-intervals.c ---- */

/* -I SECONDS: c reports every interval, in the run's format. */
void set_interval(struct netcopy_client *c, const char *text);
/* Where the reports go (bidir: each says its direction).  False (said)
 * when FILE cannot be opened. */
bool intervals_open(const char *path, enum netcopy_format format,
		    bool bidir);
/* Returns 0, or -EIO (said) when a report could not be written. */
int intervals_close(void);

#endif
