// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Reading a bundle: a directory walked with openat(), or an archive read
 * once, start to end, through libarchive. Either way the result is the same
 * list of (name, bytes), so the records importer never knows which it got.
 *
 * Nothing is skipped in silence: a member that is not a regular file (a
 * link, a FIFO, a device, a folder where a CSV file belongs), a name that
 * climbs out, or a name an archive holds twice is an error naming it, and
 * the bundle is not read. An archive's members are read by the one archive
 * reader (importers/archive.c), under the limits a document archive has.
 */
#include "archive_i.h"
#include "importers_i.h"

#include "../util/array.h"
#include "../util/io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A file of a folder bundle: as large as the disk holds, but not unbounded (an archive's member: AR_MEMBER_MAX). */
#define BUNDLE_FILE_MAX (2048UL << 20)

static int add_member(struct bundle *b, const char *name, unsigned char *data, size_t len)
{
	if (array_reserve(&b->members, b->n, &b->alloc, sizeof(*b->members), 16))
		return -ENOMEM;
	b->members[b->n].name = strdup(name);
	if (!b->members[b->n].name)
		return -ENOMEM;
	b->members[b->n].data = data;
	b->members[b->n].len = len;
	b->n++;
	return 0;
}

/* A refusal of member `name` (NULL: the whole bundle): a data error in the report; returns 1. */
static int refuse(struct import_report *rep, const char *label, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int refuse(struct import_report *rep, const char *label, const char *name, const char *fmt, ...)
{
	struct strbuf file = STRBUF_INIT;
	va_list ap;

	strbuf_addstr(&file, label);
	if (name)
		strbuf_addf(&file, "/%s", name);
	va_start(ap, fmt);
	import_report_verror(rep, file.buf, 0, 0, fmt, ap);
	va_end(ap);
	strbuf_release(&file);
	return 1;
}

/* What a directory entry that is neither a file nor a folder is, for the message. */
static const char *kind_of(mode_t mode)
{
	if (S_ISLNK(mode))
		return "a symbolic link";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	return "a special file";
}

static int ends_csv(const char *name)
{
	size_t n = strlen(name);

	return n >= 4 && !strcmp(name + n - 4, ".csv");
}

int bundle_safe_name(const char *name)
{
	const char *p = name;

	if (!*name || *name == '/')
		return 0;
	while (*p) {
		size_t n = strcspn(p, "/");

		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p += n;
		while (*p == '/')
			p++;
	}
	return 1;
}

static int read_fd(int fd, unsigned char **data, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = io_read_all(fd, &sb, BUNDLE_FILE_MAX, NULL, NULL);

	if (rc) {
		strbuf_release(&sb);
		return rc;
	}
	*data = (unsigned char *)strbuf_detach(&sb, len);
	return *data ? 0 : -ENOMEM;
}

/* Read a folder's files; 0, 1 (refused: in the report) or -errno (message in `err`). */
static int read_dir(int dirfd, const char *prefix, struct bundle *b, struct import_report *rep, struct strbuf *err,
		    int depth)
{
	DIR *d;
	struct dirent *de;
	int rc = 0, refused = 0;

	if (depth > 16) {
		close(dirfd);
		return refuse(rep, b->label, prefix, "folders nested more than 16 deep");
	}
	d = fdopendir(dirfd);
	if (!d) {
		rc = -errno;
		close(dirfd);
		strbuf_addf(err, "%s/%s: %s", b->label, prefix, strerror(-rc));
		return rc;
	}
	/* Every refusal is told, not just the first; a failure of the system stops the walk. */
	while (rc >= 0 && (de = readdir(d))) {
		struct strbuf name = STRBUF_INIT;
		struct stat stbuf;

		refused |= rc;
		rc = 0;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (*prefix)
			strbuf_addf(&name, "%s/", prefix);
		strbuf_addstr(&name, de->d_name);
		if (fstatat(dirfd, de->d_name, &stbuf, AT_SYMLINK_NOFOLLOW)) {
			rc = -errno;
			strbuf_addf(err, "%s/%s: %s", b->label, name.buf, strerror(errno));
		} else if (S_ISDIR(stbuf.st_mode) && !*prefix && ends_csv(de->d_name)) {
			rc = refuse(rep, b->label, name.buf, "a folder, not a file: a records bundle's CSV files are "
				    "regular files");
		} else if (S_ISDIR(stbuf.st_mode)) {
			int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0) {
				rc = -errno;
				strbuf_addf(err, "%s/%s: %s", b->label, name.buf, strerror(errno));
			} else {
				rc = read_dir(sub, name.buf, b, rep, err, depth + 1);
			}
		} else if (S_ISREG(stbuf.st_mode)) {
			/* O_NOFOLLOW | O_NONBLOCK: a file swapped for a link or a FIFO since fstatat() is not followed. */
			int fd = openat(dirfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
			unsigned char *data = NULL;
			size_t len = 0;

			rc = fd < 0 ? -errno : read_fd(fd, &data, &len);
			if (fd >= 0)
				close(fd);
			if (rc == -EFBIG)
				rc = refuse(rep, b->label, name.buf, "over %lu MiB: too large", BUNDLE_FILE_MAX >> 20);
			else if (!rc)
				rc = add_member(b, name.buf, data, len);
			else
				strbuf_addf(err, "%s/%s: %s", b->label, name.buf, strerror(-rc));
			if (rc)
				free(data);
		} else {
			rc = refuse(rep, b->label, name.buf, "%s: a bundle holds regular files only (links and special "
				    "files are refused)", kind_of(stbuf.st_mode));
		}
		strbuf_release(&name);
	}
	closedir(d);
	return rc < 0 ? rc : rc | refused;
}

/* Read an archive's files; 0, 1 (refused: in the report) or -errno. */
static int read_archive(const char *path, struct bundle *b, struct import_report *rep)
{
	struct strbuf why = STRBUF_INIT, data = STRBUF_INIT;
	struct archive *a;
	struct archive_entry *e;
	int rc, r;

	rc = ar_open_file(path, &a, &why);
	if (rc) {
		if (rc > 0)
			refuse(rep, b->label, NULL, "cannot read as a folder or an archive: %s", why.buf);
		strbuf_release(&why);
		return rc;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		unsigned char *bytes;
		size_t len;

		if (archive_entry_filetype(e) == AE_IFDIR)
			continue;
		while (name && name[0] == '.' && name[1] == '/') /* "tar -C dir ." writes ./NAME */
			name += 2;
		if (!name || !bundle_safe_name(name)) {
			rc = refuse(rep, b->label, NULL, "member '%s': unsafe name (absolute or with '..')", name ? name : "");
			goto out;
		}
		if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e)) {
			rc = refuse(rep, b->label, name, "%s: links and special files are refused",
				    archive_entry_hardlink(e) ? "a hard link" : kind_of(archive_entry_filetype(e)));
			goto out;
		}
		if (archive_entry_is_encrypted(e)) {
			rc = refuse(rep, b->label, name, "encrypted members are refused");
			goto out;
		}
		/* tar x would keep the last copy, this reader the first: neither is the bundle. */
		if (bundle_find(b, name)) {
			rc = refuse(rep, b->label, name, "the archive holds this name twice");
			goto out;
		}
		rc = ar_read_member(a, e, &data, NULL, NULL, &why);
		if (rc > 0)
			refuse(rep, b->label, name, "%s", why.buf);
		if (rc)
			goto out;
		bytes = (unsigned char *)strbuf_detach(&data, &len);
		rc = bytes ? add_member(b, name, bytes, len) : -ENOMEM;
		if (rc) {
			free(bytes);
			goto out;
		}
	}
	if (r != ARCHIVE_EOF)
		rc = refuse(rep, b->label, NULL, "truncated or corrupt archive: %s", archive_error_string(a));
