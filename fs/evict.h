/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The inode budget (fs/evict.c): a thread that keeps the inodes the kernel
 * holds under a bound (-o max_inodes=N), by asking it to drop the names of
 * those nobody used lately (fs/inodes.c's clock; FUSE's entry
 * invalidation); the kernel then
 * forgets their inodes and fs/inodes.c frees them. A walk of a tree bigger
 * than the budget then costs the daemon the budget's memory, not the
 * tree's. Private to the FUSE glue (fs/fuse_ops.c).
 */
#ifndef NLETSFS_EVICT_H
#define NLETSFS_EVICT_H

#include <pthread.h>
#include <stdint.h>

#include "inodes.h"

struct fuse_session;

struct evict {
	/* The inode table's lock, held by the caller of every function marked (locked). */
	pthread_mutex_t *lock;
	struct inode_table *inodes;
	uint64_t max;			/* inodes the kernel may hold; 0: no bound */
	struct fuse_session *se;
	pthread_cond_t cv;
	pthread_t thread;
	int running, stop;
	int waiting;			/* 1: for inodes over the budget; 2: for the kernel's forgets */
	uint64_t asked;			/* names the kernel was asked to drop (the stats line; atomic) */
};

void evict_init(struct evict *e, pthread_mutex_t *lock, struct inode_table *inodes, uint64_t max);
/** Start the thread (none without a bound): 0, or pthread_create()'s error as a negative errno. */
int evict_start(struct evict *e, struct fuse_session *se);
/** Stop the thread and wait for it (not locked). */
void evict_stop(struct evict *e);
void evict_release(struct evict *e);
/** (locked) The kernel was handed a lookup, or forgot some: wake the thread if it has work. */
void evict_check(struct evict *e);

#endif
