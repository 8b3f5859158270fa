# SPDX-License-Identifier: LGPL-2.1-or-later
"""report.md: what the sweep found, in sentences computed from its data.

The findings come first (copied zero-copy sends, crossovers, CPU-bound
sides, the best mode per size, noisy points), then the machine, the
parameters, the summary table and the plots.  It is written from what
finished, also when the sweep was interrupted.
"""

import os

from . import data, report_flows, report_udp, stats, summary

CPU_BOUND_PCT = 90.0    # CPU share per data thread that counts as bound
NOISY_CV = 0.10         # coefficient of variation above which a point is
                        # too noisy to trust
MAIN_FIGURE = "Throughput_Gbps"

# Topologies whose path always copies zero-copy pages: the data goes to a
# socket on the same machine, not to a device that could DMA them.
ALWAYS_COPY = {"loopback": "loopback", "netns": "a veth pair"}

# The summary table: (heading, figure); a column all NA is left out.
TABLE = [
    ("Gbit/s", "Throughput_Gbps"),
    ("Latency us", "Latency_us"),
    ("Snd CPU us/KiB", "SndCpuUsPerKiB"),
    ("Rcv CPU us/KiB", "RcvCpuUsPerKiB"),
    ("Snd ctx sw/MiB", "SndCtxSwitchesPerMiB"),
    ("Rcv ctx sw/MiB", "RcvCtxSwitchesPerMiB"),
    ("RTT p50 us", "RttP50_us"),
    ("RTT p99 us", "RttP99_us"),
    ("Zc copied", "ZcCopiedFraction"),
    ("Rx mapped", "RxZcMappedFraction"),
    ("Loss", "LossFraction"),
    ("Jitter us", "Jitter_us"),
    ("Fairness", "FlowFairness"),
    ("Slowest flow Gbit/s", "FlowGbpsMin"),
]


num = data.short
median_of = summary.median_of
interval_of = summary.interval_of


def pct(fraction):
    return "%.1f %%" % (100.0 * fraction)


def cell(srow, figure):
    """median [low, high], or the median alone without an interval."""
    med = median_of(srow, figure)
    low, high = interval_of(srow, figure)
    if med is None or low is None or high is None:
        return num(med)
    return "%s [%s, %s]" % (num(med), num(low), num(high))


def zero_copy_modes(rows):
    """The Implementations that counted zero-copy completions."""
    found = [r.get("Implementation") for r in data.ok_rows(rows)
             if data.number(r.get("ZcCopiedFraction")) is not None or
             data.number(r.get("ZcCompletions")) is not None]
    return data.first_seen(found)


def copied_share(rows):
    """(share 0-1, copied, completions) over rows, or None.

    From the counts where the rows have them (a share of all sends, not
    a mean of the runs' fractions), else the median ZcCopiedFraction.
    """
    copied = completions = 0
    for r in rows:
        c = data.number(r.get("ZcCopied"))
        n = data.number(r.get("ZcCompletions"))
        if c is not None and n is not None:
            copied, completions = copied + c, completions + n
    if completions > 0:
        return copied / completions, int(copied), int(completions)
    med = stats.median(data.numbers(rows, "ZcCopiedFraction"))
    return None if med is None else (med, None, None)


def copy_meaning(share, topology):
    where = ALWAYS_COPY.get(topology)
    if share >= 0.995 and where:
        return ("That is what %s always does: the receiver is a socket on "
                "this machine, so the kernel copies the pages it had pinned, "
                "and zero-copy pays for pinning them and reading the "
                "completions on top of a copy; expect it to be no faster "
                "than two-copy here, often slower.  A NIC with "
                "scatter-gather DMA may send the pages without a copy: "
                "measure across a real link (--server-host) to see what "
                "zero-copy saves." % where)
    if share >= 0.995:
        return ("The kernel copied on this path too: the device or the path "
                "to it (a bridge, a tunnel, veth) cannot send from the "
                "pages, so zero-copy saves nothing here.")
    if share <= 0.005:
        return ("The kernel sent from the pages without a copy (a device "
                "with scatter-gather DMA): the saving shows in the "
                "sender's CPU us/KiB.")
    return ("The kernel copied part of the sends: those it could not hand "
            "to the device as they were.")


