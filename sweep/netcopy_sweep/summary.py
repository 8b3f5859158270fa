# SPDX-License-Identifier: LGPL-2.1-or-later
"""summary.csv: one row per point, the spread of every figure over repeats.

Figures are found, not listed: every column of results.csv whose values
are all numbers or NA, less the identity columns below, then the derived
figures of DERIVED.  A new client column (the TCP_INFO ones, say) thus
reaches summary.csv, and from it the plots and the report, unchanged.
"""

from . import data, stats

# The columns that name a point, in this order (those present).
KEY_COLUMNS = ["Topology", "ClientHost", "Workload", "Direction", "Proto",
               "Implementation", "Rx", "MessageSize", "Threads", "Flows"]

# Columns that are never figures, even where their values are numbers.
IDENTITY_COLUMNS = set(KEY_COLUMNS) | {
    "Repeat", "Timestamp", "Duration_s", "Verify", "Status", "Host",
    "Kernel", "NetcopyVersion", "CountersScope", "PerfSide",
}

# Derived figures: (name, numerator, denominator, scale); the value is
# numerator * scale / denominator where both are known and the
# denominator is positive, else NA.
DERIVED = [
    ("CacheMissesPerKiB", "CacheMisses", "TotalBytes", 1024),
    ("RcvCacheMissesPerKiB", "RcvCacheMisses", "TotalBytes", 1024),
    ("RxZcMappedFraction", "RxZcMapped", "TotalBytes", 1),
    ("SndCtxSwitchesPerMiB", "ContextSwitches", "TotalBytes", 1 << 20),
    ("RcvCtxSwitchesPerMiB", "RcvContextSwitches", "TotalBytes", 1 << 20),
]

# With --client-host, the clients of a point run on several hosts at once.
# Its aggregate is a point of its own, ClientHost ALL_HOSTS: per repeat,
# the sums of the SUMMED figures over the hosts, where every host's run of
# that repeat is ok; its other figures are NA (a sum of CPU shares or
# latencies would mean nothing).
ALL_HOSTS = "all"
SUMMED = ["Throughput_Gbps", "MessagesPerSec", "RoundTripsPerSec",
          "TotalBytes", "Messages", "RoundTrips", "SndBytes"]

# The statistics of each figure, as column suffixes, in this order.
STAT_SUFFIXES = ["median", "min", "max", "stddev", "ci95_low", "ci95_high"]


def key_columns(fieldnames):
    """The key columns present in fieldnames, in KEY_COLUMNS order."""
    present = set(fieldnames)
    return [c for c in KEY_COLUMNS if c in present]


def point_key(row, keys):
    """The tuple that names row's point."""
    return tuple(row.get(c, data.NA) for c in keys)


def group_points(rows, keys):
    """{point key: [rows]} with the points in the order they first appear."""
    groups = {}
    for row in rows:
        groups.setdefault(point_key(row, keys), []).append(row)
    return groups


def _is_na(text):
    return text is None or text.strip() in ("", data.NA)


def measured_columns(fieldnames, rows):
    """The figure columns of results.csv, in the header's order."""
    out = []
    for name in fieldnames:
        if name in IDENTITY_COLUMNS:
            continue
        if all(_is_na(r.get(name)) or data.number(r.get(name)) is not None
               for r in rows):
            out.append(name)
    return out


def derived_value(row, numerator, denominator, scale):
    """One DERIVED figure of one row, or None."""
    num = data.number(row.get(numerator))
    den = data.number(row.get(denominator))
    if num is None or den is None or den <= 0:
        return None
    return num * scale / den


def figure_values(rows, figure):
    """The known values of a figure (measured or DERIVED) over rows."""
    for name, numerator, denominator, scale in DERIVED:
        if name == figure:
            values = (derived_value(r, numerator, denominator, scale)
                      for r in rows)
            return [v for v in values if v is not None]
    return data.numbers(rows, figure)


def figures(fieldnames, rows):
    """Every figure summary.csv gives: the measured, then the derived."""
    measured = measured_columns(fieldnames, rows)
    derived = [d[0] for d in DERIVED if d[0] not in measured]
    return measured + derived


def describe(values):
    """{suffix: text} for the STAT_SUFFIXES of values (NA where unknown)."""
    med, low, high = stats.median_ci(values)
    got = {
        "median": med,
        "min": min(values) if values else None,
        "max": max(values) if values else None,
        "stddev": stats.stddev(values),
        "ci95_low": low,
        "ci95_high": high,
    }
    return {s: data.fmt(got[s]) for s in STAT_SUFFIXES}


def median_of(srow, figure):
    """A summary row's median of figure, as a number or None."""
    return data.number(srow.get(figure + "_median"))


def interval_of(srow, figure):
    """A summary row's (ci95_low, ci95_high) of figure, numbers or None."""
    return (data.number(srow.get(figure + "_ci95_low")),
            data.number(srow.get(figure + "_ci95_high")))


