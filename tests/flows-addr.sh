#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netcopy-client --local-address LIST: the data connections' source
# addresses, round robin over LIST, the control connection's the first:
# - --flows 8 -t 2 --verify from 127.0.0.2,127.0.0.3, both directions,
#   at a server that allows only those two (so 127.0.0.1 was not used),
#   and the run line in the server's log from 127.0.0.2;
# - the same at a server that allows only 127.0.0.2: refused, the log
#   naming 127.0.0.3 (so the second address was used);
# - bad input: not an address, an empty one, more than 64 (usage
#   errors: exit 2, one line); an address not on this host and one of
#   the other family than the server's fail with the reason;
# - --per-flow (with jq): JSON's result.flow_bytes has Flows counts that
#   sum to result.bytes, verified, from two addresses, where the client
#   receives and with -R, where the server says them (1,100 flows: three
#   of its messages); with --bidir each object has its own; with another
#   format or rr it is a usage error.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init

nc_start_server --allow 127.0.0.2/32,127.0.0.3/32
for dir in "" -R; do
	nc_client "two addresses, --flows 8 -t 2 ${dir:-forward}, verified" \
		-p "$NC_PORT" -t 2 --flows 8 \
		-d 0.5 --verify -f csv --local-address 127.0.0.2,127.0.0.3 $dir
	nc_check_rc 0 && nc_check_csv_run two-copy 1024 2 &&
		nc_csv_load "$NC_OUT" &&
		nc_check "$NC_DESC: Flows ${NC_CSV[Flows]}, expected 8" \
			test "${NC_CSV[Flows]}" = 8
done
nc_check "the control connections came from 127.0.0.2" \
	test "$(grep -c '^netcopy-server: ::ffff:127.0.0.2 port [0-9]*: run:' \
		"$NC_SERVER_ERR")" -eq 2

# check_flow_bytes FLOWS [LINE [any]]: the latest run's JSON
# result.flow_bytes (of its object on LINE, default 1), one count a
# flow, each above 0 (but with any: in half a second over two threads
# not every one of a thousand flows need have had its turn), their sum
# the run's bytes.
check_flow_bytes() {
	local n=$1 count sum bytes moved

	read -r count sum bytes moved < <(sed -n "${2:-1}p" "$NC_OUT" | jq -r \
		'.result | "\(.flow_bytes | length) \(.flow_bytes | add)" +
		" \(.bytes) \([.flow_bytes[] | select(. > 0)] | length)"')
	nc_check "$NC_DESC: $count counts in flow_bytes, expected $n" \
		test "$count" = "$n"
	nc_check "$NC_DESC: flow_bytes sum to $sum, bytes $bytes" \
		test "$sum" = "$bytes"
	[ "${3:-}" = any ] || nc_check "$NC_DESC: $moved of $n flows moved" \
		test "$moved" = "$n"
}

if command -v jq >/dev/null; then
	nc_client "--per-flow --flows 8 -t 2 from two addresses, verified" \
		-p "$NC_PORT" -t 2 --flows 8 -d 0.5 --verify -f json \
		--per-flow --local-address 127.0.0.2,127.0.0.3
	nc_check_rc 0 && check_flow_bytes 8
	nc_client "--per-flow -t 3 without --flows" -p "$NC_PORT" -t 3 \
		-d 0.3 --verify -f json --per-flow --local-address 127.0.0.2
	nc_check_rc 0 && check_flow_bytes 3
	nc_client "--per-flow -R --flows 8 -t 2 from two addresses, verified" \
		-p "$NC_PORT" -t 2 --flows 8 -d 0.5 --verify -f json -R \
		--per-flow --local-address 127.0.0.2,127.0.0.3
	nc_check_rc 0 && check_flow_bytes 8
	nc_scale 1100 8
	nc_client "--per-flow -R --flows $NC_SCALED -t 2" -p "$NC_PORT" \
		-t 2 --flows "$NC_SCALED" -d 0.5 -f json -R --per-flow \
		--local-address 127.0.0.2,127.0.0.3
	nc_check_rc 0 && check_flow_bytes "$NC_SCALED" 1 any
	nc_client "--per-flow --bidir" -p "$NC_PORT" -t 2 --flows 4 -d 0.3 \
		-f json --per-flow --bidir --local-address 127.0.0.3
	nc_check_rc 0 && check_flow_bytes 4 &&
		nc_check "$NC_DESC: the second object is client-sends" \
		test "$(sed -n 2p "$NC_OUT" | jq -r .params.direction)" = \
		client-sends && check_flow_bytes 4 2
else
	nc_log "jq not found: --per-flow's arrays not checked"
fi
nc_client_usage_error "--per-flow in CSV" \
	"^netcopy-client: --per-flow writes JSON only: add -f json$" \
	-p "$NC_PORT" --per-flow -f csv
nc_client_usage_error "--per-flow with rr" \
	"^netcopy-client: --per-flow: a stream's only, not rr$" \
	-p "$NC_PORT" --per-flow -f json -w rr

nc_stop_server

nc_start_server --allow 127.0.0.2/32
nc_client "two addresses at a server allowing the first only" \
	-p "$NC_PORT" -t 2 --flows 8 -d 0.5 \
	--local-address 127.0.0.2,127.0.0.3
nc_check_rc 1
nc_check "the server refused data connections from 127.0.0.3" \
	grep -q '^netcopy-server: ::ffff:127.0.0.3 port [0-9]*: refused: not in --allow$' \
	"$NC_SERVER_ERR"
nc_client "--local-address 127.0.0.2 alone there" -p "$NC_PORT" -t 2 \
	--flows 8 -d 0.2 --verify --local-address 127.0.0.2
nc_check_rc 0

many=$(printf '127.0.0.%d,' $(seq 1 65))
nc_client_usage_error "--local-address not an address" \
	"invalid local-address '127.0.0.2,bogus': 'bogus' is not a numeric" \
	-p "$NC_PORT" --local-address 127.0.0.2,bogus
nc_client_usage_error "--local-address with an empty address" \
	"invalid local-address '127.0.0.2,,127.0.0.3': an empty address$" \
	-p "$NC_PORT" --local-address 127.0.0.2,,127.0.0.3
nc_client_usage_error "--local-address ending in a comma" \
	"': an empty address$" -p "$NC_PORT" --local-address 127.0.0.2,
nc_client_usage_error "--local-address of 65 addresses" \
	"more than 64 addresses" -p "$NC_PORT" --local-address "${many%,}"
# 192.0.2.0/24 is documentation's (RFC 5737): on no host.
nc_client "--local-address not on this host" -p "$NC_PORT" -d 0.2 \
	--local-address 192.0.2.1
nc_check_rc 1 && nc_check_stderr_matches \
	'^netcopy-client: cannot bind to local address 192\.0\.2\.1: ' \
	"the address"
nc_client "--local-address of the other family" -p "$NC_PORT" -d 0.2 \
	--local-address ::1
nc_check_rc 1 && nc_check_stderr_matches \
	'^netcopy-client: local address ::1 is IPv6, but 127\.0\.0\.1 has no IPv6 address' \
	"the family"
nc_stop_server

nc_finish
