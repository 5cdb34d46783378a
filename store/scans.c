// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Scans: which pages of a document were read by OCR (with Tesseract's mean
 * confidence) and the FOIA exemption codes each page withholds under. Rows
 * are written with the document, in the import's transaction; they go with
 * it (store/documents.c drops redactions with the pages).
 */
#include "store_i.h"

#include <assert.h>
#include <errno.h>

enum scan_stmt {
	SS_OCR_PUT, SS_OCR_GET, SS_RED_PUT, SS_RED_GET, SS_RED_SLUGS, SS_RED_SOURCES, SS_RED_HAS,
	SS_COUNT
};

static const char *const scan_sql[SS_COUNT] = {
	[SS_OCR_PUT] = "UPDATE pages SET ocr=?3, boxes=?4 WHERE source=?1 AND page=?2",
	[SS_OCR_GET] = "SELECT page||char(9)||ocr||char(9)||boxes FROM pages WHERE source=?1 AND ocr IS NOT NULL",
	[SS_RED_PUT] = "INSERT INTO redactions(source, page, code, slug, count) VALUES(?1,?2,?3,?4,?5)"
		       " ON CONFLICT(source, page, code) DO UPDATE SET count=count+excluded.count",
	[SS_RED_GET] = "SELECT page||char(9)||code||char(9)||count FROM redactions WHERE source=?1",
	[SS_RED_SLUGS] = "SELECT DISTINCT slug FROM redactions ORDER BY 1",
	[SS_RED_SOURCES] = "SELECT DISTINCT s.slug FROM redactions r JOIN sources s ON s.id=r.source"
			   " WHERE r.slug=?1 AND s.slug IS NOT NULL ORDER BY 1",
	[SS_RED_HAS] = "SELECT 1 FROM redactions r JOIN sources s ON s.id=r.source WHERE r.slug=?1 AND s.slug=?2"
		       " LIMIT 1",
};

static sqlite3_stmt *stmt(struct store *st, enum scan_stmt which)
{
	return store_stmt(st, scan_sql[which]);
}

int store_page_ocr_put(struct store *st, const char *source_id, long page, int confidence, int boxes)
{
	sqlite3_stmt *s = stmt(st, SS_OCR_PUT);

	assert(confidence >= 0 && confidence <= 100 && boxes >= 0);
	if (!s)
		return -EIO;
	store_bind_text(s, 1, source_id, 0);
	sqlite3_bind_int64(s, 2, page);
	sqlite3_bind_int(s, 3, confidence);
	sqlite3_bind_int(s, 4, boxes);
	return store_step_done(s);
}

int store_redaction_put(struct store *st, const char *source_id, long page, const char *code, const char *slug,
			long count)
{
	sqlite3_stmt *s = stmt(st, SS_RED_PUT);

	assert(count > 0);
	if (!s)
		return -EIO;
	store_bind_text(s, 1, source_id, 0);
	sqlite3_bind_int64(s, 2, page);
	store_bind_text(s, 3, code, 0);
	store_bind_text(s, 4, slug, 0);
	sqlite3_bind_int64(s, 5, count);
	return store_step_done(s);
}

/* A list file of one source's rows: the lines sorted bytewise (SPEC section 2). */
static int lines_of(struct store *st, enum scan_stmt which, const char *source_id, struct strbuf *out)
{
	struct strlist l = STRLIST_INIT;
	sqlite3_stmt *s = stmt(st, which);
	int rc;

	if (!s)
		return -EIO;
	store_bind_text(s, 1, source_id, 0);
	rc = store_collect(s, &l);
	if (!rc)
		strlist_sort_uniq(&l);
	if (!rc)
		strlist_write_lines(&l, out);
	strlist_release(&l);
	return rc ? rc : strbuf_ok(out);
}

int store_ocr_get(struct store *st, const char *source_id, struct strbuf *out)
{
	size_t before = out->len;
	int rc = lines_of(st, SS_OCR_GET, source_id, out);

	return !rc && out->len == before ? -ENOENT : rc;
}

int store_redactions_get(struct store *st, const char *source_id, struct strbuf *out)
{
	return lines_of(st, SS_RED_GET, source_id, out);
}

int store_redaction_slugs(struct store *st, struct strlist *slugs)
{
	sqlite3_stmt *s = stmt(st, SS_RED_SLUGS);

	return s ? store_collect(s, slugs) : -EIO;
}

int store_redaction_sources(struct store *st, const char *slug, struct strlist *source_slugs)
{
	sqlite3_stmt *s = stmt(st, SS_RED_SOURCES);

	if (!s)
		return -EIO;
	store_bind_text(s, 1, slug, 0);
	return store_collect(s, source_slugs);
}

int store_redaction_has(struct store *st, const char *slug, const char *source_slug)
{
	sqlite3_stmt *s = stmt(st, SS_RED_HAS);
	int rc;

	if (!s)
		return -EIO;
	store_bind_text(s, 1, slug, 0);
	store_bind_text(s, 2, source_slug, 1);
	rc = sqlite3_step(s);
	store_stmt_done(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : store_sqlite_err(rc);
}
