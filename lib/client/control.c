/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * control.c - a client's control connection: the hello, the server's
 * answer (with --auth-file, its challenge and the proof first), and the
 * one retry without what an older server does not know.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"
#include "client/client.h"
#include "flow/flow.h"
#include "params/params.h"
#include "wire/wire.h"

/* Descriptors kept for the rest: stdio, the output file, the control
 * connection. */
#define FD_MARGIN 16

/* The server's answer on fd: accepted (with the run id), or refused,
 * and then why; with auth, the challenge it may answer a hello with. */
static int read_answer(struct netcopy_client *c, int fd, struct nc_reply *rep,
		       struct nc_challenge *chal)
{
	uint8_t body[NC_MAX_BODY];
	struct nc_header h;
	const char *why = "";
	int err = nc_msg_recv(fd, &h, body, REPLY_TIMEOUT_MS, &why);

	if (!err && h.type == NC_MSG_CHALLENGE && chal)
		err = nc_challenge_decode(body, h.length, chal, &why);
	else if (!err && h.type != NC_MSG_ACCEPT && h.type != NC_MSG_REFUSE) {
		err = NETCOPY_EPROTOCOL;
		why = "unexpected message instead of the server's answer";
	} else if (!err) {
		err = nc_reply_decode(body, h.length, rep, &why);
		if (!err && chal && rep->accepted) {
			err = NETCOPY_EPROTOCOL;
			why = "accepted without authenticating (--auth-file)";
		}
	}
	if (err == NETCOPY_EPROTOCOL)
		return fail(c, err, "bad answer from the server: %s", why);
	if (err)
		return fail(c, err, "no answer from the server: %s",
			    netcopy_strerror(err));
	if (h.type == NC_MSG_CHALLENGE)
		return 1;
	if (!rep->accepted)
		return fail(c, rep->code == NETCOPY_EUNSUPPORTED ?
			    NETCOPY_EUNSUPPORTED : NETCOPY_EREFUSED,
			    "server refused: %s", rep->reason);
	return 0;
}

int nc_client_read_reply(struct netcopy_client *c, int fd,
			 struct nc_reply *rep)
{
	return read_answer(c, fd, rep, NULL);
}

/* Hello, and the server's answer: the run id, or a refusal and why.
 * With a secret the server must challenge first (its challenge is
 * kept for the data tags); no proof goes to one that does
 * not, and only a proof, never the secret, to one that does. */
static int negotiate(struct netcopy_client *c, const struct nc_params *hello,
		     int ctrl, struct nc_reply *rep)
{
	struct nc_challenge *chal = &c->challenge;
	uint8_t body[NC_MAX_BODY];
	int len = nc_hello_encode(hello, body, sizeof(body)), err;

	if (len < 0)
		return len;
	err = nc_msg_send(ctrl, NC_MSG_HELLO, body, (size_t)len);
	if (err)
		return fail(c, err, "cannot send the hello: %s",
			    netcopy_strerror(err));
	err = read_answer(c, ctrl, rep, hello->auth ? chal : NULL);
	if (err != 1)
		return err;
	err = nc_client_prove(c, ctrl, body, (size_t)len);
	return err ? err : nc_client_read_reply(c, ctrl, rep);
}

/* A mode whose -s must fit the path's MTU, over UDP, with an -s that
 * does not: failed, true. */
static bool over_mtu(struct netcopy_client *c, const struct nc_params *hello,
		     int ctrl)
{
	const struct netcopy_mode *mode = netcopy_mode_find(hello->mode);
	uint64_t most;
	int mtu;

	if (hello->proto != NC_PROTO_UDP || !mode || !mode->fits_mtu)
		return false;
	most = nc_udp_path_payload(ctrl, &mtu);
	if (!most || hello->size <= most)
		return false;
	return fail(c, -EINVAL, "%s: segment size (-s) %llu exceeds the "
		    "path MTU (%d): at most %llu bytes", hello->mode,
		    (unsigned long long)hello->size, mtu,
		    (unsigned long long)most) != 0;
}

