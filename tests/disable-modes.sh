#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# NETCOPY_DISABLE_MODES: a server that cannot run zero-copy refuses it with
# a reason the client prints (exit 4) and still serves the other modes; a
# client that cannot send zero-copy (-R) exits 4; the list takes commas.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
nc_zero_copy_built || nc_skip "zero-copy is not built"

# Zero-copy must work here at all for this to mean anything.  Its runs
# here last 0.3 s: shorter ones can end before its sender is set up on a
# busy machine, which tests/loopback-zero-copy.sh is there to catch.
nc_start_server
plain_port=$NC_PORT
nc_client "probe zero-copy" -p "$plain_port" -m zero-copy -s 4K -t 1 -d 0.3
if [ "$NC_RC" -eq 4 ]; then
	nc_show_run
	nc_skip "zero-copy is not supported here"
fi
nc_check_rc 0

# ---- the server has zero-copy disabled
nc_start_server_env NETCOPY_DISABLE_MODES=zero-copy --
nc_client "zero-copy against a server without it" -p "$NC_PORT" \
	-m zero-copy -s 4K -t 1 -d 0.1
nc_check_rc 4 && nc_check_stderr_matches \
	'NETCOPY_DISABLE_MODES|disabled|not supported|unsupported' \
	"the server's reason"
for mode in two-copy one-copy; do
	for dir in "" -R; do
		nc_client "$mode ${dir:-(server sends)} against a server without zero-copy" \
			-p "$NC_PORT" -m "$mode" -s 4K -t 2 -d 0.1 --verify \
			-f csv ${dir:+"$dir"}
		nc_check_rc 0 && nc_check_csv_run "$mode" 4096 2
	done
done
nc_check "server alive after the refusal" nc_server_alive
nc_check "the server logged the refusal" [ -s "$NC_SERVER_ERR" ]

# ---- a comma list
nc_start_server_env NETCOPY_DISABLE_MODES=two-copy,one-copy --
for mode in two-copy one-copy; do
	nc_client "$mode against a server without two-copy,one-copy" \
		-p "$NC_PORT" -m "$mode" -s 4K -t 1 -d 0.1
	nc_check_rc 4
done
nc_client "zero-copy against a server without two-copy,one-copy" \
	-p "$NC_PORT" -m zero-copy -s 4K -t 1 -d 0.3 --verify
nc_check_rc 0

# ---- the client has zero-copy disabled and is to send with it
nc_run "a client without zero-copy, -R -m zero-copy" \
	env NETCOPY_DISABLE_MODES=zero-copy "$NETCOPY_CLIENT" \
	-p "$plain_port" -R -m zero-copy -s 4K -t 1 -d 0.1
nc_check_rc 4
nc_run "a client without zero-copy, -R -m two-copy" \
	env NETCOPY_DISABLE_MODES=zero-copy "$NETCOPY_CLIENT" \
	-p "$plain_port" -R -m two-copy -s 4K -t 1 -d 0.1 --verify
nc_check_rc 0

nc_finish
