#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# --help and --usage print usage on stdout and exit 0, and -h prints what
# --help does; --version prints the package version; for both programs.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

nc_init
NC_TIMEOUT=10

version=
if [ -r "$top_builddir/config.h" ]; then
	version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' \
		"$top_builddir/config.h")
fi

for prog in netcopy-server netcopy-client; do
	if [ "$prog" = netcopy-server ]; then
		cmd=$NETCOPY_SERVER
	else
		cmd=$NETCOPY_CLIENT
	fi
	for opt in --help --usage; do
		nc_run "$prog $opt" "$cmd" "$opt"
		nc_check_rc 0 || continue
		nc_check "$prog $opt: usage on stdout" \
			grep -qi 'usage' "$NC_OUT" || nc_show_run
		nc_check "$prog $opt: names the program" \
			grep -q "$prog" "$NC_OUT" || nc_show_run
		nc_check "$prog $opt: nothing on stderr" [ ! -s "$NC_ERR" ] ||
			nc_show_run
	done
	nc_run "$prog --help" "$cmd" --help
	nc_check "$prog --help documents --port" grep -q -- --port "$NC_OUT"
	nc_check "$prog --help documents -h" \
		grep -Eq -- '^ +-h, --help ' "$NC_OUT" || nc_show_run
	help=$NC_OUT
	nc_run "$prog -h" "$cmd" -h
	if nc_check_rc 0; then
		nc_check "$prog -h: prints what --help prints" \
			cmp -s "$help" "$NC_OUT" || nc_show_run
		nc_check "$prog -h: nothing on stderr" [ ! -s "$NC_ERR" ] ||
			nc_show_run
	fi
	if [ "$prog" = netcopy-client ]; then
		for opt in --size --mode --threads --duration --reverse --verify \
			--format --output --ip; do
			nc_check "$prog --help documents $opt" \
				grep -q -- "$opt" "$NC_OUT"
		done
	else
		for opt in --bind --max-size --exit-after --once --max-memory \
			--hello-timeout; do
			nc_check "$prog --help documents $opt" \
				grep -q -- "$opt" "$NC_OUT"
		done
	fi
	nc_run "$prog --version" "$cmd" --version
	nc_check_rc 0 || continue
	if [ -n "$version" ]; then
		nc_check "$prog --version prints $version" \
			grep -qF -- "$version" "$NC_OUT" || nc_show_run
	else
		nc_check "$prog --version prints a version" \
			grep -Eq '[0-9]+\.[0-9]+' "$NC_OUT" || nc_show_run
	fi

	# --list-modes: a tab-separated line per mode, its protocols last;
	# two-copy and one-copy run everywhere over both; a mode disabled
	# through the environment reads "no" with the reason.
	nc_run "$prog --list-modes" "$cmd" --list-modes
	nc_check_rc 0 || continue
	# shellcheck disable=SC2016 # awk fields, not shell
	nc_check "$prog --list-modes: every line is NAME<tab>yes|no|not-built<tab>TEXT<tab>PROTOS" \
		awk -F '\t' 'NF != 4 || $3 == "" ||
			      $2 !~ /^(yes|no|not-built)$/ ||
			      $4 !~ /^(tcp|udp|tcp,udp)$/ { bad = 1 }
			      END { exit bad || NR < 3 }' "$NC_OUT" ||
		nc_show_run
	for mode in two-copy one-copy; do
		nc_check "$prog --list-modes: $mode yes, tcp,udp" \
			grep -q "^$mode	yes	.*	tcp,udp$" "$NC_OUT"
	done
	NETCOPY_DISABLE_MODES=one-copy nc_run "$prog --list-modes, one-copy disabled" \
		"$cmd" --list-modes
	nc_check "$prog --list-modes: a disabled mode reads no, with the reason" \
		grep -q "^one-copy	no	disabled by NETCOPY_DISABLE_MODES" \
		"$NC_OUT" || nc_show_run
done

nc_finish
