/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Private to store/: the handle, the prepared-statement cache and the helpers every file of store/ shares. */
#ifndef NLETSFS_STORE_I_H
#define NLETSFS_STORE_I_H

#include <sqlite3.h>

#include "store.h"

/* Schema version written to PRAGMA user_version. */
#define STORE_SCHEMA_VERSION 8
/* application_id marking an nletsfs inventory ("NLTS"). */
#define STORE_APPLICATION_ID 0x4e4c5453

/* The statements each record kind has (store/records.c's kind_sql table). */
enum kind_stmt {
	KS_UPSERT,	/* all descriptor columns, ?1..?n */
	KS_GET_CITES,	/* source, page by key */
	KS_SET_CITES,	/* ?1 source, ?2 page, key from ?3 */
	KS_DERIVE,	/* recompute derived columns by key */
	KS_SELECT_ALL,	/* descriptor columns, key order */
	KS_EXISTS,	/* 1 by key */
	KS_LIST_SLUGS,	/* slug; ?1 date or NULL, ?2 state */
	KS_GET_SLUG,	/* descriptor columns; ?1 slug, ?2 date, ?3 state */
	KS_SLUG_OF,	/* slug by id (first key) */
	KS_SLUG_ITER,	/* rowid, slug source, current slug, group (state) in slug order */
	KS_SLUG_SET,	/* ?1 slug, ?2 rowid */
	KS_SLUG_BASE,	/* a new record's slug: key ?1.., slug after the keys */
	KS_SLUG_CLASH,	/* a row when two records of a group share a slug */
	KS_GET_ID,	/* descriptor columns by key */
	KS_INSERT_NEW,	/* a cited record new to the inventory, derived columns and slug (?30) included */
	KS_COUNT
};

/*
 * A record kind named in SQL: record_kind('flows') is REC_FLOWS, through a
 * deterministic function store_open() registers from the descriptors'
 * names (SQLite evaluates it once a statement, and an index on a kind
 * column still serves). No statement writes a kind as a number. A name
 * that is no kind is an error when the statement runs.
 */
#define KIND(name) "record_kind('" name "')"
/*
 * The citation key (citations."key", links."key", mentions."key") of a row
 * `t` of a kind with more than one key column: its key columns joined by
 * '/', as store_put_record() writes them from the descriptor.
 */
#define LAW_KEY(t) t ".state||'/'||" t ".id"
#define PARTICIPATION_KEY(t) t ".state||'/'||" t ".function||'/'||" t ".as_of"

/* A record reference (store.h, before store_relation): its kind's number, then its names, tab-separated. */
#define REF1(kind, a) KIND(kind) "||char(9)||" a
#define REF2(kind, a, b) KIND(kind) "||char(9)||" a "||char(9)||" b

/*
 * The words of each record of the kind `table` (its table is named as the
 * kind), with the source it cites; FACTS_W(c) is a text column of the row r.
 * The stored index (store/derived.c) and a connection's own (store/documents.c)
 * are filled by the one FACTS_FILL.
 */
#define FACTS_W(c) "COALESCE(r." c ",'')"
#define FACTS_OF(table, key, words) \
	" UNION ALL SELECT c.source, " words " FROM " table " r JOIN citations c ON c.kind=" KIND(table) \
	" AND c.\"key\"=" key
#define FACTS_FILL(db) \
	"INSERT INTO " db ".facts_fts(source, text)" FACTS_ROWS
#define FACTS_ROWS \
	" SELECT r.id, r.id||' '||" FACTS_W("title") "||' '||" FACTS_W("note") " FROM sources r" \
	FACTS_OF("agencies", "r.id", "r.id||' '||r.name||' '||" FACTS_W("oris") "||' '||" FACTS_W("quote")) \
	FACTS_OF("partners", "r.id", "r.id||' '||r.name||' '||" FACTS_W("category") "||' '||" \
		 FACTS_W("description") "||' '||" FACTS_W("quote")) \
	FACTS_OF("transactions", "r.\"key\"", "r.\"key\"||' '||r.name||' '||" FACTS_W("purpose") "||' '||" \
		 FACTS_W("inputs") "||' '||" FACTS_W("returns") "||' '||" FACTS_W("quote")) \
	FACTS_OF("flows", "r.id", "r.id||' '||r.\"from\"||' '||r.\"to\"||' '||r.via||' '||" \
		 FACTS_W("\"transaction\"") "||' '||" FACTS_W("fields") "||' '||" FACTS_W("conditions") "||' '||" \
		 FACTS_W("quote")) \
	FACTS_OF("laws", LAW_KEY("r"), "r.state||' '||r.id||' '||r.title||' '||" FACTS_W("summary") "||' '||" \
		 FACTS_W("quote")) \
	FACTS_OF("participation", PARTICIPATION_KEY("r"), \
		 "r.state||' '||r.function||' '||r.value||' '||" FACTS_W("detail") "||' '||" FACTS_W("quote")) \
	FACTS_OF("claims", "r.id", "r.id||' '||r.subject||' '||r.claim||' '||" FACTS_W("value") "||' '||" \
		 FACTS_W("quote"))

