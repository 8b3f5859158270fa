/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* figures.c - a side's figures, the sum of its flows. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flow/flow.h"

/* Add a flow's zero-copy counts into a side's. */
static void zc_add(struct nc_zc_counts *sum, const struct nc_zc_counts *x)
{
	if (x->completions < 0)
		return;
	if (sum->completions < 0)
		*sum = (struct nc_zc_counts){ 0, 0, 0, 0, 0 };
	sum->sends += x->sends;
	sum->notifications += x->notifications;
	sum->completions += x->completions;
	/* Unknown for one flow, unknown for all. */
	sum->copied = sum->copied < 0 || x->copied < 0 ? -1 :
		      sum->copied + x->copied;
	sum->enobufs += x->enobufs;
}

/* A UDP receiver's counts: summed, and the jitter a mean over its
 * flows; NA when no flow counted (TCP). */
static void udp_add(struct nc_udp_counts *sum, const struct nc_udp_counts *x,
		    uint32_t *n)
{
	if (!x->measured)
		return;
	sum->measured = true;
	sum->lost += x->lost;
	sum->reordered += x->reordered;
	sum->duplicated += x->duplicated;
	sum->reads += x->reads;
	sum->jitter_us += x->jitter_us;
	++*n;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The per-flow figures: each flow's bytes over the side's interval,
 * their least, median and most, and Jain's index (sum x)^2 / (n sum
 * x^2).  Left NA without an interval, bytes or the memory to sort. */
static void flow_spread(struct nc_figures *f, const struct nc_flow *flows,
			uint32_t n)
{
	double *gbps, sum = 0, squares = 0;

	if (!n || !f->interval_ns || !f->bytes ||
	    !(gbps = malloc(n * sizeof(*gbps))))
		return;
	for (uint32_t i = 0; i < n; i++) {
		gbps[i] = (double)flows[i].bytes * 8 / (double)f->interval_ns;
		sum += gbps[i];
		squares += gbps[i] * gbps[i];
	}
	qsort(gbps, n, sizeof(*gbps), by_value);
	f->flow_n = n;
	f->flow_gbps_min = gbps[0];
	f->flow_gbps_max = gbps[n - 1];
	f->flow_gbps_median = n % 2 ? gbps[n / 2] :
				      (gbps[n / 2 - 1] + gbps[n / 2]) / 2;
	f->flow_fairness = sum * sum / (n * squares);
	if (f->flow_fairness > 1)	/* rounding */
		f->flow_fairness = 1;
	free(gbps);
}

void nc_figures_from_flows(struct nc_figures *f, const struct nc_flow *flows,
			   uint32_t n)
{
	uint64_t first = UINT64_MAX, last = 0, latency_sum = 0;
	uint32_t timed = 0, udp = 0, owners = 0;

	memset(f, 0, sizeof(*f));
	f->measured = true;
	f->zc = nc_zc_none;
	f->rx_zc_mapped = f->rx_zc_copied = -1;
	f->udp = nc_udp_none;
	nc_tcp_figures_init(&f->tcp);
	for (uint32_t i = 0; i < n; i++) {
		const struct nc_flow *fl = &flows[i];

		nc_tcp_figures_add(&f->tcp, &fl->tcp.figs);
		/* User space if any flow fell back to it. */
		if (fl->pacing > f->pacing)
			f->pacing = fl->pacing;
		f->total_bytes += fl->total_bytes;
		f->bytes += fl->bytes;
		f->messages += fl->messages;
		f->mismatches += fl->mismatches;
		f->cpu_us += fl->cpu_us;
		if (!fl->member)	/* a thread's counters, once */
			nc_counts_add(&f->counts, &fl->counts, !owners++);
		zc_add(&f->zc, &fl->zc);
		udp_add(&f->udp, &fl->udp, &udp);
		f->udp_sends += fl->tx_calls;
		if (fl->rx_zc_mapped >= 0) {
			if (f->rx_zc_mapped < 0)
				f->rx_zc_mapped = f->rx_zc_copied = 0;
			f->rx_zc_mapped += fl->rx_zc_mapped;
			f->rx_zc_copied += fl->rx_zc_copied;
			if (!f->rx_zc_refused)
				f->rx_zc_refused = fl->rx_zc_refused;
		}
		if (!fl->messages || fl->last_ns <= fl->first_ns)
			continue;
		first = fl->first_ns < first ? fl->first_ns : first;
		last = fl->last_ns > last ? fl->last_ns : last;
		latency_sum += (fl->last_ns - fl->first_ns) / fl->messages;
		timed++;
	}
	if (timed) {
		f->interval_ns = last - first;
		f->latency_ns = latency_sum / timed;
	}
	if (udp)
		f->udp.jitter_us /= udp;
	nc_sockbuf_figures(f, flows, n);
	flow_spread(f, flows, n);
}
