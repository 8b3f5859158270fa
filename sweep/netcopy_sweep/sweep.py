# SPDX-License-Identifier: LGPL-2.1-or-later
"""One sweep, once its options are checked: the preflight, the grid in its
interleaved rounds, --record, then summary.csv, the plots and report.md
(written also when the sweep is interrupted, from what finished)."""

import os
import shutil
import tempfile
import time
import traceback

from . import data, grid, machine, report, stats, summary
from .interrupt import held
from .output import Results, timestamp
from .preflight import preflight
from .runner import Runner, first_line, read_text

# The client's exit status for a run it cannot do here (netcopy-client(1)):
# the mode, the kernel, a limit or the server refused it, and its first
# line of standard error says why.  A point skipped, not a failure.
EXIT_UNSUPPORTED = 4
# How the client starts its refusal of a mode that cannot yet drive
# several flows a thread (lib/flow/group.c): its like are skipped too.
FLOWS_REFUSAL = "--flows above -t: not yet"


def refusal(runs):
    """Why the first client that could not run the point said so, without
    its program's name; None when none refused."""
    for _, (rc, _, err) in runs:
        if rc == EXIT_UNSUPPORTED:
            why = first_line(err, "no reason given")
            name, sep, rest = why.partition(": ")
            return rest if sep and name.startswith("netcopy-") else why
    return None


