#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The pytest tests of netcopy-sweep's package (tests/python/test_*.py),
# run by Debian's /usr/bin/python3 with the package of the source tree on
# its path.  Skipped (77) where pytest is not installed
# (Debian: apt-get install python3-pytest).
set -u

: "${top_srcdir:=$(dirname "$0")/..}"
: "${NETCOPY_SWEEP_PYTHONPATH:=$top_srcdir/sweep}"
python=/usr/bin/python3

if [ ! -x "$python" ]; then
	echo "sweep-pytest: SKIP: $python is not installed"
	exit 77
fi
if ! "$python" -c 'import pytest' 2>/dev/null; then
	echo "sweep-pytest: SKIP: pytest is not installed for $python (Debian: apt-get install python3-pytest)"
	exit 77
fi
# The cache would be written into the source tree, read-only in distcheck.
PYTHONPATH=$NETCOPY_SWEEP_PYTHONPATH${PYTHONPATH:+:$PYTHONPATH} \
PYTHONDONTWRITEBYTECODE=1 \
	exec "$python" -m pytest -q -p no:cacheprovider "$top_srcdir/tests/python"
