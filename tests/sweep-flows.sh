#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netcopy-sweep --flows on loopback: a tiny sweep (--flows 2,16 -t 2,
# 16K, 0.2 s, one repeat, --verify) of two-copy, which drives several
# flows a thread, and sendfile: a row per mode and flow count, except
# where the client refuses --flows above -t (one note per mode, no row
# and no further run of it); --flows on the client commands; Flows in
# summary.csv's key and the per-flow figures as numbers; the report's
# flows line; the figures against flows per thread.  Then a flow count
# below -t is skipped with one note, and bad --flows is refused.
# shellcheck disable=SC2016 # awk programs in single quotes
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
# shellcheck source-path=SCRIPTDIR source=sweep-lib.sh
. "$top_srcdir/tests/sweep-lib.sh"

sw_init

# rows_of FILE MODE FLOWS: the data rows of FILE of MODE at FLOWS flows.
rows_of() {
	awk -F, -v m="$2" -v f="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["Implementation"] == m && $c["Flows"] == f { n++ }
		END { print n + 0 }' "$1"
}

out=$nc_tmp/flows
sw_run "--flows 2,16 sweep" -m two-copy,sendfile --flows 2,16 -t 2 -s 16K \
	-d 0.2 -r 1 -o "$out" -- --verify
if nc_check_rc 0 netcopy-sweep; then
	refused=$(grep -c '^netcopy-sweep: sendfile stream: points with --flows above -t skipped: --flows above -t: not yet' \
		"$out/sweep.log")
	nc_log "sendfile refused --flows above -t: $refused"
	sw_check_results "$out" $((4 - refused)) loopback
	nc_check "two-copy: a row at 2 and at 16 flows" test \
		"$(rows_of "$out/results.csv" two-copy 2) $(rows_of "$out/results.csv" two-copy 16)" = "1 1"
	nc_check "sendfile: a row at 2 flows, none at 16 where refused" test \
		"$(rows_of "$out/results.csv" sendfile 2) $(rows_of "$out/results.csv" sendfile 16)" \
		= "1 $((1 - refused))"
	nc_check "--flows reaches the client commands" test \
		"$(grep -c '^client command: .* -m two-copy -s 16384 -t 2 -d 0.2 -w stream -f csv --flows 16 --verify$' \
			"$out/sweep.log")" -eq 1
	nc_check "a refused mode runs once at 16 flows, then is skipped" test \
		"$(grep -c '^client command: .* -m sendfile .*--flows 16' "$out/sweep.log")" -le 1
	nc_check "summary.csv: Flows in the key, per-flow figures as numbers" awk -F, '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i
			  if (!("Flows" in c) || c["Flows"] != c["Threads"] + 1) { print "no Flows key"; bad = 1 }
			  n = split("FlowFairness FlowGbpsMin FlowGbpsMedian FlowGbpsMax ConnectTime_ms", f, " ")
			  for (j = 1; j <= n; j++)
				if (!((f[j] "_median") in c)) { print "no " f[j] "_median"; bad = 1 }
			  next }
		{ rows++
		  for (j = 1; j <= n; j++) {
			v = $c[f[j] "_median"]
			if (v !~ /^[0-9.e+-]+$/) { print NR ": " f[j] " " v; bad = 1 }
		  }
		  if ($c["FlowFairness_median"] > 1) { print NR ": fairness above 1"; bad = 1 } }
		END { exit bad || rows == 0 }' "$out/summary.csv"
	nc_check "report.md weighs 16 flows against 2" \
		grep -q '^- two-copy 16 KiB, 2 threads: 16 flows moved [0-9.]* Gbit/s, [0-9.]* of 2 flows' \
		"$out/report.md"
	sw_check_pngs "$out"
	if "$sw_python" -c 'import matplotlib' 2>/dev/null; then
		for stem in flows-throughput-stream flows-cpu-stream \
			throughput-stream-8_flows_a_thread; do
			nc_check "plot $stem" test -s "$out/$stem.png" -a -s "$out/$stem.svg"
		done
	fi
	sw_check_nothing_left "$out"
fi

# ---- a flow count below a thread count: skipped there, one note
out=$nc_tmp/below
sw_run "--flows 2 -t 1,4 dry run" -m two-copy --flows 2 -t 1,4 -s 1K -d 0.1 \
	-r 1 -n -o "$out"
if nc_check_rc 0 netcopy-sweep; then
	nc_check "the dry run says 2 flows x4 is skipped" \
		grep -q 'points skipped, --flows below -t: 2 flows x4' "$NC_OUT"
fi

# ---- bad --flows: one line, exit 2
sw_run "--flows 0" --flows 0 -n
sw_check_one_line_error 2
sw_run "--flows below every -t" --flows 2 -t 4 -n
sw_check_one_line_error 2

nc_finish
