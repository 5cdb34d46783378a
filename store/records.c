// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Record kinds: their descriptors (the single definition of every column of
 * the records bundle) and their statements, and writing and reading rows.
 *
 * Each kind's SQL is assembled at compile time from its column list (the
 * *_COLS macros), so the upsert, the export select and the by-slug select
 * share one column order. That list, the descriptor and the CREATE TABLE of
 * store/schema.c are three spellings of one fact: tests/unit/store/
 * test_records.c holds them to each other (names, order, NOT NULL, keys,
 * CHECKed values, the statements' result columns and parameters).
 * Kinds are named in SQL by KIND("flows") (store_i.h), never by number.
 */
#include "store_i.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/array.h"
#include "../util/hmap.h"

static const char *const source_kinds[] = { "foia", "pia", "partner-list", "law", "report", "web", "other", NULL };
static const char *const memberships[] = { "core", "strategic", "member", "none", NULL };
static const char *const partner_kinds[] = { "strategic", "hosting", NULL };
static const char *const scopes[] = { "single-state", "multi-state", "all-states", "federal", NULL };
static const char *const statuses[] = { "allowed", "blocked", "conditional", "reported", NULL };
static const char *const answers[] = { "yes", "no", "partial", "unknown", NULL };

#define REQ COLF_REQUIRED
#define KEY (COLF_REQUIRED | COLF_KEY)
#define CITES \
	{ "source", REQ, COL_SOURCES, NULL, REC_SOURCES, 0, 0 }, \
	{ "page", 0, COL_PAGES, NULL, 0, 0, 0 }, \
	{ "quote", 0, COL_TEXT, NULL, 0, 0, 0 }

static const struct record_column sources_cols[] = {
	{ "id", KEY, COL_ID, NULL, 0, 0, 0 },
	{ "title", REQ, COL_TEXT, NULL, 0, 0, 0 },
	{ "kind", REQ, COL_ENUM, source_kinds, 0, 0, 0 },
	{ "date", REQ, COL_DATE, NULL, 0, 0, 0 },
	{ "url", 0, COL_TEXT, NULL, 0, 0, 0 },
	{ "file", 0, COL_PATH, NULL, 0, 0, 0 },
	{ "note", 0, COL_TEXT, NULL, 0, 0, 0 },
};
static const struct record_column systems_cols[] = {
	{ "id", KEY, COL_ID, NULL, 0, 0, 0 },
	{ "name", REQ, COL_TEXT, NULL, 0, 0, 0 },
	{ "section", 0, COL_WORD, NULL, 0, 0, 0 },
};
static const struct record_column fields_cols[] = {
	{ "id", KEY, COL_ID, NULL, 0, 0, 0 },
	{ "name", REQ, COL_TEXT, NULL, 0, 0, 0 },
	{ "synonyms", 0, COL_LIST, NULL, 0, 0, 0 },
};
static const struct record_column agencies_cols[] = {
	{ "id", KEY, COL_ID, NULL, 0, 0, 0 },
	{ "name", REQ, COL_TEXT, NULL, 0, 0, 0 },
	{ "parent", 0, COL_REF, NULL, REC_AGENCIES, 0, 0 },
	{ "membership", 0, COL_ENUM, memberships, 0, 0, 0 },
	{ "oris", 0, COL_LIST, NULL, 0, 0, 0 },
	CITES,
};
static const struct record_column partners_cols[] = {
	{ "id", KEY, COL_ID, NULL, 0, 0, 0 },
	{ "name", REQ, COL_TEXT, NULL, 0, 0, 0 },
	{ "kind", REQ, COL_ENUM, partner_kinds, 0, 0, 0 },
	{ "category", 0, COL_TEXT, NULL, 0, 0, 0 },
	{ "description", 0, COL_TEXT, NULL, 0, 0, 0 },
	CITES,
};
static const struct record_column transactions_cols[] = {
	{ "key", KEY, COL_ID, NULL, 0, 0, 0 },
	{ "name", REQ, COL_TEXT, NULL, 0, 0, 0 },
	{ "section", 0, COL_WORD, NULL, 0, 0, 0 },
	{ "purpose", 0, COL_TEXT, NULL, 0, 0, 0 },
	{ "inputs", 0, COL_REFLIST, NULL, REC_FIELDS, 0, 0 },
	{ "returns", 0, COL_REFLIST, NULL, REC_FIELDS, 0, 0 },
	{ "scope", 0, COL_ENUM, scopes, 0, 0, 0 },
	{ "max_states", 0, COL_INT, NULL, 0, 1, STORE_NJURISDICTIONS },
	CITES,
};
static const struct record_column flows_cols[] = {
	{ "id", KEY, COL_ID, NULL, 0, 0, 0 },
	{ "from", REQ, COL_FROM, NULL, 0, 0, 0 },
	{ "to", REQ, COL_TO, NULL, 0, 0, 0 },
	{ "via", REQ, COL_WORD, NULL, 0, 0, 0 },
	{ "transaction", 0, COL_REF, NULL, REC_TRANSACTIONS, 0, 0 },
	{ "fields", 0, COL_REFLIST, NULL, REC_FIELDS, 0, 0 },
	{ "status", REQ, COL_ENUM, statuses, 0, 0, 0 },
	{ "conditions", 0, COL_TEXT, NULL, 0, 0, 0 },
	{ "since", 0, COL_DATE, NULL, 0, 0, 0 },
	{ "until", 0, COL_DATE, NULL, 0, 0, 0 },
	CITES,
};
static const struct record_column laws_cols[] = {
	{ "state", KEY, COL_STATE, NULL, 0, 0, 0 },
	{ "id", KEY, COL_ID, NULL, 0, 0, 0 },
	{ "title", REQ, COL_TEXT, NULL, 0, 0, 0 },
	{ "enacted", 0, COL_DATE, NULL, 0, 0, 0 },
	{ "summary", 0, COL_TEXT, NULL, 0, 0, 0 },
	CITES,
};
static const struct record_column participation_cols[] = {
	{ "state", KEY, COL_STATE, NULL, 0, 0, 0 },
	{ "function", KEY, COL_FUNCTION, NULL, 0, 0, 0 },
	{ "as_of", KEY, COL_DATE, NULL, 0, 0, 0 },
	{ "value", REQ, COL_ENUM, answers, 0, 0, 0 },
	{ "detail", 0, COL_TEXT, NULL, 0, 0, 0 },
	CITES,
};
static const struct record_column claims_cols[] = {
	{ "id", KEY, COL_ID, NULL, 0, 0, 0 },
	{ "subject", REQ, COL_TO, NULL, 0, 0, 0 },
	{ "claim", REQ, COL_TEXT, NULL, 0, 0, 0 },
	{ "value", 0, COL_TEXT, NULL, 0, 0, 0 },
	{ "as_of", 0, COL_DATE, NULL, 0, 0, 0 },
	CITES,
};

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))
static const struct record_desc descs[REC_COUNT] = {
	{ REC_SOURCES, "sources", "sources.csv", sources_cols, N(sources_cols), 1 },
	{ REC_SYSTEMS, "systems", "systems.csv", systems_cols, N(systems_cols), 1 },
	{ REC_FIELDS, "fields", "fields.csv", fields_cols, N(fields_cols), 1 },
	{ REC_AGENCIES, "agencies", "agencies.csv", agencies_cols, N(agencies_cols), 1 },
	{ REC_PARTNERS, "partners", "partners.csv", partners_cols, N(partners_cols), 1 },
	{ REC_TRANSACTIONS, "transactions", "transactions.csv", transactions_cols, N(transactions_cols), 1 },
	{ REC_FLOWS, "flows", "flows.csv", flows_cols, N(flows_cols), 1 },
	{ REC_LAWS, "laws", "laws.csv", laws_cols, N(laws_cols), 2 },
	{ REC_PARTICIPATION, "participation", "participation.csv", participation_cols,
	  N(participation_cols), 3 },
	{ REC_CLAIMS, "claims", "claims.csv", claims_cols, N(claims_cols), 1 },
};

