#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# --flows N above -t T over UDP (each thread's flows' datagram sockets
# and links under one epoll):
# - 64 flows over 2 threads, verified at the receiver, both directions,
#   for two-copy, one-copy, sendmmsg and gso (where the kernel runs
#   them): Flows 64, FlowFairness within 1/64..1, the bytes there and
#   no mismatch, the loss counts adding up (Lost + Messages <= the
#   datagrams sent, TotalBytes = Messages * -s);
# - each --rx path (recv, recvmsg, recvmmsg, gro) reading every flow
#   through the thread's buffers, both directions;
# - --rate 2M over 64 flows: 128 Mbit/s in all, within a band, paced in
#   user space, fair, and on loopback at that rate Lost under 5%;
# - 1000 flows over 2 threads (scaled down by NETCOPY_TEST_SCALE);
# - rr over UDP and the modes that cannot spread UDP flows yet are
#   refused with the reason;
# - a client killed in the middle of a run of 64 flows (either way):
#   the server lets go of every one, and its descriptors are back to
#   idle after all of it.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
# Unpaced, as a client asks: the server's default --max-rate-per-host
# would pace them.
nc_start_server --max-conns 4000 --max-conns-per-host 4000 \
	--max-rate-per-host 0
server=$NC_SERVER_PID
idle_fds=$(nc_proc_fds "$server")
p=(-p "$NC_PORT" --proto udp)
size=1400

mapfile -t udp_modes < <("$NETCOPY_CLIENT" --list-modes |
	nc_modes_runnable udp)

# check_udp_flows FLOWS: the CSV loaded is a UDP run of FLOWS flows at
# -s $size, verified, whose counts add up.
check_udp_flows() {
	local n=$1 lost msgs sent bytes

	nc_check_flow_columns "$n"
	lost=${NC_CSV[Lost]:-}
	msgs=${NC_CSV[Messages]:-}
	sent=${NC_CSV[SndBytes]:-}
	bytes=${NC_CSV[TotalBytes]:-}
	nc_check "$NC_DESC: Proto udp" test "${NC_CSV[Proto]:-}" = udp
	nc_check "$NC_DESC: Verify ${NC_CSV[Verify]:-}" \
		test "${NC_CSV[Verify]:-}" = 1
	if ! nc_is_uint "$lost" || ! nc_is_uint "$msgs" ||
		! nc_is_uint "$sent" || ! nc_is_uint "$bytes"; then
		nc_fail "$NC_DESC: Lost '$lost', Messages '$msgs', SndBytes" \
			"'$sent', TotalBytes '$bytes': not counts"
		return 1
	fi
	nc_check "$NC_DESC: $msgs datagrams received" test "$msgs" -gt 0
	nc_check "$NC_DESC: TotalBytes $bytes is Messages $msgs * $size" \
		test "$bytes" -eq $((msgs * size))
	sent=$((sent / size))
	nc_check "$NC_DESC: Lost $lost + Messages $msgs, at most $sent sent" \
		test $((lost + msgs)) -le "$sent"
}

for mode in two-copy one-copy sendmmsg gso; do
	case " ${udp_modes[*]} " in
	*" $mode "*) ;;
	*) nc_log "$mode does not run over UDP here: not tried"; continue ;;
	esac
	for dir in forward reverse; do
		dirflag=()
		[ "$dir" = reverse ] && dirflag=(-R)
		nc_client "udp $mode --flows 64 -t 2 $dir, verified" "${p[@]}" \
			-m "$mode" -t 2 --flows 64 -s "$size" -d 0.5 --verify \
			-f csv ${dirflag[@]+"${dirflag[@]}"}
		nc_check_rc 0 && nc_check_csv_run "$mode" "$size" 2 &&
			check_udp_flows 64
	done
done

# Each receive path, both ways round.
for rx in recv recvmsg recvmmsg gro; do
	mode=two-copy
	# What gro coalesces is what one GSO send cut up.
	if [ "$rx" = gro ] && [[ " ${udp_modes[*]} " == *" gso "* ]]; then
		mode=gso
	fi
	for dir in forward reverse; do
		dirflag=()
		[ "$dir" = reverse ] && dirflag=(-R)
		nc_client "udp $mode --rx $rx --flows 64 -t 2 $dir, verified" \
			"${p[@]}" -m "$mode" --rx "$rx" -t 2 --flows 64 \
			-s "$size" -d 0.5 --verify -f csv ${dirflag[@]+"${dirflag[@]}"}
		nc_check_rc 0 && nc_check_csv_run "$mode" "$size" 2 &&
			check_udp_flows 64 &&
			nc_check "$NC_DESC: Rx ${NC_CSV[Rx]}" \
				test "${NC_CSV[Rx]}" = "$rx"
	done
