// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Office files as one document each, never as the zip of XML parts they
 * are: libarchive opens the zip in memory, libxml2 reads the parts.
 *
 *   .docx  word/document.xml: each paragraph (w:p) a line, tabs and breaks kept
 *   .xlsx  xl/workbook.xml names the sheets in order, its relations give each
 *          sheet's part, xl/sharedStrings.xml the strings cells point to; a
 *          page per sheet: "Sheet: NAME", then each row a line of cells
 *          separated by tabs, at the columns their references say
 *   .odt   content.xml: each paragraph or heading a line
 *   .ods   content.xml: a page per table, as for .xlsx
 *
 * docProps/core.xml (meta.xml for OpenDocument) gives the title and date.
 *
 * Bounds: the parts are read by the one archive reader (importers/archive.c)
 * under every archive's limits, and under tighter ones of their own: a part
 * over OFFICE_PART_MAX, or parts expanding to more than OFFICE_RATIO times
 * the file (a zip bomb), are refused. The XML is parsed without network
 * access or entity expansion.
 */
#include "../util/array.h"
#include "archive_i.h"
#include "importers_i.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#define OFFICE_PART_MAX (32UL << 20)	/* bytes of one XML part */
#define OFFICE_RATIO 100		/* parts read / bytes of the file */
#define OFFICE_RATIO_SLACK (1UL << 20)
#define OFFICE_COLUMNS_MAX 16384	/* XFD, the last column of a sheet */
#define OFFICE_SHEETS_MAX 1000
#define OFFICE_TEXT_MAX (64UL << 20)	/* bytes of text of one file: cells far apart are tabs */

struct part {
	char *name;
	struct strbuf data;
};

struct parts {
	struct part *items;
	size_t n, alloc;
};

static void parts_release(struct parts *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->items[i].name);
		strbuf_release(&p->items[i].data);
	}
	free(p->items);
}

static const struct strbuf *part_get(const struct parts *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->items[i].name, name))
			return &p->items[i].data;
	return NULL;
}

/* The parts' own bounds, on top of the archive reader's: ar_read_member()'s check. */
struct part_budget {
	unsigned long long used, budget;	/* bytes of the parts read before this one; at most */
	int over;				/* this check refused */
};

static int part_check(void *arg, const struct strbuf *data, struct strbuf *why)
{
	struct part_budget *b = arg;

	if (data->len <= OFFICE_PART_MAX && b->used + data->len <= b->budget)
		return 0;
	strbuf_addf(why, "expands %s (a zip bomb?): refused",
		    data->len > OFFICE_PART_MAX ? "over 32 MiB" : "more than 100 times the file");
	b->over = 1;
	return 1;
}

/* The XML parts of the zip (.xml and .rels), read by the archive reader under the bounds. */
static int read_parts(const unsigned char *data, size_t len, struct parts *out, struct strbuf *err)
{
	struct part_budget pb = { 0, (unsigned long long)OFFICE_RATIO * len + OFFICE_RATIO_SLACK, 0 };
	struct strbuf why = STRBUF_INIT;
	struct archive_entry *e;
	struct ar_memory m;
	struct archive *a;
	int r = ARCHIVE_OK, rc;

	rc = ar_open_memory(&m, data, len, &a, &why);
	if (rc) {
		if (rc > 0)
			strbuf_addf(err, "corrupt office file: %s", why.buf);
		strbuf_release(&why);
		return rc > 0 ? -EINVAL : rc;
	}
	while (!rc && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		size_t n = name ? strlen(name) : 0;
		struct part *p;

		if (!name || archive_entry_filetype(e) != AE_IFREG ||
		    !((n > 4 && !strcmp(name + n - 4, ".xml")) || (n > 5 && !strcmp(name + n - 5, ".rels"))))
			continue;
		if (archive_entry_is_encrypted(e)) {
			strbuf_addstr(err, "encrypted office file: refused");
			rc = -EINVAL;
			break;
		}
		if (array_reserve(&out->items, out->n, &out->alloc, sizeof(*out->items), 16)) {
			rc = -ENOMEM;
			break;
		}
		p = &out->items[out->n];
		strbuf_init(&p->data);
		p->name = strdup(name);
		if (!p->name) {
			rc = -ENOMEM;
			break;
		}
		out->n++;
		strbuf_reset(&why);
		rc = ar_read_member(a, e, &p->data, part_check, &pb, &why);
		if (rc > 0) {
			strbuf_addf(err, "part '%s'%s%s", name, pb.over ? " " : ": ", why.buf);
			rc = -EINVAL;
		}
		pb.used += p->data.len;
	}
	if (!rc && r != ARCHIVE_EOF) {
		strbuf_addf(err, "corrupt office file: %s", archive_error_string(a) ? archive_error_string(a) : "bad zip");
		rc = -EINVAL;
	}
	archive_read_free(a);
	strbuf_release(&why);
	return rc;
}

