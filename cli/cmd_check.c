// SPDX-License-Identifier: GPL-3.0-or-later
/* nletsfs check: integrity, foreign keys, and a source for every fact. */
#include <stdio.h>
#include <unistd.h>

#include "../store/store.h"
#include "cli.h"

static void help(void)
{
	printf("usage: nletsfs check [--db FILE]\n"
	       "\n"
	       "Check the inventory: SQLite's integrity check, every reference (foreign\n"
	       "keys), and that every fact cites a source that exists. Prints a report;\n"
	       "exits 1 when anything is wrong.\n"
	       "\n"
	       "  --db FILE     the inventory\n"
	       "  -h, --help    this text\n"
	       "  -V, --version the version\n");
}

int cmd_check(int argc, char **argv)
{
	const char *db_opt = NULL, *db;
	struct strbuf err = STRBUF_INIT, report = STRBUF_INIT;
	struct store *st = NULL;
	int c, problems, status = EXIT_DONE;

	c = cli_parse_db_options(argc, argv, "check", help, &db_opt);
	if (c >= 0)
		return c;
	if (optind != argc)
		return cli_usage_error("check", "unexpected argument '%s'", argv[optind]);
	db = cli_db_path(db_opt);
	if (store_open(db, STORE_READONLY, &st, &err)) {
		cli_say("check", "%s", err.buf);
		status = EXIT_BAD_DATA;
		goto out;
	}
	problems = store_check(st, &report);
	fputs(report.buf, stdout);
	if (problems) {
		printf("%s: %d problem%s\n", db, problems < 0 ? 1 : problems, problems == 1 ? "" : "s");
		status = EXIT_BAD_DATA;
	} else {
		printf("%s: ok (integrity, references, every fact has a source)\n", db);
	}
out:
	store_close(st);
	strbuf_release(&err);
	strbuf_release(&report);
	return status;
}
