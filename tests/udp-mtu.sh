#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# udp-mtu.sh - gso's and zero-copy's segment size (-s) against the
# path MTU, across a veth pair of MTU 1400 between two network
# namespaces (root only; skipped otherwise): -s 1372 (1400 less the IPv4 and UDP headers)
# moves verified datagrams both ways, 47 a call (as many as fit in
# 65,507 bytes); -s 1373 is a usage error of the client naming the MTU
# and its limit, and a hello with it gets the server's refusal saying
# the same.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
[ "$(id -u)" = 0 ] || nc_skip "not root: the namespaces need root"
command -v ip >/dev/null || nc_skip "iproute2's ip is not installed"
nc_mode_built gso || nc_skip "gso is not built"
ns_srv=ncmtu-$$-s
ns_cli=ncmtu-$$-c
ip netns add "$ns_srv" 2>/dev/null ||
	nc_skip "cannot create a network namespace here (no CAP_SYS_ADMIN?)"
trap 'nc_cleanup; ip netns del "$ns_srv"; ip netns del "$ns_cli"' EXIT
ip netns add "$ns_cli" || nc_error "ip netns add $ns_cli failed"
ip link add "nm$$s" netns "$ns_srv" type veth peer name "nm$$c" \
	netns "$ns_cli" || nc_error "cannot make a veth pair"
if ! { ip -n "$ns_srv" addr add 10.213.77.1/24 dev "nm$$s" &&
	ip -n "$ns_cli" addr add 10.213.77.2/24 dev "nm$$c" &&
	ip -n "$ns_srv" link set "nm$$s" mtu 1400 up &&
	ip -n "$ns_cli" link set "nm$$c" mtu 1400 up &&
	ip -n "$ns_srv" link set lo up && ip -n "$ns_cli" link set lo up; }; then
	nc_error "cannot set the veth pair up"
fi

# Each program in its namespace, through a wrapper the helpers run.
in_ns() {
	printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$2" "$3" >"$1"
	chmod +x "$1"
}
in_ns "$nc_tmp/server" "$ns_srv" "$NETCOPY_SERVER"
in_ns "$nc_tmp/client" "$ns_cli" "$NETCOPY_CLIENT"
NETCOPY_SERVER=$nc_tmp/server
NETCOPY_CLIENT=$nc_tmp/client
nc_start_server
p=(-i 10.213.77.1 -p "$NC_PORT")

modes=(gso)
nc_mode_built zero-copy && modes+=(zero-copy)
for mode in "${modes[@]}"; do
	for dir in forward reverse; do
		args=()
		[ "$dir" = reverse ] && args=(-R)
		desc="$mode -s 1372 over MTU 1400 $dir"
		nc_client "$desc" "${p[@]}" --proto udp -m "$mode" -s 1372 \
			-t 1 -d 0.2 --verify -f csv ${args[@]+"${args[@]}"}
		nc_check_rc 0 && nc_check_csv_run "$mode" 1372 1 &&
			nc_check "$desc: DatagramsPerCall 47" \
				test "${NC_CSV[DatagramsPerCall]:-}" = 47.00
	done
	want="$mode: segment size \\(-s\\) 1373 exceeds the path MTU "
	want+="\\(1400\\): at most 1372 bytes"
	nc_client_usage_error "$mode -s 1373 over MTU 1400" "$want" \
		"${p[@]}" --proto udp -m "$mode" -s 1373 -d 0.1
done

nc_need_rawpeer
in_ns "$nc_tmp/rawpeer" "$ns_cli" "$NETCOPY_RAWPEER"
NETCOPY_RAWPEER=$nc_tmp/rawpeer
for mode in "${modes[@]}"; do
	desc="server: $mode -s 1373 over MTU 1400"
	nc_rawpeer "$desc" connect 10.213.77.1 "$NC_PORT" proto-hello \
		"$mode" 1373 1 0.1 0 1 0 0 1 reply
	want="^refused: $mode: segment size 1373 exceeds the path MTU "
	want+="(1400): at most 1372 bytes"
	nc_check_rc 0 rawpeer &&
		nc_check "$desc: the server says why (got: $(cat "$NC_OUT"))" \
			grep -q "$want" "$NC_OUT"
done
nc_finish
