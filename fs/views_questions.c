// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The advocates' checklist in the tree (SPEC section 4): each question
 * answered for each jurisdiction (states/XX/questions/QID), the lists of
 * jurisdictions by answer (questions/QID/), a draft public-records request
 * asking what is still unknown (states/XX/records_request.txt), and a
 * tile-grid map per question (maps/QID.svg). The rules live in the store
 * (store/questions.c); these views only format what it answers, for the day
 * the view shows (ctx->date), so at/DATE/ shows them as of DATE.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/hmap.h"
#include "tree.h"
#include "views.h"

/* ---- questions/ and states/XX/questions/ --------------------------------- */

int list_questions(const struct view_ctx *ctx, struct strlist *names)
{
	int q;

	(void)ctx;
	for (q = 0; q < STORE_NQUESTIONS; q++)
		strlist_add(names, store_question_id(q));
	return names->oom ? -ENOMEM : 0;
}

/* The question the path names: its id is the last :param. */
static int path_question(const struct view_ctx *ctx)
{
	return ctx->nargs ? store_question_find(ctx->args[ctx->nargs - 1]) : -1;
}

int question_exists(const struct view_ctx *ctx)
{
	return path_question(ctx) < 0 ? -ENOENT : 0;
}

int view_question_text(const struct view_ctx *ctx, struct strbuf *out)
{
	int q = path_question(ctx);

	if (q < 0)
		return -ENOENT;
	strbuf_addline(out, store_question_text(q));
	return strbuf_ok(out);
}

/* questions/QID/ANSWER: the jurisdictions whose answer is the route's column. */
int view_question_states(const struct view_ctx *ctx, struct strbuf *out)
{
	int q = path_question(ctx), i, rc = 0;

	if (q < 0)
		return -ENOENT;
	/* The jurisdiction table is in code order: the list comes out sorted. */
	for (i = 0; i < STORE_NJURISDICTIONS && !rc; i++) {
		const struct store_answer *a;

		rc = tree_answer(ctx->tree, q, i, ctx->date, &a);
		if (!rc && !strcmp(store_answer_name(a->value), ctx->route->column))
			strbuf_addline(out, store_jurisdiction_code(i));
	}
	return rc ? rc : strbuf_ok(out);
}

static void add_joined(struct strbuf *out, const struct strlist *l, const char *none)
{
	size_t i;

	if (!l->n)
		strbuf_addstr(out, none);
	for (i = 0; i < l->n; i++) { /* not strbuf_addf: a basis runs to thousands of paths, in every day's pass */
		if (i)
			strbuf_add(out, "; ", 2);
		strbuf_addstr(out, l->items[i]);
	}
}

/* Append record reference `ref` (n bytes) as the record's path. */
static int add_record_path(struct tree *t, const char *ref, size_t n, struct strbuf *out)
{
	struct strbuf r = STRBUF_INIT, path = STRBUF_INIT;
	int rc;

	strbuf_add(&r, ref, n);
	rc = strbuf_ok(&r);
	if (!rc)
		rc = tree_record_path(t, r.buf, &path);
	if (!rc)
		strbuf_add(out, path.buf, path.len);
	strbuf_release(&r);
	strbuf_release(&path);
	return rc ? rc : strbuf_ok(out);
}

/*
 * The basis as paths: each "REF (NOTES)" of the store with the record
 * references, its own and those its notes name between bytes 1 and 2,
 * made the records' paths (tree_record_path), sorted by path.
 */
static int basis_paths(struct tree *t, const struct strlist *basis, struct strlist *out)
{
	struct strbuf path = STRBUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < basis->n; i++) {
		const char *p = basis->items[i], *rest = strstr(p, " (");

		strbuf_reset(&path);
		rc = add_record_path(t, p, rest ? (size_t)(rest - p) : strlen(p), &path);
		for (p = rest; !rc && p && *p;) {
			const char *open = strchr(p, '\1'), *close = open ? strchr(open, '\2') : NULL;

			if (!close) {
				strbuf_addstr(&path, p);
				break;
			}
			strbuf_add(&path, p, (size_t)(open - p));
			rc = add_record_path(t, open + 1, (size_t)(close - open - 1), &path);
			p = close + 1;
		}
		if (!rc)
			rc = strbuf_ok(&path);
		if (!rc)
			strlist_add(out, path.buf);
	}
	if (!rc && out->oom)
		rc = -ENOMEM;
	if (!rc)
		strlist_sort_uniq(out);
	strbuf_release(&path);
	return rc;
}

int view_state_question(const struct view_ctx *ctx, struct strbuf *out)
{
	struct strlist basis = STRLIST_INIT;
	const struct store_answer *a;
	int j = store_jurisdiction_find(ctx->args[0]), q = path_question(ctx), rc;

	if (q < 0 || j < 0)
		return -ENOENT;
	rc = tree_answer(ctx->tree, q, j, ctx->date, &a);
	if (!rc)
		rc = basis_paths(ctx->tree, &a->basis, &basis);
	if (rc) {
		strlist_release(&basis);
		return rc;
	}
	strbuf_addf(out, "question: %s\nanswer: %s\nbasis: ", store_question_text(q), store_answer_name(a->value));
	if (!basis.n)
		strbuf_addf(out, "none (no fact about %s in the inventory decides it)", store_jurisdiction_name_at(j));
	add_joined(out, &basis, "");
	strbuf_addstr(out, "\nsources: ");
	add_joined(out, &a->sources, "none");
	strbuf_addch(out, '\n');
	strlist_release(&basis);
	return strbuf_ok(out);
}

