// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Scans, mail and office files below the mount (tests/mount/import_scans.sh
 * reads a whole release through it): how exemption codes are recognised,
 * OCR's bounds, a multi-page TIFF, MIME edge cases, office files' refusals,
 * and the migration of a version-2 inventory.
 */
#include "../testlib.h"
#include "../../../importers/importers_i.h"

#include <errno.h>
#include <leptonica/allheaders.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int collect(void *arg, const char *code, const char *slug, long count)
{
	struct strbuf *sb = arg;

	strbuf_addf(sb, "%s=%s:%ld ", code, slug, count);
	return 0;
}

/* The codes of `text`; on an OCR'd page (ocr) with `beside` the bytes [from, to) of it are beside a box. */
static void expect_codes_at(const char *text, int ocr, size_t from, size_t to, const char *want)
{
	struct strbuf got = STRBUF_INIT;
	struct text_span span = { from, to };

	assert_int_equal(redactions_scan(text, strlen(text), ocr, to ? &span : NULL, to ? 1 : 0, collect, &got), 0);
	if (strcmp(got.buf, want))
		fail_msg("[%s] (ocr %d, beside %zu-%zu): got [%s], want [%s]", text, ocr, from, to, got.buf, want);
	strbuf_release(&got);
}

static void expect_codes(const char *text, int ocr, const char *want)
{
	expect_codes_at(text, ocr, 0, 0, want);
}

/* On an OCR'd page, all of it beside a black box. */
static void expect_codes_boxed(const char *text, const char *want)
{
	expect_codes_at(text, 1, 0, strlen(text), want);
}

static void test_scans__exemption_codes(void **state)
{
	(void)state;
	expect_codes("(b)(6)", 0, "(b)(6)=b6:1 ");
	expect_codes("(b)(6), (b)(7)(C); (B) (7) (c) and (b)(6)", 0, "(b)(6)=b6:2 (b)(7)(C)=b7C:2 ");
	expect_codes("(b)(7)(E) (b)(7)(A) (b)(7)(F) (b)(7)(G)", 0,
		     "(b)(7)=b7:1 (b)(7)(A)=b7A:1 (b)(7)(E)=b7E:1 (b)(7)(F)=b7F:1 ");
	expect_codes("(b)(1) (b)(2) (b)(3) (b)(4) (b)(5) (b)(8) (b)(9) (b)(0) (b)(10)", 0,
		     "(b)(1)=b1:1 (b)(2)=b2:1 (b)(3)=b3:1 (b)(4)=b4:1 (b)(5)=b5:1 (b)(8)=b8:1 (b)(9)=b9:1 ");
	/* A citation of the statute is not a redaction, nor a group that continues a word. */
	expect_codes("exempt under 5 U.S.C. 552(b)(6) and \xC2\xA7 (b)(7)(C)", 0, "");
	expect_codes("Tex. 552.130(b)(1)", 0, "Tex. Gov't Code \xC2\xA7 552.130(b)(1)=TX-552.130-b-1:1 ");
	/* A text layer is exact: OCR's misreadings do not count there... */
	expect_codes("(5)(6) (0)(6) {b)(6] (b)(7(E)", 0, "");
	/* ...on an OCR'd page they do, beside a black box... */
	expect_codes_boxed("(5)(6) (0)(6) {b)(6] (h)(6) (b)(7(E) [b](7)(C]",
			   "(b)(6)=b6:4 (b)(7)(C)=b7C:1 (b)(7)(E)=b7E:1 ");
	/* ...and nowhere else; the exact code counts anywhere. */
	expect_codes("(5)(6) (0)(6) {b)(6] (b)(6)", 1, "(b)(6)=b6:1 ");
	expect_codes_at("rule (5)(6) of the manual. (5)(6)", 1, 27, 33, "(b)(6)=b6:1 ");
	expect_codes_at("rule (5)(6) of the manual. (5)(6)", 1, 0, 4, "");
	/* Not codes: prose in parentheses, a lone group, a letter where the number goes. */
	expect_codes_boxed("(a)(6) (b) (6)x (b)(x) b6 b(6) (b)", "(b)(6)=b6:1 ");
	expect_codes("", 0, "");
	expect_codes("(", 1, "");
	expect_codes_boxed("(b)(", "");
}

