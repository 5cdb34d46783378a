// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Every validation error of the records importer, one fixture line each.
 * Each case replaces one file of the small fixture bundle, imports it into
 * an inventory that already holds the fixture, and checks the exact
 * FILE:LINE:COLUMN of the error, its message, and that the inventory is
 * exactly as before.
 */
#include "../testlib.h"
#include "../../../fs/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FLOWS_H "id,from,to,via,transaction,fields,status,conditions,since,until,source,page,quote\n"
#define AGENCIES_H "id,name,parent,membership,oris,source,page,quote\n"

static const struct error_case {
	const char *file;
	const char *content;
	const char *where;	/* "LINE:COL" */
	const char *message;	/* a part of the message */
} cases[] = {
	/* header */
	{ "flows.csv", "id,from,to,via,status,source,colour\nf,NY/dmv,ICE,Nlets,allowed,qa-2020,red\n",
	  "1:30", "unknown column 'colour'" },
	{ "agencies.csv", "id,source\nX,qa-2020\n", "1:1", "missing required column 'name'" },
	{ "agencies.csv", "id,name,name,source\nX,Y,Z,qa-2020\n", "1:9", "duplicate column 'name'" },
	{ "flows.csv", "", "1:1", "empty file" },
	/* cells */
	{ "agencies.csv", AGENCIES_H "X,,,,,qa-2020,3,\n", "2:3", "name: a value is required" },
	{ "flows.csv", FLOWS_H "f,NY/dmv,ICE,Nlets,DQ,,allowed,,2019-02-29,,qa-2020,,\n", "2:33",
	  "since: invalid date '2019-02-29'" },
	{ "flows.csv", FLOWS_H "f,NY/dmv,ICE,Nlets,DQ,,maybe,,,,qa-2020,,\n", "2:24",
	  "status: 'maybe' is not one of: allowed, blocked, conditional, reported" },
	{ "sources.csv", "id,title,kind,date\ns,T,blog,2020\n", "2:5", "kind: 'blog' is not one of" },
	{ "fields.csv", "id,name,synonyms\nf,F,a;;b\n", "2:5", "synonyms: empty item in a ';' list" },
	{ "fields.csv", "id,name,synonyms\nf,F,SOC;ssn;SOC\n", "2:13", "synonyms: duplicate item 'SOC'" },
	{ "laws.csv", "state,id,title,source\nXX,L,T,qa-2020\n", "2:1", "state: unknown jurisdiction code 'XX'" },
	{ "flows.csv", FLOWS_H "f,NY/nosuch,ICE,Nlets,,,allowed,,,,qa-2020,,\n", "2:6",
	  "from: unknown system 'nosuch'" },
	{ "flows.csv", FLOWS_H "f,ZZ/dmv,ICE,Nlets,,,allowed,,,,qa-2020,,\n", "2:3",
	  "from: unknown jurisdiction code 'ZZ'" },
	{ "flows.csv", FLOWS_H "f,NOBODY,ICE,Nlets,,,allowed,,,,qa-2020,,\n", "2:3",
	  "from: 'NOBODY' is neither XX/SYSTEM nor a known agency or partner id" },
	{ "flows.csv", FLOWS_H "f,NY/dmv,NOBODY,Nlets,,,allowed,,,,qa-2020,,\n", "2:10",
	  "to: unknown agency or partner 'NOBODY'" },
	{ "flows.csv", FLOWS_H "f,NY/dmv,ICE,Nlets,ZZQ,,allowed,,,,qa-2020,,\n", "2:20",
	  "transaction: unknown transaction 'ZZQ'" },
	{ "flows.csv", FLOWS_H "f,NY/dmv,ICE,Nlets,,ssn;nosuch,allowed,,,,qa-2020,,\n", "2:25",
	  "fields: unknown field 'nosuch'" },
	{ "transactions.csv", "key,name,returns,source\nZQ,Z,nosuch,qa-2020\n", "2:6",
	  "returns: unknown field 'nosuch'" },
	{ "agencies.csv", AGENCIES_H "X,Y,,,,nosuch,,\n", "2:8", "source: unknown source 'nosuch'" },
	{ "agencies.csv", AGENCIES_H "X,Y,NOSUCH,,,qa-2020,,\n", "2:5", "parent: unknown agency 'NOSUCH'" },
	{ "agencies.csv", AGENCIES_H "X,Y,ICE/,,,qa-2020,,\n", "2:5", "parent: id 'ICE/' has a ';' or '/'" },
	{ "agencies.csv", AGENCIES_H "X,Y,,boss,,qa-2020,,\n", "2:6", "membership: 'boss' is not one of" },
	{ "agencies.csv", AGENCIES_H "X,Y,,,,qa-2020;ice-2019,3,\n", "2:25",
	  "page: 1 page(s) for 2 source(s)" },
	{ "agencies.csv", AGENCIES_H "X,Y,,,,qa-2020,p 3,\n", "2:16", "page: bad page 'p 3'" },
	{ "transactions.csv", "key,name,max_states,source\nZQ,Z,0,qa-2020\n", "2:6",
	  "max_states: '0' is not a whole number from 1 to 56" },
	{ "participation.csv", "state,function,as_of,value,source\nNY,Blocks ORI,2020,yes,qa-2020\n", "2:4",
	  "function: 'Blocks ORI' must be lower-case" },
	{ "participation.csv", "state,function,as_of,value,source\nNY,blocks-ori,2020,maybe,qa-2020\n", "2:20",
	  "value: 'maybe' is not one of: yes, no, partial, unknown" },
	{ "claims.csv", "id,subject,claim,source\nc,NOBODY,C,qa-2020\n", "2:3",
	  "subject: unknown agency or partner 'NOBODY'" },
	{ "claims.csv", "id,subject,claim,as_of,source\nc,ICE,C,2025-13,qa-2020\n", "2:9",
	  "as_of: invalid date '2025-13'" },
	{ "claims.csv", "id,subject,source\nc,ICE,qa-2020\n", "1:1", "missing required column 'claim'" },
	{ "agencies.csv", AGENCIES_H "A;B,Y,,,,qa-2020,,\n", "2:1", "id: id 'A;B' has a ';' or '/'" },
	{ "systems.csv", "id,name\nlaws,Laws\n", "2:1", "id: 'laws' is a name the tree already shows where its folder would go" },
	{ "agencies.csv", AGENCIES_H "X,Y,,,,qa-2020,,\nX,Z,,,,qa-2020,,\n", "3:1", "duplicate id 'X' in this file" },
	{ "laws.csv", "state,id,title,source\nNY,L,T,qa-2020\nNY,L,U,qa-2020\n", "3:1", "duplicate key 'NY/L'" },
	{ "sources.csv", "id,title,kind,date,file\ns,T,pia,2020,files/missing.pdf\n", "2:14",
	  "file: no file 'files/missing.pdf' in the bundle" },
	{ "sources.csv", "id,title,kind,date,file\ns,T,pia,2020,../etc/passwd\n", "2:14",
	  "file: '../etc/passwd' must be a relative path without '..'" },
	{ "flows.csv", FLOWS_H "f,NY/dmv,ICE,Nlets\n", "2:1", "row has 4 cells, the header has 13" },
	{ "flows.csv", FLOWS_H "f,NY/dmv,ICE,\"Nlets\n", "2:14", "unterminated quoted cell" },
	{ "flows.csv", FLOWS_H "f,NY/dmv,ICE,Nl\xe9ts,,,allowed,,,,qa-2020,,\n", "2:16", "invalid UTF-8" },
	{ "bogus.csv", "a\n1\n", "1:1", "unknown file" },
};

