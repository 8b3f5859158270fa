/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * run.c - a client's run: the hello on a control connection, one data
 * connection per thread, the data through the mode's engine, then the
 * server's trailer, and the two sides' figures checked against each other.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "client/client.h"
#include "base/base.h"
#include "flow/flow.h"
#include "params/params.h"
#include "recv/recv.h"
#include "report/report.h"
#include "send/send.h"
#include "wire/wire.h"

#define TRAILER_TIMEOUT_MS 30000

/* Data threads make their buffers and counters, then wait here, so the
 * clock starts only when every one is ready. */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint32_t ready;
	uint32_t done;
	bool open;
	bool abort;
};

struct data_thread {
	const struct netcopy_mode *mode;
	struct nc_flow flow;
	/* --flows above -t: the flows this thread drives (flow first). */
	struct nc_flow **group;
	uint32_t group_n;
	struct gate *gate;
	int err;
	pthread_t tid;
	bool started;
	bool finished;		/* under the gate's lock: flow.tcp is final */
};

static void *data_main(void *arg)
{
	struct data_thread *t = arg;
	struct gate *g = t->gate;
	struct nc_group *group = NULL;
	bool go;

	t->err = t->group ? nc_group_prepare(t->mode, t->group, t->group_n,
					     &group) :
			    nc_flow_prepare(t->mode, &t->flow);
	pthread_mutex_lock(&g->lock);
	g->ready++;
	pthread_cond_broadcast(&g->cond);
	while (!g->open)
		pthread_cond_wait(&g->cond, &g->lock);
	go = !g->abort && !t->err;
	pthread_mutex_unlock(&g->lock);
	if (go && group)
		t->err = nc_group_run(group);
	else if (go)
		t->err = nc_flow_run(t->mode, &t->flow);
	else if (group)
		nc_group_release(group);
	else if (!t->group)
		nc_flow_release(t->mode, &t->flow);
	pthread_mutex_lock(&g->lock);
	g->done++;
	t->finished = true;
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

/* Let the threads go once all started ones are ready (and, in --bidir,
 * the other direction too); after err, or a preparation's error, they
 * only clean up.  Returns that error. */
static int gate_open(struct netcopy_client *c, struct gate *g,
		     struct data_thread *t, uint32_t n, int err)
{
	uint32_t started = 0;

	for (uint32_t i = 0; i < n; i++)
		started += t[i].started;
	pthread_mutex_lock(&g->lock);
	while (g->ready < started)
		pthread_cond_wait(&g->cond, &g->lock);
	for (uint32_t i = 0; i < n && !err; i++)
		if (t[i].err)
			err = fail(c, t[i].err, "cannot prepare a data "
				   "connection: %s", netcopy_strerror(t[i].err));
	pthread_mutex_unlock(&g->lock);
	err = nc_client_pair_step(c, NC_PAIR_PREPARED, err);
	pthread_mutex_lock(&g->lock);
	g->abort = err != 0;
	g->open = true;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
	return err;
}

/* What the client's main thread watches while data moves. */
struct watch {
	int ctrl;
	bool drives;		/* this side keeps the time */
	atomic_bool *stop;
	atomic_bool *measuring;
	struct data_thread *threads;
	uint32_t n;		/* flows */
	uint32_t started;	/* threads */
	struct gate *gate;
	int stop_fd;		/* netcopy_client_stop() */
	uint64_t stopped_ns;	/* when it was seen, since the start; 0 */
};

static bool all_done(const struct watch *w)
{
	bool done;

	pthread_mutex_lock(&w->gate->lock);
	done = w->gate->done == w->started;
	pthread_mutex_unlock(&w->gate->lock);
	return done;
}

static uint64_t progress(const struct watch *w)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < w->n; i++)
		sum += atomic_load_explicit(&w->threads[i].flow.progress,
					    memory_order_relaxed);
	return sum;
}

/* A connection's retransmits so far; once its thread has finished, as
 * its final TCP_INFO reading said, so that the rows add up to the run's
 * SndRetransmits even when the tail retransmits after it.  -1: NA. */
