# SPDX-License-Identifier: LGPL-2.1-or-later
"""netcopy_sweep.grid: the grid's order, the interleaved rounds,
--confidence's extra rounds, the estimate, the values it refuses."""

import pytest

from netcopy_sweep import UsageError, cli, grid

MODES = ["two-copy", "one-copy", "zero-copy"]


def plan(*args):
    return grid.Plan(cli.parse(list(args)), MODES)


def test_points_in_grid_order():
    p = plan("-w", "stream,rr", "-t", "1,2", "-s", "1K,64K",
             "-m", "two-copy,zero-copy", "--rx", "recv,zero-copy")
    points = p.points()
    assert len(points) == 2 * 2 * 2 * 2 * 2
    # The receive call varies fastest, the workload slowest.
    assert points[0] == grid.Point("stream", 1, 1024, "two-copy", "recv")
    assert points[1] == grid.Point("stream", 1, 1024, "two-copy", "zero-copy")
    assert points[2] == grid.Point("stream", 1, 1024, "zero-copy", "recv")
    assert points[4] == grid.Point("stream", 1, 65536, "two-copy", "recv")
    assert points[8] == grid.Point("stream", 2, 1024, "two-copy", "recv")
    assert points[16] == grid.Point("rr", 1, 1024, "two-copy", "recv")


def test_duplicates_dropped_order_kept():
    p = plan("-s", "64K,1K,65536", "-t", "4,1,4", "-m", "zero-copy,two-copy")
    assert p.sizes == [65536, 1024]
    assert p.threads == [4, 1]
    assert p.modes == ["zero-copy", "two-copy"]


def test_defaults():
    p = plan()
    assert p.repeat == 6
    assert p.modes == MODES
    assert p.sizes == [64, 256, 1024, 4096, 16384, 65536, 262144, 1048576]
    assert p.rxs == [""]
    assert p.confidence is None
    assert p.record_size == 65536


def test_interleaved_rounds():
    p = plan("-s", "1K,4K", "-t", "1", "-m", "two-copy", "-r", "3")
    s = grid.Schedule(p)
    rounds = []
    while True:
        todo = s.next_round()
        if not todo:
            break
        rounds.append(todo)
    # Every round is the whole grid, in order: never a point's repeats
    # back to back.
    assert rounds == [p.points()] * 3
    assert s.planned == 6


