# SPDX-License-Identifier: LGPL-2.1-or-later
"""report_udp.py: the UDP lines of report.md, from a synthetic
results.csv: GSO and sendmmsg against send() at one size, and loss."""

import pytest

from netcopy_sweep import data, report, report_udp, summary

COLUMNS = ["Repeat", "Topology", "Workload", "Direction", "Proto",
           "Implementation", "Rx", "MessageSize", "Threads",
           "Throughput_Gbps", "SndCpuUsPerKiB", "LossFraction", "Status"]
# Six repeats around each median: the report must give the median.
SPREAD = (0.9, 1.0, 1.1, 0.95, 1.05, 1.0)


def runs(proto, mode, size, cpu, loss, rx="recv", threads=1):
    """Six results.csv rows of one point, median cpu and loss."""
    return [dict(zip(COLUMNS, [
        str(i + 1), "loopback", "stream", "server-sends", proto, mode, rx,
        str(size), str(threads), "1.0", "%g" % (cpu * k),
        "NA" if loss is None else "%g" % (loss * k), "ok"]))
        for i, k in enumerate(SPREAD)]


def findings(tmp_path, rows):
    """The UDP lines, through a results.csv written and read back."""
    path = str(tmp_path / "results.csv")
    data.write_csv(path, COLUMNS, rows)
    _, srows = summary.summarize(data.read_csv(path))
    return report_udp.findings(summary.Points(srows)), srows


def test_gso_against_send_at_one_size(tmp_path):
    lines, _ = findings(tmp_path, runs("udp", "two-copy", 1472, 2.4, 0) +
                        runs("udp", "gso", 1472, 0.6, 0))
    cost = [x for x in lines if "GSO" in x]
    assert cost == ["- 1 thread: GSO at 1472-byte datagrams cost %s µs/KiB "
                    "of sender CPU against send()'s %s (%.2f of it)."
                    % (data.short(0.6), data.short(2.4), 0.6 / 2.4)]


def test_no_cost_line_without_both_at_one_size(tmp_path):
    lines, _ = findings(tmp_path, runs("udp", "two-copy", 8972, 2.0, 0) +
                        runs("udp", "gso", 1472, 0.5, 0) +
                        runs("udp", "sendmmsg", 1472, 1.5, 0))
    assert not [x for x in lines if "µs/KiB" in x]


def test_tcp_rows_are_not_weighed(tmp_path):
    lines, _ = findings(tmp_path, runs("tcp", "two-copy", 1472, 2.0, None) +
                        runs("udp", "gso", 1472, 0.5, None))
    assert lines == []


def test_sendmmsg_line_per_thread_count(tmp_path):
    rows = []
    for t, base, mm in ((1, 3.0, 2.0), (4, 4.0, 1.0)):
        rows += runs("udp", "two-copy", 1472, base, 0, threads=t) + \
            runs("udp", "sendmmsg", 1472, mm, 0, threads=t)
    lines, _ = findings(tmp_path, rows)
    cost = [x for x in lines if "sendmmsg()" in x]
    assert len(cost) == 2
    assert cost[0].startswith("- 1 thread: sendmmsg() at 1472-byte")
    assert "cost %s µs/KiB" % data.short(2.0) in cost[0]
    assert cost[1].startswith("- 4 threads: sendmmsg() at 1472-byte")
    assert "against send()'s %s" % data.short(4.0) in cost[1]


def test_loss_above_one_percent_listed(tmp_path):
    lines, srows = findings(tmp_path,
                            runs("udp", "two-copy", 1472, 2.0, 0.25) +
                            runs("udp", "gso", 1472, 0.5, 0.005) +
                            runs("udp", "sendmmsg", 1024, 1.0, 0.02))
    loss = [x for x in lines if x.startswith("- Loss above 1 %")]
    assert len(loss) == 1
    assert "at 2 of 3 UDP points: " in loss[0]
    assert "two-copy %s, 1 thread (25.0 %%)" % data.size_text("1472") \
        in loss[0]
    assert "sendmmsg %s, 1 thread (2.0 %%)" % data.size_text("1024") \
        in loss[0]
    assert "gso" not in loss[0]


def test_no_loss_line_says_so(tmp_path):
    lines, _ = findings(tmp_path, runs("udp", "gso", 1472, 0.5, 0.001))
    assert lines == ["- No UDP point lost more than 1 % of its datagrams "
                     "(median LossFraction, 1 point)."]


@pytest.mark.parametrize("proto,shown", [("udp", True), ("tcp", False)])
def test_report_has_the_section_with_udp_only(tmp_path, proto, shown):
    path = str(tmp_path / "results.csv")
    rows = runs(proto, "two-copy", 1472, 2.0, 0.5 if proto == "udp"
                else None)
    data.write_csv(path, COLUMNS, rows)
    rows = data.read_csv(path)
    _, srows = summary.summarize(rows)
    text = report.render({"started": "now"}, srows, rows, [])
    assert ("## UDP: cost per KiB and loss" in text) == shown
    head = next(x for x in text.splitlines() if x.startswith("| Mode |"))
    assert ("| Loss |" in head) == shown


def test_several_receive_calls_weighed_call_by_call(tmp_path):
    rows = []
    for rx, base, gso in (("recvmmsg", 3.0, 1.0), ("gro", 2.5, 0.5)):
        rows += runs("udp", "two-copy", 1472, base, 0, rx=rx) + \
            runs("udp", "gso", 1472, gso, 0, rx=rx)
    lines, _ = findings(tmp_path, rows)
    cost = sorted(x for x in lines if "GSO" in x)
    assert len(cost) == 2
    assert cost[0].startswith("- 1 thread, rx gro: GSO at 1472-byte")
    assert "cost %s µs/KiB of sender CPU against send()'s %s" % (
        data.short(0.5), data.short(2.5)) in cost[0]
    assert cost[1].startswith("- 1 thread, rx recvmmsg: GSO at 1472-byte")
    assert "against send()'s %s" % data.short(3.0) in cost[1]
