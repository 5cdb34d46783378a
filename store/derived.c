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
#include <stdlib.h>
#include <string.h>

#include "../util/array.h"

enum {
	DS_GET, DS_PUT, DS_PARTS_CUT, DS_PART_PUT, DS_PARTS_READ, DS_PART_READ, DS_FILES_CLEAR, DS_FILE_PUT, DS_FILE_GET,
	DS_STAT_GET, DS_CHANGED_SINCE, DS_WALK_ANY, DS_WALK_GET, DS_WALK_SET, DS_WALK_SIZE, DS_WALK_DROP,
	DS_WALK_DROP_UNDER, DS_WALK_NEXT, DS_WALK_NEXT_UNDER, DS_WALK_LATE, DS_COUNT
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
	[DS_WALK_ANY] = "SELECT 1 FROM path_times LIMIT 1",
	[DS_WALK_GET] = "SELECT hash, size FROM path_times WHERE path = ?1",
	[DS_WALK_SET] = "INSERT OR REPLACE INTO path_times(path, hash, mtime, size) VALUES(?1, ?2, ?3, ?4)",
	[DS_WALK_SIZE] = "UPDATE path_times SET size = ?2 WHERE path = ?1",
	[DS_WALK_DROP] = "DELETE FROM path_times WHERE path = ?1",
	[DS_WALK_DROP_UNDER] = "DELETE FROM path_times WHERE path >= ?1 AND path < ?2",
	/* The first key from ?1 on (within ?2): a folder's next stored child, found by a seek. */
	[DS_WALK_NEXT] = "SELECT path FROM path_times WHERE path >= ?1 ORDER BY path LIMIT 1",
	[DS_WALK_NEXT_UNDER] = "SELECT path FROM path_times WHERE path >= ?1 AND path < ?2 ORDER BY path LIMIT 1",
	/* A path hashed after the walk (`changes`): its time moves when its hash does. */
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
 * The walk writes path_times as it goes: each path is looked up by its key
 * and written only when new or changed, with the import's time. A path
 * leaves the table when its folder's listing no longer names it (asked of
 * a folder whose listing changed), when it is listed but shows nothing
 * (store_walk_gone), or when a file takes the place of a folder. With no
 * path stored yet (a new inventory) nothing is looked up. What changed is
 * counted by the path's first name, for store_walk_changed_outside().
 * (A temporary table of every path merged at the end cost twice as much,
 * and spilled to a temporary file at 100k flows.)
 */
static int walk_count(struct store *st, const char *path, long n)
{
	size_t len = strcspn(path, "/"), i = st->walk.last;

	st->walk.changed += n;
	/* The walk's paths come a folder at a time: most share the last one's first name. */
	if (i >= st->walk.ntops || strlen(st->walk.tops[i].name) != len || strncmp(st->walk.tops[i].name, path, len))
		for (i = 0; i < st->walk.ntops; i++)
			if (strlen(st->walk.tops[i].name) == len && !strncmp(st->walk.tops[i].name, path, len))
				break;
	if (i == st->walk.ntops) {
		char *name = strndup(path, len);

		if (!name || array_reserve(&st->walk.tops, i, &st->walk.atops, sizeof(*st->walk.tops), 16)) {
			free(name);
			return -ENOMEM;
		}
		st->walk.tops[st->walk.ntops++] = (struct walk_top){ name, 0 };
	}
	st->walk.tops[i].n += n;
	st->walk.last = i;
	return 0;
}

void store_walk_release(struct store *st)
{
	size_t i;

	for (i = 0; i < st->walk.ntops; i++)
		free(st->walk.tops[i].name);
	free(st->walk.tops);
	st->walk.tops = NULL;
	st->walk.ntops = st->walk.atops = st->walk.last = 0;
	st->walk.changed = 0;
}

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
	store_walk_release(st);
	st->walk.ns = now_ns;
	st->walk.direct = rc == SQLITE_DONE;
	return 0;
}

