/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rawpeer.c - a misbehaving netcopy peer for the integration tests.
 *
 * It speaks the control protocol's framing by hand (not through the
 * library), so the tests can send what a real client or server never
 * would: garbage, a wrong magic or version, an oversize length, half a
 * hello, a hello out of range, or nothing at all.
 *
 * Usage:
 *   rawpeer [-t SECONDS] [-B ADDR] connect HOST PORT [ACTION...]
 *       Connect to HOST PORT (from ADDR with -B, e.g. 127.0.0.2: a
 *       second host on the loopback), then run the actions in order.
 *   rawpeer [-t SECONDS] [-6] serve [ACTION...]
 *       Listen on 127.0.0.1 (::1 with -6) on a free port, print
 *       "port N" on stdout (flushed), accept one connection, then run
 *       the actions on it.
 *   rawpeer [-t SECONDS] old-server PORT COUNT
 *       Play a server from before the TCP_INFO figures (0.1, whose
 *       hello decoder knows the fields up to SO_RCVBUF's) in front of
 *       the real server on 127.0.0.1 PORT: listen as serve does, and
 *       for each of COUNT connections refuse a hello with a newer field
 *       as that server did (NETCOPY_EPROTOCOL, "unknown field"; prints
 *       "refused field F"), and relay any other connection, its first
 *       message included, to the real server; exits once all are done.
 *   rawpeer [-t SECONDS] liar PORT COUNT [FIELD=VALUE...]
 *       Play a server that lies in its trailer: relay COUNT connections
 *       to the real server on 127.0.0.1 PORT as old-server does (no
 *       hello refused), and on the control connection (the one that
 *       starts with a hello) set each FIELD of the real server's
 *       trailer to VALUE, in the field's place or added at the end.
 *       FIELD is a number (enum nc_figures_field) or a name: status,
 *       bytes, total_bytes, messages, interval (ns), latency (ns),
 *       mismatches, cpu_us, counters_known (a bit per event),
 *       counters_scope, a counter (cycles, instructions, cache_refs,
 *       cache_misses, context_switches, task_clock (ns), page_faults),
 *       zc_sends, zc_notifications, zc_completions, zc_copied,
 *       zc_enobufs, rx_zc_mapped, rx_zc_copied, rx_zc_refused, sndbuf,
 *       rcvbuf; or a field of every per-flow bytes message after it
 *       (--per-flow -R): chunk_flows, chunk_first, chunk_bytes (the
 *       chunk's first flow's), or chunk_drop (any value: none goes).
 *       VALUE is in C notation, -N for a negative code.  With
 *       none the trailer goes as the server sent it.  Prints "trailer
 *       N set" once it went.
 *   rawpeer [-t SECONDS] hijack PORT COUNT [MAC]
 *       Play a stranger on the path who sees the run ids and data tags
 *       (sent in clear) and tries to take the owner's place: relay COUNT
 *       connections to the real server on 127.0.0.1 PORT as old-server
 *       does (no hello refused), and for each data connection print
 *       "tag INDEX RUNID MAC" (hex; MAC "-" when the tag has none), then,
 *       before relaying it, attach a connection of its own to the real
 *       server with the same run id and index and the tag MAC given here
 *       (hex, e.g. one printed for another run; none without), and print
 *       "hijack INDEX accepted" or "hijack INDEX refused: REASON".
 *
 * Actions (run in order; the socket is closed at the end):
 *   hex HEX            send these bytes ("4e435059...", spaces not allowed)
 *   garbage N          send N pseudo-random bytes
 *   header TYPE LEN [MAGIC [VERSION]]
 *                      send a 12-byte header; numbers in C notation
 *                      (0x.. hex); MAGIC defaults to 0x4e435059, VERSION 1
 *   hello MODE SIZE THREADS SECONDS REVERSE VERIFY
 *                      send a well-framed hello with these fields
 *                      (SIZE and THREADS are not range-checked here)
 *   full-hello MODE SIZE THREADS SECONDS REVERSE VERIFY WORKLOAD
 *                      a hello as the client sends it, every field the
 *                      server requires: those of "hello" (which now lacks
 *                      some, so the server refuses it), then perf 0,
 *                      WORKLOAD (0 stream, 1 rr), warm-up 0 and CPU -1
 *   rx-hello MODE SIZE THREADS SECONDS REVERSE VERIFY WORKLOAD RX
 *                      that full hello with the receive path field (--rx)
 *                      set to the byte RX (0 the mode's own ... 3
 *                      zero-copy, 4 recvmmsg; others are out of range)
 *   tcp-hello MODE SIZE THREADS SECONDS REVERSE VERIFY WORKLOAD
 *                      that full hello asking for the TCP_INFO figures,
 *                      as a client since them does
 *   auth-hello MODE SIZE THREADS SECONDS REVERSE VERIFY WORKLOAD
 *                      that full hello asking to authenticate, as a
 *                      client with --auth-file sends it (no proof
 *                      follows unless sent by hand)
 *   proto-hello MODE SIZE THREADS SECONDS REVERSE VERIFY WORKLOAD RX PROTO
 *                      that rx-hello with the protocol field (--proto)
 *                      set to the byte PROTO (0 tcp, 1 udp)
 *   reply              read the server's answer and print "accepted" or
 *                      "refused: REASON"
 *   trailer            read one message, which must be the trailer, and
 *                      print "trailer N fields, M newer" (M: fields an
 *                      older client, from before the TCP_INFO figures,
 *                      would refuse)
 *   hello-prefix N MODE SIZE THREADS SECONDS REVERSE VERIFY
 *                      send only the first N bytes of that hello message
 *   sleep MS           wait MS milliseconds
 *   recv MS            read until the peer closes or MS milliseconds pass;
 *                      print "recv N bytes", then "eof", "reset" or
 *                      "open" (still open at the deadline) on stdout
 *   trickle MS         read one byte every MS milliseconds (a slow
 *                      reader) until the peer ends the connection,
 *                      though unread bytes may remain (TCP_INFO's
 *                      state); print "trickle N bytes", then "eof" or
 *                      "reset"
 *   shutdown           shutdown(SHUT_WR)
 *   close              close the connection now (later actions that use
 *                      the socket fail)
 *   reset              close the connection with SO_LINGER 0, so the
 *                      kernel resets it (later actions that use the
 *                      socket fail)
 *   attach INDEX       read the server's reply to a hello sent on this
 *                      (the control) connection, which must accept the
 *                      run (the first attach only), then open a data
 *                      connection to the same address, send it the data
 *                      tag for the run and INDEX, and make it the
 *                      connection later actions use; the connections
 *                      left stay open until the end; prints
 *                      "attached INDEX"
 *   control            make the control connection (the one the first
 *                      attach started from) the one later actions use
 *   from ADDR          open later data connections (attach) from ADDR
 *
 * -t SECONDS is a safety net (default 20): past it rawpeer prints a line
 * on stderr and exits 99, so a test can never hang on it.
 *
 * Exit status: 0 when every action ran; 1 when connecting or an action's
 * system call failed (sending to a peer that has closed included); 2 on a
 * usage error; 99 on the safety timeout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The protocol's numbers, as the library has them. */
#include "netcopy.h"
#include "measure/measure.h"
#include "wire/wire-spec.h"

/* The last fields a 0.1 peer (before the TCP_INFO figures) knows. */
#define OLD_HELLO_LAST NC_H_RCVBUF
#define OLD_TRAILER_LAST NC_F_RCVBUF

#define RP_MAX_FDS 64

static const char *prog = "rawpeer";
static const char *source;	/* -B, from: connect from this address */

static void on_alarm(int sig)
{
	static const char msg[] = "rawpeer: safety timeout, giving up\n";
	ssize_t n;

	(void)sig;
	n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)n;
	_exit(99);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: %s [-t SECONDS] [-B ADDR] connect HOST PORT "
		"[ACTION...]\n"
		"       %s [-t SECONDS] [-6] serve [ACTION...]\n"
		"       %s [-t SECONDS] old-server PORT COUNT\n"
		"       %s [-t SECONDS] liar PORT COUNT [FIELD=VALUE...]\n"
		"       %s [-t SECONDS] hijack PORT COUNT [MAC]\n"
		"(the actions are documented at the top of tests/rawpeer.c)\n",
		prog, prog, prog, prog, prog);
	exit(2);
}

