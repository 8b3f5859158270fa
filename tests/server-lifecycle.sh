#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The server's life: exactly one "listening" line on stdout, -b, SIGTERM
# and SIGINT end it with 0, --once after one run, --exit-after on time,
# and runs of different modes at once.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init

# ---- -b and the listening line
nc_start_server -b 127.0.0.1
nc_check "-b 127.0.0.1: listening on 127.0.0.1 (got $NC_ADDR)" \
	[ "$NC_ADDR" = 127.0.0.1 ]
nc_client "a run against -b 127.0.0.1" -p "$NC_PORT" -d 0.1 --verify
nc_check_rc 0
nc_stop_server
nc_check "SIGTERM: exit 0 (got $NC_WAIT_RC)" [ "$NC_WAIT_RC" = 0 ]
nc_check "stdout is exactly the one listening line" \
	[ "$(wc -l <"$NC_SERVER_OUT")" = 1 ]

# ---- SIGINT, with job control so the background server does not inherit
# an ignored SIGINT from the shell.
set -m
nc_start_server
set +m
nc_signal "$NC_SERVER_PID" INT
if nc_wait_pid "$NC_SERVER_PID" 5; then
	nc_check "SIGINT: exit 0 (got $NC_WAIT_RC)" [ "$NC_WAIT_RC" = 0 ]
else
	nc_check "SIGINT: the server ends within 5 s" false
fi

# ---- SIGTERM during a run, in each direction: the server ends within
# 2 s with 0, and the client says the run was short (exit 1, a CSV row
# whose Status is not ok and whose figures cover what it measured).
# (Every limit of patience here is times the factor, nc_patience.)
nc_patience 30
limit=$NC_PATIENCE
for way in stream reverse rr; do
	case $way in
	stream) flags=() ;;
	reverse) flags=(-R) ;;
	rr) flags=(-w rr) ;;
	esac
	nc_start_server
	timeout "$limit" "$NETCOPY_CLIENT" -p "$NC_PORT" -d 5 -t 2 -f csv \
		${flags[@]+"${flags[@]}"} >"$nc_tmp/cut.out" \
		2>"$nc_tmp/cut.err" &
	client=$!
	# Mid-run: once the server has the run (on a loaded machine the
	# client may take a while to get there), and a little more.
	nc_patience 10
	ticks=$((NC_PATIENCE_MS / 50))
	for ((i = 0; i < ticks; i++)); do
		grep -q ': run: ' "$NC_SERVER_ERR" && break
		sleep 0.05
	done
	sleep 0.7
	nc_signal "$NC_SERVER_PID" TERM
	if nc_wait_pid "$NC_SERVER_PID" 2; then
		nc_check "SIGTERM during a $way run: exit 0 (got $NC_WAIT_RC)" \
			[ "$NC_WAIT_RC" = 0 ]
	else
		nc_check "SIGTERM during a $way run: the server ends within 2 s" false
	fi
	start=$SECONDS
	wait "$client"
	rc=$?
	nc_patience 3
	nc_check "$way: the client ends soon after its server ($((SECONDS - start)) s)" \
		[ $((SECONDS - start)) -le "$NC_PATIENCE_S" ]
	nc_checks=$((nc_checks + 1))
	if [ "$rc" -ne 1 ]; then
		nc_fail "$way: a client whose server stops mid-run: exit $rc, expected 1"
		nc_show stderr "$nc_tmp/cut.err"
		nc_show stdout "$nc_tmp/cut.out"
	elif ! nc_csv_load "$nc_tmp/cut.out"; then
		nc_fail "$way: no CSV row for the cut run"
		nc_show stdout "$nc_tmp/cut.out"
	elif [ "${NC_CSV[Status]}" = ok ] ||
	     ! awk -v i="${NC_CSV[Interval_s]}" 'BEGIN { exit !(i < 4) }'; then
		nc_fail "$way: the cut run reads Status '${NC_CSV[Status]}'," \
			"Interval_s '${NC_CSV[Interval_s]}' (want not ok, < 4 s)"
	else
		nc_pass "$way: the cut run is reported short (exit 1, Status" \
			"${NC_CSV[Status]}, Interval_s ${NC_CSV[Interval_s]})"
	fi
done

# ---- --once
nc_start_server --once
nc_client "the one run of a --once server" -p "$NC_PORT" -d 0.1 --verify
nc_check_rc 0
if nc_wait_pid "$NC_SERVER_PID" 5; then
	nc_check "--once: exit 0 after the run (got $NC_WAIT_RC)" \
		[ "$NC_WAIT_RC" = 0 ]
else
	nc_check "--once: the server ends within 5 s of its run" false
fi

# ---- --exit-after 1
start=$SECONDS
nc_start_server --exit-after 1
if nc_wait_pid "$NC_SERVER_PID" 4; then
	nc_check "--exit-after 1: exit 0 (got $NC_WAIT_RC)" \
		[ "$NC_WAIT_RC" = 0 ]
	nc_check "--exit-after 1: not before 1 s" [ $((SECONDS - start)) -ge 1 ]
else
	nc_check "--exit-after 1: the server ends within 4 s" false
fi
nc_start_server -d 1
nc_check "-d 1: the server ends within 4 s" nc_wait_pid "$NC_SERVER_PID" 4

# ---- runs at once: one server, three clients of different modes
nc_start_server
pids=()
outs=()
modes=(two-copy one-copy two-copy)
for i in 0 1 2; do
	outs+=("$nc_tmp/concurrent$i")
	timeout "$limit" "$NETCOPY_CLIENT" -p "$NC_PORT" -m "${modes[i]}" \
		-s 16K -t 2 -d 0.5 --verify -f csv >"${outs[i]}.out" \
		2>"${outs[i]}.err" &
	pids+=($!)
done
for i in 0 1 2; do
	wait "${pids[i]}"
	rc=$?
	nc_checks=$((nc_checks + 1))
	if [ "$rc" -ne 0 ]; then
		nc_fail "concurrent ${modes[i]} run $i: exit $rc"
		nc_show stderr "${outs[i]}.err"
	elif [ "$(nc_csv_get "${outs[i]}.out" Mismatches)" != 0 ] ||
	     [ "$(nc_csv_get "${outs[i]}.out" Status)" != ok ]; then
		nc_fail "concurrent ${modes[i]} run $i: not ok"
		nc_show stdout "${outs[i]}.out"
	else
		nc_pass "concurrent ${modes[i]} run $i"
	fi
done
nc_check "server alive after the concurrent runs" nc_server_alive

nc_finish