/* The error at `where` in `file` must be in the report. */
static int has_error(const struct import_report *rep, const char *dir, const struct error_case *c)
{
	char *want = NULL;
	size_t i;
	int found = 0;

	assert_true(asprintf(&want, "%s/%s:%s", dir, c->file, c->where) > 0);
	for (i = 0; i < rep->nerrors; i++) {
		char *got = NULL;

		assert_true(asprintf(&got, "%s:%u:%u", rep->errors[i].file, rep->errors[i].line, rep->errors[i].col) > 0);
		if (!strcmp(got, want) && strstr(rep->errors[i].message, c->message))
			found = 1;
		free(got);
	}
	if (!found) {
		fprintf(stderr, "wanted %s: error: %s\ngot:\n", want, c->message);
		import_report_print(rep, stderr);
	}
	free(want);
	return found;
}

static void test_importer__every_error_is_reported_and_nothing_lands(void **state)
{
	struct store *st = test_store_new();
	char *base = test_tmpdir(), *before;
	size_t i;

	(void)state;
	test_copy_fixture("small", base);
	test_import_ok(st, base);
	before = test_snapshot(st);
	int failures = 0;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *dir = test_tmpdir(), *after;
		struct import_report rep = { 0 };
		struct strbuf err = STRBUF_INIT;
		const char *paths[1] = { dir };

		test_copy_fixture("small", dir);
		test_write(dir, cases[i].file, cases[i].content);
		/* As `nletsfs import` calls it: names the tree reserves are refused. */
		assert_int_equal(import_paths(st, &(struct import_options){ .kind = "records", .name_taken = fs_name_reserved },
					      paths, 1, &rep, &err), 1);
		failures += !has_error(&rep, dir, &cases[i]);
		after = test_snapshot(st);
		assert_string_equal(before, after);
		free(after);
		import_report_release(&rep);
		strbuf_release(&err);
		test_rmtree(dir);
		free(dir);
	}
	assert_int_equal(failures, 0);
	free(before);
	test_rmtree(base);
	free(base);
	store_close(st);
}

