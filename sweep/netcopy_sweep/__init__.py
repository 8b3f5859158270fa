# SPDX-License-Identifier: LGPL-2.1-or-later
"""netcopy-sweep: run a whole netcopy experiment in one command.

The package is installed under netcopy's pkgdatadir; the program
(sweep/netcopy-sweep, generated from netcopy-sweep.in) puts that folder on
sys.path and calls netcopy_sweep.__main__.main().
"""

PROG = "netcopy-sweep"


class UsageError(Exception):
    """Bad input: one line on stderr, exit 2."""

    status = 2


class SweepError(Exception):
    """The sweep cannot go on: one line on stderr, exit with status."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
