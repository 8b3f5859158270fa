#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A server that lies in its trailer is not believed: "rawpeer liar"
# relays a real run to a real server and sets figures of its trailer.
# Each lie must make the client exit 1 with one line naming the figure,
# and write a row that says error (the server's figures NA), never ok.
# The same relay with nothing set must pass: the check refuses lies,
# not honest runs.  With --per-flow -R the server's per-flow bytes after
# its trailer are edited the same way: a wrong count of flows, a flow
# out of its place, a flow over the bytes received, a sum short of
# them, or none at all must each make the client exit 1 with one line.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
nc_need_rawpeer
nc_start_server -b 127.0.0.1
real=$NC_PORT
U64_MAX=0xffffffffffffffff

# liar DESCRIPTION RC CLIENT-OPTIONS -- FIELD=VALUE...: one run of the
# client (CSV, one thread) through "rawpeer liar" setting the fields.
# RC 0: it must pass, Status ok; 1: refused, naming FIGURE ($want).
want=
liar() {
	local desc=$1 rc=$2 opts=() status

	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	# The control connection and one data connection.
	nc_start_rawpeer -t 25 liar "$real" 2 "$@"
	nc_client "$desc" -p "$NC_RAW_PORT" -t 1 -d 0.3 -f csv \
		${opts[@]+"${opts[@]}"}
	nc_check_rc "$rc"
	status=$(nc_csv_get "$NC_OUT" Status)
	if [ "$rc" -eq 0 ]; then
		nc_check "$desc: Status ok (got '$status')" test "$status" = ok
	else
		nc_check_stderr_matches \
			"^netcopy-client: the server's trailer is not believable: $want" \
			"the figure"
		nc_check "$desc: one line on stderr" \
			test "$(wc -l <"$NC_ERR")" -eq 1
		nc_check "$desc: Status error (got '$status')" \
			test "$status" = error
	fi
	nc_wait_rawpeer
	nc_check "$desc: the liar relayed the trailer" \
		grep -q "^trailer $# set$" "$NC_RAW_OUT" ||
		nc_show "rawpeer stderr" "$NC_RAW_ERR"
}

# ---- honest: the relay alone, both directions, with what may be sent
liar "honest trailer, server sends" 0 --
liar "honest trailer, -R" 0 -R --
liar "honest trailer, --verify, rr" 0 --verify -w rr --

# ---- bytes against the client's own count
want='TotalBytes 9223372036854775808 exceeds the [0-9]+ bytes sent$'
liar "-R, TotalBytes 2^63" 1 -R -- bytes=9223372036854775808
want="SndBytes 18446744073709551615 exceeds the [0-9]+ bytes sent$"
liar "SndBytes 2^64-1" 1 -- bytes=$U64_MAX
want='SndBytes [0-9]+, but 1 bytes were sent in all, fewer than the [0-9]+ received$'
liar "fewer bytes sent than received" 1 -- total_bytes=1

# ---- messages x size against bytes
want='Messages 18446744073709551615 of 1024 bytes exceed TotalBytes [0-9]+$'
liar "-R, Messages 2^64-1" 1 -R -- messages=$U64_MAX

# ---- the interval: above 0, within the run's wall time
want='Interval_s 0\.000000 with Messages [0-9]+$'
liar "-R, Interval_s 0" 1 -R -- interval=0
want='Throughput_Gbps [0-9.]+ exceeds 1000000 Gbit/s$'
liar "-R, Throughput_Gbps via a 1 ns interval" 1 -R -- interval=1
want='Interval_s 100\.000000 exceeds the run.s [0-9.]+ s$'
liar "-R, Interval_s 100 s" 1 -R -- interval=100000000000
want='Latency_us [0-9.]+ exceeds the run.s [0-9.]+ s$'
liar "-R, Latency_us 100 s" 1 -R -- latency=100000000000

# ---- CPU time: at most threads x the wall time
want='SndCpuTime_us 4611686018427388 exceeds 1 thread x [0-9.]+ s$'
liar "SndCpuShare_pct via SndCpuTime_us" 1 -- cpu_us=4611686018427388
want='SndCpuShare_pct [0-9.]+ exceeds 1 thread x 100 %$'
liar "SndCpuShare_pct via a 1 ns interval" 1 -- interval=1
want='RcvCpuTime_us 100000000 exceeds 1 thread x [0-9.]+ s$'
liar "-R, RcvCpuTime_us 100 s" 1 -R -- cpu_us=100000000

# ---- counters: only as asked, and within physics (known: every event)
all=counters_known=127
want='CPUCycles 18446744073709551615 exceeds 10000 x SndCpuTime_us [0-9]+$'
liar "CPUCycles 2^64-1" 1 -- $all cycles=$U64_MAX
want='SndInstructions 18446744073709551615 exceeds 16 x CPUCycles 1000000$'
liar "instructions over cycles x 16" 1 -- $all cycles=1000000 \
	instructions=$U64_MAX
