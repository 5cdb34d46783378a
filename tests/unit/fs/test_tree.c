// SPDX-License-Identifier: GPL-3.0-or-later
/* Unit tests of the route table and path resolution (fs/routes.c, fs/tree.c). */
#include "../testlib.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../../fs/fs.h"
#include "../../../fs/tree.h"
#include "../../../fs/views.h"

static void test_tree__route_table_is_well_formed(void **state)
{
	int i, j;

	(void)state;
	assert_string_equal(tree_routes[0].pattern, "");
	for (i = 1; i < tree_nroutes; i++) {
		const struct route *r = &tree_routes[i];
		const char *last = strrchr(r->pattern, '/');
		size_t plen = (size_t)(last - r->pattern);
		int parent_ok = 0, params = 0;

		assert_non_null(last);
		/* Its parent is a folder of the table. */
		for (j = 0; j < tree_nroutes; j++)
			if (strlen(tree_routes[j].pattern) == plen && !strncmp(tree_routes[j].pattern, r->pattern, plen) &&
			    tree_routes[j].type == NODE_DIR)
				parent_ok = 1;
		assert_true(parent_ok);
		/* A record's route ends in the :param its records fill. */
		if (r->flags & ROUTE_RECORD)
			assert_true(last[1] == ':');
		/* A :param row can list its names; a file can render. */
		if (last[1] == ':')
			assert_non_null(r->list);
		if (r->type != NODE_DIR)
			assert_non_null(r->render);
		/* Unique patterns; at most one :param child per folder. */
		for (j = 0; j < tree_nroutes; j++) {
			const char *other = strrchr(tree_routes[j].pattern, '/');

			if (j == i)
				continue;
			assert_string_not_equal(r->pattern, tree_routes[j].pattern);
			if (last[1] == ':' && other && other[1] == ':' &&
			    (size_t)(other - tree_routes[j].pattern) == plen &&
			    !strncmp(tree_routes[j].pattern, r->pattern, plen))
				params++;
		}
		assert_int_equal(params, 0);
	}
}


/* Resolve and render a path; returns the content or NULL with *rc set. */
static void test_tree__paths_show_the_facts(void **state)
{
	static const struct {
		const char *path, *content;
	} files[] = {
		{ "/states/NY/name", "New York\n" },
		{ "/states/NY/dmv/blocked", "ICE\n" },
		{ "/states/NY/dmv/recipients", "" },
		{ "/states/NY/dmv/sources", "ice-2019 p.18\nqa-2020 p.6\n" },
		{ "/agencies/ICE/blocked_by", "NY/dmv\n" },
		{ "/agencies/ICE/parent", "DHS\n" },
		{ "/agencies/LESC/oris", "VTICE0900\n" },
		{ "/partners/Forensic-Logic/kind", "hosting\n" },
		{ "/partners/Forensic-Logic/name", "Forensic Logic\n" },
		/* A records bundle citing a partner list: one sighting, still listed. */
		{ "/partners/Datamaxx/listed", "2020-10..\n" },
		{ "/transactions/DQ/returns", "address\ndate_of_birth\nlicense_number\nname\nssn\n" },
		{ "/transactions/DQ/max_states", "5\n" },
		{ "/fields/ssn/shared_by", "*/dmv\n" },
		{ "/fields/ssn/returned_by", "DQ\nKQ\n" },
		{ "/fields/ssn/synonyms", "SOC\nsocial security #\n" },
		{ "/flows/e-verify-dl-check/sources", "pia-030g p.5\nqa-2020 p.8\n" },
		{ "/flows/ca-dmv-to-ice/until", "2020-01-01\n" },
		{ "/sources/pia-030g/sha256", NULL },
		{ "/sources/pia-030g/text", "E-Verify sends NLETS the driver's license or state ID number.\n"
					    "NLETS returns the name, address, date of birth and SSN.\n" },
		{ "/sources/qa-2020/note", "Counts: 34 strategic partners\n" },
		/*
		 * The bundle's document is searched and excerpted like any other;
		 * "name" and "address" in prose are ordinary words, not the fields.
		 */
		{ "/sources/pia-030g/excerpts/p1", "names: Nlets; field date_of_birth; field ssn\n\n"
						   "E-Verify sends NLETS the driver's license or state ID number.\n"
						   "NLETS returns the name, address, date of birth and SSN.\n" },
		{ "/fields/ssn/mentioned_in", "pia-030g\n" },
		{ "/fields/date_of_birth/mentioned_in", "pia-030g\n" },
		{ "/agencies/ICE/mentioned_in", "" },
		{ "/search/ssn AND nlets/pia-030g", "../../sources/pia-030g" },
		{ "/states/NY/laws/A3675", "title: Driver's License Access and Privacy Act\nenacted: 2019-06-17\n"
					   "summary: Standard licenses regardless of status; limits disclosure to "
					   "immigration agencies\nsources: qa-2020 p.6\n" },
		{ "/states/NY/participation/blocks-ori", "function: blocks-ori\nvalue: yes\n"
							 "detail: Blocks ICE and CBP by ORI\nas_of: 2019-12-14\n"
							 "sources: ice-2019 p.18; qa-2020 p.6\n" },
	};
	struct test_inventory *f = *state;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *got;

		rc = test_render(f->tree, files[i].path, &got);
		if (rc)
			fprintf(stderr, "%s: %s\n", files[i].path, strerror(-rc));
		assert_int_equal(rc, 0);
		if (files[i].content)
			assert_string_equal(got, files[i].content);
		else
			assert_int_equal(strlen(got), 65);
		free(got);
	}
}

