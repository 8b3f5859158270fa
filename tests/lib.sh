# shellcheck shell=bash disable=SC2034,SC2119,SC2120
# (SC2034: NC_* results are for the scripts; SC2119/SC2120: optional args.)
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tests/lib.sh - what the integration tests share.  Sourced by each
# tests/*.sh script, which then calls nc_init first and nc_finish last.
#
# Exit codes of a test: 0 pass, 1 fail, 77 skip, 99 hard error (the test
# itself could not run: no programs, no server start, ...).
#
# Environment (set by AM_TESTS_ENVIRONMENT in Makefile.am): NETCOPY_SERVER,
# NETCOPY_CLIENT, NETCOPY_RAWPEER, top_srcdir, top_builddir.  Run by hand
# from the build tree, the defaults below find them too.
#
# Every client and rawpeer run is bounded by `timeout`, every server is
# started on a free port (-p 0) and stopped on exit, and all files go to a
# private temporary directory that is removed on exit (kept when
# NETCOPY_TEST_KEEP is set, to look into a failure).
#
# Every timeout and deadline is stretched by NETCOPY_TEST_TIMEOUT_FACTOR
# (nc_patience), which CI raises under the sanitizers and valgrind:
# NETCOPY_TEST_SCALE shrinks the work, the factor stretches the patience.

set -u

# Unset what would change the programs' behaviour behind a test's back;
# NETCOPY_TEST_DISABLE_MODES sets it on purpose, for every test (CI's
# unprivileged distcheck leaves out the io_uring modes, whose pinned
# memory is charged to an 8 MiB RLIMIT_MEMLOCK shared by parallel tests).
if [ -n "${NETCOPY_TEST_DISABLE_MODES:-}" ]; then
	export NETCOPY_DISABLE_MODES=$NETCOPY_TEST_DISABLE_MODES
else
	unset NETCOPY_DISABLE_MODES
fi
# The tests that force user-space pacing set it per program.
unset NETCOPY_PACING

nc_me=$(basename "$0" .sh)
: "${top_builddir:=.}"
: "${top_srcdir:=$(dirname "$0")/..}"
: "${NETCOPY_SERVER:=$top_builddir/src/netcopy-server}"
: "${NETCOPY_CLIENT:=$top_builddir/src/netcopy-client}"
: "${NETCOPY_RAWPEER:=$top_builddir/tests/rawpeer}"

# shellcheck source=tests/modes-lib.sh
. "$top_srcdir/tests/modes-lib.sh"

# Seconds any one client or rawpeer run may take (times the factor).
NC_TIMEOUT=30

nc_failures=0
nc_checks=0
nc_tmp=
nc_server_pids=()
nc_server_count=0
nc_run_count=0

# Results of the latest nc_run / nc_start_server.
NC_RC=0
NC_OUT=
NC_ERR=
NC_DESC=
NC_PORT=
NC_ADDR=
NC_SERVER_PID=
NC_SERVER_OUT=
NC_SERVER_ERR=

