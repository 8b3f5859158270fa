#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# --local-address past one source address's ephemeral ports: in a
# network namespace of its own (unshare -rn; skipped where user
# namespaces are not allowed) whose ephemeral range is 100 ports, 150
# flows to one server port cannot all come from 127.0.0.1 (the run fails
# at a connect, with the reason), and from 127.0.0.1,127.0.0.2 they do,
# verified.  The range is the namespace's own: the host's is untouched.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

ports=100
flows=150

nc_own_netns "$@"
echo "40000 $((40000 + ports - 1))" >/proc/sys/net/ipv4/ip_local_port_range ||
	nc_skip "cannot set the namespace's ephemeral port range"

nc_init

nc_start_server --max-conns 1000 --max-conns-per-host 1000
# First the run that fits: the one that does not leaves TIME_WAITs.
nc_client "$flows flows from two addresses, $ports ports each, verified" \
	-p "$NC_PORT" -t 2 --flows "$flows" -d 0.3 --verify \
	-f csv --local-address 127.0.0.1,127.0.0.2
nc_check_rc 0 && nc_check_csv_run two-copy 1024 2 &&
	nc_csv_load "$NC_OUT" &&
	nc_check "$NC_DESC: Flows ${NC_CSV[Flows]}, expected $flows" \
		test "${NC_CSV[Flows]}" = "$flows"
nc_client "$flows flows from one address over $ports ports" \
	-p "$NC_PORT" -t 2 --flows "$flows" -d 0.3
nc_check_rc 1 && nc_check_stderr_matches \
	'^netcopy-client: cannot connect to 127\.0\.0\.1 port [0-9]+: Cannot assign requested address$' \
	"the exhausted ports"
nc_stop_server

nc_finish
