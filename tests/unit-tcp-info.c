/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unit-tcp-info: the TCP_INFO figures.  Hand-made readings check the
 * arithmetic: differences, shares of the span, the value at the end, a
 * field the kernel did not fill (by optlen) and an impossible reading
 * are NA, and a side's sums and means.  Then a real loopback TCP
 * connection carries a few MiB, verified at the receiver, between two
 * readings, and the figures hold what the kernel guarantees, as do the
 * bytes each end moved (nc_tcp_moved).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/tcp.h>

#include "base/base.h"
#include "measure/measure.h"
#include "unit.h"

/* Within 1e-9 of want, relative above 1: no libm needed. */
static bool near(double got, double want)
{
	double d = got > want ? got - want : want - got;
	double scale = want > 1 ? want : want < -1 ? -want : 1;

	return d <= 1e-9 * scale;
}

#define CHECK_NEAR(got, want)						\
	CHECK(near(got, want), "got %.12g, want %.12g", (double)(got),	\
	      (double)(want))

#define NA(f, fig) CHECK_NEAR((f)->value[fig], -1)

/* Every figure as wanted. */
static void expect(const struct nc_tcp_figures *f,
		   const double want[NC_TCP_FIGS])
{
	for (int i = 0; i < NC_TCP_FIGS; i++)
		CHECK(near(f->value[i], want[i]), "figure %d: got %.12g, "
		      "want %.12g", i, f->value[i], want[i]);
}

/* ---- hand-made readings */

struct reading {
	uint32_t retrans;
	uint64_t busy, rwnd, sndbuf;	/* µs */
};

static void fill(struct tcp_info *ti, const struct reading *r)
{
	memset(ti, 0, sizeof(*ti));
	ti->tcpi_state = 1;		/* established */
	ti->tcpi_total_retrans = r->retrans;
	ti->tcpi_busy_time = r->busy;
	ti->tcpi_rwnd_limited = r->rwnd;
	ti->tcpi_sndbuf_limited = r->sndbuf;
	ti->tcpi_rtt = 40;
	ti->tcpi_snd_cwnd = 10;
	ti->tcpi_delivery_rate = 1250000000;	/* 10 Gbit/s */
	ti->tcpi_rcv_rtt = 30;
	ti->tcpi_rcv_space = 65536;
}

/* Figures of a connection read at 0 and at span_ns, len bytes each. */
static void conn(struct nc_tcp_figures *f, const struct reading *a,
		 const struct reading *b, uint64_t span_ns, size_t len)
{
	struct nc_tcp_sample s0, s1;
	struct tcp_info ti;

	fill(&ti, a);
	nc_tcp_sample_parse(&s0, &ti, len, 1000);
	fill(&ti, b);
	nc_tcp_sample_parse(&s1, &ti, len, 1000 + span_ns);
	CHECK_INT(nc_tcp_conn_figures(f, &s0, &s1), 0);
	CHECK_INT(f->conns, 1);
}

static void test_arithmetic(void)
{
	struct reading a = { 2, 1000000, 100000, 50000 };
	struct reading b = { 5, 1500000, 200000, 150000 };
	struct nc_tcp_figures f;

	conn(&f, &a, &b, 1000000000, sizeof(struct tcp_info));
	expect(&f, (const double[NC_TCP_FIGS]){
		[NC_TCP_RETRANSMITS] = 3, [NC_TCP_RTT_US] = 40,
		[NC_TCP_CWND] = 10, [NC_TCP_DELIVERY_GBPS] = 10,
		[NC_TCP_BUSY_PCT] = 50, [NC_TCP_RWND_LIMITED_PCT] = 10,
		[NC_TCP_SNDBUF_LIMITED_PCT] = 10, [NC_TCP_RCV_RTT_US] = 30,
		[NC_TCP_RCV_SPACE] = 65536 });
}

/* An older kernel fills a shorter struct: what lies past optlen, or
 * only partly within it, is NA; what lies before it is known. */
