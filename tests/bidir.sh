#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# --bidir: both directions at once, a complete result each.  Verified
# runs of a few modes (and UDP) give two CSV rows under one header,
# Direction server-sends then client-sends, each ok with its own bytes
# and no mismatch; -f json two objects, one a line, with "direction" in
# params, and -I's objects say their direction too.  -R and rr are
# usage errors; a server that allows one run per host refuses the pair,
# with no row and a line naming the direction, and serves the next run.
# SIGINT ends both: two rows, Status short.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
nc_need_jq
nc_start_server

nc_scale 30 5
secs=$(awk -v c="$NC_SCALED" 'BEGIN { printf "%.2f", c / 100 }')
# -I: a few reports of each direction within the run
tick=$(awk -v c="$NC_SCALED" 'BEGIN { printf "%.4f", c / 500 }')

# check_rows DESC STATUS: the latest run's CSV is a header and two rows,
# server-sends then client-sends, each with STATUS, bytes and no
# mismatch.
check_rows() {
	local desc=$1 want=$2 row dir bad=0

	nc_check_csv_shape || return
	nc_check "$desc: a header and two rows" \
		test "$(wc -l <"$NC_OUT")" -eq 3 || { nc_show_run; return; }
	for row in 1 2; do
		dir="server-sends"
		[ "$row" -eq 1 ] || dir="client-sends"
		nc_csv_load "$NC_OUT" "$row"
		nc_check "$desc: row $row Direction '${NC_CSV[Direction]}', want $dir" \
			test "${NC_CSV[Direction]}" = "$dir" || bad=1
		nc_check "$desc: row $row Status '${NC_CSV[Status]}', want $want" \
			test "${NC_CSV[Status]}" = "$want" || bad=1
		nc_check "$desc: row $row Mismatches '${NC_CSV[Mismatches]}'" \
			test "${NC_CSV[Mismatches]}" = 0 || bad=1
		nc_check "$desc: row $row Verify '${NC_CSV[Verify]}'" \
			test "${NC_CSV[Verify]}" = 1 || bad=1
		nc_check "$desc: row $row TotalBytes '${NC_CSV[TotalBytes]}'" \
			nc_num_cmp "${NC_CSV[TotalBytes]}" '>' 0 || bad=1
	done
	if [ "$bad" -ne 0 ]; then
		nc_show_run
		return 1
	fi
	nc_pass "$desc: two rows, $want"
}

# ---- verified runs, both ways, a few modes
modes=$("$NETCOPY_CLIENT" --list-modes | nc_modes_runnable tcp |
	grep -xE 'two-copy|sendfile|uring' | tr '\n' ' ')
for mode in $modes; do
	nc_client "$mode --bidir" -p "$NC_PORT" -m "$mode" -s 16K -t 2 \
		-d "$secs" --bidir --verify -f csv
	nc_check_rc 0 && check_rows "$mode --bidir" ok
done

nc_client "udp --bidir" -p "$NC_PORT" --proto udp -s 1400 -t 1 \
	-d "$secs" --bidir --verify -f csv
nc_check_rc 0 && check_rows "udp --bidir" ok

# ---- JSON: two objects, and -I's reports with their direction
nc_client "json --bidir" -p "$NC_PORT" -t 1 -d "$secs" --bidir --verify \
	-f json
if nc_check_rc 0; then
	nc_check "json: two lines" test "$(wc -l <"$NC_OUT")" -eq 2
	nc_check "json: server-sends then client-sends, each ok" \
		jq -e -s 'length == 2 and .[0].schema == 1
			and .[0].params.direction == "server-sends"
			and .[1].params.direction == "client-sends"
			and all(.[]; .result.status == "ok"
				and .result.bytes > 0
				and .result.mismatches == 0)' \
		"$NC_OUT" >/dev/null || nc_show_run
fi

iv=$nc_tmp/intervals.json
nc_client "json -I --bidir" -p "$NC_PORT" -t 1 -d "$secs" --bidir \
	-f json -I "$tick" --interval-file "$iv"
if nc_check_rc 0; then
	nc_check "-I --bidir: reports of both directions" \
		jq -e -s 'all(.[]; .type == "interval") and
			any(.[]; .direction == "server-sends") and
			any(.[]; .direction == "client-sends")' \
		"$iv" >/dev/null || nc_show "intervals" "$iv"
fi

# ---- bad input
nc_client_usage_error "--bidir -R" 'bidir.*-R' -p "$NC_PORT" --bidir -R
nc_client_usage_error "--bidir -w rr" 'bidir.*rr' -p "$NC_PORT" --bidir \
	-w rr

# ---- a server that allows one run per host refuses the pair
nc_start_server --max-runs-per-host 1
nc_client "--bidir, one run per host" -p "$NC_PORT" -t 1 -d "$secs" \
	--bidir -f csv
if nc_check_rc 1; then
	nc_check_stderr_matches 'server-sends: server refused: .*max-runs-per-host' \
		"the direction refused and why"
	nc_check "refused pair: one line on stderr" \
		test "$(wc -l <"$NC_ERR")" -eq 1
	nc_check "refused pair: no row" test "$(wc -l <"$NC_OUT")" -le 1 ||
		nc_show_run
fi
nc_client "one run after the refused pair" -p "$NC_PORT" -t 1 -d "$secs" \
	--verify -f csv
nc_check_rc 0

# ---- SIGINT ends both directions: two short rows
nc_start_server
out=$nc_tmp/int.csv
: >"$out.progress"
/usr/bin/python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$NETCOPY_CLIENT" -p "$NC_PORT" -d 30 \
	-t 2 --bidir --verify -I 0.1 -f csv -o "$out" \
	--interval-file "$out.progress" >/dev/null 2>"$out.err" </dev/null &
pid=$!
nc_patience 10
deadline=$((SECONDS + NC_PATIENCE_S))
until grep -q ',[1-9][0-9]*,.*,client-sends$' "$out.progress" 2>/dev/null &&
      grep -q ',[1-9][0-9]*,.*,server-sends$' "$out.progress"; do
	if ((SECONDS >= deadline)) || ! nc_pid_running "$pid"; then
		break
	fi
	sleep 0.05
done
nc_signal "$pid" INT
if ! nc_wait_pid "$pid" 10; then
	nc_fail "SIGINT --bidir: still running after SIGINT"
	nc_signal "$pid" KILL
	nc_wait_pid "$pid" 5
else
	nc_check "SIGINT --bidir: exit $NC_WAIT_RC, want 1" \
		test "$NC_WAIT_RC" -eq 1
	NC_OUT=$out NC_ERR=$out.err NC_DESC="SIGINT --bidir"
	check_rows "SIGINT --bidir" short
	nc_check_stderr_matches 'interrupted: the run was cut short' \
		"that it was interrupted"
fi

nc_finish
