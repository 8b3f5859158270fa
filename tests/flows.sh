#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# --flows N over -t T threads (each thread drives its share with epoll):
# - verified runs of 64 flows over 2 threads, both directions, for every
#   mode that spreads flows, with the bytes all there and no mismatch;
#   zero-copy's counts summed over the flows (on loopback every send
#   completes, copied), also with messages large enough that the
#   client's thread widens its ring to give each flow its slice;
#   sendfile and splice from blocks stamped per flow in the thread's
#   memfd, and splice at 256 KiB (a flow's pipe holds what its socket
#   did not take);
# - 1000 flows over 2 threads (scaled down by NETCOPY_TEST_SCALE), and a
#   run above the server's --max-conns refused with the limit named;
# - bad input: --flows 0 and below -t are usage errors (exit 2, one
#   line); modes and protocols that cannot spread flows yet are
#   refused with the reason (rr's: tests/rr.sh); more flows than
#   descriptors allow fail at once with the limit;
# - Flows is N, FlowFairness within 1/N..1, FlowGbpsMin <= Median <=
#   Max <= Throughput_Gbps, ConnectTime_ms measured, whichever side
#   receives (the server's come in its trailer);
# - a client killed in the middle of a run of 64 flows (either way), or
#   while it connects 2000: the server lets go of every one;
# - the server's descriptors and threads back to idle after all of it.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init

# Modes that spread flows over threads (the others are refused below).
spread_modes=(two-copy one-copy sendfile splice)
refused_modes=()
if nc_mode_built zero-copy; then
	spread_modes+=(zero-copy)
fi
for mode in uring uring-zc; do
	if nc_mode_built "$mode"; then
		refused_modes+=("$mode")
	fi
done

# check_flow_columns FLOWS: the latest run's per-flow columns.
check_flow_columns() {
	local n=$1

	nc_csv_load "$NC_OUT" || { nc_fail "$NC_DESC: no CSV row"; return; }
	nc_check "$NC_DESC: Flows ${NC_CSV[Flows]}, expected $n" \
		test "${NC_CSV[Flows]}" = "$n"
	nc_check "$NC_DESC: FlowFairness ${NC_CSV[FlowFairness]} in [1/$n, 1]" \
		awk -v f="${NC_CSV[FlowFairness]}" -v n="$n" \
		'BEGIN { exit !(f ~ /^[0-9.]+$/ && f * n >= 0.999 && f <= 1) }'
	nc_check "$NC_DESC: FlowGbpsMin <= Median <= Max <= Throughput_Gbps" \
		awk -v a="${NC_CSV[FlowGbpsMin]}" -v b="${NC_CSV[FlowGbpsMedian]}" \
		-v c="${NC_CSV[FlowGbpsMax]}" -v t="${NC_CSV[Throughput_Gbps]}" \
		'BEGIN { exit !(a ~ /^[0-9.]+$/ && a <= b && b <= c &&
				c <= t * 1.000001) }'
	nc_check "$NC_DESC: ConnectTime_ms ${NC_CSV[ConnectTime_ms]} measured" \
		awk -v m="${NC_CSV[ConnectTime_ms]}" \
		'BEGIN { exit !(m ~ /^[0-9.]+$/ && m > 0) }'
}

nc_start_server --max-conns 4000 --max-conns-per-host 4000
server=$NC_SERVER_PID
idle_fds=$(nc_proc_fds "$server")
idle_threads=$(nc_proc_threads "$server")
# A sanitizer's runtime starts a thread of its own with the server's
# first one (ThreadSanitizer does): one more is idle there.
if nc_sanitized "$server"; then
	idle_threads=$((idle_threads + 1))
fi

for mode in "${spread_modes[@]}"; do
	for dir in "" -R; do
		nc_client "$mode --flows 64 -t 2 ${dir:-forward}, verified" \
			-p "$NC_PORT" -m "$mode" -t 2 --flows 64 -d 0.5 \
			--verify -f csv $dir
		nc_check_rc 0 && nc_check_csv_run "$mode" 1024 2 &&
			check_flow_columns 64
		if [ "$mode" = zero-copy ] && [ "$NC_RC" -eq 0 ]; then
			nc_check_uring_zc_counts
		fi
	done
done
# Large messages: what each flow must finish once told to stop is
# scaled down with the runs (a sanitizer's receiver is slow), so that
# the run ends within the server's deadline.
nc_scale 64 16
big=$NC_SCALED
if nc_mode_built zero-copy; then
	# One thread: more flows than its ring's 8 slots of 1 MiB.
	nc_client "zero-copy --flows $big -t 1 -R, 1 MiB, verified" \
		-p "$NC_PORT" -m zero-copy -t 1 --flows "$big" -s 1M -d 0.5 \
		--verify -f csv -R
	if nc_memlock_refused; then
		nc_log "$NC_DESC: $(head -n 1 "$NC_ERR")"
	else
		nc_check_rc 0 && nc_check_csv_run zero-copy 1048576 1 &&
			check_flow_columns "$big" && nc_check_uring_zc_counts
	fi