out:
	archive_read_free(a);
	strbuf_release(&why);
	strbuf_release(&data);
	return rc;
}

/* Drop a top folder shared by every member ("data/flows.csv" -> "flows.csv"). */
static void strip_common_top(struct bundle *b)
{
	size_t i, plen;
	const char *slash;

	if (!b->n || !(slash = strchr(b->members[0].name, '/')))
		return;
	plen = (size_t)(slash - b->members[0].name) + 1;
	for (i = 1; i < b->n; i++)
		if (strncmp(b->members[i].name, b->members[0].name, plen))
			return;
	for (i = 0; i < b->n; i++)
		memmove(b->members[i].name, b->members[i].name + plen, strlen(b->members[i].name + plen) + 1);
}

int bundle_read(const char *path, struct bundle *b, struct import_report *rep, struct strbuf *err)
{
	struct stat stbuf;
	int rc;

	memset(b, 0, sizeof(*b));
	b->label = strdup(path);
	if (!b->label)
		return -ENOMEM;
	/* "dir/" and "dir" name the same bundle; errors read "dir/flows.csv". */
	while (strlen(b->label) > 1 && b->label[strlen(b->label) - 1] == '/')
		b->label[strlen(b->label) - 1] = '\0';
	if (stat(path, &stbuf))
		return refuse(rep, b->label, NULL, "%s", strerror(errno));
	if (!S_ISDIR(stbuf.st_mode) && !S_ISREG(stbuf.st_mode))
		return refuse(rep, b->label, NULL, "%s: a bundle is a folder or an archive file", kind_of(stbuf.st_mode));
	if (S_ISDIR(stbuf.st_mode)) {
		int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0) {
			rc = -errno;
			strbuf_addf(err, "%s: %s", path, strerror(errno));
			return rc;
		}
		return read_dir(fd, "", b, rep, err, 0);
	}
	rc = read_archive(path, b, rep);
	if (!rc)
		strip_common_top(b);
	return rc;
}

int bundle_read_names(const char *path, struct bundle *b, struct strbuf *err)
{
	struct archive *a;
	struct archive_entry *e;
	struct stat stbuf;
	int rc = 0;

	memset(b, 0, sizeof(*b));
	if (stat(path, &stbuf)) {
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (S_ISDIR(stbuf.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *de;

		if (!d)
			return -errno;
		/* Any type: a FIFO or a link named flows.csv still makes a bundle, which then refuses it. */
		while (!rc && (de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				rc = add_member(b, de->d_name, NULL, 0);
		closedir(d);
		return rc;
	}
	if (!S_ISREG(stbuf.st_mode))
		return 0; /* a FIFO would block the reader */
	rc = ar_open_file(path, &a, err);
	if (rc)
		return rc < 0 ? rc : -EINVAL;
	while (!rc && archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);

		while (name && name[0] == '.' && name[1] == '/')
			name += 2;
		if (name && archive_entry_filetype(e) == AE_IFREG)
			rc = add_member(b, name, NULL, 0);
	}
	if (!rc)
		strip_common_top(b);
	archive_read_free(a);
	return rc;
}

const struct bundle_member *bundle_find(const struct bundle *b, const char *name)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (!strcmp(b->members[i].name, name))
			return &b->members[i];
	return NULL;
}

void bundle_release(struct bundle *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->members[i].name);
		free(b->members[i].data);
	}
	free(b->members);
	free(b->label);
	memset(b, 0, sizeof(*b));
}
