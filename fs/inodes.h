/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Private to fs/: inode numbers for resolved paths. A path's number is a
 * 64-bit hash of its parent's number and its name (probing on the rare
 * collision), so, as the root is 1, it stays the same for the life of the
 * mount, also after the kernel forgot it and asks again: `diff -r`, `rsync`
 * and `find -newer` see stable inodes. Inodes are found by number and by
 * (parent, name), never by a path string: a listing of n names costs n
 * short hashes, not n paths built and hashed. An inode lives while the
 * kernel holds lookups of it (nlookup), so memory follows what the kernel
 * caches, not every path ever walked.
 *
 * Each inode caches what the kernel asks for twice: a file's size (lookup,
 * then getattr), small contents, and a directory's names while a listing
 * is in progress. inodes_reset_caches() drops them when the inventory changes.
 */
#ifndef NLETSFS_INODES_H
#define NLETSFS_INODES_H

#include <stdint.h>

#include "tree.h"

struct fs_inode {
	uint64_t ino;
	uint64_t parent;		/* parent's ino (the root's is 1) */
	uint64_t nlookup;		/* lookups the kernel holds */
	uint64_t generation;		/* inventory version the node was resolved in */
	uint64_t name_hash;		/* of (parent, name): its place in the by-name index */
	char *name;			/* last component ("" for the root) */
	unsigned depth;			/* components in the path (the root's is 0) */
	struct tree_node node;
	int size_known;
	uint64_t size;
	char *content;			/* cached bytes (small files, or a read in progress) */
	size_t content_len;
	struct strlist names;		/* cached listing while a readdir is in progress */
	int names_valid;
	int listed_ahead;		/* names (and children's sizes) made before the kernel asked */
	int walked;			/* the kernel has listed it since the inventory changed */
};

/* A slot holds its key (the inode's number, or its name hash) so a probe reads no inode. */
struct inode_slot {
	uint64_t key;
	struct fs_inode *in;
};

struct inode_table {
	struct inode_slot *slots;	/* open addressing by ino */
	struct inode_slot *by_name;	/* open addressing by name_hash (the root is not in it) */
	uint64_t cap, n;
};

int inodes_init(struct inode_table *t);
void inodes_release(struct inode_table *t);
/** The inode with this number, or NULL. */
struct fs_inode *inodes_get(struct inode_table *t, uint64_t ino);
/** The existing inode for `name` in the folder `parent`, or NULL. */
struct fs_inode *inodes_find(struct inode_table *t, const struct fs_inode *parent, const char *name);
/**
 * The inode for `name` in `parent` (creating it from `node`, which it takes
 * over either way), or NULL on ENOMEM.
 */
struct fs_inode *inodes_add(struct inode_table *t, const struct fs_inode *parent, const char *name,
			    struct tree_node *node);
/** The kernel forgot `n` lookups; the inode is freed at zero (never the root). */
void inodes_forget(struct inode_table *t, uint64_t ino, uint64_t n);
/** Drop every cached size, content and listing (the inventory changed). */
void inodes_reset_caches(struct inode_table *t);
/** Call `fn` for every inode (no adding or forgetting meanwhile). */
void inodes_each(struct inode_table *t, void (*fn)(void *arg, struct fs_inode *in), void *arg);

#endif
