#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Loopback integration of the uring-zc mode, as loopback-uring.sh, and
# with --fixed-buffers too; every run has a notification for each send,
# each of them copied (loopback), or ZcCopied NA where the kernel will
# not say.  Skips (77) where this build or kernel has no SEND_ZC.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
nc_uring_loopback uring-zc --fixed-buffers
