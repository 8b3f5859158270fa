# SPDX-License-Identifier: LGPL-2.1-or-later
"""The sweep's command line: one table of options drives the parser and
the option part of --help; values are checked here, before anything runs.
"""

import re
import textwrap
from types import SimpleNamespace

from . import PROG, UsageError

# The largest UDP payload over IPv4 (65,535 less the IP and UDP headers).
UDP_MAX_SIZE = 65507

# (group, short, long, metavar or None for a flag, key, default, help).
# The key is the attribute of the parsed options.
OPTIONS = [
    ("grid", "-m", "--modes", "LIST", "modes", None,
     "data paths to compare, comma-separated, among two-copy, one-copy, "
     "sendfile, splice, zero-copy, uring, uring-zc, sendmmsg and gso "
     "(--list-modes of netcopy-client, whose fourth field gives each "
     "one's protocols; default: every mode this netcopy was built with "
     "that runs over a --proto given).  Each runs over those of --proto "
     "it supports.  A mode this kernel or the server cannot run is "
     "skipped with a one-line note."),
    ("grid", None, "--proto", "LIST", "proto", "tcp",
     "protocols to compare: tcp, udp or tcp,udp (the client's --proto; "
     "default tcp).  Every point runs over each, with the modes that "
     "support it; sizes above the UDP maximum (%d bytes) are skipped "
     "over UDP with one note." % UDP_MAX_SIZE),
    ("grid", "-s", "--sizes", "LIST", "sizes", "64,256,1K,4K,16K,64K,256K,1M",
     "message sizes, comma-separated; K, M and G are 1024-based; 1 byte "
     "to 64M (default 64,256,1K,4K,16K,64K,256K,1M)"),
    ("grid", "-t", "--threads", "LIST", "threads", "1,2,4,8",
     "thread counts (data connections, one thread each per side), "
     "comma-separated, 1 to 1024 (default 1,2,4,8)"),
    ("grid", None, "--flows", "LIST", "flows", None,
     "flow counts (data connections per run, spread over the -t "
     "threads: the client's --flows), comma-separated, 1 to 65536; a "
     "count below a thread count is skipped there with one note "
     "(default: none, one connection a thread).  The sweep's server is "
     "started with --max-conns and --max-conns-per-host that fit the "
     "largest; a mode the client cannot run with --flows above -t is "
     "skipped there with one note."),
    ("grid", "-w", "--workload", "LIST", "workloads", "stream",
     "stream, rr (request-response), or both: stream,rr (default stream)"),
    ("grid", None, "--rx", "LIST", "rx", None,
     "receive calls to compare, comma-separated, among recv, recvmsg, "
     "zero-copy (TCP only), recvmmsg and gro (UDP only): the client's "
     "--rx; default: each mode's own, no --rx.  Every point runs once "
     "per receive call its protocol has."),
    ("grid", None, "--rate", "BITS", "rate", None,
     "passed to the client's --rate in every stream run: payload bits per "
     "second per data connection, K, M and G 1000-based (e.g. 1G); "
     "without it the sender is not paced, and UDP then floods and loses"),
    ("grid", "-d", "--duration", "SECONDS", "duration", "2",
     "seconds measured per point, fractions allowed (default 2)"),
    ("grid", "-r", "--repeat", "N", "repeat", "6",
     "runs of every point (default 6, the fewest that give the median a "
     "95 % confidence interval); the summary gives their median, minimum, "
     "maximum, standard deviation and that interval.  Repeats are "
     "interleaved: the whole grid runs once, then again."),
    ("grid", None, "--confidence", "LEVEL,PCT", "confidence", None,
     "after the -r repeats, repeat every point whose median throughput's "
     "LEVEL % confidence interval is wider than +-PCT % of it, "
     "interleaved, until it is within, or --max-repeat is reached "
     "(e.g. 95,5, as netperf's -I 95,5)"),
    ("grid", None, "--max-repeat", "N", "max_repeat", None,
     "the most runs of a point with --confidence (default 20)"),
    ("grid", None, "--warmup", "SECONDS", "warmup", None,
     "passed to the client's --warmup (traffic before the measured "
     "interval); refused when this netcopy-client has no --warmup option"),
    ("topology", None, "--topology", "NAME", "topology", "loopback",
     "loopback: server and client on this machine, the client connecting "
     "to 127.0.0.1 (default; any user).  netns: two network namespaces "
     "joined by a veth pair, the server in one, the client in the other, "
     "with addresses from a private /30 and names unique per run; all of "
     "it removed on exit, error or interrupt.  Needs root and iproute2's "
     "ip."),
    ("topology", None, "--mtu", "BYTES", "mtu", None,
     "MTU of the veth pair (netns only; default 1500)"),
    ("topology", None, "--server-host", "HOST", "server_host", None,
     "start the server on HOST through ssh (it must be installed there, "
     "see --remote-server) and run the client here against HOST.  The ssh "
     "command is $NETCOPY_SWEEP_SSH (default \"ssh -o BatchMode=yes\"): "
     "use keys or an agent."),
    ("topology", None, "--remote-server", "PATH", "remote_server",
     "netcopy-server",
     "the server program on --server-host (default netcopy-server, found "
     "on the remote PATH)"),
    ("topology", None, "--client-host", "H1,H2,...", "client_host", None,
     "run the clients on these hosts through ssh instead of here, all of "
     "them at once against the one server (many-to-one): each point runs "
     "every host's client at the same time.  Their rows carry a "
     "ClientHost column; the summary adds the aggregate, ClientHost "
     "\"all\" (the hosts' throughputs summed per repeat).  The hosts "
     "reach the server at --connect, which is needed unless "
     "--server-host is given.  Not with --topology netns, --perf-stat or "
     "--record."),
    ("topology", None, "--remote-client", "PATH", "remote_client",
     "netcopy-client",
     "the client program on the --client-host hosts (default "
     "netcopy-client, found on the remote PATH)"),
    ("topology", None, "--ssh-option", "OPT", "ssh_options", [],
     "pass \"-o OPT\" to every ssh (--server-host, --client-host), e.g. "
     "--ssh-option ConnectTimeout=5; repeatable"),
    ("topology", None, "--server-cmd", "PREFIX", "server_cmd", None,
     "run the server under PREFIX, e.g. \"taskset -c 0\" or \"ip netns "
     "exec lab\" (split at blanks, no quoting); combines with every "
     "topology"),
    ("topology", None, "--client-cmd", "PREFIX", "client_cmd", None,
     "run every client under PREFIX, e.g. \"taskset -c 1\""),
    ("topology", None, "--connect", "HOST", "connect", None,
     "address the client connects to (default 127.0.0.1, the "
     "--server-host, or the server's namespace address); with "
     "--server-cmd this is how a server elsewhere is reached"),
    ("profiling", None, "--perf-stat", None, "perf_stat", False,
     "also wrap the sender (the server in a stream, the client in rr or "
     "with -R) in \"perf stat -x,\" for cycles, instructions, "
     "cache-references, cache-misses, context-switches, task-clock and "
     "page-faults, added to results.csv as the Perf* columns.  When the "
     "server sends, each point gets its own server (-1).  A missing perf "
     "or an event this machine cannot count is said once (NA)."),
    ("profiling", None, "--record", None, "record", False,
     "after the grid, take a \"perf record -g\" of the sender for each "
     "mode at one size and write perf-MODE.txt (the top symbols) and "
     "perf-MODE.data"),
    ("profiling", None, "--record-size", "SIZE", "record_size", None,
     "the size --record profiles (default 64K when it is in --sizes, else "
     "the largest size)"),
    ("output", "-o", "--output", "DIR", "output", None,
     "the folder to write (default: a new folder "
     "netcopy-sweep-YYYYmmdd-HHMMSS here); it must not already hold a "
     "sweep"),
    ("output", None, "--no-plot", None, "no_plot", False,
     "write no plots (report.md still written)"),
    ("output", "-n", "--dry-run", None, "dry_run", False,
     "print the plan (points, estimated time) and run nothing"),
    ("output", "-h", "--help", None, "help", False,
     "print this help and exit"),
    ("output", "-V", "--version", None, "version", False,
     "print the version and exit"),
]

