/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* names.c - every mode's name, from modes.def.  The table (mode.c) and
 * each engine (.name = nc_mode_name_<id>) take it from here, so that
 * neither uses the other's file. */
#include "send/engines.h"

#define NC_MODE(id, name, protos, built, why)				\
	const char nc_mode_name_##id[] = name;
#include "modes.def"
#undef NC_MODE
