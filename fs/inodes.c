// SPDX-License-Identifier: GPL-3.0-or-later
#include "inodes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ROOT_INO 1

static struct fs_inode **slot_of(const struct inode_table *t, uint64_t ino)
{
	uint64_t i = ino & (t->cap - 1);

	while (t->slots[i] && t->slots[i]->ino != ino)
		i = (i + 1) & (t->cap - 1);
	return &t->slots[i];
}

static int grow(struct inode_table *t)
{
	struct fs_inode **old = t->slots;
	uint64_t oldcap = t->cap, i;

	t->cap = oldcap ? oldcap * 2 : 1024;
	t->slots = calloc(t->cap, sizeof(*t->slots));
	if (!t->slots) {
		t->slots = old;
		t->cap = oldcap;
		return -ENOMEM;
	}
	for (i = 0; i < oldcap; i++)
		if (old[i])
			*slot_of(t, old[i]->ino) = old[i];
	free(old);
	return 0;
}

static void free_inode(struct fs_inode *in)
{
	tree_node_release(&in->node);
	strlist_release(&in->names);
	free(in->content);
	free(in->path);
	free(in);
}

int inodes_init(struct inode_table *t)
{
	struct tree_node root;

	memset(t, 0, sizeof(*t));
	if (grow(t))
		return -ENOMEM;
	tree_root(&root, NULL);
	return inodes_add(t, ROOT_INO, "", &root) ? 0 : -ENOMEM;
}

void inodes_release(struct inode_table *t)
{
	uint64_t i;

	for (i = 0; i < t->cap; i++)
		if (t->slots[i])
			free_inode(t->slots[i]);
	free(t->slots);
	hmap_release(&t->by_path);
	memset(t, 0, sizeof(*t));
}

struct fs_inode *inodes_get(struct inode_table *t, uint64_t ino)
{
	return ino ? *slot_of(t, ino) : NULL;
}

struct fs_inode *inodes_find(struct inode_table *t, const char *path)
{
	uint64_t ino;

	return hmap_get(&t->by_path, path, &ino) ? inodes_get(t, ino) : NULL;
}

struct fs_inode *inodes_add(struct inode_table *t, uint64_t parent, const char *path, struct tree_node *node)
{
	struct fs_inode *in = inodes_find(t, path);
	uint64_t ino;

	if (in) {
		tree_node_release(node);
		return in;
	}
	if ((t->n + 1) * 2 > t->cap && grow(t))
		goto fail;
	/* 0 means "no inode" to the kernel and 1 is the root: never hand those out. */
	ino = *path ? hmap_hash(path) : ROOT_INO;
	while (*path && (ino <= ROOT_INO || *slot_of(t, ino)))
		ino++;
	in = calloc(1, sizeof(*in));
	if (!in)
		goto fail;
	in->path = strdup(path);
	if (!in->path || hmap_put(&t->by_path, path, ino)) {
		free(in->path);
		free(in);
		goto fail;
	}
	in->ino = ino;
	in->parent = parent;
	in->name = strrchr(in->path, '/') ? strrchr(in->path, '/') + 1 : in->path;
	in->node = *node;
	memset(node, 0, sizeof(*node));
	*slot_of(t, ino) = in;
	t->n++;
	return in;
fail:
	tree_node_release(node);
	return NULL;
}

void inodes_forget(struct inode_table *t, uint64_t ino, uint64_t n)
{
	struct fs_inode **s, *in;
	uint64_t i, j, mask;

	if (ino == ROOT_INO)
		return;
	s = slot_of(t, ino);
	in = *s;
	if (!in)
		return;
	in->nlookup = n >= in->nlookup ? 0 : in->nlookup - n;
	if (in->nlookup)
		return;
	hmap_del(&t->by_path, in->path);
	free_inode(in);
	*s = NULL;
	t->n--;
	/* Backward-shift deletion keeps every probe run unbroken. */
	mask = t->cap - 1;
	i = (uint64_t)(s - t->slots);
	for (j = (i + 1) & mask; t->slots[j]; j = (j + 1) & mask) {
		uint64_t home = t->slots[j]->ino & mask;

		if (((j - home) & mask) >= ((j - i) & mask)) {
			t->slots[i] = t->slots[j];
			t->slots[j] = NULL;
			i = j;
		}
	}
}

static void reset_one(void *arg, struct fs_inode *in)
{
	(void)arg;
	in->size_known = 0;
	free(in->content);
	in->content = NULL;
	in->content_len = 0;
	strlist_release(&in->names);
	in->names_valid = 0;
	in->listed_ahead = 0;
	in->walked = 0;
}

void inodes_reset_caches(struct inode_table *t)
{
	inodes_each(t, reset_one, NULL);
}

void inodes_each(struct inode_table *t, void (*fn)(void *arg, struct fs_inode *in), void *arg)
{
	uint64_t i;

	for (i = 0; i < t->cap; i++)
		if (t->slots[i])
			fn(arg, t->slots[i]);
}