/*
 * The last record of a kind read by slug: a folder's files all ask for it
 * in a row, between them records of other kinds (a flow's agencies).
 */
struct record_memo {
	int valid;
	char *state, *slug, *date;
	struct record rec;
};

/* The prepared statements of a connection, by the address of their SQL text (store/stmt.c). */
struct stmt_entry {
	const void *key;	/* NULL: a free slot */
	sqlite3_stmt *stmt;
};
struct stmt_cache {
	struct stmt_entry *e;
	size_t n, alloc;	/* alloc: a power of two, at least twice n */
};

struct store {
	sqlite3 *db;
	unsigned flags;
	int in_txn;
	unsigned dirty_slugs;	/* bit per record_kind inserted since begin */
	int facts_fts_ok;	/* temp.facts_fts holds the facts as of facts_fts_version */
	int64_t facts_fts_version;
	char commit_error[256];	/* SQLite's message for a failed commit, which its rollback resets */
	struct stmt_cache stmts;
	int derived_in_txn;	/* store_derived_done() ran in this write transaction */
	int answers_pass;	/* store_answers() reads temp.flow_ev (store_answers_pass) */
	struct record_memo memo[REC_COUNT];
	struct strlist bulk_indexes;	/* CREATE INDEX statements that store_bulk_begin() dropped */
	/* The walk under way (store_walk_begin): its time, what it changed, and by first name. */
	struct {
		int64_t ns;
		int direct;	/* path_times was empty: every path is new, none looked up */
		long changed;
		struct walk_top {
			char *name;
			long n;
		} *tops;
		size_t ntops, atops, last;	/* last: the entry counted last */
	} walk;
};

/**
 * Schema 7 -> 8 (migrate()): the stored change log's rows a day
 * (change_days) cut into change_log's parts, and change_days dropped.
 */
int store_changes_recut(struct store *st);
/** Store part `part` of the change log: STORE_CHANGE_PART bytes, fewer for the last (1 or more); the writer's, and tests'. */
int store_change_part_put(struct store *st, int64_t part, const char *body, size_t len);

/** What a walk (store_walk_begin) keeps: freed by store_walk_end(), and by store_close() after a failed one. */
void store_walk_release(struct store *st);
/** Forget the memo (a write, or a new read transaction). */
void store_memo_clear(struct store *st);

/**
 * The statement of the SQL text `sql`, prepared on first use and kept until
 * store_close(): `sql` must be static storage (a literal or a static table's
 * entry), since its address is the key. NULL when it does not prepare.
 */
sqlite3_stmt *store_stmt(struct store *st, const char *sql);
/**
 * The same, for a text built at run time: `key` is the address of a static
 * object of the builder, `sql` the text (used only on first use).
 */
sqlite3_stmt *store_stmt_keyed(struct store *st, const void *key, const char *sql);
/** The statement kept under `key`, or NULL when there is none yet (then build the text). */
sqlite3_stmt *store_stmt_find(struct store *st, const void *key);
/** Finalize every kept statement (store_close()). */
void store_stmt_cache_release(struct store *st);
/** A record kind's statement `which` (store/records.c), or NULL when the kind has none or it fails. */
sqlite3_stmt *store_kind_stmt(struct store *st, enum record_kind kind, enum kind_stmt which);
/** Reset and clear a cached statement after use. */
void store_stmt_done(sqlite3_stmt *s);
/** Step a bound statement that returns no rows we need, then reset it: 0 or a negative errno. */
int store_step_done(sqlite3_stmt *s);
/**
 * Step a bound statement to its end, adding its first column of each row
 * (NULLs skipped) to `out`, then reset it. 0, -ENOMEM or the SQLite error.
 */
int store_collect(sqlite3_stmt *s, struct strlist *out);
/** Bind text (NULL or "" binds NULL when `null_empty`). */
int store_bind_text(sqlite3_stmt *s, int i, const char *v, int null_empty);
/** Map an SQLite result code to a negative errno. */
int store_sqlite_err(int rc);
/** Drop the extracted text of a source whose stored document changed (store/documents.c). */
int store_document_drop_stale(struct store *st, const char *source_id);
/** Before a commit: derived data is stale unless store_derived_done() ran (store/derived.c). */
int store_derived_mark_stale(struct store *st);
/**
 * The slug of a display name: bytes [A-Za-z0-9._-] kept, spaces become '-',
 * every other byte dropped. "", "." and ".." become "_". Appends to `out`.
 */
void store_slug(const char *name, struct strbuf *out);
/** Recompute slugs of the kinds marked dirty. */
int store_refresh_slugs(struct store *st);

#endif