const struct record_desc *store_record_desc(enum record_kind kind)
{
	return kind < REC_COUNT ? &descs[kind] : NULL;
}

int store_record_column(const struct record_desc *d, const char *name)
{
	int i;

	/* The first byte first: views ask by name hundreds of thousands of times in an import. */
	for (i = 0; i < d->ncols; i++)
		if (d->cols[i].name[0] == name[0] && !strcmp(d->cols[i].name, name))
			return i;
	return -1;
}

/* ---- SQL, per kind, from column lists --------------------------------- */

#define P3 "?1,?2,?3"
#define P7 P3 ",?4,?5,?6,?7"
#define P8 P7 ",?8"
#define P11 P8 ",?9,?10,?11"
#define P13 P11 ",?12,?13"
#define DATE_OK(d) "(" d " IS NULL OR (valid_from<=" d " AND (valid_until IS NULL OR valid_until>" d ")))"
#define CITE_MIN(kind, key) \
	"(SELECT MIN(s.date) FROM citations c JOIN sources s ON s.id=c.source" \
	" WHERE c.kind=" KIND(kind) " AND c.\"key\"=" key ")"

/* Kinds whose records are keyed by one id. */
#define ID_KIND(T, COLS, PARAMS, IDCOL, DERIVE, INSERT_NEW) { \
	[KS_UPSERT] = "INSERT INTO " T "(" COLS ") VALUES(" PARAMS ") ON CONFLICT(" IDCOL \
		      ") DO UPDATE SET (" COLS ")=(" PARAMS ")", \
	[KS_GET_CITES] = "SELECT source, page FROM " T " WHERE " IDCOL "=?1", \
	[KS_SET_CITES] = "UPDATE " T " SET source=?20, page=?21 WHERE " IDCOL "=?1", \
	[KS_DERIVE] = DERIVE, \
	[KS_SELECT_ALL] = "SELECT " COLS " FROM " T " ORDER BY " IDCOL, \
	[KS_EXISTS] = "SELECT 1 FROM " T " WHERE " IDCOL "=?1", \
	[KS_LIST_SLUGS] = "SELECT slug FROM " T " WHERE " DATE_OK("?1") " ORDER BY slug", \
	[KS_GET_SLUG] = "SELECT " COLS " FROM " T " WHERE slug=?1 AND " DATE_OK("?2"), \
	[KS_SLUG_OF] = "SELECT slug FROM " T " WHERE " IDCOL "=?1", \
	[KS_SLUG_ITER] = "SELECT rowid, " IDCOL ", slug, '' FROM " T " ORDER BY " IDCOL, \
	[KS_SLUG_SET] = "UPDATE " T " SET slug=?1 WHERE rowid=?2", \
	[KS_SLUG_BASE] = "UPDATE " T " SET slug=?2 WHERE " IDCOL "=?1 AND slug IS NULL", \
	[KS_SLUG_CLASH] = "SELECT 1 FROM " T " GROUP BY slug HAVING count(*)>1 LIMIT 1", \
	[KS_GET_ID] = "SELECT " COLS " FROM " T " WHERE " IDCOL "=?1", \
	[KS_INSERT_NEW] = INSERT_NEW, \
}

