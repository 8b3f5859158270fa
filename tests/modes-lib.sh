# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tests/modes-lib.sh - reading `netcopy-client --list-modes`, once for
# the tests (tests/lib.sh sources it), .ci/run and bench/.  It defines
# functions only, with no side effect, so that scripts which are no test
# (and must not take tests/lib.sh's settings, such as its unsetting of
# NETCOPY_DISABLE_MODES and NETCOPY_PACING) can source it too.

# nc_modes_listed STATE PROTO: of a --list-modes listing on stdin, the
# names of the modes in STATE (yes: this build and kernel run them;
# built: yes or no, built in whether this kernel runs them or not) that
# send over PROTO (tcp or udp), one a line.  The fourth field lists a
# mode's protocols; a listing without it (a netcopy from before UDP)
# means tcp.
nc_modes_listed() {
	# shellcheck disable=SC2016 # awk fields, not shell
	awk -F '\t' -v state="$1" -v proto="$2" '
		(state == "built" ? $2 != "not-built" : $2 == state) &&
		index("," ($4 == "" ? "tcp" : $4) ",", "," proto ",") {
			print $1
		}'
}
