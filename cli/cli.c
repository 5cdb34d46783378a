// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * What the commands of nletsfs(1) share: where the inventory is, how a
 * command speaks (one escaped line on stderr), --version, and the options
 * of a command that takes only --db. main.c dispatches to the commands;
 * they call here, and nothing here calls back.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "../util/escape.h"
#include "../util/strbuf.h"
#include "cli.h"

#ifndef NLETSFS_VERSION
#define NLETSFS_VERSION "0"
#endif

const char *cli_db_path(const char *opt)
{
	const char *env = getenv("NLETSFS_DB");

	if (opt)
		return opt;
	return env && *env ? env : "inventory.db";
}

void cli_say_line(const char *prefix, const char *msg)
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
	cli_say_line(prefix ? prefix : "nletsfs: ", msg);
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
		cli_say_line("", msg); /* FILE: error: MESSAGE, as the data error it is */
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
