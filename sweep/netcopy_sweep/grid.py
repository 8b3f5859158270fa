# SPDX-License-Identifier: LGPL-2.1-or-later
"""The grid: its points, the interleaved order they run in (the whole grid
once, then again), --confidence's extra rounds and the time estimate."""

from collections import namedtuple

from . import UsageError, cli

# One point of the grid; rx is "" for the mode's own receive call,
# flows None for the client's own (one data connection a thread).
Point = namedtuple("Point", "workload threads size mode rx proto flows",
                   defaults=("tcp", None))

# The client's NC_MAX_FLOWS (lib/params/params.h).
MAX_FLOWS = 65536
# What the sweep's own server holds beside the data connections of one
# run per client host: its control connections and a probe's.
CONTROL_CONNS = 16
# netcopy-server's --max-conns default (NETCOPY_DEFAULT_MAX_CONNS).
SERVER_MAX_CONNS = 4096

# What one point costs beyond its measured seconds (--duration and
# --warmup), and what a sweep costs besides its points.  Measured on a
# 2-vCPU VM: alone, a client run (process start, connections, the
# server's figures, exit) took 20 to 50 ms more than its duration; under
# a load average of 8, whole sweeps took 50 ms a point more than their
# measured seconds, plus about 10 ms per data connection.  Checked
# against real sweeps there (estimated / taken): 28 s / 28 s (48 points
# of 0.5 s), 15 s / 14 s (--perf-stat), 13 s / 13 s (1 to 8 threads) at
# load averages of 7 to 9; at 11 to 12, 37 s / 47 s and 15 s / 27 s (8
# threads, 1M, --warmup): a machine that busy is slower than any constant
# says, and the progress line's time left then follows the real pace.
POINT_OVERHEAD_S = 0.05
THREAD_OVERHEAD_S = 0.01
# --flows beyond one a thread: each further connection, without a thread
# of its own.  Measured on the 2-vCPU VM at load averages of 20 to 55:
# ConnectTime_ms 2140 to 2250 for 10,000 flows over 2 threads.
FLOW_OVERHEAD_S = 0.00025
# --perf-stat: perf stat around a server of its own (-1) when the server
# sends, around the client otherwise: perf's start and its report.
PERF_OVERHEAD_S = 0.12
# The program's start, the server's, one probe run (-d 0.05) per mode.
START_S = 0.25
PROBE_S = 0.05 + POINT_OVERHEAD_S
# The summary and report, and each figure matplotlib draws (PNG and SVG).
FINISH_S = 0.2
PLOT_S = 0.8
# --record: per mode, perf record's start and perf report's reading.
RECORD_S = 1.5
# --client-host: every client run starts with an ssh login, this machine
# doing the client side of each host's.  Measured on the 2-vCPU VM
# against sshd in namespaces (load average 4): 0.43 s for one login, 0.72
# s for two at once; a sweep of 16 points and 2 probes on two hosts took
# 0.75 s a run more than the estimate without them.
SSH_LOGIN_S = 0.36


