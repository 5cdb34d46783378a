// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * libFuzzer harness of the exemption-code scanner (importers/redactions.c):
 * any bytes as a page, read as a text layer and as OCR with no words beside
 * a box and with every word beside one. Invariants: every code is one line
 * of a list (no tab, no line break), every slug is safe as one path step
 * ([A-Za-z0-9.-], never "." or ".."), counts are positive, no code is
 * reported twice, a code takes at least four bytes of the page, and boxes
 * only add: a code counts at least as often with every word beside a box
 * as with none. The first byte picks nothing; it is part of the page.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzlib.h"
#include "../../importers/importers_i.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CODES_MAX 4096

struct seen {
	char *slug[CODES_MAX];
	long count[CODES_MAX];
	size_t n;
	long total;
};

static int check(void *arg, const char *code, const char *slug, long count)
{
	struct seen *s = arg;
	size_t n = strlen(slug);

	FUZZ_ASSERT(*code && !strpbrk(code, "\t\n\r"));
	FUZZ_ASSERT(n > 0 && strcmp(slug, ".") && strcmp(slug, ".."));
	FUZZ_ASSERT(strspn(slug, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-") == n);
	FUZZ_ASSERT(count > 0);
	for (size_t i = 0; i < s->n; i++)
		FUZZ_ASSERT(strcmp(s->slug[i], slug));
	FUZZ_ASSERT(s->n < CODES_MAX);
	s->slug[s->n] = strdup(slug);
	FUZZ_ASSERT(s->slug[s->n]);
	s->count[s->n++] = count;
	s->total += count;
	return 0;
}

static void scan(const char *text, size_t len, int ocr, const struct text_span *span, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	FUZZ_ASSERT(redactions_scan(text, len, ocr, span, span ? 1 : 0, check, s) == 0);
	FUZZ_ASSERT(s->total * 4 <= (long)len);
}

static void release(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->slug[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact copy, no NUL after it: a read past the page is ASan's to see. */
	char *text = malloc(size ? size : 1);
	struct text_span all = { 0, size };
	struct seen layer, none, boxed;

	FUZZ_ASSERT(text);
	memcpy(text, data, size);
	scan(text, size, 0, NULL, &layer);
	scan(text, size, 1, NULL, &none);
	scan(text, size, 1, &all, &boxed);
	for (size_t i = 0; i < none.n; i++) {
		size_t j;

		for (j = 0; j < boxed.n && strcmp(boxed.slug[j], none.slug[i]); j++)
			;
		FUZZ_ASSERT(j < boxed.n && boxed.count[j] >= none.count[i]);
	}
	release(&layer);
	release(&none);
	release(&boxed);
	free(text);
	return 0;
}