want='CacheMisses 1000 exceeds 2 x CacheRefs 10$'
liar "cache misses over references" 1 -- $all cycles=0 instructions=0 \
	cache_refs=10 cache_misses=1000
want='RcvTaskClock_ms [0-9.]+ exceeds 1 thread x [0-9.]+ s$'
liar "-R, task clock 2^64-1 ns" 1 -R -- $all task_clock=$U64_MAX
want='CPUCycles 1000, but --no-perf was given$'
liar "--no-perf, CPUCycles" 1 --no-perf -- counters_known=1 cycles=1000
want='RcvContextSwitches 5, but --no-perf was given$'
liar "--no-perf -R, context switches" 1 --no-perf -R -- \
	counters_known=16 context_switches=5

# ---- figures only for the runs that asked for them
zc="zc_sends=10 zc_notifications=10 zc_completions=10 zc_copied=0"
want='ZcSends 10, but two-copy is not a zero-copy mode$'
# shellcheck disable=SC2086
liar "ZcCompletions 10 on two-copy" 1 -- $zc zc_enobufs=0
want='SndSockBuf 2147483647, but neither --sndbuf nor --rcvbuf was given$'
liar "SndSockBuf without --sndbuf" 1 -- sndbuf=2147483647 rcvbuf=2147483647
want='RxZcMapped 5, but --rx zero-copy was not given$'
liar "-R, rx zero-copy figures without --rx zero-copy" 1 -R -- \
	rx_zc_mapped=5 rx_zc_copied=5 rx_zc_refused=0
want='Mismatches 5, but --verify was not given$'
liar "Mismatches 5 without --verify" 1 -- mismatches=5
liar "-R, Mismatches 5 without --verify" 1 -R -- mismatches=5
want='Mismatches 18446744073709551615 exceeds 2 x Messages [0-9]+$'
liar "-R --verify, Mismatches 2^64-1" 1 -R --verify -- mismatches=$U64_MAX

# flow_liar DESCRIPTION RC STATUS -- FIELD=VALUE...: a -R run of 2 flows
# with --per-flow through the liar; RC 0: flow_bytes whole, else one
# line ($want) and STATUS in the JSON, no flow_bytes.
flow_liar() {
	local desc=$1 rc=$2 status=$3 got

	shift 4
	nc_start_rawpeer -t 25 liar "$real" 3 "$@"
	nc_client "$desc" -p "$NC_RAW_PORT" -t 2 -d 0.3 -R -f json \
		--per-flow
	nc_check_rc "$rc"
	got=$(head -n 1 "$NC_OUT" | jq -c '.result | (.flow_bytes // []) as
		$f | [.status, ($f | length), ($f | add // 0) == .bytes]')
	if [ "$rc" -eq 0 ]; then
		nc_check "$desc: ok, 2 flows summing to bytes (got $got)" \
			test "$got" = '["ok",2,true]'
	else
		nc_check_stderr_matches "^netcopy-client: the server's per-flow bytes $want" \
			"the list"
		nc_check "$desc: one line on stderr" \
			test "$(wc -l <"$NC_ERR")" -eq 1
		nc_check "$desc: $status, no flow_bytes (got $got)" \
			test "$got" = "[\"$status\",0,false]"
	fi
	nc_wait_rawpeer
}

if command -v jq >/dev/null; then
	flow_liar "honest per-flow bytes" 0 ok --
	want='are not believable: a list of 3 flows, the run has 2$'
	flow_liar "per-flow bytes of 3 flows" 1 error -- chunk_flows=3
	want='are not believable: per-flow bytes out of range$'
	flow_liar "per-flow bytes from flow 1" 1 error -- chunk_first=1
	want='are not believable: flow 0: 4611686018427387904 bytes, over the [0-9]+ received in all$'
	flow_liar "a flow's bytes over the total" 1 error -- \
		chunk_bytes=0x4000000000000000
	want='are not believable: they sum to [0-9]+, not the [0-9]+ received$'
	flow_liar "per-flow bytes short of the total" 1 error -- chunk_bytes=0
	want='did not all come: 0 of 2 flows said: '
	flow_liar "no per-flow bytes" 1 short -- chunk_drop=1
else
	nc_log "jq not found: lies in the per-flow bytes not checked"
fi
# A server from before them refuses the hello that asks, and the client
# says why (the retry without the TCP_INFO figures is refused too).
nc_start_rawpeer -t 20 old-server "$real" 2
nc_client "old server, --per-flow -R" -p "$NC_RAW_PORT" -d 0.2 -t 1 -R \
	-f json --per-flow
nc_check_rc 4 && nc_check_stderr_matches \
	'unknown field \(a server older than --per-flow where it receives cannot say each flow.s bytes\)$' \
	"that the server is older than --per-flow"
nc_wait_rawpeer

nc_finish
