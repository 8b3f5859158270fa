/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * counters.c - perf counters of one data thread, through perf_event_open.
 *
 * Each event is opened on its own (not as a group), so an event this
 * machine lacks (a VM without a hardware PMU answers ENOENT for cycles)
 * is simply unknown while the others count.  Kernel mode is counted
 * where the system allows it, else user mode only, and the scope says
 * which.  On hybrid CPUs a hardware event is opened once per core PMU
 * (cpu_core, cpu_atom) and the counts added, so a thread that migrates
 * between core types is not lost.  Values are scaled by
 * time_enabled / time_running when the kernel multiplexed them.
 *
 * The software figures (context switches, task clock, page faults) come
 * from the thread's own accounting instead (getrusage(RUSAGE_THREAD),
 * CLOCK_THREAD_CPUTIME_ID): they count the same things, user and kernel
 * mode alike, and cost nothing while data moves, where a perf event of a
 * thread costs at each of its context switches (the three software
 * events alone took 10-18 % of a loopback stream's throughput on a
 * 2-vCPU VM).
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "measure/measure.h"

static const struct {
	uint32_t type;
	uint64_t config;
} events[NC_EV_COUNT] = {
	[NC_EV_CYCLES] = { PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	[NC_EV_INSTRUCTIONS] = { PERF_TYPE_HARDWARE,
				 PERF_COUNT_HW_INSTRUCTIONS },
	[NC_EV_CACHE_REFS] = { PERF_TYPE_HARDWARE,
			       PERF_COUNT_HW_CACHE_REFERENCES },
	[NC_EV_CACHE_MISSES] = { PERF_TYPE_HARDWARE,
				 PERF_COUNT_HW_CACHE_MISSES },
	[NC_EV_CONTEXT_SWITCHES] = { PERF_TYPE_SOFTWARE,
				     PERF_COUNT_SW_CONTEXT_SWITCHES },
	[NC_EV_TASK_CLOCK] = { PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	[NC_EV_PAGE_FAULTS] = { PERF_TYPE_SOFTWARE,
				PERF_COUNT_SW_PAGE_FAULTS },
};

static bool is_software(unsigned int ev)
{
	return events[ev].type == PERF_TYPE_SOFTWARE;
}

/* The calling thread's software figures so far, by event; false if the
 * system would not say. */
static bool thread_usage(uint64_t value[NC_EV_COUNT])
{
	struct rusage ru;
	struct timespec ts;

	if (getrusage(RUSAGE_THREAD, &ru) ||
	    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
		return false;
	value[NC_EV_CONTEXT_SWITCHES] = (uint64_t)ru.ru_nvcsw +
					(uint64_t)ru.ru_nivcsw;
	value[NC_EV_PAGE_FAULTS] = (uint64_t)ru.ru_minflt +
				   (uint64_t)ru.ru_majflt;
	value[NC_EV_TASK_CLOCK] = (uint64_t)ts.tv_sec * 1000000000u +
				  (uint64_t)ts.tv_nsec;
	return true;
}

/* PMU types of a hybrid CPU's core PMUs; none on other machines. */
static unsigned int hybrid_pmus(uint32_t types[NC_MAX_PMUS])
{
	static const char *const names[] = { "cpu_core", "cpu_atom" };
	unsigned int n = 0;

	for (unsigned int i = 0; i < 2 && n < NC_MAX_PMUS; i++) {
		char path[96];
		unsigned int type;
		FILE *f;

		snprintf(path, sizeof(path),
			 "/sys/bus/event_source/devices/%s/type", names[i]);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fscanf(f, "%u", &type) == 1)
			types[n++] = type;
		fclose(f);
	}
	return n;
}

int nc_counter_open(uint32_t type, uint64_t config, bool user_only)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = type,
		.config = config,
		.disabled = 1,
		.exclude_kernel = user_only,
		.exclude_hv = 1,
		.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED |
			       PERF_FORMAT_TOTAL_TIME_RUNNING,
	};
	long fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1,
			  PERF_FLAG_FD_CLOEXEC);

	return fd < 0 ? -errno : (int)fd;
}

/* Open one event on each PMU it needs; false if none would open. */
static bool open_event(struct nc_counters *c, unsigned int ev,
		       const uint32_t *pmus, unsigned int npmus)
{
	unsigned int n = events[ev].type == PERF_TYPE_HARDWARE && npmus ?
			 npmus : 1;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t config = events[ev].config;
		int fd;

		if (events[ev].type == PERF_TYPE_HARDWARE && npmus)
			config |= (uint64_t)pmus[i] << 32;
		fd = nc_counter_open(events[ev].type, config, c->user_only);
		if (fd == -EACCES || fd == -EPERM) {
			/* Kernel mode not allowed: user mode, for all. */
			if (c->user_only)
				return false;
			c->user_only = true;
			fd = nc_counter_open(events[ev].type, config, true);
		}
		c->fd[ev][i] = fd;
	}
	for (unsigned int i = 0; i < n; i++)
		if (c->fd[ev][i] >= 0)
			return true;
	return false;
}