fi

nc_client "splice --flows $big -t 2 -R, 256 KiB, verified" \
	-p "$NC_PORT" -m splice -t 2 --flows "$big" -s 256K -d 0.5 --verify \
	-f csv -R
nc_check_rc 0 && nc_check_csv_run splice 262144 2 &&
	check_flow_columns "$big"

nc_scale 1000 8
flows=$NC_SCALED
nc_client "two-copy --flows $flows -t 2, 16 KiB, verified" \
	-p "$NC_PORT" -t 2 --flows "$flows" -s 16K -d 0.5 --verify -f csv
nc_check_rc 0 && nc_check_csv_run two-copy 16384 2 &&
	check_flow_columns "$flows"

nc_client_usage_error "--flows 0" "invalid flows '0'" \
	-p "$NC_PORT" --flows 0
nc_client_usage_error "--flows below -t" "invalid flows '2': below -t 4" \
	-p "$NC_PORT" -t 4 --flows 2
nc_client_usage_error "--flows not a number" "invalid flows" \
	-p "$NC_PORT" --flows many

for mode in ${refused_modes[@]+"${refused_modes[@]}"}; do
	nc_client "$mode --flows 8 -t 2 refused" -p "$NC_PORT" -m "$mode" \
		-t 2 --flows 8 -d 0.2
	nc_check_rc 4 && nc_check_stderr_matches \
		"^netcopy-client: --flows above -t: not yet for $mode\$" \
		"the mode"
done
nc_client "--flows over UDP refused" -p "$NC_PORT" --proto udp -t 2 \
	--flows 8 -d 0.2
nc_check_rc 4 && nc_check_stderr_matches \
	'--flows above -t: not yet over UDP$' "the protocol"

# --flows equal to -t is today's run: not sent, nothing refused.
nc_client "--flows equal to -t" -p "$NC_PORT" -t 2 --flows 2 -d 0.2 \
	--verify -f csv
nc_check_rc 0 && nc_check_csv_run two-copy 1024 2

nc_client "--flows above the server's --max-conns" -p "$NC_PORT" -t 2 \
	--flows 5000 -d 0.2
nc_check_rc 1 && nc_check_stderr_matches \
	'a run of 5000 flows holds 5001 connections, above this server.s 4000 \(--max-conns\)' \
	"the limit"

# More flows than the client's descriptors hold: refused at once.
nc_run "--flows 200 under ulimit -n 64" \
	bash -c 'ulimit -n 64 && exec "$@"' ulimit-64 "$NETCOPY_CLIENT" \
	-p "$NC_PORT" -t 2 --flows 200 -d 0.2
nc_check_rc 1 && nc_check_stderr_matches \
	'^netcopy-client: not enough file descriptors for --flows 200: it needs [0-9]+ \(limit 64\)$' \
	"the limit"

# killed FLOWS ATTACHED OPTION...: a client of FLOWS flows killed once
# ATTACHED of them are attached at the server; its descriptors go back
# to idle.
killed() {
	local flows=$1 attached=$2 desc i ticks pid

	shift 2
	desc="client of $flows flows killed at $attached attached${*:+ $*}"
	"$NETCOPY_CLIENT" -p "$NC_PORT" -t 2 --flows "$flows" -d 60 "$@" \
		>/dev/null 2>&1 &
	pid=$!
	nc_patience 20
	ticks=$((NC_PATIENCE_MS / 50))
	for ((i = 0; i < ticks; i++)); do
		[ "$(nc_proc_fds "$server")" -ge $((idle_fds + attached)) ] &&
			break
		sleep 0.05
	done
	nc_check "$desc: they attached" \
		[ "$(nc_proc_fds "$server")" -ge $((idle_fds + attached)) ]
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if nc_wait_fds "$server" "$idle_fds" 20; then
		nc_pass "$desc: the server let go of them"
	else
		nc_fail "$desc: the server holds $NC_FDS descriptors," \
			"$idle_fds idle"
	fi
}
killed 64 64
killed 64 64 -R
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -ge 4200 ]; then
	killed 2000 100
else
	nc_log "hard limit $hard: a client killed while connecting not tried"
fi

if nc_wait_fds "$server" "$idle_fds" 10; then
	nc_pass "the server's descriptors back to idle ($idle_fds)"
else
	nc_fail "the server holds $NC_FDS descriptors after the runs," \
		"$idle_fds idle"
fi
# Its threads too (a connection's thread ends a moment after it).
nc_patience 10
for ((i = 0; i < NC_PATIENCE_MS / 50; i++)); do
	[ "$(nc_proc_threads "$server")" -le "$idle_threads" ] && break
	sleep 0.05
done
nc_check "the server's threads back to idle ($idle_threads)" \
	[ "$(nc_proc_threads "$server")" -le "$idle_threads" ]
nc_stop_server
nc_finish
