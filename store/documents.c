// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Documents: the extracted pages of stored documents, their full-text index,
 * excerpts and mentions; partner-list observations; and the log of import
 * runs. Every statement of these tables is here.
 *
 * The FTS5 index is an external-content table over `pages`, so page text is
 * stored once; rows leave the index through FTS5's 'delete' command, given
 * the text they were indexed with, before the page rows themselves go.
 *
 * Search also reads the facts' own words: a source's title and note, and
 * the text of every record citing it (quotes, details, conditions,
 * summaries, ids). They live in the records, so their index is derived
 * data: facts_fts, rebuilt by the import that changes the inventory
 * (store_facts_index, called with the rest of the derived data), so that a
 * search on a mount is a lookup. Where the derived data is stale (a writer
 * that did not derive), a connection builds its own in temp.facts_fts, the
 * name a query then finds first.
 */
#include "store_i.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum doc_stmt {
	DS_FTS_DEL, DS_PAGES_DEL, DS_EXCERPTS_DEL, DS_MENTIONS_DEL, DS_REDACTIONS_DEL, DS_DOC_DEL, DS_STALE,
	DS_DOC_PUT, DS_PAGE_PUT, DS_FTS_PUT, DS_CURRENT, DS_BY_SHA, DS_TEXT, DS_DOC_GET,
	DS_TERMS, DS_STALE_DOCS, DS_PAGES, DS_EXCERPT_PUT, DS_MENTION_PUT, DS_SET_VOCAB,
	DS_EXCERPT_NAMES, DS_EXCERPT_GET, DS_MENTIONED_IN, DS_SEARCH, DS_SEARCH_HAS,
	DS_LIST_PUT, DS_LISTING_PUT, DS_PARTNER_MATCH,
	DS_RUN_PUT, DS_RUN_NAMES, DS_RUN_GET, DS_SAME_IDENTIFIER,
	DS_COUNT
};

