/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * netcopy.h - public API of libnetcopy, which measures what data movement
 * costs on each Linux send path (send, sendmsg with an iovec,
 * MSG_ZEROCOPY, ...).
 *
 * Error convention: functions that can fail return 0 (or a non-negative
 * value) on success and a negative number on failure: either a negative
 * errno value or one of the NETCOPY_E* codes below, which lie below -4095
 * so they never collide with an errno.  netcopy_strerror() names both.
 * The library never prints and never exits.
 */
#ifndef NETCOPY_H
#define NETCOPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes of the library's own, below every negative errno. */
enum netcopy_error {
	NETCOPY_EPROTOCOL = -4096,	/* the peer broke the wire protocol */
	NETCOPY_EREFUSED = -4097,	/* the server refused the run */
	NETCOPY_EUNSUPPORTED = -4098,	/* mode not supported here or there */
	NETCOPY_EVERIFY = -4099,	/* received data did not match */
	NETCOPY_ESHORT = -4100,		/* the run was cut short */
	NETCOPY_ECOMPLETION = -4101,	/* a zero-copy completion is missing */
	NETCOPY_ESHORTSEND = -4102,	/* a queued send ended short */
};

/* Largest message size the library accepts (64 MiB). */
#define NETCOPY_MAX_MESSAGE_SIZE (64ULL << 20)
/* Most data connections (threads) per run. */
#define NETCOPY_MAX_THREADS 1024U
/* io_uring modes: sends in flight per connection, by default and at most. */
#define NETCOPY_DEFAULT_QD 8U
#define NETCOPY_MAX_QD 256U
/* UDP sendmmsg: datagrams per call, by default and at most. */
#define NETCOPY_DEFAULT_BATCH 32U
#define NETCOPY_MAX_BATCH 1024U
/* --sndbuf / --rcvbuf: requests the kernel caps at wmem_max / rmem_max. */
#define NETCOPY_MIN_SOCKET_BUFFER 1024U
#define NETCOPY_MAX_SOCKET_BUFFER (1U << 30)
/* The shortest duration, progress interval or timeout, in seconds: a
 * shorter one would measure nothing, flood the output or drop every
 * peer. */
#define NETCOPY_MIN_SECONDS 0.001
/* A shared secret for authentication (--auth-file): its bytes, at least
 * NETCOPY_MIN_SECRET (32 hex digits of 16 random bytes) and at most
 * NETCOPY_MAX_SECRET. */
#define NETCOPY_MIN_SECRET 32U
#define NETCOPY_MAX_SECRET 1024U

/* Text for any value a netcopy function returned; never NULL. */
const char *netcopy_strerror(int err);
/* The library's version, e.g. "0.1.0". */
const char *netcopy_version(void);

/*
 * Parse a byte count with an optional 1024-based suffix K, M or G
 * ("64K" = 65536).  Returns 0, -EINVAL if text is not a number of that
 * form, -ERANGE if it does not fit in 64 bits.
 */
int netcopy_parse_size(const char *text, uint64_t *out);
/*
 * Parse a rate in bits per second with an optional 1000-based suffix K,
 * M or G, as network rates are ("200M" = 200000000; sizes stay
 * 1024-based).  Returns 0, -EINVAL if text is not a number of that
 * form, -ERANGE if it does not fit in 64 bits.
 */
int netcopy_parse_rate(const char *text, uint64_t *out);
/* Parse a non-negative decimal number of seconds ("10", "0.5", "1e-3";
 * not hex); -EINVAL if not. */
int netcopy_parse_seconds(const char *text, double *out);

/* ------------------------------------------------------------------ */
/* Modes: one engine per data path.                                    */

struct netcopy_mode;

/* Number of modes built into this library. */
size_t netcopy_mode_count(void);
/* Mode number index (0 .. count-1), NULL past the end. */
const struct netcopy_mode *netcopy_mode_at(size_t index);
/* Mode by name (one that netcopy_known_mode() lists, e.g. "two-copy"),
 * NULL if unknown or not built into this library. */
const struct netcopy_mode *netcopy_mode_find(const char *name);
const char *netcopy_mode_name(const struct netcopy_mode *mode);
/* One line on what the mode does. */
const char *netcopy_mode_summary(const struct netcopy_mode *mode);
/* Every mode netcopy has, built into this library or not, for listings:
 * the number of them, and the name of the one at index (NULL past the
 * end).  When why_not_built is not NULL it gets "" for a mode built in,
 * else the one-line reason this build leaves it out. */
