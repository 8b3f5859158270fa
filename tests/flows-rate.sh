#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# --flows N above -t T with --rate and with --rx, both directions, every
# run verified:
# - --rate holds each flow to the rate (two-copy's flows under epoll,
#   uring's under one ring a thread), so the run moves N times it: 16
#   flows over 2 threads at 10M move 0.16 Gbit/s, within a band (above
#   it pacing does not hold, below it a loaded machine may fall short:
#   one more try then), paced in user space by each thread, the flows
#   served fairly (FlowFairness, the fastest flow near the rate);
# - near idle flows (64 at 8 kbit/s, one 16 KiB message a flow every
#   16 s) move no more than asked and the sender sleeps: its CPU share
#   stays far below a spinning thread's;
# - --rx recv, recvmsg and zero-copy (where built) under two-copy and
#   one-copy, each flow reading with the path, zero-copy's mapped and
#   copied bytes adding up to TotalBytes over the flows.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
nc_start_server
p=(-p "$NC_PORT")

nc_scale 150 50
secs=$(awk -v c="$NC_SCALED" 'BEGIN { printf "%.2f", c / 100 }')
low=0.10
high=0.21
# Under a sanitizer a sender may not reach the rate at all: only the
# upper bound holds there.
nc_sanitized && low=0

# Epoll's flows, and uring's (one ring a thread) where it runs.
runs=(two-copy:forward two-copy:reverse)
if "$NETCOPY_CLIENT" --list-modes | nc_modes_runnable tcp |
	grep -qx uring; then
	runs+=(uring:forward uring:reverse)
fi
for run in "${runs[@]}"; do
	mode=${run%%:*}
	dir=${run#*:}
	dirflag=()
	[ "$dir" = reverse ] && dirflag=(-R)
	desc="-m $mode --flows 16 -t 2 --rate 10M $dir"
	nc_client_paced "$low" "$mode" 16384 2 "$desc" "${p[@]}" -m "$mode" \
		-t 2 --flows 16 -s 16K -d "$secs" --rate 10M --verify -f csv \
		${dirflag[@]+"${dirflag[@]}"} || continue
	gbps=$NC_GBPS
	nc_check "$desc: Throughput_Gbps $gbps, at most $high" \
		nc_num_cmp "$gbps" "<=" "$high"
	nc_check "$desc: Throughput_Gbps $gbps, at least $low" \
		nc_num_cmp "$gbps" ">=" "$low"
	nc_check "$desc: PacingMethod ${NC_CSV[PacingMethod]}, want user" \
		test "${NC_CSV[PacingMethod]}" = user
	nc_check "$desc: Rate_bps ${NC_CSV[Rate_bps]}" \
		test "${NC_CSV[Rate_bps]}" = 10000000
	nc_check "$desc: FlowGbpsMax ${NC_CSV[FlowGbpsMax]}, at most 0.021" \
		nc_num_cmp "${NC_CSV[FlowGbpsMax]}" "<=" 0.021
	nc_check "$desc: FlowFairness ${NC_CSV[FlowFairness]}, at least 0.8" \
		nc_num_cmp "${NC_CSV[FlowFairness]}" ">=" 0.8
	nc_log "$desc: $gbps Gbit/s"

	# 64 flows at 8 kbit/s: 512 kbit/s in all, a message a thread
	# every half second.  At most twice that (the first message is
	# sent at once), and the sender asleep in between.
	desc="-m $mode --flows 64 -t 2 --rate 8K $dir, near idle"
	nc_client "$desc" "${p[@]}" -m "$mode" -t 2 --flows 64 -s 16K -d 2 \
		--rate 8K --verify -f csv ${dirflag[@]+"${dirflag[@]}"}
	if ! nc_check_rc 0 || ! nc_check_csv_run "$mode" 16384 2; then
		continue
	fi
	gbps=${NC_CSV[Throughput_Gbps]}
	nc_check "$desc: Throughput_Gbps $gbps, above 0, at most 0.001024" \
		awk -v g="$gbps" 'BEGIN { exit !(g > 0 && g <= 0.001024) }'
	nc_check "$desc: SndCpuShare_pct ${NC_CSV[SndCpuShare_pct]}, below 50" \
		nc_num_cmp "${NC_CSV[SndCpuShare_pct]}" "<" 50
done

# A build whose linux/tcp.h lacks TCP_ZEROCOPY_RECEIVE refuses --rx
# zero-copy with or without flows (rx.sh checks how).
rx_paths=(recv recvmsg)
nc_client "--rx zero-copy, probe" "${p[@]}" --rx zero-copy -s 1K -t 1 -d 0.05
if [ "$NC_RC" -eq 4 ] && grep -q 'not built' "$NC_ERR"; then
	nc_log "--rx zero-copy not built: not tried with --flows"
else
	nc_check_rc 0 && rx_paths+=(zero-copy)
fi

for mode in two-copy one-copy; do
	for rx in "${rx_paths[@]}"; do
		for dir in forward reverse; do
			dirflag=()
			[ "$dir" = reverse ] && dirflag=(-R)
			desc="$mode --flows 16 -t 2 --rx $rx $dir"
			nc_client "$desc" "${p[@]}" -m "$mode" -t 2 --flows 16 \
				-s 16K -d 0.3 --rx "$rx" --verify -f csv \
				${dirflag[@]+"${dirflag[@]}"}
			if ! nc_check_rc 0 ||
				! nc_check_csv_run "$mode" 16384 2; then
				continue
			fi
			nc_check "$desc: Rx names $rx" \
				test "${NC_CSV[Rx]:-}" = "$rx"
			nc_check "$desc: Flows ${NC_CSV[Flows]}" \
				test "${NC_CSV[Flows]}" = 16
			[ "$rx" = zero-copy ] || continue
			sum="${NC_CSV[RxZcMapped]} + ${NC_CSV[RxZcCopied]}"
			sum="$sum, TotalBytes ${NC_CSV[TotalBytes]}"
			nc_check "$desc: RxZcMapped + RxZcCopied ($sum)" \
				awk -v m="${NC_CSV[RxZcMapped]}" \
				-v c="${NC_CSV[RxZcCopied]}" \
				-v t="${NC_CSV[TotalBytes]}" \
				'BEGIN { exit !(m ~ /^[0-9]+$/ && c ~ /^[0-9]+$/ &&
						m + c == t && t > 0) }'
		done
	done
done

nc_stop_server
nc_finish
