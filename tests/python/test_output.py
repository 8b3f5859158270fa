# SPDX-License-Identifier: LGPL-2.1-or-later
"""netcopy_sweep.output: results.csv is Repeat, Topology, the client's
row as it wrote it and the Perf* cells; MODE.csv and combined.csv hold
the client's rows in its own layout; a row is read back by name."""

import csv

from netcopy_sweep.output import Messages, Results

HEADER = "Implementation,MessageSize,Threads,Throughput_Gbps,Status"


def client_csv(mode, gbps):
    return "%s\n%s,1024,1,%s,ok\n" % (HEADER, mode, gbps)


def read(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def test_rows_in_every_file(tmp_path):
    r = Results(str(tmp_path), "ssh:lab,2", ["PerfSide", "PerfCycles"],
                Messages())
    row = r.add("two-copy", 1, client_csv("two-copy", "9.5"),
                ["server", "NA"])
    assert row["Throughput_Gbps"] == "9.5"
    r.add("zero-copy", 1, client_csv("zero-copy", "4.25"), ["server", "7"])
    r.add("two-copy", 2, client_csv("two-copy", "9.75"), ["server", "8"])
    res = read(tmp_path / "results.csv")
    assert res[0] == ["Repeat", "Topology"] + HEADER.split(",") + \
        ["PerfSide", "PerfCycles"]
    # A topology with a comma stays one cell.
    assert res[1] == ["1", "ssh:lab,2", "two-copy", "1024", "1", "9.5", "ok",
                      "server", "NA"]
    assert [x[0] for x in res[1:]] == ["1", "1", "2"]
    assert all(len(x) == len(res[0]) for x in res)
    two = read(tmp_path / "two-copy.csv")
    assert two[0] == HEADER.split(",")
    assert [x[3] for x in two[1:]] == ["9.5", "9.75"]
    assert len(read(tmp_path / "zero-copy.csv")) == 2
    assert [x[0] for x in read(tmp_path / "combined.csv")[1:]] == \
        ["two-copy", "zero-copy", "two-copy"]
    assert r.rows == 3


def test_no_row_no_line(tmp_path):
    r = Results(str(tmp_path), "loopback", [], Messages())
    assert r.add("two-copy", 1, HEADER + "\n", []) is None
    assert r.add("two-copy", 1, "", []) is None
    assert not (tmp_path / "results.csv").exists()


def test_changed_header_is_said(tmp_path, capsys):
    r = Results(str(tmp_path), "loopback", [], Messages())
    r.add("two-copy", 1, client_csv("two-copy", "1"), [])
    r.add("two-copy", 2, "A,B\n1,2\n", [])
    assert "header changed" in capsys.readouterr().err
