/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uring-consts.h - what a flow's ring (uring-ring.c) and a thread's
 * ring for many flows (uring-group-loop.c) both go by.
 */
#ifndef NC_SEND_URING_CONSTS_H
#define NC_SEND_URING_CONSTS_H

#include <stdint.h>

/* Kernel 6.2 and later; liburing 2.3's headers lack it. */
#ifndef IORING_NOTIF_USAGE_ZC_COPIED
#define IORING_NOTIF_USAGE_ZC_COPIED (1U << 31)
#endif

/* user_data of the request that cancels what is in flight. */
#define CANCEL_DATA UINT64_MAX
/* How long sends may take after a cancel, or a zero-copy notification
 * after its send, before they are called lost. */
#define LOST_AFTER_S 10
/* The pause between tries after an -ENOMEM that nothing can relieve. */
#define ENOMEM_PAUSE_US 1000

#endif