static void test_tree__listings(void **state)
{
	static const struct {
		const char *path, *names;
	} dirs[] = {
		{ "/", "README agencies at changes claims export fields flows imports maps partners questions redactions search "
		       "sources states systems transactions" },
		{ "/states/NY", "dmv laws name participation questions records_request.txt" },
		/* CA's only flow ended on 2020-01-01: today CA shows no system. */
		{ "/states/CA", "laws name participation questions records_request.txt" },
		/* The entity folders list every record whatever its dates. */
		{ "/flows", "ca-dmv-to-ice e-verify-dl-check ny-dmv-blocks-ice ny-dmv-to-ice-before" },
		{ "/sources/pia-030g", "date excerpts kind original.txt redactions sha256 supports text title url" },
		{ "/sources/pia-030g/excerpts", "p1" },
		{ "/export/files", "pia-030g.txt" },
		{ "/agencies/ICE", "blocked_by membership mentioned_in name oris parent receives sources" },
		{ "/search", "" },
		/* Search reads documents and the facts' own words: "sends" is only in pia-030g's text. */
		{ "/search/sends", "pia-030g" },
		{ "/search/nlets", "ice-2019 pia-030g qa-2020" },
		{ "/search/nosuchword", "" },
		{ "/imports", "000001" },
	};
	struct test_inventory *f = *state;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *l = test_ls(f->tree, dirs[i].path);

		assert_string_equal(l, dirs[i].names);
		free(l);
	}
}

static void test_tree__unknown_names(void **state)
{
	static const struct {
		const char *path;
		int rc;
	} cases[] = {
		{ "/nosuch", -ENOENT }, { "/states/ZZ", -ENOENT }, { "/states/ny", -ENOENT },
		{ "/states/NY/nosuch", -ENOENT }, { "/states/CA/dmv", -ENOENT }, { "/agencies/NOBODY", -ENOENT },
		{ "/agencies/ICE/quote", -ENOENT }, { "/sources/qa-2020/sha256", -ENOENT },
		{ "/sources/qa-2020/original.txt", -ENOENT }, { "/README/x", -ENOTDIR },
		{ "/export/nosuch.csv", -ENOENT }, { "/flows/e-verify-dl-check/until", -ENOENT },
		{ "/questions/nosuch", -ENOENT }, { "/questions/ssn/maybe", -ENOENT },
		{ "/states/NY/questions/nosuch", -ENOENT }, { "/states/ZZ/questions/ssn", -ENOENT },
		{ "/maps/ssn", -ENOENT }, { "/maps/nosuch.svg", -ENOENT }, { "/maps/.svg", -ENOENT },
		/* A query FTS5 cannot parse is no folder; neither is a hit it does not give. */
		{ "/search/AND (", -ENOENT }, { "/search/\"unterminated", -ENOENT },
		{ "/search/sends/qa-2020", -ENOENT }, { "/sources/pia-030g/excerpts/p2", -ENOENT },
		{ "/sources/pia-030g/excerpts/p01", -ENOENT }, { "/sources/qa-2020/excerpts", -ENOENT },
		{ "/sources/pia-030g/member", -ENOENT }, { "/imports/000002", -ENOENT }, { "/imports/1", -ENOENT }, { "/imports/0000001", -ENOENT },
	};
	struct test_inventory *f = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tree_node n;
		int rc = tree_resolve(f->tree, cases[i].path, &n);

		if (rc != cases[i].rc)
			fprintf(stderr, "%s: got %d\n", cases[i].path, rc);
		assert_int_equal(rc, cases[i].rc);
	}
}

