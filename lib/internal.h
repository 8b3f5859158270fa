/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * internal.h - the one thing every area of libnetcopy shares besides
 * base/: the mark on a public definition, and the public header.  What
 * an area offers the others is in its own header (base/base.h,
 * measure/measure.h, params/params.h, wire/wire.h, engine/engine.h,
 * recv/recv.h, send/send.h, flow/flow.h, report/report.h); README's
 * "How it is built" says which may use which.  Not installed.
 */
#ifndef NETCOPY_INTERNAL_H
#define NETCOPY_INTERNAL_H

#include "netcopy.h"

#define NETCOPY_EXPORT __attribute__((visibility("default")))

#endif /* NETCOPY_INTERNAL_H */
