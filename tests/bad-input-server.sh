#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netcopy-server refuses bad options and values with exit 2 and a one-line
# message on stderr, and a port already in use with exit 1.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
# A server that wrongly accepted its options would serve until killed:
# keep that short.
NC_TIMEOUT=5

# bad DESCRIPTION OPTION...: the server must exit 2 with a one-line
# message.
bad() {
	local desc=$1

	shift
	nc_server_cmd "server $desc" "$@"
	nc_check_rc 2 netcopy-server &&
		nc_check "$desc: one line on stderr" \
			test "$(wc -l <"$NC_ERR")" -eq 1
}

bad "port 70000" -p 70000
bad "port 65536" -p 65536
bad "port -1" -p -1
bad "port abc" -p abc
bad "max-size 0" -p 0 -s 0
bad "max-size 65M" -p 0 -s 65M
bad "max-size abc" -p 0 -s abc
bad "max-size 1X" -p 0 -s 1X
# A repeated option: the last counts, and the strings before are freed
# (a leak checker, in NETCOPY_SANITIZED builds, sees any left).
bad "max-size given thrice, the last 0" -p 0 -s 1K -s 2K -s 0
bad "exit-after abc" -p 0 -d abc
bad "exit-after -1" -p 0 -d -1
bad "max-memory abc" -p 0 --max-memory abc
bad "max-memory 1X" -p 0 --max-memory 1X
bad "hello-timeout abc" -p 0 --hello-timeout abc
bad "hello-timeout -1" -p 0 --hello-timeout -1
# Below a millisecond, a timeout drops every connection and an exit-after
# stops at once; hex is refused, as for sizes.
bad "hello-timeout 1e-9" -p 0 --hello-timeout 1e-9
bad "hello-timeout 3601" -p 0 --hello-timeout 3601
bad "hello-timeout 0x1p1 (hex)" -p 0 --hello-timeout 0x1p1
bad "exit-after 1e-10" -p 0 -d 1e-10
bad "exit-after 0x1p3 (hex)" -p 0 -d 0x1p3
bad "idle-timeout 1e-9" -p 0 --idle-timeout 1e-9
bad "idle-timeout 86401" -p 0 --idle-timeout 86401
bad "idle-timeout abc" -p 0 --idle-timeout abc
bad "max-conns-per-host 0" -p 0 --max-conns-per-host 0
bad "max-conns-per-host abc" -p 0 --max-conns-per-host abc
bad "max-runs-per-host 0" -p 0 --max-runs-per-host 0
bad "max-runs-per-host 1000001" -p 0 --max-runs-per-host 1000001
bad "max-rate-per-host -1" -p 0 --max-rate-per-host -1
bad "max-rate-per-host abc" -p 0 --max-rate-per-host abc
bad "max-rate-per-host 1X" -p 0 --max-rate-per-host 1X
bad "max-rate-per-host 7 (below 8)" -p 0 --max-rate-per-host 7
bad "max-rate-per-host 1000001G (over 10^15)" -p 0 \
	--max-rate-per-host 1000001G
bad "max-rate-per-host 2^64" -p 0 --max-rate-per-host 18446744073709551616
bad "max-rate-per-host empty" -p 0 --max-rate-per-host ''
bad "empty bind address" -p 0 -b ''
bad "unknown long option" -p 0 --bogus
bad "unknown short option" -p 0 -x
bad "option without its value" -p
bad "stray argument" -p 0 extra

# A bind address this machine does not have (TEST-NET-1): runtime error.
nc_server_cmd "server -b 192.0.2.1" -p 0 -b 192.0.2.1
nc_check_rc 1 netcopy-server

# A bind address that does not resolve (.invalid never does, RFC 6761)
# says so, in one line.
nc_server_cmd "server -b nosuch.invalid" -p 0 -b nosuch.invalid
nc_check_rc 1 netcopy-server &&
	nc_check_stderr_matches "cannot resolve nosuch\.invalid" "the reason" &&
	nc_check "-b nosuch.invalid: one line on stderr" \
		test "$(wc -l <"$NC_ERR")" -eq 1

# A huge argument is cut in the message.
nc_server_cmd "server 10,000-character max-size" -p 0 \
	-s "$(printf 's%.0s' $(seq 10000))"
nc_check_rc 2 netcopy-server &&
	nc_check "10,000-character max-size: a short line" \
		test "$(wc -c <"$NC_ERR")" -lt 300

# The shortest exit-after is fine.
nc_server_cmd "server exit-after 0.001" -p 0 -b 127.0.0.1 -d 0.001
nc_check_rc 0 netcopy-server

# A port in use: runtime error.
nc_start_server -b 127.0.0.1
nc_server_cmd "server on a port in use" -p "$NC_PORT" -b 127.0.0.1
nc_check_rc 1 netcopy-server
nc_check "the first server still runs" nc_server_alive

nc_finish