# nc_patience SECONDS: set NC_PATIENCE to SECONDS (a whole or decimal
# number) times NETCOPY_TEST_TIMEOUT_FACTOR, in seconds as timeout(1) and
# sleep take them, NC_PATIENCE_MS to the same in milliseconds (both
# rounded up to a millisecond) and NC_PATIENCE_S to it rounded up to a
# whole second (for $SECONDS, and rawpeer's -t).  The factor is 1 by
# default, a whole or decimal number above 0 with at most 3 decimals;
# anything else is a hard error.  Every timeout and deadline of the
# tests goes through here; lower bounds ("not before 1 s") do not.  A
# loop copies what it needs before it runs: a call inside it changes
# them.  No subshell: loops of hundreds of runs call it.
NC_PATIENCE=
NC_PATIENCE_MS=
NC_PATIENCE_S=
nc_patience() {
	local factor=${NETCOPY_TEST_TIMEOUT_FACTOR:-1} v frac ms=()

	for v in "$1" "$factor"; do
		if [[ ! $v =~ ^([0-9]+)(\.([0-9]{1,3}))?$ ]]; then
			[ "$v" = "$1" ] && nc_error "nc_patience: '$1' seconds"
			nc_error "NETCOPY_TEST_TIMEOUT_FACTOR='$factor'" \
				"is not a number above 0 (at most 3 decimals)"
		fi
		frac=${BASH_REMATCH[3]}000
		ms+=($((10#${BASH_REMATCH[1]} * 1000 + 10#${frac:0:3})))
	done
	if [ "${ms[1]}" -eq 0 ]; then
		nc_error "NETCOPY_TEST_TIMEOUT_FACTOR='$factor' is not above 0"
	fi
	NC_PATIENCE_MS=$(((ms[0] * ms[1] + 999) / 1000))
	NC_PATIENCE=$((NC_PATIENCE_MS / 1000))
	NC_PATIENCE_S=$(((NC_PATIENCE_MS + 999) / 1000))
	if ((NC_PATIENCE_MS % 1000)); then
		printf -v NC_PATIENCE '%d.%03d' "$NC_PATIENCE" \
			$((NC_PATIENCE_MS % 1000))
	fi
}

nc_log() {
	printf '%s: %s\n' "$nc_me" "$*"
}

# A hard error: the test cannot go on.
nc_error() {
	printf '%s: ERROR: %s\n' "$nc_me" "$*" >&2
	exit 99
}

nc_skip() {
	printf '%s: SKIP: %s\n' "$nc_me" "$*"
	exit 77
}

# A failed check: recorded, and the test goes on to the next check.
nc_fail() {
	nc_failures=$((nc_failures + 1))
	printf '%s: FAIL: %s\n' "$nc_me" "$*" >&2
}

nc_pass() {
	printf '%s: ok: %s\n' "$nc_me" "$*"
}

# nc_show LABEL FILE [head|tail]: show 40 lines of a file in the log,
# indented, with a label.
nc_show() {
	local label=$1 file=$2 end=${3:-head}

	[ -s "$file" ] || return 0
	printf '  --- %s:\n' "$label"
	sed -e 's/^/  | /' "$file" | "$end" -n 40
}

nc_cleanup() {
	local pid

	for pid in ${nc_server_pids[@]+"${nc_server_pids[@]}"}; do
		nc_signal "$pid" TERM
	done
	for pid in ${nc_server_pids[@]+"${nc_server_pids[@]}"}; do
		nc_wait_pid "$pid" 5 || nc_signal "$pid" KILL
	done
	if [ -n "$nc_tmp" ] && [ -d "$nc_tmp" ]; then
		if [ -n "${NETCOPY_TEST_KEEP:-}" ]; then
			printf '%s: kept %s\n' "$nc_me" "$nc_tmp" >&2
		else
			rm -rf "$nc_tmp"
		fi
	fi
}

nc_init() {
	local prog

	for prog in "$NETCOPY_SERVER" "$NETCOPY_CLIENT"; do
		[ -x "$prog" ] || nc_error "$prog is not built"
	done
	command -v timeout >/dev/null || nc_skip "timeout(1) not found"
	nc_patience 0	# a bad factor stops the test here
	nc_tmp=$(mktemp -d "${TMPDIR:-/tmp}/netcopy-$nc_me.XXXXXX") ||
		nc_error "mktemp -d failed"
	trap nc_cleanup EXIT
	trap 'exit 99' HUP INT TERM
}

# nc_own_netns "$@": before nc_init, run this test again in a user and
# network namespace of its own (unshare -rn: no root needed where user
# namespaces are allowed, skipped where not), with lo up; its sysctls
# and addresses are its own.
nc_own_netns() {
	if [ -z "${NC_IN_NETNS:-}" ]; then
		command -v unshare >/dev/null || nc_skip "unshare(1) not found"
		command -v ip >/dev/null || nc_skip "ip(8) not found"
		unshare -rn true 2>/dev/null ||
			nc_skip "no network namespace of our own (unshare -rn)"
		NC_IN_NETNS=1 exec unshare -rn "$BASH" "$0" "$@"
	fi
	ip link set lo up || nc_error "cannot bring lo up in the namespace"
}

nc_need_rawpeer() {
	[ -x "$NETCOPY_RAWPEER" ] || nc_error "$NETCOPY_RAWPEER is not built"
}

nc_need_jq() {
	command -v jq >/dev/null || nc_skip "jq not found"
}

nc_finish() {
	local i

	if [ "$nc_failures" -gt 0 ]; then
		# The servers' side of the story.
		for ((i = 1; i <= nc_server_count; i++)); do
			nc_show "server $i stderr" "$nc_tmp/server$i.err" tail
		done
		printf '%s: %d of %d checks failed\n' "$nc_me" "$nc_failures" \
			"$nc_checks" >&2
		exit 1
	fi
	printf '%s: all %d checks passed\n' "$nc_me" "$nc_checks"
	exit 0
}

# nc_pid_running PID: is PID still a running child of this shell?  Not
# just kill -0: once the shell has reaped a child its PID may be reused,
# by another test's server too (tests run in parallel and PIDs wrap), so
# the process must also still be ours and not a zombie.
nc_pid_running() {
	local stat state ppid

	if [ ! -r /proc/self/stat ]; then
		kill -0 "$1" 2>/dev/null
		return
	fi
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	stat=${stat##*) }
	read -r state ppid _ <<<"$stat"
	[ "$state" != Z ] && [ "$ppid" = "$$" ]
}

# nc_signal PID SIGNAL: signal PID only while it is our running child.
nc_signal() {
	nc_pid_running "$1" && kill -"$2" "$1" 2>/dev/null
}

# Drop PID from the servers the cleanup stops.
nc_forget_pid() {
	local pid keep=()

	for pid in ${nc_server_pids[@]+"${nc_server_pids[@]}"}; do
		[ "$pid" = "$1" ] || keep+=("$pid")
	done
	nc_server_pids=(${keep[@]+"${keep[@]}"})
}

# nc_wait_pid PID SECONDS: wait up to SECONDS (times the factor) for PID
# (a child of this shell) to end.  Returns 0 with its exit status in
# NC_WAIT_RC, 1 if it is still running.
NC_WAIT_RC=
nc_wait_pid() {
	local pid=$1 i ticks

	nc_patience "$2"
	ticks=$((NC_PATIENCE_MS / 50))
	for ((i = 0; i < ticks; i++)); do
		if ! nc_pid_running "$pid"; then
			wait "$pid" 2>/dev/null
			NC_WAIT_RC=$?
			nc_forget_pid "$pid"
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# nc_start_server [OPTION...]: start a server on a free port (-p 0 is
# added) with these options, wait (10 s at most, times the factor) for
# its "listening" line and set NC_PORT, NC_ADDR, NC_SERVER_PID,
# NC_SERVER_OUT, NC_SERVER_ERR.
# The server runs in the background until nc_stop_server or the end.
# Environment for the server alone: nc_start_server_env VAR=VALUE ... --
# OPTION...
nc_start_server() {
	nc_start_server_env -- "$@"
}

nc_start_server_env() {
	local envs=() line i ticks

	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	nc_server_count=$((nc_server_count + 1))
	NC_SERVER_OUT=$nc_tmp/server$nc_server_count.out
	NC_SERVER_ERR=$nc_tmp/server$nc_server_count.err
	# Created here: the background job may not have opened them yet.
	: >"$NC_SERVER_OUT"
	: >"$NC_SERVER_ERR"
	env ${envs[@]+"${envs[@]}"} "$NETCOPY_SERVER" -p 0 "$@" \
		>"$NC_SERVER_OUT" 2>"$NC_SERVER_ERR" </dev/null &
	NC_SERVER_PID=$!
	nc_server_pids+=("$NC_SERVER_PID")
	NC_PORT=
	NC_ADDR=
	# The line is whole once its newline is there.
	nc_patience 10
	ticks=$((NC_PATIENCE_MS / 50))
	for ((i = 0; i < ticks; i++)); do
		[ "$(wc -l <"$NC_SERVER_OUT")" -ge 1 ] && break
		if ! nc_pid_running "$NC_SERVER_PID"; then
			nc_show "server stderr" "$NC_SERVER_ERR"
			nc_error "server $* died before listening"
		fi
		sleep 0.05
	done
	line=$(head -n 1 "$NC_SERVER_OUT")
	if [[ $line =~ ^netcopy-server:\ listening\ on\ ([^ ]+)\ port\ ([0-9]+)$ ]]; then
		NC_ADDR=${BASH_REMATCH[1]}
		NC_PORT=${BASH_REMATCH[2]}
	else
		nc_show "server stdout" "$NC_SERVER_OUT"
		nc_show "server stderr" "$NC_SERVER_ERR"
		nc_error "no 'netcopy-server: listening on ADDR port N' line" \
			"from server $* within $NC_PATIENCE s (got '$line')"
	fi
	if [ "$NC_PORT" -lt 1 ] || [ "$NC_PORT" -gt 65535 ]; then
		nc_error "server reported port $NC_PORT"
	fi
}

# nc_stop_server [PID]: SIGTERM the server (the latest one by default)
# and wait for it; NC_WAIT_RC is its exit status.  Returns 1 if it did not
# end within 5 s times the factor (it is then killed).
nc_stop_server() {
	local pid=${1:-$NC_SERVER_PID}

	nc_signal "$pid" TERM
	if ! nc_wait_pid "$pid" 5; then
		nc_signal "$pid" KILL
		nc_wait_pid "$pid" 5
		return 1
	fi
	return 0
}

# nc_server_alive [PID]: is the server (the latest one by default) still
# running?
nc_server_alive() {
	nc_pid_running "${1:-$NC_SERVER_PID}"
}

# nc_run DESCRIPTION COMMAND...: run a command bounded by timeout
# (NC_TIMEOUT times the factor: NC_RUN_LIMIT), stdout to NC_OUT, stderr
# to NC_ERR, status in NC_RC.  Prefix the command with env VAR=VALUE for
# its environment.
NC_RUN_LIMIT=
nc_run() {
	local kill

	NC_DESC=$1
	shift
	nc_run_count=$((nc_run_count + 1))
	NC_OUT=$nc_tmp/run$nc_run_count.out
	NC_ERR=$nc_tmp/run$nc_run_count.err
	nc_patience 5
	kill=$NC_PATIENCE
	nc_patience "$NC_TIMEOUT"
	NC_RUN_LIMIT=$NC_PATIENCE
	timeout -k "$kill" "$NC_RUN_LIMIT" "$@" >"$NC_OUT" 2>"$NC_ERR" \
		</dev/null
	NC_RC=$?
}

# nc_client DESCRIPTION OPTION...: nc_run of the client.
nc_client() {
	local desc=$1

	shift
	nc_run "$desc" "$NETCOPY_CLIENT" "$@"
}

# nc_server_cmd DESCRIPTION OPTION...: nc_run of a server in the
# foreground (for option errors, --help, ...).
nc_server_cmd() {
	local desc=$1

	shift
	nc_run "$desc" "$NETCOPY_SERVER" "$@"
}

# nc_rawpeer DESCRIPTION ARG...: nc_run of rawpeer.
nc_rawpeer() {
	local desc=$1

	shift
	nc_rawpeer_limit "$@"
	nc_run "$desc" "$NETCOPY_RAWPEER" "${NC_RAWPEER_ARGS[@]}"
}

# nc_rawpeer_limit ARG...: set NC_RAWPEER_ARGS to rawpeer's ARG... with
# its safety net (-t SECONDS, default 20) times the factor, in whole
# seconds as rawpeer takes them.
NC_RAWPEER_ARGS=()
nc_rawpeer_limit() {
	local limit=20

	if [ "${1:-}" = -t ]; then
		limit=$2
		shift 2
	fi
	nc_patience "$limit"
	NC_RAWPEER_ARGS=(-t "$NC_PATIENCE_S" "$@")
}

# Report the latest run's output after a failed check.
nc_show_run() {
	nc_show "stdout" "$NC_OUT"
	nc_show "stderr" "$NC_ERR"
}

# nc_check_rc EXPECTED [PROGRAM]: check the latest run's exit status.  It
# must never be a timeout (124) or a signal (>= 128).  For a non-zero
# EXPECTED, stderr must hold a message whose every line starts with
# PROGRAM (netcopy-client by default; the libtool "lt-" prefix is
# allowed).  Returns 0 when all held.
nc_check_rc() {
	local want=$1 prog=${2:-netcopy-client} ok=0

	nc_checks=$((nc_checks + 1))
	if [ "$NC_RC" -eq 124 ] || [ "$NC_RC" -eq 137 ]; then
		nc_fail "$NC_DESC: timed out after ${NC_RUN_LIMIT}s (hung?)"
		ok=1
	elif [ "$NC_RC" -ge 128 ]; then
		nc_fail "$NC_DESC: killed by signal $((NC_RC - 128))" \
			"(exit $NC_RC), expected exit $want"
		ok=1
	elif [ "$NC_RC" -ne "$want" ]; then
		nc_fail "$NC_DESC: exit $NC_RC, expected $want"
		ok=1
	elif [ "$want" -ne 0 ]; then
		if [ ! -s "$NC_ERR" ]; then
			nc_fail "$NC_DESC: exit $NC_RC but nothing on stderr"
			ok=1
		elif grep -Ev "^(lt-)?${prog}[: ]" "$NC_ERR" >/dev/null; then
			nc_fail "$NC_DESC: a stderr line does not start with" \
				"'$prog'"
			ok=1
		fi
	fi
	if [ "$ok" -ne 0 ]; then
		nc_show_run
		return 1
	fi
	if [ "$want" -ne 0 ]; then
		nc_pass "$NC_DESC (exit $NC_RC: $(head -n 1 "$NC_ERR"))"
	else
		nc_pass "$NC_DESC (exit $NC_RC)"
	fi
	return 0
}

# nc_check_stderr_matches REGEX WHAT: the latest run's stderr matches an
# extended regular expression (case-insensitive).
nc_check_stderr_matches() {
	local re=$1 what=$2

	nc_checks=$((nc_checks + 1))
	if ! grep -Eiq -- "$re" "$NC_ERR"; then
		nc_fail "$NC_DESC: stderr does not give $what (/$re/)"
		nc_show_run
		return 1
	fi
	return 0
}

# nc_check DESCRIPTION COMMAND...: a check that is a command.
# nc_client_usage_error DESCRIPTION REGEX ARG...: netcopy-client ARG...
# must exit 2 with one line on stderr, matching REGEX.
nc_client_usage_error() {
	local desc=$1 re=$2

	shift 2
	nc_client "client $desc" "$@"
	nc_check_rc 2 || return
	nc_check_stderr_matches "$re" "the reason"
	nc_check "$desc: one line on stderr" test "$(wc -l <"$NC_ERR")" -eq 1
}

nc_check() {
	local desc=$1

	shift
	nc_checks=$((nc_checks + 1))
	if "$@"; then
		return 0
	fi
	nc_fail "$desc"
	return 1
}

# ---- CSV -----------------------------------------------------------------

# The first 11 columns of the CSV header, as the issue fixes them.
NC_CSV_HEAD='Implementation,MessageSize,Threads,Throughput_Gbps,Latency_us,TotalBytes,CPUCycles,CyclesPerByte,CacheMisses,CacheRefs,ContextSwitches'

# nc_csv_get FILE COLUMN [ROW]: print the value of the named column in
# data row ROW (1 = the first line after the header; default 1).  Prints
# nothing and returns 1 when the column or row is missing.  Values are
# assumed to hold no quoted commas (the client writes none).
nc_csv_get() {
	awk -F, -v col="$2" -v row="${3:-1}" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		NR == row + 1 && c { print $c; found = 1 }
		END { exit !found }' "$1"
}

# ---- loopback runs ---------------------------------------------------------

# nc_is_uint TEXT
nc_is_uint() {
	[[ $1 =~ ^[0-9]+$ ]]
}

# nc_csv_load FILE [ROW]: load the named columns of data row ROW (default
# 1) into the associative array NC_CSV, without a subprocess.  Returns 1
# when the file has no such row.
declare -gA NC_CSV=()
nc_csv_load() {
	local file=$1 row=${2:-1} i line
	local -a names values

	NC_CSV=()
	{
		IFS= read -r line || return 1
		IFS=, read -r -a names <<<"$line"
		for ((i = 1; i < row; i++)); do
			IFS= read -r line || return 1
		done
		IFS= read -r line || return 1
		IFS=, read -r -a values <<<"$line"
	} <"$file"
	for i in "${!names[@]}"; do
		NC_CSV[${names[i]}]=${values[i]:-}
	done
	return 0
}

# nc_check_csv_run MODE SIZE_BYTES THREADS: check the CSV of the latest
# successful client run (in NC_OUT): a header and one row, the header's
# first 11 columns, TotalBytes > 0, Mismatches 0, Status ok, the
# parameters echoed, perf columns a count or NA, and for zero-copy
# ZcCompletions > 0 with ZcCopied present; for uring-zc also a
# notification for every send (ZcCompletions = ZcSends) and, as loopback
# always copies, ZcCopied = ZcCompletions, or NA where the kernel would
# not say.
nc_check_csv_run() {
	local mode=$1 size=$2 threads=$3 v col bad=0 header lines=0 line

	nc_checks=$((nc_checks + 1))
	while IFS= read -r line; do
		lines=$((lines + 1))
		[ "$lines" -eq 1 ] && header=$line
	done <"$NC_OUT"
	if [ "${header:-}" != "$NC_CSV_HEAD" ] &&
	   [ "${header:0:${#NC_CSV_HEAD}+1}" != "$NC_CSV_HEAD," ]; then
		nc_fail "$NC_DESC: CSV header's first 11 columns differ"
		bad=1
	fi
	if [ "$lines" -ne 2 ]; then
		nc_fail "$NC_DESC: expected a header and one row, got $lines lines"
		bad=1
	fi
	nc_csv_load "$NC_OUT" || NC_CSV=()
	v=${NC_CSV[Implementation]:-}
	[ "$v" = "$mode" ] ||
		{ nc_fail "$NC_DESC: Implementation '$v', expected $mode"; bad=1; }
	v=${NC_CSV[MessageSize]:-}
	[ "$v" = "$size" ] ||
		{ nc_fail "$NC_DESC: MessageSize '$v', expected $size"; bad=1; }
	v=${NC_CSV[Threads]:-}
	[ "$v" = "$threads" ] ||
		{ nc_fail "$NC_DESC: Threads '$v', expected $threads"; bad=1; }
	v=${NC_CSV[TotalBytes]:-}
	if ! nc_is_uint "$v" || [ "$v" -le 0 ]; then
		nc_fail "$NC_DESC: TotalBytes '$v', expected > 0"
		bad=1
	fi
	v=${NC_CSV[Mismatches]:-}
	[ "$v" = 0 ] ||
		{ nc_fail "$NC_DESC: Mismatches '$v', expected 0"; bad=1; }
	v=${NC_CSV[Status]:-}
	[ "$v" = ok ] ||
		{ nc_fail "$NC_DESC: Status '$v', expected ok"; bad=1; }
	# Perf counters: a count, or NA where this machine cannot count the
	# event (a VM without a PMU has no cycles) -- never empty.
	for col in CPUCycles CacheMisses CacheRefs ContextSwitches \
		   SndCpuTime_us RcvCpuTime_us; do
		v=${NC_CSV[$col]:-}
		[ "$v" = NA ] || nc_is_uint "$v" ||
			{ nc_fail "$NC_DESC: $col '$v', expected a count or NA"; bad=1; }
	done
	v=${NC_CSV[CountersScope]:-}
	case $v in
	user+kernel|user|off) ;;
	*) nc_fail "$NC_DESC: CountersScope '$v'"; bad=1 ;;
	esac
	if [ "$mode" = zero-copy ] || [ "$mode" = uring-zc ]; then
		v=${NC_CSV[ZcCompletions]:-}
		if ! nc_is_uint "$v" || [ "$v" -le 0 ]; then
			nc_fail "$NC_DESC: ZcCompletions '$v', expected > 0"
			bad=1
		fi
		v=${NC_CSV[ZcCopied]:-}
		if ! nc_is_uint "$v" && { [ "$mode" = zero-copy ] || [ "$v" != NA ]; }; then
			nc_fail "$NC_DESC: ZcCopied '$v', expected a count"
			bad=1
		fi
	fi
	if [ "$mode" = uring-zc ]; then
		nc_check_uring_zc_counts || bad=1
	fi
	if [ "$bad" -ne 0 ]; then
		nc_show_run
		return 1
	fi
	return 0
}

# nc_check_uring_zc_counts: in the CSV row loaded (NC_CSV) of a uring-zc
# run on loopback, ZcCompletions = ZcSends and ZcCopied = ZcCompletions
# (or NA).  Reports what differs; returns 1 then.
nc_check_uring_zc_counts() {
	local sends=${NC_CSV[ZcSends]:-} done=${NC_CSV[ZcCompletions]:-}
	local copied=${NC_CSV[ZcCopied]:-}

	if [ "$done" != "$sends" ]; then
		nc_fail "$NC_DESC: ZcCompletions '$done' but ZcSends '$sends'"
		return 1
	fi
	if [ "$copied" != NA ] && [ "$copied" != "$done" ]; then
		nc_fail "$NC_DESC: ZcCopied '$copied' of '$done' completions" \
			"(loopback copies every one)"
		return 1
	fi
	return 0
}

# nc_size_bytes SIZE: 4K -> 4096, 1M -> 1048576.
nc_size_bytes() {
	case $1 in
	*K) echo $((${1%K} * 1024)) ;;
	*M) echo $((${1%M} * 1048576)) ;;
	*) echo "$1" ;;
	esac
}

