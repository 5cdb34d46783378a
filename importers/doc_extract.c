// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * A document's bytes to its stored text: the reader its format calls for
 * (importers/pdf.c, html.c, text.c, ocr.c, email.c, office.c), the bound on
 * the text a document may give (DOC_TEXT_MAX), and the pages stored with
 * what they say besides their text (OCR, exemption codes). Records bundles
 * (document_index) and documents (doc_import.c) both store through here.
 */
#include "../util/array.h"
#include "importers_i.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

void import_sha256_hex(const unsigned char *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	for (i = 0; i < mdlen && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
}

int doc_extract(enum doc_format f, const unsigned char *data, size_t len, struct doc_text *t, struct strbuf *err,
		unsigned *line, unsigned *col)
{
	size_t total = 0;
	int rc;

	*line = *col = 0;
	if ((f == DOC_HTML || f == DOC_TEXT) && len > DOC_TEXT_MAX) {
		strbuf_addf(err, "%zu bytes: an %s document is at most %lu MiB (split it)", len,
			    f == DOC_HTML ? "HTML" : "text", DOC_TEXT_MAX >> 20);
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
	if (!rc && total > DOC_TEXT_MAX) {
		strbuf_addf(err, "%zu bytes of text: a document gives at most %lu MiB of text (split it)", total,
			    DOC_TEXT_MAX >> 20);
		rc = -EINVAL;
	}
	return rc;
}

int doc_text_too_big(enum doc_format forced, const char *name, const struct strbuf *sb)
{
	enum doc_format f = forced;

	if (sb->len <= DOC_TEXT_MAX)
		return 0;
	if (f == DOC_UNKNOWN)
		f = document_sniff(name, (const unsigned char *)sb->buf, sb->len);
	return f == DOC_HTML || f == DOC_TEXT;
}

int doc_has_text(const struct doc_text *t)
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
	size_t k;

	for (k = 0; k < rep->nredactions && strcmp(rep->redactions[k].code, code); k++)
		;
	if (k == rep->nredactions) {
		if (array_reserve(&rep->redactions, k, &rep->aredactions, sizeof(*rep->redactions), 8))
			return -ENOMEM;
		snprintf(rep->redactions[k].code, sizeof(rep->redactions[k].code), "%s", code);
		rep->redactions[k].count = 0;
		rep->nredactions++;
	}
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
			rc = redactions_scan(t->pages[i].buf, t->pages[i].len, ocr, ocr ? t->ocr[i].beside : NULL,
					     ocr ? t->ocr[i].nbeside : 0, put_redaction, &r);
	}
	return rc;
}

int document_store_pages(struct store *st, const char *id, enum doc_format f, const char *sha, const char *member,
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
	rc = doc_extract(f, data, len, &t, &err, &line, &col);
	if (rc == -EINVAL) {
		import_report_warning(rep, file, "no text extracted: %s", err.buf);
		rc = 0;
	} else if (!rc) {
		if (!strcmp(kind, "pia") && t.npages)
			pia_detect(t.pages[0].buf, t.pages[0].len, &pia);
		rc = document_store_pages(st, source_id, f, sha, NULL, !strcmp(kind, "pia") && t.npages ? &pia : NULL, &t,
					  rep);
		rep->pages += (long)t.npages;
	}
	doc_text_release(&t);
	strbuf_release(&err);
	return rc;
}
