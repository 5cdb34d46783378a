// SPDX-License-Identifier: GPL-3.0-or-later
#include "io.h"

#include <errno.h>
#include <unistd.h>

int io_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int io_read_all(int fd, struct strbuf *out, size_t max, int (*check)(void *arg, const struct strbuf *out),
		void *arg)
{
	char buf[65536];
	ssize_t n;
	int rc = 0;

	while (!rc && (n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		strbuf_add(out, buf, (size_t)n);
		if (out->len > max)
			rc = -EFBIG;
		else if (check)
			rc = check(arg, out);
	}
	return rc ? rc : strbuf_ok(out);
}
