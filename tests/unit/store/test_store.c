// SPDX-License-Identifier: GPL-3.0-or-later
/* Unit tests of store/: schema, jurisdictions, records, slugs, dates, checks. */
#include "../testlib.h"
#include "../../../store/store_i.h"

#include <errno.h>
#include <sys/stat.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

static void test_store__new_inventory_has_56_jurisdictions(void **state)
{
	struct store *st = test_store_new();
	struct strbuf report = STRBUF_INIT;
	int i;

	(void)state;
	for (i = 1; i < STORE_NJURISDICTIONS; i++)
		assert_true(strcmp(store_jurisdiction_code(i - 1), store_jurisdiction_code(i)) < 0);
	assert_null(store_jurisdiction_code(STORE_NJURISDICTIONS));
	assert_string_equal(store_jurisdiction_name("NY"), "New York");
	assert_string_equal(store_jurisdiction_name("PR"), "Puerto Rico");
	assert_string_equal(store_jurisdiction_name("MP"), "Northern Mariana Islands");
	assert_null(store_jurisdiction_name("XX"));
	assert_null(store_jurisdiction_name("ny"));
	/* The table in the database agrees: check() counts it. */
	assert_int_equal(store_check(st, &report), 0);
	strbuf_release(&report);
	store_close(st);
}

static void write_sqlite(const char *path, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_store__refuses_what_it_does_not_understand(void **state)
{
	char *dir = test_tmpdir(), *foreign = NULL, *newer = NULL, *junk = NULL;
	struct strbuf err = STRBUF_INIT;
	struct store *st = NULL;

	(void)state;
	assert_true(asprintf(&foreign, "%s/foreign.db", dir) > 0);
	assert_true(asprintf(&newer, "%s/newer.db", dir) > 0);
	assert_true(asprintf(&junk, "%s/junk.db", dir) > 0);

	write_sqlite(foreign, "CREATE TABLE t(x)");
	assert_int_equal(store_open(foreign, STORE_CREATE, &st, &err), -EINVAL);
	assert_non_null(strstr(err.buf, "error: not an nletsfs inventory"));

	strbuf_reset(&err);
	assert_int_equal(store_open(newer, STORE_CREATE, &st, &err), 0);
	store_close(st);
	write_sqlite(newer, "PRAGMA user_version = 99");
	assert_int_equal(store_open(newer, STORE_READONLY, &st, &err), -EINVAL);
	assert_non_null(strstr(err.buf, "schema version 99"));

	strbuf_reset(&err);
	test_write(dir, "junk.db", "this is not a database, just text that is long enough to matter......"
				   "........................................................................");
	assert_int_not_equal(store_open(junk, STORE_CREATE, &st, &err), 0);
	assert_null(st);

	strbuf_release(&err);
	free(foreign);
	free(newer);
	free(junk);
	test_rmtree(dir);
	free(dir);
}

static void test_store__dates(void **state)
{
	static const struct {
		const char *s;
		int ok, full;
	} cases[] = {
		{ "2019", 1, 0 }, { "2019-06", 1, 0 }, { "2019-06-17", 1, 1 }, { "2020-02-29", 1, 1 },
		{ "2000-02-29", 1, 1 }, { "1900-02-29", 0, 0 }, { "2019-02-29", 0, 0 }, { "2025-02-30", 0, 0 },
		{ "2025-13-01", 0, 0 }, { "2025-00", 0, 0 }, { "2025-1-01", 0, 0 }, { "25", 0, 0 },
		{ "words", 0, 0 }, { "", 0, 0 }, { "2019-06-17x", 0, 0 }, { "0999", 0, 0 }, { "2019/06/17", 0, 0 },
	};
	char today[11];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(store_date_valid(cases[i].s) == 0, cases[i].ok);
		assert_int_equal(store_date_full(cases[i].s), cases[i].full);
	}
	store_today(today);
	assert_true(store_date_full(today));
}

static void test_store__slug(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "Datamaxx", "Datamaxx" }, { "Forensic Logic", "Forensic-Logic" },
		{ "BLS/Blue Line Services", "BLSBlue-Line-Services" }, { "a.b_c-d", "a.b_c-d" },
		{ "Rekor (REKOR), Inc.", "Rekor-REKOR-Inc." }, { "", "_" }, { ".", "_" }, { "..", "_" },
		{ "...", "..." }, { "/", "_" }, { "caf\xc3\xa9", "caf" }, { "DQ/KQ to CL", "DQKQ-to-CL" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb = STRBUF_INIT;

		store_slug(cases[i].in, &sb);
		assert_string_equal(sb.buf, cases[i].out);
		strbuf_release(&sb);
	}
}

static void put(struct store *st, enum record_kind kind, const char *const *v)
{
	assert_int_equal(store_put_record(st, kind, v, NULL), 0);
}

/* The agency ICE's `column` holds `want`. */
static void expect_ice(struct store *st, const char *column, const char *want)
{
	struct record r;

	assert_int_equal(store_get_by_slug(st, REC_AGENCIES, NULL, "ICE", NULL, &r), 0);
	assert_string_equal(r.v[store_record_column(store_record_desc(REC_AGENCIES), column)], want);
	record_release(&r);
}

