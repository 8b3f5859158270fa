# SPDX-License-Identifier: LGPL-2.1-or-later
"""netcopy-sweep's entry: the options, the checks made before anything
runs, the dry run's plan, the signals, and the exit status."""

import os
import shlex
import subprocess
import sys
import time

from . import PROG, SweepError, UsageError, cli, grid, interrupt
from .interrupt import Interrupted
from .hosts import check_hosts, version_of
from .output import Messages
from .topology import Topology

# The figures per workload and protocol plot.py draws (for the estimate).
FIGURES_PER_WORKLOAD = 8

class Programs:
    """netcopy-client and netcopy-server, and what the client offers."""

    def __init__(self, bindir, need_server):
        if bindir.startswith("@"):
            raise UsageError("this is the unbuilt script: set "
                             "NETCOPY_BINDIR to the folder of "
                             "netcopy-client")
        self.bindir = bindir
        self.client = os.path.join(bindir, "netcopy-client")
        self.server = os.path.join(bindir, "netcopy-server")
        progs = [self.client] + ([self.server] if need_server else [])
        for prog in progs:
            if not os.access(prog, os.X_OK):
                raise SweepError(1, "%s: not found or not executable "
                                 "(NETCOPY_BINDIR?)" % prog)
        self.modes = {}
        for line in self._run("--list-modes").splitlines():
            cells = line.split("\t")
            # The fourth field lists the protocols (none: an older
            # client's, all TCP).
            protos = cells[3].split(",") if len(cells) > 3 else ["tcp"]
            if len(cells) > 1 and cells[1] != "not-built":
                self.modes[cells[0]] = protos
        if not self.modes:
            raise SweepError(1, "%s --list-modes lists no mode" % self.client)
        self._help = None

    def _run(self, *args):
        try:
            r = subprocess.run([self.client] + list(args),
                               stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True,
                               errors="replace", timeout=30)
        except subprocess.TimeoutExpired:
            raise SweepError(1, "%s %s did not end within 30 s"
                             % (self.client, " ".join(args)))
        return r.stdout

    def version(self):
        """This machine's netcopy version, as its client says."""
        got = version_of(self._run("--version"))
        if got is None:
            raise SweepError(1, "%s --version printed no version"
                             % self.client)
        return got

    def has_option(self, name):
        if self._help is None:
            self._help = self._run("--help")
        return name in self._help


def default_output():
    base = "netcopy-sweep-" + time.strftime("%Y%m%d-%H%M%S")
    name, i = base, 2
    while os.path.exists(name):
        name, i = "%s-%d" % (base, i), i + 1
    return name


def plot_plan(opts):
    if opts.no_plot:
        return False, "no (--no-plot)"
    try:
        from . import plot
    except ImportError as e:
        return False, "no (%s)" % e
    ok, reason = plot.available()
    return ok, "yes (matplotlib)" if ok else "no (%s)" % reason


def print_plan(opts, plan, topo, progs, output, plots_text, figures):
    """The dry run: what would run, and for how long."""
    rx = "--rx " + " ".join(plan.rxs) if plan.rxs != [""] else \
        "each mode's own receive call (no --rx)"
    if topo.server_host:
        server = "%s: %s (through %s)" % (
            topo.server_host, " ".join(topo.server_cmd +
                                       [topo.remote_server, "-p", "0"]),
            " ".join(topo.ssh))
    else:
        server = " ".join(topo.server_cmd + [progs.server, "-p", "0"])
    where = topo.label
    if topo.kind == "netns":
        where += " (two namespaces, veth, private /30, MTU %d)" % \
            (topo.mtu or 1500)
    under = " (under %s)" % " ".join(topo.client_cmd) if topo.client_cmd \
        else ""
    n = plan.repeat * len(plan.points())
    hosts = len(topo.client_hosts)
    est = grid.fmt_time(grid.estimate(plan, figures, hosts=hosts) + 0.5)
    repeats = str(plan.repeat)
    if plan.confidence:
        level, pct = plan.confidence
        repeats += ", then up to %d until the median throughput's " \
            "%g %% interval is within +-%g %%" % (plan.max_repeat,
                                                   level * 100, pct * 100)
        est += ", up to %s" % grid.fmt_time(
            grid.estimate(plan, figures, plan.max_repeat, hosts) + 0.5)
    warm = ", warmup %g s" % plan.warmup if plan.warmup is not None else ""
    record = "yes, at " + grid.fmt_size(plan.record_size) if plan.record \
        else "no"
    if topo.client_hosts:
        client = "%s -i %s%s, on %s at once (through %s)" % (
            topo.remote_client, topo.connect, under,
            " ".join(topo.client_hosts), " ".join(topo.ssh))
    else:
        client = "%s -i %s%s" % (progs.client, topo.connect or
                                 "<server namespace address>", under)
    lines = [
        ("topology", where),
        ("client", client),
        ("server", server),
        ("modes", " ".join(plan.modes) +
         " (a mode this kernel cannot run is skipped at run time)"),
        ("protocols", "; ".join("%s: %s" % (p, " ".join(plan.modes_of[p]))
                                for p in plan.protos)),
        ("sizes", " ".join(grid.fmt_size(s) for s in plan.sizes) +
         ("; " + plan.skipped_text() if plan.skipped_text() else "")),
        ("rate", plan.rate + " bit/s per data connection (stream)"
         if plan.rate else "not paced (no --rate)"),
        ("threads", " ".join(str(t) for t in plan.threads)),
        ("flows", " ".join(str(f) for f in plan.flows) +
         ("; " + plan.flows_skipped_text() if plan.flows_skipped_text()
          else "") if plan.flows != [None] else "one a thread"),
        ("workloads", " ".join(plan.workloads)),
        ("rx", rx),
        ("duration", "%g s per point%s" % (plan.duration, warm)),
        ("repeats", repeats),
        ("client opts", " ".join(opts.passthrough) or "(none)"),
        ("points", "%d (%s)" % (n, plan.counts_text())),
        ("estimated", "about " + est),
        ("perf stat", "%s; record: %s" % ("yes" if plan.perf_stat else "no",
                                          record)),
        ("plots", plots_text),
        ("output", output + "/"),
    ]
    print("%s: plan (dry run: nothing is run)" % PROG)
    for name, value in lines:
        print("  %-12s %s" % (name, value))


