#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The server's deadline: a run ends at its duration plus the server's
# grace (5 s) whatever its reader does.  A slow reader (tests/rawpeer's
# trickle: one byte a second) of a 1 s run of 16 MiB messages, one in
# every mode at once, is cut
# within 1 + 5 s and some slack, its connection reset, the cut logged,
# while a normal client is served meanwhile; the server's descriptors and
# threads return to their idle counts.  Memory: hellos for the whole
# --max-memory re-sent in a loop (a hog that never attaches) refuse no
# normal client and leave VmRSS flat; a run whose data connections never
# all attach is refused after --hello-timeout and its memory freed, so a
# run that needs the whole budget then succeeds; a data connection that
# would pass --max-memory is refused with the reason and its run fails,
# and succeeds once the memory is given back.  The figures
# (descriptors, VmRSS, threads before, during and after) are logged.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
# shellcheck source-path=SCRIPTDIR source=server-lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/server-lib.sh"

nc_init
nc_need_rawpeer

grace=5		# the server's RUN_GRACE_MS
# A loaded machine's lateness: 5 s, times NETCOPY_TEST_TIMEOUT_FACTOR.
nc_patience 5
slack=$NC_PATIENCE_S

# now_ms: the wall clock in milliseconds.
now_ms() {
	local us=${EPOCHREALTIME/[.,]/}

	echo $((us / 1000))
}

