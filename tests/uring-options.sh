#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# --qd and --fixed-buffers: bad values are a one-line usage error (exit
# 2) before any run; good ones reach the server when it sends (its log
# names them) and in both directions give verified uring-zc runs with a
# notification for every send, each copied on loopback (ZcCopied NA where
# the kernel will not say).  The uring-zc runs skip where it cannot run.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
nc_start_server
p=(-p "$NC_PORT")

# bad DESCRIPTION REGEX OPTION...: exit 2, one line on stderr matching.
bad() {
	nc_client_usage_error "$1" "$2" "${p[@]}" -d 0.1 "${@:3}"
}

if nc_mode_built uring; then
	bad "--qd 0" \
		"invalid qd '0': queue depth out of range \(expected 1 to 256\)" \
		-m uring --qd 0
	bad "--qd 257" "invalid qd '257'" -m uring --qd 257
	bad "--qd -1" "invalid qd '-1'" -m uring --qd -1
	bad "--qd 8x" "invalid qd '8x'" -m uring --qd 8x
	bad "--qd 1K" "invalid qd '1K'" -m uring --qd 1K
	bad "--qd empty" "invalid qd ''" -m uring --qd ''
	bad "--qd without a value" "--qd: missing argument" -m uring --qd
	bad "--fixed-buffers with uring" \
		"mode uring cannot send from registered buffers" \
		-m uring --fixed-buffers
fi
bad "--fixed-buffers with two-copy" \
	"mode two-copy cannot send from registered buffers" --fixed-buffers
bad "--fixed-buffers=1" "does not take an argument" --fixed-buffers=1
bad "--qd 0 with two-copy" "invalid qd '0'" --qd 0

if ! nc_mode_built uring-zc; then
	nc_log "uring-zc is not built: no runs"
	nc_finish
fi
nc_client "probe uring-zc" "${p[@]}" -m uring-zc -s 1K -t 1 -d 0.05 -f csv
if [ "$NC_RC" -eq 4 ]; then
	nc_log "uring-zc cannot run here: $(head -n 1 "$NC_ERR")"
	nc_finish
fi

for dir in forward reverse; do
	dirflag=()
	[ "$dir" = reverse ] && dirflag=(-R)
	nc_client "uring-zc --qd 5 --fixed-buffers $dir" "${p[@]}" \
		-m uring-zc --qd 5 --fixed-buffers -s 64K -t 2 -d 0.2 \
		--verify -f csv ${dirflag[@]+"${dirflag[@]}"}
	nc_check_rc 0 && nc_check_csv_run uring-zc 65536 2
done
# The server sent in the first run: its log names both settings.
nc_checks=$((nc_checks + 1))
grep -q 'run: uring-zc, 65536-byte messages, 2 threads, 0.2 s, server sends, queue depth 5, fixed buffers, TCP_INFO figures$' \
	"$NC_SERVER_OUT" "$NC_SERVER_ERR" ||
	nc_fail "the server's log does not show --qd 5 --fixed-buffers"
nc_finish
