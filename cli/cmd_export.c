// SPDX-License-Identifier: GPL-3.0-or-later
/* nletsfs export: the inventory as a records bundle. */
#include <stdio.h>
#include <unistd.h>

#include "../importers/importers.h"
#include "cli.h"

static void help(void)
{
	printf("usage: nletsfs export [--db FILE] DIR\n"
	       "\n"
	       "Write the inventory as a records bundle into DIR (created if missing): one\n"
	       "CSV file per record kind and files/ with the stored documents. Importing it\n"
	       "into an empty inventory and exporting again gives the same bytes.\n"
	       "\n"
	       "  --db FILE     the inventory\n"
	       "  -h, --help    this text\n"
	       "  -V, --version the version\n");
}

int cmd_export(int argc, char **argv)
{
	const char *db_opt = NULL;
	struct strbuf err = STRBUF_INIT;
	struct store *st = NULL;
	int c, status = EXIT_DONE;

	c = cli_parse_db_options(argc, argv, "export", help, &db_opt);
	if (c >= 0)
		return c;
	if (argc - optind != 1)
		return cli_usage_error("export", "give one DIR to write the bundle into");
	if (store_open(cli_db_path(db_opt), STORE_READONLY, &st, &err) ||
	    export_write(st, argv[optind], &err)) {
		cli_say("export", "%s", err.len ? err.buf : "failed");
		status = EXIT_BAD_DATA;
	}
	store_close(st);
	strbuf_release(&err);
	return status;
}
