#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# pkgconfig-install.sh - the installed library is usable the way its users
# use it: `make install DESTDIR=$tmp/root` (a make of its own, run in the
# build tree), then a small program is compiled and linked with nothing
# but `pkg-config --cflags --libs netcopy` pointed at that install
# (PKG_CONFIG_PATH, PKG_CONFIG_SYSROOT_DIR) and run against the installed
# library (LD_LIBRARY_PATH): a server on 127.0.0.1 port 0 in a thread and
# one verified run per mode this kernel can do, through the public API
# only, each with status 0, bytes > 0 and no mismatch.  It also checks
# that pkg-config's version is the library's, and that --cflags is the
# include directory alone, without json-c's or liburing's .pc files.
# libnetcopy(3)'s example, examples/figure.c, must build the same way.
#
# Environment (AM_TESTS_ENVIRONMENT, man/local.mk): top_builddir,
# NETCOPY_MAKE, NETCOPY_CC, NETCOPY_CPPFLAGS, NETCOPY_CFLAGS and
# NETCOPY_LDFLAGS (the make, compiler and flags of this build, so an
# ASan build links its sanitizer runtime).  NETCOPY_TEST_KEEP=1 keeps
# the temporary directory.
#
# Exit 0 pass, 1 fail, 77 skip (no pkg-config or no compiler), 99 hard
# error (the test itself cannot run).
set -uo pipefail

# As tests/lib.sh: only NETCOPY_TEST_DISABLE_MODES disables modes here.
if [ -n "${NETCOPY_TEST_DISABLE_MODES:-}" ]; then
	export NETCOPY_DISABLE_MODES=$NETCOPY_TEST_DISABLE_MODES
else
	unset NETCOPY_DISABLE_MODES
fi

me=pkgconfig-install
: "${top_builddir:=.}"
read -r -a make_cmd <<<"${NETCOPY_MAKE:-make}"
cc=${NETCOPY_CC:-cc}
read -r -a cppflags <<<"${NETCOPY_CPPFLAGS:-}"
read -r -a cflags <<<"${NETCOPY_CFLAGS:-}"
read -r -a ldflags <<<"${NETCOPY_LDFLAGS:-}"

log() {
	printf '%s: %s\n' "$me" "$*"
}

fail() {
	printf '%s: FAIL: %s\n' "$me" "$*" >&2
	exit 1
}

error() {
	printf '%s: ERROR: %s\n' "$me" "$*" >&2
	exit 99
}

skip() {
	printf '%s: SKIP: %s\n' "$me" "$*"
	exit 77
}

# show FILE: the last lines of a log, indented.
show() {
	tail -n 40 "$1" | sed 's/^/    /' >&2
}

command -v pkg-config >/dev/null 2>&1 || skip "pkg-config not found"
read -r -a cc_words <<<"$cc"
command -v "${cc_words[0]}" >/dev/null 2>&1 || skip "no C compiler ($cc)"
[[ -f $top_builddir/Makefile ]] ||
	error "$top_builddir/Makefile not found (run from make check)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/netcopy-pkgconfig.XXXXXX") ||
	error "mktemp failed"
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	if [[ -n ${NETCOPY_TEST_KEEP:-} ]]; then
		log "kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
root=$tmp/root

# A make of its own: not a sub-make of `make check` (no MAKEFLAGS, so no
# jobserver it cannot reach), from the build tree, into DESTDIR only.
log "${make_cmd[*]} install DESTDIR=$root (in $top_builddir)"
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${make_cmd[@]}" \
	-C "$top_builddir" install DESTDIR="$root" >"$tmp/install.log" 2>&1; then
	show "$tmp/install.log"
	fail "make install DESTDIR=$root failed"
fi

