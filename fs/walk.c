// SPDX-License-Identifier: GPL-3.0-or-later
/* First-walk help: pushed pages and the opt-in CPU latency hold (walk.h). */
#define FUSE_USE_VERSION 34

#include "walk.h"

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/array.h"
#include "inodes.h"

/* Listings pushed for after the last READ: grep -r reads every file, find none. */
#define WALK_PUSH_BUDGET 64
/* A request this soon after the last one is a walk's (ns). */
#define WALK_GAP_NS 1000000L
/* The hold outlives the walk's last request by this much (ns). */
#define WALK_HOLD_NS 50000000L

void walk_init(struct walk *w, int push, int latency_hold)
{
	memset(w, 0, sizeof(*w));
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->done_cv, NULL);
	w->push = push;
	w->latency_hold = latency_hold;
	w->latency_fd = -1;
}

void walk_set_session(struct walk *w, struct fuse_session *se)
{
	w->se = se;
}

static void free_queue(struct walk_push *q, size_t n)
{
	for (size_t i = 0; i < n; i++)
		blob_put(q[i].b);
	free(q);
}

void walk_release(struct walk *w)
{
	free_queue(w->q, w->n);
	if (w->latency_fd >= 0)
		close(w->latency_fd);
	pthread_cond_destroy(&w->done_cv);
	pthread_mutex_destroy(&w->lock);
}

static long since_ns(const struct timespec *t0, const struct timespec *t1)
{
	return (t1->tv_sec - t0->tv_sec) * 1000000000L + (t1->tv_nsec - t0->tv_nsec);
}

/* Open /dev/cpu_dma_latency at 0 while a walk asks (root only; anyone else: never again). */
static void hold_latency(struct walk *w, const struct timespec *now)
{
	int32_t zero = 0;

	if (!w->latency_hold || w->latency_fd >= 0 || since_ns(&w->last, now) > WALK_GAP_NS)
		return;
	w->latency_fd = open("/dev/cpu_dma_latency", O_WRONLY | O_CLOEXEC);
	if (w->latency_fd >= 0 && write(w->latency_fd, &zero, sizeof(zero)) == (ssize_t)sizeof(zero)) {
		w->holds++;
		return;
	}
	if (w->latency_fd >= 0)
		close(w->latency_fd);
	w->latency_fd = -1;
	w->latency_hold = 0;
}

void walk_request(struct walk *w, int is_read)
{
	struct walk_push *q = NULL;
	struct timespec now;
	size_t n = 0, i;

	if (!w->push && !w->latency_hold)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&w->lock);
	hold_latency(w, &now);
	w->last = now;
	if (is_read)
		w->budget = WALK_PUSH_BUDGET; /* someone reads what is listed: push the next listings */
	/* Not before a READ: its reader may hold the page lock a push would wait for. */
	if (w->n && !is_read) {
		q = w->q;
		n = w->n;
		w->q = NULL;
		w->n = w->alloc = 0;
		w->pushing++;
	}
	pthread_mutex_unlock(&w->lock);
	if (!q)
		return;
	for (i = 0; i < n; i++) {
		struct fuse_bufvec bv = FUSE_BUFVEC_INIT(q[i].b->len);

		bv.buf[0].mem = q[i].b->data;
		/* -ENOENT: the kernel has dropped the inode; a READ will come. */
		fuse_lowlevel_notify_store(w->se, q[i].ino, 0, &bv, 0);
	}
	free_queue(q, n);
	pthread_mutex_lock(&w->lock);
	w->pushes += n;
	if (!--w->pushing)
		pthread_cond_broadcast(&w->done_cv);
	pthread_mutex_unlock(&w->lock);
}

int walk_pushing(struct walk *w)
{
	int yes;

	pthread_mutex_lock(&w->lock);
	yes = w->push && w->budget > 0;
	pthread_mutex_unlock(&w->lock);
	return yes;
}

void walk_listed(struct walk *w, uint64_t ino, struct blob *b)
{
	pthread_mutex_lock(&w->lock);
	if (w->push && w->budget > 0 && b->len &&
	    !array_reserve(&w->q, w->n, &w->alloc, sizeof(*w->q), 256)) {
		w->q[w->n].ino = ino;
		w->q[w->n++].b = b;
		b = NULL;
	}
	pthread_mutex_unlock(&w->lock);
	blob_put(b);
}

void walk_listing_done(struct walk *w)
{
	pthread_mutex_lock(&w->lock);
	if (w->n && w->budget > 0)
		w->budget--;
	pthread_mutex_unlock(&w->lock);
}

void walk_drop(struct walk *w)
{
	struct walk_push *q;
	size_t n;

	pthread_mutex_lock(&w->lock);
	/* Old bytes must not land after the kernel is told to forget. */
	while (w->pushing)
		pthread_cond_wait(&w->done_cv, &w->lock);
	q = w->q;
	n = w->n;
	w->q = NULL;
	w->n = w->alloc = 0;
	pthread_mutex_unlock(&w->lock);
	free_queue(q, n);
}

void walk_idle(struct walk *w)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&w->lock);
	if (w->latency_fd >= 0 && since_ns(&w->last, &now) > WALK_HOLD_NS) {
		close(w->latency_fd);
		w->latency_fd = -1;
	}
	pthread_mutex_unlock(&w->lock);
}

void walk_print_stats(struct walk *w, FILE *f)
{
	pthread_mutex_lock(&w->lock);
	fprintf(f, " pushes %llu holds %llu", (unsigned long long)w->pushes, (unsigned long long)w->holds);
	pthread_mutex_unlock(&w->lock);
}