static void test_optlen(void)
{
	struct reading a = { 0, 0, 0, 0 }, b = { 1, 500000, 0, 0 };
	size_t rate = offsetof(struct tcp_info, tcpi_delivery_rate);
	size_t busy = offsetof(struct tcp_info, tcpi_busy_time);
	struct nc_tcp_figures f;

	conn(&f, &a, &b, 1000000000, rate);
	NA(&f, NC_TCP_DELIVERY_GBPS);
	NA(&f, NC_TCP_BUSY_PCT);
	NA(&f, NC_TCP_RWND_LIMITED_PCT);
	NA(&f, NC_TCP_SNDBUF_LIMITED_PCT);
	CHECK_NEAR(f.value[NC_TCP_RETRANSMITS], 1);
	CHECK_NEAR(f.value[NC_TCP_RTT_US], 40);
	CHECK_NEAR(f.value[NC_TCP_RCV_SPACE], 65536);

	conn(&f, &a, &b, 1000000000, busy + 4);	/* half of busy_time */
	CHECK_NEAR(f.value[NC_TCP_DELIVERY_GBPS], 10);
	NA(&f, NC_TCP_BUSY_PCT);

	conn(&f, &a, &b, 1000000000, busy + 8);
	CHECK_NEAR(f.value[NC_TCP_BUSY_PCT], 50);
	NA(&f, NC_TCP_RWND_LIMITED_PCT);

	conn(&f, &a, &b, 1000000000, 0);
	for (int i = 0; i < NC_TCP_FIGS; i++)
		NA(&f, i);
}

/* A field known at one reading only is NA; so is an estimate the
 * kernel has not made yet (0). */
static void test_half_known(void)
{
	struct reading a = { 0, 0, 0, 0 }, b = { 1, 500000, 0, 0 };
	struct nc_tcp_sample s0, s1;
	struct nc_tcp_figures f;
	struct tcp_info ti;

	fill(&ti, &a);
	nc_tcp_sample_parse(&s0, &ti,
			    offsetof(struct tcp_info, tcpi_busy_time), 0);
	fill(&ti, &b);
	ti.tcpi_rtt = 0;
	ti.tcpi_delivery_rate = 0;
	ti.tcpi_rcv_rtt = 0;
	nc_tcp_sample_parse(&s1, &ti, sizeof(ti), 1000000000);
	CHECK_INT(nc_tcp_conn_figures(&f, &s0, &s1), 0);
	NA(&f, NC_TCP_BUSY_PCT);
	NA(&f, NC_TCP_RTT_US);
	NA(&f, NC_TCP_DELIVERY_GBPS);
	NA(&f, NC_TCP_RCV_RTT_US);
	CHECK_NEAR(f.value[NC_TCP_CWND], 10);
	CHECK_INT(nc_tcp_conn_figures(&f, &s1, &s0), -EINVAL);
}

static void test_impossible(void)
{
	struct reading a = { 5, 1000000, 100000, 100000 };
	struct reading b = { 4, 2011000, 100000, 100000 };
	size_t len = sizeof(struct tcp_info);
	struct nc_tcp_figures f;

	/* Over the span by more than a jiffy; a counter that went back. */
	conn(&f, &a, &b, 1000000000, len);
	NA(&f, NC_TCP_BUSY_PCT);
	NA(&f, NC_TCP_RWND_LIMITED_PCT);
	NA(&f, NC_TCP_SNDBUF_LIMITED_PCT);
	NA(&f, NC_TCP_RETRANSMITS);

	/* Over by less than a jiffy: the span was busy throughout, and the
	 * parts are their share of what the kernel counted. */
	b = (struct reading){ 5, 2004000, 602000, 100000 };
	conn(&f, &a, &b, 1000000000, len);
	CHECK_NEAR(f.value[NC_TCP_BUSY_PCT], 100);
	CHECK_NEAR(f.value[NC_TCP_RWND_LIMITED_PCT], 50);
	CHECK_NEAR(f.value[NC_TCP_SNDBUF_LIMITED_PCT], 0);

	/* A part over busy: that part NA, busy and the other known. */
	b = (struct reading){ 5, 1200000, 400000, 150000 };
	conn(&f, &a, &b, 1000000000, len);
	CHECK_NEAR(f.value[NC_TCP_BUSY_PCT], 20);
	NA(&f, NC_TCP_RWND_LIMITED_PCT);
	CHECK_NEAR(f.value[NC_TCP_SNDBUF_LIMITED_PCT], 5);

	/* Each within busy but together over it: both NA. */
	b = (struct reading){ 5, 1200000, 250000, 250000 };
	conn(&f, &a, &b, 1000000000, len);
	CHECK_NEAR(f.value[NC_TCP_BUSY_PCT], 20);
	NA(&f, NC_TCP_RWND_LIMITED_PCT);
	NA(&f, NC_TCP_SNDBUF_LIMITED_PCT);

	/* No time between the readings: no shares. */
	b = (struct reading){ 5, 1000000, 100000, 100000 };
	conn(&f, &a, &b, 0, len);
	NA(&f, NC_TCP_BUSY_PCT);
	CHECK_NEAR(f.value[NC_TCP_RETRANSMITS], 0);
}

