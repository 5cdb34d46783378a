// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Documents in: a path of an import call is a file, a folder of files or
 * an archive. Folders are walked here, in name order; an archive goes to
 * doc_archive.c, a file to doc_take() (doc_archive.c: the document and what
 * it holds). Nothing below calls back up.
 */
#include "importers_i.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/io.h"

#define FILE_MAX (1024UL << 20)		/* bytes of one document given as a file */
#define FOLDER_DEPTH_MAX 16

/* io_read_all()'s check: an HTML or text document stops at DOC_TEXT_MAX (-E2BIG), not at FILE_MAX. */
struct text_check {
	enum doc_format forced;
	const char *path;
};

static int text_check(void *arg, const struct strbuf *sb)
{
	const struct text_check *t = arg;

	return doc_text_too_big(t->forced, t->path, sb) ? -E2BIG : 0;
}

static int read_file(const char *path, enum doc_format forced, struct strbuf *sb)
{
	struct text_check t = { forced, path };
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -errno;
	rc = io_read_all(fd, sb, FILE_MAX, text_check, &t);
	close(fd);
	return rc;
}

/* Is the file an archive? Its first bytes tell. */
static int file_is_archive(const char *path)
{
	unsigned char head[512];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, head, sizeof(head));
	close(fd);
	return n > 0 && document_sniff(path, head, (size_t)n) == DOC_ARCHIVE;
}

static int import_file(struct doc_call *c, const char *path)
{
	struct strbuf data = STRBUF_INIT;
	int rc;

	if (file_is_archive(path))
		return doc_archive_import(c, path);
	rc = read_file(path, c->format, &data);
	if (rc == -E2BIG) {
		rc = import_report_refuse(c->rep, path, NULL, 0, 0,
					  "over %lu MiB: an HTML or text document is at most %lu MiB (split it)",
					  DOC_TEXT_MAX >> 20, DOC_TEXT_MAX >> 20);
	} else if (rc) {
		rc = import_report_refuse(c->rep, path, NULL, 0, 0, "%s",
					  rc == -EFBIG ? "over 1 GiB: too large" : strerror(-rc));
	} else {
		struct doc_origin o = { path, NULL, NULL, path, NULL, 0, NULL };

		rc = doc_take(c, &o, (const unsigned char *)data.buf, data.len);
	}
	strbuf_release(&data);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file under a folder, in name order; links are skipped (with a warning). */
static int import_folder(struct doc_call *c, const char *dir, int depth)
{
	struct strlist names = STRLIST_INIT;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (depth > FOLDER_DEPTH_MAX)
		return import_report_refuse(c->rep, dir, NULL, 0, 0, "folders nested too deep");
	d = opendir(dir);
	if (!d)
		return import_report_refuse(c->rep, dir, NULL, 0, 0, "%s", strerror(errno));
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			strlist_add(&names, de->d_name);
	closedir(d);
	if (names.oom) {
		strlist_release(&names);
		return -ENOMEM;
	}
	if (names.n) /* qsort(NULL, 0, ...) is undefined */
		qsort(names.items, names.n, sizeof(*names.items), by_name);
	for (size_t i = 0; !rc && i < names.n; i++) {
		struct strbuf path = STRBUF_INIT;
		struct stat sb;

		strbuf_addf(&path, "%s/%s", dir, names.items[i]);
		if (lstat(path.buf, &sb))
			rc = import_report_refuse(c->rep, path.buf, NULL, 0, 0, "%s", strerror(errno));
		else if (S_ISDIR(sb.st_mode))
			rc = import_folder(c, path.buf, depth + 1);
		else if (S_ISREG(sb.st_mode))
			rc = import_file(c, path.buf);
		else
			import_report_warning(c->rep, path.buf, "not a regular file: skipped");
		strbuf_release(&path);
	}
	strlist_release(&names);
	return rc;
}

int documents_import_path(struct doc_call *c, const char *path)
{
	struct stat sb;

	if (stat(path, &sb))
		return import_report_refuse(c->rep, path, NULL, 0, 0, "%s", strerror(errno));
	if (S_ISDIR(sb.st_mode))
		return import_folder(c, path, 0);
	return import_file(c, path);
}
