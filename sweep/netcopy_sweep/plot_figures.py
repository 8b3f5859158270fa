"""The figures netcopy-sweep draws, declared once; plot.py loops over them.

Each figure answers one question.  Its columns are summary.csv figure
names (each gives <F>_median, _min, _max, _ci95_low, _ci95_high); a figure
with several columns draws one row of panels per column (sender and
receiver, p50 and p99), one panel per thread count in every row.
"""

from collections import namedtuple

# stem: file name stem; title: the question; columns: (figure, row label);
# ylabel: with units; logy: "auto" (log where the values span more than a
# decade) or "never"; ylim: fixed y range or None (linear axes start at 0);
# workloads: the workloads the figure applies to (None: all); note: drawn
# instead of an empty plot when the columns are there but all NA; x: the
# x axis, one of XAXES.
Figure = namedtuple("Figure", "stem title columns ylabel logy ylim "
                    "workloads note x")

# The x axes: message size (a panel per thread count; points with more
# than one flow a thread get figures of their own), or flows per thread
# (--flows: a panel per thread count and size, drawn where a sweep has
# two flow counts or more a thread).
XAXES = ("size", "flows")

COUNTERS_NOTE = (
    "No hardware counter values in this sweep: they were NA in every "
    "run\n(no usable PMU here, or counting was not allowed).\n"
    "CPU time per KiB (the figure \"What does each KiB cost in CPU "
    "time?\")\nmeasures the same cost from the data threads' "
    "user + system time.")

SIDES = "Sender", "Receiver"


def _fig(stem, title, columns, ylabel, logy="auto", ylim=None,
         workloads=None, note=None, x="size"):
    if isinstance(columns, str):
        columns = [(columns, None)]
    return Figure(stem, title, tuple(columns), ylabel, logy, ylim,
                  workloads, note, x)


def _sides(sender, receiver):
    return list(zip((sender, receiver), SIDES))


FRACTION = (0, 1.05)
PERCENT = (0, 105)

FIGURES = (
    _fig("throughput", "How fast does each mode move data?",
         "Throughput_Gbps", "Throughput (Gbit/s)"),
    _fig("round-trips", "How many round trips per second?",
         "RoundTripsPerSec", "Round trips per second (1/s)",
         workloads=("rr",)),
    _fig("latency", "How long does each message take?",
         "Latency_us", "Time per message (µs)", workloads=("stream",)),
    _fig("rtt", "How long does a round trip take (p50, p99)?",
         [("RttP50_us", "p50"), ("RttP99_us", "p99")], "Round trip (µs)",
         workloads=("rr",)),
    _fig("cpu", "What does each KiB cost in CPU time?",
         _sides("SndCpuUsPerKiB", "RcvCpuUsPerKiB"),
         "CPU time per KiB (µs/KiB)"),
    _fig("context-switches", "How often does each side context-switch?",
         _sides("SndCtxSwitchesPerMiB", "RcvCtxSwitchesPerMiB"),
         "Context switches per MiB"),
    _fig("cycles-per-byte", "How many CPU cycles does each byte cost?",
         _sides("CyclesPerByte", "RcvCyclesPerByte"),
         "CPU cycles per byte", note=COUNTERS_NOTE),
    _fig("cache-misses", "How many cache misses does each KiB cost?",
         _sides("CacheMissesPerKiB", "RcvCacheMissesPerKiB"),
         "Cache misses per KiB", note=COUNTERS_NOTE),
    _fig("zc-copied-fraction",
         "What share of zero-copy sends did the kernel copy anyway?",
         "ZcCopiedFraction", "Copied fraction (0-1)", "never", FRACTION),
    _fig("rx-zc-mapped-fraction",
         "What share of received bytes did TCP_ZEROCOPY_RECEIVE map?",
         "RxZcMappedFraction", "Mapped fraction (0-1)", "never", FRACTION),
    _fig("tcp-retransmits", "How many segments did the sender retransmit?",
         "SndRetransmits", "Retransmitted segments"),
    _fig("tcp-rtt", "What round-trip time does TCP measure?",
         _sides("SndRtt_us", "RcvRtt_us"), "TCP RTT (µs)"),
    _fig("tcp-cwnd", "How large does the congestion window grow?",
         "SndCwnd", "Congestion window (segments)"),
    _fig("tcp-delivery-rate", "What delivery rate does TCP estimate?",
         "SndDeliveryRate_Gbps", "Delivery rate (Gbit/s)"),
    _fig("tcp-limited", "What limits the sender?",
         [("SndBusy_pct", "Busy"), ("SndRwndLimited_pct", "Rwnd-limited"),
          ("SndSndbufLimited_pct", "Sndbuf-limited")],
         "Share of time (%)", "never", PERCENT),
    _fig("tcp-rcv-space", "How much receive space does TCP grow to?",
         "RcvSpace", "Receive space (bytes)"),
    _fig("udp-loss", "What share of the datagrams was lost?",
         "LossFraction", "Lost fraction (0-1)", "never"),
    _fig("udp-jitter", "How much does a datagram's transit time vary?",
         "Jitter_us", "Jitter (µs, RFC 3550)"),
    _fig("udp-batching", "How many datagrams does each call move?",
         _sides("DatagramsPerCall", "DatagramsPerRead"),
         "Datagrams per call"),
    _fig("flows-throughput", "How does throughput grow with flows per "
         "thread?", "Throughput_Gbps", "Throughput (Gbit/s)",
         workloads=("stream",), x="flows"),
    _fig("flows-cpu", "What does each KiB cost as flows per thread grow?",
         _sides("SndCpuUsPerKiB", "RcvCpuUsPerKiB"),
         "CPU time per KiB (µs/KiB)", workloads=("stream",), x="flows"),
    _fig("flows-fairness", "How evenly do the flows share the path?",
         "FlowFairness", "Jain's fairness index (0-1)", "never", FRACTION,
         workloads=("stream",), x="flows"),
)

# compare's overlays: these figures, one line style per sweep
COMPARE_STEMS = ("throughput", "cpu")

# A mode's colour, the same in every figure and overlay (tab10 colours);
# other modes get a stable one of FALLBACK_COLOURS by a hash of the name.
MODE_COLOURS = {
    "two-copy": "#1f77b4",
    "one-copy": "#ff7f0e",
    "sendfile": "#2ca02c",
    "splice": "#d62728",
    "zero-copy": "#9467bd",
    "uring": "#8c564b",
    "uring-zc": "#e377c2",
    "sendmmsg": "#6b6ecf",
    "gso": "#bd9e39",
}
FALLBACK_COLOURS = ("#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939",
                    "#8c6d31", "#843c39", "#7b4173")

# a receive call's line style (in a sweep) and marker (in compare, where
# the line style tells the sweeps apart); others by a hash of the name
RX_STYLES = {"recv": ("-", "o"), "recvmsg": ("--", "s"),
             "zero-copy": (":", "^")}
FALLBACK_RX_STYLES = (("-.", "D"), ((0, (5, 1, 1, 1)), "v"),
                      ((0, (1, 3)), "P"))
# the sweeps' line styles in compare, in the order given
SWEEP_LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)))
