// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The FUSE low-level operations and the mount. Every callback replies
 * exactly once. The caching recipe of SPEC section 2 lives here: day-long
 * entry, attribute and negative timeouts, READDIRPLUS forced on, OPEN and
 * OPENDIR answered with ENOSYS where the kernel supports no-open (so the
 * page cache and directory cache keep serving with no further upcall), exact
 * sizes at lookup, and a read-only mount with default_permissions.
 *
 * Requests are served by FS_WORKERS threads (serve()). A request takes a
 * worker (struct worker: its own read-only connection and its own tree
 * caches) from a pool, and runs in one read transaction of that connection,
 * so it sees one import generation whole; a slow request (a search, a big
 * listing) holds one worker and nothing else, while the others serve. The
 * transaction is kept for the worker's next request until the watcher sees
 * an import (or a new day), or the worker stays idle for a tick.
 * Everything workers share, the inodes and the names answered ENOENT, is
 * under one mutex held only for table lookups and updates: rendering,
 * listing and replying happen outside it.
 *
 * What an inode caches (a file's size and bytes, a folder's names) is
 * tagged with the version it was made at (the inventory's generation and the
 * day): a request uses only what was made at its own version, so a request
 * that began before an import and one that began after never mix their
 * answers. The watcher notices an import (or a new day) and tells the kernel
 * to forget what it holds, once at once and once more when the requests
 * that began before the import have replied.
 *
 * The database is opened only after the daemon has forked: SQLite's POSIX
 * locks do not survive fork(), and an importer that sees no lock deletes
 * the WAL that a forked daemon still reads.
 */
#define FUSE_USE_VERSION 34

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <linux/fuse.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "../util/array.h"
#include "../util/cleanup.h"
#include "ahead.h"
#include "bdi.h"
#include "evict.h"
#include "forget.h"
#include "fs.h"
#include "inodes.h"
#include "kept.h"
#include "pin.h"
#include "views.h"
#include "walk.h"

/* The kernel may trust what it was told for a day; an import tells it to forget. */
#define FS_TIMEOUT 86400.0
/*
 * A name answered ENOENT once the memo of such names is full: held this long
 * (s). No import can make the kernel forget it, so it must lapse well within
 * the second in which an import shows (the watcher's tick is 50 ms).
 */
#define FS_NEG_SHORT 0.1
/* Names of the root answered ENOENT remembered for invalidation, at most. */
#define FS_NEG_MAX 4096
/* Blocks from this size up are mapped, and unmapped when freed (mallopt). */
#define FS_MMAP_THRESHOLD (256 * 1024)
/* Threads serving requests; each takes a worker (a connection) from a pool of one more, for the lister ahead. */
#ifndef FS_WORKERS
#define FS_WORKERS 8
#endif
#define FS_POOL (FS_WORKERS + 1)
/* A small file's bytes are kept from lookup to the read that usually follows. */
#define FS_KEEP_SMALL 4096
/* How often the watcher looks for an import or a new day (ms). */
#define FS_WATCH_MS 50

/* Request kinds counted for `kill -USR1` (the tests read them). */
enum fs_op { OP_LOOKUP, OP_GETATTR, OP_READLINK, OP_OPEN, OP_READ, OP_OPENDIR, OP_READDIR, OP_READDIRPLUS,
	     OP_STATFS, OP_FORGET, OP_WRITE, OP_COUNT };
static const char *const op_names[OP_COUNT] = { "lookup", "getattr", "readlink", "open", "read", "opendir",
						 "readdir", "readdirplus", "statfs", "forget", "write" };

/* A request's worker: a connection of its own and the tree caches made on it. */
struct worker {
	struct store *st;
	struct tree *tree;		/* its own caches (fs/tree.h) */
	uint64_t version;	/* what `tree` was made at */
	/* Under fs->lock: 0 idle, VERSION_STARTING while its read begins, else the version it reads. */
	uint64_t busy;
	struct store *next_st;	/* under fs->lock: a new inventory's connection, taken at the next request */
	/*
	 * A read transaction kept open from one request to the next (struct
	 * fs_state's snap_seq), under fs->lock while the worker is free: its
	 * generation, the snap_seq it began at, and whether a request used it
	 * since the watcher last looked.
	 */
	int held, used;
	int64_t gen;
	uint64_t held_seq;
	/* A READ of a file read by parts is gathered here, kept between READs: a fresh block would fault in each time. */
	struct strbuf range;
};

#define VERSION_STARTING 1u

/* The kernel's message that makes every name it holds stale (Debian 12's <linux/fuse.h> has not got it). */
#define FS_NOTIFY_INC_EPOCH 8

/* Setting the read-ahead window: INIT not yet seen, seen, answered a tick ago, done. */
enum { RA_WAIT, RA_INIT, RA_TICK, RA_DONE };

struct negative {
	uint64_t parent;
	char *name;
};

struct fs_state {
	struct fuse_session *se;
	/* What is served, and as whom. */
	char *db;			/* absolute: the daemon runs in "/" */
	unsigned store_flags;
	uid_t uid;
	gid_t gid;
	int no_open, no_opendir;
	int list_ahead;			/* start the lister ahead (fs/ahead.c) */
	/* The mount's read-ahead window (fs/bdi.h), set by the watcher once INIT is answered. */
	const char *mnt;		/* absolute, as the mount table shows it */
	unsigned read_ahead_kb;		/* 0: the kernel's */
	int read_ahead_given;
	int ra_step;			/* RA_* */
	int inval_names;		/* -o inval_names: tell the kernel each name to forget, never all at once */
	int forget_all;			/* -o forget_all: after an import, the kernel forgets everything, not what it changed */
	struct timespec mtime;
	struct walk walk;		/* first-walk help: pushed pages, latency hold (walk.h) */

	/* Shared by the workers, under `lock`. */
	pthread_mutex_t lock;
	pthread_cond_t idle_cv;		/* a worker was returned, or stopped reading an old version */
	struct inode_table inodes;
	struct negative *neg;		/* names answered ENOENT with a long timeout */
	size_t nneg, aneg;
	struct worker workers[FS_POOL];
	struct worker *free_workers[FS_POOL];
	size_t nfree;
	size_t busy_max;		/* the most workers busy at once, for the stats line */
	uint64_t era;			/* bumped when the day changes or a new inventory replaces the mounted one */
	/*
	 * Bumped with each refresh: a read transaction begun before may not
	 * serve another request. A request keeps its worker's transaction
	 * open for the next one, so that a walk's thousands of requests do not
	 * each begin and end one (a fifth of the daemon's time in a first
	 * `find`); the watcher ends those idle for a tick.
	 */
	uint64_t snap_seq;
	struct ahead ahead;		/* the lister ahead (fs/ahead.c), under `lock` */
	struct pins pins;		/* the change log's READs (fs/pin.c), their own lock */
	struct kept kept;		/* under `lock`: other files read across an import (fs/kept.h) */
	const char *log_name;		/* `changes`: the root's name the route table gives the change log */
	int64_t log_gen;		/* under `lock`: the generation last refreshed to (refresh()), or -1 */
	struct evict evict;		/* the inode budget (fs/evict.c), under `lock` */

	/*
	 * The watcher (live updates, a new day, SIGUSR1). An immutable
	 * inventory's store too, opened before its private copy is unlinked,
	 * for the stamp a new day is told by; a new one waits in next_watch_st
	 * (under `lock`) from swap_db() until the watcher takes it.
	 */
	struct store *watch_st, *next_watch_st;
	pthread_t watcher;
	int watching, stop, sigfd;

	/* A subscription's refresher (fs.h, struct fs_refresh): its thread, and its wake-up (SIGHUP). */
	const struct fs_refresh *refresh;
	int unlink_db;
	pthread_t refresher;
	int refreshing, refresh_now;
	pthread_mutex_t refresh_lock;
	pthread_cond_t refresh_cv;

	uint64_t counts[OP_COUNT];	/* atomics */
	/* Refreshes that told the kernel what an import changed, those that told it to forget everything, and how long the last took (atomics). */
	uint64_t forgot_changed, forgot_all, refresh_us;
};

/* Log a problem of the daemon: on stderr in the foreground, to syslog in the background. */
static int fs_background;

