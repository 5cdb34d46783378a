// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests of the change log's pins (fs/pin.c), over real inventory
 * files: a reader of a log an import or a new inventory replaced reads that
 * log's bytes, and once no pin holds it, ESTALE; never another log's bytes,
 * also when a new inventory's log has the same generation number, or in
 * the moments between an import's commit and the daemon's refresh.
 */
#include "../testlib.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../fs/fs.h"
#include "../../../fs/pin.h"
#include "../../../importers/importers.h"

static int derive_in_import(void *arg, struct store *st, int quiet, struct strbuf *err)
{
	(void)arg;
	(void)quiet;
	return fs_derive(st, 0, NULL, NULL, err);
}

/* Import the bundle `src` into the inventory file `db` (made if new), with its derived data. */
static void import_into(const char *db, const char *src)
{
	struct import_options o = { .kind = "records", .derive = derive_in_import };
	struct import_report rep = { 0 };
	struct strbuf err = STRBUF_INIT;
	const char *paths[1] = { src };
	struct store *st = NULL;

	if (store_open(db, STORE_CREATE, &st, &err))
		fail_msg("%s: %s", db, err.buf);
	if (import_paths(st, &o, paths, 1, &rep, &err)) {
		import_report_print(&rep, stderr);
		fail_msg("import: %s", err.buf);
	}
	import_report_release(&rep);
	strbuf_release(&err);
	store_close(st);
}

/* PIN_MAX read-only connections to `db`. */
static void open_pins(const char *db, struct store **st)
{
	struct strbuf err = STRBUF_INIT;
	int i;

	for (i = 0; i < PIN_MAX; i++)
		if (store_open(db, STORE_READONLY, &st[i], &err))
			fail_msg("%s: %s", db, err.buf);
	strbuf_release(&err);
}

/* The stored change log of `db`, and its generation. */
static char *log_of(const char *db, int64_t *gen)
{
	struct strbuf err = STRBUF_INIT, log = STRBUF_INIT;
	struct store *st = NULL;

	if (store_open(db, STORE_READONLY, &st, &err))
		fail_msg("%s: %s", db, err.buf);
	assert_int_equal(store_changes_read(st, &log), 0);
	*gen = store_generation(st);
	assert_true(*gen >= 0);
	store_close(st);
	strbuf_release(&err);
	return strbuf_detach(&log, NULL);
}

/* pins_read of [off, off + len), the pin reading it (never the caller's snapshot): its result, bytes in *out. */
static int read_at(struct pins *ps, const struct tree_node *node, int64_t key, uint64_t off, size_t len,
		   struct strbuf *out)
{
	int slot = -1, rc = pins_read(ps, key, -1, node, off, len, out, &slot);

	if (rc >= 0)
		pins_read_done(ps, slot);
	return rc;
}

/* The pins over an inventory file, and the node of its change log (resolved on a connection of its own). */
struct served {
	struct store *st;
	struct tree *tree;
	struct tree_node node;
	struct pins ps;
};

static void serve(struct served *s, const char *db)
{
	struct strbuf err = STRBUF_INIT;
	struct store *st[PIN_MAX];

	if (store_open(db, STORE_READONLY, &s->st, &err))
		fail_msg("%s: %s", db, err.buf);
	s->tree = tree_open(s->st);
	assert_non_null(s->tree);
	assert_int_equal(tree_resolve(s->tree, "/changes", &s->node), 0);
	open_pins(db, st);
	assert_int_equal(pins_init(&s->ps, st, PIN_MAX), 0);
	strbuf_release(&err);
}

static void unserve(struct served *s)
{
	pins_release(&s->ps);
	tree_node_release(&s->node);
	tree_free(s->tree);
	store_close(s->st);
}

/*
 * Inventories A and B, B's log other than A's at the same generation. A
 * reader is in the middle of A's log when B replaces A: its READs are A's
 * bytes while a new reader reads B's; once it read to the end and the tick
 * ended its pin, its READs are ESTALE, though the new reader's pin holds
 * B's log of the same generation number.
 */
