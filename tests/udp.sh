#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# --proto udp: every UDP send path with each receive call, in both
# directions (-R), moves datagrams verified at the receiver (recvmmsg
# reading them in batches, and gro what gso and zero-copy sent (one GSO
# packet a call): DatagramsPerRead >= 1,
# the others 1 (0.95 at least: the end markers are read too); gro
# reads gso's 10 segments 5 to 10 a read, two-copy's one a read), and
# the
# loss figures add up (Lost + Messages <= datagrams sent, Lost a count,
# Jitter_us a number), and DatagramsPerCall says the sender's batch
# (sendmmsg: about --batch, at most it, uring and uring-zc: --batch
# too; gso and zero-copy: its
# segments, by default as many as fit in 65,507 bytes; the others 1),
# and a zero-copy mode's sends all completed, every one copied on
# loopback (ZcCopiedFraction 1), the Zc columns NA for the others; the
# datagram
# size's bounds (24, 65,507 over IPv4,
# 65,527 over IPv6) are usage errors naming the limit; the modes and
# receive paths of TCP's only are refused with the reason (rr over UDP:
# tests/rr.sh); an
# UDP-only modes are refused over TCP with the reason, as are --batch 0
# and 1025, and --gso-segments beyond the kernel's limit or 65,507
# bytes a call, naming the limit; an unpaced flood of small datagrams
# does not wedge the receiver and the run ends on time; --rate 200M
# receives at most 0.22 Gbit/s and sends at least 0.1, verified, paced
# in user space (PacingMethod user); --rx-size is refused over
# UDP; TCP runs say Proto tcp with the UDP columns NA.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
# Unpaced paths, as a client asks for them: the server's default
# --max-rate-per-host would pace them (server-rate-cap.sh tests it).
nc_start_server --max-rate-per-host 0
p=(-p "$NC_PORT")

# check_udp DESCRIPTION SIZE: the CSV loaded is a UDP run whose counts
# are possible: Lost + Messages <= SndBytes / SIZE.
check_udp() {
	local desc=$1 size=$2 lost msgs sent

	lost=${NC_CSV[Lost]:-}
	msgs=${NC_CSV[Messages]:-}
	sent=${NC_CSV[SndBytes]:-}
	nc_check "$desc: Proto udp" test "${NC_CSV[Proto]:-}" = udp
	nc_checks=$((nc_checks + 1))
	if ! nc_is_uint "$lost" || ! nc_is_uint "$msgs" ||
		! nc_is_uint "$sent"; then
		nc_fail "$desc: Lost '$lost', Messages '$msgs', SndBytes" \
			"'$sent': not counts"
		return 1
	fi
	sent=$((sent / size))
	if [ $((lost + msgs)) -gt "$sent" ]; then
		nc_fail "$desc: Lost $lost + Messages $msgs exceed the $sent" \
			"datagrams sent"
		return 1
	fi
	nc_pass "$desc: $msgs received, $lost lost of $sent sent"
	nc_check "$desc: Reordered and Duplicated are counts" \
		nc_is_uint "${NC_CSV[Reordered]:-}${NC_CSV[Duplicated]:-}"
	nc_check "$desc: Jitter_us is a number" \
		nc_is_number "${NC_CSV[Jitter_us]:-}"
	nc_check "$desc: LossFraction is a number" \
		nc_is_number "${NC_CSV[LossFraction]:-}"
}

# check_per_call DESCRIPTION LOW HIGH: DatagramsPerCall within [LOW, HIGH].
check_per_call() {
	local per=${NC_CSV[DatagramsPerCall]:-}

	nc_check "$1: DatagramsPerCall $per, want $2 to $3" \
		awk -v v="$per" -v lo="$2" -v hi="$3" \
		'BEGIN { exit !(v ~ /^[0-9.]+$/ && v >= lo && v <= hi) }'
}

# per_call_band MODE [N]: the sender's datagrams a call: --batch's N
# (32 by default) for sendmmsg, which the kernel may cut short now and
# then, and for uring and uring-zc (a submission of N sends); gso's and
# zero-copy's N segments (given: the band for -s 1472, 44 a call); one
# for the others.
per_call_band() {
	case $1 in
	sendmmsg | uring | uring-zc) echo "$((${2:-32} * 3 / 4)) ${2:-32}" ;;
	gso | zero-copy) echo "${2:-44} ${2:-44}" ;;
	*) echo "0.9 1" ;;
	esac
}

