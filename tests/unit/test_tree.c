// SPDX-License-Identifier: GPL-3.0-or-later
/* Unit tests of the route table and path resolution (fs/routes.c, fs/tree.c). */
#include "testlib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../fs/tree.h"

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
static char *cat(struct test_inventory *f, const char *path, int *rc)
{
	struct tree_node n;
	struct strbuf sb = STRBUF_INIT;

	*rc = tree_resolve(&f->tree, path, &n);
	if (*rc)
		return NULL;
	*rc = tree_render(&f->tree, &n, &sb);
	tree_node_release(&n);
	if (*rc) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

static char *ls(struct test_inventory *f, const char *path)
{
	struct tree_node n;
	struct strlist names = STRLIST_INIT;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	assert_int_equal(tree_resolve(&f->tree, path, &n), 0);
	assert_int_equal(tree_list(&f->tree, &n, &names), 0);
	for (i = 0; i < names.n; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", names.items[i]);
	strlist_release(&names);
	tree_node_release(&n);
	return strbuf_detach(&sb, NULL);
}

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
		/* The bundle's document is searched and excerpted like any other. */
		{ "/sources/pia-030g/excerpts/p1", "names: Nlets; field address; field date_of_birth; field name; field ssn\n\n"
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
		char *got = cat(f, files[i].path, &rc);

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
		{ "/", "README agencies at changes export fields flows imports maps partners questions redactions search "
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
		{ "/search/nlets", "pia-030g" },
		{ "/search/nosuchword", "" },
		{ "/imports", "1" },
	};
	struct test_inventory *f = *state;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *l = ls(f, dirs[i].path);

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
		{ "/search/nlets/qa-2020", -ENOENT }, { "/sources/pia-030g/excerpts/p2", -ENOENT },
		{ "/sources/pia-030g/excerpts/p01", -ENOENT }, { "/sources/qa-2020/excerpts", -ENOENT },
		{ "/sources/pia-030g/member", -ENOENT }, { "/imports/2", -ENOENT }, { "/imports/01", -ENOENT },
	};
	struct test_inventory *f = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tree_node n;
		int rc = tree_resolve(&f->tree, cases[i].path, &n);

		if (rc != cases[i].rc)
			fprintf(stderr, "%s: got %d\n", cases[i].path, rc);
		assert_int_equal(rc, cases[i].rc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree__route_table_is_well_formed),
		WITH_INVENTORY(test_tree__paths_show_the_facts),
		WITH_INVENTORY(test_tree__listings),
		WITH_INVENTORY(test_tree__unknown_names),
	};

	return cmocka_run_group_tests_name("tree", tests, NULL, NULL);
}
