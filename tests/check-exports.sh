#!/bin/bash
# check-exports.sh - the shared library exports the netcopy_ API and
# nothing else: every dynamic symbol it defines starts with netcopy_, and
# every function lib/netcopy.h declares is among them, the version
# script lib/libnetcopy.sym names each of them in the node it is
# exported under and names nothing else, and debian/libnetcopy0.symbols
# lists them all and no more, each under that node and with the version
# the node stands for (NETCOPY_0.2: 0.2.0).  Version nodes (type A, e.g.
# NETCOPY_0.1) are not symbols of their own.  Exit 0 pass, 1 fail, 77
# skip, 99 hard error.
set -euo pipefail

builddir=${top_builddir:-.}
srcdir=${top_srcdir:-.}
lib=$builddir/lib/.libs/libnetcopy.so
header=$srcdir/lib/netcopy.h

if ! command -v nm >/dev/null 2>&1; then
	echo "SKIP: nm (binutils) not found"
	exit 77
fi
if [[ ! -e $lib ]]; then
	echo "ERROR: $lib not found (is the shared library built?)"
	exit 99
fi
if ! out=$(nm -D --defined-only "$lib"); then
	echo "ERROR: nm -D --defined-only $lib failed"
	exit 99
fi

declare -A exported=()	# name -> its version node, or "" if nm shows none
status=0
count=0
while read -r -a fields; do
	((${#fields[@]} >= 2)) || continue
	name=${fields[-1]}
	type=${fields[-2]}
	[[ $type == A ]] && continue	# a version node, not a symbol
	node=
	[[ $name == *@* ]] && node=${name##*@}
	name=${name%%@*}
	[[ -n $name ]] || continue
	count=$((count + 1))
	exported[$name]=$node
	if [[ $name != netcopy_* ]]; then
		echo "FAIL: exported symbol outside the API: $name ($type)"
		status=1
	fi
done <<<"$out"

if ((count == 0)); then
	echo "FAIL: $lib exports no symbols at all"
	exit 1
fi
echo "$count symbols exported by $lib"

# Every function the public header declares must be exported.
if [[ -r $header ]]; then
	declared=$(grep -oE '\bnetcopy_[a-z0-9_]+\(' "$header" |
		tr -d '(' | sort -u)
	for name in $declared; do
		if [[ -z ${exported[$name]+set} ]]; then
			echo "FAIL: $name is declared in netcopy.h but not exported"
			status=1
		fi
	done
else
	echo "ERROR: $header not found"
	exit 99
fi

# The version script names exactly what is exported, each in its node:
# a wildcard would let a new function slip into a released node unseen.
declare -A node_of=()	# name -> the node lib/libnetcopy.sym lists it in
script=$srcdir/lib/libnetcopy.sym
[[ -r $script ]] || { echo "ERROR: $script not found"; exit 99; }
node="" in_comment=false scope=""
while read -r line; do
	if $in_comment || [[ $line == /\** ]]; then
		in_comment=true
		[[ $line == *\*/* ]] && in_comment=false
		continue
	fi
	case $line in
	NETCOPY_*\{*) node=${line%%[ {]*} scope= ;;
	global:) scope=global ;;
	local:) scope=local ;;
	\}*) node= ;;
	*\**) [[ $scope == local ]] ||
		{ echo "FAIL: $script: a wildcard in $node: $line"; status=1; } ;;
	netcopy_*\;)
		name=${line%;}
		if [[ $scope != global || -z $node ]]; then
			echo "FAIL: $script: $name outside a node's global:"
			status=1
		elif [[ -n ${node_of[$name]:-} ]]; then
			echo "FAIL: $script lists $name twice"
			status=1
		fi
		node_of[$name]=$node ;;
	'') ;;
	*) echo "FAIL: $script: a line not understood: $line"; status=1 ;;
	esac
done <"$script"
for name in "${!exported[@]}"; do
	if [[ -z ${node_of[$name]:-} ]]; then
		echo "FAIL: $name is exported but not in $script"
		status=1
	elif [[ -n ${exported[$name]} && ${exported[$name]} != "${node_of[$name]}" ]]; then
		echo "FAIL: $name is exported in ${exported[$name]}, $script lists it in ${node_of[$name]}"
		status=1
	fi
done
for name in "${!node_of[@]}"; do
	if [[ -z ${exported[$name]+set} ]]; then
		echo "FAIL: $name is in $script but not exported"
		status=1
	fi
done

# The Debian symbols file lists exactly what is exported (dpkg-gensymbols
# only warns about a symbol it lacks).  A tarball without debian/ skips.
symbols=$srcdir/debian/libnetcopy0.symbols
if [[ -r $symbols ]]; then
	declare -A listed=()
	while read -r entry version _; do
		[[ $entry == netcopy_*@* ]] || continue
		name=${entry%%@*} node=${entry#*@}
		listed[$name]=1
		# NETCOPY_0.2 -> 0.2.0, the release that added the node.
		want=${node#NETCOPY_}.0
		if [[ -n ${node_of[$name]:-} && $node != "${node_of[$name]}" ]]; then
			echo "FAIL: $symbols has $name@$node, $script ${node_of[$name]}"
			status=1
		elif [[ $version != "$want" ]]; then
			echo "FAIL: $symbols: $entry since $version, not $want"
			status=1
		fi
	done <"$symbols"
	for name in "${!exported[@]}"; do
		if [[ -z ${listed[$name]:-} ]]; then
			echo "FAIL: $name is exported but not in $symbols"
			status=1
		fi
	done
	for name in "${!listed[@]}"; do
		if [[ -z ${exported[$name]+set} ]]; then
			echo "FAIL: $name is in $symbols but not exported"
			status=1
		fi
	done
fi

exit "$status"