static void fs_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (fs_background) {
		vsyslog(LOG_ERR, fmt, ap);
	} else {
		fputs("nletsfs: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

/*
 * The version a request reads at: the era (the day, and which inventory is
 * mounted) and the inventory's generation. Generations stay below 2^40 and
 * eras below 2^23 (a new day or a new bundle each hour for 900 years);
 * VERSION_STARTING is below every real version.
 */
static uint64_t version_of(int64_t generation, uint64_t era)
{
	assert(generation < ((int64_t)1 << 40) && era < ((uint64_t)1 << 23));
	return (era << 40 | (uint64_t)(generation < 0 ? 0 : generation)) + 2;
}

/* The inventory's generation in version `v` (version_of). */
static int64_t generation_of(uint64_t v)
{
	return (int64_t)((v - 2) & (((uint64_t)1 << 40) - 1));
}

/* ---- a request's life: a worker, a read transaction, a version ------------------------------ */

struct request {
	struct fs_state *fs;
	struct worker *w;
	uint64_t v;
};

/*
 * Take a worker and begin the request's read transaction. The worker is
 * marked busy before the transaction begins, so the watcher knows it may
 * read the old inventory until its version is known.
 */
static int begin(struct fs_state *fs, struct request *r)
{
	struct store *old = NULL;
	struct worker *w;
	uint64_t era, seq;
	int reuse;

	r->fs = fs;
	pthread_mutex_lock(&fs->lock);
	/* FS_WORKERS serving threads and one lister ahead: a worker is free for each. */
	while (!fs->nfree)
		pthread_cond_wait(&fs->idle_cv, &fs->lock);
	w = r->w = fs->free_workers[--fs->nfree];
	w->busy = VERSION_STARTING;
	era = fs->era;
	seq = fs->snap_seq;
	reuse = w->held && w->held_seq == seq && !w->next_st;
	if (w->held && !reuse)
		store_read_end(w->st);
	w->held = 0;
	w->used = 1;
	if (w->next_st) { /* a new inventory was mounted: this worker reads it from now on */
		old = w->st;
		w->st = w->next_st;
		w->next_st = NULL;
		tree_free(w->tree);
		w->tree = tree_open(w->st);
		w->version = 0;
	}
	pthread_mutex_unlock(&fs->lock);
	store_close(old);

	/* A snapshot taken after `seq` was read: one the watcher did not end yet. */
	if (!reuse) {
		store_read_begin(w->st);
		w->gen = store_generation(w->st);
		w->held_seq = seq;
	}
	r->v = version_of(w->gen, era);
	if (w->version != r->v) {
		tree_invalidate(w->tree);
		w->version = r->v;
	}
	pthread_mutex_lock(&fs->lock);
	w->busy = r->v;
	if (FS_POOL - fs->nfree > fs->busy_max)
		fs->busy_max = FS_POOL - fs->nfree;
	pthread_cond_broadcast(&fs->idle_cv);
	pthread_mutex_unlock(&fs->lock);
	return w->gen < 0 ? -EIO : 0;
}

static int enter(fuse_req_t req, enum fs_op op, struct request *r)
{
	struct fs_state *fs = fuse_req_userdata(req);

	__atomic_fetch_add(&fs->counts[op], 1, __ATOMIC_RELAXED);
	walk_request(&fs->walk, op == OP_READ);
	return begin(fs, r);
}

static void leave(struct request *r)
{
	struct fs_state *fs = r->fs;
	struct worker *w = r->w;

	/* A failed snapshot, or one a refresh made old, is not kept (the watcher ends the rest). */
	if (w->gen < 0 || w->held_seq != __atomic_load_n(&fs->snap_seq, __ATOMIC_ACQUIRE))
		store_read_end(w->st);
	else
		w->held = 1;
	pthread_mutex_lock(&fs->lock);
	w->busy = 0;
	fs->free_workers[fs->nfree++] = w;
	pthread_cond_broadcast(&fs->idle_cv);
	pthread_mutex_unlock(&fs->lock);
}

/*
 * End the read transactions kept by free workers: all of them (`all`, after
 * a refresh), or those no request used since the last call, so that an idle
 * mount holds no snapshot and the importer's checkpoints go through.
 */
static void end_kept_snapshots(struct fs_state *fs, int all)
{
	size_t i;

	pthread_mutex_lock(&fs->lock);
	for (i = 0; i < fs->nfree; i++) {
		struct worker *w = fs->free_workers[i];

		if (w->held && (all || !w->used)) {
			store_read_end(w->st);
			w->held = 0;
		}
		w->used = 0;
	}
	pthread_mutex_unlock(&fs->lock);
}

/* An inode by number, pinned for the request (NULL: unknown). */
static struct fs_inode *get_inode(struct fs_state *fs, uint64_t ino)
{
	struct fs_inode *in;

	pthread_mutex_lock(&fs->lock);
	in = inodes_get(&fs->inodes, ino);
	if (in) {
		in->pins++;
		inodes_touch(&fs->inodes, in);
	}
	pthread_mutex_unlock(&fs->lock);
	return in;
}

/* What a pinned inode resolves to, in `buf` (inodes_node). */
static const struct tree_node *node_of(const struct fs_state *fs, const struct fs_inode *in, struct tree_node *buf)
{
	inodes_node(&fs->inodes, in, buf);
	return buf;
}

/* Whether `in` resolves to a route with flag `flag`. */
static int route_is(const struct fs_state *fs, const struct fs_inode *in, unsigned flag)
{
	const struct route *rt = inodes_route(&fs->inodes, in);

	return rt && (rt->flags & flag);
}

/* The kernel is handed a lookup of `in` (counted before the reply: a FORGET may follow it at once). */
static void hold(struct fs_state *fs, struct fs_inode *in)
{
	pthread_mutex_lock(&fs->lock);
	inodes_hold(&fs->inodes, in);
	evict_check(&fs->evict);
	pthread_mutex_unlock(&fs->lock);
}

/* The reply that handed it failed. */
static void unhold(struct fs_state *fs, struct fs_inode *in)
{
	pthread_mutex_lock(&fs->lock);
	inodes_unhold(&fs->inodes, in);
	pthread_mutex_unlock(&fs->lock);
}

static void put_inode(struct fs_state *fs, struct fs_inode *in)
{
	if (!in)
		return;
	pthread_mutex_lock(&fs->lock);
	inodes_unpin(&fs->inodes, in);
	pthread_mutex_unlock(&fs->lock);
}

/* ---- contents and attributes -------------------------------------------------------------- */

/*
 * A file's or link's size at the request's version, and, with `bytes`, a
 * reference to its bytes (blob_put() it). Rendered outside the lock when
 * not cached at this version. `want_bytes`: FILE_SIZE, a size the import
 * kept will do; FILE_BYTES, render; FILE_SIZE_PUSH, render a small file so
 * that its bytes can be pushed (the lister ahead, walk.h).
 */
enum { FILE_SIZE, FILE_BYTES, FILE_SIZE_PUSH };
static int file_content(struct request *r, struct fs_inode *in, int want_bytes, uint64_t *size,
			struct blob **bytes)
{
	struct fs_state *fs = r->fs;
	struct strbuf sb = STRBUF_INIT;
	struct tree_node node;
	struct blob *b = NULL, *cached;
	int rc = 0;

	if (bytes)
		*bytes = NULL;
	pthread_mutex_lock(&fs->lock);
	cached = inodes_content(&fs->inodes, in);
	if (cached && cached->version == r->v && (bytes || want_bytes != FILE_BYTES)) {
		*size = cached->len;
		if (bytes)
			*bytes = blob_get(cached);
		pthread_mutex_unlock(&fs->lock);
		return 0;
	}
	if (want_bytes != FILE_BYTES && inodes_size(in, r->v, size) &&
	    (want_bytes == FILE_SIZE || *size > FS_KEEP_SMALL)) {
		pthread_mutex_unlock(&fs->lock);
		return 0;
	}
	pthread_mutex_unlock(&fs->lock);
	node_of(fs, in, &node);
	/* A size the import kept needs no render for a stat. */
	if (want_bytes == FILE_SIZE && tree_size(r->w->tree, &node, size) == 0) {
		pthread_mutex_lock(&fs->lock);
		inodes_set_size(in, r->v, *size);
		pthread_mutex_unlock(&fs->lock);
		return 0;
	}

	rc = tree_render(r->w->tree, &node, &sb);
	if (!rc)
		*size = sb.len;
	if (!rc && (want_bytes == FILE_BYTES || sb.len <= FS_KEEP_SMALL)) {
		b = blob_new(&sb, r->v);
		rc = b ? 0 : -ENOMEM;
	}
	if (!rc) {
		pthread_mutex_lock(&fs->lock);
		inodes_set_size(in, r->v, *size);
		if (b)
			inodes_keep_content(&fs->inodes, in, blob_get(b));
		pthread_mutex_unlock(&fs->lock);
		if (bytes)
			*bytes = blob_get(b);
	}
	blob_put(b);
	strbuf_release(&sb);
	return rc;
}

/* Whether `in` may be detached (inodes_detach()), asked without the lock: its parent is 0 for good then. */
static int maybe_detached(const struct fs_inode *in)
{
	return in->depth && !__atomic_load_n(&in->parent, __ATOMIC_RELAXED);
}

/*
 * A READ of `b`, the bytes of `in`, ended at `end`. Read to the end, they
 * go: the page cache holds them now (a detached inode's, fs/kept.h, too).
 * Short of it, a reader is in the middle of them, whom an import must not
 * give the new rest (keep_read_files()).
 */
static void read_to(struct fs_state *fs, struct fs_inode *in, struct blob *b, size_t end)
{
	pthread_mutex_lock(&fs->lock);
	if (end < b->len)
		b->partly_ns = mono_ns();
	else if (inodes_content(&fs->inodes, in) == b)
		inodes_keep_content(&fs->inodes, in, NULL);
	else if (inodes_detached(in, NULL))
		kept_done(&fs->kept, in->ino);
	pthread_mutex_unlock(&fs->lock);
}

/*
 * The bytes a READ at `off` of `in` reads when not the request's version:
 * a detached inode's, kept for its reader (-ESTALE when let go of); or,
 * between an import's commit and its refresh, the older version a reader
 * is in the middle of, which the refresh will keep for it. *out is NULL
 * when the request's version is to be read.
 */
static int kept_content(struct request *r, struct fs_inode *in, uint64_t off, struct blob **out)
{
	struct fs_state *fs = r->fs;
	int64_t now;
	struct blob *b;
	int rc = 0;

	*out = NULL;
	if (!off && !maybe_detached(in)) /* a small file's one READ: no lock */
		return 0;
	now = mono_ns();
	pthread_mutex_lock(&fs->lock);
	if (inodes_detached(in, NULL)) {
		*out = kept_bytes(&fs->kept, in->ino, now);
		rc = *out ? 0 : -ESTALE;
	} else if (off > 0 && (b = inodes_content(&fs->inodes, in)) && b->version < r->v && kept_reading(b, now)) {
		*out = blob_get(b);
	}
	pthread_mutex_unlock(&fs->lock);
	return rc;
}

/*
 * The time of the import that last changed a path (fs/derive.c), kept by the
 * inode for its version: a path and a query a file, so the lister ahead
 * makes it too. The same row gives a root file's kept size, which the
 * inode keeps as well, so the stat that follows asks nothing more. The
 * inventory file's own time where none is kept.
 */
static struct timespec file_time(struct request *r, struct fs_inode *in)
{
	struct fs_state *fs = r->fs;
	struct timespec t = fs->mtime;
	struct tree_node node;
	uint64_t size = UINT64_MAX, known;

	pthread_mutex_lock(&fs->lock);
	if (inodes_mtime(in, r->v, &t)) {
		pthread_mutex_unlock(&fs->lock);
		return t;
	}
	pthread_mutex_unlock(&fs->lock);
	tree_mtime(r->w->tree, node_of(fs, in, &node), &t, &size);
	pthread_mutex_lock(&fs->lock);
	inodes_set_mtime(in, r->v, &t);
	if (size != UINT64_MAX && !inodes_size(in, r->v, &known))
		inodes_set_size(in, r->v, size);
	pthread_mutex_unlock(&fs->lock);
	return t;
}

/*
 * The number users see (st_ino, d_ino) of inode `in`: its own, but for an
 * inode made for a path whose inode was detached (the change log after
 * each import that changes it, a file read across an import: fs/kept.h),
 * which shows the number the path had: a path's number stays.
 */
static uint64_t user_ino(struct fs_state *fs, const struct fs_inode *in)
{
	uint64_t user;

	if (!in->renumbered) /* set once, before the inode is seen: no lock */
		return in->ino;
	pthread_mutex_lock(&fs->lock);
	user = inodes_user(&fs->inodes, in);
	pthread_mutex_unlock(&fs->lock);
	return user;
}

/* The number users see for `name` in folder `dir`, looked up or not (a plain READDIR makes no inode). */
static uint64_t name_user_ino(struct fs_state *fs, const struct fs_inode *dir, const char *name)
{
	uint64_t user;
	struct fs_inode *in;

	pthread_mutex_lock(&fs->lock);
	in = inodes_find(&fs->inodes, dir, name);
	if (in)
		user = inodes_user(&fs->inodes, in);
	else if (!kept_user(&fs->kept, dir->ino, name, &user))
		user = inodes_number(&fs->inodes, dir, name);
	pthread_mutex_unlock(&fs->lock);
	return user;
}

/* `how`: file_content()'s FILE_SIZE, or FILE_SIZE_PUSH where the bytes of a small file may be pushed next. */
static int fill_attr(struct request *r, struct fs_inode *in, struct stat *stbuf, int how)
{
	struct fs_state *fs = r->fs;
	uint64_t size = 0;
	int detached, rc = 0;

	memset(stbuf, 0, sizeof(*stbuf));
	stbuf->st_ino = user_ino(fs, in);
	stbuf->st_uid = fs->uid;
	stbuf->st_gid = fs->gid;
	stbuf->st_blksize = 4096;
	/*
	 * A file an import replaced, still open: as its reader saw it
	 * (fs/pin.h, fs/kept.h). Only a detached inode takes the lock here,
	 * which every attribute of a listing would.
	 */
	detached = 0;
	if (maybe_detached(in)) {
		pthread_mutex_lock(&fs->lock);
		detached = inodes_detached(in, NULL);
		if (detached && !inodes_detached_stat(in, &size, &stbuf->st_mtim))
			rc = -ESTALE;
		pthread_mutex_unlock(&fs->lock);
		if (rc)
			return rc;
	}
	if (!detached)
		stbuf->st_mtim = file_time(r, in);
	stbuf->st_ctim = stbuf->st_mtim;
	stbuf->st_atim = stbuf->st_mtim;
	if (in->type == NODE_DIR) {
		stbuf->st_mode = S_IFDIR | 0555;
		stbuf->st_nlink = 2;
		return 0;
	}
	if (!detached && (rc = file_content(r, in, how, &size, NULL)) != 0)
		return rc;
	stbuf->st_mode = in->type == NODE_FILE ? (S_IFREG | 0444) : (S_IFLNK | 0777);
	stbuf->st_nlink = 1;
	stbuf->st_size = (off_t)size;
	stbuf->st_blocks = (blkcnt_t)((size + 511) / 512);
	return 0;
}

/*
 * The inode of `name` in `parent`, pinned: known at this version already,
 * or resolved now (outside the lock) and entered. `listed`: the name comes
 * from the parent's listing at this version, so it exists.
 */
static int child_inode(struct request *r, struct fs_inode *parent, const char *name, int listed,
		       struct fs_inode **out)
{
	struct fs_state *fs = r->fs;
	struct tree_node node, dir;
	struct fs_inode *in;
	int rc;

	pthread_mutex_lock(&fs->lock);
	in = inodes_find(&fs->inodes, parent, name);
	if (in && in->node_version == r->v) {
		in->pins++;
		pthread_mutex_unlock(&fs->lock);
		*out = in;
		return 0;
	}
	pthread_mutex_unlock(&fs->lock);

	node_of(fs, parent, &dir);
	rc = listed ? tree_child_listed(r->w->tree, &dir, name, &node)
		    : tree_child(r->w->tree, &dir, name, &node);
	if (rc)
		return rc;
	pthread_mutex_lock(&fs->lock);
	in = inodes_find(&fs->inodes, parent, name);
	if (!in) {
		uint64_t user;

		in = inodes_add(&fs->inodes, parent, name, &node);
		/* Its path's old inode was detached (fs/kept.h): the number users saw stays. */
		if (in && kept_user(&fs->kept, parent->ino, name, &user) && user != in->ino)
			inodes_set_user(&fs->inodes, in, user);
	} else if (!in->pins && inodes_node_differs(&fs->inodes, in, &node))
		/* What a path resolves to changes only with its existence; the
		 * node is replaced only while nobody reads it. */
		in = inodes_set_node(&fs->inodes, in, &node);
	if (in) {
		in->node_version = r->v;
		in->pins++;
	}
	pthread_mutex_unlock(&fs->lock);
	tree_node_release(&node);
	*out = in;
	return in ? 0 : -ENOMEM;
}

static int fill_entry(struct request *r, struct fs_inode *in, struct fuse_entry_param *e, int how)
{
	memset(e, 0, sizeof(*e));
	e->ino = in->ino;
	e->generation = 1;
	e->attr_timeout = FS_TIMEOUT;
	e->entry_timeout = FS_TIMEOUT;
	return fill_attr(r, in, &e->attr, how);
}

/*
 * A name answered ENOENT, and how long the kernel may hold it. After an
 * import the kernel is told each new path the import's walk found
 * (fs/forget.c), or forgets every name at once, or, told name by name
 * (invalidate_kernel), every folder's name, which drops the missing names
 * below it: below the root, nothing to remember. A missing name of the root
 * is remembered for that last way, or held briefly when the memo is full.
 * Told one by one, each waits for the folder's lock, which every lookup in
 * it holds through its upcall: 16,384 took 6 s under four loops of lookups,
 * so the memo holds only the root's.
 */
static double remember_negative(struct fs_state *fs, uint64_t parent, const char *name)
{
	double timeout = FS_NEG_SHORT;
	char *copy;

	if (parent != FUSE_ROOT_ID)
		return FS_TIMEOUT;
	copy = strdup(name);
	pthread_mutex_lock(&fs->lock);
	if (copy && fs->nneg < FS_NEG_MAX &&
	    !array_reserve(&fs->neg, fs->nneg, &fs->aneg, sizeof(*fs->neg), 64)) {
		fs->neg[fs->nneg].parent = parent;
		fs->neg[fs->nneg++].name = copy;
		copy = NULL;
		timeout = FS_TIMEOUT;
	}
	pthread_mutex_unlock(&fs->lock);
	free(copy);
	return timeout;
}

/* ---- the operations ----------------------------------------------------------------------- */

static void fs_init(void *userdata, struct fuse_conn_info *conn)
{
	struct fs_state *fs = userdata;

	if (conn->capable & FUSE_CAP_READDIRPLUS) {
		conn->want |= FUSE_CAP_READDIRPLUS;
		conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
	}
	/* at/ is links: let the kernel keep their targets like file pages. */
	if (conn->capable & FUSE_CAP_CACHE_SYMLINKS)
		conn->want |= FUSE_CAP_CACHE_SYMLINKS;
	if (fs->read_ahead_kb)
		__atomic_store_n(&fs->ra_step, RA_INIT, __ATOMIC_RELEASE);
	fs->no_open = !!(conn->capable & FUSE_CAP_NO_OPEN_SUPPORT);
	fs->no_opendir = !!(conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT);
}

static void fs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct request r;
	int rc = enter(req, OP_LOOKUP, &r);
	struct fs_state *fs = r.fs;
	struct fs_inode *p = rc ? NULL : get_inode(fs, parent), *in = NULL;
	struct fuse_entry_param e;

	if (!rc)
		rc = p ? child_inode(&r, p, name, 0, &in) : -ENOENT;
	if (!rc)
		rc = fill_entry(&r, in, &e, FILE_SIZE);
	if (rc == -ENOENT || rc == -ENOTDIR) {
		/* A negative entry the kernel may cache: no upcall for the next miss. */
		memset(&e, 0, sizeof(e));
		e.entry_timeout = remember_negative(fs, parent, name);
		fuse_reply_entry(req, &e);
	} else if (rc) {
		fuse_reply_err(req, -rc);
	} else {
		/* Counted before the reply: a FORGET may follow it at once, on another thread. */
		hold(fs, in);
		if (fuse_reply_entry(req, &e))
			unhold(fs, in);
	}
	put_inode(fs, in);
	put_inode(fs, p);
	leave(&r);
}

static void forget_many(fuse_req_t req, size_t count, const struct fuse_forget_data *forgets)
{
	struct fs_state *fs = fuse_req_userdata(req);
	size_t i;

	__atomic_fetch_add(&fs->counts[OP_FORGET], 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&fs->lock);
	for (i = 0; i < count; i++)
		inodes_forget(&fs->inodes, forgets[i].ino, forgets[i].nlookup);
	evict_check(&fs->evict);
	pthread_mutex_unlock(&fs->lock);
	fuse_reply_none(req);
}

static void fs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct fuse_forget_data f = { .ino = ino, .nlookup = nlookup };

	forget_many(req, 1, &f);
}

