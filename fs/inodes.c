// SPDX-License-Identifier: GPL-3.0-or-later
#include "inodes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int inodes_init(struct inode_table *t)
{
	struct tree_node root = { 0 };

	memset(t, 0, sizeof(*t));
	root.route = &tree_routes[0];
	root.type = NODE_DIR;
	/* ino 0 is never used: the kernel reads it as "no entry". */
	t->alloc = 1024;
	t->by_ino = calloc(t->alloc, sizeof(*t->by_ino));
	if (!t->by_ino)
		return -ENOMEM;
	t->n = 1;
	return inodes_add(t, "", &root) ? 0 : -ENOMEM;
}

void inodes_release(struct inode_table *t)
{
	uint64_t i;

	for (i = 0; i < t->n; i++) {
		struct fs_inode *in = t->by_ino[i];

		if (!in)
			continue;
		tree_node_release(&in->node);
		strlist_release(&in->names);
		free(in->content);
		free(in->path);
		free(in);
	}
	free(t->by_ino);
	hmap_release(&t->by_path);
	memset(t, 0, sizeof(*t));
}

struct fs_inode *inodes_get(struct inode_table *t, uint64_t ino)
{
	return ino && ino < t->n ? t->by_ino[ino] : NULL;
}

struct fs_inode *inodes_find(struct inode_table *t, const char *path)
{
	uint64_t ino;

	return hmap_get(&t->by_path, path, &ino) ? t->by_ino[ino] : NULL;
}

struct fs_inode *inodes_add(struct inode_table *t, const char *path, struct tree_node *node)
{
	struct fs_inode *in = inodes_find(t, path);

	if (in) {
		tree_node_release(node);
		return in;
	}
	if (t->n == t->alloc) {
		uint64_t na = t->alloc * 2;
		struct fs_inode **nb = realloc(t->by_ino, na * sizeof(*nb));

		if (!nb)
			goto fail;
		memset(nb + t->alloc, 0, (na - t->alloc) * sizeof(*nb));
		t->by_ino = nb;
		t->alloc = na;
	}
	in = calloc(1, sizeof(*in));
	if (!in)
		goto fail;
	in->path = strdup(path);
	if (!in->path || hmap_put(&t->by_path, path, t->n)) {
		free(in->path);
		free(in);
		goto fail;
	}
	in->ino = t->n;
	in->node = *node;
	memset(node, 0, sizeof(*node));
	t->by_ino[t->n++] = in;
	return in;
fail:
	tree_node_release(node);
	return NULL;
}
