/* SPDX-License-Identifier: GPL-2.0-or-later */
/* client-configure.c - apply netcopy-client's options to the library's
 * client: its setters, and the checks of what only the front end
 * knows. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client.h"
#include "netcopy.h"

static void mode_usage_error(const char *name)
{
	char list[256];

	join_modes(list, sizeof(list), false, ", ");
	cli_usage_error("unknown mode '%s' (this build has: %s)",
			cli_shown(name), list);
}

/* A value the library refused: why, and what it allows. */
void refused(const struct netcopy_client *c, const char *opt,
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

struct netcopy_client *configure(const struct args *a)
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