/*
 * A cited record new to the inventory, in one statement: what KS_DERIVE and
 * KS_SLUG_BASE would set after KS_UPSERT, computed from the bound values
 * (its citations are written first, for the dates). ?30 is the slug.
 */
#define NEW_CITED(T, COLS, PARAMS, K) \
	"INSERT INTO " T "(" COLS ",slug,valid_from) VALUES(" PARAMS ",?30,COALESCE(" CITE_MIN(K, "?1") ",''))"

#define SOURCES_COLS "id,title,kind,date,url,file,note"
#define AGENCIES_COLS "id,name,parent,membership,oris,source,page,quote"
#define PARTNERS_COLS "id,name,kind,category,description,source,page,quote"
#define TRANSACTIONS_COLS "\"key\",name,section,purpose,inputs,returns,scope,max_states,source,page,quote"
#define FLOWS_COLS "id,\"from\",\"to\",via,\"transaction\",fields,status,conditions,since,\"until\",source,page,quote"
#define LAWS_COLS "state,id,title,enacted,summary,source,page,quote"
#define PARTICIPATION_COLS "state,function,as_of,value,detail,source,page,quote"
#define CLAIMS_COLS "id,subject,claim,value,as_of,source,page,quote"

static const char *const kind_sql[REC_COUNT][KS_COUNT] = {
	[REC_SOURCES] = ID_KIND("sources", SOURCES_COLS, P7, "id",
				"UPDATE sources SET valid_from=date WHERE id=?1", NULL),
	[REC_SYSTEMS] = ID_KIND("systems", "id,name,section", P3, "id", NULL, NULL),
	[REC_FIELDS] = ID_KIND("fields", "id,name,synonyms", P3, "id", NULL, NULL),
	[REC_AGENCIES] = ID_KIND("agencies", AGENCIES_COLS, P8, "id",
				 "UPDATE agencies SET valid_from=COALESCE(" CITE_MIN("agencies", "?1") ",'') WHERE id=?1",
				 NEW_CITED("agencies", AGENCIES_COLS, P8, "agencies")),
	[REC_PARTNERS] = ID_KIND("partners", PARTNERS_COLS, P8, "id",
				 "UPDATE partners SET valid_from=COALESCE(" CITE_MIN("partners", "?1") ",'') WHERE id=?1",
				 NEW_CITED("partners", PARTNERS_COLS, P8, "partners")),
	[REC_TRANSACTIONS] = ID_KIND("transactions", TRANSACTIONS_COLS, P11, "\"key\"",
				     "UPDATE transactions SET valid_from=COALESCE(" CITE_MIN("transactions", "?1")
				     ",'') WHERE \"key\"=?1",
				     NEW_CITED("transactions", TRANSACTIONS_COLS, P11, "transactions")),
	[REC_FLOWS] = ID_KIND("flows", FLOWS_COLS, P13, "id",
			      "UPDATE flows SET"
			      " from_state=CASE WHEN instr(\"from\",'/')>0"
			      " THEN substr(\"from\",1,instr(\"from\",'/')-1) END,"
			      " from_system=CASE WHEN instr(\"from\",'/')>0"
			      " THEN substr(\"from\",instr(\"from\",'/')+1) END,"
			      " valid_from=COALESCE(since," CITE_MIN("flows", "?1") ",''),"
			      " valid_until=\"until\" WHERE id=?1",
			      "INSERT INTO flows(" FLOWS_COLS ",slug,from_state,from_system,valid_from,valid_until)"
			      " VALUES(" P13 ",?30,"
			      " CASE WHEN instr(?2,'/')>0 THEN substr(?2,1,instr(?2,'/')-1) END,"
			      " CASE WHEN instr(?2,'/')>0 THEN substr(?2,instr(?2,'/')+1) END,"
			      " COALESCE(?9," CITE_MIN("flows", "?1") ",''), ?10)"),
	[REC_LAWS] = {
		[KS_UPSERT] = "INSERT INTO laws(" LAWS_COLS ") VALUES(" P8 ") ON CONFLICT(state,id)"
			      " DO UPDATE SET (" LAWS_COLS ")=(" P8 ")",
		[KS_GET_CITES] = "SELECT source, page FROM laws WHERE state=?1 AND id=?2",
		[KS_SET_CITES] = "UPDATE laws SET source=?20, page=?21 WHERE state=?1 AND id=?2",
		[KS_DERIVE] = "UPDATE laws SET valid_from=COALESCE(enacted,"
			      CITE_MIN("laws", "?1||'/'||?2") ",'') WHERE state=?1 AND id=?2",
		[KS_SELECT_ALL] = "SELECT " LAWS_COLS " FROM laws ORDER BY state, id",
		[KS_EXISTS] = "SELECT 1 FROM laws WHERE state=?1 AND id=?2",
		[KS_LIST_SLUGS] = "SELECT slug FROM laws WHERE state=?2 AND " DATE_OK("?1") " ORDER BY slug",
		[KS_GET_SLUG] = "SELECT " LAWS_COLS " FROM laws WHERE slug=?1 AND state=?3 AND " DATE_OK("?2"),
		[KS_SLUG_OF] = "SELECT slug FROM laws WHERE id=?1",
		[KS_SLUG_ITER] = "SELECT rowid, id, slug, state FROM laws ORDER BY state, id",
		[KS_SLUG_SET] = "UPDATE laws SET slug=?1 WHERE rowid=?2",
		[KS_SLUG_BASE] = "UPDATE laws SET slug=?3 WHERE state=?1 AND id=?2 AND slug IS NULL",
		[KS_SLUG_CLASH] = "SELECT 1 FROM laws GROUP BY state, slug HAVING count(*)>1 LIMIT 1",
		[KS_GET_ID] = "SELECT " LAWS_COLS " FROM laws WHERE state=?1 AND id=?2",
		[KS_INSERT_NEW] = "INSERT INTO laws(" LAWS_COLS ",slug,valid_from) VALUES(" P8 ",?30,"
				  "COALESCE(?4," CITE_MIN("laws", "?1||'/'||?2") ",''))",
	},
	/* Participation is shown per function: the newest as_of on the day. */
	[REC_PARTICIPATION] = {
		[KS_UPSERT] = "INSERT INTO participation(" PARTICIPATION_COLS ") VALUES(" P8 ")"
			      " ON CONFLICT(state,function,as_of) DO UPDATE SET ("
			      PARTICIPATION_COLS ")=(" P8 ")",
		[KS_GET_CITES] = "SELECT source, page FROM participation"
				 " WHERE state=?1 AND function=?2 AND as_of=?3",
		[KS_SET_CITES] = "UPDATE participation SET source=?20, page=?21"
				 " WHERE state=?1 AND function=?2 AND as_of=?3",
		[KS_DERIVE] = "UPDATE participation SET valid_from=as_of, slug=function"
			      " WHERE state=?1 AND function=?2 AND as_of=?3",
		[KS_SELECT_ALL] = "SELECT " PARTICIPATION_COLS " FROM participation"
				  " ORDER BY state, function, as_of",
		[KS_EXISTS] = "SELECT 1 FROM participation WHERE state=?1 AND function=?2 AND as_of=?3",
		[KS_LIST_SLUGS] = "SELECT DISTINCT function FROM participation"
				  " WHERE state=?2 AND (?1 IS NULL OR as_of<=?1) ORDER BY 1",
		[KS_GET_SLUG] = "SELECT " PARTICIPATION_COLS " FROM participation"
				" WHERE state=?3 AND function=?1 AND (?2 IS NULL OR as_of<=?2)"
				" ORDER BY as_of DESC LIMIT 1",
		[KS_SLUG_OF] = "SELECT function FROM participation WHERE function=?1 LIMIT 1",
		[KS_SLUG_ITER] = NULL,
		[KS_SLUG_SET] = NULL,
		[KS_GET_ID] = "SELECT " PARTICIPATION_COLS " FROM participation"
			      " WHERE state=?1 AND function=?2 AND as_of=?3",
		[KS_INSERT_NEW] = "INSERT INTO participation(" PARTICIPATION_COLS ",slug,valid_from)"
				  " VALUES(" P8 ",?2,?3)",
	},
	/* Claims are statements of sources, timeless as sources are (store_kind_has_valid_time). */
	[REC_CLAIMS] = ID_KIND("claims", CLAIMS_COLS, P8, "id", NULL,
			       "INSERT INTO claims(" CLAIMS_COLS ",slug) VALUES(" P8 ",?30)"),
};

