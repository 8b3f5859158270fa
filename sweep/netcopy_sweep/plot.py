"""PNG and SVG plots of a sweep's summary rows, and compare's overlays.

matplotlib is optional and imported only when plotting, so the package
works without it; available() says whether it can be used and why not.
Every figure is declared in plot_figures.FIGURES.  Files are written into
outdir and returned as (title, png, svg) with paths relative to outdir.
"""

import math
import os
import re
import zlib

from .plot_figures import (COMPARE_STEMS, FALLBACK_COLOURS,
                           FALLBACK_RX_STYLES, FIGURES, MODE_COLOURS,
                           RX_STYLES, SWEEP_LINESTYLES, XAXES)
from .summary import ALL_HOSTS

# what splits points into separate figures: never mixed on one line
GROUP_KEYS = ("Topology", "ClientHost", "Workload", "Direction", "Proto")
SIZE_UNITS = ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB"))
PANEL_W, PANEL_H = 3.6, 2.7
# beyond this many sizes, only every other (third...) tick is labelled
MAX_SIZE_LABELS = 9
DODGE_PT = 2.5          # sideways step between series at one size,
DODGE_SPAN_PT = 10      # within this, clear of the next size


def available():
    """(True, "") if matplotlib can draw with Agg, else (False, reason)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.figure  # noqa: F401
    except Exception as e:  # ImportError, or a broken install
        return False, ("matplotlib cannot be imported (%s); Debian: "
                       "apt-get install python3-matplotlib" % e)
    return True, ""


def _num(text):
    """A summary cell as a float; None for NA, empty or non-numeric."""
    try:
        v = float(text)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def size_label(size):
    """64 -> "64 B", 1024 -> "1 KiB", 1536 -> "1.5 KiB"."""
    for unit, name in SIZE_UNITS:
        if size >= unit:
            return "%s %s" % (_short(size / unit), name)
    return "%s B" % _short(size)


def _short(v):
    return ("%d" % v) if v == int(v) else ("%.3g" % v)


def _hashed(name, choices):
    return choices[zlib.crc32(name.encode()) % len(choices)]


def mode_colour(mode):
    """A mode's colour: fixed for the known modes, stable for others."""
    return MODE_COLOURS.get(mode) or _hashed(mode, FALLBACK_COLOURS)


def _rx_style(rx):
    return RX_STYLES.get(rx) or _hashed(rx, FALLBACK_RX_STYLES)


def _point(row, column):
    """(median, low, high) of a figure: the 95 % CI, else min-max."""
    med = _num(row.get(column + "_median"))
    low = _num(row.get(column + "_ci95_low"))
    high = _num(row.get(column + "_ci95_high"))
    if low is None or high is None:
        low = _num(row.get(column + "_min"))
        high = _num(row.get(column + "_max"))
    return med, low, high


class _Styles:
    """Colour per mode; line style per sweep (compare) or per Rx when a
    mode ran with several receive calls; the legend's proxy entries."""

    def __init__(self, entries):
        self.labels = _unique(label for label, _ in entries)
        self.labels = [x for x in self.labels if x is not None]
        rxs = {}
        for _, row in entries:
            mode = row.get("Implementation", "")
            rxs.setdefault(mode, set()).add(row.get("Rx", ""))
        self.multi_rx = any(len(v) > 1 for v in rxs.values())
        known = [m for m in MODE_COLOURS if m in rxs]
        self.modes = known + sorted(m for m in rxs if m not in known)
        self.rxs = sorted(set().union(*rxs.values())) if rxs else []

    def key(self, label, row):
        return (label, row.get("Implementation", ""), row.get("Rx", ""))

    def style(self, key):
        label, mode, rx = key
        st = {"color": mode_colour(mode), "linestyle": "-", "marker": "o"}
        if self.labels:
            i = self.labels.index(label)
            st["linestyle"] = SWEEP_LINESTYLES[i % len(SWEEP_LINESTYLES)]
        if self.multi_rx:
            ls, marker = _rx_style(rx)
            if self.labels:
                st["marker"] = marker
            else:
                st["linestyle"] = ls
        return st

    def order(self, key):
        label, mode, rx = key
        # mode first: one mode's lines from several sweeps sit together
        return (self.modes.index(mode),
                self.labels.index(label) if self.labels else 0, rx)

    def legend(self, used):
        from matplotlib.lines import Line2D
        modes = [m for m in self.modes if any(k[1] == m for k in used)]
        handles = [Line2D([], [], color=mode_colour(m), marker="o",
                          label=m) for m in modes]
        for label in self.labels:
            ls = self.style((label, "", ""))["linestyle"]
            handles.append(Line2D([], [], color="black", linestyle=ls,
                                  label=label))
        if self.multi_rx:
            for rx in self.rxs:
                ls, marker = _rx_style(rx)
                kw = ({"marker": marker, "linestyle": "none"}
                      if self.labels else {"linestyle": ls})
                handles.append(Line2D([], [], color="black",
                                      label="rx " + rx, **kw))
        return handles


