// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Views of documents: what sources/ID/ shows of a stored document (member,
 * PIA identifier, excerpts), who mentions a field or an agency, search/
 * (FTS5 over page text) and imports/ (the log of import runs).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tree.h"
#include "views.h"

/* The id of the record the path's first :param names (sources, fields, agencies). */
static int record_id(const struct view_ctx *ctx, int kind, struct strbuf *id)
{
	struct record rec;
	int rc = store_get_by_slug(ctx->st, (enum record_kind)kind, NULL, ctx->args[0], ctx->entity_date, &rec);

	if (rc)
		return rc;
	strbuf_addstr(id, rec.v[0]);
	record_release(&rec);
	return strbuf_ok(id);
}

static int mentioned_in(const struct view_ctx *ctx, int kind, struct strbuf *out)
{
	struct strbuf id = STRBUF_INIT;
	struct strlist l = STRLIST_INIT;
	int rc = record_id(ctx, kind, &id);

	if (!rc)
		rc = store_mentioned_in(ctx->st, kind, id.buf, ctx->date, &l);
	if (!rc)
		strlist_write_lines(&l, out);
	strlist_release(&l);
	strbuf_release(&id);
	return rc ? rc : strbuf_ok(out);
}

int view_field_mentioned_in(const struct view_ctx *ctx, struct strbuf *out)
{
	return mentioned_in(ctx, REC_FIELDS, out);
}

int view_agency_mentioned_in(const struct view_ctx *ctx, struct strbuf *out)
{
	return mentioned_in(ctx, REC_AGENCIES, out);
}

/* ---- sources/ID/ of a document ------------------------------------------------------------------ */

/* The route's column names which part of the document row a file shows. */
static int document_value(const struct view_ctx *ctx, struct strbuf *out)
{
	struct store_document_row row;
	struct strbuf id = STRBUF_INIT;
	const char *col = ctx->route->column, *v = NULL;
	int rc = record_id(ctx, REC_SOURCES, &id);

	if (!rc)
		rc = store_document_get(ctx->st, id.buf, &row);
	strbuf_release(&id);
	if (rc)
		return rc;
	if (!strcmp(col, "member"))
		v = row.member;
	else if (!strcmp(col, "identifier"))
		v = row.identifier;
	else if (!strcmp(col, "component"))
		v = row.component;
	else if (!strcmp(col, "agency"))
		v = row.agency;
	if (v && *v)
		strbuf_addline(out, v);
	else
		rc = -ENOENT;
	store_document_row_release(&row);
	return rc ? rc : strbuf_ok(out);
}

int view_document_value(const struct view_ctx *ctx, struct strbuf *out)
{
	return document_value(ctx, out);
}

int view_renders(view_render_fn render, const struct view_ctx *ctx)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = render(ctx, &sb);

	strbuf_release(&sb);
	return rc;
}

int document_value_exists(const struct view_ctx *ctx)
{
	return view_renders(document_value, ctx);
}

int list_excerpts(const struct view_ctx *ctx, struct strlist *names)
{
	struct strbuf id = STRBUF_INIT;
	int rc = record_id(ctx, REC_SOURCES, &id);

	if (!rc)
		rc = store_excerpt_names(ctx->st, id.buf, names);
	strbuf_release(&id);
	return rc;
}

int source_has_excerpts(const struct view_ctx *ctx)
{
	struct strlist names = STRLIST_INIT;
	int rc = list_excerpts(ctx, &names);

	if (!rc && !names.n)
		rc = -ENOENT;
	strlist_release(&names);
	return rc;
}

/* "p12" -> 12; 0 for anything else ("p012", "p", "x1"). */
static long excerpt_page_of(const char *name)
{
	char *end;
	long page;

	if (name[0] != 'p' || name[1] < '1' || name[1] > '9')
		return 0;
	page = strtol(name + 1, &end, 10);
	return *end || page <= 0 ? 0 : page;
}

int view_excerpt(const struct view_ctx *ctx, struct strbuf *out)
{
	struct strbuf id = STRBUF_INIT;
	long page = excerpt_page_of(ctx->args[1]);
	int rc = page ? record_id(ctx, REC_SOURCES, &id) : -ENOENT;

	if (!rc)
		rc = store_excerpt_get(ctx->st, id.buf, page, out);
	strbuf_release(&id);
	return rc;
}

int excerpt_exists(const struct view_ctx *ctx)
{
	return view_renders(view_excerpt, ctx);
}

/* ---- search/ -------------------------------------------------------------------------------------- */

/* search/ lists nothing: any query is a name that resolves. */
int list_nothing(const struct view_ctx *ctx, struct strlist *names)
{
	(void)ctx;
	(void)names;
	return 0;
}

int list_search_hits(const struct view_ctx *ctx, struct strlist *names)
{
	return store_search(ctx->st, ctx->args[0], names);
}

int search_query_exists(const struct view_ctx *ctx)
{
	struct strlist hits = STRLIST_INIT;
	int rc = store_search(ctx->st, ctx->args[0], &hits);

	strlist_release(&hits);
	return rc;
}

/*
 * A hit resolves when its source matches: one source's pages are searched,
 * so listing 1,000 hits does not run the whole search 1,000 times. (A
 * source beyond the first 1,000 resolves by name too, unlisted.)
 */
int search_hit_exists(const struct view_ctx *ctx)
{
	return store_search_has(ctx->st, ctx->args[0], ctx->args[1]);
}

int view_search_hit(const struct view_ctx *ctx, struct strbuf *out)
{
	strbuf_addf(out, "../../sources/%s", ctx->args[1]);
	return strbuf_ok(out);
}

/* ---- imports/ ------------------------------------------------------------------------------------- */

int list_import_runs(const struct view_ctx *ctx, struct strlist *names)
{
	return store_import_run_names(ctx->st, names);
}

/* "000012" -> 12: runs are named zero-padded to 6 digits, so that shell order is import
 * order; 0 for a name that is not a run number as written ("12", "0000012", "x"). */
static int64_t run_number(const char *name)
{
	char *end, canon[24];
	long long n;

	if (name[0] < '0' || name[0] > '9')
		return 0;
	n = strtoll(name, &end, 10);
	if (*end || n <= 0)
		return 0;
	snprintf(canon, sizeof(canon), "%06lld", n);
	return strcmp(canon, name) ? 0 : (int64_t)n;
}

int view_import_run(const struct view_ctx *ctx, struct strbuf *out)
{
	int64_t n = run_number(ctx->args[0]);

	return n ? store_import_run_get(ctx->st, n, out) : -ENOENT;
}

int import_run_exists(const struct view_ctx *ctx)
{
	return view_renders(view_import_run, ctx);
}
