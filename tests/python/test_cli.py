# SPDX-License-Identifier: LGPL-2.1-or-later
"""netcopy_sweep.cli and the program's entry: the option table, the
parser's refusals, the client options refused after --, --help, the
compare subcommand and the dry run's plan (against a stand-in client)."""

import os
import re
import signal
import stat

import pytest

from netcopy_sweep import UsageError, cli
from netcopy_sweep import __main__ as entry


@pytest.fixture(autouse=True)
def keep_signals():
    """main() catches SIGINT, SIGTERM and SIGHUP: give pytest its own."""
    sigs = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]
    old = {s: signal.getsignal(s) for s in sigs}
    yield
    for s, handler in old.items():
        signal.signal(s, handler)


def test_values_attached_or_apart():
    a = cli.parse(["-s1K,4K", "--threads=2", "-m", "two-copy", "-n"])
    assert a.sizes == "1K,4K"
    assert a.threads == "2"
    assert a.modes == "two-copy"
    assert a.dry_run is True
    assert a.repeat == "6"


def test_passthrough_after_double_dash():
    a = cli.parse(["-d", "1", "--", "--verify", "-R"])
    assert a.passthrough == ["--verify", "-R"]
    assert a.duration == "1"


@pytest.mark.parametrize("argv, message", [
    (["--bogus"], "unknown option '--bogus'"),
    (["stray"], "unknown argument 'stray'"),
    (["-m"], "option '-m' needs a value"),
    (["--dry-run=yes"], "option '--dry-run' takes no value"),
    (["--modes"], "needs a value"),
])
def test_parser_refuses(argv, message):
    with pytest.raises(UsageError) as e:
        cli.parse(argv)
    assert message in str(e.value)


@pytest.mark.parametrize("args", [
    ["-m", "two-copy"], ["-s4K"], ["--size=4K"], ["-t", "2"], ["-p", "1"],
    ["--port=1"], ["-i", "x"], ["-d", "1"], ["-w", "rr"], ["-f", "json"],
    ["-o", "f"], ["--rx", "recv"], ["--rx=recv"], ["--duration", "2"],
])
def test_sweep_options_refused_after_double_dash(args):
    with pytest.raises(UsageError) as e:
        cli.check_passthrough(args, ["stream"])
    assert "is set by the sweep itself" in str(e.value)


def test_client_options_that_pass():
    assert cli.check_passthrough(["--verify", "--sndbuf", "32K"],
                                 ["stream"]) is False
    assert cli.check_passthrough(["-R"], ["stream"]) is True
    with pytest.raises(UsageError) as e:
        cli.check_passthrough(["-R"], ["stream", "rr"])
    assert "-R does not apply to rr" in str(e.value)


def test_help_lists_every_option_within_80_columns():
    text = cli.help_text()
    for entry_ in cli.OPTIONS:
        assert entry_[2] in text
    assert "-- CLIENT-OPTION..." in text
    for line in text.splitlines():
        assert len(line) <= 80, line
    assert text.startswith("Usage: netcopy-sweep")


def test_repeatable_ssh_option():
    opts = cli.parse(["--ssh-option", "A=1", "--ssh-option=B=2"])
    assert opts.ssh_options == ["A=1", "B=2"]
    assert cli.parse([]).ssh_options == []


def test_help_stops_parsing():
    a = cli.parse(["--help", "--bogus"])
    assert a.help is True


def test_sizes():
    assert cli.size_bytes("64") == 64
    assert cli.size_bytes("4k") == 4096
    assert cli.size_bytes("1M") == 1 << 20
    assert cli.size_bytes("1.5K") is None
    assert cli.size_bytes("") is None


def test_compare_is_dispatched(monkeypatch):
    from netcopy_sweep import compare
    seen = []
    monkeypatch.setattr(compare, "main", lambda argv: seen.append(argv) or 7)
    assert entry.main(["compare", "a", "b", "--threshold", "3"]) == 7
    assert seen == [["a", "b", "--threshold", "3"]]


def test_unbuilt_script(monkeypatch, capsys):
    monkeypatch.delenv("NETCOPY_BINDIR", raising=False)
    assert entry.main(["-n"], bindir="@bindir@") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "NETCOPY_BINDIR" in err