/* ---- text helpers ------------------------------------------------------------- */

/* Split `text` into lines of at most `width` bytes, breaking at spaces; a longer word gets a line of its own. */
static void wrap_lines(const char *text, size_t width, struct strlist *lines)
{
	struct strbuf line = STRBUF_INIT;
	const char *p = text;
	int oom = 0;

	for (;;) {
		size_t n;

		while (*p == ' ' || *p == '\n')
			p++;
		if (!*p)
			break;
		n = strcspn(p, " \n");
		if (line.len && line.len + 1 + n > width) {
			oom |= line.oom;
			strlist_add(lines, line.buf);
			strbuf_reset(&line);
		}
		if (line.len)
			strbuf_addch(&line, ' ');
		strbuf_add(&line, p, n);
		p += n;
	}
	oom |= line.oom;
	if (line.len || !lines->n)
		strlist_add(lines, line.buf);
	if (oom)
		lines->oom = 1;
	strbuf_release(&line);
}

#define WRAP 76

/* Append `text` wrapped at WRAP columns: the first line after `first`, the others indented to its width. */
static void add_wrapped(struct strbuf *out, const char *first, const char *text)
{
	struct strlist lines = STRLIST_INIT;
	size_t indent = strlen(first), i;

	wrap_lines(text, WRAP - indent, &lines);
	for (i = 0; i < lines.n; i++)
		strbuf_addf(out, "%*s%s\n", (int)indent, i ? "" : first, lines.items[i]);
	if (lines.oom)
		out->oom = 1;
	strlist_release(&lines);
}

/* The citations of a record, as "SOURCE p.PAGE" lines. */
static int record_cites(struct store *st, enum record_kind kind, const char *key, struct strlist *cites)
{
	return store_relation(st, REL_RECORD_SOURCES, store_record_desc(kind)->name, key, NULL, cites);
}

/* ---- a jurisdiction in its own words ------------------------------------------- */

/*
 * How a letter names a jurisdiction: the 50 states as "the state"; the
 * District, the commonwealths and the territories as they call themselves,
 * so that a letter to Puerto Rico does not speak of "the state".
 */
struct place {
	const char *code;
	const char *name;	/* in a sentence: "the District of Columbia" */
	const char *adjective;	/* before "agency": "District of Columbia" */
	const char *self;	/* "the state", "the District", "the Commonwealth", "the territory" */
};

static const struct place places[] = {
	{ "DC", "the District of Columbia", "District of Columbia", "the District" },
	{ "PR", "Puerto Rico", "Puerto Rico", "the Commonwealth" },
	{ "MP", "the Northern Mariana Islands", "Northern Mariana Islands", "the Commonwealth" },
	{ "GU", "Guam", "Guam", "the territory" },
	{ "VI", "the U.S. Virgin Islands", "U.S. Virgin Islands", "the territory" },
	{ "AS", "American Samoa", "American Samoa", "the territory" },
};

static struct place place_of(const char *code)
{
	struct place state = { code, store_jurisdiction_name(code), NULL, "the state" };
	size_t i;

	for (i = 0; i < sizeof(places) / sizeof(places[0]); i++)
		if (!strcmp(places[i].code, code))
			return places[i];
	if (!state.name)
		state.name = code;
	state.adjective = state.name;
	return state;
}

/* Question q's text; outside the 50 states, "your state" and "the state" in the place's own words. */
static void add_question(struct strbuf *out, int q, const struct place *pl)
{
	static const char *const said[] = { "your state", "the state" };
	const char *p = store_question_text(q), *hit;
	size_t i;

	if (!strcmp(pl->self, "the state")) {
		strbuf_addstr(out, p);
		return;
	}
	for (;;) {
		const char *next = NULL;
		size_t len = 0;

		for (i = 0; i < sizeof(said) / sizeof(said[0]); i++) {
			hit = strstr(p, said[i]);
			/* "the states" is every state, not this one */
			while (hit && hit[strlen(said[i])] == 's')
				hit = strstr(hit + 1, said[i]);
			if (hit && (!next || hit < next)) {
				next = hit;
				len = strlen(said[i]);
			}
		}
		if (!next)
			break;
		strbuf_add(out, p, (size_t)(next - p));
		strbuf_addstr(out, pl->self);
		p = next + len;
	}
	strbuf_addstr(out, p);
}

/* ---- facts in plain words ------------------------------------------------------- */

/* A fact of the request: a label (or none), a sentence made of its own columns, its citations. */
struct fact {
	struct strbuf path, text;	/* path: the label */
	struct strlist cites;
};
#define FACT_INIT { STRBUF_INIT, STRBUF_INIT, STRLIST_INIT }

static void fact_release(struct fact *f)
{
	strbuf_release(&f->path);
	strbuf_release(&f->text);
	strlist_release(&f->cites);
}

/*
 * A letter (records_request.txt) names the same systems, messages, fields
 * and sources for each of a state's thousands of flows: each name is asked
 * of the store once a letter.
 */
struct letter {
	struct store *st;
	struct hmap index;	/* kind and id -> the name's place in `names` */
	struct strlist names;
};

