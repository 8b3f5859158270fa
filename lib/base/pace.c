/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pace.c - a sender held to a rate in user space (pace.h). */
#include <errno.h>
#include <time.h>

#include "base/base.h"

const char *nc_pacing_name(uint8_t pacing)
{
	return pacing == NC_PACING_KERNEL ? "kernel" :
	       pacing == NC_PACING_USER ? "user" : "none";
}

void nc_pace_init(struct nc_pace *p, uint64_t rate, uint64_t unit,
		  const atomic_bool *stop)
{
	/* Bytes of NC_PACE_BURST_NS at rate, without overflow. */
	uint64_t burst = (uint64_t)((double)rate / 8 *
				    (double)NC_PACE_BURST_NS / 1e9);

	p->rate = rate;
	p->burst = burst > unit ? burst : unit;
	if (!p->burst)
		p->burst = 1;
	p->stop = stop;
	p->limit = NULL;
	nc_pace_start(p, nc_now_ns());
}

static bool stopped(const struct nc_pace *p)
{
	return p->stop && atomic_load_explicit(p->stop, memory_order_relaxed);
}

/* Sleep to the absolute time at_ns on the clock nc_now_ns() reads. */
static void sleep_until(uint64_t at_ns)
{
	struct timespec ts = { .tv_sec = (time_t)(at_ns / 1000000000u),
			       .tv_nsec = (long)(at_ns % 1000000000u) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

void nc_pace_sleep(struct nc_pace *p)
{
	uint64_t now = nc_now_ns();

	p->due_ns += (uint64_t)((double)p->owed * 8e9 / (double)p->rate);
	p->owed = 0;
	if (p->limit) {
		uint64_t rate = atomic_load_explicit(p->limit,
						     memory_order_relaxed);

		if (rate)
			p->rate = rate;
	}
	if (p->due_ns + NC_PACE_CATCH_UP_NS < now)
		p->due_ns = now - NC_PACE_CATCH_UP_NS;
	while (p->due_ns > now && !stopped(p)) {
		uint64_t slice = now + NC_PACE_SLICE_NS;

		sleep_until(p->due_ns < slice ? p->due_ns : slice);
		now = nc_now_ns();
	}
}