mapfile -t pcs < <(find "$root" -path '*/pkgconfig/netcopy.pc')
((${#pcs[@]} == 1)) ||
	fail "expected one installed netcopy.pc, found ${#pcs[@]}: ${pcs[*]}"
pcdir=$(dirname "${pcs[0]}")
libdir=$(dirname "$pcdir")
[[ -e $libdir/libnetcopy.so ]] || fail "no libnetcopy.so next to the .pc"
[[ -n $(find "$root" -name netcopy.h) ]] || fail "netcopy.h not installed"

# pkg-config sees the DESTDIR tree as the system root; system -I/-L
# directories are kept, since with a /usr prefix they are where the
# install put the header and the library.
export PKG_CONFIG_PATH=$pcdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
export PKG_CONFIG_SYSROOT_DIR=$root
export PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 PKG_CONFIG_ALLOW_SYSTEM_LIBS=1
version=$(pkg-config --modversion netcopy 2>"$tmp/pc.err") || {
	show "$tmp/pc.err"
	fail "pkg-config --modversion netcopy failed"
}
flags=$(pkg-config --cflags --libs netcopy 2>"$tmp/pc.err") || {
	show "$tmp/pc.err"
	fail "pkg-config --cflags --libs netcopy failed"
}
log "pkg-config: netcopy $version: $flags"
[[ $flags == *"-I$root"* && $flags == *"-L$root"* ]] ||
	fail "pkg-config flags do not point into $root: $flags"
# netcopy.h includes no json-c or liburing header: --cflags is the
# installed include directory alone, found without their .pc files (a
# user of the library need not have their development files).
incdir=$(dirname "$(find "$root" -name netcopy.h -print -quit)")
only=$(PKG_CONFIG_LIBDIR=$pcdir PKG_CONFIG_PATH='' pkg-config --cflags \
	netcopy 2>"$tmp/pc.err") || {
	show "$tmp/pc.err"
	fail "pkg-config --cflags netcopy needs other packages' .pc files"
}
read -r -a only_words <<<"$only"
[[ ${#only_words[@]} == 1 && ${only_words[0]} == "-I$incdir" ]] ||
	fail "pkg-config --cflags netcopy: '$only', not -I$incdir alone"

cat >"$tmp/user.c" <<'EOF'
/* A user of the installed libnetcopy: one verified loopback run per mode
 * the running kernel can do, against a server in a thread; over TCP, or
 * over UDP for a mode that sends only datagrams. */
#include <netcopy.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static void *serve(void *server)
{
	return (void *)(long)netcopy_server_run(server);
}

static int run_mode(unsigned int port, const char *mode, const char *proto)
{
	struct netcopy_client *client;
	struct netcopy_result *result = NULL;
	int err;

	if (netcopy_client_new(&client))
		return 1;
	if (netcopy_client_set_host(client, "127.0.0.1") ||
	    netcopy_client_set_port(client, port) ||
	    netcopy_client_set_mode(client, mode) ||
	    netcopy_client_set_proto(client, proto) ||
	    netcopy_client_set_size(client, strcmp(proto, "udp") ?
					    16 * 1024 : 1400) ||
	    netcopy_client_set_threads(client, 2) ||
	    netcopy_client_set_duration(client, 0.2) ||
	    netcopy_client_set_verify(client, true) ||
	    netcopy_client_set_perf(client, false)) {
		fprintf(stderr, "%s: a setter failed\n", mode);
		netcopy_client_free(client);
		return 1;
	}
	err = netcopy_client_run(client, &result);
	if (err || !result) {
		fprintf(stderr, "%s: run: %s (%s)\n", mode,
			netcopy_strerror(err), netcopy_client_detail(client));
		netcopy_result_free(result);
		netcopy_client_free(client);
		return 1;
	}
	printf("%s over %s: status %d, %llu bytes, %.3f Gbit/s, "
	       "%llu mismatches\n", mode, proto, netcopy_result_status(result),
	       (unsigned long long)netcopy_result_bytes(result),
	       netcopy_result_gbps(result),
	       (unsigned long long)netcopy_result_mismatches(result));
	err = netcopy_result_status(result) != 0 ||
	      netcopy_result_bytes(result) == 0 ||
	      netcopy_result_mismatches(result) != 0;
	netcopy_result_free(result);
	netcopy_client_free(client);
	return err;
}

int main(int argc, char **argv)
{
	struct netcopy_server *server;
	pthread_t thread;
	void *served;
	int err, failed = 0, ran = 0;

	if (argc != 2 || strcmp(argv[1], netcopy_version()) != 0) {
		fprintf(stderr, "library version %s, pkg-config said %s\n",
			netcopy_version(), argc == 2 ? argv[1] : "?");
		return 1;
	}
	if (netcopy_server_new(&server))
		return 1;
	netcopy_server_set_bind(server, "127.0.0.1");
	netcopy_server_set_port(server, 0);
	err = netcopy_server_listen(server);
	if (err) {
		fprintf(stderr, "listen: %s\n", netcopy_strerror(err));
		netcopy_server_free(server);
		return 1;
	}
	if (pthread_create(&thread, NULL, serve, server)) {
		netcopy_server_free(server);
		return 1;
	}
	for (size_t i = 0; i < netcopy_known_mode_count(); i++) {
		const char *why, *name = netcopy_known_mode(i, &why);
		const struct netcopy_mode *mode = netcopy_mode_find(name);

		if (*why) {
			printf("%s: %s\n", name, why);
			continue;
		}
		if (netcopy_mode_probe(mode, &why)) {
			printf("%s: not on this kernel: %s\n", name, why);
			continue;
		}
		failed |= run_mode(netcopy_server_port(server), name,
				   strstr(netcopy_known_mode_protos(i), "tcp") ?
				   "tcp" : "udp");
		ran++;
	}
	netcopy_server_stop(server);
	pthread_join(thread, &served);
	netcopy_server_free(server);
	if ((long)served) {
		fprintf(stderr, "server: %s\n", netcopy_strerror((int)(long)served));
		failed = 1;
	}
	return failed || !ran;
}
EOF

read -r -a pc_flags <<<"$flags"
log "compiling with $cc"
if ! "${cc_words[@]}" "${cppflags[@]}" "${cflags[@]}" -o "$tmp/user" \
	"$tmp/user.c" "${pc_flags[@]}" -pthread "${ldflags[@]}" \
	>"$tmp/cc.log" 2>&1; then
	show "$tmp/cc.log"
	fail "compiling and linking through pkg-config failed"
fi

# libnetcopy(3)'s example builds the same way (example-figure.sh runs
# it against a server).
example=${top_srcdir:-.}/examples/figure.c
[[ -r $example ]] || error "$example not found"
if ! "${cc_words[@]}" "${cppflags[@]}" "${cflags[@]}" -o "$tmp/figure" \
	"$example" "${pc_flags[@]}" "${ldflags[@]}" >"$tmp/cc.log" 2>&1; then
	show "$tmp/cc.log"
	fail "compiling examples/figure.c through pkg-config failed"
fi

export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
# ldd's whole output first: grep -q may stop reading early, and under
# pipefail ldd's SIGPIPE would count as a failure.
if command -v ldd >/dev/null 2>&1 &&
	loaded=$(ldd "$tmp/user") &&
	! grep -qF "$libdir/libnetcopy.so" <<<"$loaded"; then
	printf '    %s\n' "$loaded" >&2
	fail "the program does not load the installed libnetcopy"
fi
runner=()
if command -v timeout >/dev/null 2>&1; then
	runner=(timeout 120)
fi
log "running it against $libdir"
"${runner[@]}" "$tmp/user" "$version" >"$tmp/run.out" 2>&1
rc=$?
sed 's/^/    /' "$tmp/run.out"
((rc == 0)) || fail "the program exited $rc"
log "ok: built through pkg-config and ran against the DESTDIR install"
exit 0