GROUPS = [
    ("grid", "The grid:"),
    ("topology", "Where it runs (the topology):"),
    ("profiling", "Profiling:"),
    ("output", "Output:"),
]

# Client options the sweep sets itself: refused after "--".
SWEEP_SETS = ["-i", "--ip", "-p", "--port", "-m", "--mode", "-s", "--size",
              "-t", "--threads", "-d", "--duration", "-w", "--workload",
              "-f", "--format", "-o", "--output", "--rx", "--proto",
              "--rate", "--flows"]

WORKLOADS = ["stream", "rr"]
PROTOS = ["tcp", "udp"]
# The client's receive calls and the protocols each works over.
RX_CALLS = {"recv": PROTOS, "recvmsg": PROTOS, "zero-copy": ["tcp"],
            "recvmmsg": ["udp"], "gro": ["udp"]}
TOPOLOGIES = ["loopback", "netns"]
MAX_SIZE = 64 << 20
DEFAULT_MAX_REPEAT = 20

USAGE = "Usage: netcopy-sweep [OPTION...] [-- CLIENT-OPTION...]\n" \
        "  or:  netcopy-sweep compare SWEEP-A SWEEP-B [SWEEP...] [OPTION...]\n"

INTRO = """
Run the netcopy study as one experiment: every point of the grid
modes x message sizes x threads x workloads, each repeated, measured by
netcopy-client against a netcopy-server that the sweep starts and stops
itself.  It leaves a folder with the data (CSV), a per-point summary with
confidence intervals, plots (with matplotlib) and a report that explains
them.  "netcopy-sweep compare A B" compares two sweeps point by point
(see "netcopy-sweep compare --help").
"""

