#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An interrupted netcopy-sweep, once with SIGINT to its process group (as
# Ctrl-C does) and once with SIGTERM to the sweep alone, in the middle of
# the grid: exit 130 / 143, the finished points kept whole in results.csv
# (and summarized in summary.csv and report.md), the interruption logged,
# and no process left.
# shellcheck disable=SC2016 # awk programs in single quotes
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
# shellcheck source-path=SCRIPTDIR source=sweep-lib.sh
. "$top_srcdir/tests/sweep-lib.sh"

sw_init

# interrupt SIGNAL TARGET STATUS: TARGET is "group" or "pid".
interrupt() {
	local sig=$1 target=$2 want=$3 out=$nc_tmp/int-$1 rows rc

	NC_DESC="SIG$sig to the sweep's $target"
	NC_OUT=$nc_tmp/int-$sig.out
	NC_ERR=$nc_tmp/int-$sig.err
	# Two modes x 8 sizes x 1 s: 16 s if nothing stops it.
	sw_start "$NC_OUT" "$NC_ERR" -m two-copy,one-copy \
		-s 64,256,1K,4K,16K,64K,256K,1M -t 1 -d 1 -r 1 --no-plot -o "$out"
	nc_checks=$((nc_checks + 1))
	if ! sw_wait_rows "$out/results.csv" 2 25; then
		nc_fail "$NC_DESC: the sweep did not finish 2 points within 25 s"
		nc_signal "$SW_PID" KILL
		nc_show_run
		return
	fi
	if [ "$target" = group ]; then
		kill -"$sig" -- "-$SW_PID"
	else
		kill -"$sig" "$SW_PID"
	fi
	# Its cleanup gives the client 8 s and each server 5 s to end, so
	# on a loaded machine 40 s is not too long; past that it hangs.
	if ! nc_wait_pid "$SW_PID" 40; then
		nc_fail "$NC_DESC: the sweep did not end within 40 s"
		nc_show "sweep.log" "$out/sweep.log"
		pgrep -a -g "$SW_PID" >&2
		pgrep -a netcopy >&2
		nc_signal "$SW_PID" KILL
		nc_wait_pid "$SW_PID" 5
		nc_show_run
		return
	fi
	rc=$NC_WAIT_RC
	rows=$(sw_data_rows "$out/results.csv")
	if [ "$rc" -ne "$want" ]; then
		nc_fail "$NC_DESC: exit $rc, expected $want"
		nc_show_run
	else
		nc_pass "$NC_DESC: exit $rc after $rows points"
	fi
	nc_checks=$((nc_checks + 1))
	if [ "$rows" -lt 2 ] || [ "$rows" -ge 16 ]; then
		nc_fail "$NC_DESC: $rows rows kept, expected 2 to 15"
	fi
	nc_check "$NC_DESC: every kept row is whole and ok" awk -F, '
		NR == 1 { n = NF; for (i = 1; i <= NF; i++) c[$i] = i; next }
		NF != n || $c["Status"] != "ok" || !($c["Throughput_Gbps"] > 0) { bad = 1 }
		END { exit bad }' "$out/results.csv" || nc_show "results.csv" "$out/results.csv"
	nc_check "$NC_DESC: summary.csv of the kept points" \
		test "$(sw_data_rows "$out/summary.csv")" -ge 1
	nc_check "$NC_DESC: report.md of the kept points" \
		grep -q '^| Kernel | ' "$out/report.md"
	nc_check "$NC_DESC: the interruption is said and logged" \
		grep -q "interrupted by SIG$sig" "$NC_ERR" "$out/sweep.log"
	sw_check_nothing_left "$out"
}

interrupt INT group 130
interrupt TERM pid 143

nc_finish
