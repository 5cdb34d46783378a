// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Views: what each file of the tree shows. A view asks the store and
 * formats; it never holds SQL. Generic views serve the many one-value and
 * list files of records (the route names the kind and the column); the
 * rest are the relation files of SPEC section 2.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "../importers/importers.h"
#include "../util/utf8.h"
#include "tree.h"
#include "views.h"

/* ---- records ------------------------------------------------------------ */

static int kind_is_dated_relation(int kind)
{
	return kind == REC_LAWS || kind == REC_PARTICIPATION;
}

/* The record a path names: its slug is the last :param; laws and participation are per state. */
static int fetch_record(const struct view_ctx *ctx, int kind, const struct record **rec)
{
	const char *state = kind_is_dated_relation(kind) ? ctx->args[0] : NULL;
	const char *date = kind_is_dated_relation(kind) ? ctx->date : ctx->entity_date;
	int slug_arg = kind_is_dated_relation(kind) ? 1 : 0;

	if (slug_arg >= ctx->nargs)
		return -ENOENT;
	return store_peek_by_slug(ctx->st, (enum record_kind)kind, state, ctx->args[slug_arg], date, rec);
}

int view_record_exists(const struct view_ctx *ctx)
{
	const struct record *rec;

	return fetch_record(ctx, ctx->route->kind, &rec);
}

const char *record_value(const struct record *rec, int kind, const char *column)
{
	int col = store_record_column(store_record_desc((enum record_kind)kind), column);

	return col >= 0 && col < rec->n ? rec->v[col] : "";
}

int list_record_slugs(const struct view_ctx *ctx, struct strlist *names)
{
	int kind = ctx->route->kind;
	const char *state = kind_is_dated_relation(kind) ? ctx->args[0] : NULL;
	const char *date = kind_is_dated_relation(kind) ? ctx->date : ctx->entity_date;

	return store_list_slugs(ctx->st, (enum record_kind)kind, state, date, names);
}

int view_record_scalar(const struct view_ctx *ctx, struct strbuf *out)
{
	const struct record *rec;
	int rc = fetch_record(ctx, ctx->route->kind, &rec);

	if (rc)
		return rc;
	const char *v = record_value(rec, ctx->route->kind, ctx->route->column);

	if (*v)
		strbuf_addline(out, v);
	return strbuf_ok(out);
}

int view_record_scalar_exists(const struct view_ctx *ctx)
{
	const struct record *rec;
	int rc = fetch_record(ctx, ctx->route->kind, &rec);

	if (rc)
		return rc;
	rc = *record_value(rec, ctx->route->kind, ctx->route->column) ? 0 : -ENOENT;
	return rc;
}

int view_record_list(const struct view_ctx *ctx, struct strbuf *out)
{
	struct strlist items = STRLIST_INIT;
	const struct record *rec;
	int rc = fetch_record(ctx, ctx->route->kind, &rec);

	if (rc)
		return rc;
	rc = strlist_split(&items, record_value(rec, ctx->route->kind, ctx->route->column));
	strlist_sort_uniq(&items);
	strlist_write_lines(&items, out);
	strlist_release(&items);
	return rc ? rc : strbuf_ok(out);
}

/* The record key the store uses in citations: the nkeys first values joined by '/'. */
static void record_key(const struct record *rec, int kind, struct strbuf *key)
{
	const struct record_desc *d = store_record_desc((enum record_kind)kind);
	int i;

	for (i = 0; i < d->nkeys; i++) {
		if (i)
			strbuf_addch(key, '/');
		strbuf_addstr(key, rec->v[i]);
	}
}

static int write_relation(const struct view_ctx *ctx, enum store_relation rel, const char *a, const char *b,
			  const char *date, struct strbuf *out)
{
	struct strlist l = STRLIST_INIT;
	int rc = store_relation(ctx->st, rel, a, b, date, &l);

	if (!rc)
		strlist_write_lines(&l, out);
	strlist_release(&l);
	return rc ? rc : strbuf_ok(out);
}

