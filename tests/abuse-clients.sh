#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# 200 clients at once (NETCOPY_TEST_SCALE percent of them), half valid and
# half misbehaving, against one server with --hello-timeout 6, in a
# warm-up round and five more.  The misbehaving ones (tests/rawpeer):
# connect and say nothing, half a hello and a stall, garbage, a hello and
# then gone, a hello and then a half-close, and resets mid-stream (the
# data connection while the server sends, the control connection, and
# the data connection while the client sends).  Every valid client exits
# 0 with verified data (Mismatches 0, Status ok); the server closes every
# stalled connection and stays up; after each round its descriptors and
# threads return to their idle counts; and the five rounds after the
# warm-up add less than 1 MiB of VmRSS (not checked under a sanitizer or
# valgrind, where memory figures mean nothing).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
nc_need_rawpeer
nc_scale 200 8
clients=$NC_SCALED
rounds=5	# after the warm-up
settle=15	# seconds for the server to let go of a round
# Patience, all times the factor: the clients' and rawpeers' limits, a
# round's, and a stalled peer's wait for the server to close it (12 s:
# the hello timeout below, counted from the accept, which a burst of 200
# on a loaded machine can hold back by seconds, and 6 s more).
nc_patience 5
kill_after=$NC_PATIENCE
nc_patience 60
client_limit=$NC_PATIENCE
nc_patience 30
rawpeer_limit=$NC_PATIENCE
nc_rawpeer_limit -t 25 connect 127.0.0.1
rawpeer_args=("${NC_RAWPEER_ARGS[@]}")
nc_patience 90
round_limit=$NC_PATIENCE_S
nc_patience 12
close_ms=$NC_PATIENCE_MS
close_s=$NC_PATIENCE

# The client without its libtool wrapper: 100 wrappers at once cost
# seconds of shell and sed, and the clients would not start together.
nc_unwrap "$NETCOPY_CLIENT"
client=$NC_UNWRAPPED

# 6 s: a valid client of a burst on a loaded machine (a load of 25 here)
# can take over 3 s to attach its data connections after its hello.
nc_patience 6
nc_start_server --hello-timeout "$NC_PATIENCE" --max-conns-per-host 100000 \
	--max-runs-per-host 100000
server=$NC_SERVER_PID
port=$NC_PORT
nc_check_real_server "$server"
sleep 0.2
idle_fds=$(nc_proc_fds "$server")
idle_threads=$(nc_proc_threads "$server")
# A sanitizer's runtime starts a thread of its own with the server's
# first one (ThreadSanitizer does): one more is idle there.
if nc_sanitized "$server"; then
	idle_threads=$((idle_threads + 1))
fi
nc_log "server PID $server, port $port: $idle_fds descriptors and" \
	"$idle_threads threads idle; $clients clients a round"

# The valid clients cycle through these.
modes=(two-copy one-copy)
if nc_zero_copy_built; then
	nc_client "zero-copy probe" -p "$port" -m zero-copy -s 1K -t 1 \
		-d 0.05 -f csv
	if [ "$NC_RC" -eq 0 ]; then
		modes+=(zero-copy)
	else
		nc_log "zero-copy left out of the mix (probe exit $NC_RC)"
	fi
fi
sizes=(64 1K 4K)
ways=(stream reverse rr)

