#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Request-response (-w rr): every mode (zero-copy where built and
# supported), sizes 1, 1K and 64K, 1 and 2 threads, verified both ways,
# against one server; the CSV's round-trip columns (counts, percentiles in
# order, mean), the JSON .latency object in rr and null in a stream, and
# the usage errors (-R with rr, an unknown workload).
# Over UDP (--proto udp): each UDP mode, verified, sizes 24 and 1K, its
# round trips counted as TCP's and its losses possible (Lost +
# RoundTrips <= the requests sent); against a server that answers every
# 10th request late (NETCOPY_RR_FAULT=10) the losses, late answers
# (Reordered) and repeated ones (Duplicated) are counted, none taken as a
# round trip; against one that never answers (NETCOPY_RR_FAULT=silent)
# every request is lost, the percentiles are NA and the run ends on time;
# --rr-timeout out of range is a usage error, and elsewhere ignored with
# a warning (and left out of the hello: an old server serves TCP rr
# with it).
# --flows above -t (each thread's flows under epoll, one request in
# flight each): every mode that spreads flows, verified, 64 flows over 2
# threads (scaled by NETCOPY_TEST_SCALE), Flows N and every flow's
# requests there (FlowGbpsMin > 0), the round-trip columns as above;
# also at 64 KiB and after a warm-up; zero-copy's with a completion for
# every send, each copied (loopback), a send at least a round trip;
# against a server that never answers the flows of odd index
# (NETCOPY_RR_FAULT=odd), the run ends at the server's deadline with
# one line that says so, zero-copy's too.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

# check_rr_csv: the rr-specific columns of the latest run's CSV (already
# loaded into NC_CSV by nc_check_csv_run).
check_rr_csv() {
	local v bad=0 col prev=RttMin_us

	nc_checks=$((nc_checks + 1))
	[ "${NC_CSV[Workload]:-}" = rr ] ||
		{ nc_fail "$NC_DESC: Workload '${NC_CSV[Workload]:-}', expected rr"; bad=1; }
	v=${NC_CSV[RoundTrips]:-}
	if ! nc_is_uint "$v" || [ "$v" -le 0 ]; then
		nc_fail "$NC_DESC: RoundTrips '$v', expected > 0"
		bad=1
	fi
	v=${NC_CSV[RoundTripsPerSec]:-}
	nc_num_cmp "$v" '>' 0 ||
		{ nc_fail "$NC_DESC: RoundTripsPerSec '$v', expected > 0"; bad=1; }
	v=${NC_CSV[Latency_us]:-}
	nc_num_cmp "$v" '>' 0 ||
		{ nc_fail "$NC_DESC: Latency_us '$v', expected > 0"; bad=1; }
	v=${NC_CSV[RttMin_us]:-}
	nc_num_cmp "$v" '>' 0 ||
		{ nc_fail "$NC_DESC: RttMin_us '$v', expected > 0"; bad=1; }
	for col in RttP50_us RttP90_us RttP99_us RttP999_us RttMax_us; do
		nc_num_cmp "${NC_CSV[$prev]:-}" '<=' "${NC_CSV[$col]:-}" || {
			nc_fail "$NC_DESC: $prev '${NC_CSV[$prev]:-}' is not <=" \
				"$col '${NC_CSV[$col]:-}'"
			bad=1
		}
		prev=$col
	done
	# The mean round trip lies between the shortest and the longest (all
	# three exact, rounded alike to 3 decimals).
	if ! nc_num_cmp "${NC_CSV[RttMin_us]:-}" '<=' "${NC_CSV[Latency_us]:-}" ||
	   ! nc_num_cmp "${NC_CSV[Latency_us]:-}" '<=' "${NC_CSV[RttMax_us]:-}"; then
		nc_fail "$NC_DESC: Latency_us '${NC_CSV[Latency_us]:-}' is not" \
			"within [RttMin_us, RttMax_us]"
		bad=1
	fi
	if [ "$bad" -ne 0 ]; then
		nc_show_run
		return 1
	fi
	return 0
}