static const char *const doc_sql[DS_COUNT] = {
	[DS_FTS_DEL] = "INSERT INTO pages_fts(pages_fts, rowid, text)"
		       " SELECT 'delete', id, text FROM pages WHERE source=?1",
	[DS_PAGES_DEL] = "DELETE FROM pages WHERE source=?1",
	[DS_EXCERPTS_DEL] = "DELETE FROM excerpts WHERE source=?1",
	[DS_MENTIONS_DEL] = "DELETE FROM mentions WHERE source=?1",
	[DS_REDACTIONS_DEL] = "DELETE FROM redactions WHERE source=?1",
	[DS_DOC_DEL] = "DELETE FROM documents WHERE source=?1",
	[DS_STALE] = "SELECT 1 FROM documents d LEFT JOIN sources s ON s.id=d.source"
		     " WHERE d.source=?1 AND (s.sha256 IS NULL OR s.sha256<>d.sha256)",
	[DS_DOC_PUT] = "INSERT INTO documents(source, format, sha256, member, npages, identifier, component,"
		       " vocabulary) VALUES(?1,?2,?3,?4,?5,?6,?7,'')",
	[DS_PAGE_PUT] = "INSERT INTO pages(source, page, text) VALUES(?1,?2,?3)",
	[DS_FTS_PUT] = "INSERT INTO pages_fts(rowid, text) VALUES(?1,?2)",
	[DS_CURRENT] = "SELECT 1 FROM documents WHERE source=?1 AND sha256=?2",
	[DS_BY_SHA] = "SELECT id FROM sources WHERE sha256=?1 ORDER BY id LIMIT 1",
	[DS_TEXT] = "SELECT text FROM pages WHERE source=?1 ORDER BY page",
	[DS_DOC_GET] = "SELECT d.format, d.member, d.identifier, d.component, a.id, d.npages"
		       " FROM documents d LEFT JOIN agencies a ON a.id=d.component WHERE d.source=?1",
	/*
	 * A field is named by its id, its id in words (date_of_birth: "date of
	 * birth"), its display name and its synonyms; importers/excerpts.c
	 * decides which count (a single word only in capitals). The id in words
	 * is left out when one of its words is a letter: a_number is the
	 * A-number, "a number" is prose.
	 */
	[DS_TERMS] = "SELECT " KIND("fields") ", id, id FROM fields"
		     " UNION SELECT " KIND("fields") ", id, replace(id, '_', ' ') FROM fields WHERE instr(id, '_')"
		     " AND id NOT GLOB '?[_]*' AND id NOT GLOB '*[_]?' AND id NOT GLOB '*[_]?[_]*'"
		     " UNION SELECT " KIND("fields") ", id, name FROM fields"
		     " UNION SELECT " KIND("fields") ", \"key\", value FROM links WHERE kind=" KIND("fields")
		     " AND col='synonyms'"
		     " UNION SELECT " KIND("agencies") ", id, id FROM agencies"
		     " UNION SELECT " KIND("agencies") ", id, name FROM agencies"
		     " ORDER BY 1, 2, 3",
	[DS_STALE_DOCS] = "SELECT source FROM documents WHERE vocabulary<>?1 ORDER BY source",
	[DS_PAGES] = "SELECT page, text FROM pages WHERE source=?1 ORDER BY page",
	[DS_EXCERPT_PUT] = "INSERT OR REPLACE INTO excerpts(source, page, names, passage) VALUES(?1,?2,?3,?4)",
	[DS_MENTION_PUT] = "INSERT OR IGNORE INTO mentions(kind, \"key\", source, page) VALUES(?1,?2,?3,?4)",
	[DS_SET_VOCAB] = "UPDATE documents SET vocabulary=?2 WHERE source=?1",
	[DS_EXCERPT_NAMES] = "SELECT 'p'||page FROM excerpts WHERE source=?1 ORDER BY 1",
	[DS_EXCERPT_GET] = "SELECT names, passage FROM excerpts WHERE source=?1 AND page=?2",
	[DS_MENTIONED_IN] = "SELECT DISTINCT m.source FROM mentions m JOIN sources s ON s.id=m.source"
			    " WHERE m.kind=?1 AND m.\"key\"=?2 AND (?3 IS NULL OR s.date<=?3) ORDER BY 1",
	/*
	 * A source ranks by its best page or fact; MATERIALIZED keeps rank inside the
	 * FTS5 scans. Ranks of the two indexes are both bm25, close enough to merge.
	 */
	[DS_SEARCH] = "WITH hits(id, r) AS MATERIALIZED"
		      " (SELECT rowid, rank FROM pages_fts WHERE pages_fts MATCH ?1),"
		      " facts(source, r) AS MATERIALIZED"
		      " (SELECT source, rank FROM facts_fts WHERE facts_fts MATCH ?1),"
		      " best(source, r) AS (SELECT source, MIN(r) FROM (SELECT p.source, h.r FROM hits h"
		      " JOIN pages p ON p.id=h.id UNION ALL SELECT source, r FROM facts) GROUP BY source)"
		      " SELECT s.slug FROM best b JOIN sources s ON s.id=b.source WHERE s.slug IS NOT NULL"
		      " ORDER BY b.r, s.id LIMIT ?2",
	/* One source's pages only: FTS5 answers MATCH with rowid= per page, not the whole index. */
	[DS_SEARCH_HAS] = "SELECT 1 FROM pages_fts WHERE pages_fts MATCH ?1 AND rowid IN"
			  " (SELECT p.id FROM pages p JOIN sources s ON s.id=p.source WHERE s.slug=?2)"
			  " UNION ALL SELECT 1 FROM facts_fts WHERE facts_fts MATCH ?1"
			  " AND source=(SELECT id FROM sources WHERE slug=?2) LIMIT 1",
	[DS_LIST_PUT] = "INSERT OR IGNORE INTO partner_lists(source, as_of, entries) VALUES(?1,?2,?3)",
	[DS_LISTING_PUT] = "INSERT OR REPLACE INTO partner_listings(source, partner, name, description)"
			   " VALUES(?1,?2,?3,?4)",
	[DS_PARTNER_MATCH] = "SELECT id FROM (SELECT id, 1 AS o FROM partners WHERE id=?1"
			     " UNION ALL SELECT id, 2 FROM partners WHERE name=?1 COLLATE NOCASE"
			     " UNION ALL SELECT id, 3 FROM partners WHERE slug=?2) ORDER BY o, id LIMIT 1",
	[DS_RUN_PUT] = "INSERT INTO import_runs(started, finished, status, kind, report) VALUES(?1,?2,?3,?4,?5)",
	[DS_RUN_NAMES] = "SELECT printf('%06d', id) FROM import_runs ORDER BY id",
	[DS_RUN_GET] = "SELECT started, finished, status, kind, report FROM import_runs WHERE id=?1",
	[DS_SAME_IDENTIFIER] = "SELECT o.source FROM documents d JOIN documents o"
			       " ON o.identifier=d.identifier AND o.source<>d.source"
			       " WHERE d.source=?1 AND d.identifier IS NOT NULL ORDER BY 1",
};