/* ---- past days: nothing under at/D dangles ---------------------------------- */

/* How the lines of a file name things (expect_refs). */
enum ref {
	REF_SOURCE,		/* "SOURCE p.PAGE", or a bare source id */
	REF_FIELD,
	REF_TRANSACTION,
	REF_RECIPIENT,		/* an agency or partner id, or "*" (every member) */
	REF_SYSTEM,		/* "XX/SYSTEM" (XX may be "*"), or an agency id (a flow's from) */
	REF_STATE,		/* a jurisdiction code */
	REF_PATH,		/* a path of the tree */
};

static void expect_path(struct test_inventory *f, const char *day, const char *path, const char *named_by)
{
	struct strbuf full = STRBUF_INIT;
	struct tree_node n;
	int rc;

	strbuf_addf(&full, "/.at/%s/%s", day, path);
	rc = tree_resolve(f->tree, full.buf, &n);
	if (rc)
		fprintf(stderr, "%s names %s: %s\n", named_by, full.buf, strerror(-rc));
	assert_int_equal(rc, 0);
	tree_node_release(&n);
	strbuf_release(&full);
}

/* The record `id` of `kind` is a folder of at/DAY/ (its slug, under the kind's folder). */
static void expect_entity(struct test_inventory *f, const char *day, enum record_kind kind, const char *id,
			  const char *named_by)
{
	struct strbuf slug = STRBUF_INIT, path = STRBUF_INIT;
	int rc = store_slug_of(f->st, kind, id, &slug);

	if (rc)
		fprintf(stderr, "%s names %s %s, which the inventory lacks\n", named_by,
			store_record_desc(kind)->name, id);
	assert_int_equal(rc, 0);
	strbuf_addf(&path, "%s/%s", store_record_desc(kind)->name, slug.buf);
	expect_path(f, day, path.buf, named_by);
	strbuf_release(&slug);
	strbuf_release(&path);
}

static void expect_ref(struct test_inventory *f, const char *day, enum ref how, const char *v, const char *named_by)
{
	struct record r;
	const char *slash = strchr(v, '/');
	char *id = strndup(v, strcspn(v, " "));

	assert_non_null(id);
	switch (how) {
	case REF_SOURCE:
		expect_entity(f, day, REC_SOURCES, id, named_by);
		break;
	case REF_FIELD:
		expect_entity(f, day, REC_FIELDS, v, named_by);
		break;
	case REF_TRANSACTION:
		expect_entity(f, day, REC_TRANSACTIONS, v, named_by);
		break;
	case REF_RECIPIENT:
		if (!strcmp(v, "*"))
			break;
		if (store_get_by_id(f->st, REC_AGENCIES, &v, &r) == 0) {
			record_release(&r);
			expect_entity(f, day, REC_AGENCIES, v, named_by);
		} else {
			expect_entity(f, day, REC_PARTNERS, v, named_by);
		}
		break;
	case REF_SYSTEM:
		if (!slash) {
			expect_entity(f, day, REC_AGENCIES, v, named_by);
			break;
		}
		expect_entity(f, day, REC_SYSTEMS, slash + 1, named_by);
		if (slash - v == 2 && isupper((unsigned char)v[0])) {
			struct strbuf slug = STRBUF_INIT, path = STRBUF_INIT;

			assert_int_equal(store_slug_of(f->st, REC_SYSTEMS, slash + 1, &slug), 0);
			strbuf_addf(&path, "states/%.2s/%s", v, slug.buf);
			expect_path(f, day, path.buf, named_by);
			strbuf_release(&slug);
			strbuf_release(&path);
		}
		break;
	case REF_STATE: {
		struct strbuf path = STRBUF_INIT;

		strbuf_addf(&path, "states/%s", v);
		expect_path(f, day, path.buf, named_by);
		strbuf_release(&path);
		break;
	}
	case REF_PATH:
		expect_path(f, day, v, named_by);
		break;
	}
	free(id);
}

