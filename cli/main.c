// SPDX-License-Identifier: GPL-3.0-or-later
/* nletsfs(1): dispatch to the commands. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../util/escape.h"
#include "cli.h"

#ifndef NLETSFS_VERSION
#define NLETSFS_VERSION "0"
#endif

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

const char *cli_db_path(const char *opt)
{
	const char *env = getenv("NLETSFS_DB");

	if (opt)
		return opt;
	return env && *env ? env : "inventory.db";
}

/* PREFIX then MESSAGE, one line: the message may quote input (an id, a path), so it is escaped. */
static void say_line(const char *prefix, const char *msg)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, prefix);
	escape_addstr(&sb, msg ? msg : "out of memory");
	fprintf(stderr, "%s\n", sb.buf);
	strbuf_release(&sb);
}

static void vsay(const char *cmd, const char *fmt, va_list ap)
{
	char *prefix = NULL, *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	if (asprintf(&prefix, "nletsfs %s: ", cmd) < 0)
		prefix = NULL;
	say_line(prefix ? prefix : "nletsfs: ", msg);
	free(prefix);
	free(msg);
}

void cli_say(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(cmd, fmt, ap);
	va_end(ap);
}

void cli_say_failure(const char *cmd, int rc, const char *msg)
{
	if (rc == -EBADMSG || rc == -EINVAL)
		say_line("", msg); /* FILE: error: MESSAGE, as the data error it is */
	else
		cli_say(cmd, "%s", msg);
}

int cli_version(void)
{
	printf("nletsfs %s\n", NLETSFS_VERSION);
	return EXIT_DONE;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(cmd, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'nletsfs %s --help'.\n", cmd);
	return EXIT_USAGE;
}

int cli_parse_db_options(int argc, char **argv, const char *cmd, void (*help)(void), const char **db_opt)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		CLI_VERSION_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		if (c == 'D') {
			*db_opt = optarg;
		} else if (c == 'h') {
			help();
			return EXIT_DONE;
		} else if (c == 'V') {
			return cli_version();
		} else {
			return cli_usage_error(cmd, "bad option");
		}
	}
	return -1;
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
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
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
	say_line("nletsfs: unknown command: ", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
