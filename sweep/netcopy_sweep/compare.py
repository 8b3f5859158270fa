# SPDX-License-Identifier: LGPL-2.1-or-later
"""netcopy-sweep compare A B [C...]: is B faster or slower than A, point
by point, and is the difference real?

For every point the sweeps have in common and every figure of FIGURES:
each sweep's median over its repeats, the ratio of medians X/A and its
95 % interval, and a verdict.  The interval is the distribution-free one
of stats.ratio_ci (the Mann-Whitney test inverted): exact at a handful
of repeats, whatever the shape of the noise, and deterministic, so that
the same folders always give the same verdicts (a bootstrap of medians
from 6 repeats is coarse, under-covers and depends on its seed).

A verdict needs both significance (the interval excludes 1) and an
effect beyond --threshold: over many points some interval will exclude 1
by chance, and the threshold keeps those small false alarms out of the
verdicts (Go's benchstat does the same with its significance and delta).
"""

import argparse
import os
import sys
import time

from . import data, stats, summary

PROG = "netcopy-sweep compare"

# Exit codes (the program's table): 0 done, 1 --fail-above tripped,
# 2 usage or a folder that is not a sweep, 4 the output cannot be written.
EXIT_OK, EXIT_SLOWER, EXIT_USAGE, EXIT_CANNOT = 0, 1, 2, 4

# The figures compared: (column, title, unit, higher is better, word when
# better, word when worse, counts for --fail-above).
FIGURES = [
    ("Throughput_Gbps", "Throughput", "Gbit/s", True, "faster", "slower",
     True),
    ("Latency_us", "Latency", "us", False, "faster", "slower", True),
    ("RttP99_us", "Round trip p99", "us", False, "faster", "slower", False),
    ("SndCpuUsPerKiB", "Sender CPU", "us/KiB", False, "cheaper", "costlier",
     False),
    ("RcvCpuUsPerKiB", "Receiver CPU", "us/KiB", False, "cheaper",
     "costlier", False),
]
MAIN = FIGURES[0][0]
SAME = "no significant difference"
FEW = "too few repeats"

DESCRIPTION = """\
Compare sweeps point by point: for every point the sweep folders have in
common (same mode, receive call, size, threads, workload, direction), each
sweep's median throughput, latency and CPU cost, the ratio to the first
sweep's (A) and its 95 % interval, and a verdict: faster, slower (cheaper,
costlier for CPU) or no significant difference.  A verdict needs the
interval to exclude 1 and a change beyond --threshold.  Writes compare.md
and compare.csv (and overlay plots with matplotlib) into -o DIR and prints
compare.md."""

EPILOG = """\
Intervals need about 4 repeats a side (6, the sweep's default, is better);
with fewer the verdict is "too few repeats".

Exit status: 0 compared; 1 --fail-above: a point was slower by more than
PCT, significantly; 2 usage error, or a folder without a readable
results.csv; 4 the output folder cannot be written."""


