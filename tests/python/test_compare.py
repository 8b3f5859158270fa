# SPDX-License-Identifier: LGPL-2.1-or-later
"""compare.py on synthetic sweeps, and on two real ones."""

import os
import re
import shutil
import sys
import types

import pytest

import netcopy_sweep
from netcopy_sweep import compare, data, stats

HEADER = ["Repeat", "Topology", "Implementation", "MessageSize", "Threads",
          "Throughput_Gbps", "Latency_us", "Workload", "Direction",
          "SndCpuUsPerKiB", "RcvCpuUsPerKiB", "Rx", "RttP99_us", "Status"]
NOISE = (0.0, 0.004, -0.004, 0.002, -0.002, 0.001)
POINTS = [("two-copy", 4096, 1), ("two-copy", 65536, 2),
          ("zero-copy", 4096, 1)]


def sweep(tmp_path, name, factor=1.0, latency=1.0, n=6, topology="loopback",
          points=POINTS, noise=NOISE):
    """A sweep folder: throughput 10 x factor, latency 5 x latency."""
    rows = []
    for i in range(n):
        for mode, size, threads in points:
            e = 1 + noise[i % len(noise)]
            rows.append(dict(zip(HEADER, [
                str(i + 1), topology, mode, str(size), str(threads),
                "%.6f" % (10 * factor * e), "%.6f" % (5 * latency * e),
                "stream", "server-sends", "%.6f" % (0.5 * e), "NA", "recv",
                "NA", "ok"])))
    rows.append(dict(rows[0], Repeat=str(n + 1), Throughput_Gbps="1000",
                     Status="error"))
    folder = tmp_path / name
    folder.mkdir()
    data.write_csv(folder / "results.csv", HEADER, rows)
    return str(folder)


def run(capsys, *argv, plot=False):
    """compare.main(argv): (exit code, stdout, stderr); plots only if
    asked (they take seconds each once matplotlib is there)."""
    argv = [str(a) for a in argv] + ([] if plot else ["--no-plot"])
    rc = compare.main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def verdicts(outdir, figure="Throughput_Gbps"):
    rows = data.read_csv(os.path.join(outdir, "compare.csv"))
    return [r["Verdict"] for r in rows if r["Figure"] == figure]


INTERVAL = re.compile(r"\| (\d\.\d{3}) \[(\d\.\d{3}), (\d\.\d{3})\] \|")


def test_thirty_per_cent_slower(tmp_path, capsys):
    a, b = sweep(tmp_path, "a"), sweep(tmp_path, "b", 0.7, 1 / 0.7)
    out = tmp_path / "cmp"
    rc, text, err = run(capsys, a, b, "--fail-above", "5", "-o", out)
    assert rc == 1
    assert verdicts(out) == ["slower"] * 3
    assert verdicts(out, "Latency_us") == ["slower"] * 3
    assert verdicts(out, "SndCpuUsPerKiB") == [compare.SAME] * 3
    ratios = INTERVAL.findall(text)
    assert ratios and float(ratios[0][0]) == pytest.approx(0.7, abs=1e-3)
    assert all(float(h) < 1 for _, _, h in ratios[:3])
    assert "3 point(s) slower by more than 5 %, significantly" in err
    assert "two-copy 4 KiB, 1 thread (throughput -30.0 %, latency +42.9 %)" \
        in text
    assert (out / "compare.md").read_text() == text
    assert "Verdict" in data.fieldnames_of(data.read_csv(out / "compare.csv"))


def test_a_sweep_against_itself(tmp_path, capsys):
    a = sweep(tmp_path, "a")
    out = tmp_path / "cmp"
    rc, text, _ = run(capsys, a, a, "--fail-above", "5", "-o", out)
    assert rc == 0
    for fig in ("Throughput_Gbps", "Latency_us", "SndCpuUsPerKiB"):
        assert verdicts(out, fig) == [compare.SAME] * 3
    assert "| 1.000 [" in text
    assert "## B against A" in text