static sqlite3_stmt *stmt(struct store *st, enum doc_stmt which)
{
	return store_stmt(st, doc_sql[which]);
}

/* Run a one-parameter (source id) statement. */
static int run_on(struct store *st, enum doc_stmt which, const char *source_id)
{
	sqlite3_stmt *s = stmt(st, which);

	if (!s)
		return -EIO;
	store_bind_text(s, 1, source_id, 0);
	return store_step_done(s);
}

/* 1 when a query bound to one or two texts returns a row, 0 when not. */
static int exists(struct store *st, enum doc_stmt which, const char *a, const char *b)
{
	sqlite3_stmt *s = stmt(st, which);
	int rc;

	if (!s)
		return -EIO;
	store_bind_text(s, 1, a, 0);
	if (b)
		store_bind_text(s, 2, b, 0);
	rc = sqlite3_step(s);
	store_stmt_done(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_sqlite_err(rc);
}

static int drop_document(struct store *st, const char *source_id)
{
	static const enum doc_stmt steps[] = {
		DS_FTS_DEL, DS_PAGES_DEL, DS_EXCERPTS_DEL, DS_MENTIONS_DEL, DS_REDACTIONS_DEL, DS_DOC_DEL,
	};
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < sizeof(steps) / sizeof(steps[0]); i++)
		rc = run_on(st, steps[i], source_id);
	return rc;
}

int store_document_drop_stale(struct store *st, const char *source_id)
{
	int rc = exists(st, DS_STALE, source_id, NULL);

	return rc > 0 ? drop_document(st, source_id) : rc;
}

int store_document_put(struct store *st, const struct store_document_info *d, const char *const *pages,
		       const size_t *lens, size_t npages)
{
	sqlite3_stmt *doc = stmt(st, DS_DOC_PUT), *page = stmt(st, DS_PAGE_PUT), *fts = stmt(st, DS_FTS_PUT);
	size_t i;
	int rc;

	if (!doc || !page || !fts)
		return -EIO;
	rc = drop_document(st, d->source);
	if (rc)
		return rc;
	store_bind_text(doc, 1, d->source, 0);
	store_bind_text(doc, 2, d->format, 0);
	store_bind_text(doc, 3, d->sha256_hex, 0);
	store_bind_text(doc, 4, d->member, 1);
	sqlite3_bind_int64(doc, 5, (sqlite3_int64)npages);
	store_bind_text(doc, 6, d->identifier, 1);
	store_bind_text(doc, 7, d->component, 1);
	rc = store_step_done(doc);
	for (i = 0; !rc && i < npages; i++) {
		store_bind_text(page, 1, d->source, 0);
		sqlite3_bind_int64(page, 2, (sqlite3_int64)i + 1);
		sqlite3_bind_text64(page, 3, pages[i], lens[i], SQLITE_STATIC, SQLITE_UTF8);
		rc = store_step_done(page);
		if (rc)
			break;
		sqlite3_bind_int64(fts, 1, sqlite3_last_insert_rowid(st->db));
		sqlite3_bind_text64(fts, 2, pages[i], lens[i], SQLITE_STATIC, SQLITE_UTF8);
		rc = store_step_done(fts);
	}
	return rc;
}