static int64_t thread_retransmits(const struct data_thread *t)
{
	const struct nc_tcp_flow *tcp = &t->flow.tcp;
	struct nc_tcp_sample s;

	if (t->finished) {
		double d = tcp->figs.value[NC_TCP_RETRANSMITS];

		return tcp->started && d >= 0 ?
		       (int64_t)tcp->start.raw[NC_TCP_RETRANSMITS] +
		       (int64_t)d : -1;
	}
	if (t->flow.fd < 0 || nc_tcp_sample_read(t->flow.fd, &s) ||
	    !(s.known & 1u << NC_TCP_RETRANSMITS))
		return -1;
	return (int64_t)s.raw[NC_TCP_RETRANSMITS];
}

/* The segments this side's data connections have retransmitted so far
 * (tcpi_total_retrans, summed), where this side sends: a getsockopt()
 * per connection, once an interval.  -1: not measured (the peer sends,
 * or a connection's TCP_INFO says nothing). */
static int64_t retransmits(const struct watch *w)
{
	int64_t sum = 0;

	if (!w->drives)
		return -1;
	pthread_mutex_lock(&w->gate->lock);
	for (uint32_t i = 0; i < w->n && sum >= 0; i++) {
		int64_t r = thread_retransmits(&w->threads[i]);

		sum = r < 0 ? -1 : sum + r;
	}
	pthread_mutex_unlock(&w->gate->lock);
	return sum;
}

/* Report [from_ns, to_ns) since the start: the bytes moved since the last
 * report (*bytes), and the retransmits since the last (*retr). */
static void report_interval(struct netcopy_client *c, const struct watch *w,
			    uint64_t from_ns, uint64_t to_ns, bool warmup,
			    uint64_t *bytes, int64_t *retr)
{
	uint64_t now_bytes = progress(w);
	int64_t now_retr = retransmits(w);

	nc_client_report(c, (double)from_ns / 1e9, (double)to_ns / 1e9,
			 now_bytes - *bytes, warmup,
			 *retr >= 0 && now_retr >= *retr ? now_retr - *retr :
							   -1);
	*bytes = now_bytes;
	*retr = now_retr;
}

/* netcopy_client_stop(): this side's senders end as at the duration;
 * a server that sends is told by the end of the control connection's
 * sending side, and still sends its trailer. */
static void stop_early(struct watch *w, uint64_t after_ns)
{
	w->stopped_ns = after_ns ? after_ns : 1;
	atomic_store(w->stop, true);
	if (!w->drives)
		shutdown(w->ctrl, SHUT_WR);
}

/* Until the data threads are done: end the warm-up, end the run when
 * this side drives it (or at once if the server speaks early: it only
 * does to end the run), and report progress every interval. */
static void watch_run(struct netcopy_client *c, struct watch *w)
{
	uint64_t start = nc_now_ns();
	uint64_t warm_end = start + nc_seconds_ns(c->p.warmup);
	uint64_t end = warm_end + nc_seconds_ns(c->p.duration);
	uint64_t tick_ns = nc_seconds_ns(c->interval), tick = 0, last = 0;
	int64_t retr = tick_ns ? retransmits(w) : -1;
	struct pollfd pfd[2] = { { .fd = w->ctrl, .events = POLLIN },
				 { .fd = w->stop_fd, .events = POLLIN } };

	if (tick_ns)
		tick = start + tick_ns;
	for (;;) {
		uint64_t now = nc_now_ns(), next = UINT64_MAX;
		bool measuring = atomic_load(w->measuring);
		bool stopped = atomic_load(w->stop);

		if (!measuring && now >= warm_end)
			atomic_store(w->measuring, measuring = true);
		if (w->drives && !stopped && now >= end)
			atomic_store(w->stop, stopped = true);
		if (tick && now >= tick) {
			report_interval(c, w, tick - tick_ns - start,
					tick - start, !measuring, &last, &retr);
			tick += tick_ns;
		}
		if (!measuring)
			next = warm_end;
		if (w->drives && !stopped && end < next)
			next = end;
		if (tick && tick < next)
			next = tick;
		if (all_done(w) || (next == UINT64_MAX && atomic_load(w->stop)))
			return;
		/* Nothing to time: look at the threads now and then, and
		 * wake for netcopy_client_stop(). */
		if (next == UINT64_MAX)
			next = nc_now_ns() + 100000000;
		now = nc_now_ns();
		if (poll(pfd, 2, next > now ?
			 (int)((next - now) / 1000000 + 1) : 0) <= 0)
			continue;
		if (pfd[0].revents) {
			atomic_store(w->stop, true);
			pfd[0].fd = -1;	/* seen */
		}
		if (pfd[1].revents) {
			stop_early(w, nc_now_ns() - start);
			pfd[1].fd = -1;
		}
	}
}

