"""plot.py on synthetic summary rows: files, panels, axes, colours."""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from netcopy_sweep import plot
from netcopy_sweep.plot_figures import FALLBACK_COLOURS, MODE_COLOURS

if not plot.available()[0]:
    pytest.skip(plot.available()[1], allow_module_level=True)

STATS = ("median", "min", "max", "stddev", "ci95_low", "ci95_high")
COUNTERS = ("CyclesPerByte", "RcvCyclesPerByte", "CacheMissesPerKiB",
            "RcvCacheMissesPerKiB")


def row(mode, size, threads, values, workload="stream", rx="recv",
        ci=True):
    """A summary row as csv.DictReader gives it: every value a string,
    "NA" for a figure given as None; min-max at +-20 %, CI at +-10 %."""
    r = {"Topology": "loopback", "Workload": workload,
         "Direction": "server-sends", "Implementation": mode, "Rx": rx,
         "MessageSize": str(size), "Threads": str(threads),
         "Repeats": "6"}
    for fig, v in values.items():
        cells = dict.fromkeys(STATS, "NA")
        if v is not None:
            cells.update(median=repr(v), min=repr(v * 0.8),
                         max=repr(v * 1.2), stddev=repr(v * 0.1))
            if ci:
                cells.update(ci95_low=repr(v * 0.9),
                             ci95_high=repr(v * 1.1))
        for s, text in cells.items():
            r["%s_%s" % (fig, s)] = text
    return r


def grid(modes=("two-copy", "zero-copy"), sizes=(64, 1024, 65536),
         threads=(1, 2, 4), extra=None):
    """Throughput 10-40 Gbit/s, CPU per KiB 0.1-12, counters NA."""
    rows = []
    for m in modes:
        for i, s in enumerate(sizes):
            for t in threads:
                v = {"Throughput_Gbps": 10.0 + 10 * i,
                     "SndCpuUsPerKiB": (12.0, 1.0, 0.1)[i % 3],
                     "RcvCpuUsPerKiB": (6.0, 0.5, 0.2)[i % 3]}
                v.update(dict.fromkeys(COUNTERS))
                v.update(extra or {})
                rows.append(row(m, s, t, v))
    return rows


def figures(rows):
    return {stem: (title, fig) for stem, title, fig in
            plot.build_figures(rows)}


def data_lines(ax):
    """The data lines of an axes (plot.py labels them with their series
    key, "label|mode|rx"), without the error bars' caps."""
    return [ln for ln in ax.get_lines() if "|" in ln.get_label()]


def line(ax, mode):
    found = [ln for ln in data_lines(ax) if mode in ln.get_label()]
    assert found, "no line for %s" % mode
    return found[0]


