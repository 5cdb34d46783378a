/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Private to cli/: the commands of nletsfs(1), one file each. */
#ifndef NLETSFS_CLI_H
#define NLETSFS_CLI_H

#include <stdio.h>

#include "../net/net.h"

/* Exit statuses of every command (SPEC section 5). */
#define EXIT_DONE 0
#define EXIT_BAD_DATA 1
#define EXIT_USAGE 2

int cmd_import(int argc, char **argv);
int cmd_mount(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_pack(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_materialize(int argc, char **argv);
int cmd_pull(int argc, char **argv);

/** The inventory path: --db, else $NLETSFS_DB, else ./inventory.db. */
const char *cli_db_path(const char *opt);
/**
 * Parse the options of a command that takes only --db FILE and --help.
 * Returns -1 to go on (operands start at optind), or the exit status to
 * return at once (after printing help, or a usage error).
 */
int cli_parse_db_options(int argc, char **argv, const char *cmd, void (*help)(void), const char **db_opt);
/** PREFIX then MESSAGE on stderr, one line: the message may quote input (an id, a path), so it is escaped. */
void cli_say_line(const char *prefix, const char *msg);
/**
 * Print "nletsfs CMD: MESSAGE" to stderr, one line: the message is escaped
 * (util/escape.h), since it may quote a name from input.
 */
void cli_say(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/**
 * A failure `rc` with its message: a data error (-EBADMSG, -EINVAL: the
 * message reads FILE: error: MESSAGE) is printed as it is, escaped; any
 * other as cli_say() does.
 */
void cli_say_failure(const char *cmd, int rc, const char *msg);
/* Every command takes --version (and -V) as the top level does. */
#define CLI_VERSION_OPTION { "version", no_argument, NULL, 'V' }
/** Print "nletsfs VERSION" and return EXIT_DONE. */
int cli_version(void);
/** cli_say(), then a hint at --help; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Where an inventory is read from (cli/source.c): a database file as it is,
 * or a signed bundle (found by its content, whatever its name) whose
 * database is checked and extracted to a private temporary file.
 */
struct cli_source {
	const char *db;		/* the file to store_open() */
	unsigned store_flags;	/* STORE_IMMUTABLE for a bundle's database */
	char *tmp;		/* the extracted copy, removed by cli_source_release() */
};

/**
 * Prepare the inventory `path` for command `cmd`. A bundle needs `trust`
 * (a public key's PEM file) or `no_verify` (which prints a warning); a
 * database refuses `trust`, having no signature. Returns EXIT_DONE, or the
 * exit status after printing why not (EXIT_USAGE when neither --trust nor
 * --no-verify was given for a bundle, EXIT_BAD_DATA for a bundle that fails
 * its checks). Release `out` in every case.
 */
int cli_source_prepare(const char *cmd, const char *path, const char *trust, int no_verify, struct cli_source *out);
/** Remove the extracted copy (an open store keeps reading it) and free it. */
void cli_source_release(struct cli_source *s);

/*
 * What a failed command must not leave behind (cli/leftovers.c): the
 * inventory it created, or the -wal, -shm and -journal files an open
 * created beside it.
 */
#define CLI_FILES_N 4	/* the database, -wal, -shm, -journal */
/** What SQLite may put beside a database, appended to its name: "" (itself), "-wal", "-shm", "-journal". */
extern const char *const cli_db_suffixes[CLI_FILES_N];
struct cli_files {
	const char *db;
	int existed[CLI_FILES_N];
};
/** Note which of the inventory's files exist, before a command opens it. */
void cli_files_note(const char *db, struct cli_files *f);
/**
 * After a failure, with the inventory closed: remove the files that did
 * not exist when noted, unless another process holds a lock on one of them
 * or a new -wal beside an old database holds data. `:memory:` is ignored.
 */
void cli_files_restore(const struct cli_files *f);
/* A bundle fetched by URL (cli/subscribe.c): the options mount and pull share. */
#define CLI_REFRESH_DEFAULT 3600u
struct cli_net {
	struct strbuf refresh, cacert, max_size, timeout, cache;
	int allow_http;
};
#define CLI_NET_INIT { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, 0 }
/** Take one -o item (p, n bytes) when it is one of these: 1 taken, 0 not. */
int cli_net_option(const char *p, size_t n, struct cli_net *c);
/**
 * The options' values into `o` (and the refresh interval, when `refresh`
 * is not NULL). Returns -1 to go on, or EXIT_USAGE after saying what is
 * wrong. `o` borrows `c`'s strings.
 */
int cli_net_finish(const char *cmd, const struct cli_net *c, struct net_sub_options *o, unsigned *refresh);
void cli_net_release(struct cli_net *c);

#endif
