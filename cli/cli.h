/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Private to cli/: the commands of nletsfs(1), one file each. */
#ifndef NLETSFS_CLI_H
#define NLETSFS_CLI_H

#include <stdio.h>

/* Exit statuses of every command (SPEC section 5). */
#define EXIT_DONE 0
#define EXIT_BAD_DATA 1
#define EXIT_USAGE 2

int cmd_import(int argc, char **argv);
int cmd_mount(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_diff(int argc, char **argv);

/** The inventory path: --db, else $NLETSFS_DB, else ./inventory.db. */
const char *cli_db_path(const char *opt);
/**
 * Parse the options of a command that takes only --db FILE and --help.
 * Returns -1 to go on (operands start at optind), or the exit status to
 * return at once (after printing help, or a usage error).
 */
int cli_parse_db_options(int argc, char **argv, const char *cmd, void (*help)(void), const char **db_opt);
/** Print "nletsfs CMD: " + message to stderr and return EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