/*
 * Every line of at/DAY/PATH (or, for "key: value" files, of the value of
 * `key`, split at "; ") names something present under at/DAY/. An absent
 * file names nothing.
 */
static void expect_refs(struct test_inventory *f, const char *day, const char *path, const char *key, enum ref how)
{
	struct strbuf full = STRBUF_INIT;
	char *body, *line, *save = NULL;
	int rc;

	strbuf_addf(&full, "/.at/%s/%s", day, path);
	rc = test_render(f->tree, full.buf, &body);
	if (rc == -ENOENT) {
		strbuf_release(&full);
		return;
	}
	assert_int_equal(rc, 0);
	for (line = strtok_r(body, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *item, *isave = NULL;

		if (key) {
			size_t n = strlen(key);

			if (strncmp(line, key, n) || strncmp(line + n, ": ", 2))
				continue;
			line += n + 2;
			if (!strcmp(line, "none")) /* a question no source answers */
				continue;
		}
		for (item = strtok_r(line, ";", &isave); item; item = strtok_r(NULL, ";", &isave)) {
			while (*item == ' ')
				item++;
			expect_ref(f, day, how, item, full.buf);
		}
	}
	free(body);
	strbuf_release(&full);
}

/* Each name of the folder at/DAY/PATH, for a loop. */
static void list_at(struct test_inventory *f, const char *day, const char *path, struct strlist *names)
{
	struct strbuf full = STRBUF_INIT;
	struct tree_node n;

	strbuf_addf(&full, "/.at/%s/%s", day, path);
	assert_int_equal(tree_resolve(f->tree, full.buf, &n), 0);
	assert_int_equal(tree_list(f->tree, &n, names), 0);
	tree_node_release(&n);
	strbuf_release(&full);
}

/* The file FILE of every folder at/DAY/PARENT/X (FILE NULL: every file X): its lines name what `how` says. */
static void expect_refs_each(struct test_inventory *f, const char *day, const char *parent, const char *file,
			     const char *key, enum ref how)
{
	struct strlist names = STRLIST_INIT;
	struct strbuf path = STRBUF_INIT;
	size_t i;

	list_at(f, day, parent, &names);
	for (i = 0; i < names.n; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s%s%s", parent, names.items[i], file ? "/" : "", file ? file : "");
		expect_refs(f, day, path.buf, key, how);
	}
	strlist_release(&names);
	strbuf_release(&path);
}

static void expect_day_whole(struct test_inventory *f, const char *day)
{
	static const struct {
		const char *parent, *file, *key;
		enum ref how;
	} refs[] = {
		/* What a fact that holds on the day names: a flow's every end. */
		{ "flows", "from", NULL, REF_SYSTEM },
		{ "flows", "to", NULL, REF_RECIPIENT },
		{ "flows", "transaction", NULL, REF_TRANSACTION },
		{ "flows", "fields", NULL, REF_FIELD },
		{ "flows", "sources", NULL, REF_SOURCE },
		/* And the lists that relate records on the day. */
		{ "agencies", "receives", NULL, REF_SYSTEM },
		{ "agencies", "blocked_by", NULL, REF_SYSTEM },
		{ "agencies", "parent", NULL, REF_RECIPIENT },
		{ "agencies", "sources", NULL, REF_SOURCE },
		{ "agencies", "mentioned_in", NULL, REF_SOURCE },
		{ "partners", "sources", NULL, REF_SOURCE },
		{ "transactions", "states", NULL, REF_STATE },
		{ "transactions", "returns", NULL, REF_FIELD },
		{ "transactions", "sources", NULL, REF_SOURCE },
		{ "fields", "shared_by", NULL, REF_SYSTEM },
		{ "fields", "returned_by", NULL, REF_TRANSACTION },
		{ "fields", "mentioned_in", NULL, REF_SOURCE },
		{ "sources", "supports", NULL, REF_PATH },
	};
	struct strlist states = STRLIST_INIT;
	struct strbuf path = STRBUF_INIT;
	size_t i, j, k;

	for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++)
		expect_refs_each(f, day, refs[i].parent, refs[i].file, refs[i].key, refs[i].how);
	list_at(f, day, "states", &states);
	for (i = 0; i < states.n; i++) {
		static const struct {
			const char *file;
			enum ref how;
		} sys[] = {
			{ "shared_fields", REF_FIELD }, { "transactions", REF_TRANSACTION },
			{ "recipients", REF_RECIPIENT }, { "blocked", REF_RECIPIENT }, { "sources", REF_SOURCE },
		};
		struct strlist systems = STRLIST_INIT;

		strbuf_reset(&path);
		strbuf_addf(&path, "states/%s", states.items[i]);
		list_at(f, day, path.buf, &systems);
		for (j = 0; j < systems.n; j++) {
			struct strbuf sp = STRBUF_INIT;
			struct tree_node n;

			strbuf_addf(&sp, "/.at/%s/states/%s/%s", day, states.items[i], systems.items[j]);
			assert_int_equal(tree_resolve(f->tree, sp.buf, &n), 0);
			if (!strcmp(n.route->pattern, "/states/:state/:system"))
				for (k = 0; k < sizeof(sys) / sizeof(sys[0]); k++) {
					strbuf_reset(&sp);
					strbuf_addf(&sp, "states/%s/%s/%s", states.items[i], systems.items[j],
						    sys[k].file);
					expect_refs(f, day, sp.buf, NULL, sys[k].how);
				}
			tree_node_release(&n);
			strbuf_release(&sp);
		}
		strlist_release(&systems);
		strbuf_reset(&path);
		strbuf_addf(&path, "states/%s/laws", states.items[i]);
		expect_refs_each(f, day, path.buf, NULL, "sources", REF_SOURCE);
		strbuf_reset(&path);
		strbuf_addf(&path, "states/%s/participation", states.items[i]);
		expect_refs_each(f, day, path.buf, NULL, "sources", REF_SOURCE);
		strbuf_reset(&path);
		strbuf_addf(&path, "states/%s/questions", states.items[i]);
		expect_refs_each(f, day, path.buf, NULL, "sources", REF_SOURCE);
	}
	strlist_release(&states);
	strbuf_release(&path);
}

