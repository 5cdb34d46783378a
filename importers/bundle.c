// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Reading a bundle: a directory walked with openat(), or an archive read
 * once, start to end, through libarchive. Either way the result is the same
 * list of (name, bytes), so the records importer never knows which it got.
 */
#include "importers.h"

#include "../util/array.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A bundle member may be large (a million flows), but not unbounded. */
#define BUNDLE_MEMBER_MAX (2048UL << 20)

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
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			strbuf_release(&sb);
			return -errno;
		}
		strbuf_add(&sb, buf, (size_t)n);
		if (sb.len > BUNDLE_MEMBER_MAX) {
			strbuf_release(&sb);
			return -EFBIG;
		}
	}
	if (strbuf_ok(&sb))
		return -ENOMEM;
	*data = (unsigned char *)strbuf_detach(&sb, len);
	return *data ? 0 : -ENOMEM;
}

static int read_dir(int dirfd, const char *prefix, struct bundle *b, struct strbuf *err, int depth)
{
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (depth > 16) {
		strbuf_addf(err, "%s/%s: folders nested too deep", b->label, prefix);
		close(dirfd);
		return -ELOOP;
	}
	d = fdopendir(dirfd);
	if (!d) {
		rc = -errno;
		close(dirfd);
		return rc;
	}
	while (!rc && (de = readdir(d))) {
		struct strbuf name = STRBUF_INIT;
		struct stat stbuf;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (*prefix)
			strbuf_addf(&name, "%s/", prefix);
		strbuf_addstr(&name, de->d_name);
		if (fstatat(dirfd, de->d_name, &stbuf, AT_SYMLINK_NOFOLLOW)) {
			rc = -errno;
			strbuf_addf(err, "%s/%s: %s", b->label, name.buf, strerror(errno));
		} else if (S_ISDIR(stbuf.st_mode)) {
			int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

			if (sub < 0) {
				rc = -errno;
				strbuf_addf(err, "%s/%s: %s", b->label, name.buf, strerror(errno));
			} else {
				rc = read_dir(sub, name.buf, b, err, depth + 1);
			}
		} else if (S_ISREG(stbuf.st_mode)) {
			int fd = openat(dirfd, de->d_name, O_RDONLY | O_CLOEXEC);
			unsigned char *data = NULL;
			size_t len = 0;

			rc = fd < 0 ? -errno : read_fd(fd, &data, &len);
			if (fd >= 0)
				close(fd);
			if (!rc)
				rc = add_member(b, name.buf, data, len);
			if (rc) {
				free(data);
				if (!err->len)
					strbuf_addf(err, "%s/%s: %s", b->label, name.buf, strerror(-rc));
			}
		}
		/* Links and special files in a folder are not part of a bundle: skipped. */
		strbuf_release(&name);
	}
	closedir(d);
	return rc;
}

static int read_archive(const char *path, struct bundle *b, struct strbuf *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int rc = 0, r;

	if (!a)
		return -ENOMEM;
	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		strbuf_addf(err, "%s: cannot read as a folder or an archive: %s", path, archive_error_string(a));
		rc = -EINVAL;
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		la_int64_t size = archive_entry_size(e);
		unsigned char *data;
		la_ssize_t got;

		if (archive_entry_filetype(e) == AE_IFDIR)
			continue;
		while (name && name[0] == '.' && name[1] == '/') /* "tar -C dir ." writes ./NAME */
			name += 2;
		if (!name || !bundle_safe_name(name)) {
			strbuf_addf(err, "%s: member '%s': unsafe name (absolute or with '..')", path,
				    name ? name : "");
			rc = -EINVAL;
			goto out;
		}
		if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e)) {
			strbuf_addf(err, "%s: member '%s': links and special files are refused", path, name);
			rc = -EINVAL;
			goto out;
		}
		if (archive_entry_is_encrypted(e)) {
			strbuf_addf(err, "%s: member '%s': encrypted members are refused", path, name);
			rc = -EINVAL;
			goto out;
		}
		if (size < 0 || (unsigned long long)size > BUNDLE_MEMBER_MAX) {
			strbuf_addf(err, "%s: member '%s': too large", path, name);
			rc = -EFBIG;
			goto out;
		}
		data = malloc((size_t)size + 1);
		if (!data) {
			rc = -ENOMEM;
			goto out;
		}
		got = size ? archive_read_data(a, data, (size_t)size) : 0;
		if (got != size) {
			strbuf_addf(err, "%s: member '%s': truncated or corrupt archive%s%s", path, name,
				    got < 0 ? ": " : "", got < 0 ? archive_error_string(a) : "");
			free(data);
			rc = -EINVAL;
			goto out;
		}
		data[size] = 0;
		rc = add_member(b, name, data, (size_t)size);
		if (rc) {
			free(data);
			goto out;
		}
	}
	if (r != ARCHIVE_EOF) {
		strbuf_addf(err, "%s: truncated or corrupt archive: %s", path, archive_error_string(a));
		rc = -EINVAL;
	}
out:
	archive_read_free(a);
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

int bundle_read(const char *path, struct bundle *b, struct strbuf *err)
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
	if (stat(path, &stbuf)) {
		rc = -errno;
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		return rc;
	}
	if (S_ISDIR(stbuf.st_mode)) {
		int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0) {
			rc = -errno;
			strbuf_addf(err, "%s: %s", path, strerror(errno));
			return rc;
		}
		return read_dir(fd, "", b, err, 0);
	}
	rc = read_archive(path, b, err);
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
		while (!rc && (de = readdir(d)))
			if (de->d_type == DT_REG || de->d_type == DT_UNKNOWN)
				rc = add_member(b, de->d_name, NULL, 0);
		closedir(d);
		return rc;
	}
	a = archive_read_new();
	if (!a)
		return -ENOMEM;
	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		rc = -EINVAL;
	} else {
		while (!rc && archive_read_next_header(a, &e) == ARCHIVE_OK) {
			const char *name = archive_entry_pathname(e);

			while (name && name[0] == '.' && name[1] == '/')
				name += 2;
			if (name && archive_entry_filetype(e) == AE_IFREG)
				rc = add_member(b, name, NULL, 0);
		}
		if (!rc)
			strip_common_top(b);
	}
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
