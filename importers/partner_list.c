// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Partner lists: the pages on which Nlets names its strategic and hosting
 * partners, saved as HTML or typed up as CSV. Parsing needs no store (the
 * fuzz harness calls it on raw bytes); partner_list_import() then makes
 * each entry a partner citing the list, and records the list as one dated
 * observation: a partner missing from a later observation of the same list
 * stops being listed on that date (store/queries.c, REL_PARTNER_LISTED).
 */
#include "html_i.h"

#include "../util/array.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_BYTES 200

void partner_entries_release(struct partner_entries *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->v[i].name);
		free(e->v[i].description);
		free(e->v[i].kind);
		free(e->v[i].category);
	}
	free(e->v);
	memset(e, 0, sizeof(*e));
}

/* Add an entry unless its name is empty or already there. */
static int add_entry(struct partner_entries *e, const char *name, const char *description, const char *kind,
		     const char *category)
{
	struct partner_entry *pe;

	if (!*name)
		return 0;
	for (size_t i = 0; i < e->n; i++)
		if (!strcmp(e->v[i].name, name))
			return 0;
	if (array_reserve(&e->v, e->n, &e->alloc, sizeof(*e->v), 32))
		return -ENOMEM;
	pe = &e->v[e->n];
	pe->name = strdup(name);
	pe->description = strdup(description ? description : "");
	pe->kind = strdup(kind ? kind : "");
	pe->category = strdup(category ? category : "");
	e->n++;
	if (!pe->name || !pe->description || !pe->kind || !pe->category)
		return -ENOMEM;
	return 0;
}

/* ---- HTML ------------------------------------------------------------------------- */

static const char *const skipped[] = { "nav", "header", "footer", "script", "style", "head", NULL };

static int skipped_element(xmlNodePtr n)
{
	for (int i = 0; skipped[i]; i++)
		if (html_is(n, skipped[i]))
			return 1;
	return 0;
}

static int cell(xmlNodePtr n)
{
	return html_is(n, "td") || html_is(n, "th");
}

/* A table row: name, description and an optional kind, from its first cells. */
static int table_row(struct partner_entries *e, xmlNodePtr tr)
{
	struct strbuf text[3] = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
	int ncells = 0, ntd = 0, rc = 0;

	for (xmlNodePtr c = tr->children; c; c = c->next) {
		if (!cell(c))
			continue;
		ntd += html_is(c, "td");
		if (ncells < 3)
			html_node_text(c, &text[ncells]);
		ncells++;
	}
	/* Header rows (all th) and one-cell rows are not entries. */
	if (ncells >= 2 && ntd) {
		const char *kind = ncells >= 3 && (!strcmp(text[2].buf, "strategic") || !strcmp(text[2].buf, "hosting"))
					   ? text[2].buf : "";

		rc = add_entry(e, text[0].buf, text[1].buf, kind, NULL);
	}
	for (int i = 0; i < 3; i++)
		strbuf_release(&text[i]);
	return rc;
}

/* The separators between a name and its description inside one list item. */
static const char *const separators[] = { " - ", " \xe2\x80\x93 ", " \xe2\x80\x94 ", ": ", NULL };

static int list_item(struct partner_entries *e, xmlNodePtr li)
{
	struct strbuf name = STRBUF_INIT, all = STRBUF_INIT;
	xmlNodePtr first = li->children;
	int rc = 0;

	while (first && first->type == XML_TEXT_NODE && first->content &&
	       strspn((const char *)first->content, " \t\r\n") == strlen((const char *)first->content))
		first = first->next;
	html_node_text(li, &all);
	if (first && (html_is(first, "strong") || html_is(first, "b") || html_is(first, "a") ||
		      html_is(first, "h2") || html_is(first, "h3") || html_is(first, "h4") || html_is(first, "h5") ||
		      html_is(first, "h6") || html_is(first, "span")))
		html_node_text(first, &name);
	if (name.len && !strncmp(all.buf, name.buf, name.len)) {
		const char *d = all.buf + name.len;

		/* Drop the separator after the name: "Name - description", "Name: description". */
		d += strspn(d, " ");
		for (int i = 0; separators[i]; i++) {
			const char *sep = separators[i] + (separators[i][0] == ' ');

			if (!strncmp(d, sep, strlen(sep))) {
				d += strlen(sep);
				break;
			}
		}
		d += strspn(d, " ");
		if (*d)
			rc = add_entry(e, name.buf, d, NULL, NULL);
	} else {
		for (int i = 0; separators[i]; i++) {
			const char *sep = strstr(all.buf, separators[i]);

			if (sep && sep > all.buf) {
				strbuf_reset(&name);
				strbuf_add(&name, all.buf, (size_t)(sep - all.buf));
				rc = add_entry(e, name.buf, sep + strlen(separators[i]), NULL, NULL);
				break;
			}
		}
	}
	strbuf_release(&name);
	strbuf_release(&all);
	return rc;
}

