#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# --flows N over -t T threads for the io_uring modes (one ring a thread
# for all of its flows, its completions driving them):
# - verified runs of 64 flows over 2 threads, both directions (the
#   server sends, and -R), uring and uring-zc, and at --qd 3 with 64 KiB
#   messages: Flows is N, the bytes all there, no mismatch; uring-zc's
#   notifications summed over the flows, one for every send (each
#   copied on loopback, or NA), with --fixed-buffers too;
# - 1000 flows over 2 threads (scaled down by NETCOPY_TEST_SCALE),
#   either way;
# - a thread's pool of slots, not a flow's: 200 flows on one thread at
#   --qd 256 (51200 sends, past the 32768 a ring holds) served and
#   verified; 32 flows a thread at --qd 128 sharing a pool half their
#   slots (uring-zc: a quarter; the rest wait their turn), either mode,
#   verified, and every flow moved;
# - 200 flows within 300 descriptors (a ring a thread, not a flow);
# - a client killed in the middle of a run of 64 uring flows, either
#   way: the server lets go of every one, and is idle after all of it;
# - the server's budgets charge a thread's pool, not its flows' slots:
#   uring-zc's pinned pool (--max-pinned) and uring's (--max-memory-
#   per-host) refused with the figure, runs that fit served (300 flows'
#   slots would be 150 MiB; the pool is 8 MiB).
# Skips (77) where neither mode runs here.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init

modes=()
mapfile -t runnable < <("$NETCOPY_CLIENT" --list-modes | nc_modes_runnable tcp)
for mode in uring uring-zc; do
	for m in ${runnable[@]+"${runnable[@]}"}; do
		[ "$m" = "$mode" ] && modes+=("$mode")
	done