static void fs_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	forget_many(req, count, forgets);
}

static void fs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct request r;
	int rc = enter(req, OP_GETATTR, &r);
	struct fs_inode *in = rc ? NULL : get_inode(r.fs, ino);
	struct stat stbuf;

	(void)fi;
	if (!rc)
		rc = in ? fill_attr(&r, in, &stbuf, FILE_SIZE) : -ENOENT;
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_attr(req, &stbuf, FS_TIMEOUT);
	put_inode(r.fs, in);
	leave(&r);
}

static void fs_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct request r;
	int rc = enter(req, OP_READLINK, &r);
	struct fs_inode *in = rc ? NULL : get_inode(r.fs, ino);
	struct strbuf sb = STRBUF_INIT;
	struct tree_node node;

	if (!rc)
		rc = !in || in->type != NODE_LINK ? -EINVAL : tree_render(r.w->tree, node_of(r.fs, in, &node), &sb);
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_readlink(req, sb.buf);
	strbuf_release(&sb);
	put_inode(r.fs, in);
	leave(&r);
}

static void fs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_state *fs = fuse_req_userdata(req);

	__atomic_fetch_add(&fs->counts[OP_OPEN], 1, __ATOMIC_RELAXED);
	if ((fi->flags & O_ACCMODE) != O_RDONLY) {
		fuse_reply_err(req, EROFS);
	} else if (fs->no_open) {
		fuse_reply_err(req, ENOSYS); /* no OPEN or RELEASE again, page cache kept */
	} else {
		(void)ino;
		fi->keep_cache = 1;
		fi->noflush = 1;
		fuse_reply_open(req, fi);
	}
}

/*
 * Reply to a READ of a file read by parts (the stored change log, which
 * runs to gigabytes): the range's bytes from the parts that hold it (one
 * row, or two), in this request's read transaction. Nothing is kept
 * between READs: readahead sends several at once, and each worker serves
 * its own. -errno with no reply made.
 */
static int read_range(struct request *r, fuse_req_t req, const struct tree_node *node, uint64_t off, size_t size)
{
	struct strbuf *reply = &r->w->range;
	int rc;

	strbuf_reset(reply);
	rc = strbuf_grow(reply, size);
	if (!rc)
		rc = tree_read_range(r->w->tree, node, off, size, reply);
	if (!rc)
		fuse_reply_buf(req, reply->len ? reply->buf : NULL, reply->len);
	return rc;
}

