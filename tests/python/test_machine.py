# SPDX-License-Identifier: LGPL-2.1-or-later
"""netcopy_sweep.machine: perf stat's -x, output into the Perf* cells,
the load average's samples."""

from netcopy_sweep import machine

PERF_OUT = """# started on Tue Dec  1 09:00:00 2026

<not supported>,,cycles:u,0,100.00,,
<not supported>,,instructions:u,0,100.00,,
123456,,cache-references,1000,100.00,,
<not counted>,,cache-misses,0,0.00,,
184,,context-switches,62850000,100.00,2.928,K/sec
62.85,msec,task-clock,62850000,100.00,0.210,CPUs utilized
1787,,page-faults,62850000,100.00,28.432,K/sec
"""


def test_perf_cells_by_event_name():
    cells = machine.perf_cells("server", PERF_OUT)
    assert len(cells) == len(machine.PERF_COLUMNS)
    got = dict(zip(machine.PERF_COLUMNS, cells))
    assert got == {
        "PerfSide": "server", "PerfCycles": "NA", "PerfInstructions": "NA",
        "PerfCacheReferences": "123456", "PerfCacheMisses": "NA",
        "PerfContextSwitches": "184", "PerfTaskClock_ms": "62.85",
        "PerfPageFaults": "1787"}


def test_perf_cells_of_nothing_are_na():
    cells = machine.perf_cells("client", "")
    assert cells == ["client"] + ["NA"] * len(machine.PERF_EVENTS)


def test_loadavg_sampled_at_most_every_interval():
    load = machine.LoadAverage(interval=3600)
    load.sample()
    load.sample()
    load.sample(force=True)
    assert len(load.samples) == 2
    when, one, five, fifteen = load.samples[0]
    assert len(when) == 8 and one >= 0 and five >= 0 and fifteen >= 0