/* Remove `path` and everything under it; counted. */
static int walk_drop(struct store *st, const char *path, int with_path)
{
	struct strbuf lo = STRBUF_INIT, hi = STRBUF_INIT;
	sqlite3_stmt *s;
	long n = 0;
	int rc = 0;

	if (with_path) {
		s = stmt(st, DS_WALK_DROP);
		if (s)
			sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
		rc = run(st, s);
		n += rc ? 0 : (long)sqlite3_changes(st->db);
	}
	/* Under "P/": from "P/" up to "P0" ('0' follows '/'). */
	strbuf_addf(&lo, "%s/", path);
	strbuf_addf(&hi, "%s0", path);
	if (!rc && (strbuf_ok(&lo) || strbuf_ok(&hi)))
		rc = -ENOMEM;
	if (!rc) {
		s = stmt(st, DS_WALK_DROP_UNDER);
		if (s) {
			sqlite3_bind_text(s, 1, lo.buf, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 2, hi.buf, -1, SQLITE_STATIC);
		}
		rc = run(st, s);
		n += rc ? 0 : (long)sqlite3_changes(st->db);
	}
	if (!rc && n)
		rc = walk_count(st, path, n);
	strbuf_release(&lo);
	strbuf_release(&hi);
	return rc;
}

/*
 * Of a stored path: 1 when its hash is `hash` (its size stored, should the
 * row have none), 0 when it differs or is new. *had: the row was there, 2
 * when with no size (a folder, a link, or a row of schema 6).
 */
static int walk_same(struct store *st, const char *path, uint64_t hash, int64_t size, int *had)
{
	sqlite3_stmt *s = stmt(st, DS_WALK_GET);
	int rc, same = 0, no_size = 0;

	*had = 0;
	if (!s)
		return err_of(st);
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		same = sqlite3_column_int64(s, 0) == (int64_t)hash;
		no_size = sqlite3_column_type(s, 1) == SQLITE_NULL;
		*had = 1 + no_size;
	}
	store_stmt_done(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlite_err(rc);
	/* Sizes an older walk did not keep (schema 6): the same content, so not a change. */
	if (same && no_size && size >= 0) {
		s = stmt(st, DS_WALK_SIZE);
		if (s) {
			sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, 2, size);
		}
		rc = run(st, s);
		if (rc)
			return rc;
	}
	return same;
}

static int walk_set(struct store *st, const char *path, uint64_t hash, int64_t size)
{
	sqlite3_stmt *s = stmt(st, DS_WALK_SET);
	int rc;

	if (s) {
		sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, (int64_t)hash);
		sqlite3_bind_int64(s, 3, st->walk.ns);
		if (size >= 0)
			sqlite3_bind_int64(s, 4, size);
		else
			sqlite3_bind_null(s, 4);
	}
	rc = run(st, s);
	return rc ? rc : walk_count(st, path, 1);
}