# check_udp_rr_csv: the UDP columns of the rr run loaded: Lost a count,
# Lost + RoundTrips no more than the requests sent (SndBytes / size),
# LossFraction Lost / (Lost + RoundTrips).
check_udp_rr_csv() {
	local lost=${NC_CSV[Lost]:-} trips=${NC_CSV[RoundTrips]:-}
	local sent=${NC_CSV[SndBytes]:-} size=${NC_CSV[MessageSize]:-}

	nc_checks=$((nc_checks + 1))
	if [ "${NC_CSV[Proto]:-}" != udp ] || ! nc_is_uint "$lost" ||
	   ! nc_is_uint "$trips" || ! nc_is_uint "$sent"; then
		nc_fail "$NC_DESC: Proto '${NC_CSV[Proto]:-}', Lost '$lost'," \
			"RoundTrips '$trips', SndBytes '$sent'"
		nc_show_run
		return 1
	fi
	if [ $((lost + trips)) -gt $((sent / size)) ]; then
		nc_fail "$NC_DESC: Lost $lost + RoundTrips $trips exceed the" \
			"$((sent / size)) requests sent"
		nc_show_run
		return 1
	fi
	if [ $((lost + trips)) -gt 0 ] &&
	   ! nc_num_cmp "${NC_CSV[LossFraction]:-}" == \
		"$(awk -v l="$lost" -v t="$trips" \
			'BEGIN { printf "%.6f", l / (l + t) }')"; then
		nc_fail "$NC_DESC: LossFraction '${NC_CSV[LossFraction]:-}' is" \
			"not Lost / (Lost + RoundTrips)"
		nc_show_run
		return 1
	fi
	nc_pass "$NC_DESC: $trips round trips, $lost lost"
}

# udp_rr_faults DESCRIPTION: the counts of a run against a server that
# answers every 10th request late: each such request is lost (it timed
# out), so at least a tenth of them, and each late answer and repeated
# one is counted, at least once, and never more than the lost.
udp_rr_faults() {
	local lost=${NC_CSV[Lost]:-} late=${NC_CSV[Reordered]:-}
	local dup=${NC_CSV[Duplicated]:-} trips=${NC_CSV[RoundTrips]:-}

	nc_checks=$((nc_checks + 1))
	if ! nc_is_uint "$lost$late$dup$trips" ||
	   [ "$lost" -lt $(((lost + trips) / 10)) ] ||
	   [ "$late" -lt 1 ] || [ "$late" -gt "$lost" ] ||
	   [ "$dup" -lt 1 ] || [ "$dup" -gt "$lost" ]; then
		nc_fail "$1: Lost '$lost', Reordered '$late', Duplicated" \
			"'$dup' of $trips round trips: expected Lost >= a" \
			"tenth of the requests, 1 <= Reordered, Duplicated <=" \
			"Lost"
		nc_show_run
		return 1
	fi
	nc_pass "$1: $lost lost, $late late, $dup again"
	# The waits of the lost are no round trips: the median answer came
	# well within the 20 ms timeout.
	nc_check "$1: RttP50_us '${NC_CSV[RttP50_us]:-}' under 20000" \
		nc_num_cmp "${NC_CSV[RttP50_us]:-}" '<' 20000
}

nc_init
nc_start_server
nc_log "server on $NC_ADDR port $NC_PORT"

modes=(two-copy one-copy)
if ! nc_zero_copy_built; then
	nc_log "zero-copy is not built; its rr runs are skipped"
else
	nc_client "probe zero-copy rr" -p "$NC_PORT" -m zero-copy -w rr \
		-s 1K -t 1 -d 0.05 -f csv
	if [ "$NC_RC" -eq 4 ]; then
		nc_log "zero-copy is not supported here; its rr runs are skipped"
		nc_show_run
	else
		modes+=(zero-copy)
	fi
fi

for mode in "${modes[@]}"; do
	for size in 1 1K 64K; do
		for threads in 1 2; do
			nc_client "rr $mode -s $size -t $threads" -p "$NC_PORT" \
				-m "$mode" -w rr -s "$size" -t "$threads" \
				-d 0.2 --verify -f csv
			nc_check_rc 0 &&
				nc_check_csv_run "$mode" \
					"$(nc_size_bytes "$size")" "$threads" &&
				check_rr_csv
		done
	done
done

