#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# mode-lists.sh - every hand-written list of the modes names exactly the
# modes of lib/send/modes.def, built or not, as `netcopy-client --list-modes`
# lists them (the library's table):
#
#   - netcopy-server --list-modes lists the same;
#   - the -m line of netcopy-client --help (generated from the table:
#     this checks the generating);
#   - the lists between the `.\" modes:` and `.\" end of modes` comments
#     of netcopy-client(1), netcopy-server(1) and netcopy-sweep(1) (each
#     mode a `.B name` or `.BR name ,` line), and the `.TP` entries
#     between them in netcopy(7);
#   - README's table of modes under "What it is", and its -m/--mode
#     line;
#   - the -m/--modes help of netcopy-sweep (the built program's --help).
#
# The sweep runs every mode, each over the protocols of --proto that
# --list-modes' fourth field gives it: its lists name them all.
#
# Order is free, a mode missing or one too many is not.  Exit 0 pass,
# 1 fail, 99 hard error (a file or program missing, a list not found).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init

# The names on stdin, one a line, sorted and without repeats.
names() {
	grep -E '^[a-z][a-z0-9-]*$' | sort -u
}

# check LABEL NAMES [TABLE]: NAMES (one a line) are exactly TABLE's
# (the table's when not given).
check() {
	local label=$1 got missing extra want=${3-$table}

	nc_checks=$((nc_checks + 1))
	got=$(names <<<"$2")
	if [[ -z $got ]]; then
		nc_error "$label: no mode found (has its layout changed?)"
	fi
	missing=$(comm -23 <(echo "$want") <(echo "$got") | tr '\n' ' ')
	extra=$(comm -13 <(echo "$want") <(echo "$got") | tr '\n' ' ')
	if [[ -n $missing ]]; then
		nc_fail "$label lacks: $missing"
	fi
	if [[ -n $extra ]]; then
		nc_fail "$label names modes the table lacks: $extra"
	fi
	if [[ -z $missing && -z $extra ]]; then
		nc_pass "$label: the $(wc -l <<<"$got") modes"
	fi
}

# The lines of a page between its mode markers, roff's \- undone.
marked() {
	local page=$top_srcdir/man/$1

	[[ -r $page ]] || nc_error "$page not found"
	awk '/^\.\\" modes:/ { on = 1; next }
	     /^\.\\" end of modes/ { on = 0 }
	     on' "$page" | sed -e 's/\\-/-/g'
}

# The modes of a marked list: the word of each .B or .BR line.
man_list() {
	marked "$1" | awk '$1 == ".B" || $1 == ".BR" { print $2 }'
}

# The modes of a marked definition list: each .TP's tag.
man_tags() {
	marked "$1" | awk 'tag { print $2 } { tag = ($1 == ".TP") }'
}

[[ -r $top_srcdir/README ]] || nc_error "$top_srcdir/README not found"
if ! sweep_help=$("$top_builddir/sweep/netcopy-sweep" --help); then
	nc_error "netcopy-sweep --help failed"
fi

# The table, as the library has it.
if ! listing=$("$NETCOPY_CLIENT" --list-modes); then
	nc_error "$NETCOPY_CLIENT --list-modes failed"
fi
table=$(cut -f1 <<<"$listing" | names)
[[ -n $table ]] || nc_error "$NETCOPY_CLIENT --list-modes lists no mode"
nc_log "the table: $(tr '\n' ' ' <<<"$table")"
nc_checks=$((nc_checks + 1))
# shellcheck disable=SC2016 # awk fields, not shell
if ! awk -F '\t' '$2 == "not-built" && $3 !~ /^not built: ./ { bad = 1 }
		  END { exit bad }' <<<"$listing"; then
	nc_fail "a mode not built is listed without its reason:"$'\n'"$listing"
fi

check "netcopy-server --list-modes" \
	"$("$NETCOPY_SERVER" --list-modes | cut -f1)"

# -m's text in --help, its wrapped lines joined: "data path: a, b or c;".
help=$("$NETCOPY_CLIENT" --help) || nc_error "$NETCOPY_CLIENT --help failed"
check "netcopy-client --help (-m)" "$(awk '
	/^ *-/ { on = /--mode/ }
	on { sub(/^ +/, ""); printf "%s ", $0 }' <<<"$help" |
	sed -n 's/.*data path: \([^;]*\);.*/\1/p' |
	sed -e 's/, /\n/g' -e 's/ or /\n/g')"

check "man/netcopy-client.1 (-m)" "$(man_list netcopy-client.1)"
check "man/netcopy-server.1" "$(man_list netcopy-server.1)"
check "man/netcopy-sweep.1 (-m)" "$(man_list netcopy-sweep.1)"
check "man/netcopy.7 (THE COPY PATHS)" "$(man_tags netcopy.7)"

readme=$top_srcdir/README
check "README (What it is)" "$(awk '
	/^costs on each Linux send path:$/ { on = 1; next }
	on && /^$/ && n { exit }
	on && /^  [a-z]/ { print $1; n++ }' "$readme")"
check "README (-m/--mode)" "$(grep -oE -- '-m/--mode [a-z|-]+' "$readme" |
	sed -e 's/^-m\/--mode //' | tr '|' '\n')"

# The sweep's help: "among\n a, b, ...\n x and y\n (--list-modes ...".
check "netcopy-sweep --help (-m)" "$(awk '
	/data paths to compare/ { on = 1 }
	on { printf "%s ", $0 }
	on && /\(--list-modes/ { exit }' <<<"$sweep_help" |
	sed -e 's/.*among//' -e 's/(--list-modes.*//' | tr -s ', ' '\n' |
	grep -vx and)"

nc_finish
