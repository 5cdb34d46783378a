// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The prepared-statement cache, and the small steps every store file takes
 * with a statement: bind, step, collect, reset, map an error.
 *
 * A statement is prepared once per connection and kept, keyed by the
 * address of its SQL text (static storage, never a copy). Two call sites
 * can therefore never share a slot by mistake: the same statement is what
 * the same text gives, and a different text is a different key. A text
 * built at run time (the checklist's query of all rules) is keyed by the
 * address of a static object of its builder instead.
 *
 * The table is open-addressed (linear probing) and at most half full, so a
 * lookup, on every read the mount serves, is a multiply and a compare or
 * two. This file calls no other file of store/: the rest sit on it.
 */
#include "store_i.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

static size_t slot_of(const void *key, size_t mask)
{
	/* Fibonacci hashing: the low bits of an address are alignment, the high ones spread. */
	return (size_t)(((uint64_t)(uintptr_t)key * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & mask;
}

/* Double the table (or make its first 256 slots), re-placing every entry. */
static int cache_grow(struct stmt_cache *c)
{
	size_t na = c->alloc ? c->alloc * 2 : 256, i;
	struct stmt_entry *e = calloc(na, sizeof(*e));

	if (!e)
		return -ENOMEM;
	for (i = 0; i < c->alloc; i++) {
		size_t j;

		if (!c->e[i].key)
			continue;
		for (j = slot_of(c->e[i].key, na - 1); e[j].key; j = (j + 1) & (na - 1))
			;
		e[j] = c->e[i];
	}
	free(c->e);
	c->e = e;
	c->alloc = na;
	return 0;
}

sqlite3_stmt *store_stmt_find(struct store *st, const void *key)
{
	const struct stmt_cache *c = &st->stmts;
	size_t i;

	if (!c->alloc)
		return NULL;
	for (i = slot_of(key, c->alloc - 1); c->e[i].key; i = (i + 1) & (c->alloc - 1))
		if (c->e[i].key == key)
			return c->e[i].stmt;
	return NULL;
}

sqlite3_stmt *store_stmt_keyed(struct store *st, const void *key, const char *sql)
{
	struct stmt_cache *c = &st->stmts;
	sqlite3_stmt *s = store_stmt_find(st, key);
	size_t i;

	assert(key && sql);
	if (s)
		return s;
	if (2 * (c->n + 1) > c->alloc && cache_grow(c))
		return NULL;
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return NULL;
	}
	assert(2 * c->n < c->alloc); /* a free slot ends every probe */
	for (i = slot_of(key, c->alloc - 1); c->e[i].key; i = (i + 1) & (c->alloc - 1))
		;
	c->e[i].key = key;
	c->e[i].stmt = s;
	c->n++;
	return s;
}

sqlite3_stmt *store_stmt(struct store *st, const char *sql)
{
	return store_stmt_keyed(st, sql, sql);
}

void store_stmt_cache_release(struct store *st)
{
	struct stmt_cache *c = &st->stmts;
	size_t i;

	for (i = 0; i < c->alloc; i++)
		sqlite3_finalize(c->e[i].stmt);
	free(c->e);
	c->e = NULL;
	c->n = c->alloc = 0;
}

int store_sqlite_err(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
		return 0;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return -EINVAL;
	default:
		return -EIO;
	}
}

void store_stmt_done(sqlite3_stmt *s)
{
	if (s) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	}
}

int store_step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	store_stmt_done(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store_sqlite_err(rc);
}

int store_collect(sqlite3_stmt *s, struct strlist *out)
{
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);

		if (t)
			strlist_add(out, t);
	}
	store_stmt_done(s);
	if (rc != SQLITE_DONE)
		return store_sqlite_err(rc);
	return out->oom ? -ENOMEM : 0;
}

int store_bind_text(sqlite3_stmt *s, int i, const char *v, int null_empty)
{
	if (!v || (null_empty && !*v))
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}
