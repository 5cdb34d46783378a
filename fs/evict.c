// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The inode budget. The kernel keeps every inode a walk looked up (a
 * READDIRPLUS looks up a whole folder) until memory is short, and the
 * daemon keeps an entry for each while it does: a full walk of a tree of
 * 8 million paths held 3.8 GB of the daemon's memory. Past the budget, the
 * thread here names the inodes nobody used lately to the kernel in
 * batches (fuse_lowlevel_notify_inval_entry, outside the table's lock: the
 * kernel may wait for a request in that folder to end, which a worker
 * serves). The kernel drops those names, forgets their inodes, and
 * inodes_forget() frees them. It brings the count down to 7/8 of the
 * budget, so that it works in bursts, not on every lookup; a name dropped
 * is looked up again if used (and its folder's cached listing read again).
 */
#define FUSE_USE_VERSION 34

#include "evict.h"

#include <errno.h>
#include <fuse_lowlevel.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Names asked at a time: the lock is taken once a batch. */
#define EVICT_BATCH 1024
/* How long a batch's forgets are waited for, at most, before the count is looked at again. */
#define EVICT_WAIT_NS 20000000L

void evict_init(struct evict *e, pthread_mutex_t *lock, struct inode_table *inodes, uint64_t max)
{
	memset(e, 0, sizeof(*e));
	e->lock = lock;
	e->inodes = inodes;
	e->max = max;
	pthread_cond_init(&e->cv, NULL);
}

void evict_check(struct evict *e)
{
	if ((e->waiting == 1 && inodes_held(e->inodes) > e->max) || e->waiting == 2)
		pthread_cond_signal(&e->cv);
}

/* Wait (locked) up to EVICT_WAIT_NS for the kernel to forget what it was asked to drop. */
static void wait_forgets(struct evict *e, uint64_t until)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_nsec += EVICT_WAIT_NS;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	e->waiting = 2;
	while (!e->stop && inodes_held(e->inodes) > until && pthread_cond_timedwait(&e->cv, e->lock, &t) != ETIMEDOUT)
		;
	e->waiting = 0;
}

static void *run(void *arg)
{
	struct evict *e = arg;
	struct inode_name names[EVICT_BATCH];
	int burst = 0;			/* names were asked to drop since the last trim */

	pthread_mutex_lock(e->lock);
	while (!e->stop) {
		uint64_t keep = e->max - e->max / 8, before;
		size_t n, i;

		if (inodes_held(e->inodes) <= e->max) {
			if (burst) {
				/*
				 * The inodes freed are scattered over the serving
				 * threads' heaps, between ones still held: give
				 * back the pages that hold none (else the RSS
				 * stays at its peak).
				 */
				burst = 0;
				pthread_mutex_unlock(e->lock);
				malloc_trim(0);
				pthread_mutex_lock(e->lock);
				continue;
			}
			e->waiting = 1;
			pthread_cond_wait(&e->cv, e->lock);
			e->waiting = 0;
			continue;
		}
		before = inodes_held(e->inodes);
		n = inodes_over(e->inodes, keep, names, EVICT_BATCH);
		pthread_mutex_unlock(e->lock);
		for (i = 0; i < n; i++) {
			/* -ENOENT: the kernel dropped it already; nothing else is worth a log line. */
			fuse_lowlevel_notify_inval_entry(e->se, names[i].parent, names[i].name, strlen(names[i].name));
			free(names[i].name);
		}
		__atomic_fetch_add(&e->asked, n, __ATOMIC_RELAXED);
		burst = 1;
		pthread_mutex_lock(e->lock);
		if (n) {
			wait_forgets(e, before - n / 2);
		} else {
			/* All in use: wait for the next lookup or forget. */
			e->waiting = 1;
			pthread_cond_wait(&e->cv, e->lock);
			e->waiting = 0;
		}
	}
	pthread_mutex_unlock(e->lock);
	return NULL;
}

int evict_start(struct evict *e, struct fuse_session *se)
{
	int rc;

	if (!e->max)
		return 0;
	e->se = se;
	rc = pthread_create(&e->thread, NULL, run, e);
	if (rc) /* pthread_create returns its error; it does not set errno */
		return -rc;
	e->running = 1;
	return 0;
}

void evict_stop(struct evict *e)
{
	if (!e->running)
		return;
	pthread_mutex_lock(e->lock);
	e->stop = 1;
	pthread_cond_signal(&e->cv);
	pthread_mutex_unlock(e->lock);
	pthread_join(e->thread, NULL);
	e->running = 0;
}

void evict_release(struct evict *e)
{
	pthread_cond_destroy(&e->cv);
}