static int read_trailer(int ctrl, struct nc_figures *f, const char **why)
{
	uint8_t body[NC_MAX_BODY];
	struct nc_header h;
	int err = nc_msg_recv(ctrl, &h, body, TRAILER_TIMEOUT_MS, why);

	if (err)
		return err;
	if (h.type != NC_MSG_TRAILER) {
		*why = "expected the trailer";
		return NETCOPY_EPROTOCOL;
	}
	return nc_figures_decode(body, h.length, f, why);
}

static struct netcopy_result *result_new(const struct netcopy_client *c)
{
	struct netcopy_result *r = calloc(1, sizeof(*r));
	struct utsname u;

	if (!r)
		return NULL;
	r->params = c->p;
	nc_hist_init(&r->rtt);
	r->timestamp = (int64_t)time(NULL);
	snprintf(r->host, sizeof(r->host), "%s", c->host);
	if (uname(&u) == 0)
		snprintf(r->kernel, sizeof(r->kernel), "%s", u.release);
	return r;
}

/* Close the connections; the rr histograms go once merged. */
static void close_all(struct data_thread *t, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (t[i].flow.fd >= 0)
			close(t[i].flow.fd);
		if (t[i].flow.link_fd >= 0)
			close(t[i].flow.link_fd);
	}
}

static void free_histograms(struct data_thread *t, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		free(t[i].flow.rtt);
}

/* --flows above -t: thread j drives flows j, j + threads, ... */
static void spread_flows(struct data_thread *t, struct nc_flow **ptrs,
			 uint32_t flows, uint32_t threads)
{
	for (uint32_t j = 0; j < threads; j++) {
		t[j].group = ptrs;
		t[j].group_n = nc_group_size(flows, threads, j);
		for (uint32_t k = 0; k < t[j].group_n; k++)
			*ptrs++ = &t[j + k * threads].flow;
	}
}

/* Data connections up and their threads ready; the first error. */
static int start_data(struct netcopy_client *c, const struct nc_reply *rep,
		      struct data_thread *t, struct gate *g, atomic_bool *stop,
		      atomic_bool *measuring, struct nc_flow **ptrs)
{
	uint32_t flows = nc_params_flows(&c->p);
	bool udp = c->p.proto == NC_PROTO_UDP;
	uint64_t t0 = nc_now_ns();
	int *fds = NULL;
	int err = 0;

	/* A UDP run's datagram sockets after the connections. */
	if (ptrs && !(fds = malloc((udp + 1) * flows * sizeof(*fds))))
		return -ENOMEM;
	if (fds)
		err = nc_client_open_flows(c, rep, flows, fds,
					   udp ? fds + flows : NULL);

	for (uint32_t i = 0; i < flows && !err; i++) {
		int fd = -1, udp_fd = -1;

		if (fds) {
			fd = fds[i];
			udp_fd = udp ? fds[flows + i] : -1;
		} else
			err = nc_client_open_data(c, rep, i, &fd, &udp_fd);
		nc_flow_init(&t[i].flow, udp_fd >= 0 ? udp_fd : fd, &c->p, i,
			     true, c->cpu, stop, measuring);
		if (udp_fd >= 0)
			t[i].flow.link_fd = fd;
		t[i].mode = mode_of(c);
		t[i].gate = g;
	}
	c->connect_ns = nc_now_ns() - t0;
	free(fds);
	if (ptrs)
		spread_flows(t, ptrs, flows, c->p.threads);
	err = nc_client_pair_step(c, NC_PAIR_CONNECTED, err);
	for (uint32_t i = 0; i < c->p.threads && !err; i++) {
		int e = pthread_create(&t[i].tid, NULL, data_main, &t[i]);

		if (e)
			err = fail(c, -e, "cannot start a thread: %s",
				   strerror(e));
		t[i].started = !e;
	}
	return gate_open(c, g, t, c->p.threads, err);
}

