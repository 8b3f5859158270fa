/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pages.c - data buffers straight from the kernel.  A run's buffers are
 * mapped, populated before the clock starts (no page faults counted as
 * data movement), page aligned (as MSG_ZEROCOPY pins whole pages), and
 * unmapped when the run ends.  From malloc they would stay behind in the
 * per-thread arenas of a long-running server, which grows by the largest
 * buffer each of up to 8 arenas per CPU has ever held. */
#include <stddef.h>
#include <sys/mman.h>

#include "base/base.h"

void *nc_pages_alloc(size_t len)
{
	void *p;

	if (!len)
		len = 1;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void nc_pages_free(void *p, size_t len)
{
	if (p)
		munmap(p, len ? len : 1);
}