def zero_copy_findings(rows, topology):
    out = []
    ok = data.ok_rows(rows)
    for mode in zero_copy_modes(rows):
        mine = [r for r in ok if r.get("Implementation") == mode]
        got = copied_share(mine)
        if got is None:
            out.append("- **%s**: no zero-copy completion was counted." % mode)
            continue
        share, copied, completions = got
        counts = ("" if completions is None else
                  " (%d of %d completed sends)" % (copied, completions))
        text = "- **%s**: the kernel copied %s of the zero-copy sends%s." % (
            mode, pct(share), counts)
        sizes = data.first_seen(r.get("MessageSize") for r in mine)
        per_size = [(s, copied_share([r for r in mine
                                      if r.get("MessageSize") == s]))
                    for s in sizes]
        shares = [g[0] for _, g in per_size if g is not None]
        if len(shares) > 1 and max(shares) - min(shares) > 0.0005:
            text += " By size: %s." % ", ".join(
                "%s %s" % (data.size_text(s), pct(g[0]))
                for s, g in per_size if g is not None)
        out.append(text + " " + copy_meaning(share, topology))
    return out


def crossover_findings(points):
    out = []
    for modes in points.by_context().values():
        names = list(modes)
        for i, first in enumerate(names):
            for second in names[i + 1:]:
                out += _crossovers(points, modes[first], modes[second],
                                   first, second)
    return out


def _crossovers(points, a, b, name_a, name_b):
    sizes = sorted((s for s in a if s in b), key=data.number)
    out, last = [], None
    for size in sizes:
        ta, tb = median_of(a[size], MAIN_FIGURE), median_of(b[size],
                                                            MAIN_FIGURE)
        if ta is None or tb is None or ta == tb:
            continue
        sign = ta > tb
        if last is not None and sign != last[0]:
            win, lose = (name_a, name_b) if sign else (name_b, name_a)
            rw, rl = (a, b) if sign else (b, a)
            lw, hw = interval_of(rw[size], MAIN_FIGURE)
            ll, hl = interval_of(rl[size], MAIN_FIGURE)
            firm = None not in (lw, hl) and lw > hl
            out.append("- %s: **%s** overtakes %s between %s and %s (%s "
                       "against %s Gbit/s at %s%s)." % (
                           points.context_text(a[size]), win, lose,
                           data.size_text(last[1]), data.size_text(size),
                           num(max(ta, tb)), num(min(ta, tb)),
                           data.size_text(size),
                           "" if firm else "; within the noise: the "
                           "intervals overlap or are NA"))
        last = (sign, size)
    return out


def cpu_bound_findings(points):
    sides = [("sender", "SndCpuShare_pct"), ("receiver", "RcvCpuShare_pct")]
    if all(median_of(r, f) is None for r in points.rows for _, f in sides):
        return ["- The CPU share was not measured."]
    out, bound_any = [], set()
    for side, figure in sides:
        bound = []
        for r in points.rows:
            share = median_of(r, figure)
            threads = data.number(r.get("Threads")) or 1
            if share is not None and share / threads >= CPU_BOUND_PCT:
                bound.append("%s (%s %%)" % (points.name(r), num(share)))
                bound_any.add(id(r))
        if bound:
            out.append("- The %s was CPU-bound (median CPU share at least "
                       "%d %% of one CPU per data thread) at %d of %d "
                       "points: %s." % (side, CPU_BOUND_PCT, len(bound),
                                        len(points.rows), "; ".join(bound)))
    free = len(points.rows) - len(bound_any)
    if free:
        out.append("- At %d of %d points neither side was CPU-bound: the "
                   "limit lay elsewhere (waiting on the other side, socket "
                   "buffers, scheduling)." % (free, len(points.rows)))
    return out


def best_mode_table(points):
    lines = ["| Point | Size | Best | Gbit/s | Next | Gbit/s | Clear? |",
             "|---|---:|---|---:|---|---:|---|"]
    for modes in points.by_context().values():
        sizes = data.first_seen(s for m in modes.values() for s in m)
        for size in sorted(sizes, key=data.number):
            ranked = sorted(((median_of(m[size], MAIN_FIGURE), name, m[size])
                             for name, m in modes.items() if size in m and
                             median_of(m[size], MAIN_FIGURE) is not None),
                            key=lambda t: -t[0])
            if not ranked:
                continue
            best, nxt = ranked[0], ranked[1] if len(ranked) > 1 else None
            lines.append("| %s | %s | **%s** | %s | %s | %s | %s |" % (
                points.context_text(best[2]), data.size_text(size), best[1],
                cell(best[2], MAIN_FIGURE), nxt[1] if nxt else "-",
                cell(nxt[2], MAIN_FIGURE) if nxt else "-",
                _clear(best[2], nxt[2]) if nxt else "only mode"))
    return lines if len(lines) > 2 else []


