// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Views of scans: which pages of a source were read by OCR (sources/ID/ocr),
 * what each page withholds under which exemption (FOIA, Privacy Act, state law) (sources/ID/redactions),
 * and the reverse index redactions/CODE/, links to every source withholding
 * under CODE ("b6", "b7C"). The store computes nothing here: rows are written
 * at import (importers/redactions.c). And what joins files of one
 * document, as a release splits them: sources/ID/same_as, the sources with
 * the same PIA identifier.
 */
#include "views_redactions.h"

#include <errno.h>
#include <string.h>

/* The id of the source the path's first :param names. */
static int source_id(const struct view_ctx *ctx, struct strbuf *id)
{
	struct record rec;
	int rc = store_get_by_slug(ctx->st, REC_SOURCES, NULL, ctx->args[0], ctx->entity_date, &rec);

	if (rc)
		return rc;
	strbuf_addstr(id, rec.v[0]);
	record_release(&rec);
	return strbuf_ok(id);
}

/* A file of the source the path names, as a store query gives it. */
static int of_source(const struct view_ctx *ctx, int (*get)(struct store *, const char *, struct strbuf *),
		     struct strbuf *out)
{
	struct strbuf id = STRBUF_INIT;
	int rc = source_id(ctx, &id);

	if (!rc)
		rc = get(ctx->st, id.buf, out);
	strbuf_release(&id);
	return rc;
}

int view_source_redactions(const struct view_ctx *ctx, struct strbuf *out)
{
	return of_source(ctx, store_redactions_get, out);
}

int view_source_ocr(const struct view_ctx *ctx, struct strbuf *out)
{
	return of_source(ctx, store_ocr_get, out);
}

int source_ocr_exists(const struct view_ctx *ctx)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = view_source_ocr(ctx, &sb);

	strbuf_release(&sb);
	return rc;
}

int list_redaction_codes(const struct view_ctx *ctx, struct strlist *names)
{
	return store_redaction_slugs(ctx->st, names);
}

int redaction_code_exists(const struct view_ctx *ctx)
{
	struct strlist l = STRLIST_INIT;
	int rc = store_redaction_slugs(ctx->st, &l);

	if (!rc) {
		rc = -ENOENT;
		for (size_t i = 0; i < l.n && rc; i++)
			if (!strcmp(l.items[i], ctx->args[0]))
				rc = 0;
	}
	strlist_release(&l);
	return rc;
}

int list_redaction_sources(const struct view_ctx *ctx, struct strlist *names)
{
	return store_redaction_sources(ctx->st, ctx->args[0], names);
}

int redaction_source_exists(const struct view_ctx *ctx)
{
	return store_redaction_has(ctx->st, ctx->args[0], ctx->args[1]);
}

int view_redaction_source(const struct view_ctx *ctx, struct strbuf *out)
{
	strbuf_addf(out, "../../sources/%s", ctx->args[1]);
	return strbuf_ok(out);
}

int view_source_same_as(const struct view_ctx *ctx, struct strbuf *out)
{
	struct strbuf id = STRBUF_INIT;
	struct strlist l = STRLIST_INIT;
	int rc = source_id(ctx, &id);

	if (!rc)
		rc = store_same_identifier(ctx->st, id.buf, &l);
	if (!rc && !l.n)
		rc = -ENOENT;
	if (!rc)
		strlist_write_lines(&l, out);
	strlist_release(&l);
	strbuf_release(&id);
	return rc ? rc : strbuf_ok(out);
}

int source_same_as_exists(const struct view_ctx *ctx)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = view_source_same_as(ctx, &sb);

	strbuf_release(&sb);
	return rc;
}