#define LETTER_INIT(st) { st, HMAP_INIT, STRLIST_INIT }

static void letter_release(struct letter *l)
{
	hmap_release(&l->index);
	strlist_release(&l->names);
}

/* The name a record of `kind` gives entity `id`, through `name` (NULL: it has none, or no memory). */
static void lookup_name(struct store *st, enum record_kind kind, const char *id, struct strbuf *name)
{
	struct record r = { NULL, 0 };

	/* Entities have one key, their id, and no valid time. */
	assert(store_record_desc(kind)->nkeys == 1);
	if (!store_get_by_id(st, kind, &id, &r)) {
		if (kind == REC_SOURCES) { /* "TITLE" (DATE) */
			strbuf_addf(name, "\"%s\"", record_value(&r, kind, "title"));
			if (*record_value(&r, kind, "date"))
				strbuf_addf(name, " (%s)", record_value(&r, kind, "date"));
		} else {
			strbuf_addstr(name, record_value(&r, kind, "name"));
		}
	}
	record_release(&r);
}

/* The name of entity `id` of `kind` ("" when it has none); NULL without memory. */
static const char *letter_name(struct letter *l, enum record_kind kind, const char *id)
{
	struct strbuf key = STRBUF_INIT, name = STRBUF_INIT;
	const char *out = NULL;
	uint64_t at;

	/* The kind as one byte before the id (never NUL): formatting it cost more than the lookup. */
	assert((int)kind >= 0 && (int)kind < 255);
	strbuf_addch(&key, (int)kind + 1);
	strbuf_addstr(&key, id);
	if (key.oom)
		goto out;
	if (hmap_get(&l->index, key.buf, &at)) {
		out = l->names.items[at];
		goto out;
	}
	lookup_name(l->st, kind, id, &name);
	if (name.oom)
		goto out;
	strlist_add(&l->names, name.len ? name.buf : "");
	if (!l->names.oom && !hmap_put(&l->index, key.buf, l->names.n - 1))
		out = l->names.items[l->names.n - 1];
out:
	strbuf_release(&key);
	strbuf_release(&name);
	return out;
}

/* "the Driver license (DMV) system of New York", or for STAR/SYSTEM "... of each jurisdiction that takes part". */
static int flow_subject(struct letter *l, const char *from, struct strbuf *text)
{
	const char *slash = strchr(from, '/');
	struct strbuf code = STRBUF_INIT;
	const char *sys_name, *state;

	if (!slash) { /* an agency or partner */
		strbuf_addstr(text, from);
		return strbuf_ok(text);
	}
	sys_name = letter_name(l, REC_SYSTEMS, slash + 1);
	if (!sys_name)
		return -ENOMEM;
	if (!*sys_name)
		sys_name = slash + 1;
	strbuf_add(&code, from, (size_t)(slash - from));
	state = store_jurisdiction_name(code.buf);
	if (!strcmp(code.buf, "*"))
		strbuf_addf(text, "the %s system of each jurisdiction that takes part", sys_name);
	else
		strbuf_addf(text, "the %s system of %s", sys_name, state ? state : code.buf);
	strbuf_release(&code);
	return strbuf_ok(text);
}

/* PRE + "KEY, NAME" (a message) or PRE + "NAME" (a field; else its id) + POST: names an official reads. */
static void add_record_name(struct letter *l, enum record_kind kind, const char *id, const char *pre, const char *post,
			    struct strbuf *text)
{
	const char *name = letter_name(l, kind, id);

	if (!name) {
		text->oom = 1;
		return;
	}
	if (kind == REC_TRANSACTIONS)
		strbuf_addf(text, "%s%s%s%s%s", pre, id, *name ? ", \"" : "", name, *name ? "\"" : "");
	else
		strbuf_addf(text, "%s%s", pre, *name ? name : id);
	strbuf_addstr(text, post);
}

/* A flow as a sentence; `with_conditions` adds the flow's own conditions text. */
static int describe_flow(struct letter *l, const char *slug, const char *date, int with_conditions,
			 struct fact *out)
{
	static const char *const verbs[][2] = {
		{ "allowed", "sends data to" },
		{ "conditional", "sends data, under conditions, to" },
		{ "reported", "is reported to send data to" },
		{ "blocked", "blocks" },
	};
	struct strlist fields = STRLIST_INIT;
	const char *verb = "sends data to", *to;
	struct record f;
	size_t i;
	int rc = store_get_by_slug(l->st, REC_FLOWS, NULL, slug, date, &f);