/* The control connection, and the server's acceptance. */
static int try_control(struct netcopy_client *c, const struct nc_params *hello,
		       int *ctrl, struct nc_reply *rep)
{
	int one = 1, err;

	c->server_len = 0;
	err = nc_client_connect(c, 0, ctrl);
	if (err)
		return err;
	c->server_len = sizeof(c->server);
	if (getpeername(*ctrl, (struct sockaddr *)&c->server, &c->server_len))
		c->server_len = 0;
	setsockopt(*ctrl, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (hello->proto == NC_PROTO_UDP &&
	    hello->size > nc_udp_max_size(*ctrl))
		err = fail(c, -EINVAL, "datagram size (-s) %llu out of range: "
			   "at most %llu bytes over IPv4",
			   (unsigned long long)hello->size,
			   (unsigned long long)nc_udp_max_size(*ctrl));
	else if (over_mtu(c, hello, *ctrl))
		err = -EINVAL;
	else
		err = negotiate(c, hello, *ctrl, rep);
	if (err) {
		close(*ctrl);
		*ctrl = -1;
	}
	return err;
}

/* A server refused the hello for a field it does not know. */
static bool too_old(int err, const struct nc_reply *rep)
{
	return err == NETCOPY_EREFUSED && rep->code == NETCOPY_EPROTOCOL &&
	       strcmp(rep->reason, "unknown field") == 0;
}

/* A run RLIMIT_NOFILE cannot hold (a --bidir pair, both) fails now,
 * with the reason, not with a connection that times out. */
int nc_client_check_fds(struct netcopy_client *c,
			const struct netcopy_mode *mode)
{
	uint64_t need = FD_MARGIN + (c->pair ? 2 : 1) *
			(nc_group_fds(mode, &c->p) + c->p.threads);
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY ||
	    need <= rl.rlim_cur)
		return 0;
	if (c->p.flows)
		return fail(c, -EMFILE, "not enough file descriptors for "
			    "--flows %u: it needs %llu (limit %llu)",
			    c->p.flows, (unsigned long long)need,
			    (unsigned long long)rl.rlim_cur);
	return fail(c, -EMFILE, "not enough file descriptors (limit %llu)",
		    (unsigned long long)rl.rlim_cur);
}

int nc_client_check_flows(struct netcopy_client *c,
			  const struct netcopy_mode *mode)
{
	char why[NC_REASON_MAX];

	if (c->p.flows == c->p.threads)	/* the default, never sent */
		c->p.flows = 0;
	if (c->p.flows && c->p.flows < c->p.threads)
		return fail(c, -EINVAL, "--flows %u below -t %u (each thread "
			    "drives a flow at least)", c->p.flows,
			    c->p.threads);
	if (nc_group_check(mode, &c->p, why, sizeof(why)))
		return fail(c, NETCOPY_EUNSUPPORTED, "%s", why);
	return 0;
}

/* A server older than a request asked by default (NC_PF_ASK) refuses
 * the hello for a field it does not know: ask again once without them,
 * and say so, for the run works without them.  A paced run cannot run
 * without its rate: it says so.  Authentication is never dropped so:
 * such a server fails the run, and it says so. */
int nc_client_open_control(struct netcopy_client *c, int *ctrl,
			   struct nc_reply *rep)
{
	struct nc_params hello = c->p;
	char names[160];
	int err;

	/* Only rr over UDP times its requests out: others leave it out,
	 * so older servers serve them. */
	if (hello.proto != NC_PROTO_UDP || hello.workload != NC_WORKLOAD_RR)
		hello.rr_timeout = NC_DEFAULT_RR_TIMEOUT_S;
	err = try_control(c, &hello, ctrl, rep);

	if (too_old(err, rep) && hello.proto == NC_PROTO_UDP)
		return fail(c, NETCOPY_EUNSUPPORTED, "server refused: unknown "
			    "field (it is older and cannot run --proto udp)");
	if (!too_old(err, rep) ||
	    !nc_params_ask(&hello, false, names, sizeof(names)))
		goto out;
	err = try_control(c, &hello, ctrl, rep);
	if (!err)
		snprintf(c->note, sizeof(c->note), "the server is older and "
			 "does not know %s: ran without (NA from the server)",
			 names);
out:
	if (too_old(err, rep) && c->p.rate)
		return fail(c, err, "server refused: unknown field (a server "
			    "older than --rate does not know it)");
	if (too_old(err, rep) && c->p.flow_bytes)
		return fail(c, NETCOPY_EUNSUPPORTED, "server refused: unknown "
			    "field (a server older than --per-flow where it "
			    "receives cannot say each flow's bytes)");
	if (too_old(err, rep) && c->p.auth)
		return fail(c, err, "server refused: unknown field (a server "
			    "older than --auth-file cannot authenticate)");
	return err;
}
