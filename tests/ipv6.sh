#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# IPv6: the client reaches a server over ::1, whether the server listens
# on every address (dual stack) or on ::1 alone.  Skipped without ::1.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_have_ipv6_loopback || nc_skip "no ::1 on this machine"
nc_init

# ---- a server on every address
nc_start_server
nc_log "default server listens on $NC_ADDR port $NC_PORT"
for dir in "" -R; do
	nc_client "-i ::1 ${dir:-(server sends)} to a server on every address" -i ::1 \
		-p "$NC_PORT" -s 64K -t 2 -d 0.1 --verify -f csv ${dir:+"$dir"}
	nc_check_rc 0 && nc_check_csv_run two-copy 65536 2
done
nc_client "-i 127.0.0.1 to the same server" -i 127.0.0.1 -p "$NC_PORT" \
	-s 64K -t 2 -d 0.1 --verify
nc_check_rc 0
nc_stop_server

# ---- a server on ::1 only
nc_start_server -b ::1
nc_check "-b ::1: listening on ::1 (got $NC_ADDR)" [ "$NC_ADDR" = ::1 ]
for mode in two-copy one-copy; do
	nc_client "-i ::1 -m $mode to a server on ::1" -i ::1 -p "$NC_PORT" \
		-m "$mode" -s 4K -t 4 -d 0.1 --verify -f csv
	nc_check_rc 0 && nc_check_csv_run "$mode" 4096 4
done
nc_client "-i 127.0.0.1 to a server on ::1 only" -i 127.0.0.1 \
	-p "$NC_PORT" -d 0.1
nc_check_rc 1

nc_finish
