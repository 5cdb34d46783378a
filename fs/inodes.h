/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Private to fs/: inode numbers for resolved paths. A path's number is a
 * 64-bit hash of its parent's number and its name (probing on the rare
 * collision), so, as the root is 1, it stays the same for the life of the
 * mount, also after the kernel forgot it and asks again: `diff -r`, `rsync`
 * and `find -newer` see stable inodes. Inodes are found by number and by
 * (parent, name), never by a path string: a listing of n names costs n
 * short hashes, not n paths built and hashed. An inode lives while the
 * kernel holds lookups of it (nlookup) or a request uses it (pins), and
 * a few thousand more that nobody holds wait on an idle ring, so memory
 * follows what the kernel caches, not every path ever walked. What the
 * kernel caches is bounded too: past a budget, a clock over the inodes it
 * holds names those not used since it last passed (about the least
 * recently used) for the kernel to drop (fs/evict.c), which then forgets
 * them.
 *
 * Each inode caches what the kernel asks for twice: a file's size (lookup,
 * then getattr), small contents, and a directory's names while a listing
 * is in progress, each tagged with the inventory version it was made at.
 * The table is not locked: its user (fs/fuse_ops.c) holds one lock around
 * every call here; blobs and listings are counted references, let go of
 * without it.
 */
#ifndef NLETSFS_INODES_H
#define NLETSFS_INODES_H

#include <stdint.h>
#include <time.h>

#include "tree.h"

/** A file's bytes at one version, shared by the requests that read them. */
struct blob {
	unsigned refs;
	uint64_t version;
	size_t len;
	char *data;
	int64_t partly_ns;		/* under the table's lock: when a READ last ended before the end (0: none did) */
};

/** A folder's names at one version, shared by the requests that list it. */
struct listing {
	unsigned refs;
	int ahead;			/* made ahead of the kernel's asking, not asked for yet */
	uint64_t version;
	struct strlist names;
};

/**
 * A new blob (one reference) of `sb`'s bytes, taken over without a copy
 * (`sb` is left empty), or NULL (then `sb` is as it was).
 */
struct blob *blob_new(struct strbuf *sb, uint64_t version);
/** Another reference to `b` (NULL gives NULL). */
struct blob *blob_get(struct blob *b);
/** Let go of a reference; the last frees it (NULL is fine). */
void blob_put(struct blob *b);
struct listing *listing_new(uint64_t version);
struct listing *listing_get(struct listing *l);
void listing_put(struct listing *l);

/*
 * An inode is about 96 bytes with its strings, so that a million of them
 * (the default budget, fs/evict.c) stay near 110 MB with the index: what
 * a path resolves to is kept as the route's row and its :params packed
 * after the name (inodes_node() gives it back as a struct tree_node), a
 * time as nanoseconds, a size and time share one version, and the few
 * inodes with bytes or names cached find them in a side index
 * (inodes_content, inodes_listing). Least recently used is approximated
 * by a clock over the index (`used`), not kept in lists.
 */
struct fs_inode {
	uint64_t ino;			/* first: the indexes read it through a pointer to either record */
	uint64_t parent;		/* parent's ino (the root's is 1; 0: detached, inodes_detach) */
	uint64_t nlookup : 40;		/* lookups the kernel holds */
	uint64_t pins : 24;		/* requests using it now */
	uint64_t node_version;		/* the version its existence was checked at (0: never); detached, its generation + 1 */
	uint64_t stat_version;		/* the version of the size and time `have` says are known */
	uint64_t size;			/* a file's size, if INODE_HAVE_SIZE */
	int64_t mtime_ns;		/* its time, if INODE_HAVE_MTIME */
	uint8_t depth;			/* components in the path (the root's is 0) */
	uint8_t route;			/* the node's row in the route table + 1 (0: none, the at/ folders) */
	uint8_t type;			/* enum node_type */
	uint8_t nargs;
	uint8_t args_name;		/* bit i: :param i is the name itself, not stored again */
	uint8_t has_date : 1;		/* the node's day (under at/) follows the :params */
	uint8_t renumbered : 1;		/* set when made: users see another number (inodes_user), kept in the side index */
	uint8_t have;			/* INODE_HAVE_* at stat_version */
	/* Changed under the table's lock, while the node's bytes above are read without it: apart. */
	uint8_t used : 1;		/* used since the clock last passed it */
	uint8_t idle : 1;		/* on the table's idle ring */
	uint8_t extra : 1;		/* has cached bytes or names (the side index) */
	/* The last component ("" for the root), then the :params not equal to it, then the day: each NUL-ended. */
	char name[];
};