def _unique(items):
    out = []
    for x in items:
        if x not in out:
            out.append(x)
    return out


def flows_per_thread(row):
    """Flows / Threads; None where either is unknown."""
    flows, threads = _num(row.get("Flows")), _num(row.get("Threads"))
    if flows is None or not threads:
        return None
    return flows / threads


def _fpt_text(row):
    """A size figure's extra group key: more than one flow a thread."""
    fpt = flows_per_thread(row)
    if fpt is None or fpt == 1:
        return None
    return "%s flows a thread" % _short(round(fpt, 2))


def _groups(entries, x):
    """Entries split by GROUP_KEYS (and, for the size axis, flows per
    thread), in order of first appearance."""
    groups = {}
    for label, row in entries:
        key = tuple(row.get(k) for k in GROUP_KEYS)
        if x == "size":
            key += (_fpt_text(row),)
        groups.setdefault(key, []).append((label, row))
    return groups


def _group_suffix(key, keys):
    """File-name and title parts: the workload always, other group keys
    where they vary between groups of the same workload (rr's direction
    is always "client-asks": that alone does not name it)."""
    w = GROUP_KEYS.index("Workload")
    parts = []
    for i, value in enumerate(key):
        varies = len({k[i] for k in keys if k[w] == key[w]}) > 1
        if value and (i == w or varies):
            parts.append(value)
    return parts


def _present(entries, column):
    return any(column + "_median" in row for _, row in entries)


def _size(row):
    size = _num(row.get("MessageSize"))
    return size if size is not None and size > 0 else None


def _xval(x, row):
    return _size(row) if x == "size" else flows_per_thread(row)


def _has_data(entries, column, x="size"):
    xs = {_xval(x, row) for _, row in entries
          if _point(row, column)[0] is not None} - {None}
    # against flows, a line needs two points
    return len(xs) >= (1 if x == "size" else 2)


def _y_policy(spec, values):
    """log, or linear: log where the positive values span more than a
    decade and none is zero or negative (log cannot show them)."""
    if spec.logy != "auto" or not values or min(values) <= 0:
        return "linear"
    return "log" if max(values) / min(values) > 10 else "linear"


def _panel(x, row):
    """Its panel: the thread count, and against flows the size too."""
    threads = _num(row.get("Threads"))
    return threads if x == "size" else (threads, _size(row))


def _panel_label(panel):
    if not isinstance(panel, tuple):
        return _threads_label(panel)
    threads, size = panel
    return ", ".join(x for x in (_threads_label(threads), size_label(size)
                                 if size else "") if x)


def _series(entries, styles, column, x="size"):
    """{panel: {series key: [(x, med, low, high)...]}}, sorted."""
    panels = {}
    for label, row in entries:
        xv = _xval(x, row)
        med, low, high = _point(row, column)
        if xv is None or med is None:
            continue
        key = styles.key(label, row)
        panels.setdefault(_panel(x, row), {}).setdefault(key, []).append(
            (xv, med, low, high))
    for series in panels.values():
        for pts in series.values():
            pts.sort()
    return panels


def _threads_label(threads):
    if threads is None:
        return ""
    return "%s thread%s" % (_short(threads), "" if threads == 1 else "s")


