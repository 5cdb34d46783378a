// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * store/records.c against store/schema.c: a record kind's columns are
 * written in its descriptor, in its table's CREATE TABLE and in its
 * statements' column lists. These tests make them agree: every descriptor
 * against PRAGMA table_info and the table's CHECKs, every statement of a
 * kind against the descriptor's columns, and record_kind() (KIND() in SQL)
 * against the descriptors' names.
 */
#include "../testlib.h"

#include <string.h>

#include "../../../store/store_i.h"

/* Columns a table has beyond its descriptor's, written by the store, never imported. */
static int derived_column(enum record_kind kind, const char *name)
{
	static const char *const any[] = { "slug", "valid_from", "valid_until" };

	for (size_t i = 0; i < sizeof(any) / sizeof(any[0]); i++)
		if (!strcmp(name, any[i]))
			return 1;
	if (kind == REC_SOURCES)
		return !strcmp(name, "sha256") || !strcmp(name, "content");
	if (kind == REC_FLOWS)
		return !strcmp(name, "from_state") || !strcmp(name, "from_system");
	return 0;
}

static void test_records__descriptor_is_the_table(void **state)
{
	struct store *st = test_store_new();

	(void)state;
	for (int k = 0; k < REC_COUNT; k++) {
		const struct record_desc *d = store_record_desc((enum record_kind)k);
		sqlite3_stmt *s = NULL;
		int i = 0, key = 0;

		assert_int_equal(d->kind, k);
		assert_int_equal(sqlite3_prepare_v2(st->db, "SELECT name, \"notnull\", pk FROM pragma_table_info(?1)"
						    " ORDER BY cid", -1, &s, NULL), SQLITE_OK);
		sqlite3_bind_text(s, 1, d->name, -1, SQLITE_STATIC);
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(s, 0);
			int notnull = sqlite3_column_int(s, 1), pk = sqlite3_column_int(s, 2);

			if (i >= d->ncols) {
				/* After the descriptor's columns, only what the store derives. */
				if (!derived_column((enum record_kind)k, name))
					fail_msg("%s.%s: a column the descriptor lacks", d->name, name);
				assert_int_equal(pk, 0);
				i++;
				continue;
			}
			/* The descriptor's columns first, in its order: the bundle's CSV columns. */
			if (strcmp(name, d->cols[i].name))
				fail_msg("%s column %d: table has %s, descriptor %s", d->name, i, name, d->cols[i].name);
			if (!!(d->cols[i].flags & COLF_REQUIRED) != notnull)
				fail_msg("%s.%s: NOT NULL in one, not the other", d->name, name);
			if (d->cols[i].flags & COLF_KEY)
				assert_int_equal(pk, ++key);
			else
				assert_int_equal(pk, 0);
			i++;
		}
		sqlite3_finalize(s);
		assert_true(i >= d->ncols);
		assert_int_equal(key, d->nkeys);
	}
	store_close(st);
}