static int definition_list(struct partner_entries *e, xmlNodePtr dl)
{
	struct strbuf name = STRBUF_INIT, desc = STRBUF_INIT;
	int rc = 0, have = 0;

	for (xmlNodePtr c = dl->children; c && !rc; c = c->next) {
		if (html_is(c, "dt")) {
			if (have)
				rc = add_entry(e, name.buf, desc.buf, NULL, NULL);
			strbuf_reset(&name);
			strbuf_reset(&desc);
			html_node_text(c, &name);
			have = 1;
		} else if (html_is(c, "dd") && have) {
			if (desc.len)
				strbuf_addch(&desc, ' ');
			html_node_text(c, &desc);
		}
	}
	if (!rc && have)
		rc = add_entry(e, name.buf, desc.buf, NULL, NULL);
	strbuf_release(&name);
	strbuf_release(&desc);
	return rc;
}

static int walk_entries(struct partner_entries *e, xmlNodePtr node)
{
	int rc = 0;

	for (xmlNodePtr c = node; c && !rc; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || skipped_element(c))
			continue;
		if (html_is(c, "tr"))
			rc = table_row(e, c);
		else if (html_is(c, "li"))
			rc = list_item(e, c);
		else if (html_is(c, "dl"))
			rc = definition_list(e, c);
		else
			rc = walk_entries(e, c->children);
	}
	return rc;
}

/* Does the page's title or first heading call it a list of hosting partners? */
static int hosting_page(xmlNodePtr root)
{
	static const char *const tags[] = { "title", "h1", NULL };
	int hosting = 0;

	for (int i = 0; tags[i] && !hosting; i++) {
		xmlNodePtr stack[64];
		int sp = 0;

		stack[sp++] = root;
		while (sp && !hosting) {
			xmlNodePtr n = stack[--sp];

			for (; n; n = n->next) {
				if (html_is(n, tags[i])) {
					struct strbuf t = STRBUF_INIT;

					html_node_text(n, &t);
					for (char *p = t.buf; *p; p++)
						*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
					hosting = strstr(t.buf, "hosting") != NULL;
					strbuf_release(&t);
					break;
				}
				if (n->type == XML_ELEMENT_NODE && n->children && sp < 64)
					stack[sp++] = n->children;
			}
		}
	}
	return hosting;
}

int partner_list_parse_html(const char *data, size_t len, struct partner_entries *out, struct strbuf *err)
{
	htmlDocPtr doc = NULL;
	int rc = html_read(data, len, &doc, err);

	if (rc)
		return rc;
	out->hosting = hosting_page(xmlDocGetRootElement(doc));
	rc = walk_entries(out, xmlDocGetRootElement(doc));
	xmlFreeDoc(doc);
	if (!rc && !out->n) {
		strbuf_addstr(err, "no partner entries found (table rows of name and description, <dt>/<dd> pairs, "
				   "or list items with a name and a description)");
		rc = -EINVAL;
	}
	return rc;
}

/* ---- CSV ---------------------------------------------------------------------------- */

/* A CSV entry's name that is not one: a control character (a name is one line), or a name given twice. */
static int csv_entry_problem(const struct partner_entries *e, const char *name, struct strbuf *err)
{
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			strbuf_addf(err, "name: '%s' has a control character", name);
			return 1;
		}
	for (size_t i = 0; i < e->n; i++)
		if (!strcmp(e->v[i].name, name)) {
			strbuf_addf(err, "name: '%s' is listed twice", name);
			return 1;
		}
	return 0;
}