static void test_store__newest_source_wins_and_citations_merge(void **state)
{
	struct store *st = test_store_new();
	const char *old_src[] = { "old", "Old report", "report", "2015", "", "", "" };
	const char *new_src[] = { "new", "New report", "report", "2020-11", "", "", "" };
	const char *a1[] = { "ICE", "Immigration and Customs Enforcement", "", "core", "", "old", "4", "" };
	const char *a2[] = { "ICE", "U.S. Immigration and Customs Enforcement", "", "core", "", "new", "3", "" };
	const char *a3[] = { "ICE", "ICE (older name)", "", "", "", "old", "9", "" };

	(void)state;
	assert_int_equal(store_begin(st), 0);
	put(st, REC_SOURCES, old_src);
	put(st, REC_SOURCES, new_src);
	put(st, REC_AGENCIES, a1);
	assert_int_equal(store_commit(st), 0);

	/* A newer source's claim replaces the value; both citations stay. */
	assert_int_equal(store_begin(st), 0);
	put(st, REC_AGENCIES, a2);
	assert_int_equal(store_commit(st), 0);
	expect_ice(st, "name", "U.S. Immigration and Customs Enforcement");
	expect_ice(st, "source", "old;new");
	expect_ice(st, "page", "4;3");

	/* An older source adds nothing new to the citations and does not win. */
	assert_int_equal(store_begin(st), 0);
	put(st, REC_AGENCIES, a3);
	assert_int_equal(store_commit(st), 0);
	expect_ice(st, "name", "U.S. Immigration and Customs Enforcement");
	expect_ice(st, "source", "old;new");
	store_close(st);
}

static void test_store__slugs_are_unique_in_id_order(void **state)
{
	struct store *st = test_store_new();
	const char *src[] = { "s", "S", "other", "2020", "", "", "" };
	const char *ids[] = { "a-b", "a b", "a!b", "a_b" };
	struct strlist slugs = STRLIST_INIT;
	struct strbuf slug = STRBUF_INIT;
	size_t i;

	(void)state;
	assert_int_equal(store_begin(st), 0);
	put(st, REC_SOURCES, src);
	for (i = 0; i < 4; i++) {
		const char *p[] = { ids[i], "Partner", "strategic", "", "", "s", "", "" };

		put(st, REC_PARTNERS, p);
	}
	assert_int_equal(store_commit(st), 0);
	/* Bytewise id order: "a b" < "a!b" < "a-b" < "a_b". */
	assert_int_equal(store_slug_of(st, REC_PARTNERS, "a b", &slug), 0);
	assert_string_equal(slug.buf, "a-b");
	strbuf_reset(&slug);
	assert_int_equal(store_slug_of(st, REC_PARTNERS, "a-b", &slug), 0);
	assert_string_equal(slug.buf, "a-b-2");
	strbuf_reset(&slug);
	assert_int_equal(store_slug_of(st, REC_PARTNERS, "a!b", &slug), 0);
	assert_string_equal(slug.buf, "ab");
	assert_int_equal(store_list_slugs(st, REC_PARTNERS, NULL, NULL, &slugs), 0);
	assert_int_equal(slugs.n, 4);
	assert_string_equal(slugs.items[0], "a-b");
	assert_string_equal(slugs.items[1], "a-b-2");
	strlist_release(&slugs);
	strbuf_release(&slug);
	store_close(st);
}

static void test_store__rollback_leaves_nothing(void **state)
{
	struct store *st = test_store_new();
	const char *src[] = { "s", "S", "other", "2020", "", "", "" };
	char *before = test_snapshot(st), *after;

	(void)state;
	assert_int_equal(store_begin(st), 0);
	put(st, REC_SOURCES, src);
	store_rollback(st);
	after = test_snapshot(st);
	assert_string_equal(before, after);
	free(before);
	free(after);
	store_close(st);
}

/* Every index's name and definition, read through a connection of its own. */
static char *index_schema(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name, sql FROM sqlite_schema WHERE type='index'"
					    " AND sql IS NOT NULL ORDER BY name", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW)
		strbuf_addf(&sb, "%s: %s\n", sqlite3_column_text(s, 0), sqlite3_column_text(s, 1));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return strbuf_detach(&sb, NULL);
}

static void expect_index_schema(const char *path, const char *want)
{
	char *got = index_schema(path);

	assert_string_equal(want, got);
	free(got);
}

/* A bulk load's dropped indexes are back however its transaction ends. */
static void test_store__bulk_load_keeps_the_indexes(void **state)
{
	char *dir = test_tmpdir(), *path = NULL, *want, *got, *before;
	const char *src[] = { "s", "S", "other", "2020", "", "", "" };
	const char *src2[] = { "t", "T", "other", "2021", "", "", "" };
	struct strbuf err = STRBUF_INIT;
	struct store *st = NULL;

	(void)state;
	assert_true(asprintf(&path, "%s/inv.db", dir) > 0);
	assert_int_equal(store_open(path, STORE_CREATE, &st, &err), 0);
	want = index_schema(path);
	assert_non_null(strstr(want, "links_by_value: CREATE INDEX"));

	/* Rolled back: the drops with everything else. */
	before = test_snapshot(st);
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_bulk_begin(st), 0);
	put(st, REC_SOURCES, src);
	store_rollback(st);
	expect_index_schema(path, want);
	got = test_snapshot(st);
	assert_string_equal(before, got);
	free(got);

	/* Committed without store_bulk_end(): the commit builds them. */
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_bulk_begin(st), 0);
	put(st, REC_SOURCES, src);
	assert_int_equal(store_commit(st), 0);
	expect_index_schema(path, want);

	/* sources is no longer empty: only the other tables' indexes go and come back. */
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_bulk_begin(st), 0);
	put(st, REC_SOURCES, src2);
	assert_int_equal(store_bulk_end(st), 0);
	assert_int_equal(store_commit(st), 0);
	expect_index_schema(path, want);

	free(before);
	free(want);
	store_close(st);
	strbuf_release(&err);
	test_rmtree(dir);
	free(dir);
	free(path);
}

