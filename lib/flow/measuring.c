/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* measuring.c - the end of a flow's warm-up: every figure starts
 * afresh.  Apart from flow.c because the workload loops call it. */
#include "flow/flow.h"

/* The thread's CPU time, for a flow that owns it: a group's members
 * share their owner's thread, so theirs would be a syscall each for
 * nothing (nc_group_run zeroes it).  Here, below flow.c, as both call
 * it. */
uint64_t nc_flow_cpu_now(const struct nc_flow *flow)
{
	return flow->member ? 0 : nc_thread_cpu_us();
}

void nc_flow_begin_measuring(struct nc_flow *flow)
{
	flow->warm = false;
	flow->total_bytes += flow->bytes;
	flow->bytes = 0;
	flow->messages = 0;
	if (flow->rx_zc_mapped >= 0)	/* they add up to bytes */
		flow->rx_zc_mapped = flow->rx_zc_copied = 0;
	flow->first_ns = nc_now_ns();
	nc_seq_begin(&flow->seqs);
	flow->rx_calls = flow->tx_calls = 0;
	flow->rx_data_calls = 0;
	flow->rx_data_call = UINT64_MAX;
	if (flow->rtt && !flow->member)	/* a group's is its owner's */
		nc_hist_init(flow->rtt);
	nc_counters_start(&flow->counters);	/* reset and enable */
	flow->cpu_start_us = nc_flow_cpu_now(flow);
	nc_tcp_flow_begin(&flow->tcp, flow->fd, flow->params->tcp_info);
}
