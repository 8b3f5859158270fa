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
#   line); protocols that cannot spread flows yet are refused with
#   the reason (rr's: tests/rr.sh); more flows than descriptors allow
#   fail at once with the limit (the io_uring modes: flows-uring.sh);
# - Flows is N, FlowFairness within 1/N..1, FlowGbpsMin <= Median <=
#   Max <= Throughput_Gbps, ConnectTime_ms measured, whichever side
#   receives (the server's come in its trailer);
# - a client killed in the middle of a run of 64 flows (either way), or
#   while it connects 2000: the server lets go of every one;
# - the server's descriptors and threads back to idle after all of it.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init

# Modes that spread flows over threads with epoll (the io_uring modes:
# flows-uring.sh).
spread_modes=(two-copy one-copy sendfile splice)
if nc_mode_built zero-copy; then
	spread_modes+=(zero-copy)
fi

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
			nc_check_flow_columns 64
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
			nc_check_flow_columns "$big" && nc_check_uring_zc_counts
	fi
fi

nc_client "splice --flows $big -t 2 -R, 256 KiB, verified" \
	-p "$NC_PORT" -m splice -t 2 --flows "$big" -s 256K -d 0.5 --verify \
	-f csv -R
nc_check_rc 0 && nc_check_csv_run splice 262144 2 &&
	nc_check_flow_columns "$big"

nc_scale 1000 8
flows=$NC_SCALED
nc_client "two-copy --flows $flows -t 2, 16 KiB, verified" \
	-p "$NC_PORT" -t 2 --flows "$flows" -s 16K -d 0.5 --verify -f csv
nc_check_rc 0 && nc_check_csv_run two-copy 16384 2 &&
	nc_check_flow_columns "$flows"

nc_client_usage_error "--flows 0" "invalid flows '0'" \
	-p "$NC_PORT" --flows 0
nc_client_usage_error "--flows below -t" "invalid flows '2': below -t 4" \
	-p "$NC_PORT" -t 4 --flows 2
nc_client_usage_error "--flows not a number" "invalid flows" \
	-p "$NC_PORT" --flows many

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

nc_check_killed_flows "$server" "$idle_fds" 64 64
nc_check_killed_flows "$server" "$idle_fds" 64 64 -R
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -ge 4200 ]; then
	nc_check_killed_flows "$server" "$idle_fds" 2000 100
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
