// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The FUSE low-level operations and the mount. Every callback replies
 * exactly once. The caching recipe of SPEC section 2 lives here: day-long
 * entry, attribute and negative timeouts, READDIRPLUS forced on, OPEN and
 * OPENDIR answered with ENOSYS where the kernel supports no-open (so the
 * page cache and directory cache keep serving with no further upcall), exact
 * sizes at lookup, and a read-only mount with default_permissions.
 *
 * The loop is single-threaded (warm reads cost no upcalls at all, and a
 * second reader of /dev/fuse costs a thread switch per request). For a
 * first walk it lists folders ahead while idle (list_ahead), pushes listed
 * files into the page cache (flush_pushes), looks for the next request a
 * little before sleeping (spin) and keeps idle CPUs polling (hold_latency).
 * A watcher thread notices imports into the mounted inventory and
 * invalidates what the kernel holds; a backup worker serves requests only
 * while a push of pages waits; one lock keeps them apart.
 */
#define FUSE_USE_VERSION 34

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <sys/signalfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/array.h"
#include "fs.h"
#include "inodes.h"

/* The kernel may trust what it was told for a day; nothing changes under it. */
#define FS_TIMEOUT 86400.0

/* Listings pushed after the last READ: grep -r reads every file, find none. */
#define FS_PUSH_BUDGET 64
/* Folders listed ahead of the kernel's asking, at most, that it has not asked for yet. */
#define FS_AHEAD 64

/* Request kinds counted for `kill -USR1` (the caching test reads them). */
enum fs_op { OP_LOOKUP, OP_GETATTR, OP_READLINK, OP_OPEN, OP_READ, OP_OPENDIR, OP_READDIR, OP_READDIRPLUS,
	     OP_STATFS, OP_FORGET, OP_WRITE, OP_COUNT };
static const char *const op_names[OP_COUNT] = { "lookup", "getattr", "readlink", "open", "read", "opendir",
						 "readdir", "readdirplus", "statfs", "forget", "write" };

struct negative {
	uint64_t parent;
	char *name;
};

struct push_item {
	uint64_t ino;
	char *data;
	size_t len;
};

struct fs_state {
	pthread_mutex_t lock;		/* the FUSE thread and the watcher */
	struct fuse_session *se;
	struct store *st;		/* the FUSE thread's connection */
	struct store *watch_st;		/* the watcher's, to see commits of importers */
	struct tree tree;
	struct inode_table inodes;
	uint64_t generation;		/* bumped when the inventory changes */
	struct negative *neg;		/* names answered ENOENT since the last change */
	size_t nneg, aneg;
	int no_open, no_opendir;
	uid_t uid;
	gid_t gid;
	struct timespec mtime;
	uint64_t counts[OP_COUNT];
	pthread_t watcher;
	int watching, stop, sigfd;
	/*
	 * Pages to push into the kernel's cache (push_pages): the files a
	 * READDIRPLUS just listed, pushed before the next request is served.
	 * push_budget: listings left to push for; a READ renews it, so a walk
	 * that reads (grep -r) gets its files pushed and one that does not
	 * (find, ls -lR) fills no page cache.
	 */
	int push, push_budget;
	struct push_item *pushq;
	size_t npush, apush;
	int pushing;			/* a push is under way, without the lock */
	uint64_t flushes;		/* pushes begun */
	pthread_cond_t pushed_cv;	/* signalled when a push is through */
	pthread_cond_t backup_cv;	/* wakes the backup worker */
	int backup_asleep;		/* it waits for the next push, with no timeout */
	pthread_t backup;
	int backup_running;
	uint64_t backup_served;		/* requests the backup worker served */
	/*
	 * Folders to list ahead while the loop is idle (list_ahead), in the
	 * order a depth-first walk (find, grep -r) will ask for them: first
	 * the sub-folders of the folder READDIRPLUS lists now (`pending`, in
	 * listing order, taken from pending_head on), then the stack `ahead`,
	 * where the rest of each earlier folder's went, the first on top.
	 * ahead_credit bounds the work nobody asked for: a listing made ahead
	 * costs one, the kernel asking for it gives one back.
	 */
	uint64_t *pending;
	size_t npending, apending, pending_head;
	uint64_t pending_dir;
	uint64_t *ahead;
	size_t nahead, aahead;
	uint64_t ahead_ino;		/* a folder list_ahead left for a request, files from ahead_pos on */
	size_t ahead_pos;
	int ahead_credit;
	uint64_t listed_ahead, ahead_hits;	/* for the stats line */
	long spin_ns;			/* how long the loop looks for the next request before sleeping */
	/*
	 * The CPU latency hold (hold_latency): /dev/cpu_dma_latency, open
	 * while a walk goes on. latency_hold: asked for and allowed so far.
	 */
	int latency_hold, latency_fd;
	uint64_t latency_holds;		/* holds taken, for the stats line */
	struct timespec last_reply;
	/* The loop's signal mask while it waits: SIGINT, SIGTERM and SIGHUP,
	 * blocked everywhere else, get in only there (wait_request). */
	sigset_t wait_mask;
};

