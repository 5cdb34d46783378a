// SPDX-License-Identifier: GPL-3.0-or-later
/* nletsfs diff: what changed between two days. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../fs/fs.h"
#include "../store/store.h"
#include "cli.h"

static void help(void)
{
	printf("usage: nletsfs diff [--db FILE] [--format text|csv|json] FROM TO [PATH-PREFIX]\n"
	       "\n"
	       "Print what changed in the tree between the days FROM and TO (YYYY-MM-DD):\n"
	       "the lines `diff -r at/FROM at/TO` shows in a mounted inventory, one per line\n"
	       "as DATE<TAB>+|-<TAB>PATH<TAB>LINE, where DATE is TO. PATH-PREFIX keeps only\n"
	       "paths under it, e.g. states/ or states/NY/dmv.\n"
	       "\n"
	       "  --db FILE       the inventory\n"
	       "  --format F      text (the default), csv (date,op,path,line) or json\n"
	       "  -h, --help      this text\n"
	       "\n"
	       "Example: which states began blocking ICE in 2025?\n"
	       "  nletsfs diff 2025-01-01 2026-01-01 states/ | grep /blocked\n");
}

int cmd_diff(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum fs_diff_format format = FS_DIFF_TEXT;
	const char *db_opt = NULL, *prefix = "";
	struct strbuf err = STRBUF_INIT;
	int c, n, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'D':
			db_opt = optarg;
			break;
		case 'F':
			if (!strcmp(optarg, "text"))
				format = FS_DIFF_TEXT;
			else if (!strcmp(optarg, "csv"))
				format = FS_DIFF_CSV;
			else if (!strcmp(optarg, "json"))
				format = FS_DIFF_JSON;
			else
				return cli_usage_error("diff", "--format %s: use text, csv or json", optarg);
			break;
		case 'h':
			help();
			return EXIT_DONE;
		default:
			return cli_usage_error("diff", "bad option");
		}
	}
	n = argc - optind;
	if (n != 2 && n != 3)
		return cli_usage_error("diff", "give FROM and TO, and optionally a PATH-PREFIX");
	for (c = 0; c < 2; c++)
		if (!store_date_full(argv[optind + c]))
			return cli_usage_error("diff", "'%s' is not a date (YYYY-MM-DD)", argv[optind + c]);
	if (n == 3) {
		prefix = argv[optind + 2];
		while (*prefix == '/')
			prefix++;
	}
	rc = fs_diff(cli_db_path(db_opt), argv[optind], argv[optind + 1], prefix, format, stdout, &err);
	if (rc) {
		cli_say("diff", "%s", err.buf);
		strbuf_release(&err);
		return EXIT_BAD_DATA;
	}
	strbuf_release(&err);
	return EXIT_DONE;
}
