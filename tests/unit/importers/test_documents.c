// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests of documents in (importers/doc_*.c, documents.c, pdf.c, html.c,
 * text.c, pia.c, partner_list.c, import.c) and of what the tree shows of them. Every
 * fixture is made here: PDFs written by hand, archives written by libarchive.
 */
#include "../testlib.h"
#include "../../../importers/importers_i.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "../../../fs/tree.h"


/* Import one path with options; returns import_paths()'s status, errors joined in *errors. */
static int import_one(struct test_inventory *f, const struct import_options *o, const char *path, char **errors)
{
	struct import_report rep = { 0 };
	struct strbuf err = STRBUF_INIT, all = STRBUF_INIT;
	const char *paths[1] = { path };
	FILE *mem;
	char *buf = NULL;
	size_t len = 0;
	int rc = import_paths(f->st, o, paths, 1, &rep, &err);

	mem = open_memstream(&buf, &len);
	import_report_print(&rep, mem);
	fclose(mem);
	strbuf_addf(&all, "%s%s", buf, err.buf);
	free(buf);
	if (errors)
		*errors = strbuf_detach(&all, NULL);
	strbuf_release(&all);
	import_report_release(&rep);
	strbuf_release(&err);
	return rc;
}

static void import_ok(struct test_inventory *f, const struct import_options *o, const char *path)
{
	char *errors = NULL;
	int rc = import_one(f, o, path, &errors);

	if (rc)
		fprintf(stderr, "import of %s: %d: %s\n", path, rc, errors);
	assert_int_equal(rc, 0);
	free(errors);
}

static void expect(struct test_inventory *f, const char *path, const char *content)
{
	char *got = test_cat(f->tree, path);

	if (strcmp(got, content))
		fprintf(stderr, "%s: got [%s]\n", path, got);
	assert_string_equal(got, content);
	free(got);
}

static int exists(struct test_inventory *f, const char *path)
{
	struct tree_node n;
	int rc = tree_resolve(f->tree, path, &n);

	if (!rc)
		tree_node_release(&n);
	return rc == 0;
}

static long count_sources(struct test_inventory *f)
{
	struct strlist l = STRLIST_INIT;
	long n;

	assert_int_equal(store_list_slugs(f->st, REC_SOURCES, NULL, NULL, &l), 0);
	n = (long)l.n;
	strlist_release(&l);
	return n;
}

/* The file NAME of source ID. */
static void expect_source(struct test_inventory *f, const char *id, const char *name, const char *content)
{
	char path[512];

	snprintf(path, sizeof(path), "/sources/%s/%s", id, name);
	expect(f, path, content);
}

/* The id of the source holding these bytes. */
static char *source_of(struct test_inventory *f, const void *data, size_t len)
{
	struct strbuf id = STRBUF_INIT;
	char hex[65];

	import_sha256_hex(data, len, hex);
	assert_int_equal(store_source_by_sha256(f->st, hex, &id), 0);
	return strbuf_detach(&id, NULL);
}

static int has_bytes(struct test_inventory *f, const char *data)
{
	struct strbuf id = STRBUF_INIT;
	char hex[65];
	int rc;

	import_sha256_hex((const unsigned char *)data, strlen(data), hex);
	rc = store_source_by_sha256(f->st, hex, &id);
	strbuf_release(&id);
	return rc == 0;
}

/* ---- plain text -------------------------------------------------------------------------------- */

static void test_documents__text_pages_hash_and_content_address(void **state)
{
	static const char text[] = "Memo on sharing\nICE asked Nlets for the SSN.\n\fPage two.\n";
	struct test_inventory *f = *state;
	struct import_options o = { .date = "2021-02-03", .url = "https://example.org/memo" };
	char *p = test_path(f->dir, "memo.txt"), *q = test_path(f->dir, "copy.txt"), *snap, *again, *id, *l, hex[65], line[256];
	long before;

	test_write(f->dir, "memo.txt", text);
	import_ok(f, &o, p);
	id = source_of(f, text, strlen(text));
	import_sha256_hex((const unsigned char *)text, strlen(text), hex);
	/* A readable slug of the title (its first line) and 8 digits of the SHA-256. */
	snprintf(line, sizeof(line), "memo-sharing-%.8s", hex);
	assert_string_equal(id, line);
	expect_source(f, id, "text", text);
	expect_source(f, id, "original.txt", text);
	expect_source(f, id, "date", "2021-02-03\n");
	expect_source(f, id, "url", "https://example.org/memo\n");
	expect_source(f, id, "kind", "other\n");
	expect_source(f, id, "title", "Memo on sharing\n");
	snprintf(line, sizeof(line), "%s\n", hex);
	expect_source(f, id, "sha256", line);
	expect_source(f, id, "excerpts/p1",
		      "names: Nlets; agency ICE; field ssn\n\nMemo on sharing\nICE asked Nlets for the SSN.\n");
	snprintf(line, sizeof(line), "/sources/%s/excerpts", id);
	l = test_ls(f->tree, line);
	assert_string_equal(l, "p1"); /* page 2 names nothing */
	free(l);
	snprintf(line, sizeof(line), "%s\n", id);
	expect(f, "/agencies/ICE/mentioned_in", line);
	snprintf(line, sizeof(line), "%s\npia-030g\n", id);
	expect(f, "/fields/ssn/mentioned_in", line);

	/* The same bytes again, under another name and date: nothing changes. */
	before = count_sources(f);
	snap = test_snapshot(f->st);
	test_write(f->dir, "copy.txt", text);
	import_ok(f, &(struct import_options){ .date = "2022" }, q);
	assert_int_equal(count_sources(f), before);
	again = test_snapshot(f->st);
	assert_string_equal(again, snap);
	free(again);
	free(snap);
	free(id);
	free(p);
	free(q);
}

/* ---- PDF, PIA, HTML ------------------------------------------------------------------------------- */