def prepare_output(path):
    if os.path.exists(os.path.join(path, "results.csv")):
        raise UsageError("--output: %s already holds a sweep (results.csv); "
                         "choose another folder" % path)
    if os.path.exists(path) and not os.path.isdir(path):
        raise UsageError("--output: %s exists and is not a folder" % path)
    try:
        os.makedirs(path, exist_ok=True)
        path = os.path.abspath(path)
        open(os.path.join(path, "sweep.log"), "w").close()
    except OSError as e:
        raise SweepError(1, "cannot create the output folder %s: %s"
                         % (path, e.strerror))
    return path


def sweep(argv, bindir, version, messages):
    opts = cli.parse(argv)
    if opts.help:
        sys.stdout.write(cli.help_text())
        return 0
    if opts.version:
        print("netcopy-sweep (netcopy) %s" % version)
        return 0
    progs = Programs(os.environ.get("NETCOPY_BINDIR") or bindir,
                     need_server=not opts.server_host)
    plan = grid.Plan(opts, progs.modes)
    topo = Topology(opts, messages)
    reverse = cli.check_passthrough(opts.passthrough, plan.workloads)
    topo.check_here(opts.dry_run)
    if plan.warmup is not None and not progs.has_option("--warmup"):
        raise SweepError(4, "--warmup: this netcopy-client (%s) has no "
                         "--warmup option; run without --warmup"
                         % progs.client)
    output = opts.output or default_output()
    do_plot, plots_text = plot_plan(opts)
    figures = FIGURES_PER_WORKLOAD * len(plan.workloads) * \
        len(plan.protos) if do_plot else 0
    if opts.dry_run:
        print_plan(opts, plan, topo, progs, output, plots_text, figures)
        return 0
    outdir = prepare_output(output)
    messages.open(os.path.join(outdir, "sweep.log"))
    check_hosts(topo, progs.version(), messages)
    from .sweep import Sweep
    command = " ".join(shlex.quote(a) for a in [PROG] + list(argv))
    run = Sweep(plan, topo, progs, opts, outdir, messages, version,
                command, reverse)
    run.estimate = grid.estimate(plan, figures,
                                 hosts=len(topo.client_hosts))
    run.do_plot = do_plot
    run.plots_text = plots_text
    try:
        return run.run()
    except Interrupted as e:
        run.interrupted(e)
        return e.status
    finally:
        run.cleanup()


def main(argv=None, bindir="@bindir@", version="@VERSION@"):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == "compare":
        from . import compare
        return compare.main(argv[1:])
    interrupt.catch()
    messages = Messages()
    try:
        return sweep(argv, bindir, version, messages)
    except UsageError as e:
        sys.stderr.write("%s: %s\n" % (PROG, e))
        return 2
    except SweepError as e:
        messages.note(str(e))
        return e.status
    except Interrupted as e:
        return e.status
    finally:
        messages.close()


if __name__ == "__main__":
    sys.exit(main())
