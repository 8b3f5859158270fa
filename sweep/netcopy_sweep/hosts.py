# SPDX-License-Identifier: LGPL-2.1-or-later
"""The hosts a sweep reaches through ssh (--server-host, --client-host),
checked before anything runs: each must answer, and run the same netcopy
version as this machine.  All are asked at once; the first that fails is
one line and exit 4."""

import re
import shlex
import subprocess
import time

from . import SweepError
from .interrupt import held
from .runner import first_line

# Seconds a host has to answer "PROGRAM --version" through ssh.
ANSWER_LIMIT_S = 60
# ssh's own exit status when it could not connect or log in.
SSH_FAILED = 255

VERSION = re.compile(r"^netcopy-(?:client|server) (\S+)$", re.M)


def version_of(text):
    """The version a netcopy program's --version printed, or None."""
    m = VERSION.search(text)
    return m.group(1) if m else None


def last_line(text):
    """The last line with text: ssh's reason comes after its warnings."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def verdict(host, program, status, out, err, version):
    """None when host's program answered with version; else what is
    wrong, as the one line the sweep prints."""
    if status is None:
        return "%s: no answer through ssh within %d s" % (host,
                                                         ANSWER_LIMIT_S)
    if status == SSH_FAILED:
        return "%s: unreachable through ssh: %s" % (
            host, last_line(err) or "ssh exit 255")
    got = version_of(out)
    if status != 0 or got is None:
        why = first_line(err).strip() or first_line(out).strip() or \
            "exit %d" % status
        return "%s: %s --version did not run there (%s); install netcopy " \
            "there or give its path (--remote-server, --remote-client)" % (
                host, program, why)
    if got != version:
        return "%s: %s is version %s, this machine's netcopy %s: run the " \
            "same netcopy version on every host" % (host, program, got,
                                                   version)
    return None


def check_hosts(topo, version, messages):
    """Ask every remote program its version, all hosts at once; raise
    SweepError(4) naming the first that is unreachable or differs."""
    checks = topo.remote_programs()
    if not checks:
        return
    procs = []
    try:
        for host, program in checks:
            cmd = topo.ssh + [host, "exec %s --version" % shlex.quote(program)]
            messages.log("host check: " + " ".join(cmd))
            with held():
                procs.append(subprocess.Popen(
                    cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE, text=True, errors="replace"))
        deadline = time.monotonic() + ANSWER_LIMIT_S
        problems = []
        for (host, program), proc in zip(checks, procs):
            try:
                out, err = proc.communicate(
                    timeout=max(0.1, deadline - time.monotonic()))
                status = proc.returncode
            except subprocess.TimeoutExpired:
                out = err = ""
                status = None
            messages.log_lines("  %s| " % host, out + err)
            problem = verdict(host, program, status, out, err, version)
            if problem:
                messages.log("host check: " + problem)
                problems.append(problem)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    if problems:
        more = len(problems) - 1
        raise SweepError(4, problems[0] + (" (and %d more host%s, see "
                                           "sweep.log)" % (
                                               more, "s" if more > 1 else "")
                                           if more else ""))
    messages.log("host check: %d program%s through ssh, netcopy %s"
                 % (len(checks), "s" if len(checks) > 1 else "", version))