# check_zc DESCRIPTION MODE: a zero-copy mode's sends all completed, and
# on loopback every one was copied after all (ZcCopiedFraction 1); the
# Zc columns NA for the other modes.
check_zc() {
	local sends=${NC_CSV[ZcSends]:-} done=${NC_CSV[ZcCompletions]:-}
	local frac=${NC_CSV[ZcCopiedFraction]:-} enobufs=${NC_CSV[ZcEnobufs]:-}

	case $2 in
	zero-copy | uring-zc) ;;
	*)
		nc_check "$1: the Zc columns NA" \
			test "$sends/$done/$frac/$enobufs" = NA/NA/NA/NA
		return
		;;
	esac
	nc_check "$1: ZcSends $sends, a count above 0" \
		awk -v v="$sends" 'BEGIN { exit !(v ~ /^[0-9]+$/ && v > 0) }'
	nc_check "$1: ZcCompletions $done, all of ZcSends $sends" \
		test "$done" = "$sends"
	# uring-zc's kernel may not say (before 6.2): NA then, never 0.
	if [ "$2/${NC_CSV[ZcCopied]:-}/$frac" != uring-zc/NA/NA ]; then
		nc_check "$1: ZcCopiedFraction $frac, all copied on loopback" \
			test "$frac" = 1.0000
	fi
	nc_check "$1: ZcEnobufs $enobufs is a count" nc_is_uint "$enobufs"
}

# ---- every UDP path, both directions, each receive call
mapfile -t udp_modes < <("$NETCOPY_CLIENT" --list-modes | nc_modes_runnable udp)
nc_check "--list-modes names UDP modes: ${udp_modes[*]}" \
	test "${#udp_modes[@]}" -ge 3
