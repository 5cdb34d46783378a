/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fs: the inventory as a read-only filesystem. This header is the whole
 * public face of fs/; nothing outside this folder knows FUSE exists.
 */
#ifndef NLETSFS_FS_H
#define NLETSFS_FS_H

#include <stdint.h>
#include <stdio.h>

#include "../util/strbuf.h"

struct store;

/**
 * A subscription (issue: a bundle fetched by URL, kept current): the daemon
 * calls `check` every `interval` seconds (0: only on SIGHUP) and on SIGHUP,
 * in a thread of its own. `check` returns 1 with `*db` set (malloc'd) to a
 * new, verified database file to serve instead of the mounted one, 0 when
 * there is nothing new, or a negative errno with a message in `err` (logged;
 * the mount keeps serving what it had). After a new database is served,
 * `changed` (optional) is told its path. A private copy (unlink_db) is
 * unlinked once opened, like the first. The first check comes at once, so
 * a mount started from a cached copy catches up without waiting.
 *
 * `status` (optional) writes what is served and how the last check went;
 * the mount shows it as .nletsfs/status, read anew after every check.
 * `cancel` (optional), called from another thread as the mount ends, makes
 * a check in progress (a download) return soon.
 */
struct fs_refresh {
	unsigned interval;
	int (*check)(void *arg, char **db, struct strbuf *err);
	void (*changed)(void *arg, const char *db);
	int (*status)(void *arg, struct strbuf *out);
	void (*cancel)(void *arg);
	void *arg;
};

struct fs_mount_options {
	const char *db;		/* inventory file */
	unsigned store_flags;	/* more store_open() flags: STORE_IMMUTABLE for a bundle's database */
	int unlink_db;		/* `db` is a private copy: unlink it as soon as it is open */
	const char *source;	/* what the mount table shows as the source; NULL: db */
	const char *mountpoint;
	int foreground;		/* -f: stay in the foreground */
	int debug;		/* -d: libfuse debug log (implies foreground) */
	const char *options;	/* -o list, passed to the mount after ro,default_permissions */
	int push_pages;		/* store listed files in the page cache ahead of reads (-o no_push_pages: not) */
	int latency_hold;	/* -o latency_hold: keep the host's idle CPUs polling during walks */
	uint64_t max_inodes;	/* -o max_inodes=N: inodes the kernel may hold (0: no bound) */
	int list_ahead;		/* -o list_ahead: list the folders a walk is about to enter */
	/*
	 * -o read_ahead_kb=N: the mount's read-ahead window, set once the mount
	 * is up where the daemon may (root); 0: the kernel's (128 KiB). The
	 * default is FS_READ_AHEAD_KB_DEFAULT; read_ahead_given says the user
	 * asked, and is told when it cannot be done.
	 */
	unsigned read_ahead_kb;
	int read_ahead_given;
	/*
	 * -o inval_names: where the kernel forgets everything it holds (a new
	 * day, forget_all), tell it each name, as a kernel before 6.16 needs,
	 * instead of all at once.
	 */
	int inval_names;
	/*
	 * -o forget_all: after an import, the kernel forgets everything it
	 * holds, not only what the import changed (fs/forget.h).
	 */
	int forget_all;
	const struct fs_refresh *refresh;	/* a subscription's, or NULL */
};

/* max_inodes by default: about 110 MB of the daemon's memory; a tree of 100,000 flows fits whole. */
#define FS_MAX_INODES_DEFAULT 1000000
/* The least max_inodes may be (but 0): the folders a walk is inside must fit. */
#define FS_MAX_INODES_MIN 1000
/* read_ahead_kb by default (KiB): the largest READ libfuse takes, 256 pages. */
#define FS_READ_AHEAD_KB_DEFAULT 1024
/* The least and the most read_ahead_kb may be (KiB), but 0. */
#define FS_READ_AHEAD_KB_MIN 4
#define FS_READ_AHEAD_KB_MAX 65536