# ---- --flows above -t
# check_rr_flows FLOWS: the latest run's Flows is FLOWS and every flow
# moved (the server's per-flow figures: each flow's requests).
check_rr_flows() {
	nc_check "$NC_DESC: Flows '${NC_CSV[Flows]:-}', expected $1" \
		test "${NC_CSV[Flows]:-}" = "$1"
	nc_check "$NC_DESC: FlowGbpsMin '${NC_CSV[FlowGbpsMin]:-}' > 0" \
		nc_num_cmp "${NC_CSV[FlowGbpsMin]:-}" '>' 0
}

# check_rr_zc: the latest zero-copy run's counts: every send completed
# and copied (nc_check_uring_zc_counts), and a send at least a request.
check_rr_zc() {
	nc_check_uring_zc_counts && nc_check \
		"$NC_DESC: ZcSends '${NC_CSV[ZcSends]:-}' >= RoundTrips '${NC_CSV[RoundTrips]:-}'" \
		test "${NC_CSV[ZcSends]:-0}" -ge "${NC_CSV[RoundTrips]:-1}"
}

nc_scale 64 8
flows=$NC_SCALED
flow_modes=(two-copy one-copy sendfile splice)
[[ " ${modes[*]} " == *" zero-copy "* ]] && flow_modes+=(zero-copy)
for mode in "${flow_modes[@]}"; do
	nc_client "rr $mode -t 2 --flows $flows" -p "$NC_PORT" -m "$mode" \
		-w rr -t 2 --flows "$flows" -d 0.3 --verify -f csv
	nc_check_rc 0 && nc_check_csv_run "$mode" 1024 2 && check_rr_csv &&
		check_rr_flows "$flows" &&
		{ [ "$mode" != zero-copy ] || check_rr_zc; }
done
nc_scale 16 4
nc_client "rr -s 64K -t 2 --flows $NC_SCALED, warm-up" -p "$NC_PORT" \
	-w rr -s 64K -t 2 --flows "$NC_SCALED" --warmup 0.1 -d 0.3 --verify \
	-f csv
nc_check_rc 0 && nc_check_csv_run two-copy 65536 2 && check_rr_csv &&
	check_rr_flows "$NC_SCALED"
if [[ " ${flow_modes[*]} " == *" zero-copy "* ]]; then
	nc_client "zero-copy rr -s 64K -t 2 --flows $NC_SCALED" \
		-p "$NC_PORT" -m zero-copy -w rr -s 64K -t 2 \
		--flows "$NC_SCALED" -d 0.3 --verify -f csv
	nc_check_rc 0 && nc_check_csv_run zero-copy 65536 2 &&
		check_rr_csv && check_rr_flows "$NC_SCALED" && check_rr_zc
fi

# ---- over UDP
mapfile -t udp_modes < <("$NETCOPY_CLIENT" --list-modes | nc_modes_runnable udp)
for mode in "${udp_modes[@]}"; do
	for size in 24 1K; do
		nc_client "udp rr $mode -s $size" -p "$NC_PORT" --proto udp \
			-m "$mode" -w rr -s "$size" -t 2 -d 0.2 --verify -f csv
		nc_check_rc 0 &&
			nc_check_csv_run "$mode" "$(nc_size_bytes "$size")" 2 &&
			check_rr_csv && check_udp_rr_csv
	done
done
nc_client "udp rr --rx recvmmsg" -p "$NC_PORT" --proto udp -w rr \
	--rx recvmmsg -s 1K -t 1 -d 0.2 --verify -f csv
nc_check_rc 0 && nc_check_csv_run two-copy 1024 1 && check_rr_csv &&
	check_udp_rr_csv

for bad in 0 -1 0.0005 11 1e9 abc ''; do
	nc_client_usage_error "--rr-timeout '$bad'" "rr-timeout" \
		-p "$NC_PORT" --proto udp -w rr --rr-timeout "$bad" -d 0.1
done
nc_client "tcp rr --rr-timeout" -p "$NC_PORT" -w rr --rr-timeout 0.05 \
	-s 1K -t 1 -d 0.1 --verify -f csv
nc_check_rc 0 && nc_check_csv_run two-copy 1024 1 && check_rr_csv &&
	nc_check_stderr_matches 'rr-timeout .*ignored' "the warning"
