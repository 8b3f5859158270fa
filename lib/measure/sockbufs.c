/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sockbufs.c - the socket buffers where none was read back. */
#include "measure/measure.h"

const struct nc_sockbufs nc_sockbufs_none = { -1, -1 };