static void test_documents__pdf_and_pia_detection(void **state)
{
	static const char *const pages[] = {
		"Privacy Impact Assessment Update|for the E-Verify Program|DHS/USCIS/PIA-030(g)|June 18, 2019",
		"E-Verify sends NLETS the driver's license number.|USCIS receives the SSN.",
		"Nothing to see here.",
	};
	struct test_inventory *f = *state;
	struct strbuf pdf = STRBUF_INIT, plain = STRBUF_INIT;
	char *p = test_path(f->dir, "pia.pdf"), *q = test_path(f->dir, "report.pdf"), *id, *l, line[256];

	/* The info dictionary's date is the file's; a PIA's own date is on its first page. */
	test_pdf(&pdf, pages, 3, "Privacy Impact Assessment Update for the E-Verify Program", "20190701", 0);
	test_write_bytes(p, pdf.buf, pdf.len);
	import_ok(f, &(struct import_options){ 0 }, p);
	id = source_of(f, pdf.buf, pdf.len);
	assert_non_null(strstr(id, "privacy-impact-assessment-update-e-verify-"));
	expect_source(f, id, "kind", "pia\n");
	expect_source(f, id, "date", "2019-06-18\n");
	expect_source(f, id, "title", "Privacy Impact Assessment Update for the E-Verify Program\n");
	expect_source(f, id, "identifier", "DHS/USCIS/PIA-030(g)\n");
	expect_source(f, id, "component", "USCIS\n");
	expect_source(f, id, "agency", "USCIS\n"); /* USCIS is an agency of the inventory */
	expect_source(f, id, "text",
		      "Privacy Impact Assessment Update\nfor the E-Verify Program\nDHS/USCIS/PIA-030(g)\nJune 18, 2019\n"
		      "\fE-Verify sends NLETS the driver's license number.\nUSCIS receives the SSN.\n"
		      "\fNothing to see here.\n");
	snprintf(line, sizeof(line), "/sources/%s", id);
	l = test_ls(f->tree, line);
	assert_string_equal(l, "agency component date excerpts identifier kind original.pdf redactions sha256 supports text title");
	free(l);
	expect_source(f, id, "excerpts/p2",
		      "names: Nlets; agency USCIS; field license_number; field ssn\n\n"
		      "E-Verify sends NLETS the driver's license number.\nUSCIS receives the SSN.\n");
	free(id);

	/* Not a PIA: the info dictionary dates it; no identifier files. */
	test_pdf(&plain, pages + 1, 1, NULL, "20200102", 0);
	test_write_bytes(q, plain.buf, plain.len);
	import_ok(f, &(struct import_options){ .kind = "foia" }, q);
	id = source_of(f, plain.buf, plain.len);
	expect_source(f, id, "kind", "foia\n");
	expect_source(f, id, "date", "2020-01-02\n");
	expect_source(f, id, "title", "E-Verify sends NLETS the driver's license number.\n");
	snprintf(line, sizeof(line), "/sources/%s/identifier", id);
	assert_false(exists(f, line));
	free(id);
	strbuf_release(&pdf);
	strbuf_release(&plain);
	free(p);
	free(q);
}

static void test_documents__pia_first_page(void **state)
{
	static const struct {
		const char *page, *identifier, *component, *date;
		int titled;
	} cases[] = {
		{ "Privacy Impact Assessment\nfor the LEIS Service\nDHS/ICE/PIA-051\nJune 28, 2019\n",
		  "DHS/ICE/PIA-051", "ICE", "2019-06-28", 1 },
		{ "  Privacy Impact Assessment Update for ACRIMe\nDHS/ICE/PIA-020(c)\nSeptember 28, 2018",
		  "DHS/ICE/PIA-020(c)", "ICE", "2018-09-28", 1 },
		{ "Memo\n\nDated 18 June 2019, about DHS/CBP/PIA-012(b).", "DHS/CBP/PIA-012(b)", "CBP", "2019-06-18", 0 },
		{ "PIA of 06/18/2019 and 2020-01-02", "", "", "2019-06-18", 0 },
		{ "Privacy Impact Assessment\nFebruary 30, 2019 is no date; 2019-02-28 is", "", "", "2019-02-28", 1 },
		{ "nothing", "", "", "", 0 },
	};
	struct pia_info pia;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pia_detect(cases[i].page, strlen(cases[i].page), &pia);
		assert_string_equal(pia.identifier, cases[i].identifier);
		assert_string_equal(pia.component, cases[i].component);
		assert_string_equal(pia.date, cases[i].date);
		assert_int_equal(pia.titled, cases[i].titled);
	}
}

static void test_documents__html(void **state)
{
	static const char page[] =
		"<!DOCTYPE html><html><head><title> Nlets and\n ICE </title>"
		"<meta name=\"date\" content=\"2020-11-05T10:00:00Z\"><style>p { color: red }</style></head>"
		"<body><h1>Sharing</h1><p>The <b>DMV</b> shares the\n   SSN with ICE.<br>Next line</p>"
		"<script>var nlets = 1;</script><ul><li>One</li><li>Two</li></ul></body></html>";
	struct test_inventory *f = *state;
	char *p = test_path(f->dir, "page.html"), *id;

	test_write(f->dir, "page.html", page);
	import_ok(f, &(struct import_options){ 0 }, p);
	id = source_of(f, page, strlen(page));
	expect_source(f, id, "title", "Nlets and ICE\n");
	expect_source(f, id, "kind", "web\n");
	expect_source(f, id, "date", "2020-11-05\n");
	expect_source(f, id, "text", "Sharing\nThe DMV shares the SSN with ICE.\nNext line\nOne\nTwo\n");
	expect_source(f, id, "original.html", page);
	free(id);
	free(p);
}

/* ---- refusals of documents (point 8) --------------------------------------------------------------- */

static void expect_refused(struct test_inventory *f, const struct import_options *o, const char *path, const char *message)
{
	char *before = test_snapshot(f->st), *after, *errors = NULL;
	long n = count_sources(f);
	int rc = import_one(f, o, path, &errors);

	if (rc != 1 || !strstr(errors, message) || !strstr(errors, path))
		fprintf(stderr, "%s: rc %d, errors [%s], expected [%s]\n", path, rc, errors, message);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(errors, path));
	assert_non_null(strstr(errors, message));
	after = test_snapshot(f->st);
	assert_string_equal(after, before);
	assert_int_equal(count_sources(f), n);
	free(before);
	free(after);
	free(errors);
}

