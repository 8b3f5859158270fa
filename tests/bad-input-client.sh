#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netcopy-client refuses bad options and values with exit 2 and a one-line
# message on stderr, before any run: a server is listening, so a value
# that slipped through would show as a run (exit 0) instead.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
nc_start_server
NC_TIMEOUT=10
p=(-p "$NC_PORT")

# bad DESCRIPTION OPTION...: the client must exit 2 with a one-line
# message.
bad() {
	local desc=$1

	shift
	nc_client "client $desc" "$@"
	nc_check_rc 2 &&
		nc_check "$desc: one line on stderr" \
			test "$(wc -l <"$NC_ERR")" -eq 1
}

# Modes and formats
bad "unknown mode" "${p[@]}" -d 0.1 -m bogus
bad "empty mode" "${p[@]}" -d 0.1 -m ''
bad "unknown format" "${p[@]}" -d 0.1 -f xml

# Ports: 1-65535
bad "port 70000" -d 0.1 -p 70000
bad "port 65536" -d 0.1 -p 65536
bad "port -1" -d 0.1 -p -1
bad "port abc" -d 0.1 -p abc
bad "port 0" -d 0.1 -p 0
bad "port 80x" -d 0.1 -p 80x
bad "empty port" -d 0.1 -p ''

# Sizes: 1 B - 64 MiB
bad "size 0" "${p[@]}" -d 0.1 -s 0
bad "size 65M" "${p[@]}" -d 0.1 -s 65M
bad "size 64M+1" "${p[@]}" -d 0.1 -s 67108865
bad "size 1G" "${p[@]}" -d 0.1 -s 1G
bad "size abc" "${p[@]}" -d 0.1 -s abc
bad "size 1X" "${p[@]}" -d 0.1 -s 1X
bad "size -1" "${p[@]}" -d 0.1 -s -1
bad "size 1KK" "${p[@]}" -d 0.1 -s 1KK
bad "size 99999999999999999999999" "${p[@]}" -d 0.1 \
	-s 99999999999999999999999
# The last of a repeated option counts; popt drops the string before,
# which a leak checker (NETCOPY_SANITIZED builds) reports at the exit.
bad "size given thrice, the last 0" "${p[@]}" -d 0.1 -s 1K -s 2K -s 0

# Threads: 1-1024
bad "threads 0" "${p[@]}" -d 0.1 -t 0
bad "threads 1025" "${p[@]}" -d 0.1 -t 1025
bad "threads abc" "${p[@]}" -d 0.1 -t abc
bad "threads -1" "${p[@]}" -d 0.1 -t -1
bad "threads 4294967297" "${p[@]}" -d 0.1 -t 4294967297

# Durations: > 0 and <= 86400
bad "duration 0" "${p[@]}" -d 0
bad "duration -1" "${p[@]}" -d -1
bad "duration abc" "${p[@]}" -d abc
bad "duration 86401" "${p[@]}" -d 86401
bad "duration nan" "${p[@]}" -d nan
bad "duration inf" "${p[@]}" -d inf
# Below a millisecond: 1e-10 s once went as 0 ns, which meant "unset",
# and ran the default 10 s with exit 0.
nc_client_usage_error "duration 1e-10" "duration out of range.*0\.001" \
	"${p[@]}" -d 1e-10
bad "duration 0.0009" "${p[@]}" -d 0.0009
# Decimal only, as sizes are.
nc_client_usage_error "duration 0x1p3 (hex)" "invalid duration '0x1p3'" \
	"${p[@]}" -d 0x1p3
bad "warmup 0x1p1 (hex)" "${p[@]}" -d 0.1 --warmup 0x1p1
# A warm-up is none (0) or at least 1 ms: 1e-10 would go as 0 ns.
nc_client_usage_error "warmup 1e-10" "warm-up out of range" \
	"${p[@]}" -d 0.1 --warmup 1e-10

# Intervals: off (left out), or 1 ms to 86400 s; -I 1e-6 once printed
# tens of thousands of lines for a 0.1 s run.
nc_client_usage_error "interval 1e-6" "interval out of range" \
	"${p[@]}" -d 0.1 -I 1e-6
bad "interval 0" "${p[@]}" -d 0.1 -I 0
bad "interval 0x1p-4 (hex)" "${p[@]}" -d 0.1 -I 0x1p-4

# A huge argument is cut in the message: its line stays short.
long=$(printf 'm%.0s' $(seq 10000))
nc_client_usage_error "10,000-character mode" "unknown mode 'm{40}\.\.\.'" \
	"${p[@]}" -d 0.1 -m "$long"
nc_check "10,000-character mode: a short line" \
	test "$(wc -c <"$NC_ERR")" -lt 300
bad "10,000-character size" "${p[@]}" -d 0.1 -s "$long"
nc_check "10,000-character size: a short line" \
	test "$(wc -c <"$NC_ERR")" -lt 300

# Options themselves
bad "unknown long option" "${p[@]}" -d 0.1 --bogus
bad "unknown short option" "${p[@]}" -d 0.1 -x
bad "option without its value" "${p[@]}" -d 0.1 -s
bad "stray argument" "${p[@]}" -d 0.1 extra

# -o: a destination that cannot take the result fails before the run.
nc_client_usage_error "-o on a directory" "cannot open .*directory" \
	"${p[@]}" -d 0.1 -f csv -o "$nc_tmp"
nc_client_usage_error "-o /dev/full with CSV (its header is written first)" \
	"cannot write to /dev/full" "${p[@]}" -d 0.1 -f csv -o /dev/full
# A write that fails only at the end (JSON writes nothing before): the
# result goes to standard output instead, with one line on stderr.
nc_client "client -o /dev/full with JSON" "${p[@]}" -t 1 -d 0.1 -f json \
	-o /dev/full
nc_check_rc 1 &&
	nc_check_stderr_matches "cannot write the result to /dev/full.*standard" \
		"the failed write" &&
	nc_check "-o /dev/full: one line on stderr" \
		test "$(wc -l <"$NC_ERR")" -eq 1 &&
	nc_check "-o /dev/full: the result on standard output instead" \
		grep -q '^{"schema":.*"bytes"' "$NC_OUT"

# Limits that are fine: the extremes run.
nc_client "client size 64M (the largest)" "${p[@]}" -s 64M -t 1 -d 0.1
nc_check_rc 0
nc_client "client size 1K as 1k" "${p[@]}" -s 1k -t 1 -d 0.05
nc_check_rc 0
nc_client "client duration .05" "${p[@]}" -t 1 -d .05
nc_check_rc 0
# The shortest duration passes the checks (under load, 1 ms may move no
# data: a runtime error, not a usage error).
nc_client "client duration 0.001 (the shortest)" "${p[@]}" -t 1 -d 0.001
nc_check "duration 0.001: accepted (exit $NC_RC)" \
	test "$NC_RC" -eq 0 -o "$NC_RC" -eq 1
nc_client "client duration 1e-1" "${p[@]}" -t 1 -d 1e-1 -f csv
nc_check_rc 0

nc_check "server still running" nc_server_alive
nc_finish
