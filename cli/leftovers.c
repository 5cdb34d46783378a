// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * A command that fails leaves the file system as it found it. Opening an
 * inventory may create it (import), or create SQLite's -wal and -shm files
 * beside it (any open of a database in WAL mode, even a truncated one that
 * is then refused). cli_files_note() says what was there before; after a
 * failure, cli_files_restore() removes what appeared, unless another
 * process holds a lock on it (a live reader or writer of the same
 * inventory, whose files these then are) or a -wal holds data.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/strbuf.h"
#include "cli.h"

const char *const cli_db_suffixes[CLI_FILES_N] = { "", "-wal", "-shm", "-journal" };

void cli_files_note(const char *db, struct cli_files *f)
{
	struct stat sb;

	f->db = db;
	for (int i = 0; i < CLI_FILES_N; i++) {
		struct strbuf path = STRBUF_INIT;

		strbuf_addf(&path, "%s%s", db, cli_db_suffixes[i]);
		/* Unknown (out of memory, or a path we cannot stat) counts as there: never removed. */
		f->existed[i] = strbuf_ok(&path) || lstat(path.buf, &sb) == 0 || errno != ENOENT;
		strbuf_release(&path);
	}
}

/* 1 when some process holds a lock on any byte of the file (SQLite locks with fcntl). */
static int locked(const char *path)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc;

	if (fd < 0)
		return errno != ENOENT;
	rc = fcntl(fd, F_GETLK, &fl) != 0 || fl.l_type != F_UNLCK;
	close(fd);
	return rc;
}

void cli_files_restore(const struct cli_files *f)
{
	struct strbuf path[CLI_FILES_N];
	struct stat sb;
	int i, busy = 0;

	if (!f->db || !strcmp(f->db, ":memory:"))
		return;
	for (i = 0; i < CLI_FILES_N; i++) {
		strbuf_init(&path[i]);
		strbuf_addf(&path[i], "%s%s", f->db, cli_db_suffixes[i]);
		busy |= strbuf_ok(&path[i]) || locked(path[i].buf);
	}
	/* A -wal we did not find may hold another process's commits: only an empty one goes. */
	if (!f->existed[1] && f->existed[0] && lstat(path[1].buf, &sb) == 0 && sb.st_size > 0)
		busy = 1;
	for (i = CLI_FILES_N - 1; !busy && i >= 0; i--)
		if (!f->existed[i] && lstat(path[i].buf, &sb) == 0 && S_ISREG(sb.st_mode))
			unlink(path[i].buf);
	for (i = 0; i < CLI_FILES_N; i++)
		strbuf_release(&path[i]);
}
