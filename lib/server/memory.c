/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memory.c - the server's memory budgets, charged as data connections
 * attach (a hello reserves nothing) and given back when the run ends:
 * --max-memory across runs, --max-memory-per-host for the runs of one
 * host (host.c), and --max-pinned for the pages the kernel pins (the
 * send rings of the zero-copy modes, registered with --fixed-buffers or
 * pinned send by send, which the kernel also charges to RLIMIT_MEMLOCK
 * of a user without CAP_IPC_LOCK).  A run's share is a thread's: with
 * --flows above -t its flows share the thread's buffers, an io_uring
 * thread's the pool of slots they borrow from.
 */
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "server/server.h"
#include "flow/flow.h"
#include "recv/recv.h"
#include "send/send.h"

/* --max-pinned's default, when half of --max-memory is more. */
#define DEFAULT_MAX_PINNED (256ULL << 20)

enum { B_MEMORY, B_HOST, B_PINNED, B_COUNT };

/* One budget as a data connection of a run sees it. */
struct budget {
	const char *what;	/* what it counts, for the reason */
	const char *option;	/* what sets it */
	uint64_t limit, used, need;
};

bool nc_server_budgets(struct netcopy_server *srv)
{
	uint64_t half = srv->max_memory / 2;
	struct rlimit rl;

	srv->host_limit = srv->max_memory_per_host ? srv->max_memory_per_host :
			  half ? half : 1;
	srv->pinned_limit = srv->max_pinned ? srv->max_pinned :
			    half < DEFAULT_MAX_PINNED ? half :
			    DEFAULT_MAX_PINNED;
	srv->pinned_option = "--max-pinned";
	/* The kernel holds a user without root to RLIMIT_MEMLOCK.  Pages
	 * sent with MSG_ZEROCOPY or SEND_ZC are pinned only while in
	 * flight, and past the limit the send falls back (ENOBUFS, counted
	 * in ZcEnobufs); a registered ring (--fixed-buffers) is pinned
	 * whole for the run, so a run that cannot register it is better
	 * refused at once, with the reason. */
	srv->memlock_limit = 0;
	if (geteuid() != 0 && getrlimit(RLIMIT_MEMLOCK, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY)
		srv->memlock_limit = rl.rlim_cur;
	/* Said only when asked for: by default the limit is the kernel's
	 * business, and a server started as a user need not complain. */
	return srv->max_pinned && srv->memlock_limit &&
	       srv->memlock_limit < srv->pinned_limit;
}

/* A thread's send ring: with --flows above -t, where one ring serves
 * the thread's flows (io_uring), the pool of slots they share. */
static uint64_t ring_memory(const struct netcopy_mode *mode,
			    const struct nc_params *h, uint32_t depth)
{
	uint32_t flows = nc_params_flows(h);

	if (flows > h->threads && mode->ring_group)
		return mode->ring_group->memory(h->size, h->qd,
			nc_group_size(flows, h->threads, 0));
	return mode->memory(h->size, depth);
}

/* A data connection's buffers, and of them what the kernel pins: the
 * ring of a zero-copy mode when the server sends (it answers in rr). */
void nc_run_shares(struct run *run)
{
	const struct nc_params *h = &run->params;
	bool rr = h->workload == NC_WORKLOAD_RR;
	uint32_t depth = h->proto == NC_PROTO_UDP ? h->batch : h->qd;
	uint64_t ring = ring_memory(run->mode, h, depth);
	/* A UDP receiver reads with a path of its own even for the
	 * mode's call (flow.c). */
	uint8_t rx = h->proto == NC_PROTO_UDP && h->rx == NC_RX_MODE ?
		     run->mode->own_rx : h->rx;

	run->share = ring * (rr ? 2 : 1) + nc_rx_memory(rx, h->size) +
		     nc_rx_size_memory(h);
	run->pinned_share = run->mode->zero_copy &&
			    (!nc_client_sends(h) || rr) ? ring : 0;
}

/* What the run's host has charged, all its runs together. */
static uint64_t host_charged_locked(struct netcopy_server *srv,
				    const struct run *run)
{
	uint64_t sum = 0;

	for (struct run *r = srv->runs; r; r = r->next)
		if (nc_host_equal(&r->host, &run->host))
			sum += r->charged;
	return sum;
}

static void fill_budgets(struct netcopy_server *srv, const struct run *run,
			 struct budget b[B_COUNT], bool locked)
{
	b[B_MEMORY] = (struct budget){ "buffers", "--max-memory",
				       srv->max_memory, 0, run->share };
	b[B_HOST] = (struct budget){ "buffers for one host",
				     "--max-memory-per-host", srv->host_limit,
				     0, run->share };
	b[B_PINNED] = (struct budget){ "pinned memory", srv->pinned_option,
				       srv->pinned_limit, 0,
				       run->pinned_share };
	if (!locked)
		return;
	b[B_MEMORY].used = srv->committed;
	b[B_HOST].used = host_charged_locked(srv, run);
	b[B_PINNED].used = srv->pinned;
}

static unsigned long long mib(uint64_t bytes)
{
	return (unsigned long long)((bytes + (1 << 20) - 1) >> 20);
}

int nc_run_admit_memory(struct netcopy_server *srv, const struct run *run,
			char reason[NC_REASON_MAX])
{
	struct budget b[B_COUNT];

	fill_budgets(srv, run, b, false);
	for (int i = 0; i < B_COUNT; i++) {
		uint64_t need = b[i].need * run->params.threads;

		if (need <= b[i].limit)
			continue;
		snprintf(reason, NC_REASON_MAX, "run needs %llu MiB of %s, "
			 "above this server's %llu MiB (%s)", mib(need),
			 b[i].what, mib(b[i].limit), b[i].option);
		return NETCOPY_EREFUSED;
	}
	if (srv->memlock_limit && run->params.fixed_buffers &&
	    run->pinned_share * run->params.threads > srv->memlock_limit) {
		snprintf(reason, NC_REASON_MAX, "run needs %llu MiB of "
			 "registered buffers, above RLIMIT_MEMLOCK (%llu MiB) "
			 "of a server without root",
			 mib(run->pinned_share * run->params.threads),
			 mib(srv->memlock_limit));
		return NETCOPY_EREFUSED;
	}
	return 0;
}

int nc_run_charge_locked(struct netcopy_server *srv, struct run *run)
{
	struct budget b[B_COUNT];

	fill_budgets(srv, run, b, true);
	for (int i = 0; i < B_COUNT; i++) {
		if (b[i].used <= b[i].limit &&
		    b[i].need <= b[i].limit - b[i].used)
			continue;
		snprintf(run->refusal, sizeof(run->refusal), "a data "
			 "connection needs %llu MiB of %s, server has %llu of "
			 "%llu MiB in use (%s)", mib(b[i].need), b[i].what,
			 mib(b[i].used), mib(b[i].limit), b[i].option);
		return NETCOPY_EREFUSED;
	}
	srv->committed += run->share;
	srv->pinned += run->pinned_share;
	run->charged += run->share;
	run->pinned += run->pinned_share;
	return 0;
}

void nc_run_uncharge_locked(struct netcopy_server *srv, struct run *run)
{
	srv->committed -= run->charged;
	srv->pinned -= run->pinned;
	run->charged = run->pinned = 0;
}