static int count_codes(void *arg, const char *code, const char *slug, long count)
{
	long *n = arg;

	(void)code;
	(void)slug;
	n[0]++;
	n[1] += count;
	return 0;
}

/* Many distinct codes on one page (the tally merges as it grows): each counted, none lost. */
static void test_scans__many_codes(void **state)
{
	struct strbuf text = STRBUF_INIT;
	long n[2] = { 0, 0 };

	(void)state;
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 500; i++)
			strbuf_addf(&text, "RCW 1.7.%d; (b)(6) ", 100 + i);
	assert_int_equal(redactions_scan(text.buf, text.len, 0, NULL, 0, count_codes, n), 0);
	assert_int_equal(n[0], 501);
	assert_int_equal(n[1], 3000);
	strbuf_release(&text);
}

/*
 * The Privacy Act's exemptions, and state laws' whose notation is clear
 * (docs/documents.md cites each): text, how it was read (0 a text layer,
 * 1 OCR, 2 OCR with all of it beside a black box), the codes found.
 */
static const struct {
	const char *text;
	int read;
	const char *want;
} state_codes[] = {
	{ "withheld (k)(2), (j)(2) and (b)(6); not 5 U.S.C. \xC2\xA7 552a(k)(2), (k)(8), (j)(3)", 0,
	  "(b)(6)=b6:1 (j)(2)=j2:1 (k)(2)=k2:1 " },
	/* New York: POL 87(2)(a)-(t), the name before or after. */
	{ "Public Officers Law \xC2\xA7 87(2)(b); POL 87(2)(e)(iv); \xC2\xA7 87 (2) (g) of the Public Officers Law; "
	  "FOIL \xC2\xA7" "87(2)(b)", 0,
	  "N.Y. POL \xC2\xA7 87(2)(b)=NY-POL-87-2-b:2 N.Y. POL \xC2\xA7 87(2)(e)(iv)=NY-POL-87-2-e-iv:1 "
	  "N.Y. POL \xC2\xA7 87(2)(g)=NY-POL-87-2-g:1 " },
	{ "section 87(2)(b); POL 87(3)(b); POL 87(2)(z); POL 187(2)(b)", 0, "" },
	/* California: Gov. Code 6254(x) before 2023, 7920.000-7931.999 since; a name or a section mark before. */
	{ "Gov. Code \xC2\xA7 7927.705, Government Code section 6254(k), GC 6254(f), \xC2\xA7 6255 and "
	  "Gov't Code 7923.600", 0,
	  "Cal. Gov. Code \xC2\xA7 6254(f)=CA-GC-6254-f:1 Cal. Gov. Code \xC2\xA7 6254(k)=CA-GC-6254-k:1 "
	  "Cal. Gov. Code \xC2\xA7 6255=CA-GC-6255:1 Cal. Gov. Code \xC2\xA7 7923.600=CA-GC-7923.600:1 "
	  "Cal. Gov. Code \xC2\xA7 7927.705=CA-GC-7927.705:1 " },
	{ "6254(k) 7927.705 GC 6254 GC 7940.100", 0, "" },
	/* Illinois: 5 ILCS 140/7(1)(c). */
	{ "5 ILCS 140/7(1)(c) and 5 ILCS 140/7(1)(d)(iv); 5 ILCS 140/7.5(v)", 0,
	  "5 ILCS 140/7(1)(c)=IL-140-7-1-c:1 5 ILCS 140/7(1)(d)(iv)=IL-140-7-1-d-iv:1 5 ILCS 140/7.5(v)=IL-140-7.5-v:1 " },
	{ "140/7(1)(c); 5 ILCS 140/7; 5 ILCS 140/2(c)", 0, "" },
	/* Washington: RCW 42.56 by its number, any RCW section after "RCW". */
	{ "RCW 42.56.230(7)(a), 42.56.240(1) and RCW 46.12.635.", 0,
	  "RCW 42.56.230(7)(a)=WA-42.56.230-7-a:1 RCW 42.56.240(1)=WA-42.56.240-1:1 RCW 46.12.635=WA-46.12.635:1 " },
	{ "46.12.635 42.56 142.56.230", 0, "" },
	/* Texas: Gov't Code 552.1xx; 552.130 is motor vehicle records. */
	{ "Gov't Code \xC2\xA7 552.130(a)(1), section 552.101 and 552.1175", 0,
	  "Tex. Gov't Code \xC2\xA7 552.101=TX-552.101:1 Tex. Gov't Code \xC2\xA7 552.1175=TX-552.1175:1 "
	  "Tex. Gov't Code \xC2\xA7 552.130(a)(1)=TX-552.130-a-1:1 " },
	{ "552.021 552.13 5552.130 552.130a", 0, "" },
	/* Florida: s. 119.071(4)(d); 119.0712(2) is motor vehicle records. */
	{ "s. 119.071(4)(d), F.S. and \xC2\xA7 119.0712(2)", 0,
	  "Fla. Stat. \xC2\xA7 119.071(4)(d)=FL-119.071-4-d:1 Fla. Stat. \xC2\xA7 119.0712(2)=FL-119.0712-2:1 " },
	/* Massachusetts: G.L. c. 4, s. 7(26)(a)-(u), or the clause in words. */
	{ "G.L. c. 4, \xC2\xA7 7(26)(c) and 7(26)(f)", 0,
	  "Mass. G.L. c. 4, \xC2\xA7 7(26)(c)=MA-4-7-26-c:1 Mass. G.L. c. 4, \xC2\xA7 7(26)(f)=MA-4-7-26-f:1 " },
	{ "G.L.c. 4, \xC2\xA7 7, Twenty-sixth ( c)", 0, "Mass. G.L. c. 4, \xC2\xA7 7(26)(c)=MA-4-7-26-c:1 " },
	{ "7(26)(z) 7(25)(c) 17(26)(c) Twenty-sixth Twenty-sixth (z)", 0, "" },
	/* The DPPA: 18 U.S.C. 2721-2725. */
	{ "18 U.S.C. \xC2\xA7 2721 and 18 USC 2725(3); not 42 U.S.C. 2721 or 2721", 0,
	  "18 U.S.C. \xC2\xA7 2721=DPPA-2721:1 18 U.S.C. \xC2\xA7 2725(3)=DPPA-2725-3:1 " },
	/* OCR: '$' for the section mark is no misreading; O for 0, l for 1 and a brace are, and need a box. */
	{ "POL $ 87(2)(b)", 1, "N.Y. POL \xC2\xA7 87(2)(b)=NY-POL-87-2-b:1 " },
	{ "RCW 42.56.23O(7) and POL 87{2)(b) and s. l19.071(4)(d)", 1, "" },
	{ "RCW 42.56.23O(7) and POL 87{2)(b) and s. l19.071(4)(d)", 2,
	  "Fla. Stat. \xC2\xA7 119.071(4)(d)=FL-119.071-4-d:1 N.Y. POL \xC2\xA7 87(2)(b)=NY-POL-87-2-b:1 "
	  "RCW 42.56.230(7)=WA-42.56.230-7:1 " },
	/* On a text layer, no misreading is taken. */
	{ "RCW 42.56.23O(7) and POL 87{2)(b)", 0, "" },
};