enum { INODE_HAVE_SIZE = 1, INODE_HAVE_MTIME = 2 };

/* A name the kernel holds, copied out of the table: what fs/evict.c asks it to drop. */
struct inode_name {
	uint64_t parent;
	char *name;
};

/* The root's number, as FUSE numbers it. */
#define INODES_ROOT 1

/* Inodes nobody holds, kept for what was made for them (a size listed ahead), at most. */
#define INODES_IDLE_MAX 4096

/*
 * Open addressing by inode number, with linear probing, of records that
 * start with their number (an inode, or its cached bytes and names): a
 * slot is 8 bytes (at most 3/4 of them full), the record's address tagged
 * with the number's top 16 bits. A probe compares tags and reads a record
 * only when its tag matches: a name not made yet (every name of a first
 * walk) costs no record's cache miss.
 */
struct ino_index {
	uint64_t *slots;
	uint64_t cap, n;
};

/*
 * An inode's number is its name's hash unless that was taken (then it is
 * on `moved`, nearly always empty), so a name is found at its hash's slot.
 */
struct inode_table {
	struct ino_index by_ino;	/* the inodes */
	struct ino_index extras;	/* struct inode_extra: cached bytes and names, by number */
	struct fs_inode **moved;	/* inodes whose number is not their name's hash */
	size_t nmoved, amoved;
	const struct route *routes;	/* the route table the nodes' rows index */
	uint64_t held;			/* inodes the kernel holds (nlookup > 0), the root aside */
	uint64_t hand;			/* the clock's slot in by_ino (inodes_over) */
	uint64_t *idle;			/* numbers of inodes nobody held when they went on it, oldest at idle_head */
	size_t idle_head, nidle;
};

/** An empty table with the root inode, the root of route table `routes`. */
int inodes_init(struct inode_table *t, const struct route *routes);
void inodes_release(struct inode_table *t);
/** The inode with this number, or NULL. */
struct fs_inode *inodes_get(struct inode_table *t, uint64_t ino);
/** The existing inode for `name` in the folder `parent`, or NULL. */
struct fs_inode *inodes_find(struct inode_table *t, const struct fs_inode *parent, const char *name);
/**
 * The number `name` in `parent` has, or would have if looked up now, without
 * making an inode (a plain READDIR lists names the kernel may never look up).
 */
uint64_t inodes_number(struct inode_table *t, const struct fs_inode *parent, const char *name);
/**
 * The inode for `name` in `parent` (creating it from a copy of `node` when
 * there is none), or NULL on ENOMEM. A new inode has no lookups and no
 * pins: pin or count it before the lock goes.
 */
struct fs_inode *inodes_add(struct inode_table *t, const struct fs_inode *parent, const char *name,
			    const struct tree_node *node);
/**
 * What `in` resolves to, as a node whose :params point into `in`: valid
 * while `in` is pinned (the node is replaced only while it is not). Not
 * to be released. Needs no lock: the table's routes never change.
 */
void inodes_node(const struct inode_table *t, const struct fs_inode *in, struct tree_node *out);
/** The route row of `in`'s node (NULL for the at/ folders). */
const struct route *inodes_route(const struct inode_table *t, const struct fs_inode *in);
/** Whether `in` resolves to something else than `node`. */
int inodes_node_differs(const struct inode_table *t, const struct fs_inode *in, const struct tree_node *node);
/**
 * `in`, which nobody pins, now resolves to `node`: the inode, possibly
 * moved to a new allocation (use the pointer returned), or NULL on ENOMEM
 * (then `in` is as it was).
 */
