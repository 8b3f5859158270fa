/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* clock.c - the one clock every figure is measured with. */
#include <time.h>

#include "base/base.h"

uint64_t nc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