sqlite3_stmt *store_kind_stmt(struct store *st, enum record_kind kind, enum kind_stmt which)
{
	assert(kind < REC_COUNT && which < KS_COUNT);
	return kind_sql[kind][which] ? store_stmt(st, kind_sql[kind][which]) : NULL;
}

/* ---- records ----------------------------------------------------------- */

void record_release(struct record *r)
{
	int i;

	if (!r->v)
		return;
	for (i = 0; i < r->n; i++)
		free(r->v[i]);
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

/* Copy the current row of `s` (ncols text columns) into `r`. */
static int record_from_row(sqlite3_stmt *s, int ncols, struct record *r)
{
	int i;

	r->v = calloc((size_t)ncols, sizeof(*r->v));
	if (!r->v)
		return -ENOMEM;
	r->n = ncols;
	for (i = 0; i < ncols; i++) {
		const unsigned char *t = sqlite3_column_text(s, i);

		r->v[i] = strdup(t ? (const char *)t : "");
		if (!r->v[i]) {
			record_release(r);
			return -ENOMEM;
		}
	}
	return 0;
}

static void record_key(const struct record_desc *d, const char *const *values, struct strbuf *key)
{
	int i;

	for (i = 0; i < d->nkeys; i++) {
		if (i)
			strbuf_addch(key, '/');
		strbuf_addstr(key, values[i]);
	}
}

static int bind_keys(sqlite3_stmt *s, const struct record_desc *d, const char *const *values)
{
	int i, rc = SQLITE_OK;

	for (i = 0; i < d->nkeys && rc == SQLITE_OK; i++)
		rc = store_bind_text(s, i + 1, values[i], 0);
	return rc;
}

/*
 * Bind text that outlives the step: the import's statements are stepped
 * right after binding and cleared by store_stmt_done(), so SQLite need not
 * copy each value (NULL or "" binds NULL when `null_empty`).
 */
static int bind_static(sqlite3_stmt *s, int i, const char *v, int null_empty)
{
	if (!v || (null_empty && !*v))
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

static const char *val(const char *const *values, int i)
{
	return values[i] ? values[i] : "";
}

/* The newest date among the sources in `list` ("" when none is known). */
static int newest_source_date(struct store *st, const struct strlist *list, struct strbuf *out)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT date FROM sources WHERE id=?1");
	size_t i;

	if (!s)
		return -EIO;
	for (i = 0; i < list->n; i++) {
		store_bind_text(s, 1, list->items[i], 0);
		if (sqlite3_step(s) == SQLITE_ROW) {
			const char *d = (const char *)sqlite3_column_text(s, 0);

			if (d && strcmp(d, out->buf) > 0) {
				strbuf_reset(out);
				strbuf_addstr(out, d);
			}
		}
		store_stmt_done(s);
	}
	return strbuf_ok(out);
}

/* Split a page list aligned with `n` sources; missing pages become "-". */
static int split_pages(const char *cell, size_t n, struct strlist *pages)
{
	int rc = strlist_split(pages, cell);

	while (!rc && pages->n < n)
		strlist_add(pages, "-");
	return rc ? rc : (pages->oom ? -ENOMEM : 0);
}

static void join(const struct strlist *l, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (i)
			strbuf_addch(out, ';');
		strbuf_addstr(out, l->items[i]);
	}
}