static void test_documents__bad_documents_are_refused(void **state)
{
	static const char *const pages[] = { "Nlets shares the SSN." };
	struct test_inventory *f = *state;
	struct strbuf pdf = STRBUF_INIT, enc = STRBUF_INIT, bad = STRBUF_INIT;
	const struct import_options dated = { .date = "2020" };
	char *p = test_path(f->dir, "doc");

	test_pdf(&pdf, pages, 1, NULL, "20200101", 0);
	test_pdf(&enc, pages, 1, NULL, "20200101", 1);
	/* Cut short: no %%EOF. */
	test_write_bytes(p, pdf.buf, pdf.len / 2);
	expect_refused(f, &dated, p, "truncated PDF");
	/* Damaged in its middle: poppler cannot find its pages. */
	strbuf_add(&bad, "%PDF-1.4\n", 9);
	for (int i = 0; i < 200; i++)
		strbuf_addstr(&bad, "garbage ");
	strbuf_addstr(&bad, "\n%%EOF\n");
	test_write_bytes(p, bad.buf, bad.len);
	expect_refused(f, &dated, p, "corrupt PDF");
	test_write_bytes(p, enc.buf, enc.len);
	expect_refused(f, &dated, p, "encrypted PDF");
	test_write_bytes(p, "", 0);
	expect_refused(f, &dated, p, "empty file");
	test_write_bytes(p, "Nlets\nis f\xffne\n", 13);
	expect_refused(f, &(struct import_options){ .kind = "text", .date = "2020" }, p, ":2:5: error: invalid UTF-8");
	test_write_bytes(p, "Nlets\0SSN", 9);
	expect_refused(f, &(struct import_options){ .kind = "text", .date = "2020" }, p, ":1:6: error: NUL byte");
	test_write_bytes(p, "\x01\x02\x03\xff\xfe binary", 12);
	expect_refused(f, &dated, p, "not a PDF, HTML or text file");
	free(p);
	p = test_path(f->dir, "page.html");
	test_write_bytes(p, "<html><head><meta charset=\"utf-8\"></head><body>caf\xe9</body></html>", 64);
	expect_refused(f, &dated, p, "not text in the page's character set");
	test_write_bytes(p, "\x01\x02 <<<", 6);
	expect_refused(f, &dated, p, "malformed HTML");
	test_write_bytes(p, "<p>x\0y</p>", 10);
	expect_refused(f, &dated, p, "NUL byte");
	/* A text document that gives no date needs --date. */
	test_write_bytes(p, "<p>Nlets</p>", 12);
	expect_refused(f, &(struct import_options){ 0 }, p, "no date");
	strbuf_release(&pdf);
	strbuf_release(&enc);
	strbuf_release(&bad);
	free(p);
}

/* ---- archives (point 2) ------------------------------------------------------------------------------ */

static void test_documents__archives_of_every_format(void **state)
{
	static const struct {
		const char *name, *format, *filter;
	} kinds[] = {
		{ "a.zip", "zip", "none" }, { "a.tar", "ustar", "none" }, { "a.tar.gz", "pax", "gzip" },
		{ "a.tar.xz", "pax", "xz" }, { "a.7z", "7zip", "none" },
	};
	struct test_inventory *f = *state;
	char line[256];

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char one[128], two[128], *p = test_path(f->dir, kinds[i].name), *id;
		const struct test_member m[] = {
			{ "release", NULL, 0, 'd' },
			{ "release/one.txt", one, 0, 0 },
			{ "release/sub/two.txt", two, 0, 0 },
		};

		snprintf(one, sizeof(one), "First memo of %s: CBP asks Nlets.\n", kinds[i].name);
		snprintf(two, sizeof(two), "Second memo of %s.\n", kinds[i].name);
		test_archive(p, kinds[i].format, kinds[i].filter, m, 3, NULL);
		import_ok(f, &(struct import_options){ .kind = "foia", .date = "2021-05" }, p);
		id = source_of(f, one, strlen(one));
		snprintf(line, sizeof(line), "%s/release/one.txt\n", kinds[i].name);
		expect_source(f, id, "member", line);
		expect_source(f, id, "kind", "foia\n");
		expect_source(f, id, "text", one);
		free(id);
		id = source_of(f, two, strlen(two));
		snprintf(line, sizeof(line), "%s/release/sub/two.txt\n", kinds[i].name);
		expect_source(f, id, "member", line);
		free(id);
		free(p);
	}
}

static void test_documents__archives_nest_three_deep(void **state)
{
	static const char deep[] = "Three archives down, Nlets.\n", deeper[] = "Four down.\n";
	struct test_inventory *f = *state;
	struct strbuf level = STRBUF_INIT;
	char *p3 = test_path(f->dir, "l3.tar.gz"), *p2 = test_path(f->dir, "l2.zip"), *p1 = test_path(f->dir, "l1.zip"), *p0 = test_path(f->dir, "l0.zip");
	char *id;
	const struct test_member m3[] = { { "deep.txt", deep, 0, 0 } };

	test_archive(p3, "pax", "gzip", m3, 1, NULL);
	test_read(p3, &level);
	test_archive(p2, "zip", "none", (struct test_member[]){ { "in/l3.tar.gz", level.buf, level.len, 0 } }, 1, NULL);
	strbuf_reset(&level);
	test_read(p2, &level);
	test_archive(p1, "zip", "none", (struct test_member[]){ { "l2.zip", level.buf, level.len, 0 } }, 1, NULL);
	import_ok(f, &(struct import_options){ .date = "2021" }, p1);
	id = source_of(f, deep, strlen(deep));
	expect_source(f, id, "member", "l1.zip/l2.zip/in/l3.tar.gz/deep.txt\n");
	free(id);

	/* One more level is refused, and nothing of the call lands. */
	strbuf_reset(&level);
	test_archive(p3, "pax", "gzip", (struct test_member[]){ { "deeper.txt", deeper, 0, 0 } }, 1, NULL);
	test_read(p3, &level);
	test_archive(p2, "zip", "none", (struct test_member[]){ { "l3.tar.gz", level.buf, level.len, 0 } }, 1, NULL);
	strbuf_reset(&level);
	test_read(p2, &level);
	test_archive(p1, "zip", "none", (struct test_member[]){ { "l2.zip", level.buf, level.len, 0 } }, 1, NULL);
	strbuf_reset(&level);
	test_read(p1, &level);
	test_archive(p0, "zip", "none",
		     (struct test_member[]){ { "first.txt", "Lands only if all lands.\n", 0, 0 },
					     { "l1.zip", level.buf, level.len, 0 } }, 2, NULL);
	expect_refused(f, &(struct import_options){ .date = "2021" }, p0,
		       "member 'l1.zip/l2.zip/l3.tar.gz': an archive nested more than 3 deep");
	assert_false(has_bytes(f, "Lands only if all lands.\n"));
	strbuf_release(&level);
	free(p0);
	free(p1);
	free(p2);
	free(p3);
}