class Plan:
    """The validated grid of one sweep."""

    def __init__(self, opts, known_modes):
        """known_modes: {mode: [protocols]} as --list-modes gives them (a
        list: modes over TCP only, as an older client's)."""
        if not isinstance(known_modes, dict):
            known_modes = {m: ["tcp"] for m in known_modes}
        self.protos = cli.split_list("--proto", opts.proto)
        for p in self.protos:
            if p not in cli.PROTOS:
                raise UsageError("--proto: unknown protocol '%s' (expected "
                                 "tcp, udp or tcp,udp)" % p)
        self.sizes = [cli.parse_size("--sizes", s, opts.sizes)
                      for s in cli.split_list("--sizes", opts.sizes)]
        self.sizes = list(dict.fromkeys(self.sizes))
        self.modes_of = self._modes(opts.modes, known_modes)
        self._union()
        self.rate = cli.parse_rate(opts.rate)
        self.threads = [cli.parse_count("--threads", t, 1, 1024,
                                        "a thread count from 1 to 1024")
                        for t in cli.split_list("--threads", opts.threads)]
        self.threads = list(dict.fromkeys(self.threads))
        self.flows = [None]
        if opts.flows is not None:
            self.flows = list(dict.fromkeys(
                cli.parse_count("--flows", f, 1, MAX_FLOWS,
                                "a flow count from 1 to %d" % MAX_FLOWS)
                for f in cli.split_list("--flows", opts.flows)))
            if not any(f >= t for f in self.flows for t in self.threads):
                raise UsageError("--flows: every flow count is below "
                                 "every thread count (-t)")
        self.workloads = cli.split_list("--workload", opts.workloads)
        for w in self.workloads:
            if w not in cli.WORKLOADS:
                raise UsageError("--workload: unknown workload '%s' "
                                 "(expected stream, rr or stream,rr)" % w)
        self.rxs = [""]
        if opts.rx is not None:
            self.rxs = cli.split_list("--rx", opts.rx)
            for x in self.rxs:
                if x not in cli.RX_CALLS:
                    raise UsageError("--rx: unknown receive call '%s' "
                                     "(expected %s)" % (
                                         x, ", ".join(cli.RX_CALLS)))
        for p in self.protos:
            if not self.sizes_of(p):
                raise UsageError("--proto %s: every size is above the UDP "
                                 "maximum of %d bytes" % (p,
                                                          cli.UDP_MAX_SIZE))
            if not any(self.rx_fits(p, x) for x in self.rxs):
                raise UsageError("--proto %s: none of the receive calls "
                                 "of --rx works over %s" % (p, p))
        self.duration = cli.parse_seconds("--duration", opts.duration)
        self.repeat = cli.parse_count("--repeat", opts.repeat, 1, 10 ** 6,
                                      "a count >= 1")
        self.warmup = None
        if opts.warmup is not None:
            self.warmup = cli.parse_seconds("--warmup", opts.warmup,
                                            bounded=False)
        self.confidence = None
        self.max_repeat = self.repeat
        if opts.confidence is not None:
            self.confidence = cli.parse_confidence(opts.confidence)
            self.max_repeat = max(self.repeat, cli.DEFAULT_MAX_REPEAT)
        if opts.max_repeat is not None:
            if self.confidence is None:
                raise UsageError("--max-repeat applies with --confidence "
                                 "only")
            self.max_repeat = cli.parse_count(
                "--max-repeat", opts.max_repeat, self.repeat, 10 ** 6,
                "a count >= --repeat (%d)" % self.repeat)
        self.perf_stat = opts.perf_stat
        self.record = opts.record
        self.record_size = self._record_size(opts.record_size)

    def _modes(self, text, known):
        """{protocol: [the modes asked that run over it]}."""
        self.modes_of_asked = list(known)
        if text is not None:
            self.modes_of_asked = cli.split_list("--modes", text)
        for m in self.modes_of_asked:
            if m not in known:
                raise UsageError("unknown mode '%s' (this netcopy has: %s)"
                                 % (m, ", ".join(known)))
            if text is not None and \
                    not any(p in known[m] for p in self.protos):
                raise UsageError("mode %s runs over %s only, not over "
                                 "--proto %s" % (m, ",".join(known[m]),
                                                 ",".join(self.protos)))
        out = {p: [m for m in self.modes_of_asked if p in known[m]]
               for p in self.protos}
        for p, modes in out.items():
            if not modes:
                raise UsageError("--proto %s: none of the modes (%s) runs "
                                 "over %s" % (p, ", ".join(
                                     self.modes_of_asked), p))
        return out

    def sizes_of(self, proto):
        """The sizes that fit a datagram over UDP, all over TCP."""
        if proto != "udp":
            return self.sizes
        return [s for s in self.sizes if s <= cli.UDP_MAX_SIZE]

    def skipped_text(self):
        """The one line that says which sizes UDP skips, or None."""
        if "udp" not in self.protos:
            return None
        over = [s for s in self.sizes if s > cli.UDP_MAX_SIZE]
        if not over:
            return None
        return "sizes %s skipped over udp: above the UDP maximum of %d " \
            "bytes" % (" ".join(fmt_size(s) for s in over), cli.UDP_MAX_SIZE)

    @staticmethod
    def rx_fits(proto, rx):
        return not rx or proto in cli.RX_CALLS[rx]

    def flows_skipped_text(self):
        """The one line that says which flow counts a thread count skips
        (the client refuses --flows below -t), or None."""
        skips = ["%d flows x%d" % (f, t) for t in self.threads
                 for f in self.flows if f is not None and f < t]
        if not skips:
            return None
        return "points skipped, --flows below -t: " + ", ".join(skips)

    def max_flows(self):
        """The most data connections one run holds."""
        return max(f if f is not None else t for t in self.threads
                   for f in self.flows if f is None or f >= t)

    def pairs(self):
        """(protocol, mode) of every mode to run, --proto's order first."""
        return [(p, m) for p in self.protos for m in self.modes_of[p]]

    def drop(self, proto, mode):
        """Leave out a mode over a protocol (its probe failed)."""
        self.modes_of[proto].remove(mode)
        self._union()

    def _union(self):
        """modes: those asked that run over some protocol, in order."""
        self.modes = [m for m in self.modes_of_asked
                      if any(m in ms for ms in self.modes_of.values())]

    def _record_size(self, text):
        if text is not None:
            return cli.parse_size("--record-size", text)
        return 65536 if 65536 in self.sizes else max(self.sizes)

    def points(self):
        """Every point, in the order of one round."""
        return [Point(w, t, s, m, x, p, f) for w in self.workloads
                for p in self.protos for t in self.threads
                for f in self.flows if f is None or f >= t
                for s in self.sizes_of(p) for m in self.modes_of[p]
                for x in self.rxs if self.rx_fits(p, x)]

    def counts_text(self):
        text = "%d repeats x %d workloads x %d thread counts x %d sizes " \
               "x %d modes" % (self.repeat, len(self.workloads),
                               len(self.threads), len(self.sizes),
                               len(self.modes))
        if self.rxs != [""]:
            text += " x %d receive calls" % len(self.rxs)
        if self.flows != [None]:
            text += " x %d flow counts" % len(self.flows)
        if self.protos != ["tcp"]:
            text += "; over %s" % ", ".join(
                "%s %d modes" % (p, len(self.modes_of[p]))
                for p in self.protos)
        return text