static void fs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct request r;
	int rc = enter(req, OP_READ, &r);
	struct fs_inode *in = rc ? NULL : get_inode(r.fs, ino);
	struct tree_node node;
	struct blob *b = NULL;
	uint64_t len = 0;
	size_t n;

	(void)fi;
	if (!rc && (!in || in->type != NODE_FILE))
		rc = in ? -EISDIR : -ENOENT;
	/* The change log: from a pinned read transaction (fs/pin.h), the mounted one or a replaced one. */
	if (!rc && route_is(r.fs, in, ROUTE_CHANGE_LOG)) {
		struct strbuf *reply = &r.w->range;
		int64_t key = -1;
		int detached, slot;

		pthread_mutex_lock(&r.fs->lock);
		detached = inodes_detached(in, &key);
		pthread_mutex_unlock(&r.fs->lock);
		/* An old log whose reader was not in its middle at the import: nothing holds it. */
		rc = detached && key < 0 ? -ESTALE
					 : pins_read(&r.fs->pins, key, r.w->gen, node_of(r.fs, in, &node), (uint64_t)off,
						     size, reply, &slot);
		if (rc == 1) { /* the worker's snapshot shows the pinned log: it reads it, beside others */
			rc = read_range(&r, req, &node, (uint64_t)off, size);
			pins_read_done(&r.fs->pins, slot);
			if (!rc)
				goto out;
			if (rc == -ENOSYS) /* a log not stored: made below */
				rc = 0;
		} else if (!rc) {
			fuse_reply_buf(req, reply->len ? reply->buf : NULL, reply->len);
			pins_read_done(&r.fs->pins, slot);
			goto out;
		} else if (rc == -ENOSYS) { /* the mounted log, not pinned: read as any file */
			rc = 0;
		}
	}
	if (!rc && tree_read_by_parts(r.w->tree, node_of(r.fs, in, &node))) {
		rc = read_range(&r, req, &node, (uint64_t)off, size);
		if (!rc)
			goto out;
	} else if (!rc) {
		rc = kept_content(&r, in, (uint64_t)off, &b);
		if (!rc && !b)
			rc = file_content(&r, in, FILE_BYTES, &len, &b);
	}
	if (rc) {
		fuse_reply_err(req, -rc);
		goto out;
	}
	n = (uint64_t)off >= b->len ? 0 : b->len - (size_t)off;
	n = n < size ? n : size;
	fuse_reply_buf(req, n ? b->data + off : NULL, n);
	read_to(r.fs, in, b, (size_t)off + n);
out:
	blob_put(b);
	put_inode(r.fs, in);
	leave(&r);
}

static void fs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_state *fs = fuse_req_userdata(req);
	struct fs_inode *in = get_inode(fs, ino);

	__atomic_fetch_add(&fs->counts[OP_OPENDIR], 1, __ATOMIC_RELAXED);
	if (!in) {
		fuse_reply_err(req, ENOENT);
	} else if (in->type != NODE_DIR) {
		fuse_reply_err(req, ENOTDIR);
	} else if (fs->no_opendir) {
		fuse_reply_err(req, ENOSYS);
	} else {
		fi->cache_readdir = 1;
		fi->keep_cache = 1;
		fuse_reply_open(req, fi);
	}
	put_inode(fs, in);
}

/*
 * The folder's names at the request's version (a reference: listing_put() it).
 * `walk`: the kernel asks for the listing's start in a READDIRPLUS. A listing
 * made ahead gives the lister its credit back; one that was not foreseen
 * gives it one more, so that where a walk goes, the lister follows.
 */
static int folder_names(struct request *r, struct fs_inode *in, int walk, struct listing **out)
{
	struct fs_state *fs = r->fs;
	struct tree_node node;
	struct listing *l;
	int rc;

	pthread_mutex_lock(&fs->lock);
	l = inodes_listing(&fs->inodes, in);
	l = l && l->version == r->v ? listing_get(l) : NULL;
	if (walk && (l ? l->ahead : ahead_wanted(&fs->ahead))) {
		ahead_asked(&fs->ahead, l != NULL);
		if (l)
			l->ahead = 0;
	}
	pthread_mutex_unlock(&fs->lock);
	if (!l) {
		l = listing_new(r->v);
		if (!l)
			return -ENOMEM;
		rc = tree_list(r->w->tree, node_of(fs, in, &node), &l->names);
		if (rc) {
			listing_put(l);
			return rc;
		}
		pthread_mutex_lock(&fs->lock);
		inodes_keep_listing(&fs->inodes, in, listing_get(l));
		pthread_mutex_unlock(&fs->lock);
	}
	*out = l;
	return 0;
}

/* A costly file (`changes`, maps, requests) is listed without attributes until its size is known. */
static int listed_bare(struct fs_state *fs, const struct fs_inode *child, uint64_t v)
{
	uint64_t size;
	int bare;

	if (!route_is(fs, child, ROUTE_COSTLY))
		return 0;
	/*
	 * The change log always: a listing made between an import's commit and
	 * its refresh would give the kernel the new log's size for the inode a
	 * reader is in the middle of, and the kernel would drop its pages (fs/pin.h).
	 */
	if (route_is(fs, child, ROUTE_CHANGE_LOG))
		return 1;
	pthread_mutex_lock(&fs->lock);
	bare = !inodes_size(child, v, &size);
	pthread_mutex_unlock(&fs->lock);
	return bare;
}

/*
 * A file READDIRPLUS just listed: its bytes, when small and made for its
 * size anyway, go to the pushes (walk.h); a walk that reads nothing (find,
 * ls -lR) keeps the size, not the bytes.
 */
static void push_listed(struct fs_state *fs, struct fs_inode *child, uint64_t v)
{
	struct blob *b = NULL;

	pthread_mutex_lock(&fs->lock);
	b = child->type == NODE_FILE ? inodes_content(&fs->inodes, child) : NULL;
	if (b && b->version == v) {
		blob_get(b); /* the pushes take it over */
		inodes_keep_content(&fs->inodes, child, NULL);
	} else {
		b = NULL;
	}
	pthread_mutex_unlock(&fs->lock);
	if (b)
		walk_listed(&fs->walk, child->ino, b);
}

/* List `dir` and size its files at the lister's version. */
static void list_one_ahead(struct request *r, struct fs_inode *dir)
{
	struct fs_state *fs = r->fs;
	struct listing *l = NULL;
	int pushing = walk_pushing(&fs->walk);
	size_t j;

	if (folder_names(r, dir, 0, &l))
		return;
	pthread_mutex_lock(&fs->lock);
	l->ahead = 1;
	pthread_mutex_unlock(&fs->lock);
	for (j = 0; j < l->names.n; j++) {
		struct fs_inode *child = NULL;
		uint64_t size;

		if (child_inode(r, dir, l->names.items[j], 1, &child))
			continue;
		file_time(r, child);
		if (child->type != NODE_DIR && !route_is(fs, child, ROUTE_COSTLY))
			file_content(r, child, pushing ? FILE_SIZE_PUSH : FILE_SIZE, &size, NULL);
		put_inode(fs, child);
	}
	listing_put(l);
}

/* The lister ahead's callback (fs/ahead.c): one folder, in a request of its own. */
static void list_ahead(void *arg, struct fs_inode *dir)
{
	struct fs_state *fs = arg;
	struct request r;

	if (begin(fs, &r) == 0)
		list_one_ahead(&r, dir);
	leave(&r);
}

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, int plus)
{
	struct request r;
	int rc = enter(req, plus ? OP_READDIRPLUS : OP_READDIR, &r);
	struct fs_state *fs = r.fs;
	struct fs_inode *in = rc ? NULL : get_inode(fs, ino);
	struct listing *l = NULL;
	char *buf = NULL;
	size_t used = 0;
	int queued = 0, pushing = plus && walk_pushing(&fs->walk);

	if (!rc && (!in || in->type != NODE_DIR))
		rc = in ? -ENOTDIR : -ENOENT;
	if (!rc)
		rc = folder_names(&r, in, plus && off == 0, &l);
	if (!rc && !(buf = malloc(size)))
		rc = -ENOMEM;
	if (rc) {
		fuse_reply_err(req, -rc);
		goto out;
	}
	/* Offsets: 1 after ".", 2 after "..", k + 3 after names[k]. */
	for (; (size_t)off < l->names.n + 2; off++) {
		const char *name = off == 0 ? "." : off == 1 ? ".." : l->names.items[off - 2];
		struct fuse_entry_param e;
		struct fs_inode *child = NULL;
		size_t need;

		memset(&e, 0, sizeof(e));
		if (off < 2) {
			e.attr.st_ino = in->ino;
			e.attr.st_mode = S_IFDIR;
		} else if (!plus) {
			/* A plain listing makes no inode: the number is the one a lookup gives. */
			e.attr.st_ino = name_user_ino(fs, in, name);
		} else {
			rc = child_inode(&r, in, name, 1, &child);
			if (!rc && listed_bare(fs, child, r.v)) {
				e.attr.st_mode = S_IFREG;
				e.attr.st_ino = user_ino(fs, child);
			} else if (!rc) {
				/* A walk that reads (grep -r) finds a small file's pages pushed (walk.h). */
				rc = fill_entry(&r, child, &e, pushing ? FILE_SIZE_PUSH : FILE_SIZE);
			}
			if (rc == -ENOENT) { /* vanished since the listing: skip it */
				rc = 0;
				put_inode(fs, child);
				continue;
			}
			if (rc) {
				put_inode(fs, child);
				break;
			}
		}
		if (plus) {
			/* Counted before the reply (see fs_lookup); taken back if it does not fit. */
			if (e.ino)
				hold(fs, child);
			need = fuse_add_direntry_plus(req, buf + used, size - used, name, &e, off + 1);
		} else {
			need = fuse_add_direntry(req, buf + used, size - used, name, &e.attr, off + 1);
		}
		if (need > size - used) {
			if (e.ino)
				unhold(fs, child);
			put_inode(fs, child);
			break; /* full */
		}
		used += need;
		if (child && e.ino)
			push_listed(fs, child, r.v);
		if (child && e.ino && child->type == NODE_DIR) {
			pthread_mutex_lock(&fs->lock);
			ahead_queue(&fs->ahead, in, child);
			pthread_mutex_unlock(&fs->lock);
			queued = 1;
		}
		put_inode(fs, child);
	}
	if (rc && !used) {
		fuse_reply_err(req, -rc);
	} else {
		/* The kernel asks once more past the end to learn the end: then the names can go. */
		if ((size_t)off >= l->names.n + 2 && !used) {
			pthread_mutex_lock(&fs->lock);
			if (inodes_listing(&fs->inodes, in) == l)
				inodes_keep_listing(&fs->inodes, in, NULL);
			pthread_mutex_unlock(&fs->lock);
		}
		fuse_reply_buf(req, buf, used);
	}
	if (plus)
		walk_listing_done(&fs->walk);
	if (queued) {
		pthread_mutex_lock(&fs->lock);
		ahead_wake(&fs->ahead);
		pthread_mutex_unlock(&fs->lock);
	}
out:
	listing_put(l);
	free(buf);
	put_inode(fs, in);
	leave(&r);
}

static void fs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	do_readdir(req, ino, size, off, 0);
}

static void fs_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	do_readdir(req, ino, size, off, 1);
}

