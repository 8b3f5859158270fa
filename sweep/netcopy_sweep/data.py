# SPDX-License-Identifier: LGPL-2.1-or-later
"""Reading and writing the sweep's CSV files, and their numbers.

A row is a dict from csv.DictReader: columns are found by name, never by
position.  "NA" or an empty field means "not measured"; number() turns
both, and anything else that is not a finite number, into None, so that
no caller can mistake a missing figure for 0.
"""

import csv
import math
import os

NA = "NA"


def number(text):
    """The float in text, or None for NA, empty or non-numeric text."""
    if text is None:
        return None
    text = str(text).strip()
    if not text or text == NA:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def numbers(rows, column):
    """The known values of column in rows, in row order (NA left out)."""
    out = []
    for row in rows:
        value = number(row.get(column))
        if value is not None:
            out.append(value)
    return out


def fmt(value, digits=6):
    """A figure as summary.csv writes it: NA for None, else %.6g."""
    if value is None:
        return NA
    return "%.*g" % (digits, value)


def short(value):
    """A figure for reading: 3 significant digits, no exponent; NA."""
    if value is None:
        return NA
    if abs(value) >= 999.5:
        return "%d" % round(value)
    return "%.3g" % value


def read_table(path):
    """(fieldnames, rows) of a CSV file; OSError or ValueError if unreadable.

    A file with a header and no rows gives ([names], []); an empty file
    gives ([], []).
    """
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        try:
            rows = list(reader)
        except csv.Error as e:
            raise ValueError("%s: %s" % (path, e)) from None
        fieldnames = list(reader.fieldnames or [])
    for i, row in enumerate(rows):
        if None in row:
            raise ValueError("%s: line %d has more fields than the header"
                             % (path, i + 2))
    return fieldnames, rows


def read_csv(path):
    """The rows of a CSV file, each a dict keyed by the header's names."""
    return read_table(path)[1]


def fieldnames_of(rows):
    """The column names of rows read by read_csv, in the header's order."""
    return list(rows[0]) if rows else []


def write_csv(path, fieldnames, rows):
    """Write rows (dicts) under fieldnames; missing fields are NA.

    Written to a temporary file and renamed, so that a reader never sees
    half a file, even if the sweep is interrupted while writing.
    """
    tmp = "%s.tmp%d" % (path, os.getpid())
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fieldnames, restval=NA,
                                extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, path)


def ok_rows(rows):
    """The rows whose Status is ok (every row when there is no Status)."""
    return [r for r in rows if r.get("Status", "ok") == "ok"]


def first_seen(values):
    """The distinct values in the order they first appear."""
    seen = {}
    for value in values:
        seen.setdefault(value, None)
    return list(seen)


def size_text(size):
    """A message size in bytes as people read it: 64 B, 4 KiB, 1 MiB."""
    value = number(size)
    if value is None:
        return str(size)
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if value >= scale and value % scale == 0:
            return "%d %s" % (value // scale, unit)
    if value >= 1 << 10:
        return "%.1f KiB" % (value / 1024)
    return "%d B" % value
