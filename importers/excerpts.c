// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Excerpts: the passages of a page that name Nlets, a field of the
 * vocabulary or an agency. docs/documents.md states the rules exactly; in
 * short:
 *
 * - A term (a field's id or synonym, an agency's id or name, or one of
 *   Nlets' names) matches as a whole word: the text must not continue a
 *   word on either side (letters, digits, '_' and non-ASCII letters are
 *   word characters). ASCII case is ignored, except for terms written in
 *   capitals of at most 5 bytes (message codes and acronyms: ICE, DOB,
 *   OFF), which match only in capitals. A space in a term matches any run
 *   of white space, line breaks included; an apostrophe matches ' or the
 *   typographic ones.
 * - A field's term of one word (no blank, '-' or '_' inside) matches only
 *   in capitals, whatever its length: "name", "Name" or "image" in prose
 *   is an ordinary word, "NAME" on a form or "SSN" names the field.
 * - A page is cut into units: its lines, and lines over 300 bytes cut at
 *   the last blank before 300 bytes. The passage is each matching unit
 *   with one unit before and after; runs of units are joined by "[...]".
 *
 * The functions work on any bytes (no store), so tests/fuzz can call them.
 * Matching is one pass over the words of a page with a hash lookup per
 * word, so a page costs about the same whatever the vocabulary's size.
 */
#include "importers_i.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "../util/array.h"
#include "../util/utf8.h"

#define UNIT_MAX 300		/* bytes of a passage unit before it is cut */
#define GROUPS_MAX 20		/* passages shown per page */
#define EXACT_CASE_MAX 5	/* capitals-only terms up to this length match in capitals only */

/* The names Nlets goes by (kind 0). */
static const char *const nlets_names[] = {
	"Nlets", "NNWS", "International Justice and Public Safety Network",
	"National Law Enforcement Telecommunications System", NULL,
};

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * Is the character at p (before end) a word character? Sets *n to its
 * length. Invalid UTF-8 counts as a one-byte word character.
 */
static int word_char_at(const unsigned char *p, const unsigned char *end, size_t *n)
{
	unsigned cp;
	size_t k;

	if (*p < 0x80) {
		*n = 1;
		return (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_';
	}
	k = utf8_seq_len(p, end);
	if (!k) {
		*n = 1;
		return 1;
	}
	*n = k;
	cp = k == 2 ? (p[0] & 0x1Fu) : k == 3 ? (p[0] & 0x0Fu) : (p[0] & 0x07u);
	for (size_t i = 1; i < k; i++)
		cp = (cp << 6) | (p[i] & 0x3Fu);
	/* Latin-1 punctuation, the General Punctuation block and the BOM are not letters. */
	return !(cp <= 0xBF || cp == 0xD7 || cp == 0xF7 || (cp >= 0x2000 && cp <= 0x206F) || cp == 0xFEFF);
}

/* Is the character that ends just before p (after start) a word character? */
static int word_char_before(const unsigned char *start, const unsigned char *p)
{
	const unsigned char *q;
	size_t n;
	int word;

	if (p == start)
		return 0;
	q = p - 1;
	/* Step back over up to three continuation bytes to a lead byte. */
	for (int i = 0; i < 3 && q > start && (*q & 0xC0) == 0x80; i++)
		q--;
	word = word_char_at(q, p, &n);
	/* Bytes that are not one whole character are invalid UTF-8: word characters. */
	return q + n == p ? word : 1;
}

void vocab_init(struct vocab *v)
{
	memset(v, 0, sizeof(*v));
}

void vocab_release(struct vocab *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		free(v->terms[i].text);
		free(v->terms[i].label);
	}
	free(v->terms);
	free(v->next);
	hmap_release(&v->first);
	memset(v, 0, sizeof(*v));
}

/* One word: no blank, '-' or '_' inside (date_of_birth and A-number are more). */
static int one_word(const struct strbuf *t)
{
	return !strpbrk(t->buf, " -_");
}

int vocab_add(struct vocab *v, int kind, const char *id, const char *term)
{
	struct strbuf t = STRBUF_INIT, label = STRBUF_INIT;
	const unsigned char *p = (const unsigned char *)term;
	struct vocab_term *vt;
	int lower = 0, upper = 0, rc = 0, field_word;
	size_t n;

	/* Trim and collapse white space: "a  b\n c" is the term "a b c". */
	while (*p && is_blank(*p))
		p++;
	for (; *p; p++) {
		if (is_blank(*p)) {
			while (p[1] && is_blank(p[1]))
				p++;
			if (p[1])
				strbuf_addch(&t, ' ');
			continue;
		}
		lower |= *p >= 'a' && *p <= 'z';
		upper |= *p >= 'A' && *p <= 'Z';
		strbuf_addch(&t, *p);
	}
	/* A term starts with a word character and has two bytes at least. */
	if (t.len < 2 || !word_char_at((const unsigned char *)t.buf, (const unsigned char *)t.buf + t.len, &n))
		goto out;
	/*
	 * A field's single word is prose unless written in capitals: it is
	 * looked for in capitals only (the id ssn as SSN, the name Name as NAME).
	 */
	field_word = kind == VOCAB_FIELD && one_word(&t);
	if (field_word)
		for (size_t i = 0; i < t.len; i++)
			t.buf[i] = (char)(t.buf[i] >= 'a' && t.buf[i] <= 'z' ? t.buf[i] - 'a' + 'A' : t.buf[i]);
	if (kind == VOCAB_NLETS)
		strbuf_addstr(&label, "Nlets");
	else
		strbuf_addf(&label, "%s %s", kind == VOCAB_AGENCY ? "agency" : "field", id);
	if (strbuf_ok(&t) || strbuf_ok(&label)) {
		rc = -ENOMEM;
		goto out;
	}
	rc = array_reserve(&v->terms, v->n, &v->alloc, sizeof(*v->terms), 64);
	if (rc)
		goto out;
	vt = &v->terms[v->n++];
	vt->len = t.len;
	vt->text = strbuf_detach(&t, NULL);
	vt->label = strbuf_detach(&label, NULL);
	vt->kind = kind;
	vt->exact_case = field_word || (upper && !lower && vt->len <= EXACT_CASE_MAX);
	if (!vt->text || !vt->label)
		rc = -ENOMEM;
out:
	strbuf_release(&t);
	strbuf_release(&label);
	return rc;
}

/* The ASCII-lower-cased first word of a term or of text at p: the index key. */
static void first_word(const unsigned char *p, const unsigned char *end, struct strbuf *key)
{
	size_t n;

	strbuf_reset(key);
	while (p < end && word_char_at(p, end, &n)) {
		for (size_t i = 0; i < n; i++)
			strbuf_addch(key, ascii_lower(p[i]));
		p += n;
	}
}

int vocab_finish(struct vocab *v)
{
	struct strbuf key = STRBUF_INIT;
	EVP_MD_CTX *md = NULL;
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned dlen = 0;
	size_t i;
	int rc = 0;

	for (i = 0; nlets_names[i] && !rc; i++)
		rc = vocab_add(v, VOCAB_NLETS, "Nlets", nlets_names[i]);
	v->next = calloc(v->n ? v->n : 1, sizeof(*v->next));
	md = EVP_MD_CTX_new();
	if (rc || !v->next || !md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		rc = rc ? rc : -ENOMEM;
		goto out;
	}
	/* The fingerprint names the rules too: change it when they change. */
	EVP_DigestUpdate(md, "excerpts-v2\n", 12);
	/* Chain terms by first word, last added first, so each lookup finds its candidates. */
	for (i = 0; i < v->n; i++) {
		const struct vocab_term *t = &v->terms[i];
		uint64_t head = 0;

		EVP_DigestUpdate(md, t->label, strlen(t->label));
		EVP_DigestUpdate(md, "\t", 1);
		EVP_DigestUpdate(md, t->text, t->len);
		EVP_DigestUpdate(md, "\n", 1);
		first_word((const unsigned char *)t->text, (const unsigned char *)t->text + t->len, &key);
		if (strbuf_ok(&key)) {
			rc = -ENOMEM;
			goto out;
		}
		hmap_get(&v->first, key.buf, &head);
		v->next[i] = (size_t)head;
		rc = hmap_put(&v->first, key.buf, i + 1);
		if (rc)
			goto out;
	}
	EVP_DigestFinal_ex(md, digest, &dlen);
	for (i = 0; i < dlen && i < 32; i++)
		snprintf(v->fingerprint + 2 * i, 3, "%02x", digest[i]);
out:
	EVP_MD_CTX_free(md);
	strbuf_release(&key);
	return rc;
}

/*
 * Does term t match the text at p? Returns the end of the match, or NULL.
 * The caller has checked that p starts a word.
 */
static const unsigned char *match_term(const struct vocab_term *t, const unsigned char *start,
				       const unsigned char *p, const unsigned char *end)
{
	const unsigned char *tp = (const unsigned char *)t->text, *tend = tp + t->len;
	size_t n;

	(void)start;
	while (tp < tend) {
		if (*tp == ' ') {
			if (p >= end || !is_blank(*p))
				return NULL;
			while (p < end && is_blank(*p))
				p++;
		} else if (*tp == '\'') {
			if (p < end && *p == '\'')
				p++;
			else if (end - p >= 3 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0x98 || p[2] == 0x99))
				p += 3;
			else
				return NULL;
		} else {
			if (p >= end)
				return NULL;
			if (t->exact_case ? *p != *tp : ascii_lower(*p) != ascii_lower(*tp))
				return NULL;
			p++;
		}
		tp++;
	}
	/* Whole words: a term ending in a word character must not run on into one. */
	if (word_char_before((const unsigned char *)t->text, tend) && p < end && word_char_at(p, end, &n))
		return NULL;
	return p;
}