	if (rc)
		return rc;
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(verbs[i][0], record_value(&f, REC_FLOWS, "status")))
			verb = verbs[i][1];
	to = record_value(&f, REC_FLOWS, "to");
	rc = flow_subject(l, record_value(&f, REC_FLOWS, "from"), &out->text);
	strbuf_addf(&out->text, " %s %s through %s", verb, strcmp(to, "*") ? to : "every Nlets member",
		    record_value(&f, REC_FLOWS, "via"));
	if (*record_value(&f, REC_FLOWS, "transaction"))
		add_record_name(l, REC_TRANSACTIONS, record_value(&f, REC_FLOWS, "transaction"), " (Nlets message ",
				")", &out->text);
	if (!rc)
		rc = strlist_split(&fields, record_value(&f, REC_FLOWS, "fields"));
	for (i = 0; i < fields.n; i++)
		add_record_name(l, REC_FIELDS, fields.items[i], i ? "; " : ": ", "", &out->text);
	if (*record_value(&f, REC_FLOWS, "since"))
		strbuf_addf(&out->text, ", since %s", record_value(&f, REC_FLOWS, "since"));
	if (*record_value(&f, REC_FLOWS, "until"))
		strbuf_addf(&out->text, ", until %s", record_value(&f, REC_FLOWS, "until"));
	strbuf_addch(&out->text, '.');
	if (with_conditions && *record_value(&f, REC_FLOWS, "conditions"))
		strbuf_addf(&out->text, " %s", record_value(&f, REC_FLOWS, "conditions"));
	if (!rc)
		rc = record_cites(l->st, REC_FLOWS, f.v[0], &out->cites);
	strlist_release(&fields);
	record_release(&f);
	return rc ? rc : strbuf_ok(&out->text);
}

/* A law or participation row of the state, in its own words. */
static int describe_state_record(struct store *st, enum record_kind kind, const char *state, const char *slug,
				 const char *date, struct fact *out)
{
	struct strbuf key = STRBUF_INIT;
	struct record r;
	int rc = store_get_by_slug(st, kind, state, slug, date, &r);

	if (rc)
		return rc;
	if (kind == REC_LAWS) {
		strbuf_addstr(&out->text, record_value(&r, kind, "title"));
		if (*record_value(&r, kind, "enacted"))
			strbuf_addf(&out->text, ", enacted %s", record_value(&r, kind, "enacted"));
		strbuf_addf(&out->text, ". %s", record_value(&r, kind, "summary"));
		strbuf_addf(&key, "%s/%s", r.v[0], r.v[1]);
	} else {
		strbuf_addf(&out->text, "Participation (%s): %s, as of %s. %s", record_value(&r, kind, "function"),
			    record_value(&r, kind, "value"), record_value(&r, kind, "as_of"),
			    record_value(&r, kind, "detail"));
		strbuf_addf(&key, "%s/%s/%s", r.v[0], r.v[1], r.v[2]);
	}
	rc = strbuf_ok(&key);
	if (!rc)
		rc = record_cites(st, kind, key.buf, &out->cites);
	strbuf_release(&key);
	record_release(&r);
	return rc ? rc : strbuf_ok(&out->text);
}

/* A citation "SOURCE p.PAGE" as a letter gives it: "TITLE" (DATE), p. PAGE. */
static void add_citation(struct letter *l, const char *cite, struct strbuf *line)
{
	const char *page = strstr(cite, " p.");
	struct strbuf id = STRBUF_INIT;
	const char *name;

	strbuf_add(&id, cite, page ? (size_t)(page - cite) : strlen(cite));
	name = id.oom ? NULL : letter_name(l, REC_SOURCES, id.buf);
	if (!name)
		line->oom = 1;
	else
		strbuf_addstr(line, *name ? name : id.buf);
	if (page)
		strbuf_addf(line, ", %s %s", strchr(page + 3, '-') ? "pp." : "p.", page + 3);
	strbuf_release(&id);
}

/* "- TEXT Sources: "A" (2020), p. 1; "B" (2019)." (wrapped), and remember the sources for the list at the end. */
static void add_fact(struct letter *l, struct strbuf *out, const char *first, const struct fact *f,
		     struct strlist *source_ids)
{
	struct strbuf line = STRBUF_INIT;
	size_t i;

	if (f->path.len) /* a label such as "[ssn] yes"; facts go by their words, not their paths */
		strbuf_addf(&line, "%s: ", f->path.buf);
	strbuf_addstr(&line, f->text.buf);
	if (!f->path.len && line.len && line.buf[0] >= 'a' && line.buf[0] <= 'z')
		line.buf[0] = (char)(line.buf[0] - 'a' + 'A');
	for (i = 0; i < f->cites.n; i++) {
		const char *page = strstr(f->cites.items[i], " p.");

		strbuf_addstr(&line, i ? "; " : f->cites.n == 1 ? " Source: " : " Sources: ");
		add_citation(l, f->cites.items[i], &line);
		strlist_addn(source_ids, f->cites.items[i],
			     page ? (size_t)(page - f->cites.items[i]) : (size_t)-1);
	}
	if (f->cites.n)
		strbuf_addch(&line, '.');
	add_wrapped(out, first, line.buf);
	if (line.oom)
		out->oom = 1;
	strbuf_release(&line);
}

/* ---- states/XX/records_request.txt ------------------------------------------------ */

/* Each of the state's own facts on the day: flows, then laws, then participation. */
static int add_state_facts(const struct view_ctx *ctx, struct letter *l, struct strbuf *out,
			   struct strlist *source_ids)
{
	static const enum record_kind kinds[] = { REC_FLOWS, REC_LAWS, REC_PARTICIPATION };
	const char *state = ctx->args[0];
	size_t k, i;
	int rc = 0, n = 0;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && !rc; k++) {
		struct strlist slugs = STRLIST_INIT;

		rc = kinds[k] == REC_FLOWS ? store_state_flows(ctx->st, state, ctx->date, &slugs)
					   : store_list_slugs(ctx->st, kinds[k], state, ctx->date, &slugs);
		for (i = 0; !rc && i < slugs.n; i++, n++) {
			struct fact f = FACT_INIT;

			rc = kinds[k] == REC_FLOWS
				     ? describe_flow(l, slugs.items[i], ctx->date, 1, &f)
				     : describe_state_record(ctx->st, kinds[k], state, slugs.items[i], ctx->date, &f);
			if (!rc)
				add_fact(l, out, "- ", &f, source_ids);
			fact_release(&f);
		}
		strlist_release(&slugs);
	}
	if (!rc && !n)
		strbuf_addf(out, "- The documents I have read say nothing of %s in particular.\n", place_of(state).name);
	return rc;
}

