#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Descriptor limits (RLIMIT_NOFILE) of both programs:
# - a client whose hard limit cannot hold its -t fails at once with "not
#   enough file descriptors (limit N)", without asking the server;
# - a client with a low soft limit raises it to the hard one and runs;
# - a server whose hard limit is 200 lowers --max-conns to fit and says
#   so once, refuses a run that does not fit with the same line (the
#   descriptors a mode's engine opens counted: splice has a memfd and a
#   pipe per connection), and serves the runs that fit.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
nc_need_rawpeer

# Run a command under ulimit -n 64 (soft and hard), or -Sn 64 (soft).
hard64=(bash -c 'ulimit -n 64 && exec "$@"' ulimit-64)
soft64=(bash -c 'ulimit -Sn 64 && exec "$@"' ulimit-S64)

nc_start_server
runs=$(grep -c ': run: ' "$NC_SERVER_ERR")
start=$SECONDS
nc_run "client -t 100 under ulimit -n 64" "${hard64[@]}" "$NETCOPY_CLIENT" \
	-p "$NC_PORT" -t 100 -d 0.2
nc_check_rc 1 && nc_check_stderr_matches \
	'^netcopy-client: not enough file descriptors \(limit 64\)$' "the limit"
nc_check "one line on stderr" test "$(wc -l <"$NC_ERR")" -eq 1
nc_check "at once ($((SECONDS - start)) s)" [ $((SECONDS - start)) -le 3 ]
nc_check "the server saw no run for it" \
	test "$(grep -c ': run: ' "$NC_SERVER_ERR")" -eq "$runs"

hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -ge 512 ]; then
	nc_run "client -t 100 under a soft limit of 64 (hard $hard)" \
		"${soft64[@]}" "$NETCOPY_CLIENT" -p "$NC_PORT" -t 100 -d 0.2 \
		--verify -f csv
	nc_check_rc 0 && nc_check_csv_run two-copy 1024 100
else
	nc_log "hard limit $hard: the soft limit's raise not tried"
fi
nc_stop_server

# A server that may open 200 descriptors: 32 kept for itself.
if [ "$hard" != unlimited ] && [ "$hard" -lt 256 ]; then
	nc_log "hard limit $hard: the server's own limit not tried"
	nc_finish
fi
wrapper=$nc_tmp/server-200
printf '#!/bin/sh\nulimit -n 200 || exit 99\nexec %q "$@"\n' \
	"$NETCOPY_SERVER" >"$wrapper"
chmod +x "$wrapper"
real_server=$NETCOPY_SERVER
NETCOPY_SERVER=$wrapper nc_start_server
NETCOPY_SERVER=$real_server
nc_check_real_server
want='--max-conns 4096 lowered to 168: the server may open 200 file descriptors \(RLIMIT_NOFILE\)'
nc_check "the server says it lowered --max-conns" \
	grep -Eq -- "$want" "$NC_SERVER_ERR"

nc_client "-t 170: 171 connections, above 168" -p "$NC_PORT" -t 170 -d 0.2
nc_check_rc 1 && nc_check_stderr_matches \
	'server refused: not enough file descriptors \(limit 200\)' "the limit"
nc_check "one line on stderr" test "$(wc -l <"$NC_ERR")" -eq 1

nc_client "-t 45 two-copy: 46 sockets and an eventfd fit" -p "$NC_PORT" \
	-t 45 -d 0.2 --verify -f csv
nc_check_rc 0 && nc_check_csv_run two-copy 1024 45
nc_client "-t 45 splice: a memfd and a pipe more each do not" \
	-p "$NC_PORT" -m splice -t 45 -d 0.2
nc_check_rc 1 && nc_check_stderr_matches \
	'server refused: not enough file descriptors \(limit 200\)' "the limit"
nc_client "-t 30 splice fits" -p "$NC_PORT" -m splice -t 30 -d 0.2 \
	--verify -f csv
nc_check_rc 0 && nc_check_csv_run splice 1024 30
nc_check "the server said it once" \
	test "$(grep -Ec -- "$want" "$NC_SERVER_ERR")" -eq 1
nc_check "the server is still running" nc_server_alive
nc_stop_server
nc_finish