PASSTHROUGH_HELP = (
    "-- CLIENT-OPTION...",
    "further netcopy-client options for every run, e.g. -- --verify, "
    "-- -R, -- --no-perf.  The options the sweep sets itself (-i, -p, "
    "-m, -s, -t, -d, -w, -f, -o, --rx, --proto, --rate, --flows) are "
    "refused "
    "there.")

EPILOG = """
What the folder holds:
  results.csv    one row per point and repeat: Repeat, Topology (with
                 --client-host then ClientHost, one row per host), then
                 the client's CSV row as netcopy-client -f csv writes it
                 (columns in netcopy(7)), then the Perf* columns with
                 --perf-stat.  Rows are added as points finish.
  MODE.csv       the client's rows of one mode, in the client's own
                 layout; combined.csv holds every mode's rows the same way
  summary.csv    one row per point (Topology, Workload, Direction,
                 Proto, Implementation, Rx, MessageSize, Threads,
                 Flows, Repeats) with, for every figure, the median, min,
                 max, standard deviation and the median's 95 % interval
                 (_ci95_low, _ci95_high; NA below 6 repeats) over the
                 repeats whose Status is ok (NA where not measured);
                 with --client-host a row per host and one for
                 ClientHost "all", whose throughput, bytes and messages
                 are the hosts' sums per repeat (repeats where every
                 host's run is ok), its other figures NA
  sweep.log      every note, the commands run and the programs' messages
  *.png, *.svg   with matplotlib (python3-matplotlib): one figure per
                 question, a panel per thread count; with --proto
                 tcp,udp one per protocol (name ending -tcp or -udp),
                 and over UDP loss, jitter and datagrams per call
  report.md      the machine, the parameters, what the data says (copied
                 zero-copy sends, crossovers, CPU-bound sides, the best
                 mode per size, over UDP what GSO and sendmmsg cost per
                 KiB against send() and the points that lost over 1 %,
                 noisy points with the load average), the summary table
                 and the plots
  perf-MODE.txt  with --record

Before the first point a preflight checks the programs, the privileges the
topology needs and runs one tiny probe per mode, then says what will and
will not be measured.  While running, one progress line on standard error
gives the point, elapsed and remaining time.  Ctrl-C (SIGINT) or SIGTERM
abandons the current point, keeps every finished one in the CSVs, writes
summary.csv and report.md from them, stops the servers, removes the
namespaces and exits 130 or 143.  On success the folder's name is printed
on standard output.

Exit status: 0 every point ran; 1 a point or the sweep failed (see
sweep.log); 2 usage error; 4 what was asked cannot be done here (netns
without root or ip, --warmup with a client lacking it, no requested mode
supported, a --server-host or --client-host that ssh cannot reach or
that runs another netcopy version: checked before anything runs);
130 / 143 interrupted by SIGINT / SIGTERM.

Environment: NETCOPY_BINDIR, the folder holding netcopy-client and
netcopy-server (default: where they were installed); NETCOPY_SWEEP_SSH,
the ssh command for --server-host and --client-host (--ssh-option adds
to it).

Examples:
  netcopy-sweep -s 1K,64K,1M -t 1,4 -r 6
  netcopy-sweep -s 4K,64K -t 1,2 --confidence 95,5 --max-repeat 30
  netcopy-sweep -w stream,rr -m two-copy,zero-copy --perf-stat -- --verify
  netcopy-sweep --proto tcp,udp -m two-copy,sendmmsg,gso -s 1472,8K \\
      --rate 1G
  sudo netcopy-sweep --topology netns --mtu 9000 -o jumbo
  netcopy-sweep --server-host lab2 --connect 192.168.7.2 -d 10
  netcopy-sweep --client-host lab3,lab4 --connect 192.168.7.1 \\
      --ssh-option ConnectTimeout=5 -s 64K -t 1,4 -- --verify
  netcopy-sweep compare before after --fail-above 5
"""