static int xml_parse(const struct strbuf *part, const char *name, xmlDocPtr *doc, struct strbuf *err)
{
	/* No XML_PARSE_NOENT: entities stay unexpanded (no billion laughs); no network. */
	*doc = xmlReadMemory(part->buf, (int)part->len, name, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
			     XML_PARSE_NOWARNING);
	if (!*doc) {
		strbuf_addf(err, "corrupt office file: part '%s' is not well-formed XML", name);
		return -EINVAL;
	}
	return 0;
}

static int is(xmlNodePtr n, const char *local)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, local);
}

static void text_of(xmlNodePtr n, struct strbuf *out)
{
	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
			strbuf_addstr(out, (const char *)c->content);
		else if (is(c, "tab"))
			strbuf_addch(out, '\t');
		else if (is(c, "br") || is(c, "line-break"))
			strbuf_addch(out, '\n');
		else if (is(c, "s")) /* OpenDocument's run of spaces */
			strbuf_addch(out, ' ');
		else if (c->type == XML_ELEMENT_NODE && !is(c, "instrText") && !is(c, "delText"))
			text_of(c, out);
	}
}

/* Every paragraph under `n` a line (w:p, text:p, text:h); paragraphs are not nested in each other here. */
static void paragraphs(xmlNodePtr n, const char *p1, const char *p2, struct strbuf *out)
{
	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is(c, p1) || (p2 && is(c, p2))) {
			text_of(c, out);
			strbuf_addch(out, '\n');
		} else {
			paragraphs(c, p1, p2, out);
		}
	}
}

/* The first element named `a` (or `b`) at or under n, depth first. */
static xmlNodePtr find(xmlNodePtr n, const char *a, const char *b)
{
	for (; n; n = n->next) {
		xmlNodePtr hit;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is(n, a) || (b && is(n, b)))
			return n;
		hit = find(n->children, a, b);
		if (hit)
			return hit;
	}
	return NULL;
}

/* Title and date from docProps/core.xml (dc:title, dcterms:created) or meta.xml (dc:title, meta:creation-date). */
static int properties(const struct parts *parts, const char *name, struct doc_text *out)
{
	const struct strbuf *part = part_get(parts, name);
	struct strbuf ignored = STRBUF_INIT, v = STRBUF_INIT;
	xmlNodePtr n;
	xmlDocPtr doc = NULL;
	int rc = 0;

	if (!part || xml_parse(part, name, &doc, &ignored)) {
		strbuf_release(&ignored);
		return 0; /* properties are optional */
	}
	n = find(xmlDocGetRootElement(doc), "title", NULL);
	if (n)
		text_of(n, &v);
	if (v.len && !out->title && !(out->title = strdup(v.buf)))
		rc = -ENOMEM;
	strbuf_reset(&v);
	n = find(xmlDocGetRootElement(doc), "created", "creation-date");
	if (n)
		text_of(n, &v);
	if (!rc && v.len >= 10 && !out->date) {
		v.buf[10] = '\0';
		if (!store_date_valid(v.buf) && !(out->date = strdup(v.buf)))
			rc = -ENOMEM;
	}
	xmlFreeDoc(doc);
	strbuf_release(&v);
	strbuf_release(&ignored);
	return rc;
}

static int docx(const struct parts *parts, const char *main, const char *p1, const char *p2, struct doc_text *out,
		struct strbuf *err)
{
	const struct strbuf *part = part_get(parts, main);
	struct strbuf page = STRBUF_INIT;
	xmlDocPtr doc;
	int rc;

	if (!part) {
		strbuf_addf(err, "not an office file of its kind: no %s in it", main);
		return -EINVAL;
	}
	rc = xml_parse(part, main, &doc, err);
	if (rc)
		return rc;
	paragraphs(xmlDocGetRootElement(doc), p1, p2, &page);
	xmlFreeDoc(doc);
	rc = strbuf_ok(&page) ? -ENOMEM : doc_text_add_page(out, page.buf, page.len);
	strbuf_release(&page);
	return rc;
}

