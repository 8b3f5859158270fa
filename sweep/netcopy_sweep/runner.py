# SPDX-License-Identifier: LGPL-2.1-or-later
"""The servers and clients of a sweep: a server started in a session of
its own (-p 0, its port read from its "listening" line), through ssh on
--server-host; a client run to its end, or stopped when the sweep is
interrupted.  Every process started is stopped by cleanup()."""

import os
import re
import signal
import subprocess
import time

from .interrupt import held

LISTENING = re.compile(r"^netcopy-server: listening on (\S+) port (\d+)$",
                       re.M)


def alive(pid):
    """pid runs and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def wait_pid(proc, seconds):
    """Wait up to seconds for proc to end; its status or None."""
    try:
        return proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return None


def read_text(path):
    """A file's text; empty when it cannot be read."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def first_line(text, default=""):
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[0] if lines else default


class Server:
    def __init__(self, proc, out, err, once):
        self.proc = proc
        self.pid = proc.pid
        self.out = out
        self.err = err
        self.once = once
        self.port = None
        self.status = None

    def errors(self):
        return read_text(self.err)


class Runner:
    def __init__(self, bindir, topology, messages, workdir, client_limit,
                 remote_limit):
        self.client = os.path.join(bindir, "netcopy-client")
        self.server = os.path.join(bindir, "netcopy-server")
        self.topology = topology
        self.messages = messages
        self.workdir = workdir
        self.client_limit = client_limit
        self.remote_limit = remote_limit
        self.servers = []
        self.server_extra = []
        self.main = None
        self.clients = []
        self.count = 0
        self.failure = None

    # ---- servers -----------------------------------------------------

    def server_command(self, once, wrap):
        args = ["-p", "0"] + self.topology.server_bind + self.server_extra
        if once:
            args.append("-1")
        if self.topology.server_host:
            # A remote server ends by itself too, should its watchdog fail.
            if not once:
                args += ["-d", str(self.remote_limit)]
            return self.topology.remote(list(wrap) +
                                        [self.topology.remote_server] + args)
        return self.topology.server_prefix() + list(wrap) + \
            [self.server] + args

    def start_server(self, once=False, wrap=()):
        """Start a server and wait for its listening line; None when it
        did not start (the reason in self.failure and in sweep.log)."""
        self.count += 1
        out = os.path.join(self.workdir, "server%d.out" % self.count)
        err = os.path.join(self.workdir, "server%d.err" % self.count)
        cmd = self.server_command(once, wrap)
        remote = bool(self.topology.server_host)
        self.messages.log("server command: setsid " + " ".join(cmd))
        with held(), open(out, "w") as fo, open(err, "w") as fe:
            proc = subprocess.Popen(
                cmd, stdout=fo, stderr=fe, start_new_session=True,
                stdin=subprocess.PIPE if remote else subprocess.DEVNULL)
            server = Server(proc, out, err, once)
            self.servers.append(server)
        deadline = time.monotonic() + (30 if remote else 10)
        while time.monotonic() < deadline:
            with open(out, encoding="utf-8", errors="replace") as f:
                m = LISTENING.search(f.read())
            if m:
                server.port = int(m.group(2))
                self.messages.log("server started: pid %d, listening on %s "
                                  "port %d" % (server.pid, m.group(1),
                                               server.port))
                return server
            if proc.poll() is not None:
                break
            time.sleep(0.02)
        self.failure = "the server did not start: " + \
            first_line(server.errors(), "no listening line")
        self.messages.log(self.failure)
        self.stop_server(server, show=True)
        return None

    def stop_server(self, server, show=False):
        """SIGTERM its session, SIGKILL after 5 s, reap it; its messages
        go to sweep.log when show."""
        proc = server.proc
        if proc.stdin:
            proc.stdin.close()
        if proc.poll() is None:
            self._signal_group(server.pid, signal.SIGTERM)
            if wait_pid(proc, 5) is None:
                self.messages.log("server pid %d did not end within 5 s of "
                                  "SIGTERM: killed" % server.pid)
                self._signal_group(server.pid, signal.SIGKILL)
                proc.wait()
        self._signal_group(server.pid, signal.SIGKILL)
        server.status = proc.returncode
        if server in self.servers:
            self.servers.remove(server)
        if self.main is server:
            self.main = None
        self.messages.log("server pid %d stopped (exit %s)"
                          % (server.pid, server.status))
        if show:
            self.messages.log_lines("  server| ", server.errors())

    @staticmethod
    def _signal_group(pid, sig):
        try:
            os.killpg(pid, sig)
        except OSError:
            pass

    def ensure_main(self):
        """The long-running server the points share, started again when
        it ended; None when it cannot start."""
        if self.main and self.main.proc.poll() is None:
            return self.main
        if self.main:
            last = (self.main.errors().strip().splitlines() or [""])[-1]
            self.messages.note("the server (pid %d) ended; starting another: "
                               "%s" % (self.main.pid, last))
            self.stop_server(self.main, show=True)
        self.main = self.start_server()
        return self.main

    def wait_once(self, server, seconds):
        """A -1 server ends after its run (perf stat then prints)."""
        if wait_pid(server.proc, seconds) is None:
            self.messages.log("the -1 server did not end by itself")
        self.stop_server(server, show=True)

    # ---- clients -----------------------------------------------------

    def client_command(self, port, args, wrap=(), host=None):
        """The command line of one client run: here, or on host (a
        --client-host) through ssh."""
        topo = self.topology
        tail = ["-i", topo.connect, "-p", str(port)] + list(args)
        if host:
            return topo.remote_client_command(
                host, list(wrap) + [topo.remote_client] + tail)
        return topo.client_prefix() + list(wrap) + [self.client] + tail

    def start_client(self, cmd, remote=False):
        """Start one client; several may run at once.  A remote one gets
        a pipe as its standard input, whose end here this sweep holds
        (proc.hold): the client there ends when it closes."""
        self.messages.log("client command: " + " ".join(cmd))
        with held():
            stdin, hold = os.pipe() if remote else (subprocess.DEVNULL,
                                                     None)
            try:
                proc = subprocess.Popen(
                    cmd, stdin=stdin, stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE, text=True, errors="replace")
            except OSError:
                if hold is not None:
                    os.close(hold)
                raise
            finally:
                if hold is not None:
                    os.close(stdin)
            proc.hold = hold
            self.clients.append(proc)
        return proc

    @staticmethod
    def _release(proc):
        """Close the remote client's standard input (see start_client)."""
        if getattr(proc, "hold", None) is not None:
            os.close(proc.hold)
            proc.hold = None

    def wait_client(self, proc):
        """Wait for a client to end: (status, stdout, stderr); status 124
        when it ran past the sweep's limit and was stopped."""
        try:
            out, err = proc.communicate(timeout=self.client_limit)
            status = proc.returncode
        except subprocess.TimeoutExpired:
            self.stop_client(proc)
            out, err, status = "", "the client ran past %d s: stopped\n" \
                % self.client_limit, 124
        if proc in self.clients:
            self.clients.remove(proc)
        self._release(proc)
        where = getattr(proc, "host", None)
        self.messages.log_lines("  client%s| " % (" " + where if where
                                                   else ""), err)
        return status, out, err

    def run_client(self, port, args, wrap=()):
        """Run one client to its end: (status, stdout, stderr)."""
        return self.wait_client(self.start_client(
            self.client_command(port, args, wrap)))

    def run_clients(self, port, args, wrap=()):
        """Run the point's clients: the one here, or one on every
        --client-host, all started before any is waited for.  A list of
        (host or None, (status, stdout, stderr))."""
        hosts = self.topology.client_hosts or [None]
        procs = []
        for host in hosts:
            proc = self.start_client(self.client_command(port, args, wrap,
                                                         host), bool(host))
            proc.host = host
            procs.append(proc)
        return [(p.host, self.wait_client(p)) for p in procs]

    def stop_client(self, proc):
        if proc in self.clients:
            self.clients.remove(proc)
        self._release(proc)
        if proc.poll() is None:
            proc.terminate()
            if wait_pid(proc, 8) is None:
                proc.kill()
                proc.wait()
        for f in (proc.stdout, proc.stderr):
            if f:
                f.close()
        self.messages.log("client pid %d stopped" % proc.pid)

    def cleanup(self):
        """Stop the clients under way and every server."""
        for proc in list(self.clients):
            self.stop_client(proc)
        for server in list(self.servers):
            self.stop_server(server, show=server is self.main)
