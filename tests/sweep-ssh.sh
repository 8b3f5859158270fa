#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netcopy-sweep --server-host over real OpenSSH (root only; skipped
# otherwise): two sshd, each in a network namespace of its own
# (tests/sshd-lib.sh).  Each runs a client, in its own namespace, against
# one server here (verified).  A tiny sweep (two-copy and one-copy, 1K and
# 64K, 1 thread) against the first writes its rows (Topology ssh:ADDR), its
# client reached ADDR (Host), which only the namespace has, through that
# sshd, and leaves no server in the namespace nor any process here.  A
# wrong port: exit 4, no point run, one line with ssh's reason.
# shellcheck disable=SC2016 # awk programs in single quotes
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
# shellcheck source-path=SCRIPTDIR source=sweep-lib.sh
. "$top_srcdir/tests/sweep-lib.sh"
# shellcheck source-path=SCRIPTDIR source=sshd-lib.sh
. "$top_srcdir/tests/sshd-lib.sh"

sw_init
sd_init
# The remote shell starts in root's home: the server by its full path.
remote_server=$(realpath "$NETCOPY_SERVER") || nc_error "no $NETCOPY_SERVER"

sd_start_host
sd_start_host

# ---- two hosts, each a namespace of its own, both clients of one server
# here (as --client-host H1,H2 will run them), reached at host 1's veth.
remote_client=$(realpath "$NETCOPY_CLIENT") || nc_error "no $NETCOPY_CLIENT"
nc_start_server
for i in 0 1; do
	addr=${SD_ADDRS[i]}
	ns=${SD_NETNS[i]}
	client="$remote_client -i ${SD_HOST_ADDRS[0]} -p $NC_PORT -m two-copy"
	client+=" -s 1K -t 1 -d 0.1 --verify -f csv"
	sd_run "host $((i + 1)) ($addr): a client against ${SD_HOST_ADDRS[0]}" \
		"$addr" "readlink /proc/self/ns/net >&2 && exec $client"
	nc_check_rc 0 && nc_check_csv_run two-copy 1024 1
	want=$(ip netns exec "$ns" readlink /proc/self/ns/net)
	got=$(head -n 1 "$NC_ERR")
	nc_checks=$((nc_checks + 1))
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		nc_pass "$NC_DESC: ran in $ns ($got)"
	else
		nc_fail "$NC_DESC: ran in '$got', expected $ns's $want"
		nc_show_run
	fi
done
nc_check "the two hosts are two namespaces" \
	[ "$(ip netns exec "${SD_NETNS[0]}" readlink /proc/self/ns/net)" != \
	  "$(ip netns exec "${SD_NETNS[1]}" readlink /proc/self/ns/net)" ]
nc_check "the server here runs after both hosts' clients" nc_server_alive
nc_check "the server stops on SIGTERM" nc_stop_server

# ---- the sweep against host 1
addr=${SD_ADDRS[0]}
out=$nc_tmp/ssh
logins=$(grep -c '^Accepted publickey for root ' "${SD_LOGS[0]}")
sw_run "--server-host $addr over sshd" --server-host "$addr" \
	--remote-server "$remote_server" -m two-copy,one-copy -s 1K,64K -t 1 \
	-d 0.2 -r 1 --no-plot -o "$out"
if nc_check_rc 0 netcopy-sweep; then
	sw_check_results "$out" 4 "ssh:$addr"
	nc_check "--server-host: the client connected to $addr (Host column)" \
		awk -F, -v addr="$addr" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["Host"] != addr { bad = 1 }
		END { exit bad || NR < 2 }' "$out/results.csv" ||
		nc_show "results.csv" "$out/results.csv"
	nc_check "--server-host: sshd 1 let the sweep in" [ "$(grep -c \
		"^Accepted publickey for root from ${SD_HOST_ADDRS[0]} " \
		"${SD_LOGS[0]}")" -gt "$logins" ] ||
		nc_show "sshd 1 log" "${SD_LOGS[0]}"
fi
if [ -s "$out/sweep.log" ]; then
	sw_check_nothing_left "$out"
	nc_checks=$((nc_checks + 1))
	if sd_wait_netns_idle "${SD_NETNS[0]}" "${SD_PIDS[0]}" 10; then
		nc_pass "$NC_DESC: only sshd left in ${SD_NETNS[0]}"
	else
		nc_fail "$NC_DESC: left in ${SD_NETNS[0]}: $SD_LEFT"
	fi
fi

# ---- a port nothing listens on
bad_port=$((SD_PORT + 1))
out=$nc_tmp/ssh-wrong-port
NETCOPY_SWEEP_SSH=${SD_SSH/-p $SD_PORT/-p $bad_port} \
	sw_run "--server-host $addr, ssh to port $bad_port" --server-host "$addr" \
	--remote-server "$remote_server" -m two-copy -s 1K -t 1 -d 0.2 -r 1 \
	--no-plot -o "$out"
# One line (the hosts are checked before anything runs), with ssh's
# reason as ssh gives it, naming the host; no point run.
if sw_check_one_line_error 4; then
	nc_check "$NC_DESC: the line names $addr and ssh's reason" \
		grep -qiE "${addr//./\\.}.*connection refused" "$NC_ERR"
	nc_check "$NC_DESC: no point ran" \
		[ "$(sw_data_rows "$out/results.csv")" -eq 0 ]
fi
nc_checks=$((nc_checks + 1))
if sw_wait_unmarked 5; then
	nc_pass "$NC_DESC: no process left"
else
	nc_fail "$NC_DESC: left behind: $SW_LEFT"
fi

nc_finish