int store_document_current(struct store *st, const char *source_id, const char *sha256_hex)
{
	return exists(st, DS_CURRENT, source_id, sha256_hex);
}

int store_source_by_sha256(struct store *st, const char *sha256_hex, struct strbuf *id)
{
	struct strlist l = STRLIST_INIT;
	sqlite3_stmt *s = stmt(st, DS_BY_SHA);
	int rc;

	if (!s)
		return -EIO;
	store_bind_text(s, 1, sha256_hex, 0);
	rc = store_collect(s, &l);
	if (!rc && !l.n)
		rc = -ENOENT;
	if (!rc) {
		strbuf_addstr(id, l.items[0]);
		rc = strbuf_ok(id);
	}
	strlist_release(&l);
	return rc;
}

int store_source_text(struct store *st, const char *source_id, struct strbuf *out)
{
	sqlite3_stmt *s = stmt(st, DS_TEXT);
	size_t start = out->len;
	int rc, n = 0, any = 0;

	if (!s)
		return -EIO;
	store_bind_text(s, 1, source_id, 0);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int len = sqlite3_column_bytes(s, 0);

		if (n++)
			strbuf_addch(out, '\f');
		strbuf_add(out, sqlite3_column_text(s, 0), (size_t)len);
		any |= len > 0;
	}
	store_stmt_done(s);
	if (rc != SQLITE_DONE)
		return store_sqlite_err(rc);
	if (!any) {
		/* No page holds text (a scan without a text layer): no text file. */
		out->len = start;
		if (out->alloc)
			out->buf[start] = '\0';
		return -ENOENT;
	}
	return strbuf_ok(out);
}

static char *dup_column(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return strdup(t ? (const char *)t : "");
}

int store_document_get(struct store *st, const char *source_id, struct store_document_row *out)
{
	sqlite3_stmt *s = stmt(st, DS_DOC_GET);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!s)
		return -EIO;
	store_bind_text(s, 1, source_id, 0);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->format = dup_column(s, 0);
		out->member = dup_column(s, 1);
		out->identifier = dup_column(s, 2);
		out->component = dup_column(s, 3);
		out->agency = dup_column(s, 4);
		out->npages = (long)sqlite3_column_int64(s, 5);
		rc = out->format && out->member && out->identifier && out->component && out->agency ? 0 : -ENOMEM;
	} else {
		rc = rc == SQLITE_DONE ? -ENOENT : store_sqlite_err(rc);
	}
	store_stmt_done(s);
	if (rc)
		store_document_row_release(out);
	return rc;
}

void store_document_row_release(struct store_document_row *r)
{
	free(r->format);
	free(r->member);
	free(r->identifier);
	free(r->component);
	free(r->agency);
	memset(r, 0, sizeof(*r));
}

int store_each_term(struct store *st, int (*cb)(void *arg, int kind, const char *id, const char *term),
		    void *arg)
{
	sqlite3_stmt *s = stmt(st, DS_TERMS);
	int rc, stop = 0;

	if (!s)
		return -EIO;
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(s, 1);
		const char *term = (const char *)sqlite3_column_text(s, 2);

		if (id && term)
			stop = cb(arg, sqlite3_column_int(s, 0), id, term);
	}
	store_stmt_done(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_sqlite_err(rc);
}

int store_documents_stale(struct store *st, const char *vocabulary, struct strlist *sources)
{
	sqlite3_stmt *s = stmt(st, DS_STALE_DOCS);

	if (!s)
		return -EIO;
	store_bind_text(s, 1, vocabulary, 0);
	return store_collect(s, sources);
}

