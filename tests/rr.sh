#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Request-response (-w rr): every mode (zero-copy where built and
# supported), sizes 1, 1K and 64K, 1 and 2 threads, verified both ways,
# against one server; the CSV's round-trip columns (counts, percentiles in
# order, mean), the JSON .latency object in rr and null in a stream, and
# the usage errors (-R with rr, an unknown workload).
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
nc_finish