def test_significant_but_under_the_threshold(tmp_path, capsys):
    a, b = sweep(tmp_path, "a"), sweep(tmp_path, "b", 0.98)
    # The 2 % drop is significant: the interval excludes 1 ...
    values = [10 * (1 + e) for e in NOISE]
    assert stats.ratio_ci(values, [0.98 * v for v in values])[2] < 1
    rc, _, _ = run(capsys, a, b, "--fail-above", "5", "-o", tmp_path / "c1")
    # ... but under --threshold 5: no verdict, and no failure.
    assert rc == 0
    assert verdicts(tmp_path / "c1") == [compare.SAME] * 3
    rc, _, _ = run(capsys, a, b, "--threshold", "1", "-o", tmp_path / "c2")
    assert rc == 0 and verdicts(tmp_path / "c2") == ["slower"] * 3
    rc, _, _ = run(capsys, a, b, "--fail-above", "1", "-o", tmp_path / "c3")
    assert rc == 1


def test_faster_is_no_failure(tmp_path, capsys):
    a, b = sweep(tmp_path, "a"), sweep(tmp_path, "b", 1.3, 1 / 1.3)
    rc, text, _ = run(capsys, a, b, "--fail-above", "5", "-o", tmp_path / "c")
    assert rc == 0
    assert verdicts(tmp_path / "c") == ["faster"] * 3
    assert verdicts(tmp_path / "c", "Latency_us") == ["faster"] * 3


def test_noise_hides_a_difference(tmp_path, capsys):
    noisy = (0.0, 0.4, -0.4, 0.3, -0.3, 0.2)
    a = sweep(tmp_path, "a", noise=noisy)
    b = sweep(tmp_path, "b", 0.9, noise=noisy[::-1])
    rc, _, _ = run(capsys, a, b, "--fail-above", "5", "-o", tmp_path / "c")
    assert rc == 0 and verdicts(tmp_path / "c") == [compare.SAME] * 3


def test_too_few_repeats(tmp_path, capsys):
    a, b = sweep(tmp_path, "a", n=3), sweep(tmp_path, "b", 0.5, n=3)
    rc, text, _ = run(capsys, a, b, "--fail-above", "5", "-o", tmp_path / "c")
    assert rc == 0
    assert verdicts(tmp_path / "c") == [compare.FEW] * 3
    assert "| 0.500 | too few repeats |" in text


def test_three_sweeps_against_the_first(tmp_path, capsys):
    a, b = sweep(tmp_path, "a"), sweep(tmp_path, "b", 0.7)
    c = sweep(tmp_path, "c", 1.3)
    rc, text, _ = run(capsys, a, b, c, "-o", tmp_path / "o")
    assert rc == 0
    assert "## b against a" in text and "## c against a" in text
    rows = data.read_csv(tmp_path / "o" / "compare.csv")
    got = {(r["Sweep"], r["Verdict"]) for r in rows
           if r["Figure"] == "Throughput_Gbps"}
    assert got == {("b", "slower"), ("c", "faster")}


def test_points_match_across_topologies(tmp_path, capsys):
    a = sweep(tmp_path, "a")
    b = sweep(tmp_path, "b", 0.7, topology="netns")
    rc, text, _ = run(capsys, a, b, "-o", tmp_path / "c")
    assert rc == 0
    assert "Topology differs: a loopback, b netns." in text
    assert verdicts(tmp_path / "c") == ["slower"] * 3


def test_only_common_points(tmp_path, capsys):
    a = sweep(tmp_path, "a")
    b = sweep(tmp_path, "b", points=POINTS[:1] + [("uring", 4096, 1)])
    rc, _, _ = run(capsys, a, b, "-o", tmp_path / "c")
    assert rc == 0 and len(verdicts(tmp_path / "c")) == 1
    d = sweep(tmp_path, "d", points=[("uring", 4096, 1)])
    rc, _, err = run(capsys, a, d)
    assert rc == 2 and "no point in common" in err


@pytest.mark.parametrize("argv,message", [
    ([], "the following arguments are required"),
    (["{a}"], "at least two sweep folders"),
    (["{a}", "{tmp}/none"], "none: no results.csv (not a sweep folder)"),
    (["{a}", "{tmp}"], "no results.csv"),
    (["{a}", "{a}", "--threshold", "x"], "'x' is not a percentage"),
    (["{a}", "{a}", "--fail-above", "-3"], "is not a percentage"),
    (["{a}", "{a}", "--bogus"], "unrecognized arguments: --bogus"),
])
def test_usage_errors(tmp_path, capsys, argv, message):
    a = sweep(tmp_path, "a")
    argv = [x.format(a=a, tmp=tmp_path) for x in argv]
    rc, out, err = run(capsys, *argv)
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and message in err
    assert err.startswith("netcopy-sweep compare: ")