# nc_loopback MODE: every size x threads x direction, verified, against
# one server; skips (77) when MODE is not supported on this machine.
nc_loopback() {
	nc_loopback_begin "$1"
	nc_loopback_matrix "$1"
	nc_loopback_end
}

# nc_loopback_begin MODE: a server, and a skip (77) when this build or
# kernel lacks MODE.
nc_loopback_begin() {
	local mode=$1

	nc_init
	nc_mode_built "$mode" ||
		nc_skip "$mode is not built (configure found no headers or library)"
	# Every run comes from this one host, which may take all of
	# --max-memory and pin as much (below RLIMIT_MEMLOCK when not root).
	nc_start_server --max-memory-per-host 1G --max-pinned 1G
	nc_log "server on $NC_ADDR port $NC_PORT"

	# Probe: a mode this build or kernel lacks is a skip, not a failure.
	nc_client "probe $mode" -p "$NC_PORT" -m "$mode" -s 1K -t 1 -d 0.05 \
		--verify -f csv
	if [ "$NC_RC" -eq 4 ]; then
		nc_show_run
		nc_skip "$mode is not supported here: $(head -n 1 "$NC_ERR")"
	fi
}

# nc_memlock_refused: the last client run was refused because its send
# rings would pin more than RLIMIT_MEMLOCK, which only binds a server
# without root (as make distcheck's user): the refusal is right there,
# and it is the only failure let pass.
nc_memlock_refused() {
	[ "$EUID" -ne 0 ] && [ "$NC_RC" -eq 1 ] &&
		grep -q 'RLIMIT_MEMLOCK' "$NC_ERR"
}