size_t netcopy_known_mode_count(void);
const char *netcopy_known_mode(size_t index, const char **why_not_built);
/* The protocols the mode at index sends over, built in or not: "tcp",
 * "udp" or "tcp,udp" (static).  NULL past the end. */
const char *netcopy_known_mode_protos(size_t index);
/*
 * Can this process send with mode on the running kernel?  Returns 0, or
 * NETCOPY_EUNSUPPORTED with a one-line reason in *why (static storage).
 * The environment variable NETCOPY_DISABLE_MODES (a comma-separated list
 * of mode names) makes the probe refuse those modes, to try fallbacks.
 */
int netcopy_mode_probe(const struct netcopy_mode *mode, const char **why);

/* ------------------------------------------------------------------ */
/* Results of one run, as the client sees it.                          */

enum netcopy_format {
	NETCOPY_FORMAT_TEXT,
	NETCOPY_FORMAT_CSV,
	NETCOPY_FORMAT_JSON,
};

struct netcopy_result;

void netcopy_result_free(struct netcopy_result *result);
/* 0 when the run completed, else the error that cut it short. */
int netcopy_result_status(const struct netcopy_result *result);
/* Payload bytes the receiver got. */
uint64_t netcopy_result_bytes(const struct netcopy_result *result);
/* Received payload bits / 1e9 / measured interval. */
double netcopy_result_gbps(const struct netcopy_result *result);
/* Messages whose bytes did not match the pattern (0 without --verify). */
uint64_t netcopy_result_mismatches(const struct netcopy_result *result);
/* Zero-copy completions reaped by the sender; -1 when not zero-copy. */
int64_t netcopy_result_zc_completions(const struct netcopy_result *result);
/* Of those, how many the kernel had to copy anyway; -1 when not zero-copy
 * or when the kernel would not say (uring-zc before Linux 6.2). */
int64_t netcopy_result_zc_copied(const struct netcopy_result *result);
/*
 * Write the result as text, one CSV row (with the header line first when
 * header is true) or one JSON object on one line.  Returns 0 or -errno.
 */
int netcopy_result_write(const struct netcopy_result *result, FILE *out,
			 enum netcopy_format format, bool header);
/* A --bidir run's second result (the client-sends run), owned by and
 * freed with result; NULL for any other (and for NULL).  Since 0.2.0. */
const struct netcopy_result *
netcopy_result_next(const struct netcopy_result *result);
/* The CSV header line (without newline). */
const char *netcopy_result_csv_header(void);

/*
 * Any figure of a result by its column's name, as the CSV header spells
 * it ("Latency_us", "RcvCpuUsPerKiB"; netcopy(7) lists them).  Returns 0
 * with the figure in *value (when value is not NULL; a count above 2^53
 * is rounded to the nearest double), -ENOENT when column names no
 * column (whatever r is, NULL included), -EINVAL for a text column
 * (Implementation, Status, Host ...: netcopy_result_write() has them)
 * and -ENODATA when the figure is NA: not measured in this run, or r is
 * NULL.  Since 0.2.0.
 */
int netcopy_result_figure(const struct netcopy_result *result,
			  const char *column, double *value);

/*
 * The columns, in CSV order, each one what netcopy_result_figure() and
 * the CSV header name it by.  A column is an opaque handle, as a mode
 * is, rather than a struct of public members: a later release can give
 * columns more properties through new getters without changing the
 * size or layout of anything a program was built against.  The handles
 * and their strings are static and never freed.  Since 0.2.0.
 */
struct netcopy_column;

size_t netcopy_column_count(void);
/* Column number index (0 .. count-1), NULL past the end. */
const struct netcopy_column *netcopy_column_at(size_t index);
/* Its CSV name ("Throughput_Gbps"). */
const char *netcopy_column_name(const struct netcopy_column *column);
/* Its unit ("Gbit/s", "bytes", "count"), "-" for a text column. */
const char *netcopy_column_unit(const struct netcopy_column *column);
/* One line on what it means. */
const char *netcopy_column_meaning(const struct netcopy_column *column);

/* ------------------------------------------------------------------ */
/* Client: one run against a netcopy server.                           */

struct netcopy_client;

