// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests of the inode table (fs/inodes.c), which the mount's memory
 * bound rests on: what an inode resolves to comes back as it went in;
 * numbers stay the same after an inode is freed and made again; the index
 * and the side index of cached bytes shrink when their records go; the
 * idle ring frees only past its size; the clock names only inodes the
 * kernel holds that nobody used since it last passed. (The bound on a
 * real mount is tests/mount/inode_budget.sh.)
 */
#include "../testlib.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../fs/inodes.h"

/* A node of route row `row` with :params `args` (at most 3) and day `date` ("" outside at/). */
struct test_node {
	struct tree_node n;
	char a[3][32];
};

static void make_node(struct test_node *t, int row, const char *a0, const char *a1, const char *date)
{
	memset(t, 0, sizeof(*t));
	t->n.route = &tree_routes[row];
	t->n.type = tree_routes[row].type;
	if (a0) {
		snprintf(t->a[0], sizeof(t->a[0]), "%s", a0);
		t->n.args[t->n.nargs++] = t->a[0];
	}
	if (a1) {
		snprintf(t->a[1], sizeof(t->a[1]), "%s", a1);
		t->n.args[t->n.nargs++] = t->a[1];
	}
	snprintf(t->n.date, sizeof(t->n.date), "%s", date);
}

static struct fs_inode *add(struct inode_table *t, const struct fs_inode *dir, const char *name)
{
	struct test_node n;
	struct fs_inode *in;

	make_node(&n, 1, name, NULL, "");
	in = inodes_add(t, dir, name, &n.n);
	assert_non_null(in);
	return in;
}

static void node_round_trip(void **state)
{
	struct inode_table t;
	struct test_node n, other;
	struct tree_node back;
	struct fs_inode *root, *in;

	(void)state;
	assert_int_equal(inodes_init(&t, tree_routes), 0);
	root = inodes_get(&t, 1);
	assert_non_null(root);
	/* One :param is the name itself (kept once), one is not, and a day. */
	make_node(&n, 3, "TX", "flow-0999999", "2021-01-01");
	in = inodes_add(&t, root, "flow-0999999", &n.n);
	assert_non_null(in);
	inodes_node(&t, in, &back);
	assert_false(tree_node_differs(&back, &n.n));
	assert_ptr_equal(back.route, &tree_routes[3]);
	assert_string_equal(back.args[0], "TX");
	assert_string_equal(back.args[1], "flow-0999999");
	assert_string_equal(back.date, "2021-01-01");
	assert_ptr_equal(inodes_route(&t, in), &tree_routes[3]);
	assert_ptr_equal(inodes_find(&t, root, "flow-0999999"), in);
	assert_ptr_equal(inodes_add(&t, root, "flow-0999999", &n.n), in);

	/* Replaced by another node: a new allocation, found by number and name, its state kept. */
	{
		uint64_t ino = in->ino;
		struct strbuf sb = STRBUF_INIT;
		struct fs_inode *moved;

		strbuf_addstr(&sb, "bytes");
		inodes_hold(&t, in);
		inodes_keep_content(&t, in, blob_new(&sb, 7));
		make_node(&other, 4, "a-much-longer-first-parameter", NULL, "");
		assert_true(inodes_node_differs(&t, in, &other.n));
		moved = inodes_set_node(&t, in, &other.n);
		assert_non_null(moved);
		assert_ptr_equal(inodes_get(&t, ino), moved);
		assert_ptr_equal(inodes_find(&t, root, "flow-0999999"), moved);
		assert_false(inodes_node_differs(&t, moved, &other.n));
		assert_int_equal(inodes_held(&t), 1);
		assert_string_equal(inodes_content(&t, moved)->data, "bytes");
		inodes_forget(&t, ino, 1);
		assert_int_equal(inodes_held(&t), 0);
	}
	inodes_release(&t);
}