/* ---- spreadsheets -------------------------------------------------------------------------------- */

/* "C12" -> 2 (columns from 0); -1 when the reference has no letters. */
static long column_of(const char *ref)
{
	long col = 0;
	int n = 0;

	for (; ref && *ref >= 'A' && *ref <= 'Z' && n < 4; ref++, n++)
		col = col * 26 + (*ref - 'A' + 1);
	return n ? col - 1 : -1;
}

/* Bytes of text in the pages so far. */
static size_t out_len(const struct doc_text *t)
{
	size_t n = 0;

	for (size_t i = 0; i < t->npages; i++)
		n += t->pages[i].len;
	return n;
}

/* Append a cell at column `col` of a row whose next column is *next: tabs for the columns between. */
static void put_cell(struct strbuf *row, long *next, long col, const char *text, size_t len)
{
	if (col < *next)
		col = *next;
	for (; *next < col; (*next)++)
		strbuf_addch(row, '\t');
	if (*next > 0)
		strbuf_addch(row, '\t');
	for (size_t i = 0; i < len; i++) /* a cell is one field of its line */
		strbuf_addch(row, text[i] == '\t' || text[i] == '\n' || text[i] == '\r' ? ' ' : text[i]);
	(*next)++;
}

static void end_row(struct strbuf *page, struct strbuf *row)
{
	while (row->len && row->buf[row->len - 1] == '\t')
		row->buf[--row->len] = '\0';
	if (row->len) {
		strbuf_add(page, row->buf, row->len);
		strbuf_addch(page, '\n');
	}
	strbuf_reset(row);
}

struct strings {
	char **s;
	size_t n;
};

static int shared_strings(const struct parts *parts, struct strings *out, struct strbuf *err)
{
	const struct strbuf *part = part_get(parts, "xl/sharedStrings.xml");
	xmlDocPtr doc;
	size_t n = 0;
	int rc;

	if (!part)
		return 0;
	rc = xml_parse(part, "xl/sharedStrings.xml", &doc, err);
	if (rc)
		return rc;
	for (xmlNodePtr c = xmlDocGetRootElement(doc)->children; c; c = c->next)
		n += is(c, "si");
	out->s = calloc(n ? n : 1, sizeof(*out->s));
	for (xmlNodePtr c = xmlDocGetRootElement(doc)->children; out->s && c; c = c->next) {
		struct strbuf v = STRBUF_INIT;

		if (!is(c, "si"))
			continue;
		text_of(c, &v); /* rich text: the runs' t joined; phonetic runs (rPh) are few enough to keep */
		out->s[out->n++] = strbuf_ok(&v) ? NULL : (v.alloc ? v.buf : strdup(""));
		if (!out->s[out->n - 1])
			rc = -ENOMEM;
	}
	xmlFreeDoc(doc);
	return out->s ? rc : -ENOMEM;
}

static void strings_release(struct strings *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->s[i]);
	free(s->s);
}

static int xlsx_sheet(const struct strbuf *part, const char *name, const char *sheet, const struct strings *ss,
		      struct doc_text *out, struct strbuf *err)
{
	struct strbuf page = STRBUF_INIT, row = STRBUF_INIT;
	xmlNodePtr data = NULL;
	xmlDocPtr doc;
	int rc = xml_parse(part, name, &doc, err);

	if (rc)
		return rc;
	for (xmlNodePtr c = xmlDocGetRootElement(doc)->children; c; c = c->next)
		if (is(c, "sheetData"))
			data = c;
	strbuf_addf(&page, "Sheet: %s\n", sheet);
	for (xmlNodePtr r = data ? data->children : NULL; r; r = r->next) {
		long next = 0;

		if (!is(r, "row"))
			continue;
		for (xmlNodePtr c = r->children; c; c = c->next) {
			xmlChar *t, *ref;
			struct strbuf v = STRBUF_INIT;
			long col;

			if (!is(c, "c"))
				continue;
			t = xmlGetProp(c, (const xmlChar *)"t");
			ref = xmlGetProp(c, (const xmlChar *)"r");
			for (xmlNodePtr k = c->children; k; k = k->next)
				if (is(k, "v") || is(k, "is"))
					text_of(k, &v);
			if (t && !strcmp((const char *)t, "s")) {
				char *end;
				unsigned long i = strtoul(v.buf, &end, 10);

				strbuf_reset(&v);
				if (*end == '\0' && i < ss->n && ss->s[i])
					strbuf_addstr(&v, ss->s[i]);
			}
			col = column_of((const char *)ref);
			if (col < OFFICE_COLUMNS_MAX && v.len)
				put_cell(&row, &next, col, v.buf, v.len);
			xmlFree(t);
			xmlFree(ref);
			strbuf_release(&v);
		}
		end_row(&page, &row);
		if (page.len + out_len(out) > OFFICE_TEXT_MAX) {
			strbuf_addf(err, "sheet '%s': over 64 MiB of text (a bomb?): refused", sheet);
			rc = -EINVAL;
			break;
		}
	}
	xmlFreeDoc(doc);
	if (rc) {
		strbuf_release(&page);
		strbuf_release(&row);
		return rc;
	}
	rc = strbuf_ok(&page) || strbuf_ok(&row) ? -ENOMEM : doc_text_add_page(out, page.buf, page.len);
	strbuf_release(&page);
	strbuf_release(&row);
	return rc;
}

