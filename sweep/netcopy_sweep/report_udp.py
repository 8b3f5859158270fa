# SPDX-License-Identifier: LGPL-2.1-or-later
"""report.md's UDP findings: what batching and GSO cost per KiB against
send() at the same datagram size, and the points that lost datagrams."""

from . import data, summary

LOSS_LIMIT = 0.01       # a LossFraction above this measures drops
COST_FIGURE = "SndCpuUsPerKiB"
# The UDP send paths weighed against send() of one datagram a call:
# (Implementation, how the report names it).
BASELINE = ("two-copy", "send()")
AGAINST_BASELINE = [("gso", "GSO"), ("sendmmsg", "sendmmsg()")]


def udp_rows(summary_rows):
    return [r for r in summary_rows if r.get("Proto") == "udp"]


def cost_findings(points):
    """"GSO at 1472-byte datagrams cost X us/KiB against send()'s Y",
    wherever both were measured at one size and context."""
    base, base_name = BASELINE
    cells = {}
    for r in udp_rows(points.rows):
        key = (points.context(r), r.get("MessageSize"))
        cells.setdefault(key, {}).setdefault(r.get("Implementation"),
                                             []).append(r)
    out = []
    for mode, name in AGAINST_BASELINE:
        for (_, size), modes in cells.items():
            for r, ref_row in _pairs(modes.get(mode, []),
                                     modes.get(base, [])):
                out += _cost_line(points, r, ref_row, name, base_name, size)
    return out


def _pairs(rows, refs):
    """The rows to weigh against each other: each against the one
    baseline, or, where a mode ran with several receive calls, those
    with the same Rx."""
    if len(rows) == 1 and len(refs) == 1:
        return [(rows[0], refs[0])]
    return [(r, b) for r in rows for b in refs if r.get("Rx") == b.get("Rx")]


def _cost_line(points, row, ref_row, name, base_name, size):
    cost = summary.median_of(row, COST_FIGURE)
    ref = summary.median_of(ref_row, COST_FIGURE)
    if cost is None or ref is None:
        return []
    rx = row.get("Rx")
    several = len(points.rx_of.get(row.get("Implementation"), ())) > 1
    rx_text = ", rx %s" % rx if several else ""
    ratio = " (%s of it)" % _share(cost, ref) if ref > 0 else ""
    return ["- %s%s: %s at %s-byte datagrams cost %s µs/KiB of sender CPU "
            "against %s's %s%s." % (
                points.context_text(row), rx_text, name, size,
                data.short(cost), base_name, data.short(ref), ratio)]


def _share(cost, ref):
    return "%.2f" % (cost / ref)


def loss_findings(points):
    """The UDP points whose median LossFraction is above LOSS_LIMIT."""
    rows = udp_rows(points.rows)
    measured = [r for r in rows
                if summary.median_of(r, "LossFraction") is not None]
    if not measured:
        return []
    lossy = ["%s (%.1f %%)" % (points.name(r), 100 * summary.median_of(
        r, "LossFraction")) for r in measured
        if summary.median_of(r, "LossFraction") > LOSS_LIMIT]
    limit = "%g %%" % (100 * LOSS_LIMIT)
    if not lossy:
        n = len(measured)
        return ["- No UDP point lost more than %s of its datagrams "
                "(median LossFraction, %d point%s)." % (
                    limit, n, "" if n == 1 else "s")]
    return ["- Loss above %s at %d of %d UDP points: %s.  Their figures "
            "measure the drops too: pace the sender (--rate) below what "
            "the receiver keeps up with." % (limit, len(lossy),
                                             len(measured),
                                             "; ".join(lossy))]


def findings(points):
    """The lines of the UDP section (none without UDP points)."""
    return cost_findings(points) + loss_findings(points)