void nc_counters_open(struct nc_counters *c)
{
	uint32_t pmus[NC_MAX_PMUS];
	unsigned int npmus = hybrid_pmus(pmus);

	memset(c, 0, sizeof(*c));
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++)
		for (unsigned int i = 0; i < NC_MAX_PMUS; i++)
			c->fd[ev][i] = -1;
	c->enabled = true;
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++)
		if (!is_software(ev))
			open_event(c, ev, pmus, npmus);
	/* Events opened before a fallback to user mode count the kernel
	 * too: reopen them so every event has the same scope. */
	if (c->user_only) {
		nc_counters_close(c);
		c->user_only = true;
		c->enabled = true;
		for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++)
			if (!is_software(ev))
				open_event(c, ev, pmus, npmus);
	}
}

/* Add the software figures since the start to the sum. */
static void usage_stop(struct nc_counters *c)
{
	uint64_t now[NC_EV_COUNT];

	if (!c->usage_running)
		return;
	c->usage_running = false;
	if (!thread_usage(now)) {
		c->usage_ok = false;
		return;
	}
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++)
		if (is_software(ev))
			c->usage_sum[ev] += now[ev] - c->usage_base[ev];
}

static void ioctl_all(struct nc_counters *c, unsigned long request)
{
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++)
		for (unsigned int i = 0; i < NC_MAX_PMUS; i++)
			if (c->fd[ev][i] >= 0)
				ioctl(c->fd[ev][i], request, 0);
}

void nc_counters_start(struct nc_counters *c)
{
	if (c->enabled) {
		ioctl_all(c, PERF_EVENT_IOC_RESET);
		memset(c->usage_sum, 0, sizeof(c->usage_sum));
		c->usage_ok = thread_usage(c->usage_base);
		c->usage_running = c->usage_ok;
		ioctl_all(c, PERF_EVENT_IOC_ENABLE);
	}
}

void nc_counters_stop(struct nc_counters *c)
{
	if (c->enabled) {
		ioctl_all(c, PERF_EVENT_IOC_DISABLE);
		usage_stop(c);
	}
}

/* One fd's count, scaled for multiplexing; false if it never ran. */
static bool read_scaled(int fd, uint64_t *value)
{
	uint64_t v[3];

	if (read(fd, v, sizeof(v)) != sizeof(v) || v[2] == 0)
		return false;
	*value = v[2] < v[1] ? (uint64_t)((double)v[0] * v[1] / v[2]) : v[0];
	return true;
}

void nc_counters_read(struct nc_counters *c, struct nc_counts *out)
{
	memset(out, 0, sizeof(*out));
	out->scope = !c->enabled ? NC_SCOPE_OFF :
		     c->user_only ? NC_SCOPE_USER : NC_SCOPE_ALL;
	if (c->enabled)
		usage_stop(c);
	for (unsigned int ev = 0; ev < NC_EV_COUNT && c->enabled; ev++) {
		if (is_software(ev)) {
			if (c->usage_ok) {
				out->value[ev] = c->usage_sum[ev];
				out->known |= 1u << ev;
			}
			continue;
		}
		for (unsigned int i = 0; i < NC_MAX_PMUS; i++) {
			uint64_t v;

			if (c->fd[ev][i] >= 0 && read_scaled(c->fd[ev][i], &v)) {
				out->value[ev] += v;
				out->known |= 1u << ev;
			}
		}
	}
}

void nc_counters_close(struct nc_counters *c)
{
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++) {
		for (unsigned int i = 0; i < NC_MAX_PMUS; i++) {
			if (c->fd[ev][i] >= 0)
				close(c->fd[ev][i]);
			c->fd[ev][i] = -1;
		}
	}
	c->enabled = false;
	c->user_only = false;
}

void nc_counts_add(struct nc_counts *sum, const struct nc_counts *x,
		   bool first)
{
	if (first) {
		*sum = *x;
		return;
	}
	/* A figure is known for the sum only if every part knew it. */
	sum->known &= x->known;
	if (x->scope < sum->scope)	/* the narrowest scope holds */
		sum->scope = x->scope;
	for (unsigned int ev = 0; ev < NC_EV_COUNT; ev++)
		sum->value[ev] += x->value[ev];
}