# nc_loopback_matrix MODE [OPTION...]: the runs of nc_loopback, each with
# these client options too.
nc_loopback_matrix() {
	local mode=$1 size threads dir desc
	local -a dirflag

	shift
	for size in 1 64 4K 64K 1M; do
		for threads in 1 4; do
			for dir in forward reverse; do
				dirflag=()
				[ "$dir" = reverse ] && dirflag=(-R)
				desc="$mode $* -s $size -t $threads ${dirflag[*]:-(server sends)}"
				nc_client "$desc" -p "$NC_PORT" -m "$mode" \
					-s "$size" -t "$threads" -d 0.1 \
					--verify -f csv ${dirflag[@]+"${dirflag[@]}"} "$@"
				if nc_memlock_refused; then
					nc_log "$desc: $(head -n 1 "$NC_ERR")"
					continue
				fi
				nc_check_rc 0 &&
					nc_check_csv_run "$mode" \
						"$(nc_size_bytes "$size")" \
						"$threads"
			done
		done
	done
}

# nc_uring_loopback MODE [OPTION...]: nc_loopback's runs at several queue
# depths (with OPTION... too, when given, at the default depth), then rr
# at each depth.
nc_uring_loopback() {
	local mode=$1 qd size

	shift
	nc_loopback_begin "$mode"
	for qd in 1 3 8 64; do
		nc_loopback_matrix "$mode" --qd "$qd"
	done
	[ $# -eq 0 ] || nc_loopback_matrix "$mode" "$@"
	for qd in 1 3 64; do
		for size in 1 4K 64K 1M; do
			nc_client "$mode rr --qd $qd -s $size -t 4" -p "$NC_PORT" \
				-m "$mode" -w rr --qd "$qd" -s "$size" -t 4 \
				-d 0.1 --verify -f csv
			nc_check_rc 0 &&
				nc_check_csv_run "$mode" \
					"$(nc_size_bytes "$size")" 4
		done
	done
	nc_loopback_end
}

# nc_loopback_end: the server survived and stops cleanly; the verdict.
nc_loopback_end() {
	nc_check "server still running after the runs" nc_server_alive
	nc_stop_server
	nc_checks=$((nc_checks + 1))
	[ "$NC_WAIT_RC" = 0 ] ||
		nc_fail "server exit $NC_WAIT_RC after SIGTERM, expected 0"
	nc_finish
}

# ---- rawpeer -----------------------------------------------------------------

NC_RAW_PID=
NC_RAW_PORT=
NC_RAW_OUT=
NC_RAW_ERR=

# nc_start_rawpeer_server [-6] ACTION...: start "rawpeer serve ACTION..."
# in the background, a fake server for the client, and set NC_RAW_PORT,
# NC_RAW_PID, NC_RAW_OUT and NC_RAW_ERR.  nc_wait_rawpeer reaps it.
nc_start_rawpeer_server() {
	local flags=()

	if [ "${1:-}" = -6 ]; then
		flags=(-6)
		shift
	fi
	nc_start_rawpeer -t 20 ${flags[@]+"${flags[@]}"} serve "$@"
}

# nc_start_rawpeer ARG...: the same for any "rawpeer ARG..." that listens
# and says its port (serve, old-server, liar).
nc_start_rawpeer() {
	local i ticks

	nc_need_rawpeer
	nc_run_count=$((nc_run_count + 1))
	NC_RAW_OUT=$nc_tmp/rawpeer$nc_run_count.out
	NC_RAW_ERR=$nc_tmp/rawpeer$nc_run_count.err
	: >"$NC_RAW_OUT"
	: >"$NC_RAW_ERR"
	nc_rawpeer_limit "$@"
	"$NETCOPY_RAWPEER" "${NC_RAWPEER_ARGS[@]}" >"$NC_RAW_OUT" \
		2>"$NC_RAW_ERR" </dev/null &
	NC_RAW_PID=$!
	NC_RAW_PORT=
	nc_patience 10
	ticks=$((NC_PATIENCE_MS / 50))
	for ((i = 0; i < ticks; i++)); do
		if [[ $(head -n 1 "$NC_RAW_OUT") =~ ^port\ ([0-9]+)$ ]]; then
			NC_RAW_PORT=${BASH_REMATCH[1]}
			return 0
		fi
		nc_pid_running "$NC_RAW_PID" || break
		sleep 0.05
	done
	nc_show "rawpeer stderr" "$NC_RAW_ERR"
	nc_error "rawpeer $* did not report its port"
}

# nc_wait_rawpeer: wait (25 s at most, times the factor) for the
# background rawpeer; NC_WAIT_RC is its exit status.
nc_wait_rawpeer() {
	if ! nc_wait_pid "$NC_RAW_PID" 25; then
		nc_signal "$NC_RAW_PID" KILL
		wait "$NC_RAW_PID" 2>/dev/null
		NC_WAIT_RC=137
	fi
}

# nc_check_peer_closed: the latest "rawpeer ... recv MS" saw the server
# close the connection (eof or reset) rather than keep it open.
nc_check_peer_closed() {
	nc_checks=$((nc_checks + 1))
	if [ "$NC_RC" -ne 0 ] || ! grep -Eqx 'eof|reset' "$NC_OUT"; then
		nc_fail "$NC_DESC: the server did not close the connection" \
			"(rawpeer exit $NC_RC)"
		nc_show_run
		return 1
	fi
	nc_pass "$NC_DESC: server closed it ($(tail -n 1 "$NC_OUT"))"
	return 0
}

# nc_zero_copy_built: was zero-copy built in (configure found the
# headers)?  Without it the client does not know the mode's name at all.
nc_zero_copy_built() {
	nc_mode_built zero-copy
}

# nc_mode_built MODE: was MODE built in?  As the client's --list-modes
# (the library's table) says; a name it does not list counts as built.
nc_mode_built() {
	local list

	list=$("$NETCOPY_CLIENT" --list-modes 2>/dev/null)
	! grep -q "^$1	not-built	" <<<"$list"
}

# nc_modes_runnable PROTO: of a --list-modes listing on stdin, the names
# of the modes this build and kernel run ("yes") that send over PROTO
# (tcp or udp), one a line (tests/modes-lib.sh).
nc_modes_runnable() {
	nc_modes_listed yes "$1"
}

# nc_other_host: an IPv4 address of this machine off the loopback, which
# the server counts as another host than 127.0.0.1 (all of the loopback
# is one); fails where there is none (a network namespace of lo alone).
nc_other_host() {
	local addr addrs

	addrs=$(hostname -I 2>/dev/null) ||
		addrs=$(ip -o -4 addr show scope global 2>/dev/null |
			awk '{ sub("/.*", "", $4); print $4 }')
	for addr in $addrs; do
		case $addr in
		*:* | 127.*) ;;
		*) echo "$addr" && return 0 ;;
		esac
	done
	return 1
}