void excerpt_init(struct excerpt *e)
{
	memset(e, 0, sizeof(*e));
	strbuf_init(&e->passage);
}

void excerpt_release(struct excerpt *e)
{
	strlist_release(&e->names);
	strbuf_release(&e->passage);
	free(e->units);
	memset(e, 0, sizeof(*e));
	strbuf_init(&e->passage);
}

/* Cut the page into units (byte ranges): lines, long lines cut at blanks. */
static int cut_units(struct excerpt *e, const unsigned char *text, size_t len)
{
	size_t pos = 0;

	while (pos <= len) {
		size_t eol = pos;

		while (eol < len && text[eol] != '\n')
			eol++;
		while (pos <= eol) {
			size_t cut = eol, next = eol + 1;

			if (eol - pos > UNIT_MAX) {
				size_t k = pos + UNIT_MAX;

				while (k > pos && text[k] != ' ' && text[k] != '\t')
					k--;
				if (k > pos) {
					cut = k;
					next = k + 1;
				} else {
					/* No blank: cut on a character boundary. */
					k = pos + UNIT_MAX;
					while (k > pos && (text[k] & 0xC0) == 0x80)
						k--;
					cut = next = k > pos ? k : pos + UNIT_MAX;
				}
			}
			if (array_reserve(&e->units, e->nunits, &e->aunits, sizeof(*e->units), 64))
				return -ENOMEM;
			e->units[e->nunits].start = pos;
			e->units[e->nunits].end = cut;
			e->units[e->nunits].selected = 0;
			e->nunits++;
			pos = next;
			if (cut == eol)
				break;
		}
		if (eol == len)
			break;
	}
	return 0;
}