class Sweep:
    def __init__(self, plan, topo, progs, opts, outdir, messages, version,
                 command, reverse):
        self.plan = plan
        self.topo = topo
        self.progs = progs
        self.opts = opts
        self.outdir = outdir
        self.messages = messages
        self.version = version
        self.command = command
        self.reverse = reverse
        self.estimate = 0.0
        self.do_plot = False
        self.plots_text = ""
        self.started = timestamp()
        self.t0 = self.started_t = time.monotonic()
        self.loadavg = machine.LoadAverage()
        self.notes = []
        self.failed = 0
        self.done = 0
        self.counters = "unknown"
        self.hw_counters = False
        self.perf_ok = False
        self.do_perf_stat = False
        self.facts = {}
        self.cleaned = False
        self.workdir = tempfile.mkdtemp(prefix="netcopy-sweep.")
        limit = int(plan.duration + (plan.warmup or 0) + 60)
        self.runner = Runner(progs.bindir, topo, messages, self.workdir,
                             limit, 0)
        # The sweep's own server serves only it: UDP runs measure the
        # paths unpaced, not the server's default per-host cap.
        if "udp" in plan.protos:
            self.runner.server_extra = ["--max-rate-per-host", "0"]
        # ... and lets the largest --flows point in, which a shared
        # server's defaults refuse.
        self.runner.server_extra += grid.server_limits(
            plan.max_flows(), len(topo.client_hosts or [None]))
        # (workload, proto, mode, rx) the client refused --flows above
        # -t for: {key: its reason}; their points are skipped.
        self.no_flows = {}
        # The reasons of the points refused (exit 4), each said once.
        self.refusals = set()
        self.skipped = 0
        self.results = None
        self.schedule = grid.Schedule(plan, stats.median_ci)

    def note(self, text, report=False):
        self.messages.note(text)
        if report:
            self.notes.append(text)

    def log(self, text):
        self.messages.log(text)

    # ---- the grid ----------------------------------------------------

    def client_args(self, point, duration=None):
        args = ["-m", point.mode, "-s", str(point.size), "-t",
                str(point.threads), "-d", "%g" % (duration or
                                                  self.plan.duration),
                "-w", point.workload, "-f", "csv"]
        if point.rx:
            args += ["--rx", point.rx]
        # Over TCP as before: a client or server without --proto works.
        if point.proto != "tcp":
            args += ["--proto", point.proto]
        if self.plan.rate is not None and point.workload == "stream":
            args += ["--rate", self.plan.rate]
        if point.flows is not None:
            args += ["--flows", str(point.flows)]
        return args

    @staticmethod
    def flows_key(point):
        return point.workload, point.proto, point.mode, point.rx

    def refused(self, point, runs):
        """True when a client said it cannot run the point here (exit 4):
        the point is skipped, its reason said once.  A mode that cannot
        yet run --flows above -t has its like skipped after."""
        why = refusal(runs)
        if why is None:
            return False
        self.skipped += 1
        if FLOWS_REFUSAL in why and point.flows is not None and \
                point.flows > point.threads:
            why = why[why.index(FLOWS_REFUSAL):]
            self.no_flows[self.flows_key(point)] = why
            over = " over " + point.proto if point.proto != "tcp" else ""
            rx = " --rx " + point.rx if point.rx else ""
            self.note("%s%s%s %s: points with --flows above -t skipped: %s"
                      % (point.mode, over, rx, point.workload, why),
                      report=True)
        elif why in self.refusals:
            self.log("point %s skipped: %s" % (grid.point_text(point), why))
        else:
            self.refusals.add(why)
            self.note("point %s skipped, the client cannot run it here: %s"
                      % (grid.point_text(point), why), report=True)
        return True

    def flows_refused(self, point):
        """A point of a (mode, ...) refused above: skipped, not run."""
        return point.flows is not None and point.flows > point.threads \
            and self.flows_key(point) in self.no_flows

    def sender(self, workload):
        """The side --perf-stat and --record wrap."""
        return "client" if workload == "rr" or self.reverse else "server"

    def run_point(self, point, repeat):
        """Run one point once; its row is added to the CSVs."""
        side = self.sender(point.workload)
        pfile = os.path.join(self.workdir, "perf.txt")
        if os.path.exists(pfile):
            os.remove(pfile)
        wrap = []
        server = None
        if self.do_perf_stat:
            wrap = ["perf", "stat", "-x,", "-e", machine.PERF_EVENT_LIST]
            if side == "client":
                wrap += ["-o", pfile, "--"]
            else:
                server = self.runner.start_server(once=True,
                                                  wrap=wrap + ["--"])
                wrap = []
                if server is None:
                    return self.server_failed(point, repeat)
        if server is None:
            server = self.runner.ensure_main()
            if server is None:
                return self.server_failed(point, repeat)
        started = time.monotonic()
        args = self.client_args(point)
        if self.plan.warmup is not None:
            args.append("--warmup=%g" % self.plan.warmup)
        runs = self.runner.run_clients(
            server.port, args + self.opts.passthrough, wrap)
        if self.refused(point, runs):
            self.schedule.drop(point, ran=True)
            return
        perf = []
        if self.do_perf_stat:
            if server is not self.runner.main:
                self.runner.wait_once(server, 10)
                text = server.errors()
            else:
                text = read_text(pfile)
            perf = machine.perf_cells(side, text)
        failed, total = False, 0.0
        for host, (rc, out, err) in runs:
            on = " on %s" % host if host else ""
            if rc != 0:
                failed = True
                self.note("point %s (repeat %d) failed%s, client exit %d: %s"
                          % (grid.point_text(point), repeat, on, rc,
                             first_line(err)))
            with held():
                row = self.results.add(point.mode, repeat, out, perf, host)
            gbps = data.number(row.get("Throughput_Gbps")) if row else None
            if row is not None:
                self.done += 1
                self.log("  -> %s Gbit/s, %s us%s, in %.3f s"
                         % (row.get("Throughput_Gbps"), row.get("Latency_us"),
                            on, time.monotonic() - started))
            # --confidence follows the hosts' sum: every host's or none.
            total = None if gbps is None or total is None else total + gbps
        self.failed += int(failed)
        self.schedule.add(point, total)

    def server_failed(self, point, repeat):
        self.failed += 1
        self.note("point %s (repeat %d) failed: %s"
                  % (grid.point_text(point), repeat, self.runner.failure))

    def progress(self, k, text):
        elapsed = time.monotonic() - self.t0
        n = self.schedule.planned
        if k > 1:
            left = elapsed * (n - k + 1) / (k - 1)
        else:
            left = self.estimate
        self.log("point %d/%d: %s" % (k, n, text))
        self.messages.progress("[%d/%d] %s | %s elapsed, about %s left"
                               % (k, n, text, grid.fmt_time(elapsed),
                                  grid.fmt_time(left + 0.5)))

    def run_grid(self):
        k = 0
        while True:
            todo = self.schedule.next_round()
            if not todo:
                break
            rep = self.schedule.round
            if rep <= self.plan.repeat:
                text = "repeat %d/%d" % (rep, self.plan.repeat)
            else:
                text = "repeat %d of at most %d (--confidence)" \
                    % (rep, self.plan.max_repeat)
            for point in todo:
                if self.flows_refused(point):
                    self.schedule.drop(point)
                    self.skipped += 1
                    continue
                k += 1
                self.progress(k, "%s, %s" % (grid.point_text(point), text))
                self.run_point(point, rep)
                self.loadavg.sample()
        self.messages.end_progress()
        took = grid.fmt_time(time.monotonic() - self.t0 + 0.5)
        failed = ", %d points failed" % self.failed if self.failed else ""
        if self.skipped:
            failed += ", %d point%s skipped (refused)" \
                % (self.skipped, "" if self.skipped == 1 else "s")
        self.note("grid done: %d rows in %s%s" % (self.done, took, failed))
        unsettled = self.schedule.unsettled()
        if unsettled:
            self.note("--confidence: %d of %d points did not settle within "
                      "%d repeats" % (len(unsettled),
                                      len(self.schedule.points),
                                      self.plan.max_repeat), report=True)

    # ---- the whole sweep ---------------------------------------------

    def run(self):
        self.log("# netcopy-sweep %s, %s" % (self.version, self.started))
        self.log("# command: " + self.command)
        self.loadavg.sample(force=True)
        # A remote server ends by itself too, should its watchdog fail.
        self.runner.remote_limit = int(self.estimate * 2 + 600)
        preflight(self)
        if not self.do_plot and not self.opts.no_plot:
            self.note("plots: none, %s; the data and report.md are still "
                      "written (Debian: apt-get install python3-matplotlib)"
                      % self.plots_text[4:-1], report=True)
        columns = machine.PERF_COLUMNS if self.do_perf_stat else []
        self.results = Results(self.outdir, self.topo.label, columns,
                               self.messages, bool(self.topo.client_hosts))
        self.facts = machine.facts(self.topo, self.topo.connect,
                                   self.counters_text(), self.version,
                                   self.do_perf_stat)
        self.log("machine: " + "; ".join("%s %s" % kv
                                         for kv in self.facts.items()))
        self.t0 = time.monotonic()
        self.run_grid()
        if self.plan.record and self.perf_ok:
            from .record import record
            record(self)
        if self.runner.main:
            self.runner.stop_server(self.runner.main, show=True)
        self.finish(None)
        self.cleanup()
        self.log("took %.1f s (estimated %.1f s)"
                 % (time.monotonic() - self.started_t, self.estimate))
        n = self.schedule.planned
        print(self.outdir, flush=True)
        if self.failed:
            self.note("%d of %d points failed (see %s)"
                      % (self.failed, n, os.path.join(self.outdir,
                                                       "sweep.log")))
            return 1
        self.note("done: %s (results.csv, summary.csv, report.md)"
                  % self.outdir)
        return 0

    def counters_text(self):
        return "scope %s; hardware counters %s" % (
            self.counters, "available" if self.hw_counters
            else "not available (NA)")

    def interrupted(self, e):
        self.note("interrupted by SIG%s: the current point is abandoned; %d "
                  "finished points are kept in %s"
                  % (str(e)[3:], self.done, self.outdir))
        self.cleanup()
        self.finish(e)

    def cleanup(self):
        if self.cleaned:
            return
        self.cleaned = True
        self.messages.end_progress()
        self.runner.cleanup()
        self.topo.teardown()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def finish(self, interrupted):
        """summary.csv, the plots (not after an interrupt) and report.md
        from the rows in results.csv."""
        path = os.path.join(self.outdir, "results.csv")
        rows = data.read_csv(path) if os.path.exists(path) else []
        summary_path = os.path.join(self.outdir, "summary.csv")
        summary_rows = []
        if rows:
            summary.write_summary(summary_path, rows)
            summary_rows = data.read_csv(summary_path)
        plots = self.plots(summary_rows, interrupted)
        self.loadavg.sample(force=True)
        report.write_report(os.path.join(self.outdir, "report.md"),
                            self.meta(interrupted), summary_rows, rows,
                            plots)

    def plots(self, summary_rows, interrupted):
        if not self.do_plot or interrupted or not summary_rows:
            return []
        from . import plot
        try:
            plots = plot.plot_sweep(self.outdir, summary_rows)
        except Exception as e:
            # The data and the report matter more than a figure.
            self.log(traceback.format_exc().rstrip())
            self.note("plots: drawing failed (%s: %s, see sweep.log); "
                      "report.md is written without them"
                      % (type(e).__name__, e), report=True)
            return []
        self.note("plots: %d figures" % len(plots))
        return plots

    def meta(self, interrupted):
        plan = self.plan
        params = {
            "modes": " ".join(plan.modes),
            "protocols": "; ".join("%s: %s" % (p, " ".join(plan.modes_of[p]))
                                   for p in plan.protos),
            "rate": plan.rate + " bit/s per data connection (stream runs)"
            if plan.rate else "not paced",
            "sizes": " ".join(grid.fmt_size(s) for s in plan.sizes),
            "threads": " ".join(str(t) for t in plan.threads),
            "flows": " ".join(str(f) for f in plan.flows)
            if plan.flows != [None] else "one a thread (no --flows)",
            "workloads": " ".join(plan.workloads),
            "receive calls": " ".join(plan.rxs) if plan.rxs != [""]
            else "each mode's own (no --rx)",
            "duration": "%g s per point" % plan.duration +
            (", warmup %g s" % plan.warmup if plan.warmup is not None
             else ""),
            "repeats": str(plan.repeat),
            "confidence": "%g %% within +-%g %%, at most %d repeats"
            % (plan.confidence[0] * 100, plan.confidence[1] * 100,
               plan.max_repeat) if plan.confidence else "no",
            "client options": " ".join(self.opts.passthrough) or "none",
            "client hosts": " ".join(self.topo.client_hosts) +
            " (through ssh, all at once)" if self.topo.client_hosts
            else "this machine",
            "rows": str(self.done),
            "failed points": str(self.failed),
        }
        return {
            "version": self.version,
            "command": self.command,
            "started": self.started,
            "finished": timestamp(),
            "interrupted": interrupted is not None,
            "topology": self.topo.label,
            "mtu": self.topo.mtu or 1500 if self.topo.kind == "netns"
            else None,
            "machine": self.facts,
            "params": params,
            "loadavg": list(self.loadavg.samples),
            "notes": list(self.notes),
        }