@pytest.fixture
def fake_bindir(tmp_path, monkeypatch):
    """A netcopy-client that lists two modes and has --warmup."""
    client = tmp_path / "netcopy-client"
    client.write_text("#!/bin/sh\n"
                      "case $1 in\n"
                      "--list-modes) printf 'two-copy\\tyes\\tx\\n"
                      "zero-copy\\tyes\\tx\\tudp,tcp\\n"
                      "uring\\tnot-built\\tx\\n"
                      "sendmmsg\\tyes\\tx\\tudp\\n' ;;\n"
                      "--help) echo '      --warmup=SECONDS' ;;\n"
                      "esac\n")
    client.chmod(client.stat().st_mode | stat.S_IXUSR)
    server = tmp_path / "netcopy-server"
    server.write_text("#!/bin/sh\n")
    server.chmod(server.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("NETCOPY_BINDIR", str(tmp_path))
    return tmp_path


def test_dry_run_plan(fake_bindir, capsys):
    out = fake_bindir / "never"
    rc = entry.main(["-n", "-s", "1K,64K", "-t", "1,2", "-d", "0.5", "-r",
                     "2", "--no-plot", "-o", str(out)])
    text = capsys.readouterr().out
    assert rc == 0
    assert re.search(r"^  points +16 \(2 repeats .* x 2 modes\)$", text, re.M)
    assert re.search(r"^  modes +two-copy zero-copy ", text, re.M)
    m = re.search(r"^  estimated +about (\d+)s$", text, re.M)
    # 16 points of 0.5 s: at least 8 s, and not twice that.
    assert m and 8 <= int(m.group(1)) < 16
    assert not os.path.exists(out)


def test_dry_run_with_confidence(fake_bindir, capsys):
    rc = entry.main(["-n", "-s", "1K", "-t", "1", "--no-plot",
                     "--confidence", "95,5", "--max-repeat", "12"])
    text = capsys.readouterr().out
    assert rc == 0
    assert re.search(r"^  repeats +6, then up to 12 until", text, re.M)
    assert re.search(r"^  estimated +about \d+s, up to \d+s$", text, re.M)


def test_refused_before_anything(fake_bindir, capsys):
    assert entry.main(["-m", "uring", "-n"]) == 2
    err = capsys.readouterr().err
    assert "unknown mode 'uring' (this netcopy has: two-copy, zero-copy, " \
        "sendmmsg)" in err


def test_udp_only_modes_need_proto_udp(fake_bindir, capsys):
    assert entry.main(["-m", "sendmmsg", "-n"]) == 2
    assert "mode sendmmsg runs over udp only, not over --proto tcp" \
        in capsys.readouterr().err


def test_dry_run_plan_per_proto(fake_bindir, capsys):
    rc = entry.main(["-n", "-s", "1K,64K", "-t", "1", "-r", "1",
                     "--no-plot", "--proto", "tcp,udp", "--rate", "1G"])
    text = capsys.readouterr().out
    assert rc == 0
    # The fake client: two-copy TCP only (no 4th field), zero-copy and
    # sendmmsg over UDP; 64K skipped over UDP.
    assert re.search(r"^  protocols +tcp: two-copy zero-copy; udp: "
                     r"zero-copy sendmmsg$", text, re.M)
    assert re.search(r"^  points +6 ", text, re.M)
    assert "64K skipped over udp: above the UDP maximum of 65507" in text
    assert re.search(r"^  rate +1G bit/s", text, re.M)


def test_warmup_needs_a_client_with_it(fake_bindir, capsys):
    (fake_bindir / "netcopy-client").write_text(
        "#!/bin/sh\n[ \"$1\" = --list-modes ] && printf 'two-copy\\tyes\\n'"
        "\nexit 0\n")
    assert entry.main(["--warmup", "1", "-n"]) == 4
    assert "no --warmup option" in capsys.readouterr().err


def test_dry_run_plan_with_client_hosts(fake_bindir, capsys, monkeypatch):
    monkeypatch.setenv("NETCOPY_SWEEP_SSH", "ssh -p 2222")
    rc = entry.main(["-n", "-s", "1K", "-t", "1", "--no-plot",
                     "--client-host", "lab3,lab4", "--connect", "10.0.0.1",
                     "--ssh-option", "ConnectTimeout=5"])
    text = capsys.readouterr().out
    assert rc == 0
    assert re.search(r"^  client +netcopy-client -i 10\.0\.0\.1, on lab3 "
                     r"lab4 at once \(through ssh -p 2222 -o "
                     r"ConnectTimeout=5\)$", text, re.M)