/*
 * Merge the stored citations (old_src/old_page) with the incoming ones:
 * stored first, then incoming sources not already cited. Pages stay
 * aligned; an all-"-" page list is written as "".
 */
static int merge_citations(const char *old_src, const char *old_page, const char *new_src,
			   const char *new_page, struct strbuf *src, struct strbuf *page)
{
	struct strlist os = STRLIST_INIT, op = STRLIST_INIT, ns = STRLIST_INIT, np = STRLIST_INIT;
	size_t i;
	int rc, any_page = 0;

	rc = strlist_split(&os, old_src);
	if (!rc)
		rc = split_pages(old_page, os.n, &op);
	if (!rc)
		rc = strlist_split(&ns, new_src);
	if (!rc)
		rc = split_pages(new_page, ns.n, &np);
	if (rc)
		goto out;
	for (i = 0; i < ns.n; i++) {
		if (strlist_find(&os, ns.items[i]) >= 0)
			continue;
		strlist_add(&os, ns.items[i]);
		strlist_add(&op, np.items[i]);
	}
	join(&os, src);
	for (i = 0; i < os.n && i < op.n; i++)
		any_page |= strcmp(op.items[i], "-") != 0;
	if (any_page) {
		op.n = op.n > os.n ? os.n : op.n;
		join(&op, page);
	}
	rc = strbuf_ok(src) ? strbuf_ok(src) : strbuf_ok(page);
	if (!rc && (os.oom || op.oom))
		rc = -ENOMEM;
out:
	strlist_release(&os);
	strlist_release(&op);
	strlist_release(&ns);
	strlist_release(&np);
	return rc;
}

static int rebuild_citations(struct store *st, enum record_kind kind, const char *key,
			     const char *src, const char *page, int fresh)
{
	sqlite3_stmt *del, *add;
	struct strlist sl = STRLIST_INIT, pl = STRLIST_INIT;
	size_t i;
	int rc;

	del = store_stmt(st, "DELETE FROM citations WHERE kind=?1 AND \"key\"=?2");
	add = store_stmt(st, "INSERT INTO citations(kind, \"key\", ord, source, page) VALUES(?1,?2,?3,?4,?5)");
	if (!del || !add)
		return -EIO;
	/* A record new to the inventory has nothing to delete. */
	rc = 0;
	if (!fresh) {
		sqlite3_bind_int(del, 1, kind);
		bind_static(del, 2, key, 0);
		rc = store_step_done(del);
	}
	if (!rc)
		rc = strlist_split(&sl, src);
	if (!rc)
		rc = split_pages(page, sl.n, &pl);
	for (i = 0; !rc && i < sl.n; i++) {
		sqlite3_bind_int(add, 1, kind);
		bind_static(add, 2, key, 0);
		sqlite3_bind_int(add, 3, (int)i);
		bind_static(add, 4, sl.items[i], 0);
		bind_static(add, 5, strcmp(pl.items[i], "-") ? pl.items[i] : NULL, 0);
		rc = store_step_done(add);
	}
	strlist_release(&sl);
	strlist_release(&pl);
	return rc;
}

static int rebuild_links(struct store *st, const struct record_desc *d, const char *key,
			 const char *const *values, int fresh)
{
	sqlite3_stmt *del, *add;
	int c, rc;

	del = store_stmt(st, "DELETE FROM links WHERE kind=?1 AND \"key\"=?2");
	add = store_stmt(st, "INSERT INTO links(kind, \"key\", col, ord, value) VALUES(?1,?2,?3,?4,?5)");
	if (!del || !add)
		return -EIO;
	rc = 0;
	if (!fresh) {
		sqlite3_bind_int(del, 1, d->kind);
		bind_static(del, 2, key, 0);
		rc = store_step_done(del);
	}
	for (c = 0; !rc && c < d->ncols; c++) {
		struct strlist items = STRLIST_INIT;
		size_t i;

		if (d->cols[c].type != COL_LIST && d->cols[c].type != COL_REFLIST)
			continue;
		rc = strlist_split(&items, val(values, c));
		for (i = 0; !rc && i < items.n; i++) {
			sqlite3_bind_int(add, 1, d->kind);
			bind_static(add, 2, key, 0);
			bind_static(add, 3, d->cols[c].name, 0);
			sqlite3_bind_int(add, 4, (int)i);
			bind_static(add, 5, items.items[i], 0);
			rc = store_step_done(add);
		}
		strlist_release(&items);
	}
	return rc;
}

static int set_document(struct store *st, const char *id, const struct store_document *doc)
{
	int rc;
	sqlite3_stmt *s = store_stmt(st, "UPDATE sources SET sha256=?2, content=?3 WHERE id=?1");

	if (!s)
		return -EIO;
	store_bind_text(s, 1, id, 0);
	if (doc) {
		store_bind_text(s, 2, doc->sha256_hex, 0);
		sqlite3_bind_blob64(s, 3, doc->len ? (const void *)doc->data : "", doc->len, SQLITE_TRANSIENT);
	}
	rc = store_step_done(s);
	/* Text extracted from other bytes no longer describes this source. */
	return rc ? rc : store_document_drop_stale(st, id);
}

