/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpu.c - the CPU time the calling thread has used. */
#include <sys/resource.h>

#include "measure/measure.h"

uint64_t nc_thread_cpu_us(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		return 0;
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}
