# SPDX-License-Identifier: LGPL-2.1-or-later
"""Where the sweep runs: loopback, two network namespaces joined by a veth
pair (made here, removed on exit), a server reached through ssh or at a
--connect address.  A topology gives the command prefixes of the server
and the client, the address the client connects to and the Topology
column's text."""

import os
import random
import re
import shlex
import shutil
import subprocess
import time

from . import SweepError, UsageError, cli

DEFAULT_SSH = "ssh -o BatchMode=yes"


def ssh_command(options=()):
    """The ssh command (NETCOPY_SWEEP_SSH, split at blanks), with "-o OPT"
    for each of options (--ssh-option)."""
    argv = shlex.split(os.environ.get("NETCOPY_SWEEP_SSH") or DEFAULT_SSH)
    for opt in options:
        argv += ["-o", opt]
    return argv


# The script that runs "$@" on a host through ssh and ends it when its
# standard input does: when this sweep, holding the pipe's other end,
# ends or stops ssh.  (An asynchronous list of sh reads /dev/null: hence
# fd 3.)
REMOTE_SCRIPT = ('exec 3<&0; "$@" </dev/null 3<&- & p=$!; '
                 '(cat <&3 >/dev/null; kill $p 2>/dev/null) '
                 '>/dev/null 2>&1 & w=$!; exec 3<&-; '
                 'trap "kill $p 2>/dev/null" HUP INT TERM; wait $p; r=$?; '
                 'kill $w 2>/dev/null; exit $r')