/*
 * A cited record new to the inventory: its citations, then one insert that
 * also sets what KS_DERIVE and KS_SLUG_BASE would (the same values as the
 * upsert path, in two statements fewer), then its links.
 */
static int put_new_cited(struct store *st, const struct record_desc *d, const char *key, const char *const *row,
			 int src_col, int page_col)
{
	sqlite3_stmt *s = store_kind_stmt(st, d->kind, KS_INSERT_NEW);
	struct strbuf slug = STRBUF_INIT;
	int rc, i;

	if (!s)
		return -EIO;
	rc = rebuild_citations(st, d->kind, key, row[src_col], row[page_col], 1);
	if (rc)
		return rc;
	store_slug(row[d->nkeys - 1], &slug);
	if (strbuf_ok(&slug)) {
		strbuf_release(&slug);
		return -ENOMEM;
	}
	for (i = 0; i < d->ncols; i++)
		bind_static(s, i + 1, row[i], !(d->cols[i].flags & COLF_KEY));
	if (sqlite3_bind_parameter_count(s) >= 30)
		bind_static(s, 30, slug.buf, 0);
	rc = store_step_done(s);
	strbuf_release(&slug);
	if (!rc)
		rc = rebuild_links(st, d, key, row, 1);
	/* As KS_SLUG_BASE would: a kind with base slugs now has one more to check at commit. */
	if (!rc && kind_sql[d->kind][KS_SLUG_BASE])
		st->dirty_slugs |= 1u << d->kind;
	return rc;
}

int store_put_record(struct store *st, enum record_kind kind, const char *const *values,
		     const struct store_document *doc)
{
	const struct record_desc *d = store_record_desc(kind);
	int src_col = store_record_column(d, "source"), page_col = store_record_column(d, "page");
	struct strbuf key = STRBUF_INIT, src = STRBUF_INIT, page = STRBUF_INIT;
	struct strbuf old_date = STRBUF_INIT, new_date = STRBUF_INIT;
	const char **row = NULL;
	sqlite3_stmt *s;
	int rc = 0, existed = 0, keep_stored = 0, i;

	assert(d && d->nkeys > 0 && d->nkeys <= d->ncols);
	store_memo_clear(st);
	record_key(d, values, &key);
	row = calloc((size_t)d->ncols, sizeof(*row));
	if (!row || strbuf_ok(&key)) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < d->ncols; i++)
		row[i] = val(values, i);

	if (src_col >= 0) {
		const char *os = NULL, *op = NULL;

		s = store_kind_stmt(st, kind, KS_GET_CITES);
		if (!s || bind_keys(s, d, values) != SQLITE_OK) {
			rc = -EIO;
			goto out;
		}
		if (sqlite3_step(s) == SQLITE_ROW) {
			os = (const char *)sqlite3_column_text(s, 0);
			op = (const char *)sqlite3_column_text(s, 1);
			existed = 1;
		}
		/*
		 * A new row's citations go through the merge too (with nothing
		 * stored), so they are written in the one form a merge gives
		 * ("a;b", no "-"-only pages): a re-import then writes the same bytes.
		 */
		rc = merge_citations(os ? os : "", op ? op : "", row[src_col], row[page_col], &src, &page);
		store_stmt_done(s);
		if (rc)
			goto out;
		row[src_col] = src.buf;
		row[page_col] = page.buf;
		if (!existed) {
			rc = put_new_cited(st, d, key.buf, row, src_col, page_col);
			goto out;
		}
	}
	if (existed) {
		struct strlist new_list = STRLIST_INIT;

		/* Stored values stay when the stored row cites a newer source. */
		s = store_stmt(st, "SELECT MAX(s.date) FROM citations c JOIN sources s ON s.id=c.source"
				    " WHERE c.kind=?1 AND c.\"key\"=?2");
		if (!s) {
			rc = -EIO;
			goto out;
		}
		sqlite3_bind_int(s, 1, kind);
		store_bind_text(s, 2, key.buf, 0);
		if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
			strbuf_addstr(&old_date, (const char *)sqlite3_column_text(s, 0));
		store_stmt_done(s);
		rc = strlist_split(&new_list, val(values, src_col));
		if (!rc)
			rc = newest_source_date(st, &new_list, &new_date);
		strlist_release(&new_list);
		if (rc)
			goto out;
		keep_stored = strcmp(old_date.buf, new_date.buf) > 0;
	}
	if (keep_stored) {
		s = store_kind_stmt(st, kind, KS_SET_CITES);
		if (!s || bind_keys(s, d, values) != SQLITE_OK) {
			rc = -EIO;
			goto out;
		}
		store_bind_text(s, 20, src.buf, 0);
		store_bind_text(s, 21, page.buf, 1);
		rc = store_step_done(s);
	} else {
		s = store_kind_stmt(st, kind, KS_UPSERT);
		if (!s) {
			rc = -EIO;
			goto out;
		}
		for (i = 0; i < d->ncols; i++)
			store_bind_text(s, i + 1, row[i], !(d->cols[i].flags & COLF_KEY));
		rc = store_step_done(s);
		if (!rc)
			rc = rebuild_links(st, d, key.buf, row, src_col >= 0 && !existed);
	}
	if (!rc && kind == REC_SOURCES && !keep_stored)
		rc = set_document(st, key.buf, doc);
	if (!rc && src_col >= 0)
		rc = rebuild_citations(st, kind, key.buf, row[src_col], row[page_col], !existed);
	s = store_kind_stmt(st, kind, KS_DERIVE);
	if (!rc && s)
		rc = bind_keys(s, d, values) == SQLITE_OK ? store_step_done(s) : -EIO;
	/*
	 * A new record gets the slug of its id now; should two records then
	 * share a slug, the commit numbers them again in id order.
	 */
	s = store_kind_stmt(st, kind, KS_SLUG_BASE);
	if (!rc && s) {
		struct strbuf slug = STRBUF_INIT;

		store_slug(values[d->nkeys - 1], &slug);
		rc = bind_keys(s, d, values) == SQLITE_OK ? 0 : -EIO;
		if (!rc) {
			store_bind_text(s, d->nkeys + 1, slug.buf, 0);
			rc = store_step_done(s);
		}
		strbuf_release(&slug);
		if (!rc && sqlite3_changes(st->db))
			st->dirty_slugs |= 1u << kind;
	}
