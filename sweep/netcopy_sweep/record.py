# SPDX-License-Identifier: LGPL-2.1-or-later
"""--record: after the grid, a "perf record -g" of the sender of each mode
at one size, and the top symbols of its "perf report --stdio"."""

import os
import subprocess

from . import cli, grid


def _report(data, path, title, messages):
    r = subprocess.run(["perf", "report", "--stdio", "-i", data,
                        "--no-children", "--sort", "dso,symbol", "-g",
                        "none", "--percent-limit", "0.5"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, errors="replace")
    messages.log_lines("  perf| ", r.stderr)
    if r.returncode != 0 or not r.stdout:
        return False
    with open(path, "w") as f:
        f.write(title + "\n")
        f.write("\n".join(r.stdout.splitlines()[:120]) + "\n")
    return True


def record(sweep):
    plan, runner = sweep.plan, sweep.runner
    workload, threads = plan.workloads[0], plan.threads[0]
    side = sweep.sender(workload)
    if side == "server" and sweep.topo.server_host:
        sweep.note("--record: the sender is the server on %s; recording it "
                   "there is not supported, skipped" % sweep.topo.server_host,
                   report=True)
        return
    for proto, mode in plan.pairs():
        if proto == "udp" and plan.record_size > cli.UDP_MAX_SIZE:
            sweep.note("--record: %s over %s skipped: %s is above the UDP "
                       "maximum" % (mode, proto,
                                    grid.fmt_size(plan.record_size)))
            continue
        # The TCP files keep their names; a UDP mode's say udp.
        name = mode if proto == "tcp" else "%s-%s" % (proto, mode)
        data = os.path.join(sweep.outdir, "perf-%s.data" % name)
        point = grid.Point(workload, threads, plan.record_size, mode, "",
                           proto)
        sweep.note("--record: perf record -g of the %s, %s"
                   % (side, grid.point_text(point)))
        wrap = ["perf", "record", "-g", "-o", data, "--"]
        args = sweep.client_args(point) + sweep.opts.passthrough
        if side == "server":
            server = runner.start_server(once=True, wrap=wrap)
            if server is None:
                sweep.note("--record: " + runner.failure, report=True)
                continue
            runner.run_client(server.port, args)
            runner.wait_once(server, 15)
        else:
            server = runner.ensure_main()
            if server is None:
                sweep.note("--record: " + runner.failure, report=True)
                continue
            runner.run_client(server.port, args, wrap)
        title = "# perf record -g of the %s: %s, %g s (%s)" % (
            side, grid.point_text(point), plan.duration, sweep.topo.label)
        txt = os.path.join(sweep.outdir, "perf-%s.txt" % name)
        if not (os.path.exists(data) and
                _report(data, txt, title, sweep.messages)):
            sweep.note("--record: no profile for %s (see sweep.log)" % name,
                       report=True)