struct fs_inode *inodes_set_node(struct inode_table *t, struct fs_inode *in, const struct tree_node *node);
/** The size (1) or time known at version `v`, or 0. */
int inodes_size(const struct fs_inode *in, uint64_t v, uint64_t *size);
int inodes_mtime(const struct fs_inode *in, uint64_t v, struct timespec *ts);
/** Keep a size or a time as known at version `v`. */
void inodes_set_size(struct fs_inode *in, uint64_t v, uint64_t size);
void inodes_set_mtime(struct fs_inode *in, uint64_t v, const struct timespec *ts);
/** Forget the size and time (the file's content is news). */
void inodes_clear_stat(struct fs_inode *in);
/** A reply hands the kernel a lookup of `in`: counted, and `in` is used. */
void inodes_hold(struct inode_table *t, struct fs_inode *in);
/** That reply failed: the lookup is taken back. */
void inodes_unhold(struct inode_table *t, struct fs_inode *in);
/** `in` is used (a request reads it): the clock passes it over once. */
void inodes_touch(struct inode_table *t, struct fs_inode *in);
/** How many inodes there are. */
uint64_t inodes_count(const struct inode_table *t);
/** How many inodes the kernel holds, the root aside. */
uint64_t inodes_held(const struct inode_table *t);
/** The kernel forgot `n` lookups; with none left and no request using it, the inode goes idle. */
void inodes_forget(struct inode_table *t, uint64_t ino, uint64_t n);
/**
 * Up to `n` names (copied into `out`, each to be freed) of inodes the
 * kernel holds and nobody used since the clock last passed them, while it
 * holds more than `keep`; each named then counts as used, so the next call
 * names others. Inodes in use (pinned) and the root are not named.
 * Returns how many were named (fewer on ENOMEM).
 */
size_t inodes_over(struct inode_table *t, uint64_t keep, struct inode_name *out, size_t n);
/** A request is done with an inode it pinned; freed likewise. */
void inodes_unpin(struct inode_table *t, struct fs_inode *in);
/** The file's bytes cached (a whole small file, or the part read last), or NULL; the table's lock covers it. */
struct blob *inodes_content(const struct inode_table *t, const struct fs_inode *in);
/** Cache `b` (its reference is taken over; NULL clears): the bytes cached before are let go of. Not cached without memory. */
void inodes_keep_content(struct inode_table *t, struct fs_inode *in, struct blob *b);
/** Call `fn` for each inode with bytes cached, but detached ones (no adding or forgetting meanwhile). */
void inodes_each_content(struct inode_table *t, void (*fn)(void *arg, struct fs_inode *in, struct blob *b), void *arg);
/**
 * The number users see (st_ino, d_ino) for `in`: its own, or the one
 * inodes_set_user() gave it, which a new inode made for a detached one's
 * path takes over (fs/kept.h): a path's number stays while mounted.
 */
uint64_t inodes_user(const struct inode_table *t, const struct fs_inode *in);
/** `in`, just made, shows `user`: 0, or -ENOMEM (then it shows its own). */
int inodes_set_user(struct inode_table *t, struct fs_inode *in, uint64_t user);
/** A folder's names kept while a readdir is in progress, or NULL; the same for them. */
struct listing *inodes_listing(const struct inode_table *t, const struct fs_inode *in);
void inodes_keep_listing(struct inode_table *t, struct fs_inode *in, struct listing *l);
/**
 * `in` is no longer reached by its name: the next lookup of the name makes
 * a new inode (another number), while the kernel keeps `in` for whoever has
 * it open, with its pages. It keeps its size and time across
 * inodes_reset_caches(), and `key`, which bytes it shows (its generation
 * and inventory, a pin's key: -1 unknown), until the kernel forgets it.
 * For a file an import replaced while it is read (fs/pin.h); called
 * before the caches are reset.
 */
void inodes_detach(struct fs_inode *in, int64_t key);
/** Whether `in` was detached; with its key in *key (-1: unknown) when `key` is not NULL. */
int inodes_detached(const struct fs_inode *in, int64_t *key);
/** A detached inode's size and time: 1, or 0 when it kept none. */
int inodes_detached_stat(const struct fs_inode *in, uint64_t *size, struct timespec *ts);
/** Drop every cached size, content, listing and existence check (the inventory changed); detached inodes keep their size and time. */
void inodes_reset_caches(struct inode_table *t);
/** Call `fn` for every inode (no adding or forgetting meanwhile). */
void inodes_each(struct inode_table *t, void (*fn)(void *arg, struct fs_inode *in), void *arg);

#endif