class Usage(Exception):
    """Bad input: one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise Usage(message)


def _percent(text):
    value = data.number(text)
    if value is None or value < 0:
        raise argparse.ArgumentTypeError(
            "%r is not a percentage (a number, 0 or more)" % text)
    return value


def parse_args(argv):
    p = _Parser(prog=PROG, description=DESCRIPTION, epilog=EPILOG,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("sweeps", nargs="+", metavar="SWEEP",
                   help="sweep folders (their results.csv); the first, A, "
                   "is the baseline")
    p.add_argument("--threshold", type=_percent, default=5.0, metavar="PCT",
                   help="smallest change that gets a verdict (default 5)")
    p.add_argument("--fail-above", type=_percent, metavar="PCT",
                   help="exit 1 when a point is slower by more than PCT, "
                   "significantly")
    p.add_argument("--no-plot", action="store_true",
                   help="write no overlay plots")
    p.add_argument("-o", "--output", metavar="DIR",
                   help="folder for compare.md and compare.csv (default: "
                   "a new netcopy-compare-DATE-TIME)")
    args = p.parse_args(argv)
    if len(args.sweeps) < 2:
        raise Usage("give at least two sweep folders (A B)")
    return args


def load(folder):
    """(fieldnames, ok rows) of a sweep folder; Usage if it is not one."""
    path = os.path.join(folder, "results.csv")
    if not os.path.isfile(path):
        raise Usage("%s: no results.csv (not a sweep folder)" % folder)
    try:
        fields, rows = data.read_table(path)
    except (OSError, ValueError, UnicodeError) as e:
        raise Usage("%s: cannot read: %s" % (path, e))
    if MAIN not in fields:
        raise Usage("%s: no %s column (not a sweep's results)" % (path, MAIN))
    return fields, data.ok_rows(rows)


def labels(folders):
    """Short unique names: the folders' base names, or else A, B, C..."""
    names = [os.path.basename(os.path.normpath(f)) or f for f in folders]
    if len(set(names)) == len(names):
        return names
    return [chr(ord("A") + i) for i in range(len(names))]


def point_keys(tables):
    """(key columns of a point, {column: [each sweep's value]}).

    The key columns are summary.KEY_COLUMNS present in every sweep, less
    those that are constant within each sweep: they name the sweep (say,
    loopback against netns), not a point, and the points match across.
    """
    keys = [k for k in summary.KEY_COLUMNS
            if all(k in fields for fields, _ in tables)]
    point, sweep = [], {}
    for k in keys:
        values = [{r.get(k) for r in rows} for _, rows in tables]
        if all(len(v) <= 1 for v in values) and k not in (
                "Implementation", "MessageSize", "Threads"):
            sweep[k] = [next(iter(v), data.NA) for v in values]
        else:
            point.append(k)
    return point, {k: v for k, v in sweep.items() if len(set(v)) > 1}


def verdict(ratio, low, high, figure, threshold):
    """(verdict, significant change in per cent or None) of one ratio."""
    _, _, _, higher_better, better, worse, _ = figure
    if ratio is None:
        return "no ratio", None
    if low is None:
        return FEW, None
    limit = threshold / 100.0
    if low > 1 and ratio > 1 + limit:
        up = True
    elif high < 1 and ratio < 1 - limit:
        up = False
    else:
        return SAME, None
    return (better if up == higher_better else worse), (ratio - 1) * 100


def compare_pair(keys, base, other, threshold):
    """Rows of compare.csv for one sweep against the baseline."""
    groups_a = summary.group_points(base, keys)
    groups_b = summary.group_points(other, keys)
    out = []
    for key, rows_a in groups_a.items():
        rows_b = groups_b.get(key)
        if rows_b is None:
            continue
        for fig in FIGURES:
            a, b = data.numbers(rows_a, fig[0]), data.numbers(rows_b, fig[0])
            if not a or not b:
                continue
            ratio, low, high = stats.ratio_ci(a, b)
            word, change = verdict(ratio, low, high, fig, threshold)
            row = dict(zip(keys, key))
            row.update(Figure=fig[0], Baseline_n=str(len(a)),
                       Sweep_n=str(len(b)),
                       Baseline_median=data.fmt(stats.median(a)),
                       Sweep_median=data.fmt(stats.median(b)),
                       Ratio=data.fmt(ratio), Ratio_ci95_low=data.fmt(low),
                       Ratio_ci95_high=data.fmt(high),
                       Change_pct=data.fmt(None if ratio is None
                                           else (ratio - 1) * 100),
                       Verdict=word)
            row["_fig"], row["_change"] = fig, change
            out.append(row)
    return out