static void test_pin__new_inventory_same_generation(void **state)
{
	char *dir = test_tmpdir(), *src = test_path(dir, "src"), *a = test_path(dir, "a.db"),
	     *b = test_path(dir, "b.db"), *csv = test_path(src, "flows.csv"), *log_a, *log_b;
	struct store *st[PIN_MAX];
	struct strbuf out = STRBUF_INIT;
	struct served sv;
	int64_t gen_a, gen_b, key;
	size_t size_a;
	int slot;
	FILE *fp;

	(void)state;
	test_copy_fixture("small", src);
	import_into(a, src);
	fp = fopen(csv, "a");
	assert_non_null(fp);
	fputs("pin-test-flow,NY/dmv,ICE,Nlets,,,reported,,2021-03-04,,qa-2020,1,\n", fp);
	fclose(fp);
	import_into(b, src);
	log_a = log_of(a, &gen_a);
	log_b = log_of(b, &gen_b);
	size_a = strlen(log_a);
	assert_int_equal(gen_a, gen_b); /* the case: one number, two logs */
	assert_string_not_equal(log_a, log_b);
	assert_true(size_a > 64);
	serve(&sv, a);

	/* A reader begins A's log: a worker whose snapshot shows it reads the bytes itself. */
	assert_int_equal(pins_read(&sv.ps, -1, gen_a, &sv.node, 0, 16, &out, &slot), 1);
	pins_read_done(&sv.ps, slot);
	assert_int_equal(read_at(&sv.ps, &sv.node, -1, 0, 16, &out), 0);
	assert_memory_equal(out.buf, log_a, 16);
	/*
	 * B replaces A. Until the refresh keeps the reader's log, its READs go
	 * on in A's, by the pin: a worker with B's snapshot of the same number
	 * does not read them.
	 */
	open_pins(b, st);
	pins_swap(&sv.ps, st);
	assert_int_equal(pins_read(&sv.ps, -1, gen_b, &sv.node, 0, 16, &out, &slot), 0);
	pins_read_done(&sv.ps, slot);
	assert_memory_equal(out.buf, log_a, 16);
	key = pins_keep(&sv.ps, gen_b); /* the reader is in the middle: its log is kept */
	assert_true(key >= 0);
	/* A new reader begins B's log (and stays in its middle); the first reads on in A's. */
	assert_int_equal(read_at(&sv.ps, &sv.node, -1, 0, 16, &out), 0);
	assert_memory_equal(out.buf, log_b, 16);
	assert_int_equal(read_at(&sv.ps, &sv.node, key, 16, size_a - 16, &out), 0);
	assert_int_equal(out.len, size_a - 16);
	assert_memory_equal(out.buf, log_a + 16, out.len);
	/* It read to the end: the tick ends its pin, and a READ of A's log is stale, not B's bytes. */
	pins_tick(&sv.ps);
	assert_int_equal(read_at(&sv.ps, &sv.node, key, 0, 16, &out), -ESTALE);

	unserve(&sv);
	strbuf_release(&out);
	test_rmtree(dir);
	free(log_a);
	free(log_b);
	free(csv);
	free(a);
	free(b);
	free(src);
	free(dir);
}

/* Append a flow starting on `day` to the bundle `src` and import it into `db`: the log gets new lines. */
static void import_flow(const char *db, const char *src, const char *day)
{
	char *csv = test_path(src, "flows.csv");
	FILE *fp = fopen(csv, "a");

	assert_non_null(fp);
	fprintf(fp, "pin-test-%s,NY/dmv,ICE,Nlets,,,reported,,%s,,qa-2020,1,\n", day, day);
	fclose(fp);
	import_into(db, src);
	free(csv);
}

/*
 * Imports into the mounted inventory. A READ that reached the log's end
 * and is not yet replied to does not keep its log as the mounted one: a
 * new reader reads the new log. Between an import's commit and the
 * refresh (pins_keep), a READ past the start that no pin holds is stale,
 * not the new log's bytes; one from the start begins the new log.
 */
static void test_pin__imports(void **state)
{
	char *dir = test_tmpdir(), *src = test_path(dir, "src"), *a = test_path(dir, "a.db"), *log1, *log2, *log3;
	struct strbuf out = STRBUF_INIT;
	int64_t gen1, gen2, gen3;
	struct served sv;
	int slot = -1;

	(void)state;
	test_copy_fixture("small", src);
	import_into(a, src);
	log1 = log_of(a, &gen1);
	serve(&sv, a);
	pins_show(&sv.ps, gen1);

	/* A reader reads the log to its end; that READ is not replied to when an import lands. */
	assert_int_equal(pins_read(&sv.ps, -1, -1, &sv.node, 0, strlen(log1) + 4096, &out, &slot), 0);
	assert_int_equal(out.len, strlen(log1));
	import_flow(a, src, "2021-03-04");
	log2 = log_of(a, &gen2);
	assert_string_not_equal(log1, log2);
	assert_int_equal(pins_keep(&sv.ps, gen2), -1); /* nobody in the middle */
	assert_int_equal(read_at(&sv.ps, &sv.node, -1, 0, strlen(log2) + 4096, &out), 0);
	assert_int_equal(out.len, strlen(log2));
	assert_memory_equal(out.buf, log2, out.len);
	pins_read_done(&sv.ps, slot);
	pins_tick(&sv.ps);

	/* An import commits; the mounted log is still log2's until pins_keep. */
	import_flow(a, src, "2022-05-06");
	log3 = log_of(a, &gen3);
	assert_int_equal(read_at(&sv.ps, &sv.node, -1, 16, 16, &out), -ESTALE);
	assert_int_equal(read_at(&sv.ps, &sv.node, -1, 0, 16, &out), 0); /* a reader beginning */
	assert_memory_equal(out.buf, log3, 16);
	assert_int_equal(read_at(&sv.ps, &sv.node, -1, 16, 16, &out), 0);
	assert_memory_equal(out.buf, log3 + 16, 16);
	/* The refresh: that reader is in the middle of the log now mounted. */
	assert_true(pins_keep(&sv.ps, gen3) >= 0);
	assert_int_equal(read_at(&sv.ps, &sv.node, -1, 32, 16, &out), 0);
	assert_memory_equal(out.buf, log3 + 32, 16);

	unserve(&sv);
	strbuf_release(&out);
	test_rmtree(dir);
	free(log1);
	free(log2);
	free(log3);
	free(a);
	free(src);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pin__new_inventory_same_generation),
		cmocka_unit_test(test_pin__imports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
