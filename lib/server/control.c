/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * control.c - the control connection of a run, and the runs.  The
 * server serves every mode to any number of runs at once.
 *
 * The first message says what a connection is (greet.c reads it): a
 * hello opens a run (the control connection, a thread of its own), a
 * data tag attaches a data connection to its run (serve.c).  The control thread starts the run once all
 * data connections are in, ends it after the duration (when the server
 * sends), and answers with the server's figures.  What a run's buffers
 * need is counted against --max-memory as each data connection attaches
 * (a hello reserves nothing), and given back when the run ends.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"
#include "server/server.h"
#include "base/base.h"
#include "flow/flow.h"
#include "params/params.h"
#include "recv/recv.h"
#include "send/send.h"
#include "wire/wire.h"

/* ---- runs ---- */

static struct run *run_new(const struct nc_params *hello,
			   const struct netcopy_mode *mode)
{
	struct run *run = calloc(1, sizeof(*run));
	uint32_t flows = nc_params_flows(hello);

	if (!run)
		return NULL;
	run->params = *hello;
	run->asked_rate = hello->rate;
	run->mode = mode;
	atomic_init(&run->measuring, hello->warmup <= 0);
	atomic_init(&run->held_rate, 0);
	nc_run_shares(run);
	run->fd_need = 1 + hello->threads *
			   (nc_flow_fds(mode, hello->proto) - 1);
	run->refs = 1;
	run->fds = malloc(flows * sizeof(*run->fds));
	run->errs = calloc(flows, sizeof(*run->errs));
	run->moved = calloc(flows, sizeof(*run->moved));
	run->flows = calloc(flows, sizeof(*run->flows));
	run->parked = calloc(flows, sizeof(*run->parked));
	run->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_cond_init(&run->cond, NULL);
	if (!run->fds || !run->errs || !run->moved || !run->flows ||
	    !run->parked ||
	    run->done_fd < 0 ||
	    getrandom(run->id, sizeof(run->id), 0) != sizeof(run->id)) {
		free(run->fds);
		free(run->errs);
		free(run->moved);
		free(run->flows);
		free(run->parked);
		if (run->done_fd >= 0)
			close(run->done_fd);
		pthread_cond_destroy(&run->cond);
			free(run);
		return NULL;
	}
	for (uint32_t i = 0; i < flows; i++)
		run->fds[i] = -1;
	return run;
}

static void run_unlink(struct netcopy_server *srv, struct run *run)
{
	struct run **p;

	pthread_mutex_lock(&srv->lock);
	for (p = &srv->runs; *p; p = &(*p)->next) {
		if (*p == run) {
			*p = run->next;
			break;
		}
	}
	nc_run_uncharge_locked(srv, run);
	srv->fds_reserved -= run->fd_need;
	nc_host_share_rate_locked(srv, &run->host);	/* the others gain */
	pthread_mutex_unlock(&srv->lock);
}

/* ---- the control connection ---- */

void nc_refuse(int fd, int code, const char *reason)
{
	struct nc_reply rep = { .accepted = false, .code = code };
	uint8_t body[NC_MAX_BODY];
	int len;

	snprintf(rep.reason, sizeof(rep.reason), "%s", reason);
	len = nc_reply_encode(&rep, body, sizeof(body));
	if (len > 0)
		nc_msg_send(fd, NC_MSG_REFUSE, body, (size_t)len);
}

/* What the run's protocol cannot carry: refused, true.  A UDP
 * datagram's bound depends on the address family, which the data
 * connections share with the control connection. */
