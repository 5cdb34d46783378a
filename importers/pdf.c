// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * PDF documents through poppler-glib: the text of each page, and the title
 * and date of the info dictionary. poppler repairs a damaged cross-reference
 * table silently, so a file cut short would still give some pages: a PDF
 * must also end with its %%EOF marker, or it is refused as truncated.
 *
 * A PDF that opens without a password is read even when it carries an
 * owner password (print or copy restrictions, common in FOIA releases); one
 * that needs a user password is refused as encrypted.
 */
#include "importers.h"

#include <errno.h>
#include <poppler.h>
#include <string.h>

#define PDF_MARKER_WINDOW 1024	/* bytes searched for %PDF- and %%EOF */

static int has_marker(const unsigned char *p, size_t len, const char *marker)
{
	size_t m = strlen(marker);

	if (len < m)
		return 0;
	for (size_t i = 0; i + m <= len; i++)
		if (!memcmp(p + i, marker, m))
			return 1;
	return 0;
}

/* YYYY-MM-DD of a date-time from the info dictionary; "" when absent or odd. */
static void date_of(GDateTime *dt, char out[11])
{
	gchar *s;

	out[0] = '\0';
	if (!dt)
		return;
	s = g_date_time_format(dt, "%Y-%m-%d");
	if (s && strlen(s) == 10 && store_date_valid(s) == 0)
		memcpy(out, s, 11);
	g_free(s);
	g_date_time_unref(dt);
}

int pdf_extract(const unsigned char *data, size_t len, struct doc_text *out, struct strbuf *err)
{
	size_t head = len < PDF_MARKER_WINDOW ? len : PDF_MARKER_WINDOW;
	PopplerDocument *doc = NULL;
	GError *gerr = NULL;
	GBytes *bytes;
	char date[11];
	gchar *title;
	int n, i, rc = 0;

	if (!len) {
		strbuf_addstr(err, "empty file");
		return -EINVAL;
	}
	if (!has_marker(data, head, "%PDF-")) {
		strbuf_addstr(err, "corrupt PDF: no %PDF- header");
		return -EINVAL;
	}
	if (!has_marker(data + len - head, head, "%%EOF")) {
		strbuf_addstr(err, "truncated PDF: no %%EOF marker at its end");
		return -EINVAL;
	}
	/* poppler reads the caller's bytes in place: they outlive the document. */
	bytes = g_bytes_new_static(data, len);
	doc = poppler_document_new_from_bytes(bytes, NULL, &gerr);
	if (!doc) {
		if (gerr && gerr->domain == POPPLER_ERROR && gerr->code == POPPLER_ERROR_ENCRYPTED)
			strbuf_addstr(err, "encrypted PDF: it needs a password to be read");
		else
			strbuf_addf(err, "corrupt PDF: %s", gerr ? gerr->message : "poppler cannot open it");
		rc = -EINVAL;
		goto out;
	}
	n = poppler_document_get_n_pages(doc);
	if (n <= 0) {
		strbuf_addstr(err, "corrupt PDF: no pages");
		rc = -EINVAL;
		goto out;
	}
	for (i = 0; i < n && !rc; i++) {
		PopplerPage *page = poppler_document_get_page(doc, i);
		gchar *text;

		if (!page) {
			strbuf_addf(err, "corrupt PDF: page %d cannot be read", i + 1);
			rc = -EINVAL;
			break;
		}
		text = poppler_page_get_text(page);
		rc = doc_text_add_page(out, text ? text : "", text ? strlen(text) : 0);
		/* Each page ends its last line, so that no line of `text` spans two pages. */
		if (!rc && out->pages[out->npages - 1].len &&
		    out->pages[out->npages - 1].buf[out->pages[out->npages - 1].len - 1] != '\n') {
			strbuf_addch(&out->pages[out->npages - 1], '\n');
			rc = strbuf_ok(&out->pages[out->npages - 1]);
		}
		g_free(text);
		g_object_unref(page);
	}
	title = poppler_document_get_title(doc);
	if (!rc && title && *title && !(out->title = strdup(title)))
		rc = -ENOMEM;
	g_free(title);
	date_of(poppler_document_get_creation_date_time(doc), date);
	if (!*date)
		date_of(poppler_document_get_modification_date_time(doc), date);
	if (!rc && *date && !(out->date = strdup(date)))
		rc = -ENOMEM;
out:
	if (gerr)
		g_error_free(gerr);
	if (doc)
		g_object_unref(doc);
	g_bytes_unref(bytes);
	return rc;
}