/* The part of relation `id` in xl/_rels/workbook.xml.rels, as a path in the zip ("xl/worksheets/sheet1.xml"). */
static int sheet_part(const struct parts *parts, const char *id, struct strbuf *path)
{
	const struct strbuf *rels = part_get(parts, "xl/_rels/workbook.xml.rels");
	struct strbuf ignored = STRBUF_INIT;
	xmlDocPtr doc;
	int rc = -ENOENT;

	if (!rels || xml_parse(rels, "xl/_rels/workbook.xml.rels", &doc, &ignored)) {
		strbuf_release(&ignored);
		return -ENOENT;
	}
	for (xmlNodePtr c = xmlDocGetRootElement(doc)->children; c && rc; c = c->next) {
		xmlChar *rid = is(c, "Relationship") ? xmlGetProp(c, (const xmlChar *)"Id") : NULL;
		xmlChar *target = rid ? xmlGetProp(c, (const xmlChar *)"Target") : NULL;

		if (rid && target && !strcmp((const char *)rid, id)) {
			const char *tg = (const char *)target;

			if (tg[0] == '/')
				strbuf_addstr(path, tg + 1);
			else
				strbuf_addf(path, "xl/%s", tg);
			rc = 0;
		}
		xmlFree(rid);
		xmlFree(target);
	}
	xmlFreeDoc(doc);
	strbuf_release(&ignored);
	return rc;
}

static int xlsx(const struct parts *parts, struct doc_text *out, struct strbuf *err)
{
	const struct strbuf *wb = part_get(parts, "xl/workbook.xml");
	struct strings ss = { 0 };
	xmlNodePtr sheets = NULL;
	xmlDocPtr doc;
	int rc, n = 0;

	if (!wb) {
		strbuf_addstr(err, "not an office file of its kind: no xl/workbook.xml in it");
		return -EINVAL;
	}
	rc = xml_parse(wb, "xl/workbook.xml", &doc, err);
	if (!rc)
		rc = shared_strings(parts, &ss, err);
	if (rc) {
		xmlFreeDoc(doc);
		strings_release(&ss);
		return rc;
	}
	for (xmlNodePtr c = xmlDocGetRootElement(doc)->children; c; c = c->next)
		if (is(c, "sheets"))
			sheets = c;
	for (xmlNodePtr s = sheets ? sheets->children : NULL; s && !rc; s = s->next) {
		xmlChar *name = is(s, "sheet") ? xmlGetProp(s, (const xmlChar *)"name") : NULL;
		xmlChar *rid = name ? xmlGetNsProp(s, (const xmlChar *)"id",
			(const xmlChar *)"http://schemas.openxmlformats.org/officeDocument/2006/relationships") : NULL;
		struct strbuf path = STRBUF_INIT;
		const struct strbuf *part;

		if (name && rid && ++n > OFFICE_SHEETS_MAX) {
			strbuf_addf(err, "more than %d sheets: refused", OFFICE_SHEETS_MAX);
			rc = -EINVAL;
		} else if (name && rid && !sheet_part(parts, (const char *)rid, &path)) {
			part = part_get(parts, path.buf);
			if (!part) {
				strbuf_addf(err, "corrupt office file: sheet '%s' has no part %s", (const char *)name, path.buf);
				rc = -EINVAL;
			} else {
				rc = xlsx_sheet(part, path.buf, (const char *)name, &ss, out, err);
			}
		}
		xmlFree(name);
		xmlFree(rid);
		strbuf_release(&path);
	}
	xmlFreeDoc(doc);
	strings_release(&ss);
	if (!rc && !out->npages) {
		strbuf_addstr(err, "corrupt office file: a workbook without sheets");
		rc = -EINVAL;
	}
	return rc;
}

