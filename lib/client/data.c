/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * data.c - a client's data connections: each connected, tagged with its
 * run and index, and taken by the server (a UDP run's with its UDP
 * socket attached); --flows above -t's, many of them, with the tags
 * ahead of the server's answers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "client/client.h"
#include "flow/flow.h"
#include "wire/wire.h"

/* --flows above -t: data connections tagged ahead of the server's
 * answers, so that connecting N flows costs about N connects, not N
 * round trips to the server's threads; never more than this many
 * unanswered (the server's listen backlog is larger). */
#define FLOWS_AHEAD 256

/* A UDP run's data connection, accepted with the server's UDP port and
 * cookie: a UDP socket connected there that echoes the cookie until the
 * server says, on the data connection, that it has it. */
static int attach_udp(struct netcopy_client *c, int fd,
		      const struct nc_reply *ack, int *udp_fd)
{
	struct nc_reply ok;
	int err;

	if (!ack->udp_port) {
		snprintf(c->detail, sizeof(c->detail), "the server gave no "
			 "UDP port for a UDP run");
		return NETCOPY_EPROTOCOL;
	}
	err = nc_udp_link_connect(fd, ack->udp_port, ack->cookie,
				  REPLY_TIMEOUT_MS, udp_fd);
	if (err) {
		snprintf(c->detail, sizeof(c->detail), "UDP socket: %s",
			 netcopy_strerror(err));
		return err;
	}
	err = nc_client_read_reply(c, fd, &ok);
	if (err) {
		close(*udp_fd);
		*udp_fd = -1;
	}
	return err;
}

/* Connect data connection index and send its tag. */
static int send_tag(struct netcopy_client *c, const struct nc_reply *rep,
		    uint32_t index, int *fd)
{
	struct nc_tag tag = { .index = index, .has_mac = c->p.auth };
	uint8_t body[128];
	int len, err;

	memcpy(tag.run_id, rep->run_id, NC_RUN_ID_LEN);
	if (tag.has_mac && (err = nc_client_tag_mac(c, &tag)))
		return err;
	err = nc_client_connect(c, index, fd);
	if (err)
		return err;
	len = nc_tag_encode(&tag, body, sizeof(body));
	err = len < 0 ? len : nc_msg_send(*fd, NC_MSG_DATA_TAG, body,
					  (size_t)len);
	if (err) {
		snprintf(c->detail, sizeof(c->detail), "data connection: %s",
			 netcopy_strerror(err));
		close(*fd);
		*fd = -1;
	}
	return err;
}

int nc_client_open_data(struct netcopy_client *c, const struct nc_reply *rep,
			uint32_t index, int *fd, int *udp_fd)
{
	struct nc_reply ack;
	int err = send_tag(c, rep, index, fd);

	if (err)
		return err;
	/* The server says it took the connection, or why not. */
	err = nc_client_read_reply(c, *fd, &ack);
	if (!err && c->p.proto == NC_PROTO_UDP)
		err = attach_udp(c, *fd, &ack, udp_fd);
	if (err) {
		close(*fd);
		*fd = -1;
	}
	return err;
}

/* The server's answer to data connection i, and a UDP run's socket
 * attached (udp_fds[i]). */
static int flow_answered(struct netcopy_client *c, uint32_t i, int *fds,
			 int *udp_fds)
{
	struct nc_reply ack;
	int err = nc_client_read_reply(c, fds[i], &ack);

	if (!err && udp_fds)
		err = attach_udp(c, fds[i], &ack, &udp_fds[i]);
	return err;
}

int nc_client_open_flows(struct netcopy_client *c, const struct nc_reply *rep,
			 uint32_t n, int *fds, int *udp_fds)
{
	uint32_t sent = 0, answered = 0;
	int err = 0;

	for (uint32_t i = 0; i < n; i++) {
		fds[i] = -1;
		if (udp_fds)
			udp_fds[i] = -1;
	}
	while (!err && answered < n) {
		if (sent < n && sent - answered < FLOWS_AHEAD) {
			err = send_tag(c, rep, sent, &fds[sent]);
			sent++;
		} else {
			err = flow_answered(c, answered++, fds, udp_fds);
		}
	}
	if (!err)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		if (udp_fds && udp_fds[i] >= 0)
			close(udp_fds[i]);
		fds[i] = -1;
	}
	return err;
}
