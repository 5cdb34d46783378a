// SPDX-License-Identifier: GPL-3.0-or-later
#include "testlib.h"

#include <archive.h>
#include <archive_entry.h>

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

int test_inventory_setup(void **state)
{
	struct test_inventory *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = test_tmpdir();
	test_copy_fixture("small", f->dir);
	f->st = test_store_new();
	test_import_ok(f->st, f->dir);
	f->tree = tree_open(f->st);
	assert_non_null(f->tree);
	*state = f;
	return 0;
}

int test_inventory_teardown(void **state)
{
	struct test_inventory *f = *state;

	tree_free(f->tree);
	store_close(f->st);
	test_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

char *test_snapshot(struct store *st)
{
	struct strbuf sb = STRBUF_INIT;
	int k;

	for (k = 0; k < REC_COUNT; k++)
		assert_int_equal(export_render(st, (enum record_kind)k, &sb), 0);
	return strbuf_detach(&sb, NULL);
}

/* A PDF literal string: ( ) and \\ escaped. */
static void pdf_string(struct strbuf *out, const char *s, size_t n)
{
	strbuf_addch(out, '(');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '(' || s[i] == ')' || s[i] == '\\')
			strbuf_addch(out, '\\');
		strbuf_addch(out, s[i]);
	}
	strbuf_addch(out, ')');
}

void test_pdf(struct strbuf *out, const char *const *pages, size_t npages, const char *title, const char *date,
	      int encrypt)
{
	struct strbuf objs[64];
	size_t nobj = 0, i, offsets[64], xref;
	size_t font, pages_id = 1 + 2 * npages + 1, catalog, info = 0, enc = 0;

	assert_true(npages * 2 + 5 < 64);
	for (i = 0; i < 64; i++)
		strbuf_init(&objs[i]);
	strbuf_addstr(&objs[nobj++], "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
	font = nobj;
	for (i = 0; i < npages; i++) {
		struct strbuf ops = STRBUF_INIT;
		const char *p = pages[i];

		strbuf_addstr(&ops, "BT\n/F1 11 Tf\n14 TL\n72 740 Td\n");
		for (;;) {
			size_t n = strcspn(p, "|");

			pdf_string(&ops, p, n);
			strbuf_addstr(&ops, " '\n");
			if (!p[n])
				break;
			p += n + 1;
		}
		strbuf_addstr(&ops, "ET");
		strbuf_addf(&objs[nobj], "<< /Length %zu >>\nstream\n%s\nendstream", ops.len, ops.buf);
		nobj++; /* the content is object number nobj; its page comes next */
		strbuf_addf(&objs[nobj],
			    "<< /Type /Page /Parent %zu 0 R /MediaBox [0 0 612 792] /Contents %zu 0 R"
			    " /Resources << /Font << /F1 %zu 0 R >> >> >>", pages_id, nobj, font);
		nobj++;
		strbuf_release(&ops);
	}
	strbuf_addstr(&objs[nobj], "<< /Type /Pages /Kids [");
	for (i = 0; i < npages; i++)
		strbuf_addf(&objs[nobj], "%s%zu 0 R", i ? " " : "", 3 + 2 * i);
	strbuf_addf(&objs[nobj], "] /Count %zu >>", npages);
	nobj++;
	assert_int_equal(nobj, pages_id);
	strbuf_addf(&objs[nobj], "<< /Type /Catalog /Pages %zu 0 R >>", pages_id);
	nobj++;
	catalog = nobj;
	if (title || date) {
		strbuf_addstr(&objs[nobj++], "<<");
		if (title) {
			strbuf_addstr(&objs[nobj - 1], " /Title ");
			pdf_string(&objs[nobj - 1], title, strlen(title));
		}
		if (date)
			strbuf_addf(&objs[nobj - 1], " /CreationDate (D:%s000000Z)", date);
		strbuf_addstr(&objs[nobj - 1], " >>");
		info = nobj;
	}
	if (encrypt) {
		strbuf_addstr(&objs[nobj++], "<< /Filter /Standard /V 1 /R 2 /O <");
		for (i = 0; i < 32; i++)
			strbuf_addstr(&objs[nobj - 1], "ab");
		strbuf_addstr(&objs[nobj - 1], "> /U <");
		for (i = 0; i < 32; i++)
			strbuf_addstr(&objs[nobj - 1], "cd");
		strbuf_addstr(&objs[nobj - 1], "> /P -4 >>");
		enc = nobj;
	}
	strbuf_addstr(out, "%PDF-1.4\n");
	for (i = 0; i < nobj; i++) {
		offsets[i] = out->len;
		strbuf_addf(out, "%zu 0 obj\n%s\nendobj\n", i + 1, objs[i].buf);
		strbuf_release(&objs[i]);
	}
	xref = out->len;
	strbuf_addf(out, "xref\n0 %zu\n0000000000 65535 f \n", nobj + 1);
	for (i = 0; i < nobj; i++)
		strbuf_addf(out, "%010zu 00000 n \n", offsets[i]);
	strbuf_addf(out, "trailer\n<< /Size %zu /Root %zu 0 R", nobj + 1, catalog);
	if (info)
		strbuf_addf(out, " /Info %zu 0 R", info);
	if (enc)
		strbuf_addf(out, " /Encrypt %zu 0 R /ID [<0101> <0101>]", enc);
	strbuf_addf(out, " >>\nstartxref\n%zu\n%%%%EOF\n", xref);
	assert_int_equal(strbuf_ok(out), 0);
}

void test_archive(const char *path, const char *format, const char *filter, const struct test_member *m,
		  size_t n, const char *passphrase)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e;

	assert_non_null(a);
	assert_int_equal(archive_write_set_format_by_name(a, format), ARCHIVE_OK);
	if (strcmp(filter, "none"))
		assert_int_equal(archive_write_add_filter_by_name(a, filter), ARCHIVE_OK);
	if (passphrase) {
		assert_int_equal(archive_write_set_options(a, "zip:encryption=traditional"), ARCHIVE_OK);
		assert_int_equal(archive_write_set_passphrase(a, passphrase), ARCHIVE_OK);
	}
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		size_t len = m[i].data ? (m[i].len ? m[i].len : strlen(m[i].data)) : 0;

		e = archive_entry_new();
		archive_entry_set_pathname(e, m[i].name);
		archive_entry_set_mtime(e, 1600000000, 0);
		archive_entry_set_perm(e, 0644);
		if (m[i].type == 'l') {
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, m[i].data);
			len = 0;
		} else if (m[i].type == 'h') {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, m[i].data);
			len = 0;
		} else if (m[i].type == 'd') {
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, 0755);
			len = 0;
		} else {
			archive_entry_set_filetype(e, AE_IFREG);
		}
		archive_entry_set_size(e, (la_int64_t)len);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (len)
			assert_int_equal(archive_write_data(a, m[i].data, len), (la_ssize_t)len);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