static unsigned long long number(const char *text)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(text, &end, 0);
	if (errno || end == text || *end) {
		fprintf(stderr, "%s: not a number: %s\n", prog, text);
		exit(2);
	}
	return v;
}

static void send_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: send: %s\n", prog,
				strerror(errno));
			exit(1);
		}
		p += n;
		len -= (size_t)n;
	}
}

static void put_be(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static void make_header(uint8_t *p, uint32_t magic, uint16_t version,
			uint16_t type, uint32_t len)
{
	put_be(p, magic, 4);
	put_be(p + 4, version, 2);
	put_be(p + 6, type, 2);
	put_be(p + 8, len, 4);
}

/* One type-length-value field; returns the bytes written. */
static size_t put_field(uint8_t *p, uint16_t type, const void *val,
			uint16_t len)
{
	put_be(p, type, 2);
	put_be(p + 2, len, 2);
	memcpy(p + 4, val, len);
	return 4u + len;
}

static size_t put_u64_field(uint8_t *p, uint16_t type, uint64_t v)
{
	uint8_t b[8];

	put_be(b, v, 8);
	return put_field(p, type, b, 8);
}

/* A whole hello message, header included, from 6 arguments. */
static size_t make_hello(uint8_t *msg, size_t cap, char **argv)
{
	const char *mode = argv[0];
	uint64_t size = number(argv[1]);
	uint64_t threads = number(argv[2]);
	double seconds;
	uint8_t reverse = (uint8_t)number(argv[4]);
	uint8_t verify = (uint8_t)number(argv[5]);
	size_t len = NC_HEADER_LEN, mode_len = strlen(mode);
	char *end;

	seconds = strtod(argv[3], &end);
	if (end == argv[3] || *end || seconds < 0) {
		fprintf(stderr, "%s: not a duration: %s\n", prog, argv[3]);
		exit(2);
	}
	if (mode_len > 255 ||
	    cap < NC_HEADER_LEN + 6 * 4 + mode_len + 3 * 8 + 2)
		usage();
	len += put_field(msg + len, NC_H_MODE, mode, (uint16_t)mode_len);
	len += put_u64_field(msg + len, NC_H_SIZE, size);
	len += put_u64_field(msg + len, NC_H_THREADS, threads);
	len += put_u64_field(msg + len, NC_H_DURATION,
			     (uint64_t)(seconds * 1e9));
	len += put_field(msg + len, NC_H_REVERSE, &reverse, 1);
	len += put_field(msg + len, NC_H_VERIFY, &verify, 1);
	make_header(msg, NC_MAGIC, NC_VERSION, NC_MSG_HELLO,
		    (uint32_t)(len - NC_HEADER_LEN));
	return len;
}

/* A hello with every field the protocol now requires: the 6 of
 * make_hello, then perf 0, the workload (argv[6]: 0 stream, 1 rr),
 * warm-up 0 and CPU -1 (none), as the client sends them. */
static size_t make_full_hello(uint8_t *msg, size_t cap, char **argv)
{
	uint8_t perf = 0, workload = (uint8_t)number(argv[6]);
	size_t len = make_hello(msg, cap, argv);

	if (cap - len < 2 * 5 + 2 * 12)
		usage();
	len += put_field(msg + len, NC_H_PERF, &perf, 1);
	len += put_field(msg + len, NC_H_WORKLOAD, &workload, 1);
	len += put_u64_field(msg + len, NC_H_WARMUP, 0);
	len += put_u64_field(msg + len, NC_H_CPU, UINT64_MAX);
	make_header(msg, NC_MAGIC, NC_VERSION, NC_MSG_HELLO,
		    (uint32_t)(len - NC_HEADER_LEN));
	return len;
}

/* The hello of len bytes in msg with one more byte field. */
static size_t hello_and(uint8_t *msg, size_t cap, size_t len, uint16_t type,
			uint8_t v)
{
	if (cap - len < 5)
		usage();
	len += put_field(msg + len, type, &v, 1);
	make_header(msg, NC_MAGIC, NC_VERSION, NC_MSG_HELLO,
		    (uint32_t)(len - NC_HEADER_LEN));
	return len;
}

/* make_full_hello's hello and one more byte field. */
static size_t full_hello_and(uint8_t *msg, size_t cap, char **argv,
			     uint16_t type, uint8_t v)
{
	return hello_and(msg, cap, make_full_hello(msg, cap, argv), type, v);
}

/* make_full_hello's hello and the receive path byte argv[7]. */
static size_t make_rx_hello(uint8_t *msg, size_t cap, char **argv)
{
	return full_hello_and(msg, cap, argv, NC_H_RX,
			      (uint8_t)number(argv[7]));
}

/* make_rx_hello's hello and the protocol byte argv[8]. */
static size_t make_proto_hello(uint8_t *msg, size_t cap, char **argv)
{
	return hello_and(msg, cap, make_rx_hello(msg, cap, argv), NC_H_PROTO,
			 (uint8_t)number(argv[8]));
}

/* make_full_hello's hello asking for the TCP_INFO figures, or
 * (auth) to authenticate. */
static size_t make_tcp_hello(uint8_t *msg, size_t cap, char **argv,
			     bool auth)
{
	return full_hello_and(msg, cap, argv, auth ? NC_H_AUTH : NC_H_TCPI, 1);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The bytes of hex (even length) into buf, which holds them. */
static void hex_decode(const char *hex, uint8_t *buf)
{
	size_t n = strlen(hex);

	if (n % 2)
		usage();
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			fprintf(stderr, "%s: not hex: %s\n", prog, hex);
			exit(2);
		}
		buf[i] = (uint8_t)(hi << 4 | lo);
	}
}

