# SPDX-License-Identifier: LGPL-2.1-or-later
"""--flows in the sweep: the grid's axis, the server's limits, the
report's lines and the figures against flows per thread, from synthetic
rows."""

from types import SimpleNamespace

import pytest

from netcopy_sweep import UsageError, data, grid, plot, report_flows, \
    summary, sweep

COLUMNS = ["Repeat", "Topology", "Workload", "Direction", "Proto",
           "Implementation", "Rx", "MessageSize", "Threads", "Flows",
           "Throughput_Gbps", "SndCpuUsPerKiB", "RcvCpuUsPerKiB",
           "FlowFairness", "FlowGbpsMin", "Status"]
SPREAD = (0.9, 1.0, 1.1, 0.95, 1.05, 1.0)


def plan(**kw):
    opts = dict(proto="tcp", sizes="16K", modes=None, rate=None,
                threads="2", flows=None, workloads="stream", rx=None,
                duration="0.1", repeat="1", warmup=None, confidence=None,
                max_repeat=None, perf_stat=False, record=False,
                record_size=None)
    opts.update(kw)
    return grid.Plan(SimpleNamespace(**opts), ["two-copy", "sendfile"])


def test_no_flows_is_todays_grid():
    p = plan()
    assert [x.flows for x in p.points()] == [None, None]
    assert p.max_flows() == 2
    assert p.flows_skipped_text() is None
    assert "flow counts" not in p.counts_text()


def test_flows_axis_skips_counts_below_threads():
    p = plan(threads="1,4", flows="2,16,2")
    pts = p.points()
    assert [(x.threads, x.flows) for x in pts if x.mode == "two-copy"] == \
        [(1, 2), (1, 16), (4, 16)]
    assert p.flows_skipped_text() == \
        "points skipped, --flows below -t: 2 flows x4"
    assert p.max_flows() == 16
    assert "x 2 flow counts" in p.counts_text()
    assert grid.point_text(pts[-1]) == "sendfile stream 16K x4 16 flows"


@pytest.mark.parametrize("text", ["0", "65537", "x", "2,"])
def test_bad_flows(text):
    with pytest.raises(UsageError):
        plan(flows=text)


def test_flows_all_below_threads():
    with pytest.raises(UsageError, match="below every thread count"):
        plan(threads="8", flows="2,4")


def test_server_limits_fit_the_largest_point():
    assert grid.server_limits(16) == []
    args = grid.server_limits(10000)
    per = 10000 + grid.CONTROL_CONNS
    assert args == ["--max-conns", str(max(per, grid.SERVER_MAX_CONNS)),
                    "--max-conns-per-host", str(per)]
    assert grid.server_limits(3000, hosts=3)[1] == str(3 * 3016)


def test_point_seconds_count_flows():
    p = plan(flows="2,200")
    few, many = p.points()[0], p.points()[2]
    assert many.flows == 200
    assert grid.point_seconds(p, many) - grid.point_seconds(p, few) == \
        pytest.approx(198 * grid.FLOW_OVERHEAD_S)


def runs(mode, flows, gbps, cpu, fair):
    return [dict(zip(COLUMNS, [
        str(i + 1), "loopback", "stream", "server-sends", "tcp", mode,
        "recv", "16384", "2", str(flows), "%g" % (gbps * k),
        "%g" % (cpu * k), "%g" % (cpu * k), "%g" % fair, "%g" % (gbps / 4),
        "ok"])) for i, k in enumerate(SPREAD)]


def summarize(tmp_path, rows):
    path = str(tmp_path / "results.csv")
    data.write_csv(path, COLUMNS, rows)
    _, srows = summary.summarize(data.read_csv(path))
    return srows


def test_report_weighs_most_flows_against_fewest(tmp_path):
    srows = summarize(tmp_path, runs("two-copy", 2, 20.0, 0.2, 1.0) +
                      runs("two-copy", 64, 10.0, 0.3, 0.9) +
                      runs("two-copy", 16, 15.0, 0.25, 0.95))
    assert [r["Flows"] for r in srows] == ["2", "64", "16"]
    lines = report_flows.findings(summary.Points(srows))
    assert lines == [
        "- two-copy 16 KiB, 2 threads: 64 flows moved 10 Gbit/s, 0.50 of "
        "2 flows' 20; sender CPU 0.3 us/KiB (1.50 of theirs); receiver "
        "CPU 0.3 us/KiB (1.50 of theirs); fairness 0.9, slowest flow 2.5 "
        "Gbit/s."]


def test_report_says_nothing_without_flows(tmp_path):
    srows = summarize(tmp_path, runs("two-copy", 2, 20.0, 0.2, 1.0))
    assert report_flows.findings(summary.Points(srows)) == []


