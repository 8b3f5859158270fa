#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Zero-copy under pressure: in a network namespace of its own with
# net.core.optmem_max lowered to 2 KiB, MSG_ZEROCOPY sends fail with
# ENOBUFS (the notifications have no room).  In each direction the
# sender must reap its completions and retry: exit 0, Status ok, the data
# verified, ENOBUFS counted (ZcEnobufs > 0), and every send completed
# (ZcCompletions = ZcSends).  Skips (77) without root, ip(8), network
# namespaces or a per-namespace optmem_max.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

optmem=2048

# ---- outside: make the namespace, run this script in it, remove it
if [ -z "${NC_ENOBUFS_NETNS:-}" ]; then
	nc_zero_copy_built || nc_skip "zero-copy is not built"
	[ "$(id -u)" = 0 ] || nc_skip "a network namespace needs root"
	command -v ip >/dev/null || nc_skip "ip(8) not found"
	ns=netcopy-enobufs-$$-$RANDOM
	ip netns add "$ns" 2>/dev/null ||
		nc_skip "cannot add a network namespace"
	trap 'ip netns pids "$ns" 2>/dev/null | xargs -r kill -9;
	      ip netns delete "$ns" 2>/dev/null' EXIT
	host=$(sysctl -n net.core.optmem_max)
	ip -n "$ns" link set lo up ||
		nc_error "cannot bring up lo in $ns"
	if ! ip netns exec "$ns" sysctl -qw net.core.optmem_max=$optmem ||
	   [ "$(ip netns exec "$ns" sysctl -n net.core.optmem_max)" != $optmem ] ||
	   [ "$(sysctl -n net.core.optmem_max)" != "$host" ]; then
		sysctl -qw net.core.optmem_max="$host"
		nc_skip "net.core.optmem_max is not per namespace here"
	fi
	NC_ENOBUFS_NETNS=$ns ip netns exec "$ns" bash "$0"
	exit $?
fi

# ---- inside
nc_init
nc_start_server
for way in stream reverse; do
	flags=()
	[ "$way" = reverse ] && flags=(-R)
	for size in 1K 64K; do
		nc_client "zero-copy $way -s $size, optmem_max $optmem" \
			-p "$NC_PORT" -m zero-copy -s "$size" -t 2 -d 0.5 \
			--verify -f csv ${flags[@]+"${flags[@]}"}
		nc_check_rc 0 || continue
		nc_checks=$((nc_checks + 1))
		if ! nc_csv_load "$NC_OUT"; then
			nc_fail "$NC_DESC: no CSV row"
			continue
		fi
		sends=${NC_CSV[ZcSends]} done=${NC_CSV[ZcCompletions]}
		enobufs=${NC_CSV[ZcEnobufs]}
		if [ "${NC_CSV[Status]}" != ok ] ||
		   [ "${NC_CSV[Mismatches]}" != 0 ] ||
		   ! nc_is_uint "$sends" || [ "$sends" -eq 0 ] ||
		   [ "$done" != "$sends" ] ||
		   ! nc_is_uint "$enobufs" || [ "$enobufs" -eq 0 ]; then
			nc_fail "$NC_DESC: Status ${NC_CSV[Status]}," \
				"Mismatches ${NC_CSV[Mismatches]}, ZcSends" \
				"$sends, ZcCompletions $done, ZcEnobufs $enobufs" \
				"(want ok, 0, > 0, = ZcSends, > 0)"
		else
			nc_pass "$NC_DESC: $sends sends, $enobufs ENOBUFS," \
				"all completed, data verified"
		fi
	done
done
nc_finish
