// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * OCR: pages that are pictures (image files, PDF pages without a text
 * layer) read by Tesseract through its C API, images decoded by Leptonica.
 *
 * Pages are read in parallel, one Tesseract engine per worker thread (an
 * engine is not shared between threads), as many workers as cores. The
 * caller's thread makes the images one after the other (Leptonica
 * decoding, poppler rendering) and stays at most two pages per worker
 * ahead, so memory holds a few pages whatever the document's length.
 *
 * Bounds per page: an image whose header says it is over OCR_REFUSE_PIXELS
 * is refused before it is decoded (a 20,000 x 20,000 pixel image would take
 * 1.6 GB decoded); one over OCR_MAX_PIXELS is scaled down to it (Tesseract
 * needs about 30 bytes a pixel); Tesseract's own deadline stops a page
 * after OCR_PAGE_SECONDS, and the document is then refused.
 *
 * Engines are initialised once per process (loading the English model
 * takes a tenth of a second) and kept for the next document.
 */
#include "../util/array.h"
#include "importers_i.h"

#include <assert.h>
#include <errno.h>
#include <leptonica/allheaders.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tesseract/capi.h>
#include <unistd.h>

#define OCR_WORKERS_MAX 8
#define OCR_AHEAD 2		/* pages made ahead, per worker */
#define OCR_PAGE_SECONDS 60
#define OCR_DEFAULT_DPI 300
#define OCR_PAGES_MAX 10000	/* pages of one TIFF */	/* what an image that does not say is taken to be */

/* ---- engines ---------------------------------------------------------------------------------- */

static pthread_mutex_t engines_mu = PTHREAD_MUTEX_INITIALIZER;
static TessBaseAPI *engines[OCR_WORKERS_MAX];	/* idle, initialised engines */
static int nengines;

static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;

static void quiet_leptonica(void)
{
	setMsgSeverity(L_SEVERITY_NONE); /* errors come back as NULL; its prints would garble ours */
}

/* An initialised engine: an idle one, or a new one. NULL when Tesseract or its English data is missing. */
static TessBaseAPI *engine_get(void)
{
	TessBaseAPI *h = NULL;

	pthread_mutex_lock(&engines_mu);
	if (nengines)
		h = engines[--nengines];
	pthread_mutex_unlock(&engines_mu);
	if (h)
		return h;
	h = TessBaseAPICreate();
	if (!h)
		return NULL;
	if (TessBaseAPIInit3(h, NULL, "eng")) {
		TessBaseAPIDelete(h);
		return NULL;
	}
	/* Tesseract prints its warnings (resolution, empty page) to stderr unless told where. */
	TessBaseAPISetVariable(h, "debug_file", "/dev/null");
	return h;
}

static void engine_put(TessBaseAPI *h)
{
	TessBaseAPIClear(h);
	pthread_mutex_lock(&engines_mu);
	if (nengines < OCR_WORKERS_MAX) {
		engines[nengines++] = h;
		h = NULL;
	}
	pthread_mutex_unlock(&engines_mu);
	if (h) {
		TessBaseAPIEnd(h);
		TessBaseAPIDelete(h);
	}
}

/* ---- images ----------------------------------------------------------------------------------- */

int ocr_pixels_check(long w, long h, struct strbuf *err)
{
	if (w <= 0 || h <= 0) {
		strbuf_addf(err, "an image of %ld x %ld pixels", w, h);
		return -EINVAL;
	}
	if (w > 32767 || h > 32767 || w * h > OCR_REFUSE_PIXELS) {
		strbuf_addf(err, "%ld x %ld pixels, over the %d-megapixel bound of OCR: refused", w, h,
			    OCR_REFUSE_PIXELS / 1000000);
		return -EINVAL;
	}
	return 0;
}

/*
 * What Tesseract reads: 8-bit grey (or 1-bit), at most OCR_MAX_PIXELS.
 * Takes `pix` (destroyed when replaced). NULL on ENOMEM.
 */