/**
 * Mount the inventory and serve it until unmounted (fusermount3 -u, umount,
 * or SIGINT/SIGTERM). The mount point must be an empty folder that is not a
 * mount point already. Returns 0 after a clean unmount, or a negative errno
 * with a message in `err` when the mount point or the inventory will not do
 * or the mount fails. In the background, errors after the fork go to syslog.
 */
int fs_mount(const struct fs_mount_options *o, struct strbuf *err);

/* Where fs_diff() hands what it finds. */
struct fs_diff_sink {
	/** Called once the days and the prefix are known good, before any change; NULL: none. */
	int (*begin)(void *arg);
	/** One line added ('+') to or removed ('-') from the file `path` (relative to the tree's root). */
	int (*change)(void *arg, char op, const char *path, const char *line);
	/** Called after the last change when begin() was, with the comparison's result so far; NULL: none. */
	int (*end)(void *arg, int rc);
	void *arg;
};

/**
 * What changed in the tree between the days FROM and TO (full YYYY-MM-DD
 * dates) under PREFIX: the lines `diff -r at/FROM at/TO` shows, handed to
 * `sink` in tree order. PREFIX is "" (or NULL) for everything, else whole
 * path components without a leading or trailing '/' ("states/NY" keeps
 * states/NY/... and not states/NYC); one that names nothing in either
 * tree, nor in the present one, is -ENOENT, before begin(). Returns 0, or
 * the first nonzero return of the sink or a negative errno, with a message
 * in `err`.
 */
int fs_diff(const char *db, const char *from, const char *to, const char *prefix, const struct fs_diff_sink *sink,
	    struct strbuf *err);

/**
 * Write the tree of the inventory `st` into the folder `dir` as plain files,
 * folders and symbolic links: what `cp -a` of the mount gives, less at/ and
 * search/ (file modes are the usual 0644 and 0755 under the umask, not the
 * mount's read-only ones). With `at` (YYYY-MM-DD) the tree is the one
 * at/AT/ shows; with NULL, the one the mount's root shows. `dir` is created
 * when missing; when it exists it must be empty but for names starting with
 * '.' (so a git checkout will do), else -ENOTEMPTY. Returns 0, or a negative
 * errno with a message naming the failing path in `err` (-EINVAL for a bad
 * date); after a failure `dir` holds a partial tree.
 */
int fs_materialize(struct store *st, const char *at, const char *dir, struct strbuf *err);

/**
 * Make the derived data of the inventory `st` (store/derived.c) inside the
 * caller's write transaction: the change log, the costly files of the root
 * tree, and the times of the root tree's paths (this import's time for
 * each path whose content or listing changed since the last derive).
 * `progress`, when set, hears how far it is: n of `of` "change days"
 * (of 0: a count) while the log is made, then the "lines of changes",
 * "paths walked" and "paths changed", from either thread (below). Returns
 * 0, or a negative errno with a message in `err`; the caller then rolls
 * back.
 */
typedef void (*fs_derive_progress_fn)(void *arg, const char *what, long n, long of);
enum {
	/*
	 * The change log is made in a second thread beside the walk, from a
	 * copy of the inventory in memory, when the copy takes at most an
	 * eighth of the memory the process may have (io_memory_bytes); with
	 * this flag, after the walk in the caller's thread (the same bytes
	 * either way).
	 */
	FS_DERIVE_ONE_THREAD = 1,
};
int fs_derive(struct store *st, unsigned flags, fs_derive_progress_fn progress, void *arg, struct strbuf *err);

/**
 * 1 when a record of kind `kind` (enum record_kind) with id `id` could not
 * be shown: the route table has a fixed name beside the :param its records
 * fill (a system called `laws` would be hidden by states/XX/laws), else 0.
 * For import_options' name_taken.
 */
int fs_name_reserved(int kind, const char *id);

#endif
