/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * flow.h - a data connection's life, the same at both ends: set up
 * (flow.c), its socket buffers (sockbuf.c), the workload loops that
 * drive an engine (workload.c), its pacing (pacing.c), the end of the
 * warm-up (measuring.c), and the sum of a side's flows into its figures
 * (figures.c).  Uses
 * engine/, recv/, measure/, wire/ (struct nc_figures) and base/.
 */
#ifndef NETCOPY_FLOW_H
#define NETCOPY_FLOW_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/engine.h"
#include "recv/recv.h"
#include "wire/wire.h"

/* Data connection index of a run of p on fd, at the client's end or
 * the server's: which sends, and the CPU its thread runs on (first_cpu
 * + index, -1: any).  stop and measuring are the run's. */
void nc_flow_init(struct nc_flow *flow, int fd, const struct nc_params *p,
		  uint32_t index, bool client, int first_cpu,
		  const atomic_bool *stop, const atomic_bool *measuring);
/* The data socket's I/O timeout, the engine's prepare, the counters
 * opened (when flow->count) and the rr histogram, in the thread that
 * will run the flow, before the run starts. */
int nc_flow_prepare(const struct netcopy_mode *mode, struct nc_flow *flow);
/* rr: TCP_NODELAY on its socket, so that each message leaves at once,
 * not waiting for more. */
void nc_flow_nodelay(const struct nc_flow *flow);
/* The flow's workload with counting on, then everything released. */
int nc_flow_run(const struct netcopy_mode *mode, struct nc_flow *flow);
/* nc_flow_run's start (the warm-up's state, CPU time, counters and
 * TCP_INFO) and its end (the figures taken), around a workload. */
uint64_t nc_flow_cpu_now(const struct nc_flow *flow);
void nc_flow_start(struct nc_flow *flow);
void nc_flow_finish(struct nc_flow *flow);
/* Release what nc_flow_prepare made, for a flow that will not run. */
void nc_flow_release(const struct netcopy_mode *mode, struct nc_flow *flow);
/* The descriptors one data connection of mode needs over proto (enum
 * nc_proto): its socket, a UDP run's datagram socket, and what its
 * engine opens.  Perf counters are not counted: one that finds no
 * descriptor is NA. */
unsigned int nc_flow_fds(const struct netcopy_mode *mode, uint8_t proto);

/* ---- measuring.c */
/* The warm-up is over: start every figure afresh (counters, CPU time,
 * bytes, messages, round trips). */
void nc_flow_begin_measuring(struct nc_flow *flow);

/* Call once per message or round trip: cheap while measuring. */
static inline void nc_flow_check_warmup(struct nc_flow *flow)
{
	if (__builtin_expect(flow->warm, 0) &&
	    atomic_load_explicit(flow->measuring, memory_order_relaxed))
		nc_flow_begin_measuring(flow);
}

/* Whether the driving side has said stop. */
static inline bool nc_flow_stopping(const struct nc_flow *flow)
{
	return atomic_load_explicit(flow->stop, memory_order_relaxed);
}

/* Bytes so far, for whoever reports progress (a relaxed store: a plain
 * move on most machines). */
static inline void nc_flow_report(struct nc_flow *flow)
{
	atomic_store_explicit(&flow->progress,
			      flow->total_bytes + flow->bytes,
			      memory_order_relaxed);
}

/* sockbuf.c: the socket buffers of a flow's data socket. */
/* Set those its params ask for (0 leaves one as the kernel has it).
 * 0 or a negative errno. */
int nc_sockbuf_apply(const struct nc_flow *flow);
/* At the end, when any was asked for: what the kernel holds, -1 each
 * where it would not say. */
void nc_sockbuf_read(struct nc_flow *flow);
/* A side's: the largest over its flows, -1 each when none is known. */
void nc_sockbuf_figures(struct nc_figures *f, const struct nc_flow *flows,
			uint32_t n);

/* pacing.c: --rate on a sending stream flow's socket.  The kernel
 * paces (SO_MAX_PACING_RATE) where its smallest burst is short at the
 * rate, else flow->pace does, in the workload loop; NETCOPY_PACING=user
 * in the environment makes it user space always. */
void nc_pacing_apply(struct nc_flow *flow);

/* What the loops call to receive: the --rx path, or the mode's own,
 * asking for at most --rx-size bytes when it is set. */
static inline ssize_t nc_recv_some(const struct netcopy_mode *mode,
				   struct nc_flow *flow, size_t max)
{
	size_t rx_size = (size_t)flow->params->rx_size;	/* 0: unset */

	if (rx_size && rx_size < max)
		max = rx_size;
	return flow->rx_state ? nc_rx_recv_some(flow, max) :
				mode->recv_some(flow, max);
}

/* ---- workload.c: the loops every engine runs in. */
int nc_stream_send(const struct netcopy_mode *mode, struct nc_flow *flow);
/* After the last send: collect what the kernel still owes (send_end),
 * even after an error err, so no buffer is freed in flight.  err, or
 * send_end's error where there was none. */
int nc_send_owed(const struct netcopy_mode *mode, struct nc_flow *flow,
		 int err);
