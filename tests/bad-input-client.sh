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

# Options themselves
bad "unknown long option" "${p[@]}" -d 0.1 --bogus
bad "unknown short option" "${p[@]}" -d 0.1 -x
bad "option without its value" "${p[@]}" -d 0.1 -s
bad "stray argument" "${p[@]}" -d 0.1 extra

# Limits that are fine: the extremes run.
nc_client "client size 64M (the largest)" "${p[@]}" -s 64M -t 1 -d 0.1
nc_check_rc 0
nc_client "client size 1K as 1k" "${p[@]}" -s 1k -t 1 -d 0.05
nc_check_rc 0
nc_client "client duration .05" "${p[@]}" -t 1 -d .05
nc_check_rc 0

nc_check "server still running" nc_server_alive
nc_finish
