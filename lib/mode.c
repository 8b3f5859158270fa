/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mode.c - the table of data paths; adding a path is adding it here. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const struct netcopy_mode *const modes[] = {
	&nc_mode_two_copy,
	&nc_mode_one_copy,
	&nc_mode_sendfile,
	&nc_mode_splice,
#ifdef NETCOPY_WITH_ZEROCOPY
	&nc_mode_zero_copy,
#endif
#ifdef NETCOPY_WITH_URING
	&nc_mode_uring,
#endif
#ifdef NETCOPY_WITH_URING_ZC
	&nc_mode_uring_zc,
#endif
};

#define N_MODES (sizeof(modes) / sizeof(modes[0]))

NETCOPY_EXPORT size_t netcopy_mode_count(void)
{
	return N_MODES;
}

NETCOPY_EXPORT const struct netcopy_mode *netcopy_mode_at(size_t index)
{
	return index < N_MODES ? modes[index] : NULL;
}

NETCOPY_EXPORT const struct netcopy_mode *netcopy_mode_find(const char *name)
{
	for (size_t i = 0; name && i < N_MODES; i++)
		if (strcmp(modes[i]->name, name) == 0)
			return modes[i];
	return NULL;
}

/* Every mode netcopy has, in the order listings show them, with why
 * this build leaves it out (NULL: built in). */
static const struct known_mode {
	const char *name;
	const char *not_built;
} known_modes[] = {
	{ "two-copy", NULL },
	{ "one-copy", NULL },
	{ "sendfile", NULL },
	{ "splice", NULL },
#ifdef NETCOPY_WITH_ZEROCOPY
	{ "zero-copy", NULL },
#else
	{ "zero-copy", "not built: configure --disable-zerocopy, or the "
		       "headers lack MSG_ZEROCOPY" },
#endif
#ifdef NETCOPY_WITH_URING
	{ "uring", NULL },
#else
	{ "uring", "not built: configure --without-liburing, or liburing "
		   "not found" },
#endif
#ifdef NETCOPY_WITH_URING_ZC
	{ "uring-zc", NULL },
#else
	{ "uring-zc", "not built: configure --without-liburing, liburing "
		      "not found, or its headers lack IORING_OP_SEND_ZC" },
#endif
};

#define N_KNOWN (sizeof(known_modes) / sizeof(known_modes[0]))

NETCOPY_EXPORT size_t netcopy_known_mode_count(void)
{
	return N_KNOWN;
}

NETCOPY_EXPORT const char *netcopy_known_mode(size_t index,
					      const char **why_not_built)
{
	if (index >= N_KNOWN)
		return NULL;
	if (why_not_built)
		*why_not_built = known_modes[index].not_built ?
				 known_modes[index].not_built : "";
	return known_modes[index].name;
}

/* Asking for a mode this build leaves out is "not supported", not a
 * typo. */
bool nc_mode_exists(const char *name)
{
	for (size_t i = 0; name && i < N_KNOWN; i++)
		if (strcmp(known_modes[i].name, name) == 0)
			return true;
	return false;
}

NETCOPY_EXPORT const char *netcopy_mode_name(const struct netcopy_mode *mode)
{
	return mode->name;
}

NETCOPY_EXPORT const char *
netcopy_mode_summary(const struct netcopy_mode *mode)
{
	return mode->summary;
}

bool nc_mode_disabled_by_env(const char *name)
{
	const char *list = getenv("NETCOPY_DISABLE_MODES");
	size_t len = strlen(name);

	while (list && *list) {
		size_t n = strcspn(list, ",");

		if (n == len && strncmp(list, name, n) == 0)
			return true;
		list += n + (list[n] == ',');
	}
	return false;
}

NETCOPY_EXPORT int netcopy_mode_probe(const struct netcopy_mode *mode,
				      const char **why)
{
	static const char disabled[] =
		"disabled by NETCOPY_DISABLE_MODES in the environment";
	const char *dummy;

	if (!why)
		why = &dummy;
	*why = "";
	if (nc_mode_disabled_by_env(mode->name)) {
		*why = disabled;
		return NETCOPY_EUNSUPPORTED;
	}
	return mode->probe ? mode->probe(why) : 0;
}
