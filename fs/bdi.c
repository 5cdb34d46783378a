// SPDX-License-Identifier: GPL-3.0-or-later
/* The mount's read-ahead window through its backing device in sysfs (bdi.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bdi.h"

/* mountinfo's fields escape space, tab, newline and backslash as \ooo: undone in place. */
static void unescape(char *s)
{
	char *out = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

/*
 * The MAJ:MIN of the last FUSE mount at `mountpoint` into dev (of size n).
 * A mountinfo line: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [TAGS...] - FSTYPE SOURCE SUPER.
 */
static int find_dev(const char *mountpoint, char *dev, size_t n)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	int rc = -ENOENT;

	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		char *save = NULL, *field[5], *type, *dash;
		int i;

		dash = strstr(line, " - ");
		if (!dash)
			continue;
		type = dash + 3;
		if (strncmp(type, "fuse", 4) || (type[4] != ' ' && type[4] != '.'))
			continue;
		*dash = '\0';
		for (i = 0; i < 5; i++) {
			field[i] = strtok_r(i ? NULL : line, " ", &save);
			if (!field[i])
				break;
		}
		if (i < 5)
			continue;
		unescape(field[4]);
		if (strcmp(field[4], mountpoint) || strlen(field[2]) >= n)
			continue;
		strcpy(dev, field[2]); /* the last one there wins: the mount on top */
		rc = 0;
	}
	free(line);
	fclose(f);
	return rc;
}

int bdi_read_ahead_set(const char *mountpoint, unsigned kb)
{
	char dev[32], path[64], value[16];
	ssize_t w;
	int fd, rc, len;

	rc = find_dev(mountpoint, dev, sizeof(dev));
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "/sys/class/bdi/%s/read_ahead_kb", dev);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(value, sizeof(value), "%u\n", kb);
	w = write(fd, value, (size_t)len);
	rc = w == len ? 0 : w < 0 ? -errno : -EIO;
	if (close(fd) && !rc)
		rc = -errno;
	return rc;
}