static void stat_cache(void **state)
{
	struct inode_table t;
	struct fs_inode *in;
	struct timespec ts = { 1700000000, 123456789 }, back;
	uint64_t size;

	(void)state;
	assert_int_equal(inodes_init(&t, tree_routes), 0);
	in = add(&t, inodes_get(&t, 1), "f");
	assert_false(inodes_size(in, 5, &size));
	inodes_set_size(in, 5, 42);
	inodes_set_mtime(in, 5, &ts);
	assert_true(inodes_size(in, 5, &size));
	assert_int_equal(size, 42);
	assert_true(inodes_mtime(in, 5, &back));
	assert_int_equal(back.tv_sec, ts.tv_sec);
	assert_int_equal(back.tv_nsec, ts.tv_nsec);
	/* Another version knows nothing, and what it learns replaces what the old one knew. */
	assert_false(inodes_size(in, 6, &size));
	inodes_set_size(in, 6, 43);
	assert_false(inodes_mtime(in, 6, &back));
	assert_false(inodes_size(in, 5, &size));
	inodes_clear_stat(in);
	assert_false(inodes_size(in, 6, &size));
	inodes_release(&t);
}

/* Numbers are stable, the idle ring frees past its size only, and the indexes shrink again. */
static void life(void **state)
{
	enum { N = 6 * INODES_IDLE_MAX };
	struct inode_table t;
	struct fs_inode *root, *in;
	uint64_t first, cap_full;
	char name[32];
	int i;

	(void)state;
	assert_int_equal(inodes_init(&t, tree_routes), 0);
	root = inodes_get(&t, 1);
	first = inodes_number(&t, root, "n0");
	for (i = 0; i < N; i++) {
		struct strbuf sb = STRBUF_INIT;

		snprintf(name, sizeof(name), "n%d", i);
		in = add(&t, root, name);
		if (i == 0)
			assert_int_equal(in->ino, first);
		inodes_hold(&t, in);
		strbuf_addstr(&sb, name);
		inodes_keep_content(&t, in, blob_new(&sb, 1));
	}
	assert_int_equal(inodes_count(&t), N + 1);
	assert_int_equal(inodes_held(&t), N);
	assert_int_equal(t.extras.n, N);
	cap_full = t.by_ino.cap;
	/* The kernel forgets them all: the ring keeps the newest INODES_IDLE_MAX. */
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		in = inodes_find(&t, root, name);
		assert_non_null(in);
		inodes_forget(&t, in->ino, 1);
	}
	assert_int_equal(inodes_held(&t), 0);
	assert_int_equal(inodes_count(&t), INODES_IDLE_MAX + 1);
	assert_null(inodes_get(&t, first));
	snprintf(name, sizeof(name), "n%d", N - 1);
	assert_non_null(inodes_find(&t, root, name));
	assert_int_equal(t.extras.n, INODES_IDLE_MAX);
	assert_true(t.by_ino.cap < cap_full);
	/* Made again, an inode has its old number. */
	in = add(&t, root, "n0");
	assert_int_equal(in->ino, first);
	assert_null(inodes_content(&t, in));
	inodes_release(&t);
}

static void each_content(void *arg, struct fs_inode *in, struct blob *b)
{
	(void)b;
	*(uint64_t *)arg = in->ino;
}

/*
 * A file detached while read (fs/kept.h): its name finds a new inode with
 * another number, which shows the old one's to users; the detached one
 * keeps its size and time across a reset and is not among the inodes with
 * bytes; a number given to users outlives the reset and goes with its inode.
 */