static void test_scans__state_codes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(state_codes) / sizeof(state_codes[0]); i++)
		expect_codes_at(state_codes[i].text, state_codes[i].read > 0, 0,
				state_codes[i].read == 2 ? strlen(state_codes[i].text) : 0, state_codes[i].want);
}

static void test_scans__ocr_bounds(void **state)
{
	struct strbuf err = STRBUF_INIT;

	(void)state;
	assert_int_equal(ocr_pixels_check(1700, 2200, &err), 0);
	assert_int_equal(ocr_pixels_check(20000, 20000, &err), -EINVAL);
	assert_non_null(strstr(err.buf, "20000 x 20000 pixels, over the 64-megapixel bound"));
	strbuf_reset(&err);
	assert_int_equal(ocr_pixels_check(40000, 10, &err), -EINVAL);
	strbuf_reset(&err);
	assert_int_equal(ocr_pixels_check(0, 10, &err), -EINVAL);
	strbuf_release(&err);
}

/* A TIFF of two blank pages and one PNG page of 1 x 1: every page read, none with text; a corrupt image refused. */
static void test_scans__images(void **state)
{
	struct doc_text t = { 0 };
	struct strbuf err = STRBUF_INIT;
	PIXA *pixa = pixaCreate(2);
	PIX *pix;
	l_uint8 *mem = NULL;
	size_t len = 0;

	(void)state;
	for (int i = 0; i < 2; i++) {
		pix = pixCreate(400, 300, 1);
		pixSetResolution(pix, 200, 200);
		pixaAddPix(pixa, pix, L_INSERT);
	}
	assert_int_equal(pixaWriteMemMultipageTiff(&mem, &len, pixa), 0);
	pixaDestroy(&pixa);
	assert_int_equal(document_sniff("scan.tif", mem, len), DOC_IMAGE);
	assert_int_equal(image_extract(mem, len, &t, &err), 0);
	assert_int_equal(t.npages, 2);
	assert_int_equal(t.nocr, 2);
	assert_true(t.ocr[0].confidence >= 0 && t.ocr[1].confidence >= 0);
	assert_int_equal(t.ocr[0].boxes, 0);
	doc_text_release(&t);
	/* 5000 x 4000 (20 megapixels): over OCR_MAX_PIXELS, scaled down and read, not refused. */
	free(mem);
	pix = pixCreate(5000, 4000, 1);
	assert_int_equal(pixWriteMemPng(&mem, &len, pix, 0), 0);
	pixDestroy(&pix);
	assert_int_equal(document_sniff("big.png", mem, len), DOC_IMAGE);
	assert_int_equal(image_extract(mem, len, &t, &err), 0);
	assert_int_equal(t.npages, 1);
	doc_text_release(&t);
	free(mem);
	pixa = pixaCreate(1);
	pixaAddPix(pixa, pixCreate(400, 300, 1), L_INSERT);
	assert_int_equal(pixaWriteMemMultipageTiff(&mem, &len, pixa), 0);
	pixaDestroy(&pixa);
	/* Cut short: Leptonica cannot decode it, and says so without a crash. */
	assert_int_equal(image_extract(mem, len / 3, &t, &err), -EINVAL);
	assert_non_null(strstr(err.buf, "corrupt"));
	doc_text_release(&t);
	free(mem);
	strbuf_reset(&err);
	assert_int_equal(image_extract((const unsigned char *)"\x89PNG\r\n\x1a\nxxxxxxxx", 16, &t, &err), -EINVAL);
	doc_text_release(&t);
	strbuf_release(&err);
}

