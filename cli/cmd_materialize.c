// SPDX-License-Identifier: GPL-3.0-or-later
/* nletsfs materialize: the mounted tree, written as plain files. */
#include <getopt.h>
#include <stdio.h>

#include "../fs/fs.h"
#include "../store/store.h"
#include "cli.h"

static void help(void)
{
	printf("usage: nletsfs materialize [--db FILE | BUNDLE.nlb] [--at DATE] DIR\n"
	       "\n"
	       "Write the tree the mount shows into DIR as plain files, folders and links,\n"
	       "without FUSE: for macOS, Windows and CI, and for publishing an inventory in a\n"
	       "git repository. `diff -r` against the mount is clean; at/ and search/ are left\n"
	       "out. DIR is created; an existing DIR must be empty but for dot-files (such as\n"
	       ".git). A signed bundle is checked as by `nletsfs mount`.\n"
	       "\n"
	       "  --db FILE        the inventory (a database or a bundle)\n"
	       "  --at DATE        the tree as at/DATE/ shows it (YYYY-MM-DD)\n"
	       "  --trust PUB.pem  the public key a bundle must be signed with\n"
	       "  --no-verify      read a bundle without checking its signature (warns)\n"
	       "  -h, --help       this text\n"
	       "  -V, --version    the version\n");
}

int cmd_materialize(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "at", required_argument, NULL, 'a' },
		{ "trust", required_argument, NULL, 'T' },
		{ "no-verify", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		CLI_VERSION_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	struct strbuf err = STRBUF_INIT;
	struct cli_source src = { 0 };
	struct store *st = NULL;
	const char *db_opt = NULL, *at = NULL, *trust = NULL;
	int c, no_verify = 0, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'D':
			db_opt = optarg;
			break;
		case 'a':
			at = optarg;
			break;
		case 'T':
			trust = optarg;
			break;
		case 'N':
			no_verify = 1;
			break;
		case 'h':
			help();
			return EXIT_DONE;
		case 'V':
			return cli_version();
		default:
			return cli_usage_error("materialize", "bad option");
		}
	}
	if (argc - optind == 2 && !db_opt)
		db_opt = argv[optind++];
	else if (argc - optind != 1)
		return cli_usage_error("materialize", "give one DIR to write the tree into");
	if (at && !store_date_full(at))
		return cli_usage_error("materialize", "--at %s: give a date as YYYY-MM-DD", at);
	status = cli_source_prepare("materialize", cli_db_path(db_opt), trust, no_verify, &src);
	if (status != EXIT_DONE)
		goto out;
	if (store_open(src.db, STORE_READONLY | src.store_flags, &st, &err)) {
		cli_say("materialize", "%s", err.buf);
		status = EXIT_BAD_DATA;
		goto out;
	}
	cli_source_release(&src); /* the open store keeps reading the private copy */
	if (fs_materialize(st, at, argv[optind], &err)) {
		cli_say("materialize", "%s", err.buf);
		status = EXIT_BAD_DATA;
	}
out:
	store_close(st);
	cli_source_release(&src);
	strbuf_release(&err);
	return status;
}
