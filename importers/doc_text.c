// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * A document's text as its readers hand it back (struct doc_text): pages of
 * UTF-8 and what OCR said of each. Every reader (pdf.c, html.c, text.c,
 * ocr.c, email.c, office.c) writes through these, and calls nothing above.
 */
#include "importers_i.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/array.h"
#include "../util/utf8.h"

void doc_text_release(struct doc_text *t)
{
	for (size_t i = 0; i < t->npages; i++)
		strbuf_release(&t->pages[i]);
	free(t->pages);
	for (size_t i = 0; i < t->nocr; i++)
		free(t->ocr[i].beside);
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

int doc_text_set_ocr(struct doc_text *t, size_t page, int confidence, int boxes, struct text_span *beside,
		     size_t nbeside)
{
	assert(page < t->npages && confidence >= 0 && confidence <= 100 && boxes >= 0);
	assert(beside || !nbeside);
	if (page >= t->nocr) {
		if (array_reserve(&t->ocr, t->npages - 1, &t->aocr, sizeof(*t->ocr), t->npages)) {
			free(beside);
			return -ENOMEM;
		}
		for (size_t i = t->nocr; i < t->npages; i++)
			t->ocr[i] = (struct ocr_mark){ -1, 0, NULL, 0 };
		t->nocr = t->npages;
	}
	free(t->ocr[page].beside);
	t->ocr[page] = (struct ocr_mark){ confidence, boxes, beside, nbeside };
	return 0;
}
