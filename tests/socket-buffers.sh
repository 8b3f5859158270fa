#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# --sndbuf and --rcvbuf: bad sizes are a one-line usage error (exit 2);
# good ones reach both ends, so that in either direction the sending
# sockets hold SO_SNDBUF and the receiving ones SO_RCVBUF as the kernel
# sets them (twice the request, capped at wmem_max / rmem_max), while by
# default, so that a peer that predates the figures still reads the
# run's, the columns are NA and the text has no socket line.  Every run
# is verified.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
nc_start_server
p=(-p "$NC_PORT")

# bad DESCRIPTION REGEX OPTION...: exit 2, one line on stderr matching.
bad() {
	nc_client_usage_error "$1" "$2" "${p[@]}" -d 0.1 "${@:3}"
}

# The range is the library's, and so is the reason.
bad "--sndbuf 1023" "invalid sndbuf '1023': socket buffer size out of \
range \(expected 1024 to 1073741824 bytes\)" --sndbuf 1023
bad "--rcvbuf 0" "invalid rcvbuf '0': leave --rcvbuf out" --rcvbuf 0
bad "--sndbuf 2G" "invalid sndbuf '2G'" --sndbuf 2G
bad "--rcvbuf -64K" "invalid rcvbuf '-64K'" --rcvbuf -64K
bad "--sndbuf 64Q" "invalid sndbuf '64Q'" --sndbuf 64Q
bad "--rcvbuf empty" "invalid rcvbuf ''" --rcvbuf ''
bad "--sndbuf without a value" "--sndbuf: missing argument" --sndbuf

# held ASKED MAX: what the kernel makes of SO_SNDBUF/SO_RCVBUF = ASKED
# (net/core/sock.c: the request capped at the sysctl, then doubled).
held() {
	local asked=$1 max=$2

	[ "$asked" -gt "$max" ] && asked=$max
	echo $((asked * 2))
}
wmem_max=$(cat /proc/sys/net/core/wmem_max)
rmem_max=$(cat /proc/sys/net/core/rmem_max)
want_snd=$(held 65536 "$wmem_max")
want_rcv=$(held 131072 "$rmem_max")

for dir in server-sends client-sends; do
	dirflag=()
	[ "$dir" = client-sends ] && dirflag=(-R)
	nc_client "--sndbuf 64K --rcvbuf 128K, $dir" "${p[@]}" -s 16K -t 2 \
		-d 0.2 --verify -f csv --sndbuf 64K --rcvbuf 128K \
		${dirflag[@]+"${dirflag[@]}"}
	if ! nc_check_rc 0 || ! nc_check_csv_run two-copy 16384 2; then
		continue
	fi
	nc_check "$dir: SndSockBuf ${NC_CSV[SndSockBuf]}, want $want_snd" \
		test "${NC_CSV[SndSockBuf]}" = "$want_snd"
	nc_check "$dir: RcvSockBuf ${NC_CSV[RcvSockBuf]}, want $want_rcv" \
		test "${NC_CSV[RcvSockBuf]}" = "$want_rcv"
	nc_check "$dir: Direction ${NC_CSV[Direction]}" \
		test "${NC_CSV[Direction]}" = "$dir"
done

# The server's log names both requests.
nc_check "the server's log shows --sndbuf 64K --rcvbuf 128K" grep -q \
	'run: two-copy, 16384-byte messages, 2 threads, 0.2 s, client sends, SO_SNDBUF 65536, SO_RCVBUF 131072, TCP_INFO figures$' \
	"$NC_SERVER_OUT" "$NC_SERVER_ERR"

# By default: not read, so NA, and no line in the text.
nc_client "default buffers" "${p[@]}" -s 16K -t 1 -d 0.2 --verify -f csv
if nc_check_rc 0 && nc_check_csv_run two-copy 16384 1; then
	for col in SndSockBuf RcvSockBuf; do
		nc_check "default: $col '${NC_CSV[$col]}' is NA" \
			test "${NC_CSV[$col]:-}" = NA
	done
fi
nc_client "default buffers, text" "${p[@]}" -s 16K -t 1 -d 0.2
nc_check_rc 0 &&
	nc_check "text: no socket bufs line by default" \
		test "$(grep -c "socket bufs" "$NC_OUT")" -eq 0
# One of them set: both read, the other as the kernel has it.
nc_client "--rcvbuf 128K alone, text" "${p[@]}" -s 16K -t 1 -d 0.2 \
	--rcvbuf 128K
nc_check_rc 0 &&
	nc_check "text: SO_SNDBUF the kernel's, SO_RCVBUF $want_rcv" grep -Eq \
		"^  socket bufs   sender SO_SNDBUF [0-9]+ \(the kernel's\), receiver SO_RCVBUF $want_rcv \(asked 131072\)$" \
		"$NC_OUT"

if command -v jq >/dev/null; then
	nc_client "json, --sndbuf 64K" "${p[@]}" -s 16K -t 1 -d 0.2 \
		--verify -f json --sndbuf 64K
	if nc_check_rc 0; then
		nc_check "json: params.sndbuf 65536, params.rcvbuf null" \
			jq -e '.params.sndbuf == 65536 and .params.rcvbuf == null' \
			"$NC_OUT" >/dev/null
		# shellcheck disable=SC2016 # $w is jq's
		nc_check "json: sender.sndbuf $want_snd, receiver.rcvbuf a size" \
			jq -e --argjson w "$want_snd" \
			'.sender.sndbuf == $w and .receiver.rcvbuf > 0' "$NC_OUT" \
			>/dev/null
	fi
else
	nc_log "jq not found: the JSON run is left out"
fi
nc_finish
