/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpus.c - how many CPUs there are to spread pinned threads over. */
#include <unistd.h>

#include "base/base.h"

unsigned int nc_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned int)n : 1;
}