def _label(short, long, metavar):
    names = (short + ", " if short else "    ") + long
    return names + ("=" + metavar if metavar else "")


def _entry(label, text):
    lines = textwrap.wrap(text, 50, break_on_hyphens=False)
    if len(label) > 22:
        head = ["  " + label]
    else:
        head = ["  %-22s  %s" % (label, lines.pop(0))]
    return "\n".join(head + [" " * 26 + line for line in lines])


def help_text():
    parts = [USAGE + INTRO.rstrip("\n")]
    for group, title in GROUPS:
        parts.append("\n" + title)
        for g, short, long, metavar, _key, _default, text in OPTIONS:
            if g == group:
                parts.append(_entry(_label(short, long, metavar), text))
        if group == "grid":
            parts.append(_entry(*PASSTHROUGH_HELP))
    return "\n".join(parts) + "\n" + EPILOG


def _find(name):
    for entry in OPTIONS:
        if name in (entry[1], entry[2]):
            return entry
    return None


def parse(argv):
    """The options of argv as a namespace (keys of OPTIONS, plus
    passthrough and argv); --help and --version are flags the caller
    acts on.  Raises UsageError."""
    opts = SimpleNamespace(**{e[4]: list(e[5]) if isinstance(e[5], list)
                              else e[5] for e in OPTIONS})
    opts.passthrough = []
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--":
            opts.passthrough = args
            break
        name, value = arg, None
        if arg.startswith("--") and "=" in arg:
            name, value = arg.split("=", 1)
        elif re.match(r"^-[A-Za-z].", arg):
            entry = _find(arg[:2])
            if entry and entry[3]:
                name, value = arg[:2], arg[2:]
        entry = _find(name) if name.startswith("-") else None
        if entry is None:
            what = "option" if arg.startswith("-") else "argument"
            raise UsageError("unknown %s '%s' (see %s --help)"
                             % (what, name, PROG))
        key = entry[4]
        if entry[3] is None:
            if value is not None:
                raise UsageError("option '%s' takes no value" % name)
            setattr(opts, key, True)
            if key in ("help", "version"):
                return opts
            continue
        if value is None:
            if not args:
                raise UsageError("option '%s' needs a value" % name)
            value = args.pop(0)
        if isinstance(entry[5], list):
            getattr(opts, key).append(value)    # a repeatable option
        else:
            setattr(opts, key, value)
    return opts


