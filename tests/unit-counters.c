/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unit-counters: perf counters of a thread.  A busy loop counted with
 * the software events shows task-clock > 0; an event no PMU has cannot
 * be opened, and a figure that was not counted comes out as NA in the
 * CSV, never as 0.
 */
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "measure/measure.h"
#include "report/report.h"
#include "unit.h"

static volatile uint64_t sink;

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Spin for ns of this thread's CPU time, however busy the machine. */
static void busy(uint64_t ns)
{
	uint64_t end = thread_cpu_ns() + ns;

	while (thread_cpu_ns() < end)
		sink++;
}

/* The CSV cell of column name for a result. */
static void csv_cell(const struct netcopy_result *r, const char *name,
		     char *cell, size_t len)
{
	char *buf = NULL, *header, *row, *h, *v, *hs, *vs;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	cell[0] = '\0';
	if (!f || netcopy_result_write(r, f, NETCOPY_FORMAT_CSV, true))
		unit_error("cannot write CSV");
	fclose(f);
	header = strtok_r(buf, "\n", &hs);
	row = strtok_r(NULL, "\n", &hs);
	for (h = strtok_r(header, ",", &hs), v = strtok_r(row, ",", &vs);
	     h && v; h = strtok_r(NULL, ",", &hs), v = strtok_r(NULL, ",", &vs))
		if (strcmp(h, name) == 0)
			snprintf(cell, len, "%s", v);
	free(buf);
}

int main(void)
{
	struct netcopy_result r = { .params = { .mode = "two-copy", .size = 1,
				    .threads = 1, .perf = true } };
	struct nc_counters c;
	struct nc_counts counts;
	char cell[64];
	int fd;

	nc_counters_open(&c);
	nc_counters_start(&c);
	busy(20000000);
	nc_counters_stop(&c);
	nc_counters_read(&c, &counts);
	nc_counters_close(&c);
	if (!(counts.known & (1u << NC_EV_TASK_CLOCK)))
		unit_skip("perf_event_open cannot count task-clock here");
	CHECK(counts.value[NC_EV_TASK_CLOCK] >= 10000000,
	      "task-clock %llu ns for a 20 ms busy loop",
	      (unsigned long long)counts.value[NC_EV_TASK_CLOCK]);
	CHECK(counts.scope == NC_SCOPE_ALL || counts.scope == NC_SCOPE_USER,
	      "scope %u", counts.scope);

	/* A hardware event number no PMU defines. */
	fd = nc_counter_open(PERF_TYPE_HARDWARE, 0xfffff, true);
	CHECK(fd < 0, "a bogus event opened as fd %d", fd);

	/* Counted: a figure; not counted: NA, never 0. */
	r.sender.measured = r.receiver.measured = true;
	r.receiver.bytes = 1000;
	r.sender.zc = r.receiver.zc = nc_zc_none;
	r.sender.counts = counts;
	r.sender.counts.known &= ~(1u << NC_EV_CYCLES);
	r.sender.counts.value[NC_EV_CYCLES] = 0;
	csv_cell(&r, "CPUCycles", cell, sizeof(cell));
	CHECK(strcmp(cell, "NA") == 0, "CPUCycles not counted: '%s'", cell);
	csv_cell(&r, "CyclesPerByte", cell, sizeof(cell));
	CHECK(strcmp(cell, "NA") == 0, "CyclesPerByte: '%s'", cell);
	csv_cell(&r, "SndTaskClock_ms", cell, sizeof(cell));
	CHECK(strtod(cell, NULL) >= 10, "SndTaskClock_ms: '%s'", cell);
	r.sender.counts.known |= 1u << NC_EV_CYCLES;
	r.sender.counts.value[NC_EV_CYCLES] = 5000;
	csv_cell(&r, "CPUCycles", cell, sizeof(cell));
	CHECK(strcmp(cell, "5000") == 0, "CPUCycles counted: '%s'", cell);
	csv_cell(&r, "CyclesPerByte", cell, sizeof(cell));
	CHECK(strcmp(cell, "5.0000") == 0, "CyclesPerByte: '%s'", cell);
	/* A side whose figures never arrived: NA throughout. */
	r.sender.measured = false;
	csv_cell(&r, "CPUCycles", cell, sizeof(cell));
	CHECK(strcmp(cell, "NA") == 0, "unmeasured CPUCycles: '%s'", cell);
	csv_cell(&r, "SndCpuTime_us", cell, sizeof(cell));
	CHECK(strcmp(cell, "NA") == 0, "unmeasured SndCpuTime_us: '%s'",
	      cell);
	return unit_exit("unit-counters");
}