static void test_documents__archive_refusals(void **state)
{
	static const char good[] = "A good member, listed first.\n";
	struct test_inventory *f = *state;
	const struct import_options o = { .date = "2021" };
	char *p = test_path(f->dir, "bad.tar"), *z = test_path(f->dir, "bad.zip"), *g = test_path(f->dir, "bad.tar.gz");
	struct strbuf bytes = STRBUF_INIT, zeros = STRBUF_INIT;
	unsigned char header[512];
	unsigned sum = 0;

	test_archive(p, "pax", "none",
		     (struct test_member[]){ { "ok.txt", good, 0, 0 }, { "../escape.txt", "x\n", 0, 0 } }, 2, NULL);
	expect_refused(f, &o, p, "member '../escape.txt': its name climbs out of the archive");
	test_archive(p, "pax", "none",
		     (struct test_member[]){ { "ok.txt", good, 0, 0 }, { "/etc/passwd.txt", "x\n", 0, 0 } }, 2, NULL);
	expect_refused(f, &o, p, "member '/etc/passwd.txt': its name climbs out");
	test_archive(p, "pax", "none",
		     (struct test_member[]){ { "ok.txt", good, 0, 0 }, { "link.txt", "/etc/passwd", 0, 'l' } }, 2, NULL);
	expect_refused(f, &o, p, "member 'link.txt': a link");
	test_archive(p, "pax", "none",
		     (struct test_member[]){ { "ok.txt", good, 0, 0 }, { "hard.txt", "ok.txt", 0, 'h' } }, 2, NULL);
	expect_refused(f, &o, p, "member 'hard.txt': a link");
	test_archive(z, "zip", "none",
		     (struct test_member[]){ { "ok.txt", good, 0, 0 }, { "secret.txt", "Nlets\n", 0, 0 } }, 2, "pw");
	expect_refused(f, &o, z, "member 'ok.txt': encrypted");
	/* A member that expands more than 200 times: 64 MiB of zeros. */
	strbuf_grow(&zeros, 64u << 20);
	memset(zeros.buf, 0, 64u << 20);
	zeros.len = 64u << 20;
	test_archive(z, "zip", "none",
		     (struct test_member[]){ { "ok.txt", good, 0, 0 }, { "bomb.txt", zeros.buf, zeros.len, 0 } }, 2, NULL);
	expect_refused(f, &o, z, "member 'bomb.txt': expands more than 200 times");
	test_archive(g, "pax", "gzip",
		     (struct test_member[]){ { "ok.txt", good, 0, 0 }, { "bomb.txt", zeros.buf, zeros.len, 0 } }, 2, NULL);
	expect_refused(f, &o, g, "member 'bomb.txt': expands more than 200 times");
	/* A member whose header says 300 MiB: refused before a byte of it is read. */
	memset(header, 0, sizeof(header));
	strcpy((char *)header, "big.txt");
	memcpy(header + 100, "0000644", 8);
	memcpy(header + 108, "0000000", 8);
	memcpy(header + 116, "0000000", 8);
	snprintf((char *)header + 124, 12, "%011o", 300u << 20);
	memcpy(header + 136, "14000000000", 12);
	header[156] = '0';
	memcpy(header + 257, "ustar", 6);
	memcpy(header + 263, "00", 2);
	memset(header + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += header[i];
	snprintf((char *)header + 148, 8, "%06o", sum);
	strbuf_reset(&bytes);
	strbuf_add(&bytes, header, sizeof(header));
	strbuf_addstr(&bytes, "only a little of it");
	strbuf_grow(&bytes, 2048);
	memset(bytes.buf + bytes.len, 0, 2048);
	bytes.len += 2048;
	test_write_bytes(p, bytes.buf, bytes.len);
	expect_refused(f, &o, p, "member 'big.txt': 314572800 bytes uncompressed, over 256 MiB");
	/* Truncated and corrupt archives. */
	test_archive(g, "pax", "gzip",
		     (struct test_member[]){ { "ok.txt", good, 0, 0 }, { "more.txt", "Nlets memo\n", 0, 0 } }, 2, NULL);
	strbuf_reset(&bytes);
	test_read(g, &bytes);
	test_write_bytes(g, bytes.buf, bytes.len / 2);
	expect_refused(f, &o, g, "truncated or corrupt");
	test_archive(z, "zip", "none",
		     (struct test_member[]){ { "ok.txt", good, 0, 0 }, { "more.txt", "Nlets memo two\n", 0, 0 } }, 2, NULL);
	strbuf_reset(&bytes);
	test_read(z, &bytes);
	/* Without its central directory (the end cut off), and cut in the middle of a member. */
	test_write_bytes(z, bytes.buf, bytes.len - 60);
	expect_refused(f, &o, z, "truncated zip archive");
	test_write_bytes(z, bytes.buf, bytes.len / 2);
	expect_refused(f, &o, z, "bad.zip");
	test_write_bytes(z, "PK\x03\x04 this is no zip at all", 27);
	expect_refused(f, &o, z, "bad.zip");
	/* A bad document inside an archive is named with its member. */
	test_archive(z, "zip", "none",
		     (struct test_member[]){ { "ok.txt", good, 0, 0 }, { "dir/latin1.txt", "caf\xe9\n", 0, 0 } }, 2,
		     NULL);
	expect_refused(f, &o, z, "bad.zip:1:4: error: member 'dir/latin1.txt': invalid UTF-8");
	test_archive(z, "zip", "none",
		     (struct test_member[]){ { "ok.txt", good, 0, 0 }, { "empty.pdf", "", 0, 0 } }, 2, NULL);
	expect_refused(f, &o, z, "member 'empty.pdf': empty file");
	assert_false(has_bytes(f, good));
	strbuf_release(&bytes);
	strbuf_release(&zeros);
	free(p);
	free(z);
	free(g);
}

/* ---- partner lists (point 5) --------------------------------------------------------------------------- */

static void test_documents__two_dated_partner_lists(void **state)
{
	static const char first[] =
		"<html><head><title>Strategic Partner List</title></head><body>"
		"<nav><ul><li><a href=\"/\">Home</a> - start</li></ul></nav>"
		"<table><tr><th>Partner</th><th>Access</th></tr>"
		"<tr><td>Datamaxx</td><td>Message switching</td></tr>"
		"<tr><td>Acme Data</td><td>Vehicle registration for parking</td></tr></table>"
		"<ul><li><strong>Old Corp</strong>: records checks</li></ul></body></html>";
	static const char second[] = "name,description\nDatamaxx,Message switching and hosting\nNew Co,Analytics\n";
	static const char third[] = "name,description,kind\nOld Corp,records checks again,hosting\n";
	struct test_inventory *f = *state;
	char *p = test_path(f->dir, "list.html"), *q = test_path(f->dir, "list.csv"), *r = test_path(f->dir, "list3.csv");
	const struct import_options o1 = { .kind = "partner-list", .as_of = "2021-01", .url = "https://example.org/list" };
	const struct import_options o2 = { .kind = "partner-list", .as_of = "2022-01", .url = "https://example.org/list" };
	const struct import_options o3 = { .kind = "partner-list", .as_of = "2023-01", .url = "https://example.org/list" };

	test_write(f->dir, "list.html", first);
	test_write(f->dir, "list.csv", second);
	test_write(f->dir, "list3.csv", third);
	import_ok(f, &o1, p);
	expect(f, "/partners/Acme-Data/listed", "2021-01..\n");
	expect(f, "/partners/Acme-Data/access", "Vehicle registration for parking\n");
	expect(f, "/partners/Acme-Data/kind", "strategic\n");
	expect(f, "/partners/Old-Corp/access", "records checks\n");
	assert_false(exists(f, "/partners/Home"));
	/* Datamaxx was cited by the fixture's 2020-10 list (another list): its ranges merge. */
	expect(f, "/partners/Datamaxx/listed", "2020-10..\n");
	import_ok(f, &o2, q);
	/* Acme Data and Old Corp are missing from the later list: their listing ends on its date. */
	expect(f, "/partners/Acme-Data/listed", "2021-01..2022-01\n");
	expect(f, "/partners/Old-Corp/listed", "2021-01..2022-01\n");
	expect(f, "/partners/New-Co/listed", "2022-01..\n");
	expect(f, "/partners/Datamaxx/listed", "2020-10..\n");
	expect(f, "/partners/Datamaxx/access", "Message switching and hosting\n");
	expect(f, "/partners/Datamaxx/kind", "strategic\n"); /* an existing partner keeps its kind */
	import_ok(f, &o3, r);
	expect(f, "/partners/Old-Corp/listed", "2021-01..2022-01\n2023-01..\n");
	expect(f, "/partners/New-Co/listed", "2022-01..2023-01\n");
	expect(f, "/partners/Old-Corp/kind", "strategic\n");
	/* The same page seen again later is one more observation of it. */
	import_ok(f, &(struct import_options){ .kind = "partner-list", .as_of = "2024-01" }, p);
	expect(f, "/partners/Acme-Data/listed", "2021-01..2022-01\n2024-01..\n");
	expect(f, "/partners/Old-Corp/listed", "2021-01..2022-01\n2023-01..\n");
	/* A list with no entry is refused. */
	test_write(f->dir, "list.html", "<html><body><p>No partners here</p></body></html>");
	expect_refused(f, &o3, p, "no partner entries");
	free(p);
	free(q);
	free(r);
}

static void test_documents__partner_list_shapes(void **state)
{
	static const char html[] =
		"<html><head><title>Hosting Partners</title></head><body><header><ul><li><b>Menu</b> - x</li></ul>"
		"</header><dl><dt>Alpha Inc</dt><dd>Hosted CAD</dd><dt>Beta LLC</dt><dd>Hosted RMS</dd></dl>"
		"<ul><li>Gamma Corp \xe2\x80\x93 Hosted analytics</li><li>No description</li>"
		"<li><a href=\"x\">Delta</a>: records</li></ul></body></html>";
	struct partner_entries e = { 0 };
	struct strbuf err = STRBUF_INIT;
	unsigned line, col;

	(void)state;
	assert_int_equal(partner_list_parse_html(html, strlen(html), &e, &err), 0);
	assert_int_equal(e.hosting, 1);
	assert_int_equal(e.n, 4);
	assert_string_equal(e.v[0].name, "Alpha Inc");
	assert_string_equal(e.v[0].description, "Hosted CAD");
	assert_string_equal(e.v[2].name, "Gamma Corp");
	assert_string_equal(e.v[2].description, "Hosted analytics");
	assert_string_equal(e.v[3].name, "Delta");
	assert_string_equal(e.v[3].description, "records");
	partner_entries_release(&e);
	assert_int_equal(partner_list_parse_csv("name,colour\nA,red\n", 18, &e, &err, &line, &col), -EINVAL);
	assert_non_null(strstr(err.buf, "unknown column 'colour'"));
	assert_int_equal(line, 1);
	assert_int_equal(col, 6);
	partner_entries_release(&e);
	strbuf_release(&err);
}

/* ---- excerpts (point 3) ----------------------------------------------------------------------------------- */

static void test_documents__excerpt_rules(void **state)
{
	static const struct {
		const char *page, *names, *passage;
	} cases[] = {
		/* Whole words, ASCII case ignored; capitals-only short terms match in capitals only. */
		{ "The nlets network.", "Nlets", "The nlets network.\n" },
		{ "Nletsfs is a tool; ice melts; per year.", NULL, NULL },
		{ "ICE and DOB.", "agency ICE; field dob", "ICE and DOB.\n" },
		/* A space in a term matches line breaks; an apostrophe the typographic one. */
		{ "the Social\n  Security number and the driver\xe2\x80\x99s license no.",
		  "field license; field ssn", "the Social\n  Security number and the driver\xe2\x80\x99s license no.\n" },
		{ "International Justice and Public\nSafety Network (Nlets)", "Nlets",
		  "International Justice and Public\nSafety Network (Nlets)\n" },
		/* One line of context on each side; separate runs joined by [...]. */
		{ "a\nb\nc\nNNWS\nd\ne\nf\ng\nh\nICE\ni\n", "Nlets; agency ICE", "c\nNNWS\nd\n[...]\nh\nICE\ni\n" },
		{ "x\n\nICE\n\ny\n", "agency ICE", "ICE\n" },
	};
	struct vocab v;
	struct excerpt e;
	struct strbuf names = STRBUF_INIT;

	(void)state;
	vocab_init(&v);
	assert_int_equal(vocab_add(&v, VOCAB_AGENCY, "ICE", "ICE"), 0);
	assert_int_equal(vocab_add(&v, VOCAB_AGENCY, "ICE", "Immigration and Customs Enforcement"), 0);
	assert_int_equal(vocab_add(&v, VOCAB_FIELD, "ssn", "social security number"), 0);
	assert_int_equal(vocab_add(&v, VOCAB_FIELD, "dob", "DOB"), 0);
	assert_int_equal(vocab_add(&v, VOCAB_FIELD, "license", "driver's  license"), 0);
	assert_int_equal(vocab_add(&v, VOCAB_FIELD, "per", "PER"), 0);
	assert_int_equal(vocab_add(&v, VOCAB_FIELD, "x", "#"), 0); /* ignored: not a word */
	assert_int_equal(vocab_finish(&v), 0);
	excerpt_init(&e);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = excerpt_page(&v, cases[i].page, strlen(cases[i].page), &e);

		assert_int_equal(rc, cases[i].names ? 1 : 0);
		if (!rc)
			continue;
		strbuf_reset(&names);
		excerpt_names_line(&e, &names);
		assert_string_equal(names.buf, cases[i].names);
		assert_string_equal(e.passage.buf, cases[i].passage);
	}
	excerpt_release(&e);
	vocab_release(&v);
	strbuf_release(&names);
}