int store_each_page(struct store *st, const char *source_id,
		    int (*cb)(void *arg, long page, const char *text, size_t len), void *arg)
{
	sqlite3_stmt *s = stmt(st, DS_PAGES);
	int rc, stop = 0;

	if (!s)
		return -EIO;
	store_bind_text(s, 1, source_id, 0);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(s, 1);

		stop = cb(arg, (long)sqlite3_column_int64(s, 0), text ? text : "",
			  (size_t)sqlite3_column_bytes(s, 1));
	}
	store_stmt_done(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_sqlite_err(rc);
}

int store_excerpts_clear(struct store *st, const char *source_id)
{
	int rc = run_on(st, DS_EXCERPTS_DEL, source_id);

	return rc ? rc : run_on(st, DS_MENTIONS_DEL, source_id);
}

int store_excerpt_put(struct store *st, const char *source_id, long page, const char *names, const char *passage)
{
	sqlite3_stmt *s = stmt(st, DS_EXCERPT_PUT);

	if (!s)
		return -EIO;
	store_bind_text(s, 1, source_id, 0);
	sqlite3_bind_int64(s, 2, page);
	store_bind_text(s, 3, names, 0);
	store_bind_text(s, 4, passage, 0);
	return store_step_done(s);
}

int store_mention_put(struct store *st, int kind, const char *id, const char *source_id, long page)
{
	sqlite3_stmt *s = stmt(st, DS_MENTION_PUT);

	if (!s)
		return -EIO;
	sqlite3_bind_int(s, 1, kind);
	store_bind_text(s, 2, id, 0);
	store_bind_text(s, 3, source_id, 0);
	sqlite3_bind_int64(s, 4, page);
	return store_step_done(s);
}

int store_document_set_vocabulary(struct store *st, const char *source_id, const char *vocabulary)
{
	sqlite3_stmt *s = stmt(st, DS_SET_VOCAB);

	if (!s)
		return -EIO;
	store_bind_text(s, 1, source_id, 0);
	store_bind_text(s, 2, vocabulary, 0);
	return store_step_done(s);
}

int store_excerpt_names(struct store *st, const char *source_id, struct strlist *out)
{
	sqlite3_stmt *s = stmt(st, DS_EXCERPT_NAMES);

	if (!s)
		return -EIO;
	store_bind_text(s, 1, source_id, 0);
	return store_collect(s, out);
}

int store_excerpt_get(struct store *st, const char *source_id, long page, struct strbuf *out)
{
	sqlite3_stmt *s = stmt(st, DS_EXCERPT_GET);
	int rc;

	if (!s)
		return -EIO;
	store_bind_text(s, 1, source_id, 0);
	sqlite3_bind_int64(s, 2, page);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		strbuf_addf(out, "names: %s\n\n%s", (const char *)sqlite3_column_text(s, 0),
			    (const char *)sqlite3_column_text(s, 1));
		rc = strbuf_ok(out);
	} else {
		rc = rc == SQLITE_DONE ? -ENOENT : store_sqlite_err(rc);
	}
	store_stmt_done(s);
	return rc;
}

int store_mentioned_in(struct store *st, int kind, const char *id, const char *date, struct strlist *out)
{
	sqlite3_stmt *s = stmt(st, DS_MENTIONED_IN);

	if (!s)
		return -EIO;
	sqlite3_bind_int(s, 1, kind);
	store_bind_text(s, 2, id, 0);
	store_bind_text(s, 3, date, 1);
	return store_collect(s, out);
}

/*
 * The words of each record of the kind `table` (its table is named as the
 * kind), with the source it cites; W(c) is a text column of the row r.
 */
#define W(c) "COALESCE(r." c ",'')"
#define FACTS(table, key, words) \
	" UNION ALL SELECT c.source, " words " FROM " table " r JOIN citations c ON c.kind=" KIND(table) \
	" AND c.\"key\"=" key

