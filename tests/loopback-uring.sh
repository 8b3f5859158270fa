#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Loopback integration of the uring mode: sizes 1, 64, 4K, 64K and 1M,
# with 1 and 4 threads, in both directions, all verified, at queue depths
# 1, 3 (a batch that never divides the run), the default and 64, then
# request-response: the stream must arrive in order whatever the depth.
# Skips (77) where this build or kernel has no io_uring.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
nc_uring_loopback uring
