/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Private to store/: the handle and the prepared-statement cache. */
#ifndef NLETSFS_STORE_I_H
#define NLETSFS_STORE_I_H

#include <sqlite3.h>

#include "store.h"

/* Statement slots: per-kind statements first, then the fixed ones. */
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

/* The last record read by slug: a folder's files all ask for it in a row. */
struct record_memo {
	int valid;
	int kind;
	char *state, *slug, *date;
	struct record rec;
};

struct store {
	sqlite3 *db;
	unsigned flags;
	int in_txn;
	unsigned dirty_slugs;	/* bit per record_kind inserted since begin */
	int facts_fts_ok;	/* temp.facts_fts holds the facts as of facts_fts_version */
	int64_t facts_fts_version;
	char commit_error[256];	/* SQLite's message for a failed commit, which its rollback resets */
	sqlite3_stmt *kind_stmts[REC_COUNT][KS_COUNT];
	sqlite3_stmt *misc[96];	/* fixed statements by enum misc_stmt / relation / question */
	sqlite3_stmt *doc_stmts[64];	/* store/documents.c's statements */
	sqlite3_stmt *scan_stmts[16];	/* store/scans.c's statements */
	sqlite3_stmt *derived_stmts[16];	/* store/derived.c's statements */
	int derived_in_txn;	/* store_derived_done() ran in this write transaction */
	struct record_memo memo;
	struct strlist bulk_indexes;	/* CREATE INDEX statements that store_bulk_begin() dropped */
};

/** Forget the memo (a write, or a new read transaction). */
void store_memo_clear(struct store *st);

/** Prepare (once) and return a cached statement; NULL on error. */
sqlite3_stmt *store_kind_stmt(struct store *st, enum record_kind kind, enum kind_stmt which);
sqlite3_stmt *store_misc_stmt(struct store *st, int slot, const char *sql);
/** Prepare `sql` into *slot once (a statement cache of a file of store/); NULL on error. */
sqlite3_stmt *store_slot_stmt(struct store *st, sqlite3_stmt **slot, const char *sql);
/** Step a bound statement that returns no rows we need, then reset it: 0 or a negative errno. */
int store_step_done(sqlite3_stmt *s);
/** Reset and clear a cached statement after use. */
void store_stmt_done(sqlite3_stmt *s);
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
/** Recompute slugs of the kinds marked dirty. */
int store_refresh_slugs(struct store *st);

/* Slots of store->misc. */
enum misc_stmt {
	MS_BEGIN, MS_COMMIT, MS_ROLLBACK, MS_READ_BEGIN, MS_READ_END,
	MS_CITE_DEL, MS_CITE_ADD, MS_LINK_DEL, MS_LINK_ADD, MS_SOURCE_DATE,
	MS_CITES_MAXDATE, MS_SOURCE_DOC,
	MS_SOURCE_SETDOC, MS_GENERATION, MS_CHANGE_DATES, MS_BOUNDARY_FACTS,
	MS_STATE_FIELDS, MS_STATE_FLOWS, MS_STATE_SOURCES, /* store_state_system_lists */
	MS_REL_HAS_BASE, /* store_relation_has: MS_REL_HAS_BASE + enum store_relation */
	MS_REL_BASE = MS_REL_HAS_BASE + REL_COUNT, /* relations: MS_REL_BASE + enum store_relation */
	/* then the checklist's: evidence and background of each question, and a state's flows */
	MS_QUESTION_BASE = MS_REL_BASE + REL_COUNT
};

#endif
