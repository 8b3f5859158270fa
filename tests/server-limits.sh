#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The server's limits: a hello above --max-size or needing more than
# --max-memory is refused with a reason the client prints (exit 1); runs
# within the limits still work; --hello-timeout closes a silent
# connection.  Every loopback address is one host: a silent connection
# from 127.0.0.2 counts against a run from 127.0.0.3 at
# --max-conns-per-host 2, which is refused with the limit's reason.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
nc_need_rawpeer

# ---- --max-size 64K
nc_start_server -s 64K
nc_client "1M messages to a --max-size 64K server" -p "$NC_PORT" -s 1M \
	-t 1 -d 0.1 --verify
nc_check_rc 1 && nc_check_stderr_matches 'size|large|max' \
	"the server's reason"
nc_client "64K messages to a --max-size 64K server" -p "$NC_PORT" -s 64K \
	-t 1 -d 0.1 --verify -f csv
nc_check_rc 0 && nc_check_csv_run two-copy 65536 1
nc_client "64K+1 messages to a --max-size 64K server" -p "$NC_PORT" \
	-s 65537 -t 1 -d 0.1 -R
nc_check_rc 1
nc_patience 3
nc_rawpeer "a raw hello for 1M to a --max-size 64K server" \
	connect 127.0.0.1 "$NC_PORT" \
	hello two-copy 1048576 1 0.1 0 1 recv "$NC_PATIENCE_MS"
nc_check_peer_closed
nc_check "the refusal came back as a reply ($(head -n 1 "$NC_OUT"))" \
	grep -Eq '^recv [1-9][0-9]* bytes$' "$NC_OUT"
nc_check "server alive after the refusals" nc_server_alive
nc_check "the server logged the refusals" [ -s "$NC_SERVER_ERR" ]
nc_stop_server

# ---- --max-memory 1M
nc_start_server --max-memory 1M
nc_client "4 x 1M runs against --max-memory 1M" -p "$NC_PORT" -s 1M -t 4 \
	-d 0.1
nc_check_rc 1 && nc_check_stderr_matches 'memory|buffer' \
	"the server's reason"
nc_client "4 x 1M reverse against --max-memory 1M" -p "$NC_PORT" -s 1M \
	-t 4 -d 0.1 -R
nc_check_rc 1
nc_client "a 1K run against --max-memory 1M" -p "$NC_PORT" -s 1K -t 1 \
	-d 0.1 --verify -f csv
nc_check_rc 0 && nc_check_csv_run two-copy 1024 1
nc_check "server alive after the refusals" nc_server_alive
nc_stop_server

# ---- --hello-timeout 1
# (rawpeer's wait and the bound are patience: times the factor.)
nc_start_server --hello-timeout 1
start=$SECONDS
nc_patience 8
nc_rawpeer "a silent connection, --hello-timeout 1" \
	connect 127.0.0.1 "$NC_PORT" recv "$NC_PATIENCE_MS"
nc_check_peer_closed
nc_patience 4
nc_check "closed within $NC_PATIENCE_S s ($((SECONDS - start)) s)" \
	[ $((SECONDS - start)) -le "$NC_PATIENCE_S" ]
nc_client "a client after the timeout" -p "$NC_PORT" -s 1K -t 1 -d 0.1 \
	--verify
nc_check_rc 0
nc_stop_server

# ---- --max-conns-per-host 2: the loopback is one host
# (Linux routes all of 127/8 to lo; other systems may not.)
# fds_above PID COUNT SECONDS: poll until PID has more than COUNT
# descriptors open, SECONDS at most (times the factor).
# shellcheck disable=SC2317 # run through nc_check
fds_above() {
	local i ticks

	nc_patience "$3"
	ticks=$((NC_PATIENCE_MS / 100))
	for ((i = 0; i <= ticks; i++)); do
		[ "$(nc_proc_fds "$1")" -gt "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

nc_rawpeer "probe: a connection from 127.0.0.2" -B 127.0.0.2 connect \
	127.0.0.1 1 close
if grep -q "bind 127.0.0.2" "$NC_ERR"; then
	nc_log "cannot bind 127.0.0.2: the loopback as one host not tried"
	nc_finish
fi
nc_start_server --max-conns-per-host 2 --hello-timeout 60
idle=$(nc_proc_fds "$NC_SERVER_PID")
nc_patience 60
"$NETCOPY_RAWPEER" -t "$NC_PATIENCE_S" -B 127.0.0.2 connect 127.0.0.1 \
	"$NC_PORT" recv "$NC_PATIENCE_MS" >"$nc_tmp/silent.out" \
	2>"$nc_tmp/silent.err" </dev/null &
silent=$!
nc_check "the server holds the silent connection from 127.0.0.2" \
	fds_above "$NC_SERVER_PID" "$idle" 15
nc_client "a run from 127.0.0.3 meanwhile" -p "$NC_PORT" -s 1K -t 1 \
	-d 0.1 --local-address 127.0.0.3
nc_check_rc 1 && nc_check_stderr_matches \
	"server refused: too many connections from loopback: 2 open, and a run of 1 threads adds 1 \\(--max-conns-per-host 2\\)" \
	"the per-host limit, counting 127.0.0.2's connection"
nc_signal "$silent" TERM
wait "$silent" 2>/dev/null
nc_check "the server let the silent connection go" \
	nc_wait_fds "$NC_SERVER_PID" "$idle" 15
nc_client "127.0.0.3 alone then" -p "$NC_PORT" -s 1K -t 1 -d 0.1 \
	--verify --local-address 127.0.0.3
nc_check_rc 0
nc_stop_server

nc_finish
