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
 * a few thousand more that nobody holds wait on an idle list, so memory
 * follows what the kernel caches, not every path ever walked. What the
 * kernel caches is bounded too: the inodes it holds are kept in the order
 * of their last use, and past a budget the least recently used are named
 * for the kernel to drop (fs/evict.c), which then forgets them.
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
	uint64_t off;			/* where its bytes start in the file: 0, or a part's (tree_read_part) */
	int part;			/* 1: a part of a file read by parts, not the whole file */
	size_t len;
	char *data;
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

struct fs_inode {
	uint64_t ino;
	uint64_t parent;		/* parent's ino (the root's is 1) */
	uint64_t nlookup;		/* lookups the kernel holds */
	unsigned pins;			/* requests using it now */
	uint64_t name_hash;		/* of (parent, name): its place in the by-name index */
	unsigned depth;			/* components in the path (the root's is 0) */
	struct tree_node node;		/* replaced only while unpinned */
	uint64_t node_version;		/* the version its existence was checked at (0: never) */
	uint64_t size;			/* a file's size at size_version (0: unknown) */
	uint64_t size_version;
	struct timespec mtime;		/* its time at mtime_version (0: unknown) */
	uint64_t mtime_version;
	struct blob *content;		/* cached bytes (small files, or a read in progress) */
	struct listing *listing;	/* a folder's names while a readdir is in progress */
	int list;			/* INODES_IDLE or INODES_HELD: on that list of the table; else 0 */
	int loading;			/* a request loads a part of it (fs/fuse_ops.c's file_part) */
	struct fs_inode *prev, *next;	/* on it */
	char name[];			/* last component ("" for the root), in the same allocation */
};

/* The table's two lists: nobody holds it (idle), the kernel holds it (held). */
enum { INODES_IDLE = 1, INODES_HELD };

/* One end of a list: the oldest first. */
struct inode_list {
	struct fs_inode *head, *tail;
	uint64_t n;
};

/* A name the kernel holds, copied out of the table: what fs/evict.c asks it to drop. */
struct inode_name {
	uint64_t parent;
	char *name;
};

/* A slot holds its key (the inode's number, or its name hash) so a probe reads no inode. */
struct inode_slot {
	uint64_t key;
	struct fs_inode *in;
};

/* Inodes nobody holds, kept for what was made for them (a size listed ahead), at most. */
#define INODES_IDLE_MAX 4096

struct inode_table {
	struct inode_slot *slots;	/* open addressing by ino */
	struct inode_slot *by_name;	/* open addressing by name_hash (the root is not in it) */
	uint64_t cap, n;
	struct inode_list idle;		/* nobody holds them, longest idle first */
	struct inode_list held;		/* the kernel holds them (nlookup > 0), least recently used first */
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
 * The inode for `name` in `parent` (creating it from `node`, which it takes
 * over when it creates one and leaves alone otherwise), or NULL on ENOMEM.
 * A new inode has no lookups and no pins: pin or count it before the lock goes.
 */
struct fs_inode *inodes_add(struct inode_table *t, const struct fs_inode *parent, const char *name,
			    struct tree_node *node);
/** A reply hands the kernel a lookup of `in`: counted, and `in` is now its most recently used. */
void inodes_hold(struct inode_table *t, struct fs_inode *in);
/** That reply failed: the lookup is taken back. */
void inodes_unhold(struct inode_table *t, struct fs_inode *in);
/** `in` is used (a request reads it): the most recently used, if the kernel holds it. */
void inodes_touch(struct inode_table *t, struct fs_inode *in);
/** The kernel forgot `n` lookups; with none left and no request using it, the inode goes idle. */
void inodes_forget(struct inode_table *t, uint64_t ino, uint64_t n);
/**
 * Up to `n` names (copied into `out`, each to be freed) of the least
 * recently used inodes the kernel holds, while it holds more than `keep`;
 * each named is then counted as most recently used, so the next call names
 * others. Inodes in use (pinned) and the root are not named. Returns how
 * many were named (fewer on ENOMEM).
 */
size_t inodes_over(struct inode_table *t, uint64_t keep, struct inode_name *out, size_t n);
/** A request is done with an inode it pinned; freed likewise. */
void inodes_unpin(struct inode_table *t, struct fs_inode *in);
/** Drop every cached size, content, listing and existence check (the inventory changed). */
void inodes_reset_caches(struct inode_table *t);
/** Call `fn` for every inode (no adding or forgetting meanwhile). */
void inodes_each(struct inode_table *t, void (*fn)(void *arg, struct fs_inode *in), void *arg);

#endif
