# SPDX-License-Identifier: LGPL-2.1-or-later
"""report.py: the report's sentences, on synthetic results."""

import os

from netcopy_sweep import data, report, summary

COLUMNS = ["Repeat", "Topology", "Implementation", "MessageSize", "Threads",
           "Throughput_Gbps", "Workload", "Direction", "SndCpuShare_pct",
           "RcvCpuShare_pct", "ZcCompletions", "ZcCopied",
           "ZcCopiedFraction", "Rx", "Status"]


def run(mode, size, threads, gbps, repeat=1, topology="loopback",
        snd=50, rcv=50, zc=None, rx="recv", status="ok"):
    """One results.csv row; zc = (copied, completions) for zero-copy."""
    r = dict(zip(COLUMNS, [
        str(repeat), topology, mode, str(size), str(threads), str(gbps),
        "stream", "server-sends", str(snd), str(rcv), "NA", "NA", "NA", rx,
        status]))
    if zc:
        r.update(ZcCopied=str(zc[0]), ZcCompletions=str(zc[1]),
                 ZcCopiedFraction="%.4f" % (zc[0] / zc[1]))
    return r


def repeats(n, *args, jitter=(0,), **kw):
    """n runs of one point, throughput args[3] times (1 + jitter[i])."""
    mode, size, threads, gbps = args
    return [run(mode, size, threads, gbps * (1 + jitter[i % len(jitter)]),
                repeat=i + 1, **kw) for i in range(n)]


TIGHT = (0, 0.01, -0.01, 0.005, -0.005, 0.002)


def render(rows, **meta):
    meta.setdefault("started", "2026-12-01 10:00")
    _, srows = summary.summarize(rows)
    return report.render(meta, srows, rows, meta.pop("plots", []))


def test_zero_copy_copied_share_in_per_cent():
    rows = repeats(6, "two-copy", 4096, 1, 10)
    rows += repeats(6, "zero-copy", 4096, 1, 8, zc=(25, 100))
    text = render(rows, topology="ssh:lab2")
    assert ("**zero-copy**: the kernel copied 25.0 % of the zero-copy "
            "sends (150 of 600 completed sends).") in text
    assert "part of the sends" in text
    assert "two-copy**: the kernel" not in text


def test_zero_copy_always_copies_on_loopback_and_veth():
    rows = repeats(6, "uring-zc", 4096, 1, 8, zc=(300, 300))
    text = render(rows)
    assert "copied 100.0 % of the zero-copy sends" in text
    assert "what loopback always does" in text
    assert "scatter-gather" in text
    netns = [dict(r, Topology="netns") for r in rows]
    assert "what a veth pair always does" in render(netns)


def test_zero_copy_not_copied_on_a_nic():
    rows = repeats(6, "zero-copy", 65536, 1, 30, zc=(0, 1000),
                   topology="host:10.0.0.2")
    text = render(rows)
    assert "copied 0.0 % of the zero-copy sends" in text
    assert "without a copy" in text


def test_zero_copy_share_by_size():
    rows = repeats(6, "zero-copy", 4096, 1, 8, zc=(10, 10))
    rows += repeats(6, "zero-copy", 65536, 1, 8, zc=(5, 30))
    text = render(rows)
    # A share of all sends, (60 + 30) / (60 + 180), not a mean of runs.
    assert "copied 37.5 % of the zero-copy sends (90 of 240" in text
    assert "By size: 4 KiB 100.0 %, 64 KiB 16.7 %." in text


def test_crossover():
    rows = []
    for size, two, zero in ((4096, 10, 6), (65536, 12, 9), (262144, 12, 20)):
        rows += repeats(6, "two-copy", size, 1, two, jitter=TIGHT)
        rows += repeats(6, "zero-copy", size, 1, zero, jitter=TIGHT)
    text = render(rows)
    assert ("- 1 thread: **zero-copy** overtakes two-copy between 64 KiB "
            "and 256 KiB (20 against 12 Gbit/s at 256 KiB).") in text
    assert text.count("overtakes") == 1