def test_not_results(tmp_path, capsys):
    a = sweep(tmp_path, "a")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "results.csv").write_text("A,B\n1,2\n")
    rc, _, err = run(capsys, a, bad)
    assert rc == 2 and "no Throughput_Gbps column" in err


def test_help(capsys):
    rc, out, _ = run(capsys, "--help")
    assert rc == 0 and "--fail-above" in out and "Exit status" in out


def test_default_output_folder(tmp_path, capsys, monkeypatch):
    a = sweep(tmp_path, "a")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert run(capsys, a, a)[0] == 0
    assert run(capsys, a, a)[0] == 0
    made = sorted(os.listdir(work))
    assert len(made) == 2 and all(m.startswith("netcopy-compare-")
                                  for m in made)
    for m in made:
        assert os.path.isfile(work / m / "compare.md")


def test_output_not_writable(tmp_path, capsys):
    a = sweep(tmp_path, "a")
    (tmp_path / "file").write_text("")
    rc, _, err = run(capsys, a, a, "-o", tmp_path / "file")
    assert rc == 4 and "cannot write" in err


def test_overlay_plots(tmp_path, capsys, monkeypatch):
    seen = {}

    def plot_compare(outdir, sweeps):
        seen.update(sweeps)
        return [("Throughput", "compare-throughput.png",
                 "compare-throughput.svg")]

    fake = types.SimpleNamespace(available=lambda: (True, ""),
                                 plot_compare=plot_compare)
    monkeypatch.setitem(sys.modules, "netcopy_sweep.plot", fake)
    monkeypatch.setattr(netcopy_sweep, "plot", fake, raising=False)
    a, b = sweep(tmp_path, "a"), sweep(tmp_path, "b", 0.7)
    rc, text, _ = run(capsys, a, b, "-o", tmp_path / "c", plot=True)
    assert rc == 0
    assert list(seen) == ["a", "b"]
    # 7 x the median of NOISE, (0 + 0.001) / 2.
    assert [r["Throughput_Gbps_median"] for r in seen["b"]] == ["7.0035"] * 3
    assert "![Throughput](compare-throughput.png)" in text
    fake.available = lambda: (False, "matplotlib is missing")
    rc, text, err = run(capsys, a, b, "-o", tmp_path / "d", plot=True)
    assert rc == 0 and "no plots: matplotlib is missing" in text + err
    rc, text, err = run(capsys, a, b, "-o", tmp_path / "e")
    assert rc == 0 and "no plots (--no-plot)" in text


def test_real_sweeps_with_small_socket_buffers(tmp_path, capsys):
    """Two real loopback sweeps, the second with -- --sndbuf 32K --rcvbuf
    32K: slower at 4 KiB, where the small buffers hurt most."""
    here = os.path.join(os.path.dirname(__file__), "data")
    for name, src in (("before", "loopback-results.csv"),
                      ("after", "loopback-sndbuf32k-results.csv")):
        os.mkdir(tmp_path / name)
        shutil.copy(os.path.join(here, src), tmp_path / name / "results.csv")
    out = tmp_path / "c"
    rc, text, _ = run(capsys, tmp_path / "before", tmp_path / "after",
                      "--fail-above", "5", "-o", out)
    assert rc == 1
    rows = [r for r in data.read_csv(out / "compare.csv")
            if r["Figure"] == "Throughput_Gbps"]
    assert len(rows) == 12
    assert all(r["Verdict"] == "slower" for r in rows
               if r["MessageSize"] == "4096")
    assert INTERVAL.search(text)
    rc, _, _ = run(capsys, tmp_path / "after", tmp_path / "after",
                   "--fail-above", "5", "-o", tmp_path / "same")
    assert rc == 0
    assert set(verdicts(tmp_path / "same")) == {compare.SAME}
