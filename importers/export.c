// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Export: the inventory as a records bundle. Every file always has its
 * header, rows come in key order and list cells as stored, so exporting,
 * importing into an empty inventory and exporting again gives the same
 * bytes. Stored documents go to files/SLUG.EXT.
 */
#include "importers.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/io.h"

void export_extension(const char *file, struct strbuf *out)
{
	const char *dot = strrchr(file, '.'), *slash = strrchr(file, '/');
	size_t start = out->len;

	if (dot && (!slash || dot > slash) && dot[1]) {
		for (const char *p = dot + 1; *p && out->len - start < 8; p++) {
			char ch = *p;

			if (ch >= 'A' && ch <= 'Z')
				ch = (char)(ch - 'A' + 'a');
			if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
				strbuf_addch(out, ch);
		}
	}
	if (out->len == start)
		strbuf_addstr(out, "bin");
}

int export_document_path(struct store *st, const char *source_id, const char *file, struct strbuf *out)
{
	int rc;

	strbuf_addstr(out, "files/");
	rc = store_slug_of(st, REC_SOURCES, source_id, out);
	if (rc)
		return rc;
	strbuf_addch(out, '.');
	export_extension(file, out);
	return strbuf_ok(out);
}

struct render_ctx {
	struct store *st;
	const struct record_desc *d;
	struct strbuf *out;
	int file_col;
};

static int render_row(void *arg, const struct record *r)
{
	struct render_ctx *c = arg;
	int i, rc = 0;

	for (i = 0; i < r->n; i++) {
		if (i)
			strbuf_addch(c->out, ',');
		if (i == c->file_col && *r->v[i]) {
			struct strbuf path = STRBUF_INIT;

			rc = export_document_path(c->st, r->v[0], r->v[i], &path);
			csv_write_cell(c->out, rc ? "" : path.buf);
			strbuf_release(&path);
			if (rc)
				return rc;
		} else {
			csv_write_cell(c->out, r->v[i]);
		}
	}
	strbuf_addch(c->out, '\n');
	return strbuf_ok(c->out);
}

int export_render(struct store *st, enum record_kind kind, struct strbuf *out)
{
	struct render_ctx c = { st, store_record_desc(kind), out, -1 };
	int i;

	for (i = 0; i < c.d->ncols; i++) {
		if (i)
			strbuf_addch(out, ',');
		strbuf_addstr(out, c.d->cols[i].name);
	}
	strbuf_addch(out, '\n');
	if (kind == REC_SOURCES)
		c.file_col = store_record_column(c.d, "file");
	return store_each_record(st, kind, render_row, &c);
}

static int write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), rc;

	if (fd < 0)
		return -errno;
	rc = io_write_all(fd, data, len);
	if (close(fd) && !rc)
		rc = -errno;
	return rc;
}

struct doc_ctx {
	struct store *st;
	const char *dir;
	struct strbuf *err;
};

static int write_document(void *arg, const struct record *r)
{
	struct doc_ctx *c = arg;
	struct strbuf rel = STRBUF_INIT, path = STRBUF_INIT, bytes = STRBUF_INIT;
	int file_col = store_record_column(store_record_desc(REC_SOURCES), "file");
	int rc;

	if (!*r->v[file_col])
		return 0;
	rc = store_source_document(c->st, r->v[0], &bytes, NULL);
	if (rc == -ENOENT)
		return 0;
	if (!rc)
		rc = export_document_path(c->st, r->v[0], r->v[file_col], &rel);
	if (!rc) {
		strbuf_addf(&path, "%s/%s", c->dir, rel.buf);
		rc = write_file(path.buf, bytes.buf, bytes.len);
		if (rc)
			strbuf_addf(c->err, "%s: %s", path.buf, strerror(-rc));
	}
	strbuf_release(&rel);
	strbuf_release(&path);
	strbuf_release(&bytes);
	return rc;
}

int export_write(struct store *st, const char *dir, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, body = STRBUF_INIT;
	struct doc_ctx dc = { st, dir, err };
	int k, rc = 0;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		strbuf_addf(err, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	rc = store_read_begin(st);
	for (k = 0; k < REC_COUNT && !rc; k++) {
		const struct record_desc *d = store_record_desc((enum record_kind)k);

		strbuf_reset(&body);
		strbuf_reset(&path);
		rc = export_render(st, d->kind, &body);
		if (rc) {
			strbuf_addf(err, "reading %s: %s", d->name, store_errmsg(st));
			break;
		}
		strbuf_addf(&path, "%s/%s", dir, d->file);
		rc = write_file(path.buf, body.buf, body.len);
		if (rc)
			strbuf_addf(err, "%s: %s", path.buf, strerror(-rc));
	}
	if (!rc) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/files", dir);
		if (mkdir(path.buf, 0755) && errno != EEXIST) {
			rc = -errno;
			strbuf_addf(err, "%s: %s", path.buf, strerror(errno));
		}
	}
	if (!rc)
		rc = store_each_record(st, REC_SOURCES, write_document, &dc);
	store_read_end(st);
	strbuf_release(&path);
	strbuf_release(&body);
	return rc;
}
