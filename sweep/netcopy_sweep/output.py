# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the sweep writes as it goes: its messages (standard error and
sweep.log) and the CSVs of the client's rows (results.csv, MODE.csv,
combined.csv), a row at a time, each whole."""

import csv
import io
import os
import sys
import time

from . import PROG


class Messages:
    """Notes on standard error and in sweep.log, the progress line."""

    def __init__(self):
        self.log_file = None
        self.progress_open = False

    def open(self, path):
        self.log_file = open(path, "a", encoding="utf-8")

    def close(self):
        if self.log_file:
            self.log_file.close()
            self.log_file = None

    def log(self, text):
        """A line in sweep.log (once it is open)."""
        if self.log_file:
            self.log_file.write(text + "\n")
            self.log_file.flush()

    def log_lines(self, prefix, text):
        for line in text.splitlines():
            self.log(prefix + line)

    def end_progress(self):
        if self.progress_open:
            sys.stderr.write("\n")
            self.progress_open = False

    def note(self, text):
        """One line on standard error and in sweep.log."""
        self.end_progress()
        sys.stderr.write("%s: %s\n" % (PROG, text))
        sys.stderr.flush()
        self.log("%s: %s" % (PROG, text))

    def progress(self, text):
        """The progress line: rewritten in place on a terminal."""
        if sys.stderr.isatty():
            sys.stderr.write("\r\033[K%s: %s" % (PROG, text))
            self.progress_open = True
        else:
            sys.stderr.write("%s: %s\n" % (PROG, text))
        sys.stderr.flush()


def fields(line):
    """The cells of one CSV line."""
    return next(csv.reader(io.StringIO(line)), [])


def csv_cell(text):
    """text as one CSV cell (quoted where it must be)."""
    if "," in text or '"' in text:
        return '"%s"' % text.replace('"', '""')
    return text


class Results:
    """results.csv (Repeat, Topology, with --client-host ClientHost, the
    client's row, Perf* cells), MODE.csv and combined.csv (the client's
    rows as it wrote them)."""

    def __init__(self, outdir, topology, extra_columns, messages,
                 client_hosts=False):
        self.outdir = outdir
        self.path = os.path.join(outdir, "results.csv")
        self.topology = topology
        self.lead = ["Repeat", "Topology"] + \
            (["ClientHost"] if client_hosts else [])
        self.extra_columns = extra_columns
        self.messages = messages
        self.header = None
        self.rows = 0

    def _append(self, name, line, header):
        path = os.path.join(self.outdir, name)
        new = not os.path.exists(path)
        with open(path, "a", encoding="utf-8") as f:
            if new:
                f.write(header + "\n")
            f.write(line + "\n")

    def add(self, mode, repeat, client_csv, extra_cells, client_host=None):
        """Add the client's output (a header line and a row line), run on
        client_host (with --client-host); the row as a dict, or None when
        the output holds no row."""
        lines = client_csv.splitlines()
        if len(lines) < 2 or not lines[1]:
            return None
        header, row = lines[0], lines[1]
        if self.header is None:
            self.header = header
        elif header != self.header:
            self.messages.note("warning: the client's CSV header changed "
                               "during the sweep")
        lead = [str(repeat), csv_cell(self.topology)]
        if "ClientHost" in self.lead:
            lead.append(csv_cell(client_host or ""))
        full_head = ",".join(self.lead + [self.header] + self.extra_columns)
        full_row = ",".join(lead + [row] + extra_cells)
        self._append("results.csv", full_row, full_head)
        self._append(mode + ".csv", row, header)
        self._append("combined.csv", row, self.header)
        self.rows += 1
        return dict(zip(fields(header), fields(row)))


def timestamp():
    return time.strftime("%Y-%m-%d %H:%M:%S %z")