int partner_list_parse_csv(const char *data, size_t len, struct partner_entries *out, struct strbuf *err,
			   unsigned *line, unsigned *col)
{
	static const char *const columns[] = { "name", "description", "kind", "category", NULL };
	int colmap[4] = { -1, -1, -1, -1 };
	struct csv_reader r;
	struct csv_row header = { 0 }, row = { 0 };
	int n, rc = 0;

	*line = *col = 0;
	csv_init(&r, data, len);
	n = csv_next(&r, &header, err, line, col);
	if (n <= 0) {
		if (!n) {
			strbuf_addstr(err, "empty file: a header row (name,description) is required");
			*line = *col = 1;
		}
		rc = -EINVAL;
		goto out;
	}
	for (size_t i = 0; i < header.n; i++) {
		int k;

		for (k = 0; columns[k] && strcmp(columns[k], header.cells[i].text); k++)
			;
		if (!columns[k] || colmap[k] >= 0) {
			strbuf_addf(err, "%s column '%s' (a partner list takes: name, description, kind, category)",
				    columns[k] ? "duplicate" : "unknown", header.cells[i].text);
			*line = header.cells[i].line;
			*col = header.cells[i].col;
			rc = -EINVAL;
			goto out;
		}
		colmap[k] = (int)i;
	}
	if (colmap[0] < 0) {
		strbuf_addstr(err, "missing required column 'name'");
		*line = *col = 1;
		rc = -EINVAL;
		goto out;
	}
	while ((n = csv_next(&r, &row, err, line, col)) > 0) {
		const char *v[4];

		if (row.n != header.n) {
			strbuf_addf(err, "row has %zu cells, the header has %zu", row.n, header.n);
			*line = row.line;
			*col = 1;
			rc = -EINVAL;
			goto out;
		}
		for (int k = 0; k < 4; k++)
			v[k] = colmap[k] >= 0 ? row.cells[colmap[k]].text : "";
		if (*v[2] && strcmp(v[2], "strategic") && strcmp(v[2], "hosting")) {
			strbuf_addf(err, "kind: '%s' is not one of: strategic, hosting", v[2]);
			*line = row.cells[colmap[2]].line;
			*col = row.cells[colmap[2]].col;
			rc = -EINVAL;
			goto out;
		}
		/* add_entry() passes over nameless and repeated entries (HTML has such): in a CSV file they are errors. */
		if (!*v[0] || csv_entry_problem(out, v[0], err)) {
			if (!*v[0])
				strbuf_addstr(err, "name: a value is required");
			*line = row.cells[colmap[0]].line;
			*col = row.cells[colmap[0]].col;
			rc = -EINVAL;
			goto out;
		}
		rc = add_entry(out, v[0], v[1], v[2], v[3]);
		if (rc)
			goto out;
	}
	if (n < 0)
		rc = -EINVAL;
	else if (!out->n) {
		strbuf_addstr(err, "no partner entries (rows after the header)");
		*line = *col = 1;
		rc = -EINVAL;
	}
out:
	csv_row_release(&header);
	csv_row_release(&row);
	return rc;
}

/* ---- into the store ----------------------------------------------------------------- */

/* An id from a name: no control characters, ';' or '/', trimmed, at most 200 bytes. */
static void partner_id(const char *name, struct strbuf *id)
{
	const unsigned char *p = (const unsigned char *)name;

	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			continue;
		strbuf_addch(id, *p == ';' || *p == '/' ? '-' : *p);
	}
	while (id->len && id->buf[id->len - 1] == ' ')
		id->buf[--id->len] = '\0';
	if (id->len > NAME_MAX_BYTES) {
		size_t n = NAME_MAX_BYTES;

		while (n && ((unsigned char)id->buf[n] & 0xC0) == 0x80)
			n--;
		id->len = n;
		id->buf[n] = '\0';
	}
}

int partner_list_import(struct store *st, const char *source_id, const char *as_of,
			const struct partner_entries *e, struct import_report *rep)
{
	const struct record_desc *d = store_record_desc(REC_PARTNERS);
	struct strbuf id = STRBUF_INIT;
	int rc = store_partner_list_put(st, source_id, as_of, (long)e->n);

	for (size_t i = 0; !rc && i < e->n; i++) {
		const struct partner_entry *pe = &e->v[i];
		const char *values[8] = { 0 };
		struct record old = { NULL, 0 };
		const char *keys[1];
		int existed;

		strbuf_reset(&id);
		rc = store_partner_match(st, pe->name, &id);
		if (rc == -ENOENT) {
			strbuf_reset(&id);
			partner_id(pe->name, &id);
			rc = strbuf_ok(&id);
		}
		if (rc)
			break;
		if (!id.len)
			continue;
		keys[0] = id.buf;
		rc = store_get_by_id(st, REC_PARTNERS, keys, &old);
		existed = rc == 0;
		if (rc && rc != -ENOENT)
			break;
		/* An existing partner keeps its name, kind and category; the list gives the description. */
		for (int c = 0; existed && c < d->ncols && c < old.n; c++)
			values[c] = old.v[c];
		values[store_record_column(d, "id")] = id.buf;
		if (!existed) {
			values[store_record_column(d, "name")] = pe->name;
			values[store_record_column(d, "kind")] = *pe->kind ? pe->kind
							       : e->hosting ? "hosting" : "strategic";
			values[store_record_column(d, "category")] = pe->category;
		}
		if (*pe->description)
			values[store_record_column(d, "description")] = pe->description;
		values[store_record_column(d, "source")] = source_id;
		values[store_record_column(d, "page")] = "";
		rc = store_put_record(st, REC_PARTNERS, values, NULL);
		if (!rc)
			rc = store_partner_listing_put(st, source_id, id.buf, pe->name, pe->description);
		if (!rc) {
			if (existed)
				rep->partners_updated++;
			else
				rep->partners_added++;
		}
		record_release(&old);
	}
	if (!rc)
		rep->lists++;
	strbuf_release(&id);
	return rc;
}