/* A client with the defaults: 127.0.0.1 port 8080, two-copy, 1 KiB,
 * 4 threads, 10 s, server sends.  Returns 0 or -ENOMEM. */
int netcopy_client_new(struct netcopy_client **out);
void netcopy_client_free(struct netcopy_client *client);
/* Setters return 0, or -EINVAL (out of range, or no such mode) /
 * NETCOPY_EUNSUPPORTED (a mode of netcopy's that this build leaves out).
 * A value out of range leaves the setting as it was, and
 * netcopy_client_detail() then says which and what is allowed. */
int netcopy_client_set_host(struct netcopy_client *client, const char *host);
int netcopy_client_set_port(struct netcopy_client *client, unsigned int port);
int netcopy_client_set_mode(struct netcopy_client *client, const char *mode);
int netcopy_client_set_size(struct netcopy_client *client, uint64_t size);
int netcopy_client_set_threads(struct netcopy_client *client,
			       unsigned int threads);
int netcopy_client_set_duration(struct netcopy_client *client,
				double seconds);
/* reverse: the client sends and the server receives (stream only; a
 * reversed rr run is refused with -EINVAL). */
int netcopy_client_set_reverse(struct netcopy_client *client, bool reverse);
/* workload: "stream" (default) or "rr", request-response: the client
 * sends a message and the server answers with one of the same size,
 * timing every round trip.  -EINVAL for another name. */
int netcopy_client_set_workload(struct netcopy_client *client,
				const char *workload);
/* bidir: both directions at once, as iperf3's --bidir: two whole runs
 * against the server, one it sends (the result netcopy_client_run()
 * gives) and one the client sends (-R; netcopy_result_next() of it),
 * each with its own connections and figures, their clocks started
 * together.  A stream only: a --bidir run that is reversed or rr fails
 * with -EINVAL.  The server counts them as two runs (and their
 * connections) against its per-host limits.  Returns 0.  Since 0.2.0. */
int netcopy_client_set_bidir(struct netcopy_client *client, bool bidir);
/* verify: the sender stamps a pattern, the receiver checks every byte. */
int netcopy_client_set_verify(struct netcopy_client *client, bool verify);
/* Seconds of warm-up before measuring, left out of every figure (the
 * run lasts warm-up + duration).  0 to 3600; default 0. */
int netcopy_client_set_warmup(struct netcopy_client *client, double seconds);
/* Pin data threads: thread i of the client to CPU client_cpu + i, of the
 * server to server_cpu + i (modulo the CPUs each machine has); -1 leaves
 * a side unpinned (the default). */
int netcopy_client_set_affinity(struct netcopy_client *client,
				int client_cpu, int server_cpu);
/* Called from netcopy_client_run() every interval seconds with the
 * payload bytes moved in [from, to) (seconds since the start) by this
 * side; warmup tells whether the interval is in the warm-up. */
typedef void (*netcopy_progress_fn)(void *data, double from, double to,
				    uint64_t bytes, bool warmup);
/* Only within a progress function: the segments this side's data
 * connections retransmitted in the interval reported (TCP_INFO's
 * tcpi_total_retrans, summed), into *retransmits.  Returns 0, or
 * -ENODATA where not measured: the server sends (the default stream),
 * a kernel that does not say, or outside a progress function.  Since
 * 0.2. */
int netcopy_client_interval_retransmits(const struct netcopy_client *client,
					uint64_t *retransmits);
/* Only within a progress function: 1 when the interval reported is the
 * client's sending (-R, or the client-sends run of --bidir), 0 when it
 * is the server's; -ENODATA outside one.  A --bidir run reports both
 * directions, one call at a time.  Since 0.2.0. */
int netcopy_client_interval_reverse(const struct netcopy_client *client);
/* interval 0 (the default) turns progress reports off; else it is
 * NETCOPY_MIN_SECONDS to 86400 (-EINVAL otherwise). */
int netcopy_client_set_progress(struct netcopy_client *client,
				double interval, netcopy_progress_fn fn,
				void *data);
/* perf: count perf events on both sides (default true). */
int netcopy_client_set_perf(struct netcopy_client *client, bool perf);
/* io_uring modes (uring, uring-zc): sends in flight on each data
 * connection, 1 to NETCOPY_MAX_QD (default NETCOPY_DEFAULT_QD); other
 * modes ignore it.  -EINVAL out of range. */