def test_crossover_within_the_noise_and_none():
    rows = repeats(6, "a", 4096, 1, 10, jitter=(0, 0.5, -0.5))
    rows += repeats(6, "b", 4096, 1, 9, jitter=(0, 0.5, -0.5))
    rows += repeats(6, "a", 8192, 1, 9, jitter=(0, 0.5, -0.5))
    rows += repeats(6, "b", 8192, 1, 10, jitter=(0, 0.5, -0.5))
    text = render(rows)
    assert "**b** overtakes a between 4 KiB and 8 KiB" in text
    assert "within the noise" in text
    flat = [r for r in rows if r["Implementation"] == "a"]
    assert "No mode overtakes another" in render(flat)


def test_cpu_bound_per_data_thread():
    rows = repeats(6, "two-copy", 4096, 1, 10, snd=95, rcv=40)
    rows += repeats(6, "two-copy", 4096, 2, 15, snd=150, rcv=190)
    rows += repeats(6, "two-copy", 65536, 2, 15, snd=100, rcv=100)
    text = render(rows)
    assert ("The sender was CPU-bound (median CPU share at least 90 % of "
            "one CPU per data thread) at 1 of 3 points: two-copy 4 KiB, "
            "1 thread (95 %).") in text
    assert ("The receiver was CPU-bound (median CPU share at least 90 % of "
            "one CPU per data thread) at 1 of 3 points: two-copy 4 KiB, "
            "2 threads (190 %).") in text
    assert "At 1 of 3 points neither side was CPU-bound" in text


def test_cpu_share_not_measured():
    rows = repeats(6, "two-copy", 4096, 1, 10, snd="NA", rcv="NA")
    assert "The CPU share was not measured." in render(rows)


def test_best_mode_per_size():
    rows = repeats(6, "two-copy", 4096, 1, 10, jitter=TIGHT)
    rows += repeats(6, "one-copy", 4096, 1, 7, jitter=TIGHT)
    rows += repeats(6, "two-copy", 65536, 1, 10, jitter=(0, 0.3, -0.3))
    rows += repeats(6, "one-copy", 65536, 1, 11, jitter=(0, 0.3, -0.3))
    text = render(rows)
    assert ("| 1 thread | 4 KiB | **two-copy** | 10 [9.9, 10.1] | one-copy "
            "| 7.01 [6.93, 7.07] | yes |") in text
    assert ("| 1 thread | 64 KiB | **one-copy** | 11 [7.7, 14.3] | two-copy "
            "| 10 [7, 13] | no: the intervals overlap |") in text


def test_noisy_points_and_load_average():
    rows = repeats(6, "two-copy", 4096, 1, 10, jitter=(0, 0, 0, 0, 0.4, -0.4))
    rows += repeats(6, "one-copy", 4096, 1, 10, jitter=TIGHT)
    loads = [("10:00:00", 0.5, 0.4, 0.3), ("10:00:05", 3, 1, 0.5),
             ("10:00:10", 1, 1, 1)]
    text = render(rows, loadavg=loads, machine={"Cores (online)": "2"})
    # 10, 10, 10, 10, 14, 6: sd = sqrt(32/5) = 2.53, mean 10.
    assert ("over 10 %) at 1 of 2 points: two-copy 4 KiB, 1 thread "
            "(CV 25.3 %).") in text
    assert ("The 1-minute load average ran from 0.5 to 3 (median 1) during "
            "the sweep, on 2 CPUs; above the CPU count") in text
    quiet = render(rows[6:], loadavg=loads[:1])
    assert "No point's throughput varied by more than 10 %" in quiet
    assert "ran from 0.5 to 0.5" in quiet
    assert "load average was not recorded" in render(rows)


