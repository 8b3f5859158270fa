/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * workload-udp.c - a UDP stream: the sender sends datagrams until told
 * to stop, then an end marker a few times (UDP may drop any of them)
 * and closes its side of the data connection, which TCP does not drop;
 * the receiver counts each datagram by its sequence number until the
 * marker, or until it has none queued and the data connection says the
 * sender is done.  Nothing waits on a datagram that never comes: the
 * receiving socket times out every RECV_TICK_MS to look.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>

#include "flow/flow.h"

/* How many times the end marker goes. */
#define END_MARKERS 5
/* How far past its duration a receiver waits for a sender that says
 * nothing: the TCP data connections' I/O timeout. */
#define RECV_GRACE_NS (30ULL * 1000000000)

/* The marker that says how many datagrams were sent, END_MARKERS
 * times; then the data connection's end, which always arrives. */
static int end_sending(struct nc_flow *flow, int err)
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

/* Datagrams a send_datagrams call may send: the mode's per call, fewer
 * where a paced burst holds fewer (so the rate is held to its bursts;
 * a paced sender waits between calls), at least one. */
static uint32_t batch_of(const struct netcopy_mode *mode,
			 const struct nc_flow *flow)
{
	uint32_t most = mode->per_call ? mode->per_call(flow) : 1;
	uint64_t fit;

	if (!flow->pace.rate)
		return most;
	fit = flow->pace.burst / flow->size;
	return fit < 1 ? 1 : fit > most ? most : (uint32_t)fit;
}

int nc_udp_stream_send(const struct netcopy_mode *mode, struct nc_flow *flow)
{
	uint32_t batch = batch_of(mode, flow);
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
	err = end_sending(flow, nc_send_owed(mode, flow, err));
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

/* One data datagram of n bytes: counted, and with --verify checked;
 * one not of this flow's, or of the wrong size, is a mismatch. */
static void take(struct nc_flow *flow, const struct iovec *iov, size_t cnt,
		 size_t n, const struct nc_dgram_hdr *h, uint64_t now)
{
	if (h->flow != flow->index || n != flow->size) {
		flow->verifier.bad_messages++;
		return;
	}
	if (!nc_seq_add(&flow->seqs, h->seq, h->sent_ns, now))
		return;		/* a duplicate: counted, not taken */
	if (!flow->bytes)
		flow->first_ns = now;
	if (flow->verify && !nc_dgram_matches(iov, cnt, n, flow->index,
					      h->seq))
		flow->verifier.bad_messages++;
	flow->bytes += n;
	flow->messages++;
	flow->last_ns = now;
	if (flow->rx_data_call != flow->rx_calls) {	/* a new read's first */
		flow->rx_data_call = flow->rx_calls;
		flow->rx_data_calls++;
	}
}

int nc_udp_stream_recv(const struct netcopy_mode *mode, struct nc_flow *flow)
{
	const struct nc_params *p = flow->params;
	uint64_t deadline = nc_now_ns() + nc_seconds_ns(p->warmup) +
			    nc_seconds_ns(p->duration) + RECV_GRACE_NS;
	int err = 0;

	(void)mode;
	for (;;) {
		const struct iovec *iov;
		struct nc_dgram_hdr h;
		size_t cnt;
		ssize_t n = nc_rx_recv_datagram(flow, &iov, &cnt);

		if (n == -ETIMEDOUT) {
			if (sender_done(flow, deadline))
				break;
			continue;
		}
		if (n == -ECONNREFUSED)		/* an ICMP: not ours */
			continue;
		if (n < 0) {
			err = (int)n;
			break;
		}
		if (nc_dgram_read(iov, cnt, (size_t)n, &h)) {
			flow->verifier.bad_messages++;
			continue;
		}
		if (h.kind == NC_DGRAM_END && h.flow == flow->index) {
			nc_seq_end(&flow->seqs, h.seq);
			break;
		}
		if (h.kind != NC_DGRAM_DATA)
			continue;	/* a late cookie */
		take(flow, iov, cnt, (size_t)n, &h, nc_now_ns());
		nc_flow_report(flow);
		nc_flow_check_warmup(flow);
	}
	if (!flow->messages)
		flow->last_ns = nc_now_ns();
	nc_seq_counts(&flow->seqs, &flow->udp);
	/* DatagramsPerRead is data datagrams per read that gave data: a
	 * late cookie or the end marker is a read of none. */
	flow->udp.reads = flow->rx_data_calls;
	return err;
}
