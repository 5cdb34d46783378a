// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Documents in: what every input kind shares. A path is a file, a folder
 * of files or an archive; each document found is hashed (SHA-256, the
 * content address: bytes already stored add nothing), its text extracted
 * (importers/pdf.c, html.c, text.c), and stored as a source with its pages.
 *
 * Archives are read once, start to end, through the one archive reader
 * (importers/archive.c, with its limits), member by member, so memory
 * holds one member at a time (and an archive nested in it). What an
 * archive may not do is refused before anything of the call lands: names
 * that climb out ('..', absolute), links, special files, encrypted
 * members, nesting deeper than AR_NESTING_MAX, members over the reader's
 * limits (size, expansion: a bomb), and truncated or corrupt data. The
 * error names the archive and the member.
 */
#include "archive_i.h"
#include "documents_i.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/array.h"
#include "../util/escape.h"
#include "../util/utf8.h"

#define FILE_MAX (1024UL << 20)		/* bytes of one document given as a file */
#define FOLDER_DEPTH_MAX 16
/*
 * Bytes of an HTML or plain-text document, and of the text extracted from
 * any document: indexing text for search and excerpts takes about nine
 * times its size in memory, so this bounds an import's memory per document
 * (docs/documents.md, "Limits").
 */
#define TEXT_MAX (16UL << 20)

/* ---- small shared pieces ----------------------------------------------------------- */