/* A relation of record references, as the records' paths (tree_record_path), sorted. */
static int write_record_paths(const struct view_ctx *ctx, enum store_relation rel, const char *a, const char *date,
			      struct strbuf *out)
{
	struct strlist refs = STRLIST_INIT, paths = STRLIST_INIT;
	struct strbuf path = STRBUF_INIT;
	size_t i;
	int rc = store_relation(ctx->st, rel, a, NULL, date, &refs);

	for (i = 0; !rc && i < refs.n; i++) {
		rc = tree_record_path(ctx->tree, refs.items[i], &path);
		if (!rc)
			strlist_add(&paths, path.buf);
	}
	if (!rc && paths.oom)
		rc = -ENOMEM;
	if (!rc) {
		strlist_sort_uniq(&paths);
		strlist_write_lines(&paths, out);
	}
	strlist_release(&refs);
	strlist_release(&paths);
	strbuf_release(&path);
	return rc ? rc : strbuf_ok(out);
}

int view_record_sources(const struct view_ctx *ctx, struct strbuf *out)
{
	struct strbuf key = STRBUF_INIT;
	const struct record *rec;
	int rc = fetch_record(ctx, ctx->route->kind, &rec);

	if (rc)
		return rc;
	record_key(rec, ctx->route->kind, &key);
	rc = write_relation(ctx, REL_RECORD_SOURCES, store_record_desc((enum record_kind)ctx->route->kind)->name,
			    key.buf, NULL, out);
	strbuf_release(&key);
	return rc;
}

/* The route's relation of the record the path names, keyed by its id (routes.c: RELATION). */
int view_record_relation(const struct view_ctx *ctx, struct strbuf *out)
{
	enum store_relation rel = ctx->route->rel;
	const struct record *rec;
	int rc = fetch_record(ctx, ctx->route->kind, &rec);

	if (rc)
		return rc;
	/* A source supports its timeless records on every day: at the root, every fact whatever its days. */
	if (ctx->route->flags & ROUTE_RECORD_LINES)
		return write_record_paths(ctx, rel, rec->v[0], ctx->entity_date, out);
	return write_relation(ctx, rel, rec->v[0], NULL, ctx->date, out);
}

/* ---- key: value files (laws, participation) ------------------------------- */

static void add_kv(struct strbuf *out, const char *key, const char *value)
{
	if (!*value)
		return;
	strbuf_addf(out, "%s: ", key);
	for (const char *p = value; *p; p++) /* one line per key */
		strbuf_addch(out, *p == '\n' || *p == '\r' ? ' ' : *p);
	strbuf_addch(out, '\n');
}

static int view_key_values(const struct view_ctx *ctx, const char *const *columns, struct strbuf *out)
{
	struct strbuf key = STRBUF_INIT, cites = STRBUF_INIT;
	struct strlist l = STRLIST_INIT;
	const struct record *rec;
	int kind = ctx->route->kind, rc = fetch_record(ctx, kind, &rec);
	size_t i;

	if (rc)
		return rc;
	for (; *columns; columns++)
		add_kv(out, *columns, record_value(rec, kind, *columns));
	record_key(rec, kind, &key);
	rc = store_relation(ctx->st, REL_RECORD_SOURCES, store_record_desc((enum record_kind)kind)->name, key.buf,
			    NULL, &l);
	for (i = 0; !rc && i < l.n; i++)
		strbuf_addf(&cites, "%s%s", i ? "; " : "", l.items[i]);
	if (!rc)
		add_kv(out, "sources", cites.buf);
	strlist_release(&l);
	strbuf_release(&key);
	strbuf_release(&cites);
	return rc ? rc : strbuf_ok(out);
}

int view_law(const struct view_ctx *ctx, struct strbuf *out)
{
	static const char *const cols[] = { "title", "enacted", "summary", "quote", NULL };

	return view_key_values(ctx, cols, out);
}