/* A commit that fails says why, although the rollback that follows succeeds. */
static void test_store__failed_commit_says_why(void **state)
{
	struct store *st = test_store_new();
	const char *src[] = { "s", "S", "other", "2020", "", "", "" };
	const char *orphan[] = { "A", "Agency", "NOPE", "", "", "s", "", "" };

	(void)state;
	assert_int_equal(store_begin(st), 0);
	put(st, REC_SOURCES, src);
	put(st, REC_AGENCIES, orphan); /* a dangling parent fails the deferred foreign key */
	assert_int_not_equal(store_commit(st), 0);
	assert_non_null(strstr(store_errmsg(st), "FOREIGN KEY constraint failed"));
	assert_int_equal(store_begin(st), 0);
	store_rollback(st);
	assert_null(strstr(store_errmsg(st), "FOREIGN KEY"));
	store_close(st);
}

static void test_store__relations_follow_time(void **state)
{
	char *dir = test_tmpdir();
	struct store *st = test_store_new();
	struct strlist l = STRLIST_INIT;

	(void)state;
	test_copy_fixture("small", dir);
	test_import_ok(st, dir);
	/* NY's DMV gave ICE name and address until 2019-12-14, then blocked it. */
	assert_int_equal(store_relation(st, REL_SYSTEM_RECIPIENTS, "NY", "dmv", "2019-01-01", &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0], "ICE");
	strlist_release(&l);
	assert_int_equal(store_relation(st, REL_SYSTEM_BLOCKED, "NY", "dmv", "2019-01-01", &l), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(store_relation(st, REL_SYSTEM_BLOCKED, "NY", "dmv", "2019-12-14", &l), 0);
	assert_int_equal(l.n, 1);
	strlist_release(&l);
	assert_int_equal(store_relation(st, REL_SYSTEM_RECIPIENTS, "NY", "dmv", "2019-12-14", &l), 0);
	assert_int_equal(l.n, 0);
	/* Before anything is known: empty, not an error. */
	assert_int_equal(store_relation(st, REL_STATE_SYSTEMS, "NY", NULL, "1990-01-01", &l), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(store_relation(st, REL_FIELD_SHARED_BY, "ssn", NULL, "2019-06-01", &l), 0);
	assert_int_equal(l.n, 2); /* CA/dmv (until 2020) and */ /* e-verify's */
	assert_string_equal(l.items[0], "*/dmv");
	assert_string_equal(l.items[1], "CA/dmv");
	strlist_release(&l);
	store_close(st);
	test_rmtree(dir);
	free(dir);
}

/*
 * Entities have no valid time (store_kind_has_valid_time): on any day the
 * store lists them all and finds each; facts follow their days. The change
 * days are the days facts start or stop holding, and the dates of the
 * sources that move a relation (a partner list, a document with mentions),
 * not the dates of the sources that merely describe an entity.
 */
static void test_store__entities_have_no_valid_time(void **state)
{
	static const char *const days[] = {
		"2014-01-01",	/* ca-dmv-to-ice, ny-dmv-to-ice-before: since 2014 */
		"2018-10-01",	/* e-verify-dl-check: since 2018-10 */
		"2019-06-17",	/* NY's law A3675, enacted */
		"2019-06-18",	/* pia-030g, a document that mentions fields */
		"2019-12-14",	/* NY blocks ICE; its participation row; the flow before ends */
		"2020-01-01",	/* ca-dmv-to-ice ends */
		"2020-10-01",	/* list-2020, a partner list */
	};
	char *dir = test_tmpdir();
	struct store *st = test_store_new();
	struct strlist l = STRLIST_INIT;
	const struct record *r;
	size_t i;
	int k;

	(void)state;
	for (k = 0; k < REC_COUNT; k++)
		assert_int_equal(store_kind_has_valid_time((enum record_kind)k),
				 k == REC_FLOWS || k == REC_LAWS || k == REC_PARTICIPATION);
	test_copy_fixture("small", dir);
	test_import_ok(st, dir);
	/* ICE's one source (qa-2020) is of 2020-11; a flow to ICE holds from 2014. */
	assert_int_equal(store_list_slugs(st, REC_AGENCIES, NULL, "1990-01-01", &l), 0);
	assert_int_equal(l.n, 4);
	strlist_release(&l);
	assert_int_equal(store_peek_by_slug(st, REC_AGENCIES, NULL, "ICE", "2014-01-01", &r), 0);
	assert_string_equal(r->v[0], "ICE");
	assert_int_equal(store_peek_by_slug(st, REC_TRANSACTIONS, NULL, "DQ", "1990-01-01", &r), 0);
	assert_int_equal(store_peek_by_slug(st, REC_SOURCES, NULL, "qa-2020", "1990-01-01", &r), 0);
	assert_int_equal(store_peek_by_slug(st, REC_PARTNERS, NULL, "Datamaxx", "1990-01-01", &r), 0);
	assert_int_equal(store_list_slugs(st, REC_FLOWS, NULL, "1990-01-01", &l), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(store_peek_by_slug(st, REC_FLOWS, NULL, "ca-dmv-to-ice", "2020-01-01", &r), -ENOENT);
	/* Relations of entities to entities hold on every day. */
	assert_int_equal(store_relation(st, REL_FIELD_RETURNED_BY, "ssn", NULL, "1990-01-01", &l), 0);
	assert_int_equal(l.n, 2);
	strlist_release(&l);
	assert_int_equal(store_relation(st, REL_SOURCE_SUPPORTS, "qa-2020", NULL, "1990-01-01", &l), 0);
	assert_int_equal(l.n, 8); /* 4 agencies, 2 partners, 2 message types; no fact yet */
	strlist_release(&l);
	assert_int_equal(store_change_dates(st, &l), 0);
	assert_int_equal(l.n, sizeof(days) / sizeof(days[0]));
	for (i = 0; i < l.n; i++)
		assert_string_equal(l.items[i], days[i]);
	strlist_release(&l);
	store_close(st);
	test_rmtree(dir);
	free(dir);
}

/* One state's lists from three queries are the lists of five queries per system. */
static void test_store__state_system_lists_are_the_relations(void **state)
{
	static const char *const days[] = { "2015-01-01", "2019-01-01", "2019-12-14", "2021-06-01", "2030-01-01" };
	char *dir = test_tmpdir();
	struct store *st = test_store_new();
	size_t d, i, compared = 0;
	int j, r, k;

	(void)state;
	test_copy_fixture("small", dir);
	test_import_ok(st, dir);
	for (d = 0; d < sizeof(days) / sizeof(days[0]); d++)
		for (j = 0; j < STORE_NJURISDICTIONS; j++) {
			const char *code = store_jurisdiction_code(j);
			struct store_system_lists *l = NULL;
			struct strlist one = STRLIST_INIT;
			size_t n = 0;
			int has_dmv = 0;

			assert_int_equal(store_state_system_lists(st, code, days[d], &l, &n), 0);
			for (i = 0; i < n; i++) {
				has_dmv |= !strcmp(l[i].system, "dmv");
				for (r = REL_SYSTEM_FIELDS; r <= REL_SYSTEM_SOURCES; r++) {
					const struct strlist *got = &l[i].rel[r - REL_SYSTEM_FIELDS];

					assert_int_equal(store_relation(st, r, code, l[i].system, days[d], &one), 0);
					assert_int_equal(got->n, one.n);
					for (k = 0; k < (int)one.n; k++)
						assert_string_equal(got->items[k], one.items[k]);
					strlist_release(&one);
					compared++;
				}
			}
			/* And a system with flows is not left out. */
			assert_int_equal(store_relation(st, REL_SYSTEM_SOURCES, code, "dmv", days[d], &one), 0);
			assert_int_equal(has_dmv, one.n > 0);
			strlist_release(&one);
			store_system_lists_free(l, n);
		}
	assert_true(compared > 20);
	store_close(st);
	test_rmtree(dir);
	free(dir);
}

static void test_store__check_reports_a_fact_without_source(void **state)
{
	char *dir = test_tmpdir(), *db = NULL;
	struct strbuf err = STRBUF_INIT, report = STRBUF_INIT;
	struct store *st = NULL;
	sqlite3 *raw;

	(void)state;
	assert_true(asprintf(&db, "%s/inv.db", dir) > 0);
	test_copy_fixture("small", dir);
	assert_int_equal(store_open(db, STORE_CREATE, &st, &err), 0);
	test_import_ok(st, dir);
	assert_int_equal(store_check(st, &report), 0);
	store_close(st);
	/* Damage it behind the store's back. */
	assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "DELETE FROM citations WHERE \"key\"='ny-dmv-blocks-ice'", NULL, NULL,
				      NULL), SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(store_open(db, STORE_READONLY, &st, &err), 0);
	strbuf_reset(&report);
	assert_int_equal(store_check(st, &report), 1);
	assert_non_null(strstr(report.buf, "fact without a source: flows/ny-dmv-blocks-ice"));
	store_close(st);
	strbuf_release(&err);
	strbuf_release(&report);
	free(db);
	test_rmtree(dir);
	free(dir);
}

/*
 * A walk of the root (paths[0], "") listing the files paths[1..n-1], with
 * their hashes, at time `now`, which must change `changed` paths; then
 * commit.
 */
static void walk_paths(struct store *st, const char *const *paths, const uint64_t *hashes, size_t n, int64_t now,
		       long changed)
{
	struct strlist names = STRLIST_INIT;
	long got = -1;
	size_t i;

	for (i = 1; i < n; i++)
		strlist_add(&names, paths[i]);
	assert_int_equal(store_walk_begin(st, now), 0);
	assert_int_equal(store_walk_put_dir(st, paths[0], hashes[0], &names), 0);
	strlist_release(&names);
	for (i = 1; i < n; i++)
		assert_int_equal(store_walk_put(st, paths[i], hashes[i], -1), 0);
	assert_int_equal(store_walk_end(st, &got), 0);
	assert_int_equal(got, changed);
	assert_int_equal(store_derived_done(st), 0);
	assert_int_equal(store_commit(st), 0);
}

/* `path`'s stored time is `want`. */
static void assert_mtime(struct store *st, const char *path, int64_t want)
{
	int64_t ns = 0, size = 0;

	assert_int_equal(store_path_stat(st, path, &ns, &size), 0);
	assert_int_equal(ns, want);
}

/* Derived data: fresh only after a derive; a walk moves the time of what changed, new or gone. */
static void test_store__derived_data_and_path_times(void **state)
{
	struct store *st = test_store_new();
	struct strbuf out = STRBUF_INIT;
	int64_t ns = 0, size = 0;

	(void)state;
	assert_false(store_derived_fresh(st));
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_derived_begin(st), 0);
	assert_int_equal(store_change_part_put(st, 0, "a\n", 2), 0);
	assert_int_equal(store_derived_file_put(st, "README", "r\n", 2), 0);
	walk_paths(st, (const char *const[]){ "", "README", "gone" }, (const uint64_t[]){ 1, 2, 3 }, 3, 100, 3);
	assert_true(store_derived_fresh(st));
	assert_int_equal(store_changes_read(st, &out), 0);
	assert_string_equal(out.buf, "a\n");
	strbuf_reset(&out);
	assert_int_equal(store_derived_file_get(st, "README", &out), 0);
	assert_string_equal(out.buf, "r\n");
	assert_int_equal(store_derived_file_get(st, "maps/x.svg", &out), -ENOENT);
	/* An empty file (an empty list) is a row too. */
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_derived_file_put(st, "questions/x/yes", "", 0), 0);
	assert_int_equal(store_commit(st), 0);
	strbuf_reset(&out);
	assert_int_equal(store_derived_file_get(st, "questions/x/yes", &out), 0);
	assert_int_equal(out.len, 0);
	assert_int_equal(store_path_stat(st, "README", &ns, &size), 0);
	assert_int_equal(ns, 100);
	assert_int_equal(size, -1); /* the walk kept no size for it */

	/* A second walk: README unchanged keeps 100, the root changed, `gone` went, `new` came. */
	assert_int_equal(store_begin(st), 0);
	walk_paths(st, (const char *const[]){ "", "README", "new" }, (const uint64_t[]){ 9, 2, 4 }, 3, 200, 3);
	assert_mtime(st, "README", 100);
	assert_mtime(st, "", 200);
	assert_mtime(st, "new", 200);
	assert_int_equal(store_path_stat(st, "gone", &ns, &size), -ENOENT);

	/* A write that does not derive leaves them stale; one that records a run only does not. */
	assert_int_equal(store_begin(st), 0);
	store_derived_unchanged(st);
	assert_int_equal(store_commit(st), 0);
	assert_true(store_derived_fresh(st));
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_commit(st), 0);
	assert_false(store_derived_fresh(st));
	strbuf_release(&out);
	store_close(st);
}