# nc_have_ipv6_loopback: is ::1 configured?
nc_have_ipv6_loopback() {
	[ -r /proc/net/if_inet6 ] &&
		grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6
}

# ---- numbers in CSV cells --------------------------------------------------

# nc_is_number TEXT: a non-negative decimal as the client writes one
# (digits, an optional fraction).
nc_is_number() {
	[[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]
}

# nc_num_cmp A OP B: compare two decimals numerically (awk); OP is one of
# < <= > >= ==.  False when either is not a number.
nc_num_cmp() {
	nc_is_number "$1" && nc_is_number "$3" || return 1
	awk -v a="$1" -v op="$2" -v b="$3" 'BEGIN {
		a += 0; b += 0
		if (op == "<") r = a < b
		else if (op == "<=") r = a <= b
		else if (op == ">") r = a > b
		else if (op == ">=") r = a >= b
		else if (op == "==") r = a == b
		else r = 0
		exit !r
	}'
}

# nc_csv_field_counts FILE: print the number of comma-separated fields of
# each line, one a line (the client quotes nothing on loopback).
nc_csv_field_counts() {
	awk -F, '{ print NF }' "$1"
}

# nc_check_csv_shape: the latest run's CSV (NC_OUT) is a header and rows
# that all have as many fields as the header, and no empty cell.
nc_check_csv_shape() {
	local counts

	nc_checks=$((nc_checks + 1))
	counts=$(nc_csv_field_counts "$NC_OUT" | sort -u | tr '\n' ' ')
	if [ "$(wc -l <"$NC_OUT")" -lt 2 ] || [ "$counts" != "${counts%% *} " ]; then
		nc_fail "$NC_DESC: CSV lines have differing field counts" \
			"($counts) or no data row"
		nc_show_run
		return 1
	fi
	if grep -Eq '(^,|,,|,$)' "$NC_OUT"; then
		nc_fail "$NC_DESC: CSV has an empty cell"
		nc_show_run
		return 1
	fi
	return 0
}