static void fs_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct fs_state *fs = fuse_req_userdata(req);
	struct statvfs sv;

	(void)ino;
	__atomic_fetch_add(&fs->counts[OP_STATFS], 1, __ATOMIC_RELAXED);
	memset(&sv, 0, sizeof(sv));
	sv.f_bsize = 4096;
	sv.f_frsize = 4096;
	pthread_mutex_lock(&fs->lock);
	sv.f_files = inodes_count(&fs->inodes);
	pthread_mutex_unlock(&fs->lock);
	sv.f_namemax = 255;
	sv.f_flag = ST_RDONLY;
	fuse_reply_statfs(req, &sv);
}

/* Every way of changing the tree: refused, and nothing changes. */
static void erofs(fuse_req_t req)
{
	struct fs_state *fs = fuse_req_userdata(req);

	__atomic_fetch_add(&fs->counts[OP_WRITE], 1, __ATOMIC_RELAXED);
	fuse_reply_err(req, EROFS);
}

static void fs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set, struct fuse_file_info *fi)
{
	(void)ino, (void)attr, (void)to_set, (void)fi;
	erofs(req);
}

static void fs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	(void)parent, (void)name, (void)mode, (void)rdev;
	erofs(req);
}

static void fs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	(void)parent, (void)name, (void)mode;
	erofs(req);
}

static void fs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	(void)parent, (void)name;
	erofs(req);
}

static void fs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	(void)link, (void)parent, (void)name;
	erofs(req);
}

static void fs_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		      const char *newname, unsigned int flags)
{
	(void)parent, (void)name, (void)newparent, (void)newname, (void)flags;
	erofs(req);
}

static void fs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	(void)ino, (void)newparent, (void)newname;
	erofs(req);
}

static void fs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	(void)parent, (void)name, (void)mode, (void)fi;
	erofs(req);
}

static void fs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	(void)ino, (void)buf, (void)size, (void)off, (void)fi;
	erofs(req);
}

static void fs_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value, size_t size,
			int flags)
{
	(void)ino, (void)name, (void)value, (void)size, (void)flags;
	erofs(req);
}

static void fs_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	(void)ino, (void)name;
	erofs(req);
}

static const struct fuse_lowlevel_ops fs_ops = {
	.init = fs_init,
	.lookup = fs_lookup,
	.forget = fs_forget,
	.forget_multi = fs_forget_multi,
	.getattr = fs_getattr,
	.readlink = fs_readlink,
	.open = fs_open,
	.read = fs_read,
	.opendir = fs_opendir,
	.readdir = fs_readdir,
	.readdirplus = fs_readdirplus,
	.statfs = fs_statfs,
	.setattr = fs_setattr,
	.mknod = fs_mknod,
	.mkdir = fs_mkdir,
	.unlink = fs_unlink,
	.rmdir = fs_unlink,
	.symlink = fs_symlink,
	.rename = fs_rename,
	.link = fs_link,
	.create = fs_create,
	.write = fs_write,
	.setxattr = fs_setxattr,
	.removexattr = fs_removexattr,
};

/* ---- live updates ------------------------------------------------------------------------- */

struct entry_ref {
	uint64_t parent, ino;
	char *name;
	unsigned depth;
};

struct entries {
	struct entry_ref *e;
	size_t n, alloc;
	int names;	/* the names too: they are told one by one */
	int oom;
};

static void note_entry(void *arg, struct fs_inode *in)
{
	struct entries *s = arg;
	struct entry_ref *e;

	if (s->oom || array_reserve(&s->e, s->n, &s->alloc, sizeof(*s->e), 256)) {
		s->oom = 1;
		return;
	}
	e = &s->e[s->n];
	e->parent = in->parent;
	e->ino = in->ino;
	e->depth = in->depth;
	e->name = in->depth && s->names ? strdup(in->name) : NULL;
	if (in->depth && s->names && !e->name)
		s->oom = 1;
	else
		s->n++;
}

static int by_depth(const void *a, const void *b)
{
	const struct entry_ref *x = a, *y = b;

	return x->depth < y->depth ? -1 : x->depth > y->depth;
}

/* Whether a worker still reads an inventory older than `v` (with the lock). */
static int old_readers(struct fs_state *fs, uint64_t v)
{
	size_t i;

	for (i = 0; i < FS_POOL; i++)
		if (fs->workers[i].busy && fs->workers[i].busy < v)
			return 1;
	return 0;
}

/*
 * Make every name the kernel holds stale at once, the missing ones
 * included: it looks each up again when next used
 * (FUSE_NOTIFY_INC_EPOCH, Linux 6.16; libfuse 3.14 has no call for it, and
 * the message is a bare header). 0, or a negative errno: -EINVAL from a
 * kernel without it, which then hears of each name (invalidate_kernel).
 */
static int forget_all_names(struct fs_state *fs)
{
	struct fuse_out_header h = { sizeof(h), FS_NOTIFY_INC_EPOCH, 0 };
	ssize_t n;

	if (fs->inval_names)
		return -ENOTSUP;
	n = write(fuse_session_fd(fs->se), &h, sizeof(h));
	return n == (ssize_t)sizeof(h) ? 0 : n < 0 ? -errno : -EIO;
}

/* Take the memo of missing names of the root; tell the kernel each when `tell` (not when it forgot all names at once). */
static void forget_negatives(struct fs_state *fs, int tell)
{
	struct negative *neg;
	size_t nneg, i;

	pthread_mutex_lock(&fs->lock);
	neg = fs->neg;
	nneg = fs->nneg;
	fs->neg = NULL;
	fs->nneg = fs->aneg = 0;
	pthread_mutex_unlock(&fs->lock);
	for (i = 0; i < nneg; i++) {
		if (tell)
			fuse_lowlevel_notify_inval_entry(fs->se, neg[i].parent, neg[i].name, strlen(neg[i].name));
		free(neg[i].name);
	}
	free(neg);
}

/*
 * An import (or a new inventory) replaced the change log: the inode the
 * kernel holds of it is detached, before the kernel is told anything, so
 * that no reply about the new log reaches it (a size that differs makes
 * the kernel drop its pages): whoever has it open reads it to its end
 * (fs/pin.h), with the size and time it had. `key`: the key of the log
 * a reader is in the middle of (pins_keep), or -1. The next lookup of
 * the name makes a new inode, which shows the number the path had
 * (fs/kept.h, with no bytes kept: the pins serve them). Under the lock.
 * 1 when one was detached: the kernel is then told its name.
 */
static int detach_log(struct fs_state *fs, int64_t key)
{
	struct fs_inode *root = inodes_get(&fs->inodes, INODES_ROOT);
	struct fs_inode *in = root ? inodes_find(&fs->inodes, root, fs->log_name) : NULL;

	if (!in || !in->nlookup || !route_is(fs, in, ROUTE_CHANGE_LOG))
		return 0;
	/* Without memory for it, the log's next inode shows a number of its own: still detached, its reader comes first. */
	if (kept_add(&fs->kept, in->ino, inodes_user(&fs->inodes, in), in->parent, in->name, NULL, mono_ns()))
		fs_log("out of memory: `%s` may show another inode number after this import", fs->log_name);
	inodes_detach(in, key); /* before refresh() resets the caches: it keeps its size and time */
	return 1;
}

/* What keep_read_files() gathers: the names the kernel is to forget. */
struct keeping {
	struct fs_state *fs;
	uint64_t v;
	int64_t now;
	struct inode_name *names;
	size_t n;
};

static void keep_one(void *arg, struct fs_inode *in, struct blob *b)
{
	struct keeping *k = arg;
	struct fs_state *fs = k->fs;
	uint64_t size;
	struct timespec t;

	if (in->type != NODE_FILE || !in->nlookup || b->version >= k->v || !kept_reading(b, k->now) ||
	    route_is(fs, in, ROUTE_CHANGE_LOG) || k->n == KEPT_MAX)
		return;
	/* Its reader saw this size and time: the inode keeps them (inodes_detached_stat()). */
	if (!inodes_size(in, b->version, &size) || size != b->len || !inodes_mtime(in, b->version, &t))
		return;
	k->names[k->n].parent = in->parent;
	if (!(k->names[k->n].name = strdup(in->name)))
		return;
	if (kept_add(&fs->kept, in->ino, inodes_user(&fs->inodes, in), in->parent, in->name, b, k->now)) {
		free(k->names[k->n].name);
		return;
	}
	inodes_detach(in, -1);
	k->n++;
}

/*
 * An import (or a new day, or inventory) made version `v`: each file a
 * reader is in the middle of, at an older version, is detached with the
 * bytes it began (fs/kept.h), before the caches are reset. Under the
 * lock. The names the kernel is to forget, once told of the rest, go in
 * `names` (KEPT_MAX of them; each to be freed): how many.
 */
static size_t keep_read_files(struct fs_state *fs, uint64_t v, struct inode_name *names)
{
	struct keeping k = { fs, v, mono_ns(), names, 0 };

	inodes_each_content(&fs->inodes, keep_one, &k);
	return k.n;
}

/* The change log's name in the root, from the route table (one route, a child of the root). */
static const char *change_log_name(void)
{
	const char *name = NULL;
	int i;

	for (i = 0; i < tree_nroutes; i++)
		if (tree_routes[i].flags & ROUTE_CHANGE_LOG) {
			assert(!name && tree_routes[i].pattern[0] == '/' && !strchr(tree_routes[i].pattern + 1, '/'));
			name = tree_routes[i].pattern + 1;
		}
	assert(name);
	return name;
}

/* Whether the kernel is told to drop inode `ino`'s pages: not a detached one's, which its reader keeps. */
static int drop_pages(struct fs_state *fs, uint64_t ino)
{
	struct fs_inode *in;
	int drop;

	pthread_mutex_lock(&fs->lock);
	in = inodes_get(&fs->inodes, ino);
	drop = !in || !inodes_detached(in, NULL);
	pthread_mutex_unlock(&fs->lock);
	return drop;
}

/*
 * Tell the kernel to forget every page, attribute and name it holds, the
 * names it holds as missing included. Without the lock: the workers answer
 * what the kernel asks meanwhile. The names go first, all at once where the
 * kernel can: at 100k flows, after a `find` of the whole tree, telling the
 * 934k names one by one took 7.6 s (each notice takes its folder's lock),
 * and the watcher saw no import meanwhile.
 */
static void invalidate_kernel(struct fs_state *fs)
{
	struct entries snap = { 0 };
	size_t i;

	snap.names = forget_all_names(fs) != 0;
	pthread_mutex_lock(&fs->lock);
	inodes_each(&fs->inodes, note_entry, &snap);
	pthread_mutex_unlock(&fs->lock);
	if (snap.oom)
		fs_log("out of memory: some names may show their old contents until remounted");

	/* Pages and attributes: of files held open too, which no lookup refreshes. */
	for (i = 0; i < snap.n; i++)
		if (drop_pages(fs, snap.e[i].ino))
			fuse_lowlevel_notify_inval_inode(fs->se, snap.e[i].ino, 0, 0);
	/* Parents first: dropping a folder's name drops the names below it. */
	if (snap.names && snap.n)
		qsort(snap.e, snap.n, sizeof(*snap.e), by_depth);
	for (i = 0; i < snap.n; i++) {
		if (snap.e[i].name && snap.e[i].parent)
			fuse_lowlevel_notify_inval_entry(fs->se, snap.e[i].parent, snap.e[i].name,
							 strlen(snap.e[i].name));
		free(snap.e[i].name);
	}
	forget_negatives(fs, snap.names);
	free(snap.e);
}