/* A folder `path` listing the n `names`, walked with `hash`. */
static void walk_dir(struct store *st, const char *path, uint64_t hash, const char *const *names, size_t n)
{
	struct strlist l = STRLIST_INIT;
	size_t i;

	for (i = 0; i < n; i++)
		strlist_add(&l, names[i]);
	assert_int_equal(store_walk_put_dir(st, path, hash, &l), 0);
	strlist_release(&l);
}

/* The walk's changes outside imports/ and changes, and in all, once it ends. */
static void walk_done(struct store *st, long outside, long changed)
{
	static const char *const not_facts[] = { "imports", "changes" }; /* as fs_derive() asks */
	long got = -1;

	assert_int_equal(store_walk_changed_outside(st, not_facts, 2, &got), 0);
	assert_int_equal(got, outside);
	assert_int_equal(store_walk_end(st, &got), 0);
	assert_int_equal(got, changed);
}

/*
 * The walk writes path_times as it goes: a new path takes the import's
 * time, an unchanged one keeps its own; a name its folder no longer lists
 * goes with all under it, as does a name listed that shows nothing, and
 * what was under a folder that became a file; `changes`, listed but hashed
 * late, keeps its time. What changed is counted, in all and outside
 * imports/ and changes.
 */
static void test_store__walk_first_and_next(void **state)
{
	struct store *st = test_store_new();
	int64_t ns = 0, size = 0;
	long changed = 0;

	(void)state;
	/* A new inventory: nothing stored, nothing looked up. */
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_derived_begin(st), 0);
	assert_int_equal(store_walk_begin(st, 5), 0);
	walk_dir(st, "", 1, (const char *const[]){ "README", "changes", "imports", "maps" }, 4);
	assert_int_equal(store_walk_put(st, "README", 2, 7), 0);
	walk_dir(st, "imports", 3, (const char *const[]){ "000001" }, 1);
	assert_int_equal(store_walk_put(st, "imports/000001", 4, 1), 0);
	walk_dir(st, "maps", 5, (const char *const[]){ "a.svg", "b.svg", "b.svg-old" }, 3);
	walk_dir(st, "maps/a.svg", 6, NULL, 0); /* a folder, for now */
	assert_int_equal(store_walk_put(st, "maps/a.svg/x", 7, 1), 0);
	assert_int_equal(store_walk_put(st, "maps/b.svg", 8, 1), 0);
	assert_int_equal(store_walk_put(st, "maps/b.svg-old", 9, 1), 0);
	walk_done(st, 7, 9);
	assert_int_equal(store_walk_late(st, "changes", 40, 3, 5, &changed), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(store_derived_done(st), 0);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_path_stat(st, "README", &ns, &size), 0);
	assert_int_equal(ns, 5);
	assert_int_equal(size, 7);
	assert_mtime(st, "changes", 5);

	/* The next: imports/ moved; maps/a.svg is a file now, b.svg shows nothing, b.svg-old stays. */
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_derived_begin(st), 0);
	assert_int_equal(store_walk_begin(st, 9), 0);
	walk_dir(st, "", 1, (const char *const[]){ "README", "changes", "imports", "maps" }, 4);
	assert_int_equal(store_walk_put(st, "README", 2, 7), 0);
	walk_dir(st, "imports", 30, (const char *const[]){ "000001", "000002" }, 2);
	assert_int_equal(store_walk_put(st, "imports/000001", 4, 1), 0);
	assert_int_equal(store_walk_put(st, "imports/000002", 50, 1), 0);
	walk_dir(st, "maps", 5, (const char *const[]){ "a.svg", "b.svg", "b.svg-old" }, 3);
	assert_int_equal(store_walk_put(st, "maps/a.svg", 60, 2), 0);
	assert_int_equal(store_walk_gone(st, "maps/b.svg"), 0);
	assert_int_equal(store_walk_put(st, "maps/b.svg-old", 9, 1), 0);
	walk_done(st, 3, 5); /* a.svg, a.svg/x, b.svg; imports and 000002 */
	assert_int_equal(store_derived_done(st), 0);
	assert_int_equal(store_commit(st), 0);
	assert_mtime(st, "README", 5);
	assert_mtime(st, "imports", 9);
	assert_mtime(st, "imports/000002", 9);
	assert_mtime(st, "maps/a.svg", 9);
	assert_mtime(st, "maps/b.svg-old", 5);
	assert_mtime(st, "changes", 5);
	assert_int_equal(store_path_stat(st, "maps/a.svg/x", &ns, &size), -ENOENT);
	assert_int_equal(store_path_stat(st, "maps/b.svg", &ns, &size), -ENOENT);

	/* And one whose listings dropped names: maps/ with all under it, all of imports/. */
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_derived_begin(st), 0);
	assert_int_equal(store_walk_begin(st, 12), 0);
	walk_dir(st, "", 10, (const char *const[]){ "README", "changes", "imports" }, 3);
	assert_int_equal(store_walk_put(st, "README", 2, 7), 0);
	walk_dir(st, "imports", 31, NULL, 0);
	walk_done(st, 4, 7); /* the root, maps, its a.svg and b.svg-old; imports, 000001 and 000002 */
	assert_int_equal(store_derived_done(st), 0);
	assert_int_equal(store_commit(st), 0);
	assert_mtime(st, "", 12);
	assert_mtime(st, "README", 5);
	assert_mtime(st, "changes", 5);
	assert_int_equal(store_path_stat(st, "maps", &ns, &size), -ENOENT);
	assert_int_equal(store_path_stat(st, "maps/b.svg-old", &ns, &size), -ENOENT);
	assert_int_equal(store_path_stat(st, "imports/000001", &ns, &size), -ENOENT);
	assert_int_equal(store_path_stat(st, "imports/000002", &ns, &size), -ENOENT);
	assert_mtime(st, "imports", 12);
	store_close(st);
}