int netcopy_client_set_qd(struct netcopy_client *client, unsigned int qd);
/* Send from buffers registered with the kernel (default false): only
 * modes that can (uring-zc); -EINVAL for the mode set, so set the mode
 * first.  A run of a mode that cannot fails with -EINVAL. */
int netcopy_client_set_fixed_buffers(struct netcopy_client *client,
				     bool fixed);
/* How the receiving side reads (both sides in rr): "recv" (recv() into
 * one buffer), "recvmsg" (recvmsg() scattering the message's fields) or
 * "zero-copy" (TCP_ZEROCOPY_RECEIVE where the kernel and path allow it,
 * recv() and counted as copied where not).  Unset: each mode's own.
 * -EINVAL for another name; NETCOPY_EUNSUPPORTED for zero-copy in a
 * build without TCP_ZEROCOPY_RECEIVE. */
int netcopy_client_set_rx(struct netcopy_client *client, const char *rx);
/* Authenticate with a shared secret of NETCOPY_MIN_SECRET to
 * NETCOPY_MAX_SECRET bytes (the library keeps a copy; len 0 goes back
 * to no authentication): the server's challenge is answered with an
 * HMAC of the secret, and each data connection presents a tag derived
 * from the secret and the run.  A run against a server that does not
 * authenticate then fails, before anything is measured.  Returns 0,
 * -EINVAL (length), or NETCOPY_EUNSUPPORTED in a build without
 * libsodium. */
int netcopy_client_set_auth(struct netcopy_client *client,
			    const void *secret, size_t len);
/* What the data goes over: "tcp" (the default) or "udp" (datagrams of
 * the message size, 24 to 65527 bytes, 65507 over IPv4, each with
 * netcopy's 24-byte header; a stream only, of a mode that sends over
 * UDP, else the run fails).  -EINVAL for another name. */
int netcopy_client_set_proto(struct netcopy_client *client,
			     const char *proto);
/* The data sockets' SO_SNDBUF and SO_RCVBUF, set at both ends on every
 * data connection (0: leave the kernel's default and its autotuning,
 * the default).  Each NETCOPY_MIN_SOCKET_BUFFER to
 * NETCOPY_MAX_SOCKET_BUFFER bytes, or 0; -EINVAL otherwise.  The kernel
 * doubles what it is given and caps it at net.core.wmem_max/rmem_max:
 * the SndSockBuf and RcvSockBuf columns say what it held (NA when
 * neither is set). */
int netcopy_client_set_socket_buffers(struct netcopy_client *client,
				      uint64_t sndbuf, uint64_t rcvbuf);
/* Pace each data connection's sender to bits_per_second of payload
 * (default 0: unpaced; a stream only: an rr run paced fails with
 * -EINVAL), 8 to 10^15, else -EINVAL.  The sender's kernel paces the
 * socket (SO_MAX_PACING_RATE) where it can hold the rate finely, else
 * the sender does in user space: the PacingMethod column says which.
 * Only a paced run's hello carries the rate, so older servers still
 * serve every other run. */
int netcopy_client_set_rate(struct netcopy_client *client,
			    uint64_t bits_per_second);

/* The most bytes each receive call asks for, at both ends (recv()'s
 * length, recvmsg()'s iovec, TCP_ZEROCOPY_RECEIVE's mapping), 1 to
 * NETCOPY_MAX_MESSAGE_SIZE; 0 (the default) is the larger of 64 KiB and
 * the message size (recvmsg: the rest of the message).  iperf3 reads
 * its -l bytes a call: the same here is a like-for-like comparison.
 * -EINVAL out of range.  A server older than 0.2.0 refuses a run that
 * sets it.  Since 0.2.0. */
int netcopy_client_set_rx_size(struct netcopy_client *client, uint64_t bytes);
/* The sendmmsg mode (UDP): datagrams per call, 1 to NETCOPY_MAX_BATCH
 * (default NETCOPY_DEFAULT_BATCH); other modes ignore it.  -EINVAL out
 * of range.  A server older than 0.2.0 refuses a run that sets it.
 * Since 0.2.0. */
int netcopy_client_set_batch(struct netcopy_client *client,
			     unsigned int batch);
/* The gso mode (UDP): datagrams per send(), 1 to NETCOPY_MAX_BATCH and
 * at most the kernel's limit, their bytes within 64 KiB (the run
 * fails with -EINVAL beyond those); 0 (the default): as many as fit.
 * -EINVAL out of range.  Since 0.2.0. */
