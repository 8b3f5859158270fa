/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* error.c - names for every value the library returns. */
#include <string.h>

#include "internal.h"
#include "base/base.h"

NETCOPY_EXPORT const char *netcopy_strerror(int err)
{
	switch (err) {
	case 0:
		return "Success";
	case NETCOPY_EPROTOCOL:
		return "Peer broke the netcopy protocol";
	case NETCOPY_EREFUSED:
		return "Server refused the run";
	case NETCOPY_EUNSUPPORTED:
		return "Mode not supported";
	case NETCOPY_EVERIFY:
		return "Received data did not match what was sent";
	case NETCOPY_ESHORT:
		return "Run was cut short";
	case NETCOPY_ECOMPLETION:
		return "A zero-copy completion never arrived";
	case NETCOPY_ESHORTSEND:
		return "A queued send ended short, so the stream cannot go "
		       "on in order";
	}
	if (err < 0 && err > -4096)
		return strerror(-err);
	return "Unknown error";
}

NETCOPY_EXPORT const char *netcopy_version(void)
{
	return PACKAGE_VERSION;
}