static int join_data(struct data_thread *t, uint32_t n, uint32_t *bad)
{
	int first = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (!t[i].started)
			continue;
		pthread_join(t[i].tid, NULL);
		if (t[i].err && !first) {
			first = t[i].err;
			*bad = i;
		}
	}
	return first;
}

/* --per-flow: the flows' bytes as they go into the figures; none (the
 * array left out) without the memory. */
static void keep_flow_bytes(struct netcopy_result *r,
			    const struct nc_flow *flows, uint32_t n)
{
	r->flow_bytes = malloc(n * sizeof(*r->flow_bytes));
	if (!r->flow_bytes)
		return;
	r->flow_bytes_n = n;
	for (uint32_t i = 0; i < n; i++)
		r->flow_bytes[i] = flows[i].bytes;
}

static int run_accepted(struct netcopy_client *c, int ctrl,
			const struct nc_reply *rep, struct netcopy_result *r)
{
	uint32_t n = nc_params_flows(&c->p);
	struct data_thread *t = calloc(n, sizeof(*t));
	struct nc_flow **ptrs = n > c->p.threads ?
				calloc(n, sizeof(*ptrs)) : NULL;
	bool sends = nc_client_sends(&c->p);
	struct nc_figures *local = sends ? &r->sender : &r->receiver;
	struct nc_figures *remote = sends ? &r->receiver : &r->sender;
	struct nc_flow *flows;
	struct gate g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
			  0, 0, false, false };
	atomic_bool stop = false, measuring = c->p.warmup <= 0;
	struct watch w = { ctrl, sends, &stop, &measuring, t, n,
			   c->p.threads, &g, c->stop_fd, 0 };
	uint64_t start = nc_now_ns();
	char judged[NC_REASON_MAX / 2];
	const char *why = "";
	uint32_t bad = 0;
	int err, local_err;

	if (!t || (n > c->p.threads && !ptrs)) {
		free(t);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++)
		t[i].flow.fd = t[i].flow.link_fd = -1;
	err = start_data(c, rep, t, &g, &stop, &measuring, ptrs);
	if (!err && atomic_load(&c->stopped))	/* before it began */
		stop_early(&w, 0);
	if (!err)
		watch_run(c, &w);
	c->stopped_ns = w.stopped_ns;
	atomic_store(&stop, true);
	if (err)	/* threads that could not run: unblock receivers */
		for (uint32_t i = 0; i < n; i++) {
			if (t[i].flow.fd >= 0)
				shutdown(t[i].flow.fd, SHUT_RDWR);
			if (t[i].flow.link_fd >= 0)
				shutdown(t[i].flow.link_fd, SHUT_RDWR);
		}
	local_err = join_data(t, n, &bad);
	close_all(t, n);
	free(ptrs);
	if (err) {
		free_histograms(t, n);
		free(t);
		return err;
	}
	flows = malloc(n * sizeof(*flows));
	if (!flows) {
		free_histograms(t, n);
		free(t);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		flows[i] = t[i].flow;
		if (t[i].flow.rtt)
			nc_hist_merge(&r->rtt, t[i].flow.rtt);
	}
	nc_figures_from_flows(local, flows, n);
	if (c->per_flow && !sends)
		keep_flow_bytes(r, flows, n);
	r->connect_ns = c->connect_ns;
	free_histograms(t, n);
	free(flows);
	free(t);
	err = read_trailer(ctrl, remote, &why);
	r->wall_ns = nc_now_ns() - start;
	if (err && local_err)	/* ours first: it may be why */
		return nc_client_lost_peer(r, remote, err, local_err, bad);
	if (err)
		return nc_client_refuse_peer(r, remote, err, "no figures from the server",
				   err == NETCOPY_EPROTOCOL ? why :
				   netcopy_strerror(err));
	if (nc_result_check_peer(r, judged, sizeof(judged)))
		return nc_client_refuse_peer(r, remote, NETCOPY_EPROTOCOL, "the server's "
				   "trailer is not believable", judged);
	err = c->p.flow_bytes ? nc_client_read_flow_bytes(ctrl, r, remote) : 0;
	if (err)
		return err;
	return nc_client_judge(r, local_err, bad);
}