int view_participation(const struct view_ctx *ctx, struct strbuf *out)
{
	static const char *const cols[] = { "function", "value", "detail", "as_of", "quote", NULL };

	return view_key_values(ctx, cols, out);
}

/* ---- states ----------------------------------------------------------------- */

int list_states(const struct view_ctx *ctx, struct strlist *names)
{
	int i;

	(void)ctx;
	for (i = 0; i < STORE_NJURISDICTIONS; i++)
		strlist_add(names, store_jurisdiction_code(i));
	return names->oom ? -ENOMEM : 0;
}

int view_state_name(const struct view_ctx *ctx, struct strbuf *out)
{
	const char *name = store_jurisdiction_name(ctx->args[0]);

	if (!name)
		return -ENOENT;
	strbuf_addline(out, name);
	return strbuf_ok(out);
}

int list_state_systems(const struct view_ctx *ctx, struct strlist *names)
{
	return store_relation(ctx->st, ctx->route->rel, ctx->args[0], NULL, ctx->date, names);
}

/* The files of states/XX/SYSTEM/: the route names the relation. */
int view_state_system(const struct view_ctx *ctx, struct strbuf *out)
{
	const struct strlist *l;
	const struct record *sys;
	int rc;

	assert(ctx->route->rel >= REL_SYSTEM_FIELDS && ctx->route->rel <= REL_SYSTEM_SOURCES);
	/* Read in place: the folder's five files share the one query. */
	rc = store_peek_by_slug(ctx->st, REC_SYSTEMS, NULL, ctx->args[1], NULL, &sys);
	if (rc)
		return rc;
	/* A state's systems are walked one after another: their lists come from one pass. */
	rc = tree_system_list(ctx->tree, ctx->args[0], ctx->date, sys->v[0], ctx->route->rel, &l);
	if (!rc)
		strlist_write_lines(l, out);
	return rc ? rc : strbuf_ok(out);
}

/* ---- sources ------------------------------------------------------------------ */

static int source_id(const struct view_ctx *ctx, struct strbuf *id, struct strbuf *file)
{
	const struct record *rec;
	int rc = fetch_record(ctx, REC_SOURCES, &rec);

	if (rc)
		return rc;
	strbuf_addstr(id, rec->v[0]);
	if (file)
		strbuf_addstr(file, record_value(rec, REC_SOURCES, "file"));
	return strbuf_ok(id);
}

int view_source_sha256(const struct view_ctx *ctx, struct strbuf *out)
{
	struct strbuf id = STRBUF_INIT;
	int rc = source_id(ctx, &id, NULL);

	if (!rc)
		rc = store_source_document(ctx->st, id.buf, NULL, out);
	if (!rc)
		strbuf_addch(out, '\n');
	strbuf_release(&id);
	return rc ? rc : strbuf_ok(out);
}

int source_has_document(const struct view_ctx *ctx)
{
	struct strbuf id = STRBUF_INIT, sha = STRBUF_INIT;
	int rc = source_id(ctx, &id, NULL);

	if (!rc)
		rc = store_source_document(ctx->st, id.buf, NULL, &sha);
	strbuf_release(&id);
	strbuf_release(&sha);
	return rc;
}

static int source_is_document(struct store *st, const char *id)
{
	struct store_document_row row;
	int rc = store_document_get(st, id, &row);

	store_document_row_release(&row);
	return rc == 0;
}

int view_source_text(const struct view_ctx *ctx, struct strbuf *out)
{
	struct strbuf id = STRBUF_INIT, bytes = STRBUF_INIT;
	int rc = source_id(ctx, &id, NULL);

	/* A document's extracted pages; else stored bytes that are text (nothing was extracted). */
	if (!rc)
		rc = store_source_text(ctx->st, id.buf, &bytes);
	if (rc == -ENOENT && !source_is_document(ctx->st, id.buf))
		rc = store_source_document(ctx->st, id.buf, &bytes, NULL);
	if (!rc && !utf8_text(bytes.buf, bytes.len))
		rc = -ENOENT;
	if (!rc) {
		strbuf_add(out, bytes.buf, bytes.len);
		if (bytes.len && bytes.buf[bytes.len - 1] != '\n')
			strbuf_addch(out, '\n');
	}
	strbuf_release(&id);
	strbuf_release(&bytes);
	return rc ? rc : strbuf_ok(out);
}