static bool proto_refused(int fd, const struct nc_params *h,
			  const struct netcopy_mode *mode)
{
	char reason[NC_REASON_MAX];
	const char *why;
	uint64_t most;
	int mtu;

	if (nc_mode_proto_check(mode, h->proto, &why)) {
		snprintf(reason, sizeof(reason), "%s: %s", h->mode, why);
	} else if (nc_rx_proto_check(h, &why)) {
		snprintf(reason, sizeof(reason), "%s", why);
	} else if (h->proto != NC_PROTO_UDP) {
		return false;
	} else if (nc_mode_params_check(mode, h, &why)) {
		snprintf(reason, sizeof(reason), "%s: %s", h->mode, why);
	} else if (mode->fits_mtu && (most = nc_udp_path_payload(fd, &mtu)) &&
		   h->size > most) {
		snprintf(reason, sizeof(reason), "%s: segment size %llu "
			 "exceeds the path MTU (%d): at most %llu bytes",
			 h->mode, (unsigned long long)h->size, mtu,
			 (unsigned long long)most);
	} else if (h->size < NC_DGRAM_HDR_LEN ||
		   h->size > nc_udp_max_size(fd)) {
		snprintf(reason, sizeof(reason), "datagram size %llu out of "
			 "range: %u to %llu bytes over this address family",
			 (unsigned long long)h->size, NC_DGRAM_HDR_LEN,
			 (unsigned long long)nc_udp_max_size(fd));
	} else {
		return false;
	}
	nc_refuse(fd, NETCOPY_EUNSUPPORTED, reason);
	return true;
}

/* Check a decoded hello against this server: 0, or a refusal sent. */
static int admit(struct netcopy_server *srv, int fd, const struct nc_params *h,
		 const struct netcopy_mode **mode)
{
	char reason[NC_REASON_MAX];
	const char *why;

	*mode = netcopy_mode_find(h->mode);
	if (!*mode) {
		snprintf(reason, sizeof(reason), "unknown mode '%s'", h->mode);
		nc_refuse(fd, NETCOPY_EUNSUPPORTED, reason);
		return NETCOPY_EUNSUPPORTED;
	}
	if (h->workload == NC_WORKLOAD_RR && h->reverse) {
		nc_refuse(fd, NETCOPY_EREFUSED, "rr cannot be reversed");
		return NETCOPY_EREFUSED;
	}
	/* The server sends in a stream it serves and answers in rr. */
	if ((!nc_client_sends(h) || h->workload == NC_WORKLOAD_RR) &&
	    netcopy_mode_probe(*mode, &why)) {
		snprintf(reason, sizeof(reason), "%s: %s", h->mode, why);
		nc_refuse(fd, NETCOPY_EUNSUPPORTED, reason);
		return NETCOPY_EUNSUPPORTED;
	}
	/* The server receives when the client sends (-R, and rr). */
	if (nc_client_sends(h) && nc_rx_probe(h->rx, &why)) {
		nc_refuse(fd, NETCOPY_EUNSUPPORTED, why);
		return NETCOPY_EUNSUPPORTED;
	}
	if (proto_refused(fd, h, *mode))
		return NETCOPY_EUNSUPPORTED;
	if (nc_group_check(*mode, h, reason, sizeof(reason))) {
		nc_refuse(fd, NETCOPY_EUNSUPPORTED, reason);
		return NETCOPY_EUNSUPPORTED;
	}
	if (h->fixed_buffers && !(*mode)->fixed_buffers) {
		snprintf(reason, sizeof(reason), "%s cannot send from "
			 "registered buffers (--fixed-buffers)", h->mode);
		nc_refuse(fd, NETCOPY_EREFUSED, reason);
		return NETCOPY_EREFUSED;
	}
	if (h->size > srv->max_size) {
		snprintf(reason, sizeof(reason), "message size %llu is above "
			 "this server's limit of %llu bytes (--max-size)",
			 (unsigned long long)h->size,
			 (unsigned long long)srv->max_size);
		nc_refuse(fd, NETCOPY_EREFUSED, reason);
		return NETCOPY_EREFUSED;
	}
	return 0;
}

/* Register the run if it fits the server's limits on runs, connections
 * and descriptors; if not, refuse it and say why in reason.  Its memory
 * is charged only as its data connections attach (memory.c). */
