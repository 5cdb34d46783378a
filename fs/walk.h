/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Private to fs/: what makes a first walk of the mount cheaper, kept out of
 * the request path of fs/fuse_ops.c, which calls the four hooks below.
 *
 * Pushed pages: the small files a READDIRPLUS lists have been rendered for
 * their sizes anyway; their bytes are stored into the kernel's page cache
 * (fuse_lowlevel_notify_store) before the walk reads them, so a first
 * `grep -r` costs few READs. A walk that lists without reading (find,
 * ls -lR) fills no page cache: pushes go on only while READs come
 * (push budget). A push is made at the start of the next request, when the
 * kernel has made the listed inodes; it may wait for a page that a reader
 * holds while its READ waits, which another worker serves.
 *
 * The CPU latency hold (-o latency_hold, off by default): while requests
 * come less than 1 ms apart, /dev/cpu_dma_latency is held at 0 so idle CPUs
 * poll instead of halting. It changes the whole host, so an admin asks for it.
 */
#ifndef NLETSFS_WALK_H
#define NLETSFS_WALK_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct blob;
struct fuse_session;

struct walk_push {
	uint64_t ino;
	struct blob *b;
};

struct walk {
	pthread_mutex_t lock;
	pthread_cond_t done_cv;		/* pushes under way went down to none */
	struct fuse_session *se;
	int push;			/* -o no_push_pages: 0 */
	int budget;			/* listings left to push for; a READ renews it */
	struct walk_push *q;
	size_t n, alloc;
	unsigned pushing;		/* pushes under way, outside the lock */
	uint64_t pushes;		/* pages pushed, for the stats line */
	int latency_hold;		/* -o latency_hold, and allowed so far */
	int latency_fd;
	uint64_t holds;
	struct timespec last;		/* the last request's start */
};

void walk_init(struct walk *w, int push, int latency_hold);
void walk_set_session(struct walk *w, struct fuse_session *se);
void walk_release(struct walk *w);
/** A request begins (`is_read`: a READ): push what was listed, and keep the hold. */
void walk_request(struct walk *w, int is_read);
/**
 * Whether a listing now should make its small files' bytes to push: a walk
 * reads what it lists (READs came lately). One that does not (find, ls -lR)
 * costs no render: the sizes the import kept do.
 */
int walk_pushing(struct walk *w);
/** READDIRPLUS listed the file `ino` whose bytes are `b` (the reference is taken over). */
void walk_listed(struct walk *w, uint64_t ino, struct blob *b);
/** A READDIRPLUS reply is done: one listing less to push for. */
void walk_listing_done(struct walk *w);
/** The inventory changed: drop what waits, and wait for pushes under way. */
void walk_drop(struct walk *w);
/** Called now and then by the watcher: lets the hold go once requests stop. */
void walk_idle(struct walk *w);
void walk_print_stats(struct walk *w, FILE *f);

#endif
