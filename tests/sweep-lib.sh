# shellcheck shell=bash disable=SC2034,SC2016,SC2154
# (SC2154: nc_* and NC_* come from tests/lib.sh, sourced first.)
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tests/sweep-lib.sh - what the tests of netcopy-sweep share, on top of
# tests/lib.sh (sourced first).  The sweep runs from the build tree
# (sweep/netcopy-sweep) with NETCOPY_BINDIR pointing at the build tree's
# programs.

NETCOPY_SWEEP=${NETCOPY_SWEEP:-$top_builddir/sweep/netcopy-sweep}
NETCOPY_BINDIR=$(dirname "$NETCOPY_CLIENT")
export NETCOPY_BINDIR
unset NETCOPY_SWEEP_SSH

# A sweep may take longer than one client run: it draws its plots too,
# and on a loaded machine matplotlib alone took over 80 s (a local
# .ci/run beside stress-ng).
NC_TIMEOUT=600

sw_init() {
	nc_init
	[ -x "$NETCOPY_SWEEP" ] || nc_error "$NETCOPY_SWEEP is not built"
	# The sweeps' scratch folders go in the test's own, removed at the
	# end even when a sweep was killed outright.
	TMPDIR=$nc_tmp
	export TMPDIR
}

# Every sweep of a test runs with this in its environment, which its
# processes inherit: sw_check_nothing_left looks for it.
SW_MARK=NETCOPY_SWEEP_TEST_MARK=$$.$RANDOM

# sw_run DESCRIPTION ARG...: run the sweep bounded by timeout (nc_run).
sw_run() {
	local desc=$1

	shift
	nc_run "$desc" env "$SW_MARK" "$NETCOPY_SWEEP" "$@"
}

# sw_start OUT ERR ARG...: start the sweep in the background as a job of
# its own (job control on, so that it gets SIGINT like a Ctrl-C and is
# the leader of its process group); SW_PID is its pid.  SIGINT and
# SIGTERM are set back to their default: a test run started in the
# background of a script inherits SIGINT ignored, and a shell cannot trap
# a signal ignored when it started.
sw_start() {
	local out=$1 err=$2

	shift 2
	set -m
	env --default-signal=INT,TERM "$SW_MARK" "$NETCOPY_SWEEP" "$@" \
		>"$out" 2>"$err" </dev/null &
	SW_PID=$!
	set +m
}

# sw_wait_rows FILE N SECONDS: wait until FILE has N data rows (SECONDS
# times the factor at most).
sw_wait_rows() {
	local i ticks

	nc_patience "$3"
	ticks=$((NC_PATIENCE_MS / 100))
	for ((i = 0; i < ticks; i++)); do
		[ "$(sw_data_rows "$1")" -ge "$2" ] && return 0
		nc_pid_running "$SW_PID" || return 1
		sleep 0.1
	done
	return 1
}

# sw_modes [PROTO]: the modes the sweep will run here over PROTO (default
# tcp), space-separated, in the sweep's order: those built in that send
# over it (--list-modes' second and fourth fields), as the sweep picks
# them.
sw_modes() {
	local out

	nc_patience 20
	out=$(timeout "$NC_PATIENCE" "$NETCOPY_CLIENT" --list-modes 2>&1)
	nc_modes_listed built "${1:-tcp}" <<<"$out" | tr '\n' ' '
}

# sw_check_one_line_error DESCRIPTION: the latest run failed (non-zero,
# no timeout or signal) with exactly one line on stderr, starting with
# "netcopy-sweep:", and nothing on stdout.
sw_check_one_line_error() {
	local want=${1:-}

	nc_checks=$((nc_checks + 1))
	if [ "$NC_RC" -eq 0 ] || [ "$NC_RC" -ge 124 ]; then
		nc_fail "$NC_DESC: exit $NC_RC, expected a non-zero exit below 124"
		nc_show_run
		return 1
	fi
	if [ -n "$want" ] && [ "$NC_RC" -ne "$want" ]; then
		nc_fail "$NC_DESC: exit $NC_RC, expected $want"
		nc_show_run
		return 1
	fi
	if [ "$(wc -l <"$NC_ERR")" -ne 1 ] || ! grep -q '^netcopy-sweep: ' "$NC_ERR"; then
		nc_fail "$NC_DESC: expected one 'netcopy-sweep: ...' line on stderr"
		nc_show_run
		return 1
	fi
	if [ -s "$NC_OUT" ]; then
		nc_fail "$NC_DESC: something on stdout"
		nc_show_run
		return 1
	fi
	nc_pass "$NC_DESC (exit $NC_RC: $(cat "$NC_ERR"))"
}

