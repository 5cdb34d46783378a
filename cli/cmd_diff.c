// SPDX-License-Identifier: GPL-3.0-or-later
/* nletsfs diff: what changed between two days. */
#include <errno.h>
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
	       "       nletsfs diff [--db FILE] --by-state [--format text|csv] FROM TO [states/XX]\n"
	       "\n"
	       "Print what changed in the tree between the days FROM and TO (YYYY-MM-DD):\n"
	       "the lines `diff -r at/FROM at/TO` shows in a mounted inventory, one per line\n"
	       "as DATE<TAB>+|-<TAB>PATH<TAB>LINE, where DATE is TO. PATH-PREFIX keeps only\n"
	       "that file or folder, in whole path components inside the tree: states/NY\n"
	       "or states/NY/dmv (not states/NY/dm, not mnt/states/NY). A PATH-PREFIX that\n"
	       "names nothing in the tree is an error.\n"
	       "\n"
	       "  --db FILE       the inventory\n"
	       "  --format F      text (the default), csv (date,op,path,line) or json\n"
	       "  --by-state      each state's participation in sentences (\"NY: dmv began\n"
	       "                  blocking ICE\"), or with --format csv as state,system,what,\n"
	       "                  change,item: its systems' fields, recipients, blocks and\n"
	       "                  message types, participation, laws and checklist answers\n"
	       "  -h, --help      this text\n"
	       "  -V, --version   the version\n"
	       "\n"
	       "Exit status, as diff(1): 0 no changes, 1 changes, 2 trouble (a usage error,\n"
	       "an inventory that cannot be read).\n"
	       "\n"
	       "Examples:\n"
	       "  nletsfs diff 2025-01-01 2026-01-01 states/ | grep /blocked\n"
	       "  nletsfs diff --by-state 2019-01-01 2024-01-01\n");
}

/* diff(1): trouble is 2, whatever it was. */
#define EXIT_TROUBLE 2

int cmd_diff(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "format", required_argument, NULL, 'F' },
		{ "by-state", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		CLI_VERSION_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	enum fs_diff_format format = FS_DIFF_TEXT;
	const char *db_opt = NULL, *fmt = "text";
	struct strbuf err = STRBUF_INIT, prefix = STRBUF_INIT;
	int c, n, rc, by_state = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'D':
			db_opt = optarg;
			break;
		case 'F':
			fmt = optarg;
			break;
		case 'S':
			by_state = 1;
			break;
		case 'h':
			help();
			return EXIT_DONE;
		case 'V':
			return cli_version();
		default:
			return cli_usage_error("diff", "bad option");
		}
	}
	if (!strcmp(fmt, "text"))
		format = by_state ? FS_DIFF_STATES_TEXT : FS_DIFF_TEXT;
	else if (!strcmp(fmt, "csv"))
		format = by_state ? FS_DIFF_STATES_CSV : FS_DIFF_CSV;
	else if (!strcmp(fmt, "json") && !by_state)
		format = FS_DIFF_JSON;
	else
		return cli_usage_error("diff", "--format %s: use %s", fmt, by_state ? "text or csv" : "text, csv or json");
	n = argc - optind;
	if (n != 2 && n != 3)
		return cli_usage_error("diff", "give FROM and TO, and optionally a PATH-PREFIX");
	for (c = 0; c < 2; c++)
		if (!store_date_full(argv[optind + c]))
			return cli_usage_error("diff", "'%s' is not a date (YYYY-MM-DD)", argv[optind + c]);
	/* The prefix as path components: no leading, trailing or doubled '/'. */
	for (const char *p = n == 3 ? argv[optind + 2] : by_state ? "states" : ""; *p; p++)
		if (*p != '/' || (prefix.len && p[1] && p[1] != '/'))
			strbuf_addch(&prefix, *p);
	if (strbuf_ok(&prefix)) {
		rc = -ENOMEM;
		goto out;
	}
	if (by_state && strcmp(prefix.buf, "states") && strncmp(prefix.buf, "states/", 7)) {
		rc = cli_usage_error("diff", "--by-state takes a PATH-PREFIX under states/, such as states/NY");
		goto out;
	}
	rc = fs_diff(cli_db_path(db_opt), argv[optind], argv[optind + 1], prefix.len ? prefix.buf : "", format,
		     stdout, &err);
	if (rc < 0) {
		cli_say("diff", "%s", err.len ? err.buf : strerror(-rc));
		rc = EXIT_TROUBLE;
	}
out:
	strbuf_release(&err);
	strbuf_release(&prefix);
	return rc < 0 ? EXIT_TROUBLE : rc;
}
