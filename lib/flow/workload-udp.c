/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * workload-udp.c - a UDP stream: the sender sends datagrams until told
 * to stop, then an end marker a few times (UDP may drop any of them)
 * and closes its side of the data connection, which TCP does not drop;
 * the receiver counts each datagram by its sequence number until the
 * marker, or until it has none queued and the data connection says the
 * sender is done.  Nothing waits on a datagram that never comes: the
 * receiving socket times out every RECV_TICK_MS to look.  rr over UDP
 * (below) asks one datagram at a time, and answers each.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "flow/flow.h"

/* How many times the end marker goes. */
#define END_MARKERS 5
/* How far past its duration a receiver waits for a sender that says
 * nothing: the TCP data connections' I/O timeout. */
#define RECV_GRACE_NS (30ULL * 1000000000)

/* The marker that says how many datagrams were sent, END_MARKERS
 * times; then the data connection's end, which always arrives. */
int nc_udp_end_sending(struct nc_flow *flow, int err)
{
	uint8_t buf[NC_DGRAM_HDR_LEN];
	struct iovec iov = { buf, sizeof(buf) };
	struct nc_dgram_hdr h = { NC_DGRAM_END, flow->index, flow->seq,
				  nc_now_ns() };

	nc_dgram_write(&iov, 1, &h);
	for (int i = 0; i < END_MARKERS && !err; i++)
		if (nc_dgram_sent(send(flow->fd, buf, sizeof(buf), 0)) < 0)
			break;	/* the receiver learns the end by TCP */
	if (shutdown(flow->link_fd, SHUT_WR) && !err)
		err = -errno;
	return err;
}

uint32_t nc_udp_batch(const struct netcopy_mode *mode,
		      const struct nc_flow *flow, const struct nc_pace *pace)
{
	uint32_t most = mode->per_call ? mode->per_call(flow) : 1;
	uint64_t fit;

	if (!pace->rate)
		return most;
	fit = pace->burst / flow->size;
	return fit < 1 ? 1 : fit > most ? most : (uint32_t)fit;
}

int nc_udp_stream_send(const struct netcopy_mode *mode, struct nc_flow *flow)
{
	uint32_t batch = nc_udp_batch(mode, flow, &flow->pace);
	int err = 0;

	flow->first_ns = nc_now_ns();
	nc_pace_start(&flow->pace, flow->first_ns);
	while (!nc_flow_stopping(flow)) {
		int n;

		nc_flow_check_warmup(flow);
		n = mode->send_datagrams(flow, batch);
		if (n < 0) {
			err = n;
			break;
		}
		flow->tx_calls++;
		flow->seq += (uint64_t)n;
		flow->messages += (uint64_t)n;
		flow->bytes += (uint64_t)n * flow->size;
		nc_flow_report(flow);
		nc_pace_wait(&flow->pace, (size_t)n * flow->size);
	}
	err = nc_udp_end_sending(flow, nc_send_owed(mode, flow, err));
	flow->last_ns = nc_now_ns();
	return err;
}

/* No datagram came for a tick: whether to stop looking.  The sender has
 * closed its side of the data connection (or the run was cut: the same
 * end), this side was told to stop, or the run is long past its time. */
static bool sender_done(const struct nc_flow *flow, uint64_t deadline)
{
	struct pollfd pfd = { .fd = flow->link_fd, .events = POLLIN };

	return poll(&pfd, 1, 0) > 0 || nc_flow_stopping(flow) ||
	       nc_now_ns() > deadline;
}

/* A data datagram taken: the read that gave it counts once among the
 * reads that gave data (DatagramsPerRead's reads). */
static void count_data_read(struct nc_flow *flow)
{
	if (flow->rx_data_call != flow->rx_calls) {	/* a new read's first */
		flow->rx_data_call = flow->rx_calls;
		flow->rx_data_calls++;
	}
}

/* Whether a datagram of n bytes, header h, is flow's: its number and
 * its size, as the stream's receiver, the rr answerer and the rr asker
 * all ask before they take one (the caller counts the mismatch). */