/*
 * Tell the kernel what the imports after `since` (ns) changed, and nothing
 * else (fs/forget.c), so that the rest stays cached: 1, or 0 when that
 * cannot be planned (too much changed, no memory) and all must go.
 */
static int invalidate_changed(struct fs_state *fs, int64_t since, int day_moved)
{
	struct forget_plan plan;
	size_t i;

	if (since < 0 || forget_plan_make(&fs->inodes, &fs->lock, fs->watch_st, since, day_moved, &plan))
		return 0;
	/* The inodes first: a name told goes with its pages where the kernel holds nothing else of it. */
	for (i = 0; i < plan.count; i++)
		if (!plan.n[i].name && drop_pages(fs, plan.n[i].ino))
			fuse_lowlevel_notify_inval_inode(fs->se, plan.n[i].ino, 0, 0);
	for (i = 0; i < plan.count; i++)
		if (plan.n[i].name)
			fuse_lowlevel_notify_inval_entry(fs->se, plan.n[i].ino, plan.n[i].name,
							 strlen(plan.n[i].name));
	/* A root name that came to exist is a new path of the walk, told above: the memo goes untold. */
	forget_negatives(fs, 0);
	forget_plan_release(&plan);
	return 1;
}

/*
 * The inventory (or the day) changed to version `v`. The caches of older
 * versions go, pushes of old bytes are dropped, and the kernel forgets what
 * the imports after `since` changed (since < 0: everything it holds);
 * requests that began before the change may still reply with old bytes, so
 * once they are through the kernel is told again. Whether any was running
 * is asked before the first telling: one that replies during it, after its
 * part was told, is then told again too.
 */
static void refresh(struct fs_state *fs, uint64_t v, int64_t since, int day_moved, int new_db)
{
	struct timespec t0, t1;
	int64_t gen = generation_of(v), kept = -1;
	int again, changed, detached = 0;
	struct inode_name names[KEPT_MAX];
	size_t nnames, i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	walk_drop(&fs->walk);
	pthread_mutex_lock(&fs->lock);
	/* A new log (a new generation, or inventory): whoever reads the old one keeps it. */
	if (new_db || gen != fs->log_gen) {
		kept = pins_keep(&fs->pins, gen);
		detached = detach_log(fs, kept);
	}
	fs->log_gen = gen;
	nnames = keep_read_files(fs, v, names);
	__atomic_store_n(&fs->snap_seq, fs->snap_seq + 1, __ATOMIC_RELEASE);
	inodes_reset_caches(&fs->inodes);
	again = old_readers(fs, v);
	pthread_mutex_unlock(&fs->lock);
	end_kept_snapshots(fs, 1);
	changed = invalidate_changed(fs, since, day_moved);
	if (!changed)
		invalidate_kernel(fs);
	if (detached) /* the plan may not hold it: an import that left the log as it was */
		fuse_lowlevel_notify_inval_entry(fs->se, INODES_ROOT, fs->log_name, strlen(fs->log_name));
	for (i = 0; i < nnames; i++) { /* the plan names no detached inode */
		fuse_lowlevel_notify_inval_entry(fs->se, names[i].parent, names[i].name, strlen(names[i].name));
		free(names[i].name);
	}
	__atomic_fetch_add(changed ? &fs->forgot_changed : &fs->forgot_all, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&fs->lock);
	while (old_readers(fs, v))
		pthread_cond_wait(&fs->idle_cv, &fs->lock);
	pthread_mutex_unlock(&fs->lock);
	if (again) {
		walk_drop(&fs->walk);
		if (!changed || !invalidate_changed(fs, since, day_moved))
			invalidate_kernel(fs);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	__atomic_store_n(&fs->refresh_us,
			 (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000),
			 __ATOMIC_RELAXED);
}

static void print_stats(struct fs_state *fs)
{
	uint64_t total = 0, counts[OP_COUNT], inodes, busy_max;
	int i;

	for (i = 0; i < OP_COUNT; i++) {
		counts[i] = __atomic_load_n(&fs->counts[i], __ATOMIC_RELAXED);
		total += counts[i];
	}
	pthread_mutex_lock(&fs->lock);
	inodes = inodes_count(&fs->inodes);
	busy_max = fs->busy_max;
	pthread_mutex_unlock(&fs->lock);
	fprintf(stderr, "nletsfs: requests %llu", (unsigned long long)total);
	for (i = 0; i < OP_COUNT; i++)
		fprintf(stderr, " %s %llu", op_names[i], (unsigned long long)counts[i]);
	fprintf(stderr, " forgot_changed %llu forgot_all %llu refresh_us %llu",
		(unsigned long long)__atomic_load_n(&fs->forgot_changed, __ATOMIC_RELAXED),
		(unsigned long long)__atomic_load_n(&fs->forgot_all, __ATOMIC_RELAXED),
		(unsigned long long)__atomic_load_n(&fs->refresh_us, __ATOMIC_RELAXED));
	fprintf(stderr, " inodes %llu busy_max %llu ahead %llu hits %llu evicted %llu", (unsigned long long)inodes,
		(unsigned long long)busy_max,
		(unsigned long long)__atomic_load_n(&fs->ahead.listed, __ATOMIC_RELAXED),
		(unsigned long long)__atomic_load_n(&fs->ahead.hits, __ATOMIC_RELAXED),
		(unsigned long long)__atomic_load_n(&fs->evict.asked, __ATOMIC_RELAXED));
	walk_print_stats(&fs->walk, stderr);
	fputc('\n', stderr);
	fflush(stderr);
}

/* ---- a subscription: a newer inventory replaces the mounted one ---------------------------- */

static void wake_refresher(struct fs_state *fs)
{
	pthread_mutex_lock(&fs->refresh_lock);
	fs->refresh_now = 1;
	pthread_cond_signal(&fs->refresh_cv);
	pthread_mutex_unlock(&fs->refresh_lock);
}

/*
 * Serve `db` instead of the mounted inventory. Every worker's connection is
 * opened here first, so a database that will not open changes nothing; each
 * worker takes its own at its next request, and the kernel forgets what it
 * holds once the requests on the old inventory are through: a reader sees
 * the old or the new inventory whole.
 */
static int swap_db(struct fs_state *fs, const char *db, struct strbuf *err)
{
	struct store *st[FS_POOL] = { NULL }, *stale[FS_POOL] = { NULL }, *wst = NULL, *stale_w;
	struct store *pst[PIN_MAX] = { NULL };
	char *copy = strdup(db);
	int64_t g = -1;
	uint64_t v;
	size_t i;
	int rc = copy ? 0 : -ENOMEM;

	for (i = 0; !rc && i < FS_POOL; i++)
		rc = store_open(db, STORE_READONLY | fs->store_flags, &st[i], err);
	if (!rc && (fs->store_flags & STORE_IMMUTABLE))
		rc = store_open(db, STORE_READONLY | fs->store_flags, &wst, err);
	for (i = 0; !rc && i < (size_t)fs->pins.n; i++)
		rc = store_open(db, STORE_READONLY | fs->store_flags, &pst[i], err);
	if (!rc && (g = store_generation(st[0])) < 0) {
		strbuf_addf(err, "%s: cannot read its generation", db);
		rc = -EIO;
	}
	if (rc) {
		for (i = 0; i < FS_POOL; i++)
			store_close(st[i]);
		store_close(wst);
		for (i = 0; i < PIN_MAX; i++)
			store_close(pst[i]);
		free(copy);
		return rc;
	}
	pthread_mutex_lock(&fs->lock);
	for (i = 0; i < FS_POOL; i++) {
		stale[i] = fs->workers[i].next_st;
		fs->workers[i].next_st = st[i];
	}
	stale_w = fs->next_watch_st;
	fs->next_watch_st = wst;
	free(fs->db);
	fs->db = copy;
	fs->era++;
	v = version_of(g, fs->era);
	/* Before any worker takes its new connection: a pin's log is told apart from the new inventory's. */
	if (fs->pins.n)
		pins_swap(&fs->pins, pst);
	pthread_mutex_unlock(&fs->lock);
	for (i = 0; i < FS_POOL; i++)
		store_close(stale[i]);
	store_close(stale_w);
	if (fs->unlink_db) {
		unlink(db); /* a private copy: it lives while a connection holds it */
		cleanup_forget(db);
	}
	refresh(fs, v, -1, 0, 1);
	return 0;
}

/* A ROUTE_VOLATILE file's caches: dropped here, and its number kept to tell the kernel. */
struct volatile_seen {
	const struct fs_state *fs;
	struct inode_table *inodes;
	uint64_t ino;
};

static void drop_volatile(void *arg, struct fs_inode *in)
{
	struct volatile_seen *seen = arg;

	if (!route_is(seen->fs, in, ROUTE_VOLATILE))
		return;
	inodes_clear_stat(in);
	inodes_keep_content(seen->inodes, in, NULL);
	seen->ino = in->ino; /* one such file (.nletsfs/status) */
}

/* The refresher: every interval, or at SIGHUP, asks for a newer inventory and mounts it. */
static void *refresher(void *arg)
{
	struct fs_state *fs = arg;

	for (;;) {
		struct strbuf err = STRBUF_INIT;
		struct timespec until;
		struct volatile_seen seen;
		char *db = NULL;
		int rc;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += fs->refresh->interval ? (time_t)fs->refresh->interval : 365 * 86400;
		pthread_mutex_lock(&fs->refresh_lock);
		while (!fs->refresh_now && !__atomic_load_n(&fs->stop, __ATOMIC_ACQUIRE) &&
		       pthread_cond_timedwait(&fs->refresh_cv, &fs->refresh_lock, &until) != ETIMEDOUT)
			;
		fs->refresh_now = 0;
		pthread_mutex_unlock(&fs->refresh_lock);
		if (__atomic_load_n(&fs->stop, __ATOMIC_ACQUIRE))
			break;
		rc = fs->refresh->check(fs->refresh->arg, &db, &err);
		if (rc > 0 && db)
			rc = swap_db(fs, db, &err);
		if (rc < 0)
			fs_log("%s (the mounted inventory is served still)", err.len ? err.buf : strerror(-rc));
		else if (fs->refresh->changed && db)
			fs->refresh->changed(fs->refresh->arg, db);
		/* Whatever came of it, the status is news (a swap forgot it already; no matter). */
		pthread_mutex_lock(&fs->lock);
		seen.fs = fs;
		seen.inodes = &fs->inodes;
		seen.ino = 0;
		inodes_each(&fs->inodes, drop_volatile, &seen);
		pthread_mutex_unlock(&fs->lock);
		if (seen.ino)
			fuse_lowlevel_notify_inval_inode(fs->se, seen.ino, 0, 0);
		free(db);
		strbuf_release(&err);
	}
	return NULL;
}

/*
 * The mount's read-ahead window (fs/bdi.h), a tick after INIT: its reply
 * lowers the window to what the daemon said, undoing a window raised
 * before it. Where the daemon may not (not root), the kernel's stays; a
 * user who asked for one is told.
 */
static void set_read_ahead(struct fs_state *fs)
{
	int step = __atomic_load_n(&fs->ra_step, __ATOMIC_ACQUIRE), rc;

	if (step == RA_INIT) {
		__atomic_store_n(&fs->ra_step, RA_TICK, __ATOMIC_RELEASE);
	} else if (step == RA_TICK) {
		__atomic_store_n(&fs->ra_step, RA_DONE, __ATOMIC_RELEASE);
		rc = bdi_read_ahead_set(fs->mnt, fs->read_ahead_kb);
		if (rc && fs->read_ahead_given)
			fs_log("read_ahead_kb=%u: the mount keeps the kernel's window: %s", fs->read_ahead_kb,
			       strerror(-rc));
	}
}

/*
 * What the watcher read of the inventory in one snapshot: its generation
 * (-1: unknown), and the last import's walk (fs/derive.c): its time, and
 * the day it walked (derived: both known, and of this generation).
 */
struct stamp {
	int64_t gen;
	int derived;
	int64_t changed_at, files_date;
	int64_t files_from, files_until;	/* the days that show the facts files_date shows (tree_same_days) */
};

static struct stamp read_stamp(struct store *st)
{
	struct stamp s = { .gen = -1 };

	if (!st || store_read_begin(st))
		return s;
	s.gen = store_generation(st);
	s.derived = s.gen >= 0 && store_derived_fresh(st) == 1 &&
		    !store_derived_get(st, "changed_at", &s.changed_at) &&
		    !store_derived_get(st, "files_date", &s.files_date) &&
		    !store_derived_get(st, "files_from", &s.files_from) &&
		    !store_derived_get(st, "files_until", &s.files_until);
	store_read_end(st);
	return s;
}

/* Whether the root shows on `day` the facts the walk of `s` saw: no fact starts or stops between them. */
static int walk_serves(const struct stamp *s, const char *day)
{
	int64_t k = tree_day_key(day);

	return s->derived && s->files_from <= k && k < s->files_until;
}

/*
 * The time after which imports changed what the kernel may hold, when
 * only that need be forgotten: the kernel holds the tree of `was_day`, which
 * shows the facts the walk before the imports saw, and the mount shows on
 * `day` those the walk after them saw. A new day between two days that show
 * the same facts moves only the files that print the day: *day_moved. -1:
 * forget everything (a fact starts or stops between the days, derived data
 * stale, -o forget_all).
 */
static int64_t changed_since(const struct fs_state *fs, const struct stamp *was, const struct stamp *now,
			     const char *was_day, const char *day, int *day_moved)
{
	*day_moved = strcmp(was_day, day) != 0;
	if (fs->forget_all || !walk_serves(was, was_day) || !walk_serves(now, day))
		return -1;
	return was->changed_at;
}

/* The store of an inventory swap_db() mounted instead, and its stamp: the watcher's from now on. */
static void take_swapped_store(struct fs_state *fs, struct stamp *seen, int64_t *g)
{
	struct store *st;

	pthread_mutex_lock(&fs->lock);
	st = fs->next_watch_st;
	fs->next_watch_st = NULL;
	pthread_mutex_unlock(&fs->lock);
	if (!st)
		return;
	store_close(fs->watch_st);
	fs->watch_st = st;
	*seen = read_stamp(st);
	*g = seen->gen >= 0 ? seen->gen : 0;
}

/* For kept_tick(), under the lock: the kernel forgot the detached inode `ino`. */
static int kept_gone(void *arg, uint64_t ino)
{
	struct fs_state *fs = arg;
	struct fs_inode *in = inodes_get(&fs->inodes, ino);

	return !in || !inodes_detached(in, NULL);
}

/*
 * The watcher: every FS_WATCH_MS, has an import committed, or has the day
 * changed? Then refresh. SIGUSR1 prints the request counts.
 */
static void *watch(void *arg)
{
	struct fs_state *fs = arg;
	struct stamp seen = read_stamp(fs->watch_st);
	int64_t g = seen.gen >= 0 ? seen.gen : 0;
	char day[11], now[11];

	if (seen.gen >= 0)
		pins_show(&fs->pins, seen.gen);
	store_today(day);
	while (!__atomic_load_n(&fs->stop, __ATOMIC_ACQUIRE)) {
		struct pollfd p = { fs->sigfd, POLLIN, 0 };
		int64_t ng;

		if (poll(&p, 1, FS_WATCH_MS) > 0) {
			struct signalfd_siginfo si;

			if ((p.revents & POLLIN) && read(fs->sigfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP)
					wake_refresher(fs);
				else
					print_stats(fs);
			}
		}
		walk_idle(&fs->walk);
		end_kept_snapshots(fs, 0);
		pins_tick(&fs->pins);
		pthread_mutex_lock(&fs->lock);
		kept_tick(&fs->kept, mono_ns(), kept_gone, fs);
		pthread_mutex_unlock(&fs->lock);
		set_read_ahead(fs);
		take_swapped_store(fs, &seen, &g);
		ng = fs->watch_st ? store_generation(fs->watch_st) : g;
		store_today(now);
		if (ng != g || strcmp(now, day)) {
			/* The generation refreshed to and what its import changed, read in one snapshot. */
			struct stamp cur = read_stamp(fs->watch_st);
			int new_day = strcmp(now, day) != 0, day_moved;
			int64_t since = changed_since(fs, &seen, &cur, day, now, &day_moved);
			uint64_t era;

			pthread_mutex_lock(&fs->lock);
			if (fs->next_watch_st)
				since = -1; /* the stamps are of an inventory no longer mounted */
			if (new_day)
				fs->era++;
			era = fs->era;
			pthread_mutex_unlock(&fs->lock);
			if (cur.gen >= 0)
				g = cur.gen;
			else if (ng >= 0)
				g = ng;
			seen = cur;
			memcpy(day, now, sizeof(day));
			refresh(fs, version_of(g, era), since, day_moved, 0);
		}
	}
	return NULL;
}

/*
 * Start the watcher; with no `watch_db` (an immutable inventory, whose store
 * the mount opened: it never changes) it watches the day and signals only.
 */
static int start_watcher(struct fs_state *fs, const char *watch_db, struct strbuf *err)
{
	sigset_t set;
	int rc;

	rc = watch_db && !fs->watch_st ? store_open(watch_db, STORE_READONLY, &fs->watch_st, err) : 0;
	if (rc)
		return rc;
	/* SIGUSR1 (and SIGHUP for a subscription) reach the watcher through a signalfd. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (fs->refresh)
		sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	fs->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fs->sigfd < 0) {
		rc = -errno;
		strbuf_addf(err, "cannot start the watcher: %s", strerror(errno));
		return rc;
	}
	rc = pthread_create(&fs->watcher, NULL, watch, fs);
	if (rc) { /* pthread_create returns its error; it does not set errno */
		strbuf_addf(err, "cannot start the watcher: %s", strerror(rc));
		return -rc;
	}
	fs->watching = 1;
	rc = fs->list_ahead ? ahead_start(&fs->ahead) : 0;
	if (rc) {
		strbuf_addf(err, "cannot start the lister ahead: %s", strerror(-rc));
		return rc;
	}
	rc = evict_start(&fs->evict, fs->se);
	if (rc) {
		strbuf_addf(err, "cannot start the inode budget's thread: %s", strerror(-rc));
		return rc;
	}
	if (fs->refresh) {
		fs->refresh_now = 1; /* a mount from a cached copy catches up at once */
		rc = pthread_create(&fs->refresher, NULL, refresher, fs);
		if (rc) {
			strbuf_addf(err, "cannot start the refresher: %s", strerror(rc));
			return -rc;
		}
		fs->refreshing = 1;
	}
	return 0;
}

