#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Loopback integration of the sendfile mode: sizes 1, 64, 4K, 64K and 1M, with
# 1 and 4 threads, in both directions, all verified (the receiver expects
# the stamps of the sender's blocks, message n carrying block n % K),
# against one server.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
nc_loopback sendfile