/*
 * A field's names as the store gives them (id, id in words, display name,
 * synonyms): more than one word counts in any case, one word only in capitals.
 */
static void test_documents__field_names_not_ordinary_words(void **state)
{
	static const struct {
		const char *page, *names;
	} cases[] = {
		{ "The name of the program is withheld.\nName and address redacted.\n", NULL },
		{ "Names, photos and images.\n", NULL },
		{ "Requests ask for the date of birth.\n", "field date_of_birth" },
		{ "Date\nof birth", "field date_of_birth" },
		{ "column date_of_birth", "field date_of_birth" },
		{ "The SSN is checked.\n", "field ssn" },
		{ "the ssn, Ssn or SSNs\n", NULL },
		{ "NAME: J. DOE\n", "field name" },
		{ "the driver's name and the A-number\n", "field a_number; field name" },
		{ "the name, address, date of birth and SSN\n", "field date_of_birth; field ssn" },
		{ "a driver's license photo, a photo image\n", "field photo" },
	};
	/* Rows as DS_TERMS yields them for these fields of data/fields.csv. */
	static const char *const terms[][2] = {
		{ "name", "name" }, { "name", "Name" }, { "name", "NAM" }, { "name", "driver's name" },
		{ "date_of_birth", "date_of_birth" }, { "date_of_birth", "date of birth" },
		{ "date_of_birth", "Date of birth" }, { "date_of_birth", "DOB" },
		{ "ssn", "ssn" }, { "ssn", "Social Security number" }, { "ssn", "SSN" },
		{ "address", "address" }, { "address", "Address" }, { "address", "home address" },
		{ "photo", "photo" }, { "photo", "Photo" }, { "photo", "image" },
		{ "photo", "driver's license photo" }, { "photo", "photo image" },
		{ "a_number", "a_number" }, { "a_number", "Alien registration number" }, { "a_number", "A-number" },
	};
	struct vocab v;
	struct excerpt e;
	struct strbuf names = STRBUF_INIT;

	(void)state;
	vocab_init(&v);
	for (size_t i = 0; i < sizeof(terms) / sizeof(terms[0]); i++)
		assert_int_equal(vocab_add(&v, VOCAB_FIELD, terms[i][0], terms[i][1]), 0);
	assert_int_equal(vocab_finish(&v), 0);
	excerpt_init(&e);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = excerpt_page(&v, cases[i].page, strlen(cases[i].page), &e);

		if (rc != (cases[i].names ? 1 : 0))
			fail_msg("case %zu: '%s': excerpt_page %d", i, cases[i].page, rc);
		if (!rc)
			continue;
		strbuf_reset(&names);
		excerpt_names_line(&e, &names);
		assert_string_equal(names.buf, cases[i].names);
	}
	excerpt_release(&e);
	vocab_release(&v);
	strbuf_release(&names);
}