static void expect_list(struct test_inventory *f, const char *day, const char *path, const char *names)
{
	struct strbuf full = STRBUF_INIT;
	char *got;

	strbuf_addf(&full, "/.at/%s/%s", day, path);
	got = test_ls(f->tree, full.buf);
	assert_string_equal(got, names);
	free(got);
	strbuf_release(&full);
}

static void expect_cat(struct test_inventory *f, const char *day, const char *path, const char *content)
{
	struct strbuf full = STRBUF_INIT;
	char *got;
	int rc;

	strbuf_addf(&full, "/.at/%s/%s", day, path);
	rc = test_render(f->tree, full.buf, &got);
	if (rc)
		fprintf(stderr, "%s: %s\n", full.buf, strerror(-rc));
	assert_int_equal(rc, 0);
	assert_string_equal(got, content);
	free(got);
	strbuf_release(&full);
}

/*
 * SPEC section 2: an entity referenced by a fact that holds on a day is
 * present under at/DAY/; entities have no valid time of their own. The
 * fixture's flow ca-dmv-to-ice holds from 2014 and names ICE, DQ and
 * qa-2020, which no source dates before 2020-11.
 */
static void test_tree__past_days_do_not_dangle(void **state)
{
	struct test_inventory *f = *state;
	const struct strlist *days = tree_change_dates(f->tree);
	char before[11], day[11];
	size_t i;

	assert_true(days->n > 0);
	assert_int_equal(tree_canonical_date(f->tree, "1000-01-01", before), 0);
	expect_day_whole(f, before);
	for (i = 0; i < days->n; i++)
		expect_day_whole(f, days->items[i]);

	/* The day the issue named: the flow holds, and so its ends are there. */
	assert_int_equal(tree_canonical_date(f->tree, "2014-06-01", day), 0);
	expect_list(f, day, "agencies", "DHS ICE LESC USCIS");
	expect_list(f, day, "transactions", "DQ KQ");
	expect_list(f, day, "sources", "ice-2019 list-2020 pia-030g qa-2020");
	expect_cat(f, day, "agencies/ICE/receives", "CA/dmv\nNY/dmv\n");
	/* Entities are the same on every day; facts are not. */
	expect_list(f, before, "agencies", "DHS ICE LESC USCIS");
	expect_list(f, before, "partners", "Datamaxx Forensic-Logic");
	expect_list(f, before, "flows", "");
	expect_cat(f, before, "agencies/ICE/receives", "");
	expect_cat(f, before, "agencies/ICE/name", "U.S. Immigration and Customs Enforcement\n");
	/* A partner's listing is dated: the list of 2020-10 named Datamaxx. */
	expect_cat(f, before, "partners/Datamaxx/listed", "");
	expect_cat(f, "2020-10-01", "partners/Datamaxx/listed", "2020-10..\n");
}