static PIX *ocr_ready(PIX *pix)
{
	l_int32 w, h, d;
	PIX *out;

	pixGetDimensions(pix, &w, &h, &d);
	if (d != 1 && d != 8) {
		out = pixConvertTo8(pix, 0);
		pixDestroy(&pix);
		if (!out)
			return NULL;
		pix = out;
	} else if (pixGetColormap(pix)) {
		out = pixRemoveColormap(pix, REMOVE_CMAP_TO_GRAYSCALE);
		pixDestroy(&pix);
		if (!out)
			return NULL;
		pix = out;
	}
	if ((double)w * h > OCR_MAX_PIXELS) {
		float f = (float)sqrt((double)OCR_MAX_PIXELS / ((double)w * h));
		l_int32 xres = pixGetXRes(pix), yres = pixGetYRes(pix);

		out = pixScale(pix, f, f);
		pixDestroy(&pix);
		if (!out)
			return NULL;
		pix = out;
		pixSetResolution(pix, (l_int32)(xres * f), (l_int32)(yres * f));
	}
	return pix;
}

struct image_src {
	const unsigned char *data;
	size_t len;
	int tiff;
};

static int render_image(void *arg, size_t i, struct Pix **out, struct strbuf *err)
{
	const struct image_src *im = arg;
	l_int32 w = 0, h = 0, bps, spp, res, cmap, format;
	PIX *pix;

	if (im->tiff ? readHeaderMemTiff(im->data, im->len, (l_int32)i, &w, &h, &bps, &spp, &res, &cmap, &format)
		     : pixReadHeaderMem(im->data, im->len, &format, &w, &h, &bps, &spp, &cmap)) {
		strbuf_addstr(err, "corrupt image: its header cannot be read");
		return -EINVAL;
	}
	if (ocr_pixels_check(w, h, err))
		return -EINVAL;
	pix = im->tiff ? pixReadMemTiff(im->data, im->len, (l_int32)i) : pixReadMem(im->data, im->len);
	if (!pix) {
		strbuf_addstr(err, "corrupt image: it cannot be decoded");
		return -EINVAL;
	}
	pix = ocr_ready(pix);
	if (!pix)
		return -ENOMEM;
	*out = pix;
	return 0;
}

int image_extract(const unsigned char *data, size_t len, struct doc_text *out, struct strbuf *err)
{
	struct image_src im = { data, len, 0 };
	l_int32 format = IFF_UNKNOWN, n = 1;
	size_t *which;
	int rc = 0;

	pthread_once(&quiet_once, quiet_leptonica);
	if (len < 12 || findFileFormatBuffer(data, &format) || format == IFF_UNKNOWN) {
		strbuf_addstr(err, "not an image Leptonica reads");
		return -EINVAL;
	}
	im.tiff = format == IFF_TIFF || (format >= IFF_TIFF_PACKBITS && format <= IFF_TIFF_JPEG);
	if (im.tiff) {
		FILE *f = fmemopen((void *)data, len, "rb");

		if (!f)
			return -errno;
		rc = tiffGetCount(f, &n);
		fclose(f);
		if (rc || n <= 0) {
			strbuf_addstr(err, "corrupt TIFF: its pages cannot be counted");
			return -EINVAL;
		}
		if (n > OCR_PAGES_MAX) {
			strbuf_addf(err, "a TIFF of %d pages, over %d: refused", n, OCR_PAGES_MAX);
			return -EINVAL;
		}
	}
	which = calloc((size_t)n, sizeof(*which));
	if (!which)
		return -ENOMEM;
	for (l_int32 i = 0; !rc && i < n; i++) {
		which[i] = (size_t)i;
		rc = doc_text_add_page(out, "", 0);
	}
	if (!rc)
		rc = ocr_pages(out, which, (size_t)n, render_image, &im, err);
	free(which);
	return rc;
}

/* ---- the workers ------------------------------------------------------------------------------- */

struct ocr_slot {
	PIX *pix;		/* made, not yet read */
	char *text;		/* Tesseract's UTF-8 (TessDeleteText) */
	struct text_span *beside; /* words of `text` beside a black box (malloc'd) */
	size_t nbeside;
	int conf, boxes, rc;
	char why[160];
};

struct ocr_run {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct ocr_slot *slots;
	size_t n, made, taken, done;
	int made_all, stop, no_engine;
};

/*
 * What a scanner adds, taken away: speckle (a 3 x 3 median), grey
 * (Otsu's threshold, per region), and the black boxes of redactions
 * (solid components at least REDACTION_MIN_IN wide and tall enough not to
 * be a rule), which Tesseract would take for a picture and drop the codes
 * stamped beside them with it. The boxes found go in *boxes. NULL on ENOMEM.
 */