def client_hosts(rows):
    """The ClientHost values of rows, in first-seen order ("all" and
    empty ones left out)."""
    return data.first_seen(r.get("ClientHost") for r in rows
                           if r.get("ClientHost") not in (None, "",
                                                          ALL_HOSTS))


def aggregate_rows(rows, fieldnames):
    """The rows of the ALL_HOSTS points: one per point and repeat at
    which every client host has an ok row, its SUMMED figures added up.
    None (an empty list) with fewer than two hosts."""
    hosts = client_hosts(rows) if "ClientHost" in fieldnames else []
    if len(hosts) < 2:
        return []
    keys = [k for k in key_columns(fieldnames) if k != "ClientHost"]
    runs = {}
    for r in data.ok_rows(rows):
        if r.get("ClientHost") in hosts:
            key = point_key(r, keys) + (r.get("Repeat"),)
            runs.setdefault(key, {})[r["ClientHost"]] = r
    out = []
    for key, by_host in runs.items():
        if len(by_host) != len(hosts):
            continue
        row = dict(zip(keys + ["Repeat"], key))
        row["ClientHost"] = ALL_HOSTS
        for fig in SUMMED:
            values = [data.number(r.get(fig)) for r in by_host.values()]
            row[fig] = data.NA if None in values else data.fmt(sum(values), 12)
        out.append(row)
    return out


def point_rows(rows, fieldnames=None):
    """The runs summary.csv is made of: the ok rows, then the ALL_HOSTS
    rows of aggregate_rows()."""
    if fieldnames is None:
        fieldnames = data.fieldnames_of(rows)
    return data.ok_rows(rows) + aggregate_rows(rows, fieldnames)


def summarize(rows, fieldnames=None):
    """(fieldnames, summary_rows) of results rows; rows not ok left out.

    fieldnames defaults to the order of the first row's columns (read_csv
    keeps the header's).  Each summary row maps every field to text.
    """
    if fieldnames is None:
        fieldnames = data.fieldnames_of(rows)
    keys = key_columns(fieldnames)
    figs = figures(fieldnames, rows)
    out_fields = keys + ["Repeats"]
    out_fields += ["%s_%s" % (f, s) for f in figs for s in STAT_SUFFIXES]
    out = []
    for key, point in group_points(point_rows(rows, fieldnames),
                                   keys).items():
        row = dict(zip(keys, key))
        row["Repeats"] = str(len(point))
        for fig in figs:
            for suffix, text in describe(figure_values(point, fig)).items():
                row["%s_%s" % (fig, suffix)] = text
        out.append(row)
    return out_fields, out


def write_summary(path, rows, fieldnames=None):
    """Write summary.csv of results rows to path; returns summarize()'s."""
    out_fields, out = summarize(rows, fieldnames)
    data.write_csv(path, out_fields, out)
    return out_fields, out


def threads_text(threads):
    return "%s thread%s" % (threads, "" if threads == "1" else "s")


class Points:
    """The summary rows with the names a reader needs: mode and context.

    A mode is an Implementation, with its receive call where the sweep
    ran it with more than one; a context is what a point has besides its
    mode and size (thread count, and workload, direction, topology or
    client host where those vary).
    """

    def __init__(self, summary_rows):
        self.rows = summary_rows
        fields = data.fieldnames_of(summary_rows)
        keys = key_columns(fields)
        rx_of = {}
        for r in summary_rows:
            rx_of.setdefault(r.get("Implementation"), set()).add(r.get("Rx"))
        self.rx_of = rx_of
        self.context_keys = [k for k in keys if k not in (
            "Implementation", "Rx", "MessageSize")]
        self.varying = [k for k in self.context_keys if k == "Threads" or
                        len({r.get(k) for r in summary_rows}) > 1]
        # Flows names a point only where some run had more than one a
        # thread; otherwise it is the thread count again.
        if not any(r.get("Flows") != r.get("Threads") for r in summary_rows):
            self.varying = [k for k in self.varying if k != "Flows"]

    def mode(self, r):
        impl = r.get("Implementation", data.NA)
        if len(self.rx_of.get(impl, ())) > 1:
            return "%s (rx %s)" % (impl, r.get("Rx"))
        return impl

    def context(self, r):
        return tuple(r.get(k, data.NA) for k in self.context_keys)

    def context_text(self, r):
        parts = []
        for k in self.varying:
            value = r.get(k, data.NA)
            parts.append(threads_text(value) if k == "Threads" else
                         "%s flows" % value if k == "Flows" else value)
        return ", ".join(parts)

    def name(self, r):
        """'two-copy 4 KiB, 1 thread': one point, for a list."""
        return "%s %s, %s" % (self.mode(r), data.size_text(
            r.get("MessageSize")), self.context_text(r))

    def by_context(self):
        """{context: {mode: {size: summary row}}}, in first-seen order."""
        out = {}
        for r in self.rows:
            modes = out.setdefault(self.context(r), {})
            modes.setdefault(self.mode(r), {})[r.get("MessageSize")] = r
        return out