def fake_ci(values, level):
    """A median whose interval narrows once there are 8 values."""
    if len(values) < 6:
        return (values[len(values) // 2] if values else None), None, None
    half = 0.01 if len(values) >= 8 else 0.5
    return 1.0, 1.0 - half, 1.0 + half


def test_confidence_rounds_until_settled():
    p = plan("-s", "1K,4K", "-t", "1", "-m", "two-copy", "-r", "6",
             "--confidence", "95,5", "--max-repeat", "10")
    assert p.confidence == (0.95, 0.05)
    s = grid.Schedule(p, fake_ci)
    noisy = p.points()[1]
    n = 0
    while True:
        todo = s.next_round()
        if not todo:
            break
        for point in todo:
            n += 1
            # The noisy point never gets a value: it never settles.
            if point != noisy:
                s.add(point, 1.0)
    # Point 0 settles after 8 values; the noisy one runs to --max-repeat.
    assert n == 8 + 10
    assert s.planned == n
    assert s.unsettled() == [noisy]


def test_confidence_default_max_repeat():
    p = plan("--confidence", "99,2", "-r", "6")
    assert p.max_repeat == cli.DEFAULT_MAX_REPEAT
    p = plan("--confidence", "99,2", "-r", "40")
    assert p.max_repeat == 40


def test_estimate_scales_with_the_grid():
    base = plan("-s", "1K,64K", "-t", "1,2", "-m", "two-copy", "-d", "1",
                "-r", "2")
    one_round = sum(grid.point_seconds(base, q) for q in base.points())
    # Measured seconds plus a per-point overhead that grows with the
    # threads, never less than the measured time itself.
    assert one_round > 4 * 1.0
    assert grid.estimate(base, repeats=4) - grid.estimate(base) == \
        pytest.approx(2 * one_round)
    longer = plan("-s", "1K,64K", "-t", "1,2", "-m", "two-copy", "-d", "3",
                  "-r", "2")
    assert grid.estimate(longer) - grid.estimate(base) == \
        pytest.approx(8 * 2.0)
    warm = plan("-s", "1K,64K", "-t", "1,2", "-m", "two-copy", "-d", "1",
                "-r", "2", "--warmup", "0.5")
    assert grid.estimate(warm) - grid.estimate(base) == pytest.approx(4.0)
    perf = plan("-s", "1K,64K", "-t", "1,2", "-m", "two-copy", "-d", "1",
                "-r", "2", "--perf-stat")
    assert grid.estimate(perf) > grid.estimate(base)
    assert grid.estimate(base, plots=10) > grid.estimate(base)
    # Two client hosts: a login round per run (8 points, 1 probe) and
    # the version check.
    assert grid.estimate(base, hosts=2) - grid.estimate(base) == \
        pytest.approx(2 * grid.SSH_LOGIN_S * (8 + 1 + 1))
    t1 = grid.point_seconds(base, grid.Point("stream", 1, 1024, "x", ""))
    t2 = grid.point_seconds(base, grid.Point("stream", 2, 1024, "x", ""))
    assert t2 > t1 > 1.0


@pytest.mark.parametrize("args, message", [
    (["-m", "bogus"], "unknown mode 'bogus'"),
    (["-s", "1K,,4K"], "empty item"),
    (["-s", ""], "empty list"),
    (["-s", "1Q"], "'1Q' is not a size"),
    (["-s", "0"], "out of range"),
    (["-s", "128M"], "out of range"),
    (["-t", "0"], "--threads"),
    (["-t", "1025"], "--threads"),
    (["-w", "bulk"], "unknown workload 'bulk'"),
    (["--rx", "mmap"], "unknown receive call 'mmap'"),
    (["-d", "0"], "--duration"),
    (["-d", "soon"], "--duration"),
    (["-r", "0"], "--repeat"),
    (["--warmup", "later"], "--warmup"),
    (["--confidence", "95"], "--confidence"),
    (["--confidence", "100,5"], "--confidence"),
    (["--confidence", "95,0"], "--confidence"),
    (["--max-repeat", "10"], "--max-repeat applies with --confidence"),
    (["-r", "6", "--confidence", "95,5", "--max-repeat", "3"],
     "--max-repeat"),
    (["--record-size", "2G"], "out of range"),
])
def test_refused(args, message):
    with pytest.raises(UsageError) as e:
        plan(*args)
    assert message in str(e.value)


def test_formats():
    assert grid.fmt_size(65536) == "64K"
    assert grid.fmt_size(1000) == "1000"
    assert grid.fmt_size(1 << 20) == "1M"
    assert grid.fmt_time(75) == "1m15s"
    assert grid.fmt_time(3725) == "1h02m05s"
    assert grid.point_text(grid.Point("rr", 2, 4096, "two-copy", "recv")) \
        == "two-copy --rx recv rr 4K x2"


# --proto: modes as --list-modes gives them, each with its protocols.
PROTO_MODES = {"two-copy": ["tcp", "udp"], "sendfile": ["tcp"],
               "gso": ["udp"]}


def proto_plan(*args):
    return grid.Plan(cli.parse(list(args)), PROTO_MODES)


def test_proto_default_is_tcp_only():
    p = proto_plan("-s", "1K", "-t", "1")
    assert p.protos == ["tcp"]
    assert p.modes == ["two-copy", "sendfile"]
    assert {x.proto for x in p.points()} == {"tcp"}


def test_proto_axis_runs_each_mode_over_what_it_supports():
    p = proto_plan("--proto", "tcp,udp", "-s", "1472,64K", "-t", "1")
    got = [(x.proto, x.mode, x.size) for x in p.points()]
    # 64K is above the UDP maximum: over TCP only, and said once.
    assert got == [("tcp", "two-copy", 1472), ("tcp", "sendfile", 1472),
                   ("tcp", "two-copy", 65536), ("tcp", "sendfile", 65536),
                   ("udp", "two-copy", 1472), ("udp", "gso", 1472)]
    assert p.skipped_text() == "sizes 64K skipped over udp: above the UDP " \
        "maximum of %d bytes" % cli.UDP_MAX_SIZE
    assert p.pairs() == [("tcp", "two-copy"), ("tcp", "sendfile"),
                         ("udp", "two-copy"), ("udp", "gso")]


def test_proto_rx_calls_per_protocol():
    p = proto_plan("--proto", "tcp,udp", "-s", "1K", "-t", "1",
                   "-m", "two-copy", "--rx", "zero-copy,gro")
    assert [(x.proto, x.rx) for x in p.points()] == [("tcp", "zero-copy"),
                                                     ("udp", "gro")]


def test_proto_drop_after_a_failed_probe():
    p = proto_plan("--proto", "tcp,udp", "-s", "1K", "-t", "1")
    p.drop("udp", "gso")
    assert p.modes == ["two-copy", "sendfile"]
    assert [(x.proto, x.mode) for x in p.points()] == [
        ("tcp", "two-copy"), ("tcp", "sendfile"), ("udp", "two-copy")]


@pytest.mark.parametrize("args,message", [
    (["--proto", "sctp"], "--proto: unknown protocol 'sctp'"),
    (["--proto", "tcp,,udp"], "--proto: empty item"),
    (["-m", "gso"], "mode gso runs over udp only, not over --proto tcp"),
    (["--proto", "udp", "-m", "sendfile"],
     "mode sendfile runs over tcp only, not over --proto udp"),
    (["--proto", "tcp,udp", "-m", "sendfile"],
     "--proto udp: none of the modes (sendfile) runs over udp"),
    (["--proto", "udp", "-s", "64K,1M"],
     "--proto udp: every size is above the UDP maximum of 65507 bytes"),
    (["--proto", "udp", "--rx", "zero-copy"],
     "--proto udp: none of the receive calls of --rx works over udp"),
    (["--rate", "fast"], "--rate: 'fast' is not a rate"),
    (["--rate", "-1"], "--rate: '-1' is not a rate"),
])
def test_proto_and_rate_refused(args, message):
    with pytest.raises(UsageError) as e:
        proto_plan(*args)
    assert message in str(e.value)


def test_rate_kept_as_given():
    assert proto_plan("--rate", "1.5G").rate == "1.5G"
    assert proto_plan().rate is None


def test_point_text_names_udp():
    assert grid.point_text(grid.Point("stream", 1, 1472, "gso", "", "udp")) \
        == "gso over udp stream 1472 x1"
    assert grid.point_text(grid.Point("stream", 1, 1024, "two-copy", "")) \
        == "two-copy stream 1K x1"
