#!/bin/bash
# check-sizes.sh - no file of lib/ or src/ (sources, headers and
# tables) is longer than 600 lines: a file that grows past it holds more
# than one job, and is split by job.  Exit 0 pass, 1 fail, 99 hard error.
set -euo pipefail

srcdir=${top_srcdir:-.}
max=600
status=0
count=0

while IFS= read -r -d '' f; do
	count=$((count + 1))
	lines=$(wc -l <"$f")
	if ((lines > max)); then
		echo "FAIL: ${f#"$srcdir"/} has $lines lines (at most $max)"
		status=1
	fi
done < <(find "$srcdir/lib" "$srcdir/src" \
	\( -name '*.c' -o -name '*.h' -o -name '*.def' \) -print0)

if ((count == 0)); then
	echo "ERROR: no sources under $srcdir/lib and $srcdir/src"
	exit 99
fi
((status)) || echo "ok: $count files of lib/ and src/, none over $max lines"
exit "$status"
