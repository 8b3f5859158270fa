#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# --max-rate-per-host: the UDP datagrams a server sends to one host are
# held to the cap however little the client asks to be paced (--rate 0
# is unlimited): Throughput_Gbps at most about the cap (above it, the
# cap did not hold; no lower bound but "> 0", the machine is loaded),
# Rate_bps the capped rate a connection (split over the run's
# connections), PacingMethod user, and the text output says the server
# capped it.  A --rate below the share is kept; a run where the client
# sends (-R), or over TCP, is not capped; --max-rate-per-host 0 caps
# nothing, and the default is 1G.  A run that starts while another of its host's runs is
# under way gets half the cap.  Every run is verified.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
# shellcheck source-path=SCRIPTDIR source=server-lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/server-lib.sh"

nc_init
nc_start_server --max-rate-per-host 200M
capped=(-p "$NC_PORT")
capped_log=$NC_SERVER_ERR
nc_start_server --max-rate-per-host 0
uncapped=(-p "$NC_PORT")
nc_start_server
default=(-p "$NC_PORT")

nc_scale 150 50
secs=$(awk -v c="$NC_SCALED" 'BEGIN { printf "%.2f", c / 100 }')
# The cap is 0.2 Gbit/s; a quarter more is generous for a clock read a
# burst, and far below what loopback moves unpaced.
high=0.25

# udp DESCRIPTION THREADS RATE_BPS METHOD OPTION...: a verified UDP run
# (16 KiB datagrams) whose Rate_bps is RATE_BPS (NA: unpaced) and
# PacingMethod METHOD, with some throughput.
udp() {
	local desc=$1 threads=$2 rate=$3 method=$4 gbps

	shift 4
	nc_client "$desc" --proto udp -s 16K -t "$threads" -d "$secs" \
		--verify -f csv "$@"
	nc_check_rc 0 && nc_check_csv_run two-copy 16384 "$threads" || return
	gbps=${NC_CSV[Throughput_Gbps]}
	nc_check "$desc: Rate_bps '${NC_CSV[Rate_bps]}', want $rate" \
		test "${NC_CSV[Rate_bps]}" = "$rate"
	nc_check "$desc: PacingMethod '${NC_CSV[PacingMethod]}', want $method" \
		test "${NC_CSV[PacingMethod]}" = "$method"
	nc_check "$desc: Throughput_Gbps $gbps, want above 0" \
		nc_num_cmp "$gbps" ">" 0
	nc_log "$desc: $gbps Gbit/s"
}

# capped DESCRIPTION THREADS RATE_BPS OPTION...: as udp, paced in user
# space, and at most about the cap.
capped() {
	local desc=$1

	udp "$1" "$2" "$3" user "${@:4}" || return
	local gbps=${NC_CSV[Throughput_Gbps]}

	nc_check "$desc: Throughput_Gbps $gbps, want at most $high" \
		nc_num_cmp "$gbps" "<=" "$high" || nc_show_run
}

capped "--rate 0, capped" 1 200000000 "${capped[@]}" --rate 0
capped "no --rate, capped" 1 200000000 "${capped[@]}"
capped "--rate 1G, capped" 1 200000000 "${capped[@]}" --rate 1G
# Per connection: two share the host's 200M.
capped "2 connections, capped" 2 100000000 "${capped[@]}" --rate 0
# Below the share: the client's own rate, not a cap.
capped "--rate 50M, kept" 1 50000000 "${capped[@]}" --rate 50M

# The client sends: the server sends nothing to cap.
udp "-R, not capped" 1 NA none "${capped[@]}" -R
# TCP: congestion control, no cap.
nc_client "tcp, not capped" "${capped[@]}" -s 16K -t 1 -d 0.2 --verify \
	-f csv
if nc_check_rc 0 && nc_check_csv_run two-copy 16384 1; then
	nc_check "tcp: Rate_bps '${NC_CSV[Rate_bps]}', want NA" \
		test "${NC_CSV[Rate_bps]}" = NA
	nc_check "tcp: PacingMethod '${NC_CSV[PacingMethod]}', want none" \
		test "${NC_CSV[PacingMethod]}" = none
fi
# --max-rate-per-host 0: no cap; by default, 1G.
udp "--max-rate-per-host 0" 1 NA none "${uncapped[@]}"
udp "the default cap" 1 1000000000 user "${default[@]}" --rate 0

# The text output says who capped the rate, and only then.
nc_client "text, capped" "${capped[@]}" --proto udp -s 16K -t 1 -d 0.2 \
	--verify
said="paced to 200 Mbit/s a connection (user; the server's cap,"
nc_check_rc 0 && nc_check "text, capped: the server capped it" \
	grep -qF "$said --max-rate-per-host)" "$NC_OUT"
nc_client "text, kept" "${capped[@]}" --proto udp -s 16K -t 1 -d 0.2 \
	--rate 50M --verify
nc_check_rc 0 && nc_check "text, kept: no cap said" \
	test "$(grep -c capped "$NC_OUT")" -eq 0

# The server's log says it capped the run.
nc_check "server log: capped to 200000000 bit/s" \
	grep -q 'capped to 200000000 bit/s a connection' "$capped_log"

# Two runs of one host at once share the cap: the second gets half, and
# the first drops to half while the second runs, so its Rate_bps (the
# mean of what it was held to) is between half and all of the cap.  Only
# while the first is still under way once the second is done is that
# sure; else (a very loaded machine) it is said.
"$NETCOPY_CLIENT" "${capped[@]}" --proto udp -s 16K -t 1 -d 4 --verify \
	-f csv >"$nc_tmp/first.out" 2>"$nc_tmp/first.err" </dev/null &
first=$!
overlap=
if nc_check "concurrent: the first run started" nc_wait_grep \
	'thread, 4 s, server sends.*capped to 200000000 bit/s' \
	"$capped_log" 20; then
	nc_client "concurrent: the second" "${capped[@]}" --proto udp -s 16K \
		-t 1 -d 0.5 --verify -f csv
	if ! nc_pid_running "$first"; then
		nc_log "concurrent: the first run ended before the second" \
			"did: the share is not checked"
	elif nc_check_rc 0 && nc_check_csv_run two-copy 16384 1; then
		overlap=1
		nc_check "concurrent: Rate_bps ${NC_CSV[Rate_bps]}, want half" \
			test "${NC_CSV[Rate_bps]}" = 100000000
	fi
fi
wait "$first"
rc=$?
nc_check "concurrent: the first run's exit $rc, want 0" test "$rc" -eq 0 &&
	[ -n "$overlap" ] && nc_csv_load "$nc_tmp/first.out" &&
	rate=${NC_CSV[Rate_bps]} &&
	nc_check "concurrent: the first's Rate_bps $rate, want above half" \
		nc_num_cmp "$rate" ">" 100000000 &&
	nc_check "concurrent: the first's Rate_bps $rate, want below all" \
		nc_num_cmp "$rate" "<" 200000000 &&
	nc_log "concurrent: the first held to $rate bit/s on the mean"
nc_finish