/* The generic facts behind question q (flows from STAR/SYSTEM), indented under it. */
static int add_background(const struct view_ctx *ctx, struct letter *l, int q, const char *indent,
			  struct strbuf *out, struct strlist *source_ids)
{
	struct strbuf item = STRBUF_INIT;
	struct strlist slugs = STRLIST_INIT;
	size_t i;
	int rc = store_question_background(ctx->st, q, ctx->date, &slugs);

	if (!rc && slugs.n) {
		strbuf_addf(&item, "Public documents say this of Nlets in general, for each jurisdiction that takes "
				   "part, not of %s in particular:", place_of(ctx->args[0]).name);
		add_wrapped(out, indent, item.buf);
		strbuf_reset(&item);
	}
	strbuf_addf(&item, "%s- ", indent);
	for (i = 0; !rc && i < slugs.n; i++) {
		struct fact f = FACT_INIT;

		rc = describe_flow(l, slugs.items[i], ctx->date, 0, &f);
		if (!rc)
			add_fact(l, out, item.buf, &f, source_ids);
		fact_release(&f);
	}
	if (!rc && item.oom)
		rc = -ENOMEM;
	strlist_release(&slugs);
	strbuf_release(&item);
	return rc;
}

/* The cited sources: title, kind, date and address of each. */
static int add_source_list(struct store *st, struct strlist *ids, struct strbuf *out)
{
	size_t i;
	int rc = 0;

	strlist_sort_uniq(ids);
	for (i = 0; i < ids->n && !rc; i++) {
		struct strbuf line = STRBUF_INIT;
		const char *id = ids->items[i];
		struct record s;

		rc = store_get_by_id(st, REC_SOURCES, &id, &s);
		if (!rc) {
			strbuf_addf(&line, "\"%s\" (%s, %s).", record_value(&s, REC_SOURCES, "title"),
				    record_value(&s, REC_SOURCES, "kind"), record_value(&s, REC_SOURCES, "date"));
			if (*record_value(&s, REC_SOURCES, "url"))
				strbuf_addf(&line, " %s", record_value(&s, REC_SOURCES, "url"));
			else
				strbuf_addstr(&line, " No web address recorded.");
			add_wrapped(out, "- ", line.buf);
			record_release(&s);
		}
		strbuf_release(&line);
	}
	return rc;
}

