// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Listing ahead. A walk (find, grep -r, ls -lR) reads a folder's whole
 * listing, then goes down into its sub-folders one by one. The lister
 * ahead, a thread of its own (with a worker of its own, fs/fuse_ops.c),
 * lists those sub-folders and sizes their files before the kernel asks,
 * while the walker works through what it has and the request workers serve
 * it: the walk then finds them made. It takes them in the order a
 * depth-first walk will ask: first the sub-folders of the folder listed
 * last, in listing order (`pending`), then the stack, where the rest of
 * each earlier folder's went, the first on top. A credit bounds the work
 * nobody asked for: a listing made ahead spends one, the kernel asking for
 * it gives one back, so a lone `ls -l` of a big folder costs AHEAD_CREDIT
 * listings nobody asked for, not all.
 */
#include <sys/resource.h>
#include <sys/syscall.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/array.h"
#include "ahead.h"

/* Folders waiting to be listed ahead, at most: beyond, a walk is not following them. */
#define AHEAD_QUEUE 65536

void ahead_init(struct ahead *a, pthread_mutex_t *lock, struct inode_table *inodes,
		void (*list)(void *arg, struct fs_inode *dir), void *arg)
{
	memset(a, 0, sizeof(*a));
	a->lock = lock;
	a->inodes = inodes;
	a->list = list;
	a->arg = arg;
	a->credit = AHEAD_CREDIT;
	pthread_cond_init(&a->cv, NULL);
}

/* What is left of the pending folders goes on the stack, the first on top (locked). */
static void stack_pending(struct ahead *a)
{
	while (a->npending > a->pending_head &&
	       !array_reserve(&a->stack, a->nstack, &a->astack, sizeof(*a->stack), 256))
		a->stack[a->nstack++] = a->pending[--a->npending];
	a->npending = a->pending_head = 0;
}

void ahead_queue(struct ahead *a, const struct fs_inode *dir, const struct fs_inode *child)
{
	if (!a->running || child->type != NODE_DIR || inodes_listing(a->inodes, child))
		return;
	/*
	 * Full: the older half of the stack goes (a big folder listed by a
	 * plain `ls -l`, whose sub-folders nobody entered), so that where the
	 * walk is now is still queued.
	 */
	if (a->nstack + a->npending >= AHEAD_QUEUE && a->nstack) {
		size_t drop = (a->nstack + 1) / 2;

		memmove(a->stack, a->stack + drop, (a->nstack - drop) * sizeof(*a->stack));
		a->nstack -= drop;
	}
	if (a->nstack + a->npending >= AHEAD_QUEUE)
		return;
	if (a->pending_dir != dir->ino) {
		stack_pending(a);
		a->pending_dir = dir->ino;
	}
	if (!array_reserve(&a->pending, a->npending, &a->apending, sizeof(*a->pending), 256))
		a->pending[a->npending++] = child->ino;
}

void ahead_wake(struct ahead *a)
{
	pthread_cond_signal(&a->cv);
}

int ahead_wanted(const struct ahead *a)
{
	return a->credit < AHEAD_CREDIT;
}

void ahead_asked(struct ahead *a, int hit)
{
	if (hit)
		a->hits++;
	if (a->credit++ <= 0)
		pthread_cond_signal(&a->cv);
}

/* The next folder to list ahead, pinned, or NULL (locked). */
static struct fs_inode *next(struct ahead *a)
{
	while (a->credit > 0 && (a->pending_head < a->npending || a->nstack)) {
		uint64_t ino = a->pending_head < a->npending ? a->pending[a->pending_head++] : a->stack[--a->nstack];
		struct fs_inode *in = inodes_get(a->inodes, ino);

		if (in && in->type == NODE_DIR && !inodes_listing(a->inodes, in)) {
			in->pins++;
			a->credit--;
			a->listed++;
			return in;
		}
	}
	return NULL;
}

static void *lister(void *arg)
{
	struct ahead *a = arg;
	struct fs_inode *dir;

	/* Requests first: on a machine with few CPUs the walker's own requests should win. */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 5);
	pthread_mutex_lock(a->lock);
	while (!a->stop) {
		dir = next(a);
		if (!dir) {
			pthread_cond_wait(&a->cv, a->lock);
			continue;
		}
		pthread_mutex_unlock(a->lock);
		a->list(a->arg, dir);
		pthread_mutex_lock(a->lock);
		inodes_unpin(a->inodes, dir);
	}
	pthread_mutex_unlock(a->lock);
	return NULL;
}

int ahead_start(struct ahead *a)
{
	int rc = pthread_create(&a->thread, NULL, lister, a);

	if (rc) /* pthread_create returns its error; it does not set errno */
		return -rc;
	a->running = 1;
	return 0;
}

void ahead_stop(struct ahead *a)
{
	pthread_mutex_lock(a->lock);
	a->stop = 1;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(a->lock);
	if (a->running) {
		pthread_join(a->thread, NULL);
		a->running = 0;
	}
}

void ahead_release(struct ahead *a)
{
	free(a->pending);
	free(a->stack);
	pthread_cond_destroy(&a->cv);
	memset(a, 0, sizeof(*a));
}
