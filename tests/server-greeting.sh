#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The server reads each connection's first message without a thread of
# its own and without waiting on any one peer.  With 200 connections
# (NETCOPY_TEST_SCALE percent of them) that say nothing, and a few that
# sent half a header or half a data tag, all held by a long
# --hello-timeout: the server has no more threads than idle, and a
# client with --flows 64 -t 2 is served, verified, well within that
# timeout; the halves, completed, are read whole (a tag for no run:
# "bad data connection: no such run", not a drop); once the peers close,
# each is dropped and the server's descriptors are back to idle; a stop
# refuses those still to speak ("the server is stopping").  With
# --hello-timeout 1, as many silent connections are each dropped on
# time ("Connection timed out") while their peers keep them open, and a
# client is served after.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
nc_scale 200 20
silent=$NC_SCALED
halves=4	# of each kind

# A data tag for a run that does not exist (run id of zeros, index 0),
# framed, as printf escapes: the header's 12 bytes, then the body's.
tag_body=$(printf '0001%04x%032x0002%04x%016x' 16 0 8 0)
tag_head=4e435059$(printf '%04x%04x%08x' 1 4 $((${#tag_body} / 2)))
tag=$tag_head$tag_body
esc() {
	local i out=

	for ((i = 0; i < ${#1}; i += 2)); do
		out+="\\x${1:i:2}"
	done
	printf '%s' "$out"
}

# The peers' connections, bash's own descriptors (no process each).
peers=()
# connect N [HEX]: N more connections to the server, each sent HEX.
connect() {
	local i fd

	for ((i = 0; i < $1; i++)); do
		exec {fd}<>"/dev/tcp/127.0.0.1/$NC_PORT" ||
			nc_error "cannot connect to the server"
		peers+=("$fd")
		if [ -n "${2:-}" ]; then
			# shellcheck disable=SC2059 # the escapes are the format
			printf "$(esc "$2")" >&"$fd" ||
				nc_error "cannot send to the server"
		fi
	done
}

# send_rest FROM N HEX: connections FROM to FROM+N-1 of peers sent HEX.
send_rest() {
	local i

	for ((i = $1; i < $1 + $2; i++)); do
		# shellcheck disable=SC2059 # the escapes are the format
		printf "$(esc "$3")" >&"${peers[i]}" ||
			nc_error "cannot send to the server"
	done
}

hang_up() {
	local fd

	for fd in "${peers[@]}"; do
		exec {fd}>&-
	done
	peers=()
}

# shellcheck disable=SC2317 # run through nc_check or another helper
fds_at_least() {
	[ "$(nc_proc_fds "$NC_SERVER_PID")" -ge "$1" ]
}

# log_has TEXT N: N lines at least of the server's log end with TEXT,
# those the log left out counted from its summaries ("... M more in the
# last second (the last: ...TEXT)").
# shellcheck disable=SC2317 # run through nc_check or another helper
log_has() {
	local line n=0 more=': \.\.\. ([0-9]+) more in the last second '

	while IFS= read -r line; do
		if [[ $line == *"$1)" && $line =~ $more ]]; then
			n=$((n + BASH_REMATCH[1]))
		elif [[ $line == *"$1" ]]; then
			n=$((n + 1))
		fi
	done <"$NC_SERVER_ERR"
	[ "$n" -ge "$2" ]
}

# shellcheck disable=SC2317 # run through nc_check or another helper
wait_until() {
	local i

	nc_patience "$1"
	shift
	for ((i = 0; i <= NC_PATIENCE_MS / 100; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

idle() {
	nc_check_real_server
	idle_fds=$(nc_proc_fds "$NC_SERVER_PID")
	idle_threads=$(nc_proc_threads "$NC_SERVER_PID")
	# A sanitizer's runtime may start a thread of its own.
	if nc_sanitized "$NC_SERVER_PID"; then
		idle_threads=$((idle_threads + 1))
	fi
}

# ---- a long hello timeout: the silent ones are held
nc_patience 60
hello=$NC_PATIENCE
nc_start_server --hello-timeout "$hello"
idle
# Bash opens /dev/tcp/HOST/PORT itself where it was built to.
{ exec {probe}<>"/dev/tcp/127.0.0.1/$NC_PORT"; } 2>/dev/null ||
	nc_skip "this bash cannot connect (no /dev/tcp)"
exec {probe}>&-
nc_check "the probe dropped as it closed" \
	wait_until 10 log_has ': dropped: closed before its hello' 1
connect "$silent"
connect "$halves" "${tag_head:0:12}"
connect "$halves" "$tag_head${tag_body:0:20}"
held=$((silent + 2 * halves))
nc_check "the server accepted the $held connections" \
	wait_until 20 fds_at_least $((idle_fds + held))
threads=$(nc_proc_threads "$NC_SERVER_PID")
desc="$threads threads, $idle_threads idle"
nc_check "no thread for a connection still to speak ($desc)" \
	[ "$threads" -le "$idle_threads" ]
start=$SECONDS
nc_client "--flows 64 -t 2 with $held silent connections open" \
	-p "$NC_PORT" -t 2 --flows 64 -d 0.2 --verify -f csv
took=$((SECONDS - start))
nc_check_rc 0 && nc_check_csv_run two-copy 1024 2 &&
	nc_check_flow_columns 64
nc_patience 20
nc_check "served in $took s, within half the hello timeout ($hello s)" \
	[ "$took" -le "$NC_PATIENCE_S" ]
send_rest "$silent" "$halves" "${tag:12}"
send_rest $((silent + halves)) "$halves" "${tag:$((24 + 20))}"
nc_check "the halves were read whole: $((2 * halves)) tags for no run" \
	wait_until 10 log_has ': bad data connection: no such run' \
	$((2 * halves))
nc_check "none dropped before its hello timeout but the probe" \
	[ "$(grep -c ': dropped: ' "$NC_SERVER_ERR")" -eq 1 ]
hang_up
nc_check "the $silent silent ones dropped as their peers closed" \
	wait_until 20 log_has ': dropped: closed before its hello' \
	$((silent + 1))
nc_check "descriptors back to $idle_fds" nc_wait_fds "$NC_SERVER_PID" \
	"$idle_fds" 10
# Stopped with connections still to speak: they are refused, not waited
# for (the hello timeout is far off).
connect "$halves"
nc_check "the server accepted $halves more" \
	wait_until 20 fds_at_least $((idle_fds + halves))
nc_check "the server stops with $halves still to speak" nc_stop_server
nc_check "the server exits 0 (got $NC_WAIT_RC)" [ "$NC_WAIT_RC" = 0 ]
nc_check "those still to speak refused as it stopped" \
	log_has ': refused: the server is stopping' "$halves"
hang_up

# ---- --hello-timeout 1: the silent ones are dropped on time
nc_start_server --hello-timeout 1
idle
connect "$silent"
connect "$halves" "${tag_head:0:12}"
nc_check "each silent connection dropped at the hello timeout" \
	wait_until 20 log_has ': dropped: Connection timed out' \
	$((silent + halves))
nc_check "descriptors back to $idle_fds, the peers still there" \
	nc_wait_fds "$NC_SERVER_PID" "$idle_fds" 10
nc_client "a client after the timeouts" -p "$NC_PORT" -t 2 --flows 8 \
	-d 0.1 --verify
nc_check_rc 0
hang_up
nc_stop_server
nc_finish
