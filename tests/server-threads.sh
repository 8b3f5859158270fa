#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A thread the server cannot start is a refusal with its reason, not a
# reset: the server is put in a pids cgroup (v1 or v2) that lets it have
# only 3 tasks, a -t 4 client is refused with "cannot start a thread:
# ..." in one line, the server stays up, and with the limit lifted it
# serves again; a --flows 64 -t 2 run needs no more than 3 threads (its
# members attach without one).  Its descriptors and threads are logged before, during
# and after.  Needs root and a writable pids cgroup; skips otherwise.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
[ "$(id -u)" = 0 ] || nc_skip "needs root, for a pids cgroup"

# A pids cgroup of our own: cgroup v1's pids hierarchy, or v2's root
# where it delegates pids.
cg=
for base in /sys/fs/cgroup/pids /sys/fs/cgroup; do
	if [ ! -d "$base" ] || [ ! -w "$base" ]; then
		continue
	fi
	dir=$base/netcopy-test-$$
	mkdir "$dir" 2>/dev/null || continue
	if [ -w "$dir/pids.max" ] && [ -w "$dir/cgroup.procs" ]; then
		cg=$dir
		break
	fi
	rmdir "$dir"
done
[ -n "$cg" ] || nc_skip "no writable pids cgroup here"

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	nc_cleanup
	rmdir "$cg" 2>/dev/null
}
trap cleanup EXIT

# shellcheck disable=SC2317 # run through nc_check or another helper
not_reset() {
	! grep -qi 'reset by peer' "$1"
}

# threads_back N: wait (10 s at most) for the server to have N threads.
# shellcheck disable=SC2317 # run through nc_check or another helper
threads_back() {
	local i

	nc_patience 10
	for ((i = 0; i < NC_PATIENCE_S * 10; i++)); do
		[ "$(nc_proc_threads "$NC_SERVER_PID")" -le "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

figures() {
	nc_log "$1: $(nc_proc_fds "$NC_SERVER_PID") descriptors," \
		"$(nc_proc_threads "$NC_SERVER_PID") threads," \
		"VmRSS $(nc_proc_rss_kb "$NC_SERVER_PID") kB"
}

nc_start_server
nc_check_real_server
echo "$NC_SERVER_PID" >"$cg/cgroup.procs" ||
	nc_skip "cannot move the server into $cg"
idle_threads=$(nc_proc_threads "$NC_SERVER_PID")
figures "idle"
# A sanitizer's runtime starts a thread of its own with the first ones
# (ThreadSanitizer does): one more may be there after.
after_threads=$idle_threads
if nc_sanitized "$NC_SERVER_PID"; then
	after_threads=$((idle_threads + 1))
fi
# The server's threads, one for the control connection and one for the
# first data connection; no more.
echo $((idle_threads + 2)) >"$cg/pids.max" || nc_error "cannot set pids.max"

nc_client "-t 4 with room for 2 threads" -p "$NC_PORT" -t 4 -d 0.2
figures "during, pids.max $((idle_threads + 2))"
nc_check_rc 1 &&
	nc_check_stderr_matches 'server refused: cannot start a thread: ' \
		"the reason"
nc_check "one line on stderr" test "$(wc -l <"$NC_ERR")" -eq 1
nc_check "the client saw no reset" \
	not_reset "$NC_ERR"
nc_check "the server logged it" \
	grep -q 'refused: cannot start a thread: ' "$NC_SERVER_ERR"
nc_check "the server is still running" nc_server_alive

echo max >"$cg/pids.max" || nc_error "cannot lift pids.max"
nc_client "-t 4 with the limit lifted" -p "$NC_PORT" -t 4 -d 0.2 --verify \
	-f csv
nc_check_rc 0 && nc_check_csv_run two-copy 1024 4
nc_check "threads back to $after_threads" threads_back "$after_threads"

# --flows above -t: a thread for the control connection and one for
# each of the -t groups; the members attach without one.
echo $((after_threads + 3)) >"$cg/pids.max" ||
	nc_error "cannot set pids.max"
nc_client "--flows 64 -t 2 with room for 3 threads" -p "$NC_PORT" -t 2 \
	--flows 64 -d 0.2 --verify -f csv
figures "after --flows, pids.max $((after_threads + 3))"
nc_check_rc 0 && nc_check_csv_run two-copy 1024 2
echo max >"$cg/pids.max" || nc_error "cannot lift pids.max"
nc_check "threads back to $after_threads after --flows" \
	threads_back "$after_threads"
figures "after"
nc_stop_server
nc_finish