def tripped(results, fail_above):
    """The rows slower by more than fail_above per cent, significantly.

    Measured against the interval, not --threshold: a gate set below the
    threshold still trips on what is significant and beyond the gate.
    """
    out = []
    for r in results:
        fig = r["_fig"]
        ratio = data.number(r["Ratio"])
        low, high = data.number(r["Ratio_ci95_low"]), data.number(
            r["Ratio_ci95_high"])
        if not fig[6] or ratio is None or low is None:
            continue
        worse = (high < 1 and ratio < 1 - fail_above / 100.0) if fig[3] \
            else (low > 1 and ratio > 1 + fail_above / 100.0)
        if worse:
            out.append(dict(r, _change=(ratio - 1) * 100))
    return out


def new_folder():
    base = time.strftime("netcopy-compare-%Y%m%d-%H%M%S")
    name, i = base, 1
    while os.path.exists(name):
        i += 1
        name = "%s-%d" % (base, i)
    return name


def plot_overlays(outdir, names, tables):
    """The overlay plots as [(title, png, svg)], and a note or None."""
    try:
        from . import plot
    except ImportError as e:
        return [], "no plots: %s" % e
    ok, reason = plot.available()
    if not ok:
        return [], "no plots: %s" % reason
    rows = {n: summary.summarize(t[1], t[0])[1] for n, t in zip(names, tables)}
    try:
        return plot.plot_compare(outdir, rows), None
    except Exception as e:  # a plot must not cost the verdicts
        return [], "no plots: plotting failed: %s" % e


CSV_FIELDS = ["Figure", "Baseline_n", "Sweep_n", "Baseline_median",
              "Sweep_median", "Ratio", "Ratio_ci95_low", "Ratio_ci95_high",
              "Change_pct", "Verdict"]


def write_csv(path, keys, names, results):
    rows = [dict(r, Baseline=names[0], Sweep=name)
            for name, rs in results.items() for r in rs]
    data.write_csv(path, ["Baseline", "Sweep"] + keys + CSV_FIELDS, rows)


def _counts(rows, fig):
    words = [r["Verdict"] for r in rows if r["_fig"] is fig]
    if not words:
        return None
    parts = ["%s at %d" % (w, words.count(w)) for w in (fig[4], fig[5], SAME)
             if words.count(w)]
    rest = len(words) - sum(words.count(w) for w in (fig[4], fig[5], SAME))
    if rest:
        parts.append("no verdict (too few repeats) at %d" % rest)
    return "- %s: %s, of %d points." % (fig[1], ", ".join(parts), len(words))


def _tripped_text(points, bad, fail_above):
    by_point = {}
    for r in bad:
        by_point.setdefault(points.name(r), []).append(
            "%s %+.1f %%" % (r["_fig"][1].lower(), r["_change"]))
    if not by_point:
        return ("- --fail-above %s: no point slower by more than that, "
                "significantly." % data.short(fail_above))
    return ("- --fail-above %s: %d point(s) slower by more than that, "
            "significantly: %s." % (data.short(fail_above), len(by_point),
                                    "; ".join("%s (%s)" % (p, ", ".join(f))
                                              for p, f in by_point.items())))


def _table(points, rows, fig, base, name):
    head = ["Mode", "Size"] + points.varying + [base, name, "%s/%s" % (
        name, base) + " [95 % interval]", "Verdict"]
    out = ["### %s (%s), %s is better" % (
        fig[1], fig[2], "higher" if fig[3] else "lower"), "",
        "| %s |" % " | ".join(head),
        "|---|" + "---:|" * (len(head) - 2) + "---|"]
    for r in rows:
        if r["_fig"] is not fig:
            continue
        ratio, low, high = (data.number(r[c]) for c in (
            "Ratio", "Ratio_ci95_low", "Ratio_ci95_high"))
        interval = "" if low is None else " [%.3f, %.3f]" % (low, high)
        word = r["Verdict"]
        cells = [points.mode(r), data.size_text(r.get("MessageSize"))]
        cells += [r.get(k, data.NA) for k in points.varying]
        cells += [data.short(data.number(r["Baseline_median"])),
                  data.short(data.number(r["Sweep_median"])),
                  ("NA" if ratio is None else "%.3f" % ratio) + interval,
                  word if word in (SAME, FEW) else "**%s**" % word]
        out.append("| %s |" % " | ".join(cells))
    return out + [""]