static void flush_pushes(struct fs_state *fs);

/* Every request runs under the lock, in one read transaction: a reader sees
 * an import whole or not at all. */
static struct fs_state *enter(fuse_req_t req, enum fs_op op)
{
	struct fs_state *fs = fuse_req_userdata(req);

	pthread_mutex_lock(&fs->lock);
	/* Not before a READ: its reader holds the page lock a push would wait for. */
	if (fs->npush && !fs->pushing && op != OP_READ)
		flush_pushes(fs);
	fs->counts[op]++;
	store_read_begin(fs->st);
	return fs;
}

static void leave(struct fs_state *fs)
{
	store_read_end(fs->st);
	pthread_mutex_unlock(&fs->lock);
}

/*
 * Render a file (or link) once and keep its size; keep the bytes when asked,
 * or when they are small enough that the read which usually follows a
 * lookup should not render them again.
 */
#define FS_KEEP_SMALL 4096

static int inode_content(struct fs_state *fs, struct fs_inode *in, int keep)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	uint64_t size;

	if (in->content || (in->size_known && !keep))
		return 0;
	/* A size the import kept (the change log's) needs no render for a stat. */
	if (!keep && tree_size(&fs->tree, &in->node, &size) == 0) {
		in->size = size;
		in->size_known = 1;
		return 0;
	}
	rc = tree_render(&fs->tree, &in->node, &sb);
	if (rc) {
		strbuf_release(&sb);
		return rc;
	}
	in->size = sb.len;
	in->size_known = 1;
	if (keep || sb.len <= FS_KEEP_SMALL) {
		in->content = strbuf_detach(&sb, &in->content_len);
		if (!in->content)
			return -ENOMEM;
	}
	strbuf_release(&sb);
	return 0;
}

static int fill_attr(struct fs_state *fs, struct fs_inode *in, struct stat *stbuf)
{
	int rc = 0;

	memset(stbuf, 0, sizeof(*stbuf));
	stbuf->st_ino = in->ino;
	stbuf->st_uid = fs->uid;
	stbuf->st_gid = fs->gid;
	stbuf->st_mtim = fs->mtime;
	/* The time of the import that last changed it (fs/derive.c), when the inventory keeps them. */
	tree_mtime(&fs->tree, &in->node, &stbuf->st_mtim);
	stbuf->st_ctim = stbuf->st_mtim;
	stbuf->st_atim = stbuf->st_mtim;
	stbuf->st_blksize = 4096;
	switch (in->node.type) {
	case NODE_DIR:
		stbuf->st_mode = S_IFDIR | 0555;
		stbuf->st_nlink = 2;
		break;
	case NODE_FILE:
	case NODE_LINK:
		rc = inode_content(fs, in, 0);
		if (rc)
			return rc;
		stbuf->st_mode = in->node.type == NODE_FILE ? (S_IFREG | 0444) : (S_IFLNK | 0777);
		stbuf->st_nlink = 1;
		stbuf->st_size = (off_t)in->size;
		stbuf->st_blocks = (blkcnt_t)((in->size + 511) / 512);
		break;
	}
	return 0;
}

/*
 * The inode of `name` in `parent`: known already (checked again once the
 * inventory changed), or resolved now. `listed`: the name comes from the
 * parent's listing of this inventory version, so it exists.
 */
static int child_inode(struct fs_state *fs, struct fs_inode *parent, const char *name, int listed,
		       struct fs_inode **out)
{
	struct tree_node node;
	int rc;

	*out = inodes_find(&fs->inodes, parent, name);
	if (*out && (*out)->generation == fs->generation)
		return 0;
	rc = listed ? tree_child_listed(&fs->tree, &parent->node, name, &node)
		    : tree_child(&fs->tree, &parent->node, name, &node);
	if (!rc && *out) {
		tree_node_release(&(*out)->node);
		(*out)->node = node;
	} else if (!rc) {
		*out = inodes_add(&fs->inodes, parent, name, &node);
		rc = *out ? 0 : -ENOMEM;
	}
	if (!rc)
		(*out)->generation = fs->generation;
	return rc;
}

static int fill_entry(struct fs_state *fs, struct fs_inode *in, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = in->ino;
	e->generation = 1;
	e->attr_timeout = FS_TIMEOUT;
	e->entry_timeout = FS_TIMEOUT;
	return fill_attr(fs, in, &e->attr);
}

static void remember_negative(struct fs_state *fs, uint64_t parent, const char *name)
{
	if (array_reserve(&fs->neg, fs->nneg, &fs->aneg, sizeof(*fs->neg), 64))
		return;
	fs->neg[fs->nneg].parent = parent;
	fs->neg[fs->nneg].name = strdup(name);
	if (fs->neg[fs->nneg].name)
		fs->nneg++;
}

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
	fs->no_open = !!(conn->capable & FUSE_CAP_NO_OPEN_SUPPORT);
	fs->no_opendir = !!(conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT);
}