/* OpenDocument spreadsheets: table:table pages, table:table-row lines, repeated cells bounded. */
static void ods_tables(xmlNodePtr n, struct doc_text *out, int *rc)
{
	for (xmlNodePtr t = n->children; t && !*rc; t = t->next) {
		struct strbuf page = STRBUF_INIT, row = STRBUF_INIT;
		xmlChar *name;

		if (t->type != XML_ELEMENT_NODE)
			continue;
		if (!is(t, "table")) {
			ods_tables(t, out, rc);
			continue;
		}
		name = xmlGetProp(t, (const xmlChar *)"name");
		strbuf_addf(&page, "Sheet: %s\n", name ? (const char *)name : "");
		xmlFree(name);
		for (xmlNodePtr r = t->children; r; r = r->next) {
			long next = 0, col = 0;

			if (!is(r, "table-row"))
				continue;
			for (xmlNodePtr c = r->children; c && col < OFFICE_COLUMNS_MAX; c = c->next) {
				struct strbuf v = STRBUF_INIT;
				xmlChar *rep;
				long times;

				if (!is(c, "table-cell") && !is(c, "covered-table-cell"))
					continue;
				rep = xmlGetProp(c, (const xmlChar *)"number-columns-repeated");
				times = rep ? strtol((const char *)rep, NULL, 10) : 1;
				xmlFree(rep);
				paragraphs(c, "p", NULL, &v);
				while (v.len && v.buf[v.len - 1] == '\n')
					v.buf[--v.len] = '\0';
				for (long k = 0; k < (times < 1 ? 1 : times) && col < OFFICE_COLUMNS_MAX; k++, col++)
					if (v.len)
						put_cell(&row, &next, col, v.buf, v.len);
					else if (times > 64)
						col += times - k - 1, k = times; /* a run of empty cells: skip it whole */
				strbuf_release(&v);
			}
			end_row(&page, &row);
			if (page.len + out_len(out) > OFFICE_TEXT_MAX) {
				*rc = -EFBIG; /* office_extract() says it */
				break;
			}
		}
		if (!*rc)
			*rc = strbuf_ok(&page) || strbuf_ok(&row) ? -ENOMEM : doc_text_add_page(out, page.buf, page.len);
		strbuf_release(&page);
		strbuf_release(&row);
	}
}

static int ods(const struct parts *parts, struct doc_text *out, struct strbuf *err)
{
	const struct strbuf *part = part_get(parts, "content.xml");
	xmlDocPtr doc;
	int rc;

	if (!part) {
		strbuf_addstr(err, "not an office file of its kind: no content.xml in it");
		return -EINVAL;
	}
	rc = xml_parse(part, "content.xml", &doc, err);
	if (rc)
		return rc;
	ods_tables(xmlDocGetRootElement(doc), out, &rc);
	xmlFreeDoc(doc);
	if (rc == -EFBIG) {
		strbuf_addstr(err, "over 64 MiB of text (a bomb?): refused");
		rc = -EINVAL;
	}
	if (!rc && !out->npages) {
		strbuf_addstr(err, "corrupt office file: a spreadsheet without tables");
		rc = -EINVAL;
	}
	return rc;
}

int office_extract(enum doc_format f, const unsigned char *data, size_t len, struct doc_text *out,
		   struct strbuf *err)
{
	struct parts parts = { 0 };
	int rc = read_parts(data, len, &parts, err);

	if (!rc) {
		switch (f) {
		case DOC_DOCX:
			rc = docx(&parts, "word/document.xml", "p", NULL, out, err);
			break;
		case DOC_XLSX:
			out->untitled = 1;
			rc = xlsx(&parts, out, err);
			break;
		case DOC_ODT:
			rc = docx(&parts, "content.xml", "p", "h", out, err);
			break;
		case DOC_ODS:
			out->untitled = 1;
			rc = ods(&parts, out, err);
			break;
		default:
			strbuf_addstr(err, "not an office file");
			rc = -EINVAL;
		}
	}
	if (!rc)
		rc = properties(&parts, f == DOC_ODT || f == DOC_ODS ? "meta.xml" : "docProps/core.xml", out);
	parts_release(&parts);
	return rc;
}
