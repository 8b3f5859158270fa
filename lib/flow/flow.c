/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* flow.c - a flow's set-up, run and tear-down, the same at the client's
 * end and the server's. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flow/flow.h"

/* How long a stalled peer may block a data connection's send or
 * receive, at either end. */
#define DATA_IO_TIMEOUT_S 30
/* A UDP receiver looks this often whether its sender is done. */
#define RECV_TICK_MS 100

/* A UDP flow receives with a path of its own even for the mode's (the
 * call the mode names), and never waits long for a datagram: an rr
 * asker no longer than --rr-timeout, when the request counts lost. */
static int udp_prepare(const struct netcopy_mode *mode, struct nc_flow *flow)
{
	struct timeval tick = { 0, RECV_TICK_MS * 1000 };
	uint64_t wait_ns = nc_seconds_ns(flow->params->rr_timeout);

	if (flow->params->workload == NC_WORKLOAD_RR && flow->sender)
		tick = (struct timeval){ (time_t)(wait_ns / 1000000000),
			(suseconds_t)(wait_ns % 1000000000 / 1000) };

	if (flow->rx == NC_RX_MODE)
		flow->rx = mode->own_rx;
	nc_seq_init(&flow->seqs);
	if (setsockopt(flow->fd, SOL_SOCKET, SO_RCVTIMEO, &tick,
		       sizeof(tick)))
		return -errno;
	return 0;
}

void nc_flow_init(struct nc_flow *flow, int fd, const struct nc_params *p,
		  uint32_t index, bool client, int first_cpu,
		  const atomic_bool *stop, const atomic_bool *measuring)
{
	memset(flow, 0, sizeof(*flow));
	flow->fd = fd;
	flow->index = index;
	flow->params = p;
	flow->size = p->size;
	flow->verify = p->verify;
	flow->sender = client == nc_client_sends(p);
	flow->stop = stop;
	flow->measuring = measuring;
	flow->cpu = first_cpu >= 0 ?
		    (int)(((unsigned int)first_cpu + index) % nc_cpus()) : -1;
	flow->zc = nc_zc_none;
	flow->rx_zc_mapped = flow->rx_zc_copied = -1;
	flow->sockbuf = nc_sockbufs_none;
	flow->rx = p->rx;
	flow->link_fd = -1;
	flow->udp = nc_udp_none;
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++)
		for (unsigned int i = 0; i < NC_MAX_PMUS; i++)
			flow->counters.fd[ev][i] = -1;
}

unsigned int nc_flow_fds(const struct netcopy_mode *mode, uint8_t proto)
{
	return 1u + (proto == NC_PROTO_UDP) + mode->fds;
}

/* -A: the calling thread runs on this CPU only. */
static int pin_thread(int cpu)
{
	cpu_set_t set;

	if (cpu >= CPU_SETSIZE)
		return -EINVAL;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

void nc_flow_nodelay(const struct nc_flow *flow)
{
	int one = 1;

	setsockopt(flow->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

int nc_flow_prepare(const struct netcopy_mode *mode, struct nc_flow *flow)
{
	int err = nc_set_io_timeout(flow->fd, DATA_IO_TIMEOUT_S);

	if (err)
		return err;
	nc_verifier_init(&flow->verifier, flow->size, flow->index);
	if (flow->params->workload == NC_WORKLOAD_RR) {
		nc_flow_nodelay(flow);
		if (flow->sender) {
			flow->rtt = malloc(sizeof(*flow->rtt));
			if (!flow->rtt)
				return -ENOMEM;
			nc_hist_init(flow->rtt);
		}
	}
	if (flow->cpu >= 0) {
		err = pin_thread(flow->cpu);
		if (err)
			return err;
	}
	err = nc_sockbuf_apply(flow);
	if (err)
		return err;
	nc_pacing_apply(flow);
	if (flow->params->perf)
		nc_counters_open(&flow->counters);
	if (flow->params->proto == NC_PROTO_UDP &&
	    (err = udp_prepare(mode, flow)))
		return err;
	err = mode->prepare(flow);
	if (!err && flow->rx != NC_RX_MODE && nc_flow_receives(flow))
		err = nc_rx_prepare(flow);
	return err;
}

void nc_flow_release(const struct netcopy_mode *mode, struct nc_flow *flow)
{
	nc_rx_release(flow);
	mode->release(flow);
	nc_counters_close(&flow->counters);
}

static int run_workload(const struct netcopy_mode *mode, struct nc_flow *flow)
{
	if (flow->params->proto == NC_PROTO_UDP &&
	    flow->params->workload == NC_WORKLOAD_RR)
		return flow->sender ? nc_udp_rr_ask(mode, flow) :
				      nc_udp_rr_answer(mode, flow);
	if (flow->params->proto == NC_PROTO_UDP)
		return flow->sender ? nc_udp_stream_send(mode, flow) :
				      nc_udp_stream_recv(mode, flow);
	if (flow->params->workload == NC_WORKLOAD_RR)
		return flow->sender ? nc_rr_ask(mode, flow) :
				      nc_rr_answer(mode, flow);
	return flow->sender ? nc_stream_send(mode, flow) :
			      nc_stream_recv(mode, flow);
}

void nc_flow_start(struct nc_flow *flow)
{
	flow->warm = flow->measuring &&
		     !atomic_load_explicit(flow->measuring,
					   memory_order_relaxed);
	flow->cpu_start_us = nc_flow_cpu_now(flow);
	nc_counters_start(&flow->counters);
	if (!flow->warm)
		nc_tcp_flow_begin(&flow->tcp, flow->fd,
				  flow->params->tcp_info);
}

void nc_flow_finish(struct nc_flow *flow)
{
	nc_counters_stop(&flow->counters);
	flow->cpu_us = nc_flow_cpu_now(flow) - flow->cpu_start_us;
	nc_tcp_flow_end(&flow->tcp, flow->fd, flow->params->tcp_info,
			!flow->warm);
	nc_sockbuf_read(flow);
	flow->total_bytes += flow->bytes;
	if (flow->warm) {	/* the warm-up never ended: nothing measured */
		flow->bytes = flow->messages = 0;
		if (flow->udp.measured)
			flow->udp = (struct nc_udp_counts){ .measured = true };
		if (flow->rx_zc_mapped >= 0)
			flow->rx_zc_mapped = flow->rx_zc_copied = 0;
	}
	nc_counters_read(&flow->counters, &flow->counts);
	flow->mismatches = flow->verifier.bad_messages;
}

int nc_flow_run(const struct netcopy_mode *mode, struct nc_flow *flow)
{
	int err;

	nc_flow_start(flow);
	err = run_workload(mode, flow);
	nc_flow_finish(flow);
	nc_flow_release(mode, flow);
	return err;
}
