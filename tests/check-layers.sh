#!/bin/bash
# check-layers.sh - the library's calls run one way: no file of lib/
# uses a symbol of a file that, through others, uses one of its own, and
# no folder of lib/ (an area: base, wire, send, ...) does so either.  The
# graph is read with nm from the objects libtool built for the internal
# library (lib/**/.libs/libnetcopy_internal_la-*.o): an edge runs from
# the object that leaves a symbol undefined to the one defining it.
# Objects whose source is gone (stale, after a file was removed) are left
# out.  The folders' headers are layered the same way: the graph of
# folders from the #include "..." lines of lib/ has no loop either.
# Every loop tsort finds is printed.
# Exit 0 pass, 1 fail, 77 skip, 99 hard error.
set -euo pipefail

builddir=${top_builddir:-.}
srcdir=${top_srcdir:-.}
prefix=libnetcopy_internal_la-

for tool in nm tsort; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool not found"
		exit 77
	fi
done

# "area/file" for each object whose source is still there.
declare -A node=()
while IFS= read -r obj; do
	dir=${obj%/.libs/*}
	dir=${dir#"$builddir"/lib}
	dir=${dir#/}
	base=${obj##*/"$prefix"}
	base=${base%.o}
	src=$srcdir/lib/${dir:+$dir/}$base.c
	[[ -e $src ]] || continue
	node[$obj]=${dir:-lib}/$base
done < <(find "$builddir/lib" -path '*/.libs/*' -name "$prefix*.o" | sort)

if ((${#node[@]} < 2)); then
	echo "ERROR: no objects of the internal library under $builddir/lib"
	exit 99
fi

# Lines "node type symbol" for every global defined or undefined symbol.
syms=$(for obj in "${!node[@]}"; do
	nm "$obj" | awk -v n="${node[$obj]}" '
		NF == 2 && $1 == "U" { print n, "U", $2 }
		NF == 3 && $2 ~ /^[BDGRSTVW]$/ { print n, "D", $3 }'
done)

# "user definer" for each pair of files; the folder graph from the same.
file_edges=$(awk '
	$2 == "D" { def[$3] = $1 }
	$2 == "U" { use[$1 " " $3] = 1 }
	END {
		for (k in use) {
			split(k, q, " ")
			if ((q[2] in def) && def[q[2]] != q[1])
				print q[1], def[q[2]]
		}
	}' <<<"$syms" | sort -u)
folder_edges=$(awk '{
	split($1, a, "/"); split($2, b, "/")
	if (a[1] != b[1]) print a[1], b[1]
}' <<<"$file_edges" | sort -u)

if [[ -z $file_edges ]]; then
	echo "ERROR: no calls between the library's files (nm output empty?)"
	exit 99
fi

# "includer included" folders, from the sources: a name without a
# folder is the includer's own file, or lib/'s (internal.h, netcopy.h).
include_edges=$(cd "$srcdir/lib" && find . -name '*.[ch]' | sort |
	while IFS= read -r f; do
		dir=$(dirname "${f#./}")
		[[ $dir == . ]] && dir=lib
		sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" |
		while IFS= read -r inc; do
			if [[ $inc == */* ]]; then
				to=${inc%%/*}
			elif [[ $dir != lib && -e $dir/$inc ]]; then
				to=$dir
			else
				to=lib
			fi
			if [[ $to != "$dir" ]]; then echo "$dir $to"; fi
		done
	done | sort -u)

status=0
check() {
	local what=$1 edges=$2 out

	if [[ -z $edges ]]; then
		echo "ok: no loop between $what (no edges)"
		return
	fi

	# tsort prints each loop it breaks on stderr, after a line that
	# says so; the order on stdout is not needed.
	out=$(tsort <<<"$edges" 2>&1 >/dev/null) || true
	if [[ -n $out ]]; then
		echo "FAIL: the $what graph has a loop:"
		sed -n 's/^tsort: -: input contains a loop:$/  --/p; s/^tsort: \([^ ]*\)$/    \1/p' \
			<<<"$out"
		status=1
	else
		echo "ok: no loop between $what ($(wc -l <<<"$edges") edges)"
	fi
}

check files "$file_edges"
check folders "$folder_edges"
check "folders' includes" "$include_edges"
if ((status)) && [[ -n $folder_edges ]]; then
	echo "The folder edges (user -> definer):"
	awk '{ print "    " $1 " -> " $2 }' <<<"$folder_edges"
fi
exit "$status"
