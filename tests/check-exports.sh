#!/bin/bash
# check-exports.sh - the shared library exports the netcopy_ API and
# nothing else: every dynamic symbol it defines starts with netcopy_, and
# every function lib/netcopy.h declares is among them, and
# debian/libnetcopy0.symbols lists them all and no more.  Version nodes
# (type A, e.g. NETCOPY_0.1) and @VERSION suffixes are not symbols of
# their own.  Exit 0 pass, 1 fail, 77 skip, 99 hard error.
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

declare -A exported=()
status=0
count=0
while read -r -a fields; do
	((${#fields[@]} >= 2)) || continue
	name=${fields[-1]}
	type=${fields[-2]}
	[[ $type == A ]] && continue	# a version node, not a symbol
	name=${name%%@*}
	[[ -n $name ]] || continue
	count=$((count + 1))
	exported[$name]=1
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
		if [[ -z ${exported[$name]:-} ]]; then
			echo "FAIL: $name is declared in netcopy.h but not exported"
			status=1
		fi
	done
else
	echo "ERROR: $header not found"
	exit 99
fi

# The Debian symbols file lists exactly what is exported (dpkg-gensymbols
# only warns about a symbol it lacks).  A tarball without debian/ skips.
symbols=$srcdir/debian/libnetcopy0.symbols
if [[ -r $symbols ]]; then
	declare -A listed=()
	while read -r entry _; do
		[[ $entry == netcopy_*@* ]] || continue
		listed[${entry%%@*}]=1
	done <"$symbols"
	for name in "${!exported[@]}"; do
		if [[ -z ${listed[$name]:-} ]]; then
			echo "FAIL: $name is exported but not in $symbols"
			status=1
		fi
	done
	for name in "${!listed[@]}"; do
		if [[ -z ${exported[$name]:-} ]]; then
			echo "FAIL: $name is in $symbols but not exported"
			status=1
		fi
	done
fi

exit "$status"