def _clear(best, nxt):
    low, _ = interval_of(best, MAIN_FIGURE)
    _, high = interval_of(nxt, MAIN_FIGURE)
    if low is None or high is None:
        return "unknown (no intervals)"
    return "yes" if low > high else "no: the intervals overlap"


def noisy_findings(points, rows, meta):
    fields = data.fieldnames_of(rows)
    groups = summary.group_points(summary.point_rows(rows, fields),
                                  summary.key_columns(fields))
    noisy = []
    for r in points.rows:
        key = summary.point_key(r, summary.key_columns(fields))
        c = stats.cv(data.numbers(groups.get(key, []), MAIN_FIGURE))
        if c is not None and c > NOISY_CV:
            noisy.append("%s (CV %s)" % (points.name(r), pct(c)))
    if noisy:
        out = ["- Too noisy to trust (throughput's coefficient of variation "
               "over %d %%) at %d of %d points: %s." % (
                   100 * NOISY_CV, len(noisy), len(points.rows),
                   "; ".join(noisy))]
    else:
        out = ["- No point's throughput varied by more than %d %% "
               "(coefficient of variation) over its repeats." % (
                   100 * NOISY_CV)]
    return out + load_findings(meta)


def load_findings(meta):
    loads = [data.number(s[1]) for s in meta.get("loadavg") or []
             if len(s) > 1]
    loads = [v for v in loads if v is not None]
    if not loads:
        return ["- The load average was not recorded."]
    text = ("- The 1-minute load average ran from %s to %s (median %s) "
            "during the sweep" % (num(min(loads)), num(max(loads)),
                                  num(stats.median(loads))))
    cores = data.number((meta.get("machine") or {}).get("Cores (online)"))
    if cores:
        text += ", on %d CPUs" % cores
        if max(loads) > cores:
            text += ("; above the CPU count, other work competed with the "
                     "sweep for the CPUs")
    return [text + "."]


def interval_findings(points):
    n6 = stats.median_ci_rank(stats.MIN_CI_VALUES)[1]
    short = [r for r in points.rows
             if (data.number(r.get("Repeats")) or 0) < stats.MIN_CI_VALUES]
    n5 = stats.MIN_CI_VALUES - 1
    text = ("- [low, high] is the 95 %% confidence interval of the median "
            "over the repeats, by order statistics (with %d repeats it is "
            "[min, max], at %s)." % (stats.MIN_CI_VALUES, pct(n6)))
    if short:
        text += ("  %d of %d points have fewer than %d repeats, so their "
                 "intervals are NA: with n values even [min, max] covers "
                 "the median with probability 1 - 2/2^n only, %s at n = %d; "
                 "run with -r %d or more." % (
                     len(short), len(points.rows), stats.MIN_CI_VALUES,
                     pct(1 - 2.0 / 2 ** n5), n5, stats.MIN_CI_VALUES))
    return [text]


def client_host_findings(summary_rows, rows):
    """With --client-host: how the aggregate is formed, and per point each
    host's median throughput and the aggregate's."""
    hosts = summary.client_hosts(rows)
    if not hosts:
        return []
    out = ["- The clients ran on %d host%s through ssh (%s), every point's "
           "clients at the same time against the one server.  ClientHost "
           "**%s** is their aggregate: per repeat, the hosts' throughputs "
           "(and bytes, messages) summed, over the repeats in which every "
           "host's run is ok; its median and interval are those of the "
           "sums.  Each host measures its own first to last byte, and a "
           "run starts once its ssh login is done, so the runs may start "
           "a fraction of a second apart: with a --duration (and "
           "--warmup) well above that, the sum is the aggregate of runs "
           "that overlap." % (
               len(hosts), "" if len(hosts) == 1 else "s", ", ".join(hosts),
               summary.ALL_HOSTS)]
    if len(hosts) < 2:
        out[0] = out[0].split("  ClientHost")[0]
        return out
    keys = [k for k in summary.key_columns(data.fieldnames_of(summary_rows))
            if k != "ClientHost"]
    points = summary.group_points(summary_rows, keys)
    names = summary.Points(summary_rows)
    for group in points.values():
        by_host = {r.get("ClientHost"): r for r in group}
        parts = ["%s %s" % (h, num(median_of(by_host[h], MAIN_FIGURE)))
                 for h in hosts if h in by_host]
        agg = by_host.get(summary.ALL_HOSTS)
        parts.append("**%s %s**" % (summary.ALL_HOSTS, cell(agg, MAIN_FIGURE)
                                    if agg else data.NA))
        first = group[0]
        context = [summary.threads_text(first.get(k)) if k == "Threads"
                   else first.get(k, data.NA)
                   for k in names.varying if k != "ClientHost"]
        out.append("- %s %s, %s: %s Gbit/s." % (
            names.mode(first), data.size_text(first.get("MessageSize")),
            ", ".join(context), ", ".join(parts)))
    return out


