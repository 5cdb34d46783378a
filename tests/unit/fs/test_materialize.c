// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests of fs_materialize (fs/materialize.c): every file, folder and
 * name the tree walk gives is on disk with the bytes tree_render gives and
 * nothing more; --at shows the tree of that day; a non-empty target is
 * refused. (The diff -r against a real mount is tests/mount/materialize.sh.)
 */
#include "../testlib.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../../fs/fs.h"
#include "../../../fs/tree.h"

struct fixture {
	struct store *st;	/* the small fixture, in memory */
	char *dir;		/* scratch folder */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->st = test_fixture_inventory("small", NULL, &f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	test_fixture_release(f->st, f->dir);
	free(f);
	return 0;
}

static char *out_dir(struct fixture *f, const char *name)
{
	char *p = NULL;

	assert_true(asprintf(&p, "%s/%s", f->dir, name) > 0);
	return p;
}

static char *read_text(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	FILE *fp = fopen(path, "rb");
	char buf[4096];
	size_t n;

	if (!fp)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(fp);
	return strbuf_detach(&sb, NULL);
}

/* The file DIR/REL holds `want`; NULL: there is no such file. */
static void expect_text(const char *dir, const char *rel, const char *want)
{
	char *path = NULL, *got;

	assert_true(asprintf(&path, "%s/%s", dir, rel) > 0);
	got = read_text(path);
	if (want ? !got || strcmp(got, want) : got != NULL)
		fail_msg("%s: got [%s], want [%s]", rel, got ? got : "(none)", want ? want : "(none)");
	free(got);
	free(path);
}

static size_t entries_on_disk(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

/* The folder on disk holds exactly what the tree shows at `node`, recursively (less /at and /search). */
static void same_as_tree(struct tree *t, const struct tree_node *node, const char *path, int root)
{
	struct strlist names = STRLIST_INIT;
	size_t i, n = 0;

	assert_int_equal(tree_list(t, node, &names), 0);
	for (i = 0; i < names.n; i++) {
		struct tree_node child;
		struct strbuf want = STRBUF_INIT;
		char *sub = NULL, *got;
		struct stat sb;

		if (root && (!strcmp(names.items[i], "at") || !strcmp(names.items[i], "search")))
			continue;
		n++;
		assert_true(asprintf(&sub, "%s/%s", path, names.items[i]) > 0);
		assert_int_equal(tree_child(t, node, names.items[i], &child), 0);
		assert_int_equal(lstat(sub, &sb), 0);
		if (child.type == NODE_DIR) {
			assert_true(S_ISDIR(sb.st_mode));
			same_as_tree(t, &child, sub, 0);
		} else {
			assert_true(child.type == NODE_FILE ? S_ISREG(sb.st_mode) : S_ISLNK(sb.st_mode));
			assert_int_equal(tree_render(t, &child, &want), 0);
			got = read_text(sub);
			assert_non_null(got);
			assert_int_equal(strlen(got), want.len);
			assert_memory_equal(got, want.buf, want.len);
			free(got);
		}
		tree_node_release(&child);
		strbuf_release(&want);
		free(sub);
	}
	assert_int_equal(entries_on_disk(path), n);
	strlist_release(&names);
}

static void test_materialize__writes_the_whole_tree(void **state)
{
	struct fixture *f = *state;
	struct strbuf err = STRBUF_INIT;
	struct tree_node root;
	struct tree *tree;
	char *out = out_dir(f, "out");

	assert_int_equal(fs_materialize(f->st, NULL, out, &err), 0);
	tree = tree_open(f->st);
	assert_non_null(tree);
	assert_int_equal(tree_resolve(tree, "/", &root), 0);
	same_as_tree(tree, &root, out, 1);
	tree_node_release(&root);
	tree_free(tree);
	expect_text(out, "states/NY/dmv/blocked", "ICE\n");
	free(out);
	strbuf_release(&err);
}

static void test_materialize__at_a_date(void **state)
{
	struct fixture *f = *state;
	struct strbuf err = STRBUF_INIT;
	char *out = out_dir(f, "at");

	assert_int_equal(fs_materialize(f->st, "2019-06-01", out, &err), 0);
	/* Before New York blocked ICE (2019-12-14), its DMV still sent to ICE. */
	expect_text(out, "states/NY/dmv/blocked", "");
	expect_text(out, "states/NY/dmv/recipients", "ICE\n");
	expect_text(out, "flows/ny-dmv-blocks-ice/status", NULL);
	expect_text(out, "flows/ny-dmv-to-ice-before/status", "reported\n");
	/* The New York law of 2019-06-17 is not there yet. */
	expect_text(out, "states/NY/laws/A3675", NULL);
	/* The present's own files are not in the past's tree; the rest is. */
	expect_text(out, "export/flows.csv", NULL);
	expect_text(out, "states/NY/name", "New York\n");
	free(out);
	strbuf_release(&err);
}

static void test_materialize__target_must_be_new_or_empty(void **state)
{
	struct fixture *f = *state;
	struct strbuf err = STRBUF_INIT;
	char *out = out_dir(f, "repo");

	/* A git checkout: only dot-files. */
	assert_int_equal(mkdir(out, 0755), 0);
	test_write(out, ".git/HEAD", "ref: refs/heads/main\n");
	test_write(out, ".gitattributes", "* text=auto\n");
	assert_int_equal(fs_materialize(f->st, NULL, out, &err), 0);
	/* Again into the same folder: it is not empty now. */
	assert_int_equal(fs_materialize(f->st, NULL, out, &err), -ENOTEMPTY);
	assert_non_null(strstr(err.buf, "not empty"));
	strbuf_reset(&err);
	assert_int_equal(fs_materialize(f->st, "2019-02-30", out, &err), -EINVAL);
	free(out);
	strbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_materialize__writes_the_whole_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_materialize__at_a_date, setup, teardown),
		cmocka_unit_test_setup_teardown(test_materialize__target_must_be_new_or_empty, setup, teardown),
	};

	return cmocka_run_group_tests_name("materialize", tests, NULL, NULL);
}
