// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The records importer: checks every cell of a records bundle against the
 * column descriptors of the store (store_record_desc()) and writes the rows
 * through the store, all in one transaction.
 *
 * Kinds are read in store order (sources first, participation last) across
 * all the bundles of one call, so a row may cite a source or name a field
 * from any bundle of the call, or one already in the inventory: by the time
 * a row is checked, everything it may reference has been written in the
 * open transaction. The only forward reference, an agency's parent, is
 * checked after its whole file.
 *
 * A bad row is not written, but its key is remembered, so that rows
 * referring to it do not add a second, misleading error.
 */
#include "importers_i.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/array.h"
#include "../util/hmap.h"

struct import_ctx {
	struct store *st;
	int (*name_taken)(int kind, const char *id);	/* import_options' */
	struct import_report *rep;
	struct hmap bad[REC_COUNT];	/* keys of rows that failed */
	struct hmap known[REC_COUNT];	/* ids seen to exist: one query per distinct id */
	struct hmap seen;		/* keys of the current file */
	struct hmap used;		/* "LABEL/NAME" of the members a source's file names */
	const struct bundle *bundle;
	struct strbuf file;		/* "label/flows.csv" */
};

static void add_error(struct import_ctx *c, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add_error(struct import_ctx *c, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	import_report_verror(c->rep, c->file.buf, line, col, fmt, ap);
	va_end(ap);
}

/*
 * Column (in characters) of list item `index` inside a cell that starts at
 * cell->col, or the cell's column when the cell spans lines.
 */
static unsigned item_col(const struct csv_cell *cell, size_t index)
{
	const char *p = cell->text, *end;
	unsigned col = cell->col;

	if (strchr(cell->text, '\n'))
		return cell->col;
	for (end = p; index && *end; end++)
		if (*end == ';')
			index--;
	while (*end == ' ' || *end == '\t')
		end++;
	for (; p < end; p++)
		if (((unsigned char)*p & 0xC0) != 0x80)
			col++;
	return col;
}

static int is_ctrl(unsigned char ch)
{
	return ch < 0x20 || ch == 0x7f;
}

/* An id: no control characters, no ';' or '/', no edge spaces, at most 200 bytes. */
static const char *id_problem(const char *s)
{
	size_t n = strlen(s);
	const unsigned char *p;

	if (n > 200)
		return "is longer than 200 bytes";
	if (s[0] == ' ' || (n && s[n - 1] == ' '))
		return "has leading or trailing spaces";
	for (p = (const unsigned char *)s; *p; p++) {
		if (is_ctrl(*p))
			return "has a control character";
		if (*p == ';' || *p == '/')
			return "has a ';' or '/'";
	}
	return NULL;
}

static int kind_has(struct import_ctx *c, enum record_kind kind, const char *id)
{
	const char *keys[1] = { id };

	if (hmap_get(&c->bad[kind], id, NULL) || hmap_get(&c->known[kind], id, NULL))
		return 1; /* known, or already reported where it was defined */
	if (store_has_record(c->st, kind, keys) <= 0)
		return 0;
	hmap_put(&c->known[kind], id, 1);
	return 1;
}

static int endpoint_known(struct import_ctx *c, const char *id)
{
	return kind_has(c, REC_AGENCIES, id) || kind_has(c, REC_PARTNERS, id);
}

static int page_ok(const char *p)
{
	size_t n = strlen(p);

	if (!n || n > 16)
		return 0;
	for (; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      *p == '-'))
			return 0;
	return 1;
}

static int enum_has(const char *const *values, const char *v)
{
	for (; *values; values++)
		if (!strcmp(*values, v))
			return 1;
	return 0;
}

static void enum_list(const char *const *values, struct strbuf *out)
{
	for (const char *const *v = values; *v; v++) {
		if (v != values)
			strbuf_addstr(out, ", ");
		strbuf_addstr(out, *v);
	}
}

/*
 * Check one list cell: items non-empty, no duplicates, each passing
 * `check` (which reports its own error). Returns the number of errors.
 */