def summary_table(points):
    columns = [(h, f) for h, f in TABLE
               if any(median_of(r, f) is not None for r in points.rows)]
    head = ["Mode", "Size"] + points.varying + ["n"]
    align = ["---" if h in ("Mode", "Workload", "Direction", "Topology",
                            "ClientHost", "Proto") else "---:" for h in head]
    lines = ["| %s |" % " | ".join(head + [h for h, _ in columns]),
             "|%s|" % "|".join(align + ["---:"] * len(columns))]
    for r in points.rows:
        cells = [points.mode(r), data.size_text(r.get("MessageSize"))]
        cells += [r.get(k, data.NA) for k in points.varying]
        cells += [r.get("Repeats", data.NA)]
        cells += [cell(r, f) for _, f in columns]
        lines.append("| %s |" % " | ".join(cells))
    return lines


def _section(title, lines):
    return ["", "## " + title, ""] + lines if lines else []


def render(meta, summary_rows, rows, plots):
    """report.md's text."""
    ok = data.ok_rows(rows)
    topology = meta.get("topology") or next(
        (r.get("Topology") for r in ok if r.get("Topology")), None)
    points = summary.Points(summary_rows)
    out = ["# netcopy sweep, %s" % meta.get("started", "")]
    if meta.get("interrupted"):
        out += ["", "**The sweep was interrupted**: this report covers the "
                "%d points (%d runs) that finished before it stopped." % (
                    len(summary_rows), len(ok))]
    out += ["", "- netcopy %s; started %s, finished %s" % (
        meta.get("version", "?"), meta.get("started", "?"),
        meta.get("finished", "?"))]
    if meta.get("command"):
        out.append("- command: `%s`" % meta["command"])
    if topology:
        out.append("- topology: %s%s" % (topology, ", MTU %s" % meta["mtu"]
                                         if meta.get("mtu") else ""))
    out.append("- runs: %d ok, %d not ok (left out of every figure)" % (
        len(ok), len(rows) - len(ok)))
    if not summary_rows:
        out += ["", "No point finished."]
    else:
        out += _section("Zero-copy sends the kernel copied",
                        zero_copy_findings(rows, topology))
        out += _section("Client hosts and their aggregate",
                        client_host_findings(summary_rows, rows))
        out += _section("Crossovers", crossover_findings(points) or [
            "- No mode overtakes another in throughput between the sizes "
            "measured."])
        out += _section("UDP: cost per KiB and loss",
                        report_udp.findings(points))
        out += _section("Flows per thread", report_flows.findings(points))
        out += _section("CPU-bound side", cpu_bound_findings(points))
        out += _section("Best mode per size (throughput)",
                        best_mode_table(points))
        out += _section("Noise and intervals", noisy_findings(
            points, rows, meta) + interval_findings(points))
    machine = meta.get("machine") or {}
    out += _section("Machine", ["| | |", "|---|---|"] + [
        "| %s | %s |" % kv for kv in machine.items()] if machine else [])
    params = meta.get("params") or {}
    out += _section("Parameters", ["- %s: %s" % kv for kv in params.items()])
    if summary_rows:
        out += _section("Summary", [
            "Median of the repeats whose Status is ok, [95 % interval of "
            "the median] where there are enough repeats.", ""] +
            summary_table(points))
    out += _section("Plots", [
        "![%s](%s)\n\n[SVG](%s)\n" % (t, png, svg) if svg else
        "![%s](%s)\n" % (t, png) for t, png, svg in plots] or ["None."])
    out += _section("Notes", ["- %s" % n for n in meta.get("notes") or []])
    modes = data.first_seen(r.get("Implementation") for r in rows)
    out += _section("Files", [
        "results.csv (every run), summary.csv, %scombined.csv, sweep.log." %
        "".join("%s.csv, " % m for m in modes)])
    return "\n".join(out) + "\n"


def write_report(path, meta, summary_rows, rows, plots):
    """Write report.md to path (through a temporary file and a rename)."""
    tmp = "%s.tmp%d" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(render(meta, summary_rows, rows, plots))
    os.replace(tmp, path)
