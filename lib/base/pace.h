/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pace.h - user-space pacing of one sender to a rate (--rate), for any
 * transport: the sender calls nc_pace_wait() after each send, or each
 * batch, with the payload bytes it just handed over.  The clock is read
 * once per burst (about NC_PACE_BURST_NS of the rate, or one call's
 * bytes if more), never per message, and the sleep is clock_nanosleep()
 * to an absolute deadline, so errors do not add up.
 */
#ifndef NETCOPY_PACE_H
#define NETCOPY_PACE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* How a sender held its rate: the PacingMethod column's words. */
enum nc_pacing {
	NC_PACING_NONE,		/* not paced (no --rate) */
	NC_PACING_KERNEL,	/* SO_MAX_PACING_RATE on the socket */
	NC_PACING_USER,		/* nc_pace_wait() */
};
#define NC_PACING_LAST NC_PACING_USER
const char *nc_pacing_name(uint8_t pacing);

/* The budget between clock reads. */
#define NC_PACE_BURST_NS 1000000ull
/* After a stall (a blocked send, a descheduled thread) the sender may
 * catch up this much of the rate at once, no more. */
#define NC_PACE_CATCH_UP_NS 10000000ull
/* The longest sleep between looks at the stop flag. */
#define NC_PACE_SLICE_NS 10000000ull

struct nc_pace {
	uint64_t rate;			/* payload bits/s; 0: not paced */
	uint64_t burst;			/* bytes between clock reads */
	uint64_t owed;			/* bytes sent since the last read */
	uint64_t due_ns;		/* when the bytes before owed are due */
	const atomic_bool *stop;	/* ends a sleep early; may be NULL */
	/* Where another thread may change rate (a server's share of
	 * --max-rate-per-host), read once a burst; NULL: nowhere. */
	const _Atomic uint64_t *limit;
};

/* Pace to rate bits/s (0: never wait) sends of about unit bytes each;
 * a sleep ends early once *stop is set. */
void nc_pace_init(struct nc_pace *p, uint64_t rate, uint64_t unit,
		  const atomic_bool *stop);
/* The first send is at now_ns (nc_now_ns()). */
static inline void nc_pace_start(struct nc_pace *p, uint64_t now_ns)
{
	p->owed = 0;
	p->due_ns = now_ns;
}

/* Sleep until the deadline of every burst sent so far. */
void nc_pace_sleep(struct nc_pace *p);

/* After a send of bytes: returns at once inside a burst (no clock
 * read), else once the burst is due. */
static inline void nc_pace_wait(struct nc_pace *p, size_t bytes)
{
	if (!p->rate)
		return;
	p->owed += bytes;
	if (p->owed >= p->burst)
		nc_pace_sleep(p);
}

#endif /* NETCOPY_PACE_H */
