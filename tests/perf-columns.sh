#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The perf and CPU-time columns, with counting on and with --no-perf, for
# a short two-copy stream and an rr run: --no-perf gives CountersScope off
# and every counter NA, but CPU time still measured; counting on gives
# user+kernel or user, the software counters as numbers, and the hardware
# ones a number or NA (a VM without a PMU has no cycles; a lab machine
# has).  Every cell is NA or a non-negative number, never empty, and the
# header and rows have as many fields.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

# Hardware events: counted where the machine has a PMU, else NA.
hw_cols=(CPUCycles CyclesPerByte CacheMisses CacheRefs SndInstructions
	 RcvCycles RcvCyclesPerByte RcvInstructions RcvCacheMisses
	 RcvCacheRefs)
# Software events: the kernel counts them on any machine.
sw_cols=(ContextSwitches SndTaskClock_ms SndPageFaults RcvContextSwitches
	 RcvTaskClock_ms RcvPageFaults)
# CPU time from getrusage: measured with or without perf.
cpu_cols=(SndCpuTime_us SndCpuUsPerKiB SndCpuShare_pct RcvCpuTime_us
	  RcvCpuUsPerKiB RcvCpuShare_pct)

# check_counters on|off: the counter and CPU-time columns of the latest
# run's CSV (loaded into NC_CSV by nc_check_csv_run).
check_counters() {
	local perf=$1 col v bad=0

	nc_checks=$((nc_checks + 1))
	v=${NC_CSV[CountersScope]:-}
	if [ "$perf" = off ]; then
		[ "$v" = off ] ||
			{ nc_fail "$NC_DESC: CountersScope '$v', expected off"; bad=1; }
		for col in "${hw_cols[@]}" "${sw_cols[@]}"; do
			v=${NC_CSV[$col]:-}
			[ "$v" = NA ] ||
				{ nc_fail "$NC_DESC: $col '$v', expected NA"; bad=1; }
		done
	else
		case $v in
		user+kernel|user) ;;
		*) nc_fail "$NC_DESC: CountersScope '$v', expected" \
			"user+kernel or user"; bad=1 ;;
		esac
		for col in "${hw_cols[@]}"; do
			v=${NC_CSV[$col]:-}
			[ "$v" = NA ] || nc_is_number "$v" ||
				{ nc_fail "$NC_DESC: $col '$v', expected a number or NA"; bad=1; }
		done
		# A counted cycle count is never 0 for a run that moved data
		# (NA says it was not counted), and cycles per byte follow it.
		for col in CPUCycles RcvCycles; do
			v=${NC_CSV[$col]:-}
			[ "$v" != 0 ] ||
				{ nc_fail "$NC_DESC: $col 0, expected NA or > 0"; bad=1; }
		done
		for col in CPUCycles:CyclesPerByte RcvCycles:RcvCyclesPerByte; do
			if { [ "${NC_CSV[${col%:*}]:-}" = NA ] &&
			     [ "${NC_CSV[${col#*:}]:-}" != NA ]; } ||
			   { [ "${NC_CSV[${col%:*}]:-}" != NA ] &&
			     [ "${NC_CSV[${col#*:}]:-}" = NA ]; }; then
				nc_fail "$NC_DESC: ${col%:*} '${NC_CSV[${col%:*}]:-}'" \
					"but ${col#*:} '${NC_CSV[${col#*:}]:-}'"
				bad=1
			fi
		done
		for col in "${sw_cols[@]}"; do
			v=${NC_CSV[$col]:-}
			nc_is_number "$v" ||
				{ nc_fail "$NC_DESC: $col '$v', expected a number"; bad=1; }
		done
		for col in SndTaskClock_ms RcvTaskClock_ms; do
			v=${NC_CSV[$col]:-}
			nc_num_cmp "$v" '>' 0 ||
				{ nc_fail "$NC_DESC: $col '$v', expected > 0"; bad=1; }
		done
	fi
	for col in "${cpu_cols[@]}"; do
		v=${NC_CSV[$col]:-}
		nc_is_number "$v" ||
			{ nc_fail "$NC_DESC: $col '$v', expected a number"; bad=1; }
	done
	for col in SndCpuTime_us RcvCpuTime_us; do
		v=${NC_CSV[$col]:-}
		nc_num_cmp "$v" '>' 0 ||
			{ nc_fail "$NC_DESC: $col '$v', expected > 0"; bad=1; }
	done
	if [ "$bad" -ne 0 ]; then
		nc_show_run
		return 1
	fi
	return 0
}

