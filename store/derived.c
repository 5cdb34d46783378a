// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Derived data: what the tree would otherwise compute on read, made by the
 * import that changed the inventory (fs/derive.c computes it, inside the
 * import's transaction) and read back by the mount as lookups.
 *
 *   change_log(part, body)      `changes` cut in parts of STORE_CHANGE_PART
 *                               bytes (the last shorter), so that a READ of
 *                               the mount is one row found by its number;
 *   derived_files(path, body)   costly files of the root tree (checklist,
 *                               maps, README), of one date (`files_date`): the
 *                               tree serves them until a change day (fs/tree.c);
 *   path_times(path, hash, mtime) a 64-bit hash of every root path's content
 *                               (a folder: its listing) and the time, in ns,
 *                               of the import that last changed it;
 *   derived(key, value)         `fresh` (1 after a derive, 0 after any other
 *                               write), `changes_size`, `files_date`,
 *                               `changed_at` (ns of the last import that
 *                               changed any path).
 *
 * A commit without a derive marks the data stale (store_commit), so that a
 * writer that does not derive (a unit test, a fuzzer) never leaves stale
 * answers behind: readers then compute on read as before.
 */
#include "store_i.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

enum {
	DS_GET, DS_PUT, DS_PARTS_CUT, DS_PART_PUT, DS_PARTS_READ, DS_PART_READ, DS_FILES_CLEAR, DS_FILE_PUT, DS_FILE_GET,
	DS_STAT_GET, DS_CHANGED_SINCE, DS_WALK_PUT, DS_WALK_DIRECT, DS_WALK_ANY, DS_WALK_KEEP, DS_WALK_LATE,
	DS_COUNT
};

static const char *const sql[DS_COUNT] = {
	[DS_GET] = "SELECT value FROM derived WHERE \"key\" = ?1",
	[DS_PUT] = "INSERT OR REPLACE INTO derived(\"key\", value) VALUES(?1, ?2)",
	[DS_PARTS_CUT] = "DELETE FROM change_log WHERE part >= ?1",
	[DS_PART_PUT] = "INSERT OR REPLACE INTO change_log(part, body) VALUES(?1, ?2)",
	[DS_PARTS_READ] = "SELECT body FROM change_log ORDER BY part",
	/*
	 * A rowid table, found by the part's number: a day's lines in one row
	 * of a table keyed by day spilled over thousands of overflow pages
	 * (20 MB at 1M flows), read whole for each READ that needed a piece.
	 */
	[DS_PART_READ] = "SELECT body FROM change_log WHERE part = ?1",
	[DS_FILES_CLEAR] = "DELETE FROM derived_files",
	[DS_FILE_PUT] = "INSERT OR REPLACE INTO derived_files(path, body) VALUES(?1, ?2)",
	[DS_FILE_GET] = "SELECT body FROM derived_files WHERE path = ?1",
	[DS_STAT_GET] = "SELECT mtime, size FROM path_times WHERE path = ?1",
	/* A scan, not an index on mtime: 50 ms at 934k paths, once per import, against an index every import keeps. */
	[DS_CHANGED_SINCE] = "SELECT path FROM path_times WHERE mtime > ?1",
	[DS_WALK_PUT] = "INSERT OR REPLACE INTO temp.walk(path, hash, size) VALUES(?1, ?2, ?3)",
	[DS_WALK_DIRECT] = "INSERT OR REPLACE INTO path_times(path, hash, mtime, size) VALUES(?1, ?2, ?3, ?4)",
	[DS_WALK_ANY] = "SELECT 1 FROM path_times LIMIT 1",
	[DS_WALK_KEEP] = ("INSERT OR REPLACE INTO temp.walk(path, hash, size) SELECT path, hash, size FROM path_times"
			  " WHERE path = ?1"),
	/* store_walk_end()'s merge, for one path. */
	[DS_WALK_LATE] = ("INSERT INTO path_times(path, hash, mtime, size) VALUES(?1, ?2, ?3, ?4) ON CONFLICT(path)"
			  " DO UPDATE SET hash = excluded.hash, mtime = excluded.mtime, size = excluded.size"
			  " WHERE hash <> excluded.hash"),
};

/* Each statement is cached under its text's address (store/stmt.c). */
static sqlite3_stmt *stmt(struct store *st, int which)
{
	return store_stmt(st, sql[which]);
}

static int err_of(struct store *st)
{
	int rc = store_sqlite_err(sqlite3_errcode(st->db));

	return rc ? rc : -EIO;
}

/* Step a statement that returns no row (or ignores them) and reset it. */
static int run(struct store *st, sqlite3_stmt *s)
{
	int rc;

	if (!s)
		return err_of(st);
	rc = sqlite3_step(s);
	store_stmt_done(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store_sqlite_err(rc);
}

/*
 * The first `n` integers of the row with this text key (statement `which`),
 * -1 for a NULL: 0, -ENOENT or an error.
 */
static int get_int64s(struct store *st, int which, const char *key, int64_t *values, int n)
{
	sqlite3_stmt *s = stmt(st, which);
	int i, rc;

	if (!s)
		return err_of(st);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	for (i = 0; rc == SQLITE_ROW && i < n; i++)
		values[i] = sqlite3_column_type(s, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, i);
	store_stmt_done(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : store_sqlite_err(rc);
}

int store_derived_get(struct store *st, const char *key, int64_t *value)
{
	return get_int64s(st, DS_GET, key, value, 1);
}

int store_derived_put(struct store *st, const char *key, int64_t value)
{
	sqlite3_stmt *s = stmt(st, DS_PUT);

	if (s) {
		sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, value);
	}
	return run(st, s);
}

/* The index of the facts' own words (facts_fts), which a search reads beside the documents' pages. */
static int facts_index(struct store *st)
{
	int rc = sqlite3_exec(st->db, "DELETE FROM main.facts_fts;" FACTS_FILL("main"), NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_sqlite_err(rc);
}

int store_derived_fresh(struct store *st)
{
	int64_t v = 0;

	return store_derived_get(st, "fresh", &v) == 0 && v == 1;
}

int store_derived_begin(struct store *st)
{
	int rc;

	assert(st->in_txn);
	rc = run(st, stmt(st, DS_FILES_CLEAR));
	if (!rc)
		rc = store_derived_put(st, "fresh", 0);
	return rc;
}

int store_derived_done(struct store *st)
{
	int rc = facts_index(st);

	if (!rc)
		rc = store_derived_put(st, "fresh", 1);

	if (!rc)
		st->derived_in_txn = 1;
	return rc;
}

void store_derived_unchanged(struct store *st)
{
	st->derived_in_txn = 1;
}

int store_derived_mark_stale(struct store *st)
{
	if (st->derived_in_txn) {
		st->derived_in_txn = 0;
		return 0;
	}
	return store_derived_put(st, "fresh", 0);
}

/* Append column 0, a blob (an empty one is NULL to SQLite). */
static void add_blob(struct strbuf *out, sqlite3_stmt *s, int col)
{
	const void *p = sqlite3_column_blob(s, col);
	size_t n = (size_t)sqlite3_column_bytes(s, col);

	if (p && n)
		strbuf_add(out, p, n);
}

/* ---- changes ---------------------------------------------------------------- */

/* Put a (key, body) row: a derived file. */
static int put_blob(struct store *st, int which, const char *key, const char *body, size_t len)
{
	sqlite3_stmt *s = stmt(st, which);

	if (s) {
		sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_blob64(s, 2, body ? body : "", len, SQLITE_STATIC);
	}
	return run(st, s);
}

int store_change_part_put(struct store *st, int64_t part, const char *body, size_t len)
{
	sqlite3_stmt *s = stmt(st, DS_PART_PUT);

	assert(part >= 0 && len > 0 && len <= STORE_CHANGE_PART);
	if (s) {
		sqlite3_bind_int64(s, 1, part);
		sqlite3_bind_blob64(s, 2, body, len, SQLITE_STATIC);
	}
	return run(st, s);
}

/* 1 when part `part` is stored with these bytes, 0 when not, or an error. */
static int part_is(struct store *st, int64_t part, const char *body, size_t len)
{
	sqlite3_stmt *s = stmt(st, DS_PART_READ);
	int rc;

	if (!s)
		return err_of(st);
	sqlite3_bind_int64(s, 1, part);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const void *p = sqlite3_column_blob(s, 0);

		rc = p && (size_t)sqlite3_column_bytes(s, 0) == len && !memcmp(p, body, len);
	}
	else
		rc = rc == SQLITE_DONE ? 0 : store_sqlite_err(rc);
	store_stmt_done(s);
	return rc;
}

/* Store the next part, unless it is stored so already. */
static int writer_put(struct store *st, struct store_change_writer *w, const char *body, size_t len)
{
	int rc = part_is(st, w->part, body, len);

	if (rc == 0) {
		rc = store_change_part_put(st, w->part, body, len);
		w->rewritten++;
	}
	if (rc >= 0) {
		w->part++;
		w->stored += (int64_t)len;
	}
	return rc < 0 ? rc : 0;
}

static int writer_flush(struct store *st, struct store_change_writer *w, int last)
{
	struct strbuf *b = &w->pending;
	size_t at = 0;
	int rc = b->oom ? -ENOMEM : 0;

	while (!rc && (b->len - at >= STORE_CHANGE_PART || (last && b->len > at))) {
		size_t n = b->len - at < STORE_CHANGE_PART ? b->len - at : STORE_CHANGE_PART;

		rc = writer_put(st, w, b->buf + at, n);
		at += n;
	}
	/* Less than a part is left: to the front, so the buffer stays that small. */
	if (at) {
		memmove(b->buf, b->buf + at, b->len - at);
		b->len -= at;
		b->buf[b->len] = '\0';
	}
	return rc;
}

int store_change_writer_flush(struct store *st, struct store_change_writer *w)
{
	return writer_flush(st, w, 0);
}

int store_change_writer_end(struct store *st, struct store_change_writer *w)
{
	sqlite3_stmt *s;
	int rc = writer_flush(st, w, 1);

	if (rc)
		return rc;
	s = stmt(st, DS_PARTS_CUT);
	if (s)
		sqlite3_bind_int64(s, 1, w->part);
	return run(st, s);
}

int store_changes_recut(struct store *st)
{
	struct store_change_writer w = STORE_CHANGE_WRITER_INIT;
	sqlite3_stmt *s = NULL;
	int r = SQLITE_DONE, rc;

	rc = store_sqlite_err(sqlite3_prepare_v2(st->db, "SELECT body FROM change_days ORDER BY day", -1, &s, NULL));
	while (!rc && (r = sqlite3_step(s)) == SQLITE_ROW) {
		add_blob(&w.pending, s, 0);
		rc = store_change_writer_flush(st, &w);
	}
	if (!rc && r != SQLITE_DONE)
		rc = store_sqlite_err(r);
	if (!rc)
		rc = store_change_writer_end(st, &w);
	sqlite3_finalize(s);
	strbuf_release(&w.pending);
	if (!rc)
		rc = store_sqlite_err(sqlite3_exec(st->db, "DROP TABLE change_days", NULL, NULL, NULL));
	return rc;
}

int store_changes_read(struct store *st, struct strbuf *out)
{
	sqlite3_stmt *s = stmt(st, DS_PARTS_READ);
	int rc;

	if (!s)
		return err_of(st);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		add_blob(out, s, 0);
	store_stmt_done(s);
	if (rc != SQLITE_DONE)
		return store_sqlite_err(rc);
	return strbuf_ok(out);
}

int store_changes_read_range(struct store *st, uint64_t off, size_t len, struct strbuf *out)
{
	sqlite3_stmt *s = stmt(st, DS_PART_READ);
	uint64_t end = off + len;
	int rc = SQLITE_ROW;

	if (!s)
		return err_of(st);
	while (rc == SQLITE_ROW && off < end) {
		uint64_t at = off % STORE_CHANGE_PART;
		const char *p = NULL;
		size_t n = 0;

		sqlite3_bind_int64(s, 1, (int64_t)(off / STORE_CHANGE_PART));
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			p = sqlite3_column_blob(s, 0);
			n = (size_t)sqlite3_column_bytes(s, 0);
			if (!p && n)
				rc = SQLITE_NOMEM; /* SQLite could not load the part */
		}
		if (rc == SQLITE_ROW) {
			/* A short part is the last: past it, the end of the log. */
			if (n < STORE_CHANGE_PART)
				end = off - at + n < end ? off - at + n : end;
			if (off < end) {
				n = (size_t)(end - off < n - at ? end - off : n - at);
				strbuf_add(out, p + at, n);
				off += n;
			}
		}
		store_stmt_done(s);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlite_err(rc);
	return strbuf_ok(out);
}

/* ---- files ------------------------------------------------------------------- */

int store_derived_file_put(struct store *st, const char *path, const char *body, size_t len)
{
	return put_blob(st, DS_FILE_PUT, path, body, len);
}

int store_derived_file_get(struct store *st, const char *path, struct strbuf *out)
{
	sqlite3_stmt *s = stmt(st, DS_FILE_GET);
	int rc;

	if (!s)
		return err_of(st);
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		add_blob(out, s, 0);
	store_stmt_done(s);
	if (rc == SQLITE_ROW)
		return strbuf_ok(out);
	return rc == SQLITE_DONE ? -ENOENT : store_sqlite_err(rc);
}

/* ---- times ------------------------------------------------------------------- */

int store_path_stat(struct store *st, const char *path, int64_t *ns, int64_t *size)
{
	int64_t row[2];
	int rc = get_int64s(st, DS_STAT_GET, path, row, 2);

	if (!rc) {
		*ns = row[0];
		*size = row[1];
	}
	return rc;
}

int store_paths_changed_since(struct store *st, int64_t since_ns, int (*fn)(void *arg, const char *path),
			      void *arg)
{
	sqlite3_stmt *s = stmt(st, DS_CHANGED_SINCE);
	int rc = 0, step = SQLITE_DONE;

	if (!s)
		return err_of(st);
	sqlite3_bind_int64(s, 1, since_ns);
	while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW)
		rc = fn(arg, (const char *)sqlite3_column_text(s, 0));
	if (!rc && step != SQLITE_DONE)
		rc = store_sqlite_err(step);
	store_stmt_done(s);
	return rc;
}

/*
 * With no path stored yet (a new inventory), every path the walk puts is
 * new: it goes straight into path_times with the import's time, with no
 * temporary table to merge (a b-tree of every path, half the walk's store
 * work, spilled to a temporary file at 100k flows).
 */
int store_walk_begin(struct store *st, int64_t now_ns)
{
	sqlite3_stmt *s = stmt(st, DS_WALK_ANY);
	int rc;

	if (!s)
		return err_of(st);
	rc = sqlite3_step(s);
	store_stmt_done(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlite_err(rc);
	st->walk_ns = now_ns;
	st->walk_direct = rc == SQLITE_DONE;
	if (st->walk_direct)
		return 0;
	/* A temporary table: the walk's hashes, merged into path_times by store_walk_end(). */
	return store_sqlite_err(sqlite3_exec(st->db,
					     "CREATE TEMP TABLE IF NOT EXISTS walk(path TEXT PRIMARY KEY,"
					     " hash INTEGER NOT NULL, size INTEGER) WITHOUT ROWID; DELETE FROM temp.walk;",
					     NULL, NULL, NULL));
}

int store_walk_put(struct store *st, const char *path, uint64_t hash, int64_t size)
{
	int direct = st->walk_direct;
	sqlite3_stmt *s = stmt(st, direct ? DS_WALK_DIRECT : DS_WALK_PUT);

	if (s) {
		sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, (int64_t)hash);
		if (direct)
			sqlite3_bind_int64(s, 3, st->walk_ns);
		if (size >= 0)
			sqlite3_bind_int64(s, 3 + direct, size);
		else
			sqlite3_bind_null(s, 3 + direct);
	}
	return run(st, s);
}

int store_walk_keep(struct store *st, const char *path)
{
	sqlite3_stmt *s;

	if (st->walk_direct) /* nothing stored to keep */
		return 0;
	s = stmt(st, DS_WALK_KEEP);

	if (s)
		sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	return run(st, s);
}

/* "`col` is none of the n prefixes (?1..?n) and under none of them". */
static void add_outside(struct strbuf *sql, const char *col, size_t n)
{
	size_t i;

	strbuf_addstr(sql, "1");
	for (i = 1; i <= n; i++)
		strbuf_addf(sql, " AND %s <> ?%zu AND substr(%s, 1, length(?%zu) + 1) <> ?%zu || '/'", col, i, col, i, i);
}

int store_walk_changed_outside(struct store *st, const char *const *prefixes, size_t n, long *changed)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *s = NULL;
	size_t i;
	int rc;

	if (st->walk_direct) { /* every path is new */
		strbuf_addstr(&sql, "SELECT count(*) FROM path_times p WHERE ");
		add_outside(&sql, "p.path", n);
	} else {
		strbuf_addstr(&sql, "SELECT (SELECT count(*) FROM temp.walk w LEFT JOIN path_times p ON p.path = w.path"
				    " WHERE (p.hash IS NULL OR p.hash <> w.hash) AND ");
		add_outside(&sql, "w.path", n);
		strbuf_addstr(&sql, ") + (SELECT count(*) FROM path_times p WHERE p.path NOT IN (SELECT path FROM temp.walk)"
				    " AND ");
		add_outside(&sql, "p.path", n);
		strbuf_addch(&sql, ')');
	}
	rc = strbuf_ok(&sql) ? -ENOMEM : store_sqlite_err(sqlite3_prepare_v2(st->db, sql.buf, -1, &s, NULL));
	for (i = 0; !rc && i < n; i++)
		sqlite3_bind_text(s, (int)i + 1, prefixes[i], -1, SQLITE_STATIC);
	if (!rc) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			*changed = (long)sqlite3_column_int64(s, 0);
		rc = rc == SQLITE_ROW ? 0 : store_sqlite_err(rc);
	}
	sqlite3_finalize(s);
	strbuf_release(&sql);
	return rc;
}