static bool ours(const struct nc_flow *flow, const struct nc_dgram_hdr *h,
		 size_t n)
{
	return h->flow == flow->index && n == flow->size;
}

/* With --verify, every payload byte of flow's datagram h of n bytes
 * (ours): a wrong one is a mismatch. */
static void check_payload(struct nc_flow *flow, const struct iovec *iov,
			  size_t cnt, size_t n, const struct nc_dgram_hdr *h)
{
	if (flow->verify && !nc_dgram_matches(iov, cnt, n, flow->index,
					      h->seq))
		flow->verifier.bad_messages++;
}

/* One data datagram of n bytes: counted, and with --verify checked;
 * one not of this flow's, or of the wrong size, is a mismatch. */
static void take(struct nc_flow *flow, const struct iovec *iov, size_t cnt,
		 size_t n, const struct nc_dgram_hdr *h, uint64_t now)
{
	if (!ours(flow, h, n)) {
		flow->verifier.bad_messages++;
		return;
	}
	if (!nc_seq_add(&flow->seqs, h->seq, h->sent_ns, now))
		return;		/* a duplicate: counted, not taken */
	if (!flow->bytes)
		flow->first_ns = now;
	check_payload(flow, iov, cnt, n, h);
	flow->bytes += n;
	flow->messages++;
	flow->last_ns = now;
	count_data_read(flow);
}

uint64_t nc_udp_recv_deadline(const struct nc_flow *flow)
{
	const struct nc_params *p = flow->params;

	return nc_now_ns() + nc_seconds_ns(p->warmup) +
	       nc_seconds_ns(p->duration) + RECV_GRACE_NS;
}

/* What a datagram of n bytes read for flow is: its data, its end
 * marker, or neither (0: one not netcopy's is a mismatch; late cookies
 * and other flows' ends are not ours), its header in *h. */
static int kind_of(struct nc_flow *flow, const struct iovec *iov, size_t cnt,
		   size_t n, struct nc_dgram_hdr *h)
{
	if (nc_dgram_read(iov, cnt, n, h)) {
		flow->verifier.bad_messages++;
		return 0;
	}
	if (h->kind == NC_DGRAM_END && h->flow == flow->index)
		return NC_DGRAM_END;
	return h->kind == NC_DGRAM_DATA ? NC_DGRAM_DATA : 0;
}

int nc_udp_got(struct nc_flow *flow, const struct iovec *iov, size_t cnt,
	       size_t n, uint64_t now)
{
	struct nc_dgram_hdr h;
	int kind = kind_of(flow, iov, cnt, n, &h);

	if (kind == NC_DGRAM_DATA)
		take(flow, iov, cnt, n, &h, now);
	else if (kind == NC_DGRAM_END)
		nc_seq_end(&flow->seqs, h.seq);
	return kind;
}

/* The next data datagram, its header in *h: its length, 0 once the
 * sender is done (h->kind NC_DGRAM_END by its marker), or -errno.  ICMP
 * errors are not ours. */
static ssize_t next_datagram(struct nc_flow *flow, uint64_t deadline,
			     const struct iovec **iov, size_t *cnt,
			     struct nc_dgram_hdr *h)
{
	for (;;) {
		ssize_t n = nc_rx_recv_datagram(flow, iov, cnt);

		h->kind = 0;
		if (n == -ETIMEDOUT) {
			if (sender_done(flow, deadline))
				return 0;
			continue;
		}
		if (n == -ECONNREFUSED)		/* an ICMP: not ours */
			continue;
		if (n < 0)
			return n;
		switch (kind_of(flow, *iov, *cnt, (size_t)n, h)) {
		case NC_DGRAM_END:
			return 0;
		case NC_DGRAM_DATA:
			return n;
		}
	}
}