int netcopy_client_set_gso_segments(struct netcopy_client *client,
				    unsigned int segments);
/* rr over UDP: seconds to wait for each answer before the request
 * counts as lost (Lost) and the next is sent, NETCOPY_MIN_SECONDS to
 * 10 (default 0.1); other runs ignore it.  -EINVAL out of range.  A
 * server older than 0.2.0 refuses a UDP rr run that sets it.  Since
 * 0.2.0. */
int netcopy_client_set_rr_timeout(struct netcopy_client *client,
				  double seconds);
/* Data connections (--flows), spread as evenly as may be over the
 * threads at both ends, each thread driving its share with epoll: at
 * least the threads (the default: one each), at most 65536.  -EINVAL
 * out of range or below the threads.  A server older than 0.2.0
 * refuses a run with more flows than threads.  Since 0.2.0. */
int netcopy_client_set_flows(struct netcopy_client *client,
			     unsigned int flows);
/* The source addresses of the data connections (--local-address): a
 * comma-separated list of numeric IPv4 or IPv6 addresses, at most 64,
 * taken round robin by data connection; the control connection comes
 * from the first.  NULL or "" leaves the choice to the kernel.  -EINVAL
 * (with netcopy_client_detail()) for a list that is not addresses; an
 * address this host does not have fails the run at its bind
 * (-EADDRNOTAVAIL), one of the other family than the server's with
 * -EAFNOSUPPORT.  Since 0.2.0. */
int netcopy_client_set_local_address(struct netcopy_client *client,
				     const char *list);
/* Keep every flow's received bytes (--per-flow), on whichever side
 * received (the server sends its own after the trailer; one too old
 * to say them fails the run, NETCOPY_EUNSUPPORTED; rr keeps none): JSON's
 * result then has "flow_bytes", one count a flow in flow order, summing
 * to "bytes".  Returns 0.  Since 0.2.0. */
int netcopy_client_set_per_flow(struct netcopy_client *client, bool on);
/*
 * Run once.  Returns 0 with *out set, or a negative error; a run that
 * started but ended short or failed verification still sets *out (free
 * it) and returns NETCOPY_ESHORT or NETCOPY_EVERIFY.
 * netcopy_client_detail() then says more in one line.
 */
int netcopy_client_run(struct netcopy_client *client,
		       struct netcopy_result **out);
/* End the client's run now, as at the end of its duration: its data
 * stop, the server is told, and its figures over the shorter span are
 * still read; the run returns NETCOPY_ESHORT with its result.  Safe in
 * a signal handler (an atomic store and a write(2); errno kept) and
 * from any thread.  A client stopped stays stopped: a later run ends at
 * once.  A --bidir run's two runs both end so, each with its result.
 * Returns 0, or -EBADF. */
int netcopy_client_stop(struct netcopy_client *client);
/* One line on the last failure (e.g. the server's reason); after a run
 * that worked, a note on it (an older server could not give some
 * figures), or "". */
const char *netcopy_client_detail(const struct netcopy_client *client);

/* ------------------------------------------------------------------ */
/* Server: serves every mode to any number of runs at once.            */

struct netcopy_server;

/* Receives one line (no newline) for each event worth logging. */
typedef void (*netcopy_log_fn)(void *data, const char *line);

/* A server with the defaults: port 8080 on every address, messages up
 * to 64 MiB, 1 GiB of buffers across runs.  Returns 0 or -ENOMEM. */
int netcopy_server_new(struct netcopy_server **out);
void netcopy_server_free(struct netcopy_server *server);
/* NULL binds every address (dual-stack where IPv6 exists). */
int netcopy_server_set_bind(struct netcopy_server *server, const char *addr);
/* 0 picks a free port; see netcopy_server_port() after listening. */
int netcopy_server_set_port(struct netcopy_server *server, unsigned int port);
int netcopy_server_set_max_size(struct netcopy_server *server, uint64_t size);
int netcopy_server_set_max_memory(struct netcopy_server *server,
				  uint64_t bytes);
/* Pages the kernel pins for zero-copy sends, across runs, at most
 * (default the smaller of 256 MiB and half of max-memory, and
 * RLIMIT_MEMLOCK too when not root); bytes >= 1, else -EINVAL. */
int netcopy_server_set_max_pinned(struct netcopy_server *server,
				  uint64_t bytes);
