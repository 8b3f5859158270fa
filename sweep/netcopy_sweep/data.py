# SPDX-License-Identifier: LGPL-2.1-or-later
# stand-in, replaced by S2's data.py: only what the core calls.
import csv


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))
