#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# --rx: every mode that can run here (--list-modes) with each receive
# path, in both directions, verified; for zero-copy receive the mapped
# and copied bytes add up to TotalBytes, and where the sender copies
# (two-copy, one-copy, uring) loopback maps nothing and the text output
# says so.  rr with --rx zero-copy at sizes below and above a page, a
# warm-up left out of the figures, and bad --rx values (exit 2).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
nc_start_server
p=(-p "$NC_PORT")

# check_rx_zc DESCRIPTION COPIES: RxZcMapped + RxZcCopied = TotalBytes in
# the CSV loaded; COPIES (yes: the sender copies) also RxZcMapped = 0.
check_rx_zc() {
	local desc=$1 copies=$2 mapped copied total

	mapped=${NC_CSV[RxZcMapped]:-}
	copied=${NC_CSV[RxZcCopied]:-}
	total=${NC_CSV[TotalBytes]:-}
	nc_checks=$((nc_checks + 1))
	if ! nc_is_uint "$mapped" || ! nc_is_uint "$copied" ||
		! nc_is_uint "$total"; then
		nc_fail "$desc: RxZcMapped '$mapped', RxZcCopied '$copied'," \
			"TotalBytes '$total': not counts"
		return 1
	fi
	if [ $((mapped + copied)) -ne "$total" ]; then
		nc_fail "$desc: RxZcMapped $mapped + RxZcCopied $copied is" \
			"not TotalBytes $total"
		return 1
	fi
	nc_log "$desc: $mapped of $total bytes mapped"
	if [ "$copies" = yes ] && [ "$mapped" -ne 0 ]; then
		nc_fail "$desc: $mapped bytes mapped on loopback from a" \
			"sender that copies"
		return 1
	fi
	nc_pass "$desc: mapped + copied = TotalBytes"
}

# check_na DESCRIPTION: the rx zero-copy columns are NA.
check_na() {
	nc_check "$1: RxZcMapped and RxZcCopied NA" \
		test "${NC_CSV[RxZcMapped]:-}/${NC_CSV[RxZcCopied]:-}" = NA/NA
}

# bad DESCRIPTION OPTION...: exit 2, one line on stderr naming the path.
bad() {
	local desc=$1

	shift
	nc_client "client $desc" "${p[@]}" -d 0.1 "$@"
	nc_check_rc 2 || return
	nc_check_stderr_matches "invalid receive path|--rx: missing argument" \
		"the reason"
	nc_check "$desc: one line on stderr" test "$(wc -l <"$NC_ERR")" -eq 1
}

bad "--rx bogus" --rx bogus
bad "--rx empty" --rx ''
bad "--rx mode" --rx mode
bad "--rx ZERO-COPY" --rx ZERO-COPY
bad "--rx without a value" --rx

# A build whose linux/tcp.h lacks TCP_ZEROCOPY_RECEIVE refuses --rx
# zero-copy (exit 4) with the reason; the other paths run all the same.
rx_zc=yes
nc_client "--rx zero-copy, probe" "${p[@]}" --rx zero-copy -s 1K -t 1 -d 0.05
if [ "$NC_RC" -eq 4 ] && grep -q 'not built' "$NC_ERR"; then
	rx_zc=no
	nc_check "--rx zero-copy not built: one line on stderr" \
		test "$(wc -l <"$NC_ERR")" -eq 1
else
	nc_check_rc 0
fi
rx_paths=(recv recvmsg)
[ "$rx_zc" = yes ] && rx_paths+=(zero-copy)

# (TCP ones: the fourth field lists the protocols; UDP's are udp.sh's.)
mapfile -t modes < <("$NETCOPY_CLIENT" --list-modes | nc_modes_runnable tcp)
nc_check "--list-modes names runnable modes" test "${#modes[@]}" -gt 0

for mode in "${modes[@]}"; do
	case $mode in
	two-copy | one-copy | uring) copies=yes ;;
	*) copies=no ;;
	esac
	for rx in "${rx_paths[@]}"; do
		for dir in forward reverse; do
			dirflag=()
			[ "$dir" = reverse ] && dirflag=(-R)
			desc="$mode --rx $rx $dir"
			nc_client "$desc" "${p[@]}" -m "$mode" --rx "$rx" \
				-s 64K -t 2 -d 0.1 --verify -f csv \
				${dirflag[@]+"${dirflag[@]}"}
			if ! nc_check_rc 0 ||
				! nc_check_csv_run "$mode" 65536 2; then
				continue
			fi
			nc_check "$desc: Rx names $rx" \
				test "${NC_CSV[Rx]:-}" = "$rx"
			if [ "$rx" = zero-copy ]; then
				check_rx_zc "$desc" "$copies"
			else
				check_na "$desc"
			fi
		done
	done
done

# Without --rx the columns are NA, and Rx names the mode's own call.
for mode in two-copy one-copy; do
	own=recv
	[ "$mode" = one-copy ] && own=recvmsg
	nc_client "$mode without --rx" "${p[@]}" -m "$mode" -s 4K -t 1 -d 0.1 \
		--verify -f csv
	nc_check_rc 0 && nc_check_csv_run "$mode" 4096 1 &&
		check_na "$mode without --rx" &&
		nc_check "$mode without --rx: Rx names $own" \
			test "${NC_CSV[Rx]:-}" = "$own"
done

# The rest is --rx zero-copy's.
[ "$rx_zc" = yes ] || nc_finish

# rr: both sides receive with it; the columns are the server's.  1 byte
# is less than a page (never mapped), 64K many pages.
for size in 1 65536; do
	desc="rr --rx zero-copy $size bytes"
	nc_client "$desc" "${p[@]}" -w rr --rx zero-copy -s "$size" -t 2 \
		-d 0.1 --verify -f csv
	nc_check_rc 0 && nc_check_csv_run two-copy "$size" 2 &&
		check_rx_zc "$desc" yes
done

# A warm-up is left out of these figures as out of every other.
desc="--rx zero-copy with a warm-up"
nc_client "$desc" "${p[@]}" --rx zero-copy --warmup 0.1 -s 64K -t 1 \
	-d 0.1 --verify -f csv
nc_check_rc 0 && nc_check_csv_run two-copy 65536 1 && check_rx_zc "$desc" yes

# The text output says plainly that nothing was mapped, and JSON has
# both figures.
nc_client "--rx zero-copy text" "${p[@]}" --rx zero-copy -s 64K -t 1 -d 0.1
nc_check_rc 0
nc_check "the text output says nothing was mapped" \
	grep -q 'nothing was mapped: the kernel copied every byte' "$NC_OUT"
if command -v jq >/dev/null; then
	nc_client "--rx zero-copy json" "${p[@]}" --rx zero-copy -s 64K -t 1 \
		-d 0.1 -f json
	nc_check_rc 0
	nc_check "JSON: rx_zerocopy mapped + copied = result bytes" \
		jq -e '.params.rx == "zero-copy" and
			.rx_zerocopy.mapped + .rx_zerocopy.copied == .result.bytes' \
		"$NC_OUT" >/dev/null
fi

# The server that received names the path in its log.
nc_checks=$((nc_checks + 1))
grep -q 'client sends, receiving with zero-copy, TCP_INFO figures$' "$NC_SERVER_OUT" \
	"$NC_SERVER_ERR" ||
	nc_fail "the server's log does not name --rx zero-copy"
nc_finish