# valid_args N: the options of valid client N, in ARGS; DESC says which.
valid_args() {
	local n=$1 mode size way

	mode=${modes[n % ${#modes[@]}]}
	size=${sizes[n / ${#modes[@]} % ${#sizes[@]}]}
	way=${ways[n / ${#modes[@]} / ${#sizes[@]} % ${#ways[@]}]}
	# 1 s: long enough for data to arrive while 100 other
	# processes start on a small machine.
	ARGS=(-p "$port" -m "$mode" -s "$size" -t 1 -d 1 --verify -f csv)
	case $way in
	reverse) ARGS+=(-R) ;;
	rr) ARGS+=(-w rr) ;;
	esac
	DESC="valid $mode -s $size $way"
}

# The misbehaving kinds: a description, then rawpeer's actions.  "closed"
# ones must see the server close the connection (eof or reset).
bad_kinds=(silent partial garbage vanish halfclose reset-data
	reset-control reset-sending)
# bad_args N: rawpeer's actions for misbehaving client N, in ARGS; DESC
# says which, KIND is its kind.
bad_args() {
	KIND=${bad_kinds[$1 % ${#bad_kinds[@]}]}
	case $KIND in
	silent)
		DESC="connect and say nothing"
		ARGS=(recv "$close_ms") ;;
	partial)
		DESC="half a hello, then a stall"
		ARGS=(hello-prefix 30 two-copy 1024 1 5 0 1 recv "$close_ms") ;;
	garbage)
		DESC="garbage"
		ARGS=(garbage 300 recv "$close_ms") ;;
	vanish)
		DESC="a valid hello, then gone"
		ARGS=(full-hello two-copy 1024 1 5 0 1 0 close) ;;
	halfclose)
		DESC="a valid hello, then a half-close"
		ARGS=(full-hello two-copy 1024 1 5 0 1 0 shutdown
		      recv "$close_ms") ;;
	reset-data)
		DESC="the data connection reset mid-stream"
		ARGS=(full-hello two-copy 1024 1 5 0 1 0 attach 0 recv 200
		      reset control recv "$close_ms") ;;
	reset-control)
		DESC="the control connection reset mid-stream"
		ARGS=(full-hello two-copy 4096 1 5 0 1 0 attach 0 recv 200
		      control reset) ;;
	reset-sending)
		DESC="the data connection reset while the client sends"
		ARGS=(full-hello two-copy 1024 1 5 1 0 0 attach 0
		      garbage 200000 reset control recv "$close_ms") ;;
	esac
}

peak_fds=0
peak_threads=0

# round R: start every client held at a gate, open it, wait for all, and
# check each.
round() {
	local r=$1 i pid rc n ok=0 bad=0 shown=0 fds threads start ticks
	local -a pids=() descs=() kinds=() outs=() cmd

	rm -f "$nc_tmp/gate"
	mkfifo "$nc_tmp/gate" || nc_error "mkfifo failed"
	# The gate: each client opens the FIFO for reading while a writer
	# is open (so the open cannot block), lets go of its own copy of
	# the writer, and reads; all reads end when the last writer goes.
	exec 9<>"$nc_tmp/gate"
	for ((i = 0; i < clients; i++)); do
		if ((i % 2 == 0)); then
			valid_args $((i / 2))
			KIND=valid
			cmd=(timeout -k "$kill_after" "$client_limit" "$client"
			     "${ARGS[@]}")
		else
			bad_args $((i / 2))
			cmd=(timeout -k "$kill_after" "$rawpeer_limit"
			     "$NETCOPY_RAWPEER" "${rawpeer_args[@]}" "$port"
			     "${ARGS[@]}")
		fi
		outs+=("$nc_tmp/round$r-$i")
		descs+=("$DESC")
		kinds+=("$KIND")
		{
			exec 8<"$nc_tmp/gate" 9>&-
			read -r _ <&8
			exec 8<&-
			exec "${cmd[@]}"
		} >"$nc_tmp/round$r-$i.out" 2>"$nc_tmp/round$r-$i.err" \
			</dev/null &
		pids+=($!)
	done
	start=$SECONDS
	exec 9>&-

	# While they run: the most the server held at once.
	n=${#pids[@]}
	while [ "$n" -gt 0 ] && [ $((SECONDS - start)) -lt "$round_limit" ]; do
		fds=$(nc_proc_fds "$server")
		threads=$(nc_proc_threads "$server" || echo 0)
		[ "$fds" -gt "$peak_fds" ] && peak_fds=$fds
		[ "$threads" -gt "$peak_threads" ] && peak_threads=$threads
		n=0
		for pid in "${pids[@]}"; do
			nc_pid_running "$pid" && n=$((n + 1))
		done
		sleep 0.1
	done

	for i in "${!pids[@]}"; do
		wait "${pids[i]}"
		rc=$?
		nc_checks=$((nc_checks + 1))
		NC_DESC="round $r client $i (${descs[i]})"
		NC_OUT=${outs[i]}.out
		NC_ERR=${outs[i]}.err
		NC_RC=$rc
		if check_one "${kinds[i]}"; then
			ok=$((ok + 1))
			continue
		fi
		bad=$((bad + 1))
		if [ "$shown" -lt 5 ]; then
			shown=$((shown + 1))
			nc_show_run
		fi
	done
	nc_log "round $r: $ok of ${#pids[@]} clients as expected" \
		"in $((SECONDS - start)) s (peak so far: $peak_fds descriptors," \
		"$peak_threads threads)"

	nc_check "round $r: the server is still running" \
		nc_server_alive "$server" || nc_finish
	if nc_wait_fds "$server" "$idle_fds" "$settle"; then
		nc_checks=$((nc_checks + 1))
	else
		nc_fail "round $r: the server holds $NC_FDS descriptors" \
			"$settle s after its clients ended, $idle_fds idle"
		find "/proc/$server/fd/" -mindepth 1 -printf "  | %f -> %l\n" | tail -n 20
	fi
	nc_patience "$settle"
	ticks=$((NC_PATIENCE_MS / 100))
	for ((i = 0; i < ticks; i++)); do
		threads=$(nc_proc_threads "$server")
		[ "$threads" -le "$idle_threads" ] && break
		sleep 0.1
	done
	nc_check "round $r: the server has $threads threads after it, $idle_threads idle" \
		[ "$threads" -le "$idle_threads" ]
}

# check_one KIND: the latest client (NC_RC, NC_OUT, NC_ERR) did as its
# kind should; a failure is reported.
check_one() {
	local last

	if [ "$NC_RC" -eq 124 ] || [ "$NC_RC" -eq 137 ]; then
		nc_fail "$NC_DESC: timed out (hung?)"
		return 1
	fi
	if [ "$1" = valid ]; then
		if [ "$NC_RC" -ne 0 ]; then
			nc_fail "$NC_DESC: exit $NC_RC, expected 0"
			return 1
		fi
		if ! nc_csv_load "$NC_OUT" ||
		   [ "${NC_CSV[Status]:-}" != ok ] ||
		   [ "${NC_CSV[Mismatches]:-}" != 0 ] ||
		   ! nc_is_uint "${NC_CSV[TotalBytes]:-}" ||
		   [ "${NC_CSV[TotalBytes]}" -eq 0 ]; then
			nc_fail "$NC_DESC: Status '${NC_CSV[Status]:-}'," \
				"Mismatches '${NC_CSV[Mismatches]:-}'," \
				"TotalBytes '${NC_CSV[TotalBytes]:-}'"
			return 1
		fi
		return 0
	fi
	if [ "$NC_RC" -ne 0 ]; then
		nc_fail "$NC_DESC: rawpeer exit $NC_RC, expected 0"
		return 1
	fi
	case $1 in
	silent|partial|garbage|halfclose|reset-data|reset-sending)
		last=$(tail -n 1 "$NC_OUT")
		if [ "$last" != eof ] && [ "$last" != reset ]; then
			nc_fail "$NC_DESC: the server did not close the" \
				"connection within $close_s s ('$last')"
			return 1
		fi
		;;
	esac
	return 0
}

round warm-up
sanitized=
nc_sanitized "$server" && sanitized=$NC_SANITIZED_WHY
rss0=$(nc_proc_rss_kb "$server")
nc_log "after the warm-up: VmRSS $rss0 kB"
for ((r = 1; r <= rounds; r++)); do
	round "$r"
	nc_log "after round $r: VmRSS $(nc_proc_rss_kb "$server") kB," \
		"$(nc_proc_fds "$server") descriptors"
done
rss1=$(nc_proc_rss_kb "$server")
if [ -n "$sanitized" ]; then
	nc_log "VmRSS $rss0 -> $rss1 kB not checked: $sanitized"
else
	nc_check "$rounds rounds after the warm-up add less than 1 MiB of VmRSS ($rss0 -> $rss1 kB)" \
		[ $((rss1 - rss0)) -lt 1024 ]
fi

nc_wait_fds "$server" "$idle_fds" "$settle"
nc_log "descriptors: $idle_fds idle, $peak_fds at the peak, $NC_FDS at" \
	"the end; peak threads $peak_threads"
nc_stop_server "$server"
nc_check "the server exits 0 on SIGTERM after all that (exit $NC_WAIT_RC)" \
	[ "$NC_WAIT_RC" = 0 ]
nc_finish