static int commit_run(struct netcopy_server *srv, int fd, struct run *run,
		      char reason[NC_REASON_MAX])
{
	pthread_mutex_lock(&srv->lock);
	if (nc_run_over_limits_locked(srv, run, reason, NC_REASON_MAX)) {
		pthread_mutex_unlock(&srv->lock);
		nc_refuse(fd, NETCOPY_EREFUSED, reason);
		return NETCOPY_EREFUSED;
	}
	srv->fds_reserved += run->fd_need;
	run->next = srv->runs;
	srv->runs = run;
	srv->run_count++;
	nc_host_share_rate_locked(srv, &run->host);
	/* Where its data connections start: */
	if (atomic_load(&run->held_rate))
		run->params.rate = atomic_load(&run->held_rate);
	pthread_mutex_unlock(&srv->lock);
	return 0;
}

int nc_accept_run(int fd, const struct run *run, uint32_t udp_port,
		  uint64_t cookie)
{
	struct nc_reply rep = { .accepted = true, .udp_port = udp_port,
				.cookie = cookie };
	uint8_t body[NC_MAX_BODY];
	int len;

	memcpy(rep.run_id, run->id, NC_RUN_ID_LEN);
	len = nc_reply_encode(&rep, body, sizeof(body));
	return len < 0 ? len : nc_msg_send(fd, NC_MSG_ACCEPT, body,
					   (size_t)len);
}

static void timespec_add_ms(struct timespec *ts, uint64_t ms)
{
	uint64_t ns = (uint64_t)ts->tv_nsec + ms % 1000 * 1000000;

	ts->tv_sec += (time_t)(ms / 1000 + ns / 1000000000u);
	ts->tv_nsec = (long)(ns % 1000000000u);
}