/* `total` bytes of letters that repeat in no short period: a change log's stand-in. */
static char *made_log(size_t total)
{
	char *log = malloc(total);
	size_t i;

	assert_non_null(log);
	for (i = 0; i < total; i++)
		log[i] = (char)('a' + (i * 7 + i / 13) % 26);
	return log;
}

/* Write `len` bytes of `log` through a change writer, in pieces as the lines come; gives the parts that differed. */
static int64_t write_log(struct store *st, const char *log, size_t len)
{
	struct store_change_writer w = STORE_CHANGE_WRITER_INIT;
	size_t at;

	for (at = 0; at < len; at += 1000) {
		strbuf_add(&w.pending, log + at, len - at < 1000 ? len - at : 1000);
		assert_int_equal(store_change_writer_flush(st, &w), 0);
		assert_true(w.pending.len < STORE_CHANGE_PART);
	}
	assert_int_equal(store_change_writer_end(st, &w), 0);
	assert_int_equal(w.stored, (int64_t)len);
	strbuf_release(&w.pending);
	return w.rewritten;
}

/*
 * The change log written again: only the parts that differ are stored,
 * and those past its new end are forgotten (an import writes the log over
 * the stored one instead of forgetting it first, fs/derive.c).
 */
static void test_store__change_log_written_again(void **state)
{
	const size_t part = STORE_CHANGE_PART, total = 3 * STORE_CHANGE_PART + 10;
	struct store *st = test_store_new();
	struct strbuf out = STRBUF_INIT;
	char *log = made_log(total);

	(void)state;
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(write_log(st, log, total), 4);
	/* The same bytes: nothing written. */
	assert_int_equal(write_log(st, log, total), 0);
	/* One byte of the second part moved, and the log is shorter: that part and the new last. */
	log[part + 3] = '!';
	assert_int_equal(write_log(st, log, 2 * part + 20), 2);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_changes_read(st, &out), 0);
	assert_int_equal(out.len, 2 * part + 20);
	assert_memory_equal(out.buf, log, 2 * part + 20);
	strbuf_reset(&out);
	assert_int_equal(store_changes_read_range(st, 2 * part, part, &out), 0);
	assert_int_equal(out.len, 20);
	/* Emptied: no part left. */
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(write_log(st, log, 0), 0);
	assert_int_equal(store_commit(st), 0);
	strbuf_reset(&out);
	assert_int_equal(store_changes_read(st, &out), 0);
	assert_int_equal(out.len, 0);
	free(log);
	strbuf_release(&out);
	store_close(st);
}

