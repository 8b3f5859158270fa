/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * engine.h - what a data path is made of and works on: struct nc_flow
 * (one data connection), struct netcopy_mode (a send path's
 * operations) and struct nc_rx_ops (a receive path's), with the
 * buffers and the checked recv() most of them share (buffers.c).  The
 * engines of send/ and recv/ implement these; flow/ drives them.  Uses
 * base/, measure/ and params/.
 */
#ifndef NETCOPY_ENGINE_H
#define NETCOPY_ENGINE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "base/base.h"
#include "measure/measure.h"
#include "params/params.h"

/* ---- datagram.c: what every UDP datagram carries first, 24 bytes in
 * network byte order: "NCD" and its kind, the flow (the data
 * connection's index), the sequence number and the sender's
 * CLOCK_MONOTONIC time in ns.  The --verify pattern of (flow, seq)
 * follows, at the offsets TCP's messages have it. */
#define NC_DGRAM_HDR_LEN 24
/* The largest payload of a datagram: 65535 less the IP (IPv6 has its
 * own 40 bytes outside the 65535) and UDP headers. */
#define NC_DGRAM_MAX_IPV4 65507
#define NC_DGRAM_MAX_IPV6 65527
/* A receiver tells duplicates from late datagrams this far back. */
#define NC_SEQ_WINDOW 1024
/* How long the end of a run waits for what the kernel owes (zero-copy
 * completions) before calling it lost. */
#define NC_OWED_WAIT_NS (10ULL * 1000000000ULL)

enum nc_dgram_kind {
	NC_DGRAM_DATA = 1,	/* a datagram of the run */
	NC_DGRAM_END,		/* the sender is done; seq: datagrams sent */
	NC_DGRAM_COOKIE,	/* the client's UDP socket; seq: the cookie */
};

struct nc_dgram_hdr {
	uint8_t kind;		/* enum nc_dgram_kind */
	uint32_t flow;
	uint64_t seq;
	uint64_t sent_ns;
};

struct nc_flow;

/* Write h over the front of iov (at least NC_DGRAM_HDR_LEN bytes). */
void nc_dgram_write(const struct iovec *iov, size_t cnt,
		    const struct nc_dgram_hdr *h);
/* Read the header of a datagram of len bytes: 0, or -EBADMSG for one
 * too short or not netcopy's. */
int nc_dgram_read(const struct iovec *iov, size_t cnt, size_t len,
		  struct nc_dgram_hdr *h);
/* Make datagram seq of flow in iov (len bytes): its header, sent now
 * (at flow->stamp_ns where rr set it, so no clock is read), and with
 * --verify its pattern. */
void nc_dgram_stamp(const struct iovec *iov, size_t cnt, size_t len,
		    const struct nc_flow *flow, uint64_t seq);
/* Whether every payload byte of a datagram is (flow, seq)'s. */
bool nc_dgram_matches(const struct iovec *iov, size_t cnt, size_t len,
		      uint32_t flow, uint64_t seq);

/* A UDP receiver's counts, O(1) per datagram: the sequence numbers seen
 * within NC_SEQ_WINDOW of the highest, as a bitmap. */
struct nc_seq_track {
	uint64_t next;			/* the highest seen + 1 */
	uint64_t seen[NC_SEQ_WINDOW / 64];
	uint64_t lost, reordered, duplicated;
	double jitter_ns;
	int64_t transit;		/* the last arrival - its send time */
	bool have_transit;
};
/* Every count NA: not a UDP receiver. */
extern const struct nc_udp_counts nc_udp_none;
void nc_seq_init(struct nc_seq_track *t);
/* The measured span starts: the counts start afresh. */
void nc_seq_begin(struct nc_seq_track *t);
/* Datagram seq sent at sent_ns (the sender's clock) arrived at now_ns:
 * false for a duplicate, which is counted and nothing else. */
bool nc_seq_add(struct nc_seq_track *t, uint64_t seq, uint64_t sent_ns,
		uint64_t now_ns);
/* RFC 3550's jitter alone, for a datagram counted elsewhere (rr's
 * answers: the transit is the round trip). */
void nc_seq_jitter(struct nc_seq_track *t, uint64_t sent_ns, uint64_t now_ns);
/* The sender's end marker says it sent this many: the tail it lost. */
void nc_seq_end(struct nc_seq_track *t, uint64_t sent);
void nc_seq_counts(const struct nc_seq_track *t, struct nc_udp_counts *c);

/* ---- engines: one per data path, all behind struct netcopy_mode. */

/* One data connection's work and, afterwards, its figures. */
struct nc_flow {
	int fd;
	uint32_t index;			/* binds the pattern to the link */
	/* The run's parameters, which outlive the flow. */
	const struct nc_params *params;
	uint64_t size;			/* params->size, read often */
	bool verify;			/* params->verify, likewise */
	bool sender;			/* stream: sends; rr: asks */
	const atomic_bool *stop;	/* the driving side stops when set */
	/* Set when the warm-up ends; NULL: measure from the start. */
	const atomic_bool *measuring;
	bool warm;			/* still in the warm-up */
	int cpu;			/* pin the thread here; -1: don't */
	atomic_uint_fast64_t progress;	/* bytes so far, for reports */
	bool done;			/* under the owner's lock: finished */

	/* Made by prepare: */
	uint8_t *send_buf;		/* a message, for one-buffer modes */
	uint8_t *recv_buf;
	size_t recv_cap;
	void *state;			/* the engine's own */
	struct nc_verifier verifier;
	struct nc_histogram *rtt;	/* rr, the asking side */

	uint64_t total_bytes;		/* warm-up included */
	uint64_t seq;			/* messages sent, warm-up included */
	uint64_t cpu_start_us;
	uint64_t bytes;			/* received, or sent by a sender */
	uint64_t messages;		/* messages, or round trips */
	uint64_t first_ns;
	uint64_t last_ns;
	uint64_t mismatches;
	struct nc_counters counters;
	struct nc_counts counts;
	uint64_t cpu_us;
	struct nc_zc_counts zc;		/* nc_zc_none unless zero-copy */
	/* The state of the receive path (params->rx) when not the mode's
	 * own; the receive-side zero-copy figures as in struct nc_figures
	 * (warm-up left out, so they add up to bytes). */
	void *rx_state;
	uint8_t rx;			/* that path (enum nc_rx) */
	uint64_t rx_calls;		/* UDP: its reads since measuring began */
	/* UDP: of those, the reads that gave a data datagram (not only
	 * late cookies, duplicates or the end), and the read it counted. */
	uint64_t rx_data_calls, rx_data_call;
	uint64_t tx_calls;		/* UDP: its sends, likewise */
	int64_t rx_zc_mapped;
	int64_t rx_zc_copied;
	int32_t rx_zc_refused;
	struct nc_sockbufs sockbuf;	/* at the end (nc_sockbuf_read) */
	struct nc_tcp_flow tcp;		/* TCP_INFO over the measured span */
	/* --rate: how the sender holds it (enum nc_pacing), and the
	 * user-space pacer (its rate 0 unless that is how). */
	uint8_t pacing;
	struct nc_pace pace;
	/* --proto udp: the data connection (TCP) that ties the UDP socket
	 * fd to its run and says when the sender is done; -1 for TCP. */
	int link_fd;
	struct nc_seq_track seqs;	/* a UDP receiver's, or rr asker's */
	/* UDP rr: the time its datagrams carry, the asker's clock (the
	 * request's send, which the answer echoes); 0: now. */
	uint64_t stamp_ns;
	struct nc_udp_counts udp;	/* and its counts */
	/* --flows above -t (flow/group.c): the bytes of message seq sent
	 * so far; a member of a thread's group, whose buffers, CPU time
	 * and counters are its group's first flow's; its stream over. */
	uint64_t part;
	/* The bytes of the message being received so far, where it is
	 * received field by field (recv/scatter.c). */
	uint64_t rx_part;
	bool member;
	bool ended;
	bool owed;	/* waits for completions (send_part's -EINPROGRESS) */
	/* --flows above -t: when what the kernel still owes at the end
	 * is lost, one deadline for all the thread's flows (else one flow
	 * after another could each wait its own), pushed back by each
	 * completion that comes before it; NULL: each wait its own. */
	uint64_t *owed_by_ns;
	/* rr over --flows (flow/group-rr.c): the bytes of the request or
	 * answer being received so far, and where its exchange stands. */
	uint64_t got;
	uint8_t phase;
	/* send_part: the group sends this flow's next message at once
	 * (MSG_MORE: the kernel may hold a short tail for it). */
	bool more;
};

/* send_part's flags for send() and sendmsg(): never blocking, and
 * MSG_MORE where the flow's next message follows at once. */
static inline int nc_part_flags(const struct nc_flow *f)
{
	return MSG_DONTWAIT | MSG_NOSIGNAL | (f->more ? MSG_MORE : 0);
}

/* Whether the flow sends / receives messages (rr: both). */
static inline bool nc_flow_sends(const struct nc_flow *f)
{
	return f->sender || f->params->workload == NC_WORKLOAD_RR;
}

static inline bool nc_flow_receives(const struct nc_flow *f)
{
	return !f->sender || f->params->workload == NC_WORKLOAD_RR;
}

/* --flows above -t for a mode whose one ring drives a thread's sending
 * flows (io_uring): its completions, not epoll, say which flow may send
 * again.  Flow i is flows[i] of open's; a receiver reads through epoll
 * as with any mode. */
struct nc_ring_group_ops {
	/* 0, or NETCOPY_EUNSUPPORTED with why: the ring of n flows a
	 * thread cannot run p (yet). */
	int (*check)(const struct nc_params *p, uint32_t n, char *why,
		     size_t cap);
	/* Buffer bytes the ring of a thread of n flows commits (its pool
	 * of slots, bounded whatever n). */
	uint64_t (*memory)(uint64_t size, uint32_t qd, uint32_t n);
	/* The thread's ring for its n prepared flows: 0 or -errno. */
	int (*open)(struct nc_flow **flows, uint32_t n, void **ring);
	/* Queue message flows[i]->seq (stamped when verifying): 0, or
	 * -EAGAIN until wait names flow i again. */
	int (*queue)(void *ring, uint32_t i);
	/* 0 when flow i has nothing in flight, so its stream may end;
	 * -EAGAIN until wait names it again. */
	int (*idle)(void *ring, uint32_t i);
	/* Submit what is queued now (a paced thread, before it sleeps):
	 * 0 or -errno. */
	int (*submit)(void *ring);
	/* Submit what is queued, wait up to ms for completions and put in
	 * ready[] the flows that may go on: how many, or -errno. */
	int (*wait)(void *ring, uint32_t *ready, int ms);
	/* After the last send (cancel: an error, what is in flight goes):
	 * wait for all the kernel owes, each flow's zc counts set.  0 or
	 * an error. */
	int (*drain)(void *ring, bool cancel);
	void (*close)(void *ring);
};

struct netcopy_mode {
	const char *name;
	const char *summary;
	/* The call recv_some reads with (enum nc_rx: NC_RX_RECV or
	 * NC_RX_RECVMSG; a UDP-only mode's may be NC_RX_RECVMMSG), named
	 * in the Rx column when --rx is not given. */
	uint8_t own_rx;
	/* Sends from buffers registered with the kernel (--fixed-buffers). */
	bool fixed_buffers;
	/* UDP: -s is a segment the kernel never fragments (GSO): it must
	 * fit the path's MTU with its headers (nc_udp_path_payload()). */
	bool fits_mtu;
	/* Counts its zero-copy sends (flow->zc); others never do. */
	bool zero_copy;
	/* 0, or NETCOPY_EUNSUPPORTED with a reason. */
	int (*probe)(const char **why);
	/* UDP: 0, or -EINVAL with why (static, or this thread's until
	 * the next call): the run's parameters exceed what this mode or
	 * kernel can send; NETCOPY_EUNSUPPORTED: the kernel cannot send
	 * the mode over UDP at all.  NULL: none. */
	int (*check)(const struct nc_params *p, const char **why);
	/* Buffer bytes one direction of a data connection of this mode
	 * commits for a message size and queue depth (--qd; over UDP,
	 * --batch). */
	uint64_t (*memory)(uint64_t size, uint32_t qd);
	/* Descriptors a data connection of this mode opens beside its
	 * socket (a memfd, a pipe, a ring), for the descriptor limits. */
	uint8_t fds;
	/* Make and touch the flow's buffers for what it sends and
	 * receives, before the run's clock starts.  0 or -errno. */
	int (*prepare)(struct nc_flow *flow);
	/* Send message number flow->seq (stamped when verifying).
	 * 0, -ETIMEDOUT for a stalled peer, or another error. */
	int (*send_message)(struct nc_flow *flow);
	/* --flows above -t: send message flow->seq from byte off on,
	 * without blocking (stamped when verifying): bytes sent, -EAGAIN
	 * when the socket is full, -EINPROGRESS while it waits for the
	 * kernel's completions (the socket's EPOLLERR), or -errno.  NULL:
	 * the mode cannot drive several flows a thread yet. */
	ssize_t (*send_part)(struct nc_flow *flow, uint64_t off);
	/* --flows above -t, rr: at the socket's EPOLLERR, take the
	 * kernel's next answer to the flow's sends (a zero-copy
	 * notification) if there is one, without waiting: 0 or -errno.
	 * NULL: the kernel answers none. */
	int (*send_reap)(struct nc_flow *flow);
	/* --flows above -t: give member (flow i of a group of n, i >= 1)
	 * the state of its own it needs beside that of its group's first
	 * flow (owner, prepared): 0 or -errno.  leave frees it, even after
	 * a failed join.  NULL: a member shares owner's state. */
	int (*join)(struct nc_flow *owner, struct nc_flow *member,
		    uint32_t i, uint32_t n);
	void (*leave)(struct nc_flow *member);
	/* --flows above -t: one ring drives a thread's sending flows;
	 * NULL: epoll over send_part. */
	const struct nc_ring_group_ops *ring_group;
	/* UDP (where modes.def says the mode sends over it): send
	 * datagrams flow->seq onwards, at most max of them, each
	 * flow->size bytes made by nc_dgram_stamp().  How many went (a
	 * datagram the kernel dropped, ENOBUFS, went: the receiver counts
	 * it lost), 0 when the peer's port refused, or -errno. */
	int (*send_datagrams)(struct nc_flow *flow, uint32_t max);
	/* UDP: the datagrams one send_datagrams call sends when max
	 * allows; NULL: one. */
	uint32_t (*per_call)(const struct nc_flow *flow);
	/* Send what send_message queued but has not sent yet, before the
	 * stream's end.  NULL when send_message sends at once. */
	int (*send_flush)(struct nc_flow *flow);
	/* After the last message: collect what the kernel still owes
	 * (zero-copy completions), by flow->owed_by_ns where set, each
	 * wait NC_OWED_WAIT_NS at most otherwise.  NULL when there is
	 * nothing. */
	int (*send_end)(struct nc_flow *flow);
	/* Receive up to max bytes, never past the current message when
	 * the mode reads message by message; checked when verifying.
	 * Bytes read, 0 at end of stream, or a negative error. */
	ssize_t (*recv_some)(struct nc_flow *flow, size_t max);
	/* Free what prepare made; safe after a failed prepare. */
	void (*release)(struct nc_flow *flow);
};


/* ---- buffers.c */
/* The result of a datagram's send() or sendmsg() (n: its return, with
 * errno), as send_datagrams returns it for one datagram. */
int nc_dgram_sent(ssize_t n);

/* One contiguous buffer each way: a message to send, and at least 64 KiB
 * to receive into.  The prepare/release of modes that need no more. */
int nc_buffers_prepare(struct nc_flow *flow, bool send, bool recv);
int nc_buffers_prepare_flow(struct nc_flow *flow);
void nc_buffers_release(struct nc_flow *flow);
uint64_t nc_recv_buffer_size(uint64_t size);
/* The receive buffer of a flow: that, or --rx-size where larger; and
 * the bytes --rx-size adds to each receiving connection's buffer. */
size_t nc_recv_cap(const struct nc_flow *flow);
uint64_t nc_rx_size_memory(const struct nc_params *p);
/* The memory of modes with one buffer each way. */
uint64_t nc_buffers_memory(uint64_t size, uint32_t qd);
/* recv() into that buffer, checked: the receive side of most modes. */
ssize_t nc_recv_into_buffer(struct nc_flow *flow, size_t max);
/* The same into buf of cap bytes: at most max bytes, checked when
 * verifying.  Bytes read, 0 at end of stream, or -errno. */
ssize_t nc_recv_into(struct nc_flow *flow, void *buf, size_t cap, size_t max);

/* One receive path: what nc_rx_* call for it (rx.c holds the table). */
struct nc_rx_ops {
	const char *name;
	/* 0, or NETCOPY_EUNSUPPORTED with why; NULL: always there. */
	int (*probe)(const char **why);
	/* Buffer bytes it adds to a receiving connection; NULL: none. */
	uint64_t (*memory)(uint64_t size);
	/* Set flow->rx_state up, even when failing (0 or -errno), so that
	 * release frees what was made.  NULL: the mode's own call. */
	int (*prepare)(struct nc_flow *flow);
	/* As struct netcopy_mode's recv_some. */
	ssize_t (*recv_some)(struct nc_flow *flow, size_t max);
	/* UDP: one datagram; its length, with *iov and *cnt where it lies,
	 * -ETIMEDOUT when none came within the socket's timeout, or -errno.
	 * NULL: the path is TCP's only. */
	ssize_t (*recv_datagram)(struct nc_flow *flow,
				 const struct iovec **iov, size_t *cnt);
	/* UDP: whether datagrams one call read are still to be handed
	 * out, so that a group's flow, sharing the thread's buffers, is
	 * read on before the next.  NULL: one datagram a call. */
	bool (*held)(const struct nc_flow *flow);
	/* Free flow->rx_state (never NULL when called). */
	void (*release)(struct nc_flow *flow);
	/* --flows above -t: member's state over owner's (prepared) buffers,
	 * 0 or -errno; leave frees it (never NULL when called), even after
	 * a failed join.  NULL: a member shares owner's rx_state. */
	int (*join)(struct nc_flow *owner, struct nc_flow *member);
	void (*leave)(struct nc_flow *member);
};

#endif /* NETCOPY_ENGINE_H */