# ---- heavy tests: scale, sanitizers, a process's resources ----------------

# nc_scale COUNT [MIN]: set NC_SCALED to COUNT scaled by
# NETCOPY_TEST_SCALE, a percentage (default 100; sanitizer and valgrind
# runs set e.g. 10), and at least MIN (default 1).
NC_SCALED=
nc_scale() {
	local scale=${NETCOPY_TEST_SCALE:-100}

	if ! nc_is_uint "$scale" || [ "$scale" -eq 0 ]; then
		nc_error "NETCOPY_TEST_SCALE='$scale' is not a percentage > 0"
	fi
	NC_SCALED=$(($1 * scale / 100))
	[ "$NC_SCALED" -ge "${2:-1}" ] || NC_SCALED=${2:-1}
}

# nc_sanitized [PID]: do the programs run under a sanitizer or valgrind,
# where memory figures mean nothing?  NETCOPY_SANITIZED set (not 0), a
# running PID with a sanitizer runtime mapped or valgrind as its program,
# or the server program linking a sanitizer runtime.  Sets
# NC_SANITIZED_WHY.
NC_SANITIZED_WHY=
nc_sanitized() {
	local pid=${1:-} bin

	NC_SANITIZED_WHY=
	if [ -n "${NETCOPY_SANITIZED:-}" ] && [ "$NETCOPY_SANITIZED" != 0 ]; then
		NC_SANITIZED_WHY="NETCOPY_SANITIZED=$NETCOPY_SANITIZED"
	elif [ -n "$pid" ] && [ -r "/proc/$pid/maps" ] &&
	     grep -Eq 'lib(a|t|ub|hwa|l|m)san[.-]' "/proc/$pid/maps"; then
		NC_SANITIZED_WHY="process $pid has a sanitizer runtime mapped"
	elif [ -n "$pid" ] && [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == *valgrind* ||
		 $(readlink "/proc/$pid/exe" 2>/dev/null) == */memcheck-* ]]; then
		NC_SANITIZED_WHY="process $pid runs under valgrind"
	else
		nc_unwrap "$NETCOPY_SERVER"
		bin=$NC_UNWRAPPED
		if command -v ldd >/dev/null &&
		   ldd "$bin" 2>/dev/null | grep -Eq 'lib(a|t|ub|hwa|l|m)san[.-]'; then
			NC_SANITIZED_WHY="$bin links a sanitizer runtime"
		fi
	fi
	[ -n "$NC_SANITIZED_WHY" ]
}

