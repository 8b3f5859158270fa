#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netcopy-sweep --client-host over real OpenSSH (root only; skipped
# otherwise): two sshd, each in a network namespace of its own
# (tests/sshd-lib.sh), both running the clients of a tiny sweep at once
# against one server here, reached at host 1's veth (--connect), with
# -- --verify.  Its known_hosts comes through --ssh-option only.  The rows
# carry ClientHost, one per host and point, all verified (Mismatches 0);
# the server saw runs from both namespaces' own addresses, which only they
# have; summary.csv's ClientHost "all" rows are the hosts' sums; nothing
# is left.  SIGINT while the clients run: exit 130 and they end there
# too.  A remote client of another version, and hosts ssh cannot reach,
# are one line and exit 4 before any point runs.
# shellcheck disable=SC2016 # awk programs in single quotes
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
# shellcheck source-path=SCRIPTDIR source=sweep-lib.sh
. "$top_srcdir/tests/sweep-lib.sh"
# shellcheck source-path=SCRIPTDIR source=sshd-lib.sh
. "$top_srcdir/tests/sshd-lib.sh"

sw_init
sd_init
# The remote shell starts in root's home: the client by its full path.
remote_client=$(realpath "$NETCOPY_CLIENT") || nc_error "no $NETCOPY_CLIENT"

sd_start_host
sd_start_host
hosts=${SD_ADDRS[0]},${SD_ADDRS[1]}
connect=${SD_HOST_ADDRS[0]}

# sw_check_host_rows FILE ROWS: FILE (results.csv) starts Repeat,
# Topology,ClientHost and the client's columns; ROWS rows, half of them
# from each host, every one ok, verified with no mismatch.
sw_check_host_rows() {
	local res=$1 head

	nc_checks=$((nc_checks + 1))
	head=$(head -n 1 "$res" 2>/dev/null)
	if [[ $head != "Repeat,Topology,ClientHost,$NC_CSV_HEAD",* ]]; then
		nc_fail "$NC_DESC: results.csv header '$head'"
		return 1
	fi
	if ! awk -F, -v h1="${SD_ADDRS[0]}" -v h2="${SD_ADDRS[1]}" \
		-v rows="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ n[$c["ClientHost"]]++ }
		($c["ClientHost"] != h1 && $c["ClientHost"] != h2) ||
		$c["Status"] != "ok" || !($c["Throughput_Gbps"] > 0) ||
		$c["Verify"] != 1 || $c["Mismatches"] != "0" {
			print "bad row " NR - 1 ": ClientHost " $c["ClientHost"] \
				", Status " $c["Status"] ", Verify " $c["Verify"] \
				", Mismatches " $c["Mismatches"] > "/dev/stderr"
			bad = 1
		}
		END { exit bad || NR - 1 != rows || n[h1] != rows / 2 ||
			n[h2] != rows / 2 }' "$res"; then
		nc_fail "$NC_DESC: expected $2 verified rows, half from each host"
		nc_show "results.csv" "$res"
		return 1
	fi
	nc_pass "$NC_DESC: $2 verified rows, ClientHost ${SD_ADDRS[0]} and ${SD_ADDRS[1]}"
}

# sw_check_aggregate FILE POINTS: summary.csv has, per point, a row for
# each host and one for ClientHost "all" whose median throughput is the
# hosts' sum (one repeat: the sum of their medians).
sw_check_aggregate() {
	nc_checks=$((nc_checks + 1))
	if ! awk -F, -v points="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{
			k = $c["Implementation"] "/" $c["MessageSize"] "/" $c["Threads"]
			t = $c["Throughput_Gbps_median"]
			if ($c["ClientHost"] == "all") { all[k] = t; na++ }
			else { sum[k] += t; nh[k]++ }
		}
		END {
			if (na != points) exit 1
			for (k in all)
				if (nh[k] != 2 || all[k] - sum[k] > 1e-3 * sum[k] ||
				    sum[k] - all[k] > 1e-3 * sum[k]) {
					print k ": all " all[k] ", hosts sum " sum[k] > "/dev/stderr"
					exit 1
				}
		}' "$1"; then
		nc_fail "$NC_DESC: summary.csv lacks the hosts' aggregate rows"
		nc_show "summary.csv" "$1"
		return 1
	fi
	nc_pass "$NC_DESC: summary.csv: $2 ClientHost \"all\" rows, each the hosts' sum"
}

# sw_check_hosts_idle: within 10 s, nothing but its sshd runs in either
# host's namespace.
sw_check_hosts_idle() {
	local i

	for i in 0 1; do
		nc_checks=$((nc_checks + 1))
		if sd_wait_netns_idle "${SD_NETNS[i]}" "${SD_PIDS[i]}" 10; then
			nc_pass "$NC_DESC: only sshd left in ${SD_NETNS[i]}"
		else
			nc_fail "$NC_DESC: left in ${SD_NETNS[i]}: $SD_LEFT"
		fi
	done
}

# ---- the sweep: both hosts' clients at once against a server here
out=$nc_tmp/clients
sshd_logins=()
for log in "${SD_LOGS[@]}"; do
	sshd_logins+=("$(grep -c '^Accepted publickey for root ' "$log")")