static void send_hex(int fd, const char *hex)
{
	size_t n = strlen(hex);
	uint8_t *buf = malloc(n / 2 + 1);

	if (!buf)
		exit(1);
	hex_decode(hex, buf);
	send_all(fd, buf, n / 2);
	free(buf);
}

static void print_hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static void send_garbage(int fd, unsigned long long n)
{
	/* xorshift, seeded from the clock: different garbage each run, but
	 * never starting with the magic. */
	uint64_t x = (uint64_t)time(NULL) * 2654435761u + (uint64_t)getpid();
	uint8_t buf[4096];
	bool first = true;

	if (!x)
		x = 1;
	while (n) {
		size_t chunk = n < sizeof(buf) ? (size_t)n : sizeof(buf);

		for (size_t i = 0; i < chunk; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[i] = (uint8_t)(x >> 24);
		}
		if (first) {
			buf[0] = 'X';
			first = false;
		}
		send_all(fd, buf, chunk);
		n -= chunk;
	}
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void do_recv(int fd, unsigned long long ms)
{
	uint64_t deadline = now_ms() + ms;
	unsigned long long total = 0;
	const char *how = "open";
	uint8_t buf[4096];

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t now = now_ms();
		ssize_t n;
		int r;

		if (now >= deadline)
			break;
		r = poll(&pfd, 1, (int)(deadline - now));
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, "%s: poll: %s\n", prog,
				strerror(errno));
			exit(1);
		}
		if (r <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n > 0) {
			total += (unsigned long long)n;
			continue;
		}
		if (n == 0) {
			how = "eof";
			break;
		}
		if (errno == EINTR || errno == EAGAIN)
			continue;
		if (errno == ECONNRESET) {
			how = "reset";
			break;
		}
		fprintf(stderr, "%s: recv: %s\n", prog, strerror(errno));
		exit(1);
	}
	printf("recv %llu bytes\n%s\n", total, how);
	fflush(stdout);
}

static void sleep_ms(unsigned long long ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000),
			       .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* How the peer ended the connection while bytes still wait unread:
 * "reset", "eof" (its FIN came), or NULL (still open). */
static const char *peer_ended(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return NULL;
	return ti.tcpi_state == TCP_CLOSE ? "reset" :
	       ti.tcpi_state == TCP_CLOSE_WAIT ? "eof" : NULL;
}

/* A reader that keeps the window nearly shut: one byte per period. */
static void do_trickle(int fd, unsigned long long ms)
{
	unsigned long long total = 0;
	const char *how = "eof";
	uint8_t byte;

	for (;;) {
		ssize_t n = recv(fd, &byte, 1, 0);

		if (n > 0) {
			total++;
			how = peer_ended(fd);
			if (how)
				break;
			sleep_ms(ms);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != ECONNRESET) {
			fprintf(stderr, "%s: recv: %s\n", prog,
				strerror(errno));
			exit(1);
		}
		how = n ? "reset" : "eof";
		break;
	}
	printf("trickle %llu bytes\n%s\n", total, how);
	fflush(stdout);
}

/* Needs at least n more arguments after the action's name. */
static void need(int argc, int i, int n)
{
	if (argc - i - 1 < n)
		usage();
}

/* Receive exactly len bytes (the safety timeout bounds the wait). */
static void recv_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "%s: recv: %s\n", prog,
				n ? strerror(errno) : "connection closed");
			exit(1);
		}
		p += n;
		len -= (size_t)n;
	}
}

static uint64_t get_be(const uint8_t *p, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	return v;
}