static void test_records__enums_are_the_checks(void **state)
{
	struct store *st = test_store_new();

	(void)state;
	for (int k = 0; k < REC_COUNT; k++) {
		const struct record_desc *d = store_record_desc((enum record_kind)k);
		struct strbuf sql = STRBUF_INIT;
		sqlite3_stmt *s = NULL;

		assert_int_equal(sqlite3_prepare_v2(st->db, "SELECT sql FROM sqlite_schema WHERE type='table' AND name=?1",
						    -1, &s, NULL), SQLITE_OK);
		sqlite3_bind_text(s, 1, d->name, -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		strbuf_addstr(&sql, (const char *)sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
		for (int c = 0; c < d->ncols; c++) {
			struct strbuf check = STRBUF_INIT;

			if (d->cols[c].type != COL_ENUM)
				continue;
			strbuf_addf(&check, "CHECK(%s IN (", d->cols[c].name);
			for (int v = 0; d->cols[c].values[v]; v++)
				strbuf_addf(&check, "%s'%s'", v ? "," : "", d->cols[c].values[v]);
			strbuf_addstr(&check, "))");
			if (!strstr(sql.buf, check.buf))
				fail_msg("%s: no %s in its CREATE TABLE", d->name, check.buf);
			strbuf_release(&check);
		}
		strbuf_release(&sql);
	}
	store_close(st);
}

/* A kind's statements that return its records return the descriptor's columns, and the upsert binds them. */
static void test_records__statements_follow_the_descriptor(void **state)
{
	static const enum kind_stmt records[] = { KS_SELECT_ALL, KS_GET_SLUG, KS_GET_ID };
	struct store *st = test_store_new();

	(void)state;
	for (int k = 0; k < REC_COUNT; k++) {
		const struct record_desc *d = store_record_desc((enum record_kind)k);
		sqlite3_stmt *s;

		for (size_t w = 0; w < sizeof(records) / sizeof(records[0]); w++) {
			s = store_kind_stmt(st, (enum record_kind)k, records[w]);
			assert_non_null(s);
			assert_int_equal(sqlite3_column_count(s), d->ncols);
			for (int c = 0; c < d->ncols; c++)
				if (strcmp(sqlite3_column_name(s, c), d->cols[c].name))
					fail_msg("%s statement %zu column %d: %s, not %s", d->name, w, c,
						 sqlite3_column_name(s, c), d->cols[c].name);
		}
		s = store_kind_stmt(st, (enum record_kind)k, KS_UPSERT);
		assert_non_null(s);
		assert_int_equal(sqlite3_bind_parameter_count(s), d->ncols);
	}
	store_close(st);
}

static void test_records__kinds_by_name_in_sql(void **state)
{
	struct store *st = test_store_new();
	sqlite3_stmt *s = NULL;

	(void)state;
	assert_int_equal(sqlite3_prepare_v2(st->db, "SELECT record_kind(?1)", -1, &s, NULL), SQLITE_OK);
	for (int k = 0; k < REC_COUNT; k++) {
		sqlite3_bind_text(s, 1, store_record_desc((enum record_kind)k)->name, -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(s, 0), k);
		sqlite3_reset(s);
	}
	/* A misspelt kind fails the statement rather than matching nothing. */
	sqlite3_bind_text(s, 1, "flow", -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ERROR);
	sqlite3_finalize(s);
	store_close(st);
}

/*
 * LAW_KEY() and PARTICIPATION_KEY(), the citation key of a row written in
 * SQL, name the rows store_put_record() cited: its key columns joined by '/'.
 */
static void test_records__citation_keys_in_sql(void **state)
{
	static const struct {
		enum record_kind kind;
		const char *sql;
	} kinds[] = {
		{ REC_LAWS, "SELECT count(*), count(r.id) FROM citations c LEFT JOIN laws r ON c.\"key\"=" LAW_KEY("r")
			    " WHERE c.kind=" KIND("laws") },
		{ REC_PARTICIPATION, "SELECT count(*), count(r.state) FROM citations c LEFT JOIN participation r"
				     " ON c.\"key\"=" PARTICIPATION_KEY("r") " WHERE c.kind=" KIND("participation") },
	};
	struct test_inventory *inv = *state;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		sqlite3_stmt *s = NULL;

		assert_int_equal(store_record_desc(kinds[i].kind)->nkeys > 1, 1);
		assert_int_equal(sqlite3_prepare_v2(inv->st->db, kinds[i].sql, -1, &s, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_true(sqlite3_column_int(s, 0) > 0);	/* the fixture cites some */
		assert_int_equal(sqlite3_column_int(s, 1), sqlite3_column_int(s, 0));	/* each names its row */
		sqlite3_finalize(s);
	}
}

/* Two texts, two statements; one text, one statement, whichever call site asks. */
static void test_records__statement_cache_keys_by_text(void **state)
{
	static const char a[] = "SELECT 1", b[] = "SELECT 1";
	struct store *st = test_store_new();
	sqlite3_stmt *sa = store_stmt(st, a), *sb = store_stmt(st, b);

	(void)state;
	assert_non_null(sa);
	assert_non_null(sb);
	assert_ptr_not_equal(sa, sb);
	assert_ptr_equal(store_stmt(st, a), sa);
	assert_ptr_equal(store_stmt_find(st, b), sb);
	assert_null(store_stmt_find(st, &state));
	/* Past the table's first growth, every statement is still found. */
	for (int k = 0; k < REC_COUNT; k++)
		for (int w = 0; w < KS_COUNT; w++)
			store_kind_stmt(st, (enum record_kind)k, (enum kind_stmt)w);
	assert_true(st->stmts.n > 2 && 2 * st->stmts.n <= st->stmts.alloc);
	assert_ptr_equal(store_stmt(st, a), sa);
	assert_ptr_equal(store_stmt(st, b), sb);
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records__descriptor_is_the_table),
		cmocka_unit_test(test_records__enums_are_the_checks),
		cmocka_unit_test(test_records__statements_follow_the_descriptor),
		cmocka_unit_test(test_records__kinds_by_name_in_sql),
		WITH_INVENTORY(test_records__citation_keys_in_sql),
		cmocka_unit_test(test_records__statement_cache_keys_by_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