done
[ ${#modes[@]} -gt 0 ] || nc_skip "neither uring nor uring-zc runs here"
has_zc=false
[ "${modes[-1]}" = uring-zc ] && has_zc=true

# checked_run DESC MODE SIZE FLOWS OPTION...: a verified run of FLOWS
# flows over 2 threads, and its row.
checked_run() {
	local desc=$1 mode=$2 size=$3 flows=$4

	shift 4
	nc_client "$desc" -p "$NC_PORT" -m "$mode" -t 2 --flows "$flows" \
		-s "$size" -d 0.5 --verify -f csv "$@"
	if nc_memlock_refused; then
		nc_log "$NC_DESC: $(head -n 1 "$NC_ERR")"
		return
	fi
	nc_check_rc 0 &&
		nc_check_csv_run "$mode" "$(nc_size_bytes "$size")" 2 &&
		nc_check_flow_columns "$flows" || return
	if [ "$mode" = uring-zc ]; then
		nc_check_uring_zc_counts
	fi
}

nc_start_server --max-conns 4000 --max-conns-per-host 4000 \
	--max-memory 2G --max-memory-per-host 2G --max-pinned 1G
server=$NC_SERVER_PID
nc_check_real_server "$server"
idle_fds=$(nc_proc_fds "$server")

for mode in "${modes[@]}"; do
	for dir in "" -R; do
		checked_run "$mode --flows 64 -t 2 ${dir:-(server sends)}" \
			"$mode" 1K 64 $dir
		checked_run "$mode --flows 32 -t 2 --qd 3 -s 64K ${dir:-}" \
			"$mode" 64K 32 --qd 3 $dir
	done
done
if $has_zc; then
	checked_run "uring-zc --flows 64 -t 2 --fixed-buffers -R" uring-zc \
		4K 64 --fixed-buffers -R
fi

nc_scale 1000 8
flows=$NC_SCALED
checked_run "${modes[0]} --flows $flows -t 2, 16 KiB" "${modes[0]}" 16K \
	"$flows"
checked_run "${modes[-1]} --flows $flows -t 2 -R, 16 KiB" "${modes[-1]}" \
	16K "$flows" -R

# A pool of 8 MiB a thread: 200 flows on one thread at --qd 256 would
# be 51200 sends in flight, past the kernel's 32768 for a ring.
nc_client "200 flows on one thread at --qd 256" -p "$NC_PORT" \
	-m "${modes[-1]}" -t 1 --flows 200 --qd 256 -d 0.3 --verify -f csv
nc_check_rc 0 && nc_check_csv_run "${modes[-1]}" 1024 1 &&
	nc_check_flow_columns 200

# 32 flows a thread of 128 slots of 4 KiB (uring-zc: 256) share 2048:
# the rest wait their turn, and each has it (FlowGbpsMin above 0:
# every flow moved; a turn of every flow is 16 MiB a thread, which a
# sanitized build may take most of a second to send).
secs=0.5
nc_sanitized && secs=2
for mode in "${modes[@]}"; do
	if ! checked_run "$mode, 32 flows a thread waiting for the pool" \
		"$mode" 4K 64 --qd 128 -d "$secs" || nc_memlock_refused; then
		continue
	fi
	nc_check "$NC_DESC: FlowGbpsMin ${NC_CSV[FlowGbpsMin]} above 0" \
		awk -v m="${NC_CSV[FlowGbpsMin]}" 'BEGIN { exit !(m > 0) }'
done

# One ring a thread, not a flow: 200 flows' sockets and 2 rings fit
# 300 descriptors.
nc_run "${modes[0]} --flows 200 under ulimit -n 300" \
	bash -c 'ulimit -n 300 && exec "$@"' ulimit-300 "$NETCOPY_CLIENT" \
	-p "$NC_PORT" -m "${modes[0]}" -t 2 --flows 200 -d 0.3 --verify -f csv
nc_check_rc 0 && nc_check_csv_run "${modes[0]}" 1024 2 &&
	nc_check_flow_columns 200

nc_check_killed_flows "$server" "$idle_fds" 64 64 -m "${modes[0]}"
nc_check_killed_flows "$server" "$idle_fds" 64 64 -m "${modes[-1]}" -R
if nc_wait_fds "$server" "$idle_fds" 10; then
	nc_pass "the server's descriptors back to idle ($idle_fds)"
else
	nc_fail "the server holds $NC_FDS descriptors after the runs," \
		"$idle_fds idle"
fi
nc_stop_server

# A thread's pool: every flow's slots (8, uring-zc 16, at the default
# --qd 8) within 8 MiB, at least one flow's.
nc_start_server --max-pinned 6M --max-memory-per-host 32M \
	--max-conns 4000 --max-conns-per-host 4000
if $has_zc; then
	nc_client "uring-zc, 20 flows a thread: an 8 MiB pool pinned" \
		-p "$NC_PORT" -m uring-zc -t 1 --flows 20 -s 64K -d 0.2
	nc_check_rc 1 && nc_check_stderr_matches \
		'run needs 8 MiB of pinned memory, above this server.s 6 MiB \(--max-pinned\)' \
		"the figure"
	nc_client "uring-zc, 4 flows a thread: 4 MiB pinned, served" \
		-p "$NC_PORT" -m uring-zc -t 1 --flows 4 -s 64K -d 0.2 \
		--verify -f csv
	nc_memlock_refused ||
		{ nc_check_rc 0 && nc_check_csv_run uring-zc 65536 1; }
fi
if [ "${modes[0]}" = uring ]; then
	nc_client "uring, 300 flows a thread: an 8 MiB pool, served" \
		-p "$NC_PORT" -m uring -t 1 --flows 300 -s 64K -d 0.2 \
		--verify -f csv
	nc_check_rc 0 && nc_check_csv_run uring 65536 1 &&
		nc_check_flow_columns 300
	nc_client "uring, 4 MiB at --qd 16: one flow's 64 MiB" \
		-p "$NC_PORT" -m uring -t 1 --flows 100 -s 4M --qd 16 -d 0.2
	nc_check_rc 1 && nc_check_stderr_matches \
		'run needs 6[4-9] MiB of buffers for one host, above this server.s 32 MiB \(--max-memory-per-host\)' \
		"the figure"
fi
nc_stop_server
nc_finish