/* What the protocol cannot carry, before anything is sent: a mode or
 * receive path of the other's only; over UDP a datagram out of its
 * bounds (IPv4's lower bound is checked once connected). */
static int proto_check(struct netcopy_client *c, const struct netcopy_mode *mode)
{
	const char *why;
	int err;

	if (nc_mode_proto_check(mode, c->p.proto, &why))
		return fail(c, NETCOPY_EUNSUPPORTED, "%s: %s", mode->name,
			    why);
	if (nc_rx_proto_check(&c->p, &why))
		return fail(c, NETCOPY_EUNSUPPORTED, "%s", why);
	if (c->p.proto != NC_PROTO_UDP)
		return 0;
	err = nc_mode_params_check(mode, &c->p, &why);
	if (err)	/* -EINVAL, or the kernel lacks it over UDP */
		return fail(c, err, "%s: %s", mode->name, why);
	if (c->p.size < NC_DGRAM_HDR_LEN || c->p.size > NC_DGRAM_MAX_IPV6)
		return fail(c, -EINVAL, "datagram size (-s) %llu out of "
			    "range: %u (the datagram header) to %u bytes, "
			    "%u over IPv4", (unsigned long long)c->p.size,
			    NC_DGRAM_HDR_LEN, NC_DGRAM_MAX_IPV6,
			    NC_DGRAM_MAX_IPV4);
	return 0;
}

int nc_client_run_one(struct netcopy_client *c, struct netcopy_result **out)
{
	struct netcopy_result *r;
	const struct netcopy_mode *mode = mode_of(c);
	struct nc_reply rep;
	const char *why = "";
	int ctrl = -1, err;

	c->detail[0] = c->note[0] = '\0';
	*out = NULL;
	err = nc_client_check_flows(c, mode);
	if (err)
		return err;
	/* --per-flow where the server receives: it says them. */
	c->p.flow_bytes = c->per_flow && c->p.reverse &&
			  c->p.workload == NC_WORKLOAD_STREAM;
	if (c->p.reverse && c->p.workload == NC_WORKLOAD_RR)
		return fail(c, -EINVAL, "rr: the client always asks, so -R "
			    "does not apply");
	if (c->p.rate && c->p.workload == NC_WORKLOAD_RR)
		return fail(c, -EINVAL, "rr: --rate paces a stream only");
	if (c->p.fixed_buffers && !mode->fixed_buffers)
		return fail(c, -EINVAL, "%s cannot send from registered "
			    "buffers (--fixed-buffers)", mode->name);
	err = proto_check(c, mode);
	if (err)
		return err;
	if (nc_client_sends(&c->p) && netcopy_mode_probe(mode, &why))
		return fail(c, NETCOPY_EUNSUPPORTED, "%s: %s", mode->name,
			    why);
	/* The client receives in a stream it does not send, and in rr. */
	if ((!c->p.reverse || c->p.workload == NC_WORKLOAD_RR) &&
	    nc_rx_probe(c->p.rx, &why))
		return fail(c, NETCOPY_EUNSUPPORTED, "%s", why);
	err = nc_client_check_fds(c, mode);
	if (err)
		return err;
	err = nc_client_pair_step(c, NC_PAIR_HELLO, 0);
	if (!err)
		err = nc_client_open_control(c, &ctrl, &rep);
	if (err)
		return err;
	r = result_new(c);
	if (!r) {
		close(ctrl);
		return -ENOMEM;
	}
	c->stopped_ns = 0;
	r->status = nc_client_interrupted(c, r, run_accepted(c, ctrl, &rep, r));
	close(ctrl);
	if (r->status && r->status != NETCOPY_ESHORT &&
	    r->status != NETCOPY_EVERIFY && !r->receiver.bytes &&
	    !r->peer_refused) {
		if (!c->detail[0])
			snprintf(c->detail, sizeof(c->detail), "%s",
				 r->receiver.reason);
		err = r->status;
		netcopy_result_free(r);
		return err;
	}
	snprintf(c->detail, sizeof(c->detail), "%s", r->receiver.reason[0] ?
		 r->receiver.reason : c->note);
	*out = r;
	return r->status;
}