static void fs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fs_state *fs = enter(req, OP_LOOKUP);
	struct fs_inode *p = inodes_get(&fs->inodes, parent), *in = NULL;
	struct fuse_entry_param e;
	int rc = p ? child_inode(fs, p, name, 0, &in) : -ENOENT;

	if (!rc)
		rc = fill_entry(fs, in, &e);
	if (rc == -ENOENT || rc == -ENOTDIR) {
		/* A negative entry the kernel may cache: no upcall for the next miss. */
		memset(&e, 0, sizeof(e));
		e.entry_timeout = FS_TIMEOUT;
		remember_negative(fs, parent, name);
		fuse_reply_entry(req, &e);
	} else if (rc) {
		fuse_reply_err(req, -rc);
	} else if (fuse_reply_entry(req, &e) == 0) {
		in->nlookup++;
	}
	leave(fs);
}

static void fs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct fs_state *fs = enter(req, OP_FORGET);

	inodes_forget(&fs->inodes, ino, nlookup);
	leave(fs);
	fuse_reply_none(req);
}

static void fs_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	struct fs_state *fs = enter(req, OP_FORGET);
	size_t i;

	for (i = 0; i < count; i++)
		inodes_forget(&fs->inodes, forgets[i].ino, forgets[i].nlookup);
	leave(fs);
	fuse_reply_none(req);
}

static void fs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_state *fs = enter(req, OP_GETATTR);
	struct fs_inode *in = inodes_get(&fs->inodes, ino);
	struct stat stbuf;
	int rc = in ? fill_attr(fs, in, &stbuf) : -ENOENT;

	(void)fi;
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_attr(req, &stbuf, FS_TIMEOUT);
	leave(fs);
}

static void fs_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct fs_state *fs = enter(req, OP_READLINK);
	struct fs_inode *in = inodes_get(&fs->inodes, ino);
	struct strbuf sb = STRBUF_INIT;
	int rc = !in || in->node.type != NODE_LINK ? -EINVAL : tree_render(&fs->tree, &in->node, &sb);

	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_readlink(req, sb.buf);
	strbuf_release(&sb);
	leave(fs);
}

static void fs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_state *fs = enter(req, OP_OPEN);
	struct fs_inode *in = inodes_get(&fs->inodes, ino);

	if (!in) {
		fuse_reply_err(req, ENOENT);
	} else if ((fi->flags & O_ACCMODE) != O_RDONLY) {
		fuse_reply_err(req, EROFS);
	} else if (fs->no_open) {
		fuse_reply_err(req, ENOSYS); /* no OPEN or RELEASE again, page cache kept */
	} else {
		fi->keep_cache = 1;
		fi->noflush = 1;
		fuse_reply_open(req, fi);
	}
	leave(fs);
}

static void fs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct fs_state *fs = enter(req, OP_READ);
	struct fs_inode *in = inodes_get(&fs->inodes, ino);
	size_t n;
	int rc;

	(void)fi;
	if (!in || in->node.type != NODE_FILE) {
		fuse_reply_err(req, in ? EISDIR : ENOENT);
		goto out;
	}
	rc = inode_content(fs, in, 1);
	if (rc) {
		fuse_reply_err(req, -rc);
		goto out;
	}
	fs->push_budget = FS_PUSH_BUDGET; /* someone reads what is listed: push the next listings */
	n = (uint64_t)off >= in->content_len ? 0 : in->content_len - (size_t)off;
	n = n < size ? n : size;
	fuse_reply_buf(req, n ? in->content + off : NULL, n);
	/* Served to the end: the page cache holds it now. */
	if ((size_t)off + n >= in->content_len) {
		free(in->content);
		in->content = NULL;
		in->content_len = 0;
	}
out:
	leave(fs);
}

static void fs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_state *fs = enter(req, OP_OPENDIR);
	struct fs_inode *in = inodes_get(&fs->inodes, ino);

	if (!in) {
		fuse_reply_err(req, ENOENT);
	} else if (in->node.type != NODE_DIR) {
		fuse_reply_err(req, ENOTDIR);
	} else if (fs->no_opendir) {
		fuse_reply_err(req, ENOSYS);
	} else {
		fi->cache_readdir = 1;
		fi->keep_cache = 1;
		fuse_reply_open(req, fi);
	}
	leave(fs);
}

/* A small file just listed by READDIRPLUS: its bytes (rendered for its size anyway) wait to be pushed. */
static void queue_push(struct fs_state *fs, struct fs_inode *in)
{
	struct push_item *it;

	if (in->node.type != NODE_FILE || !in->content || !in->content_len)
		return;
	if (array_reserve(&fs->pushq, fs->npush, &fs->apush, sizeof(*fs->pushq), 256))
		return;
	it = &fs->pushq[fs->npush++];
	it->ino = in->ino;
	it->data = in->content; /* handed over: the kernel will hold the page */
	it->len = in->content_len;
	in->content = NULL;
	in->content_len = 0;
}

static void free_pushes(struct push_item *q, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(q[i].data);
	free(q);
}