static bool timespec_before(const struct timespec *a,
			    const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* The client has closed (or spoken on) its control connection. */
static bool client_gone(int ctrl)
{
	struct pollfd pfd = { .fd = ctrl, .events = POLLIN };

	return poll(&pfd, 1, 0) > 0;
}

/* Wait for every data connection to come (by the hello timeout) and be
 * ready, checking every 100 ms that the client is still there; false
 * (run aborted) if they are late or it left, or if
 * the client was never told the run's id (accepted false).  Once the run
 * has started or is aborted no data connection can claim a place in it
 * (claim() in serve.c), so *claimed, those that did, is final: each
 * signals done_fd once, even one that never got to attach. */
static bool wait_attached(struct netcopy_server *srv, struct run *run,
			  int ctrl, bool accepted, uint32_t *claimed)
{
	struct timespec until, tick;
	bool all;

	clock_gettime(CLOCK_REALTIME, &until);
	tick = until;
	timespec_add_ms(&until, (uint64_t)(srv->hello_timeout * 1000) +
			nc_params_flows(&run->params) * 10ULL);
	timespec_add_ms(&tick, 100);
	pthread_mutex_lock(&srv->lock);
	while (accepted && run->attached < nc_params_flows(&run->params) &&
	       !run->aborted && !client_gone(ctrl)) {
		if (pthread_cond_timedwait(&run->cond, &srv->lock,
					   &tick) != ETIMEDOUT)
			continue;
		/* Late are the client's connections, not the server's
		 * own making of their buffers (under load, seconds for a
		 * ring of large messages). */
		if (!timespec_before(&tick, &until) &&
		    run->claimed < nc_params_flows(&run->params))
			break;
		timespec_add_ms(&tick, 100);
	}
	all = accepted && run->attached == nc_params_flows(&run->params) &&
	      !run->aborted;
	*claimed = run->claimed;
	if (all)
		run->started = true;
	else
		nc_run_abort_locked(run);
	pthread_cond_broadcast(&run->cond);
	pthread_mutex_unlock(&srv->lock);
	return all;
}

/* The most a client that asked for the per-flow bytes may take to read
 * them (its own deadline is as long), each send and in all. */
#define FLOW_BYTES_TIMEOUT_S 10

/* --per-flow where the server received: every flow's bytes after the
 * trailer, in chunks, as many as the trailer's flows.  A client that
 * cannot read them all in time fails its run on its own. */
static void send_flow_bytes(int fd, const struct run *run)
{
	uint32_t n = nc_params_flows(&run->params);
	struct nc_flow_chunk c = { .flows = n };
	uint64_t until = nc_now_ns() + FLOW_BYTES_TIMEOUT_S * 1000000000ULL;
	uint8_t body[NC_MAX_BODY];
	int len;

	if (nc_set_io_timeout(fd, FLOW_BYTES_TIMEOUT_S))
		return;
	for (c.first = 0; c.first < n && nc_now_ns() < until;
	     c.first += c.bytes.n) {
		c.bytes.n = n - c.first < NC_FLOW_CHUNK ? n - c.first :
							  NC_FLOW_CHUNK;
		for (uint32_t i = 0; i < c.bytes.n; i++)
			c.bytes.v[i] = run->flows[c.first + i].bytes;
		len = nc_flow_chunk_encode(&c, body, sizeof(body));
		if (len < 0 || nc_msg_send(fd, NC_MSG_FLOW_BYTES, body,
					   (size_t)len))
			return;
	}
}

/* Send the server's figures; returns the run's final status, which the
 * data connections' own errors decide when supervision saw none. */
static int send_trailer(struct netcopy_server *srv, int fd, struct run *run,
			int status, char *reason, size_t cap)
{
	struct nc_figures f;
	uint8_t body[NC_MAX_BODY];
	int len;

	nc_figures_from_flows(&f, run->flows, nc_params_flows(&run->params));
	if (!run->params.flows)	/* a client older than --flows */
		f.flow_n = 0;
	for (uint32_t i = 0; i < nc_params_flows(&run->params) && !status;
	     i++) {
		if (run->errs[i]) {
			status = run->errs[i];
			snprintf(reason, cap, "server data connection %u: %s",
				 i, netcopy_strerror(status));
		}
	}
	f.status = status;
	pthread_mutex_lock(&srv->lock);
	f.rate_cap = nc_run_rate_used_locked(run);
	pthread_mutex_unlock(&srv->lock);
	snprintf(f.reason, sizeof(f.reason), "%s", reason);
	len = nc_figures_encode(&f, body, sizeof(body));
	if (len > 0 && !nc_msg_send(fd, NC_MSG_TRAILER, body, (size_t)len) &&
	    run->params.flow_bytes)
		send_flow_bytes(fd, run);
	return status;
}

/* The hello's options that are not their defaults, for the log. */
static void describe_options(const struct nc_params *p, char *buf, size_t cap)
{
	size_t at = 0;

	buf[0] = '\0';
#define APPEND(...) (at += (size_t)snprintf(buf + at, at < cap ? cap - at : 0, \
					    __VA_ARGS__))
	for (size_t i = 0; i < nc_param_count; i++) {
		const struct nc_param *param = &nc_param_table[i];
		double v = nc_param_value(param, p);

		if (!(param->flags & NC_PF_OPTIONAL) ||
		    v == nc_param_value(param, &nc_params_defaults))
			continue;
		APPEND(", %s", param->log);
		if (param->field == NC_H_RX)	/* rx.c names its values */
			APPEND(" %s", nc_rx_name((uint8_t)v));
		else if (param->field == NC_H_PROTO)
			APPEND(" %s", nc_proto_name((uint8_t)v));
		else if (param->kind != NC_PK_BOOL)
			APPEND(" %.15g", v);
	}
#undef APPEND
}

/* --auth-file (access.c): 0, or the hello refused (or dropped), and
 * logged. */
