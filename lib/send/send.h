/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * send.h - the send paths: the table of modes (mode.c over modes.def)
 * and their engines, one file each (mode-*.c), which the public
 * netcopy_mode_* functions walk.  What the engines share among
 * themselves is in engines.h.  Uses engine/, recv/ and base/.
 */
#ifndef NETCOPY_SEND_H
#define NETCOPY_SEND_H

#include <stdbool.h>

#include "engine/engine.h"

/* modes.def's protos: the protocols a mode sends over. */
#define NC_ON_TCP NC_PROTO_BIT(NC_PROTO_TCP)
#define NC_ON_UDP NC_PROTO_BIT(NC_PROTO_UDP)

/* Whether name is a mode of netcopy's, even one this build lacks. */
bool nc_mode_exists(const char *name);
/* 0, or NETCOPY_EUNSUPPORTED with why (static): the mode does not send
 * over proto (enum nc_proto); its modes.def line says which it does. */
int nc_mode_proto_check(const struct netcopy_mode *mode, uint8_t proto,
			const char **why);
/* 0, or -EINVAL with why: over UDP, the run's parameters exceed what
 * the mode (its check) or this kernel can send; NETCOPY_EUNSUPPORTED
 * where this kernel cannot send the mode over UDP at all. */
int nc_mode_params_check(const struct netcopy_mode *mode,
			 const struct nc_params *p, const char **why);
/* Whether NETCOPY_DISABLE_MODES names this mode. */
bool nc_mode_disabled_by_env(const char *name);

/* ---- mode.c: the engines modes.def lists, and their names (an engine
 * sets .name = nc_mode_name_<id>); those not built are only declared. */
#define NC_MODE(id, name, protos, built, why)					\
	extern const char nc_mode_name_##id[];				\
	extern const struct netcopy_mode nc_mode_##id;
#include "send/modes.def"
#undef NC_MODE

#endif /* NETCOPY_SEND_H */