def test_flows_one_a_thread_name_no_point(tmp_path):
    """Without --flows, Flows is the thread count: not a context."""
    rows = runs("two-copy", 2, 20.0, 0.2, 1.0)
    four = runs("two-copy", 4, 30.0, 0.2, 1.0)
    for r in four:
        r["Threads"] = "4"
    points = summary.Points(summarize(tmp_path, rows + four))
    assert "Flows" not in points.varying
    assert points.context_text(points.rows[1]) == "4 threads"
    assert report_flows.findings(points) == []


def test_flows_figures(tmp_path):
    pytest.importorskip("matplotlib")
    srows = summarize(tmp_path, runs("two-copy", 2, 20.0, 0.2, 1.0) +
                      runs("two-copy", 16, 15.0, 0.25, 0.95))
    stems = [s for s, _, _ in plot.build_figures(srows)]
    for stem in ("flows-throughput-stream", "flows-cpu-stream",
                 "flows-fairness-stream", "throughput-stream",
                 "throughput-stream-8_flows_a_thread"):
        assert stem in stems
    # one flow count: nothing to draw against flows
    one = [s for s, _, _ in plot.build_figures(srows[:1])]
    assert not [s for s in one if s.startswith("flows-")]


def test_flows_per_thread():
    assert plot.flows_per_thread({"Flows": "16", "Threads": "2"}) == 8
    assert plot.flows_per_thread({"Flows": "NA", "Threads": "2"}) is None


class FakeRunner:
    """A server that is up, and clients that answer with runs."""
    def __init__(self, runs):
        self.runs = runs
        self.main = SimpleNamespace(port=1)
        self.commands = 0

    def ensure_main(self):
        return self.main

    def run_clients(self, port, args, wrap=()):
        self.commands += 1
        return self.runs


class FakeSchedule:
    def __init__(self):
        self.dropped, self.added = [], []

    def drop(self, point, ran=False):
        self.dropped.append(point)

    def add(self, point, throughput):
        self.added.append(point)


def refusing_sweep(workdir, err, rc=4):
    """A Sweep whose client answers every point with rc and err."""
    s = sweep.Sweep.__new__(sweep.Sweep)
    s.workdir = str(workdir)
    s.plan = plan(flows="10000")
    s.opts = SimpleNamespace(passthrough=[])
    s.messages = SimpleNamespace(notes=[], logs=[])
    s.messages.note = s.messages.notes.append
    s.messages.log = s.messages.logs.append
    s.notes, s.failed, s.done = [], 0, 0
    s.do_perf_stat = False
    s.reverse = False
    s.no_flows, s.refusals, s.skipped = {}, set(), 0
    s.runner = FakeRunner([(None, (rc, "", err))])
    s.schedule = FakeSchedule()
    s.results = SimpleNamespace(add=lambda *row: None)     # no row
    return s


# A refusal at a limit (lib/send/uring-group.c's ring), exit 4.
RING = ("netcopy-client: --flows 10000 over -t 2 at --qd 8: a thread's "
        "io_uring would hold 40000 sends, above the kernel's limit of "
        "32768\n")


def test_refused_at_a_limit_is_skipped_not_failed(tmp_path):
    s = refusing_sweep(tmp_path, RING)
    first, second = s.plan.points()
    s.run_point(first, 1)
    s.run_point(first, 2)
    assert s.failed == 0 and s.skipped == 2
    assert s.schedule.dropped == [first, first] and not s.schedule.added
    said = [n for n in s.notes if "skipped" in n]
    assert said == ["point %s skipped, the client cannot run it here: %s"
                    % (grid.point_text(first), RING[16:-1])]
    # Another point with the same reason: skipped, not said again.
    s.run_point(second, 1)
    assert s.skipped == 3 and len(s.notes) == 1
    assert s.flows_refused(second) is False     # its like still run


def test_flows_refusal_skips_its_like(tmp_path):
    s = refusing_sweep(tmp_path, "netcopy-client: --flows above -t: not yet for "
                       "sendfile\n")
    point = s.plan.points()[1]
    s.run_point(point, 1)
    assert s.failed == 0 and s.skipped == 1
    assert s.flows_refused(point)
    assert s.notes == ["sendfile stream: points with --flows above -t "
                       "skipped: --flows above -t: not yet for sendfile"]


def test_other_exit_status_still_fails(tmp_path):
    s = refusing_sweep(tmp_path, "netcopy-client: connect: Connection "
                       "refused\n", 1)
    s.run_point(s.plan.points()[0], 1)
    assert s.skipped == 0 and s.failed == 1 and s.schedule.dropped == []
    assert s.messages.notes[0].endswith(
        "failed, client exit 1: netcopy-client: connect: Connection refused")
