#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Zero-copy senders under a small RLIMIT_MEMLOCK, as a user without
# CAP_IPC_LOCK meets it (root drops the capability for the run): the
# kernel refuses what would pass the limit (MSG_ZEROCOPY with ENOBUFS,
# io_uring SEND_ZC with ENOMEM for the whole chain), and the sender
# waits for its notifications and sends the rest again, in order, so
# every byte still arrives and verifies; uring-zc's chains of 8 64 KiB
# messages cannot fit 256 KiB, so its retries show in ZcEnobufs.  A
# limit too small for one message ends the run with a one-line error
# after the bounded wait (10 s), not a hang.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
command -v prlimit >/dev/null || nc_skip "prlimit (util-linux) not found"
# limited BYTES: the command prefix that runs a program with
# RLIMIT_MEMLOCK at BYTES and without CAP_IPC_LOCK.
limited() {
	local cmd=(prlimit "--memlock=$1:$1")

	if [ "$(id -u)" -eq 0 ]; then
		command -v setpriv >/dev/null ||
			nc_skip "setpriv (util-linux) not found"
		cmd+=(setpriv --bounding-set=-ipc_lock --inh-caps=-ipc_lock)
	fi
	printf '%s\n' "${cmd[@]}"
}
mapfile -t small < <(limited 262144)
mapfile -t tiny < <(limited 32768)
nc_start_server
p=(-p "$NC_PORT")
ran=0

for mode in zero-copy uring-zc; do
	if ! nc_mode_built "$mode"; then
		nc_log "$mode is not built"
		continue
	fi
	nc_run "$mode, memlock 256 KiB" "${small[@]}" "$NETCOPY_CLIENT" \
		"${p[@]}" -R -m "$mode" -s 64K -t 1 -d 0.3 --verify -f csv
	if [ "$NC_RC" -eq 4 ]; then
		nc_log "$mode cannot run here: $(head -n 1 "$NC_ERR")"
		continue
	fi
	ran=$((ran + 1))
	if ! nc_check_rc 0 || ! nc_check_csv_run "$mode" 65536 1; then
		continue
	fi
	nc_log "$mode: ZcEnobufs ${NC_CSV[ZcEnobufs]} under 256 KiB"
	if [ "$mode" = uring-zc ]; then
		nc_check "uring-zc: chains retried (ZcEnobufs ${NC_CSV[ZcEnobufs]})" \
			nc_num_cmp "${NC_CSV[ZcEnobufs]:-NA}" '>' 0
		nc_run "uring-zc, memlock 32 KiB" "${tiny[@]}" \
			"$NETCOPY_CLIENT" "${p[@]}" -R -m uring-zc -s 64K -t 1 \
			-d 0.3 -f csv
		nc_check "uring-zc, 32 KiB: fails (exit $NC_RC)" \
			test "$NC_RC" -ne 0 -a "$NC_RC" -ne 124
		nc_check_stderr_matches "Cannot allocate memory" "the reason"
		nc_check "uring-zc, 32 KiB: one line on stderr" \
			test "$(wc -l <"$NC_ERR")" -eq 1
	fi
done
[ "$ran" -gt 0 ] || nc_skip "neither zero-copy nor uring-zc can run here"
nc_check "the server still serves" nc_server_alive
nc_finish
