/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* zero-copy.c - the zero-copy counts of what is not zero-copy. */
#include "measure/measure.h"

const struct nc_zc_counts nc_zc_none = { -1, -1, -1, -1, -1 };