/*
 * Called with the lock, before a request is served: the kernel has made the
 * inodes of the last listing by now (its reader asked again), so the pushes
 * land, and before the reader reads. A push waits for the page lock, which
 * a reader of that file holds until its READ is answered: so the lock is
 * let go meanwhile, and the backup worker answers that READ.
 */
static void flush_pushes(struct fs_state *fs)
{
	struct push_item *q = fs->pushq;
	size_t n = fs->npush, i;

	fs->pushq = NULL;
	fs->npush = fs->apush = 0;
	fs->pushing = 1;
	fs->flushes++;
	if (fs->backup_asleep) /* the first push of a walk: the backup worker watches again */
		pthread_cond_signal(&fs->backup_cv);
	pthread_mutex_unlock(&fs->lock);
	for (i = 0; i < n; i++) {
		struct fuse_bufvec bv = FUSE_BUFVEC_INIT(q[i].len);

		bv.buf[0].mem = q[i].data;
		/* -ENOENT: the kernel has dropped the inode; a READ will come. */
		fuse_lowlevel_notify_store(fs->se, q[i].ino, 0, &bv, 0);
	}
	free_pushes(q, n);
	pthread_mutex_lock(&fs->lock);
	fs->pushing = 0;
	pthread_cond_broadcast(&fs->pushed_cv);
}

/*
 * The backup worker. The loop's thread serves every request; but should a
 * push wait for a page whose reader waits for its READ, that thread would
 * never get to the READ. While pushes go on, this thread looks every 10 ms,
 * and when a push is at the same batch as last time, it serves requests
 * itself until the push is through. A look with no new push and none
 * queued puts it to sleep until the next push.
 */
static void *backup_worker(void *arg)
{
	struct fs_state *fs = arg;
	struct fuse_buf buf = { .mem = NULL };
	uint64_t seen = 0;

	pthread_mutex_lock(&fs->lock);
	while (!__atomic_load_n(&fs->stop, __ATOMIC_ACQUIRE)) {
		struct timespec until;

		if (fs->pushing && fs->flushes == seen) {
			int rc;

			pthread_mutex_unlock(&fs->lock);
			rc = fuse_session_receive_buf(fs->se, &buf);
			if (rc > 0)
				fuse_session_process_buf(fs->se, &buf);
			pthread_mutex_lock(&fs->lock);
			fs->backup_served += rc > 0;
			if (rc <= 0 && rc != -EINTR)
				break; /* the session is over */
			continue;
		}
		if (fs->flushes == seen && !fs->pushing && !fs->npush) {
			fs->backup_asleep = 1;
			pthread_cond_wait(&fs->backup_cv, &fs->lock);
			fs->backup_asleep = 0;
		}
		seen = fs->flushes;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 10000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&fs->backup_cv, &fs->lock, &until);
	}
	pthread_mutex_unlock(&fs->lock);
	free(buf.mem);
	return NULL;
}

static int list_folder(struct fs_state *fs, struct fs_inode *in)
{
	int rc;

	strlist_release(&in->names);
	rc = tree_list(&fs->tree, &in->node, &in->names);
	in->names_valid = !rc;
	in->listed_ahead = 0;
	return rc;
}

/* What is left of the pending folders goes on the stack, the first on top. */
static void stack_pending(struct fs_state *fs)
{
	while (fs->npending > fs->pending_head &&
	       !array_reserve(&fs->ahead, fs->nahead, &fs->aahead, sizeof(*fs->ahead), 256))
		fs->ahead[fs->nahead++] = fs->pending[--fs->npending];
	fs->npending = fs->pending_head = 0;
}

/* A sub-folder of `dir` just listed, to list ahead. Each costs O(1): a folder of 1M comes in 5,000 parts. */
static void queue_ahead(struct fs_state *fs, struct fs_inode *dir, struct fs_inode *child)
{
	if (child->node.type != NODE_DIR || child->names_valid || child->walked)
		return;
	if (fs->pending_dir != dir->ino) {
		stack_pending(fs);
		fs->pending_dir = dir->ino;
	}
	if (!array_reserve(&fs->pending, fs->npending, &fs->apending, sizeof(*fs->pending), 256))
		fs->pending[fs->npending++] = child->ino;
}

/* The next folder to list ahead (its number), or 0. */
static uint64_t next_ahead(struct fs_state *fs)
{
	if (fs->pending_head < fs->npending)
		return fs->pending[fs->pending_head++];
	return fs->nahead ? fs->ahead[--fs->nahead] : 0;
}

static long elapsed_ns(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000000000L + (t1.tv_nsec - t0->tv_nsec);
}

/* After this long sizing a folder's files ahead, list_ahead looks for a request between two files. */
#define FS_AHEAD_SLICE_NS 10000L