static void test_scans__email(void **state)
{
	static const char mail[] =
		"From: =?UTF-8?Q?Records_Unit?= <records@example.gov>\r\n"
		"To: a@example.org, b@example.org\r\n"
		"Subject: =?UTF-8?B?TmxldHMgcmVjb3Jkcw==?=\r\n"
		"Date: Tue, 2 Jul 2019 09:30:00 -0400\r\n"
		"MIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n"
		"--XX\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
		"<html><body><p>ICE asked through <b>Nlets</b>.</p><script>x()</script></body></html>\r\n"
		"--XX\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"../../etc/a.pdf\"\r\n"
		"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n"
		"--XX\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n"
		"--XX--\r\n";
	struct doc_text t = { 0 };
	struct email_parts parts = { 0 };
	struct strbuf err = STRBUF_INIT;

	(void)state;
	assert_int_equal(document_sniff("x", (const unsigned char *)mail, sizeof(mail) - 1), DOC_EMAIL);
	/* A memo that starts with "From:" is not mail. */
	assert_int_equal(document_sniff("memo", (const unsigned char *)"From: the chief\nTo: staff\n\nNlets\n", 33),
			 DOC_TEXT);
	assert_int_equal(email_extract((const unsigned char *)mail, sizeof(mail) - 1, &t, &parts, &err), 0);
	assert_string_equal(t.title, "Nlets records");
	assert_string_equal(t.date, "2019-07-02");
	assert_int_equal(t.npages, 1);
	assert_non_null(strstr(t.pages[0].buf, "From: Records Unit <records@example.gov>\n"));
	assert_non_null(strstr(t.pages[0].buf, "To: a@example.org, b@example.org\n"));
	assert_non_null(strstr(t.pages[0].buf, "ICE asked through Nlets."));
	assert_null(strstr(t.pages[0].buf, "x()"));
	assert_int_equal(parts.n, 2);
	assert_string_equal(parts.items[0].name, ".._.._etc_a.pdf"); /* one step of a path, never a climb */
	assert_int_equal(parts.items[0].len, 9);
	assert_memory_equal(parts.items[0].data, "%PDF-1.4\n", 9);
	assert_string_equal(parts.items[1].name, "attachment-2");
	email_parts_release(&parts);
	doc_text_release(&t);
	assert_int_equal(email_extract((const unsigned char *)"a\0b", 3, &t, NULL, &err), -EINVAL);
	doc_text_release(&t);
	/* GMime recurses into nested parts: more than 1,000 of them is refused before it parses. */
	{
		struct strbuf deep = STRBUF_INIT;

		strbuf_addstr(&deep, "From: a@example.gov\r\nSubject: deep\r\nMIME-Version: 1.0\r\n");
		for (int i = 0; i < 1001; i++)
			strbuf_addf(&deep, "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n", i, i);
		strbuf_reset(&err);
		assert_int_equal(email_extract((const unsigned char *)deep.buf, deep.len, &t, NULL, &err), -EINVAL);
		assert_non_null(strstr(err.buf, "more than 1000 nested MIME parts"));
		strbuf_release(&deep);
	}
	doc_text_release(&t);
	strbuf_release(&err);
}