static void test_documents__long_lines_and_many_passages(void **state)
{
	struct strbuf page = STRBUF_INIT;
	struct vocab v;
	struct excerpt e;

	(void)state;
	vocab_init(&v);
	assert_int_equal(vocab_finish(&v), 0);
	excerpt_init(&e);
	/* A 1,000-byte line is cut into units at blanks: the passage is the unit around Nlets. */
	for (int i = 0; i < 300; i++)
		strbuf_addstr(&page, i == 150 ? "Nlets.... " : "filler... ");
	assert_int_equal(excerpt_page(&v, page.buf, page.len, &e), 1);
	assert_true(e.passage.len <= 3 * 300 + 3);
	assert_non_null(strstr(e.passage.buf, "Nlets"));
	/* At most 20 passages a page. */
	strbuf_reset(&page);
	for (int i = 0; i < 25; i++)
		strbuf_addstr(&page, "Nlets\n.\n.\n.\n");
	assert_int_equal(excerpt_page(&v, page.buf, page.len, &e), 1);
	assert_non_null(strstr(e.passage.buf, "[... 5 more passages on this page]\n"));
	excerpt_release(&e);
	vocab_release(&v);
	strbuf_release(&page);
}

/* A field added by a later records import: the excerpts are computed again. */
static void test_documents__later_vocabulary_recomputes_excerpts(void **state)
{
	static const char text[] = "The report lists the country of birth.\n";
	struct test_inventory *f = *state;
	char *p = test_path(f->dir, "report.txt"), *id, line[256];

	test_write(f->dir, "report.txt", text);
	import_ok(f, &(struct import_options){ .date = "2021" }, p);
	id = source_of(f, text, strlen(text));
	snprintf(line, sizeof(line), "/sources/%s/excerpts", id);
	assert_false(exists(f, line));
	test_write(f->dir, "fields.csv", "id,name,synonyms\ncountry_of_birth,Country of birth,country of birth\n");
	remove(p);
	test_import_ok(f->st, f->dir);
	expect_source(f, id, "excerpts/p1", "names: field country_of_birth\n\nThe report lists the country of birth.\n");
	snprintf(line, sizeof(line), "%s\n", id);
	expect(f, "/fields/country_of_birth/mentioned_in", line);
	free(id);
	free(p);
}

