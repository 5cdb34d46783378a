/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Private to fs/: inode numbers for resolved paths. A path gets a number the
 * first time the kernel asks for it and keeps it for the life of the mount,
 * so `diff -r`, `rsync` and `find -newer` see stable inodes. Inode 1 is the
 * root. Each inode caches what the kernel asks for twice: a file's size
 * (lookup, then getattr) and, while a listing or read is in progress, the
 * directory's names or the file's bytes.
 */
#ifndef NLETSFS_INODES_H
#define NLETSFS_INODES_H

#include <stdint.h>

#include "../util/hmap.h"
#include "tree.h"

struct fs_inode {
	uint64_t ino;
	char *path;			/* "/states/NY" ("" for the root) */
	struct tree_node node;
	int size_known;
	uint64_t size;
	char *content;			/* cached bytes while a read is in progress */
	size_t content_len;
	struct strlist names;		/* cached listing while a readdir is in progress */
	int names_valid;
};

struct inode_table {
	struct fs_inode **by_ino;	/* index = ino */
	uint64_t n, alloc;
	struct hmap by_path;
};

int inodes_init(struct inode_table *t);
void inodes_release(struct inode_table *t);
/** The inode with this number, or NULL. */
struct fs_inode *inodes_get(struct inode_table *t, uint64_t ino);
/** The inode for `path` (creating it from `node`, which it takes over), or NULL on ENOMEM. */
struct fs_inode *inodes_add(struct inode_table *t, const char *path, struct tree_node *node);
/** The existing inode for `path`, or NULL. */
struct fs_inode *inodes_find(struct inode_table *t, const char *path);

#endif
