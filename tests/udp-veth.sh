#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# udp-veth.sh - the receiver's datagram counts against the kernel's,
# across a veth pair between two network namespaces (root only; skipped
# otherwise): the server sends two-copy (one datagram a send()) at a
# modest --rate, verified, and the client's link counts rx_packets
# between the datagrams received (Messages) and those plus the lost
# (Lost: the link may have taken a datagram the socket then dropped),
# plus the run's other traffic into the client: the control
# connection's TCP segments (counted by the namespace's Tcp InSegs), the
# sender's 5 end markers and at most 4 others (ARP; IPv6 is off on the
# link, so no neighbour discovery).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
[ "$(id -u)" = 0 ] || nc_skip "not root: the namespaces need root"
command -v ip >/dev/null || nc_skip "iproute2's ip is not installed"
ns_srv=ncveth-$$-s
ns_cli=ncveth-$$-c
if_srv=nv$$s
if_cli=nv$$c
ip netns add "$ns_srv" 2>/dev/null ||
	nc_skip "cannot create a network namespace here (no CAP_SYS_ADMIN?)"
trap 'nc_cleanup; ip netns del "$ns_srv"; ip netns del "$ns_cli"' EXIT
ip netns add "$ns_cli" || nc_error "ip netns add $ns_cli failed"
# No IPv6 on the new link (where the kernel has it): its neighbour
# discovery would add packets at any time.
for ns in "$ns_srv" "$ns_cli"; do
	ip netns exec "$ns" sh -c \
		'echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6' 2>/dev/null
done
ip link add "$if_srv" netns "$ns_srv" type veth peer name "$if_cli" \
	netns "$ns_cli" || nc_error "cannot make a veth pair"
if ! { ip -n "$ns_srv" addr add 10.213.78.1/24 dev "$if_srv" &&
	ip -n "$ns_cli" addr add 10.213.78.2/24 dev "$if_cli" &&
	ip -n "$ns_srv" link set "$if_srv" up &&
	ip -n "$ns_cli" link set "$if_cli" up &&
	ip -n "$ns_srv" link set lo up && ip -n "$ns_cli" link set lo up; }; then
	nc_error "cannot set the veth pair up"
fi

# counters: "rx_packets InSegs" of the client's link and namespace.
counters() {
	local rx segs

	rx=$(ip netns exec "$ns_cli" \
		cat "/sys/class/net/$if_cli/statistics/rx_packets") || return 1
	# shellcheck disable=SC2016  # awk's fields, not the shell's
	segs=$(ip netns exec "$ns_cli" awk '$1 == "Tcp:" {
		if (!c) { for (i = 2; i <= NF; i++) if ($i == "InSegs") c = i }
		else print $c }' /proc/net/snmp) || return 1
	echo "$rx $segs"
}

printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$ns_srv" \
	"$NETCOPY_SERVER" >"$nc_tmp/server"
printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$ns_cli" \
	"$NETCOPY_CLIENT" >"$nc_tmp/client"
chmod +x "$nc_tmp/server" "$nc_tmp/client"
NETCOPY_SERVER=$nc_tmp/server
NETCOPY_CLIENT=$nc_tmp/client
nc_start_server

desc="two-copy -s 1400 --rate 100M across the veth"
read -r rx0 seg0 < <(counters)
nc_client "$desc" -i 10.213.78.1 -p "$NC_PORT" --proto udp -m two-copy \
	-s 1400 -t 1 -d 0.3 --rate 100M --verify -f csv
read -r rx1 seg1 < <(counters)
if nc_check_rc 0 && nc_check_csv_run two-copy 1400 1; then
	msgs=${NC_CSV[Messages]:-}
	lost=${NC_CSV[Lost]:-}
	per=${NC_CSV[DatagramsPerCall]:-}
	nc_check "$desc: DatagramsPerCall $per is 1" test "$per" = 1.00
	nc_checks=$((nc_checks + 1))
	if ! nc_is_uint "$msgs" || ! nc_is_uint "$lost" ||
		[ "$msgs" -eq 0 ] || ! nc_is_uint "$rx0$rx1$seg0$seg1"; then
		nc_fail "$desc: Messages '$msgs', Lost '$lost', rx_packets" \
			"'$rx0' to '$rx1', InSegs '$seg0' to '$seg1'"
	else
		rx=$((rx1 - rx0))
		segs=$((seg1 - seg0))
		high=$((msgs + lost + segs + 5 + 4))
		got="rx_packets +$rx, Messages $msgs, Lost $lost, TCP $segs"
		if [ "$rx" -lt "$msgs" ] || [ "$rx" -gt "$high" ]; then
			nc_fail "$desc: $got: not within $msgs to $high"
		else
			nc_pass "$desc: $got: within $msgs to $high" \
				"(beyond Messages: $((rx - msgs)))"
		fi
	fi
fi
nc_finish