out:
	free(row);
	strbuf_release(&key);
	strbuf_release(&src);
	strbuf_release(&page);
	strbuf_release(&old_date);
	strbuf_release(&new_date);
	return rc;
}

int store_has_record(struct store *st, enum record_kind kind, const char *const *keys)
{
	sqlite3_stmt *s = store_kind_stmt(st, kind, KS_EXISTS);
	int rc;

	if (!s || bind_keys(s, store_record_desc(kind), keys) != SQLITE_OK)
		return -EIO;
	rc = sqlite3_step(s);
	store_stmt_done(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_sqlite_err(rc);
}

int store_each_record(struct store *st, enum record_kind kind,
		      int (*cb)(void *arg, const struct record *r), void *arg)
{
	const struct record_desc *d = store_record_desc(kind);
	sqlite3_stmt *s = store_kind_stmt(st, kind, KS_SELECT_ALL);
	int rc;

	if (!s)
		return -EIO;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct record r = { NULL, 0 };

		rc = record_from_row(s, d->ncols, &r);
		if (!rc)
			rc = cb(arg, &r);
		record_release(&r);
		if (rc)
			break;
	}
	store_stmt_done(s);
	if (rc == SQLITE_DONE)
		return 0;
	return rc;
}

int store_source_document(struct store *st, const char *source_id, struct strbuf *bytes,
			  struct strbuf *sha256_hex)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT content, sha256 FROM sources WHERE id=?1 AND content IS NOT NULL");
	int rc;

	if (!s)
		return -EIO;
	store_bind_text(s, 1, source_id, 0);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (bytes)
			strbuf_add(bytes, sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0));
		if (sha256_hex)
			strbuf_addstr(sha256_hex, (const char *)sqlite3_column_text(s, 1));
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? -ENOENT : store_sqlite_err(rc);
	}
	store_stmt_done(s);
	if (!rc && ((bytes && strbuf_ok(bytes)) || (sha256_hex && strbuf_ok(sha256_hex))))
		rc = -ENOMEM;
	return rc;
}

/* ---- reading by slug ----------------------------------------------------- */

int store_kind_has_valid_time(enum record_kind kind)
{
	return kind == REC_FLOWS || kind == REC_LAWS || kind == REC_PARTICIPATION;
}

int store_list_slugs(struct store *st, enum record_kind kind, const char *state,
		     const char *date, struct strlist *out)
{
	sqlite3_stmt *s = store_kind_stmt(st, kind, KS_LIST_SLUGS);

	if (!s)
		return -EIO;
	if (!store_kind_has_valid_time(kind))
		date = NULL;
	store_bind_text(s, 1, date, 1);
	if (sqlite3_bind_parameter_count(s) >= 2)
		store_bind_text(s, 2, state, 0);
	return store_collect(s, out);
}

/* Step a bound by-slug or by-id statement once: its row as a record, or -ENOENT. */
static int fetch_one(sqlite3_stmt *s, enum record_kind kind, struct record *out)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		rc = record_from_row(s, store_record_desc(kind)->ncols, out);
	else
		rc = rc == SQLITE_DONE ? -ENOENT : store_sqlite_err(rc);
	store_stmt_done(s);
	return rc;
}

static void memo_clear(struct record_memo *m)
{
	if (!m->valid)
		return;
	free(m->state);
	free(m->slug);
	free(m->date);
	record_release(&m->rec);
	memset(m, 0, sizeof(*m));
}

void store_memo_clear(struct store *st)
{
	size_t k;

	for (k = 0; k < REC_COUNT; k++)
		memo_clear(&st->memo[k]);
}

static int same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static int record_copy(struct record *dst, const struct record *src)
{
	int i;

	dst->v = calloc((size_t)src->n, sizeof(*dst->v));
	if (!dst->v)
		return -ENOMEM;
	dst->n = src->n;
	for (i = 0; i < src->n; i++) {
		dst->v[i] = strdup(src->v[i]);
		if (!dst->v[i]) {
			record_release(dst);
			return -ENOMEM;
		}
	}
	return 0;
}

/* Keep `rec` (taken over) as the memo of its kind. */
static int memo_keep(struct store *st, enum record_kind kind, const char *state, const char *slug,
		     const char *date, struct record *rec)
{
	struct record_memo *m = &st->memo[kind];

	memo_clear(m);
	m->state = state ? strdup(state) : NULL;
	m->slug = strdup(slug);
	m->date = date ? strdup(date) : NULL;
	m->rec = *rec;
	rec->v = NULL;
	rec->n = 0;
	m->valid = 1;
	if (m->slug && (!state || m->state) && (!date || m->date))
		return 0;
	memo_clear(m);
	return -ENOMEM;
}

