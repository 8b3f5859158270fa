# SPDX-License-Identifier: LGPL-2.1-or-later
"""summary.py on synthetic results rows."""

from netcopy_sweep import data, summary

HEADER = ["Repeat", "Topology", "Implementation", "MessageSize", "Threads",
          "Throughput_Gbps", "TotalBytes", "CacheMisses", "ContextSwitches",
          "RcvContextSwitches", "ZcCopiedFraction", "Workload", "Direction",
          "Verify", "Rx", "SndRtt_us", "Status", "Timestamp", "Host",
          "Kernel"]


def row(repeat, mode, size, threads, gbps, status="ok", **extra):
    r = dict.fromkeys(HEADER, "NA")
    r.update(Repeat=str(repeat), Topology="loopback", Implementation=mode,
             MessageSize=str(size), Threads=str(threads),
             Throughput_Gbps=str(gbps), TotalBytes="1048576",
             CacheMisses="2048", ContextSwitches="10",
             RcvContextSwitches="NA", Workload="stream",
             Direction="server-sends", Verify="0", Rx="recv", Status=status,
             Timestamp="1796116007", Host="127.0.0.1", Kernel="6.1.0-x")
    r.update(extra)
    return r


def by_point(rows):
    return {(r["Implementation"], r["MessageSize"], r["Threads"]): r
            for r in rows}


def test_columns_keys_figures_and_order():
    rows = [row(1, "zero-copy", 4096, 1, 5), row(1, "two-copy", 4096, 1, 9)]
    fields, out = summary.summarize(rows, HEADER)
    assert fields[:8] == ["Topology", "Workload", "Direction",
                          "Implementation", "Rx", "MessageSize", "Threads",
                          "Repeats"]
    medians = [f[:-len("_median")] for f in fields if f.endswith("_median")]
    # Client columns in the header's order (a new one, SndRtt_us, all NA,
    # included), then the derived table; identity columns never.
    assert medians == ["Throughput_Gbps", "TotalBytes", "CacheMisses",
                       "ContextSwitches", "RcvContextSwitches",
                       "ZcCopiedFraction", "SndRtt_us", "CacheMissesPerKiB",
                       "RcvCacheMissesPerKiB", "RxZcMappedFraction",
                       "SndCtxSwitchesPerMiB", "RcvCtxSwitchesPerMiB"]
    assert fields[8:14] == ["Throughput_Gbps_" + s for s in (
        "median", "min", "max", "stddev", "ci95_low", "ci95_high")]
    # Points in the order they first appear, not sorted.
    assert [r["Implementation"] for r in out] == ["zero-copy", "two-copy"]
    assert summary.summarize(rows)[0] == fields


def test_statistics_and_ci():
    values = [10, 12, 11, 9, 13, 8]
    rows = [row(i + 1, "two-copy", 4096, 1, v) for i, v in enumerate(values)]
    rows += [row(i + 1, "two-copy", 65536, 1, v)
             for i, v in enumerate(values[:5])]
    rows.append(row(7, "two-copy", 4096, 1, 1000, status="error"))
    _, out = summary.summarize(rows)
    p = by_point(out)
    six, five = p[("two-copy", "4096", "1")], p[("two-copy", "65536", "1")]
    assert six["Repeats"] == "6"
    assert six["Throughput_Gbps_median"] == "10.5"
    assert (six["Throughput_Gbps_min"], six["Throughput_Gbps_max"]) == (
        "8", "13")
    assert six["Throughput_Gbps_stddev"] == "1.87083"
    assert (six["Throughput_Gbps_ci95_low"],
            six["Throughput_Gbps_ci95_high"]) == ("8", "13")
    assert five["Repeats"] == "5"
    assert five["Throughput_Gbps_median"] == "11"
    assert (five["Throughput_Gbps_ci95_low"],
            five["Throughput_Gbps_ci95_high"]) == ("NA", "NA")


def test_na_never_zero():
    rows = [row(1, "two-copy", 4096, 1, 5)]
    _, out = summary.summarize(rows)
    r = out[0]
    assert r["Throughput_Gbps_stddev"] == "NA"
    for suffix in summary.STAT_SUFFIXES:
        assert r["ZcCopiedFraction_" + suffix] == "NA"
        assert r["RcvCtxSwitchesPerMiB_" + suffix] == "NA"
        assert r["RxZcMappedFraction_" + suffix] == "NA"


def test_derived_figures():
    rows = [row(1, "two-copy", 4096, 1, 5, RcvContextSwitches="3")]
    _, out = summary.summarize(rows)
    r = out[0]
    # 2048 misses over 1 MiB: 2 per KiB; 10 switches per MiB.
    assert r["CacheMissesPerKiB_median"] == "2"
    assert r["SndCtxSwitchesPerMiB_median"] == "10"
    assert r["RcvCtxSwitchesPerMiB_median"] == "3"
    rows[0]["TotalBytes"] = "0"
    assert summary.summarize(rows)[1][0]["CacheMissesPerKiB_median"] == "NA"


def test_text_columns_are_not_figures():
    rows = [row(1, "two-copy", 4096, 1, 5, SndRtt_us="fast")]
    fields, _ = summary.summarize(rows)
    assert "SndRtt_us_median" not in fields
    assert "Kernel_median" not in fields and "Host_median" not in fields