int view_records_request(const struct view_ctx *ctx, struct strbuf *out)
{
	const struct store_answer *answers[STORE_NQUESTIONS];
	struct strlist source_ids = STRLIST_INIT;
	int j = store_jurisdiction_find(ctx->args[0]);
	const struct place place = place_of(ctx->args[0]), *pl = &place;
	struct letter l = LETTER_INIT(ctx->st);
	struct strbuf line = STRBUF_INIT;
	int q, n = 0, rc = 0;

	if (j < 0 || !store_jurisdiction_name_at(j))
		return -ENOENT;
	for (q = 0; q < STORE_NQUESTIONS && !rc; q++)
		rc = tree_answer(ctx->tree, q, j, ctx->date, &answers[q]);
	if (rc)
		goto out;

	strbuf_addf(out,
		    "PUBLIC RECORDS REQUEST (draft)\n"
		    "\n"
		    "From:  ______________________________  (your name)\n"
		    "       ______________________________  (organization, if any)\n"
		    "       ______________________________  (mailing or email address)\n"
		    "Date:  %s\n"
		    "\n",
		    ctx->date);
	strbuf_addf(&line, "To: the public records officer of the %s agency that issues driver's licenses and "
			   "vehicle registrations (the DMV), and of the agency that runs %s's connection to "
			   "Nlets (its Nlets control terminal agency).", pl->adjective, pl->self);
	add_wrapped(out, "", line.buf);
	strbuf_addch(out, '\n');
	add_wrapped(out, "", "Re: Driver's license and vehicle registration information shared through Nlets.");
	strbuf_addch(out, '\n');
	strbuf_reset(&line);
	strbuf_addf(&line, "Under the public records law of %s, I request copies of the records that answer the "
			   "questions below: policies, agreements, Nlets configuration and routing settings, "
			   "message logs, audit reports and correspondence, held by your agency or by anyone "
			   "acting for it. The public documents I have read, listed at the end of this letter, "
			   "do not answer these questions for %s as of %s.", pl->name, pl->name, ctx->date);
	add_wrapped(out, "", line.buf);
	strbuf_addstr(out, "\nQuestions\n\n");
	for (q = 0; q < STORE_NQUESTIONS && !rc; q++) {
		char first[16], indent[16];

		if (answers[q]->value != ANSWER_UNKNOWN)
			continue;
		snprintf(first, sizeof(first), "%d. ", ++n);
		snprintf(indent, sizeof(indent), "%*s", (int)strlen(first), "");
		strbuf_reset(&line);
		strbuf_addf(&line, "[%s] ", store_question_id(q));
		add_question(&line, q, pl);
		add_wrapped(out, first, line.buf);
		rc = add_background(ctx, &l, q, indent, out, &source_ids);
		strbuf_addch(out, '\n');
	}
	if (!n) {
		strbuf_reset(&line);
		strbuf_addf(&line, "The documents I have read answer every question of this checklist for %s; I "
				   "request the records behind the answers below.", pl->name);
		add_wrapped(out, "", line.buf);
		strbuf_addch(out, '\n');
	}

	strbuf_addf(out, "What public documents already show about %s\n\nThe answers they give:\n", pl->name);
	for (q = 0, n = 0; q < STORE_NQUESTIONS; q++) {
		struct fact f = FACT_INIT;
		size_t i;

		if (answers[q]->value == ANSWER_UNKNOWN)
			continue;
		n++;
		strbuf_addf(&f.path, "[%s] %s", store_question_id(q), store_answer_name(answers[q]->value));
		add_question(&f.text, q, pl);
		for (i = 0; i < answers[q]->sources.n; i++)
			strlist_add(&f.cites, answers[q]->sources.items[i]);
		add_fact(&l, out, "- ", &f, &source_ids);
		fact_release(&f);
	}
	if (!n)
		strbuf_addstr(out, "- none.\n");
	strbuf_addf(out, "\nWhat they record about %s:\n", pl->name);
	if (!rc)
		rc = add_state_facts(ctx, &l, out, &source_ids);
	strbuf_addstr(out, "\nDocuments cited\n\n");
	if (!rc)
		rc = add_source_list(ctx->st, &source_ids, out);
	if (!source_ids.n)
		strbuf_addstr(out, "- none.\n");
	strbuf_addstr(out, "\n");
	add_wrapped(out, "", "If you withhold any record or part of one, please cite the exemption that applies "
			     "and release the rest. I prefer electronic copies. If the fees would exceed "
			     "$______, please tell me first. If another agency holds these records, please "
			     "tell me which one.");
	strbuf_addstr(out, "\nThank you,\n\n______________________________\n");
out:
	letter_release(&l);
	strlist_release(&source_ids);
	strbuf_release(&line);
	return rc ? rc : strbuf_ok(out);
}

/* ---- maps/QID.svg ---------------------------------------------------------------- */

/*
 * The tile grid: the 50 states, DC and PR, each a square at (col, row),
 * placed roughly where it lies. GU, VI, AS and MP are not drawn (the map
 * says so); their answers are in questions/QID/.
 */
static const struct tile {
	char code[3];
	unsigned char col, row;
} tiles[] = {
	{ "AK", 0, 0 }, { "ME", 10, 0 },
	{ "VT", 9, 1 }, { "NH", 10, 1 },
	{ "WA", 0, 2 }, { "ID", 1, 2 }, { "MT", 2, 2 }, { "ND", 3, 2 }, { "MN", 4, 2 }, { "IL", 5, 2 },
	{ "WI", 6, 2 }, { "MI", 7, 2 }, { "NY", 8, 2 }, { "RI", 9, 2 }, { "MA", 10, 2 },
	{ "OR", 0, 3 }, { "NV", 1, 3 }, { "WY", 2, 3 }, { "SD", 3, 3 }, { "IA", 4, 3 }, { "IN", 5, 3 },
	{ "OH", 6, 3 }, { "PA", 7, 3 }, { "NJ", 8, 3 }, { "CT", 9, 3 },
	{ "CA", 0, 4 }, { "UT", 1, 4 }, { "CO", 2, 4 }, { "NE", 3, 4 }, { "MO", 4, 4 }, { "KY", 5, 4 },
	{ "WV", 6, 4 }, { "VA", 7, 4 }, { "MD", 8, 4 }, { "DE", 9, 4 },
	{ "AZ", 1, 5 }, { "NM", 2, 5 }, { "KS", 3, 5 }, { "AR", 4, 5 }, { "TN", 5, 5 }, { "NC", 6, 5 },
	{ "SC", 7, 5 }, { "DC", 8, 5 },
	{ "OK", 3, 6 }, { "LA", 4, 6 }, { "MS", 5, 6 }, { "AL", 6, 6 }, { "GA", 7, 6 },
	{ "HI", 0, 7 }, { "TX", 3, 7 }, { "FL", 8, 7 }, { "PR", 10, 7 },
};
#define NTILES (sizeof(tiles) / sizeof(tiles[0]))
_Static_assert(NTILES == 52, "the 50 states, DC and PR");

/*
 * How each answer is drawn. Paul Tol's high-contrast scheme (dark blue,
 * red, yellow) plus light grey keeps four distinct lightnesses, so the map
 * reads in greyscale and for colour-blind readers; each fill also has its
 * own texture (solid, cross-hatch, stripes, dots), and each tile says its
 * answer in words.
 */
