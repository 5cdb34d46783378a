/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Files read across an import (fs/kept.c). A rendered file bigger than
 * one READ (a map, a records request, an export) is read in several, and
 * an import may land between two of them. So the refresh detaches the
 * inode a reader is in the middle of (its bytes' last READ ended before
 * the end, within PIN_IDLE_MS), keeps the bytes its reader began, and
 * tells the kernel to forget the name: the reader reads the version it
 * began, whole, from the old inode, while whoever opens the path next
 * gets a new inode and the new bytes, with the number the path had. The
 * bytes go when a READ reaches their end, or none came for PIN_IDLE_MS,
 * or PIN_KEEP_MAX_MS after the import: a READ of the old inode then fails
 * with ESTALE, as one of an old change log does. The change log is
 * detached here too, with no bytes: its READs go through its pins
 * (fs/pin.h), and this keeps only its number. At most KEPT_MAX files'
 * bytes at once; past that, a reader may read the new rest after the old
 * start, as before. Private to the FUSE glue; no lock of its own: its
 * caller's (fs_state's) covers every call. Knows nothing of FUSE.
 */
#ifndef NLETSFS_KEPT_H
#define NLETSFS_KEPT_H

#include <stdint.h>

#include "inodes.h"

/* Files whose bytes are kept at once. */
#define KEPT_MAX 16

struct kept_file {
	uint64_t ino;		/* the detached inode */
	uint64_t user;		/* the number users see for the path */
	uint64_t parent;	/* the path, for the inode made for it next: its folder */
	char *name;		/* and name */
	struct blob *bytes;	/* the version its reader began; NULL once let go of, or none kept (the log) */
	int64_t last_ns;	/* when its last READ came, or the import that detached it */
	int64_t kept_ns;	/* when it was detached */
};

/* An entry lives while its detached inode does (kept_tick()): the path's number is needed that long. */
struct kept {
	struct kept_file *f;
	size_t n, alloc;
};

/** Whether a reader is in the middle of `b` at `now` (CLOCK_MONOTONIC ns): worth keeping. */
int kept_reading(const struct blob *b, int64_t now);
/**
 * Keep `b` (a reference is taken; NULL: only the number) for detached
 * inode `ino`, the path `name` in folder `parent`, which users see as
 * `user`: 0, -ENOSPC when KEPT_MAX files' bytes are kept, -ENOMEM.
 */
int kept_add(struct kept *k, uint64_t ino, uint64_t user, uint64_t parent, const char *name, struct blob *b,
	     int64_t now);
/** The bytes kept for inode `ino` (a reference: blob_put() it), or NULL (none, or let go of). */
struct blob *kept_bytes(struct kept *k, uint64_t ino, int64_t now);
/** A READ of `ino` reached the end of its bytes: they go. */
void kept_done(struct kept *k, uint64_t ino);
/** The number users see for `name` in `parent` while its old inode is kept: 1 (and *user), or 0. */
int kept_user(const struct kept *k, uint64_t parent, const char *name, uint64_t *user);
/**
 * The watcher's tick: let go of the bytes nobody read for PIN_IDLE_MS or
 * kept for PIN_KEEP_MAX_MS, and forget the files whose inode `gone()` says
 * the kernel forgot.
 */
void kept_tick(struct kept *k, int64_t now, int (*gone)(void *arg, uint64_t ino), void *arg);
void kept_release(struct kept *k);

#endif