int store_walk_late(struct store *st, const char *path, uint64_t hash, int64_t size, int64_t now_ns, long *changed)
{
	sqlite3_stmt *s = stmt(st, DS_WALK_LATE);
	int rc;

	if (!s)
		return err_of(st);
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (int64_t)hash);
	sqlite3_bind_int64(s, 3, now_ns);
	sqlite3_bind_int64(s, 4, size);
	rc = run(st, s);
	if (!rc)
		*changed += (long)sqlite3_changes(st->db);
	return rc;
}

int store_walk_end(struct store *st, long *changed)
{
	sqlite3_stmt *s = NULL;
	long n = 0;
	int rc;

	if (st->walk_direct) { /* every path stored is new */
		st->walk_direct = 0;
		rc = sqlite3_prepare_v2(st->db, "SELECT count(*) FROM path_times", -1, &s, NULL);
		if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
			n = (long)sqlite3_column_int64(s, 0);
			rc = SQLITE_OK;
		}
		sqlite3_finalize(s);
		if (changed)
			*changed = n;
		return store_sqlite_err(rc);
	}
	/* Paths gone from the tree lose their time: a path that comes back is new. */
	rc = sqlite3_exec(st->db, "DELETE FROM path_times WHERE path NOT IN (SELECT path FROM temp.walk)", NULL,
			  NULL, NULL);
	if (rc == SQLITE_OK)
		n = (long)sqlite3_changes(st->db);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(st->db,
					"INSERT INTO path_times(path, hash, mtime, size) SELECT path, hash, ?1, size"
					" FROM temp.walk WHERE true ON CONFLICT(path) DO UPDATE SET hash = excluded.hash,"
					" mtime = excluded.mtime, size = excluded.size WHERE hash <> excluded.hash",
					-1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, st->walk_ns);
		rc = sqlite3_step(s);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
		n += (long)sqlite3_changes(st->db);
	}
	sqlite3_finalize(s);
	/* Sizes an older walk did not keep (schema 6): the same content, so not a change. */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "UPDATE path_times SET size = (SELECT w.size FROM temp.walk w"
				  " WHERE w.path = path_times.path) WHERE size IS NULL", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "DELETE FROM temp.walk", NULL, NULL, NULL);
	if (changed)
		*changed = n;
	return store_sqlite_err(rc);
}