static void test_side(void)
{
	struct reading a = { 0, 0, 0, 0 };
	struct reading b1 = { 3, 500000, 100000, 0 };
	struct reading b2 = { 1, 1000000, 0, 200000 };
	struct nc_tcp_figures side, c1, c2, other;

	nc_tcp_figures_init(&side);
	CHECK_INT(side.conns, 0);
	for (int i = 0; i < NC_TCP_FIGS; i++)
		NA(&side, i);

	conn(&c1, &a, &b1, 1000000000, sizeof(struct tcp_info));
	conn(&c2, &a, &b2, 1000000000, sizeof(struct tcp_info));
	c2.value[NC_TCP_RTT_US] = 100;
	c2.value[NC_TCP_CWND] = 21;
	c2.value[NC_TCP_DELIVERY_GBPS] = 30;	/* a mean, not a sum */
	CHECK_INT(nc_tcp_figures_add(&side, &c1), 0);
	CHECK_INT(nc_tcp_figures_add(&side, &c2), 0);
	CHECK_INT(side.conns, 2);
	expect(&side, (const double[NC_TCP_FIGS]){
		[NC_TCP_RETRANSMITS] = 4, [NC_TCP_RTT_US] = 70,
		[NC_TCP_CWND] = 15.5, [NC_TCP_DELIVERY_GBPS] = 20,
		[NC_TCP_BUSY_PCT] = 75, [NC_TCP_RWND_LIMITED_PCT] = 5,
		[NC_TCP_SNDBUF_LIMITED_PCT] = 10, [NC_TCP_RCV_RTT_US] = 30,
		[NC_TCP_RCV_SPACE] = 65536 });

	/* A side of one more, added as a whole: means weigh by conns. */
	nc_tcp_figures_init(&other);
	CHECK_INT(nc_tcp_figures_add(&other, &c1), 0);
	CHECK_INT(nc_tcp_figures_add(&side, &other), 0);
	CHECK_INT(side.conns, 3);
	CHECK_NEAR(side.value[NC_TCP_RTT_US], 60);
	CHECK_NEAR(side.value[NC_TCP_RETRANSMITS], 7);

	/* One connection that did not know a figure: the side does not. */
	c2.value[NC_TCP_RCV_RTT_US] = -1;
	CHECK_INT(nc_tcp_figures_add(&side, &c2), 0);
	NA(&side, NC_TCP_RCV_RTT_US);
	CHECK_NEAR(side.value[NC_TCP_RCV_SPACE], 65536);

	/* Adding a side of none changes nothing. */
	nc_tcp_figures_init(&other);
	CHECK_INT(nc_tcp_figures_add(&side, &other), 0);
	CHECK_INT(side.conns, 4);

	side.conns = UINT32_MAX;
	CHECK_INT(nc_tcp_figures_add(&side, &c1), -EOVERFLOW);
}

/* ---- a real loopback connection */

#define MIN_BYTES (4u << 20)
#define CHUNK (256u << 10)
#define DEADLINE_NS (60ull * 1000000000)

static uint8_t pattern(uint64_t pos)
{
	return (uint8_t)(pos % 251 + pos / 251);
}

struct receiver {
	int fd;
	uint64_t bytes, bad;
	int err;
};