def render(args, names, tables, sweep_keys, results, plots, note):
    """compare.md's text."""
    out = ["# netcopy compare", "",
           "| Sweep | Folder | Points | Runs |", "|---|---|---:|---:|"]
    keys = summary.key_columns(tables[0][0])
    for name, folder, (_, rows) in zip(names, args.sweeps, tables):
        out.append("| %s | %s | %d | %d |" % (
            name, folder, len(summary.group_points(rows, keys)), len(rows)))
    out += ["", "Each figure is the median over a point's repeats whose "
            "Status is ok; the ratio is of the medians, with its 95 %% "
            "interval (distribution-free: the Mann-Whitney test inverted).  "
            "A verdict needs the interval to exclude 1 and a change beyond "
            "%s %% (--threshold), so that chance differences among many "
            "points raise no false alarm." % data.short(args.threshold)]
    for k, values in sweep_keys.items():
        out += ["", "%s differs: %s." % (k, ", ".join(
            "%s %s" % nv for nv in zip(names, values)))]
    for name, rows in results.items():
        points = summary.Points(rows)
        out += ["", "## %s against %s" % (name, names[0]), ""]
        out += [c for c in (_counts(rows, f) for f in FIGURES) if c]
        if args.fail_above is not None:
            out.append(_tripped_text(points, tripped(rows, args.fail_above),
                                     args.fail_above))
        out.append("")
        for fig in FIGURES:
            if any(r["_fig"] is fig for r in rows):
                out += _table(points, rows, fig, names[0], name)
    out += ["## Plots", ""]
    out += ["![%s](%s)\n" % (t, png) for t, png, _ in plots] or [
        note or "None."]
    return "\n".join(out) + "\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = parse_args(argv)
        tables = [load(f) for f in args.sweeps]
    except SystemExit as e:  # --help
        return e.code or EXIT_OK
    except Usage as e:
        print("%s: %s (see --help)" % (PROG, e), file=sys.stderr)
        return EXIT_USAGE
    keys, sweep_keys = point_keys(tables)
    names = labels(args.sweeps)
    results = {}
    for name, table in zip(names[1:], tables[1:]):
        results[name] = compare_pair(keys, tables[0][1], table[1],
                                     args.threshold)
    if not any(results.values()):
        print("%s: %s and %s have no point in common (by %s)" % (
            PROG, args.sweeps[0], args.sweeps[1], ", ".join(keys)),
            file=sys.stderr)
        return EXIT_USAGE
    outdir = args.output or new_folder()
    try:
        os.makedirs(outdir, exist_ok=True)
        plots, note = ([], "no plots (--no-plot)") if args.no_plot else \
            plot_overlays(outdir, names, tables)
        text = render(args, names, tables, sweep_keys, results, plots, note)
        write_csv(os.path.join(outdir, "compare.csv"), keys, names, results)
        with open(os.path.join(outdir, "compare.md"), "w",
                  encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        print("%s: cannot write %s: %s" % (PROG, outdir, e.strerror or e),
              file=sys.stderr)
        return EXIT_CANNOT
    sys.stdout.write(text)
    if note:
        print("%s: %s" % (PROG, note), file=sys.stderr)
    print("%s: wrote %s (compare.md, compare.csv%s)" % (
        PROG, outdir, ", %d plots" % len(plots) if plots else ""),
        file=sys.stderr)
    if args.fail_above is not None:
        bad = {(name, summary.point_key(r, keys)) for name, rs in
               results.items() for r in tripped(rs, args.fail_above)}
        if bad:
            print("%s: %d point(s) slower by more than %s %%, significantly"
                  % (PROG, len(bad), data.short(args.fail_above)),
                  file=sys.stderr)
            return EXIT_SLOWER
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