static void test_importer__all_errors_of_a_file(void **state)
{
	struct store *st = test_store_new();
	char *dir = test_tmpdir();
	struct import_report rep = { 0 };
	struct strbuf err = STRBUF_INIT;
	const char *paths[1] = { dir };

	(void)state;
	test_copy_fixture("small", dir);
	test_write(dir, "flows.csv",
		   FLOWS_H "a,NY/dmv,ICE,Nlets,,,maybe,,,,qa-2020,,\n"
			   "b,NY/dmv,ICE,Nlets,,,allowed,,2019-13,,qa-2020,,\n"
			   "c,NY/dmv,ICE,Nlets,,,allowed,,,,nosuch,,\n");
	assert_int_equal(import_records(st, paths, 1, 0, &rep, &err), 1);
	assert_int_equal(rep.nerrors, 3);
	assert_int_equal(rep.errors[0].line, 2);
	assert_int_equal(rep.errors[1].line, 3);
	assert_int_equal(rep.errors[2].line, 4);
	import_report_release(&rep);
	strbuf_release(&err);
	test_rmtree(dir);
	free(dir);
	store_close(st);
}

static void test_importer__reimport_changes_nothing_and_dry_run_writes_nothing(void **state)
{
	struct store *st = test_store_new();
	char *dir = test_tmpdir(), *empty, *once, *twice;
	struct import_report rep = { 0 };
	struct strbuf err = STRBUF_INIT;
	const char *paths[1] = { dir };

	(void)state;
	test_copy_fixture("small", dir);
	empty = test_snapshot(st);
	assert_int_equal(import_records(st, paths, 1, IMPORT_DRY_RUN, &rep, &err), 0);
	once = test_snapshot(st);
	assert_string_equal(empty, once);
	free(once);
	test_import_ok(st, dir);
	once = test_snapshot(st);
	assert_string_not_equal(empty, once);
	test_import_ok(st, dir);
	twice = test_snapshot(st);
	assert_string_equal(once, twice);
	assert_int_equal(rep.rows[REC_FLOWS], 4);
	assert_int_equal(rep.documents, 1);
	free(empty);
	free(once);
	free(twice);
	import_report_release(&rep);
	strbuf_release(&err);
	test_rmtree(dir);
	free(dir);
	store_close(st);
}

