/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unit-host: the server's hosts and its log's limit.  A host is an IPv4
 * address (an IPv4-mapped IPv6 address is the same host) or an IPv6 /64
 * (addresses that differ in the low 64 bits are one host, in the /64
 * not), every loopback address one host; its name for messages;
 * loopback addresses all one origin for a run's data connections,
 * other addresses each their own.  Then a burst of one kind of log line:
 * LOG_BURST lines go out, the rest are counted in one line, and another
 * kind is not held back by it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "server/server.h"
#include "unit.h"

/* text's address (nc_host_addr), or with key its host (nc_host_key). */
static struct nc_host host_of(const char *text, bool key)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	struct nc_host h;
	int err;

	if (inet_pton(AF_INET, text, &s4->sin_addr) == 1)
		s4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, text, &s6->sin6_addr) == 1)
		s6->sin6_family = AF_INET6;
	else
		unit_error("bad address %s", text);
	err = key ? nc_host_key((struct sockaddr *)&ss, &h) :
		    nc_host_addr((struct sockaddr *)&ss, &h);
	if (err)
		unit_error("no host for %s", text);
	return h;
}

static struct nc_host key_of(const char *text)
{
	return host_of(text, true);
}

static void check_origin(const char *a, const char *b, bool same)
{
	struct nc_host ha = host_of(a, false), hb = host_of(b, false);

	CHECK(nc_host_same_origin(&ha, &hb) == same, "%s and %s: %s origin, "
	      "want %s", a, b, same ? "another" : "the same",
	      same ? "one" : "two");
}

static void check_same(const char *a, const char *b, bool same)
{
	struct nc_host ka = key_of(a), kb = key_of(b);

	CHECK(nc_host_equal(&ka, &kb) == same, "%s and %s: %s host, want %s",
	      a, b, same ? "another" : "the same", same ? "one" : "two");
}

static void check_name(const char *addr, const char *want)
{
	struct nc_host key = key_of(addr);
	char name[64];

	nc_host_name(&key, name, sizeof(name));
	CHECK(strcmp(name, want) == 0, "%s: '%s', want '%s'", addr, name,
	      want);
}

static void test_hosts(void)
{
	struct sockaddr sa = { .sa_family = AF_UNIX };
	struct nc_host key;

	check_same("192.0.2.1", "192.0.2.1", true);
	check_same("192.0.2.1", "192.0.2.2", false);
	check_same("192.0.2.1", "::ffff:192.0.2.1", true);
	check_same("::ffff:192.0.2.1", "::ffff:192.0.2.2", false);
	check_same("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", true);
	check_same("2001:db8:1:2::1", "2001:db8:1:3::1", false);
	check_same("::2", "::3", true);
	check_same("::1", "0.0.0.1", false);
	check_same("127.0.0.2", "127.0.0.3", true);
	check_same("127.0.0.1", "127.255.255.254", true);
	check_same("127.0.0.1", "::1", true);
	check_same("::ffff:127.0.0.9", "::1", true);
	check_same("::1", "::2", false);	/* ::2 is no loopback */
	check_same("127.0.0.1", "128.0.0.1", false);
	check_same("127.0.0.1", "126.255.255.255", false);
	check_name("192.0.2.1", "192.0.2.1");
	check_name("::ffff:192.0.2.7", "192.0.2.7");
	check_name("::ffff:127.0.0.2", "loopback");
	check_name("::1", "loopback");
	check_name("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64");
	CHECK_INT(nc_host_key(&sa, &key), -EAFNOSUPPORT);
	check_origin("192.0.2.1", "::ffff:192.0.2.1", true);
	check_origin("192.0.2.1", "192.0.2.2", false);
	check_origin("2001:db8:1:2::1", "2001:db8:1:2::2", false);
	check_origin("127.0.0.2", "127.0.0.3", true);
	check_origin("127.0.0.1", "127.255.0.9", true);
	check_origin("127.0.0.2", "::1", true);
	check_origin("127.0.0.1", "192.0.2.1", false);
	check_origin("::1", "::2", false);
	check_origin("128.0.0.1", "127.0.0.1", false);
}

static unsigned int lines;
static char last[256];

static void count_line(void *data, const char *line)
{
	(void)data;
	lines++;
	snprintf(last, sizeof(last), "%s", line);
}

static void test_log_limit(void)
{
	struct netcopy_server *srv;

	if (netcopy_server_new(&srv))
		unit_error("netcopy_server_new failed");
	netcopy_server_set_log(srv, count_line, NULL);
	for (int i = 0; i < 100; i++)
		nc_server_log(srv, "peer %d: dropped", i);
	CHECK_INT(lines, LOG_BURST);
	nc_server_log(srv, "another kind %d", 1);
	CHECK_INT(lines, LOG_BURST + 1);
	CHECK(nc_log_limit_flush(srv, false) > 0, "no count due");
	nc_log_limit_flush(srv, true);
	CHECK_INT(lines, LOG_BURST + 2);
	CHECK(strcmp(last, "... 90 more in the last second (the last: peer "
		     "99: dropped)") == 0, "count line '%s'", last);
	CHECK_INT(nc_log_limit_flush(srv, false), -1);
	netcopy_server_free(srv);
}

int main(void)
{
	test_hosts();
	test_log_limit();
	return unit_exit("unit-host");
}
