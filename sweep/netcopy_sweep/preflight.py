# SPDX-License-Identifier: LGPL-2.1-or-later
"""The preflight of a sweep: its server started, one tiny probe run per
mode (a mode this kernel or server cannot run is skipped), then what
will and will not be measured, and what perf can count here."""

import os
import shutil

from . import SweepError, grid, machine, stats
from .output import fields
from .runner import first_line


def preflight(sweep):
    """Before the first point: the server, a probe per mode, what will
    and will not be measured, what perf can count."""
    if sweep.topo.server_host:
        sweep.note("netcopy-sweep %s: client %s, server %s:%s (through "
                   "%s)" % (sweep.version, sweep.progs.client,
                            sweep.topo.server_host, sweep.topo.remote_server,
                            " ".join(sweep.topo.ssh)))
    else:
        sweep.note("netcopy-sweep %s: client %s, server %s"
                   % (sweep.version, sweep.progs.client, sweep.progs.server))
    sweep.topo.setup()
    hosts = sweep.topo.client_hosts
    sweep.note("topology %s: client%s -> %s; output in %s"
               % (sweep.topo.label, " on %s at once (%s)" % (
                   " ".join(hosts), sweep.topo.remote_client)
                  if hosts else "", sweep.topo.connect, sweep.outdir))
    if not sweep.runner.ensure_main():
        raise SweepError(1, "%s (see %s)" % (
            sweep.runner.failure,
            os.path.join(sweep.outdir, "sweep.log")))
    probe_modes(sweep)
    say_what_is_measured(sweep)
    check_perf(sweep)


def probe_modes(sweep):
    plan = sweep.plan
    pairs = plan.pairs()
    supported = []
    for proto, mode in pairs:
        rx = next(x for x in plan.rxs if plan.rx_fits(proto, x))
        point = grid.Point(plan.workloads[0], 1, 1024, mode, rx, proto)
        over = " over " + proto if proto != "tcp" else ""
        runs = sweep.runner.run_clients(
            sweep.runner.main.port,
            sweep.client_args(point, 0.05) + sweep.opts.passthrough)
        # The worst host's answer: a mode runs where every host runs it.
        host, (rc, out, err) = max(runs, key=lambda r: r[1][0] != 0)
        if host:
            err = "%s: %s" % (host, first_line(err))
        if rc == 0:
            supported.append((proto, mode))
            lines = out.splitlines()
            if len(lines) > 1:
                row = dict(zip(fields(lines[0]), fields(lines[1])))
                sweep.counters = row.get("CountersScope", "unknown")
                if row.get("CPUCycles", "NA") not in ("NA", ""):
                    sweep.hw_counters = True
        elif rc == 4:
            sweep.note("mode %s%s skipped: %s" % (mode, over,
                                                  first_line(err)),
                       report=True)
        elif rc == 2:
            raise SweepError(2, "the client refused the options: "
                             + first_line(err))
        else:
            raise SweepError(1, "preflight run of %s%s failed (exit %d): "
                             "%s" % (mode, over, rc, first_line(err)))
    if not supported:
        raise SweepError(4, "none of the modes asked for (%s) can run "
                         "here" % " ".join(plan.modes))
    if supported != pairs:
        for pair in pairs:
            if pair not in supported:
                plan.drop(*pair)
        sweep.schedule = grid.Schedule(plan, stats.median_ci)
    for text in (plan.skipped_text(), plan.flows_skipped_text()):
        if text:
            sweep.note(text, report=True)


def say_what_is_measured(sweep):
    plan = sweep.plan
    what = "throughput, messages/s, latency, CPU time per KiB on both " \
           "sides, context switches"
    if "rr" in plan.workloads:
        what += ", rr round-trip percentiles"
    if "zero-copy" in plan.modes:
        what += ", zero-copy completions and copied fraction"
    if "udp" in plan.protos:
        what += ", UDP loss, jitter and datagrams per call and per read"
    sweep.note("will measure: " + what)
    if "udp" in plan.protos and "stream" in plan.workloads and \
            plan.rate is None:
        sweep.note("UDP runs are not paced (no --rate): the sender floods "
                   "and the receiver drops, so their figures measure the "
                   "drops too", report=True)
    if sweep.counters == "off":
        sweep.note("will not measure: perf counters (--no-perf)",
                   report=True)
    elif sweep.counters == "user":
        sweep.note("perf counters: user mode only "
                   "(kernel.perf_event_paranoid=%s; root or <= 1 counts "
                   "the kernel too)" % machine.perf_paranoid(),
                   report=True)
    elif sweep.counters == "user+kernel":
        sweep.note("perf counters: user and kernel mode")
    if sweep.counters != "off" and not sweep.hw_counters:
        sweep.note("will not measure: hardware counters (cycles, "
                   "instructions, cache references/misses): this machine "
                   "cannot count them (no PMU, e.g. a VM); those columns "
                   "are NA, software counters and CPU time still count",
                   report=True)


def check_perf(sweep):
    if not (sweep.plan.perf_stat or sweep.plan.record):
        return
    check = os.path.join(sweep.workdir, "perf-check.txt")
    ok, _ = machine.perf_check(check, "task-clock")
    if not shutil.which("perf"):
        sweep.note("perf (linux-perf) is not installed: --perf-stat and "
                   "--record are skipped; the sweep goes on", report=True)
    elif not ok:
        sweep.note("perf cannot count here (kernel.perf_event_paranoid="
                   "%s): --perf-stat and --record are skipped"
                   % machine.perf_paranoid(), report=True)
    sweep.perf_ok = ok
    if ok and sweep.plan.perf_stat:
        sweep.do_perf_stat = True
        _, missing = machine.perf_check(check, machine.PERF_EVENT_LIST)
        if missing:
            sweep.note("perf stat: %s not supported on this machine: "
                       "those Perf* columns are NA" % ", ".join(missing),
                       report=True)
        else:
            sweep.note("perf stat: every event counts")
