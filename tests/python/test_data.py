# SPDX-License-Identifier: LGPL-2.1-or-later
"""data.py: numbers, NA, and CSV files read by column name."""

import pytest

from netcopy_sweep import data


@pytest.mark.parametrize("text,value", [
    ("1.5", 1.5), ("0", 0.0), ("-2", -2.0), ("1e3", 1000.0), (" 7 ", 7.0),
])
def test_number_parses(text, value):
    assert data.number(text) == value


@pytest.mark.parametrize("text", [None, "", "NA", "ok", "1.2.3", "nan",
                                  "inf", "-inf"])
def test_number_none_for_not_measured(text):
    assert data.number(text) is None


def test_numbers_leave_out_na():
    rows = [{"A": "1"}, {"A": "NA"}, {"A": ""}, {}, {"A": "3"}]
    assert data.numbers(rows, "A") == [1.0, 3.0]


def test_fmt():
    assert data.fmt(None) == "NA"
    assert data.fmt(13.034228) == "13.0342"
    assert data.fmt(4096.0) == "4096"


def test_read_csv_by_name(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("B,A,Status\n2,1,ok\nNA,3,error\n")
    fields, rows = data.read_table(path)
    assert fields == ["B", "A", "Status"]
    assert rows[0]["A"] == "1" and rows[1]["B"] == "NA"
    assert data.read_csv(path) == rows
    assert data.fieldnames_of(rows) == fields
    assert data.ok_rows(rows) == [rows[0]]


def test_read_csv_header_only_and_empty(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("A,B\n")
    assert data.read_table(path) == (["A", "B"], [])
    path.write_text("")
    assert data.read_table(path) == ([], [])


def test_read_csv_rejects_long_rows(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("A,B\n1,2,3\n")
    with pytest.raises(ValueError, match="line 2"):
        data.read_csv(path)


def test_write_csv_round_trip(tmp_path):
    path = tmp_path / "w.csv"
    data.write_csv(path, ["X", "Y"], [{"X": "1"}, {"X": "a,b", "Y": "2"}])
    assert data.read_table(path) == (["X", "Y"], [
        {"X": "1", "Y": "NA"}, {"X": "a,b", "Y": "2"}])
    assert [p.name for p in tmp_path.iterdir()] == ["w.csv"]


def test_ok_rows_without_status():
    rows = [{"A": "1"}]
    assert data.ok_rows(rows) == rows


def test_first_seen():
    assert data.first_seen(["b", "a", "b", "c", "a"]) == ["b", "a", "c"]


@pytest.mark.parametrize("size,text", [
    ("64", "64 B"), ("1024", "1 KiB"), ("4096", "4 KiB"), ("65536", "64 KiB"),
    ("1048576", "1 MiB"), ("1536", "1.5 KiB"), ("NA", "NA"),
])
def test_size_text(size, text):
    assert data.size_text(size) == text


@pytest.mark.parametrize("value,text", [
    (None, "NA"), (0.123456, "0.123"), (13.0342, "13"), (321469.0, "321469"),
    (999.6, "1000"), (999.4, "999"), (1000.4, "1000"),
])
def test_short(value, text):
    assert data.short(value) == text
