#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Who may use a server: --allow closes connections from outside its
# prefixes at accept; --auth-file (a shared secret) lets a run in only
# when the client proves the secret, and a data connection attach only
# with the tag the secret gives for its run, so a stranger who sees the
# run id and the tags on the wire ("rawpeer hijack", which relays a run
# and tries to attach in the owner's place first) is refused while the
# owner's run completes, verified.  Without the secret on both sides
# the runs fail with one line each.  The authentication cases skip (77)
# in a build without libsodium, once its refusal is checked.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
nc_need_rawpeer

# wait_log REGEX [FILE]: the server's log (the latest server's by
# default) gets a line matching REGEX within 10 s.
wait_log() {
	local re=$1 file=${2:-$NC_SERVER_ERR} i

	nc_checks=$((nc_checks + 1))
	for ((i = 0; i < 200; i++)); do
		grep -Eq -- "$re" "$file" && return 0
		sleep 0.05
	done
	nc_fail "no server log line /$re/ within 10 s"
	nc_show "server log" "$file" tail
	return 1
}

# one_line RC PROGRAM DESCRIPTION REGEX OPTION...: PROGRAM exits RC with
# one line on stderr, matching REGEX.
one_line() {
	local rc=$1 prog=$2 desc=$3 re=$4

	shift 4
	nc_run "$desc" "$prog" "$@"
	nc_check_rc "$rc" "$(basename "$prog")" || return
	nc_check_stderr_matches "$re" "the reason"
	nc_check "$desc: one line on stderr" test "$(wc -l <"$NC_ERR")" -eq 1
}

# refused DESCRIPTION REGEX OPTION...: the client exits 1 so.
refused() {
	one_line 1 "$NETCOPY_CLIENT" "$@"
}

# usage PROGRAM DESCRIPTION REGEX OPTION...: exit 2 so.
usage() {
	one_line 2 "$@"
}

# verified DESCRIPTION OPTION...: a verified run of 2 threads passes.
verified() {
	local desc=$1

	shift
	nc_client "$desc" -t 2 -d 0.3 --verify -f csv "$@"
	nc_check_rc 0 && nc_check_csv_run two-copy 1024 2
}

# ---- --allow: judged at accept, logged
for bad in 10.0.0.0/33 '' '10.0.0.0/8,' 10.0.0.0/x not-an-address ::1/129; do
	usage "$NETCOPY_SERVER" "--allow '$bad' refused" \
		"invalid --allow" --allow "$bad" -p 0
done
nc_start_server -b 127.0.0.1 --allow 10.0.0.0/8,2001:db8::/32
nc_client "outside --allow" -p "$NC_PORT" -d 0.3
nc_check_rc 1
wait_log '127\.0\.0\.1 port [0-9]+: refused: not in --allow$'
nc_start_server --allow 10.0.0.0/8,127.0.0.0/8
verified "inside --allow (127.0.0.0/8, dual-stack)" -p "$NC_PORT"

# ---- secret files: one line, at least 32 bytes, owner only
key=$nc_tmp/key
other=$nc_tmp/other
od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$key" && echo >>"$key"
od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$other"
chmod 600 "$key" "$other"
nc_check "two different secrets" test "$(head -c 64 "$key")" != "$(cat "$other")"

nc_run "server with --auth-file" "$NETCOPY_SERVER" -p 0 --auth-file "$key" -d 0.001
if grep -q 'built without authentication (libsodium)' "$NC_ERR"; then
	nc_check_rc 2 netcopy-server
	usage "$NETCOPY_CLIENT" "client --auth-file without libsodium" \
		'^netcopy-client: --auth-file: built without authentication \(libsodium\)$' \
		--auth-file "$key"
	[ "$nc_failures" -eq 0 ] || nc_finish
	nc_skip "built without libsodium: authentication not tested"
fi
nc_check_rc 0 netcopy-server

for prog in "$NETCOPY_SERVER" "$NETCOPY_CLIENT"; do
	name=$(basename "$prog")
	cp "$key" "$nc_tmp/shared" && chmod 640 "$nc_tmp/shared"
	usage "$prog" "$name: a secret group may read" \
		'group or others have access to it \(mode 0640\): chmod 600' \
		--auth-file "$nc_tmp/shared"
	: >"$nc_tmp/empty" && chmod 600 "$nc_tmp/empty"
	usage "$prog" "$name: an empty secret" 'is empty$' \
		--auth-file "$nc_tmp/empty"
	printf 'short secret\n' >"$nc_tmp/short" && chmod 600 "$nc_tmp/short"
	usage "$prog" "$name: a secret of 12 bytes" \
		'a secret of 12 bytes \(expected 32 to 1024' \
		--auth-file "$nc_tmp/short"
	{ cat "$key"; echo more; } >"$nc_tmp/lines" && chmod 600 "$nc_tmp/lines"
	usage "$prog" "$name: a secret of two lines" 'not one line' \
		--auth-file "$nc_tmp/lines"
	usage "$prog" "$name: no such file" 'cannot read --auth-file' \
		--auth-file "$nc_tmp/none"