/* Read the reply to a hello: an accept, whose run id goes to id. */
static void read_accept(int fd, uint8_t id[NC_RUN_ID_LEN])
{
	uint8_t head[NC_HEADER_LEN], body[NC_MAX_BODY];
	uint32_t type, len;
	size_t at = 0;

	recv_all(fd, head, sizeof(head));
	type = (uint32_t)get_be(head + 6, 2);
	len = (uint32_t)get_be(head + 8, 4);
	if (get_be(head, 4) != NC_MAGIC || len > sizeof(body)) {
		fprintf(stderr, "%s: attach: not a reply header\n", prog);
		exit(1);
	}
	recv_all(fd, body, len);
	if (type == NC_MSG_REFUSE) {
		fprintf(stderr, "%s: attach: the server refused the run\n",
			prog);
		exit(1);
	}
	while (type == NC_MSG_ACCEPT && len - at >= 4) {
		uint32_t ftype = (uint32_t)get_be(body + at, 2);
		uint32_t flen = (uint32_t)get_be(body + at + 2, 2);

		if (flen > len - at - 4)
			break;
		if (ftype == 2 && flen == NC_RUN_ID_LEN) {
			memcpy(id, body + at + 4, NC_RUN_ID_LEN);
			return;
		}
		at += 4u + flen;
	}
	fprintf(stderr, "%s: attach: no run id in the reply (type %u)\n",
		prog, type);
	exit(1);
}

/* Bind fd, of family, to the source address (-B, from), if one is set. */
static void bind_source(int fd, int family)
{
	struct addrinfo hints = { .ai_family = family,
				  .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_PASSIVE };
	struct addrinfo *ai;
	int rc;

	if (!source)
		return;
	rc = getaddrinfo(source, NULL, &hints, &ai);
	if (rc) {
		fprintf(stderr, "%s: source %s: %s\n", prog, source,
			gai_strerror(rc));
		exit(1);
	}
	if (bind(fd, ai->ai_addr, ai->ai_addrlen)) {
		fprintf(stderr, "%s: bind %s: %s\n", prog, source,
			strerror(errno));
		exit(1);
	}
	freeaddrinfo(ai);
}

/* A new connection to where fd is connected. */
static int connect_like(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int nfd;

	if (getpeername(fd, (struct sockaddr *)&ss, &sl)) {
		fprintf(stderr, "%s: getpeername: %s\n", prog,
			strerror(errno));
		exit(1);
	}
	nfd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (nfd >= 0)
		bind_source(nfd, ss.ss_family);
	if (nfd < 0 || connect(nfd, (struct sockaddr *)&ss, sl)) {
		fprintf(stderr, "%s: data connection: %s\n", prog,
			strerror(errno));
		exit(1);
	}
	return nfd;
}

/* Send the data tag for run id and index. */
static void send_tag(int fd, const uint8_t id[NC_RUN_ID_LEN], uint64_t index)
{
	uint8_t msg[NC_HEADER_LEN + 4 + NC_RUN_ID_LEN + 4 + 8];
	size_t len = NC_HEADER_LEN;

	len += put_field(msg + len, 1, id, NC_RUN_ID_LEN);
	len += put_u64_field(msg + len, 2, index);
	make_header(msg, NC_MAGIC, NC_VERSION, NC_MSG_DATA_TAG,
		    (uint32_t)(len - NC_HEADER_LEN));
	send_all(fd, msg, len);
}

static void reset_close(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg))) {
		fprintf(stderr, "%s: SO_LINGER: %s\n", prog, strerror(errno));
		exit(1);
	}
	close(fd);
}

/* Read one whole message: its type and body length. */
static void read_message(int fd, uint8_t head[NC_HEADER_LEN],
			 uint8_t body[NC_MAX_BODY], uint32_t *type,
			 uint32_t *len)
{
	recv_all(fd, head, NC_HEADER_LEN);
	*type = (uint32_t)get_be(head + 6, 2);
	*len = (uint32_t)get_be(head + 8, 4);
	if (get_be(head, 4) != NC_MAGIC || *len > NC_MAX_BODY) {
		fprintf(stderr, "%s: not a message header\n", prog);
		exit(1);
	}
	recv_all(fd, body, *len);
}

/* How many fields body has, and how many numbered past last. */
static void count_fields(const uint8_t *body, uint32_t len,
			 unsigned int last, unsigned int *all,
			 unsigned int *newer, unsigned int *first_newer)
{
	*all = *newer = *first_newer = 0;
	for (uint32_t at = 0; len - at >= 4;) {
		unsigned int type = (unsigned int)get_be(body + at, 2);
		uint32_t flen = (uint32_t)get_be(body + at + 2, 2);

		if (flen > len - at - 4)
			break;
		(*all)++;
		if (type > last && !(*newer)++)
			*first_newer = type;
		at += 4u + flen;
	}
}

/* The server's answer: "accepted", or "refused: " and its reason. */
static void read_reply(int fd)
{
	uint8_t head[NC_HEADER_LEN], body[NC_MAX_BODY];
	uint32_t type, len;

	read_message(fd, head, body, &type, &len);
	if (type == NC_MSG_ACCEPT) {
		printf("accepted\n");
		fflush(stdout);
		return;
	}
	for (uint32_t at = 0; type == NC_MSG_REFUSE && len - at >= 4;) {
		unsigned int ftype = (unsigned int)get_be(body + at, 2);
		uint32_t flen = (uint32_t)get_be(body + at + 2, 2);

		if (flen > len - at - 4)
			break;
		if (ftype == NC_R_REASON) {
			printf("refused: %.*s\n", (int)flen, body + at + 4);
			fflush(stdout);
			return;
		}
		at += 4u + flen;
	}
	fprintf(stderr, "%s: reply: message type %u, no reason\n", prog,
		type);
	exit(1);
}

static void read_trailer(int fd)
{
	uint8_t head[NC_HEADER_LEN], body[NC_MAX_BODY];
	unsigned int all, newer, first;
	uint32_t type, len;

	read_message(fd, head, body, &type, &len);
	if (type != NC_MSG_TRAILER) {
		fprintf(stderr, "%s: trailer: message type %u\n", prog, type);
		exit(1);
	}
	count_fields(body, len, OLD_TRAILER_LAST, &all, &newer, &first);
	printf("trailer %u fields, %u newer\n", all, newer);
	fflush(stdout);
}