def test_files_written(tmp_path):
    out = plot.plot_sweep(str(tmp_path), grid())
    stems = [os.path.splitext(png)[0] for _, png, _ in out]
    assert "throughput-stream" in stems and "cpu-stream" in stems
    for title, png, svg in out:
        assert title
        with open(tmp_path / png, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
        root = ET.parse(tmp_path / svg).getroot()
        assert root.tag.endswith("svg")


def test_one_panel_per_thread_count():
    figs = figures(grid(threads=(1, 2, 4)))
    axes = figs["throughput-stream"][1].axes
    assert [a.get_title() for a in axes] == ["1 thread", "2 threads",
                                             "4 threads"]
    # sender and receiver: a row of panels each
    cpu = figs["cpu-stream"][1].axes
    assert len(cpu) == 6
    assert "Sender" in cpu[0].get_ylabel()
    assert "Receiver" in cpu[3].get_ylabel()


def test_log_axis_only_where_values_span_a_decade():
    figs = figures(grid(extra={"ZcCopiedFraction": 1.0}))
    for ax in figs["cpu-stream"][1].axes:      # 0.1 to 12
        assert ax.get_yscale() == "log"
    for stem in ("throughput-stream", "zc-copied-fraction-stream"):
        for ax in figs[stem][1].axes:          # 10 to 30; 0-1
            assert ax.get_yscale() == "linear"
    for ax in figs["throughput-stream"][1].axes:
        assert ax.get_xscale() == "log"
        assert ax.get_ylim()[0] == 0


def test_size_tick_labels():
    sizes = (64, 256, 1024, 65536, 1048576)
    ax = figures(grid(sizes=sizes))["throughput-stream"][1].axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["64 B", "256 B", "1 KiB", "64 KiB", "1 MiB"]
    assert list(ax.get_xticks()) == list(sizes)
    assert plot.size_label(1536) == "1.5 KiB"
    assert plot.size_label(512) == "512 B"
    assert plot.size_label(3 << 30) == "3 GiB"


def test_mode_colour_the_same_everywhere():
    rows = grid(modes=("zero-copy", "sendfile", "two-copy"))
    figs = figures(rows)
    over = plot.build_compare({"a": rows, "b": grid(modes=("two-copy",
                                                          "zero-copy"))})
    overlay = [f for stem, _, f in over
               if stem.startswith("compare-throughput")][0]
    axes = (figs["throughput-stream"][1].axes[0],
            figs["cpu-stream"][1].axes[4], overlay.axes[1])
    for mode in ("zero-copy", "two-copy"):
        colours = {line(ax, mode).get_color() for ax in axes}
        assert colours == {MODE_COLOURS[mode]}
    assert plot.mode_colour("zero-copy") != plot.mode_colour("two-copy")
    other = plot.mode_colour("new-mode")
    assert other == plot.mode_colour("new-mode")
    assert other in FALLBACK_COLOURS
    assert other not in MODE_COLOURS.values()


def test_single_size_single_thread(tmp_path):
    rows = grid(modes=("splice",), sizes=(65536,), threads=(8,))
    fig = figures(rows)["throughput-stream"][1]
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert ax.get_title() == "8 threads"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["64 KiB"]
    lo, hi = ax.get_xlim()
    assert lo < 65536 < hi and hi / lo < 8
    out = plot.plot_sweep(str(tmp_path), rows)
    assert ("throughput-stream.png" in [png for _, png, _ in out])


def test_na_counters_give_a_note():
    figs = figures(grid())
    for stem in ("cycles-per-byte-stream", "cache-misses-stream"):
        fig = figs[stem][1]
        texts = [t.get_text() for a in fig.axes for t in a.texts]
        assert any("CPU time per KiB" in t for t in texts)
        assert not any(data_lines(a) for a in fig.axes)


def test_counters_with_values_are_plotted():
    rows = grid(extra={"CyclesPerByte": 2.0, "RcvCyclesPerByte": 3.0})
    fig = figures(rows)["cycles-per-byte-stream"][1]
    assert len(fig.axes) == 6
    assert not any(a.texts for a in fig.axes)


def test_missing_and_na_columns_are_skipped(tmp_path):
    rows = [row("two-copy", s, 1, {"Throughput_Gbps": 5.0})
            for s in (64, 4096)]
    rows[0]["SndRtt_us_median"] = "NA"
    out = plot.plot_sweep(str(tmp_path), rows)
    assert [png for _, png, _ in out] == ["throughput-stream.png"]
    # no MessageSize at all: nothing to draw, and no exception
    assert plot.build_figures([{"Implementation": "x"}]) == []
    assert plot.build_figures([{"Throughput_Gbps_median": "1"},
                               {"Throughput_Gbps_median": "2",
                                "MessageSize": "NA"}]) == []
    assert plot.build_figures([]) == []


def test_tcp_info_figures_once_the_columns_exist():
    rows = grid(extra={"SndRtt_us": 50.0, "RcvRtt_us": None,
                       "SndRetransmits": 0.0})
    figs = figures(rows)
    assert len(figs["tcp-rtt-stream"][1].axes) == 3    # receiver row NA
    assert figs["tcp-retransmits-stream"][1].axes[0].get_yscale() \
        == "linear"                                    # zero: not log
    assert "tcp-cwnd-stream" not in figs


def test_error_bars_ci_else_min_max():
    def bar(ci):
        rows = [row("two-copy", 1024, 1, {"Throughput_Gbps": 10.0},
                    ci=ci)]
        ax = figures(rows)["throughput-stream"][1].axes[0]
        seg = ax.containers[0].lines[2][0].get_segments()[0]
        return sorted(p[1] for p in seg)
    assert bar(True) == pytest.approx([9.0, 11.0])
    assert bar(False) == pytest.approx([8.0, 12.0])


def test_workloads_never_share_a_figure():
    rows = grid(modes=("two-copy",))
    rows += [row("two-copy", s, 1, {"Throughput_Gbps": 1.0,
                                    "RttP50_us": 20.0, "RttP99_us": 90.0},
                 workload="rr") for s in (64, 1024)]
    figs = figures(rows)
    assert "throughput-stream" in figs and "throughput-rr" in figs
    assert "rtt-rr" in figs and "rtt-stream" not in figs
    assert len(figs["rtt-rr"][1].axes) == 2            # p50, p99
    for stem, sizes in (("throughput-rr", [64, 1024]),
                        ("throughput-stream", [64, 1024, 65536])):
        (only,) = data_lines(figs[stem][1].axes[0])
        assert list(only.get_xdata()) == sizes


def test_line_style_per_rx():
    rows = [row("two-copy", s, 1, {"Throughput_Gbps": 9.0}, rx=rx)
            for rx in ("recv", "zero-copy") for s in (64, 1024)]
    ax = figures(rows)["throughput-stream"][1].axes[0]
    styles = {ln.get_label(): ln.get_linestyle() for ln in data_lines(ax)}
    assert len(styles) == 2 and len(set(styles.values())) == 2


def test_compare_overlays(tmp_path):
    out = plot.plot_compare(str(tmp_path), {"base": grid(),
                                            "new": grid()})
    stems = [os.path.splitext(png)[0] for _, png, _ in out]
    assert stems == ["compare-throughput-stream", "compare-cpu-stream"]
    assert all((tmp_path / svg).exists() for _, _, svg in out)
    assert out[0][0].endswith("(stream; base vs new)")
    fig = plot.build_compare({"base": grid(), "new": grid()})[0][2]
    ax = fig.axes[0]
    base = line(ax, "base|two-copy")
    new = line(ax, "new|two-copy")
    assert base.get_color() == new.get_color()
    assert base.get_linestyle() != new.get_linestyle()


def test_imports_without_matplotlib():
    code = ("import sys; sys.modules['matplotlib'] = None\n"
            "from netcopy_sweep import plot\n"
            "ok, why = plot.available()\n"
            "print(ok, why)\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    res = subprocess.run([sys.executable, "-c", code], env=env,
                         capture_output=True, text=True, check=True)
    assert res.stdout.startswith("False matplotlib cannot be imported")


def test_many_sizes_label_every_other_tick():
    sizes = [1 << k for k in range(6, 21)]     # 64 B to 1 MiB, 15 sizes
    ax = figures(grid(sizes=sizes))["throughput-stream"][1].axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert len(labels) == 15
    assert labels[0] == "64 B" and labels[-1] == "1 MiB"
    assert labels[1] == "" and 5 <= len([x for x in labels if x]) <= 9


def test_direction_named_only_where_it_varies():
    def point(workload, direction, v):
        r = row("two-copy", 1024, 1, {"Throughput_Gbps": v},
                workload=workload)
        r["Direction"] = direction
        return r
    # rr's direction is always client-asks: not a reason to name it
    rows = [point("stream", "server-sends", 1.0),
            point("rr", "client-asks", 2.0)]
    assert set(figures(rows)) == {"throughput-stream", "throughput-rr"}
    rows.append(point("stream", "client-sends", 3.0))
    figs = figures(rows)
    assert {"throughput-stream-server-sends",
            "throughput-stream-client-sends", "throughput-rr"} == set(figs)
    (only,) = data_lines(figs["throughput-stream-client-sends"][1].axes[0])
    assert list(only.get_ydata()) == [3.0]


def test_client_hosts_a_figure_each_and_no_note_for_their_sum():
    rows = []
    for host in ("lab3", "lab4", "all"):
        rows += [dict(r, ClientHost=host) for r in grid()]
    figs = figures(rows)
    for host in ("lab3", "lab4", "all"):
        assert "throughput-%s-stream" % host in figs
    assert "cycles-per-byte-lab3-stream" in figs
    # The sum's counters are NA by design: no note about a missing PMU.
    assert "cycles-per-byte-all-stream" not in figs


def test_protocols_never_share_a_figure():
    tcp = grid(modes=("two-copy", "sendfile"), threads=(1,))
    udp = grid(modes=("two-copy", "gso"), sizes=(64, 1024), threads=(1,),
               extra={"LossFraction": 0.02, "Jitter_us": 3.0})
    for r in tcp:
        r["Proto"] = "tcp"
    for r in udp:
        r["Proto"] = "udp"
    figs = figures(tcp + udp)
    assert "throughput-stream-tcp" in figs
    assert "throughput-stream-udp" in figs
    # The UDP figures exist for UDP only, whose columns have values.
    assert "udp-loss-stream-udp" in figs
    assert "udp-jitter-stream-udp" in figs
    assert not [s for s in figs if s.startswith("udp-") and
                s.endswith("-tcp")]
    # A sweep over one protocol keeps the names it had without Proto.
    assert "throughput-stream" in figures(tcp)
