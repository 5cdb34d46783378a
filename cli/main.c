// SPDX-License-Identifier: GPL-3.0-or-later
/* nletsfs(1): dispatch to the commands (cli/cli.c holds what they share). */
#include <stdlib.h>
#include <string.h>

#include "../util/cleanup.h"
#include "cli.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "import", cmd_import, "import records bundles (CSV files) and documents (PDF, HTML, text, archives)" },
	{ "mount", cmd_mount, "mount an inventory as a read-only filesystem" },
	{ "export", cmd_export, "write the inventory as a records bundle" },
	{ "check", cmd_check, "check the inventory's integrity and citations" },
	{ "diff", cmd_diff, "what changed between two days" },
	{ "materialize", cmd_materialize, "write the tree as plain files, without FUSE" },
	{ "keygen", cmd_keygen, "make an Ed25519 key pair for signing bundles" },
	{ "pack", cmd_pack, "write the inventory as one signed bundle" },
	{ "verify", cmd_verify, "check a signed bundle against a public key" },
	{ "pull", cmd_pull, "fetch a signed bundle by URL, verified and cached" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"usage: nletsfs COMMAND [OPTIONS] ...\n"
		"       nletsfs INVENTORY MOUNTPOINT [-o OPTIONS]   (as mount.fuse3 calls it)\n"
		"\n"
		"An inventory of what flows through Nlets, each fact with its source, shown as\n"
		"a read-only filesystem.\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\n"
		"The inventory is --db FILE, else $NLETSFS_DB, else ./inventory.db.\n"
		"`nletsfs COMMAND --help` tells more; so does nletsfs(1).\n"
		"Exit status: 0 done, 1 bad data or failed check, 2 usage.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_DONE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return cli_version();
	/*
	 * A signal leaves no temporary file of a command behind (util/cleanup.h).
	 * The mount guards only while it fetches its source: its daemon's
	 * signals are libfuse's, which takes them only where they are untouched.
	 */
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name)) {
			if (commands[i].run != cmd_mount)
				cleanup_guard();
			return commands[i].run(argc - 1, argv + 1);
		}
	/* mount.fuse3 runs "nletsfs SOURCE MOUNTPOINT -o OPTIONS": a mount. */
	if (argc >= 3 && argv[1][0] != '-') {
		char **margv = calloc((size_t)argc + 3, sizeof(*margv));
		int j, n = 0, rc;

		if (!margv)
			return EXIT_BAD_DATA;
		margv[n++] = (char *)"mount";
		margv[n++] = (char *)"--db";
		margv[n++] = argv[1];
		for (j = 2; j < argc; j++)
			margv[n++] = argv[j];
		rc = cmd_mount(n, margv);
		free(margv);
		return rc;
	}
	cli_say_line("nletsfs: unknown command: ", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
