// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests of fs_derive (fs/derive.c): the change log made in a second
 * thread beside the walk, from a copy of the inventory, is the log made
 * after the walk in one thread, byte for byte, with the same counts; a
 * derive that finds nothing changed keeps the stored log; a pass told to
 * stop ends at once, its spans' thread too.
 */
#include "../testlib.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../fs/fs.h"
#include "../../../fs/tree_i.h"
#include "../../../importers/importers.h"

/* What fs_derive said, and from which threads. */
struct heard {
	pthread_t caller;
	long walked, lines, changed;
	int days_here, days_elsewhere, kept;
};

/* Called from both threads: the test's only shared state is written under this lock. */
static pthread_mutex_t heard_mu = PTHREAD_MUTEX_INITIALIZER;

static void hear(void *arg, const char *what, long n, long of)
{
	struct heard *h = arg;

	(void)of;
	pthread_mutex_lock(&heard_mu);
	if (!strcmp(what, "change days")) {
		if (pthread_equal(pthread_self(), h->caller))
			h->days_here++;
		else
			h->days_elsewhere++;
	} else if (!strcmp(what, "paths walked")) {
		h->walked = n;
	} else if (!strcmp(what, "lines of changes")) {
		h->lines = n;
	} else if (!strcmp(what, "paths changed")) {
		h->changed = n;
	} else if (strstr(what, "the change log is kept")) {
		h->kept = 1;
	}
	pthread_mutex_unlock(&heard_mu);
}

/* Derive in a transaction of its own, rolled back: the log it stored, and what it said. */
static char *derive(struct store *st, unsigned flags, struct heard *h)
{
	struct strbuf err = STRBUF_INIT, log = STRBUF_INIT;
	int64_t size = -1;

	memset(h, 0, sizeof(*h));
	h->caller = pthread_self();
	assert_int_equal(store_begin(st), 0);
	if (fs_derive(st, flags, hear, h, &err))
		fail_msg("fs_derive: %s", err.buf);
	assert_int_equal(store_changes_read(st, &log), 0);
	assert_int_equal(store_derived_get(st, "changes_size", &size), 0);
	assert_int_equal(size, (int64_t)log.len);
	store_rollback(st);
	strbuf_release(&err);
	return strbuf_detach(&log, NULL);
}

static void test_derive__beside_the_walk_as_after_it(void **state)
{
	char *dir = NULL;
	struct store *st = test_fixture_inventory("small", NULL, &dir);
	struct heard one, two;
	char *a, *b;

	(void)state;
	a = derive(st, FS_DERIVE_ONE_THREAD, &one);
	b = derive(st, 0, &two);
	assert_true(strlen(a) > 1000);
	assert_string_equal(a, b);
	/* The pass ran in the caller's thread, then in another. */
	assert_true(one.days_here > 0);
	assert_int_equal(one.days_elsewhere, 0);
	assert_int_equal(two.days_here, 0);
	assert_true(two.days_elsewhere > 0);
	assert_true(one.walked > 100);
	assert_int_equal(one.walked, two.walked);
	assert_int_equal(one.lines, two.lines);
	assert_true(one.changed > 100);
	assert_int_equal(one.changed, two.changed);
	free(a);
	free(b);
	test_fixture_release(st, dir);
}

/* Derived and committed, then derived again with nothing changed: the log is kept, in either mode. */
static void test_derive__nothing_changed_keeps_the_log(void **state)
{
	struct strbuf err = STRBUF_INIT;
	char *dir = NULL;
	struct store *st = test_fixture_inventory("small", NULL, &dir);
	struct heard h;
	char *first, *again;
	unsigned modes[] = { 0, FS_DERIVE_ONE_THREAD };
	size_t i;

	(void)state;
	assert_int_equal(store_begin(st), 0);
	memset(&h, 0, sizeof(h));
	h.caller = pthread_self();
	if (fs_derive(st, 0, hear, &h, &err))
		fail_msg("fs_derive: %s", err.buf);
	assert_int_equal(store_commit(st), 0);
	first = derive(st, FS_DERIVE_ONE_THREAD, &h);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		again = derive(st, modes[i], &h);
		assert_true(h.kept);
		assert_int_equal(h.changed, 0);
		assert_string_equal(first, again);
		free(again);
	}
	free(first);
	strbuf_release(&err);
	test_fixture_release(st, dir);
}