/* The unit holding byte `off` (units are in order and cover the page). */
static size_t unit_of(const struct excerpt *e, size_t off)
{
	size_t lo = 0, hi = e->nunits;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (e->units[mid].start <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static int blank_unit(const struct excerpt_unit *u, const unsigned char *text)
{
	for (size_t i = u->start; i < u->end; i++)
		if (!is_blank(text[i]))
			return 0;
	return 1;
}

/* Write each run of selected units, blank units at its edges left out, runs joined by "[...]". */
static void write_passage(struct excerpt *e, const unsigned char *text)
{
	size_t i = 0, groups = 0;

	while (i < e->nunits) {
		size_t a, b;

		if (!e->units[i].selected) {
			i++;
			continue;
		}
		for (a = i; i < e->nunits && e->units[i].selected; i++)
			;
		b = i;
		while (a < b && blank_unit(&e->units[a], text))
			a++;
		while (b > a && blank_unit(&e->units[b - 1], text))
			b--;
		if (a == b)
			continue;
		if (++groups > GROUPS_MAX)
			continue;
		if (groups > 1)
			strbuf_addstr(&e->passage, "[...]\n");
		for (; a < b; a++) {
			size_t s = e->units[a].start, end = e->units[a].end;

			while (end > s && is_blank(text[end - 1]))
				end--;
			strbuf_add(&e->passage, text + s, end - s);
			strbuf_addch(&e->passage, '\n');
		}
	}
	if (groups > GROUPS_MAX)
		strbuf_addf(&e->passage, "[... %zu more passage%s on this page]\n", groups - GROUPS_MAX,
			    groups - GROUPS_MAX == 1 ? "" : "s");
}

int excerpt_page(const struct vocab *v, const char *page, size_t len, struct excerpt *e)
{
	const unsigned char *text = (const unsigned char *)page, *end = text + len, *p = text;
	struct strbuf key = STRBUF_INIT;
	int rc = 0, found = 0;

	strlist_release(&e->names);
	strbuf_reset(&e->passage);
	e->nunits = 0;
	if (!v->n)
		return 0;
	rc = cut_units(e, text, len);
	while (!rc && p < end) {
		const unsigned char *w = p;
		uint64_t head = 0;
		size_t n;

		if (!word_char_at(p, end, &n) || word_char_before(text, p)) {
			p += n;
			continue;
		}
		first_word(w, end, &key);
		if (strbuf_ok(&key)) {
			rc = -ENOMEM;
			break;
		}
		if (hmap_get(&v->first, key.buf, &head)) {
			for (size_t i = (size_t)head; i; i = v->next[i - 1]) {
				const struct vocab_term *t = &v->terms[i - 1];
				const unsigned char *me = match_term(t, text, w, end);
				size_t u1, u2;

				if (!me)
					continue;
				found = 1;
				strlist_add(&e->names, t->label);
				u1 = unit_of(e, (size_t)(w - text));
				u2 = unit_of(e, (size_t)(me - text) - 1);
				for (size_t u = u1 ? u1 - 1 : 0; u <= u2 + 1 && u < e->nunits; u++)
					e->units[u].selected = 1;
			}
		}
		/* Go on after this word. */
		while (p < end && word_char_at(p, end, &n))
			p += n;
	}
	strbuf_release(&key);
	if (rc)
		return rc;
	if (!found)
		return 0;
	strlist_sort_uniq(&e->names);
	write_passage(e, text);
	if (e->names.oom || strbuf_ok(&e->passage))
		return -ENOMEM;
	return 1;
}

void excerpt_names_line(const struct excerpt *e, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < e->names.n; i++)
		strbuf_addf(out, "%s%s", i ? "; " : "", e->names.items[i]);
}

/* ---- with the store ----------------------------------------------------------- */

static int add_store_term(void *arg, int kind, const char *id, const char *term)
{
	return vocab_add(arg, kind, id, term);
}

int vocab_from_store(struct store *st, struct vocab *v)
{
	int rc;

	vocab_init(v);
	rc = store_each_term(st, add_store_term, v);
	if (!rc)
		rc = vocab_finish(v);
	if (rc)
		vocab_release(v);
	return rc;
}

struct refresh {
	struct store *st;
	const struct vocab *v;
	const char *source;
	struct excerpt e;
	struct strbuf names;
	long excerpts;
};

static int refresh_page(void *arg, long page, const char *text, size_t len)
{
	struct refresh *r = arg;
	size_t i;
	int rc = excerpt_page(r->v, text, len, &r->e);

	if (rc <= 0)
		return rc;
	strbuf_reset(&r->names);
	excerpt_names_line(&r->e, &r->names);
	rc = strbuf_ok(&r->names);
	if (!rc)
		rc = store_excerpt_put(r->st, r->source, page, r->names.buf, r->e.passage.buf);
	for (i = 0; !rc && i < r->e.names.n; i++) {
		const char *label = r->e.names.items[i];

		if (!strncmp(label, "agency ", 7))
			rc = store_mention_put(r->st, VOCAB_AGENCY, label + 7, r->source, page);
		else if (!strncmp(label, "field ", 6))
			rc = store_mention_put(r->st, VOCAB_FIELD, label + 6, r->source, page);
	}
	r->excerpts++;
	return rc;
}

int excerpts_refresh(struct store *st, long *nexcerpts)
{
	struct refresh r = { .st = st };
	struct strlist stale = STRLIST_INIT;
	struct vocab v;
	size_t i;
	int rc = vocab_from_store(st, &v);

	if (rc)
		return rc;
	r.v = &v;
	excerpt_init(&r.e);
	strbuf_init(&r.names);
	rc = store_documents_stale(st, v.fingerprint, &stale);
	for (i = 0; !rc && i < stale.n; i++) {
		r.source = stale.items[i];
		rc = store_excerpts_clear(st, r.source);
		if (!rc)
			rc = store_each_page(st, r.source, refresh_page, &r);
		if (!rc)
			rc = store_document_set_vocabulary(st, r.source, v.fingerprint);
	}
	if (nexcerpts)
		*nexcerpts += r.excerpts;
	excerpt_release(&r.e);
	strbuf_release(&r.names);
	strlist_release(&stale);
	vocab_release(&v);
	return rc;
}