def test_intervals_na_below_six_repeats():
    rows = repeats(5, "two-copy", 4096, 1, 10, jitter=TIGHT)
    rows += repeats(6, "two-copy", 65536, 1, 10, jitter=TIGHT)
    text = render(rows)
    assert ("1 of 2 points have fewer than 6 repeats, so their intervals "
            "are NA") in text
    assert "93.8 % at n = 5" in text
    assert "[min, max], at 96.9 %" in text
    assert "| two-copy | 4 KiB | 1 | 5 | 10 |" in text
    assert "| two-copy | 64 KiB | 1 | 6 | 10 [9.9, 10.1] |" in text
    assert "fewer than 6 repeats" not in render(rows[5:])


def test_interrupted_meta_and_plots():
    rows = repeats(6, "two-copy", 4096, 1, 10)
    rows.append(run("two-copy", 65536, 1, 1, status="error"))
    plots = [("Throughput vs message size", "throughput.png",
              "throughput.svg")]
    text = render(rows, interrupted=True, plots=plots, version="0.1.0",
                  command="netcopy-sweep -r 6",
                  machine={"Kernel": "6.1.0"}, params={"repeats": 6},
                  notes=["plots: 1 figure"])
    assert ("**The sweep was interrupted**: this report covers the 1 points "
            "(6 runs) that finished before it stopped.") in text
    assert "![Throughput vs message size](throughput.png)" in text
    assert "[SVG](throughput.svg)" in text
    assert "| Kernel | 6.1.0 |" in text and "- repeats: 6" in text
    assert "- command: `netcopy-sweep -r 6`" in text
    assert "- plots: 1 figure" in text
    assert "- runs: 6 ok, 1 not ok (left out of every figure)" in text
    assert "- topology: loopback\n" in text
    assert "- topology: netns, MTU 9000\n" in render(
        rows, topology="netns", mtu=9000)
    assert "interrupted" not in render(rows)
    assert "## Plots\n\nNone." in render(rows)


def test_receive_call_names_the_mode_where_it_varies():
    rows = repeats(6, "two-copy", 4096, 1, 10)
    rows += repeats(6, "two-copy", 4096, 1, 12, rx="zero-copy")
    text = render(rows)
    assert "**two-copy (rx zero-copy)** | 12" in text


def test_nothing_finished(tmp_path):
    rows = [run("two-copy", 4096, 1, 1, status="error")]
    path = tmp_path / "report.md"
    report.write_report(path, {"interrupted": True}, [], rows, [])
    text = path.read_text()
    assert "No point finished." in text
    assert "covers the 0 points (0 runs)" in text
    assert os.listdir(tmp_path) == ["report.md"]


def test_real_loopback_sweep():
    here = os.path.join(os.path.dirname(__file__), "data")
    fields, rows = data.read_table(os.path.join(here,
                                                "loopback-results.csv"))
    _, srows = summary.summarize(rows, fields)
    text = report.render({"topology": "loopback"}, srows, rows, [])
    completions = sum(int(r["ZcCompletions"]) for r in rows
                      if r["Implementation"] == "zero-copy")
    assert ("**zero-copy**: the kernel copied 100.0 %% of the zero-copy "
            "sends (%d of %d completed sends)." % (completions, completions)
            ) in text
    assert text.count("| 6 |") == 12


def test_client_hosts_and_their_aggregate():
    rows = []
    for i in range(6):
        for host, gbps in (("lab3", 4 + i * 0.01), ("lab4", 2)):
            rows.append(dict(run("two-copy", 65536, 1, gbps, repeat=i + 1),
                             ClientHost=host))
    text = render(rows)
    assert "## Client hosts and their aggregate" in text
    assert "The clients ran on 2 hosts through ssh (lab3, lab4)" in text
    assert "ClientHost **all** is their aggregate: per repeat, the hosts' " \
        "throughputs (and bytes, messages) summed" in text
    # Per host, then the sum's median and interval (6 repeats).
    assert "- two-copy 64 KiB, 1 thread: lab3 4.03, lab4 2, **all 6.03 " \
        "[6, 6.05]** Gbit/s." in text


def test_no_client_host_section_without_them():
    text = render(repeats(6, "two-copy", 4096, 1, 10))
    assert "Client hosts" not in text
