#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# man-options.sh - the manual pages say what the programs and the library
# offer, and a linter has nothing to say about them:
#
#   - every option a program's --help prints has an entry (a .TP tag
#     naming its long and short forms) under OPTIONS in its page:
#     netcopy-server(1), netcopy-client(1), and netcopy-sweep(1) when the
#     script is built ($top_builddir/sweep/netcopy-sweep);
#   - and is named in README where the program's options are told: the
#     "netcopy-server options:" and "netcopy-client options:" paragraphs
#     and the section "Whole experiments: netcopy-sweep", as -s/--long
#     where it has a short form; popt's own "Help options" (--help,
#     --usage) anywhere in README.  A failure names the option and what
#     lacks it;
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

# The options of a --help text, one line each: "SECTION SHORT LONG".
# An option line starts with a dash after fewer than 8 blanks (a wrapped
# description is indented further); its option column ends at two blanks
# or more and is "-s, --long=ARG", "--long=ARG" or either without "=ARG"
# (an example's wrapped line is none of these).  SHORT is "-" where the
# option has no short form; SECTION is "help" under popt's "Help
# options:" heading (what every popt program answers), else "own".
help_options() {
	local opt='^(-[A-Za-z0-9?], )?--[A-Za-z0-9][A-Za-z0-9-]*(=[^ ]+)?$'

	awk -v opt="$opt" \
	    '/^Help options:/ { sec = "help" }
	     match($0, /[^ ]/) < 9 && substr($0, RSTART, 1) == "-" {
		col = $0
		sub(/^ +/, "", col)
		sub(/  .*/, "", col)
		if (col !~ opt)
			next
		short = "-"
		if (col ~ /^-[^-]/) {
			short = substr(col, 1, 2)
			col = substr(col, 5)
		}
		sub(/=.*/, "", col)
		print (sec == "" ? "own" : sec), short, col
	     }' | sort -u -k3,3
}

# has_word TEXT OPTION: OPTION is a word of TEXT (not part of a longer
# option).
has_word() {
	local re=${2//\?/[?]}

	grep -qE -- "(^|[^A-Za-z0-9-])$re([^A-Za-z0-9-]|\$)" <<<"$1"
}

# The tags of a page's OPTIONS section: the line after each .TP.
option_tags() {
	page_text "$1" | awk '/^\.SH / { on = ($2 == "OPTIONS") }
		on && tag { print }
		{ tag = on && $1 == ".TP" }'
}

# README's paragraph that starts with HEAD, up to the next blank line.
readme_paragraph() {
	awk -v head="$1" 'index($0, head) == 1 { on = 1 }
		on && /^$/ { exit }
		on' "$readme"
}

# README's section titled HEAD (the title, then a line of dashes), up to
# the next title.
readme_section() {
	awk -v head="$1" '$0 == head { on = 1; next }
		on && /^-+$/ && seen++ { exit }
		on { print prev } { prev = $0 }' "$readme"
}

# has_entry TAGS SHORT LONG: a tag of TAGS names LONG, and SHORT unless
# it is "-".
has_entry() {
	local tag

	while IFS= read -r tag; do
		if has_word "$tag" "$3" &&
			{ [[ $2 == - ]] || has_word "$tag" "$2"; }; then
			return 0
		fi
	done <<<"$1"
	return 1
}

# in_readme SECTION SHORT LONG TEXT: the option is named in TEXT as
# SHORT/LONG, or as LONG where SHORT is "-"; popt's own help options
# (SECTION "help") anywhere in README.
in_readme() {
	if [[ $1 == help ]]; then
		has_word "$(cat "$readme")" "$3"
	elif [[ $2 == - ]]; then
		has_word "$4" "$3"
	else
		grep -qF -- "$2/$3" <<<"$4"
	fi
}

# check_program LABEL PROGRAM PAGE README-PART README-TEXT: every option
# of PROGRAM's --help has an entry in PAGE's OPTIONS (a .TP tag naming
# its long and short forms), and is named in README-TEXT (README-PART
# says where that is).
check_program() {
	local label=$1 prog=$2 page=$3 part=$4 part_text=$5
	local help opts tags sec short long name n=0

	if ! help=$("$prog" --help 2>&1); then
		error "$prog --help failed: $help"
	fi
	opts=$(help_options <<<"$help")
	if [[ -z $opts ]]; then
		error "$prog --help lists no long option"
	fi
	[[ -n $part_text ]] || error "README has no $part"
	tags=$(option_tags "$page")
	[[ -n $tags ]] || error "man/$page has no .TP entry under OPTIONS"
	while read -r sec short long; do
		n=$((n + 1))
		checks=$((checks + 2))
		name=$long
		[[ $short == - ]] || name="$short/$long"
		has_entry "$tags" "$short" "$long" ||
			fail "$label: $name (in --help) has no entry under" \
				"OPTIONS in man/$page"
		if [[ $sec == help ]]; then
			in_readme "$sec" "$short" "$long" "$part_text" ||
				fail "$label: $long (in --help) is not in" \
					"README"
		else
			in_readme "$sec" "$short" "$long" "$part_text" ||
				fail "$label: $name (in --help) is not in" \
					"README's $part"
		fi
	done <<<"$opts"
	printf '%s: %s: %d options of --help checked against %s and %s\n' \
		"$me" "$label" "$n" "man/$page" "README's $part"
}

readme=$top_srcdir/README
[[ -r $readme ]] || error "$readme not found"

for prog in netcopy-server netcopy-client; do
	head="$prog options:"
	if [[ $prog == netcopy-server ]]; then
		bin=$NETCOPY_SERVER
	else
		bin=$NETCOPY_CLIENT
	fi
	check_program "$prog" "$bin" "$prog.1" "\"$head\" paragraph" \
		"$(readme_paragraph "$head")"
done
if [[ -x $sweep ]]; then
	head="Whole experiments: netcopy-sweep"
	check_program netcopy-sweep "$sweep" netcopy-sweep.1 \
		"section \"$head\"" "$(readme_section "$head")"
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