int nc_udp_stream_recv(const struct netcopy_mode *mode, struct nc_flow *flow)
{
	uint64_t deadline = nc_udp_recv_deadline(flow);
	int err = 0;

	(void)mode;
	for (;;) {
		const struct iovec *iov;
		struct nc_dgram_hdr h;
		size_t cnt;
		ssize_t n = next_datagram(flow, deadline, &iov, &cnt, &h);

		if (n <= 0) {
			err = (int)n;
			if (!n && h.kind == NC_DGRAM_END)
				nc_seq_end(&flow->seqs, h.seq);
			break;
		}
		take(flow, iov, cnt, (size_t)n, &h, nc_now_ns());
		nc_flow_report(flow);
		nc_flow_check_warmup(flow);
	}
	nc_udp_recv_end(flow);
	return err;
}

void nc_udp_recv_end(struct nc_flow *flow)
{
	if (!flow->messages)
		flow->last_ns = nc_now_ns();
	nc_seq_counts(&flow->seqs, &flow->udp);
	/* DatagramsPerRead is data datagrams per read that gave data: a
	 * late cookie or the end marker is a read of none. */
	flow->udp.reads = flow->rx_data_calls;
}

/* ---- rr over UDP.  The asker stamps each request with the time the
 * last round trip ended (the one clock read a round trip, as TCP's rr
 * reads), and the answerer echoes it, so the answer's transit is the
 * round trip and feeds the jitter. */

/* Whether d is flow's answer to request seq. */
static bool answers(const struct nc_flow *flow, const struct nc_dgram_hdr *h,
		    size_t n, uint64_t seq)
{
	return h->kind == NC_DGRAM_DATA && ours(flow, h, n) && h->seq == seq;
}

/* A datagram that is not the outstanding request's answer: an earlier
 * request's, late (it had timed out: Reordered) or again (Duplicated,
 * told apart over the last 64 requests by *answered, bit i for request
 * seq - 1 - i), or not this flow's answer at all (a mismatch). */
static void stray(struct nc_flow *flow, const struct nc_dgram_hdr *h,
		  size_t n, uint64_t *answered)
{
	uint64_t back;

	if (h->kind != NC_DGRAM_DATA)
		return;		/* a late cookie */
	if (!ours(flow, h, n) || h->seq >= flow->seq) {
		flow->verifier.bad_messages++;
		return;
	}
	back = flow->seq - 1 - h->seq;
	if (back < 64 && (*answered >> back & 1)) {
		flow->seqs.duplicated++;
		return;
	}
	flow->seqs.reordered++;
	if (back < 64)		/* a second copy of it is a duplicate */
		*answered |= 1ULL << back;
}

/* The answer to request flow->seq, sent at t0, or its loss once
 * --rr-timeout has passed (the socket's receive timeout; a stray
 * datagram restarts it, so the wait is under twice that). */
static int await_answer(struct nc_flow *flow, uint64_t t0, uint64_t *answered)
{
	uint64_t timeout = nc_seconds_ns(flow->params->rr_timeout);

	for (;;) {
		const struct iovec *iov;
		struct nc_dgram_hdr h;
		size_t cnt;
		ssize_t n = nc_rx_recv_datagram(flow, &iov, &cnt);

		if (n == -ETIMEDOUT)
			break;
		if (n < 0 && n != -ECONNREFUSED)	/* an ICMP: none */
			return (int)n;
		if (n > 0 && !nc_dgram_read(iov, cnt, (size_t)n, &h) &&
		    answers(flow, &h, (size_t)n, flow->seq)) {
			flow->last_ns = nc_now_ns();
			nc_hist_add(flow->rtt, flow->last_ns - t0);
			nc_seq_jitter(&flow->seqs, h.sent_ns, flow->last_ns);
			check_payload(flow, iov, cnt, (size_t)n, &h);
			flow->messages++;
			*answered = *answered << 1 | 1;
			return 0;
		}
		if (n > 0 && nc_dgram_read(iov, cnt, (size_t)n, &h))
			flow->verifier.bad_messages++;
		else if (n > 0)
			stray(flow, &h, (size_t)n, answered);
		if (nc_now_ns() - t0 >= timeout)
			break;
	}
	flow->seqs.lost++;
	flow->last_ns = nc_now_ns();
	*answered <<= 1;
	return 0;
}

