/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the kernel must forget after an import, from what the import changed
 * (fs/forget.c), so that what it did not change stays cached: the names,
 * pages and attributes of a walk made before it. The import's walk gives
 * each root path it changed or made a new time (fs/derive.c, path_times);
 * a path gone since shows as its folder's listing changed. Private to the
 * FUSE glue (fs/fuse_ops.c), which tells the kernel.
 */
#ifndef NLETSFS_FORGET_H
#define NLETSFS_FORGET_H

#include <pthread.h>
#include <stdint.h>

#include "inodes.h"

struct store;

/* One thing for the kernel to forget: an inode's pages and attributes (`name` NULL), or `name` in folder `ino`. */
struct forget_notice {
	uint64_t ino;
	char *name;
};

struct forget_plan {
	struct forget_notice *n;
	size_t count, alloc;
};

/* More changed paths than this: making the kernel forget everything costs less than finding them. */
#define FORGET_MAX_PATHS 50000

/**
 * Plan what the kernel must forget of what the table holds, for the imports
 * that changed paths after `since_ns` (in `st`'s current snapshot, read in a
 * transaction of its own). `lock` is the table's, taken here while it is
 * read. The plan covers: each changed path the kernel holds (its pages and
 * attributes; a folder's listing; a file's name too), each changed name it
 * does not hold, in a folder the table has (it may hold it as missing),
 * each name the table has in a changed folder that is gone, and whole the
 * folders whose names no walk can know (ROUTE_UNLISTED, ROUTE_HIDDEN: at/,
 * search/, .at/). `day_moved`: the day changed too, between two days that
 * show the same facts; the files that print the day (MOVED_UNLOGGED: the
 * maps, the records requests) the kernel holds go as well.
 * 0; -E2BIG past FORGET_MAX_PATHS; -ENOTSUP for a route table it cannot
 * plan for; another negative errno. The plan is empty on error.
 */
int forget_plan_make(struct inode_table *t, pthread_mutex_t *lock, struct store *st, int64_t since_ns,
		     int day_moved, struct forget_plan *p);
void forget_plan_release(struct forget_plan *p);

#endif