static const struct answer_style {
	const char *pattern;	/* the <pattern> body, 8x8 user units */
	const char *ink, *halo;	/* text colour and the outline that keeps it legible */
} styles[ANSWER_COUNT] = {
	[ANSWER_YES] = { "<rect width=\"8\" height=\"8\" fill=\"#004488\"/>", "#ffffff", "#004488" },
	[ANSWER_NO] = { "<rect width=\"8\" height=\"8\" fill=\"#bb5566\"/>"
			"<path d=\"M0 4H8M4 0V8\" stroke=\"#8a3344\" stroke-width=\"1.2\"/>",
			"#ffffff", "#8a3344" },
	[ANSWER_PARTIAL] = { "<rect width=\"8\" height=\"8\" fill=\"#ddaa33\"/>"
			     "<path d=\"M-2 2L2 -2M0 8L8 0M6 10L10 6\" stroke=\"#b07f10\" stroke-width=\"2\"/>",
			     "#000000", "#ddaa33" },
	[ANSWER_UNKNOWN] = { "<rect width=\"8\" height=\"8\" fill=\"#eeeeee\"/>"
			     "<circle cx=\"4\" cy=\"4\" r=\"1\" fill=\"#999999\"/>",
			     "#222222", "#eeeeee" },
};

#define TILE 44
#define PITCH 48
#define MAP_WIDTH 760
#define GRID_X 20
#define LEGEND_X (GRID_X + 11 * PITCH + 24)

/* Append text with the five XML special characters escaped. */
static void add_xml(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': strbuf_addstr(out, "&amp;"); break;
		case '<': strbuf_addstr(out, "&lt;"); break;
		case '>': strbuf_addstr(out, "&gt;"); break;
		case '"': strbuf_addstr(out, "&quot;"); break;
		case '\'': strbuf_addstr(out, "&apos;"); break;
		default: strbuf_addch(out, *s);
		}
	}
}

/* Lines of `text` wrapped at `width` bytes as <text> elements from (x, y), `step` apart; returns the next y. */
static int add_svg_lines(struct strbuf *out, const char *text, size_t width, int x, int y, int step,
			 const char *attrs)
{
	struct strlist lines = STRLIST_INIT;
	size_t i;

	wrap_lines(text, width, &lines);
	for (i = 0; i < lines.n; i++, y += step) {
		strbuf_addf(out, "<text x=\"%d\" y=\"%d\" %s>", x, y, attrs);
		add_xml(out, lines.items[i]);
		strbuf_addstr(out, "</text>\n");
	}
	if (lines.oom)
		out->oom = 1;
	strlist_release(&lines);
	return y;
}

static void add_tile(struct strbuf *out, const struct tile *t, enum store_answer_value v, int grid_y)
{
	const char *answer = store_answer_name(v), *name = store_jurisdiction_name(t->code);
	const struct answer_style *s = &styles[v];
	int x = GRID_X + t->col * PITCH, y = grid_y + t->row * PITCH, cx = x + TILE / 2;

	strbuf_addf(out, "<g class=\"tile %s\" id=\"tile-%s\" data-state=\"%s\" data-answer=\"%s\">"
			 "<title>%s: %s</title>\n", answer, t->code, t->code, answer, name ? name : t->code, answer);
	strbuf_addf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"4\" fill=\"url(#fill-%s)\" "
			 "stroke=\"#333333\"/>\n", x, y, TILE, TILE, answer);
	strbuf_addf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\" "
			 "fill=\"%s\" stroke=\"%s\" stroke-width=\"3\" paint-order=\"stroke\">%s</text>\n",
		    cx, y + 20, s->ink, s->halo, t->code);
	strbuf_addf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"9\" fill=\"%s\" "
			 "stroke=\"%s\" stroke-width=\"2.5\" paint-order=\"stroke\">%s</text></g>\n",
		    cx, y + 36, s->ink, s->halo, answer);
}

int list_maps(const struct view_ctx *ctx, struct strlist *names)
{
	struct strbuf name = STRBUF_INIT;
	int q;

	(void)ctx;
	for (q = 0; q < STORE_NQUESTIONS; q++) {
		strbuf_reset(&name);
		strbuf_addf(&name, "%s.svg", store_question_id(q));
		strlist_add(names, name.buf);
	}
	if (name.oom)
		names->oom = 1;
	strbuf_release(&name);
	return names->oom ? -ENOMEM : 0;
}

/* maps/QID.svg: the question, or -1. */
static int map_question(const struct view_ctx *ctx)
{
	const char *name = ctx->nargs ? ctx->args[ctx->nargs - 1] : "";
	size_t n = strlen(name);
	int q;

	if (n <= 4 || strcmp(name + n - 4, ".svg"))
		return -1;
	for (q = 0; q < STORE_NQUESTIONS; q++)
		if (strlen(store_question_id(q)) == n - 4 && !strncmp(store_question_id(q), name, n - 4))
			return q;
	return -1;
}

int map_exists(const struct view_ctx *ctx)
{
	return map_question(ctx) < 0 ? -ENOENT : 0;
}