/* The store's names of a field: one-word ids are prose, "a number" is not the id a_number in words. */
static void test_documents__field_names_from_the_store(void **state)
{
	static const char text[] = "NLETS returns the name and address of a number of people,\n"
				   "with their date of birth and SSN.\n";
	struct test_inventory *f = *state;
	char *p = test_path(f->dir, "report.txt"), *id, line[256];

	test_write(f->dir, "fields.csv", "id,name,synonyms\nssn,Social Security number,SOC;social security #\n"
					 "name,Name,\ndate_of_birth,Date of birth,DOB\n"
					 "license_number,Driver's license number,OLN\naddress,Address,\n"
					 "a_number,Alien registration number,A-number\n");
	test_import_ok(f->st, f->dir);
	test_write(f->dir, "report.txt", text);
	import_ok(f, &(struct import_options){ .date = "2021" }, p);
	id = source_of(f, text, strlen(text));
	snprintf(line, sizeof(line), "names: Nlets; field date_of_birth; field ssn\n\n%s", text);
	expect_source(f, id, "excerpts/p1", line);
	/* The fixture's pia-030g names them too, the same way. */
	snprintf(line, sizeof(line), "%s\npia-030g\n", id);
	expect(f, "/fields/ssn/mentioned_in", line);
	expect(f, "/fields/date_of_birth/mentioned_in", line);
	expect(f, "/fields/name/mentioned_in", "");
	expect(f, "/fields/address/mentioned_in", "");
	expect(f, "/fields/a_number/mentioned_in", "");
	free(id);
	free(p);
}

/* ---- search (point 6) and import runs (point 7) ------------------------------------------------------------ */

static void test_documents__search_ranks_and_refuses_bad_queries(void **state)
{
	struct test_inventory *f = *state;
	struct strlist hits = STRLIST_INIT;
	char *p = test_path(f->dir, "a.txt"), *q = test_path(f->dir, "b.txt"), *a, *b, *l;

	test_write(f->dir, "a.txt", "Sharing data. Sharing photos. Sharing everything: sharing.\n");
	test_write(f->dir, "b.txt", "One mention of sharing among many other words of a long sentence here.\n");
	import_ok(f, &(struct import_options){ .date = "2021" }, p);
	import_ok(f, &(struct import_options){ .date = "2021" }, q);
	a = source_of(f, "Sharing data. Sharing photos. Sharing everything: sharing.\n",
		      strlen("Sharing data. Sharing photos. Sharing everything: sharing.\n"));
	b = source_of(f, "One mention of sharing among many other words of a long sentence here.\n",
		      strlen("One mention of sharing among many other words of a long sentence here.\n"));
	/* bm25 puts the denser page first; "shares" finds "sharing" (porter stemming). */
	assert_int_equal(store_search(f->st, "shares", &hits), 0);
	assert_int_equal(hits.n, 2);
	assert_string_equal(hits.items[0], a);
	assert_string_equal(hits.items[1], b);
	strlist_release(&hits);
	assert_int_equal(store_search(f->st, "\"one mention\"", &hits), 0);
	assert_int_equal(hits.n, 1);
	strlist_release(&hits);
	assert_int_equal(store_search(f->st, "AND OR", &hits), -ENOENT);
	assert_int_equal(store_search(f->st, "NEAR(", &hits), -ENOENT);
	assert_int_equal(store_search(f->st, "", &hits), -ENOENT);
	strlist_release(&hits);
	l = test_ls(f->tree, "/search/sharing");
	assert_non_null(strstr(l, a));
	free(l);
	free(a);
	free(b);
	free(p);
	free(q);
}

/* The number of hits of a query (-1 when refused). */
static long hits_of(struct test_inventory *f, const char *query)
{
	struct strlist hits = STRLIST_INIT;
	long n = store_search(f->st, query, &hits) ? -1 : (long)hits.n;

	if (n == 1)
		assert_string_equal(hits.items[0], "s1");
	strlist_release(&hits);
	return n;
}

/* A source without a document is found through the words of the facts that cite it, as they are now. */
static void test_documents__search_reads_the_facts(void **state)
{
	struct test_inventory *f = *state;

	test_write(f->dir, "sources.csv", "id,title,kind,date\ns1,A report,report,2021\ns2,Another report,report,2021\n");
	test_write(f->dir, "flows.csv", "id,from,to,via,status,conditions,source\n"
					 "f1,TX/dmv,ICE,Nlets,reported,Zephyrword happens,s1\n");
	test_import_ok(f->st, f->dir);
	assert_int_equal(hits_of(f, "zephyrword"), 1);
	assert_int_equal(hits_of(f, "report"), 2);
	/* A later import changes the fact: the index follows (our own commit). */
	test_write(f->dir, "flows.csv", "id,from,to,via,status,conditions,source\n"
					 "f1,TX/dmv,ICE,Nlets,reported,Quasarword now,s1\n");
	test_import_ok(f->st, f->dir);
	assert_int_equal(hits_of(f, "quasarword"), 1);
	assert_int_equal(hits_of(f, "zephyrword"), 0);
	assert_int_equal(store_search_has(f->st, "quasarword", "s1"), 0);
	assert_int_equal(store_search_has(f->st, "quasarword", "s2"), -ENOENT);
	assert_int_equal(hits_of(f, "NEAR("), -1);
}