# check_cells: every cell of the latest run's data row is NA or a
# non-negative number, but for the columns that hold words.
check_cells() {
	local col v bad=0

	nc_checks=$((nc_checks + 1))
	for col in "${!NC_CSV[@]}"; do
		case $col in
		Implementation|Workload|Direction|CountersScope|Status|Host|\
		Kernel|NetcopyVersion) continue ;;
		Rx)
			case ${NC_CSV[$col]} in
			recv|recvmsg|zero-copy|recvmmsg) ;;
			*) nc_fail "$NC_DESC: Rx '${NC_CSV[$col]}', expected a receive call"
			   bad=1 ;;
			esac
			continue ;;
		PacingMethod)
			case ${NC_CSV[$col]} in
			none|kernel|user) ;;
			*) nc_fail "$NC_DESC: PacingMethod '${NC_CSV[$col]}'"
			   bad=1 ;;
			esac
			continue ;;
		Proto)
			case ${NC_CSV[$col]} in
			tcp|udp) ;;
			*) nc_fail "$NC_DESC: Proto '${NC_CSV[$col]}', expected tcp or udp"
			   bad=1 ;;
			esac
			continue ;;
		esac
		v=${NC_CSV[$col]}
		[ "$v" = NA ] || nc_is_number "$v" ||
			{ nc_fail "$NC_DESC: $col '$v', expected NA or a number"; bad=1; }
	done
	if [ "$bad" -ne 0 ]; then
		nc_show_run
		return 1
	fi
	return 0
}

nc_init
nc_start_server
nc_log "server on $NC_ADDR port $NC_PORT"

csv_file=$nc_tmp/appended.csv
for workload in stream rr; do
	for perf in on off; do
		flags=(-w "$workload")
		[ "$perf" = off ] && flags+=(--no-perf)
		desc="$workload, counting $perf"
		nc_client "$desc" -p "$NC_PORT" -m two-copy -s 64K -t 1 \
			-d 0.2 --verify -f csv "${flags[@]}"
		nc_check_rc 0 || continue
		nc_check_csv_shape
		nc_check_csv_run two-copy 65536 1 &&
			check_counters "$perf" &&
			check_cells
		# The same row, appended to one file with -o.
		nc_client "$desc, -o" -p "$NC_PORT" -m two-copy -s 64K -t 1 \
			-d 0.1 -f csv -o "$csv_file" "${flags[@]}"
		nc_check_rc 0
	done
done

# One header and four rows, all as wide as the header.
nc_checks=$((nc_checks + 1))
counts=$(nc_csv_field_counts "$csv_file" 2>/dev/null | sort -u | tr '\n' ' ')
lines=$(wc -l <"$csv_file" 2>/dev/null)
if [ "${lines:-0}" -ne 5 ] || [ "$counts" != "${counts%% *} " ]; then
	nc_fail "-o with counting on and off: $lines lines (expected 5)," \
		"field counts '$counts' (expected one)"
	nc_show "$csv_file" "$csv_file"
else
	nc_pass "-o with counting on and off: 5 lines of ${counts% } fields"
fi

# ---- JSON: the same in the sender and receiver objects
if ! command -v jq >/dev/null; then
	nc_log "jq not found; the JSON is not checked"
else
	nc_client "json, --no-perf" -p "$NC_PORT" -s 64K -t 1 -d 0.1 \
		--no-perf -f json
	nc_check_rc 0 &&
		{ nc_check "json, --no-perf: counters off and null, cpu_us measured" \
			jq -e '.params.perf == false
				and .result.counters_scope == "off"
				and ([.sender, .receiver] | all(
					.counters_scope == "off"
					and (.counters | to_entries
					     | all(.value == null))
					and (.cpu_us | type) == "number"
					and .cpu_us > 0))' \
			"$NC_OUT" >/dev/null || nc_show_run; }
	nc_client "json, counting on" -p "$NC_PORT" -w rr -s 1K -t 1 -d 0.1 \
		-f json
	nc_check_rc 0 &&
		{ nc_check "json, counting on: software counters numbers" \
			jq -e '.params.perf == true
				and ([.sender, .receiver] | all(
					(.counters_scope == "user+kernel"
					 or .counters_scope == "user")
					and (.counters.context_switches | type) == "number"
					and (.counters.task_clock_ns | type) == "number"
					and .counters.task_clock_ns > 0
					and (.counters.cycles == null
					     or .counters.cycles > 0)))' \
			"$NC_OUT" >/dev/null || nc_show_run; }
fi

nc_check "server still running after the runs" nc_server_alive
nc_stop_server
nc_checks=$((nc_checks + 1))
[ "$NC_WAIT_RC" = 0 ] ||
	nc_fail "server exit $NC_WAIT_RC after SIGTERM, expected 0"
nc_finish
