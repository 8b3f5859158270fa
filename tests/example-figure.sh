#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# examples/figure (libnetcopy(3)'s example, built against the uninstalled
# shared library; pkgconfig-install.sh builds it through pkg-config)
# against a real server: every numeric figure it reads back through
# netcopy_result_figure() is its CSV cell (to the cell's decimals), NA
# where the cell is NA, and none is missing or extra; a text column
# and a name that is no column are refused with exit 2.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

example=${NETCOPY_EXAMPLE_FIGURE:-${top_builddir:-.}/examples/figure}
[ -x "$example" ] || nc_error "$example is not built"

nc_init
nc_start_server

# check_figures FILE [all]: the lines after the CSV against the CSV's
# row, with all: one for each number in it; prints how many agreed.
check_figures() {
	awk -v all="${2:-}" '
	function fail(msg) { print "figure: " msg; bad = 1 }
	NR == 1 { n = split($0, name, ","); next }
	NR == 2 {
		split($0, v, ",")
		for (i = 1; i <= n; i++) cell[name[i]] = v[i]
		next
	}
	{
		col = $1; seen[col]++
		if (!(col in cell)) { fail(col " is no CSV column"); next }
		c = cell[col]
		if ($2 == "NA") {
			if (c != "NA") fail(col ": NA, the CSV " c)
			next
		}
		if (c !~ /^-?[0-9]+(\.[0-9]+)?$/) {
			fail(col ": " $2 ", the CSV cell " c); next
		}
		dec = index(c, ".") ? length(c) - index(c, ".") : 0
		d = $2 - c; if (d < 0) d = -d
		if (d > 0.5 * 10 ^ -dec * 1.000001 + 1e-12 * (c < 0 ? -c : c))
			fail(col ": " $2 ", the CSV " c)
		else agreed++
	}
	END {
		for (col in cell) {
			if (seen[col] > 1)
				fail(col ": " seen[col] " figures")
			else if (all && !seen[col] &&
				 cell[col] ~ /^-?[0-9]+(\.[0-9]+)?$/)
				fail(col ": a number in the CSV, no figure")
		}
		print agreed + 0
		exit bad
	}' "$1"
}

nc_run "figure, every column" "$example" 127.0.0.1 "$NC_PORT"
if nc_check_rc 0; then
	if agreed=$(check_figures "$NC_OUT" all); then
		nc_checks=$((nc_checks + 1))
		if [ "$agreed" -ge 10 ]; then
			nc_pass "$agreed figures are the CSV's"
		else
			nc_fail "only $agreed figures measured"
		fi
	else
		nc_fail "the figures disagree with the CSV:" "$agreed"
		nc_show "example output" "$NC_OUT"
	fi
fi

nc_run "figure, columns named" "$example" 127.0.0.1 "$NC_PORT" \
	Throughput_Gbps TotalBytes Latency_us Mismatches
if nc_check_rc 0; then
	nc_checks=$((nc_checks + 1))
	if check_figures "$NC_OUT" >/dev/null &&
		[ "$(awk 'NR > 2 && $2 != "NA"' "$NC_OUT" | wc -l)" -eq 4 ] &&
		grep -qx 'Mismatches 0 count' "$NC_OUT"; then
		nc_pass "four figures named, all measured, no mismatch"
	else
		nc_fail "the figures named"
		nc_show "example output" "$NC_OUT"
	fi
fi

for bad in Status NoSuchColumn; do
	nc_run "figure $bad" "$example" 127.0.0.1 "$NC_PORT" "$bad"
	nc_check_rc 2 figure &&
		nc_check_stderr_matches "^figure: $bad: " "the reason"
done

nc_finish