int store_walk_put(struct store *st, const char *path, uint64_t hash, int64_t size)
{
	int had = 0, rc = st->walk.direct ? 0 : walk_same(st, path, hash, size, &had);

	if (rc)
		return rc < 0 ? rc : 0;
	rc = walk_set(st, path, hash, size);
	/* A file or link where a folder was (a row with no size): what was under it went with it. */
	return !rc && had == 2 ? walk_drop(st, path, 0) : rc;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The stored children of folder `path` (prefix `pre`: "path/", or "" for
 * the root) that `names` (sorted) does not list, removed with all under
 * them. Children in key order, a seek each: past a child kept, to the
 * first key after its subtree.
 */
static int walk_prune(struct store *st, const char *pre, char *const *names, size_t n)
{
	struct strbuf from = STRBUF_INIT, child = STRBUF_INIT, hi = STRBUF_INIT;
	size_t plen = strlen(pre);
	int rc = 0;

	/* Keys of the folder's subtree: from "path/" up to "path0"; the root's, all but "". */
	strbuf_addstr(&from, pre);
	if (plen) {
		strbuf_add(&hi, pre, plen - 1);
		strbuf_addch(&hi, '0');
	}
	if (!plen)
		strbuf_addch(&from, '\001'); /* past "", the root's own key */
	if (strbuf_ok(&from) || strbuf_ok(&hi))
		rc = -ENOMEM;
	while (!rc) {
		sqlite3_stmt *s = stmt(st, plen ? DS_WALK_NEXT_UNDER : DS_WALK_NEXT);
		const char *key, *name;
		int step, under = 0;

		if (!s) {
			rc = err_of(st);
			break;
		}
		sqlite3_bind_text(s, 1, from.buf, -1, SQLITE_STATIC);
		if (plen)
			sqlite3_bind_text(s, 2, hi.buf, -1, SQLITE_STATIC);
		step = sqlite3_step(s);
		key = step == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
		strbuf_reset(&child);
		if (key) { /* the child: the key's first name past the prefix */
			strbuf_add(&child, key, plen + strcspn(key + plen, "/"));
			under = key[child.len] == '/';
		}
		store_stmt_done(s);
		if (step != SQLITE_ROW) {
			rc = step == SQLITE_DONE ? 0 : store_sqlite_err(step);
			break;
		}
		if ((rc = strbuf_ok(&child)) != 0)
			break;
		name = child.buf + plen;
		/* bsearch() wants an array, even of none. */
		if (!(n && bsearch(&name, names, n, sizeof(*names), cmp_name)) && (rc = walk_drop(st, child.buf, 1)) != 0)
			break;
		/*
		 * On: from the child itself to the next key ("child-x", a sibling,
		 * sorts before "child/..."); from a key under it, past them all
		 * ('0' follows '/').
		 */
		strbuf_reset(&from);
		strbuf_add(&from, child.buf, child.len);
		strbuf_addch(&from, under ? '0' : '\001');
		if ((rc = strbuf_ok(&from)) != 0)
			break;
	}
	strbuf_release(&from);
	strbuf_release(&child);
	strbuf_release(&hi);
	return rc;
}

int store_walk_put_dir(struct store *st, const char *path, uint64_t hash, const struct strlist *names)
{
	struct strbuf pre = STRBUF_INIT;
	char **sorted = NULL;
	int had = 0, rc = st->walk.direct ? 0 : walk_same(st, path, hash, -1, &had);

	if (rc)
		return rc < 0 ? rc : 0;
	rc = walk_set(st, path, hash, -1);
	/* Its listing changed: the names it no longer lists leave, with what was under them. */
	if (!rc && had) {
		if (names->n && !(sorted = malloc(names->n * sizeof(*sorted)))) {
			rc = -ENOMEM;
		} else if (names->n) {
			memcpy(sorted, names->items, names->n * sizeof(*sorted));
			qsort(sorted, names->n, sizeof(*sorted), cmp_name);
		}
		if (!rc && *path) {
			strbuf_addf(&pre, "%s/", path);
			rc = strbuf_ok(&pre);
		}
		if (!rc)
			rc = walk_prune(st, *path ? pre.buf : "", sorted, names->n);
	}
	free(sorted);
	strbuf_release(&pre);
	return rc;
}

int store_walk_gone(struct store *st, const char *path)
{
	return st->walk.direct ? 0 : walk_drop(st, path, 1);
}

int store_walk_changed_outside(struct store *st, const char *const *names, size_t n, long *changed)
{
	size_t i, j;

	*changed = st->walk.changed;
	for (i = 0; i < st->walk.ntops; i++)
		for (j = 0; j < n; j++)
			if (!strcmp(st->walk.tops[i].name, names[j]))
				*changed -= st->walk.tops[i].n;
	return 0;
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
	if (changed)
		*changed = st->walk.changed;
	store_walk_release(st);
	return 0;
}