/* Office files made with libarchive: the parts a format needs, and what is refused. */
static void zip_of(struct strbuf *out, const char *const *names, const char *const *contents, size_t n)
{
	struct test_member m[8];
	char *dir = test_tmpdir(), *path = NULL;

	assert_true(n <= 8);
	for (size_t i = 0; i < n; i++)
		m[i] = (struct test_member){ names[i], contents[i], strlen(contents[i]), 0 };
	assert_true(asprintf(&path, "%s/x.zip", dir) > 0);
	test_archive(path, "zip", "none", m, n, NULL);
	strbuf_reset(out);
	test_read(path, out);
	test_rmtree(dir);
	free(path);
	free(dir);
}

static void test_scans__office(void **state)
{
	static const char *const docx_names[] = { "word/document.xml", "docProps/core.xml" };
	static const char *const docx_parts[] = {
		"<w:document xmlns:w=\"w\"><w:body><w:p><w:r><w:t>One</w:t></w:r><w:r><w:tab/><w:t>two</w:t></w:r>"
		"</w:p><w:p><w:r><w:t>Three &amp; four</w:t><w:br/><w:t>five</w:t></w:r></w:p></w:body></w:document>",
		"<cp:coreProperties xmlns:cp=\"c\" xmlns:dc=\"d\" xmlns:dcterms=\"t\"><dc:title>A letter</dc:title>"
		"<dcterms:created>2019-07-01T10:00:00Z</dcterms:created></cp:coreProperties>",
	};
	static const char *const ods_names[] = { "content.xml" };
	static const char *const ods_parts[] = {
		"<office:document-content xmlns:office=\"o\" xmlns:table=\"t\" xmlns:text=\"x\"><office:body>"
		"<office:spreadsheet><table:table table:name=\"Log\"><table:table-row>"
		"<table:table-cell><text:p>a</text:p></table:table-cell>"
		"<table:table-cell table:number-columns-repeated=\"1000000\"/>"
		"<table:table-cell><text:p>b</text:p></table:table-cell></table:table-row></table:table>"
		"</office:spreadsheet></office:body></office:document-content>",
	};
	static const char *const bad_names[] = { "word/document.xml" };
	static const char *const bad_parts[] = { "<w:document><w:body>" };
	static const char *const laugh_parts[] = {
		"<!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
		"<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><d><p><t>&c;</t></p></d>",
	};
	struct doc_text t = { 0 };
	struct strbuf z = STRBUF_INIT, err = STRBUF_INIT;

	(void)state;
	zip_of(&z, docx_names, docx_parts, 2);
	assert_int_equal(document_sniff("letter.docx", (const unsigned char *)z.buf, z.len), DOC_DOCX);
	assert_int_equal(document_sniff("letter.zip", (const unsigned char *)z.buf, z.len), DOC_ARCHIVE);
	assert_int_equal(office_extract(DOC_DOCX, (const unsigned char *)z.buf, z.len, &t, &err), 0);
	assert_string_equal(t.pages[0].buf, "One\ttwo\nThree & four\nfive\n");
	assert_string_equal(t.title, "A letter");
	assert_string_equal(t.date, "2019-07-01");
	doc_text_release(&t);
	/* A .xlsx without its workbook. */
	assert_int_equal(office_extract(DOC_XLSX, (const unsigned char *)z.buf, z.len, &t, &err), -EINVAL);
	assert_non_null(strstr(err.buf, "no xl/workbook.xml"));
	doc_text_release(&t);
	strbuf_reset(&z);
	/* A million repeated empty cells cost nothing; a cell past the last column (XFD) is dropped. */
	zip_of(&z, ods_names, ods_parts, 1);
	assert_int_equal(office_extract(DOC_ODS, (const unsigned char *)z.buf, z.len, &t, &err), 0);
	assert_int_equal(t.npages, 1);
	assert_string_equal(t.pages[0].buf, "Sheet: Log\na\n");
	doc_text_release(&t);
	strbuf_reset(&z);
	strbuf_reset(&err);
	zip_of(&z, bad_names, bad_parts, 1);
	assert_int_equal(office_extract(DOC_DOCX, (const unsigned char *)z.buf, z.len, &t, &err), -EINVAL);
	assert_non_null(strstr(err.buf, "not well-formed XML"));
	doc_text_release(&t);
	strbuf_reset(&z);
	/* Entities stay unexpanded: no billion laughs. */
	zip_of(&z, bad_names, laugh_parts, 1);
	(void)office_extract(DOC_DOCX, (const unsigned char *)z.buf, z.len, &t, &err);
	for (size_t i = 0; i < t.npages; i++)
		assert_true(t.pages[i].len < 1000);
	doc_text_release(&t);
	strbuf_reset(&err);
	/* Cells at column XFD, row after row: a small sheet that would be gigabytes of tabs. */
	{
		static const char *const names[] = { "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
						      "xl/worksheets/sheet1.xml" };
		struct strbuf sheet = STRBUF_INIT;
		const char *parts[3] = {
			"<workbook xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
			"<sheets><sheet name=\"S\" r:id=\"rId1\"/></sheets></workbook>",
			"<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/></Relationships>",
			NULL,
		};

		strbuf_addstr(&sheet, "<worksheet><sheetData>");
		for (int r = 1; r <= 4200; r++) /* 4200 x 16,383 tabs: just over 64 MiB */
			strbuf_addf(&sheet, "<row><c r=\"A%d\"><v>1</v></c><c r=\"XFD%d\"><v>2</v></c></row>", r, r);
		strbuf_addstr(&sheet, "</sheetData></worksheet>");
		parts[2] = sheet.buf;
		zip_of(&z, names, parts, 3);
		strbuf_reset(&err);
		assert_int_equal(office_extract(DOC_XLSX, (const unsigned char *)z.buf, z.len, &t, &err), -EINVAL);
		assert_non_null(strstr(err.buf, "over 64 MiB of text"));
		doc_text_release(&t);
		strbuf_release(&sheet);
	}
	assert_int_equal(office_extract(DOC_DOCX, (const unsigned char *)"PK\3\4junk", 9, &t, &err), -EINVAL);
	doc_text_release(&t);
	strbuf_release(&z);
	strbuf_release(&err);
}

