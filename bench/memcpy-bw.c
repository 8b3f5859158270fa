/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memcpy-bw.c - the machine's single-thread memcpy() bandwidth, the copy
 * limit bench/vs-iperf3 sets the tools' throughput against.  Not part of
 * the build: the script compiles it with cc into a temporary directory.
 *
 * For each buffer size (256 KiB: within the caches; 256 MiB: from DRAM)
 * it copies one buffer into another over and over for SECONDS (default
 * 0.5) per trial, TRIALS times (default 5), and prints the best trial:
 *
 *     memcpy 262144 97.31
 *     memcpy 268435456 17.92
 *
 * that is, "memcpy BYTES GB/s", bytes copied (each read once and written
 * once) per second, in 1e9 bytes.
 *
 * Usage: memcpy-bw [SECONDS [TRIALS]]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Called through a volatile pointer: the C library's memcpy, never a
 * copy the compiler inlines or removes. */
static void *(*volatile copy)(void *, const void *, size_t) = memcpy;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double bandwidth(size_t size, double seconds, int trials)
{
	/* About 64 MiB a batch between clock reads, at least one copy. */
	size_t batch = size >= (64u << 20) ? 1 : (64u << 20) / size;
	unsigned char *src = aligned_alloc(4096, size);
	unsigned char *dst = aligned_alloc(4096, size);
	double best = 0;

	if (!src || !dst) {
		fprintf(stderr, "memcpy-bw: cannot allocate 2 x %zu bytes\n",
			size);
		exit(1);
	}
	memset(src, 0x5a, size);	/* fault every page in first */
	memset(dst, 0xa5, size);
	copy(dst, src, size);		/* and warm the caches */
	for (int t = 0; t < trials; t++) {
		double start = now(), elapsed;
		uint64_t bytes = 0;

		do {
			for (size_t i = 0; i < batch; i++) {
				copy(dst, src, size);
				__asm__ __volatile__("" : : "r"(dst) : "memory");
			}
			bytes += (uint64_t)batch * size;
			elapsed = now() - start;
		} while (elapsed < seconds);
		if ((double)bytes / elapsed > best)
			best = (double)bytes / elapsed;
	}
	if (dst[size - 1] != 0x5a) {	/* the copies happened */
		fprintf(stderr, "memcpy-bw: the copy went wrong\n");
		exit(1);
	}
	free(src);
	free(dst);
	return best / 1e9;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 256u << 10, 256u << 20 };
	double seconds = argc > 1 ? strtod(argv[1], NULL) : 0.5;
	int trials = argc > 2 ? atoi(argv[2]) : 5;

	if (argc > 3 || !(seconds > 0) || trials < 1) {
		fprintf(stderr, "Usage: memcpy-bw [SECONDS [TRIALS]]\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		printf("memcpy %zu %.2f\n", sizes[i],
		       bandwidth(sizes[i], seconds, trials));
	return 0;
}