# nc_unwrap PROGRAM: set NC_UNWRAPPED to the program a libtool wrapper
# script runs, and export the library path the wrapper would set, so a
# test that runs a program hundreds of times does not pay for the
# wrapper each time (a shell and several seds: ~0.25 s on a small VM).
# PROGRAM itself when it is no such wrapper or the wrapper relinks.
NC_UNWRAPPED=
nc_unwrap() {
	local prog=$1 dir name real path

	NC_UNWRAPPED=$prog
	[ -f "$prog" ] && [ -r "$prog" ] || return 0
	grep -q '^# Generated by GNU libtool\|temporary wrapper script for' \
		"$prog" 2>/dev/null || return 0
	grep -q '^relink_command=""$' "$prog" || return 0
	name=$(sed -n "s/^ *program='\\([^']*\\)'\$/\\1/p" "$prog" | head -n 1)
	# shellcheck disable=SC2016 # a literal $LD_LIBRARY_PATH
	path=$(sed -n 's/^ *LD_LIBRARY_PATH="\([^"$]*\):\$LD_LIBRARY_PATH"$/\1/p' \
		"$prog" | head -n 1)
	dir=$(dirname "$prog")
	real=$dir/.libs/$name
	[ -n "$name" ] && [ -x "$real" ] && [ ! -d "$real" ] || return 0
	if [ -n "$path" ]; then
		LD_LIBRARY_PATH=$path${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
		export LD_LIBRARY_PATH
	fi
	NC_UNWRAPPED=$real
}

# nc_proc_fds PID: the number of descriptors PID has open.
nc_proc_fds() {
	local fds

	fds=("/proc/$1/fd/"*)
	[ -e "${fds[0]}" ] || [ -L "${fds[0]}" ] || { echo 0; return; }
	echo "${#fds[@]}"
}

# nc_proc_status PID KEY: the value of KEY (VmRSS, in kB; Threads) in
# /proc/PID/status.
nc_proc_status() {
	local key value

	while read -r key value _; do
		if [ "$key" = "$2:" ]; then
			echo "$value"
			return 0
		fi
	done <"/proc/$1/status"
	return 1
}

# nc_proc_rss_kb PID: PID's resident memory in kB.
nc_proc_rss_kb() {
	nc_proc_status "$1" VmRSS
}

# nc_proc_threads PID: PID's threads.
nc_proc_threads() {
	nc_proc_status "$1" Threads
}

# nc_wait_fds PID COUNT SECONDS: wait up to SECONDS (times the factor)
# for PID to have at most COUNT descriptors open (a server lets go of a
# connection a moment after its peer has gone).  NC_FDS is the last
# count.
NC_FDS=
nc_wait_fds() {
	local pid=$1 want=$2 i ticks

	nc_patience "$3"
	ticks=$((NC_PATIENCE_MS / 100))
	for ((i = 0; i <= ticks; i++)); do
		NC_FDS=$(nc_proc_fds "$pid")
		[ "$NC_FDS" -le "$want" ] && return 0
		sleep 0.1
	done
	return 1
}

# nc_check_idle_fds PID IDLE: a check that the server PID is back to its
# IDLE descriptors (within 10 s times the factor).
nc_check_idle_fds() {
	if nc_wait_fds "$1" "$2" 10; then
		nc_pass "the server's descriptors back to idle ($2)"
	else
		nc_fail "the server holds $NC_FDS descriptors after the runs," \
			"$2 idle"
	fi
}

# nc_client_paced LOW MODE SIZE THREADS DESCRIPTION OPTION...: a paced
# run (nc_client's), once more when it moved under LOW Gbit/s (a loaded
# machine may fall short), checked as nc_check_csv_run MODE SIZE
# THREADS.  NC_GBPS is its throughput, empty when it failed.
NC_GBPS=
nc_client_paced() {
	local low=$1 mode=$2 size=$3 threads=$4 desc=$5 try

	shift 5
	for try in 1 2; do
		nc_client "$desc" "$@"
		NC_GBPS=
		if ! nc_check_rc 0 ||
			! nc_check_csv_run "$mode" "$size" "$threads"; then
			return 1
		fi
		NC_GBPS=${NC_CSV[Throughput_Gbps]}
		if [ "$try" -eq 2 ] || nc_num_cmp "$NC_GBPS" ">=" "$low"; then
			return 0
		fi
		nc_log "$desc: $NC_GBPS Gbit/s, below $low: once more"
	done
}

# nc_check_flow_columns FLOWS: the latest run's per-flow columns (--flows).
nc_check_flow_columns() {
	local n=$1

	nc_csv_load "$NC_OUT" || { nc_fail "$NC_DESC: no CSV row"; return; }
	nc_check "$NC_DESC: Flows ${NC_CSV[Flows]}, expected $n" \
		test "${NC_CSV[Flows]}" = "$n"
	nc_check "$NC_DESC: FlowFairness ${NC_CSV[FlowFairness]} in [1/$n, 1]" \
		awk -v f="${NC_CSV[FlowFairness]}" -v n="$n" \
		'BEGIN { exit !(f ~ /^[0-9.]+$/ && f * n >= 0.999 && f <= 1) }'
	nc_check "$NC_DESC: FlowGbpsMin <= Median <= Max <= Throughput_Gbps" \
		awk -v a="${NC_CSV[FlowGbpsMin]}" -v b="${NC_CSV[FlowGbpsMedian]}" \
		-v c="${NC_CSV[FlowGbpsMax]}" -v t="${NC_CSV[Throughput_Gbps]}" \
		'BEGIN { exit !(a ~ /^[0-9.]+$/ && a <= b && b <= c &&
				c <= t * 1.000001) }'
	nc_check "$NC_DESC: ConnectTime_ms ${NC_CSV[ConnectTime_ms]} measured" \
		awk -v m="${NC_CSV[ConnectTime_ms]}" \
		'BEGIN { exit !(m ~ /^[0-9.]+$/ && m > 0) }'
}