static void list_ahead(struct fs_state *fs, struct pollfd *p)
{
	struct fs_inode *in;
	struct timespec t0;
	uint64_t ino;
	size_t i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_mutex_lock(&fs->lock);
	store_read_begin(fs->st);
	/* A folder left half done for a request, unless the kernel asked for it meanwhile. */
	in = inodes_get(&fs->inodes, fs->ahead_ino);
	if (in && (!in->names_valid || !in->listed_ahead || in->walked))
		in = NULL;
	if (!in) {
		fs->ahead_ino = 0;
		fs->ahead_pos = 0;
		while (fs->ahead_credit > 0 && !in && (ino = next_ahead(fs))) {
			in = inodes_get(&fs->inodes, ino);
			if (in && (in->node.type != NODE_DIR || in->names_valid || in->walked))
				in = NULL;
		}
		if (!in) {
			/* no credit: what is left was not walked */
			fs->nahead = fs->npending = fs->pending_head = 0;
			goto out;
		}
		fs->ahead_credit--;
		fs->listed_ahead++;
		if (list_folder(fs, in))
			goto out;
		in->listed_ahead = 1;
	}
	for (i = fs->ahead_pos; i < in->names.n; i++) {
		struct fs_inode *child;
		struct stat st;

		/* A costly folder (a state system's) gives way to the walker's next request. */
		if (elapsed_ns(&t0) > FS_AHEAD_SLICE_NS && poll(p, 1, 0) > 0)
			break;
		if (child_inode(fs, in, in->names.items[i], 1, &child) == 0 && child->node.type != NODE_DIR &&
		    !(child->node.route && (child->node.route->flags & ROUTE_COSTLY)))
			fill_attr(fs, child, &st);
	}
	fs->ahead_ino = i < in->names.n ? in->ino : 0;
	fs->ahead_pos = i;
out:
	store_read_end(fs->st);
	pthread_mutex_unlock(&fs->lock);
}

static int have_ahead(struct fs_state *fs)
{
	int n;

	pthread_mutex_lock(&fs->lock);
	n = fs->ahead_ino || ((fs->nahead || fs->pending_head < fs->npending) && fs->ahead_credit > 0);
	pthread_mutex_unlock(&fs->lock);
	return n;
}

/*
 * After a reply, look for the next request for up to `ns` before sleeping.
 * A walk asks again within microseconds; a loop asleep by then must be
 * woken by an interrupt from the walker's CPU, which on this VM cost more
 * than the request (docs/performance.md: first find 2.7 s to 1.5 s).
 */
static int spin(struct pollfd *p, long ns)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (poll(p, 1, 0) > 0)
			return 1;
	} while (elapsed_ns(&t0) < ns);
	return 0;
}

/*
 * Wait up to `ms` (-1: for good) for a request, letting in the signals that
 * end the loop: 1, 0 (time is up), or -1 (a signal, or an error). A signal
 * that comes at any other moment waits for this, so it cannot slip in
 * between a look at the session and a read that would then block.
 */
static int wait_request(struct fs_state *fs, struct pollfd *p, int ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	return ppoll(p, 1, ms < 0 ? NULL : &t, &fs->wait_mask);
}

/* A request this soon after the last reply is a walk's: one process asking again and again. */
#define FS_WALK_GAP_NS 1000000L
/* The hold outlives the walk's last request by this much (ms). */
#define FS_LATENCY_HOLD_MS 50

/*
 * A walk is a ping-pong of requests and replies between two processes on
 * two CPUs. A CPU with nothing to run halts at once on this kind of VM, and
 * waking it again (the reply waking the walker) costs 11 us of the
 * hypervisor's time, more than most requests. While a walk goes on, the loop
 * asks the kernel's PM QoS for a CPU latency of 0, so that idle CPUs poll
 * instead of halting; the kernel drops the request when the file is closed,
 * FS_LATENCY_HOLD_MS after the walk's last request. Only root may open the
 * file; for anyone else (or -o no_latency_hold) nothing changes.
 */
static void hold_latency(struct fs_state *fs)
{
	int32_t zero = 0;

	if (!fs->latency_hold || fs->latency_fd >= 0 || elapsed_ns(&fs->last_reply) > FS_WALK_GAP_NS)
		return;
	fs->latency_fd = open("/dev/cpu_dma_latency", O_WRONLY | O_CLOEXEC);
	if (fs->latency_fd >= 0 && write(fs->latency_fd, &zero, sizeof(zero)) == (ssize_t)sizeof(zero)) {
		fs->latency_holds++;
		return;
	}
	if (fs->latency_fd >= 0)
		close(fs->latency_fd);
	fs->latency_fd = -1;
	fs->latency_hold = 0; /* not allowed here: do not try at every request */
}

static void release_latency(struct fs_state *fs)
{
	if (fs->latency_fd >= 0)
		close(fs->latency_fd);
	fs->latency_fd = -1;
}

/*
 * fuse_session_loop, listing ahead whenever no request waits, spinning a
 * little after each reply, and holding the CPU latency low during walks.
 */
