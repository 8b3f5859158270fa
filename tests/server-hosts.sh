#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fairness among hosts: one host (rawpeer from an address of this
# machine off the loopback: every loopback address is one host, the
# client's) attacks each per-host limit of the server while a normal
# client from 127.0.0.1 is served.  For each: the
# server's descriptors, threads and VmRSS before, during and after, the
# attack held to the limit, the other host's run verified, and the
# server back at its idle counts once the attacker has gone.
#   --max-conns-per-host: silent connections, the extra ones refused;
#   --max-runs-per-host: hellos whose data connections never come;
#   --idle-timeout: runs whose peer neither reads nor sends, cut;
#   (binding, a data connection from another address than its control
#   connection refused, is tests/server-binding.sh's: over loopback every
#   address is this host's, one origin);
#   coalesced log lines: a flood of quick connects writes a few lines
#   and a count, not a line each.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
nc_need_rawpeer
other=$(nc_other_host) ||
	nc_skip "no address off the loopback here, for another host"

nc_rawpeer "probe: a connection from $other" -B "$other" connect \
	127.0.0.1 1 close
if grep -q "bind $other" "$NC_ERR"; then
	nc_skip "cannot bind $other: $(head -n 1 "$NC_ERR")"
fi

nc_unwrap "$NETCOPY_CLIENT"
client=$NC_UNWRAPPED

attackers=()
# attack COUNT ACTION...: COUNT rawpeers from the other host, at once,
# each connecting to the server and running ACTION...; outputs in
# $nc_tmp/attack-N.out.
attack() {
	local count=$1 i

	shift
	for ((i = 0; i < count; i++)); do
		timeout -k 5 40 "$NETCOPY_RAWPEER" -t 35 -B "$other" connect \
			127.0.0.1 "$NC_PORT" "$@" \
			>"$nc_tmp/attack-$i.out" 2>"$nc_tmp/attack-$i.err" \
			</dev/null &
		attackers+=($!)
	done
}

# end_attack: the attackers that are still there are stopped.
end_attack() {
	local pid

	for pid in ${attackers[@]+"${attackers[@]}"}; do
		nc_signal "$pid" TERM
	done
	for pid in ${attackers[@]+"${attackers[@]}"}; do
		wait "$pid" 2>/dev/null
	done
	attackers=()
}

# figures LABEL: log the server's descriptors, threads and VmRSS.
FDS='' THREADS='' RSS=''
figures() {
	FDS=$(nc_proc_fds "$NC_SERVER_PID")
	THREADS=$(nc_proc_threads "$NC_SERVER_PID")
	RSS=$(nc_proc_rss_kb "$NC_SERVER_PID")
	nc_log "$1: $FDS descriptors, $THREADS threads, VmRSS $RSS kB"
}