# ---- values ------------------------------------------------------------

def split_list(option, value):
    """The items of a comma-separated list, duplicates dropped."""
    if value == "":
        raise UsageError("%s: empty list" % option)
    items = value.split(",")
    if "" in items:
        raise UsageError("%s: empty item in the list '%s'" % (option, value))
    for item in items:
        if re.search(r"\s", item):
            raise UsageError("%s: bad item '%s' in the list '%s'"
                             % (option, item, value))
    return list(dict.fromkeys(items))


def size_bytes(text):
    """64 -> 64, 4K -> 4096; None when malformed."""
    m = re.fullmatch(r"([0-9]{1,12})([KkMmGg]?)", text)
    if not m:
        return None
    shift = {"": 0, "k": 10, "m": 20, "g": 30}[m.group(2).lower()]
    return int(m.group(1)) << shift


def parse_size(option, text, where=None):
    b = size_bytes(text)
    if b is None:
        raise UsageError("%s: '%s' is not a size (digits with an optional "
                         "K, M or G)%s"
                         % (option, text, " in '%s'" % where if where else ""))
    if not 1 <= b <= MAX_SIZE:
        raise UsageError("%s: '%s' is out of range (1 byte to 64M)"
                         % (option, text))
    return b


def parse_seconds(option, text, bounded=True):
    """Seconds, fractions allowed; with bounded, 0 < value <= 86400."""
    ok = re.fullmatch(r"[0-9]+(\.[0-9]*)?|\.[0-9]+", text) is not None
    if ok and bounded:
        ok = 0 < float(text) <= 86400
    if not ok:
        raise UsageError("%s: '%s' is not a number of seconds%s"
                         % (option, text, " (0 < d <= 86400)" if bounded
                            else ""))
    return float(text)


def parse_count(option, text, low, high, what):
    if not re.fullmatch(r"[0-9]{1,9}", text) or \
            not low <= int(text) <= high:
        raise UsageError("%s: '%s' is not %s" % (option, text, what))
    return int(text)


def parse_confidence(text):
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?),([0-9]+(?:\.[0-9]+)?)", text)
    if not m or not 50 <= float(m.group(1)) < 100 or \
            not 0 < float(m.group(2)) < 100:
        raise UsageError("--confidence: '%s' is not LEVEL,PCT (a level "
                         "from 50 to 99.9 and a width in per cent, e.g. "
                         "95,5)" % text)
    return float(m.group(1)) / 100, float(m.group(2)) / 100


def parse_rate(text):
    """--rate: digits, an optional fraction and K, M or G; the client
    reads it (1000-based), the sweep passes it as given."""
    if text is None:
        return None
    if not re.fullmatch(r"[0-9]{1,12}(\.[0-9]{1,9})?[KkMmGg]?", text):
        raise UsageError("--rate: '%s' is not a rate (bits per second: "
                         "digits with an optional K, M or G, 1000-based)"
                         % text)
    return text


def check_passthrough(args, workloads):
    """Refuse the client options the sweep sets itself; True with -R."""
    reverse = False
    for a in args:
        name = a.split("=", 1)[0]
        short = re.match(r"^-([ipmstdwfo])", a)
        if name in SWEEP_SETS or (short and not a.startswith("--")):
            raise UsageError("client option '%s' after -- is set by the "
                             "sweep itself (use the sweep's own option)" % a)
        if a in ("-R", "--reverse"):
            reverse = True
    if reverse and "rr" in workloads:
        raise UsageError("-R does not apply to rr (the client always asks): "
                         "drop -R or the rr workload")
    return reverse