static void detach_and_renumber(void **state)
{
	struct inode_table t;
	struct fs_inode *root, *old, *new;
	struct timespec ts = { 1700000000, 5 }, back;
	struct strbuf sb = STRBUF_INIT;
	uint64_t size, seen = 0, n;

	(void)state;
	assert_int_equal(inodes_init(&t, tree_routes), 0);
	root = inodes_get(&t, 1);
	old = add(&t, root, "map.svg");
	inodes_hold(&t, old);
	inodes_set_size(old, 7, 3);
	inodes_set_mtime(old, 7, &ts);
	strbuf_addstr(&sb, "old");
	inodes_keep_content(&t, old, blob_new(&sb, 7));
	inodes_each_content(&t, each_content, &seen);
	assert_int_equal(seen, old->ino);
	assert_int_equal(inodes_user(&t, old), old->ino);

	inodes_detach(old, -1);
	inodes_reset_caches(&t);
	assert_true(inodes_detached(old, NULL));
	assert_true(inodes_detached_stat(old, &size, &back));
	assert_int_equal(size, 3);
	assert_int_equal(back.tv_nsec, 5);
	seen = 0;
	inodes_each_content(&t, each_content, &seen);
	assert_int_equal(seen, 0);

	new = add(&t, root, "map.svg");
	assert_ptr_not_equal(new, old);
	assert_int_not_equal(new->ino, old->ino);
	assert_int_equal(inodes_set_user(&t, new, old->ino), 0);
	assert_int_equal(inodes_user(&t, new), old->ino);
	inodes_reset_caches(&t);
	assert_int_equal(inodes_user(&t, new), old->ino);
	/* The kernel forgets the new one: its number users saw goes with it, its extra too. */
	n = new->ino;
	inodes_hold(&t, new);
	inodes_forget(&t, n, 1);
	for (int i = 0; i < INODES_IDLE_MAX + 1; i++) { /* push it off the idle ring */
		char name[32];
		struct fs_inode *x;

		snprintf(name, sizeof(name), "x%d", i);
		x = add(&t, root, name);
		inodes_hold(&t, x);
		inodes_forget(&t, x->ino, 1);
	}
	assert_null(inodes_get(&t, n));
	assert_int_equal(t.extras.n, 0);
	inodes_release(&t);
}

/* The clock names the held inodes nobody used since it last passed, never a pinned one. */
static void clock_names_the_unused(void **state)
{
	enum { N = 10 };
	struct inode_table t;
	struct fs_inode *root, *in[N];
	struct inode_name out[N];
	const char *spared = NULL;
	size_t k;
	int i;

	(void)state;
	assert_int_equal(inodes_init(&t, tree_routes), 0);
	root = inodes_get(&t, 1);
	for (i = 0; i < N; i++) {
		char name[8];

		snprintf(name, sizeof(name), "d%d", i);
		in[i] = add(&t, root, name);
		inodes_hold(&t, in[i]);
	}
	in[3]->pins++;
	/* All were used when held: a first call passes over them once, then names one. */
	assert_int_equal(inodes_over(&t, N - 1, out, 1), 1);
	assert_int_equal(out[0].parent, 1);
	assert_string_not_equal(out[0].name, "d3");
	/* Now every one but one (not d3, not the one named) is used again: that one is named next. */
	for (i = 0; i < N; i++)
		if (i != 3 && strcmp(in[i]->name, out[0].name) && !spared)
			spared = in[i]->name;
	free(out[0].name);
	for (i = 0; i < N; i++)
		if (in[i]->name != spared)
			inodes_touch(&t, in[i]);
	assert_int_equal(inodes_over(&t, N - 1, out, 1), 1);
	assert_string_equal(out[0].name, spared);
	free(out[0].name);
	/* Asked for all: every held one but the pinned is named, each once. */
	k = inodes_over(&t, 0, out, N);
	assert_int_equal(k, N - 1);
	for (i = 0; i < (int)k; i++) {
		assert_string_not_equal(out[i].name, "d3");
		free(out[i].name);
	}
	in[3]->pins--;
	inodes_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(node_round_trip),
		cmocka_unit_test(stat_cache),
		cmocka_unit_test(life),
		cmocka_unit_test(clock_names_the_unused),
		cmocka_unit_test(detach_and_renumber),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