static int run_actions(int fd, int argc, char **argv)
{
	uint8_t msg[1024], run_id[NC_RUN_ID_LEN] = { 0 };
	int ctrl = -1, fds[RP_MAX_FDS], nfds = 0;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (fd < 0 && strcmp(a, "sleep") != 0 &&
		    strcmp(a, "control") != 0) {
			fprintf(stderr, "%s: %s after close\n", prog, a);
			return 2;
		}
		if (strcmp(a, "hex") == 0) {
			need(argc, i, 1);
			send_hex(fd, argv[++i]);
		} else if (strcmp(a, "garbage") == 0) {
			need(argc, i, 1);
			send_garbage(fd, number(argv[++i]));
		} else if (strcmp(a, "header") == 0) {
			uint32_t magic = NC_MAGIC;
			uint16_t version = NC_VERSION, type;
			uint32_t len;
			int extra = 0;

			need(argc, i, 2);
			type = (uint16_t)number(argv[i + 1]);
			len = (uint32_t)number(argv[i + 2]);
			if (i + 3 < argc && argv[i + 3][0] >= '0' &&
			    argv[i + 3][0] <= '9') {
				magic = (uint32_t)number(argv[i + 3]);
				extra++;
				if (i + 4 < argc && argv[i + 4][0] >= '0' &&
				    argv[i + 4][0] <= '9') {
					version = (uint16_t)number(argv[i + 4]);
					extra++;
				}
			}
			make_header(msg, magic, version, type, len);
			send_all(fd, msg, NC_HEADER_LEN);
			i += 2 + extra;
		} else if (strcmp(a, "hello") == 0) {
			need(argc, i, 6);
			send_all(fd, msg, make_hello(msg, sizeof(msg),
						     argv + i + 1));
			i += 6;
		} else if (strcmp(a, "full-hello") == 0) {
			need(argc, i, 7);
			send_all(fd, msg, make_full_hello(msg, sizeof(msg),
							  argv + i + 1));
			i += 7;
		} else if (strcmp(a, "rx-hello") == 0) {
			need(argc, i, 8);
			send_all(fd, msg, make_rx_hello(msg, sizeof(msg),
							argv + i + 1));
			i += 8;
		} else if (strcmp(a, "tcp-hello") == 0 ||
			   strcmp(a, "auth-hello") == 0) {
			need(argc, i, 7);
			send_all(fd, msg, make_tcp_hello(msg, sizeof(msg),
							 argv + i + 1,
							 a[0] == 'a'));
			i += 7;
		} else if (strcmp(a, "proto-hello") == 0) {
			need(argc, i, 9);
			send_all(fd, msg, make_proto_hello(msg, sizeof(msg),
							   argv + i + 1));
			i += 9;
		} else if (strcmp(a, "reply") == 0) {
			read_reply(fd);
		} else if (strcmp(a, "trailer") == 0) {
			read_trailer(fd);
		} else if (strcmp(a, "hello-prefix") == 0) {
			size_t n, len;

			need(argc, i, 7);
			n = (size_t)number(argv[i + 1]);
			len = make_hello(msg, sizeof(msg), argv + i + 2);
			send_all(fd, msg, n < len ? n : len);
			i += 7;
		} else if (strcmp(a, "sleep") == 0) {
			need(argc, i, 1);
			sleep_ms(number(argv[++i]));
		} else if (strcmp(a, "recv") == 0) {
			need(argc, i, 1);
			do_recv(fd, number(argv[++i]));
		} else if (strcmp(a, "trickle") == 0) {
			need(argc, i, 1);
			do_trickle(fd, number(argv[++i]));
		} else if (strcmp(a, "shutdown") == 0) {
			if (shutdown(fd, SHUT_WR)) {
				fprintf(stderr, "%s: shutdown: %s\n", prog,
					strerror(errno));
				return 1;
			}
		} else if (strcmp(a, "close") == 0 ||
			   strcmp(a, "reset") == 0) {
			if (a[0] == 'r')
				reset_close(fd);
			else
				close(fd);
			for (int k = 0; k < nfds; k++)
				if (fds[k] == fd)
					fds[k] = -1;
			if (fd == ctrl)
				ctrl = -2;	/* closed: no attach, control */
			fd = -1;
		} else if (strcmp(a, "attach") == 0) {
			uint64_t index;

			need(argc, i, 1);
			index = number(argv[++i]);
			if (nfds == RP_MAX_FDS)
				usage();
			if (ctrl == -2) {
				fprintf(stderr, "%s: attach after the control "
					"connection closed\n", prog);
				return 2;
			}
			if (ctrl < 0) {
				ctrl = fd;
				read_accept(ctrl, run_id);
			}
			fds[nfds++] = fd;	/* stays open until the end */
			fd = connect_like(ctrl);
			send_tag(fd, run_id, index);
			printf("attached %llu\n", (unsigned long long)index);
			fflush(stdout);
		} else if (strcmp(a, "from") == 0) {
			need(argc, i, 1);
			source = argv[++i];
		} else if (strcmp(a, "control") == 0) {
			if (ctrl < 0) {
				fprintf(stderr, "%s: control %s\n", prog,
					ctrl == -2 ? "after close" :
					"before attach");
				return 2;
			}
			if (nfds == RP_MAX_FDS)
				usage();
			if (fd >= 0)
				fds[nfds++] = fd;
			fd = ctrl;
		} else {
			fprintf(stderr, "%s: unknown action %s\n", prog, a);
			return 2;
		}
	}
	/* Each connection once: the current one may also be in fds. */
	for (int k = 0; k < nfds; k++) {
		if (fds[k] < 0 || fds[k] == fd)
			continue;
		for (int m = k + 1; m < nfds; m++)
			if (fds[m] == fds[k])
				fds[m] = -1;
		close(fds[k]);
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

static int do_connect(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *list, *ai;
	int fd = -1, rc, err = 0;

	rc = getaddrinfo(host, port, &hints, &list);
	if (rc) {
		fprintf(stderr, "%s: %s: %s\n", prog, host, gai_strerror(rc));
		exit(1);
	}
	for (ai = list; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		bind_source(fd, ai->ai_family);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(list);
	if (fd < 0) {
		fprintf(stderr, "%s: cannot connect to %s port %s: %s\n", prog,
			host, port, strerror(err));
		exit(1);
	}
	return fd;
}

/* A listener on the loopback, its port printed. */
static int listen_loopback(bool v6)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1, lfd;
	unsigned int port;

	memset(&ss, 0, sizeof(ss));
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sl = sizeof(*s4);
	}
	lfd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (lfd < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&ss, sl) || listen(lfd, 16) ||
	    getsockname(lfd, (struct sockaddr *)&ss, &sl)) {
		fprintf(stderr, "%s: listen: %s\n", prog, strerror(errno));
		exit(1);
	}
	port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
			: ((struct sockaddr_in *)&ss)->sin_port);
	printf("port %u\n", port);
	fflush(stdout);
	return lfd;
}