/* A copy sees the writer's open transaction, and the writer's later writes do not reach it. */
static void test_store__copy_sees_the_open_transaction(void **state)
{
	struct store *st = test_store_new(), *copy = NULL, *again = NULL;
	struct strbuf out = STRBUF_INIT;

	(void)state;
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_change_part_put(st, 0, "before\n", 7), 0);
	assert_int_equal(store_open_copy(st, 1, &copy), -EFBIG);
	assert_null(copy);
	assert_int_equal(store_open_copy(st, INT64_MAX, &copy), 0);
	assert_int_equal(store_change_part_put(st, 0, "after\n", 6), 0);
	assert_int_equal(store_changes_read(copy, &out), 0);
	assert_string_equal(out.buf, "before\n");
	/* Read-only. */
	assert_int_not_equal(store_change_part_put(copy, 1, "x", 1), 0);
	/* A second connection to the copy's bytes reads the same, read-only too. */
	assert_int_equal(store_open_copy_again(copy, &again), 0);
	strbuf_reset(&out);
	assert_int_equal(store_changes_read(again, &out), 0);
	assert_string_equal(out.buf, "before\n");
	assert_int_not_equal(store_change_part_put(again, 1, "x", 1), 0);
	store_close(again);
	strbuf_reset(&out);
	assert_int_equal(store_changes_read(copy, &out), 0);
	assert_string_equal(out.buf, "before\n");
	store_close(copy);
	store_rollback(st);
	strbuf_release(&out);
	store_close(st);
}