static int check_list(struct import_ctx *c, const struct csv_cell *cell, const char *col, struct strlist *items,
		      int (*check)(struct import_ctx *, const struct csv_cell *, const char *, const char *, size_t))
{
	size_t i, j;
	int errs = 0;

	if (strlist_split(items, cell->text)) {
		add_error(c, cell->line, cell->col, "%s: empty item in a ';' list", col);
		return 1;
	}
	for (i = 0; i < items->n; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(items->items[i], items->items[j]))
				break;
		if (j < i) {
			add_error(c, cell->line, item_col(cell, i), "%s: duplicate item '%s'", col, items->items[i]);
			errs++;
		} else if (check) {
			errs += check(c, cell, col, items->items[i], i);
		}
	}
	return errs;
}

static int check_field_ref(struct import_ctx *c, const struct csv_cell *cell, const char *col, const char *item,
		                size_t index)
{
	if (kind_has(c, REC_FIELDS, item))
		return 0;
	add_error(c, cell->line, item_col(cell, index), "%s: unknown field '%s' (not in fields.csv)", col, item);
	return 1;
}

static int check_source_ref(struct import_ctx *c, const struct csv_cell *cell, const char *col, const char *item,
		                 size_t index)
{
	if (kind_has(c, REC_SOURCES, item))
		return 0;
	add_error(c, cell->line, item_col(cell, index), "%s: unknown source '%s' (not in sources.csv)", col, item);
	return 1;
}

static int check_page(struct import_ctx *c, const struct csv_cell *cell, const char *col, const char *item,
		           size_t index)
{
	if (!strcmp(item, "-") || page_ok(item))
		return 0;
	add_error(c, cell->line, item_col(cell, index), "%s: bad page '%s' (N, N-M or a short token)", col, item);
	return 1;
}