static void stop_watcher(struct fs_state *fs)
{
	__atomic_store_n(&fs->stop, 1, __ATOMIC_RELEASE);
	ahead_stop(&fs->ahead);
	evict_stop(&fs->evict);
	if (fs->refreshing) {
		wake_refresher(fs);
		if (fs->refresh->cancel) /* a download in progress gives up: no waiting for a slow server */
			fs->refresh->cancel(fs->refresh->arg);
		pthread_join(fs->refresher, NULL);
		fs->refreshing = 0;
	}
	if (fs->watching) {
		pthread_join(fs->watcher, NULL);
		fs->watching = 0;
	}
	if (fs->sigfd >= 0)
		close(fs->sigfd);
	fs->sigfd = -1;
	store_close(fs->watch_st);
	fs->watch_st = NULL;
	store_close(fs->next_watch_st);
	fs->next_watch_st = NULL;
}

/* ---- the loop ----------------------------------------------------------------------------- */

/*
 * FS_WORKERS threads read requests from the session and serve them, for
 * the life of the mount: libfuse's own multi-threaded loop (3.14) starts a
 * thread per request and ends it after, which costs more than the request.
 * The main thread waits for the session's end (an unmount, which every
 * reader sees, or SIGINT/SIGTERM, whose libfuse handler ends the session and
 * interrupts the wait), then cancels the readers still blocked in read(2):
 * they take cancellation only there, as libfuse's loop does.
 */
struct loop {
	struct fuse_session *se;
	sem_t finished;
	int error;
};

static void free_buf(void *arg)
{
	free(((struct fuse_buf *)arg)->mem);
}

static void *serve_thread(void *arg)
{
	struct loop *lp = arg;
	struct fuse_buf buf = { .mem = NULL };
	int rc, old;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	pthread_cleanup_push(free_buf, &buf);
	while (!fuse_session_exited(lp->se)) {
		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
		rc = fuse_session_receive_buf(lp->se, &buf);
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
		if (rc == -EINTR)
			continue;
		if (rc <= 0) {
			if (rc < 0)
				lp->error = rc;
			fuse_session_exit(lp->se);
			break;
		}
		fuse_session_process_buf(lp->se, &buf);
	}
	pthread_cleanup_pop(1);
	sem_post(&lp->finished);
	return NULL;
}