static int authenticate(struct netcopy_server *srv, int fd,
			const struct nc_params *hello, const uint8_t *body,
			size_t len, const char *peer,
			uint8_t challenge[NC_CHALLENGE_LEN])
{
	const char *why;
	int err = nc_server_authenticate(srv, fd, hello, body, len,
					 challenge, &why);

	if (err == NETCOPY_EREFUSED || err == NETCOPY_EPROTOCOL) {
		nc_server_log(srv, "%s: refused: %s", peer, why);
		nc_refuse(fd, err, why);
	} else if (err) {
		nc_server_log(srv, "%s: dropped: %s: %s", peer, why,
			      netcopy_strerror(err));
	}
	return err;
}

void nc_serve_control(struct netcopy_server *srv, const struct conn *c,
		      const uint8_t *body, size_t len, const char *peer)
{
	int fd = c->fd;
	char reason[NC_REASON_MAX] = "", options[224];
	uint8_t challenge[NC_CHALLENGE_LEN] = { 0 };
	const struct netcopy_mode *mode;
	struct nc_params hello;
	const char *why;
	struct run *run;
	uint32_t claimed;
	int status;

	if (nc_hello_decode(body, len, &hello, &why)) {
		nc_server_log(srv, "%s: bad hello: %s", peer, why);
		nc_refuse(fd, NETCOPY_EPROTOCOL, why);
		return;
	}
	if (authenticate(srv, fd, &hello, body, len, peer, challenge) ||
	    admit(srv, fd, &hello, &mode))
		return;
	run = run_new(&hello, mode);
	if (!run) {
		nc_refuse(fd, NETCOPY_EREFUSED, "server out of memory");
		return;
	}
	run->authed = hello.auth;
	memcpy(run->challenge, challenge, sizeof(challenge));
	snprintf(run->peer, sizeof(run->peer), "%s", peer);
	run->addr = c->addr;
	run->host = c->host;
	if (nc_run_admit_memory(srv, run, reason)) {
		nc_server_log(srv, "%s: refused: %s", peer, reason);
		nc_refuse(fd, NETCOPY_EREFUSED, reason);
		nc_run_put(srv, run);
		return;
	}
	if (commit_run(srv, fd, run, reason)) {
		nc_server_log(srv, "%s: refused: %s", peer, reason);
		nc_run_put(srv, run);
		return;
	}
	describe_options(&hello, options, sizeof(options));
	if (run->params.rate != hello.rate) {
		size_t at = strlen(options);

		snprintf(options + at, sizeof(options) - at, ", capped to "
			 "%llu bit/s a connection (--max-rate-per-host)",
			 (unsigned long long)run->params.rate);
	}
	nc_server_log(srv, "%s: run: %s, %llu-byte messages, %u thread%s, %.3g s, "
	      "%s%s", peer, mode->name, (unsigned long long)hello.size,
	      hello.threads, hello.threads == 1 ? "" : "s",
	      hello.duration,
	      hello.workload == NC_WORKLOAD_RR ? "request-response" :
	      hello.reverse ? "client sends" : "server sends", options);
	if (!wait_attached(srv, run, fd, nc_accept_run(fd, run, 0, 0) == 0,
			   &claimed)) {
		nc_members_sweep(srv, run);
		pthread_mutex_lock(&srv->lock);
		if (run->refusal[0])
			snprintf(reason, sizeof(reason), "%s", run->refusal);
		else
			snprintf(reason, sizeof(reason), "only %u of %u data "
				 "connections arrived", run->attached,
				 nc_params_flows(&hello));
		pthread_mutex_unlock(&srv->lock);
		status = NETCOPY_ESHORT;
		nc_run_supervise(srv, fd, run, claimed, reason, 0);
	} else {
		status = nc_run_supervise(srv, fd, run, claimed, reason,
				   sizeof(reason));
	}
	status = send_trailer(srv, fd, run, status, reason, sizeof(reason));
	nc_server_log(srv, "%s: run ended: %s%s%s", peer,
	      status ? netcopy_strerror(status) : "ok",
	      reason[0] ? ": " : "", reason);
	run_unlink(srv, run);
	nc_run_put(srv, run);
	if (srv->once)
		netcopy_server_stop(srv);
}
