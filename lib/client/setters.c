/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * setters.c - a client and its parameters: each setter checks the run's
 * parameters with nc_params_invalid(), the one judge of their ranges,
 * and keeps them only when all are in range.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "internal.h"
#include "client/client.h"
#include "params/params.h"
#include "recv/recv.h"
#include "send/send.h"

NETCOPY_EXPORT int netcopy_client_new(struct netcopy_client **out)
{
	struct netcopy_client *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	strcpy(c->host, "127.0.0.1");
	c->port = 8080;
	c->p = nc_params_defaults;
	nc_params_ask(&c->p, true, NULL, 0);
	c->cpu = -1;
	c->iv_retransmits = -1;
	c->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->stop_fd < 0) {
		free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

NETCOPY_EXPORT int netcopy_client_set_per_flow(struct netcopy_client *c,
					       bool on)
{
	c->per_flow = on;
	return 0;
}

NETCOPY_EXPORT void netcopy_client_free(struct netcopy_client *c)
{
	if (!c)
		return;
	nc_client_free_twin(c);
	close(c->stop_fd);
	nc_secret_clear(&c->secret);
	free(c);
}

/* From a signal handler too: an atomic store and a write(2), and errno
 * kept as it was. */
NETCOPY_EXPORT int netcopy_client_stop(struct netcopy_client *c)
{
	uint64_t one = 1;
	int saved = errno;

	atomic_store(&c->stopped, true);
	nc_client_stop_twin(c);
	if (write(c->stop_fd, &one, sizeof(one)) < 0 && errno != EAGAIN) {
		errno = saved;
		return -EBADF;
	}
	errno = saved;
	return 0;
}

/* Keep p when every parameter is in its range; else -EINVAL, with what
 * is wrong and what is allowed for netcopy_client_detail(). */
static int keep(struct netcopy_client *c, const struct nc_params *p)
{
	const struct nc_param *bad = nc_params_invalid(p);
	char range[96];

	if (bad) {
		nc_param_range(bad, range, sizeof(range));
		return fail(c, -EINVAL, "%s (expected %s)", bad->why, range);
	}
	c->p = *p;
	return 0;
}

NETCOPY_EXPORT int netcopy_client_set_host(struct netcopy_client *c,
					   const char *host)
{
	if (!host || !*host || strlen(host) >= sizeof(c->host))
		return -EINVAL;
	strcpy(c->host, host);
	return 0;
}

NETCOPY_EXPORT int netcopy_client_set_port(struct netcopy_client *c,
					   unsigned int port)
{
	if (port < 1 || port > 65535)
		return -EINVAL;
	c->port = port;
	return 0;
}

NETCOPY_EXPORT int netcopy_client_set_mode(struct netcopy_client *c,
					   const char *name)
{
	const struct netcopy_mode *mode = netcopy_mode_find(name);

	if (!mode)
		return nc_mode_exists(name) ? NETCOPY_EUNSUPPORTED : -EINVAL;
	snprintf(c->p.mode, sizeof(c->p.mode), "%s", mode->name);
	return 0;
}

NETCOPY_EXPORT int netcopy_client_set_size(struct netcopy_client *c,
					   uint64_t size)
{
	struct nc_params p = c->p;

	p.size = size;
	return keep(c, &p);
}

NETCOPY_EXPORT int netcopy_client_set_threads(struct netcopy_client *c,
					      unsigned int threads)
{
	struct nc_params p = c->p;

	p.threads = threads;
	return keep(c, &p);
}

NETCOPY_EXPORT int netcopy_client_set_duration(struct netcopy_client *c,
					       double seconds)
{
	struct nc_params p = c->p;

	p.duration = seconds;
	return keep(c, &p);
}

NETCOPY_EXPORT int netcopy_client_set_reverse(struct netcopy_client *c,
					      bool reverse)
{
	c->p.reverse = reverse;
	return 0;
}

NETCOPY_EXPORT int netcopy_client_set_bidir(struct netcopy_client *c,
					    bool bidir)
{
	c->bidir = bidir;
	return 0;
}

NETCOPY_EXPORT int netcopy_client_set_verify(struct netcopy_client *c,
					     bool verify)
{
	c->p.verify = verify;
	return 0;
}

NETCOPY_EXPORT int netcopy_client_set_workload(struct netcopy_client *c,
					       const char *workload)
{
	if (workload && strcmp(workload, "stream") == 0)
		c->p.workload = NC_WORKLOAD_STREAM;
	else if (workload && strcmp(workload, "rr") == 0)
		c->p.workload = NC_WORKLOAD_RR;
	else
		return -EINVAL;
	return 0;
}

NETCOPY_EXPORT int netcopy_client_set_warmup(struct netcopy_client *c,
					     double seconds)
{
	struct nc_params p = c->p;

	p.warmup = seconds;
	return keep(c, &p);
}

NETCOPY_EXPORT int netcopy_client_set_affinity(struct netcopy_client *c,
					       int client_cpu, int server_cpu)
{
	struct nc_params p = c->p;
	int err;

	/* The client's own CPU is this machine's; the server's, the
	 * hello's parameter. */
	if (client_cpu < -1 || client_cpu >= CPU_SETSIZE)
		return fail(c, -EINVAL, "client CPU out of range (expected "
			    "-1 to %d)", CPU_SETSIZE - 1);
	p.cpu = server_cpu;
	err = keep(c, &p);
	if (!err)
		c->cpu = client_cpu;
	return err;
}

NETCOPY_EXPORT int netcopy_client_set_progress(struct netcopy_client *c,
					       double interval,
					       netcopy_progress_fn fn,
					       void *data)
{
	/* 0 is off; a shorter interval than the minimum would print
	 * more lines than anyone reads, each too short to mean much. */
	if (interval != 0 && !(interval >= NETCOPY_MIN_SECONDS &&
			       interval <= NC_MAX_DURATION_S))
		return fail(c, -EINVAL, "progress interval out of range "
			    "(expected %g to %g seconds, or 0: none)",
			    NETCOPY_MIN_SECONDS, NC_MAX_DURATION_S);
	if (interval > 0 && !fn)
		return fail(c, -EINVAL, "progress reports without a function");
	c->interval = interval;
	c->progress = fn;
	c->progress_data = data;
	return 0;
}

NETCOPY_EXPORT int netcopy_client_set_perf(struct netcopy_client *c,
					   bool perf)
{
	c->p.perf = perf;
	return 0;
}

NETCOPY_EXPORT int netcopy_client_set_qd(struct netcopy_client *c,
					 unsigned int qd)
{
	struct nc_params p = c->p;

	p.qd = qd;
	return keep(c, &p);
}

NETCOPY_EXPORT int netcopy_client_set_fixed_buffers(struct netcopy_client *c,
						    bool fixed)
{
	if (fixed && !mode_of(c)->fixed_buffers)
		return -EINVAL;
	c->p.fixed_buffers = fixed;
	return 0;
}

NETCOPY_EXPORT int netcopy_client_set_rx(struct netcopy_client *c,
					 const char *rx)
{
	struct nc_params p = c->p;
	const char *why;

	/* "mode" is the default's name inside; callers leave rx unset. */
	if (!rx || strcmp(rx, "mode") == 0 || nc_rx_parse(rx, &p.rx))
		return -EINVAL;
	if (nc_rx_probe(p.rx, &why))
		return NETCOPY_EUNSUPPORTED;
	return keep(c, &p);
}

NETCOPY_EXPORT int netcopy_client_set_proto(struct netcopy_client *c,
					    const char *proto)
{
	struct nc_params p = c->p;

	if (nc_proto_parse(proto, &p.proto))
		return -EINVAL;
	return keep(c, &p);
}

NETCOPY_EXPORT int
netcopy_client_set_socket_buffers(struct netcopy_client *c, uint64_t sndbuf,
				  uint64_t rcvbuf)
{
	struct nc_params p = c->p;

	p.sndbuf = sndbuf;
	p.rcvbuf = rcvbuf;
	return keep(c, &p);
}

NETCOPY_EXPORT int netcopy_client_set_rate(struct netcopy_client *c,
					   uint64_t bits_per_second)
{
	struct nc_params p = c->p;

	p.rate = bits_per_second;
	return keep(c, &p);
}

NETCOPY_EXPORT int netcopy_client_set_rx_size(struct netcopy_client *c,
					      uint64_t bytes)
{
	struct nc_params p = c->p;

	p.rx_size = bytes;
	return keep(c, &p);
}

NETCOPY_EXPORT int netcopy_client_set_batch(struct netcopy_client *c,
					    unsigned int batch)
{
	struct nc_params p = c->p;

	p.batch = batch;
	return keep(c, &p);
}

NETCOPY_EXPORT int
netcopy_client_set_gso_segments(struct netcopy_client *c,
				unsigned int segments)
{
	struct nc_params p = c->p;

	p.gso_segments = segments;
	return keep(c, &p);
}

NETCOPY_EXPORT int netcopy_client_set_rr_timeout(struct netcopy_client *c,
						 double seconds)
{
	struct nc_params p = c->p;

	p.rr_timeout = seconds;
	return keep(c, &p);
}

NETCOPY_EXPORT int netcopy_client_set_flows(struct netcopy_client *c,
					    unsigned int flows)
{
	struct nc_params p = c->p;

	if (!flows)
		return fail(c, -EINVAL, "flows out of range (--flows) "
			    "(expected 1 to %u)", NC_MAX_FLOWS);
	p.flows = flows;
	return keep(c, &p);
}

NETCOPY_EXPORT int
netcopy_client_interval_retransmits(const struct netcopy_client *c,
				    uint64_t *retransmits)
{
	if (c->iv_retransmits < 0)
		return -ENODATA;
	*retransmits = (uint64_t)c->iv_retransmits;
	return 0;
}

NETCOPY_EXPORT int
netcopy_client_interval_reverse(const struct netcopy_client *c)
{
	return c->in_report ? c->iv_reverse : -ENODATA;
}

NETCOPY_EXPORT const char *netcopy_client_detail(const struct netcopy_client *c)
{
	return c->detail;
}