HOST_HEADER = HEADER[:2] + ["ClientHost"] + HEADER[2:]


def host_row(host, repeat, gbps, status="ok", size=4096):
    return dict(row(repeat, "two-copy", size, 1, gbps, status),
                ClientHost=host)


def test_client_host_key():
    rows = [host_row(h, 1, 5) for h in ("h1", "h2")]
    fields, out = summary.summarize(rows, HOST_HEADER)
    assert fields[:2] == ["Topology", "ClientHost"]
    assert [r["ClientHost"] for r in out] == ["h1", "h2", "all"]


def test_all_hosts_sums_each_repeat_where_every_host_is_ok():
    rows = [host_row("h1", 1, 5), host_row("h2", 1, 3),
            host_row("h1", 2, 6), host_row("h2", 2, 4, status="error"),
            host_row("h1", 3, 7), host_row("h2", 3, 2)]
    _, out = summary.summarize(rows, HOST_HEADER)
    agg = [r for r in out if r["ClientHost"] == "all"]
    assert len(agg) == 1
    agg = agg[0]
    # Repeat 2 left out: one host's run failed.  Sums 8 and 9.
    assert agg["Repeats"] == "2"
    assert (agg["Throughput_Gbps_min"], agg["Throughput_Gbps_max"]) == \
        ("8", "9")
    assert agg["TotalBytes_median"] == "2.09715e+06"
    # A figure that does not add up is NA, never a sum.
    assert agg["CacheMisses_median"] == "NA"
    assert agg["CacheMissesPerKiB_median"] == "NA"
    assert [r["Repeats"] for r in out if r["ClientHost"] != "all"] == \
        ["3", "2"]


def test_all_hosts_per_point_and_exact_sums():
    rows = [host_row(h, 1, g, size=s) for s, g in ((1024, 0.1), (4096, 0.2))
            for h in ("h1", "h2", "h3")]
    agg = summary.aggregate_rows(rows, HOST_HEADER)
    assert [(r["MessageSize"], r["Repeat"]) for r in agg] == \
        [("1024", "1"), ("4096", "1")]
    assert [r["Throughput_Gbps"] for r in agg] == ["0.3", "0.6"]
    assert agg[0]["TotalBytes"] == "3145728"


def test_no_aggregate_for_one_host_or_none():
    one = [host_row("h1", 1, 5), host_row("h1", 2, 6)]
    assert summary.aggregate_rows(one, HOST_HEADER) == []
    assert summary.aggregate_rows([row(1, "two-copy", 4096, 1, 5)],
                                  HEADER) == []


def test_no_ok_rows_gives_header_only(tmp_path):
    rows = [row(1, "two-copy", 4096, 1, 5, status="error")]
    path = tmp_path / "summary.csv"
    fields, out = summary.write_summary(path, rows)
    assert out == []
    assert data.read_table(path) == (fields, [])


def test_write_summary_round_trip(tmp_path):
    rows = [row(i, "two-copy", 4096, 2, 5 + i) for i in range(1, 7)]
    path = tmp_path / "summary.csv"
    fields, out = summary.write_summary(path, rows)
    assert data.read_table(path) == (fields, out)


def test_real_sweep_matches_the_bash_summary():
    """A loopback sweep (3 modes x 4K, 64K x 1, 2 threads x 6 repeats)
    that the bash netcopy-sweep ran and summarised: every column it wrote
    keeps its name and value."""
    here = __file__.rsplit("/", 1)[0] + "/data/"
    fields, rows = data.read_table(here + "loopback-results.csv")
    old_fields, old = data.read_table(here + "loopback-summary-bash.csv")
    new_fields, new = summary.summarize(rows, fields)
    assert len(rows) == 72 and len(new) == len(old) == 12
    assert set(old_fields) <= set(new_fields)
    for a, b in zip(old, new):
        for name, text in a.items():
            x, y = data.number(text), data.number(b[name])
            if x is None:
                assert b[name] == text, name
            else:
                assert abs(x - y) <= 1e-5 * abs(x), name
    assert all(r["Throughput_Gbps_ci95_low"] != "NA" for r in new)


def test_points_names():
    rows = [row(1, "two-copy", 4096, 1, 5), row(1, "two-copy", 4096, 2, 5),
            row(1, "two-copy", 4096, 1, 5, Rx="zero-copy"),
            row(1, "uring", 65536, 1, 5, Workload="rr")]
    _, out = summary.summarize(rows)
    points = summary.Points(out)
    assert points.varying == ["Workload", "Threads"]
    assert [points.name(r) for r in out] == [
        "two-copy (rx recv) 4 KiB, stream, 1 thread",
        "two-copy (rx recv) 4 KiB, stream, 2 threads",
        "two-copy (rx zero-copy) 4 KiB, stream, 1 thread",
        "uring 64 KiB, rr, 1 thread"]
    contexts = points.by_context()
    assert list(contexts) == [
        ("loopback", "stream", "server-sends", "1"),
        ("loopback", "stream", "server-sends", "2"),
        ("loopback", "rr", "server-sends", "1")]
    assert list(contexts[("loopback", "stream", "server-sends", "1")]) == [
        "two-copy (rx recv)", "two-copy (rx zero-copy)"]