static int safe_path(const char *p)
{
	const char *s = p;

	if (!*p || *p == '/')
		return 0;
	while (*s) {
		size_t n = strcspn(s, "/");

		if (!n || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return 0;
		s += n;
		if (*s == '/')
			s++;
	}
	return 1;
}

/* Check one non-empty cell of column `col`. Returns the number of errors. */
static int check_cell(struct import_ctx *c, const struct record_column *col, const struct csv_cell *cell,
		      size_t nsources)
{
	const char *v = cell->text;
	struct strlist items = STRLIST_INIT;
	struct strbuf tmp = STRBUF_INIT;
	const char *why;
	int errs = 0;

	switch (col->type) {
	case COL_TEXT:
		for (const unsigned char *p = (const unsigned char *)v; *p; p++)
			if (is_ctrl(*p) && *p != '\n' && *p != '\t') {
				add_error(c, cell->line, cell->col, "%s: control character in text", col->name);
				errs++;
				break;
			}
		break;
	case COL_ID:
		why = id_problem(v);
		if (why) {
			add_error(c, cell->line, cell->col, "%s: id '%s' %s", col->name, v, why);
			errs++;
		}
		break;
	case COL_WORD:
		if (strlen(v) > 64 || strchr(v, ';') || strchr(v, '\n')) {
			add_error(c, cell->line, cell->col, "%s: '%s' must be one short word (no ';')", col->name, v);
			errs++;
		}
		break;
	case COL_DATE:
		if (store_date_valid(v)) {
			add_error(c, cell->line, cell->col, "%s: invalid date '%s' (YYYY, YYYY-MM or YYYY-MM-DD)",
				  col->name, v);
			errs++;
		}
		break;
	case COL_ENUM:
		if (!enum_has(col->values, v)) {
			enum_list(col->values, &tmp);
			add_error(c, cell->line, cell->col, "%s: '%s' is not one of: %s", col->name, v, tmp.buf);
			errs++;
		}
		break;
	case COL_INT: {
		char *end;
		long n = strtol(v, &end, 10);

		if (*end || end == v || n < col->min || n > col->max || v[0] == '+' || v[0] == ' ') {
			add_error(c, cell->line, cell->col, "%s: '%s' is not a whole number from %d to %d",
				  col->name, v, col->min, col->max);
			errs++;
		}
		break;
	}
	case COL_REF:
		if (!kind_has(c, (enum record_kind)col->ref, v)) {
			add_error(c, cell->line, cell->col, "%s: unknown %s '%s' (not in %s)", col->name,
				  col->ref == REC_TRANSACTIONS ? "transaction" : "agency", v,
				  store_record_desc((enum record_kind)col->ref)->file);
			errs++;
		}
		break;
	case COL_REFLIST:
		errs += check_list(c, cell, col->name, &items, check_field_ref);
		break;
	case COL_LIST:
		errs += check_list(c, cell, col->name, &items, NULL);
		break;
	case COL_STATE:
		if (!store_jurisdiction_name(v)) {
			add_error(c, cell->line, cell->col, "%s: unknown jurisdiction code '%s'", col->name, v);
			errs++;
		}
		break;
	case COL_FUNCTION:
		if (strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(v)) {
			add_error(c, cell->line, cell->col, "%s: '%s' must be lower-case letters, digits and '-'",
				  col->name, v);
			errs++;
		}
		break;
	case COL_FROM: {
		const char *slash = strchr(v, '/');

		if (slash) {
			struct strbuf st = STRBUF_INIT;

			strbuf_add(&st, v, (size_t)(slash - v));
			if (strcmp(st.buf, "*") && !store_jurisdiction_name(st.buf)) {
				add_error(c, cell->line, cell->col, "%s: unknown jurisdiction code '%s' in '%s'",
					  col->name, st.buf, v);
				errs++;
			} else if (!kind_has(c, REC_SYSTEMS, slash + 1)) {
				add_error(c, cell->line, cell->col + (unsigned)(slash - v) + 1,
					  "%s: unknown system '%s' (not in systems.csv)", col->name, slash + 1);
				errs++;
			}
			strbuf_release(&st);
		} else if (!endpoint_known(c, v)) {
			add_error(c, cell->line, cell->col,
				  "%s: '%s' is neither XX/SYSTEM nor a known agency or partner id", col->name, v);
			errs++;
		}
		break;
	}
	case COL_TO:
		if (strcmp(v, "*") && !endpoint_known(c, v)) {
			add_error(c, cell->line, cell->col, "%s: unknown agency or partner '%s'", col->name, v);
			errs++;
		}
		break;
	case COL_SOURCES:
		errs += check_list(c, cell, col->name, &items, check_source_ref);
		break;
	case COL_PAGES:
		/* Aligned with the sources, so the same page may repeat ("-;3;-"). */
		if (strlist_split(&items, v)) {
			add_error(c, cell->line, cell->col, "%s: empty item in a ';' list", col->name);
			errs++;
		}
		if (!errs) {
			size_t i;

			for (i = 0; i < items.n; i++)
				errs += check_page(c, cell, col->name, items.items[i], i);
			if (!errs && items.n != nsources) {
				add_error(c, cell->line, cell->col,
					  "%s: %zu page(s) for %zu source(s): give one page per source ('-' for none)",
					  col->name, items.n, nsources);
				errs++;
			}
		}
		break;
	case COL_PATH:
		if (!safe_path(v)) {
			add_error(c, cell->line, cell->col, "%s: '%s' must be a relative path without '..'",
				  col->name, v);
			errs++;
		} else if (!bundle_find(c->bundle, v)) {
			add_error(c, cell->line, cell->col, "%s: no file '%s' in the bundle", col->name, v);
			errs++;
		} else {
			strbuf_reset(&tmp);
			strbuf_addf(&tmp, "%s/%s", c->bundle->label, v);
			if (strbuf_ok(&tmp) || hmap_put(&c->used, tmp.buf, 1))
				errs++; /* out of memory: the row is not written, and the call fails */
		}
		break;
	}
	strlist_release(&items);
	strbuf_release(&tmp);
	return errs;
}

/* A date as the first day of its period ("2019" -> "2019-01-01"), so dates compare as strings. */
static void date_start(const char *v, char out[11])
{
	snprintf(out, 11, "%s%s", v, strlen(v) == 4 ? "-01-01" : strlen(v) == 7 ? "-01" : "");
}

/*
 * The rules between cells of one row (docs/format.md, "Rules between
 * columns"), checked once every cell is valid on its own. Returns the
 * number of errors, each at the cell that breaks the rule.
 */
static int check_row_rules(struct import_ctx *c, const struct record_desc *d, const struct csv_row *row,
			   const int *colmap, const char *const *values)
{
	int a, b;

	switch (d->kind) {
	case REC_FLOWS: {
		char since[11], until[11];

		a = store_record_column(d, "since");
		b = store_record_column(d, "until");
		if (!*values[a] || !*values[b])
			return 0;
		date_start(values[a], since);
		date_start(values[b], until);
		if (strcmp(until, since) >= 0)
			return 0;
		add_error(c, row->line, row->cells[colmap[b]].col, "until: %s is before since %s", values[b], values[a]);
		return 1;
	}
	case REC_AGENCIES:
		a = store_record_column(d, "parent");
		if (!*values[a] || strcmp(values[a], values[0]))
			return 0;
		add_error(c, row->line, row->cells[colmap[a]].col, "parent: agency '%s' cannot be its own parent",
			  values[0]);
		return 1;
	case REC_TRANSACTIONS:
		a = store_record_column(d, "scope");
		b = store_record_column(d, "max_states");
		if (strcmp(values[a], "single-state") || !*values[b] || !strcmp(values[b], "1"))
			return 0;
		add_error(c, row->line, row->cells[colmap[b]].col,
			  "max_states: %s states for a single-state transaction (give 1, or another scope)", values[b]);
		return 1;
	default:
		return 0;
	}
}

struct pending_parent {
	char *parent;
	unsigned line, col;
};

/* Import one CSV file of one bundle. Returns 0, or a negative errno (system failure). */
static int import_file(struct import_ctx *c, const struct record_desc *d, const struct bundle_member *m)
{
	struct csv_reader r;
	struct csv_row header = { 0 }, row = { 0 };
	struct strbuf msg = STRBUF_INIT, key = STRBUF_INIT;
	int *colmap = NULL;	/* descriptor column -> CSV cell index, or -1 */
	struct pending_parent *pend = NULL;
	size_t npend = 0, apend = 0, i;
	unsigned eline, ecol;
	int rc = 0, n, nerr_header = 0, k;
	long rows = 0;

	csv_init(&r, (const char *)m->data, m->len);
	n = csv_next(&r, &header, &msg, &eline, &ecol);
	if (n <= 0) {
		if (n < 0)
			add_error(c, eline, ecol, "%s", msg.buf);
		else
			add_error(c, 1, 1, "empty file: a header row is required");
		goto out;
	}
	colmap = malloc((size_t)d->ncols * sizeof(*colmap));
	if (!colmap) {
		rc = -ENOMEM;
		goto out;
	}
	for (k = 0; k < d->ncols; k++)
		colmap[k] = -1;
	for (i = 0; i < header.n; i++) {
		int col = store_record_column(d, header.cells[i].text);

		if (col < 0) {
			struct strbuf names = STRBUF_INIT;

			for (k = 0; k < d->ncols; k++)
				strbuf_addf(&names, "%s%s", k ? ", " : "", d->cols[k].name);
			add_error(c, header.cells[i].line, header.cells[i].col,
				  "unknown column '%s' (%s takes: %s)", header.cells[i].text, d->file, names.buf);
			strbuf_release(&names);
			nerr_header++;
		} else if (colmap[col] >= 0) {
			add_error(c, header.cells[i].line, header.cells[i].col, "duplicate column '%s'",
				  header.cells[i].text);
			nerr_header++;
		} else {
			colmap[col] = (int)i;
		}
	}
	for (k = 0; k < d->ncols; k++)
		if ((d->cols[k].flags & COLF_REQUIRED) && colmap[k] < 0) {
			add_error(c, 1, 1, "missing required column '%s'", d->cols[k].name);
			nerr_header++;
		}
	if (nerr_header)
		goto out;

	while ((n = csv_next(&r, &row, &msg, &eline, &ecol)) > 0) {
		const char **values = NULL;
		int errs = 0, src_col = store_record_column(d, "source");
		size_t nsources = 0;

		rows++;
		if (row.n != header.n) {
			add_error(c, row.line, 1, "row has %zu cells, the header has %zu", row.n, header.n);
			continue;
		}
		values = calloc((size_t)d->ncols, sizeof(*values));
		if (!values) {
			rc = -ENOMEM;
			goto out;
		}
		for (k = 0; k < d->ncols; k++)
			values[k] = colmap[k] >= 0 ? row.cells[colmap[k]].text : "";
		if (src_col >= 0) {
			struct strlist sl = STRLIST_INIT;

			if (!strlist_split(&sl, values[src_col]))
				nsources = sl.n;
			strlist_release(&sl);
		}
		for (k = 0; k < d->ncols; k++) {
			const struct csv_cell *cell = colmap[k] >= 0 ? &row.cells[colmap[k]] : NULL;

			if (!cell || !cell->len) {
				if (d->cols[k].flags & COLF_REQUIRED) {
					add_error(c, row.line, cell ? cell->col : 1, "%s: a value is required",
						  d->cols[k].name);
					errs++;
				}
				continue;
			}
			if (d->cols[k].type == COL_REF && d->cols[k].ref == (int)d->kind) {
				/* Parent agencies may come later in the same file: checked after it. */
				const char *why = id_problem(cell->text);
				if (why) {
					add_error(c, cell->line, cell->col, "%s: id '%s' %s", d->cols[k].name,
						  cell->text, why);
					errs++;
					continue;
				}
				if (array_reserve(&pend, npend, &apend, sizeof(*pend), 16) ||
				    !(pend[npend].parent = strdup(cell->text))) {
					free(values);
					rc = -ENOMEM;
					goto out;
				}
				pend[npend].line = cell->line;
				pend[npend].col = cell->col;
				npend++;
				continue;
			}
			errs += check_cell(c, &d->cols[k], cell, nsources);
		}
		if (!errs)
			errs += check_row_rules(c, d, &row, colmap, values);
		if (c->name_taken && c->name_taken(d->kind, values[0])) {
			add_error(c, row.line, colmap[0] >= 0 ? row.cells[colmap[0]].col : 1,
				  "id: '%s' is a name the tree already shows where its folder would go", values[0]);
			errs++;
		}
		strbuf_reset(&key);
		for (k = 0; k < d->nkeys; k++)
			strbuf_addf(&key, "%s%s", k ? "/" : "", values[k]);
		if (hmap_get(&c->seen, key.buf, NULL)) {
			add_error(c, row.line, colmap[0] >= 0 ? row.cells[colmap[0]].col : 1,
				  "duplicate %s '%s' in this file", d->nkeys > 1 ? "key" : "id", key.buf);
			errs++;
		} else if (hmap_put(&c->seen, key.buf, 1)) {
			free(values);
			rc = -ENOMEM;
			goto out;
		}
		if (errs) {
			hmap_put(&c->bad[d->kind], key.buf, 1);
		} else {
			/*
			 * Written even when the call has already failed, so later
			 * rows can refer to it; the transaction is rolled back.
			 */
			struct store_document doc = { NULL, 0, NULL };
			char hex[65];
			int file_col = store_record_column(d, "file");

			if (d->kind == REC_SOURCES && *values[file_col]) {
				const struct bundle_member *dm = bundle_find(c->bundle, values[file_col]);

				doc.data = dm->data;
				doc.len = dm->len;
				import_sha256_hex(dm->data, dm->len, hex);
				doc.sha256_hex = hex;
				c->rep->documents++;
			}
			rc = store_put_record(c->st, d->kind, values, doc.data ? &doc : NULL);
			if (!rc && doc.data)
				rc = document_index(c->st, values[0], values[store_record_column(d, "kind")],
						    values[file_col], doc.data, doc.len, c->rep);
			if (rc) {
				free(values);
				goto out;
			}
		}
		free(values);
	}
	if (n < 0)
		add_error(c, eline, ecol, "%s", msg.buf);
	for (i = 0; i < npend; i++) {
		if (kind_has(c, d->kind, pend[i].parent))
			continue;
		add_error(c, pend[i].line, pend[i].col, "parent: unknown agency '%s' (not in %s)",
			  pend[i].parent, d->file);
	}
	c->rep->rows[d->kind] += rows;
	if (c->rep->progress)
		c->rep->progress(c->rep->progress_arg, c->file.buf, rows);
out:
	for (i = 0; i < npend; i++)
		free(pend[i].parent);
	free(pend);
	free(colmap);
	csv_row_release(&header);
	csv_row_release(&row);
	strbuf_release(&msg);
	strbuf_release(&key);
	return rc;
}

static int known_file(const char *name)
{
	int k;

	for (k = 0; k < REC_COUNT; k++)
		if (!strcmp(store_record_desc((enum record_kind)k)->file, name))
			return 1;
	return 0;
}

/* A bundle's own documentation at its top (README, LICENSE, ...): not imported, and expected so. */
static int bundle_documentation(const char *name)
{
	static const char *const names[] = { "README", "LICENSE", "LICENCE", "COPYING", "NOTICE", "AUTHORS", NULL };

	for (int i = 0; !strchr(name, '/') && names[i]; i++)
		if (!strncasecmp(name, names[i], strlen(names[i])))
			return 1;
	return 0;
}

int import_is_records_bundle(const char *path)
{
	struct strbuf err = STRBUF_INIT;
	struct bundle b;
	int found = 0;

	/* A folder or archive with a record file at its top (or under its one top folder). */
	if (bundle_read_names(path, &b, &err) == 0)
		for (size_t i = 0; i < b.n && !found; i++)
			found = known_file(b.members[i].name);
	bundle_release(&b);
	strbuf_release(&err);
	return found;
}

/* The records part of a call, of bundles already read (bundle_read(), or a fuzzer's), in the caller's transaction. */
static int import_bundles_txn(struct store *st, const struct bundle *bundles, size_t nbundles,
			      int (*name_taken)(int kind, const char *id), struct import_report *rep,
			      struct strbuf *err)
{
	struct import_ctx c = { 0 };
	size_t i, j, ncsv = 0;
	int rc = 0, k;

	c.st = st;
	c.rep = rep;
	c.name_taken = name_taken;
	strbuf_init(&c.file);
	/* A CSV at the top of a bundle must be one of the record files, and each bundle holds one. */
	for (i = 0; i < nbundles; i++) {
		size_t known = 0, errors = rep->nerrors;

		for (j = 0; j < bundles[i].n; j++) {
			const char *name = bundles[i].members[j].name;
			size_t len = strlen(name);

			if (strchr(name, '/') || len < 4 || strcmp(name + len - 4, ".csv"))
				continue;
			strbuf_reset(&c.file);
			strbuf_addf(&c.file, "%s/%s", bundles[i].label, name);
			if (known_file(name))
				known++;
			else
				add_error(&c, 1, 1, "unknown file (a records bundle holds sources.csv, agencies.csv, "
					  "partners.csv, systems.csv, fields.csv, transactions.csv, flows.csv, "
					  "laws.csv, participation.csv)");
		}
		if (!known && rep->nerrors == errors)
			import_report_error(rep, bundles[i].label, 0, 0,
					    "no records files (sources.csv, flows.csv, ...) in this bundle");
		ncsv += known;
	}
	if (!ncsv) {
		assert(rep->nerrors || !nbundles);
		rc = 1;
		goto out;
	}
	/* A first import fills empty tables: their indexes are built once, at the end. */
	rc = store_bulk_begin(st);
	if (rc)
		strbuf_addf(err, "cannot write the inventory: %s", store_errmsg(st));
	for (k = 0; k < REC_COUNT && !rc; k++) {
		const struct record_desc *d = store_record_desc((enum record_kind)k);

		for (i = 0; i < nbundles && !rc; i++) {
			const struct bundle_member *m = bundle_find(&bundles[i], d->file);

			if (!m)
				continue;
			c.bundle = &bundles[i];
			strbuf_reset(&c.file);
			strbuf_addf(&c.file, "%s/%s", bundles[i].label, d->file);
			hmap_release(&c.seen);
			rc = import_file(&c, d, m);
			if (rc)
				strbuf_addf(err, "%s: %s", c.file.buf,
					    rc == -EIO || rc == -ENOSPC ? store_errmsg(st) : strerror(-rc));
		}
	}
	/* A member that is neither a records file nor a source's file is not imported: said, not passed over. */
	for (i = 0; !rc && !rep->nerrors && i < nbundles; i++)
		for (j = 0; j < bundles[i].n; j++) {
			const char *name = bundles[i].members[j].name;

			strbuf_reset(&c.file);
			strbuf_addf(&c.file, "%s/%s", bundles[i].label, name);
			if ((strchr(name, '/') || !known_file(name)) && !hmap_get(&c.used, c.file.buf, NULL) &&
			    !bundle_documentation(name))
				import_report_warning(rep, c.file.buf, "neither a records file nor a source's file: "
						      "not imported");
		}
	if (!rc && !rep->nerrors) { /* a call with errors is rolled back: no index to build */
		rc = store_bulk_end(st);
		if (rc)
			strbuf_addf(err, "cannot write the inventory: %s", store_errmsg(st));
	}
	if (!rc && rep->nerrors)
		rc = 1;
out:
	for (k = 0; k < REC_COUNT; k++) {
		hmap_release(&c.bad[k]);
		hmap_release(&c.known[k]);
	}
	hmap_release(&c.seen);
	hmap_release(&c.used);
	strbuf_release(&c.file);
	return rc;
}

int import_records_txn(struct store *st, const char *const *paths, size_t npaths,
		       int (*name_taken)(int kind, const char *id), struct import_report *rep, struct strbuf *err)
{
	struct bundle *bundles;
	size_t i;
	int rc = 0;

	bundles = calloc(npaths ? npaths : 1, sizeof(*bundles));
	if (!bundles)
		return -ENOMEM;
	/* Every bundle's refusals are told (1); a failure of the system (< 0) stops. */
	for (i = 0; i < npaths && rc >= 0; i++) {
		int r = bundle_read(paths[i], &bundles[i], rep, err);

		rc = r < 0 ? r : rc | r;
	}
	if (!rc)
		rc = import_bundles_txn(st, bundles, npaths, name_taken, rep, err);
	for (i = 0; i < npaths; i++)
		bundle_release(&bundles[i]);
	free(bundles);
	return rc;
}

int import_bundles(struct store *st, const struct bundle *bundles, size_t nbundles, unsigned flags,
		   struct import_report *rep, struct strbuf *err)
{
	int rc = store_begin(st);

	if (rc) {
		strbuf_addf(err, "cannot write the inventory: %s", store_errmsg(st));
		return rc;
	}
	rc = import_bundles_txn(st, bundles, nbundles, NULL, rep, err); /* a fuzzer's: no tree */
	if (rc || (flags & IMPORT_DRY_RUN)) {
		store_rollback(st);
	} else {
		rc = store_commit(st);
		if (rc)
			strbuf_addf(err, "cannot commit the import: %s", store_errmsg(st));
	}
	return rc;
}
