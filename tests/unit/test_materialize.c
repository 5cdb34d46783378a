// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests of fs_materialize (fs/materialize.c): every file, folder and
 * name the tree walk gives is on disk with the bytes tree_render gives and
 * nothing more; --at shows the tree of that day; a non-empty target is
 * refused. (The diff -r against a real mount is tests/mount/materialize.sh.)
 */
#include "testlib.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../fs/fs.h"
#include "../../fs/tree.h"

struct fixture {
	struct store *st;
	struct tree tree;
	char *dir;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *src = NULL;

	f->dir = test_tmpdir();
	assert_true(asprintf(&src, "%s/src", f->dir) > 0);
	test_copy_fixture("small", src);
	f->st = test_store_new();
	test_import_ok(f->st, src);
	tree_init(&f->tree, f->st);
	free(src);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->st);
	test_rmtree(f->dir);
	free(f->dir);
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

/* The folder on disk holds exactly what the tree shows at `node`, recursively. */
static void same_as_tree(struct fixture *f, const struct tree_node *node, const char *path)
{
	struct strlist names = STRLIST_INIT;
	size_t i;

	assert_int_equal(tree_list(&f->tree, node, &names), 0);
	assert_int_equal(entries_on_disk(path), names.n);
	for (i = 0; i < names.n; i++) {
		struct tree_node child;
		struct strbuf want = STRBUF_INIT;
		char *sub = NULL, *got;
		struct stat sb;

		assert_true(asprintf(&sub, "%s/%s", path, names.items[i]) > 0);
		assert_int_equal(tree_child(&f->tree, node, names.items[i], &child), 0);
		assert_int_equal(lstat(sub, &sb), 0);
		if (child.type == NODE_DIR) {
			assert_true(S_ISDIR(sb.st_mode));
			same_as_tree(f, &child, sub);
		} else {
			assert_true(child.type == NODE_FILE ? S_ISREG(sb.st_mode) : S_ISLNK(sb.st_mode));
			assert_int_equal(tree_render(&f->tree, &child, &want), 0);
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
	strlist_release(&names);
}

static void test_materialize__writes_the_whole_tree(void **state)
{
	struct fixture *f = *state;
	struct strbuf err = STRBUF_INIT;
	struct tree_node root;
	char *out = out_dir(f, "out"), *blocked = NULL, *text;

	assert_int_equal(fs_materialize(f->st, NULL, out, &err), 0);
	assert_int_equal(tree_resolve(&f->tree, "/", &root), 0);
	same_as_tree(f, &root, out);
	tree_node_release(&root);
	assert_true(asprintf(&blocked, "%s/states/NY/dmv/blocked", out) > 0);
	text = read_text(blocked);
	assert_string_equal(text, "ICE\n");
	free(text);
	free(blocked);
	free(out);
	strbuf_release(&err);
}

static void test_materialize__at_a_date(void **state)
{
	struct fixture *f = *state;
	struct strbuf err = STRBUF_INIT;
	char *out = out_dir(f, "at"), *p = NULL, *text;
	struct stat sb;

	assert_int_equal(fs_materialize(f->st, "2019-06-01", out, &err), 0);
	/* Before New York blocked ICE (2019-12-14), its DMV still sent to ICE. */
	assert_true(asprintf(&p, "%s/states/NY/dmv/blocked", out) > 0);
	text = read_text(p);
	assert_string_equal(text, "");
	free(text);
	free(p);
	assert_true(asprintf(&p, "%s/states/NY/dmv/recipients", out) > 0);
	text = read_text(p);
	assert_string_equal(text, "ICE\n");
	free(text);
	free(p);
	assert_true(asprintf(&p, "%s/flows/ny-dmv-blocks-ice", out) > 0);
	assert_int_equal(stat(p, &sb), -1);
	free(p);
	/* The New York law of 2019-06-17 is not there yet. */
	assert_true(asprintf(&p, "%s/states/NY/laws/A3675", out) > 0);
	assert_int_equal(stat(p, &sb), -1);
	free(p);
	assert_true(asprintf(&p, "%s/README", out) > 0);
	text = read_text(p);
	assert_non_null(strstr(text, "as of 2019-06-01"));
	free(text);
	free(p);
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