# wait_until SECONDS COMMAND...: poll COMMAND every 0.1 s until it holds
# (SECONDS times NETCOPY_TEST_TIMEOUT_FACTOR).
# shellcheck disable=SC2317 # run through nc_check or another helper
wait_until() {
	local limit i

	nc_patience "$1"
	limit=$NC_PATIENCE_S
	shift
	for ((i = 0; i <= limit * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# log_count REGEX: lines of the server's log that match.
log_count() {
	grep -Ec -- "$1" "$NC_SERVER_ERR"
}

# shellcheck disable=SC2317 # run through nc_check or another helper
log_has() {
	[ "$(log_count "$1")" -ge "$2" ]
}

# shellcheck disable=SC2317 # run through nc_check or another helper
fds_at_most() {
	[ "$(nc_proc_fds "$NC_SERVER_PID")" -le "$1" ]
}

# shellcheck disable=SC2317 # run through nc_check or another helper
threads_at_most() {
	[ "$(nc_proc_threads "$NC_SERVER_PID")" -le "$1" ]
}

# start LIMIT...: a server with these limits; its idle figures.
IDLE_FDS='' IDLE_THREADS=''
start() {
	nc_start_server --hello-timeout 10 "$@"
	nc_check_real_server
	figures "server $*: idle"
	IDLE_FDS=$FDS
	IDLE_THREADS=$THREADS
	if nc_sanitized "$NC_SERVER_PID"; then
		IDLE_THREADS=$((IDLE_THREADS + 1))
	fi
}

# served DESC OPTION...: a normal client from 127.0.0.1 runs, verified.
served() {
	local desc=$1

	shift
	nc_run "$desc" "$client" -p "$NC_PORT" -d 0.5 --verify -f csv "$@"
	nc_check_rc 0 && nc_check_csv_run two-copy 1024 "${threads:-1}"
}

# after: the attack is over; the server lets go of all it held.
after() {
	end_attack
	nc_check "$1: descriptors back to $IDLE_FDS" \
		wait_until 15 fds_at_most "$IDLE_FDS"
	nc_check "$1: threads back to $IDLE_THREADS" \
		wait_until 15 threads_at_most "$IDLE_THREADS"
	figures "$1: after"
	nc_check "$1: the server is still running" nc_server_alive
	nc_stop_server
}

# ---- --max-conns-per-host: 24 silent connections, 8 held
per=8
start --max-conns-per-host "$per"
attack 24 recv 30000
nc_check "conns: 16 refused, each with its reason" \
	wait_until 15 log_has "too many connections from $other: $per open \
\(--max-conns-per-host $per\)|more in the last second .*too many \
connections from $other" 1
nc_check "conns: the server holds $per of the attacker's connections" \
	wait_until 15 fds_at_most $((IDLE_FDS + per))
figures "conns: during the attack"
nc_check "conns: during, at most $per more descriptors ($FDS)" \
	[ "$FDS" -le $((IDLE_FDS + per)) ]
nc_check "conns: during, at most $per more threads ($THREADS)" \
	[ "$THREADS" -le $((IDLE_THREADS + per)) ]
threads=4 served "conns: 127.0.0.1 served during the attack" -t 4 -s 1K
# answered N: N attackers were answered (refused) and closed.
# shellcheck disable=SC2317 # run through nc_check or another helper
answered() {
	local i n=0

	for ((i = 0; i < 24; i++)); do
		grep -Eq '^recv [1-9][0-9]* bytes$' "$nc_tmp/attack-$i.out" &&
			n=$((n + 1))
	done
	[ "$n" -eq "$1" ]
}
nc_check "conns: 16 attackers were answered and closed" \
	wait_until 10 answered 16
# Over its own limit a host is told why, in one line.
nc_run "conns: -t $per, $((per + 1)) connections from one host" "$client" \
	-p "$NC_PORT" -t "$per" -d 0.2
nc_check_rc 1 && nc_check_stderr_matches \
	"server refused: too many connections from loopback: 1 open, and a run of $per threads adds $per \(--max-conns-per-host $per\)" \
	"the per-host limit"
nc_check "conns: one line on stderr" test "$(wc -l <"$NC_ERR")" -eq 1
after conns

# ---- --max-runs-per-host: 6 hellos whose data connections never come
start --max-runs-per-host 2
attack 6 full-hello two-copy 1024 1 5 0 1 0 recv 30000
nc_check "runs: 4 refused" wait_until 15 log_has \
	"too many runs from $other: 2 running \(--max-runs-per-host 2\)" 4
figures "runs: during the attack"
nc_check "runs: during, at most 2 more threads ($THREADS)" \
	[ "$THREADS" -le $((IDLE_THREADS + 2)) ]
threads=2 served "runs: 127.0.0.1 served during the attack" -t 2 -s 1K
threads=2 served "runs: and again" -t 2 -s 1K -R
after runs

# ---- --idle-timeout 1: runs whose peer neither reads nor sends
start --idle-timeout 1
start_s=$SECONDS
attack 3 full-hello two-copy 65536 1 30 0 1 0 attach 0 sleep 30000
for ((i = 0; i < 3; i++)); do
	timeout -k 5 40 "$NETCOPY_RAWPEER" -t 35 -B "$other" connect \
		127.0.0.1 "$NC_PORT" full-hello two-copy 65536 1 30 1 1 0 \
		attach 0 sleep 30000 >/dev/null 2>&1 </dev/null &
	attackers+=($!)
done
nc_check "idle: the attackers' runs started" wait_until 10 log_has \
	"$other port [0-9]+: run: two-copy, 65536-byte" 6
figures "idle: during the attack"
threads=1 served "idle: 127.0.0.1 served during the attack" -t 1 -s 1K
nc_check "idle: 6 runs cut" wait_until 15 log_has \
	"run ended: .*moved no byte for 1 s \(--idle-timeout\)" 6
nc_check "idle: descriptors back to $IDLE_FDS while the attackers sleep" \
	wait_until 10 fds_at_most "$IDLE_FDS"
nc_check "idle: threads back to $IDLE_THREADS" \
	wait_until 10 threads_at_most "$IDLE_THREADS"
figures "idle: cut, the attackers still there"
nc_check "idle: all that within 20 s of a 30 s run ($((SECONDS - start_s)) s)" \
	[ $((SECONDS - start_s)) -lt 20 ]
# A run paced (--rate) to a message every 2 s is not idle: its limit is
# twice a message's time.
nc_run "idle: a run paced to a message every 2 s" "$client" -p "$NC_PORT" \
	-s 1K -t 1 --rate 4K -d 2.5 --verify -f csv
nc_check_rc 0 && nc_check_csv_run two-copy 1024 1
nc_check "idle: the paced run was not cut" \
	[ "$(log_count 'run ended: .*--idle-timeout')" -eq 6 ]
after idle

# ---- coalesced log lines: quick connects, each closed at once
nc_scale 3000 300
flood=$NC_SCALED
start
lines=$(wc -l <"$NC_SERVER_ERR")
for ((i = 0; i < flood; i++)); do
	# bash's /dev/tcp: a connection without a process each.
	if exec 7<>"/dev/tcp/127.0.0.1/$NC_PORT"; then
		exec 7>&-
	fi
done 2>/dev/null
figures "log: after $flood quick connects"
nc_check "log: the count of the lines left out came" \
	wait_until 10 log_has '^[^ ]+: \.\.\. [0-9]+ more in the last second' 1
added=$(($(wc -l <"$NC_SERVER_ERR") - lines))
nc_log "log: $flood quick connects wrote $added lines"
nc_check "log: $flood quick connects wrote fewer than $((flood / 10)) lines ($added)" \
	[ "$added" -lt $((flood / 10)) ]
threads=1 served "log: a client after the flood" -t 1 -s 1K
after log

nc_finish
