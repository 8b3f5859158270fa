#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# --rx-size: a read size below the message (1000 bytes of 16K, 100 of
# rr's 1K) and above the default buffer (1M of 1K messages), verified,
# with every receive path (the mode's own, recv, recvmsg and zero-copy
# where built) in both directions, so both receivers honour it through
# the hello; one-copy's own recvmsg too.  RxSize says what each run
# used, and without --rx-size today's default (the larger of 64 KiB and
# the message; the message size with recvmsg and in rr).  Out of range
# or malformed values are exit 2 with one line.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
nc_start_server
p=(-p "$NC_PORT")

# run DESCRIPTION SIZE_BYTES RX_SIZE_WANTED OPTION...: a verified CSV
# run of 1 thread; the CSV checked as every run's, and RxSize.
run() {
	local desc=$1 size=$2 want=$3 mode=two-copy i

	shift 3
	for ((i = 1; i <= $#; i++)); do
		[ "${!i}" = -m ] && { i=$((i + 1)); mode=${!i}; }
	done
	nc_client "$desc" "${p[@]}" -t 1 -d 0.2 --verify -f csv "$@"
	nc_check_rc 0 && nc_check_csv_run "$mode" "$size" 1 &&
		nc_check "$desc: RxSize ${NC_CSV[RxSize]:-?}, want $want" \
			test "${NC_CSV[RxSize]:-}" = "$want"
}

rx_paths=("" recv recvmsg)
nc_client "--rx zero-copy, probe" "${p[@]}" --rx zero-copy -s 1K -t 1 \
	-d 0.05
if [ "$NC_RC" -eq 4 ] && grep -q 'not built' "$NC_ERR"; then
	nc_log "--rx zero-copy not built: left out"
else
	nc_check_rc 0 && rx_paths+=(zero-copy)
fi

for rx in "${rx_paths[@]}"; do
	rxflag=()
	[ -n "$rx" ] && rxflag=(--rx "$rx")
	for dir in "" -R; do
		desc="--rx-size 1000 ${rx:-(own)} ${dir:-forward}"
		run "$desc" 16384 1000 -s 16K --rx-size 1000 \
			${rxflag[@]+"${rxflag[@]}"} ${dir:+"$dir"}
	done
	run "--rx-size 1M ${rx:-(own)}, 1K messages" 1024 \
		"$([ "$rx" = recvmsg ] && echo 1024 || echo 1048576)" \
		-s 1K --rx-size 1M ${rxflag[@]+"${rxflag[@]}"}
done
# The hello carried it: the server logs each run that set it.
n=$(grep -c 'receive size 1000$' "$NC_SERVER_ERR")
nc_check "the server saw --rx-size 1000 in $n hellos, want ${#rx_paths[@]} * 2" \
	test "$n" -eq $((${#rx_paths[@]} * 2))
run "one-copy --rx-size 1000 -R" 16384 1000 -m one-copy -s 16K \
	--rx-size 1000 -R
run "rr --rx-size 100" 1024 100 -w rr -s 1K --rx-size 100

# The default is today's.
run "default, 1K messages" 1024 65536 -s 1K
run "default, 128K messages" 131072 131072 -s 128K
run "default, one-copy" 4096 4096 -m one-copy -s 4K
run "default, rr" 1024 1024 -w rr -s 1K

for bad in 0 65M 67108865 -1 abc ''; do
	nc_client_usage_error "--rx-size '$bad'" \
		"invalid rx-size|expected a size|rx-size" \
		"${p[@]}" -d 0.1 --rx-size "$bad"
done

nc_finish