#define BOX_MIN_WIDTH_IN 0.3
#define BOX_MIN_HEIGHT_IN 0.04
#define BOX_MIN_FILL 0.7	/* of its bounding box: a skewed box fills less */

static PIX *clean_page(PIX *pix, BOXA **boxes)
{
	l_int32 res = pixGetXRes(pix), dpi = res >= 70 && res <= 2400 ? res : OCR_DEFAULT_DPI;
	PIX *bin = pixGetDepth(pix) == 1 ? pixCopy(NULL, pix) : pixConvertTo1(pix, 128), *out;
	BOXA *cc = bin ? pixConnCompBB(bin, 8) : NULL;
	l_int32 speck = dpi / 100 + 1; /* 3 pixels at 200 dpi: smaller than any dot of 8-point type */

	*boxes = boxaCreate(0);
	for (l_int32 i = 0; cc && *boxes && i < boxaGetCount(cc); i++) {
		BOX *b = boxaGetBox(cc, i, L_CLONE);
		l_int32 bx, by, bw, bh, on = 0;

		boxGetGeometry(b, &bx, &by, &bw, &bh);
		if (bw >= BOX_MIN_WIDTH_IN * dpi && bh >= BOX_MIN_HEIGHT_IN * dpi && bw > bh &&
		    !pixCountPixelsInRect(bin, b, &on, NULL) && on >= BOX_MIN_FILL * bw * bh) {
			pixClearInRect(bin, b);
			boxaAddBox(*boxes, b, L_COPY);
		}
		boxDestroy(&b);
	}
	boxaDestroy(&cc);
	out = bin && *boxes ? pixSelectBySize(bin, speck, speck, 8, L_SELECT_IF_EITHER, L_SELECT_IF_GTE, NULL) : NULL;
	pixDestroy(&bin);
	if (out)
		pixCopyResolution(out, pix);
	else
		boxaDestroy(boxes);
	return out;
}

/*
 * Whether a word's box (left, top, right, bottom) stands beside a black
 * box: on the same line (their heights overlap by half the smaller one) at
 * most BESIDE_GAP_EM of the word's height away (a word's height is about
 * its font's size, two of it about four characters), or above or below
 * one (their widths overlap) at most BESIDE_LINES_EM of it away, a line.
 */
#define BESIDE_GAP_EM 2.0
#define BESIDE_LINES_EM 1.5

static int word_beside_box(BOXA *boxes, l_int32 l, l_int32 t, l_int32 r, l_int32 b)
{
	l_int32 h = b - t;

	for (l_int32 i = 0; h > 0 && i < boxaGetCount(boxes); i++) {
		l_int32 bx, by, bw, bh, vover, hover, gap;

		boxaGetBoxGeometry(boxes, i, &bx, &by, &bw, &bh);
		vover = (b < by + bh ? b : by + bh) - (t > by ? t : by);
		hover = (r < bx + bw ? r : bx + bw) - (l > bx ? l : bx);
		if (vover * 2 >= (h < bh ? h : bh)) {
			gap = l >= bx + bw ? l - (bx + bw) : bx - r;
			if (gap <= BESIDE_GAP_EM * h)
				return 1;
		} else if (hover > 0) {
			gap = t >= by + bh ? t - (by + bh) : by - b;
			if (gap <= BESIDE_LINES_EM * h)
				return 1;
		}
	}
	return 0;
}

/*
 * The spans of s->text that are words beside a black box. Tesseract's
 * iterator gives the words of its text in the text's order, so each is
 * found after the one before. 0 or -ENOMEM.
 */
