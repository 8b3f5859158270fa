#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netcopy-server survives broken clients: after each (garbage, a wrong
# magic or version, an oversize length, half a hello, a hello out of
# range, a receive path out of range, a hello and then nothing, a data
# tag for no run, a flood), it is
# still running, has closed the bad connection, and a valid client still
# gets verified data.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
nc_need_rawpeer
nc_start_server --hello-timeout 1
server=$NC_SERVER_PID
port=$NC_PORT

# valid_run AFTER: the server is alive and serves a verified run.
valid_run() {
	nc_check "server alive after $1" nc_server_alive "$server" || {
		nc_show "server stderr" "$NC_SERVER_ERR"
		nc_finish
	}
	nc_client "valid client after $1" -p "$port" -s 64K -t 2 -d 0.05 \
		--verify -f csv
	nc_check_rc 0 && nc_check_csv_run two-copy 65536 2
}

# bad DESCRIPTION ACTION...: rawpeer sends ACTION... to the server, then
# waits (up to 5 s, times the factor) for the server to close the
# connection.
bad() {
	local desc=$1 before

	shift
	before=$(wc -l <"$NC_SERVER_ERR")
	nc_patience 5
	nc_rawpeer "$desc" connect 127.0.0.1 "$port" \
		"$@" recv "$NC_PATIENCE_MS"
	nc_check_peer_closed
	valid_run "$desc"
	# One log line for the refused connection, on stderr.
	nc_check "$desc: the server logged it on stderr" \
		[ "$(wc -l <"$NC_SERVER_ERR")" -gt "$before" ]
}

# Stalled peers hold their connections while the rest goes on (the
# server must serve others meanwhile): started now, checked at the end.
stall_desc=()
stall_pid=()
# stall DESCRIPTION ACTION...: rawpeer ACTION... in the background.
stall() {
	local n=${#stall_pid[@]} limit

	stall_desc+=("$1")
	shift
	nc_patience 30
	limit=$NC_PATIENCE
	nc_rawpeer_limit connect 127.0.0.1 "$port" "$@"
	timeout "$limit" "$NETCOPY_RAWPEER" "${NC_RAWPEER_ARGS[@]}" \
		>"$nc_tmp/stall$n.out" 2>"$nc_tmp/stall$n.err" </dev/null &
	stall_pid+=($!)
}
# A stalled peer waits 6 s (times the factor) for the server to close it.
nc_patience 6
stall_ms=$NC_PATIENCE_MS
stall "half a hello, stalled" hello-prefix 30 two-copy 1024 1 0.1 0 1 \
	recv "$stall_ms"
stall "half a header, stalled" hex 4e435059 recv "$stall_ms"
stall "nothing said, stalled" recv "$stall_ms"
stall "a hello for 1 s and 4 threads, then a stall" \
	hello two-copy 65536 4 1 0 1 sleep 1500

# A data tag for a run that does not exist: run id of zeros, index 0.
tag=$(printf '0001%04x%032x0002%04x%016x' 16 0 8 0)
tag="4e435059$(printf '%04x%04x%08x' 1 4 $((${#tag} / 2)))$tag"

bad "random bytes" garbage 300
bad "a wrong magic" header 1 70 0x4e435058
bad "a wrong version" header 1 70 0x4e435059 2
bad "version 0" header 1 70 0x4e435059 0
bad "an oversize length" header 1 0xffffffff
bad "a length just over the limit" header 1 4097
bad "an unknown message type" header 99 0
bad "a reply type from a client" header 3 0
bad "an empty hello" header 1 0
bad "a hello with an unknown field" hex 4e43505900010001000000050063000100
bad "a truncated field" hex 4e4350590001000100000003000100
bad "an unknown mode" hello bogus 1024 1 0.1 0 1
bad "a mode name with a control character" \
	hello "$(printf 'two\001copy')" 1024 1 0.1 0 1
bad "size 0" hello two-copy 0 1 0.1 0 1
bad "size 1 TiB" hello two-copy 1099511627776 1 0.1 0 1
bad "threads 0" hello two-copy 1024 0 0.1 0 1
bad "threads 5000" hello two-copy 1024 5000 0.1 0 1
bad "duration 0" hello two-copy 1024 1 0 0 1
bad "duration 1e9 s" hello two-copy 1024 1 1e9 0 1
bad "reverse flag 7" hello two-copy 1024 1 0.1 7 1
bad "a data tag for no run" hex "$tag"
# The receive path (--rx) past the last one, for a run the server would
# receive (reverse) and one it would not.
n=0
for reverse in 1 0; do
	bad "receive path 9, reverse $reverse" \
		rx-hello two-copy 1024 1 0.1 "$reverse" 1 0 9
	n=$((n + 1))
	nc_check "receive path 9, reverse $reverse: the log names --rx" test \
		"$(grep -c 'unknown receive path (--rx)' "$NC_SERVER_ERR")" -eq "$n"
done
# A valid one is served: rawpeer gets the server's acceptance.
nc_rawpeer "receive path 1 (recv)" connect 127.0.0.1 "$port" \
	rx-hello two-copy 1024 1 0.1 1 1 0 1 attach 0 close
nc_check_rc 0 rawpeer && valid_run "receive path 1"

# Broken clients the server need not log: it just must not mind them.
quiet() {
	local desc=$1

	shift
	nc_rawpeer "$desc" connect 127.0.0.1 "$port" "$@"
	nc_check_rc 0 rawpeer
	valid_run "$desc"
}
quiet "connect and close" close
quiet "half a hello, then close" hello-prefix 20 two-copy 1024 1 0.1 0 1
quiet "a hello, then close before the data connections" \
	hello two-copy 1024 4 0.1 0 1 recv 300
quiet "a reverse hello, then close" hello two-copy 1024 2 0.1 1 1 recv 300

# Many bad clients at once, then a flood of garbage.
pids=()
nc_patience 3
close_ms=$NC_PATIENCE_MS
nc_patience 20
limit=$NC_PATIENCE
for i in $(seq 1 20); do
	nc_rawpeer_limit connect 127.0.0.1 "$port" \
		garbage $((i * 100)) recv "$close_ms"
	timeout "$limit" "$NETCOPY_RAWPEER" "${NC_RAWPEER_ARGS[@]}" \
		>/dev/null 2>&1 &
	pids+=($!)
done
for pid in "${pids[@]}"; do
	wait "$pid"
done
valid_run "20 garbage clients at once"
nc_rawpeer "4 MiB of garbage" connect 127.0.0.1 \
	"$port" garbage 4194304
# The server may close before it is all sent: rawpeer then fails to send.
valid_run "4 MiB of garbage"

# The stalled peers: the hello timeout (1 s) closed the silent ones.
for n in "${!stall_pid[@]}"; do
	wait "${stall_pid[n]}"
	NC_RC=$?
	NC_DESC=${stall_desc[n]}
	NC_OUT=$nc_tmp/stall$n.out
	NC_ERR=$nc_tmp/stall$n.err
	case $NC_DESC in
	*"then a stall") nc_check_rc 0 rawpeer ;;
	*) nc_check_peer_closed ;;
	esac
done
valid_run "the stalled peers"

nc_stop_server "$server"
nc_check "server exits 0 on SIGTERM after all that (exit $NC_WAIT_RC)" \
	[ "$NC_WAIT_RC" = 0 ]
nc_finish