/* The map's legend: a swatch and a count per answer, then what unknown means. */
static void add_legend(struct strbuf *out, const unsigned counts[ANSWER_COUNT], int y)
{
	static const enum store_answer_value order[] = { ANSWER_YES, ANSWER_PARTIAL, ANSWER_NO, ANSWER_UNKNOWN };
	size_t i;

	strbuf_addf(out, "<text x=\"%d\" y=\"%d\" font-size=\"13\" font-weight=\"bold\" fill=\"#111111\">"
			 "Answer: jurisdictions</text>\n", LEGEND_X, y + 12);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *answer = store_answer_name(order[i]);
		int top = y + 26 + (int)i * 40;

		strbuf_addf(out, "<g class=\"legend %s\"><rect x=\"%d\" y=\"%d\" width=\"30\" height=\"30\" rx=\"4\" "
				 "fill=\"url(#fill-%s)\" stroke=\"#333333\"/><text x=\"%d\" y=\"%d\" font-size=\"14\" "
				 "fill=\"#111111\">%s: %u</text></g>\n",
			    answer, LEGEND_X, top, answer, LEGEND_X + 40, top + 20, answer, counts[order[i]]);
	}
	add_svg_lines(out, "unknown: no fact in the inventory decides it. It does not mean no.", 26, LEGEND_X,
		      y + 26 + 4 * 40 + 14, 15, "font-size=\"11\" fill=\"#333333\"");
}

int view_map(const struct view_ctx *ctx, struct strbuf *out)
{
	struct strbuf body = STRBUF_INIT, text = STRBUF_INIT;
	unsigned counts[ANSWER_COUNT] = { 0 };
	struct store_counts c;
	int q = map_question(ctx), y, grid_y, i, rc = 0;
	size_t t;

	if (q < 0)
		return -ENOENT;
	rc = tree_counts(ctx->tree, ctx->date, &c);
	y = add_svg_lines(&body, store_question_text(q), 66, GRID_X, 30, 22,
			  "font-size=\"18\" font-weight=\"bold\" fill=\"#111111\"");
	strbuf_addf(&text, "The answer of each jurisdiction, from the nletsfs inventory as of %s.", ctx->date);
	y = add_svg_lines(&body, text.buf, 100, GRID_X, y, 18, "font-size=\"13\" fill=\"#333333\"");
	grid_y = y;
	for (t = 0; t < NTILES && !rc; t++) {
		const struct store_answer *a;

		rc = tree_answer(ctx->tree, q, store_jurisdiction_find(tiles[t].code), ctx->date, &a);
		if (!rc) {
			counts[a->value]++;
			add_tile(&body, &tiles[t], a->value, grid_y);
		}
	}
	if (rc)
		goto out;
	add_legend(&body, counts, grid_y);

	/* The footer: date, what is not drawn, where the question and the answers come from. */
	strbuf_reset(&text);
	strbuf_addf(&text, "As of %s. Shown: the 50 states, DC and Puerto Rico. Not shown:", ctx->date);
	for (i = 0; i < STORE_NJURISDICTIONS; i++) {
		for (t = 0; t < NTILES && strcmp(tiles[t].code, store_jurisdiction_code(i)); t++)
			;
		if (t == NTILES) /* "Not shown: AS, GU, ..." */
			strbuf_addf(&text, "%s %s", text.buf[text.len - 1] == ':' ? "" : ",",
				    store_jurisdiction_code(i));
	}
	strbuf_addf(&text, " (their answers are in questions/%s/).", store_question_id(q));
	y = add_svg_lines(&body, text.buf, 118, GRID_X, grid_y + 8 * PITCH + 14, 15,
			  "font-size=\"11\" fill=\"#333333\"");
	strbuf_reset(&text);
	strbuf_addf(&text, "Question: National Immigration Law Center, Nlets: Questions and Answers "
			   "(November 2020), p.%s.", store_question_page(q));
	y = add_svg_lines(&body, text.buf, 118, GRID_X, y, 15, "font-size=\"11\" fill=\"#333333\"");
	strbuf_reset(&text);
	strbuf_addf(&text, "Answers: nletsfs rules (docs/questions.md) over the cited facts of this inventory "
			   "(%ld sources, newest %s). Each jurisdiction's basis and sources: "
			   "states/XX/questions/%s.", c.sources, *c.newest_source_date ? c.newest_source_date : "none",
		    store_question_id(q));
	y = add_svg_lines(&body, text.buf, 118, GRID_X, y, 15, "font-size=\"11\" fill=\"#333333\"");

	strbuf_addf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
			 "font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\" role=\"img\" "
			 "aria-labelledby=\"map-title map-desc\">\n<title id=\"map-title\">",
		    MAP_WIDTH, y, MAP_WIDTH, y);
	add_xml(out, store_question_text(q));
	strbuf_addf(out, "</title>\n<desc id=\"map-desc\">Answer of the 50 states, DC and Puerto Rico as of %s: "
			 "yes %u, partial %u, no %u, unknown %u.</desc>\n<defs>\n",
		    ctx->date, counts[ANSWER_YES], counts[ANSWER_PARTIAL], counts[ANSWER_NO], counts[ANSWER_UNKNOWN]);
	for (i = 0; i < ANSWER_UNKNOWN + 1; i++)
		strbuf_addf(out, "<pattern id=\"fill-%s\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\">"
				 "%s</pattern>\n", store_answer_name((enum store_answer_value)i), styles[i].pattern);
	strbuf_addf(out, "</defs>\n<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", MAP_WIDTH, y);
	strbuf_add(out, body.buf, body.len);
	strbuf_addstr(out, "</svg>\n");
	if (body.oom || text.oom)
		rc = -ENOMEM;
out:
	strbuf_release(&body);
	strbuf_release(&text);
	return rc ? rc : strbuf_ok(out);
}