/* Buffer memory committed for the runs of one host (an IPv4 address,
 * an IPv6 /64) at most (default half of max-memory); -EINVAL for 0. */
int netcopy_server_set_max_memory_per_host(struct netcopy_server *server,
					   uint64_t bytes);
/* Seconds a new connection may take to say who it is (default 5),
 * NETCOPY_MIN_SECONDS to NETCOPY_MAX_HELLO_TIMEOUT; else -EINVAL. */
#define NETCOPY_MAX_HELLO_TIMEOUT 3600.0
int netcopy_server_set_hello_timeout(struct netcopy_server *server,
				     double seconds);
/* At most max connections open at once (control and data alike; a run
 * of N threads holds N + 1); those over it are refused with a reason.
 * The default is NETCOPY_DEFAULT_MAX_CONNS, so no peer can make the
 * server start threads without bound; 0 sets no limit. */
#define NETCOPY_DEFAULT_MAX_CONNS 4096U
int netcopy_server_set_max_conns(struct netcopy_server *server,
				 unsigned int max);
/* Per host (an IPv4 address, or an IPv6 /64): connections open at once
 * (default half of max_conns) and runs at once (default 8); those over
 * are refused with a reason.  0 sets no limit.  Returns 0. */
#define NETCOPY_DEFAULT_MAX_RUNS_PER_HOST 8U
int netcopy_server_set_max_conns_per_host(struct netcopy_server *server,
					  unsigned int max);
int netcopy_server_set_max_runs_per_host(struct netcopy_server *server,
					 unsigned int max);
/* UDP payload the server sends to one host (as above), over all its
 * runs, in bits per second at most: the host's runs that the server
 * sends UDP to share it evenly as they start and end, each split over
 * its data connections, and are held to their share where they asked
 * for more or for no rate.  TCP is not capped: congestion control
 * holds it.  Default
 * NETCOPY_DEFAULT_MAX_RATE_PER_HOST; 0: no cap; else 8 to 10^15, or
 * -EINVAL. */
#define NETCOPY_DEFAULT_MAX_RATE_PER_HOST 1000000000ULL
int netcopy_server_set_max_rate_per_host(struct netcopy_server *server,
					 uint64_t bits_per_second);
/* A data connection that moves no byte for this many seconds (default
 * 10, NETCOPY_MIN_SECONDS to NETCOPY_MAX_IDLE_TIMEOUT; else -EINVAL) is
 * cut, and its run ends short. */
#define NETCOPY_DEFAULT_IDLE_TIMEOUT 10.0
#define NETCOPY_MAX_IDLE_TIMEOUT 86400.0
int netcopy_server_set_idle_timeout(struct netcopy_server *server,
				    double seconds);
/* Serve only clients that prove this shared secret (as
 * netcopy_client_set_auth(): the same bounds and returns), and attach
 * only data connections whose tag the secret gives. */
int netcopy_server_set_auth(struct netcopy_server *server,
			    const void *secret, size_t len);
/* Accept connections, control and data, only from these prefixes: a
 * comma-separated list of IPv4 or IPv6 addresses, each with an optional
 * /LENGTH ("10.0.0.0/8,2001:db8::/32,192.0.2.7"); others are closed at
 * once, and logged.  NULL: from anywhere (the default).  Returns 0,
 * -EINVAL for a list that does not parse (the setting stays), or
 * -ENOMEM. */
int netcopy_server_set_allow(struct netcopy_server *server,
			     const char *prefixes);
/* Serve one run, then return from netcopy_server_run(). */
int netcopy_server_set_once(struct netcopy_server *server, bool once);
int netcopy_server_set_log(struct netcopy_server *server, netcopy_log_fn fn,
			   void *data);
/* Bind and listen.  Returns 0 or -errno. */
int netcopy_server_listen(struct netcopy_server *server);
/* After listening: the port and the numeric address listened on. */
unsigned int netcopy_server_port(const struct netcopy_server *server);
const char *netcopy_server_address(const struct netcopy_server *server);
/*
 * Serve until netcopy_server_stop(), or the first run's end with once.
 * Runs in progress are stopped and their clients told.  Returns 0 or -errno.
 */
int netcopy_server_run(struct netcopy_server *server);
/* Ask a running server to stop; async-signal-safe. */
void netcopy_server_stop(struct netcopy_server *server);

#ifdef __cplusplus
}
#endif

#endif /* NETCOPY_H */
