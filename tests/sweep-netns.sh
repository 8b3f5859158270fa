#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netcopy-sweep --topology netns (root only; skipped otherwise): a tiny
# sweep (every mode, sizes 1K and 64K, 1 thread, 0.2 s, --mtu 9000) with
# the server and the client in two namespaces: the rows (Topology netns,
# Host the server's private address), the MTU in the report, and then no
# namespace, veth link or process of the sweep left.  Then the same sweep
# interrupted with SIGINT: exit 130 and nothing left either.
# shellcheck disable=SC2016 # awk programs in single quotes
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
# shellcheck source-path=SCRIPTDIR source=sweep-lib.sh
. "$top_srcdir/tests/sweep-lib.sh"

sw_init
[ "$(id -u)" = 0 ] || nc_skip "not root: the netns topology needs root"
command -v ip >/dev/null || nc_skip "iproute2's ip is not installed"
probe_ns=ncsweep-probe-$$
ip netns add "$probe_ns" 2>/dev/null ||
	nc_skip "cannot create a network namespace here (no CAP_SYS_ADMIN?)"
ip netns del "$probe_ns"

# check_no_netns DIR: the namespaces and veth links named in DIR/sweep.log
# are gone.
check_no_netns() {
	local dir=$1 rid

	nc_checks=$((nc_checks + 1))
	rid=$(sed -n 's/^netns: id \([0-9a-f]*\),.*/\1/p' "$dir/sweep.log")
	if [ -z "$rid" ]; then
		nc_fail "$NC_DESC: sweep.log names no namespace id"
		return 1
	fi
	if ip netns list | grep -q "ncsweep-$rid-"; then
		nc_fail "$NC_DESC: namespace ncsweep-$rid-* left: $(ip netns list | tr '\n' ' ')"
		return 1
	fi
	if ip -o link show | grep -q "ncs$rid"; then
		nc_fail "$NC_DESC: veth ncs$rid* left"
		return 1
	fi
	nc_pass "$NC_DESC: namespaces and veth of run $rid removed"
}

out=$nc_tmp/netns
sw_run "netns sweep" --topology netns --mtu 9000 -s 1K,64K -t 1 -d 0.2 -r 1 -o "$out"
if nc_check_rc 0 netcopy-sweep; then
	nmodes=$(wc -w <<<"$(sw_modes tcp)")
	skipped=$(grep -c '^netcopy-sweep: mode .* skipped' "$out/sweep.log")
	sw_check_results "$out" $(((nmodes - skipped) * 2)) netns
	nc_check "netns sweep: the client reached a private 10.x address" awk -F, '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["Host"] !~ /^10\.[0-9]+\.[0-9]+\.[0-9]+$/ { bad = 1 }
		END { exit bad }' "$out/results.csv"
	nc_check "netns sweep: report.md gives the veth MTU 9000" \
		grep -Eq '^\| Interface, MTU \| ncs[0-9a-f]+c, 9000 \|' "$out/report.md" ||
		nc_show "report.md" "$out/report.md"
	sw_check_pngs "$out"
fi
[ -s "$out/sweep.log" ] && { check_no_netns "$out"; sw_check_nothing_left "$out"; }

# ---- interrupted
out=$nc_tmp/netns-int
NC_DESC="netns sweep, SIGINT"
NC_OUT=$nc_tmp/netns-int.out
NC_ERR=$nc_tmp/netns-int.err
sw_start "$NC_OUT" "$NC_ERR" --topology netns -m two-copy -s 64,1K,4K,16K,64K \
	-t 1 -d 1 -r 1 --no-plot -o "$out"
nc_checks=$((nc_checks + 1))
if sw_wait_rows "$out/results.csv" 1 25; then
	kill -INT -- "-$SW_PID"
	if nc_wait_pid "$SW_PID" 20; then
		if [ "$NC_WAIT_RC" -eq 130 ]; then
			nc_pass "$NC_DESC: exit 130"
		else
			nc_fail "$NC_DESC: exit $NC_WAIT_RC, expected 130"
			nc_show_run
		fi
	else
		nc_fail "$NC_DESC: the sweep did not end within 20 s"
		nc_signal "$SW_PID" KILL
		nc_wait_pid "$SW_PID" 5
	fi
else
	nc_fail "$NC_DESC: no point finished within 25 s"
	nc_signal "$SW_PID" KILL
	nc_wait_pid "$SW_PID" 5
	nc_show_run
fi
[ -s "$out/sweep.log" ] && { check_no_netns "$out"; sw_check_nothing_left "$out"; }

nc_finish