/*
 * `changes` follows each file of at/DAY/ the way its route declares: a
 * relation list by its facts' days (ROUTE_SPANS), the rest by what moves
 * it (MOVED_*). A route added without saying would be missed: none is.
 */
static void test_tree__every_file_says_how_it_moves(void **state)
{
	int i, answers = 0;

	(void)state;
	for (i = 0; i < tree_nroutes; i++) {
		const struct route *r = &tree_routes[i];

		if (r->type != NODE_FILE || (r->flags & ROUTE_NOT_IN_AT))
			continue;
		if (!(r->flags & ROUTE_SPANS) && !r->moves)
			fail_msg("%s: no ROUTE_SPANS and no MOVED_*", r->pattern);
		if ((r->flags & ROUTE_SPANS) && r->moves)
			fail_msg("%s: both ROUTE_SPANS and MOVED_*", r->pattern);
		answers += !!(r->moves & MOVED_BY_ANSWERS);
		if (r->moves & MOVED_WITH_ANSWERS)
			assert_non_null(r->column);
	}
	assert_int_equal(answers, 1);
}

/* Names a record may not take come from the route table: the fixed names beside its folder. */
static void test_tree__reserved_names_from_the_routes(void **state)
{
	static const char *const taken[] = { "name", "laws", "participation", "questions", "records_request.txt" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(taken) / sizeof(taken[0]); i++)
		assert_int_equal(fs_name_reserved(REC_SYSTEMS, taken[i]), 1);
	assert_int_equal(fs_name_reserved(REC_SYSTEMS, "dmv"), 0);
	/* A fixed name elsewhere (at/latest, export/files) reserves nothing for a source or a flow. */
	assert_int_equal(fs_name_reserved(REC_SOURCES, "latest"), 0);
	assert_int_equal(fs_name_reserved(REC_SOURCES, "files"), 0);
	assert_int_equal(fs_name_reserved(REC_FLOWS, "name"), 0);
}

/* The spans of one relation, gathered as "PATH\tLINE\tSINCE\tUNTIL" (fs/spans.c makes the paths the same way). */
struct gathered {
	const struct route *route;
	struct strlist rows;
	struct tree *tree;
};

static int gather_span(void *arg, const char *a, const char *b, const char *line, const char *since,
		       const char *until)
{
	struct gathered *g = arg;
	struct strbuf row = STRBUF_INIT;
	const char *args[3] = { a, b ? b : line, b ? line : NULL }, *p = g->route->pattern + 1;
	int used = 0;

	if (g->route->type != NODE_DIR)
		args[b ? 2 : 1] = NULL;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (row.len)
			strbuf_addch(&row, '/');
		if (*p == ':')
			strbuf_addstr(&row, args[used++]);
		else
			strbuf_add(&row, p, n);
		p += n + (p[n] == '/');
	}
	if (g->route->flags & ROUTE_RECORD_LINES) { /* a record reference: shown as its path */
		struct strbuf ref = STRBUF_INIT;

		assert_int_equal(tree_record_path(g->tree, line, &ref), 0);
		strbuf_addf(&row, "\t%s\t%s\t%s", ref.buf, since ? since : "", until ? until : "~");
		strbuf_release(&ref);
		strlist_add(&g->rows, row.buf);
		strbuf_release(&row);
		return 0;
	}
	strbuf_addf(&row, "\t%s\t%s\t%s", g->route->type == NODE_DIR ? "" : line, since ? since : "",
		    until ? until : "~");
	strlist_add(&g->rows, row.buf);
	strbuf_release(&row);
	return 0;
}

/*
 * fs/spans.c takes the relation lists' changes from store_relation_spans()
 * alone, so its rows must say exactly what store_relation() shows: on every
 * day, each list (and each state's system folders) is the lines of the
 * spans that hold that day. And a route showing a relation that has spans
 * must say so (ROUTE_SPANS), or `changes` would not follow it.
 */