int source_has_text(const struct view_ctx *ctx)
{
	return view_renders(view_source_text, ctx);
}

int list_source_original(const struct view_ctx *ctx, struct strlist *names)
{
	struct strbuf id = STRBUF_INIT, file = STRBUF_INIT, name = STRBUF_INIT, sha = STRBUF_INIT;
	int rc = source_id(ctx, &id, &file);

	if (!rc && store_source_document(ctx->st, id.buf, NULL, &sha) == 0) {
		strbuf_addstr(&name, "original.");
		export_extension(file.buf, &name);
		strlist_add(names, name.buf);
	}
	strbuf_release(&id);
	strbuf_release(&file);
	strbuf_release(&name);
	strbuf_release(&sha);
	return rc == -ENOENT ? 0 : rc;
}

int view_source_original(const struct view_ctx *ctx, struct strbuf *out)
{
	struct strbuf id = STRBUF_INIT;
	int rc = source_id(ctx, &id, NULL);

	if (!rc)
		rc = store_source_document(ctx->st, id.buf, out, NULL);
	strbuf_release(&id);
	return rc;
}

/* ---- export/ -------------------------------------------------------------------- */

int list_export_files(const struct view_ctx *ctx, struct strlist *names)
{
	int k;

	(void)ctx;
	for (k = 0; k < REC_COUNT; k++)
		strlist_add(names, store_record_desc((enum record_kind)k)->file);
	return names->oom ? -ENOMEM : 0;
}

int view_export_file(const struct view_ctx *ctx, struct strbuf *out)
{
	int k;

	for (k = 0; k < REC_COUNT; k++)
		if (!strcmp(store_record_desc((enum record_kind)k)->file, ctx->args[0]))
			return export_render(ctx->st, (enum record_kind)k, out);
	return -ENOENT;
}

struct doc_names {
	struct store *st;
	struct strlist *names;
	const char *want;	/* when set: find this name and its source id */
	struct strbuf *id;
};

static int add_doc_name(void *arg, const struct record *r)
{
	struct doc_names *dn = arg;
	int file_col = store_record_column(store_record_desc(REC_SOURCES), "file");
	struct strbuf path = STRBUF_INIT;
	int rc = 0;

	if (*r->v[file_col] && store_source_document(dn->st, r->v[0], NULL, NULL) == 0) {
		rc = export_document_path(dn->st, r->v[0], r->v[file_col], &path);
		if (!rc && dn->names)
			strlist_add(dn->names, path.buf + strlen("files/"));
		if (!rc && dn->want && !strcmp(dn->want, path.buf + strlen("files/"))) {
			strbuf_addstr(dn->id, r->v[0]);
			rc = 1; /* found: stop */
		}
	}
	strbuf_release(&path);
	return rc;
}

int list_export_documents(const struct view_ctx *ctx, struct strlist *names)
{
	struct doc_names dn = { ctx->st, names, NULL, NULL };

	return store_each_record(ctx->st, REC_SOURCES, add_doc_name, &dn);
}

int view_export_document(const struct view_ctx *ctx, struct strbuf *out)
{
	struct strbuf id = STRBUF_INIT;
	struct doc_names dn = { ctx->st, NULL, ctx->args[0], &id };
	int rc = store_each_record(ctx->st, REC_SOURCES, add_doc_name, &dn);

	rc = rc == 1 ? store_source_document(ctx->st, id.buf, out, NULL) : (rc ? rc : -ENOENT);
	strbuf_release(&id);
	return rc;
}

