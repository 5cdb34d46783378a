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
 *
 * A scanned page (no text layer, or only a stamp of under PDF_STAMP_MAX
 * characters over an image covering half the page or more) is rendered
 * with cairo at its scan's resolution, in grey, and read by OCR
 * (importers/ocr.c); a page with a text layer of its own is never OCRed.
 */
#include "importers_i.h"

#include <cairo.h>
#include <errno.h>
#include <leptonica/allheaders.h>
#include <math.h>
#include <poppler.h>
#include <stdlib.h>
#include <string.h>

#define PDF_MARKER_WINDOW 1024	/* bytes searched for %PDF- and %%EOF */
#define PDF_OCR_DPI 300		/* renders 10-point text 42 pixels high: what Tesseract reads best */
#define PDF_OCR_DPI_MIN 150	/* a scan's own resolution is kept between these */
#define PDF_OCR_DPI_MAX 400
#define PDF_STAMP_MAX 200	/* a text layer this short over a page-size image is a stamp on a scan */

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

/*
 * The resolution to render a page at: a scan's own (its largest image's
 * pixels over the points it covers), as rendering a 200 dpi scan at 300
 * makes its speckle bigger, not its text clearer; PDF_OCR_DPI for a page
 * of vector shapes.
 */
static double page_dpi(PopplerPage *page)
{
	GList *images = poppler_page_get_image_mapping(page);
	double best = 0, dpi = PDF_OCR_DPI;

	for (GList *l = images; l; l = l->next) {
		PopplerImageMapping *m = l->data;
		double w = m->area.x2 - m->area.x1, h = m->area.y2 - m->area.y1;
		cairo_surface_t *img;

		if (w * h <= best || w < 1)
			continue;
		img = poppler_page_get_image(page, m->image_id);
		if (img) {
			best = w * h;
			dpi = cairo_image_surface_get_width(img) * 72.0 / w;
			cairo_surface_destroy(img);
		}
	}
	poppler_page_free_image_mapping(images);
	return dpi < PDF_OCR_DPI_MIN ? PDF_OCR_DPI_MIN : dpi > PDF_OCR_DPI_MAX ? PDF_OCR_DPI_MAX : dpi;
}

/* Page `i` as 8-bit grey at its scan's resolution, scaled down to OCR_MAX_PIXELS for a large page. */
static int render_page(void *arg, size_t i, struct Pix **out, struct strbuf *err)
{
	PopplerPage *page = poppler_document_get_page(arg, (int)i);
	double wpt = 0, hpt = 0, scale;
	cairo_surface_t *surface = NULL;
	cairo_t *cr;
	PIX *pix = NULL;
	int w, h, rc = 0;

	if (!page) {
		strbuf_addstr(err, "corrupt PDF: the page cannot be read");
		return -EINVAL;
	}
	scale = page_dpi(page) / 72.0;
	poppler_page_get_size(page, &wpt, &hpt);
	if (!(wpt >= 1 && hpt >= 1 && wpt < 1e6 && hpt < 1e6)) {
		strbuf_addf(err, "corrupt PDF: a page of %g x %g points", wpt, hpt);
		rc = -EINVAL;
		goto out;
	}
	if (wpt * scale * hpt * scale > OCR_MAX_PIXELS)
		scale = sqrt(OCR_MAX_PIXELS / (wpt * hpt));
	w = (int)ceil(wpt * scale);
	h = (int)ceil(hpt * scale);
	surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
		rc = -ENOMEM;
		goto out;
	}
	cr = cairo_create(surface);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_scale(cr, scale, scale);
	poppler_page_render_for_printing(page, cr);
	cairo_destroy(cr);
	cairo_surface_flush(surface);
	pix = pixCreate(w, h, 8);
	if (!pix) {
		rc = -ENOMEM;
		goto out;
	}
	{
		const unsigned char *src = cairo_image_surface_get_data(surface);
		int stride = cairo_image_surface_get_stride(surface), wpl = pixGetWpl(pix);
		l_uint32 *dst = pixGetData(pix);

		for (int y = 0; y < h; y++) {
			const uint32_t *row = (const uint32_t *)(src + (size_t)y * stride);
			l_uint32 *line = dst + (size_t)y * wpl;

			for (int x = 0; x < w; x++) {
				uint32_t px = row[x];
				unsigned grey = (((px >> 16) & 0xff) * 299 + ((px >> 8) & 0xff) * 587 + (px & 0xff) * 114) / 1000;

				SET_DATA_BYTE(line, x, grey);
			}
		}
	}
	pixSetResolution(pix, (l_int32)lround(scale * 72), (l_int32)lround(scale * 72));
	*out = pix;
