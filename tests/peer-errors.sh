#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netcopy-client against no server or a broken one exits 1 with a message:
# nothing listening, a peer that closes at once, one that speaks garbage,
# a wrong magic or version, a reply cut short or malformed.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
nc_need_rawpeer
NC_TIMEOUT=20

# ---- nothing listening: take a free port from a server, then stop it
nc_start_server -b 127.0.0.1
port=$NC_PORT
nc_stop_server
nc_client "client to a port nobody listens on" -p "$port" -d 0.1
nc_check_rc 1

# fake DESCRIPTION ACTION...: the client against "rawpeer serve ACTION...";
# it must exit 1 with a message.
fake() {
	local desc=$1

	shift
	nc_start_rawpeer_server "$@"
	nc_client "client vs $desc" -p "$NC_RAW_PORT" -d 0.1 -t 1 --verify
	nc_check_rc 1
	nc_wait_rawpeer
}

# A magic and version 1 header for an ACCEPT/REFUSE reply.
hdr() { printf '4e435059%04x%04x%08x' 1 "$1" "$2"; }

fake "a peer that closes at once" close
fake "a peer that reads the hello, then closes" recv 300 close
fake "a peer that sends garbage" garbage 200
fake "a peer that sends a lot of garbage" recv 200 garbage 100000
fake "a wrong magic" recv 200 header 2 0 0x4e435058
fake "a wrong version" recv 200 header 2 0 0x4e435059 2
fake "an unknown message type" recv 200 header 77 0
fake "an oversize reply length" recv 200 header 2 0xffffffff
fake "a reply cut short" recv 200 hex "$(hdr 2 40)00010001" close
fake "half a header" recv 200 hex 4e4350 close
fake "an empty ACCEPT" recv 200 header 2 0 recv 500
fake "a REFUSE with garbage fields" recv 200 hex "$(hdr 3 8)ffff0004deadbeef"
fake "a HELLO sent back" recv 200 \
	hello two-copy 1024 1 0.1 0 1 recv 500
# ACCEPT with a run id, then closing before any data connection.
fake "an ACCEPT, then closing" recv 200 \
	hex "$(hdr 2 25)000100010100020010000102030405060708090a0b0c0d0e0f" close

nc_finish
