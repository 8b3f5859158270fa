# SPDX-License-Identifier: LGPL-2.1-or-later
# stand-in, replaced by S2's summary.py: medians of the numeric columns.
import csv
import statistics

from . import data, stats

KEY_COLUMNS = ["Topology", "ClientHost", "Workload", "Direction",
               "Implementation", "Rx", "MessageSize", "Threads"]
SKIP = {"Repeat", "Timestamp", "Duration_s", "Interval_s", "Verify"}
DERIVED = [("CacheMissesPerKiB", "CacheMisses", 1024),
           ("RxZcMappedFraction", "RxZcMapped", 1)]


def derive(r):
    total = data.number(r.get("TotalBytes"))
    for name, col, scale in DERIVED:
        v = data.number(r.get(col))
        r[name] = "NA" if v is None or not total else str(v * scale / total)


def summarize(rows):
    rows = [dict(r) for r in rows if r.get("Status", "ok") == "ok"]
    for r in rows:
        derive(r)
    if not rows:
        return [], []
    keys = [k for k in KEY_COLUMNS if k in rows[0]]
    figs = [c for c in rows[0] if c not in keys and c not in SKIP and
            all(data.number(r[c]) is not None or r[c] in ("NA", "")
                for r in rows)]
    groups = {}
    for r in rows:
        groups.setdefault(tuple(r[k] for k in keys), []).append(r)
    names = keys + ["Repeats"]
    for f in figs:
        names += [f + s for s in ("_median", "_min", "_max", "_stddev",
                                  "_ci95_low", "_ci95_high")]
    out = []
    for key, group in groups.items():
        s = dict(zip(keys, key), Repeats=str(len(group)))
        for f in figs:
            v = [x for x in (data.number(r[f]) for r in group)
                 if x is not None]
            med, low, high = stats.median_ci(v) if v else (None,) * 3
            cells = [med, min(v) if v else None, max(v) if v else None,
                     statistics.stdev(v) if len(v) > 1 else
                     (0.0 if v else None), low, high]
            for suffix, c in zip(("_median", "_min", "_max", "_stddev",
                                  "_ci95_low", "_ci95_high"), cells):
                s[f + suffix] = "NA" if c is None else "%.6g" % c
        out.append(s)
    return names, out


def write_summary(path, rows):
    names, out = summarize(rows)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, names, lineterminator="\n")
        w.writeheader()
        w.writerows(out)
