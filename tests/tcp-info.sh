#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The TCP_INFO columns over loopback, verified runs: a stream each way
# (-R too) and rr.  Loopback's kernel fills every field, so the sending
# side's busy share is a number in (0, 100] (rr: [0, 100]) with the
# rwnd- and sndbuf-limited shares within it, its RTT and cwnd > 0, its
# retransmits a whole number, and the receiving side's RcvSpace > 0; the
# JSON has them in the sender and receiver objects.  Then the peers from
# before these figures: an old server (rawpeer old-server, which refuses
# the hello's new field as 0.1 did, then relays to the real server) still
# serves the run, with a note and the server's figures NA; and an old
# client (rawpeer, a hello without the flag) gets a trailer with no field
# it would refuse, while one that asks gets them.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

snd_cols=(SndRetransmits SndRtt_us SndCwnd SndDeliveryRate_Gbps SndBusy_pct
	  SndRwndLimited_pct SndSndbufLimited_pct)
rcv_cols=(RcvRtt_us RcvSpace)

# bad COLUMN WHAT: note one wrong cell of the latest run.
bad() {
	nc_fail "$NC_DESC: $1 '${NC_CSV[$1]:-}', expected $2"
	wrong=1
}

# check_sender BUSY_MIN: the sending side's columns, measured (busy
# above BUSY_MIN, or at least 0 for "0=").
check_sender() {
	local v col

	v=${NC_CSV[SndBusy_pct]:-}
	if [ "$1" = "0=" ]; then
		nc_num_cmp "$v" '>=' 0 || bad SndBusy_pct "a number >= 0"
	else
		nc_num_cmp "$v" '>' 0 || bad SndBusy_pct "a number > 0"
	fi
	nc_num_cmp "$v" '<=' 100 || bad SndBusy_pct "at most 100"
	for col in SndRwndLimited_pct SndSndbufLimited_pct; do
		nc_num_cmp "${NC_CSV[$col]:-}" '<=' "$v" ||
			bad "$col" "a number at most SndBusy_pct ($v)"
	done
	nc_is_uint "${NC_CSV[SndRetransmits]:-}" ||
		bad SndRetransmits "a whole number"
	for col in SndRtt_us SndCwnd; do
		nc_num_cmp "${NC_CSV[$col]:-}" '>' 0 || bad "$col" "> 0"
	done
	nc_is_number "${NC_CSV[SndDeliveryRate_Gbps]:-}" ||
		bad SndDeliveryRate_Gbps "a number"
}

# check_receiver: RcvSpace measured; RcvRtt_us an estimate or NA (0 until
# the kernel has made one).
check_receiver() {
	local v=${NC_CSV[RcvRtt_us]:-}

	nc_num_cmp "${NC_CSV[RcvSpace]:-}" '>' 0 || bad RcvSpace "> 0"
	[ "$v" = NA ] || nc_num_cmp "$v" '>' 0 || bad RcvRtt_us "NA or > 0"
}

# check_na COLUMN...: each NA.
check_na() {
	local col

	for col; do
		[ "${NC_CSV[$col]:-}" = NA ] || bad "$col" NA
	done
}

# check_run BUSY_MIN [--sender-na|--receiver-na]: the latest run's TCP
# columns.
check_run() {
	wrong=0
	nc_checks=$((nc_checks + 1))
	nc_csv_load "$NC_OUT" || { nc_fail "$NC_DESC: no CSV row"; return 1; }
	case ${2:-} in
	--sender-na) check_na "${snd_cols[@]}"; check_receiver ;;
	--receiver-na) check_sender "$1"; check_na "${rcv_cols[@]}" ;;
	*) check_sender "$1"; check_receiver ;;
	esac
	if [ "$wrong" -ne 0 ]; then
		nc_show_run
		return 1
	fi
	nc_pass "$NC_DESC: busy ${NC_CSV[SndBusy_pct]}%," \
		"rwnd-limited ${NC_CSV[SndRwndLimited_pct]}%," \
		"rtt ${NC_CSV[SndRtt_us]} us, RcvSpace ${NC_CSV[RcvSpace]}"
}