# watch_starts: wait (10 s) until each slow reader's run has started
# (run_start[i], when the server logged it) or been refused (refused[i]:
# the reader has ended, refused).  All are watched at once, so that each
# start is seen when it comes, however late a loaded machine starts it.
watch_starts() {
	local i n tries

	run_start=() refused=()
	for ((tries = 0; tries < 200; tries++)); do
		n=0
		for i in "${!modes[@]}"; do
			if [ -n "${run_start[i]:-}${refused[i]:-}" ]; then
				n=$((n + 1))
			elif grep -Eq ": run: ${modes[i]}, 16777216" \
				  "$NC_SERVER_ERR"; then
				run_start[i]=$(now_ms)
			elif ! nc_pid_running "${slow[i]}" && grep -q \
				'refused the run' "$nc_tmp/slow-${modes[i]}.err"
			then
				refused[i]=${modes[i]}
			fi
		done
		[ "$n" -eq ${#modes[@]} ] && return 0
		sleep 0.05
	done
	for i in "${!modes[@]}"; do
		[ -n "${run_start[i]:-}${refused[i]:-}" ] && continue
		nc_fail "the slow reader's ${modes[i]} run neither started" \
			"nor was refused"
		run_start[i]=$(now_ms)
	done
}

# ---- a slow reader of a 1 s run of 16 MiB messages
# Every mode's buffers fit, from this one host; only a user without root
# may see the zero-copy modes refused, where their pinned pages would
# pass RLIMIT_MEMLOCK.
nc_start_server -s 16M --max-memory-per-host 1G --max-pinned 1G
server=$NC_SERVER_PID
nc_check_real_server "$server"
nc_srv_idle "-s 16M"

# One slow reader per mode this build and kernel run, all at once: the
# cut must wake a send blocked in every engine.
mapfile -t modes < <("$NETCOPY_CLIENT" --list-modes | nc_modes_runnable tcp)
[ ${#modes[@]} -ge 1 ] || nc_error "--list-modes lists no runnable mode"
slow=()
for mode in "${modes[@]}"; do
	"$NETCOPY_RAWPEER" -t $((NC_TIMEOUT + 10)) connect 127.0.0.1 \
		"$NC_PORT" full-hello "$mode" 16777216 1 1 0 0 0 attach 0 \
		trickle 1000 control trailer >"$nc_tmp/slow-$mode.out" \
		2>"$nc_tmp/slow-$mode.err" </dev/null &
	slow+=($!)
done
watch_starts
if [ ${#refused[@]} -gt 0 ]; then
	nc_log "refused: ${refused[*]}"
	nc_check "only a user without root has runs refused (uid $EUID)" \
		[ "$EUID" -ne 0 ]
	nc_check "${#refused[@]} refusals name RLIMIT_MEMLOCK" [ "$(grep -c \
		'refused: .*RLIMIT_MEMLOCK' "$NC_SERVER_ERR")" \
		-eq ${#refused[@]} ]
fi
nc_srv_figures "during $((${#modes[@]} - ${#refused[@]})) slow readers"
nc_client "a normal client beside the slow readers" -p "$NC_PORT" -s 64K \
	-t 1 -d 0.5 --verify -f csv
nc_check_rc 0 && nc_check_csv_run two-copy 65536 1
nc_srv_figures "after the normal client"
for i in "${!modes[@]}"; do
	mode=${modes[i]} out=$nc_tmp/slow-${modes[i]}.out
	[ -n "${refused[i]:-}" ] && continue
	if ! nc_wait_pid "${slow[i]}" $((1 + grace + slack + 5)); then
		nc_check "the slow reader's $mode run ended" false
		kill "${slow[i]}" 2>/dev/null
		wait "${slow[i]}" 2>/dev/null
		continue
	fi
	took=$(($(now_ms) - run_start[i]))
	nc_log "the slow reader's $mode run ended $took ms after it" \
		"started: $(tr '\n' ' ' <"$out")"
	# Its duration, the grace, then a second at most before the reader
	# (a byte a second) looks again.
	nc_check "$mode: ended within 1 + $grace + 1 + $slack s" \
		[ "$took" -le $(((1 + grace + 1 + slack) * 1000)) ]
	nc_check "$mode: rawpeer saw the cut (exit $NC_WAIT_RC)" \
		[ "$NC_WAIT_RC" -eq 0 ]
	nc_check "$mode: its data connection was reset" grep -qx reset "$out"
	nc_check "$mode: the trailer came" grep -q '^trailer ' "$out"
done
cuts=$((${#modes[@]} - ${#refused[@]}))
nc_check "the server logged $cuts cuts" [ "$(grep -Ec \
	'run ended: .*cut off .*deadline' "$NC_SERVER_ERR")" -eq "$cuts" ]
nc_srv_back_to_idle

# ---- memory: charged as data connections attach, not at the hello
# --max-memory 64M is 16 connections of 4 MiB messages (two-copy's
# buffer is its message), the most one run may ask for.
nc_start_server --max-memory 64M --max-memory-per-host 64M \
	--hello-timeout 2
server=$NC_SERVER_PID
nc_check_real_server "$server"
nc_srv_idle "--max-memory 64M"
idle_rss=$(nc_proc_rss_kb "$server")

# A hog: hellos for the whole budget, re-sent for 4 s by 4 loops, each
# taking the answer and going (no data connection ever).
hog() {
	local end=$((SECONDS + 4))

	while [ $SECONDS -lt $end ]; do
		"$NETCOPY_RAWPEER" -t 10 connect 127.0.0.1 "$NC_PORT" \
			full-hello two-copy 4194304 16 10 0 0 0 recv 300 \
			>/dev/null 2>&1 </dev/null
	done
}
hogs=()
for ((i = 0; i < 4; i++)); do
	hog &
	hogs+=($!)
done
nc_check "the hog's hellos reach the server" \
	nc_wait_grep ': run: two-copy, 4194304-byte messages, 16 threads' \
	"$NC_SERVER_ERR" 10
nc_srv_figures "during the hello hog"
during_rss=$(nc_proc_rss_kb "$server")
nc_client "a normal client needing 4 MiB beside the hello hog" \
	-p "$NC_PORT" -s 4M -t 1 -d 0.5 --verify -f csv
nc_check_rc 0 && nc_check_csv_run two-copy 4194304 1
for pid in "${hogs[@]}"; do
	wait "$pid"
done
hellos=$(grep -c ': run: two-copy, 4194304-byte messages, 16 threads' \
	"$NC_SERVER_ERR")
nc_log "the hog sent $hellos hellos for the whole --max-memory"
nc_check "the hog sent more than 4 hellos ($hellos)" [ "$hellos" -gt 4 ]
nc_check "descriptors back to $idle_fds after the hog (now $NC_FDS)" \
	nc_wait_fds "$server" "$idle_fds" 10
nc_srv_figures "after the hello hog"
nc_sanitized "$server" ||
	nc_check "VmRSS flat during the hog ($idle_rss kB idle, $during_rss kB)" \
		[ $((during_rss - idle_rss)) -lt 16384 ]

# A run whose data connections never all attach: 1 of 16 comes.  Its
# 4 MiB is charged, and given back once the hello timeout refuses it.
nc_rawpeer "a run with 1 of its 16 data connections" \
	-t 20 connect 127.0.0.1 "$NC_PORT" \
	full-hello two-copy 4194304 16 1 0 0 0 attach 0 control trailer
nc_check_rc 0 rawpeer && nc_check "its trailer came" \
	grep -q '^trailer ' "$NC_OUT"
nc_check "the server refused it for the missing connections" grep -Eq \
	'run ended: .*only 1 of 16 data connections arrived' "$NC_SERVER_ERR"
nc_client "then a run needing the whole --max-memory" -p "$NC_PORT" \
	-s 4M -t 16 -d 0.5 --verify -f csv
nc_check_rc 0 && nc_check_csv_run two-copy 4194304 16

# A run holding 36 MiB (9 connections, not read: the deadline cuts it):
# a run of 9 more then gets 7 connections in and the 8th refused, with
# the reason; once the first has ended, the same run succeeds.
holder=(attach 0)
for ((i = 1; i < 9; i++)); do
	holder+=(attach "$i")
done
"$NETCOPY_RAWPEER" -t $((NC_TIMEOUT + 10)) connect 127.0.0.1 "$NC_PORT" \
	full-hello two-copy 4194304 9 1 0 0 0 "${holder[@]}" recv 500 \
	trickle 1000 \
	>"$nc_tmp/holder.out" 2>"$nc_tmp/holder.err" </dev/null &
holder_pid=$!
# Data on its last connection: all 9 are in, their memory charged.
nc_check "the 36 MiB run started" nc_wait_grep '^recv [1-9][0-9]* bytes$' \
	"$nc_tmp/holder.out" $((10 + slack))
nc_srv_figures "holding 36 of 64 MiB"
nc_client "9 more connections of 4 MiB beside it" -p "$NC_PORT" \
	-s 4M -t 9 -d 0.5 --verify -f csv
nc_check_rc 1 && nc_check_stderr_matches 'max-memory' "the server's reason"
nc_check "the server logged the refused data connection" grep -Eq \
	'refused data connection: .*max-memory' "$NC_SERVER_ERR"
nc_wait_pid "$holder_pid" $((1 + grace + slack + 5)) ||
	kill "$holder_pid" 2>/dev/null
nc_client "the same run once the 36 MiB run has ended" -p "$NC_PORT" \
	-s 4M -t 9 -d 0.5 --verify -f csv
nc_check_rc 0 && nc_check_csv_run two-copy 4194304 9
nc_client "a run needing more than --max-memory" -p "$NC_PORT" \
	-s 4M -t 17 -d 0.5
nc_check_rc 1 && nc_check_stderr_matches 'max-memory' "the server's reason"
nc_srv_back_to_idle

nc_finish