# sw_data_rows FILE: the number of lines after the header.
sw_data_rows() {
	local n

	[ -r "$1" ] || { echo 0; return; }
	n=$(wc -l <"$1")
	echo $((n > 0 ? n - 1 : 0))
}

# sw_check_results DIR ROWS TOPOLOGY: DIR/results.csv has a header
# starting Repeat,Topology followed by the client's first columns, ROWS
# rows (every row as wide as the header), the Topology column TOPOLOGY,
# Throughput_Gbps > 0 and Status ok in every row; summary.csv has one row
# per point with the median columns; the per-mode CSVs, combined.csv,
# sweep.log and report.md exist.
sw_check_results() {
	local dir=$1 rows=$2 topo=$3 res=$1/results.csv bad=0 n head mode

	nc_checks=$((nc_checks + 1))
	if [ ! -s "$res" ]; then
		nc_fail "$NC_DESC: no $res"
		nc_show_run
		return 1
	fi
	head=$(head -n 1 "$res")
	case $head in
	"Repeat,Topology,$NC_CSV_HEAD",*) ;;
	*) nc_fail "$NC_DESC: results.csv header '$head'"; bad=1 ;;
	esac
	n=$(sw_data_rows "$res")
	[ "$n" -eq "$rows" ] ||
		{ nc_fail "$NC_DESC: results.csv has $n rows, expected $rows"; bad=1; }
	[ "$(awk -F, '{ print NF }' "$res" | sort -u | wc -l)" -eq 1 ] ||
		{ nc_fail "$NC_DESC: results.csv rows differ in width"; bad=1; }
	if ! awk -F, -v topo="$topo" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["Topology"] != topo || !($c["Throughput_Gbps"] > 0) ||
		$c["Status"] != "ok" || $c["Repeat"] !~ /^[0-9]+$/ {
			print "bad row " NR - 1 ": Topology " $c["Topology"] ", Throughput_Gbps " \
				$c["Throughput_Gbps"] ", Status " $c["Status"] > "/dev/stderr"
			bad = 1
		}
		END { exit bad }' "$res"; then
		nc_fail "$NC_DESC: a results.csv row is wrong (above)"
		bad=1
	fi
	if ! sw_check_summary_header "$dir/summary.csv"; then
		nc_fail "$NC_DESC: summary.csv missing or its header is wrong"
		bad=1
	fi
	while IFS= read -r mode; do
		[ -s "$dir/$mode.csv" ] || { nc_fail "$NC_DESC: no $mode.csv"; bad=1; }
	done < <(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			{ print $c["Implementation"] }' "$res" | sort -u)
	[ "$(sw_data_rows "$dir/combined.csv")" -eq "$rows" ] ||
		{ nc_fail "$NC_DESC: combined.csv does not hold $rows rows"; bad=1; }
	for f in sweep.log report.md; do
		[ -s "$dir/$f" ] || { nc_fail "$NC_DESC: no $f"; bad=1; }
	done
	if [ "$bad" -ne 0 ]; then
		nc_show "results.csv" "$res"
		nc_show_run
		return 1
	fi
	nc_pass "$NC_DESC: $rows rows in results.csv, summary, per-mode CSVs, log, report"
}