done

# Another user's file is theirs to guard (as ssh, and systemd's
# credentials, which are root's with an ACL for the service's user).
if [ "$EUID" -eq 0 ]; then
	cp "$key" "$nc_tmp/theirs" && chmod 640 "$nc_tmp/theirs" &&
		chown 65534 "$nc_tmp/theirs"
	nc_server_cmd "a secret another user owns, mode 0640" \
		--auth-file "$nc_tmp/theirs" -p 0 -d 0.001
	nc_check_rc 0 netcopy-server
fi

# ---- the secret proved, or the run refused
nc_start_server -b 127.0.0.1 --auth-file "$key"
auth=$NC_PORT
auth_log=$NC_SERVER_ERR
verified "the right secret" -p "$auth" --auth-file "$key"
refused "a wrong secret" '^netcopy-client: server refused: authentication failed$' \
	-p "$auth" --auth-file "$other" -d 0.3
wait_log ': refused: authentication failed$' "$auth_log"
refused "no secret, to a server that needs one" \
	'^netcopy-client: server refused: this server requires --auth-file$' \
	-p "$auth" -d 0.3
wait_log ': refused: this server requires --auth-file$' "$auth_log"
nc_start_server -b 127.0.0.1
open=$NC_PORT
refused "a secret, to a server without one" \
	'^netcopy-client: server refused: this server does not authenticate' \
	-p "$open" --auth-file "$key" -d 0.3

# A hello that asks, and no proof: the challenge, then the connection
# dropped at the hello timeout, and logged.
nc_start_server -b 127.0.0.1 --auth-file "$key" --hello-timeout 0.5
nc_rawpeer "a hello without its proof" connect 127.0.0.1 "$NC_PORT" \
	auth-hello two-copy 1024 1 1 0 0 0 recv 10000
nc_check_peer_closed
nc_check "the challenge came: $(head -n 1 "$NC_OUT")" \
	grep -qx "recv $((12 + 4 + 32)) bytes" "$NC_OUT"
wait_log ": dropped: no proof: "

# A server from before --auth-file refuses the hello's field; the
# client asks again without its TCP_INFO request, as with any older
# server, but never without authentication.
nc_start_rawpeer -t 25 old-server "$auth" 2
refused "a secret, to a server older than --auth-file" \
	'^netcopy-client: server refused: unknown field \(a server older than --auth-file cannot authenticate\)$' \
	-p "$NC_RAW_PORT" --auth-file "$key" -d 0.3
nc_wait_rawpeer
nc_check "the older server saw the authentication field last" \
	grep -qx 'refused field 20' "$NC_RAW_OUT"

# ---- a stranger on the path: "rawpeer hijack" relays the control
# connection and the data connections, trying each in the owner's
# place before it goes on.
# hijacked DESCRIPTION PORT ATTEMPTS WANT [MAC]: the owner's run of 2
# threads through it; ATTEMPTS attempts (the first ones) each got WANT.
hijacked() {
	local desc=$1 port=$2 attempts=$3 want=$4 i

	shift 4
	nc_start_rawpeer -t 25 hijack "$port" $((attempts + 1)) "$@"
	nc_client "$desc: the owner's run" -p "$NC_RAW_PORT" -t 2 -d 0.3 \
		--verify -f csv ${owner[@]+"${owner[@]}"}
	nc_wait_rawpeer
	for ((i = 0; i < attempts; i++)); do
		nc_check "$desc: attempt on connection $i: $want" \
			grep -qx "hijack $i $want" "$NC_RAW_OUT" ||
			nc_show "rawpeer" "$NC_RAW_OUT"
	done
}

owner=(--auth-file "$key")
hijacked "a tag without MAC" "$auth" 2 \
	'refused: data tag authentication failed'
nc_check_rc 0 && nc_check_csv_run two-copy 1024 2
wait_log ': bad data connection: data tag authentication failed$' "$auth_log"
nc_check "the owner's tags carry MACs" \
	grep -Eqx 'tag 0 [0-9a-f]{32} [0-9a-f]{64}' "$NC_RAW_OUT"
mac=$(awk '$1 == "tag" && $2 == 0 { print $4; exit }' "$NC_RAW_OUT")
hijacked "the tag of another run" "$auth" 2 \
	'refused: data tag authentication failed' "$mac"
nc_check_rc 0 && nc_check_csv_run two-copy 1024 2
# Without --auth-file the same stranger gets in: the check can fail.
owner=()
hijacked "no --auth-file" "$open" 1 accepted
nc_check "no --auth-file: the owner's run fails" test "$NC_RC" -ne 0

nc_finish