class Topology:
    def __init__(self, opts, messages):
        self.messages = messages
        self.kind = opts.topology
        self.mtu = None
        self.server_host = opts.server_host
        self.remote_server = opts.remote_server
        self.server_cmd = (opts.server_cmd or "").split()
        self.client_cmd = (opts.client_cmd or "").split()
        self.client_hosts = cli.split_list("--client-host", opts.client_host) \
            if opts.client_host is not None else []
        self.remote_client = opts.remote_client
        self.ssh = ssh_command(opts.ssh_options) \
            if self.server_host or self.client_hosts else None
        self.netns = []          # namespaces made, removed by teardown
        self.ns_server = self.ns_client = None
        self.server_bind = []
        self.fact_if = "lo"
        self._check(opts)
        if self.kind == "netns":
            self.label, self.connect = "netns", None
        elif self.server_host:
            self.label = "ssh:" + self.server_host
            self.connect = opts.connect or self.server_host
        elif opts.connect:
            self.label, self.connect = "host:" + opts.connect, opts.connect
        else:
            self.label, self.connect = "loopback", "127.0.0.1"

    def _check(self, opts):
        if self.kind not in ("loopback", "netns"):
            raise UsageError("--topology: unknown topology '%s' (expected "
                             "loopback or netns)" % self.kind)
        if opts.mtu is not None:
            if self.kind != "netns":
                raise UsageError("--mtu applies to --topology netns only")
            if not re.fullmatch(r"[0-9]{1,9}", opts.mtu) or \
                    not 68 <= int(opts.mtu) <= 65535:
                raise UsageError("--mtu: '%s' is not an MTU from 68 to "
                                 "65535" % opts.mtu)
            self.mtu = int(opts.mtu)
        if self.server_host and self.kind == "netns":
            raise UsageError("--server-host and --topology netns exclude "
                             "each other")
        if opts.connect and self.kind == "netns":
            raise UsageError("--connect does not apply to --topology netns "
                             "(the sweep picks the addresses)")
        if self.client_hosts:
            self._check_client_hosts(opts)
        if opts.ssh_options and not (self.server_host or self.client_hosts):
            raise UsageError("--ssh-option applies to --server-host and "
                             "--client-host only")

    def _check_client_hosts(self, opts):
        if self.kind == "netns":
            raise UsageError("--client-host and --topology netns exclude "
                             "each other")
        if not opts.connect and not self.server_host:
            raise UsageError("--client-host needs --connect ADDR: the "
                             "address at which the client hosts reach the "
                             "server on this machine")
        for what, used in (("--perf-stat", opts.perf_stat),
                           ("--record", opts.record)):
            if used:
                raise UsageError("%s does not apply to --client-host (the "
                                 "clients run elsewhere, several at once)"
                                 % what)

    def check_here(self, dry_run):
        """What the topology needs of this machine: SweepError(4)."""
        if self.kind == "netns" and not dry_run:
            if os.geteuid() != 0:
                raise SweepError(4, "--topology netns needs root (it "
                                 "creates network namespaces and a veth "
                                 "pair); run as root, or use --topology "
                                 "loopback")
            if not shutil.which("ip"):
                raise SweepError(4, "--topology netns needs iproute2's ip, "
                                 "which is not installed (Debian: apt-get "
                                 "install iproute2)")
        if self.ssh and not shutil.which(self.ssh[0]):
            raise SweepError(4, "%s needs %s, which is not installed"
                             % ("--server-host" if self.server_host
                                else "--client-host", self.ssh[0]))

    # ---- prefixes ----------------------------------------------------

    def server_prefix(self):
        ns = ["ip", "netns", "exec", self.ns_server] if self.ns_server \
            else []
        return ns + self.server_cmd

    def client_prefix(self):
        """What every client here runs under (a client on a --client-host
        runs through remote_client_command())."""
        ns = ["ip", "netns", "exec", self.ns_client] if self.ns_client \
            else []
        return ns + self.client_cmd

    def remote_client_command(self, host, argv):
        """The ssh command that runs the client argv (its program first)
        on host, under --client-cmd there."""
        return self.remote_on(host, self.client_cmd + list(argv))

    def in_client_ns(self):
        """The prefix of a command that looks at the client's side."""
        return ["ip", "netns", "exec", self.ns_client] if self.ns_client \
            else []

    def remote(self, argv):
        """The ssh command that runs argv on --server-host, under
        --server-cmd there."""
        return self.remote_on(self.server_host, self.server_cmd + argv)

    def remote_on(self, host, argv):
        """The ssh command that runs argv on host; it ends when its
        standard input does (REMOTE_SCRIPT)."""
        words = ["sh", "-c", REMOTE_SCRIPT, "sh"] + list(argv)
        return self.ssh + [host, " ".join(shlex.quote(w) for w in words)]

    def remote_programs(self):
        """[(host, program)]: the netcopy programs run through ssh."""
        out = [(self.server_host, self.remote_server)] \
            if self.server_host else []
        return out + [(h, self.remote_client) for h in self.client_hosts]

    # ---- netns -------------------------------------------------------

    def _ip(self, *args):
        r = subprocess.run(["ip"] + list(args), stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True)
        if r.stderr:
            self.messages.log_lines("  ip| ", r.stderr)
        return r.returncode == 0

    def _output(self, *args):
        return subprocess.run(list(args), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL,
                              text=True).stdout

    def _fail(self, what):
        raise SweepError(1, "netns: %s (see sweep.log)" % what)

    def setup(self):
        """Make the namespaces and the veth pair (netns), or find the
        interface toward --connect (the machine facts' interface)."""
        if self.kind != "netns":
            if self.label != "loopback" and shutil.which("ip"):
                m = re.search(r"\bdev (\S+)",
                              self._output("ip", "route", "get",
                                           self.connect))
                self.fact_if = m.group(1) if m else "unknown"
            return
        names = self._output("ip", "netns", "list")
        links = self._output("ip", "-o", "link", "show")
        while True:
            rid = "%06x" % random.getrandbits(24)
            if "ncsweep-%s-" % rid not in names and \
                    "ncs%ss" % rid not in links:
                break
        ns_s, ns_c = "ncsweep-%s-s" % rid, "ncsweep-%s-c" % rid
        veth_s, veth_c = "ncs%ss" % rid, "ncs%sc" % rid
        used = self._output("ip", "-4", "-o", "addr", "show")
        for _ in range(100):
            net = "10.%d.%d." % (random.randrange(256), random.randrange(256))
            if " " + net not in used:
                break
        c = random.randrange(64) * 4
        addr_s, addr_c = net + str(c + 1), net + str(c + 2)
        self.messages.log("netns: id %s, namespaces %s %s, veth %s %s, "
                          "%s/30 and %s/30" % (rid, ns_s, ns_c, veth_s,
                                               veth_c, addr_s, addr_c))
        for ns in (ns_s, ns_c):
            if not self._ip("netns", "add", ns):
                self._fail("cannot create network namespace " + ns)
            self.netns.append(ns)
        if not self._ip("link", "add", veth_s, "netns", ns_s, "type", "veth",
                        "peer", "name", veth_c, "netns", ns_c):
            self._fail("cannot create the veth pair %s/%s" % (veth_s, veth_c))
        ends = ((ns_s, veth_s, addr_s), (ns_c, veth_c, addr_c))
        for ns, dev, addr in ends:
            if not self._ip("-n", ns, "addr", "add", addr + "/30", "dev",
                            dev):
                self._fail("cannot address the veth pair")
        for ns, dev, _ in ends:
            if self.mtu and not self._ip("-n", ns, "link", "set", "dev", dev,
                                         "mtu", str(self.mtu)):
                self._fail("the veth pair refuses MTU %d" % self.mtu)
        for ns, dev, _ in ends:
            if not self._ip("-n", ns, "link", "set", "dev", "lo", "up") or \
                    not self._ip("-n", ns, "link", "set", "dev", dev, "up"):
                self._fail("cannot bring the links up")
        self.ns_server, self.ns_client = ns_s, ns_c
        self.server_bind = ["-b", addr_s]
        self.connect = addr_s
        self.fact_if = veth_c
        self.messages.note("netns: server in %s (%s), client in %s (%s), "
                           "veth MTU %d" % (ns_s, addr_s, ns_c, addr_c,
                                            self.mtu or 1500))

    def teardown(self):
        """Remove the namespaces made, killing what still runs in them."""
        for ns in self.netns:
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                pids = self._output("ip", "netns", "pids", ns).split()
                if not pids:
                    break
                for pid in pids:
                    try:
                        os.kill(int(pid), 9)
                    except (OSError, ValueError):
                        pass
                time.sleep(0.05)
            if self._ip("netns", "del", ns):
                self.messages.log("netns: removed " + ns)
            else:
                self.messages.note("could not remove network namespace "
                                   + ns)
        self.netns = []