/* Sources and pages are stored in one form, so a re-import finds them equal. */
static void test_importer__citations_in_one_form(void **state)
{
	struct store *st = test_store_new();
	char *dir = test_tmpdir(), *once, *twice;

	(void)state;
	test_copy_fixture("small", dir);
	test_write(dir, "partners.csv", "id,name,kind,source,page\nP,Q,hosting,qa-2020 ;   ice-2019,- ; -\n");
	test_import_ok(st, dir);
	once = test_snapshot(st);
	assert_non_null(strstr(once, "\nP,Q,hosting,,,qa-2020;ice-2019,,\n"));
	test_import_ok(st, dir);
	twice = test_snapshot(st);
	assert_string_equal(once, twice);
	free(once);
	free(twice);
	test_rmtree(dir);
	free(dir);
	store_close(st);
}

static void test_importer__archives(void **state)
{
	struct store *st = test_store_new();
	char *dir = test_tmpdir(), *cmd = NULL, *tgz = NULL, *zip = NULL, *snap_dir, *snap;
	const char *paths[1];
	struct import_report rep = { 0 };
	struct strbuf err = STRBUF_INIT;

	(void)state;
	test_copy_fixture("small", dir);
	test_import_ok(st, dir);
	snap_dir = test_snapshot(st);
	store_close(st);
	assert_true(asprintf(&tgz, "%s.tar.gz", dir) > 0);
	assert_true(asprintf(&zip, "%s.zip", dir) > 0);
	assert_true(asprintf(&cmd, "tar -C %s -czf %s . && cd %s && zip -qr %s .", dir, tgz, dir, zip) > 0);
	assert_int_equal(system(cmd), 0);
	paths[0] = tgz;
	st = test_store_new();
	assert_int_equal(import_records(st, paths, 1, 0, &rep, &err), 0);
	snap = test_snapshot(st);
	assert_string_equal(snap, snap_dir);
	free(snap);
	store_close(st);
	paths[0] = zip;
	st = test_store_new();
	assert_int_equal(import_records(st, paths, 1, 0, &rep, &err), 0);
	snap = test_snapshot(st);
	assert_string_equal(snap, snap_dir);
	free(snap);
	/* A corrupt archive is refused whole. */
	test_write(dir, "../corrupt.tar.gz", "\x1f\x8b\x08\x00 this is not gzip");
	free(cmd);
	assert_true(asprintf(&cmd, "%s/../corrupt.tar.gz", dir) > 0);
	paths[0] = cmd;
	strbuf_reset(&err);
	import_report_release(&rep);
	/* A data error of the archive (FILE: error: MESSAGE), not a failure of the system. */
	assert_int_equal(import_records(st, paths, 1, 0, &rep, &err), 1);
	assert_int_equal(rep.nerrors, 1);
	assert_string_equal(rep.errors[0].file, cmd);
	assert_non_null(strstr(rep.errors[0].message, "cannot read as a folder or an archive"));
	unlink(cmd);
	unlink(tgz);
	unlink(zip);
	free(snap_dir);
	free(cmd);
	free(tgz);
	free(zip);
	import_report_release(&rep);
	strbuf_release(&err);
	test_rmtree(dir);
	free(dir);
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_importer__every_error_is_reported_and_nothing_lands),
		cmocka_unit_test(test_importer__all_errors_of_a_file),
		cmocka_unit_test(test_importer__reimport_changes_nothing_and_dry_run_writes_nothing),
		cmocka_unit_test(test_importer__citations_in_one_form),
		cmocka_unit_test(test_importer__archives),
	};

	return cmocka_run_group_tests_name("importer", tests, NULL, NULL);
}