void test_read(const char *path, struct strbuf *out)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	size_t n;

	assert_non_null(f);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(out, buf, n);
	fclose(f);
	assert_int_equal(strbuf_ok(out), 0);
}

void test_write_bytes(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

char *test_path(const char *dir, const char *name)
{
	char *p = NULL;

	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

int test_render(struct tree *t, const char *path, char **out)
{
	struct tree_node n;
	struct strbuf sb = STRBUF_INIT;
	int rc = tree_resolve(t, path, &n);

	*out = NULL;
	if (rc)
		return rc;
	rc = tree_render(t, &n, &sb);
	tree_node_release(&n);
	if (rc)
		strbuf_release(&sb);
	else
		*out = strbuf_detach(&sb, NULL);
	return rc;
}

char *test_cat(struct tree *t, const char *path)
{
	char *s;
	int rc = test_render(t, path, &s);

	if (rc)
		fail_msg("%s: %s", path, strerror(-rc));
	return s;
}

char *test_ls(struct tree *t, const char *path)
{
	struct tree_node n;
	struct strlist names = STRLIST_INIT;
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(tree_resolve(t, path, &n), 0);
	assert_int_equal(tree_list(t, &n, &names), 0);
	for (size_t i = 0; i < names.n; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", names.items[i]);
	strlist_release(&names);
	tree_node_release(&n);
	return strbuf_detach(&sb, NULL);
}

void test_keygen(const char *dir, const char *name)
{
	struct strbuf fp = STRBUF_INIT, err = STRBUF_INIT;
	char *base = test_path(dir, name);

	if (nlb_keygen(base, &fp, &err))
		fail_msg("keygen: %s", err.buf);
	assert_int_equal(strncmp(fp.buf, "sha256:", 7), 0);
	assert_int_equal(fp.len, 7 + 64);
	free(base);
	strbuf_release(&fp);
	strbuf_release(&err);
}

void test_pack(const char *db, const char *key, const char *name, uint64_t serial, time_t date, const char *out)
{
	struct nlb_pack_options o = { .name = name, .key = key, .date = date, .serial = serial };
	struct strbuf err = STRBUF_INIT;
	struct store *st = NULL;

	assert_int_equal(store_open(db, STORE_READONLY, &st, &err), 0);
	if (nlb_pack(st, &o, out, &err))
		fail_msg("pack: %s", err.buf);
	store_close(st);
	strbuf_release(&err);
}

void test_signer_setup(struct test_signer *s, char **snapshot)
{
	struct store *st = test_fixture_inventory("small", "inv.db", &s->dir);

	if (snapshot)
		*snapshot = test_snapshot(st);
	store_close(st);
	s->db = test_path(s->dir, "inv.db");
	test_keygen(s->dir, "k");
	s->key = test_path(s->dir, "k.pem");
	s->pub = test_path(s->dir, "k.pub.pem");
}

void test_signer_release(struct test_signer *s)
{
	test_fixture_release(NULL, s->dir);
	free(s->db);
	free(s->key);
	free(s->pub);
	memset(s, 0, sizeof(*s));
}
