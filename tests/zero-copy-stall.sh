#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A zero-copy peer that stops acknowledging, over --flows: the client
# sends (-R) 8 flows on one thread and the server is SIGSTOPped once data
# moves.  Its receive buffers fill, so the data still queued is never
# acknowledged and its completions never come (on loopback too: the
# kernel acks only what fits the stopped receiver's buffers).  The flows
# must share one 10 s wait for what they are owed, not wait one after
# another: the client exits non-zero with the line that says what never
# came, well before 8 flows' waits (and the trailer's 30 s) would end it.
# Then the server, let go, must serve the next run.
# Small socket buffers keep what the stall pins small: the pages of
# zero-copy sends in flight count against the user's RLIMIT_MEMLOCK
# (8 MiB here), which other tests' zero-copy runs of the same user share
# while this one holds its pages for some 40 s.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_zero_copy_built || nc_skip "zero-copy is not built"
nc_init
nc_start_server
server=$NC_SERVER_PID
out=$nc_tmp/stall.out err=$nc_tmp/stall.err iv=$nc_tmp/stall.iv
: >"$iv"
nc_patience 120
SECONDS=0
timeout -k 5 "$NC_PATIENCE" "$NETCOPY_CLIENT" -p "$NC_PORT" -R \
	-m zero-copy -t 1 --flows 8 -d 1 -I 0.1 --interval-file "$iv" \
	--sndbuf 64K --rcvbuf 64K \
	>"$out" 2>"$err" </dev/null &
client=$!
nc_patience 10
ticks=$((NC_PATIENCE_MS / 50))
for ((i = 0; i < ticks; i++)); do
	[ -s "$iv" ] && break
	nc_pid_running "$client" || break
	sleep 0.05
done
[ -s "$iv" ] || nc_error "no interval report within $NC_PATIENCE s"
nc_signal "$server" STOP
# 1 s of run, 10 s for the completions, 30 s for the server's trailer:
# 8 flows' waits one after another would take 80 s more.
if nc_wait_pid "$client" 60; then
	elapsed=$SECONDS
	nc_checks=$((nc_checks + 1))
	pattern='^netcopy-client: [0-9]+ zero-copy completions never came: '
	pattern+='the peer stopped acknowledging'
	if [ "$NC_WAIT_RC" -eq 0 ] || [ "$NC_WAIT_RC" -ge 124 ]; then
		nc_fail "stalled peer: client exit $NC_WAIT_RC, not an error"
	elif [ "$(wc -l <"$err")" -ne 1 ] || ! grep -Eq "$pattern" "$err"; then
		nc_fail "stalled peer: not the one line on stderr"
		nc_show "client stderr" "$err"
	else
		nc_pass "stalled peer: exit $NC_WAIT_RC in $elapsed s"
	fi
else
	nc_checks=$((nc_checks + 1))
	nc_fail "stalled peer: client still running after $NC_PATIENCE s"
	kill -KILL "$client" 2>/dev/null
fi
kill -CONT "$server" 2>/dev/null
nc_server_alive || nc_error "the server died"

nc_client "after the stall: the next run" -p "$NC_PORT" -R -m zero-copy \
	-t 1 --flows 2 -d 0.2 --verify
nc_check_rc 0
nc_finish