static int derive_in_import(void *arg, struct store *st, int quiet, struct strbuf *err)
{
	(void)arg;
	(void)quiet;
	return fs_derive(st, 0, NULL, NULL, err);
}

/*
 * Two agencies of one slug, imported with the derive in the import's
 * transaction: the second is agencies/ICE-2 from the commit on, and so in
 * the times derived before it (the walk named both agencies/ICE when the
 * slugs were told apart only at commit).
 */
static void test_derive__slugs_told_apart_first(void **state)
{
	struct import_options o = { .kind = "records", .derive = derive_in_import };
	struct strbuf err = STRBUF_INIT;
	struct import_report rep = { 0 };
	char *dir = test_tmpdir(), *src = test_path(dir, "src"), *csv;
	const char *paths[1];
	struct store *st = test_store_new();
	int64_t ns = 0, size = 0;
	FILE *fp;

	(void)state;
	test_copy_fixture("small", src);
	csv = test_path(src, "agencies.csv");
	fp = fopen(csv, "a");
	assert_non_null(fp);
	fputs("ICE!,Another agency of that slug,DHS,core,,qa-2020,3,\n", fp);
	fclose(fp);
	paths[0] = src;
	if (import_paths(st, &o, paths, 1, &rep, &err)) {
		import_report_print(&rep, stderr);
		fail_msg("import: %s", err.buf);
	}
	assert_true(store_derived_fresh(st));
	assert_int_equal(store_path_stat(st, "agencies/ICE", &ns, &size), 0);
	assert_int_equal(store_path_stat(st, "agencies/ICE-2", &ns, &size), 0);
	assert_int_equal(store_path_stat(st, "agencies/ICE-2/name", &ns, &size), 0);
	import_report_release(&rep);
	strbuf_release(&err);
	store_close(st);
	test_rmtree(dir);
	free(csv);
	free(src);
	free(dir);
}

static int count_line(void *arg, const char *day, char op, const char *path, const char *line)
{
	(void)day;
	(void)op;
	(void)path;
	(void)line;
	++*(long *)arg;
	return 0;
}

/*
 * tree_changes over every change day, its spans read aside (on a second
 * connection to a copy) or here, with `stop` as the caller's cancel: the
 * lines it emitted, or -1 when it ended with -ECANCELED.
 */
static long changes_with(struct store *st, int aside, int stop)
{
	struct store *copy = NULL, *again = NULL;
	struct tree t, t2;
	struct strlist days = STRLIST_INIT;
	atomic_int cancel;
	char before[11];
	long lines = 0;
	size_t i;
	int rc;

	atomic_init(&cancel, stop);
	assert_int_equal(store_open_copy(st, INT64_MAX, &copy), 0);
	assert_int_equal(store_open_copy_again(copy, &again), 0);
	tree_init_routes(&t, copy, tree_routes, tree_nroutes);
	tree_init_routes(&t2, again, tree_routes, tree_nroutes);
	t.cancel = t2.cancel = &cancel;
	for (i = 0; i < tree_change_dates(&t)->n; i++)
		strlist_add(&days, tree_change_dates(&t)->items[i]);
	assert_true(days.n > 3);
	assert_int_equal(tree_canonical_date(&t, "1000-01-01", before), 0);
	rc = tree_changes(&t, before, &days, count_line, &lines, aside ? &t2 : NULL);
	assert_true(rc == 0 || rc == -ECANCELED);
	strlist_release(&days);
	tree_release(&t2);
	tree_release(&t);
	store_close(again);
	store_close(copy);
	return rc ? -1 : lines;
}

/* A pass told to stop ends at once, its spans' thread too, and emits nothing; else the same lines either way. */
static void test_derive__a_stopped_pass_ends(void **state)
{
	char *dir = NULL;
	struct store *st = test_fixture_inventory("small", NULL, &dir);
	long here, aside;

	(void)state;
	here = changes_with(st, 0, 0);
	aside = changes_with(st, 1, 0);
	assert_true(here > 100);
	assert_int_equal(here, aside);
	assert_int_equal(changes_with(st, 0, 1), -1);
	assert_int_equal(changes_with(st, 1, 1), -1);
	test_fixture_release(st, dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_derive__beside_the_walk_as_after_it),
		cmocka_unit_test(test_derive__nothing_changed_keeps_the_log),
		cmocka_unit_test(test_derive__slugs_told_apart_first),
		cmocka_unit_test(test_derive__a_stopped_pass_ends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
