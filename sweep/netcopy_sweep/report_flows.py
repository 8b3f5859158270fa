# SPDX-License-Identifier: LGPL-2.1-or-later
"""report.md's --flows findings: what the most flows a thread moved, and
at what CPU cost per KiB and fairness, against the fewest at the same
mode, size and thread count."""

from . import data, summary

# (label, figure) of the cost and the sharing, in the line's order.
FIGURES = [("sender CPU", "SndCpuUsPerKiB"), ("receiver CPU",
                                              "RcvCpuUsPerKiB")]


def _flows(r):
    return data.number(r.get("Flows"))


def _ratio(value, ref):
    if value is None or not ref:
        return data.NA
    return "%.2f" % (value / ref)


def _line(points, few, many):
    med = summary.median_of
    gbps, ref = med(many, "Throughput_Gbps"), med(few, "Throughput_Gbps")
    parts = ["%d flows moved %s Gbit/s, %s of %d flows' %s" % (
        _flows(many), data.short(gbps), _ratio(gbps, ref), _flows(few),
        data.short(ref))]
    for label, fig in FIGURES:
        cost, base = med(many, fig), med(few, fig)
        if cost is not None:
            parts.append("%s %s us/KiB (%s of theirs)" % (
                label, data.short(cost), _ratio(cost, base)))
    fair = med(many, "FlowFairness")
    if fair is not None:
        parts.append("fairness %s, slowest flow %s Gbit/s" % (
            data.short(fair), data.short(med(many, "FlowGbpsMin"))))
    context = [k for k in points.varying if k != "Flows"]
    where = ", ".join(summary.threads_text(many.get(k)) if k == "Threads"
                      else many.get(k, data.NA) for k in context)
    return "- %s %s, %s: %s." % (points.mode(many), data.size_text(
        many.get("MessageSize")), where, "; ".join(parts))


def findings(points):
    """A line per mode, size and context with two flow counts or more;
    none where Flows does not vary."""
    if "Flows" not in points.varying:
        return []
    cells = {}
    for r in points.rows:
        if _flows(r) is None:
            continue
        key = (points.mode(r), r.get("MessageSize"), tuple(
            r.get(k) for k in points.context_keys if k != "Flows"))
        cells.setdefault(key, []).append(r)
    out = []
    for rows in cells.values():
        if len(rows) > 1:
            rows.sort(key=_flows)
            out.append(_line(points, rows[0], rows[-1]))
    return out
