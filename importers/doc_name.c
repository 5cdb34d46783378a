// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Naming a document and making its source: the title, the id, the file
 * name the source keeps, and its sources row. What a document is called is
 * decided here and nowhere else; the kinds of sources are the store's
 * (store/records.c, the sources descriptor).
 */
#include "importers_i.h"

#include <string.h>

int import_is_source_kind(const char *k)
{
	const struct record_desc *d = store_record_desc(REC_SOURCES);
	const char *const *kinds = d->cols[store_record_column(d, "kind")].values;

	for (; k && *kinds; kinds++)
		if (!strcmp(k, *kinds))
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

void doc_title(const char *given, const struct doc_text *t, const char *name, struct strbuf *out)
{
	if (given) {
		clean_line(given, strlen(given), 500, out);
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

void doc_make_id(const char *title, const char *sha, struct strbuf *id)
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

void doc_file_name(const char *name, enum doc_format f, struct strbuf *out)
{
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;

	clean_line(base, strlen(base), 200, out);
	if (!strchr(out->buf, '.'))
		strbuf_addf(out, ".%s", f == DOC_PDF ? "pdf" : f == DOC_HTML ? "html" : "txt");
}

int doc_source_put(struct doc_call *c, const char *id, const char *title, const char *kind, const char *date,
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
	if (rc || import_is_source_kind(c->o->kind))
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