# sw_check_summary_header FILE: summary.csv's header starts with the key
# columns (Flows with a client that has --flows) and Repeats, and has the
# median, min, max, stddev and 95 % interval of Throughput_Gbps and
# Latency_us.
sw_check_summary_header() {
	local head col

	head=$(head -n 1 "$1" 2>/dev/null)
	case $head in
	Topology,Workload,Direction,Proto,Implementation,Rx,MessageSize,Threads,Repeats,*) ;;
	Topology,Workload,Direction,Proto,Implementation,Rx,MessageSize,Threads,Flows,Repeats,*) ;;
	*) return 1 ;;
	esac
	for col in Throughput_Gbps Latency_us; do
		for stat in median min max stddev ci95_low ci95_high; do
			[[ ,$head, == *,${col}_$stat,* ]] || return 1
		done
	done
}

# sw_python: Debian's python3, which the sweep runs on.
sw_python=/usr/bin/python3

# sw_check_pngs DIR: with matplotlib (for the sweep's python3), DIR holds
# PNGs, each one starting with the PNG signature and with an SVG beside
# it, a throughput figure among them; without matplotlib, the run said so.
sw_check_pngs() {
	local dir=$1 f n=0 bad=0 magic

	nc_checks=$((nc_checks + 1))
	if ! "$sw_python" -c 'import matplotlib' 2>/dev/null; then
		if grep -qi 'plots: none, .*matplotlib' "$dir/sweep.log"; then
			nc_pass "$NC_DESC: no matplotlib, and the sweep said so"
			return 0
		fi
		nc_fail "$NC_DESC: no matplotlib, and the sweep did not say so"
		return 1
	fi
	for f in "$dir"/*.png; do
		[ -e "$f" ] || continue
		n=$((n + 1))
		magic=$(od -An -tx1 -N8 "$f" | tr -d ' \n')
		if [ "$magic" != 89504e470d0a1a0a ]; then
			nc_fail "$NC_DESC: $(basename "$f") is not a PNG ($magic)"
			bad=1
		fi
		[ -s "${f%.png}.svg" ] ||
			{ nc_fail "$NC_DESC: no SVG beside $(basename "$f")"; bad=1; }
	done
	[ "$n" -gt 0 ] || { nc_fail "$NC_DESC: matplotlib is installed but no PNG"; bad=1; }
	compgen -G "$dir/throughput*.png" >/dev/null ||
		{ nc_fail "$NC_DESC: no throughput*.png"; bad=1; }
	[ "$bad" -eq 0 ] || return 1
	nc_pass "$NC_DESC: $n valid PNGs, each with its SVG"
}

# sw_server_pids DIR: the pids of the servers the sweep logged.
sw_server_pids() {
	sed -n 's/^server started: pid \([0-9]*\),.*/\1/p' "$1/sweep.log"
}

# sw_marked_pids: the processes whose environment holds this test's
# marker (every process a sweep of this test started, wherever it runs).
sw_marked_pids() {
	local f pid

	for f in /proc/[0-9]*/environ; do
		pid=${f#/proc/}
		pid=${pid%/environ}
		[ "$pid" = "$$" ] && continue
		if tr '\0' '\n' 2>/dev/null <"$f" | grep -qx "$SW_MARK"; then
			printf '%s(%s) ' "$pid" "$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")"
		fi
	done
}

# sw_wait_unmarked SECONDS: wait until no process of this test's sweeps
# is left (SECONDS times the factor at most); SW_LEFT is what
# sw_marked_pids gave last.
SW_LEFT=
sw_wait_unmarked() {
	local i ticks

	nc_patience "$1"
	ticks=$((NC_PATIENCE_MS / 100))
	for ((i = 0; i < ticks; i++)); do
		SW_LEFT=$(sw_marked_pids)
		[ -z "$SW_LEFT" ] && return 0
		sleep 0.1
	done
	return 1
}

# sw_check_nothing_left DIR: the sweep logged its servers, and no process
# it started is left (servers, clients, perf, ip netns exec, ...).
sw_check_nothing_left() {
	local dir=$1

	nc_checks=$((nc_checks + 1))
	sw_wait_unmarked 2
	if [ -z "$(sw_server_pids "$dir")" ]; then
		nc_fail "$NC_DESC: sweep.log names no server"
		return 1
	fi
	if [ -n "$SW_LEFT" ]; then
		nc_fail "$NC_DESC: left behind: $SW_LEFT"
		return 1
	fi
	nc_pass "$NC_DESC: no server or other process left"
}