/* A transaction's pages written to the log early (store_flush) are neither seen nor kept before its commit. */
static void test_store__flush_then_rollback(void **state)
{
	char *dir = test_tmpdir(), *path = NULL, *wal = NULL;
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct store *st = NULL, *reader = NULL;
	char *log = made_log(STORE_CHANGE_PART);
	struct stat before, after;

	(void)state;
	assert_true(asprintf(&path, "%s/inv.db", dir) > 0);
	assert_true(asprintf(&wal, "%s-wal", path) > 0);
	assert_int_equal(store_open(path, STORE_CREATE, &st, &err), 0);
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_change_part_put(st, 0, "kept\n", 5), 0);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_open(path, STORE_READONLY, &reader, &err), 0);

	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_change_part_put(st, 0, log, STORE_CHANGE_PART), 0);
	assert_int_equal(stat(wal, &before), 0);
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(stat(wal, &after), 0);
	assert_true(after.st_size >= before.st_size + STORE_CHANGE_PART); /* written now, not at the commit */
	assert_int_equal(store_changes_read(reader, &out), 0);
	assert_string_equal(out.buf, "kept\n");
	store_rollback(st);

	strbuf_reset(&out);
	assert_int_equal(store_changes_read(reader, &out), 0);
	assert_string_equal(out.buf, "kept\n");
	strbuf_reset(&out);
	assert_int_equal(store_changes_read(st, &out), 0);
	assert_string_equal(out.buf, "kept\n");
	/* And the next transaction commits as usual. */
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_change_part_put(st, 0, "next\n", 5), 0);
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(store_commit(st), 0);
	strbuf_reset(&out);
	assert_int_equal(store_changes_read(reader, &out), 0);
	assert_string_equal(out.buf, "next\n");

	store_close(reader);
	store_close(st);
	free(log);
	strbuf_release(&out);
	strbuf_release(&err);
	test_rmtree(dir);
	free(dir);
	free(path);
	free(wal);
}

/* The change log in parts of STORE_CHANGE_PART bytes: a range is read from the parts that hold it, to the end and no further. */
static void test_store__change_log_ranges(void **state)
{
	const size_t part = STORE_CHANGE_PART, total = 2 * STORE_CHANGE_PART + 100;
	struct store *st = test_store_new();
	struct strbuf out = STRBUF_INIT;
	char *log = made_log(total);
	size_t i;

	(void)state;
	assert_int_equal(store_begin(st), 0);
	/* Stored out of order: the log is by part number. */
	assert_int_equal(store_change_part_put(st, 2, log + 2 * part, 100), 0);
	assert_int_equal(store_change_part_put(st, 0, log, part), 0);
	assert_int_equal(store_change_part_put(st, 1, log + part, part), 0);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_changes_read(st, &out), 0);
	assert_int_equal(out.len, total);
	assert_memory_equal(out.buf, log, total);
	/* Within a part, across two, across three, to the end, past it. */
	static const struct { size_t off, len, want; } cases[] = {
		{ 0, 10, 10 },
		{ STORE_CHANGE_PART - 5, 10, 10 },
		{ 100, 2 * STORE_CHANGE_PART, 2 * STORE_CHANGE_PART },
		{ 2 * STORE_CHANGE_PART + 90, 4096, 10 },
		{ 2 * STORE_CHANGE_PART + 100, 4096, 0 },
		{ 5 * STORE_CHANGE_PART, 4096, 0 },
		{ STORE_CHANGE_PART, STORE_CHANGE_PART, STORE_CHANGE_PART },
	};
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strbuf_reset(&out);
		assert_int_equal(store_changes_read_range(st, cases[i].off, cases[i].len, &out), 0);
		assert_int_equal(out.len, cases[i].want);
		if (cases[i].want)
			assert_memory_equal(out.buf, log + cases[i].off, cases[i].want);
	}
	/* Appended: what the buffer held stays. */
	strbuf_reset(&out);
	strbuf_addstr(&out, "x");
	assert_int_equal(store_changes_read_range(st, 3, 2, &out), 0);
	assert_int_equal(out.len, 3);
	assert_memory_equal(out.buf + 1, log + 3, 2);
	free(log);
	strbuf_release(&out);
	store_close(st);
}

