# shellcheck shell=bash disable=SC2034,SC2154
# (SC2034: idle_fds and idle_threads are for the scripts; SC2154: they
# set $server.)
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tests/server-lib.sh - what the attack tests of the server's limits
# share (sourced after tests/lib.sh): the server's descriptors, VmRSS and
# threads before, during and after an attack, and its return to idle.
# The server is $server, a PID from nc_start_server.

# nc_srv_figures LABEL: the server's descriptors, VmRSS and threads.
nc_srv_figures() {
	nc_log "server $1: $(nc_proc_fds "$server") fds," \
		"$(nc_proc_rss_kb "$server") kB RSS," \
		"$(nc_proc_threads "$server") threads"
}

# nc_srv_idle LABEL: idle_fds and idle_threads, and the figures logged.  A
# sanitizer's runtime starts a thread of its own with the server's first
# one (ThreadSanitizer does): one more is idle there.
nc_srv_idle() {
	idle_fds=$(nc_proc_fds "$server")
	idle_threads=$(nc_proc_threads "$server")
	if nc_sanitized "$server"; then
		idle_threads=$((idle_threads + 1))
	fi
	nc_srv_figures "idle ($1)"
}

# nc_srv_wait_threads SECONDS: wait for the server to be back to its
# idle threads (a connection's thread ends a moment after its socket).
nc_srv_wait_threads() {
	local i

	for ((i = 0; i < $1 * 20; i++)); do
		[ "$(nc_proc_threads "$server")" -le "$idle_threads" ] &&
			return 0
		sleep 0.05
	done
	return 1
}

# nc_wait_grep PATTERN FILE SECONDS: wait for a line of FILE to match.
nc_wait_grep() {
	local i

	for ((i = 0; i < $3 * 20; i++)); do
		grep -Eq "$1" "$2" && return 0
		sleep 0.05
	done
	return 1
}

# nc_srv_back_to_idle: the server's descriptors and threads return to
# their idle counts, and it is still up; then it is stopped.
nc_srv_back_to_idle() {
	nc_check "descriptors back to $idle_fds (now $NC_FDS)" \
		nc_wait_fds "$server" "$idle_fds" 10
	nc_check "threads back to $idle_threads" nc_srv_wait_threads 10
	nc_srv_figures "after"
	nc_check "server alive" nc_server_alive
	nc_stop_server
}
