# SPDX-License-Identifier: LGPL-2.1-or-later
"""netcopy_sweep.hosts: the check of the hosts reached through ssh, with a
stand-in for ssh that runs the command here."""

import stat

import pytest

from netcopy_sweep import SweepError, cli, hosts
from netcopy_sweep.output import Messages
from netcopy_sweep.topology import Topology


def test_version_of():
    assert hosts.version_of("netcopy-client 0.1.0\n") == "0.1.0"
    assert hosts.version_of("motd\nnetcopy-server 1.2\n") == "1.2"
    assert hosts.version_of("netcopy 0.1.0\n") is None


@pytest.mark.parametrize("status, out, err, words", [
    (0, "netcopy-client 0.1.0\n", "", None),
    (255, "", "Warning: a warning\nssh: connect to host h port 22: "
     "Connection refused\n",
     ["h: unreachable through ssh: ssh: connect", "Connection refused"]),
    (127, "", "sh: 1: netcopy-client: not found\n",
     ["h: netcopy-client --version did not run there (sh: 1: "
      "netcopy-client: not found)", "--remote-client"]),
    (0, "netcopy-client 0.0.9\n", "",
     ["h: netcopy-client is version 0.0.9, this machine's netcopy 0.1.0"]),
    (0, "hello\n", "", ["did not run there (hello)"]),
    (None, "", "", ["h: no answer through ssh within"]),
])
def test_verdict(status, out, err, words):
    got = hosts.verdict("h", "netcopy-client", status, out, err, "0.1.0")
    if words is None:
        assert got is None
    else:
        assert "\n" not in got
        for w in words:
            assert w in got


@pytest.fixture
def fake_ssh(tmp_path, monkeypatch):
    """ssh HOST COMMAND: runs COMMAND here; host "down" is unreachable."""
    ssh = tmp_path / "ssh"
    ssh.write_text('#!/bin/sh\n[ "$1" = down ] && '
                   '{ echo "ssh: connect to host down: refused" >&2; '
                   'exit 255; }\nshift\nexec sh -c "$1"\n')
    ssh.chmod(ssh.stat().st_mode | stat.S_IXUSR)
    client = tmp_path / "netcopy-client"
    client.write_text("#!/bin/sh\necho netcopy-client 0.1.0\n")
    client.chmod(client.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("NETCOPY_SWEEP_SSH", str(ssh))
    return str(client)


def check(*args):
    t = Topology(cli.parse(list(args)), Messages())
    hosts.check_hosts(t, "0.1.0", Messages())


def test_check_hosts_passes(fake_ssh):
    check("--client-host", "a,b", "--connect", "x", "--remote-client",
          fake_ssh)


def test_check_hosts_one_line_for_the_first_failure(fake_ssh):
    with pytest.raises(SweepError) as e:
        check("--client-host", "a,down,b", "--connect", "x",
              "--remote-client", fake_ssh, "--server-host", "down")
    assert e.value.status == 4
    assert str(e.value) == ("down: unreachable through ssh: ssh: connect to "
                            "host down: refused (and 1 more host, see "
                            "sweep.log)")


def test_check_hosts_another_version(fake_ssh, tmp_path):
    other = tmp_path / "other"
    other.write_text("#!/bin/sh\necho netcopy-client 9.9\n")
    other.chmod(other.stat().st_mode | stat.S_IXUSR)
    with pytest.raises(SweepError) as e:
        check("--client-host", "a", "--connect", "x", "--remote-client",
              str(other))
    assert "a: %s is version 9.9, this machine's netcopy 0.1.0" % other \
        in str(e.value)
