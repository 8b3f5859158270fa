#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# SIGINT/SIGTERM of a running client (-d 30): it ends within a few
# seconds with exit 1 and one line, and -o FILE gets a row with Status
# short, a Throughput above 0, an Interval_s well below 30 and, with
# --verify, no mismatch; for a stream the server sends, -R and rr.  A
# client started with SIGINT ignored leaves it so.  A second SIGINT ends
# the client at once, dead of it (status 130).  The server serves the
# next client.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
nc_start_server

# A background job of a script starts with SIGINT ignored, which the
# client leaves so; it must get it as a terminal's Ctrl-C would, so it
# is started with SIGINT restored, unless as_job is set.
start_client() {
	local out=$1
	local -a restore=(/usr/bin/python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])')

	shift
	[ -z "${as_job:-}" ] || restore=()
	: >"$out.progress"
	"${restore[@]}" "$NETCOPY_CLIENT" -p "$NC_PORT" \
		-d 30 -t 2 --verify -I 0.2 -f csv -o "$out" \
		--interval-file "$out.progress" "$@" \
		>"$out.stdout" 2>"$out.err" </dev/null &
	CLIENT_PID=$!
}

# sigint_state PID: what PID does with SIGINT (signal 2, bit 1 of the
# masks): caught, ignored or default.
sigint_state() {
	local key value ign=0 cgt=0

	while read -r key value; do
		case $key in
		SigIgn:) ign=$((0x$value >> 1 & 1)) ;;
		SigCgt:) cgt=$((0x$value >> 1 & 1)) ;;
		esac
	done <"/proc/$1/status"
	if [ "$cgt" -eq 1 ]; then
		echo caught
	elif [ "$ign" -eq 1 ]; then
		echo ignored
	else
		echo default
	fi
}

# Poll (10 s at most, times the factor) for an interval row (From_s,
# To_s, Bytes, ...) with bytes in it.
wait_data() {
	local i ticks

	nc_patience 10
	ticks=$((NC_PATIENCE_MS / 50))
	for ((i = 0; i < ticks; i++)); do
		grep -qE '^[0-9.]+,[0-9.]+,[1-9][0-9]*,' "$1" 2>/dev/null && return 0
		nc_pid_running "$CLIENT_PID" || return 1
		sleep 0.05
	done
	return 1
}

# interrupt SIG DESCRIPTION OPTION...
interrupt() {
	local sig=$1 desc=$2 out v bad=0 want=caught

	shift 2
	[ -z "${as_job:-}" ] || want=ignored
	nc_run_count=$((nc_run_count + 1))
	out=$nc_tmp/int$nc_run_count.csv
	start_client "$out" "$@"
	nc_checks=$((nc_checks + 1))
	if ! wait_data "$out.progress"; then
		nc_fail "$desc: no data within $NC_PATIENCE s"
		nc_signal "$CLIENT_PID" KILL
		nc_wait_pid "$CLIENT_PID" 5
		nc_show "stderr" "$out.err"
		return
	fi
	v=$(sigint_state "$CLIENT_PID")
	if [ "$v" != "$want" ]; then
		nc_fail "$desc: SIGINT $v by the client, expected $want"
		bad=1
	fi
	nc_signal "$CLIENT_PID" "$sig"
	if ! nc_wait_pid "$CLIENT_PID" 10; then
		nc_fail "$desc: still running 10 s (times the factor)" \
			"after SIG$sig"
		nc_signal "$CLIENT_PID" KILL
		nc_wait_pid "$CLIENT_PID" 5
		return
	fi
	[ "$NC_WAIT_RC" -eq 1 ] ||
		{ nc_fail "$desc: exit $NC_WAIT_RC, expected 1"; bad=1; }
	grep -q 'interrupted: the run was cut short after' "$out.err" ||
		{ nc_fail "$desc: no 'interrupted' line on stderr"; bad=1; }
	if ! nc_csv_load "$out"; then
		nc_fail "$desc: no row in -o FILE"
		nc_show "stderr" "$out.err"
		return
	fi
	[ "${NC_CSV[Status]:-}" = short ] ||
		{ nc_fail "$desc: Status '${NC_CSV[Status]:-}', expected short"; bad=1; }
	v=${NC_CSV[Throughput_Gbps]:-}
	nc_num_cmp "$v" '>' 0 ||
		{ nc_fail "$desc: Throughput_Gbps '$v', expected > 0"; bad=1; }
	v=${NC_CSV[Interval_s]:-}
	if ! nc_num_cmp "$v" '>' 0 || ! nc_num_cmp "$v" '<' 20; then
		nc_fail "$desc: Interval_s '$v', expected 0 to 20"
		bad=1
	fi
	[ "${NC_CSV[Mismatches]:-}" = 0 ] ||
		{ nc_fail "$desc: Mismatches '${NC_CSV[Mismatches]:-}'"; bad=1; }
	if [ "$bad" -ne 0 ]; then
		nc_show "stderr" "$out.err"
		nc_show "row" "$out"
	else
		nc_pass "$desc: exit 1, a short row over $v s"
	fi
}

interrupt INT "SIGINT, the server sends"
interrupt TERM "SIGTERM, the server sends"
interrupt INT "SIGINT, -R" -R
interrupt INT "SIGINT, rr" -w rr
# Started as a background job, SIGINT ignored: the client leaves it so
# (a terminal's Ctrl-C is not for it), and SIGTERM still ends it.
as_job=1 interrupt TERM "SIGTERM of a background job, SIGINT ignored"

# A second SIGINT while the first winds down (the server, stopped,
# holds its trailer back): at once, one line, and the client dies of
# it, as of an uncaught SIGINT (status 130).  No exit path runs, so a
# ThreadSanitizer build has no say on the data threads it abandons.
out=$nc_tmp/twice.csv
start_client "$out"
nc_checks=$((nc_checks + 1))
if wait_data "$out.progress"; then
	nc_signal "$NC_SERVER_PID" STOP
	nc_signal "$CLIENT_PID" INT
	nc_patience 5
	ticks=$((NC_PATIENCE_MS / 50))
	for ((i = 0; i < ticks; i++)); do
		nc_pid_running "$CLIENT_PID" || break
		nc_signal "$CLIENT_PID" INT
		sleep 0.05
	done
	nc_signal "$NC_SERVER_PID" CONT
	if nc_wait_pid "$CLIENT_PID" 5 && [ "$NC_WAIT_RC" -eq 130 ] &&
	   grep -q 'interrupted again' "$out.err"; then
		nc_pass "a second SIGINT: dead of it at once (status 130)"
	else
		nc_fail "a second SIGINT: status ${NC_WAIT_RC:-none}, expected 130"
		nc_show "stderr" "$out.err"
		nc_signal "$CLIENT_PID" KILL
	fi
else
	nc_fail "a second SIGINT: no data within $NC_PATIENCE s"
	nc_signal "$CLIENT_PID" KILL
fi

nc_checks=$((nc_checks + 1))
nc_client "a run after the interruptions" -p "$NC_PORT" -d 0.2 -t 1 -f csv
if [ "$NC_RC" -eq 0 ] && nc_server_alive; then
	nc_pass "the server serves the next client"
else
	nc_fail "the next client: exit $NC_RC"
	nc_show_run
fi
nc_finish