static void *receive(void *arg)
{
	struct receiver *r = arg;
	static uint8_t buf[64 << 10];
	ssize_t n;

	while ((n = recv(r->fd, buf, sizeof(buf), 0)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r->err = errno;
			break;
		}
		for (ssize_t i = 0; i < n; i++)
			r->bad += buf[i] != pattern(r->bytes + (uint64_t)i);
		r->bytes += (uint64_t)n;
	}
	return NULL;
}

static void send_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			unit_error("send: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
}

static void connect_pair(int *listener, int *tx, int *rx)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	*tx = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*listener < 0 || *tx < 0)
		unit_skip("no TCP socket: %s", strerror(errno));
	if (bind(*listener, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(*listener, 1) ||
	    getsockname(*listener, (struct sockaddr *)&a, &len))
		unit_skip("no loopback listener: %s", strerror(errno));
	if (connect(*tx, (struct sockaddr *)&a, sizeof(a)))
		unit_error("connect: %s", strerror(errno));
	*rx = accept4(*listener, NULL, NULL, SOCK_CLOEXEC);
	if (*rx < 0)
		unit_error("accept: %s", strerror(errno));
}

/* The kernel counts busy time in jiffies: send at least MIN_BYTES,
 * and on until the sender's busy time has moved, so that a span that
 * fell between two ticks does not read as idle. */
static uint64_t transfer(int tx, const struct nc_tcp_sample *start)
{
	static uint8_t buf[CHUNK];
	uint64_t sent = 0, t0 = nc_now_ns();
	struct nc_tcp_sample now;
	uint32_t busy = 1u << NC_TCP_BUSY_PCT;

	for (;;) {
		for (size_t i = 0; i < CHUNK; i++)
			buf[i] = pattern(sent + i);
		send_all(tx, buf, CHUNK);
		sent += CHUNK;
		if (sent < MIN_BYTES || sent % (1u << 20))
			continue;
		if (nc_tcp_sample_read(tx, &now))
			unit_error("TCP_INFO of the sender failed");
		if (!(start->known & now.known & busy) ||
		    now.raw[NC_TCP_BUSY_PCT] > start->raw[NC_TCP_BUSY_PCT])
			return sent;
		if (nc_now_ns() - t0 > DEADLINE_NS)
			unit_error("busy time did not move in 60 s");
	}
}

static void print(const char *who, const struct nc_tcp_figures *f)
{
	printf("%s: retrans %g rtt %g us cwnd %g rate %g Gbit/s busy %g %% "
	       "rwnd %g %% sndbuf %g %% rcv_rtt %g us rcv_space %g\n", who,
	       f->value[NC_TCP_RETRANSMITS], f->value[NC_TCP_RTT_US],
	       f->value[NC_TCP_CWND], f->value[NC_TCP_DELIVERY_GBPS],
	       f->value[NC_TCP_BUSY_PCT], f->value[NC_TCP_RWND_LIMITED_PCT],
	       f->value[NC_TCP_SNDBUF_LIMITED_PCT],
	       f->value[NC_TCP_RCV_RTT_US], f->value[NC_TCP_RCV_SPACE]);
}

static void check_sender(const struct nc_tcp_figures *f)
{
	double busy = f->value[NC_TCP_BUSY_PCT];
	double rwnd = f->value[NC_TCP_RWND_LIMITED_PCT];
	double sndbuf = f->value[NC_TCP_SNDBUF_LIMITED_PCT];
	double retrans = f->value[NC_TCP_RETRANSMITS];

	CHECK(retrans >= 0 && retrans == (double)(uint64_t)retrans,
	      "retrans %g", retrans);
	CHECK(busy > 0 && busy <= 100, "busy %g %%", busy);
	CHECK(rwnd >= 0 && rwnd <= busy, "rwnd %g %%, busy %g %%", rwnd,
	      busy);
	CHECK(sndbuf >= 0 && sndbuf <= busy, "sndbuf %g %%, busy %g %%",
	      sndbuf, busy);
	CHECK(rwnd + sndbuf <= busy * (1 + 1e-12),
	      "parts %g %% > busy %g %%", rwnd + sndbuf, busy);
	CHECK(f->value[NC_TCP_RTT_US] > 0, "rtt %g us",
	      f->value[NC_TCP_RTT_US]);
	CHECK(f->value[NC_TCP_CWND] > 0, "cwnd %g", f->value[NC_TCP_CWND]);
	CHECK(f->value[NC_TCP_DELIVERY_GBPS] > 0, "delivery rate %g Gbit/s",
	      f->value[NC_TCP_DELIVERY_GBPS]);
}