def _draw_line(ax, pts, style, key, dodge):
    """A series with its error bars, shifted dodge points sideways so
    that bars at one size do not hide each other (the data stay put)."""
    from matplotlib.transforms import ScaledTranslation
    shift = ScaledTranslation(dodge / 72, 0, ax.figure.dpi_scale_trans)
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    lo = [p[1] - p[2] if p[2] is not None else 0 for p in pts]
    hi = [p[3] - p[1] if p[3] is not None else 0 for p in pts]
    lo = [max(v, 0) for v in lo]
    hi = [max(v, 0) for v in hi]
    bars = ax.errorbar(xs, ys, yerr=[lo, hi], capsize=3, linewidth=1.6,
                       markersize=4, transform=ax.transData + shift,
                       **style)
    # the series key names the data line (the legend uses proxies)
    bars.lines[0].set_label("|".join(k or "" for k in key))


def _format_axes(axes, spec, sizes, yscale, from_zero):
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator
    lo, hi = min(sizes), max(sizes)
    stride = -(-len(sizes) // MAX_SIZE_LABELS)
    name = size_label if spec.x == "size" else _short
    labels = [name(s) if i % stride == 0 else ""
              for i, s in enumerate(sizes)]
    slant = len(sizes) > 5
    for ax in axes:
        ax.set_xscale("log", base=2)
        ax.set_xlim(lo / 1.6, hi * 1.6)
        ax.set_xticks(sizes, labels, rotation=45 if slant else 0,
                      ha="right" if slant else "center")
        ax.xaxis.set_minor_locator(NullLocator())
        ax.grid(True, which="major", alpha=0.35)
        ax.set_yscale(yscale)
    ax = axes[0]
    if yscale == "log":
        ymin, ymax = ax.get_ylim()
        subs = (1.0,) if ymax / ymin > 1e4 else (1.0, 2.0, 5.0)
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=subs))
        ax.yaxis.set_major_formatter(FuncFormatter(
            lambda v, _: "%g" % v))
        ax.yaxis.set_minor_locator(NullLocator())
    elif spec.ylim:
        ax.set_ylim(*spec.ylim)
    elif from_zero:
        ax.set_ylim(bottom=0)


def _new_figure(ncols, nrows, nsizes=0):
    from matplotlib.figure import Figure
    width = PANEL_W + 0.1 * max(0, nsizes - 8)   # room for the labels
    return Figure(figsize=(max(4.6, width * ncols), PANEL_H * nrows + 1.0),
                  layout="constrained")


def _draw(spec, entries, styles, rows, title):
    """One figure: a row of panels per column, a panel per thread count."""
    data = [(col, rl, _series(entries, styles, col, spec.x))
            for col, rl in rows]
    threads = sorted({t for _, _, p in data for t in p},
                     key=lambda t: tuple((v is None, v) for v in (
                         t if isinstance(t, tuple) else (t,))))
    sizes, values, used = set(), [], set()
    for _, _, panels in data:
        for series in panels.values():
            for key, pts in series.items():
                used.add(key)
                sizes.update(p[0] for p in pts)
                values.extend(p[1] for p in pts)
    order = sorted(used, key=styles.order)
    step = min(DODGE_PT, DODGE_SPAN_PT / max(1, len(order) - 1))
    dodge = {k: step * (i - (len(order) - 1) / 2)
             for i, k in enumerate(order)}
    fig = _new_figure(len(threads), len(data), len(sizes))
    grid = fig.subplots(len(data), len(threads), sharex=True, sharey=True,
                        squeeze=False)
    for r, (col, rlabel, panels) in enumerate(data):
        for c, t in enumerate(threads):
            ax = grid[r][c]
            series = panels.get(t, {})
            for key in sorted(series, key=styles.order):
                _draw_line(ax, series[key], styles.style(key), key,
                           dodge[key])
            if r == 0:
                ax.set_title(_panel_label(t), fontsize=10)
            if r == len(data) - 1:
                ax.set_xlabel("Message size" if spec.x == "size"
                              else "Flows per thread")
            if c == 0:
                ax.set_ylabel(spec.ylabel if not rlabel else
                              "%s\n%s" % (rlabel, spec.ylabel))
    _format_axes([a for row in grid for a in row], spec, sorted(sizes),
                 _y_policy(spec, values), min(values) >= 0)
    fig.suptitle(title, fontsize=12)
    fig.legend(handles=styles.legend(used), loc="center left",
               bbox_to_anchor=(1.0, 0.5), frameon=False)
    return fig