static void test_documents__runs_are_recorded_failed_ones_too(void **state)
{
	struct test_inventory *f = *state;
	char *p = test_path(f->dir, "x.txt"), *run, *l;

	test_write(f->dir, "x.txt", "\xff\n");
	expect_refused(f, &(struct import_options){ .date = "2021" }, p, "invalid UTF-8");
	l = test_ls(f->tree, "/imports");
	assert_string_equal(l, "000001 000002");
	free(l);
	run = test_cat(f->tree, "/imports/000002");
	assert_non_null(strstr(run, "run: 2\nstarted: "));
	assert_non_null(strstr(run, "\nstatus: failed\nkind: auto\n"));
	assert_non_null(strstr(run, "\nerror: "));
	assert_non_null(strstr(run, "x.txt:1:1: error: invalid UTF-8"));
	free(run);
	test_write(f->dir, "x.txt", "Nlets\n");
	import_ok(f, &(struct import_options){ .date = "2021", .kind = "text" }, p);
	run = test_cat(f->tree, "/imports/000003");
	assert_non_null(strstr(run, "\nstatus: ok\nkind: text\n"));
	assert_non_null(strstr(run, "\ndocuments: 1\n"));
	assert_non_null(strstr(run, "\nexcerpts: 1\n"));
	free(run);
	/* A dry run records nothing. */
	test_write(f->dir, "x.txt", "Other\n");
	import_ok(f, &(struct import_options){ .date = "2021", .flags = IMPORT_DRY_RUN }, p);
	assert_false(exists(f, "/imports/000004"));
	assert_false(has_bytes(f, "Other\n"));
	free(p);
}

/* An inventory of schema version 1 (before documents) migrates to the current version when written. */
static void test_documents__schema_v1_migrates(void **state)
{
	/* The tables of versions 2 to 6: version 1 had none of them. */
	static const char *const v2_tables[] = {
		"redactions", "pages_fts", "pages", "documents", "excerpts", "mentions", "partner_listings", "partner_lists",
		"import_runs", "derived", "change_log", "derived_files", "path_times", "facts_fts", "claims", NULL,
	};
	char *dir = test_tmpdir(), *db = NULL, *doc = NULL;
	struct strbuf err = STRBUF_INIT, sql = STRBUF_INIT;
	struct import_report rep = { 0 };
	struct store *st = NULL;
	sqlite3 *raw;
	const char *paths[1];

	(void)state;
	assert_true(asprintf(&db, "%s/inv.db", dir) > 0);
	assert_true(asprintf(&doc, "%s/memo.txt", dir) > 0);
	assert_int_equal(store_open(db, STORE_CREATE, &st, &err), 0);
	store_close(st);
	/* Take the file back to version 1 by hand. */
	assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
	for (int i = 0; v2_tables[i]; i++)
		strbuf_addf(&sql, "DROP TABLE %s;", v2_tables[i]);
	strbuf_addstr(&sql, "DROP INDEX sources_sha256; PRAGMA user_version = 1;");
	assert_int_equal(sqlite3_exec(raw, sql.buf, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(store_open(db, STORE_READONLY, &st, &err), -EINVAL);
	assert_non_null(strstr(err.buf, "older schema"));
	assert_int_equal(store_open(db, STORE_CREATE, &st, &err), 0);
	test_write(dir, "memo.txt", "Nlets memo\n");
	paths[0] = doc;
	assert_int_equal(import_paths(st, &(struct import_options){ .date = "2020" }, paths, 1, &rep, &err), 0);
	assert_int_equal(rep.documents, 1);
	assert_int_equal(rep.excerpts, 1);
	import_report_release(&rep);
	store_close(st);
	test_rmtree(dir);
	strbuf_release(&err);
	strbuf_release(&sql);
	free(dir);
	free(db);
	free(doc);
}

static void test_documents__options(void **state)
{
	static const struct import_options bad[] = {
		{ .kind = "spreadsheet" }, { .kind = "partner-list" }, { .as_of = "2020" },
		{ .kind = "records", .title = "x" }, { .date = "2020-13" }, { .id = "a/b" },
		{ .kind = "partner-list", .as_of = "yesterday" },
	};
	struct strbuf err = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strbuf_reset(&err);
		assert_int_equal(import_check_options(&bad[i], &err), -EINVAL);
		assert_true(err.len > 0);
	}
	strbuf_reset(&err);
	assert_int_equal(import_check_options(&(struct import_options){ .kind = "pdf", .id = "x" }, &err), 0);
	strbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		WITH_INVENTORY(test_documents__text_pages_hash_and_content_address),
		WITH_INVENTORY(test_documents__pdf_and_pia_detection),
		cmocka_unit_test(test_documents__pia_first_page),
		WITH_INVENTORY(test_documents__html),
		WITH_INVENTORY(test_documents__bad_documents_are_refused),
		WITH_INVENTORY(test_documents__archives_of_every_format),
		WITH_INVENTORY(test_documents__archives_nest_three_deep),
		WITH_INVENTORY(test_documents__archive_refusals),
		WITH_INVENTORY(test_documents__two_dated_partner_lists),
		cmocka_unit_test(test_documents__partner_list_shapes),
		cmocka_unit_test(test_documents__excerpt_rules),
		cmocka_unit_test(test_documents__field_names_not_ordinary_words),
		cmocka_unit_test(test_documents__long_lines_and_many_passages),
		WITH_INVENTORY(test_documents__later_vocabulary_recomputes_excerpts),
		WITH_INVENTORY(test_documents__field_names_from_the_store),
		WITH_INVENTORY(test_documents__search_ranks_and_refuses_bad_queries),
		WITH_INVENTORY(test_documents__runs_are_recorded_failed_ones_too),
		WITH_INVENTORY(test_documents__search_reads_the_facts),
		cmocka_unit_test(test_documents__schema_v1_migrates),
		cmocka_unit_test(test_documents__options),
	};

	return cmocka_run_group_tests_name("documents", tests, NULL, NULL);
}