nc_init
nc_need_rawpeer
nc_start_server
nc_log "server on $NC_ADDR port $NC_PORT"

for dir in "" -R; do
	nc_client "stream ${dir:-(server sends)}" -p "$NC_PORT" -s 64K -t 2 \
		-d 0.3 --verify -f csv $dir
	nc_check_rc 0 && nc_check_csv_run two-copy 65536 2 && check_run 0
done
nc_client "rr" -p "$NC_PORT" -w rr -s 1K -t 1 -d 0.3 --verify -f csv
nc_check_rc 0 && nc_check_csv_run two-copy 1024 1 && check_run "0="

# ---- JSON: the same figures in the sender and receiver objects
if command -v jq >/dev/null; then
	nc_client "json" -p "$NC_PORT" -s 64K -t 1 -d 0.2 -f json
	nc_check_rc 0 &&
		{ nc_check "json: TCP_INFO keys in sender and receiver" \
			jq -e '(.sender | (.retransmits | type) == "number"
				and .busy_pct > 0 and .busy_pct <= 100
				and .rwnd_limited_pct <= .busy_pct
				and .sndbuf_limited_pct <= .busy_pct
				and .rtt_us > 0 and .cwnd > 0)
			       and .receiver.rcv_space > 0
			       and .schema == 1' "$NC_OUT" >/dev/null ||
		  nc_show_run; }
fi

# ---- an old server: refuses the hello's new field, then serves the run
# without it.  Connections: the refused hello, the second hello, and one
# data connection a thread.
for dir in "" -R; do
	desc="old server, ${dir:-server sends}"
	nc_start_rawpeer -t 20 old-server "$NC_PORT" 3
	old_out=$NC_RAW_OUT
	old_err=$NC_RAW_ERR
	nc_client "$desc" -p "$NC_RAW_PORT" -s 64K -t 1 -d 0.3 --verify -f csv \
		$dir
	nc_check_rc 0 && nc_check_csv_run two-copy 65536 1 &&
		if [ -n "$dir" ]; then
			check_run 0 --receiver-na
		else
			check_run 0 --sender-na
		fi
	nc_check_stderr_matches \
		'^netcopy-client: note: the server is older and does not know TCP_INFO figures' \
		"a note on the old server"
	nc_wait_rawpeer
	old_rc=$NC_WAIT_RC
	nc_checks=$((nc_checks + 1))
	if [ "$old_rc" -ne 0 ] || ! grep -Eq '^refused field [0-9]+$' "$old_out"; then
		nc_fail "$desc: rawpeer exit $old_rc, no refusal seen"
		nc_show "rawpeer stdout" "$old_out"
		nc_show "rawpeer stderr" "$old_err"
	else
		nc_pass "$desc: the first hello was refused, the second served"
	fi
done

# ---- an old client: no flag, no field it would refuse; the flag, the
# figures.
for hello in full-hello tcp-hello; do
	nc_patience 15
	nc_rawpeer "$hello client" -t 20 connect 127.0.0.1 "$NC_PORT" \
		"$hello" two-copy 65536 1 0.2 0 0 0 attach 0 \
		recv "$NC_PATIENCE_MS" control trailer
	nc_checks=$((nc_checks + 1))
	line=$(grep '^trailer ' "$NC_OUT")
	if [ "$NC_RC" -ne 0 ] || ! [[ $line =~ ^trailer\ [0-9]+\ fields,\ ([0-9]+)\ newer$ ]]; then
		nc_fail "$NC_DESC: rawpeer exit $NC_RC, '$line'"
		nc_show_run
	elif [ "$hello" = full-hello ] && [ "${BASH_REMATCH[1]}" != 0 ]; then
		nc_fail "$NC_DESC: $line: an old client would refuse it"
	elif [ "$hello" = tcp-hello ] && [ "${BASH_REMATCH[1]}" = 0 ]; then
		nc_fail "$NC_DESC: $line: asked, but no TCP_INFO figures"
	else
		nc_pass "$NC_DESC: $line"
	fi
done

nc_check "server still running after the runs" nc_server_alive
nc_stop_server
nc_finish