static void check_receiver(const struct nc_tcp_figures *f)
{
	double rcv_rtt = f->value[NC_TCP_RCV_RTT_US];

	CHECK(f->value[NC_TCP_RCV_SPACE] > 0, "rcv_space %g",
	      f->value[NC_TCP_RCV_SPACE]);
	/* The receiver may not have estimated it: NA, never 0. */
	CHECK(rcv_rtt == -1 || rcv_rtt > 0, "rcv_rtt %g us", rcv_rtt);
}

static void check_errors(int listener)
{
	struct nc_tcp_sample s;
	int udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	CHECK_INT(nc_tcp_sample_read(listener, &s), -EINVAL);
	CHECK_INT(nc_tcp_sample_read(-1, &s), -EBADF);
	if (udp >= 0) {
		CHECK(nc_tcp_sample_read(udp, &s) < 0, "TCP_INFO of UDP");
		close(udp);
	}
}

/* What each end moved (the server's --idle-timeout): the receiver took
 * every byte sent; the sender had no more than those acknowledged (the
 * kernel counts the SYN's and the FIN's sequence numbers too). */
static void check_moved(int tx, int rx, uint64_t sent)
{
	uint64_t moved = 0;

	CHECK_INT(nc_tcp_moved(rx, &moved), 0);
	CHECK(moved >= sent && moved <= sent + 2, "receiver moved %" PRIu64
	      " of %" PRIu64, moved, sent);
	CHECK_INT(nc_tcp_moved(tx, &moved), 0);
	CHECK(moved <= sent + 2, "sender moved %" PRIu64 " of %" PRIu64,
	      moved, sent);
	CHECK_INT(nc_tcp_moved(-1, &moved), -EBADF);
}

static void test_loopback(void)
{
	struct nc_tcp_sample tx0, tx1, rx0, rx1;
	struct nc_tcp_figures ftx, frx, side;
	struct receiver r = { 0 };
	int listener, tx, rx, err;
	pthread_t thread;
	uint64_t sent;

	connect_pair(&listener, &tx, &rx);
	check_errors(listener);
	r.fd = rx;
	if (nc_tcp_sample_read(tx, &tx0) || nc_tcp_sample_read(rx, &rx0))
		unit_error("TCP_INFO failed");
	err = pthread_create(&thread, NULL, receive, &r);
	if (err)
		unit_error("pthread_create: %s", strerror(err));
	sent = transfer(tx, &tx0);
	shutdown(tx, SHUT_WR);
	pthread_join(thread, NULL);
	CHECK_INT(r.err, 0);
	CHECK_U64(r.bytes, sent);
	CHECK_U64(r.bad, 0);
	check_moved(tx, rx, sent);
	if (nc_tcp_sample_read(tx, &tx1) || nc_tcp_sample_read(rx, &rx1))
		unit_error("TCP_INFO failed");
	CHECK_INT(nc_tcp_conn_figures(&ftx, &tx0, &tx1), 0);
	CHECK_INT(nc_tcp_conn_figures(&frx, &rx0, &rx1), 0);
	printf("%" PRIu64 " bytes in %.3f ms\n", sent,
	       (double)(tx1.time_ns - tx0.time_ns) / 1e6);
	print("sender", &ftx);
	print("receiver", &frx);
	check_sender(&ftx);
	check_receiver(&frx);

	nc_tcp_figures_init(&side);
	CHECK_INT(nc_tcp_figures_add(&side, &ftx), 0);
	CHECK_INT(side.conns, 1);
	for (int i = 0; i < NC_TCP_FIGS; i++)
		CHECK_NEAR(side.value[i], ftx.value[i]);
	close(tx);
	close(rx);
	close(listener);
}

int main(void)
{
	test_arithmetic();
	test_optlen();
	test_half_known();
	test_impossible();
	test_side();
	test_loopback();
	return unit_exit("unit-tcp-info");
}