static int words_beside(TessBaseAPI *h, BOXA *boxes, struct ocr_slot *s)
{
	TessResultIterator *ri;
	TessPageIterator *pi;
	const char *cursor = s->text;
	size_t alloc = 0;
	int rc = 0;

	if (!boxaGetCount(boxes) || !(ri = TessBaseAPIGetIterator(h)))
		return 0;
	pi = TessResultIteratorGetPageIterator(ri);
	do {
		char *word = TessResultIteratorGetUTF8Text(ri, RIL_WORD);
		const char *at = word && *word ? strstr(cursor, word) : NULL;
		int l, t, r, b;

		if (at && TessPageIteratorBoundingBox(pi, RIL_WORD, &l, &t, &r, &b) &&
		    word_beside_box(boxes, l, t, r, b)) {
			if (array_reserve(&s->beside, s->nbeside, &alloc, sizeof(*s->beside), 8))
				rc = -ENOMEM;
			if (!rc)
				s->beside[s->nbeside++] = (struct text_span){ (size_t)(at - s->text),
									      (size_t)(at - s->text) + strlen(word) };
		}
		if (at)
			cursor = at + strlen(word);
		if (word)
			TessDeleteText(word);
	} while (!rc && TessPageIteratorNext(pi, RIL_WORD));
	TessResultIteratorDelete(ri);
	return rc;
}

/* Read one page. 0, or -EINVAL with `why`. */
static int read_page(TessBaseAPI *h, PIX *page, struct ocr_slot *s)
{
	ETEXT_DESC *monitor = TessMonitorCreate();
	l_int32 res = pixGetXRes(page);
	BOXA *boxes = NULL;
	PIX *pix = monitor ? clean_page(page, &boxes) : NULL;
	int rc = 0;

	if (!pix) {
		if (monitor)
			TessMonitorDelete(monitor);
		return -ENOMEM;
	}
	s->boxes = boxaGetCount(boxes);
	TessMonitorSetDeadlineMSecs(monitor, OCR_PAGE_SECONDS * 1000);
	TessBaseAPISetImage2(h, pix);
	TessBaseAPISetSourceResolution(h, res >= 70 && res <= 2400 ? res : OCR_DEFAULT_DPI);
	if (TessBaseAPIRecognize(h, monitor)) {
		snprintf(s->why, sizeof(s->why), "OCR ran over %d s (or failed): refused", OCR_PAGE_SECONDS);
		rc = -EINVAL;
	} else {
		s->text = TessBaseAPIGetUTF8Text(h);
		s->conf = TessBaseAPIMeanTextConf(h);
		if (s->conf < 0 || s->conf > 100)
			s->conf = 0;
		rc = s->text ? words_beside(h, boxes, s) : -ENOMEM;
	}
	TessBaseAPIClear(h);
	TessMonitorDelete(monitor);
	pixDestroy(&pix);
	boxaDestroy(&boxes);
	return rc;
}

/*
 * Debian's Tesseract is built with OpenMP and asks for 4 threads in its
 * LSTM layers; with a worker per core that is 8 threads on 2 cores, and a
 * page took 8 s instead of 2 on a busy machine. OMP_THREAD_LIMIT is read
 * only when libgomp loads, so each worker makes its parallel regions
 * inactive instead. Weak: a Tesseract without OpenMP has no libgomp.
 */
extern void omp_set_max_active_levels(int levels) __attribute__((weak));

static void *worker(void *arg)
{
	struct ocr_run *r = arg;
	TessBaseAPI *h;

	if (omp_set_max_active_levels)
		omp_set_max_active_levels(0);
	h = engine_get();

	pthread_mutex_lock(&r->mu);
	if (!h) {
		r->stop = r->no_engine = 1;
		pthread_cond_broadcast(&r->cv);
	}
	while (h && !r->stop) {
		struct ocr_slot *s;
		PIX *pix;
		int rc;

		if (r->taken == r->made) {
			if (r->made_all)
				break;
			pthread_cond_wait(&r->cv, &r->mu);
			continue;
		}
		s = &r->slots[r->taken++];
		pix = s->pix;
		s->pix = NULL;
		pthread_mutex_unlock(&r->mu);
		rc = read_page(h, pix, s);
		pixDestroy(&pix);
		pthread_mutex_lock(&r->mu);
		s->rc = rc;
		r->done++;
		if (rc)
			r->stop = 1;
		pthread_cond_broadcast(&r->cv);
	}
	pthread_mutex_unlock(&r->mu);
	if (h)
		engine_put(h);
	return NULL;
}

static int workers_for(size_t n)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t w = cores < 1 ? 1 : cores > OCR_WORKERS_MAX ? OCR_WORKERS_MAX : (size_t)cores;

	return (int)(w < n ? w : n);
}

