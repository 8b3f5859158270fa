#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A run's data connections must come from its control connection's
# address (a run id goes in clear: who saw it must not attach in the
# owner's place).  Over loopback every address is this host's, one
# origin (tests/flows-addr.sh), so this runs in a network namespace of
# its own with two addresses on lo that are not loopback's: a data
# connection from the second, for a run whose control connection came
# from the first, is refused with the reason and no run starts; a
# client from the first alone is served, one with --local-address over
# both refused.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_own_netns "$@"
# 198.18.0.0/15 is for benchmarks (RFC 2544), not routed.
one=198.18.7.1
two=198.18.7.2
if ! { ip addr add "$one/32" dev lo && ip addr add "$two/32" dev lo; }; then
	nc_skip "cannot add addresses to the namespace's lo"
fi

nc_init
nc_need_rawpeer

nc_start_server --hello-timeout 10
nc_rawpeer "control from $one, data from $two" -B "$one" connect \
	"$one" "$NC_PORT" full-hello two-copy 1024 1 1 0 1 0 \
	from "$two" attach 0 recv 5000
nc_check_peer_closed
nc_check "$NC_DESC: the data connection was refused with a reply" \
	grep -Eq '^recv [1-9][0-9]* bytes$' "$NC_OUT"
nc_check "$NC_DESC: the server says why" grep -Eq \
	"$two port [0-9]+: bad data connection: data connection from another address than its control connection" \
	"$NC_SERVER_ERR"
nc_check "$NC_DESC: no run ended ok" \
	test "$(grep -c 'run ended: ok' "$NC_SERVER_ERR")" -eq 0
nc_client "a client from $one, verified" -i "$one" -p "$NC_PORT" -t 2 \
	-d 0.3 --verify -f csv --local-address "$one"
nc_check_rc 0 && nc_check_csv_run two-copy 1024 2
nc_client "a client from $one and $two: refused" -i "$one" \
	-p "$NC_PORT" -t 2 -d 0.3 --local-address "$one,$two"
nc_check_rc 1
nc_stop_server

nc_finish
