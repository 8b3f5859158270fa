/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * recv.h - the receive paths a run can ask for with --rx (rx.c holds
 * their table; rx-zero-copy.c is TCP_ZEROCOPY_RECEIVE), and recvmsg()
 * into separately allocated fields (scatter.c), which the one-copy
 * engine also sends from.  Uses engine/ and base/.
 */
#ifndef NETCOPY_RECV_H
#define NETCOPY_RECV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "engine/engine.h"

/* ---- rx.c */
/* "mode", "recv", "recvmsg" or "zero-copy"; NULL past NC_RX_LAST. */
const char *nc_rx_name(uint8_t rx);
/* The path named; -EINVAL for none. */
int nc_rx_parse(const char *name, uint8_t *rx);
/* 0, or NETCOPY_EUNSUPPORTED with why: this build cannot receive so. */
int nc_rx_probe(uint8_t rx, const char **why);
/* Buffer bytes the path adds to a receiving connection. */
uint64_t nc_rx_memory(uint8_t rx, uint64_t size);
/* 0, or NETCOPY_EUNSUPPORTED with why: p's receive path (or its
 * --rx-size) cannot receive its protocol's data (enum nc_proto). */
int nc_rx_proto_check(const struct nc_params *p, const char **why);
/* A receiving flow's path flow->rx (not the mode's): flow->rx_state.
 * 0 or -errno; nc_rx_release frees it, also after a failure. */
int nc_rx_prepare(struct nc_flow *flow);
void nc_rx_release(struct nc_flow *flow);
/* A member of a thread's group (flow/group.c) receives through its
 * owner's path state, with what is its own; 0 or -errno, and
 * nc_rx_leave lets go of it, also after a failure. */
int nc_rx_join(struct nc_flow *owner, struct nc_flow *member);
void nc_rx_leave(struct nc_flow *member);
/* recv_some of the path: as struct netcopy_mode's. */
ssize_t nc_rx_recv_some(struct nc_flow *flow, size_t max);
/* recv_datagram of the path (UDP): as struct nc_rx_ops's. */
/* Whether the path holds datagrams read for flow not yet handed out. */
bool nc_rx_held(const struct nc_flow *flow);
ssize_t nc_rx_recv_datagram(struct nc_flow *flow, const struct iovec **iov,
			    size_t *cnt);

/* ---- scatter.c: recvmsg() into NC_FIELDS separately allocated fields,
 * message by message (one-copy's receive, and --rx recvmsg). */
struct nc_scatter {
	struct iovec field[NC_FIELDS];
};
/* Fields of a message of size bytes laid out by nc_layout_fields, each
 * its own allocation; 0 or -ENOMEM (free them even then). */
int nc_fields_alloc(struct iovec field[NC_FIELDS], uint64_t size);
void nc_fields_free(struct iovec field[NC_FIELDS]);
/* The fields from byte off of the message on, at most max bytes, in
 * out: the entries used. */
size_t nc_fields_from(const struct iovec field[NC_FIELDS], uint64_t off,
		      size_t max, struct iovec out[NC_FIELDS]);
/* Drop n bytes from the front of an iovec array; returns entries left. */
size_t nc_iov_advance(struct iovec **iov, size_t cnt, size_t n);
/* 0 or -ENOMEM; nc_scatter_free frees it, also after a failure. */
int nc_scatter_init(struct nc_scatter *s, uint64_t size);
void nc_scatter_free(struct nc_scatter *s);
/* Reads at most the rest of the current message (flow->rx_part of it
 * in), and at most max bytes (max > 0); checked. */
ssize_t nc_scatter_recv(struct nc_flow *flow, struct nc_scatter *s,
			size_t max);

/* ---- rx-zero-copy.c: TCP_ZEROCOPY_RECEIVE, kept apart because
 * linux/tcp.h clashes with glibc's netinet/tcp.h; where the headers lack
 * it, its probe says so. */
extern const struct nc_rx_ops nc_rx_zero_copy;

/* ---- rx-recvmmsg.c: --rx recvmmsg, datagrams in batches (UDP only). */
extern const struct nc_rx_ops nc_rx_recvmmsg;

/* ---- rx-gro.c: --rx gro, UDP_GRO's coalesced reads (UDP only). */
extern const struct nc_rx_ops nc_rx_gro;

#endif /* NETCOPY_RECV_H */