/*
 * Schema 7 kept the change log a row a day: version 8 cuts the same bytes
 * into parts, and the derived data stay fresh.
 */
static void test_store__schema_v7_change_log_migrates(void **state)
{
	char *dir = test_tmpdir(), *db = NULL;
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT, want = STRBUF_INIT;
	struct store *st = NULL;
	sqlite3 *raw;
	sqlite3_stmt *s;
	int day;

	(void)state;
	assert_true(asprintf(&db, "%s/v7.db", dir) > 0);
	assert_int_equal(store_open(db, STORE_CREATE, &st, &err), 0);
	store_close(st);
	assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "DROP TABLE change_log;"
				  "CREATE TABLE change_days(day TEXT PRIMARY KEY NOT NULL, body BLOB NOT NULL) WITHOUT ROWID;"
				  "INSERT OR REPLACE INTO derived(\"key\", value) VALUES('fresh', 1);"
				  "PRAGMA user_version = 7;", NULL, NULL, NULL), SQLITE_OK);
	/* Three days, stored out of order, of 100,000 bytes each: parts cut across days. */
	assert_int_equal(sqlite3_prepare_v2(raw, "INSERT INTO change_days VALUES(?1, ?2)", -1, &s, NULL), SQLITE_OK);
	for (day = 3; day >= 1; day--) {
		char d[11], *body = malloc(100000);

		assert_non_null(body);
		memset(body, 'a' + day, 100000);
		body[99999] = '\n';
		snprintf(d, sizeof(d), "2020-01-%02d", day);
		sqlite3_bind_text(s, 1, d, -1, SQLITE_TRANSIENT);
		sqlite3_bind_blob(s, 2, body, 100000, SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(s), SQLITE_DONE);
		sqlite3_reset(s);
		free(body);
	}
	sqlite3_finalize(s);
	sqlite3_close(raw);
	for (day = 1; day <= 3; day++) {
		for (int i = 0; i < 99999; i++)
			strbuf_addch(&want, 'a' + day);
		strbuf_addch(&want, '\n');
	}
	/* A mount does not migrate: it tells to import. */
	assert_int_equal(store_open(db, STORE_READONLY, &st, &err), -EINVAL);
	assert_non_null(strstr(err.buf, "older schema"));
	strbuf_reset(&err);
	assert_int_equal(store_open(db, STORE_CREATE, &st, &err), 0);
	assert_true(store_derived_fresh(st));
	assert_int_equal(store_changes_read(st, &out), 0);
	assert_int_equal(out.len, want.len);
	assert_memory_equal(out.buf, want.buf, want.len);
	strbuf_reset(&out);
	assert_int_equal(store_changes_read_range(st, STORE_CHANGE_PART - 10, 20, &out), 0);
	assert_memory_equal(out.buf, want.buf + STORE_CHANGE_PART - 10, 20);
	store_close(st);
	assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(raw, "SELECT group_concat(length(body)) FROM (SELECT body FROM change_log"
				       " ORDER BY part), (SELECT count(*) AS n FROM sqlite_schema WHERE name = 'change_days')"
				       " WHERE n = 0", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "131072,131072,37856");
	sqlite3_finalize(s);
	sqlite3_close(raw);
	assert_int_equal(store_open(db, STORE_READONLY, &st, &err), 0);
	store_close(st);
	strbuf_release(&out);
	strbuf_release(&want);
	strbuf_release(&err);
	free(db);
	test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store__new_inventory_has_56_jurisdictions),
		cmocka_unit_test(test_store__refuses_what_it_does_not_understand),
		cmocka_unit_test(test_store__dates),
		cmocka_unit_test(test_store__slug),
		cmocka_unit_test(test_store__newest_source_wins_and_citations_merge),
		cmocka_unit_test(test_store__slugs_are_unique_in_id_order),
		cmocka_unit_test(test_store__rollback_leaves_nothing),
		cmocka_unit_test(test_store__bulk_load_keeps_the_indexes),
		cmocka_unit_test(test_store__failed_commit_says_why),
		cmocka_unit_test(test_store__relations_follow_time),
		cmocka_unit_test(test_store__entities_have_no_valid_time),
		cmocka_unit_test(test_store__state_system_lists_are_the_relations),
		cmocka_unit_test(test_store__check_reports_a_fact_without_source),
		cmocka_unit_test(test_store__derived_data_and_path_times),
		cmocka_unit_test(test_store__walk_first_and_next),
		cmocka_unit_test(test_store__change_log_ranges),
		cmocka_unit_test(test_store__change_log_written_again),
		cmocka_unit_test(test_store__copy_sees_the_open_transaction),
		cmocka_unit_test(test_store__flush_then_rollback),
		cmocka_unit_test(test_store__schema_v7_change_log_migrates),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