nc_client "udp stream --rr-timeout" -p "$NC_PORT" --proto udp \
	--rr-timeout 0.05 -s 1K -t 1 -d 0.1 -f csv
nc_check_rc 0 && nc_check_stderr_matches 'rr-timeout .*ignored' "the warning"
# A server from before --rr-timeout (rawpeer old-server, which refuses
# newer fields) serves TCP rr with it: the client leaves it out of the
# hello.  Connections: the hello refused for TCP_INFO, the second, and
# the data connection.
nc_start_rawpeer -t 20 old-server "$NC_PORT" 3
nc_client "old server, tcp rr --rr-timeout" -p "$NC_RAW_PORT" -w rr \
	--rr-timeout 0.05 -s 1K -t 1 -d 0.1 --verify -f csv
nc_check_rc 0 && nc_check_csv_run two-copy 1024 1 && check_rr_csv
nc_wait_rawpeer
nc_check "old server: rawpeer exit $NC_WAIT_RC" test "$NC_WAIT_RC" -eq 0

# ---- JSON: .latency in rr, null in a stream
if ! command -v jq >/dev/null; then
	nc_log "jq not found; the JSON is not checked"
else
	nc_client "rr json" -p "$NC_PORT" -w rr -s 1K -t 2 -d 0.2 --verify -f json
	nc_check_rc 0 &&
		{ nc_check "rr json: workload rr, round trips, percentiles in order" \
			jq -e '.params.workload == "rr"
				and .result.status == "ok"
				and .result.mismatches == 0
				and (.latency | type) == "object"
				and .latency.round_trips > 0
				and .latency.round_trips_per_s > 0
				and .latency.min_us <= .latency.p50_us
				and .latency.p50_us <= .latency.p90_us
				and .latency.p90_us <= .latency.p99_us
				and .latency.p99_us <= .latency.p99_9_us
				and .latency.p99_9_us <= .latency.max_us
				and .latency.min_us <= .latency.mean_us
				and .latency.mean_us <= .latency.max_us' \
			"$NC_OUT" >/dev/null || nc_show_run; }

	nc_client "stream json" -p "$NC_PORT" -s 1K -t 1 -d 0.1 -f json
	nc_check_rc 0 &&
		{ nc_check "stream json: .params.workload stream, .latency null" \
			jq -e '.params.workload == "stream" and .latency == null' \
			"$NC_OUT" >/dev/null || nc_show_run; }
fi

nc_client "stream csv" -p "$NC_PORT" -s 1K -t 1 -d 0.1 --verify -f csv
if nc_check_rc 0 && nc_check_csv_run two-copy 1024 1; then
	nc_checks=$((nc_checks + 1))
	bad=
	[ "${NC_CSV[Workload]:-}" = stream ] || bad+=" Workload '${NC_CSV[Workload]:-}'"
	for col in RoundTrips RoundTripsPerSec RttMin_us RttP50_us RttP90_us \
		   RttP99_us RttP999_us RttMax_us; do
		[ "${NC_CSV[$col]:-}" = NA ] || bad+=" $col '${NC_CSV[$col]:-}'"
	done
	if [ -n "$bad" ]; then
		nc_fail "stream csv: expected Workload stream and NA round-trip" \
			"columns, got$bad"
		nc_show_run
	fi
fi

# ---- usage errors
nc_client "-R -w rr" -p "$NC_PORT" -R -w rr -s 1K -t 1 -d 0.1
nc_check_rc 2
nc_client "-w rr -R" -p "$NC_PORT" -w rr -R -s 1K -t 1 -d 0.1
nc_check_rc 2
nc_client "-w bogus" -p "$NC_PORT" -w bogus -s 1K -t 1 -d 0.1
nc_check_rc 2 && nc_check_stderr_matches 'workload' "the bad workload"
nc_client "-w ''" -p "$NC_PORT" -w '' -s 1K -t 1 -d 0.1
nc_check_rc 2

nc_check "server still running after the runs" nc_server_alive
nc_stop_server
nc_checks=$((nc_checks + 1))
[ "$NC_WAIT_RC" = 0 ] ||
	nc_fail "server exit $NC_WAIT_RC after SIGTERM, expected 0"

# ---- UDP rr against servers that answer late, or never
nc_start_server_env NETCOPY_RR_FAULT=10 --
nc_client "udp rr, every 10th answered late" -p "$NC_PORT" --proto udp \
	-w rr --rr-timeout 0.02 -s 1K -t 1 -d 0.3 --verify -f csv
nc_check_rc 0 && nc_check_csv_run two-copy 1024 1 && check_rr_csv &&
	check_udp_rr_csv && udp_rr_faults "$NC_DESC"
nc_stop_server

# ---- TCP rr over --flows against a server that answers only some
# children_cpu_ms: the CPU time, user and system, of this shell's
# children waited for so far (times' second line), in ms.
children_cpu_ms() {
	times >"$nc_tmp/times"
	awk 'NR == 2 { ms = 0
		for (i = 1; i <= 2; i++) {
			split($i, t, "m"); ms += (t[1] * 60 + t[2]) * 1000
		}
		printf "%d\n", ms }' "$nc_tmp/times"
}

