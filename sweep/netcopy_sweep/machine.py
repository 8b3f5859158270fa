# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the report says of the machine (kernel, CPU, the client side's
interface, offloads, congestion control, qdisc), the load average sampled
during the sweep, and what perf can count here."""

import os
import platform
import shutil
import subprocess
import time

# perf stat's events and the results.csv columns they fill, in order.
PERF_EVENTS = [
    ("cycles", "PerfCycles"),
    ("instructions", "PerfInstructions"),
    ("cache-references", "PerfCacheReferences"),
    ("cache-misses", "PerfCacheMisses"),
    ("context-switches", "PerfContextSwitches"),
    ("task-clock", "PerfTaskClock_ms"),
    ("page-faults", "PerfPageFaults"),
]
PERF_COLUMNS = ["PerfSide"] + [col for _, col in PERF_EVENTS]
PERF_EVENT_LIST = ",".join(ev for ev, _ in PERF_EVENTS)


def _output(cmd):
    try:
        return subprocess.run(cmd, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True,
                              timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""


def _read(prefix, path):
    """A file's first line, read where prefix (ip netns exec NS) runs."""
    if prefix:
        text = _output(prefix + ["cat", path])
    else:
        try:
            with open(path) as f:
                text = f.read()
        except OSError:
            text = ""
    return text.strip().splitlines()[0] if text.strip() else "unknown"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def offloads(prefix, dev):
    if not shutil.which("ethtool"):
        return "unknown (ethtool not installed)"
    want = {"tcp-segmentation-offload": "TSO",
            "generic-segmentation-offload": "GSO",
            "generic-receive-offload": "GRO"}
    got = {}
    for line in _output(prefix + ["ethtool", "-k", dev]).splitlines():
        name, _, value = line.partition(": ")
        if name in want:
            got[want[name]] = value.strip()
    if not got:
        return "unknown"
    return ", ".join("%s %s" % (k, got.get(k, "?"))
                     for k in ("TSO", "GSO", "GRO"))


def qdisc(prefix, dev):
    if not shutil.which("tc"):
        return "unknown (tc not installed)"
    words = _output(prefix + ["tc", "qdisc", "show", "dev", dev]).split()
    return words[1] if len(words) > 1 else "unknown"


def facts(topology, connect_text, counters, version, perf_stat):
    """The machine table of report.md: {label: value}, in order."""
    prefix = topology.in_client_ns()
    dev = topology.fact_if
    return {
        "Host": platform.node(),
        "Kernel": platform.release(),
        "CPU": cpu_model(),
        "Cores (online)": str(os.cpu_count()),
        "Topology": "%s (client -> %s)" % (topology.label, connect_text),
        "Interface, MTU": "%s, %s" % (
            dev, _read(prefix, "/sys/class/net/%s/mtu" % dev)),
        "Offloads": offloads(prefix, dev),
        "Congestion control": _read(
            prefix, "/proc/sys/net/ipv4/tcp_congestion_control"),
        "Qdisc": qdisc(prefix, dev),
        "Counters": counters,
        "perf stat": "yes" if perf_stat else "no",
        "netcopy": version,
    }


class LoadAverage:
    """The load average, sampled at most every interval seconds."""

    def __init__(self, interval=5.0):
        self.interval = interval
        self.samples = []
        self.last = None

    def sample(self, force=False):
        now = time.monotonic()
        if not force and self.last is not None and \
                now - self.last < self.interval:
            return
        try:
            one, five, fifteen = os.getloadavg()
        except OSError:
            return
        self.last = now
        self.samples.append((time.strftime("%H:%M:%S"), one, five, fifteen))


# ---- perf ------------------------------------------------------------

def perf_paranoid():
    return _read(None, "/proc/sys/kernel/perf_event_paranoid")


def perf_check(path, events):
    """Run perf stat on true; (works, the events it cannot count)."""
    if not shutil.which("perf"):
        return False, []
    r = subprocess.run(["perf", "stat", "-x,", "-e", events, "-o", path,
                        "--", "true"], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if r.returncode != 0:
        return False, []
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        return False, []
    missing = [line.split(",")[2].split(":")[0] for line in lines
               if line.startswith("<") and len(line.split(",")) > 2]
    return True, missing


def perf_cells(side, text):
    """The Perf* cells of "perf stat -x," output (NA where not counted)."""
    values = {ev: "NA" for ev, _ in PERF_EVENTS}
    for line in text.splitlines():
        cells = line.split(",")
        if line.startswith("#") or len(cells) < 3:
            continue
        event = cells[2].split(":")[0]
        value = cells[0].strip()
        if event in values and value.replace(".", "", 1).isdigit():
            values[event] = value
    return [side] + [values[ev] for ev, _ in PERF_EVENTS]
