# SPDX-License-Identifier: LGPL-2.1-or-later
"""netcopy_sweep.topology: what each topology names and runs under, the
options it refuses, and the remote command --server-host sends through
ssh (run here with sh, as sshd would)."""

import subprocess

import pytest

from netcopy_sweep import UsageError, cli
from netcopy_sweep.output import Messages
from netcopy_sweep.topology import Topology


def topo(*args):
    return Topology(cli.parse(list(args)), Messages())


def test_labels_and_addresses():
    t = topo()
    assert (t.label, t.connect) == ("loopback", "127.0.0.1")
    t = topo("--connect", "10.1.2.3")
    assert (t.label, t.connect) == ("host:10.1.2.3", "10.1.2.3")
    t = topo("--server-host", "lab2")
    assert (t.label, t.connect) == ("ssh:lab2", "lab2")
    t = topo("--server-host", "lab2", "--connect", "192.168.7.2")
    assert (t.label, t.connect) == ("ssh:lab2", "192.168.7.2")
    t = topo("--topology", "netns", "--mtu", "9000")
    assert (t.label, t.mtu) == ("netns", 9000)


def test_prefixes():
    t = topo("--server-cmd", "taskset -c 0", "--client-cmd", "nice -n 5")
    assert t.server_prefix() == ["taskset", "-c", "0"]
    assert t.client_prefix() == ["nice", "-n", "5"]
    t.ns_server, t.ns_client = "s", "c"
    assert t.server_prefix() == ["ip", "netns", "exec", "s", "taskset", "-c",
                                 "0"]
    assert t.client_prefix()[:4] == ["ip", "netns", "exec", "c"]


@pytest.mark.parametrize("args, message", [
    (["--topology", "mesh"], "unknown topology 'mesh'"),
    (["--mtu", "9000"], "--mtu applies to --topology netns only"),
    (["--topology", "netns", "--mtu", "67"], "not an MTU"),
    (["--topology", "netns", "--server-host", "x"], "exclude each other"),
    (["--topology", "netns", "--connect", "x"], "does not apply"),
])
def test_refused(args, message):
    with pytest.raises(UsageError) as e:
        topo(*args)
    assert message in str(e.value)


def test_client_hosts(monkeypatch):
    monkeypatch.setenv("NETCOPY_SWEEP_SSH", "ssh -p 2222")
    t = topo("--client-host", "h1,h2,h1", "--connect", "10.0.0.1",
             "--ssh-option", "ConnectTimeout=5", "--ssh-option",
             "Compression=no", "--remote-client", "/opt/nc/netcopy-client",
             "--client-cmd", "taskset -c 1")
    assert t.client_hosts == ["h1", "h2"]
    assert (t.label, t.connect) == ("host:10.0.0.1", "10.0.0.1")
    assert t.ssh == ["ssh", "-p", "2222", "-o", "ConnectTimeout=5", "-o",
                     "Compression=no"]
    assert t.remote_programs() == [("h1", "/opt/nc/netcopy-client"),
                                   ("h2", "/opt/nc/netcopy-client")]
    cmd = t.remote_client_command("h2", ["/opt/nc/netcopy-client", "-d",
                                         "2"])
    assert cmd[:8] == t.ssh + ["h2"]
    assert cmd[8].endswith(" sh taskset -c 1 /opt/nc/netcopy-client -d 2")
    t = topo("--client-host", "h1", "--server-host", "lab2")
    assert t.connect == "lab2"
    assert t.remote_programs() == [("lab2", "netcopy-server"),
                                   ("h1", "netcopy-client")]


@pytest.mark.parametrize("args, message", [
    (["--client-host", "h1"], "needs --connect"),
    (["--client-host", "h1,,h2", "--connect", "a"], "empty item"),
    (["--client-host", "h1", "--topology", "netns"], "exclude each other"),
    (["--client-host", "h1", "--connect", "a", "--perf-stat"],
     "--perf-stat does not apply to --client-host"),
    (["--client-host", "h1", "--connect", "a", "--record"],
     "--record does not apply"),
    (["--ssh-option", "Port=22"], "applies to --server-host and"),
])
def test_client_hosts_refused(args, message):
    with pytest.raises(UsageError) as e:
        topo(*args)
    assert message in str(e.value)


def test_remote_command_keeps_its_words(monkeypatch):
    monkeypatch.setenv("NETCOPY_SWEEP_SSH", "ssh -o BatchMode=yes -p 2222")
    t = topo("--server-host", "lab2", "--server-cmd", "env A=1")
    cmd = t.remote(["sh", "-c", 'printf "%s|" "$A" "$0" "$1"', "two words",
                    "it's"])
    assert cmd[:5] == ["ssh", "-o", "BatchMode=yes", "-p", "2222"]
    assert cmd[5] == "lab2"
    # What sshd does with the command: sh -c, its standard input the
    # sweep's pipe, held open while the program runs.
    proc = subprocess.Popen(["sh", "-c", cmd[6]], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    proc.stdin.close()
    assert proc.wait(timeout=20) == 0
    assert out == "1|two words|it's|"


def test_remote_program_ends_with_its_input():
    t = topo("--server-host", "lab2")
    cmd = t.remote(["sleep", "60"])
    proc = subprocess.Popen(["sh", "-c", cmd[-1]], stdin=subprocess.PIPE)
    proc.stdin.close()
    # The sweep gone (its pipe closed), the remote program is stopped.
    assert proc.wait(timeout=20) == 143