nc_start_server_env NETCOPY_RR_FAULT=odd --
odd_modes=(two-copy)
[[ " ${flow_modes[*]} " == *" zero-copy "* ]] && odd_modes+=(zero-copy)
for mode in "${odd_modes[@]}"; do
	begin=$(date +%s%N)
	cpu_ms=$(children_cpu_ms)
	nc_client "rr $mode --flows 8, odd flows never answered" \
		-p "$NC_PORT" -m "$mode" -w rr -t 2 --flows 8 -d 0.3 --verify \
		-f csv
	took_ms=$((($(date +%s%N) - begin) / 1000000))
	cpu_ms=$(($(children_cpu_ms) - cpu_ms))
	nc_check_rc 1 && nc_check_stderr_matches \
		"^netcopy-client: data connection [0-9]+: .*; the server: cut off .* \\(the server's deadline\\)\$" \
		"the server's cut"
	# The server's deadline is 5 s after the duration; the client's
	# own bound on a silent flow is 30 s.
	nc_check "$mode, odd flows never answered: ended in $took_ms ms, under 20 s" \
		test "$took_ms" -lt 20000
	# Waiting for the answers that never come, the client sleeps: a
	# flow that woke its thread at every wait (zero-copy's completions
	# left in its error queue) would spin through it.
	nc_check "$mode, odd flows never answered: $cpu_ms ms of CPU in $took_ms ms, under half" \
		test $((cpu_ms * 2)) -lt "$took_ms"
done
nc_stop_server

nc_start_server_env NETCOPY_RR_FAULT=silent --
begin=$(date +%s%N)
nc_client "udp rr, never answered" -p "$NC_PORT" --proto udp -w rr \
	--rr-timeout 0.05 -s 1K -t 2 -d 0.3 --verify -f csv
took_ms=$((($(date +%s%N) - begin) / 1000000))
if nc_check_rc 0 && nc_check_csv_run two-copy 1024 2 &&
   check_udp_rr_csv; then
	nc_checks=$((nc_checks + 1))
	bad=
	[ "${NC_CSV[RoundTrips]:-}" = 0 ] ||
		bad+=" RoundTrips '${NC_CSV[RoundTrips]:-}'"
	[ "${NC_CSV[LossFraction]:-}" = 1.000000 ] ||
		bad+=" LossFraction '${NC_CSV[LossFraction]:-}'"
	[ "${NC_CSV[Lost]:-0}" -ge 2 ] || bad+=" Lost '${NC_CSV[Lost]:-}'"
	for col in RttMin_us RttP50_us RttMax_us Jitter_us; do
		[ "${NC_CSV[$col]:-}" = NA ] || bad+=" $col '${NC_CSV[$col]:-}'"
	done
	if [ -n "$bad" ]; then
		nc_fail "never answered: expected RoundTrips 0, LossFraction 1," \
			"Lost >= 2 and NA round trips, got$bad"
		nc_show_run
	else
		nc_pass "never answered: ${NC_CSV[Lost]} lost, in $took_ms ms"
	fi
fi
# On time: well short of the 30 s a stalled data connection may take.
nc_check "never answered: ended in $took_ms ms, under 10 s" \
	test "$took_ms" -lt 10000
nc_stop_server
nc_finish
