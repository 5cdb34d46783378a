// SPDX-License-Identifier: GPL-3.0-or-later
/* nletsfs import: records bundles into an inventory, all or nothing. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../importers/importers.h"
#include "cli.h"

static void help(void)
{
	printf("usage: nletsfs import [--db FILE] [--kind records] [--dry-run] PATH...\n"
	       "\n"
	       "Import records bundles: folders, or archives (tar, tar.gz, tar.xz, zip, 7z),\n"
	       "of the CSV files described in docs/format.md. Every cell is checked; each\n"
	       "problem is reported as FILE:LINE:COLUMN: error: MESSAGE, and then nothing is\n"
	       "imported. All PATHs land in one transaction, or none does. Importing the same\n"
	       "bundle again changes nothing.\n"
	       "\n"
	       "  --db FILE     the inventory (created when missing)\n"
	       "  --kind KIND   what PATH holds: records (the default and, for now, the only kind)\n"
	       "  --dry-run     check only; write nothing\n"
	       "  -h, --help    this text\n"
	       "\n"
	       "Exit status: 0 imported, 1 bad data (nothing imported), 2 usage.\n");
}

static void progress(void *arg, const char *file, long rows)
{
	(void)arg;
	fprintf(stderr, "  %s: %ld row%s\n", file, rows, rows == 1 ? "" : "s");
}

/* A system failure; a full disk is the user's to fix, so it names the inventory plainly. */
static void report_failure(const char *db, int rc, const struct strbuf *err)
{
	if (rc == -ENOSPC)
		fprintf(stderr, "nletsfs import: cannot write the inventory %s: %s (%s); nothing was imported\n",
			db, strerror(ENOSPC), err->len ? err->buf : "database or disk is full");
	else
		fprintf(stderr, "nletsfs import: %s\n", err->len ? err->buf : "failed");
}

int cmd_import(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "kind", required_argument, NULL, 'k' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db_opt = NULL, *db;
	struct import_report rep = { 0 };
	struct strbuf err = STRBUF_INIT;
	struct store *st = NULL;
	struct stat sb;
	unsigned flags = 0;
	int c, rc, status = EXIT_DONE, k;
	long total = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+hn", longopts, NULL)) != -1) {
		switch (c) {
		case 'D':
			db_opt = optarg;
			break;
		case 'k':
			if (strcmp(optarg, "records"))
				return cli_usage_error("import", "--kind %s: this nletsfs imports records bundles only",
						       optarg);
			break;
		case 'n':
			flags |= IMPORT_DRY_RUN;
			break;
		case 'h':
			help();
			return EXIT_DONE;
		default:
			return cli_usage_error("import", "bad option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("import", "give at least one PATH to import");
	db = cli_db_path(db_opt);
	/* A dry run never creates the inventory it was pointed at. */
	if ((flags & IMPORT_DRY_RUN) && stat(db, &sb) != 0)
		db = ":memory:";
	rc = store_open(db, STORE_CREATE, &st, &err);
	if (rc) {
		report_failure(db, rc, &err);
		status = EXIT_BAD_DATA;
		goto out;
	}
	if (isatty(STDERR_FILENO))
		rep.progress = progress;
	rc = import_records(st, (const char *const *)argv + optind, (size_t)(argc - optind), flags, &rep, &err);
	import_report_print(&rep, stderr);
	if (rc < 0 || (rc && err.len)) {
		report_failure(db, rc, &err);
		status = EXIT_BAD_DATA;
	} else if (rc) {
		fprintf(stderr, "nletsfs import: %zu error%s; nothing was imported\n", rep.nerrors,
			rep.nerrors == 1 ? "" : "s");
		status = EXIT_BAD_DATA;
	} else {
		for (k = 0; k < REC_COUNT; k++)
			total += rep.rows[k];
		if (isatty(STDERR_FILENO))
			fprintf(stderr, "nletsfs import: %s %ld rows, %ld documents%s\n",
				(flags & IMPORT_DRY_RUN) ? "checked" : "imported", total, rep.documents,
				(flags & IMPORT_DRY_RUN) ? " (dry run: nothing written)" : "");
	}
out:
	import_report_release(&rep);
	store_close(st);
	strbuf_release(&err);
	return status;
}