def point_seconds(plan, point):
    """What one run of point takes, by the measured overheads above."""
    s = plan.duration + (plan.warmup or 0) + POINT_OVERHEAD_S + \
        THREAD_OVERHEAD_S * point.threads + \
        FLOW_OVERHEAD_S * max(0, (point.flows or 0) - point.threads)
    if plan.perf_stat:
        s += PERF_OVERHEAD_S
    return s


def estimate(plan, plots=0, repeats=None, hosts=0):
    """Seconds the whole sweep should take with repeats runs per point
    (default -r), plots plot files and clients on hosts --client-host
    hosts (their logins: the version check's, the probes', the
    points')."""
    repeats = plan.repeat if repeats is None else repeats
    login = SSH_LOGIN_S * hosts
    grid = sum(point_seconds(plan, p) + login
               for p in plan.points()) * repeats
    total = START_S + (PROBE_S + login) * len(plan.pairs()) + login + \
        grid + FINISH_S + PLOT_S * plots
    if plan.record:
        total += len(plan.pairs()) * (plan.duration + RECORD_S)
    return total


class Schedule:
    """The rounds of a sweep: -r rounds of every point, interleaved; with
    --confidence, further rounds of the points not yet settled, until
    --max-repeat."""

    def __init__(self, plan, median_ci=None):
        self.plan = plan
        self.points = plan.points()
        self.median_ci = median_ci
        self.values = {p: [] for p in self.points}
        self.round = 0
        self.planned = plan.repeat * len(self.points)

    def add(self, point, throughput):
        """A finished run's throughput (None when not measured)."""
        if throughput is not None:
            self.values[point].append(throughput)

    def drop(self, point, ran=False):
        """Leave a point out of this round (unless it ran) and the next."""
        self.points.remove(point)
        self.values.pop(point, None)
        self.planned -= max(0, self.plan.repeat - self.round) + (not ran)

    def settled(self, point):
        level, pct = self.plan.confidence
        median, low, high = self.median_ci(self.values[point], level)
        if low is None or not median:
            return False
        return low >= median * (1 - pct) and high <= median * (1 + pct)

    def next_round(self):
        """The points of the next round (empty when done)."""
        self.round += 1
        if self.round <= self.plan.repeat:
            return list(self.points)
        if self.plan.confidence is None or \
                self.round > self.plan.max_repeat:
            return []
        todo = [p for p in self.points if not self.settled(p)]
        self.planned += len(todo)
        return todo

    def unsettled(self):
        if self.plan.confidence is None:
            return []
        return [p for p in self.points if not self.settled(p)]


def server_limits(max_flows, hosts=1):
    """netcopy-server options that let one run of max_flows data
    connections from each of hosts client hosts in: [] where its
    defaults (a shared server's) already do."""
    per_host = max_flows + CONTROL_CONNS
    total = per_host * max(1, hosts)
    if total * 2 <= SERVER_MAX_CONNS:
        return []
    return ["--max-conns", str(max(total, SERVER_MAX_CONNS)),
            "--max-conns-per-host", str(per_host)]


def fmt_size(b):
    """65536 -> 64K."""
    for unit, shift in (("G", 30), ("M", 20), ("K", 10)):
        if b >= 1 << shift and b % (1 << shift) == 0:
            return "%d%s" % (b >> shift, unit)
    return "%d" % b


def fmt_time(seconds):
    """75 -> 1m15s."""
    s = int(seconds)
    if s >= 3600:
        return "%dh%02dm%02ds" % (s // 3600, s % 3600 // 60, s % 60)
    if s >= 60:
        return "%dm%02ds" % (s // 60, s % 60)
    return "%ds" % s


def point_text(point):
    rx = " --rx " + point.rx if point.rx else ""
    over = " over " + point.proto if point.proto != "tcp" else ""
    flows = " %d flows" % point.flows if point.flows is not None else ""
    return "%s%s%s %s %s x%d%s" % (point.mode, over, rx, point.workload,
                                   fmt_size(point.size), point.threads,
                                   flows)
