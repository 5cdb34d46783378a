// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Private temporary files of nlb/: the snapshot a pack hashes, the tar it
 * writes beside its target, the database a read extracts. Both pack.c and
 * read.c make them, and pack.c reads a bundle (its predecessor's serial):
 * here, they depend on this file and not on each other's.
 */
#include "nlb_i.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cleanup.h"

int nlb_temp_file(const char *dir, const char *base, char **path, struct strbuf *err)
{
	int fd, rc;

	if (asprintf(path, "%s/%s.XXXXXX", dir, base) < 0) {
		*path = NULL;
		return -ENOMEM;
	}
	fd = mkostemp(*path, O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		strbuf_addf(err, "cannot create a file in %s: %s", dir, strerror(errno));
		free(*path);
		*path = NULL;
		return rc;
	}
	/* Gone with the process should a guarded signal end it (util/cleanup.h); its owner forgets it. */
	cleanup_add(*path);
	return fd;
}

const char *nlb_temp_dir(void)
{
	const char *t = getenv("TMPDIR");

	return t && *t ? t : "/tmp";
}