int ocr_pages(struct doc_text *t, const size_t *which, size_t n, ocr_render_fn render, void *arg, struct strbuf *err)
{
	struct ocr_run r = { .n = n };
	pthread_t threads[OCR_WORKERS_MAX];
	int nw = workers_for(n), started = 0, rc = 0;
	size_t i, reported = 0;

	for (i = 0; i < n; i++)
		assert(which[i] < t->npages);
	if (!n)
		return 0;
	pthread_once(&quiet_once, quiet_leptonica);
	r.slots = calloc(n, sizeof(*r.slots));
	if (!r.slots || pthread_mutex_init(&r.mu, NULL)) {
		free(r.slots);
		return -ENOMEM;
	}
	pthread_cond_init(&r.cv, NULL);
	while (started < nw && !pthread_create(&threads[started], NULL, worker, &r))
		started++;
	/* Make the pages here, at most OCR_AHEAD a worker ahead of the readers. */
	for (i = 0; started && !rc && i < n; i++) {
		PIX *pix = NULL;
		struct strbuf why = STRBUF_INIT;
		int stop;

		pthread_mutex_lock(&r.mu);
		while (!r.stop && r.made - r.done >= (size_t)(OCR_AHEAD * started))
			pthread_cond_wait(&r.cv, &r.mu);
		stop = r.stop;
		pthread_mutex_unlock(&r.mu);
		if (stop)
			break;
		rc = render(arg, which[i], &pix, &why);
		if (rc) {
			snprintf(r.slots[i].why, sizeof(r.slots[i].why), "%s", why.buf ? why.buf : "");
			r.slots[i].rc = rc;
		}
		strbuf_release(&why);
		pthread_mutex_lock(&r.mu);
		if (rc) {
			r.stop = 1;
		} else {
			r.slots[i].pix = pix;
			r.made++;
		}
		pthread_cond_broadcast(&r.cv);
		pthread_mutex_unlock(&r.mu);
		if (t->progress && r.done > reported)
			t->progress(t->progress_arg, (long)(reported = r.done), (long)n);
	}
	rc = 0;
	pthread_mutex_lock(&r.mu);
	r.made_all = 1;
	pthread_cond_broadcast(&r.cv);
	while (!r.stop && r.done < r.made) {
		pthread_cond_wait(&r.cv, &r.mu);
		if (t->progress && r.done > reported) {
			reported = r.done;
			pthread_mutex_unlock(&r.mu);
			t->progress(t->progress_arg, (long)reported, (long)n);
			pthread_mutex_lock(&r.mu);
		}
	}
	pthread_mutex_unlock(&r.mu);
	for (int k = 0; k < started; k++)
		pthread_join(threads[k], NULL);
	/* The first page that failed says why; else every page's text goes in. */
	if (r.no_engine) {
		strbuf_addstr(err, "Tesseract cannot start: is its English data installed (tesseract-ocr-eng)?");
		rc = -EINVAL;
	}
	for (i = 0; i < n && !rc; i++)
		if (r.slots[i].rc) {
			rc = r.slots[i].rc;
			if (rc == -EINVAL)
				strbuf_addf(err, "page %zu: %s", which[i] + 1, r.slots[i].why);
		}
	if (!rc && r.done < n)
		rc = -EAGAIN; /* no worker could start */
	for (i = 0; i < n && !rc; i++) {
		const char *txt = r.slots[i].text;

		struct doc_text one = { 0 };

		/* Mended as any page is (doc_text_add_page()), then put in its place. */
		rc = doc_text_add_page(&one, txt, strlen(txt));
		if (!rc) {
			strbuf_release(&t->pages[which[i]]);
			t->pages[which[i]] = one.pages[0];
			one.npages = 0;
			rc = doc_text_set_ocr(t, which[i], r.slots[i].conf, r.slots[i].boxes, r.slots[i].beside,
					      r.slots[i].nbeside);
			r.slots[i].beside = NULL;
		}
		doc_text_release(&one);
	}
	for (i = 0; i < n; i++) {
		pixDestroy(&r.slots[i].pix);
		free(r.slots[i].beside);
		if (r.slots[i].text)
			TessDeleteText(r.slots[i].text);
	}
	free(r.slots);
	pthread_cond_destroy(&r.cv);
	pthread_mutex_destroy(&r.mu);
	return rc;
}