int store_peek_by_slug(struct store *st, enum record_kind kind, const char *state, const char *slug,
		       const char *date, const struct record **out)
{
	struct record_memo *m;
	struct record rec;
	sqlite3_stmt *s;
	int rc;

	assert(kind < REC_COUNT);
	m = &st->memo[kind];
	if (!store_kind_has_valid_time(kind))
		date = NULL; /* and every day shares the memo */
	if (m->valid && same(m->state, state) && same(m->slug, slug) &&
	    same(m->date, date)) {
		*out = &m->rec;
		return 0;
	}
	s = store_kind_stmt(st, kind, KS_GET_SLUG);
	if (!s)
		return -EIO;
	store_bind_text(s, 1, slug, 0);
	store_bind_text(s, 2, date, 1);
	if (sqlite3_bind_parameter_count(s) >= 3)
		store_bind_text(s, 3, state, 0);
	rc = fetch_one(s, kind, &rec);
	if (!rc)
		rc = memo_keep(st, kind, state, slug, date, &rec);
	if (!rc)
		*out = &m->rec;
	return rc;
}

int store_get_by_slug(struct store *st, enum record_kind kind, const char *state,
		      const char *slug, const char *date, struct record *out)
{
	const struct record *rec;
	int rc = store_peek_by_slug(st, kind, state, slug, date, &rec);

	out->v = NULL;
	out->n = 0;
	return rc ? rc : record_copy(out, rec);
}

int store_get_by_id(struct store *st, enum record_kind kind, const char *const *keys, struct record *out)
{
	sqlite3_stmt *s = store_kind_stmt(st, kind, KS_GET_ID);
	int rc;

	out->v = NULL;
	out->n = 0;
	if (!s || bind_keys(s, store_record_desc(kind), keys) != SQLITE_OK)
		return -EIO;
	rc = fetch_one(s, kind, out);
	return rc;
}

int store_slug_of(struct store *st, enum record_kind kind, const char *id, struct strbuf *slug)
{
	sqlite3_stmt *s = store_kind_stmt(st, kind, KS_SLUG_OF);
	int rc;

	if (!s)
		return -EIO;
	store_bind_text(s, 1, id, 0);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_text(s, 0)) {
		strbuf_addstr(slug, (const char *)sqlite3_column_text(s, 0));
		rc = strbuf_ok(slug);
	} else {
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? -ENOENT : store_sqlite_err(rc);
	}
	store_stmt_done(s);
	return rc;
}

/* ---- slugs ----------------------------------------------------------------- */

struct slug_update {
	int64_t rowid;
	char *slug;
};

/*
 * Give every record of a kind its slug, in id order within its group
 * (laws: per state), so that two ids with one slug get -2, -3, ... stably.
 */
static int refresh_kind_slugs(struct store *st, enum record_kind kind)
{
	sqlite3_stmt *it = store_kind_stmt(st, kind, KS_SLUG_ITER);
	sqlite3_stmt *set = store_kind_stmt(st, kind, KS_SLUG_SET);
	struct hmap used = HMAP_INIT;
	struct strbuf group = STRBUF_INIT, base = STRBUF_INIT, cand = STRBUF_INIT;
	struct slug_update *ups = NULL;
	size_t nups = 0, aups = 0, i;
	int rc = 0;

	if (!it || !set)
		return it || set ? -EIO : 0;
	while ((rc = sqlite3_step(it)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(it, 1);
		const char *cur = (const char *)sqlite3_column_text(it, 2);
		const char *grp = (const char *)sqlite3_column_text(it, 3);
		unsigned n = 1;

		if (strcmp(group.buf, grp ? grp : "")) {
			hmap_release(&used);
			strbuf_reset(&group);
			strbuf_addstr(&group, grp ? grp : "");
		}
		strbuf_reset(&base);
		store_slug(id ? id : "", &base);
		strbuf_reset(&cand);
		strbuf_addstr(&cand, base.buf);
		while (hmap_get(&used, cand.buf, NULL)) {
			strbuf_reset(&cand);
			strbuf_addf(&cand, "%s-%u", base.buf, ++n);
		}
		if (strbuf_ok(&cand) || hmap_put(&used, cand.buf, 1)) {
			rc = -ENOMEM;
			break;
		}
		if (cur && !strcmp(cur, cand.buf))
			continue;
		if (array_reserve(&ups, nups, &aups, sizeof(*ups), 64)) {
			rc = -ENOMEM;
			break;
		}
		ups[nups].rowid = sqlite3_column_int64(it, 0);
		ups[nups].slug = strdup(cand.buf);
		if (!ups[nups++].slug) {
			rc = -ENOMEM;
			break;
		}
	}
	store_stmt_done(it);
	rc = rc == SQLITE_DONE ? 0 : (rc < 0 ? rc : store_sqlite_err(rc));
	for (i = 0; i < nups; i++) {
		if (!rc) {
			store_bind_text(set, 1, ups[i].slug, 0);
			sqlite3_bind_int64(set, 2, ups[i].rowid);
			rc = store_step_done(set);
		}
		free(ups[i].slug);
	}
	free(ups);
	hmap_release(&used);
	strbuf_release(&group);
	strbuf_release(&base);
	strbuf_release(&cand);
	return rc;
}

int store_refresh_slugs(struct store *st)
{
	int k, rc = 0;

	for (k = 0; k < REC_COUNT && !rc; k++) {
		sqlite3_stmt *clash = store_kind_stmt(st, (enum record_kind)k, KS_SLUG_CLASH);
		int step;

		if (!(st->dirty_slugs & (1u << k)) || !clash)
			continue;
		step = sqlite3_step(clash);
		store_stmt_done(clash);
		if (step == SQLITE_ROW)
			rc = refresh_kind_slugs(st, (enum record_kind)k);
		else if (step != SQLITE_DONE)
			rc = store_sqlite_err(step);
	}
	st->dirty_slugs = 0;
	return rc;
}
