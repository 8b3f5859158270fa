#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# man-options.sh - the manual pages say what the programs and the library
# offer, and a linter has nothing to say about them:
#
#   - every long option a program's --help prints appears in its page:
#     netcopy-server(1), netcopy-client(1), and netcopy-sweep(1) when the
#     script is built ($top_builddir/sweep/netcopy-sweep);
#   - every function lib/netcopy.h declares appears in libnetcopy(3), in
#     the synopsis and again in the text;
#   - every CSV column of README's column table appears in netcopy(7);
#   - `mandoc -Tlint` prints nothing for any page (or, without mandoc,
#     `groff -ww` prints nothing).
#
# Pages are read from $top_srcdir/man, programs from $NETCOPY_SERVER and
# $NETCOPY_CLIENT, so VPATH builds work.  Exit 0 pass, 1 fail, 77 skip
# (neither mandoc nor groff to lint with; the other checks still ran and
# passed), 99 hard error (a page or a program missing).
set -uo pipefail

me=man-options
: "${top_srcdir:=$(dirname "$0")/..}"
: "${top_builddir:=.}"
: "${NETCOPY_SERVER:=$top_builddir/src/netcopy-server}"
: "${NETCOPY_CLIENT:=$top_builddir/src/netcopy-client}"
sweep=$top_builddir/sweep/netcopy-sweep
mandir=$top_srcdir/man
pages=(netcopy-server.1 netcopy-client.1 netcopy-sweep.1 libnetcopy.3
	netcopy.7)
failures=0
checks=0

fail() {
	failures=$((failures + 1))
	printf '%s: FAIL: %s\n' "$me" "$*" >&2
}

error() {
	printf '%s: ERROR: %s\n' "$me" "$*" >&2
	exit 99
}

for page in "${pages[@]}"; do
	[[ -r $mandir/$page ]] || error "$mandir/$page not found"
done

# The words of a page's source, with the roff escapes that sit inside
# option and function names undone: \- is -, font changes and \& vanish.
page_text() {
	sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' \
		-e 's/\\fP//g' -e 's/\\&//g' "$mandir/$1"
}

# The long options of a --help text: on each line that starts (after
# blanks) with an option, the --names in the option column, before the
# description (two blanks or more).
help_options() {
	sed -nE '/^[[:space:]]*-/{ s/^[[:space:]]*//; s/[[:space:]]{2,}.*//; p; }' |
		grep -oE -- '--[A-Za-z0-9][A-Za-z0-9-]*' | sort -u
}

# check_program LABEL PROGRAM PAGE
check_program() {
	local label=$1 prog=$2 page=$3 help text opts opt n=0

	if ! help=$("$prog" --help 2>&1); then
		error "$prog --help failed: $help"
	fi
	opts=$(help_options <<<"$help")
	if [[ -z $opts ]]; then
		error "$prog --help lists no long option"
	fi
	text=$(page_text "$page")
	for opt in $opts; do
		checks=$((checks + 1))
		n=$((n + 1))
		if ! grep -qE -- "(^|[^A-Za-z0-9-])$opt([^A-Za-z0-9-]|\$)" \
			<<<"$text"; then
			fail "$label: $opt (in --help) is not in man/$page"
		fi
	done
	printf '%s: %s: %d long options of --help checked against %s\n' \
		"$me" "$label" "$n" "$page"
}

check_program netcopy-server "$NETCOPY_SERVER" netcopy-server.1
check_program netcopy-client "$NETCOPY_CLIENT" netcopy-client.1
if [[ -x $sweep ]]; then
	check_program netcopy-sweep "$sweep" netcopy-sweep.1
else
	printf '%s: %s not built: its options are not checked\n' "$me" \
		"$sweep"
fi

# Every public function, in the synopsis and in the text of libnetcopy(3).
header=$top_srcdir/lib/netcopy.h
[[ -r $header ]] || error "$header not found"
text=$(page_text libnetcopy.3)
n=0
for fn in $(grep -oE '\bnetcopy_[a-z0-9_]+\(' "$header" | tr -d '(' |
	sort -u); do
	checks=$((checks + 1))
	n=$((n + 1))
	count=$(grep -oE "(^|[^a-z0-9_])$fn([^a-z0-9_]|\$)" <<<"$text" |
		wc -l)
	if ((count < 2)); then
		fail "$fn (lib/netcopy.h) is not both in the synopsis and" \
			"the text of man/libnetcopy.3"
	fi
done
((n > 0)) || error "no function found in $header"
printf '%s: %d functions of netcopy.h checked against libnetcopy.3\n' \
	"$me" "$n"

# Every CSV column of README's table (read as tests/unit-columns reads
# it: the lines after the "  column " heading up to a blank line, a
# wrapped meaning indented further) in netcopy(7).
readme=$top_srcdir/README
[[ -r $readme ]] || error "$readme not found"
columns=$(awk '!t { t = /^  column /; next }
	/^$/ { exit }
	substr($0, 3, 1) != " " { print $1 }' "$readme")
[[ -n $columns ]] || error "no column table found in $readme"
text=$(page_text netcopy.7)
n=0
for col in $columns; do
	checks=$((checks + 1))
	n=$((n + 1))
	if ! grep -qE "(^|[^A-Za-z0-9_])$col([^A-Za-z0-9_]|\$)" <<<"$text"; then
		fail "CSV column $col (README) is not in man/netcopy.7"
	fi
done
printf '%s: %d CSV columns of README checked against netcopy.7\n' "$me" "$n"

# Lint every page.
linter=
if command -v mandoc >/dev/null 2>&1; then
	linter=mandoc
elif command -v groff >/dev/null 2>&1; then
	linter=groff
fi
if [[ -n $linter ]]; then
	for page in "${pages[@]}"; do
		checks=$((checks + 1))
		if [[ $linter == mandoc ]]; then
			out=$(mandoc -Tlint "$mandir/$page" 2>&1)
		else
			out=$(LC_ALL=C groff -ww -man -z -Tutf8 \
				"$mandir/$page" 2>&1)
		fi
		rc=$?
		if ((rc != 0)) || [[ -n $out ]]; then
			fail "$linter on man/$page (exit $rc):"$'\n'"$out"
		fi
	done
	printf '%s: %d pages linted with %s\n' "$me" "${#pages[@]}" "$linter"
fi

if ((failures > 0)); then
	printf '%s: %d of %d checks failed\n' "$me" "$failures" "$checks"
	exit 1
fi
if [[ -z $linter ]]; then
	printf '%s: SKIP: %d checks passed, but neither mandoc nor groff is' \
		"$me" "$checks"
	printf ' here to lint the pages\n'
	exit 77
fi
printf '%s: all %d checks passed\n' "$me" "$checks"
exit 0