static int accept_one(int lfd)
{
	int fd;

	do
		fd = accept(lfd, NULL, NULL);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		fprintf(stderr, "%s: accept: %s\n", prog, strerror(errno));
		exit(1);
	}
	return fd;
}

static int do_serve(bool v6)
{
	int lfd = listen_loopback(v6), fd = accept_one(lfd);

	close(lfd);
	return fd;
}

/* Copy each way until both ends have finished sending. */
static void relay(int a, int b)
{
	int fds[2] = { a, b };
	bool open[2] = { true, true };
	static uint8_t buf[1 << 16];

	while (open[0] || open[1]) {
		struct pollfd p[2];

		for (int i = 0; i < 2; i++)
			p[i] = (struct pollfd){ .fd = open[i] ? fds[i] : -1,
						.events = POLLIN };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			exit(1);
		}
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (!open[i] || !p[i].revents)
				continue;
			n = recv(fds[i], buf, sizeof(buf), 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n > 0) {
				send_all(fds[1 - i], buf, (size_t)n);
				continue;
			}
			shutdown(fds[1 - i], SHUT_WR);
			open[i] = false;
		}
	}
}

/* ---- liar: a trailer's fields set on their way to the client */

#define MAX_EDITS 32

struct edit {
	unsigned int msg;		/* the message type it edits */
	unsigned int type;
	uint64_t value;
};

/* What a relay does: old-server's refusal, liar's edits, or hijack's
 * attempts (with mac when mac_len is not 0). */
struct relay_plan {
	bool old;
	struct edit edit[MAX_EDITS];
	int edits;
	bool drop_chunks;		/* per-flow bytes: none relayed */
	bool hijack;
	uint8_t mac[NC_MAC_LEN];
	size_t mac_len;
};

struct field_name {
	const char *name;
	unsigned int type;
};

static const struct field_name field_names[] = {
	{ "status", NC_F_STATUS },
	{ "bytes", NC_F_BYTES },
	{ "total_bytes", NC_F_TOTAL_BYTES },
	{ "messages", NC_F_MESSAGES },
	{ "interval", NC_F_INTERVAL },
	{ "latency", NC_F_LATENCY },
	{ "mismatches", NC_F_MISMATCHES },
	{ "cpu_us", NC_F_CPU_US },
	{ "counters_known", NC_F_COUNTERS_KNOWN },
	{ "counters_scope", NC_F_COUNTERS_SCOPE },
	{ "cycles", NC_F_COUNTER_0 + NC_EV_CYCLES },
	{ "instructions", NC_F_COUNTER_0 + NC_EV_INSTRUCTIONS },
	{ "cache_refs", NC_F_COUNTER_0 + NC_EV_CACHE_REFS },
	{ "cache_misses", NC_F_COUNTER_0 + NC_EV_CACHE_MISSES },
	{ "context_switches", NC_F_COUNTER_0 + NC_EV_CONTEXT_SWITCHES },
	{ "task_clock", NC_F_COUNTER_0 + NC_EV_TASK_CLOCK },
	{ "page_faults", NC_F_COUNTER_0 + NC_EV_PAGE_FAULTS },
	{ "zc_sends", NC_F_ZC_SENDS },
	{ "zc_notifications", NC_F_ZC_NOTIFICATIONS },
	{ "zc_completions", NC_F_ZC_COMPLETIONS },
	{ "zc_copied", NC_F_ZC_COPIED },
	{ "zc_enobufs", NC_F_ZC_ENOBUFS },
	{ "rx_zc_mapped", NC_F_RX_ZC_MAPPED },
	{ "rx_zc_copied", NC_F_RX_ZC_COPIED },
	{ "rx_zc_refused", NC_F_RX_ZC_REFUSED },
	{ "sndbuf", NC_F_SNDBUF },
	{ "rcvbuf", NC_F_RCVBUF },
};

static const struct field_name chunk_names[] = {
	{ "chunk_flows", NC_B_FLOWS },
	{ "chunk_first", NC_B_FIRST },
	{ "chunk_bytes", NC_B_BYTES },
	{ "chunk_drop", 0 },
};

static bool find_name(const struct field_name *names, size_t n,
		      const char *name, unsigned int *type)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(name, names[i].name) == 0) {
			*type = names[i].type;
			return true;
		}
	}
	return false;
}

/* FIELD=VALUE into e. */
static void parse_edit(const char *arg, struct edit *e)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : 0;
	char name[32];

	if (!eq || n >= sizeof(name))
		usage();
	memcpy(name, arg, n);
	name[n] = '\0';
	e->value = number(eq + 1);
	e->msg = NC_MSG_FLOW_BYTES;
	if (find_name(chunk_names, sizeof(chunk_names) /
		      sizeof(chunk_names[0]), name, &e->type))
		return;
	e->msg = NC_MSG_TRAILER;
	if (find_name(field_names, sizeof(field_names) /
		      sizeof(field_names[0]), name, &e->type))
		return;
	e->type = (unsigned int)number(name);
	if (!e->type || e->type > NC_F_LAST)
		usage();
}

