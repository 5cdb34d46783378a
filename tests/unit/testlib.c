// SPDX-License-Identifier: GPL-3.0-or-later
#include "testlib.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *test_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *path = NULL;

	assert_true(asprintf(&path, "%s/nletsfs-unit.XXXXXX", base && *base ? base : "/tmp") > 0);
	assert_non_null(mkdtemp(path));
	return path;
}

void test_rmtree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (!d) {
		unlink(path);
		return;
	}
	while ((de = readdir(d))) {
		char *sub = NULL;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		assert_true(asprintf(&sub, "%s/%s", path, de->d_name) > 0);
		test_rmtree(sub);
		free(sub);
	}
	closedir(d);
	rmdir(path);
}

void test_write(const char *dir, const char *name, const char *content)
{
	char *path = NULL, *slash;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	for (slash = strchr(path + strlen(dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	free(path);
}

static void copy_tree(const char *from, const char *to)
{
	DIR *d = opendir(from);
	struct dirent *de;

	assert_non_null(d);
	mkdir(to, 0755);
	while ((de = readdir(d))) {
		char *src = NULL, *dst = NULL;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		assert_true(asprintf(&src, "%s/%s", from, de->d_name) > 0);
		assert_true(asprintf(&dst, "%s/%s", to, de->d_name) > 0);
		assert_int_equal(stat(src, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			copy_tree(src, dst);
		} else {
			FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
			char buf[4096];
			size_t n;

			assert_non_null(in);
			assert_non_null(out);
			while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
				fwrite(buf, 1, n, out);
			fclose(in);
			fclose(out);
		}
		free(src);
		free(dst);
	}
	closedir(d);
}

void test_copy_fixture(const char *name, const char *dir)
{
	char *from = NULL;

	assert_true(asprintf(&from, "%s/%s", FIXTURES, name) > 0);
	copy_tree(from, dir);
	free(from);
}

struct store *test_store_new(void)
{
	struct strbuf err = STRBUF_INIT;
	struct store *st = NULL;

	assert_int_equal(store_open(":memory:", STORE_CREATE, &st, &err), 0);
	strbuf_release(&err);
	return st;
}

void test_import_ok(struct store *st, const char *dir)
{
	struct import_report rep = { 0 };
	struct strbuf err = STRBUF_INIT;
	const char *paths[1] = { dir };
	int rc = import_records(st, paths, 1, 0, &rep, &err);

	if (rc) {
		import_report_print(&rep, stderr);
		fprintf(stderr, "%s\n", err.buf);
	}
	assert_int_equal(rc, 0);
	import_report_release(&rep);
	strbuf_release(&err);
}

struct store *test_fixture_inventory(const char *name, const char *db_name, char **dir)
{
	struct strbuf src = STRBUF_INIT, db = STRBUF_INIT, err = STRBUF_INIT;
	struct store *st = NULL;

	*dir = test_tmpdir();
	strbuf_addf(&src, "%s/src", *dir);
	if (db_name)
		strbuf_addf(&db, "%s/%s", *dir, db_name);
	else
		strbuf_addstr(&db, ":memory:");
	test_copy_fixture(name, src.buf);
	if (store_open(db.buf, STORE_CREATE, &st, &err))
		fail_msg("%s: %s", db.buf, err.buf);
	test_import_ok(st, src.buf);
	strbuf_release(&src);
	strbuf_release(&db);
	strbuf_release(&err);
	return st;
}

void test_fixture_release(struct store *st, char *dir)
{
	store_close(st);
	test_rmtree(dir);
	free(dir);
}

char *test_snapshot(struct store *st)
{
	struct strbuf sb = STRBUF_INIT;
	int k;

	for (k = 0; k < REC_COUNT; k++)
		assert_int_equal(export_render(st, (enum record_kind)k, &sb), 0);
	return strbuf_detach(&sb, NULL);
}
