/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The lister ahead (fs/ahead.c, -o list_ahead; off by default, as it did
 * not pay on two CPUs): a thread that lists the sub-folders a walk
 * (find, grep -r, ls -lR) is about to enter, before the kernel asks. Private
 * to the FUSE glue (fs/fuse_ops.c), which lists a folder for it through a
 * callback: this file knows the order of a walk and the credit, not how a
 * request is served.
 */
#ifndef NLETSFS_AHEAD_H
#define NLETSFS_AHEAD_H

#include <pthread.h>
#include <stdint.h>

#include "inodes.h"

/* Folders listed ahead of the kernel's asking and not asked for yet, at most. */
#define AHEAD_CREDIT 64

struct ahead {
	/* The inode table's lock, held by the caller of every function marked (locked). */
	pthread_mutex_t *lock;
	struct inode_table *inodes;
	/* List `dir` (pinned, not yet listed) at a fresh version, without the lock. */
	void (*list)(void *arg, struct fs_inode *dir);
	void *arg;

	pthread_cond_t cv;
	pthread_t thread;
	int running, stop;
	/* The sub-folders of the folder listed last, in listing order, from pending_head on. */
	uint64_t *pending;
	size_t npending, apending, pending_head;
	uint64_t pending_dir;
	/* The rest of earlier folders' sub-folders: the first on top. */
	uint64_t *stack;
	size_t nstack, astack;
	int credit;			/* listings made ahead and not asked for yet may reach AHEAD_CREDIT */
	uint64_t listed, hits;		/* for the stats line (read without the lock) */
};

void ahead_init(struct ahead *a, pthread_mutex_t *lock, struct inode_table *inodes,
		void (*list)(void *arg, struct fs_inode *dir), void *arg);
/** Start the thread: 0, or pthread_create()'s error as a negative errno. */
int ahead_start(struct ahead *a);
/** Stop the thread and wait for it (not locked). */
void ahead_stop(struct ahead *a);
void ahead_release(struct ahead *a);
/** (locked) A walk's READDIRPLUS asks for a folder's listing: whether the lister owes it one. */
int ahead_wanted(const struct ahead *a);
/** (locked) A walk asked for a folder's listing; `hit`: one made ahead. Gives the lister its credit back. */
void ahead_asked(struct ahead *a, int hit);
/** (locked) `child`, a sub-folder of `dir`, was just listed by a walk: to list ahead. */
void ahead_queue(struct ahead *a, const struct fs_inode *dir, const struct fs_inode *child);
/** (locked) Wake the lister: there is something queued. */
void ahead_wake(struct ahead *a);

#endif
