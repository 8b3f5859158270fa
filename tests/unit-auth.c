/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unit-auth.c - authentication's pieces: the proof and the data tags'
 * MACs are the HMAC-SHA512-256 that lib/wire/auth.h writes down (known
 * answers from Python's hmac module), each depends on every input, the
 * compare finds any flipped bit, the secret's length is bounded, and
 * --allow's prefixes parse and match as documented (IPv4-mapped IPv6
 * as IPv4).  The HMAC checks skip (77) without libsodium, after the
 * stubs are seen to refuse.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "server/server.h"
#include "wire/auth.h"
#include "unit.h"

static const char key_text[] = "0123456789abcdef0123456789abcdef";

/* /usr/bin/python3: hmac.new(key, label + parts, hashlib.sha512)
 * .digest()[:32] for the inputs of check_known(). */
static const char proof_want[] =
	"2e529c2c6e2ca0d2e8479c27ebb35e4e523403fe265a02d3673898cfd41313d7";
static const char tag_want[] =
	"4ca2da6d8442fcf3c6fcca28249ed3afe1c9e3ddcaf19207bb2f61b61e8d5d0e";

static void hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static uint8_t chal[NC_CHALLENGE_LEN], id[NC_RUN_ID_LEN];
static const uint8_t hello[] = "\0\1\0\10two-copy";
static struct nc_secret secret;

static void check_known(void)
{
	uint8_t mac[NC_MAC_LEN];
	char text[2 * NC_MAC_LEN + 1];

	CHECK(nc_auth_proof(&secret, chal, hello, sizeof(hello) - 1, mac) == 0,
	      "the proof failed");
	hex(mac, sizeof(mac), text);
	CHECK(strcmp(text, proof_want) == 0, "proof %s, want %s", text,
	      proof_want);
	CHECK(nc_auth_tag(&secret, id, 3, chal, mac) == 0, "the tag failed");
	hex(mac, sizeof(mac), text);
	CHECK(strcmp(text, tag_want) == 0, "tag %s, want %s", text, tag_want);
}

/* A tag changes with each of its inputs, and the compare sees it. */
static void check_inputs(void)
{
	uint8_t base[NC_MAC_LEN], mac[NC_MAC_LEN], c2[NC_CHALLENGE_LEN];
	uint8_t id2[NC_RUN_ID_LEN];
	struct nc_secret other = { .len = 0 };

	nc_auth_tag(&secret, id, 3, chal, base);
	CHECK(nc_auth_equal(base, base), "a MAC differs from itself");
	nc_auth_tag(&secret, id, 4, chal, mac);
	CHECK(!nc_auth_equal(base, mac), "index 4 gave index 3's tag");
	memcpy(id2, id, sizeof(id2));
	id2[15] ^= 1;
	nc_auth_tag(&secret, id2, 3, chal, mac);
	CHECK(!nc_auth_equal(base, mac), "another run id gave the tag");
	memcpy(c2, chal, sizeof(c2));
	c2[0] ^= 0x80;
	nc_auth_tag(&secret, id, 3, c2, mac);
	CHECK(!nc_auth_equal(base, mac), "another challenge gave the tag");
	CHECK(nc_secret_set(&other, "0123456789abcdef0123456789abcdeF",
			    32) == 0, "a second secret refused");
	nc_auth_tag(&other, id, 3, chal, mac);
	CHECK(!nc_auth_equal(base, mac), "another secret gave the tag");
	for (size_t bit = 0; bit < 8 * NC_MAC_LEN; bit += 37) {
		memcpy(mac, base, sizeof(mac));
		mac[bit / 8] ^= (uint8_t)(1u << bit % 8);
		CHECK(!nc_auth_equal(base, mac), "bit %zu flipped: equal",
		      bit);
	}
	CHECK(nc_auth_challenge(c2) == 0 && nc_auth_challenge(chal) == 0 &&
	      memcmp(c2, chal, sizeof(c2)) != 0, "two challenges the same");
	nc_secret_clear(&other);
	CHECK(other.len == 0 && nc_auth_tag(&other, id, 0, chal, mac) ==
	      -EINVAL, "a cleared secret still makes tags");
}

