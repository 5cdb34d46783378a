// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * FOIA exemption codes on a page: `(b)(1)` to `(b)(9)`, with the lettered
 * sub-paragraphs of exemption 7 (`(b)(7)(A)` to `(b)(7)(F)`), the way
 * agencies stamp them beside what they withheld. How a code is recognised
 * (docs/documents.md, "Redactions"):
 *
 * - groups in parentheses, spaces allowed inside and between them; the
 *   letters in any case: `(b) (6)`, `(B)(7)(c)`;
 * - a citation is no redaction: a code right after `552` or `§`
 *   ("5 U.S.C. § 552(b)(6)") is not counted;
 * - on a page read by OCR with black boxes on it, the misreadings
 *   Tesseract makes of a small stamped `(b)` are taken for it: `(5)`, `(6)`, `(0)`, `(8)`, `(h)`,
 *   `(o)`, `{` or `[` for an opening parenthesis, `}`, `]` or `|` for a
 *   closing one, and a closing one it dropped before the next group
 *   (`(b)(7(E)`). A text layer is exact, so there only `(b)` counts.
 *
 * State-law exemptions have no common notation, so none is guessed.
 */
#include "importers_i.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define REDACTION_CODES (9 + 6)	/* b1..b9 and b7A..b7F */

static int is_open(char ch, int ocr)
{
	return ch == '(' || (ocr && (ch == '{' || ch == '['));
}

static int is_close(char ch, int ocr)
{
	return ch == ')' || (ocr && (ch == '}' || ch == ']' || ch == '|'));
}

static const char *skip_spaces(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* One "(X)" group at p: its character in *out, the end in the return; NULL when there is none. */
static const char *group(const char *p, const char *end, int ocr, char *out)
{
	p = skip_spaces(p, end);
	if (p >= end || !is_open(*p, ocr))
		return NULL;
	p = skip_spaces(p + 1, end);
	if (p >= end)
		return NULL;
	*out = *p;
	p = skip_spaces(p + 1, end);
	if (p < end && is_close(*p, ocr))
		return p + 1;
	/* OCR drops a thin ')' before the next '(': "(b)(7(E)". */
	return ocr && p < end && is_open(*p, ocr) ? p : NULL;
}

static int is_b(char ch, int ocr)
{
	return ch == 'b' || ch == 'B' || (ocr && ch && strchr("5608hoO", ch));
}

/* 1 when the text just before `p` cites the statute (552, §): a reference, not a redaction. */
static int cites_statute(const char *start, const char *p)
{
	const char *q = p;

	while (q > start && (q[-1] == ' ' || q[-1] == '\t'))
		q--;
	if (q - start >= 3 && !memcmp(q - 3, "552", 3))
		return 1;
	return q - start >= 2 && !memcmp(q - 2, "\xC2\xA7", 2); /* § */
}

int redactions_scan(const char *text, size_t len, int ocr,
		    int (*cb)(void *arg, const char *code, const char *slug, long count), void *arg)
{
	long counts[REDACTION_CODES] = { 0 };
	const char *p = text, *end = text + len;
	int rc = 0;

	while (p < end) {
		const char *q;
		char b, digit, sub = 0;

		if (!is_open(*p, ocr) || cites_statute(text, p) || !(q = group(p, end, ocr, &b)) || !is_b(b, ocr) ||
		    !(q = group(q, end, ocr, &digit)) || digit < '1' || digit > '9') {
			p++;
			continue;
		}
		if (digit == '7') {
			const char *r = group(q, end, ocr, &sub);

			sub = (char)toupper((unsigned char)sub);
			if (r && sub >= 'A' && sub <= 'F')
				q = r;
			else
				sub = 0;
		}
		counts[sub ? 9 + (sub - 'A') : digit - '1']++;
		p = q;
	}
	for (int i = 0; !rc && i < REDACTION_CODES; i++) {
		char code[16], slug[8];

		if (!counts[i])
			continue;
		if (i < 9) {
			snprintf(code, sizeof(code), "(b)(%d)", i + 1);
			snprintf(slug, sizeof(slug), "b%d", i + 1);
		} else {
			snprintf(code, sizeof(code), "(b)(7)(%c)", 'A' + i - 9);
			snprintf(slug, sizeof(slug), "b7%c", 'A' + i - 9);
		}
		rc = cb(arg, code, slug, counts[i]);
	}
	return rc;
}