static int serve(struct fs_state *fs, struct strbuf *err)
{
	struct loop lp = { .se = fs->se };
	pthread_t th[FS_WORKERS];
	sigset_t all, old;
	int i, n = 0, rc = 0;

	sem_init(&lp.finished, 0, 0);
	/* The serving threads take no signal: the main thread waits for them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < FS_WORKERS && !rc; i++) {
		rc = pthread_create(&th[n], NULL, serve_thread, &lp);
		if (rc) { /* pthread_create returns its error; it does not set errno */
			strbuf_addf(err, "cannot start a serving thread: %s", strerror(rc));
			rc = -rc;
		} else {
			n++;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		fuse_session_exit(fs->se);
	while (!fuse_session_exited(fs->se))
		sem_wait(&lp.finished); /* interrupted by the handlers of SIGINT and SIGTERM */
	for (i = 0; i < n; i++)
		pthread_cancel(th[i]);
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	sem_destroy(&lp.finished);
	fuse_session_reset(fs->se);
	return rc ? rc : lp.error == -ENODEV ? 0 : lp.error;
}

/* ---- the mount ---------------------------------------------------------------------------- */

/* The workers' connections, opened in the daemon (after the fork). */
static int open_workers(struct fs_state *fs, struct strbuf *err)
{
	struct store *st[PIN_MAX] = { NULL };
	size_t i;
	int rc;

	for (i = 0; i < FS_POOL; i++) {
		struct worker *w = &fs->workers[i];

		strbuf_init(&w->range);
		rc = store_open(fs->db, STORE_READONLY | fs->store_flags, &w->st, err);
		if (rc)
			return rc;
		w->tree = tree_open(w->st);
		if (!w->tree) {
			strbuf_addstr(err, "out of memory");
			return -ENOMEM;
		}
		fs->free_workers[fs->nfree++] = w;
	}
	for (i = 0; !rc && i < PIN_MAX; i++)
		rc = store_open(fs->db, STORE_READONLY | fs->store_flags, &st[i], err);
	if (rc) {
		while (i--)
			store_close(st[i]);
		return rc;
	}
	if ((rc = pins_init(&fs->pins, st, PIN_MAX)) != 0)
		strbuf_addstr(err, "out of memory");
	return rc;
}

static void close_workers(struct fs_state *fs)
{
	size_t i;

	for (i = 0; i < FS_POOL; i++) {
		store_close(fs->workers[i].next_st);
		fs->workers[i].next_st = NULL;
		strbuf_release(&fs->workers[i].range);
		if (!fs->workers[i].st)
			continue;
		tree_free(fs->workers[i].tree);
		fs->workers[i].tree = NULL;
		store_close(fs->workers[i].st);
		fs->workers[i].st = NULL;
	}
	fs->nfree = 0;
	pins_release(&fs->pins);
}

/* 1 when the folder holds nothing, 0 when it does, or a negative errno. */
static int dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int empty = 1;

	if (!d)
		return -errno;
	while (empty && (de = readdir(d)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(d);
	return empty;
}

/*
 * A mount point must be an empty folder that is not mounted on already
 * (SPEC section 5), as fusermount3 and sshfs want it: stacking a second
 * mount hides the first, and a mount over a file answers EIO.
 */
static int check_mountpoint(const char *path, struct strbuf *err)
{
	struct stat st, parent;
	struct strbuf up = STRBUF_INIT;
	int rc = 0;

	if (stat(path, &st)) {
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		strbuf_addf(err, "%s: not a directory", path);
		return -ENOTDIR;
	}
	strbuf_addf(&up, "%s/..", path);
	if (!strbuf_ok(&up) && stat(up.buf, &parent) == 0 &&
	    (st.st_dev != parent.st_dev || st.st_ino == parent.st_ino)) {
		strbuf_addf(err, "%s: already a mount point (unmount it first: fusermount3 -u %s)", path, path);
		rc = -EBUSY;
	} else if ((rc = dir_is_empty(path)) <= 0) {
		strbuf_addf(err, "%s: %s", path, rc ? strerror(-rc) : "not empty (a mount would hide what it holds)");
		rc = rc ? rc : -ENOTEMPTY;
	} else {
		rc = 0;
	}
	strbuf_release(&up);
	return rc;
}

static void release_state(struct fs_state *fs)
{
	size_t i;

	close_workers(fs);
	kept_release(&fs->kept);
	inodes_release(&fs->inodes);
	for (i = 0; i < fs->nneg; i++)
		free(fs->neg[i].name);
	free(fs->neg);
	walk_release(&fs->walk);
	free(fs->db);
	ahead_release(&fs->ahead);
	evict_release(&fs->evict);
	pthread_cond_destroy(&fs->idle_cv);
	pthread_mutex_destroy(&fs->lock);
	pthread_cond_destroy(&fs->refresh_cv);
	pthread_mutex_destroy(&fs->refresh_lock);
}

int fs_mount(const struct fs_mount_options *o, struct strbuf *err)
{
	struct fs_state fs;
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_session *se = NULL;
	struct strbuf opts = STRBUF_INIT;
	struct store *probe = NULL;
	struct stat dbst;
	const char *source;
	/* In the background the daemon moves to "/" (fuse_daemonize): paths must hold there. */
	char *mnt_abs = realpath(o->mountpoint, NULL);
	sigset_t term, orig_mask;
	int rc = 0, mounted = 0, handlers = 0;

	memset(&fs, 0, sizeof(fs));
	pthread_sigmask(SIG_BLOCK, NULL, &orig_mask);
	fs.sigfd = -1;
	fs.log_gen = -1;
	fs.log_name = change_log_name();
	fs.store_flags = o->store_flags;
	fs.db = realpath(o->db, NULL);
	pthread_mutex_init(&fs.lock, NULL);
	pthread_cond_init(&fs.idle_cv, NULL);
	pthread_mutex_init(&fs.refresh_lock, NULL);
	pthread_cond_init(&fs.refresh_cv, NULL);
	fs.refresh = o->refresh;
	ahead_init(&fs.ahead, &fs.lock, &fs.inodes, list_ahead, &fs);
	evict_init(&fs.evict, &fs.lock, &fs.inodes, o->max_inodes);
	fs.list_ahead = o->list_ahead;
	fs.mnt = mnt_abs ? mnt_abs : o->mountpoint;
	fs.read_ahead_kb = o->read_ahead_kb;
	fs.read_ahead_given = o->read_ahead_given;
	fs.inval_names = o->inval_names;
	fs.forget_all = o->forget_all;
	views_status_source(o->refresh);
	fs.unlink_db = o->unlink_db;
	walk_init(&fs.walk, o->push_pages, o->latency_hold);
	rc = check_mountpoint(o->mountpoint, err);
	if (rc)
		goto out;
	if (!fs.db) {
		rc = -errno;
		strbuf_addf(err, "cannot open %s: %s", o->db, strerror(errno));
		goto out;
	}
	if (stat(fs.db, &dbst) == 0)
		fs.mtime = dbst.st_mtim;
	/*
	 * Opened here only to report a bad inventory on the terminal, and
	 * closed before the fork: the daemon opens its own connections.
	 */
	rc = store_open(o->db, STORE_READONLY | fs.store_flags, &probe, err); /* named as the user named it */
	store_close(probe);
	if (rc)
		goto out;
	fs.uid = getuid();
	fs.gid = getgid();
	rc = inodes_init(&fs.inodes, tree_routes);
	if (rc)
		goto out;

	strbuf_addstr(&opts, "ro,default_permissions,subtype=nletsfs,fsname=");
	source = o->source ? o->source : o->db;
	strbuf_addstr(&opts, strchr(source, ',') ? "nletsfs" : source);
	if (o->options && *o->options)
		strbuf_addf(&opts, ",%s", o->options);
	if (fuse_opt_add_arg(&args, "nletsfs") || fuse_opt_add_arg(&args, "-o") ||
	    fuse_opt_add_arg(&args, opts.buf) || (o->debug && fuse_opt_add_arg(&args, "-d"))) {
		rc = -ENOMEM;
		goto out;
	}
	se = fuse_session_new(&args, &fs_ops, sizeof(fs_ops), &fs);
	if (!se) {
		strbuf_addf(err, "cannot start the filesystem (bad -o option?)");
		rc = -EINVAL;
		goto out;
	}
	fs.se = se;
	walk_set_session(&fs.walk, se);
	if (fuse_set_signal_handlers(se)) {
		strbuf_addf(err, "cannot set signal handlers");
		rc = -EIO;
		goto out;
	}
	handlers = 1;
	if (fuse_session_mount(se, mnt_abs ? mnt_abs : o->mountpoint)) {
		strbuf_addf(err, "cannot mount on %s", o->mountpoint);
		rc = -EIO;
		goto out;
	}
	mounted = 1;
	if (fuse_daemonize(o->foreground || o->debug)) {
		rc = -EIO;
		goto out;
	}
	if (!o->foreground && !o->debug) {
		fs_background = 1;
		openlog("nletsfs", LOG_PID, LOG_DAEMON);
	}
	/*
	 * Big blocks (a big file, a big folder's names) are mapped and given
	 * back when freed. glibc raises its mapping threshold to the size of
	 * each big block freed, after which they come from the serving threads'
	 * arenas, which keep the memory: reading a 100 MB change log (then
	 * loaded a day at a time) grew the daemon by 57 MB that way, 16 MB with
	 * a fixed threshold. A READ of the change log goes into its worker's
	 * own buffer (struct worker's `range`), kept from READ to READ.
	 */
	mallopt(M_MMAP_THRESHOLD, FS_MMAP_THRESHOLD);
	/* After the fork: connections, and threads, which do not survive it. */
	rc = open_workers(&fs, err);
	/* An immutable inventory's stamp, which the watcher reads on a new day: its connection too. */
	if (!rc && (fs.store_flags & STORE_IMMUTABLE))
		rc = store_open(fs.db, STORE_READONLY | fs.store_flags, &fs.watch_st, err);
	/* A private copy (a bundle's) goes once every connection holds it open. */
	if (o->unlink_db) {
		unlink(fs.db);
		cleanup_forget(fs.db);
	}
	if (rc)
		goto out;
	/* Blocked in every thread started below: the loop's main thread alone takes them. */
	sigemptyset(&term);
	sigaddset(&term, SIGINT);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &term, NULL);
	rc = start_watcher(&fs, (fs.store_flags & STORE_IMMUTABLE) ? NULL : fs.db, err);
	/* A subscription's SIGHUP is "check now", taken by the watcher's signalfd, not "exit". */
	if (fs.refresh)
		sigdelset(&term, SIGHUP);
	pthread_sigmask(SIG_UNBLOCK, &term, NULL);
	if (rc)
		goto out;
	rc = serve(&fs, err);
out:
	if (rc && fs_background && err->len)
		fs_log("%s", err->buf);
	stop_watcher(&fs);
	if (mounted)
		fuse_session_unmount(se);
	if (handlers) {
		fuse_remove_signal_handlers(se);
		pthread_sigmask(SIG_SETMASK, &orig_mask, NULL);
	}
	if (se)
		fuse_session_destroy(se);
	fuse_opt_free_args(&args);
	strbuf_release(&opts);
	release_state(&fs);
	free(mnt_abs);
	if (fs_background)
		closelog();
	return rc;
}