# nc_check_killed_flows SERVER IDLE FLOWS ATTACHED OPTION...: a client of
# FLOWS flows killed once ATTACHED of them are attached at the server
# (pid SERVER, IDLE descriptors when idle); its descriptors go back to
# idle.
nc_check_killed_flows() {
	local server=$1 idle_fds=$2 flows=$3 attached=$4 desc i ticks pid

	shift 4
	desc="client of $flows flows killed at $attached attached${*:+ $*}"
	"$NETCOPY_CLIENT" -p "$NC_PORT" -t 2 --flows "$flows" -d 60 "$@" \
		>/dev/null 2>&1 &
	pid=$!
	nc_patience 20
	ticks=$((NC_PATIENCE_MS / 50))
	for ((i = 0; i < ticks; i++)); do
		[ "$(nc_proc_fds "$server")" -ge $((idle_fds + attached)) ] &&
			break
		sleep 0.05
	done
	nc_check "$desc: they attached" \
		[ "$(nc_proc_fds "$server")" -ge $((idle_fds + attached)) ]
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if nc_wait_fds "$server" "$idle_fds" 20; then
		nc_pass "$desc: the server let go of them"
	else
		nc_fail "$desc: the server holds $NC_FDS descriptors," \
			"$idle_fds idle"
	fi
}

# nc_check_real_server [PID]: the server's PID (the latest by default)
# must be the server program itself, not a shell around it (a libtool
# wrapper execs it), or its descriptors and memory are a shell's.
nc_check_real_server() {
	local pid=${1:-$NC_SERVER_PID} exe

	exe=$(readlink "/proc/$pid/exe" 2>/dev/null)
	case ${exe##*/} in
	*netcopy-server*|memcheck-*|valgrind*) return 0 ;;
	esac
	nc_error "server PID $pid runs '$exe', not netcopy-server"
}
