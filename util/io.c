// SPDX-License-Identifier: GPL-3.0-or-later
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The number a control group's limit file holds; 0 for "max", none or no file. */
static uint64_t cgroup_limit(const char *path)
{
	char buf[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0 || buf[0] < '0' || buf[0] > '9')
		return 0;
	buf[n] = '\0';
	return strtoull(buf, NULL, 10);
}

/* 1 when the comma list [names, end) holds `name`. */
static int lists(const char *names, const char *end, const char *name)
{
	size_t len = strlen(name);

	while (names < end) {
		const char *comma = memchr(names, ',', (size_t)(end - names));
		const char *stop = comma ? comma : end;

		if ((size_t)(stop - names) == len && !memcmp(names, name, len))
			return 1;
		names = stop + 1;
	}
	return 0;
}

uint64_t io_memory_bytes(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	uint64_t mem = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : 0;
	FILE *fp = fopen("/proc/self/cgroup", "re");
	char line[1024], path[1200];

	/* Lines "ID:CONTROLLERS:PATH": v2's has no controllers, v1's memory one names "memory". */
	while (fp && fgets(line, sizeof(line), fp)) {
		char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;
		uint64_t limit;

		if (!b)
			continue;
		b[strcspn(b, "\n")] = '\0';
		if (b == a + 1)
			snprintf(path, sizeof(path), "/sys/fs/cgroup%s/memory.max", b + 1);
		else if (lists(a + 1, b, "memory"))
			snprintf(path, sizeof(path), "/sys/fs/cgroup/memory%s/memory.limit_in_bytes", b + 1);
		else
			continue;
		limit = cgroup_limit(path);
		if (limit && (!mem || limit < mem))
			mem = limit;
	}
	if (fp)
		fclose(fp);
	return mem;
}
