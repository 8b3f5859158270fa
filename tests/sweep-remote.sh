#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netcopy-sweep --server-host and --server-cmd, without a lab machine: a
# stand-in ssh (NETCOPY_SWEEP_SSH) runs the remote command here with sh,
# as sshd would.  Checks the rows (Topology ssh:HOST), that the remote
# server ends when the sweep does (also when the sweep is killed with
# SIGKILL: its standard input closes), and --server-cmd with a prefix.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
# shellcheck source-path=SCRIPTDIR source=sweep-lib.sh
. "$top_srcdir/tests/sweep-lib.sh"

sw_init

# ssh [-o OPTION]... HOST COMMAND: log the call, run COMMAND with sh.
fake_ssh=$nc_tmp/ssh
cat >"$fake_ssh" <<EOS
#!/bin/sh
while [ \$# -gt 2 ]; do shift; done
printf '%s\n' "host=\$1" >>"$nc_tmp/ssh.calls"
exec sh -c "\$2"
EOS
chmod +x "$fake_ssh"

# sw_wait_gone: no process of this test's sweeps within 5 s.
out=$nc_tmp/remote
NETCOPY_SWEEP_SSH=$fake_ssh sw_run "--server-host" --server-host 127.0.0.1 \
	--remote-server "$NETCOPY_SERVER" -m two-copy,one-copy -s 1K,64K -t 1 \
	-d 0.2 -r 1 --no-plot -o "$out"
if nc_check_rc 0 netcopy-sweep; then
	sw_check_results "$out" 4 ssh:127.0.0.1
	nc_check "--server-host went through the ssh command" \
		grep -qx 'host=127.0.0.1' "$nc_tmp/ssh.calls"
fi
[ -s "$out/sweep.log" ] && sw_check_nothing_left "$out"

# Killed outright: the remote server sees its standard input close.
out=$nc_tmp/remote-kill
NC_DESC="--server-host, sweep killed with SIGKILL"
NC_OUT=$nc_tmp/remote-kill.out
NC_ERR=$nc_tmp/remote-kill.err
NETCOPY_SWEEP_SSH=$fake_ssh sw_start "$NC_OUT" "$NC_ERR" --server-host 127.0.0.1 \
	--remote-server "$NETCOPY_SERVER" -m two-copy -s 64,1K,4K,16K -t 1 -d 1 -r 1 \
	--no-plot -o "$out"
nc_checks=$((nc_checks + 1))
if sw_wait_rows "$out/results.csv" 1 25; then
	kill -KILL "$SW_PID"
	nc_wait_pid "$SW_PID" 5
	# The client of the point under way ends by itself (its server goes).
	sleep 1
	nc_pass "$NC_DESC: killed after a point"
	sw_check_nothing_left "$out"
else
	nc_fail "$NC_DESC: no point finished within 25 s"
	nc_signal "$SW_PID" KILL
	nc_wait_pid "$SW_PID" 5
	nc_show_run
fi

# --server-cmd: the server under a prefix (env here), the client local.
out=$nc_tmp/server-cmd
sw_run "--server-cmd" --server-cmd "env NETCOPY_SWEEP_PREFIXED=1" -m two-copy \
	-s 1K -t 1 -d 0.2 -r 1 --no-plot -o "$out"
if nc_check_rc 0 netcopy-sweep; then
	sw_check_results "$out" 1 loopback
	nc_check "--server-cmd: the server ran under the prefix" \
		grep -q '^server command: setsid env NETCOPY_SWEEP_PREFIXED=1 ' "$out/sweep.log"
fi
[ -s "$out/sweep.log" ] && sw_check_nothing_left "$out"

nc_finish