static void test_tree__relation_spans_are_the_lists(void **state)
{
	struct test_inventory *f = *state;
	const struct strlist *days = tree_change_dates(f->tree);
	struct strlist all_days = STRLIST_INIT;
	char before[11];
	size_t d, i;
	int r, checked = 0;

	assert_int_equal(tree_canonical_date(f->tree, "1000-01-01", before), 0);
	strlist_add(&all_days, before);
	for (i = 0; i < days->n; i++)
		strlist_add(&all_days, days->items[i]);
	for (r = 0; r < tree_nroutes; r++) {
		const struct route *route = &tree_routes[r];
		struct gathered g = { route, STRLIST_INIT, f->tree };
		int shows = route->render == view_record_relation || route->render == view_state_system ||
			    route->list == list_state_systems;
		int rc = shows ? store_relation_spans(f->st, route->rel, gather_span, &g) : -EINVAL;

		if (rc == -EINVAL) {
			assert_false(route->flags & ROUTE_SPANS);
			strlist_release(&g.rows);
			continue;
		}
		assert_int_equal(rc, 0);
		if (!(route->flags & ROUTE_SPANS))
			fail_msg("%s shows a relation with spans but is not ROUTE_SPANS", route->pattern);
		strlist_sort_uniq(&g.rows);
		for (d = 0; d < all_days.n; d++) {
			const char *day = all_days.items[d];
			struct strbuf want = STRBUF_INIT, full = STRBUF_INIT;
			char *path = NULL, *last = NULL;

			/* Rows come sorted by path, then line: one list after another. */
			for (i = 0; i <= g.rows.n; i++) {
				char *row = i < g.rows.n ? g.rows.items[i] : NULL;
				char *tab = row ? strchr(row, '\t') : NULL;

				if (!row || !path || strncmp(row, path, strlen(path)) || row[strlen(path)] != '\t') {
					if (path) {
						char *got;
						int crc;

						strbuf_reset(&full);
						strbuf_addf(&full, "/.at/%s/%s", day, path);
						if (route->type == NODE_DIR) {
							/* A folder's span: it is there that day iff some span holds. */
							struct tree_node n;

							crc = tree_resolve(f->tree, full.buf, &n);
							if (!crc)
								tree_node_release(&n);
							if ((crc == 0) != (want.len > 0))
								fail_msg("%s: there %d, spans say %d", full.buf, crc == 0,
									 want.len > 0);
						} else {
							crc = test_render(f->tree, full.buf, &got);
							if (crc == 0 && strcmp(got, want.buf))
								fail_msg("%s: [%s], spans say [%s]", full.buf, got, want.buf);
							assert_true(crc == 0 || (crc == -ENOENT && !want.len));
							free(got);
						}
						checked++;
					}
					free(path);
					free(last);
					last = NULL;
					path = row ? strndup(row, (size_t)(tab - row)) : NULL;
					strbuf_reset(&want);
				}
				if (row) {
					char *line = tab + 1, *since = strchr(line, '\t') + 1, *until = strchr(since, '\t') + 1;
					size_t lline = (size_t)(since - 1 - line), lsince = (size_t)(until - 1 - since);
					char sbuf[16] = "", line_buf[512];

					snprintf(sbuf, sizeof(sbuf), "%.*s", (int)lsince, since);
					snprintf(line_buf, sizeof(line_buf), "%.*s", (int)lline, line);
					if (strcmp(sbuf, day) <= 0 && (!strcmp(until, "~") || strcmp(until, day) > 0)) {
						/* Several facts give one line: rows are sorted, so they are adjacent. */
						if (route->type == NODE_DIR)
							strbuf_addch(&want, '+');
						else if (!last || strcmp(last, line_buf)) {
							strbuf_addf(&want, "%s\n", line_buf);
							free(last);
							last = strdup(line_buf);
						}
					}
				}
			}
			strbuf_release(&want);
			strbuf_release(&full);
		}
		strlist_release(&g.rows);
	}
	assert_true(checked > 0);
	strlist_release(&all_days);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree__route_table_is_well_formed),
		cmocka_unit_test(test_tree__every_file_says_how_it_moves),
		cmocka_unit_test(test_tree__reserved_names_from_the_routes),
		WITH_INVENTORY(test_tree__paths_show_the_facts),
		WITH_INVENTORY(test_tree__listings),
		WITH_INVENTORY(test_tree__unknown_names),
		WITH_INVENTORY(test_tree__past_days_do_not_dangle),
		WITH_INVENTORY(test_tree__relation_spans_are_the_lists),
	};

	return cmocka_run_group_tests_name("tree", tests, NULL, NULL);
}