done

# --rate: each thread paces its 32 flows at their sum.  Under a
# sanitizer a sender may not reach the rate: only the upper bound holds.
low=0.09
nc_sanitized && low=0
for dir in forward reverse; do
	dirflag=()
	[ "$dir" = reverse ] && dirflag=(-R)
	desc="udp --flows 64 -t 2 --rate 2M $dir"
	nc_client_paced "$low" two-copy "$size" 2 "$desc" "${p[@]}" -t 2 \
		--flows 64 -s "$size" -d 1 --rate 2M --verify -f csv \
		${dirflag[@]+"${dirflag[@]}"} || continue
	gbps=$NC_GBPS
	check_udp_flows 64
	nc_check "$desc: Throughput_Gbps $gbps in [$low, 0.135]" \
		awk -v g="$gbps" -v l="$low" 'BEGIN { exit !(g >= l && g <= 0.135) }'
	nc_check "$desc: PacingMethod ${NC_CSV[PacingMethod]}, want user" \
		test "${NC_CSV[PacingMethod]}" = user
	nc_check "$desc: FlowFairness ${NC_CSV[FlowFairness]}, at least 0.8" \
		nc_num_cmp "${NC_CSV[FlowFairness]}" ">=" 0.8
	nc_check "$desc: LossFraction ${NC_CSV[LossFraction]}, below 0.05" \
		nc_num_cmp "${NC_CSV[LossFraction]}" "<" 0.05
done

hard=$(ulimit -Hn)
nc_scale 1000 8
flows=$NC_SCALED
if [ "$hard" = unlimited ] || [ "$hard" -ge $((flows * 2 + 200)) ]; then
	nc_client "udp --flows $flows -t 2 -R, verified" "${p[@]}" -t 2 \
		--flows "$flows" -s "$size" -d 0.5 --verify -f csv -R
	nc_check_rc 0 && nc_check_csv_run two-copy "$size" 2 &&
		check_udp_flows "$flows"
else
	nc_log "hard limit $hard: $flows UDP flows not tried"
fi

nc_client "udp rr --flows above -t refused" "${p[@]}" -w rr -t 2 \
	--flows 8 -d 0.2
nc_check_rc 4 && nc_check_stderr_matches \
	'--flows above -t: not yet for rr over UDP$' "the workload"
for mode in uring zero-copy; do
	case " ${udp_modes[*]} " in *" $mode "*) ;; *) continue ;; esac
	nc_client "udp $mode --flows above -t refused" "${p[@]}" -m "$mode" \
		-t 2 --flows 8 -d 0.2
	nc_check_rc 4 && nc_check_stderr_matches \
		"--flows above -t: not yet for $mode over UDP\$" "the mode"
done

nc_check_killed_flows "$server" "$idle_fds" 64 64 --proto udp
nc_check_killed_flows "$server" "$idle_fds" 64 64 --proto udp -R

nc_check_idle_fds "$server" "$idle_fds"
nc_stop_server

# A server killed in the middle of a run of 64 flows, either way: the
# client's flows see their links end, and it says so in one line.
for dir in forward reverse; do
	dirflag=()
	[ "$dir" = reverse ] && dirflag=(-R)
	desc="udp --flows 64 -t 2 $dir, the server killed"
	nc_start_server --max-rate-per-host 0
	idle=$(nc_proc_fds "$NC_SERVER_PID")
	err=$nc_tmp/vanish-$dir.err
	"$NETCOPY_CLIENT" -p "$NC_PORT" --proto udp -t 2 --flows 64 -d 60 \
		${dirflag[@]+"${dirflag[@]}"} >/dev/null 2>"$err" &
	client=$!
	nc_patience 20
	for ((i = 0; i < NC_PATIENCE_MS / 50; i++)); do
		[ "$(nc_proc_fds "$NC_SERVER_PID")" -ge $((idle + 128)) ] &&
			break
		sleep 0.05
	done
	nc_check "$desc: the flows attached" \
		[ "$(nc_proc_fds "$NC_SERVER_PID")" -ge $((idle + 128)) ]
	nc_signal "$NC_SERVER_PID" KILL
	nc_wait_pid "$NC_SERVER_PID" 5
	if ! nc_wait_pid "$client" 40; then
		nc_fail "$desc: the client still runs"
		nc_signal "$client" KILL
		continue
	fi
	nc_check "$desc: exit $NC_WAIT_RC, want 1" test "$NC_WAIT_RC" = 1
	nc_check "$desc: one line ($(head -n 1 "$err"))" \
		test "$(wc -l <"$err")" = 1
	nc_log "$desc: $(head -n 1 "$err")"
done
nc_finish
