// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Exemption codes on a page, the way agencies write them beside what they
 * withheld (docs/documents.md, "Redactions", says each rule with its source):
 *
 * - FOIA, `(b)(1)` to `(b)(9)` with the lettered sub-paragraphs of
 *   exemption 7 (`(b)(7)(A)` to `(b)(7)(F)`), and the Privacy Act's
 *   `(j)(1)`, `(j)(2)`, `(k)(1)` to `(k)(7)`: groups in parentheses, spaces
 *   allowed inside and between them, letters in any case. A citation is no
 *   redaction: a code right after `552`, `552a`, `§` or a letter or digit
 *   ("5 U.S.C. § 552(b)(6)", "552.130(b)(1)") is not counted.
 * - State laws and the DPPA, by a section number that names its law
 *   (`552.130` is Texas's, `42.56.230` Washington's, `119.071` Florida's,
 *   `7(26)(c)` Massachusetts's) or one after the law's name (`POL § 87(2)(b)`,
 *   `Gov. Code § 6254(k)`, `5 ILCS 140/7(1)(c)`, `18 U.S.C. § 2721`), with
 *   its sub-paragraphs; each becomes a code and a slug safe as a file name
 *   (`NY-POL-87-2-b`). Massachusetts's clause also in words:
 *   `§ 7, Twenty-sixth (c)`.
 * - On a page read by OCR, Tesseract's usual misreadings count too: `(5)`,
 *   `(6)`, `(0)`, `(8)`, `(h)`, `(o)` for `(b)`; `{` or `[` for `(`; `}`,
 *   `]` or `|` for `)`; a `)` dropped before the next group; `O` for 0 and
 *   `l` or `I` for 1 in a section number. A misread code counts only where
 *   it stands beside a black box (the spans ocr.c found); one written
 *   exactly counts anywhere.
 */
#include "../util/array.h"
#include "importers_i.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SECTION "\xC2\xA7"	/* § */
#define GROUPS_MAX 4		/* sub-paragraphs kept: 87(2)(e)(i), 140/7(1)(d)(iv) */
#define GROUP_CHARS 4		/* a sub-paragraph's name: 2, b, iv, 26 */

/* One code found: its place in the text, whether OCR's misreadings were taken, its names. */
struct cite {
	const char *start, *end;
	int misread;
	char code[96], slug[64];
};

/*
 * Codes found on a page, counted. Found codes are appended and, when the
 * array is full, sorted and merged (equal slugs summed): a page of many
 * distinct codes costs n log n, not n squared.
 */
struct tally {
	struct tally_item {
		char code[96], slug[64];
		int rank;	/* FOIA and Privacy Act codes first, in statute order; then by slug */
		long count;
	} *v;
	size_t n, alloc;
};

static int tally_order(const void *a, const void *b)
{
	const struct tally_item *x = a, *y = b;

	return x->rank != y->rank ? (x->rank < y->rank ? -1 : 1) : strcmp(x->slug, y->slug);
}

/* Sort, and sum the counts of equal codes into one item. */
static void tally_merge(struct tally *t)
{
	size_t out = 0;

	if (!t->n)
		return;
	qsort(t->v, t->n, sizeof(*t->v), tally_order);
	for (size_t i = 1; i < t->n; i++) {
		if (!strcmp(t->v[i].slug, t->v[out].slug))
			t->v[out].count += t->v[i].count;
		else
			t->v[++out] = t->v[i];
	}
	t->n = out + 1;
}

static int tally_add(struct tally *t, const struct cite *c, int rank)
{
	struct tally_item *it;

	if (t->n == t->alloc) {
		tally_merge(t);
		/* Still half full: grow (array_reserve doubles). */
		if ((!t->alloc || 2 * t->n > t->alloc) && array_reserve(&t->v, t->alloc, &t->alloc, sizeof(*t->v), 16))
			return -ENOMEM;
	}
	it = &t->v[t->n++];
	snprintf(it->code, sizeof(it->code), "%s", c->code);
	snprintf(it->slug, sizeof(it->slug), "%s", c->slug);
	it->rank = rank;
	it->count = 1;
	return 0;
}

/* ---- characters, with what OCR makes of them -------------------------------------------------- */

static int is_open(char ch, int ocr, int *misread)
{
	if (ch == '(')
		return 1;
	if (ocr && (ch == '{' || ch == '[')) {
		*misread = 1;
		return 1;
	}
	return 0;
}

static int is_close(char ch, int ocr, int *misread)
{
	if (ch == ')')
		return 1;
	if (ocr && (ch == '}' || ch == ']' || ch == '|')) {
		*misread = 1;
		return 1;
	}
	return 0;
}

/* A digit of a section number: the digit, OCR's O for 0 and l or I for 1; 0 when none. */
static char digit_of(char ch, int ocr, int *misread)
{
	if (ch >= '0' && ch <= '9')
		return ch;
	if (ocr && (ch == 'O' || ch == 'o' || ch == 'l' || ch == 'I')) {
		*misread = 1;
		return ch == 'O' || ch == 'o' ? '0' : '1';
	}
	return 0;
}

static int is_word(char ch)
{
	return isalnum((unsigned char)ch);
}

static const char *skip_spaces(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static const char *skip_spaces_back(const char *start, const char *q)
{
	while (q > start && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\n'))
		q--;
	return q;
}

/* 1 when the text before q ends with `word` (any case), a word of its own there. */
static int ends_with(const char *start, const char *q, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(q - start) >= n && !strncasecmp(q - n, word, n) &&
	       (q - n == start || !is_word(q[-(long)n - 1]) || !is_word(word[0]));
}

/* A name of a law ending at q (after skip_marks()), one of `names`. */
static int named(const char *start, const char *q, const char *const *names)
{
	for (; *names; names++)
		if (ends_with(start, q, *names))
			return 1;
	return 0;
}

/*
 * Back over what stands between a law's name and its section: spaces,
 * commas, `§` (OCR: `$`), "Section", "Sec.", "s.", "ss.". *marked says
 * whether a section mark was among them.
 */
static const char *skip_marks(const char *start, const char *q, int *marked)
{
	static const char *const marks[] = { SECTION, "$", "sections", "section", "sect.", "sec.", "sec", NULL };

	*marked = 0;
	for (;;) {
		const char *const *m;

		q = skip_spaces_back(start, q);
		if (q > start && q[-1] == ',') {
			q--;
			continue;
		}
		for (m = marks; *m && !ends_with(start, q, *m); m++)
			;
		if (*m) {
			q -= strlen(*m);
			*marked = 1;
			continue;
		}
		/* Florida writes "s. 119.071", "ss. 119.07 and 119.071": lower case only ("F.S." is a name). */
		if (q - start >= 2 && q[-1] == '.' && q[-2] == 's' && (q - start == 2 || !is_word(q[-3]) ||
								     (q[-3] == 's' && (q - start == 3 || !is_word(q[-4]))))) {
			q -= q - start >= 3 && q[-3] == 's' ? 3 : 2;
			*marked = 1;
			continue;
		}
		return q;
	}
}

/* 1 when the text at a starts with one of `names` (any case). */
static int followed_by(const char *a, const char *end, const char *const *names)
{
	for (; *names; names++) {
		size_t n = strlen(*names);

		if ((size_t)(end - a) >= n && !strncasecmp(a, *names, n))
			return 1;
	}
	return 0;
}

/* ---- parts of a code ----------------------------------------------------------------------------- */

/*
 * A section number at p: digits and inner dots ("42.56.230"; a dot ends it
 * unless a digit follows), at most `cap - 1` characters, in `out`. The end,
 * or NULL when p holds no number or it is part of a longer word.
 */
static const char *number(const char *start, const char *p, const char *end, int ocr, int *misread, char *out,
			  size_t cap)
{
	size_t n = 0;
	int mis = 0;

	if (p > start && (is_word(p[-1]) || p[-1] == '.' || p[-1] == '-' || p[-1] == '/'))
		return NULL;
	/* A number starts with a digit, or a misread one before a digit: "l" or "O" alone is a word. */
	if (!(*p >= '0' && *p <= '9') && !(p + 1 < end && digit_of(*p, ocr, &mis) && p[1] >= '0' && p[1] <= '9'))
		return NULL;
	while (p < end && n + 1 < cap) {
		char d = digit_of(*p, ocr, &mis);

		if (d) {
			out[n++] = d;
			p++;
		} else if (*p == '.' && n && p + 1 < end && digit_of(p[1], ocr, &mis) && out[n - 1] != '.') {
			out[n++] = '.';
			p++;
		} else {
			break;
		}
	}
	out[n] = '\0';
	if (p < end && is_word(*p))
		return NULL; /* "552.130a", "87th" */
	*misread |= mis;
	return p;
}

/*
 * Sub-paragraphs at p: up to GROUPS_MAX groups "(x)" of 1 to GROUP_CHARS
 * letters or digits, spaces allowed inside and between them, letters made
 * lower case. Returns the end of the last group (p when there is none).
 */
static const char *groups(const char *p, const char *end, int ocr, int *misread, char out[][GROUP_CHARS + 1],
			  int *n)
{
	*n = 0;
	while (*n < GROUPS_MAX) {
		const char *q = skip_spaces(p, end);
		int mis = 0;
		size_t k = 0;

		if (q >= end || !is_open(*q, ocr, &mis))
			break;
		q = skip_spaces(q + 1, end);
		while (q < end && is_word(*q) && k < GROUP_CHARS)
			out[*n][k++] = (char)tolower((unsigned char)*q++);
		out[*n][k] = '\0';
		q = skip_spaces(q, end);
		if (!k || q >= end || !is_close(*q, ocr, &mis))
			break;
		*misread |= mis;
		(*n)++;
		p = q + 1;
	}
	return p;
}

/* Code and slug of a state's code: prefix + number, then each group as "(x)" and "-x". */
static void name_cite(struct cite *c, const char *code_prefix, const char *slug_prefix, const char *num,
		      char g[][GROUP_CHARS + 1], int ng)
{
	size_t cl, sl;

	snprintf(c->code, sizeof(c->code), "%s%s", code_prefix, num);
	snprintf(c->slug, sizeof(c->slug), "%s%s", slug_prefix, num);
	for (int i = 0; i < ng; i++) {
		cl = strlen(c->code);
		sl = strlen(c->slug);
		snprintf(c->code + cl, sizeof(c->code) - cl, "(%s)", g[i]);
		snprintf(c->slug + sl, sizeof(c->slug) - sl, "-%s", g[i]);
	}
}

static int is_letter_in(const char *g, char lo, char hi)
{
	return g[0] >= lo && g[0] <= hi && !g[1];
}

static int is_roman(const char *g)
{
	static const char *const romans[] = { "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", NULL };

	for (const char *const *r = romans; *r; r++)
		if (!strcmp(g, *r))
			return 1;
	return 0;
}

/* Where the code found in `c` starts and ends, and whether a misreading was taken: 1. */
static int found(struct cite *c, const char *start, const char *end, int misread)
{
	c->start = start;
	c->end = end;
	c->misread = misread;
	return 1;
}

/* ---- FOIA and the Privacy Act ----------------------------------------------------------------- */

/* One "(X)" group of one character at p: X in *out, the end in the return; NULL when there is none. */
static const char *group1(const char *p, const char *end, int ocr, int *misread, char *out)
{
	p = skip_spaces(p, end);
	if (p >= end || !is_open(*p, ocr, misread))
		return NULL;
	p = skip_spaces(p + 1, end);
	if (p >= end)
		return NULL;
	*out = *p;
	p = skip_spaces(p + 1, end);
	if (p < end && is_close(*p, ocr, misread))
		return p + 1;
	/* OCR drops a thin ')' before the next '(': "(b)(7(E)". */
	if (ocr && p < end && *p != ')' && is_open(*p, ocr, misread)) {
		*misread = 1;
		return p;
	}
	return NULL;
}

/* The letter of a FOIA or Privacy Act code: b, j or k; OCR reads a small stamped b as 5, 6, 0, 8, h or o. */
static char act_letter(char ch, int ocr, int *misread)
{
	ch = (char)tolower((unsigned char)ch);
	if (ch == 'b' || ch == 'j' || ch == 'k')
		return ch;
	if (ocr && ch && strchr("5608ho", ch)) {
		*misread = 1;
		return 'b';
	}
	return 0;
}

/* 1 when the text just before `p` cites a statute (552, 552a, §) or p continues a word: not a redaction. */
static int cites_statute(const char *start, const char *p)
{
	const char *q = skip_spaces_back(start, p);

	if (p > start && is_word(p[-1]))
		return 1;
	if (q - start >= 3 && !memcmp(q - 3, "552", 3))
		return 1;
	if (q - start >= 4 && !memcmp(q - 4, "552a", 4))
		return 1;
	return q - start >= 2 && !memcmp(q - 2, SECTION, 2);
}

/* A FOIA or Privacy Act code at p ('(' or what OCR made of it); its rank in *rank. 1 when found. */
static int federal_code(const char *text, const char *p, const char *end, int ocr, struct cite *c, int *rank)
{
	const char *q;
	char letter, num, sub = 0;
	int mis = 0;

	if (cites_statute(text, p) || !(q = group1(p, end, ocr, &mis, &letter)) ||
	    !(letter = act_letter(letter, ocr, &mis)) || !(q = group1(q, end, ocr, &mis, &num)))
		return 0;
	if (letter == 'b' && num >= '1' && num <= '9') {
		if (num == '7') {
			int smis = mis;
			const char *r = group1(q, end, ocr, &smis, &sub);

			sub = (char)toupper((unsigned char)sub);
			if (r && sub >= 'A' && sub <= 'F') {
				q = r;
				mis = smis;
			} else {
				sub = 0;
			}
		}
		if (sub) {
			snprintf(c->code, sizeof(c->code), "(b)(7)(%c)", sub);
			snprintf(c->slug, sizeof(c->slug), "b7%c", sub);
		} else {
			snprintf(c->code, sizeof(c->code), "(b)(%c)", num);
			snprintf(c->slug, sizeof(c->slug), "b%c", num);
		}
		*rank = sub ? 9 + (sub - 'A') : num - '1';
	} else if ((letter == 'j' && num >= '1' && num <= '2') || (letter == 'k' && num >= '1' && num <= '7')) {
		snprintf(c->code, sizeof(c->code), "(%c)(%c)", letter, num);
		snprintf(c->slug, sizeof(c->slug), "%c%c", letter, num);
		*rank = 20 + (letter == 'k' ? 2 : 0) + (num - '1');
	} else {
		return 0;
	}
	return found(c, p, q, mis);
}

/* ---- state laws and the DPPA --------------------------------------------------------------------- */

static const char *const ny_names[] = { "Public Officers Law", "Public Officer's Law", "Public Officers' Law",
					"Pub. Off. Law", "Pub. Officers Law", "POL", "P.O.L.", "FOIL", NULL };
static const char *const ny_after[] = { "of the Public Officers Law", "of Public Officers Law", "of the POL",
					"of POL", "of FOIL", NULL };
static const char *const ca_names[] = { "Gov. Code", "Government Code", "Gov't Code", "Gov\xE2\x80\x99t Code",
					"Govt. Code", "Govt Code", "Gov Code", "GC", "G.C.", "CPRA", NULL };
static const char *const usc_names[] = { "U.S.C.", "U.S.C", "USC", "U.S.C.A.", "U. S. C.", NULL };
static const char *const il_names[] = { "ILCS", "1LCS", "lLCS", "ILC5", NULL };
static const char *const wa_names[] = { "RCW", NULL };

/* "dd.dd.ddd": a number of three parts, as Washington's codes are. */
static int three_parts(const char *num)
{
	const char *a = strchr(num, '.'), *b = a ? strchr(a + 1, '.') : NULL;

	return a && b && !strchr(b + 1, '.') && b + 1 < num + strlen(num);
}

/* "79dd.ddd" of California's Public Records Act since 2023 (Gov. Code §§ 7920.000-7931.000). */
static int cpra_2023(const char *num)
{
	return strlen(num) == 8 && !strncmp(num, "79", 2) && num[4] == '.' && strspn(num, "0123456789") == 4 &&
	       strspn(num + 5, "0123456789") == 3 && (num[2] == '2' || (num[2] == '3' && num[3] <= '1'));
}

/* A state law's code (or the DPPA's) whose section number starts at p. 1 when found. */
static int state_code(const char *text, const char *p, const char *end, int ocr, struct cite *c)
{
	char num[24], g[GROUPS_MAX][GROUP_CHARS + 1];
	const char *q, *r, *before;
	int ng = 0, mis = 0, marked;

	q = number(text, p, end, ocr, &mis, num, sizeof(num));
	if (!q)
		return 0;
	before = skip_marks(text, p, &marked);
	if (!strcmp(num, "140") && q < end && *q == '/' && named(text, skip_spaces_back(text, p), il_names)) {
		/* Illinois: 5 ILCS 140/7(1)(c); 140/7.5(v). */
		char sec[8];
		const char *s = q + 1;
		size_t n = 0;

		/* The section after '/', 7 or 7.5 (number() starts no number after a '/'). */
		while (s < end && n + 1 < sizeof(sec) &&
		       ((*s >= '0' && *s <= '9') || (*s == '.' && n && s + 1 < end && s[1] >= '0' && s[1] <= '9')))
			sec[n++] = *s++;
		sec[n] = '\0';
		r = n ? s : NULL;
		if (!r || (strcmp(sec, "7") && strcmp(sec, "7.5")))
			return 0;
		q = groups(r, end, ocr, &mis, g, &ng);
		if (!ng)
			return 0;
		name_cite(c, "5 ILCS 140/", "IL-140-", sec, g, ng);
	} else if (!strcmp(num, "87")) {
		/* New York: Public Officers Law § 87(2)(b), (e)(iv); or "§ 87(2)(b) of the Public Officers Law". */
		q = groups(q, end, ocr, &mis, g, &ng);
		if (ng < 2 || strcmp(g[0], "2") || !is_letter_in(g[1], 'a', 't'))
			return 0;
		ng = ng > 2 && is_roman(g[2]) ? 3 : 2;
		if (!named(text, before, ny_names) && !followed_by(skip_spaces(q, end), end, ny_after))
			return 0;
		name_cite(c, "N.Y. POL " SECTION " ", "NY-POL-", num, g, ng);
	} else if (!strncmp(num, "552.1", 5) && (strlen(num) == 7 || strlen(num) == 8)) {
		/* Texas: Gov't Code § 552.101 to 552.1xx; 552.130 is motor vehicle records. */
		q = groups(q, end, ocr, &mis, g, &ng);
		name_cite(c, "Tex. Gov't Code " SECTION " ", "TX-", num, g, ng);
	} else if (!strncmp(num, "119.071", 7) && strlen(num) <= 8) {
		/* Florida: s. 119.071(4)(d); 119.0712(2) is motor vehicle records. */
		q = groups(q, end, ocr, &mis, g, &ng);
		name_cite(c, "Fla. Stat. " SECTION " ", "FL-", num, g, ng);
	} else if (three_parts(num) && (!strncmp(num, "42.56.", 6) || named(text, before, wa_names))) {
		/* Washington: RCW 42.56.230(7); any RCW section after "RCW" (46.12.635). */
		q = groups(q, end, ocr, &mis, g, &ng);
		name_cite(c, "RCW ", "WA-", num, g, ng);
	} else if ((!strcmp(num, "6254") || !strcmp(num, "6255") || cpra_2023(num)) &&
		   (marked || named(text, before, ca_names))) {
		/* California: Gov. Code § 6254(k) before 2023, § 7927.705 since. */
		q = groups(q, end, ocr, &mis, g, &ng);
		if (!strcmp(num, "6254") && !ng)
			return 0;
		name_cite(c, "Cal. Gov. Code " SECTION " ", "CA-GC-", num, g, ng);
	} else if (!strcmp(num, "7")) {
		/* Massachusetts: G.L. c. 4, § 7(26)(c), the clause of public records' exemptions. */
		q = groups(q, end, ocr, &mis, g, &ng);
		if (ng < 2 || strcmp(g[0], "26") || !is_letter_in(g[1], 'a', 'u'))
			return 0;
		ng = 2;
		name_cite(c, "Mass. G.L. c. 4, " SECTION " ", "MA-4-", num, g, ng);
	} else if (strlen(num) == 4 && !strncmp(num, "272", 3) && num[3] >= '1' && num[3] <= '5' &&
		   named(text, before, usc_names)) {
		/* The Driver's Privacy Protection Act: 18 U.S.C. §§ 2721-2725. */
		const char *t = before;
		const char *const *n;

		for (n = usc_names; !ends_with(text, t, *n); n++)
			;
		t = skip_spaces_back(text, t - strlen(*n));
		if (t - text < 2 || memcmp(t - 2, "18", 2) || (t - text > 2 && is_word(t[-3])))
			return 0;
		q = groups(q, end, ocr, &mis, g, &ng);
		name_cite(c, "18 U.S.C. " SECTION " ", "DPPA-", num, g, ng);
	} else {
		return 0;
	}
	return found(c, p, q, mis);
}

/* Massachusetts in words: "G.L. c. 4, § 7, Twenty-sixth (c)", the clause as the General Laws name it. */
static int ma_clause(const char *text, const char *p, const char *end, int ocr, struct cite *c)
{
	static const char word[] = "Twenty-sixth";
	char g[GROUPS_MAX][GROUP_CHARS + 1], num[] = "7";
	const char *q = p + sizeof(word) - 1;
	int ng, mis = 0;

	if ((size_t)(end - p) < sizeof(word) - 1 || strncasecmp(p, word, sizeof(word) - 1) ||
	    (p > text && is_word(p[-1])))
		return 0;
	q = groups(q, end, ocr, &mis, g, &ng);
	if (!ng || !is_letter_in(g[0], 'a', 'u'))
		return 0;
	memmove(g[1], g[0], sizeof(g[0]));
	strcpy(g[0], "26");
	name_cite(c, "Mass. G.L. c. 4, " SECTION " ", "MA-4-", num, g, 2);
	return found(c, p, q, mis);
}

/* ---- the page ------------------------------------------------------------------------------------- */

/* 1 when [start, end) touches a span beside a black box. */
static int touches(size_t start, size_t end, const struct text_span *spans, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (spans[i].start < end && start < spans[i].end)
			return 1;
	return 0;
}

int redactions_scan(const char *text, size_t len, int ocr, const struct text_span *beside, size_t nbeside,
		    int (*cb)(void *arg, const char *code, const char *slug, long count), void *arg)
{
	struct tally t = { 0 };
	const char *p = text, *end = text + len;
	int rc = 0;

	while (!rc && p < end) {
		struct cite c;
		int rank = 100, found, dummy = 0;

		if (is_open(*p, ocr, &dummy))
			found = federal_code(text, p, end, ocr, &c, &rank);
		else if (*p == 'T' || *p == 't')
			found = ma_clause(text, p, end, ocr, &c);
		else
			found = state_code(text, p, end, ocr, &c);
		if (!found) {
			p++;
			continue;
		}
		assert(c.end > c.start && c.end <= end);
		/* A misread code stands for a redaction only beside the box it names. */
		if (!c.misread || touches((size_t)(c.start - text), (size_t)(c.end - text), beside, nbeside))
			rc = tally_add(&t, &c, rank);
		p = c.end;
	}
	if (!rc)
		tally_merge(&t);
	for (size_t i = 0; !rc && i < t.n; i++)
		rc = cb(arg, t.v[i].code, t.v[i].slug, t.v[i].count);
	free(t.v);
	return rc;
}
