#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netcopy-sweep --proto tcp,udp on loopback: a tiny sweep (sizes 1K and
# 64K, 1 thread, 0.2 s, one repeat, --rate): per protocol one row per mode
# that --list-modes' fourth field gives it and size it fits (64K is above
# the UDP maximum: skipped over UDP with one note), --proto and --rate on
# the client commands, the Proto and UDP columns of summary.csv (numbers
# over UDP, NA over TCP), the report's UDP lines and a throughput plot
# per protocol.  Then the default (--proto tcp): no UDP row at all.
# shellcheck disable=SC2016 # awk programs in single quotes
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
# shellcheck source-path=SCRIPTDIR source=sweep-lib.sh
. "$top_srcdir/tests/sweep-lib.sh"

sw_init

# count_rows FILE PROTO: the data rows of FILE whose Proto is PROTO.
count_rows() {
	awk -F, -v p="$2" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["Proto"] == p { n++ } END { print n + 0 }' "$1"
}

out=$nc_tmp/udp
sw_run "tcp,udp sweep" --proto tcp,udp -s 1K,64K -t 1 -d 0.2 -r 1 \
	--rate 200M -o "$out" -- --verify
if nc_check_rc 0 netcopy-sweep; then
	ntcp=$(wc -w <<<"$(sw_modes tcp)")
	nudp=$(wc -w <<<"$(sw_modes udp)")
	stcp=$(grep -c '^netcopy-sweep: mode [^ ]* skipped' "$out/sweep.log")
	sudp=$(grep -c '^netcopy-sweep: mode [^ ]* over udp skipped' "$out/sweep.log")
	nc_log "modes: $ntcp over tcp ($stcp skipped), $nudp over udp ($sudp skipped)"
	tcp_rows=$(((ntcp - stcp) * 2))
	udp_rows=$((nudp - sudp))
	sw_check_results "$out" $((tcp_rows + udp_rows)) loopback
	nc_check "results.csv: one TCP row per TCP mode and size" \
		test "$(count_rows "$out/results.csv" tcp)" -eq "$tcp_rows"
	nc_check "results.csv: one UDP row per UDP mode, 1K only" \
		test "$(count_rows "$out/results.csv" udp)" -eq "$udp_rows"
	nc_check "summary.csv: the same rows per protocol" test \
		"$(count_rows "$out/summary.csv" tcp) $(count_rows "$out/summary.csv" udp)" \
		= "$tcp_rows $udp_rows"
	nc_check "64K is skipped over udp with one note" test \
		"$(grep -c '^netcopy-sweep: sizes 64K skipped over udp' "$out/sweep.log")" -eq 1
	nc_check "no UDP client run at 64K" test \
		"$(grep -c '^client command: .* -s 65536 .*--proto udp' "$out/sweep.log")" -eq 0
	nc_check "--proto udp and --rate reach every UDP client run" test \
		"$(grep -c '^client command: .* -s 1024 -t 1 -d 0.2 -w stream -f csv --proto udp --rate 200M --verify$' \
			"$out/sweep.log")" -eq "$udp_rows"
	nc_check "TCP runs get --rate, and no --proto" test \
		"$(grep -Ec '^client command: .* -s (1024|65536) -t 1 -d 0.2 -w stream -f csv --rate 200M --verify$' \
			"$out/sweep.log")" -eq "$tcp_rows"
	nc_check "summary.csv: UDP figures are numbers over udp, NA over tcp" awk -F, '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i
			  n = split("Lost LossFraction Jitter_us DatagramsPerRead DatagramsPerCall", f, " ")
			  for (j = 1; j <= n; j++)
				if (!((f[j] "_median") in c)) { print "no " f[j] "_median"; bad = 1 }
			  next }
		{ for (j = 1; j <= n; j++) {
			v = $c[f[j] "_median"]
			if ($c["Proto"] == "udp" && v !~ /^[0-9.e+-]+$/) { print NR ": " f[j] " " v; bad = 1 }
			if ($c["Proto"] == "tcp" && v != "NA") { print NR ": " f[j] " " v; bad = 1 }
		} }
		END { exit bad }' "$out/summary.csv"
	nc_check "report.md has the UDP section and its loss line" \
		grep -Eq '^- (Loss above 1 % at|No UDP point lost more than 1 %)' "$out/report.md"
	if grep -qx gso <<<"$(sw_modes udp | tr ' ' '\n')" &&
		! grep -q '^netcopy-sweep: mode \(gso\|two-copy\) over udp skipped' "$out/sweep.log"; then
		nc_check "report.md weighs GSO against send() at 1024-byte datagrams" \
			grep -q '^- udp, 1 thread: GSO at 1024-byte datagrams cost [0-9.]* µs/KiB of sender CPU against send()' \
			"$out/report.md"
	fi
	sw_check_pngs "$out"
	if "$sw_python" -c 'import matplotlib' 2>/dev/null; then
		nc_check "a throughput plot per protocol" test \
			-s "$out/throughput-stream-tcp.png" -a -s "$out/throughput-stream-udp.png"
		nc_check "a loss plot over udp only" test \
			-s "$out/udp-loss-stream-udp.png" -a ! -e "$out/udp-loss-stream-tcp.png"
	fi
	sw_check_nothing_left "$out"
fi

# ---- the default is TCP only, as before --proto: no UDP row or run
out=$nc_tmp/tcp
sw_run "default tcp sweep" -m two-copy -s 1K -t 1 -d 0.1 -r 1 --no-plot \
	-o "$out"
if nc_check_rc 0 netcopy-sweep; then
	sw_check_results "$out" 1 loopback
	nc_check "the default runs no UDP point" test \
		"$(count_rows "$out/results.csv" udp)" -eq 0
	nc_check "the default passes no --proto" test \
		"$(grep -c '^client command: .*--proto' "$out/sweep.log")" -eq 0
fi

# ---- bad --proto and --rate: one line, exit 2
sw_run "--proto sctp" --proto sctp -n
sw_check_one_line_error 2
sw_run "--rate fast" --proto udp --rate fast -n
sw_check_one_line_error 2

nc_finish
