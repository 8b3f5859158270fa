/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unit-layout.c - nc_layout_fields(): the eight one-copy fields add up to
 * the message, are as even as can be (the first size % 8 one byte
 * longer), and below eight bytes only the first size fields hold data.
 */
#include <string.h>

#include "internal.h"
#include "base/base.h"
#include "unit.h"

static void check_size(uint64_t size)
{
	uint64_t base = size / NC_FIELDS, extra = size % NC_FIELDS;
	size_t len[NC_FIELDS];
	size_t min = SIZE_MAX, max = 0;
	uint64_t sum = 0;

	memset(len, 0xa5, sizeof(len));
	nc_layout_fields(size, len);
	for (unsigned int i = 0; i < NC_FIELDS; i++) {
		sum += len[i];
		if (len[i] < min)
			min = len[i];
		if (len[i] > max)
			max = len[i];
		if (size < NC_FIELDS)
			CHECK((len[i] != 0) == (i < size),
			      "size %" PRIu64 ": field %u has %zu bytes",
			      size, i, len[i]);
		CHECK(len[i] == base + (i < extra ? 1 : 0),
		      "size %" PRIu64 ": field %u has %zu bytes, want %"
		      PRIu64, size, i, len[i], base + (i < extra ? 1 : 0));
	}
	CHECK(sum == size, "size %" PRIu64 ": fields add up to %" PRIu64,
	      size, sum);
	CHECK(max - min <= 1, "size %" PRIu64 ": fields from %zu to %zu bytes",
	      size, min, max);
}

int main(void)
{
	static const uint64_t large[] = {
		4097, 4099, 65535, 65536, 65537, 999999, 1000003,
		(1u << 20) - 1, 1u << 20, (1u << 20) + 7,
		(64u << 20) - 1, 64u << 20,
	};
	uint64_t seed = 0x6c61796f7574ULL;

	for (uint64_t size = 1; size <= 4096; size++)
		check_size(size);
	for (size_t i = 0; i < sizeof(large) / sizeof(large[0]); i++)
		check_size(large[i]);
	for (int i = 0; i < 1000; i++)
		check_size(unit_rand_range(&seed, 1, NETCOPY_MAX_MESSAGE_SIZE));
	return unit_exit("unit-layout");
}