/* Set each edit of a message of type msg in its body: where it is, in
 * its own length (a list's first number), or else added as 8 bytes.
 * Returns the new length. */
static uint32_t edit_body(uint8_t *body, uint32_t len, unsigned int msg,
			  const struct relay_plan *plan)
{
	for (int k = 0; k < plan->edits; k++) {
		const struct edit *e = &plan->edit[k];
		bool done = !e->type || e->msg != msg;

		for (uint32_t at = 0; len - at >= 4 && !done;) {
			unsigned int type = (unsigned int)get_be(body + at, 2);
			uint32_t flen = (uint32_t)get_be(body + at + 2, 2);

			if (flen > len - at - 4)
				break;
			if (type == e->type && flen >= 1) {
				put_be(body + at + 4, e->value,
				       flen > 8 ? 8 : (int)flen);
				done = true;
			}
			at += 4u + flen;
		}
		if (!done && len + 12 <= NC_MAX_BODY)
			len += (uint32_t)put_u64_field(body + len,
						       (uint16_t)e->type,
						       e->value);
	}
	return len;
}

/* read_message, or false when the stream ends (or resets) before it. */
static bool next_message(int fd, uint8_t head[NC_HEADER_LEN],
			 uint8_t body[NC_MAX_BODY], uint32_t *type,
			 uint32_t *len)
{
	ssize_t n;

	do
		n = recv(fd, head, 1, MSG_PEEK);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return false;
	read_message(fd, head, body, type, len);
	return true;
}

/* The control connection: the client's bytes as they come, the server's
 * message by message, its trailer edited. */
static void relay_control(int fd, int ufd, const struct relay_plan *plan)
{
	static uint8_t buf[1 << 16];
	uint8_t head[NC_HEADER_LEN], body[NC_MAX_BODY];
	bool open[2] = { true, true };
	uint32_t type, len;

	while (open[0] || open[1]) {
		struct pollfd p[2] = {
			{ .fd = open[0] ? fd : -1, .events = POLLIN },
			{ .fd = open[1] ? ufd : -1, .events = POLLIN },
		};
		ssize_t n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			exit(1);
		}
		if (open[0] && p[0].revents) {
			n = recv(fd, buf, sizeof(buf), 0);
			if (n > 0) {
				send_all(ufd, buf, (size_t)n);
			} else if (n == 0 || errno != EINTR) {
				shutdown(ufd, SHUT_WR);
				open[0] = false;
			}
		}
		if (!open[1] || !p[1].revents)
			continue;
		if (!next_message(ufd, head, body, &type, &len)) {
			shutdown(fd, SHUT_WR);
			open[1] = false;
			continue;
		}
		if (type == NC_MSG_FLOW_BYTES && plan->drop_chunks)
			continue;
		if (type == NC_MSG_TRAILER || type == NC_MSG_FLOW_BYTES) {
			len = edit_body(body, len, type, plan);
			make_header(head, NC_MAGIC, NC_VERSION, (uint16_t)type,
				    len);
		}
		send_all(fd, head, NC_HEADER_LEN);
		send_all(fd, body, len);
		if (type == NC_MSG_TRAILER) {
			printf("trailer %d set\n", plan->edits);
			fflush(stdout);
		}
	}
}

/* A data tag's run id, index and MAC (has_mac: whether it had one). */
struct seen_tag {
	uint8_t id[NC_RUN_ID_LEN];
	uint64_t index;
	uint8_t mac[NC_MAC_LEN];
	bool has_mac;
};

static void parse_tag(const uint8_t *body, uint32_t len, struct seen_tag *t)
{
	memset(t, 0, sizeof(*t));
	for (uint32_t at = 0; len - at >= 4;) {
		unsigned int type = (unsigned int)get_be(body + at, 2);
		uint32_t flen = (uint32_t)get_be(body + at + 2, 2);
		const uint8_t *v = body + at + 4;

		if (flen > len - at - 4)
			break;
		if (type == NC_T_RUN_ID && flen == NC_RUN_ID_LEN)
			memcpy(t->id, v, NC_RUN_ID_LEN);
		else if (type == NC_T_INDEX && flen == 8)
			t->index = get_be(v, 8);
		else if (type == NC_T_MAC && flen == NC_MAC_LEN)
			t->has_mac = memcpy(t->mac, v, NC_MAC_LEN) != NULL;
		at += 4u + flen;
	}
}

/* The reason of a refusal's body, as printable text. */
static void print_reason(const uint8_t *body, uint32_t len)
{
	for (uint32_t at = 0; len - at >= 4;) {
		unsigned int type = (unsigned int)get_be(body + at, 2);
		uint32_t flen = (uint32_t)get_be(body + at + 2, 2);

		if (flen > len - at - 4)
			break;
		if (type == NC_R_REASON)
			printf("%.*s", (int)flen, (const char *)body + at + 4);
		at += 4u + flen;
	}
}

