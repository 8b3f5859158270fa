/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* flow.c - what every engine shares: a flow's set-up and tear-down,
 * its buffers, its counting, and the sum of flows into figures. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"

/* The receive buffer: a message, but never less than 64 KiB, so small
 * messages are not read one system call each. */
#define MIN_RECV_BUFFER (64u << 10)

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
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++)
		for (unsigned int i = 0; i < NC_MAX_PMUS; i++)
			flow->counters.fd[ev][i] = -1;
}

uint64_t nc_recv_buffer_size(uint64_t size)
{
	return size > MIN_RECV_BUFFER ? size : MIN_RECV_BUFFER;
}

uint64_t nc_buffers_memory(uint64_t size, uint32_t qd)
{
	return nc_recv_buffer_size(size);
}

int nc_buffers_prepare(struct nc_flow *flow, bool send, bool recv)
{
	if (send && !(flow->send_buf = nc_pages_alloc((size_t)flow->size)))
		return -ENOMEM;
	if (recv) {
		flow->recv_cap = (size_t)nc_recv_buffer_size(flow->size);
		flow->recv_buf = nc_pages_alloc(flow->recv_cap);
		if (!flow->recv_buf)
			return -ENOMEM;
	}
	return 0;
}

int nc_buffers_prepare_flow(struct nc_flow *flow)
{
	return nc_buffers_prepare(flow, nc_flow_sends(flow),
				  nc_flow_receives(flow));
}

void nc_buffers_release(struct nc_flow *flow)
{
	nc_pages_free(flow->send_buf, (size_t)flow->size);
	nc_pages_free(flow->recv_buf, flow->recv_cap);
	flow->send_buf = flow->recv_buf = NULL;
}

ssize_t nc_recv_into(struct nc_flow *flow, void *buf, size_t cap, size_t max)
{
	ssize_t n;

	do
		n = recv(flow->fd, buf, max < cap ? max : cap, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	if (n > 0 && flow->verify)
		nc_verifier_feed(&flow->verifier, buf, (size_t)n);
	return n;
}

ssize_t nc_recv_into_buffer(struct nc_flow *flow, size_t max)
{
	return nc_recv_into(flow, flow->recv_buf, flow->recv_cap, max);
}

int nc_send_all(int fd, const void *buf, size_t len, int flags)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, flags | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

unsigned int nc_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned int)n : 1;
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

int nc_flow_prepare(const struct netcopy_mode *mode, struct nc_flow *flow)
{
	int err;

	nc_verifier_init(&flow->verifier, flow->size, flow->index);
	if (flow->params->workload == NC_WORKLOAD_RR) {
		int one = 1;

		/* Each answer must leave at once, not wait for more. */
		setsockopt(flow->fd, IPPROTO_TCP, TCP_NODELAY, &one,
			   sizeof(one));
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
	if (flow->params->perf)
		nc_counters_open(&flow->counters);
	err = mode->prepare(flow);
	if (!err && flow->params->rx != NC_RX_MODE && nc_flow_receives(flow))
		err = nc_rx_prepare(flow);
	return err;
}

void nc_flow_release(const struct netcopy_mode *mode, struct nc_flow *flow)
{
	nc_rx_release(flow);
	mode->release(flow);
	nc_counters_close(&flow->counters);
}

static uint64_t thread_cpu_us(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		return 0;
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static int run_workload(const struct netcopy_mode *mode, struct nc_flow *flow)
{
	if (flow->params->workload == NC_WORKLOAD_RR)
		return flow->sender ? nc_rr_ask(mode, flow) :
				      nc_rr_answer(mode, flow);
	return flow->sender ? nc_stream_send(mode, flow) :
			      nc_stream_recv(mode, flow);
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
	if (flow->rtt)
		nc_hist_init(flow->rtt);
	nc_counters_start(&flow->counters);	/* reset and enable */
	flow->cpu_start_us = thread_cpu_us();
}

int nc_flow_run(const struct netcopy_mode *mode, struct nc_flow *flow)
{
	int err;

	flow->warm = flow->measuring &&
		     !atomic_load_explicit(flow->measuring,
					   memory_order_relaxed);
	flow->cpu_start_us = thread_cpu_us();
	nc_counters_start(&flow->counters);
	err = run_workload(mode, flow);
	nc_counters_stop(&flow->counters);
	flow->cpu_us = thread_cpu_us() - flow->cpu_start_us;
	nc_sockbuf_read(flow);
	flow->total_bytes += flow->bytes;
	if (flow->warm) {	/* the warm-up never ended: nothing measured */
		flow->bytes = flow->messages = 0;
		if (flow->rx_zc_mapped >= 0)
			flow->rx_zc_mapped = flow->rx_zc_copied = 0;
	}
	nc_counters_read(&flow->counters, &flow->counts);
	flow->mismatches = flow->verifier.bad_messages;
	nc_flow_release(mode, flow);
	return err;
}

const struct nc_zc_counts nc_zc_none = { -1, -1, -1, -1, -1 };

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

void nc_figures_from_flows(struct nc_figures *f, const struct nc_flow *flows,
			   uint32_t n)
{
	uint64_t first = UINT64_MAX, last = 0, latency_sum = 0;
	uint32_t timed = 0;

	memset(f, 0, sizeof(*f));
	f->measured = true;
	f->zc = nc_zc_none;
	f->rx_zc_mapped = f->rx_zc_copied = -1;
	for (uint32_t i = 0; i < n; i++) {
		const struct nc_flow *fl = &flows[i];

		f->total_bytes += fl->total_bytes;
		f->bytes += fl->bytes;
		f->messages += fl->messages;
		f->mismatches += fl->mismatches;
		f->cpu_us += fl->cpu_us;
		nc_counts_add(&f->counts, &fl->counts, i == 0);
		zc_add(&f->zc, &fl->zc);
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
	nc_sockbuf_figures(f, flows, n);
}
