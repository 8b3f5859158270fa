#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The server's budgets as attacks on them.  --max-pinned: a slow reader
# of a zero-copy run holds all the pinned memory (its send ring); while
# it does, another zero-copy run is refused with the reason as its data
# connection attaches, a hello that could never fit is refused at once,
# and a normal two-copy client (which pins nothing) is served; once the
# deadline has cut the holder, a zero-copy run that needs the whole
# budget is served.  --max-memory-per-host: a slow reader from 127.0.0.1
# holds that host's budget; another run from 127.0.0.1 is refused with
# the reason, a run from another host (an address of this machine off
# the loopback, which is all one host) is served meanwhile, and once
# the holder is cut, 127.0.0.1 is served again.  The server's
# descriptors, VmRSS and threads are logged before, during and after,
# and return to their idle counts.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
# shellcheck source-path=SCRIPTDIR source=server-lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/server-lib.sh"

nc_init
nc_need_rawpeer

grace=5		# the server's RUN_GRACE_MS
slack=5		# a loaded machine's lateness

# holder NAME MODE SIZE THREADS: a 1 s run whose data connections are
# all attached, then read one byte a second on the last one.
holder() {
	local name=$1 mode=$2 size=$3 threads=$4 i actions=()

	for ((i = 0; i < threads; i++)); do
		actions+=(attach "$i")
	done
	"$NETCOPY_RAWPEER" -t $((NC_TIMEOUT + 10)) connect 127.0.0.1 \
		"$NC_PORT" full-hello "$mode" "$size" "$threads" 1 0 0 0 \
		"${actions[@]}" recv 500 trickle 1000 \
		>"$nc_tmp/$name.out" 2>"$nc_tmp/$name.err" </dev/null &
	holder_pid=$!
	nc_check "the $name run started (data on its last connection)" \
		nc_wait_grep '^recv [1-9][0-9]* bytes$' "$nc_tmp/$name.out" 10
}

# end_holder NAME: the deadline cuts it.
end_holder() {
	nc_check "the $1 run was cut by the deadline" \
		nc_wait_pid "$holder_pid" $((1 + grace + slack + 5))
	nc_pid_running "$holder_pid" && kill "$holder_pid" 2>/dev/null
}

# ---- --max-pinned 8M: zero-copy's send ring is 8 MiB of 4 MiB messages
# (and of smaller ones), all of it pinned while the server sends.
if "$NETCOPY_CLIENT" --list-modes | grep -q $'^zero-copy\tyes'; then
	nc_start_server --max-pinned 8M
	server=$NC_SERVER_PID
	nc_check_real_server "$server"
	nc_srv_idle "--max-pinned 8M"
	holder pinning zero-copy 4194304 1
	nc_srv_figures "during, 8 of 8 MiB pinned"
	nc_client "another zero-copy run while all is pinned" -p "$NC_PORT" \
		-m zero-copy -s 4M -t 1 -d 0.5
	nc_check_rc 1 && nc_check_stderr_matches \
		'pinned memory.*--max-pinned' "the server's reason"
	nc_client "a hello that could never be pinned" -p "$NC_PORT" \
		-m zero-copy -s 4M -t 2 -d 0.5
	nc_check_rc 1 && nc_check_stderr_matches \
		'run needs 16 MiB of pinned memory.*--max-pinned' \
		"the server's reason"
	nc_client "a two-copy client meanwhile" -p "$NC_PORT" -s 1M -t 2 \
		-d 0.5 --verify -f csv
	nc_check_rc 0 && nc_check_csv_run two-copy 1048576 2
	nc_srv_figures "during, after the other clients"
	end_holder pinning
	nc_client "a zero-copy run pinning all 8 MiB, after" -p "$NC_PORT" \
		-m zero-copy -s 64K -t 1 -d 0.5 --verify -f csv
	nc_check_rc 0 && nc_check_csv_run zero-copy 65536 1
	nc_srv_back_to_idle
else
	nc_log "zero-copy cannot run here: --max-pinned not tried"
fi

# ---- --max-memory-per-host 16M of --max-memory 64M
nc_start_server --max-memory 64M --max-memory-per-host 16M
server=$NC_SERVER_PID
nc_check_real_server "$server"
nc_srv_idle "--max-memory-per-host 16M"
holder hogging two-copy 4194304 4
nc_srv_figures "during, 127.0.0.1 holding its 16 MiB"
nc_client "another run from 127.0.0.1" -p "$NC_PORT" -s 4M -t 1 -d 0.5
nc_check_rc 1 && nc_check_stderr_matches \
	'buffers for one host.*--max-memory-per-host' "the server's reason"
nc_client "a hello above one host's budget" -p "$NC_PORT" -s 4M -t 5 \
	-d 0.5
nc_check_rc 1 && nc_check_stderr_matches \
	'run needs 20 MiB of buffers for one host' "the server's reason"
if other=$(nc_other_host); then
	nc_client "a run from $other, another host, meanwhile" -i "$other" \
		-p "$NC_PORT" -s 4M -t 4 -d 0.5 --verify -f csv
	nc_check_rc 0 && nc_check_csv_run two-copy 4194304 4
else
	nc_log "no address off the loopback here: no second host tried"
fi
if nc_have_ipv6_loopback; then
	nc_client "a run from ::1, the same loopback host" -i ::1 \
		-p "$NC_PORT" -s 4M -t 1 -d 0.5
	nc_check_rc 1 && nc_check_stderr_matches \
		'buffers for one host.*--max-memory-per-host' \
		"the server's reason"
fi
nc_srv_figures "during, after the other clients"
end_holder hogging
nc_client "127.0.0.1 again once its run was cut" -p "$NC_PORT" -s 4M \
	-t 4 -d 0.5 --verify -f csv
nc_check_rc 0 && nc_check_csv_run two-copy 4194304 4
nc_srv_back_to_idle

nc_finish
