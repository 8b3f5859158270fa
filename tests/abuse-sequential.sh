#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# 1,000 short client runs one after another (NETCOPY_TEST_SCALE percent
# of them) against one server, cycling through the modes, directions and
# workloads, every one verified.  Every run exits 0 with Status ok and no
# mismatch; the server's descriptors are back at their idle count after
# each hundred; and the runs after the first hundred (the warm-up) add
# less than 1 MiB of VmRSS (not checked under a sanitizer or valgrind).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
nc_scale 1000 20
runs=$NC_SCALED
warmup=$((runs / 10))

# The client without its libtool wrapper: a wrapper costs a shell and
# several seds per run, a quarter of a second each on a small machine.
nc_unwrap "$NETCOPY_CLIENT"
client=$NC_UNWRAPPED

nc_start_server
server=$NC_SERVER_PID
nc_check_real_server "$server"
sleep 0.2
idle_fds=$(nc_proc_fds "$server")

# Every mode this build and this kernel can run.
mapfile -t modes < <("$client" --list-modes | nc_modes_runnable tcp)
[ ${#modes[@]} -ge 2 ] || nc_error "--list-modes lists ${#modes[@]} runnable modes"
nc_log "modes: ${modes[*]}"
ways=(stream reverse rr)
sizes=(1 100 4K 64K)

failed=0
retries=0
nc_patience 5
kill_after=$NC_PATIENCE
nc_patience 30
limit=$NC_PATIENCE
rss0=
start=$SECONDS
for ((i = 0; i < runs; i++)); do
	mode=${modes[i % ${#modes[@]}]}
	way=${ways[i / ${#modes[@]} % ${#ways[@]}]}
	size=${sizes[i / ${#modes[@]} / ${#ways[@]} % ${#sizes[@]}]}
	# Short, but long enough for a round trip on a loaded machine.
	duration=0.05
	[ "$way" = rr ] && duration=0.1
	args=(-p "$NC_PORT" -m "$mode" -s "$size" -t $((i % 3 + 1))
	      -d "$duration" --verify -f csv)
	case $way in
	reverse) args+=(-R) ;;
	rr) args+=(-w rr) ;;
	esac
	timeout -k "$kill_after" "$limit" "$client" "${args[@]}" \
		>"$nc_tmp/run.out" 2>"$nc_tmp/run.err"
	rc=$?
	# A run of 0.05 s can see no data at all while parallel tests keep
	# a small machine's CPUs busy: that one runs again, for 0.5 s
	# (counted; a second failure fails).
	if [ "$rc" -ne 0 ] && grep -q 'no data arrived' "$nc_tmp/run.err"; then
		retries=$((retries + 1))
		args[9]=0.5	# the value of -d
		timeout -k "$kill_after" "$limit" "$client" "${args[@]}" \
			>"$nc_tmp/run.out" 2>"$nc_tmp/run.err"
		rc=$?
	fi
	if [ "$rc" -ne 0 ] || ! nc_csv_load "$nc_tmp/run.out" ||
	   [ "${NC_CSV[Status]:-}" != ok ] ||
	   [ "${NC_CSV[Mismatches]:-}" != 0 ]; then
		failed=$((failed + 1))
		if [ "$failed" -le 5 ]; then
			nc_fail "run $i ($mode -s $size $way ${args[*]:7:2}):" \
				"exit $rc, Status '${NC_CSV[Status]:-}'," \
				"Mismatches '${NC_CSV[Mismatches]:-}'"
			nc_show stderr "$nc_tmp/run.err"
		fi
	fi
	if [ $(((i + 1) % 100)) -eq 0 ] || [ $((i + 1)) -eq "$runs" ]; then
		nc_check "after run $((i + 1)): the server is still running" \
			nc_server_alive "$server" || nc_finish
		if ! nc_wait_fds "$server" "$idle_fds" 5; then
			nc_fail "after run $((i + 1)): the server holds" \
				"$NC_FDS descriptors, $idle_fds idle"
		else
			nc_checks=$((nc_checks + 1))
		fi
		nc_log "after run $((i + 1)) ($((SECONDS - start)) s):" \
			"VmRSS $(nc_proc_rss_kb "$server") kB, $NC_FDS descriptors"
	fi
	if [ $((i + 1)) -eq "$warmup" ]; then
		rss0=$(nc_proc_rss_kb "$server")
	fi
done
nc_log "$retries runs saw no data in their 0.05 s and ran again"
nc_check "all $runs runs exit 0 with verified data ($failed did not)" \
	[ "$failed" -eq 0 ]

rss1=$(nc_proc_rss_kb "$server")
if nc_sanitized "$server"; then
	nc_log "VmRSS $rss0 -> $rss1 kB not checked: $NC_SANITIZED_WHY"
else
	nc_check "$((runs - warmup)) runs after the first $warmup add less than 1 MiB of VmRSS ($rss0 -> $rss1 kB)" \
		[ $((rss1 - rss0)) -lt 1024 ]
fi
nc_stop_server "$server"
nc_check "the server exits 0 on SIGTERM after $runs runs (exit $NC_WAIT_RC)" \
	[ "$NC_WAIT_RC" = 0 ]
nc_finish
