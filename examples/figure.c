/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * figure.c - an example of libnetcopy's figures: one short verified
 * run against a netcopy server, written as CSV, then every numeric
 * figure of it, or those named, read back by column name.
 *
 *   cc -o figure figure.c $(pkg-config --cflags --libs netcopy)
 *   ./figure 127.0.0.1 8080                  every numeric column
 *   ./figure 127.0.0.1 8080 Latency_us ...   the columns named
 *
 * After the CSV header and row, one line a figure: its name, its value
 * (%.17g) and its unit, or its name and NA when the run did not measure
 * it.  Exit 0, 1 when the run fails, 2 for bad arguments (a column that
 * is no column, or a text column).
 */
#include <errno.h>
#include <netcopy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Print one figure; 0, or -errno for a name that has none. */
static int print_figure(const struct netcopy_result *result,
			const char *name, const char *unit)
{
	double value;
	int err = netcopy_result_figure(result, name, &value);

	if (err == -ENODATA)
		printf("%s NA\n", name);
	else if (err == 0)
		printf("%s %.17g %s\n", name, value, unit);
	return err == -ENODATA ? 0 : err;
}

/* The unit of the column name, "" if there is none by that name. */
static const char *unit_of(const char *name)
{
	for (size_t i = 0; i < netcopy_column_count(); i++) {
		const struct netcopy_column *c = netcopy_column_at(i);

		if (strcmp(netcopy_column_name(c), name) == 0)
			return netcopy_column_unit(c);
	}
	return "";
}

static int print_figures(const struct netcopy_result *result, int argc,
			 char **argv)
{
	int err;

	if (argc == 0) {
		for (size_t i = 0; i < netcopy_column_count(); i++) {
			const struct netcopy_column *c = netcopy_column_at(i);

			/* -EINVAL: a text column, in the CSV row only. */
			print_figure(result, netcopy_column_name(c),
				     netcopy_column_unit(c));
		}
		return 0;
	}
	for (int i = 0; i < argc; i++) {
		err = print_figure(result, argv[i], unit_of(argv[i]));
		if (err) {
			fprintf(stderr, "figure: %s: %s\n", argv[i],
				err == -ENOENT ? "no such column" :
				err == -EINVAL ? "a text column, not a figure" :
				netcopy_strerror(err));
			return 2;
		}
	}
	return 0;
}

static int run(const char *host, unsigned int port,
	       struct netcopy_result **result)
{
	struct netcopy_client *client;
	int err = netcopy_client_new(&client);

	if (err)
		return err;
	err = netcopy_client_set_host(client, host);
	if (!err)
		err = netcopy_client_set_port(client, port);
	if (!err)
		err = netcopy_client_set_duration(client, 0.5);
	if (!err)
		err = netcopy_client_set_verify(client, true);
	if (!err)
		err = netcopy_client_run(client, result);
	if (err)
		fprintf(stderr, "figure: %s (%s)\n", netcopy_strerror(err),
			netcopy_client_detail(client));
	netcopy_client_free(client);
	return err;
}

int main(int argc, char **argv)
{
	struct netcopy_result *result = NULL;
	char *end;
	unsigned long port;
	int status;

	if (argc < 3) {
		fprintf(stderr, "usage: figure HOST PORT [COLUMN...]\n");
		return 2;
	}
	port = strtoul(argv[2], &end, 10);
	if (*end || !*argv[2] || port > 65535) {
		fprintf(stderr, "figure: %s: not a port\n", argv[2]);
		return 2;
	}
	if (run(argv[1], (unsigned int)port, &result)) {
		netcopy_result_free(result);
		return 1;
	}
	if (netcopy_result_write(result, stdout, NETCOPY_FORMAT_CSV, true))
		status = 1;
	else
		status = print_figures(result, argc - 3, argv + 3);
	netcopy_result_free(result);
	return status;
}
