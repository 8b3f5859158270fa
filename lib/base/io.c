/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* io.c - the lowest I/O call: send() a whole buffer. */
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/base.h"

int nc_send_all(int fd, const void *buf, size_t len, int flags)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, flags | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