def _note_figure(spec, title):
    fig = _new_figure(2, 1)
    ax = fig.subplots()
    ax.set_axis_off()
    ax.text(0.5, 0.5, spec.note, ha="center", va="center", wrap=True,
            fontsize=10, transform=ax.transAxes)
    fig.suptitle(title, fontsize=12)
    return fig


def _build(entries, specs, prefix="", title_tail=""):
    """[(stem, title, Figure)] for every spec and group with data."""
    styles = _Styles(entries)
    out = []
    for x in XAXES:
        out += _build_x(entries, [s for s in specs if s.x == x], styles,
                        x, prefix, title_tail)
    return out


def _build_x(entries, specs, styles, x, prefix, title_tail):
    """_build's figures of one x axis."""
    groups = _groups(entries, x) if specs else {}
    out = []
    for gkey, gentries in groups.items():
        parts = _group_suffix(gkey, list(groups))
        workload = gkey[GROUP_KEYS.index("Workload")] or "stream"
        for spec in specs:
            if spec.workloads and workload not in spec.workloads:
                continue
            rows = [(c, rl) for c, rl in spec.columns
                    if _has_data(gentries, c, x)]
            title = spec.title
            if parts or title_tail:
                title += " (%s)" % "; ".join(
                    x for x in (", ".join(parts), title_tail) if x)
            stem = _file_stem([prefix + spec.stem] + parts)
            if rows:
                fig = _draw(spec, gentries, styles, rows, title)
            elif spec.note and not _aggregate(gkey) and \
                    any(_present(gentries, c) for c, _ in spec.columns):
                fig = _note_figure(spec, title)
            else:
                continue
            out.append((stem, title, fig))
    return out


def _aggregate(gkey):
    """The group of the hosts' sums: its counters are NA by design, not
    for want of a PMU, so no note stands in for their figures."""
    return gkey[GROUP_KEYS.index("ClientHost")] == ALL_HOSTS


def _file_stem(parts):
    return re.sub(r"[^A-Za-z0-9._-]+", "_", "-".join(parts))


def build_figures(summary_rows):
    """The sweep's figures, unsaved: [(stem, title, Figure)]."""
    return _build([(None, r) for r in summary_rows], FIGURES)


def build_compare(sweeps):
    """compare's overlays, unsaved, from {label: summary_rows}."""
    entries = [(label, r) for label, rows in sweeps.items() for r in rows]
    specs = [f for f in FIGURES if f.stem in COMPARE_STEMS]
    tail = " vs ".join(sweeps)
    return _build(entries, specs, "compare-", tail)


def _save(outdir, figures):
    from matplotlib import rc_context
    os.makedirs(outdir, exist_ok=True)
    out = []
    # a fixed hash salt and no date: the same data gives the same SVG
    with rc_context({"svg.hashsalt": "netcopy", "svg.fonttype": "none"}):
        for stem, title, fig in figures:
            png, svg = stem + ".png", stem + ".svg"
            fig.savefig(os.path.join(outdir, png), dpi=110,
                        bbox_inches="tight")
            fig.savefig(os.path.join(outdir, svg), bbox_inches="tight",
                        metadata={"Date": None})
            out.append((title, png, svg))
    return out


def plot_sweep(outdir, summary_rows):
    """Write every figure of a sweep; [(title, png, svg)] relative to
    outdir.  Figures whose columns are absent or all NA are skipped."""
    return _save(outdir, build_figures(summary_rows))


def plot_compare(outdir, sweeps):
    """Overlay throughput and CPU per KiB of {label: summary_rows}."""
    return _save(outdir, build_compare(sweeps))