static int serve(struct fs_state *fs)
{
	struct fuse_buf buf = { .mem = NULL };
	struct pollfd p = { .fd = fuse_session_fd(fs->se), .events = POLLIN };
	int rc = 0, served = 0, n;

	while (!fuse_session_exited(fs->se)) {
		if (have_ahead(fs) && poll(&p, 1, 0) == 0) {
			list_ahead(fs, &p);
			continue;
		}
		n = served && fs->spin_ns > 0 ? spin(&p, fs->spin_ns) : 0;
		served = 0;
		if (!n && fs->latency_fd >= 0) {
			n = wait_request(fs, &p, FS_LATENCY_HOLD_MS);
			if (!n)
				release_latency(fs); /* the walk is over */
		}
		if (!n)
			n = wait_request(fs, &p, -1);
		if (n < 0)
			continue; /* a signal: is the session over? */
		rc = fuse_session_receive_buf(fs->se, &buf);
		if (rc == -EINTR)
			continue;
		if (rc <= 0)
			break;
		hold_latency(fs);
		fuse_session_process_buf(fs->se, &buf);
		clock_gettime(CLOCK_MONOTONIC, &fs->last_reply);
		served = 1;
	}
	release_latency(fs);
	free(buf.mem);
	fuse_session_reset(fs->se);
	return rc < 0 ? rc : 0;
}

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, int plus)
{
	struct fs_state *fs = enter(req, plus ? OP_READDIRPLUS : OP_READDIR);
	struct fs_inode *in = inodes_get(&fs->inodes, ino);
	char *buf = NULL;
	size_t used = 0;
	int rc = 0;

	if (!in || in->node.type != NODE_DIR) {
		fuse_reply_err(req, in ? ENOTDIR : ENOENT);
		goto out;
	}
	if (!in->names_valid) {
		rc = list_folder(fs, in);
		if (rc) {
			fuse_reply_err(req, -rc);
			goto out;
		}
		if (plus && off == 0 && fs->ahead_credit < FS_AHEAD)
			fs->ahead_credit++; /* a walk went where none was foreseen: let it be followed */
	} else if (off == 0 && in->listed_ahead) {
		in->listed_ahead = 0;
		fs->ahead_hits++;
		if (fs->ahead_credit < FS_AHEAD)
			fs->ahead_credit++;
	}
	in->walked = 1;
	buf = malloc(size);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		goto out;
	}
	/* Offsets: 1 after ".", 2 after "..", k + 3 after names[k]. */
	for (; (size_t)off < in->names.n + 2; off++) {
		const char *name = off == 0 ? "." : off == 1 ? ".." : in->names.items[off - 2];
		struct fuse_entry_param e;
		struct fs_inode *child = NULL;
		size_t need;

		memset(&e, 0, sizeof(e));
		if (off < 2) {
			e.attr.st_ino = in->ino;
			e.attr.st_mode = S_IFDIR;
		} else {
			rc = child_inode(fs, in, name, 1, &child);
			/*
			 * A costly file (`changes`, maps, requests) is listed
			 * without attributes: ls and find need not render it;
			 * stat and read will.
			 */
			if (!rc && plus && child->node.route && (child->node.route->flags & ROUTE_COSTLY) &&
			    !child->size_known) {
				e.attr.st_mode = S_IFREG;
				e.attr.st_ino = child->ino;
				child = NULL;
			} else if (!rc) {
				rc = fill_entry(fs, child, &e);
			}
			if (rc == -ENOENT) { /* vanished since the listing: skip it */
				rc = 0;
				continue;
			}
			if (rc)
				break;
		}
		if (plus)
			need = fuse_add_direntry_plus(req, buf + used, size - used, name, &e, off + 1);
		else
			need = fuse_add_direntry(req, buf + used, size - used, name, &e.attr, off + 1);
		if (need > size - used)
			break; /* full; the entry was not added, and no lookup was counted */
		used += need;
		if (plus && child) {
			child->nlookup++;
			if (fs->push && fs->push_budget > 0) {
				queue_push(fs, child);
			} else if (child->content) {
				/* A walk that reads nothing (find, ls -lR): keep the size, not the bytes. */
				free(child->content);
				child->content = NULL;
				child->content_len = 0;
			}
			queue_ahead(fs, in, child);
		}
	}
	if (rc && !used) {
		fuse_reply_err(req, -rc);
	} else {
		/* The kernel asks once more past the end to learn the end: the
		 * listing stays until that empty answer, not listed again for it. */
		if ((size_t)off >= in->names.n + 2 && !used) {
			strlist_release(&in->names);
			in->names_valid = 0;
		}
		fuse_reply_buf(req, buf, used);
	}
	if (fs->npush && fs->push_budget > 0)
		fs->push_budget--;
out:
	free(buf);
	leave(fs);
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
	struct fs_state *fs = enter(req, OP_STATFS);
	struct statvfs sv;

	(void)ino;
	memset(&sv, 0, sizeof(sv));
	sv.f_bsize = 4096;
	sv.f_frsize = 4096;
	sv.f_files = fs->inodes.n;
	sv.f_namemax = 255;
	sv.f_flag = ST_RDONLY;
	fuse_reply_statfs(req, &sv);
	leave(fs);
}

