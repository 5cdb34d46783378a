// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The tree as plain files, for people without FUSE and for publishing an
 * inventory in a git repository. It walks the very tree the mount serves
 * (tree_list, tree_child, tree_render: no FUSE), depth first, writing each
 * folder, file and link with *at() calls relative to its parent's
 * descriptor, so no path is ever resolved twice and nothing outside DIR is
 * touched. What `cp -a` of the mount gives, less at/ and search/ (the
 * first is the whole tree again per date, the second is open-ended; the
 * hidden .at/ is never listed).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/io.h"
#include "fs.h"
#include "tree.h"

/* Root folders of the mount that are not materialized. */
static const char *const skipped_at_root[] = { "at", "search" };

struct walk {
	struct tree *tree;
	struct strbuf *err;
};

static int skipped(const struct tree_node *dir, const char *name)
{
	size_t i;

	if (dir->route->pattern[0]) /* not the root (pattern "") */
		return 0;
	for (i = 0; i < sizeof(skipped_at_root) / sizeof(skipped_at_root[0]); i++)
		if (!strcmp(name, skipped_at_root[i]))
			return 1;
	return 0;
}

/* Bytes of a file read by parts (the change log) copied at a time. */
#define COPY_CHUNK (1024 * 1024)

/*
 * Write a file: rendered whole, or a file read by parts (tree_read_range),
 * copied a chunk at a time, so that a 3 GB change log never sits in memory.
 */
static int write_file(struct walk *w, const struct tree_node *node, int dirfd, const char *name,
		      struct strbuf *content)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666), rc;
	uint64_t off = 0;

	if (fd < 0)
		return -errno;
	if (!tree_read_by_parts(w->tree, node)) {
		rc = tree_render(w->tree, node, content);
		if (!rc)
			rc = strbuf_ok(content);
		if (!rc)
			rc = io_write_all(fd, content->buf, content->len);
	} else {
		do {
			strbuf_reset(content);
			rc = tree_read_range(w->tree, node, off, COPY_CHUNK, content);
			if (!rc)
				rc = io_write_all(fd, content->buf, content->len);
			off += content->len;
		} while (!rc && content->len == COPY_CHUNK);
	}
	if (close(fd) && !rc)
		rc = -errno;
	return rc;
}

static int walk_dir(struct walk *w, const struct tree_node *dir, int dirfd, const char *path);

/* One entry of a folder: render it, or make it and walk into it. */
static int walk_entry(struct walk *w, const struct tree_node *node, const char *name, int dirfd, const char *path)
{
	struct strbuf content = STRBUF_INIT;
	int rc = 0, fd;

	switch (node->type) {
	case NODE_DIR:
		if (mkdirat(dirfd, name, 0777))
			return -errno;
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		rc = walk_dir(w, node, fd, path);
		close(fd);
		return rc;
	case NODE_FILE:
		rc = write_file(w, node, dirfd, name, &content);
		break;
	case NODE_LINK:
		rc = tree_render(w->tree, node, &content);
		if (!rc)
			rc = strbuf_ok(&content);
		if (!rc && symlinkat(content.buf, dirfd, name))
			rc = -errno;
		break;
	}
	strbuf_release(&content);
	return rc;
}

/* Write the folder `dir` (the tree's), whose copy is open as `dirfd` at `path`. */
static int walk_dir(struct walk *w, const struct tree_node *dir, int dirfd, const char *path)
{
	struct strlist names = STRLIST_INIT;
	size_t i;
	int rc = tree_list(w->tree, dir, &names);

	if (rc)
		strbuf_addf(w->err, "%s: cannot list: %s", path, strerror(-rc));
	for (i = 0; !rc && i < names.n; i++) {
		struct strbuf child_path = STRBUF_INIT;
		struct tree_node child;

		if (skipped(dir, names.items[i]))
			continue;
		strbuf_addf(&child_path, "%s/%s", path, names.items[i]);
		rc = strbuf_ok(&child_path);
		if (!rc)
			rc = tree_child(w->tree, dir, names.items[i], &child);
		if (rc == -ENOENT) { /* listed but gone: as readdir does, skip it */
			rc = 0;
		} else if (!rc) {
			rc = walk_entry(w, &child, names.items[i], dirfd, child_path.buf);
			tree_node_release(&child);
		}
		/* The deepest failure names its path; the folders above it add nothing. */
		if (rc && !w->err->len)
			strbuf_addf(w->err, "%s: %s", child_path.buf, strerror(-rc));
		strbuf_release(&child_path);
	}
	strlist_release(&names);
	return rc;
}

/* DIR is created, or must be empty but for dot-files (a git checkout's .git). */
static int open_target(const char *dir, struct strbuf *err)
{
	DIR *d;
	struct dirent *de;
	int fd, rc = 0;

	if (mkdir(dir, 0777) && errno != EEXIST) {
		rc = -errno;
		strbuf_addf(err, "%s: %s", dir, strerror(errno));
		return rc;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		strbuf_addf(err, "%s: %s", dir, strerror(errno));
		return rc;
	}
	d = fdopendir(dup(fd));
	if (!d) {
		rc = -errno;
		strbuf_addf(err, "%s: %s", dir, strerror(errno));
		close(fd);
		return rc;
	}
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			strbuf_addf(err, "%s is not empty (it holds '%s'): materialize into a new or empty folder",
				    dir, de->d_name);
			rc = -ENOTEMPTY;
			break;
		}
	closedir(d);
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

int fs_materialize(struct store *st, const char *at, const char *dir, struct strbuf *err)
{
	struct walk w = { .err = err };
	struct tree_node root;
	char day[11];
	int fd, rc = 0;

	if (at && !store_date_full(at)) {
		strbuf_addf(err, "bad date '%s': give YYYY-MM-DD", at);
		return -EINVAL;
	}
	w.tree = tree_open(st);
	if (!w.tree)
		return -ENOMEM;
	/* at/AT links to .at/DAY, the change day whose tree AT shows: the same root here. */
	if (at)
		rc = tree_canonical_date(w.tree, at, day);
	if (rc) {
		strbuf_addf(err, "cannot read the days of the inventory: %s", strerror(-rc));
		goto out;
	}
	tree_root(tree_table(w.tree), &root, at ? day : NULL);
	fd = open_target(dir, err);
	if (fd >= 0) {
		rc = walk_dir(&w, &root, fd, dir);
		close(fd);
	} else {
		rc = fd;
	}
	tree_node_release(&root);
out:
	tree_free(w.tree);
	return rc;
}