/* Print the tag seen, then try to attach in its place with plan's MAC. */
static void hijack(const uint8_t *body, uint32_t len,
		   const struct sockaddr_in *up, const struct relay_plan *plan)
{
	uint8_t msg[NC_HEADER_LEN + 4 + NC_RUN_ID_LEN + 12 + 4 + NC_MAC_LEN];
	uint8_t head[NC_HEADER_LEN], reply[NC_MAX_BODY];
	size_t n = NC_HEADER_LEN;
	struct seen_tag t;
	uint32_t type, rlen;
	int fd;

	parse_tag(body, len, &t);
	printf("tag %llu ", (unsigned long long)t.index);
	print_hex(t.id, NC_RUN_ID_LEN);
	printf(" ");
	if (t.has_mac)
		print_hex(t.mac, NC_MAC_LEN);
	else
		printf("-");
	printf("\n");
	fflush(stdout);
	n += put_field(msg + n, NC_T_RUN_ID, t.id, NC_RUN_ID_LEN);
	n += put_u64_field(msg + n, NC_T_INDEX, t.index);
	if (plan->mac_len)
		n += put_field(msg + n, NC_T_MAC, plan->mac, NC_MAC_LEN);
	make_header(msg, NC_MAGIC, NC_VERSION, NC_MSG_DATA_TAG,
		    (uint32_t)(n - NC_HEADER_LEN));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)up, sizeof(*up))) {
		fprintf(stderr, "%s: hijack: %s\n", prog, strerror(errno));
		exit(1);
	}
	send_all(fd, msg, n);
	read_message(fd, head, reply, &type, &rlen);
	printf("hijack %llu ", (unsigned long long)t.index);
	if (type == NC_MSG_ACCEPT) {
		printf("accepted");
	} else {
		printf("refused: ");
		print_reason(reply, rlen);
	}
	printf("\n");
	fflush(stdout);
	close(fd);
}

/* One connection to the old server or the liar: the old server refuses
 * a hello it would not know; else the connection goes to the real
 * server on port, the liar's control connection through its edits. */
static void relay_conn(int fd, unsigned int port,
		       const struct relay_plan *plan)
{
	uint8_t head[NC_HEADER_LEN], body[NC_MAX_BODY], msg[NC_MAX_BODY];
	struct sockaddr_in up = { .sin_family = AF_INET };
	unsigned int all, newer, first;
	uint32_t type, len;
	size_t n = NC_HEADER_LEN;
	uint8_t off = 0;
	int ufd;

	read_message(fd, head, body, &type, &len);
	count_fields(body, len, OLD_HELLO_LAST, &all, &newer, &first);
	if (plan->old && type == NC_MSG_HELLO && newer) {
		n += put_field(msg + n, NC_R_ACCEPTED, &off, 1);
		n += put_u64_field(msg + n, NC_R_CODE,
				   (uint64_t)(int64_t)NETCOPY_EPROTOCOL);
		n += put_field(msg + n, NC_R_REASON, "unknown field", 13);
		make_header(msg, NC_MAGIC, NC_VERSION, NC_MSG_REFUSE,
			    (uint32_t)(n - NC_HEADER_LEN));
		send_all(fd, msg, n);
		printf("refused field %u\n", first);
		fflush(stdout);
		return;
	}
	up.sin_port = htons((uint16_t)port);
	up.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ufd = socket(AF_INET, SOCK_STREAM, 0);
	if (ufd < 0 || connect(ufd, (struct sockaddr *)&up, sizeof(up))) {
		fprintf(stderr, "%s: the real server: %s\n", prog,
			strerror(errno));
		exit(1);
	}
	if (plan->hijack && type == NC_MSG_DATA_TAG)
		hijack(body, len, &up, plan);
	send_all(ufd, head, sizeof(head));
	send_all(ufd, body, len);
	if (!plan->old && !plan->hijack && type == NC_MSG_HELLO)
		relay_control(fd, ufd, plan);
	else
		relay(fd, ufd);
}

static int do_relays(unsigned int port, unsigned long long count,
		     unsigned int limit, const struct relay_plan *plan)
{
	int lfd = listen_loopback(false), status, bad = 0;

	for (unsigned long long i = 0; i < count; i++) {
		int fd = accept_one(lfd);
		pid_t pid = fork();

		if (pid < 0) {
			fprintf(stderr, "%s: fork: %s\n", prog,
				strerror(errno));
			exit(1);
		}
		if (pid == 0) {
			close(lfd);
			alarm(limit);	/* not inherited */
			relay_conn(fd, port, plan);
			exit(0);
		}
		close(fd);
	}
	close(lfd);
	while (wait(&status) > 0)
		bad |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	return bad;
}

int main(int argc, char **argv)
{
	unsigned long long limit = 20;
	bool v6 = false;
	int opt, fd;

	while ((opt = getopt(argc, argv, "+t:6B:")) != -1) {
		if (opt == 't')
			limit = number(optarg);
		else if (opt == 'B')
			source = optarg;
		else if (opt == '6')
			v6 = true;
		else
			usage();
	}
	if (optind >= argc)
		usage();
	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);
	alarm(limit ? (unsigned int)limit : 20u);

	if (strcmp(argv[optind], "connect") == 0) {
		if (argc - optind < 3)
			usage();
		fd = do_connect(argv[optind + 1], argv[optind + 2]);
		optind += 3;
	} else if (strcmp(argv[optind], "serve") == 0) {
		fd = do_serve(v6);
		optind += 1;
	} else if (strcmp(argv[optind], "hijack") == 0) {
		struct relay_plan plan = { .hijack = true };

		if (argc - optind < 3 || argc - optind > 4)
			usage();
		if (argc - optind == 4) {
			if (strlen(argv[optind + 3]) != 2 * NC_MAC_LEN)
				usage();
			hex_decode(argv[optind + 3], plan.mac);
			plan.mac_len = NC_MAC_LEN;
		}
		return do_relays((unsigned int)number(argv[optind + 1]),
				 number(argv[optind + 2]),
				 limit ? (unsigned int)limit : 20u, &plan);
	} else if (strcmp(argv[optind], "old-server") == 0 ||
		   strcmp(argv[optind], "liar") == 0) {
		struct relay_plan plan = { .old = argv[optind][0] == 'o' };

		if (argc - optind < 3 || (plan.old && argc - optind != 3) ||
		    argc - optind - 3 > MAX_EDITS)
			usage();
		for (int i = optind + 3; i < argc; i++) {
			struct edit *e = &plan.edit[plan.edits++];

			parse_edit(argv[i], e);
			plan.drop_chunks |= !e->type;
		}
		return do_relays((unsigned int)number(argv[optind + 1]),
				 number(argv[optind + 2]),
				 limit ? (unsigned int)limit : 20u, &plan);
	} else {
		usage();
	}
	return run_actions(fd, argc - optind, argv + optind);
}