/* Every way of changing the tree: refused, and nothing changes. */
static void erofs(fuse_req_t req)
{
	leave(enter(req, OP_WRITE));
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

/* ---- live updates ------------------------------------------------------------ */

struct entry_ref {
	uint64_t parent, ino;
	char *name;
	size_t depth;
};

struct snapshot {
	struct entry_ref *e;
	size_t n, alloc;
};

static void snapshot_one(void *arg, struct fs_inode *in)
{
	struct snapshot *s = arg;

	if (s->n == s->alloc) {
		size_t na = s->alloc ? s->alloc * 2 : 256;
		struct entry_ref *ne = realloc(s->e, na * sizeof(*ne));

		if (!ne)
			return;
		s->e = ne;
		s->alloc = na;
	}
	s->e[s->n].parent = in->parent;
	s->e[s->n].ino = in->ino;
	s->e[s->n].name = in->depth ? strdup(in->name) : NULL;
	s->e[s->n].depth = in->depth;
	s->n++;
}

static int by_depth(const void *a, const void *b)
{
	const struct entry_ref *x = a, *y = b;

	return x->depth < y->depth ? -1 : x->depth > y->depth;
}

/*
 * The inventory changed: drop our caches, then (without the lock, so the
 * FUSE thread can answer what the kernel asks meanwhile) tell the kernel to
 * forget the pages, attributes and names it holds, including the names it
 * holds as missing.
 */
static void refresh(struct fs_state *fs)
{
	struct snapshot snap = { 0 };
	struct negative *neg;
	size_t nneg, i;

	pthread_mutex_lock(&fs->lock);
	/* Old bytes must not land after the invalidation below. */
	while (fs->pushing)
		pthread_cond_wait(&fs->pushed_cv, &fs->lock);
	free_pushes(fs->pushq, fs->npush);
	fs->pushq = NULL;
	fs->npush = fs->apush = 0;
	fs->generation++;
	tree_invalidate(&fs->tree);
	inodes_reset_caches(&fs->inodes);
	inodes_each(&fs->inodes, snapshot_one, &snap);
	neg = fs->neg;
	nneg = fs->nneg;
	fs->neg = NULL;
	fs->nneg = fs->aneg = 0;
	pthread_mutex_unlock(&fs->lock);

	for (i = 0; i < snap.n; i++)
		fuse_lowlevel_notify_inval_inode(fs->se, snap.e[i].ino, 0, 0);
	/* Parents first: dropping a folder's name drops the names below it. */
	if (snap.n)
		qsort(snap.e, snap.n, sizeof(*snap.e), by_depth);
	for (i = 0; i < snap.n; i++) {
		if (snap.e[i].name)
			fuse_lowlevel_notify_inval_entry(fs->se, snap.e[i].parent, snap.e[i].name,
							 strlen(snap.e[i].name));
		free(snap.e[i].name);
	}
	for (i = 0; i < nneg; i++) {
		fuse_lowlevel_notify_inval_entry(fs->se, neg[i].parent, neg[i].name, strlen(neg[i].name));
		free(neg[i].name);
	}
	free(snap.e);
	free(neg);
}

static void print_stats(struct fs_state *fs)
{
	uint64_t total = 0;
	int i;

	pthread_mutex_lock(&fs->lock);
	for (i = 0; i < OP_COUNT; i++)
		total += fs->counts[i];
	fprintf(stderr, "nletsfs: requests %llu", (unsigned long long)total);
	for (i = 0; i < OP_COUNT; i++)
		fprintf(stderr, " %s %llu", op_names[i], (unsigned long long)fs->counts[i]);
	fprintf(stderr, " inodes %llu backup %llu ahead %llu hits %llu holds %llu\n", (unsigned long long)fs->inodes.n,
		(unsigned long long)fs->backup_served, (unsigned long long)fs->listed_ahead,
		(unsigned long long)fs->ahead_hits, (unsigned long long)fs->latency_holds);
	pthread_mutex_unlock(&fs->lock);
	fflush(stderr);
}

/*
 * The watcher: every 100 ms, has another connection committed (an import),
 * or has the day changed? Then refresh. SIGUSR1 prints the request counts.
 */
static void *watch(void *arg)
{
	struct fs_state *fs = arg;
	int64_t version = fs->watch_st ? store_data_version(fs->watch_st) : 0;
	char day[11], now[11];

	store_today(day);
	while (!__atomic_load_n(&fs->stop, __ATOMIC_ACQUIRE)) {
		struct pollfd p = { fs->sigfd, POLLIN, 0 };
		int64_t v;

		if (poll(&p, 1, 100) > 0) {
			struct signalfd_siginfo si;

			if ((p.revents & POLLIN) && read(fs->sigfd, &si, sizeof(si)) == sizeof(si))
				print_stats(fs);
		}
		v = fs->watch_st ? store_data_version(fs->watch_st) : version;
		store_today(now);
		if (v != version || strcmp(now, day)) {
			version = v;
			memcpy(day, now, sizeof(day));
			refresh(fs);
		}
	}
	return NULL;
}

/* Start the watcher; with a NULL `db` (an immutable inventory) it watches the day and signals only. */
static int start_watcher(struct fs_state *fs, const char *db, struct strbuf *err)
{
	sigset_t set;
	int rc;

	rc = db ? store_open(db, STORE_READONLY, &fs->watch_st, err) : 0;
	if (rc)
		return rc;
	/* SIGUSR1 reaches the watcher through a signalfd: no handler, no global. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	fs->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fs->sigfd < 0 || pthread_create(&fs->watcher, NULL, watch, fs)) {
		strbuf_addf(err, "cannot start the watcher: %s", strerror(errno));
		return -errno;
	}
	fs->watching = 1;
	return 0;
}

static void stop_watcher(struct fs_state *fs)
{
	pthread_mutex_lock(&fs->lock);
	__atomic_store_n(&fs->stop, 1, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&fs->backup_cv);
	pthread_mutex_unlock(&fs->lock);
	if (fs->watching) {
		pthread_join(fs->watcher, NULL);
		fs->watching = 0;
	}
	if (fs->sigfd >= 0)
		close(fs->sigfd);
	free_pushes(fs->pushq, fs->npush);
	fs->pushq = NULL;
	fs->npush = 0;
	store_close(fs->watch_st);
	fs->watch_st = NULL;
}

int fs_mount(const struct fs_mount_options *o, struct strbuf *err)
{
	struct fs_state fs;
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_session *se = NULL;
	struct strbuf opts = STRBUF_INIT;
	struct stat dbst;
	const char *source;
	/*
	 * In the background the daemon moves to "/" (fuse_daemonize): the
	 * watcher's connection, opened after that, and the unmount at exit
	 * need paths that hold there, not `inventory.db` and `mnt`.
	 */
	char *db_abs = realpath(o->db, NULL), *mnt_abs = realpath(o->mountpoint, NULL);
	sigset_t term, orig_mask;
	size_t i;
	int rc = 0, mounted = 0, handlers = 0;

	memset(&fs, 0, sizeof(fs));
	pthread_sigmask(SIG_BLOCK, NULL, &orig_mask);
	fs.sigfd = -1;
	fs.push = o->push_pages;
	fs.spin_ns = (long)o->spin_us * 1000;
	fs.latency_hold = o->latency_hold;
	fs.latency_fd = -1;
	pthread_mutex_init(&fs.lock, NULL);
	pthread_cond_init(&fs.pushed_cv, NULL);
	pthread_cond_init(&fs.backup_cv, NULL);
	if (stat(o->db, &dbst) == 0)
		fs.mtime = dbst.st_mtim;
	/* Open once before forking, so a bad inventory is reported on the terminal. */
	rc = store_open(o->db, STORE_READONLY | o->store_flags, &fs.st, err);
	if (o->unlink_db)
		unlink(o->db); /* the open handle keeps a private copy alive until the unmount */
	if (rc)
		goto out;
	fs.uid = getuid();
	fs.gid = getgid();
	tree_init(&fs.tree, fs.st);
	rc = inodes_init(&fs.inodes);
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
	/* The threads started below inherit these blocked: the loop alone takes them, in wait_request. */
	sigemptyset(&term);
	sigaddset(&term, SIGINT);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &term, &orig_mask);
	/* After the fork: threads do not survive it. An immutable inventory (a bundle's) never changes. */
	rc = start_watcher(&fs, (o->store_flags & STORE_IMMUTABLE) ? NULL : db_abs ? db_abs : o->db, err);
	if (rc)
		goto out;
	pthread_sigmask(SIG_BLOCK, NULL, &fs.wait_mask);
	sigdelset(&fs.wait_mask, SIGINT);
	sigdelset(&fs.wait_mask, SIGTERM);
	sigdelset(&fs.wait_mask, SIGHUP);
	if (fs.push) {
		if (pthread_create(&fs.backup, NULL, backup_worker, &fs)) {
			strbuf_addf(err, "cannot start the backup worker: %s", strerror(errno));
			rc = -errno;
			goto out;
		}
		fs.backup_running = 1;
	}
	fs.ahead_credit = FS_AHEAD;
	rc = serve(&fs);
	rc = rc < 0 ? rc : 0;
out:
	stop_watcher(&fs);
	if (mounted)
		fuse_session_unmount(se);
	/* After the unmount: a backup worker waiting for a request gets ENODEV. */
	if (fs.backup_running)
		pthread_join(fs.backup, NULL);
	if (handlers) {
		fuse_remove_signal_handlers(se);
		pthread_sigmask(SIG_SETMASK, &orig_mask, NULL);
	}
	if (se)
		fuse_session_destroy(se);
	fuse_opt_free_args(&args);
	strbuf_release(&opts);
	inodes_release(&fs.inodes);
	tree_release(&fs.tree);
	for (i = 0; i < fs.nneg; i++)
		free(fs.neg[i].name);
	free(fs.neg);
	free(fs.ahead);
	free(fs.pending);
	free(db_abs);
	free(mnt_abs);
	store_close(fs.st);
	pthread_cond_destroy(&fs.pushed_cv);
	pthread_cond_destroy(&fs.backup_cv);
	pthread_mutex_destroy(&fs.lock);
	return rc;
}