void import_sha256_hex(const unsigned char *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	for (i = 0; i < mdlen && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
}

const char *doc_format_name(enum doc_format f)
{
	switch (f) {
	case DOC_PDF:
		return "pdf";
	case DOC_HTML:
		return "html";
	case DOC_TEXT:
		return "text";
	case DOC_IMAGE:
		return "image";
	case DOC_EMAIL:
		return "email";
	case DOC_DOCX:
		return "docx";
	case DOC_XLSX:
		return "xlsx";
	case DOC_ODT:
		return "odt";
	case DOC_ODS:
		return "ods";
	default:
		return "";
	}
}

void doc_text_release(struct doc_text *t)
{
	for (size_t i = 0; i < t->npages; i++)
		strbuf_release(&t->pages[i]);
	free(t->pages);
	free(t->ocr);
	free(t->title);
	free(t->date);
	memset(t, 0, sizeof(*t));
}

int doc_text_add_page(struct doc_text *t, const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	struct strbuf *page;

	if (array_reserve(&t->pages, t->npages, &t->alloc, sizeof(*t->pages), 8))
		return -ENOMEM;
	page = &t->pages[t->npages++];
	strbuf_init(page);
	if (strbuf_grow(page, len + 1))
		return -ENOMEM;
	while (p < end) {
		const unsigned char *run = p;
		size_t n = 0;

		/* Copy runs of good characters at once; mend what lies between them. */
		while (p < end && *p && *p != '\f' && (n = utf8_seq_len(p, end)))
			p += n;
		strbuf_add(page, run, (size_t)(p - run));
		if (p == end)
			break;
		if (*p == '\f')
			strbuf_addch(page, '\n');
		else if (*p)
			strbuf_addstr(page, "\xEF\xBF\xBD"); /* U+FFFD for a byte that is not UTF-8 */
		p++;
	}
	return strbuf_ok(page);
}

static int ends_with(const char *name, const char *suffix)
{
	size_t n = strlen(name), m = strlen(suffix);

	return n >= m && !strcasecmp(name + n - m, suffix);
}

static int starts_ci(const unsigned char *p, const unsigned char *end, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(end - p) >= n && !strncasecmp((const char *)p, s, n);
}

/*
 * Mail opens with header fields; a memo that starts "From: ..." does not
 * have Date: or Subject: and MIME-Version: or Message-ID: too.
 */
static int looks_like_mail(const unsigned char *p, const unsigned char *end)
{
	static const char *const starts[] = { "From:", "Return-Path:", "Received:", "Date:", "Message-ID:",
					      "MIME-Version:", "Delivered-To:", "Subject:", "To:", NULL };
	int from = 0, date_or_subject = 0, mime = 0, first = 1;

	while (p < end) {
		const unsigned char *eol = memchr(p, '\n', (size_t)(end - p));
		int known = 0;

		if (!eol || eol == p || (*p == '\r' && eol == p + 1))
			break; /* the blank line ends the header (or the window ends) */
		for (int i = 0; starts[i]; i++)
			if (starts_ci(p, end, starts[i]))
				known = 1;
		if (first && !known)
			return 0;
		first = 0;
		from |= starts_ci(p, end, "From:");
		date_or_subject |= starts_ci(p, end, "Date:") || starts_ci(p, end, "Subject:");
		mime |= starts_ci(p, end, "MIME-Version:") || starts_ci(p, end, "Message-ID:") ||
			starts_ci(p, end, "Received:");
		p = eol + 1;
	}
	return from && date_or_subject && mime;
}

enum doc_format document_sniff(const char *name, const unsigned char *data, size_t len)
{
	static const struct {
		size_t off;
		const char *magic;
		size_t n;
	} archives[] = {
		{ 0, "PK\x03\x04", 4 }, { 0, "PK\x05\x06", 4 }, { 0, "7z\xBC\xAF\x27\x1C", 6 },
		{ 0, "\x1F\x8B", 2 }, { 0, "\xFD" "7zXZ\x00", 6 }, { 0, "BZh", 3 }, { 257, "ustar", 5 },
		{ 0, "\x28\xB5\x2F\xFD", 4 }, { 0, "Rar!\x1A\x07", 6 },
	};
	static const char *const html_starts[] = { "<!doctype html", "<html", "<head", "<body", "<title", "<meta", NULL };
	static const char *const text_names[] = { ".txt", ".text", ".md", ".csv", ".tsv", NULL };
	const unsigned char *p = data, *end = data + (len < 1024 ? len : 1024);
	size_t i;

	for (const unsigned char *q = p; q + 5 <= end; q++)
		if (!memcmp(q, "%PDF-", 5))
			return DOC_PDF;
	if ((len >= 8 && !memcmp(data, "\x89PNG\r\n\x1A\n", 8)) || (len >= 3 && !memcmp(data, "\xFF\xD8\xFF", 3)) ||
	    (len >= 4 && (!memcmp(data, "II*\0", 4) || !memcmp(data, "MM\0*", 4))))
		return DOC_IMAGE;
	if (len >= 4 && !memcmp(data, "PK\x03\x04", 4)) {
		/* Office files are zips; their name says which (office.c checks the parts are there). */
		if (ends_with(name, ".docx"))
			return DOC_DOCX;
		if (ends_with(name, ".xlsx"))
			return DOC_XLSX;
		if (ends_with(name, ".odt"))
			return DOC_ODT;
		if (ends_with(name, ".ods"))
			return DOC_ODS;
	}
	if (ends_with(name, ".eml") || looks_like_mail(p, end))
		return DOC_EMAIL;
	for (i = 0; i < sizeof(archives) / sizeof(archives[0]); i++)
		if (len >= archives[i].off + archives[i].n &&
		    !memcmp(data + archives[i].off, archives[i].magic, archives[i].n))
			return DOC_ARCHIVE;
	if (ends_with(name, ".htm") || ends_with(name, ".html") || ends_with(name, ".xhtml"))
		return DOC_HTML;
	if (end - p >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		p += 3;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	for (i = 0; html_starts[i]; i++)
		if (starts_ci(p, end, html_starts[i]))
			return DOC_HTML;
	for (i = 0; text_names[i]; i++)
		if (ends_with(name, text_names[i]))
			return DOC_TEXT;
	return len && utf8_text((const char *)data, len) ? DOC_TEXT : DOC_UNKNOWN;
}

/* Extract the text of bytes of a known format. 0, or -EINVAL with `err` (and a position for text). */
static int extract(enum doc_format f, const unsigned char *data, size_t len, struct doc_text *t, struct strbuf *err,
		   unsigned *line, unsigned *col)
{
	size_t total = 0;
	int rc;

	*line = *col = 0;
	if ((f == DOC_HTML || f == DOC_TEXT) && len > TEXT_MAX) {
		strbuf_addf(err, "%zu bytes: an %s document is at most %lu MiB (split it)", len,
			    f == DOC_HTML ? "HTML" : "text", TEXT_MAX >> 20);
		return -EINVAL;
	}
	switch (f) {
	case DOC_PDF:
		rc = pdf_extract(data, len, t, err);
		break;
	case DOC_HTML:
		rc = html_extract((const char *)data, len, t, err);
		break;
	case DOC_TEXT:
		rc = text_extract((const char *)data, len, t, err, line, col);
		break;
	case DOC_IMAGE:
		rc = image_extract(data, len, t, err);
		break;
	case DOC_EMAIL:
		rc = email_extract(data, len, t, NULL, err);
		break;
	case DOC_DOCX:
	case DOC_XLSX:
	case DOC_ODT:
	case DOC_ODS:
		rc = office_extract(f, data, len, t, err);
		break;
	default:
		strbuf_addstr(err, "not a document nletsfs reads");
		return -EINVAL;
	}
	for (size_t i = 0; !rc && i < t->npages; i++)
		total += t->pages[i].len;
	if (!rc && total > TEXT_MAX) {
		strbuf_addf(err, "%zu bytes of text: a document gives at most %lu MiB of text (split it)", total,
			    TEXT_MAX >> 20);
		rc = -EINVAL;
	}
	return rc;
}

/*
 * 1 once bytes being read are past TEXT_MAX and an HTML or text document
 * (forced by --kind, or by their first bytes and name): refused then, not
 * read on to their end, so memory stays bounded.
 */
static int text_too_big(enum doc_format forced, const char *name, const struct strbuf *sb)
{
	enum doc_format f = forced;

	if (sb->len <= TEXT_MAX)
		return 0;
	if (f == DOC_UNKNOWN)
		f = document_sniff(name, (const unsigned char *)sb->buf, sb->len);
	return f == DOC_HTML || f == DOC_TEXT;
}

static int has_text(const struct doc_text *t)
{
	for (size_t i = 0; i < t->npages; i++)
		for (size_t j = 0; j < t->pages[i].len; j++)
			if (!strchr(" \t\r\n", t->pages[i].buf[j]))
				return 1;
	return 0;
}

struct redaction_sum {
	struct store *st;
	const char *source;
	long page;
	struct import_report *rep;
};

static int put_redaction(void *arg, const char *code, const char *slug, long count)
{
	struct redaction_sum *r = arg;
	struct import_report *rep = r->rep;
	int k;

	for (k = 0; k < rep->nredactions && strcmp(rep->redactions[k].code, code); k++)
		;
	if (k == rep->nredactions && k < (int)(sizeof(rep->redactions) / sizeof(rep->redactions[0]))) {
		snprintf(rep->redactions[k].code, sizeof(rep->redactions[k].code), "%s", code);
		rep->redactions[k].count = 0;
		rep->nredactions++;
	}
	if (k < rep->nredactions)
		rep->redactions[k].count += count;
	return store_redaction_put(r->st, r->source, r->page, code, slug, count);
}

/* What pages say besides their text: which were read by OCR, and the exemptions they withhold under. */
static int store_page_marks(struct store *st, const char *id, const struct doc_text *t, struct import_report *rep)
{
	struct redaction_sum r = { st, id, 0, rep };
	int rc = 0;

	for (size_t i = 0; !rc && i < t->npages; i++) {
		int ocr = i < t->nocr && t->ocr[i].confidence >= 0;

		r.page = (long)i + 1;
		if (ocr) {
			rc = store_page_ocr_put(st, id, r.page, t->ocr[i].confidence, t->ocr[i].boxes);
			rep->ocr_pages++;
		}
		/* OCR's misreadings of a code are taken only beside the boxes they stand for. */
		if (!rc)
			rc = redactions_scan(t->pages[i].buf, t->pages[i].len, ocr && t->ocr[i].boxes > 0, put_redaction,
					     &r);
	}
	return rc;
}

/* Store the extracted pages of a source. */
static int store_pages(struct store *st, const char *id, enum doc_format f, const char *sha, const char *member,
		       const struct pia_info *pia, const struct doc_text *t, struct import_report *rep)
{
	struct store_document_info info = {
		.source = id, .format = doc_format_name(f), .sha256_hex = sha, .member = member,
		.identifier = pia && *pia->identifier ? pia->identifier : NULL,
		.component = pia && *pia->component ? pia->component : NULL,
	};
	const char **pages = calloc(t->npages ? t->npages : 1, sizeof(*pages));
	size_t *lens = calloc(t->npages ? t->npages : 1, sizeof(*lens));
	int rc = -ENOMEM;

	if (pages && lens) {
		for (size_t i = 0; i < t->npages; i++) {
			pages[i] = t->pages[i].buf;
			lens[i] = t->pages[i].len;
		}
		rc = store_document_put(st, &info, pages, lens, t->npages);
	}
	if (!rc)
		rc = store_page_marks(st, id, t, rep);
	free(pages);
	free(lens);
	return rc;
}

int document_index(struct store *st, const char *source_id, const char *kind, const char *file,
		   const unsigned char *data, size_t len, struct import_report *rep)
{
	struct doc_text t = { 0 };
	struct strbuf err = STRBUF_INIT;
	struct pia_info pia;
	enum doc_format f = document_sniff(file, data, len);
	char sha[65];
	unsigned line, col;
	int rc;

	import_sha256_hex(data, len, sha);
	rc = store_document_current(st, source_id, sha);
	if (rc)
		return rc < 0 ? rc : 0;
	if (f == DOC_UNKNOWN || f == DOC_ARCHIVE)
		return 0; /* stored as it is, without text */
	rc = extract(f, data, len, &t, &err, &line, &col);
	if (rc == -EINVAL) {
		import_report_warning(rep, file, "no text extracted: %s", err.buf);
		rc = 0;
	} else if (!rc) {
		if (!strcmp(kind, "pia") && t.npages)
			pia_detect(t.pages[0].buf, t.pages[0].len, &pia);
		rc = store_pages(st, source_id, f, sha, NULL, !strcmp(kind, "pia") && t.npages ? &pia : NULL, &t, rep);
		rep->pages += (long)t.npages;
	}
	doc_text_release(&t);
	strbuf_release(&err);
	return rc;
}

/* ---- errors ------------------------------------------------------------------------------- */

/* Report a refusal of `label` (and of its member, when in an archive); returns 1. */
static int refuse(struct doc_call *c, const char *label, const char *member, unsigned line, unsigned col,
		  const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int refuse(struct doc_call *c, const char *label, const char *member, unsigned line, unsigned col,
		  const char *fmt, ...)
{
	struct strbuf format = STRBUF_INIT;
	va_list ap;

	/* "member 'NAME': " before the message; a '%' in NAME is no conversion. */
	if (member) {
		strbuf_addstr(&format, "member '");
		for (const char *p = member; *p; p++) {
			if (*p == '%')
				strbuf_addch(&format, '%');
			strbuf_addch(&format, *p);
		}
		strbuf_addstr(&format, "': ");
	}
	strbuf_addstr(&format, fmt);
	va_start(ap, fmt);
	import_report_verror(c->rep, label, line, col, format.buf, ap);
	va_end(ap);
	strbuf_release(&format);
	return 1;
}

/* ---- one document ------------------------------------------------------------------------- */

/* Where a document came from, for errors and its sources row. */
struct origin {
	const char *label;	/* the path given (errors name it) */
	const char *member;	/* its path in the archive, for errors ("dir/a.pdf"), or NULL */
	const char *recorded;	/* what sources/ID/member shows ("release.zip/dir/a.pdf"), or NULL */
	const char *name;	/* its file name (the extension of original.EXT) */
	const char *top;	/* the outermost archive's file name, when in one */
	int depth;		/* archives and emails it is inside of */
	const char *date;	/* the date it takes when it gives none (an attachment: its email's) */
};

static int import_attachments(struct doc_call *c, const struct origin *o, const struct email_parts *parts,
			      const char *date);

/* OCR's progress through a document, for the report's callback. */
struct ocr_progress {
	struct doc_call *c;
	const char *name;
};

static void ocr_progress(void *arg, long done, long total)
{
	struct ocr_progress *p = arg;

	p->c->rep->progress_ocr(p->c->rep->progress_arg, p->name, done, total);
}

static int is_source_kind(const char *k)
{
	static const char *const kinds[] = { "foia", "pia", "partner-list", "law", "report", "web", "other", NULL };

	for (int i = 0; k && kinds[i]; i++)
		if (!strcmp(k, kinds[i]))
			return 1;
	return 0;
}

/* Text for a sources column: control characters become spaces, edges trimmed, at most `max` bytes. */
static void clean_line(const char *s, size_t n, size_t max, struct strbuf *out)
{
	size_t start = out->len;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch < 0x20 || ch == 0x7f)
			ch = ' ';
		if (ch == ' ' && (out->len == start || out->buf[out->len - 1] == ' '))
			continue;
		strbuf_addch(out, ch);
	}
	while (out->len > start && out->buf[out->len - 1] == ' ')
		out->buf[--out->len] = '\0';
	if (out->len - start > max) {
		size_t cut = start + max;

		while (cut > start && ((unsigned char)out->buf[cut] & 0xC0) == 0x80)
			cut--;
		out->len = cut;
		out->buf[cut] = '\0';
	}
}

/* The title: --title, else the document's own, else its first line of text, else its file name. */
static void pick_title(const struct doc_call *c, const struct doc_text *t, const char *name, struct strbuf *out)
{
	if (c->o->title) {
		clean_line(c->o->title, strlen(c->o->title), 500, out);
	} else if (t->title) {
		clean_line(t->title, strlen(t->title), 500, out);
	}
	for (size_t i = 0; !out->len && !t->untitled && i < t->npages; i++) {
		const char *p = t->pages[i].buf, *end = p + t->pages[i].len;

		while (p < end && !out->len) {
			const char *eol = memchr(p, '\n', (size_t)(end - p));

			if (!eol)
				eol = end;
			clean_line(p, (size_t)(eol - p), 200, out);
			p = eol + 1;
		}
	}
	if (!out->len && t->untitled && strrchr(name, '/'))
		name = strrchr(name, '/') + 1; /* the file's name, not its path in an archive */
	if (!out->len)
		clean_line(name, strlen(name), 200, out);
}

/* A readable id: the title's first words in lower case, a dash, 8 digits of the SHA-256. */
static void make_id(const char *title, const char *sha, struct strbuf *id)
{
	static const char *const small[] = {
		"a", "an", "and", "the", "of", "for", "to", "in", "on", "by", "with", "from", "at", "or", NULL,
	};
	size_t start = id->len;
	int words = 0;

	for (const char *p = title; *p && words < 6 && id->len - start < 48;) {
		struct strbuf w = STRBUF_INIT;
		int i;

		for (; *p && !((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')); p++)
			;
		for (; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'); p++)
			strbuf_addch(&w, *p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		for (i = 0; small[i] && strcmp(small[i], w.buf); i++)
			;
		if (w.len && !small[i]) {
			strbuf_addf(id, "%s%s", id->len > start ? "-" : "", w.buf);
			words++;
		}
		strbuf_release(&w);
	}
	strbuf_addf(id, "%s%.8s", id->len > start ? "-" : "document-", sha);
}

/* The file name the source keeps: its own, with an extension that says its format. */
static void file_name(const char *name, enum doc_format f, struct strbuf *out)
{
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;

	clean_line(base, strlen(base), 200, out);
	if (!strchr(out->buf, '.'))
		strbuf_addf(out, ".%s", f == DOC_PDF ? "pdf" : f == DOC_HTML ? "html" : "txt");
}

static int partner_entries_of(struct doc_call *c, const struct origin *o, enum doc_format f,
			      const unsigned char *data, size_t len, struct partner_entries *e)
{
	struct strbuf err = STRBUF_INIT;
	unsigned line = 0, col = 0;
	int rc;

	if (f == DOC_HTML)
		rc = partner_list_parse_html((const char *)data, len, e, &err);
	else if (f == DOC_TEXT)
		rc = partner_list_parse_csv((const char *)data, len, e, &err, &line, &col);
	else {
		strbuf_addstr(&err, "a partner list is an HTML page or a CSV file");
		rc = -EINVAL;
	}
	if (rc == -EINVAL)
		rc = refuse(c, o->label, o->member, line, col, "%s", err.buf);
	strbuf_release(&err);
	return rc;
}

/* The sources row of a new document, or of an existing source it is attached to (--id). */
static int put_source(struct doc_call *c, const char *id, const char *title, const char *kind, const char *date,
		      const char *file, const unsigned char *data, size_t len, const char *sha)
{
	const struct record_desc *d = store_record_desc(REC_SOURCES);
	struct store_document doc = { data, len, sha };
	struct record old = { NULL, 0 };
	const char *values[16] = { 0 }, *keys[1] = { id };
	int rc = store_get_by_id(c->st, REC_SOURCES, keys, &old);

	if (rc && rc != -ENOENT)
		return rc;
	for (int i = 0; !rc && i < d->ncols && i < old.n; i++)
		values[i] = old.v[i];
	values[store_record_column(d, "id")] = id;
	if (rc || c->o->title)
		values[store_record_column(d, "title")] = title;
	if (rc || is_source_kind(c->o->kind))
		values[store_record_column(d, "kind")] = kind;
	if (rc || c->o->date || !strcmp(kind, "partner-list"))
		values[store_record_column(d, "date")] = date;
	if (rc || c->o->url)
		values[store_record_column(d, "url")] = c->o->url;
	values[store_record_column(d, "file")] = file;
	rc = store_put_record(c->st, REC_SOURCES, values, &doc);
	record_release(&old);
	return rc;
}

static int import_document(struct doc_call *c, const struct origin *o, const unsigned char *data, size_t len)
{
	struct doc_text t = { 0 };
	struct strbuf err = STRBUF_INIT, id = STRBUF_INIT, title = STRBUF_INIT, file = STRBUF_INIT;
	struct strbuf existing = STRBUF_INIT, stored_sha = STRBUF_INIT, member = STRBUF_INIT;
	struct partner_entries entries = { 0 };
	struct email_parts parts = { 0 };
	struct ocr_progress progress = { c, o->recorded ? o->recorded : o->label };
	struct pia_info pia;
	enum doc_format f = c->format;
	const char *kind = c->source_kind, *date;
	unsigned line, col;
	char sha[65];
	int rc, is_pia = 0, partner_list;

	if (!len)
		return refuse(c, o->label, o->member, 0, 0, "empty file");
	if (f == DOC_UNKNOWN) {
		f = document_sniff(o->name, data, len);
		if (f == DOC_UNKNOWN) {
			if (o->member) { /* releases mix in spreadsheets and images: skip them */
				import_report_warning(c->rep, o->label, "member '%s': not a PDF, HTML or text file: skipped",
						      o->member);
				return 0;
			}
			return refuse(c, o->label, NULL, 0, 0,
				      "not a PDF, HTML or text file (nletsfs reads those, and archives of them)");
		}
	} else if (document_sniff(o->name, data, len) == DOC_PDF && f != DOC_PDF) {
		return refuse(c, o->label, o->member, 0, 0, "a PDF, not %s", doc_format_name(f));
	}
	if (++c->ndocs > 1 && (c->o->id || c->o->title))
		return refuse(c, o->label, o->member, 0, 0,
			      "--id and --title name one document, and this call holds more than one");
	partner_list = kind && !strcmp(kind, "partner-list");
	import_sha256_hex(data, len, sha);
	rc = store_source_by_sha256(c->st, sha, &existing);
	if (rc && rc != -ENOENT)
		goto out;
	if (!rc && !partner_list) {
		/* Content-addressed: these bytes are a source already. */
		c->rep->sources_unchanged++;
		goto out;
	}
	if (!rc) {
		/* A list seen again: one more observation of the same source. */
		rc = partner_entries_of(c, o, f, data, len, &entries);
		if (!rc)
			rc = partner_list_import(c->st, existing.buf, c->o->as_of, &entries, c->rep);
		c->rep->sources_unchanged++;
		goto out;
	}
	if (c->rep->progress_ocr) {
		t.progress = ocr_progress;
		t.progress_arg = &progress;
	}
	if (f == DOC_EMAIL)
		rc = email_extract(data, len, &t, &parts, &err);
	else
		rc = extract(f, data, len, &t, &err, &line, &col);
	if (rc == -EINVAL) {
		rc = refuse(c, o->label, o->member, line, col, "%s", err.buf);
		goto out;
	}
	if (rc)
		goto out;
	if (t.npages && (!kind || !strcmp(kind, "pia"))) {
		pia_detect(t.pages[0].buf, t.pages[0].len, &pia);
		is_pia = !strcmp(kind ? kind : "", "pia") || pia.titled ||
			 (t.title && !strncasecmp(t.title, "Privacy Impact Assessment", 25));
	}
	if (!kind)
		kind = is_pia ? "pia" : f == DOC_HTML ? "web" : "other";
	if (partner_list)
		date = c->o->as_of;
	else if (c->o->date)
		date = c->o->date;
	else if (is_pia && *pia.date)
		date = pia.date;
	else
		date = t.date;
	if (!date && t.nocr && t.npages) {
		/* A scan has no metadata of its own: the first date its first page gives. */
		find_first_date(t.pages[0].buf, t.pages[0].len, pia.date);
		date = *pia.date ? pia.date : NULL;
	}
	if (!date)
		date = o->date;
	if (!date) {
		rc = refuse(c, o->label, o->member, 0, 0, "no date: the document does not give one; give --date");
		goto out;
	}
	pick_title(c, &t, o->name, &title);
	if (c->o->id)
		strbuf_addstr(&id, c->o->id);
	else
		make_id(title.buf, sha, &id);
	file_name(o->name, f, &file);
	rc = strbuf_ok(&title) || strbuf_ok(&id) || strbuf_ok(&file) ? -ENOMEM : 0;
	if (rc)
		goto out;
	rc = store_source_document(c->st, id.buf, NULL, &stored_sha);
	if (!rc) {
		rc = refuse(c, o->label, o->member, 0, 0, "source '%s' already holds another document (sha256 %s)",
			    id.buf, stored_sha.buf);
		goto out;
	}
	if (rc != -ENOENT)
		goto out;
	/* sources/ID/member is one line, whatever the archive calls its member. */
	escape_addstr(&member, o->recorded);
	rc = strbuf_ok(&member) ? -ENOMEM : put_source(c, id.buf, title.buf, kind, date, file.buf, data, len, sha);
	if (!rc)
		rc = store_pages(c->st, id.buf, f, sha, o->recorded ? member.buf : NULL, is_pia ? &pia : NULL, &t,
				 c->rep);
	if (rc)
		goto out;
	c->rep->documents++;
	c->rep->pages += (long)t.npages;
	if (c->rep->progress_document)
		c->rep->progress_document(c->rep->progress_arg, o->recorded ? o->recorded : o->label, (long)t.npages);
	if (o->recorded)
		strlist_add(&c->rep->members, o->recorded);
	strlist_add(&c->rep->created, id.buf);
	if (!has_text(&t))
		import_report_warning(c->rep, o->label, "%s%s%sno text (a scan without a text layer?)",
				      o->member ? "member '" : "", o->member ? o->member : "", o->member ? "': " : "");
	if (partner_list) {
		rc = partner_entries_of(c, o, f, data, len, &entries);
		if (!rc)
			rc = partner_list_import(c->st, id.buf, c->o->as_of, &entries, c->rep);
	}
	if (!rc && parts.n)
		rc = import_attachments(c, o, &parts, date);
out:
	email_parts_release(&parts);
	partner_entries_release(&entries);
	doc_text_release(&t);
	strbuf_release(&err);
	strbuf_release(&id);
	strbuf_release(&title);
	strbuf_release(&file);
	strbuf_release(&existing);
	strbuf_release(&stored_sha);
	strbuf_release(&member);
	return rc;
}

/* ---- archives ------------------------------------------------------------------------------- */

struct archive_walk {
	struct doc_call *c;
	const char *label;	/* the path of the outermost archive */
	const char *top;	/* its file name, first step of recorded member paths */
	const char *chain;	/* "" or "inner.zip/": the path of this archive inside the outermost */
	int depth;		/* 1 for the outermost */
};

static int walk_archive(const struct archive_walk *w, struct archive *a);

/* ar_read_member()'s check: an HTML or text document stops at TEXT_MAX, not at the member limit. */
struct text_check {
	enum doc_format forced;
	const char *member;
};

static int text_check(void *arg, const struct strbuf *data, struct strbuf *why)
{
	const struct text_check *t = arg;

	if (!text_too_big(t->forced, t->member, data))
		return 0;
	strbuf_addf(why, "over %lu MiB: an HTML or text document is at most %lu MiB (split it)", TEXT_MAX >> 20,
		    TEXT_MAX >> 20);
	return 1;
}

/* Read the current member's data under the reader's limits. 0, 1 (refused) or -errno. */
static int read_member(const struct archive_walk *w, struct archive *a, struct archive_entry *e, const char *member,
		       struct strbuf *sb)
{
	struct text_check t = { w->c->format, member };
	struct strbuf why = STRBUF_INIT;
	int rc = ar_read_member(a, e, sb, text_check, &t, &why);

	if (rc > 0)
		refuse(w->c, w->label, member, 0, 0, "%s", why.buf);
	strbuf_release(&why);
	return rc;
}

/* A member that is itself an archive: walk it from memory, one level deeper. */
static int walk_nested(const struct archive_walk *w, const char *member, const struct strbuf *sb)
{
	struct strbuf chain = STRBUF_INIT, why = STRBUF_INIT;
	struct archive_walk inner = *w;
	struct ar_memory m;
	struct archive *a;
	int rc;

	if (w->depth >= AR_NESTING_MAX)
		return refuse(w->c, w->label, member, 0, 0, "an archive nested more than %d deep: refused",
			      AR_NESTING_MAX);
	rc = ar_open_memory(&m, sb->buf, sb->len, &a, &why);
	if (rc) {
		if (rc > 0)
			refuse(w->c, w->label, member, 0, 0, "%s", why.buf);
		strbuf_release(&why);
		return rc;
	}
	strbuf_addf(&chain, "%s/", member);
	inner.chain = chain.buf;
	inner.depth = w->depth + 1;
	rc = walk_archive(&inner, a);
	archive_read_free(a);
	strbuf_release(&chain);
	return rc;
}

/* A member of an archive (or an attachment): an archive to walk, or a document. */
static int take_member(const struct archive_walk *w, const char *member, const char *name, const char *date,
		       const struct strbuf *data)
{
	struct strbuf recorded = STRBUF_INIT;
	struct origin o = { w->label, member, NULL, name, w->top, w->depth, date };
	int rc;

	if (data->len && document_sniff(name, (const unsigned char *)data->buf, data->len) == DOC_ARCHIVE)
		return walk_nested(w, member, data);
	strbuf_addf(&recorded, "%s/%s", w->top, member);
	o.recorded = recorded.buf;
	rc = strbuf_ok(&recorded) ? -ENOMEM : import_document(w->c, &o, (const unsigned char *)data->buf, data->len);
	strbuf_release(&recorded);
	return rc;
}

/*
 * An email's attachments are members of it, as of an archive: recorded as
 * "release.zip/mail.eml/a.pdf" (or "mail.eml/a.pdf"), under the limits of
 * archives, an email inside an email counting as a level of nesting.
 */
static int import_attachments(struct doc_call *c, const struct origin *o, const struct email_parts *parts,
			      const char *date)
{
	const char *base = strrchr(o->name, '/') ? strrchr(o->name, '/') + 1 : o->name;
	struct strbuf chain = STRBUF_INIT, member = STRBUF_INIT, data = STRBUF_INIT;
	struct archive_walk w = { c, o->label, o->top ? o->top : base, "", o->depth + 1 };
	int rc = 0;

	if (w.depth > AR_NESTING_MAX)
		return refuse(c, o->label, o->member, 0, 0, "an email nested more than %d deep: refused", AR_NESTING_MAX);
	if (o->member)
		strbuf_addf(&chain, "%s/", o->member);
	w.chain = chain.buf ? chain.buf : "";
	for (size_t i = 0; !rc && i < parts->n; i++) {
		strbuf_reset(&member);
		strbuf_addf(&member, "%s%s", w.chain, parts->items[i].name);
		/* take_member() reads a strbuf; the attachment is lent, not copied. */
		data.buf = (char *)parts->items[i].data;
		data.len = parts->items[i].len;
		rc = strbuf_ok(&member) ? -ENOMEM : take_member(&w, member.buf, parts->items[i].name, date, &data);
	}
	strbuf_release(&chain);
	strbuf_release(&member);
	return rc;
}

static int walk_archive(const struct archive_walk *w, struct archive *a)
{
	struct archive_entry *e;
	struct strbuf member = STRBUF_INIT, data = STRBUF_INIT;
	int r, rc = 0;

	while (!rc && ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN)) {
		const char *name = archive_entry_pathname_utf8(e);
		mode_t type = archive_entry_filetype(e);

		if (!name)
			name = archive_entry_pathname(e);
		while (name && name[0] == '.' && name[1] == '/') /* "tar -C dir ." writes ./NAME */
			name += 2;
		strbuf_reset(&member);
		strbuf_addf(&member, "%s%s", w->chain, name ? name : "");
		if (type == AE_IFDIR && name && bundle_safe_name(name))
			continue;
		if (!name || !bundle_safe_name(name)) {
			rc = refuse(w->c, w->label, member.buf, 0, 0,
				    "its name climbs out of the archive (absolute, or with '..'): refused");
		} else if (archive_entry_hardlink(e) || type == AE_IFLNK) {
			rc = refuse(w->c, w->label, member.buf, 0, 0, "a link: links in archives are refused");
		} else if (type != AE_IFREG) {
			rc = refuse(w->c, w->label, member.buf, 0, 0, "a special file: refused");
		} else if (archive_entry_is_encrypted(e)) {
			rc = refuse(w->c, w->label, member.buf, 0, 0, "encrypted: refused");
		}
		if (rc)
			break;
		strbuf_reset(&data);
		rc = read_member(w, a, e, member.buf, &data);
		if (rc)
			break;
		rc = take_member(w, member.buf, name, NULL, &data);
	}
	if (!rc && r != ARCHIVE_EOF)
		rc = refuse(w->c, w->label, NULL, 0, 0, "%s%s%struncated or corrupt archive: %s",
			    member.len ? "after member '" : "", member.buf, member.len ? "': " : "",
			    archive_error_string(a) ? archive_error_string(a) : "unknown error");
	strbuf_release(&member);
	strbuf_release(&data);
	return rc;
}

static int import_archive_file(struct doc_call *c, const char *path)
{
	const char *top = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct archive_walk w = { c, path, top, "", 1 };
	struct strbuf why = STRBUF_INIT;
	struct archive *a;
	int rc = ar_open_file(path, &a, &why);

	if (rc > 0)
		refuse(c, path, NULL, 0, 0, "%s", why.buf);
	strbuf_release(&why);
	if (rc)
		return rc;
	rc = walk_archive(&w, a);
	archive_read_free(a);
	return rc;
}

/* ---- files and folders ------------------------------------------------------------------------ */

static int read_file(const char *path, enum doc_format forced, struct strbuf *sb)
{
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		strbuf_add(sb, buf, (size_t)n);
		if (sb->len > FILE_MAX) {
			rc = -EFBIG;
			break;
		}
		if (text_too_big(forced, path, sb)) {
			rc = -E2BIG;
			break;
		}
	}
	close(fd);
	return rc ? rc : strbuf_ok(sb);
}

/* Is the file an archive? Its first bytes tell. */
static int file_is_archive(const char *path)
{
	unsigned char head[512];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, head, sizeof(head));
	close(fd);
	return n > 0 && document_sniff(path, head, (size_t)n) == DOC_ARCHIVE;
}

static int import_file(struct doc_call *c, const char *path)
{
	struct strbuf data = STRBUF_INIT;
	int rc;

	if (file_is_archive(path))
		return import_archive_file(c, path);
	rc = read_file(path, c->format, &data);
	if (rc == -E2BIG) {
		rc = refuse(c, path, NULL, 0, 0, "over %lu MiB: an HTML or text document is at most %lu MiB (split it)",
			    TEXT_MAX >> 20, TEXT_MAX >> 20);
	} else if (rc) {
		rc = refuse(c, path, NULL, 0, 0, "%s", rc == -EFBIG ? "over 1 GiB: too large" : strerror(-rc));
	} else {
		struct origin o = { path, NULL, NULL, path, NULL, 0, NULL };

		rc = import_document(c, &o, (const unsigned char *)data.buf, data.len);
	}
	strbuf_release(&data);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file under a folder, in name order; links are skipped (with a warning). */
static int import_folder(struct doc_call *c, const char *dir, int depth)
{
	struct strlist names = STRLIST_INIT;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (depth > FOLDER_DEPTH_MAX)
		return refuse(c, dir, NULL, 0, 0, "folders nested too deep");
	d = opendir(dir);
	if (!d)
		return refuse(c, dir, NULL, 0, 0, "%s", strerror(errno));
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			strlist_add(&names, de->d_name);
	closedir(d);
	if (names.oom) {
		strlist_release(&names);
		return -ENOMEM;
	}
	if (names.n) /* qsort(NULL, 0, ...) is undefined */
		qsort(names.items, names.n, sizeof(*names.items), by_name);
	for (size_t i = 0; !rc && i < names.n; i++) {
		struct strbuf path = STRBUF_INIT;
		struct stat sb;

		strbuf_addf(&path, "%s/%s", dir, names.items[i]);
		if (lstat(path.buf, &sb))
			rc = refuse(c, path.buf, NULL, 0, 0, "%s", strerror(errno));
		else if (S_ISDIR(sb.st_mode))
			rc = import_folder(c, path.buf, depth + 1);
		else if (S_ISREG(sb.st_mode))
			rc = import_file(c, path.buf);
		else
			import_report_warning(c->rep, path.buf, "not a regular file: skipped");
		strbuf_release(&path);
	}
	strlist_release(&names);
	return rc;
}

int documents_import_path(struct doc_call *c, const char *path)
{
	struct stat sb;

	if (stat(path, &sb))
		return refuse(c, path, NULL, 0, 0, "%s", strerror(errno));
	if (S_ISDIR(sb.st_mode))
		return import_folder(c, path, 0);
	return import_file(c, path);
}