for mode in "${udp_modes[@]}"; do
	for rx in "" recv recvmsg recvmmsg gro; do
		for dir in forward reverse; do
			args=(-m "$mode")
			[ -n "$rx" ] && args+=(--rx "$rx")
			[ "$dir" = reverse ] && args+=(-R)
			desc="udp $mode${rx:+ --rx $rx} $dir"
			nc_client "$desc" "${p[@]}" --proto udp "${args[@]}" \
				-s 1472 -t 2 -d 0.2 --verify -f csv
			if ! { nc_check_rc 0 &&
				nc_check_csv_run "$mode" 1472 2 &&
				check_udp "$desc" 1472; }; then
				continue
			fi
			# One datagram a call but for recvmmsg's batches
			# (sendmmsg's own).  Only reads that gave data count,
			# so a late cookie or the end marker does not lower it.
			per=${NC_CSV[DatagramsPerRead]:-}
			case ${NC_CSV[Rx]:-}/$mode in
			recvmmsg/* | gro/gso | gro/zero-copy) batched=1 ;;
			*) batched= ;;
			esac
			if [ -n "$batched" ]; then
				nc_check "$desc: DatagramsPerRead $per >= 1" \
					awk -v v="$per" 'BEGIN { exit !(v >= 1) }'
			else
				nc_check "$desc: DatagramsPerRead $per is 1" \
					test "$per" = 1.00
			fi
			# shellcheck disable=SC2046 # two numbers
			check_per_call "$desc" $(per_call_band "$mode")
			check_zc "$desc" "$mode"
		done
	done
done

# udp_runnable MODE: whether --list-modes named MODE for UDP.
udp_runnable() {
	case " ${udp_modes[*]} " in *" $1 "*) return 0 ;; esac
	return 1
}

# ---- sendmmsg and the io_uring modes --batch: its batches, both
# directions
for mode in sendmmsg uring uring-zc; do
	udp_runnable "$mode" || continue
	for dir in forward reverse; do
		args=()
		[ "$dir" = reverse ] && args=(-R)
		desc="udp $mode --batch 8 $dir"
		nc_client "$desc" "${p[@]}" --proto udp -m "$mode" --batch 8 \
			-s 1000 -t 1 -d 0.2 --verify -f csv \
			${args[@]+"${args[@]}"}
		# shellcheck disable=SC2046 # two numbers
		nc_check_rc 0 && nc_check_csv_run "$mode" 1000 1 &&
			check_udp "$desc" 1000 &&
			check_per_call "$desc" $(per_call_band "$mode" 8) &&
			check_zc "$desc" "$mode"
	done
done
# ---- gso and zero-copy --gso-segments: one send() of that many, both
# directions
for mode in gso zero-copy; do
	udp_runnable "$mode" || continue
	for dir in forward reverse; do
		args=()
		[ "$dir" = reverse ] && args=(-R)
		desc="udp $mode --gso-segments 10 $dir"
		nc_client "$desc" "${p[@]}" --proto udp -m "$mode" \
			--gso-segments 10 -s 1000 -t 1 -d 0.2 --verify \
			-f csv ${args[@]+"${args[@]}"}
		# shellcheck disable=SC2046 # two numbers
		nc_check_rc 0 && nc_check_csv_run "$mode" 1000 1 &&
			check_udp "$desc" 1000 &&
			check_per_call "$desc" $(per_call_band "$mode" 10) &&
			check_zc "$desc" "$mode"
	done
done
# ---- --rx gro: coalesced reads of what gso sent as one packet, one
# datagram a read of what went one a call (loopback's GRO)
for mode in gso two-copy; do
	desc="udp $mode --rx gro"
	nc_client "$desc" "${p[@]}" --proto udp -m "$mode" --rx gro \
		--gso-segments 10 -s 1000 -t 1 -d 0.2 --rate 200M --verify -f csv
	if ! { nc_check_rc 0 && nc_check_csv_run "$mode" 1000 1 &&
		check_udp "$desc" 1000; }; then
		continue
	fi
	per=${NC_CSV[DatagramsPerRead]:-}
	if [ "$mode" = gso ]; then
		nc_check "$desc: DatagramsPerRead $per, want 5 to 10" \
			awk -v v="$per" 'BEGIN { exit !(v >= 5 && v <= 10) }'
	else
		nc_check "$desc: DatagramsPerRead $per is 1" test "$per" = 1.00
	fi
done
nc_client_usage_error "--gso-segments 1024" "above this kernel's limit of [0-9]+" \
	"${p[@]}" --proto udp -m gso -s 24 --gso-segments 1024 -d 0.1
nc_client_usage_error "--gso-segments 50 -s 2000" \
	"exceed the 65507 bytes a call may carry" \
	"${p[@]}" --proto udp -m gso -s 2000 --gso-segments 50 -d 0.1
nc_client_usage_error "--gso-segments 0" "leave --gso-segments out" \
	"${p[@]}" --proto udp -m gso --gso-segments 0 -d 0.1
nc_client_usage_error "--batch 0" "expected 1 to 1024" \
	"${p[@]}" --proto udp -m sendmmsg --batch 0 -d 0.1
nc_client_usage_error "--batch 1025" "expected 1 to 1024" \
	"${p[@]}" --proto udp -m sendmmsg --batch 1025 -d 0.1

# ---- the datagram's bounds: the header, and IP's
for size in 24 65507; do
	desc="udp -s $size"
	nc_client "$desc" "${p[@]}" --proto udp -s "$size" -t 1 -d 0.1 \
		--verify -f csv
	nc_check_rc 0 && nc_check_csv_run two-copy "$size" 1 &&
		check_udp "$desc" "$size"
done
nc_client_usage_error "udp -s 23" "24 \\(the datagram header\\)" \
	"${p[@]}" --proto udp -s 23 -d 0.1
nc_client_usage_error "udp -s 65508 over IPv4" "at most 65507 bytes" \
	"${p[@]}" --proto udp -s 65508 -d 0.1
nc_client_usage_error "udp -s 65528" "65527 bytes" \
	"${p[@]}" --proto udp -s 65528 -d 0.1
nc_client_usage_error "--proto sctp" "invalid protocol" \
	"${p[@]}" --proto sctp -d 0.1
if nc_have_ipv6_loopback; then
	desc="udp -s 65527 over IPv6"
	nc_client "$desc" -i ::1 "${p[@]}" --proto udp -s 65527 -t 1 -d 0.1 \
		--verify -f csv
	nc_check_rc 0 && nc_check_csv_run two-copy 65527 1 &&
		check_udp "$desc" 65527
fi

# ---- what only TCP can do is refused over UDP, with the reason
mapfile -t modes < <("$NETCOPY_CLIENT" --list-modes |
	awk -F '\t' '$2 == "yes" && $4 !~ /(^|,)udp(,|$)/ { print $1 }')
for mode in "${modes[@]}"; do
	nc_client "udp -m $mode" "${p[@]}" --proto udp -m "$mode" -d 0.1
	nc_check_rc 4 &&
		nc_check_stderr_matches "$mode: TCP only" "the reason"
done
nc_client "udp --rx zero-copy" "${p[@]}" --proto udp --rx zero-copy -d 0.1
nc_check_rc 4 && nc_check_stderr_matches "zero-copy is TCP only" "the reason"
# ---- and what only UDP can do over TCP
mapfile -t modes < <("$NETCOPY_CLIENT" --list-modes |
	awk -F '\t' '$2 == "yes" && $4 !~ /(^|,)tcp(,|$)/ { print $1 }')
nc_check "--list-modes names UDP-only modes: ${modes[*]}" \
	test "${#modes[@]}" -ge 1
for mode in "${modes[@]}"; do
	nc_client "tcp -m $mode" "${p[@]}" -m "$mode" -d 0.1
	nc_check_rc 4 &&
		nc_check_stderr_matches "$mode: UDP only" "the reason"
done
nc_client "tcp --rx recvmmsg" "${p[@]}" --rx recvmmsg -d 0.1
nc_check_rc 4 && nc_check_stderr_matches "recvmmsg is UDP only" "the reason"
nc_client "tcp --rx gro" "${p[@]}" --rx gro -d 0.1
nc_check_rc 4 && nc_check_stderr_matches "gro is UDP only" "the reason"
nc_client "udp --rx-size" "${p[@]}" --proto udp --rx-size 4K -d 0.1
nc_check_rc 4 && nc_check_stderr_matches "rx-size is TCP only" "the reason"

# ---- the server judges a hello itself, whatever a client checked:
# rawpeer's hello (MODE SIZE THREADS SECONDS REVERSE VERIFY WORKLOAD RX
# PROTO) gets the server's reason
server_says() {
	local desc=$1 re=$2

	shift 2
	nc_rawpeer "$desc" connect 127.0.0.1 "$NC_PORT" proto-hello "$@" reply
	nc_check_rc 0 rawpeer &&
		nc_check "$desc: the server says why (got: $(cat "$NC_OUT"))" \
			grep -Eq "$re" "$NC_OUT"
}
server_says "server: udp sendfile" '^refused: sendfile: TCP only' \
	sendfile 1024 1 0.1 0 1 0 0 1
server_says "server: udp --rx zero-copy" '^refused: --rx zero-copy is TCP only' \
	two-copy 1024 1 0.1 1 1 0 3 1
server_says "server: tcp sendmmsg" '^refused: sendmmsg: UDP only' \
	sendmmsg 1024 1 0.1 0 1 0 0 0
server_says "server: tcp gso" '^refused: gso: UDP only' \
	gso 1024 1 0.1 0 1 0 0 0
server_says "server: tcp --rx recvmmsg" '^refused: --rx recvmmsg is UDP only' \
	two-copy 1024 1 0.1 1 1 0 4 0
server_says "server: tcp --rx gro" '^refused: --rx gro is UDP only' \
	two-copy 1024 1 0.1 1 1 0 5 0
server_says "server: a udp rr hello" '^accepted$' \
	two-copy 1024 1 0.1 0 1 1 0 1
server_says "server: udp -s 23" '^refused: datagram size 23 out of range' \
	two-copy 23 1 0.1 0 1 0 0 1
server_says "server: IPv4 udp -s 65508" \
	'^refused: datagram size 65508 out of range: 24 to 65507' \
	two-copy 65508 1 0.1 0 1 0 0 1
server_says "server: protocol 2" '^refused: unknown protocol' \
	two-copy 1024 1 0.1 0 1 0 0 2
server_says "server: a udp hello" '^accepted$' \
	two-copy 1024 1 0.1 0 1 0 0 1

# ---- a server too old to know --proto (rawpeer old-server refuses a
# hello's newer fields as 0.1 did) refuses a UDP run with its reason
nc_start_rawpeer -t 20 old-server "$NC_PORT" 1
nc_client "udp against an old server" -p "$NC_RAW_PORT" --proto udp -d 0.1
nc_check_rc 4 && nc_check_stderr_matches \
	"server refused: unknown field \(it is older and cannot run --proto" \
	"the server's reason"

# ---- a flood of small datagrams, unpaced: the receiver keeps up or
# drops, and the run ends on time either way
for dir in forward reverse; do
	args=()
	[ "$dir" = reverse ] && args=(-R)
	desc="udp flood $dir"
	start=$(date +%s%N)
	nc_client "$desc" "${p[@]}" --proto udp -s 64 -t 4 -d 1 --verify \
		-f csv ${args[@]+"${args[@]}"}
	took=$((($(date +%s%N) - start) / 1000000))
	nc_check_rc 0 && nc_check_csv_run two-copy 64 4 &&
		check_udp "$desc" 64
	nc_check "$desc: ended within 15 s of its 1 s (took $took ms)" \
		test "$took" -lt 16000
done

# ---- the text output has the datagrams line; JSON the figures
nc_client "udp text" "${p[@]}" --proto udp -s 1K -t 1 -d 0.1
nc_check_rc 0
nc_check "udp text: the first line says UDP" \
	grep -q '^netcopy two-copy: .*, over UDP$' "$NC_OUT"
nc_check "udp text: a datagrams line" \
	grep -Eq '^  datagrams     [0-9]+ lost \(' "$NC_OUT"
if command -v jq >/dev/null; then
	nc_client "udp json" "${p[@]}" --proto udp -s 1K -t 1 -d 0.1 -f json
	nc_check_rc 0
	nc_check "udp json: params.proto and the result's counts" \
		jq -e '.params.proto == "udp" and (.result.lost | type) ==
			"number" and (.result.jitter_us | type) == "number"' \
		"$NC_OUT" >/dev/null
fi

# ---- --rate over UDP: user space holds it (the kernel paces UDP only
# under fq).  Above the band, pacing did not hold, which no rerun
# excuses.  Below it is judged on what was sent (received + Lost), not
# received: a loaded receiver drops; a loaded sender may fall behind too,
# so half the rate, once more, and no lower bound under a sanitizer.
nc_scale 150 50
secs=$(awk -v c="$NC_SCALED" 'BEGIN { printf "%.2f", c / 100 }')
low=0.1
nc_sanitized && low=0
for try in 1 2; do
	nc_client "udp --rate 200M" "${p[@]}" --proto udp -s 16K -t 1 \
		-d "$secs" --rate 200M --verify -f csv
	if ! { nc_check_rc 0 && nc_check_csv_run two-copy 16384 1 &&
		check_udp "udp --rate 200M" 16384; }; then
		break
	fi
	gbps=${NC_CSV[Throughput_Gbps]}
	sent=$(awk -v m="${NC_CSV[Messages]}" -v l="${NC_CSV[Lost]}" \
		-v t="${NC_CSV[Interval_s]}" \
		'BEGIN { printf "%.6f", (t > 0 ? (m + l) * 16384 * 8 / t / 1e9 : 0) }')
	[ "$try" -eq 1 ] && nc_num_cmp "$sent" "<" "$low" &&
		nc_log "udp --rate 200M: sent $sent Gbit/s, below $low:" \
			"once more" && continue
	if ! nc_check "udp --rate 200M: Throughput_Gbps $gbps <= 0.22" \
		nc_num_cmp "$gbps" "<=" 0.22 ||
		! nc_check "udp --rate 200M: sent $sent Gbit/s >= $low" \
		nc_num_cmp "$sent" ">=" "$low"; then
		nc_show_run
	fi
	nc_check "udp --rate 200M: PacingMethod user" \
		test "${NC_CSV[PacingMethod]}" = user
	break
done

# ---- TCP: Proto tcp, the UDP columns NA
nc_client "tcp" "${p[@]}" -s 1K -t 1 -d 0.1 --verify -f csv
nc_check_rc 0 && nc_check_csv_run two-copy 1024 1 &&
	nc_check "tcp: Proto tcp, the UDP columns NA" test \
		"${NC_CSV[Proto]:-}/${NC_CSV[Lost]:-}/${NC_CSV[Jitter_us]:-}/${NC_CSV[DatagramsPerCall]:-}" = \
		tcp/NA/NA/NA

# The server names the protocol in its log.
nc_check "the server's log names UDP runs" \
	grep -Eq 'server sends, .*over udp$' "$NC_SERVER_OUT" "$NC_SERVER_ERR"
nc_finish