static void check_lengths(void)
{
	static const char big[NETCOPY_MAX_SECRET + 1];
	struct nc_secret s = { .len = 0 };

	CHECK_INT(nc_secret_set(&s, key_text, NETCOPY_MIN_SECRET - 1),
		  -EINVAL);
	CHECK_INT(nc_secret_set(&s, big, sizeof(big)), -EINVAL);
	CHECK_INT(nc_secret_set(&s, NULL, NETCOPY_MIN_SECRET), -EINVAL);
	CHECK_INT(nc_secret_set(&s, big, NETCOPY_MAX_SECRET), 0);
	CHECK_INT(s.len, NETCOPY_MAX_SECRET);
	CHECK_INT(nc_secret_set(&s, NULL, 0), 0);
	CHECK_INT(s.len, 0);
}

/* ---- --allow */

static bool allowed(const char *list, const char *addr)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	struct nc_prefix *p;
	size_t n;
	bool yes;

	if (nc_prefixes_parse(list, &p, &n))
		unit_error("%s does not parse", list);
	if (inet_pton(AF_INET, addr, &s4.sin_addr) == 1)
		yes = nc_prefixes_match(p, n, (struct sockaddr *)&s4);
	else if (inet_pton(AF_INET6, addr, &s6.sin6_addr) == 1)
		yes = nc_prefixes_match(p, n, (struct sockaddr *)&s6);
	else
		unit_error("%s is no address", addr);
	free(p);
	return yes;
}

static void check_prefixes(void)
{
	static const char *const bad[] = {
		"", ",", "10.0.0.0/8,", ",10.0.0.0/8", "10.0.0.0/33",
		"::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/+8",
		"10.0.0.0/8x", "10.0.0", "host.example", "10.0.0.0 /8",
		"fe80::1%eth0",
	};
	struct nc_prefix *p;
	size_t n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(nc_prefixes_parse(bad[i], &p, &n) == -EINVAL,
		      "'%s' parsed", bad[i]);
	CHECK(allowed("10.0.0.0/8", "10.255.1.2"), "10/8 misses 10.255.1.2");
	CHECK(!allowed("10.0.0.0/8", "11.0.0.1"), "10/8 holds 11.0.0.1");
	CHECK(!allowed("10.0.0.0/8", "127.0.0.1"), "10/8 holds 127.0.0.1");
	CHECK(allowed("10.0.0.0/8,127.0.0.0/8", "::ffff:127.0.0.1"),
	      "an IPv4-mapped address is not taken as IPv4");
	CHECK(!allowed("::/0", "127.0.0.1"), "::/0 holds IPv4");
	CHECK(allowed("0.0.0.0/0", "192.0.2.1"), "0/0 misses an address");
	CHECK(allowed("192.0.2.7", "192.0.2.7"), "a host misses itself");
	CHECK(!allowed("192.0.2.7", "192.0.2.6"), "a host holds another");
	CHECK(allowed("192.0.2.0/25", "192.0.2.127") &&
	      !allowed("192.0.2.0/25", "192.0.2.128"), "/25 at its edge");
	CHECK(allowed("10.1.2.3/8", "10.9.9.9"), "host bits not cleared");
	CHECK(allowed("2001:db8::/32", "2001:db8:ffff::1") &&
	      !allowed("2001:db8::/32", "2001:db9::1"), "an IPv6 /32");
	CHECK(allowed("::1", "::1") && !allowed("::1", "::2"),
	      "an IPv6 host");
}

int main(void)
{
	uint8_t mac[NC_MAC_LEN];

	check_prefixes();
	if (!NETCOPY_WITH_AUTH) {
		CHECK_INT(nc_secret_set(&secret, key_text, 32),
			  NETCOPY_EUNSUPPORTED);
		CHECK(nc_auth_check(nc_auth_tag(&secret, id, 0, chal, mac),
				    mac, mac) == false,
		      "a stub's MAC checks");
		if (unit_failures)
			return unit_exit("unit-auth");
		unit_skip("built without libsodium");
	}
	for (size_t i = 0; i < sizeof(chal); i++)
		chal[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(id); i++)
		id[i] = (uint8_t)(0x10 + i);
	if (nc_secret_set(&secret, key_text, sizeof(key_text) - 1))
		unit_error("a 32-byte secret refused");
	check_known();
	check_inputs();
	check_lengths();
	return unit_exit("unit-auth");
}