/* ---- README ----------------------------------------------------------------------- */

int view_readme(const struct view_ctx *ctx, struct strbuf *out)
{
	struct store_counts c;
	int rc = tree_counts(ctx->tree, ctx->date, &c);

	if (rc)
		return rc;
	strbuf_addf(out,
		    "nletsfs: who can see a driver's license record through Nlets, and how\n"
		    "\n"
		    "This folder is an nletsfs inventory, shown read-only.\n"
		    "Nlets is the private network that switches messages between state DMVs and\n"
		    "criminal-history systems, federal agencies, foreign partners and companies.\n"
		    "Every fact here carries its source and page. Nothing is invented: where no\n"
		    "source says, a file is absent or a list is empty, and that means unknown,\n"
		    "not no.\n"
		    "\n"
		    "In this inventory:\n"
		    "  jurisdictions with a fact: %ld of %d\n"
		    "  flows: %ld\n  agencies: %ld\n  partners: %ld\n  message types: %ld\n  fields: %ld\n"
		    "  laws: %ld\n  sources: %ld (newest: %s)\n"
		    "\n"
		    "How to cite a fact: each folder has a `sources` file of \"SOURCE-ID p.PAGE\"\n"
		    "lines (laws, participation and questions: a `sources:` line); cite the\n"
		    "source's title, date and page from sources/SOURCE-ID/ (title, date, kind,\n"
		    "url), and the path of the fact, e.g. states/NY/dmv/blocked.\n"
		    "\n"
		    "In lists, XX/SYSTEM is a state's system (NY/dmv: New York's driver-license\n"
		    "records; systems/dmv/name), and */SYSTEM what a source says of that system\n"
		    "in every state that offers it through Nlets: not a fact about any one state.\n"
		    "\n"
		    "Where to start:\n"
		    "  states/NY/questions/           the advocates' checklist for New York, answered\n"
		    "                                 (yes, no, partial, unknown) with basis and sources\n"
		    "  questions/ori-block/yes        the jurisdictions answering yes (also no, ...)\n"
		    "  states/NY/records_request.txt  a draft public-records request for the unknowns\n"
		    "  maps/ori-block.svg             the answers on a map (open it in a browser)\n"
		    "  ls states/NY                   what is known of New York's systems\n"
		    "  cat states/NY/dmv/blocked      whom New York's DMV refuses\n"
		    "  cat agencies/ICE/receives      which state systems ICE receives from\n"
		    "  cat fields/ssn/shared_by       who shares Social Security numbers\n"
		    "  grep -r ssn transactions       which message types return them\n"
		    "  ls flows; cat flows/*/sources  every recorded flow, and what backs it\n"
		    "  cat claims/no-audits-of-nlets/claim  what sources say of Nlets and its members\n"
		    "  ls at/; diff -r at/2019-01-01 at/2021-01-01\n"
		    "                                 the tree as it stood on a day, and what changed\n"
		    "  cat changes                    every change, oldest first: DATE + or - PATH LINE\n"
		    "  ls 'search/\"social security\"'  sources that match (SQLite FTS5 queries): a hit is a\n"
		    "                                 link to sources/ID, whose document text, title or note\n"
		    "                                 matches, or which a matching fact cites (its quote,\n"
		    "                                 detail, conditions, summary or claim); grep -rl the\n"
		    "                                 word in flows/ states/ claims/ to find that fact\n"
		    "  cat sources/*/excerpts/p*      passages naming Nlets, a field or an agency\n"
		    "  cat imports/*                  every import: files, counts, warnings, errors\n"
		    "  export/                        the whole inventory as CSV files\n",
		    c.states_with_facts, STORE_NJURISDICTIONS, c.flows, c.agencies, c.partners,
		    c.transactions, c.fields, c.laws, c.sources,
		    *c.newest_source_date ? c.newest_source_date : "none");
	return strbuf_ok(out);
}