/* A version-2 inventory (before scans) opens, migrates, keeps its documents and takes redactions. */
static void test_scans__schema_v2_migrates(void **state)
{
	char *dir = test_tmpdir(), *db = NULL, *doc = NULL;
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT, id = STRBUF_INIT;
	struct import_report rep = { 0 };
	struct store *st = NULL;
	const char *paths[1];
	sqlite3 *raw;
	char sha[65];

	(void)state;
	assert_true(asprintf(&db, "%s/inv.db", dir) > 0);
	assert_true(asprintf(&doc, "%s/memo.txt", dir) > 0);
	test_write(dir, "memo.txt", "Nlets memo, withheld (b)(6)\n");
	assert_int_equal(store_open(db, STORE_CREATE, &st, &err), 0);
	paths[0] = doc;
	assert_int_equal(import_paths(st, &(struct import_options){ .date = "2020" }, paths, 1, &rep, &err), 0);
	import_report_release(&rep);
	store_close(st);
	/* Take the file back to version 2 by hand: the narrow format CHECK, no ocr, no redactions, no derived data. */
	assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw,
		"DROP TABLE derived; DROP TABLE change_log; DROP TABLE derived_files; DROP TABLE path_times;"
		"DROP TABLE facts_fts; DROP TABLE claims;"
		"DROP TABLE redactions; ALTER TABLE pages DROP COLUMN ocr; ALTER TABLE pages DROP COLUMN boxes;"
		"CREATE TABLE d2(source TEXT PRIMARY KEY NOT NULL REFERENCES sources(id) DEFERRABLE INITIALLY DEFERRED,"
		" format TEXT NOT NULL CHECK(format IN ('pdf','html','text')), sha256 TEXT NOT NULL,"
		" member TEXT, npages INTEGER NOT NULL, identifier TEXT, component TEXT,"
		" vocabulary TEXT NOT NULL DEFAULT '') WITHOUT ROWID;"
		"INSERT INTO d2 SELECT * FROM documents; DROP TABLE documents; ALTER TABLE d2 RENAME TO documents;"
		"PRAGMA user_version = 2;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(store_open(db, STORE_READONLY, &st, &err), -EINVAL);
	assert_int_equal(store_open(db, STORE_CREATE, &st, &err), 0);
	import_sha256_hex((const unsigned char *)"Nlets memo, withheld (b)(6)\n", 28, sha);
	assert_int_equal(store_source_by_sha256(st, sha, &id), 0);
	assert_int_equal(store_document_current(st, id.buf, sha), 1); /* the document came through */
	assert_int_equal(store_redaction_put(st, id.buf, 1, "(b)(6)", "b6", 2), 0);
	assert_int_equal(store_page_ocr_put(st, id.buf, 1, 88, 3), 0);
	assert_int_equal(store_redactions_get(st, id.buf, &out), 0);
	assert_string_equal(out.buf, "1\t(b)(6)\t2\n");
	strbuf_reset(&out);
	assert_int_equal(store_ocr_get(st, id.buf, &out), 0);
	assert_string_equal(out.buf, "1\t88\t3\n");
	store_close(st);
	/* The wider CHECK holds formats of version 3. */
	assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "UPDATE documents SET format='image'", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "PRAGMA foreign_key_check", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	test_rmtree(dir);
	free(db);
	free(doc);
	free(dir);
	strbuf_release(&err);
	strbuf_release(&out);
	strbuf_release(&id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scans__exemption_codes),
		cmocka_unit_test(test_scans__state_codes),
		cmocka_unit_test(test_scans__many_codes),
		cmocka_unit_test(test_scans__ocr_bounds),
		cmocka_unit_test(test_scans__images),
		cmocka_unit_test(test_scans__email),
		cmocka_unit_test(test_scans__office),
		cmocka_unit_test(test_scans__schema_v2_migrates),
	};

	return cmocka_run_group_tests_name("scans", tests, NULL, NULL);
}
