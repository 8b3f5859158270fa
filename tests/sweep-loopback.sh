#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netcopy-sweep on loopback: --help and --version, a --dry-run that runs
# and creates nothing, then a tiny sweep (every mode, sizes 1K and 64K, 1
# thread, stream and rr, 0.2 s, one repeat, --warmup where the client has
# it): one results.csv row per point
# with the expected columns (and a sweep over --rx recv,zero-copy) and throughput > 0, summary.csv, per-mode CSVs,
# report.md, valid PNGs when matplotlib is installed, and no server left.
# shellcheck disable=SC2016 # awk programs in single quotes
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
# shellcheck source-path=SCRIPTDIR source=sweep-lib.sh
. "$top_srcdir/tests/sweep-lib.sh"

sw_init

sw_run "--help" --help
nc_check_rc 0 netcopy-sweep &&
	nc_check "--help prints the usage" grep -q '^Usage: netcopy-sweep' "$NC_OUT"
sw_run "--version" --version
nc_check_rc 0 netcopy-sweep &&
	nc_check "--version prints the version" grep -Eq '^netcopy-sweep \(netcopy\) [0-9]' "$NC_OUT"

# ---- --dry-run: the plan, nothing run or created
out=$nc_tmp/dry
sw_run "--dry-run" --dry-run -s 1K,64K -t 1,2 -d 0.5 -r 2 -m two-copy -o "$out"
if nc_check_rc 0 netcopy-sweep; then
	nc_check "--dry-run gives 8 points" grep -Eq '^ *points +8 ' "$NC_OUT" ||
		nc_show_run
	nc_check "--dry-run gives an estimated time" grep -Eq '^ *estimated +about ' "$NC_OUT"
	nc_check "--dry-run creates no folder" test ! -e "$out"
fi

# ---- a tiny sweep
out=$nc_tmp/tiny
warmup=()
[[ $("$NETCOPY_CLIENT" --help 2>&1) == *--warmup* ]] && warmup=(--warmup 0.05)
sw_run "tiny loopback sweep" -s 1K,64K -t 1 -d 0.2 -r 1 -w stream,rr \
	${warmup[@]+"${warmup[@]}"} -o "$out"
if nc_check_rc 0 netcopy-sweep; then
	nmodes=$(wc -w <<<"$(sw_modes tcp)")
	skipped=$(grep -c '^netcopy-sweep: mode .* skipped' "$out/sweep.log")
	nc_log "$nmodes modes known, $skipped skipped here"
	rows=$(((nmodes - skipped) * 2 * 2))
	sw_check_results "$out" "$rows" loopback
	nc_check "summary.csv: one row per point" \
		test "$(sw_data_rows "$out/summary.csv")" -eq "$rows"
	nc_check "stdout names the folder" test "$(cat "$NC_OUT")" = "$out"
	nc_check "the preflight says what is measured" \
		grep -q '^netcopy-sweep: will measure: ' "$NC_ERR"
	nc_check "a progress line per point" \
		test "$(grep -c '^netcopy-sweep: \[[0-9]*/[0-9]*\] ' "$NC_ERR")" -eq "$rows"
	# rr rows have round-trip percentiles in the summary, stream rows NA.
	nc_check "summary.csv: rr percentiles where rr, NA in a stream" awk -F, '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["Workload"] == "rr" && !($c["RttP50_us_median"] > 0) { bad = 1 }
		$c["Workload"] == "stream" && $c["RttP50_us_median"] != "NA" { bad = 1 }
		END { exit bad }' "$out/summary.csv"
	nc_check "report.md has the machine and the summary table" \
		grep -q '^| Kernel | ' "$out/report.md"
	if [ ${#warmup[@]} -gt 0 ]; then
		nc_check "--warmup reaches every client run" test \
			"$(grep -c '^client command: .* --warmup=0.05' "$out/sweep.log")" -eq "$rows"
	fi
	sw_check_pngs "$out"
	sw_check_nothing_left "$out"
fi

# ---- --rx: every point once per receive call, a summary row each, the
# Rx column naming the call, and the mapped fraction only for zero-copy.
out=$nc_tmp/rx
sw_run "--rx sweep" -m two-copy,one-copy --rx recv,zero-copy -s 64K -t 1 \
	-d 0.1 -r 1 -o "$out" -- --verify
if nc_check_rc 0 netcopy-sweep; then
	sw_check_results "$out" 4 loopback
	nc_check "--rx: one summary row per mode and receive call" test \
		"$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			{ print $c["Implementation"] "/" $c["Rx"] }' "$out/summary.csv" |
			sort | tr '\n' ' ')" = \
		"one-copy/recv one-copy/zero-copy two-copy/recv two-copy/zero-copy "
	nc_check "--rx: the mapped fraction is a number for zero-copy, NA for recv" \
		awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ v = $c["RxZcMappedFraction_median"]
		  if ($c["Rx"] == "zero-copy" && v !~ /^[0-9.e-]+$/) bad = 1
		  if ($c["Rx"] == "recv" && v != "NA") bad = 1 }
		END { exit bad }' "$out/summary.csv"
	nc_check "--rx reaches every client run of the grid" test \
		"$(grep -Ec '^client command: .* -s 65536 .* --rx (recv|zero-copy) ' \
			"$out/sweep.log")" -eq 4
	sw_check_nothing_left "$out"
fi

# ---- --confidence: a round beyond -r for the points not settled, never
# more than --max-repeat runs of a point.
out=$nc_tmp/confidence
sw_run "--confidence" -m two-copy -s 1K,4K -t 1 -d 0.1 -r 6 \
	--confidence 95,1 --max-repeat 7 --no-plot -o "$out"
if nc_check_rc 0 netcopy-sweep; then
	rows=$(sw_data_rows "$out/results.csv")
	extra=$(grep -c '^point .* (--confidence)$' "$out/sweep.log")
	nc_check "--confidence: 12 rows, and one more per point not settled" \
		test "$rows" -eq $((12 + extra)) -a "$extra" -le 2
	nc_check "--confidence: no point past --max-repeat" awk -F, '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["Repeat"] > 7 { bad = 1 }
		END { exit bad }' "$out/results.csv"
fi

# ---- without matplotlib: one line says so, the data and report are
# still written.  (A matplotlib that cannot be imported comes first on
# the sweep's python path.)
out=$nc_tmp/noplot
mkdir -p "$nc_tmp/nomatplotlib/matplotlib"
echo 'raise ImportError("stand-in: no matplotlib here")' \
	>"$nc_tmp/nomatplotlib/matplotlib/__init__.py"
PYTHONPATH=$nc_tmp/nomatplotlib sw_run "no matplotlib" -m two-copy -s 1K \
	-t 1 -d 0.1 -r 1 -o "$out"
if nc_check_rc 0 netcopy-sweep; then
	sw_check_results "$out" 1 loopback
	nc_check "no matplotlib: one line says so" test \
		"$(grep -c '^netcopy-sweep: plots: none, .*matplotlib.*python3-matplotlib' \
			"$NC_ERR")" -eq 1
	nc_check "no matplotlib: no PNG" test -z "$(compgen -G "$out/*.png")"
fi

# ---- a second sweep into the same folder is refused
sw_run "sweep into a used folder" -s 1K -t 1 -d 0.1 -r 1 -o "$out"
sw_check_one_line_error 2

nc_finish
