#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netcopy-sweep refuses bad input with one clear line on stderr and a
# non-zero exit, before doing anything (no output folder is created): an
# unknown mode, bad size, thread, workload, duration and repeat values,
# unknown options, --mtu without netns, client options the sweep sets
# itself after --, -R with rr, --warmup with a client that lacks it, and
# --topology netns without root (simulated with setpriv as nobody when run
# as root).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
# shellcheck source-path=SCRIPTDIR source=sweep-lib.sh
. "$top_srcdir/tests/sweep-lib.sh"

sw_init
out=$nc_tmp/never

# bad STATUS REGEX DESCRIPTION ARG...: the sweep refuses ARG... with exit
# STATUS and one line matching REGEX, and creates no folder.
bad() {
	local want=$1 re=$2 desc=$3

	shift 3
	sw_run "$desc" -d 0.1 -r 1 -t 1 -s 1K -o "$out" "$@"
	sw_check_one_line_error "$want" &&
		nc_check_stderr_matches "$re" "the reason" &&
		nc_check "$desc: no output folder" test ! -e "$out"
}

bad 2 "unknown mode 'bogus'.*two-copy" "unknown mode" -m bogus
bad 2 "unknown mode 'bogus'" "unknown mode in a list" -m two-copy,bogus
bad 2 "empty item" "size list with an empty item" -s 1K,,4K
bad 2 "empty item" "size list ending in a comma" -s 1K,
bad 2 "'abc' is not a size" "size that is not a number" -s 1K,abc
bad 2 "'1Q' is not a size" "size with a bad unit" -s 1Q
bad 2 "out of range" "size 0" -s 0
bad 2 "out of range" "size above 64M" -s 128M
bad 2 "empty list" "empty size list" -s ''
bad 2 "--threads" "0 threads" -t 0
bad 2 "--threads" "threads not a number" -t 1,two
bad 2 "unknown workload 'bulk'" "unknown workload" -w stream,bulk
bad 2 "--duration" "duration 0" -d 0
bad 2 "--duration" "duration not a number" -d soon
bad 2 "--repeat" "repeat 0" -r 0
bad 2 "unknown option '--bogus'" "unknown option" --bogus
bad 2 "needs a value" "option without its value" -m
bad 2 "takes no value" "flag with a value" --dry-run=yes
bad 2 "--mtu applies to --topology netns" "--mtu on loopback" --mtu 9000
bad 2 "unknown topology" "unknown topology" --topology mesh
bad 2 "set by the sweep" "client -m after --" -- -m two-copy
bad 2 "set by the sweep" "client --size after --" -- --size=4K
bad 2 "-R does not apply to rr" "-R with rr" -w rr -- -R
bad 2 "unknown receive call 'mmap'" "unknown --rx" --rx recv,mmap
bad 2 "empty item" "--rx list with an empty item" --rx recv,,zero-copy
bad 2 "set by the sweep" "client --rx after --" -- --rx zero-copy

# A client without --warmup (an older one): its --help without it.
oldbin=$nc_tmp/oldbin
mkdir -p "$oldbin"
ln -s "$NETCOPY_SERVER" "$oldbin/netcopy-server"
cat >"$oldbin/netcopy-client" <<EOS
#!/bin/sh
if [ "\$1" = --help ]; then
	"$NETCOPY_CLIENT" --help | grep -v -e --warmup
	exit 0
fi
exec "$NETCOPY_CLIENT" "\$@"
EOS
chmod +x "$oldbin/netcopy-client"
NETCOPY_BINDIR=$oldbin bad 4 "no --warmup option" "--warmup with a client lacking it" \
	--warmup 0.5
bad 2 "--warmup" "--warmup not a number" --warmup later

NETCOPY_SWEEP_SSH=/nonexistent/ssh bad 4 "needs /nonexistent/ssh" \
	"--server-host without ssh" --server-host lab2

# ---- netns without root
if [ "$(id -u)" != 0 ]; then
	bad 4 "needs root" "netns without root" --topology netns
else
	nobody=()
	if command -v setpriv >/dev/null; then
		nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	elif command -v runuser >/dev/null; then
		nobody=(runuser -u nobody --)
	fi
	# nobody must be able to run the sweep and the client from here.
	nc_patience 20
	if [ ${#nobody[@]} -gt 0 ] &&
	   (cd / && timeout "$NC_PATIENCE" "${nobody[@]}" \
		env NETCOPY_BINDIR="$NETCOPY_BINDIR" \
		"$NETCOPY_SWEEP" --dry-run -m two-copy -s 1K -t 1 >/dev/null 2>&1); then
		mkdir -p "$nc_tmp/nobody"
		chmod 777 "$nc_tmp/nobody"
		out=$nc_tmp/nobody/never
		nc_run "netns as nobody" "${nobody[@]}" env NETCOPY_BINDIR="$NETCOPY_BINDIR" \
			"$NETCOPY_SWEEP" --topology netns -d 0.1 -r 1 -t 1 -s 1K -o "$out"
		sw_check_one_line_error 4 &&
			nc_check_stderr_matches "needs root" "the reason" &&
			nc_check "netns as nobody: no output folder" test ! -e "$out"
	else
		nc_log "cannot run the sweep as nobody here (setpriv/runuser, or the build tree is not readable): netns without root is not tested"
	fi
fi

nc_finish