out:
	if (surface)
		cairo_surface_destroy(surface);
	g_object_unref(page);
	return rc;
}

/* Read the pages without a text layer by OCR. */
/* Bytes of text other than white space. */
static size_t ink(const struct strbuf *page)
{
	size_t n = 0;

	for (size_t i = 0; i < page->len; i++)
		n += !strchr(" \t\r\n", page->buf[i]);
	return n;
}

/*
 * Whether page i is a scan to read by OCR: no text layer, or only a stamp
 * on an image that covers half the page or more (releases stamp Bates
 * numbers and exemption codes as text over the scanned page).
 */
static int is_scan(PopplerDocument *doc, size_t i, const struct strbuf *text)
{
	PopplerPage *page;
	GList *images;
	double w = 0, h = 0, covered = 0;

	if (!ink(text))
		return 1;
	if (ink(text) > PDF_STAMP_MAX || !(page = poppler_document_get_page(doc, (int)i)))
		return 0;
	poppler_page_get_size(page, &w, &h);
	images = poppler_page_get_image_mapping(page);
	for (GList *l = images; l; l = l->next) {
		PopplerImageMapping *m = l->data;
		double a = (m->area.x2 - m->area.x1) * (m->area.y2 - m->area.y1);

		covered = a > covered ? a : covered;
	}
	poppler_page_free_image_mapping(images);
	g_object_unref(page);
	return w > 0 && h > 0 && covered >= 0.5 * w * h;
}

/* Read the scanned pages by OCR; a stamp's text layer is kept after the OCR'd text (it is exact) unless OCR read it. */
static int ocr_scanned_pages(PopplerDocument *doc, struct doc_text *out, struct strbuf *err)
{
	size_t *which = calloc(out->npages ? out->npages : 1, sizeof(*which)), n = 0;
	struct strbuf *stamps = calloc(out->npages ? out->npages : 1, sizeof(*stamps));
	int rc = which && stamps ? 0 : -ENOMEM;

	for (size_t i = 0; !rc && i < out->npages; i++)
		if (is_scan(doc, i, &out->pages[i])) {
			strbuf_init(&stamps[n]);
			if (ink(&out->pages[i]))
				strbuf_add(&stamps[n], out->pages[i].buf, out->pages[i].len);
			which[n++] = i;
		}
	if (!rc)
		rc = ocr_pages(out, which, n, render_page, doc, err);
	for (size_t k = 0; k < n; k++) {
		struct strbuf *page = &out->pages[which[k]];

		while (stamps[k].len && strchr(" \t\r\n", stamps[k].buf[stamps[k].len - 1]))
			stamps[k].buf[--stamps[k].len] = '\0';
		/* OCR usually reads the stamp too; when it read it right, once is enough. */
		if (!rc && stamps[k].len && !strstr(page->buf, stamps[k].buf)) {
			if (page->len && page->buf[page->len - 1] != '\n')
				strbuf_addch(page, '\n');
			strbuf_add(page, stamps[k].buf, stamps[k].len);
			strbuf_addch(page, '\n');
			rc = strbuf_ok(page);
		}
		strbuf_release(&stamps[k]);
	}
	free(which);
	free(stamps);
	return rc;
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
	if (!rc)
		rc = ocr_scanned_pages(doc, out, err);
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
