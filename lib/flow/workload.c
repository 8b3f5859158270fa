/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * workload.c - the loops every engine runs in: a stream (send until told
 * to stop, receive until the end) and request-response (ask and time
 * each round trip, or answer each request).  Engines only move one
 * message, or some bytes, at a time; the loops do the counting.
 *
 * The stream loops read no clock per message: the sender checks a flag
 * the controlling thread sets (and, paced in user space, the clock once
 * a burst), and the receiver's interval runs from its first byte to the
 * end of the stream.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>

#include "flow/flow.h"

int nc_send_owed(const struct netcopy_mode *mode, struct nc_flow *flow,
		 int err)
{
	if (mode->send_end) {
		int end = mode->send_end(flow);

		err = err ? err : end;
	}
	return err;
}

/* End what this side sends: what the engine still queues, the stream's
 * end, then whatever the kernel still owes. */
static int end_sending(const struct netcopy_mode *mode, struct nc_flow *flow,
		       int err)
{
	if (!err && mode->send_flush)
		err = mode->send_flush(flow);
	if (!err && shutdown(flow->fd, SHUT_WR))
		err = -errno;
	return nc_send_owed(mode, flow, err);
}

int nc_stream_send(const struct netcopy_mode *mode, struct nc_flow *flow)
{
	int err = 0;

	flow->first_ns = nc_now_ns();
	nc_pace_start(&flow->pace, flow->first_ns);
	while (!nc_flow_stopping(flow)) {
		nc_flow_check_warmup(flow);
		err = mode->send_message(flow);
		if (err)
			break;
		flow->seq++;
		flow->messages++;
		flow->bytes += flow->size;
		nc_flow_report(flow);
		nc_pace_wait(&flow->pace, flow->size);
	}
	err = end_sending(mode, flow, err);
	flow->last_ns = nc_now_ns();
	return err;
}

int nc_stream_recv(const struct netcopy_mode *mode, struct nc_flow *flow)
{
	int err = 0;

	for (;;) {
		ssize_t n = nc_recv_some(mode, flow, SIZE_MAX);

		if (n <= 0) {
			err = (int)n;
			break;
		}
		if (!flow->bytes)
			flow->first_ns = nc_now_ns();
		flow->bytes += (uint64_t)n;
		nc_flow_report(flow);
		nc_flow_check_warmup(flow);
	}
	flow->last_ns = nc_now_ns();
	flow->messages = flow->bytes / flow->size;
	return err;
}

/* The rest of one message: 0, 1 at a clean end of stream (before its
 * first byte), or an error (the stream ended inside the message). */
static int recv_message(const struct netcopy_mode *mode, struct nc_flow *flow)
{
	uint64_t got = 0;

	while (got < flow->size) {
		ssize_t n = nc_recv_some(mode, flow, (size_t)(flow->size - got));

		if (n < 0)
			return (int)n;
		if (n == 0)
			return got ? NETCOPY_ESHORT : 1;
		got += (uint64_t)n;
		flow->bytes += (uint64_t)n;
	}
	return 0;
}

int nc_rr_ask(const struct netcopy_mode *mode, struct nc_flow *flow)
{
	int err = 0;

	flow->first_ns = nc_now_ns();
	flow->last_ns = flow->first_ns;
	while (!nc_flow_stopping(flow)) {
		uint64_t t0 = flow->last_ns;

		nc_flow_check_warmup(flow);
		err = mode->send_message(flow);
		flow->seq++;
		if (!err)
			err = recv_message(mode, flow);
		if (err) {
			err = err == 1 ? NETCOPY_ESHORT : err;
			break;
		}
		flow->last_ns = nc_now_ns();
		nc_hist_add(flow->rtt, flow->last_ns - t0);
		flow->messages++;
		nc_flow_report(flow);
	}
	err = end_sending(mode, flow, err);
	/* The answerer ends its side once it has seen ours. */
	while (!err) {
		int r = recv_message(mode, flow);

		if (r == 1)
			break;
		err = r ? r : NETCOPY_EPROTOCOL;	/* an unasked answer */
	}
	return err;
}

int nc_rr_answer(const struct netcopy_mode *mode, struct nc_flow *flow)
{
	int err;

	for (;;) {
		err = recv_message(mode, flow);
		if (err)
			break;
		nc_flow_check_warmup(flow);
		if (!flow->messages)
			flow->first_ns = nc_now_ns();
		err = mode->send_message(flow);
		if (err)
			break;
		flow->seq++;
		flow->messages++;
		nc_flow_report(flow);
	}
	flow->last_ns = nc_now_ns();
	return end_sending(mode, flow, err == 1 ? 0 : err);
}