int nc_udp_rr_ask(const struct netcopy_mode *mode, struct nc_flow *flow)
{
	uint64_t answered = 0;
	int err = 0;

	flow->first_ns = nc_now_ns();
	flow->last_ns = flow->first_ns;
	while (!nc_flow_stopping(flow)) {
		uint64_t t0 = flow->last_ns;
		int n;

		nc_flow_check_warmup(flow);
		flow->stamp_ns = t0;
		n = mode->send_datagrams(flow, 1);
		if (n < 0) {
			err = n;
			break;
		}
		flow->bytes += flow->size;	/* what the answerer gets */
		err = await_answer(flow, t0, &answered);
		if (err)
			break;
		flow->seq++;
		nc_flow_report(flow);
	}
	flow->stamp_ns = 0;
	err = nc_udp_end_sending(flow, nc_send_owed(mode, flow, err));
	nc_seq_counts(&flow->seqs, &flow->udp);
	return err;
}

/* NETCOPY_RR_FAULT in the answerer's environment, for the tests of a
 * peer that misbehaves: "silent" answers nothing; N answers every Nth
 * request late, just before the next one's answer, which goes twice. */
struct rr_fault {
	bool silent, held;
	uint64_t every;			/* 0: none */
	uint64_t seq, sent_ns;		/* the request held back */
};

static void rr_fault_init(struct rr_fault *f)
{
	const char *env = getenv("NETCOPY_RR_FAULT");

	memset(f, 0, sizeof(*f));
	if (env && strcmp(env, "silent") == 0)
		f->silent = true;
	else if (env)
		f->every = strtoull(env, NULL, 10);
}

/* The answer to request seq, sent at sent_ns: its number and time. */
static int answer(const struct netcopy_mode *mode, struct nc_flow *flow,
		  uint64_t seq, uint64_t sent_ns)
{
	int n;

	flow->seq = seq;
	flow->stamp_ns = sent_ns;
	n = mode->send_datagrams(flow, 1);
	return n < 0 ? n : 0;
}

static int answer_request(const struct netcopy_mode *mode,
			  struct nc_flow *flow, const struct nc_dgram_hdr *h,
			  struct rr_fault *f)
{
	int err = 0;

	if (__builtin_expect(f->silent, 0))
		return 0;
	if (__builtin_expect(f->every && h->seq % f->every == f->every - 1,
			     0)) {
		*f = (struct rr_fault){ false, true, f->every, h->seq,
					h->sent_ns };
		return 0;
	}
	if (__builtin_expect(f->held, 0)) {
		f->held = false;
		err = answer(mode, flow, f->seq, f->sent_ns);
		if (!err)
			err = answer(mode, flow, h->seq, h->sent_ns);
	}
	return err ? err : answer(mode, flow, h->seq, h->sent_ns);
}

int nc_udp_rr_answer(const struct netcopy_mode *mode, struct nc_flow *flow)
{
	uint64_t deadline = nc_udp_recv_deadline(flow);
	struct rr_fault fault;
	int err = 0;

	rr_fault_init(&fault);
	for (;;) {
		const struct iovec *iov;
		struct nc_dgram_hdr h;
		size_t cnt;
		ssize_t n = next_datagram(flow, deadline, &iov, &cnt, &h);

		if (n <= 0) {
			err = (int)n;
			break;
		}
		if (!ours(flow, &h, (size_t)n)) {
			flow->verifier.bad_messages++;
			continue;	/* not this flow's request */
		}
		check_payload(flow, iov, cnt, (size_t)n, &h);
		nc_flow_check_warmup(flow);
		if (!flow->messages)
			flow->first_ns = nc_now_ns();
		err = answer_request(mode, flow, &h, &fault);
		if (err)
			break;
		flow->bytes += (uint64_t)n;
		flow->messages++;
		count_data_read(flow);
		nc_flow_report(flow);
	}
	flow->last_ns = nc_now_ns();
	flow->udp = (struct nc_udp_counts){ .measured = true,
					    .reads = flow->rx_data_calls };
	return nc_send_owed(mode, flow, err);
}