done
NETCOPY_SWEEP_SSH=${SD_SSH/-o UserKnownHostsFile=$SD_KNOWN_HOSTS /} \
	sw_run "--client-host $hosts over sshd" --client-host "$hosts" \
	--remote-client "$remote_client" --connect "$connect" \
	--ssh-option "UserKnownHostsFile=$SD_KNOWN_HOSTS" \
	-m two-copy -s 1K,64K -t 1 -d 0.2 -r 1 --no-plot -o "$out" -- --verify
if nc_check_rc 0 netcopy-sweep; then
	sw_check_host_rows "$out/results.csv" 4
	sw_check_aggregate "$out/summary.csv" 2
	for i in 0 1; do
		addr=${SD_ADDRS[i]}
		# The server's log: "ADDR port N: run: ..." (ADDR maybe v4-mapped).
		nc_check "host $((i + 1)): the server served runs from $addr" \
			grep -Eq "server\| .*[: ]${addr//./\\.} port [0-9]+: run: " \
			"$out/sweep.log" || nc_show "sweep.log" "$out/sweep.log"
		nc_check "host $((i + 1)): its sshd let the sweep in" [ "$(grep -c \
			'^Accepted publickey for root ' "${SD_LOGS[i]}")" -gt \
			"${sshd_logins[i]}" ]
	done
	nc_check "report.md says how the aggregate is formed" \
		grep -q "ClientHost \*\*all\*\* is their aggregate" "$out/report.md"
fi
if [ -s "$out/sweep.log" ]; then
	sw_check_nothing_left "$out"
	sw_check_hosts_idle
fi

# ---- SIGINT to the sweep alone while both hosts' clients run (-d 30):
# exit 130, and the clients there end with the sweep, long before 30 s.
out=$nc_tmp/interrupted
NC_DESC="SIGINT while the clients run on $hosts"
NC_OUT=$nc_tmp/int.out
NC_ERR=$nc_tmp/int.err
NETCOPY_SWEEP_SSH=$SD_SSH sw_start "$NC_OUT" "$NC_ERR" --client-host "$hosts" \
	--remote-client "$remote_client" --connect "$connect" -m two-copy \
	-s 1K -t 1 -d 30 -r 1 --no-plot -o "$out"
running=0
nc_patience 60
ticks=$((NC_PATIENCE_MS / 100))
for ((i = 0; i < ticks; i++)); do
	[[ $(sd_netns_others "${SD_NETNS[0]}" "${SD_PIDS[0]}") == *"-d 30 "* &&
	   $(sd_netns_others "${SD_NETNS[1]}" "${SD_PIDS[1]}") == *"-d 30 "* ]] &&
		{ running=1; break; }
	nc_pid_running "$SW_PID" || break
	sleep 0.1
done
nc_checks=$((nc_checks + 1))
if [ "$running" = 1 ]; then
	kill -INT "$SW_PID"
	if ! nc_wait_pid "$SW_PID" 40; then
		nc_fail "$NC_DESC: the sweep did not end within 40 s"
		nc_signal "$SW_PID" KILL
		nc_wait_pid "$SW_PID" 5
	elif [ "$NC_WAIT_RC" -ne 130 ]; then
		nc_fail "$NC_DESC: exit $NC_WAIT_RC, expected 130"
		nc_show_run
	else
		nc_pass "$NC_DESC: exit 130"
	fi
	sw_check_hosts_idle
else
	nc_fail "$NC_DESC: the clients did not start in both namespaces within 60 s"
	nc_signal "$SW_PID" KILL
	nc_wait_pid "$SW_PID" 5
	nc_show_run
fi

# sw_check_refused DESCRIPTION WORD...: the latest sweep ran no point and
# gave one line, exit 4, holding every WORD.
sw_check_refused() {
	local word

	sw_check_one_line_error 4 || return 1
	for word in "${@:2}"; do
		nc_check "$1: the line names '$word'" grep -qF -- "$word" "$NC_ERR"
	done
	nc_check "$1: no point ran" [ "$(sw_data_rows "$out/results.csv")" -eq 0 ]
}

# ---- a remote client of another version
other=$nc_tmp/other-client
if ! printf '#!/bin/sh\necho "netcopy-client 0.0.0-other"\n' >"$other" ||
   ! chmod +x "$other"; then
	nc_error "cannot write $other"
fi
out=$nc_tmp/other-version
sw_run "--client-host, another netcopy version there" --client-host "$hosts" \
	--remote-client "$other" --connect "$connect" -m two-copy -s 1K -t 1 \
	-d 0.2 -r 1 --no-plot -o "$out"
sw_check_refused "another version" "${SD_ADDRS[0]}" 0.0.0-other

# ---- hosts ssh cannot reach: a port nothing listens on
bad_port=$((SD_PORT + 1))
out=$nc_tmp/unreachable
NETCOPY_SWEEP_SSH=${SD_SSH/-p $SD_PORT/-p $bad_port} \
	sw_run "--client-host, ssh to port $bad_port" --client-host "$hosts" \
	--remote-client "$remote_client" --connect "$connect" -m two-copy \
	-s 1K -t 1 -d 0.2 -r 1 --no-plot -o "$out"
sw_check_refused "unreachable" "${SD_ADDRS[0]}" "onnection refused"
nc_checks=$((nc_checks + 1))
if sw_wait_unmarked 5; then
	nc_pass "no process left after the refused sweeps"
else
	nc_fail "left behind: $SW_LEFT"
fi

nc_finish