static const char facts_fts_schema[] =
	"CREATE VIRTUAL TABLE IF NOT EXISTS temp.facts_fts USING fts5(source UNINDEXED, text,"
	" tokenize='porter unicode61 remove_diacritics 2')";
#define FACTS_FILL(db) \
	"INSERT INTO " db ".facts_fts(source, text)" FACTS_ROWS
#define FACTS_ROWS \
	" SELECT r.id, r.id||' '||" W("title") "||' '||" W("note") " FROM sources r" \
	FACTS("agencies", "r.id", "r.id||' '||r.name||' '||" W("oris") "||' '||" W("quote")) \
	FACTS("partners", "r.id", \
	      "r.id||' '||r.name||' '||" W("category") "||' '||" W("description") "||' '||" W("quote")) \
	FACTS("transactions", "r.\"key\"", "r.\"key\"||' '||r.name||' '||" W("purpose") "||' '||" W("inputs") \
	      "||' '||" W("returns") "||' '||" W("quote")) \
	FACTS("flows", "r.id", "r.id||' '||r.\"from\"||' '||r.\"to\"||' '||r.via||' '||" W("\"transaction\"") \
	      "||' '||" W("fields") "||' '||" W("conditions") "||' '||" W("quote")) \
	FACTS("laws", LAW_KEY("r"), "r.state||' '||r.id||' '||r.title||' '||" W("summary") "||' '||" W("quote")) \
	FACTS("participation", PARTICIPATION_KEY("r"), \
	      "r.state||' '||r.function||' '||r.value||' '||" W("detail") "||' '||" W("quote")) \
	FACTS("claims", "r.id", "r.id||' '||r.subject||' '||r.claim||' '||" W("value") "||' '||" W("quote"))