int nc_stream_recv(const struct netcopy_mode *mode, struct nc_flow *flow);
/* rr: ask and time round trips until *stop, or answer until EOF. */
int nc_rr_ask(const struct netcopy_mode *mode, struct nc_flow *flow);
int nc_rr_answer(const struct netcopy_mode *mode, struct nc_flow *flow);

/* ---- workload-udp.c: --proto udp's stream loops. */
int nc_udp_stream_send(const struct netcopy_mode *mode, struct nc_flow *flow);
int nc_udp_stream_recv(const struct netcopy_mode *mode, struct nc_flow *flow);
/* Their parts, which a group's (group-udp.c) share.  The end marker
 * and the link's end, after err: err, or the link's. */
int nc_udp_end_sending(struct nc_flow *flow, int err);
/* Datagrams a send_datagrams call may send: the mode's per call, fewer
 * where a paced burst of pace holds fewer (so the rate is held to its
 * bursts; a paced sender waits between calls), at least one. */
uint32_t nc_udp_batch(const struct netcopy_mode *mode,
		      const struct nc_flow *flow, const struct nc_pace *pace);
/* A datagram of n bytes read for flow at now: NC_DGRAM_DATA (counted,
 * checked with --verify; another flow's or size's is a mismatch),
 * NC_DGRAM_END (the flow's end marker: its tail's loss counted) or 0
 * (not the flow's data). */
int nc_udp_got(struct nc_flow *flow, const struct iovec *iov, size_t cnt,
	       size_t n, uint64_t now);
/* When a receiver stops waiting for a sender that says nothing. */
uint64_t nc_udp_recv_deadline(const struct nc_flow *flow);
/* A receiver's end: its counts taken. */
void nc_udp_recv_end(struct nc_flow *flow);
/* rr over UDP: one request datagram outstanding, answered by one of
 * the same size and sequence number or counted lost after
 * --rr-timeout; the answerer answers each until the asker's end. */
int nc_udp_rr_ask(const struct netcopy_mode *mode, struct nc_flow *flow);
int nc_udp_rr_answer(const struct netcopy_mode *mode, struct nc_flow *flow);

/* ---- udp-link.c: a UDP flow's socket, tied to its data connection.
 * The server opens it (port 0 on the data connection's own address),
 * and answers the data tag with its port and a cookie; the client's
 * socket, connected to that port, sends the cookie until the server
 * has it from the data connection's peer address (no other: the
 * server sends only to whoever holds that connection), connects to
 * it, and says so on the data connection. */
/* Server: the socket and its port.  0 or -errno. */
int nc_udp_link_open(int link_fd, int *udp_fd, uint32_t *port);
/* Server: wait up to timeout_ms for the cookie from the link's peer,
 * then connect to where it came from.  0, -ETIMEDOUT, -ECONNRESET (the
 * link closed) or -errno. */
int nc_udp_link_await(int udp_fd, int link_fd, uint64_t cookie,
		      int timeout_ms);
/* Client: a socket connected to port at the link's peer, sending the
 * cookie every few ms until the link has something to read (the
 * server's word) or timeout_ms pass.  0 or -errno. */
int nc_udp_link_connect(int link_fd, uint32_t port, uint64_t cookie,
			int timeout_ms, int *udp_fd);
/* The largest datagram payload over the link's address family. */
uint64_t nc_udp_max_size(int link_fd);
/* The largest payload of an unfragmented datagram to the link's peer:
 * the route's MTU (IP_MTU of a UDP socket connected there) less the IP
 * and UDP headers, with the MTU in *mtu; 0 where it cannot tell. */
uint64_t nc_udp_path_payload(int link_fd, int *mtu);

/* ---- group.c: --flows above -t, a thread driving several flows'
 * non-blocking sockets with epoll.  Flow i is thread i % threads'. */
struct nc_group;
/* The flows thread t of threads drives: t, t + threads, ... */
uint32_t nc_group_size(uint32_t flows, uint32_t threads, uint32_t t);
/* 0, or NETCOPY_EUNSUPPORTED with why: p's flows cannot be spread over
 * its threads with mode (yet). */
int nc_group_check(const struct netcopy_mode *mode, const struct nc_params *p,
		   char *why, size_t cap);
/* The descriptors p's data connections need at one end: nc_flow_fds()
 * each, but a ring's once a thread where one drives its group. */
uint64_t nc_group_fds(const struct netcopy_mode *mode,
		      const struct nc_params *p);
/* In the thread that will drive them: the first flow prepared as
 * nc_flow_prepare does, the others sharing its buffers, all under one
 * epoll.  0 or -errno (everything released then). */
int nc_group_prepare(const struct netcopy_mode *mode, struct nc_flow **flows,
		     uint32_t n, struct nc_group **out);
/* Run the group's stream, or its rr, then release it: the first
 * error. */
int nc_group_run(struct nc_group *g);
/* Release a group that will not run. */
void nc_group_release(struct nc_group *g);

/* ---- figures.c */
/* Sum flows into one side's figures: the interval runs from the first
 * flow's first byte to the last flow's last; latency is the mean over
 * flows of interval / messages. */
void nc_figures_from_flows(struct nc_figures *f, const struct nc_flow *flows,
			   uint32_t n);

#endif /* NETCOPY_FLOW_H */
