/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mode.c - the table of modes, built from modes.def: every mode netcopy
 * has, with its engine where this build has one and the reason where it
 * does not.  Adding a path is a line in modes.def and its mode-*.c file.
 * The names are in names.c, below both the table and the engines.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "send/engines.h"

/* NC_IF(flag, a, b): a when flag expands to 1, b when to 0, picked by the
 * preprocessor, so a mode this build leaves out is never referenced. */
#define NC_IF_1(a, b) a
#define NC_IF_0(a, b) b
#define NC_IF_(flag, a, b) NC_IF_##flag(a, b)
#define NC_IF(flag, a, b) NC_IF_(flag, a, b)

static const struct mode_entry {
	const char *name;
	const struct netcopy_mode *mode;	/* NULL: not built */
	const char *not_built;			/* "" when built */
	uint8_t protos;				/* NC_ON_TCP, NC_ON_UDP */
} table[] = {
#define NC_MODE(id, name, protos, built, why)				\
	{ nc_mode_name_##id, NC_IF(built, &nc_mode_##id, NULL),		\
	  NC_IF(built, "", "not built: " why), protos },
#include "modes.def"
#undef NC_MODE
};

#define N_KNOWN (sizeof(table) / sizeof(table[0]))

NETCOPY_EXPORT size_t netcopy_mode_count(void)
{
	size_t n = 0;

	for (size_t i = 0; i < N_KNOWN; i++)
		n += table[i].mode != NULL;
	return n;
}

NETCOPY_EXPORT const struct netcopy_mode *netcopy_mode_at(size_t index)
{
	for (size_t i = 0; i < N_KNOWN; i++)
		if (table[i].mode && index-- == 0)
			return table[i].mode;
	return NULL;
}

static const struct mode_entry *entry_find(const char *name)
{
	for (size_t i = 0; name && i < N_KNOWN; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

NETCOPY_EXPORT const struct netcopy_mode *netcopy_mode_find(const char *name)
{
	const struct mode_entry *e = entry_find(name);

	return e ? e->mode : NULL;
}

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
		*why_not_built = table[index].not_built;
	return table[index].name;
}

/* The protocols' names, joined by commas, for each set of them. */
static const char *const protos_names[] = {
	[NC_ON_TCP] = "tcp",
	[NC_ON_UDP] = "udp",
	[NC_ON_TCP | NC_ON_UDP] = "tcp,udp",
};
_Static_assert(NC_PROTO_LAST == NC_PROTO_UDP,
	       "a protocol protos_names does not name");

NETCOPY_EXPORT const char *netcopy_known_mode_protos(size_t index)
{
	return index < N_KNOWN ? protos_names[table[index].protos] : NULL;
}

/* Asking for a mode this build leaves out is "not supported", not a
 * typo. */
bool nc_mode_exists(const char *name)
{
	return entry_find(name) != NULL;
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

int nc_mode_params_check(const struct netcopy_mode *mode,
			 const struct nc_params *p, const char **why)
{
	if (p->proto != NC_PROTO_UDP || !mode->check)
		return 0;
	return mode->check(p, why);
}

int nc_mode_proto_check(const struct netcopy_mode *mode, uint8_t proto,
			const char **why)
{
	const struct mode_entry *e = entry_find(mode->name);

	if (e && e->protos & NC_PROTO_BIT(proto))
		return 0;
	if (proto == NC_PROTO_UDP)
		*why = "TCP only: it sends into a byte stream, "
		       "not with --proto udp";
	else
		*why = "UDP only: it sends datagrams, not over TCP "
		       "(add --proto udp)";
	return NETCOPY_EUNSUPPORTED;
}