int store_facts_index(struct store *st)
{
	int rc = sqlite3_exec(st->db, "DELETE FROM main.facts_fts;" FACTS_FILL("main"), NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_sqlite_err(rc);
}

/*
 * Make `facts_fts` hold the inventory's facts as they are now: the stored
 * one where the derived data is fresh (a temp one left from a stale time
 * goes, as the name finds it first), else this connection's own.
 */
static int facts_fts_fresh(struct store *st)
{
	int64_t v = store_generation(st);
	int rc;

	if (store_derived_fresh(st)) {
		if (st->facts_fts_ok)
			sqlite3_exec(st->db, "DROP TABLE IF EXISTS temp.facts_fts", NULL, NULL, NULL);
		st->facts_fts_ok = 0;
		return 0;
	}
	if (st->facts_fts_ok && v == st->facts_fts_version)
		return 0;
	rc = sqlite3_exec(st->db, facts_fts_schema, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "DELETE FROM temp.facts_fts", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, FACTS_FILL("temp"), NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_sqlite_err(rc);
	st->facts_fts_ok = 1;
	st->facts_fts_version = v;
	return 0;
}

int store_search(struct store *st, const char *query, struct strlist *slugs)
{
	int rc = facts_fts_fresh(st);
	sqlite3_stmt *s = rc ? NULL : stmt(st, DS_SEARCH);

	if (rc)
		return rc;
	if (!s)
		return -EIO;
	if (!query || !*query)
		return -ENOENT;
	store_bind_text(s, 1, query, 0);
	sqlite3_bind_int(s, 2, STORE_SEARCH_MAX);
	rc = store_collect(s, slugs);
	/* FTS5 reports a query it cannot parse as a plain SQLite error. */
	return rc == -EIO ? -ENOENT : rc;
}

int store_search_has(struct store *st, const char *query, const char *slug)
{
	int rc = facts_fts_fresh(st);
	sqlite3_stmt *s = rc ? NULL : stmt(st, DS_SEARCH_HAS);

	if (rc)
		return rc;
	if (!s)
		return -EIO;
	if (!query || !*query)
		return -ENOENT;
	store_bind_text(s, 1, query, 0);
	store_bind_text(s, 2, slug, 0);
	rc = sqlite3_step(s);
	store_stmt_done(s);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? -ENOENT : (store_sqlite_err(rc) == -EIO ? -ENOENT : store_sqlite_err(rc));
}

/* ---- partner lists --------------------------------------------------------------- */

int store_partner_list_put(struct store *st, const char *source_id, const char *as_of, long entries)
{
	sqlite3_stmt *s = stmt(st, DS_LIST_PUT);

	if (!s)
		return -EIO;
	store_bind_text(s, 1, source_id, 0);
	store_bind_text(s, 2, as_of, 0);
	sqlite3_bind_int64(s, 3, entries);
	return store_step_done(s);
}

int store_partner_listing_put(struct store *st, const char *source_id, const char *partner_id,
			      const char *name, const char *description)
{
	sqlite3_stmt *s = stmt(st, DS_LISTING_PUT);

	if (!s)
		return -EIO;
	store_bind_text(s, 1, source_id, 0);
	store_bind_text(s, 2, partner_id, 0);
	store_bind_text(s, 3, name, 0);
	store_bind_text(s, 4, description, 1);
	return store_step_done(s);
}

int store_partner_match(struct store *st, const char *name, struct strbuf *id)
{
	struct strbuf slug = STRBUF_INIT;
	struct strlist l = STRLIST_INIT;
	sqlite3_stmt *s = stmt(st, DS_PARTNER_MATCH);
	int rc;

	if (!s)
		return -EIO;
	store_slug(name, &slug);
	store_bind_text(s, 1, name, 0);
	store_bind_text(s, 2, slug.buf, 0);
	rc = store_collect(s, &l);
	if (!rc && !l.n)
		rc = -ENOENT;
	if (!rc) {
		strbuf_addstr(id, l.items[0]);
		rc = strbuf_ok(id);
	}
	strlist_release(&l);
	strbuf_release(&slug);
	return rc;
}

/* ---- import runs ----------------------------------------------------------------- */

int64_t store_generation(struct store *st)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT coalesce(max(id), 0) FROM import_runs");
	int64_t g = -1;

	if (s && sqlite3_step(s) == SQLITE_ROW)
		g = sqlite3_column_int64(s, 0);
	store_stmt_done(s);
	return g;
}

int store_import_run_put(struct store *st, const struct store_import_run *r, int64_t *id)
{
	sqlite3_stmt *s = stmt(st, DS_RUN_PUT);
	int rc;

	if (!s)
		return -EIO;
	store_bind_text(s, 1, r->started, 0);
	store_bind_text(s, 2, r->finished, 0);
	store_bind_text(s, 3, r->status, 0);
	store_bind_text(s, 4, r->kind, 0);
	store_bind_text(s, 5, r->report ? r->report : "", 0);
	rc = store_step_done(s);
	if (!rc && id)
		*id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

int store_import_run_names(struct store *st, struct strlist *out)
{
	sqlite3_stmt *s = stmt(st, DS_RUN_NAMES);

	return s ? store_collect(s, out) : -EIO;
}

int store_import_run_get(struct store *st, int64_t id, struct strbuf *out)
{
	sqlite3_stmt *s = stmt(st, DS_RUN_GET);
	int rc;

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		strbuf_addf(out, "run: %" PRId64 "\nstarted: %s\nfinished: %s\nstatus: %s\nkind: %s\n%s", id,
			    (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
			    (const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3),
			    (const char *)sqlite3_column_text(s, 4));
		rc = strbuf_ok(out);
	} else {
		rc = rc == SQLITE_DONE ? -ENOENT : store_sqlite_err(rc);
	}
	store_stmt_done(s);
	return rc;
}

int store_same_identifier(struct store *st, const char *source_id, struct strlist *out)
{
	sqlite3_stmt *s = stmt(st, DS_SAME_IDENTIFIER);

	if (!s)
		return -EIO;
	store_bind_text(s, 1, source_id, 0);
	return store_collect(s, out);
}
