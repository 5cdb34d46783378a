// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * What the kernel must forget after an import (forget.h). Told to forget
 * everything, it walks the whole tree cold again after each import: at 10k
 * flows a warm `grep -r` took 0.35 s, and 1.80 s right after an import of
 * one document. The import's walk already knows which paths moved (their
 * time is the import's), so only those are told, with the names around
 * them that a lookup may have cached: new ones (held as missing), and gone
 * ones in a changed folder. What no walk can see, names that resolve
 * without being listed (at/DATE for any date, search/QUERY) and the
 * hidden .at/, is forgotten whole by its folder's name. A new day between
 * two days that show the same facts moves only the files that print the
 * day, told the same way.
 */
#include "forget.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../store/store.h"
#include "../util/array.h"
#include "tree.h"

/* The longest name the kernel has (NAME_MAX). */
#define FORGET_NAME_MAX 255

/* A changed folder the table holds, by number, with its path. */
struct dir_ref {
	uint64_t ino;
	const char *path;
};

/* A name the table holds in a changed folder: still there? */
struct child {
	uint64_t parent;
	const char *dir;
	char *name;
};

struct children {
	const struct dir_ref *dirs;
	size_t ndirs;
	struct child *v;
	size_t n, alloc;
	int oom;
};

static int take_path(void *arg, const char *path)
{
	struct strlist *ps = arg;

	if (ps->n >= FORGET_MAX_PATHS)
		return -E2BIG;
	strlist_add(ps, path);
	return ps->oom ? -ENOMEM : 0;
}

static int notice(struct forget_plan *p, uint64_t ino, const char *name)
{
	char *copy = NULL;

	if (name && !(copy = strdup(name)))
		return -ENOMEM;
	if (array_reserve(&p->n, p->count, &p->alloc, sizeof(*p->n), 64)) {
		free(copy);
		return -ENOMEM;
	}
	p->n[p->count].ino = ino;
	p->n[p->count++].name = copy;
	return 0;
}

/*
 * (locked) The deepest inode of `path` ("a/b/c", "" for the root) the
 * table holds. `*rest` is what is left of the path ("" when all of it is
 * held); when that is one name, it is copied to `name`.
 */
static struct fs_inode *resolve(struct inode_table *t, const char *path, const char **rest,
				char name[FORGET_NAME_MAX + 1])
{
	struct fs_inode *in = inodes_get(t, INODES_ROOT), *child;
	const char *p = path;

	name[0] = '\0';
	while (in && *p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);

		if (len > FORGET_NAME_MAX) {
			name[0] = '\0'; /* not a name the kernel can hold */
			break;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		child = inodes_find(t, in, name);
		if (!child)
			break;
		in = child;
		p = slash ? slash + 1 : p + len;
	}
	*rest = p;
	return in;
}

static int by_ino(const void *a, const void *b)
{
	const struct dir_ref *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* (locked) inodes_each(): a name in a changed folder. */
static void note_child(void *arg, struct fs_inode *in)
{
	struct children *c = arg;
	struct dir_ref key = { .ino = in->parent }, *d;
	struct child *ch;

	if (c->oom || !in->depth || !(d = bsearch(&key, c->dirs, c->ndirs, sizeof(*d), by_ino)))
		return;
	if (array_reserve(&c->v, c->n, &c->alloc, sizeof(*c->v), 256)) {
		c->oom = 1;
		return;
	}
	ch = &c->v[c->n];
	ch->parent = in->parent;
	ch->dir = d->path;
	ch->name = strdup(in->name);
	if (!ch->name)
		c->oom = 1;
	else
		c->n++;
}

/*
 * (locked) The folders held whose names no walk can know, to be forgotten
 * whole: a route's folder whose :param resolves unlisted names, and a
 * hidden route. Only literal folders are planned for (-ENOTSUP).
 */
static int plan_unwalked(struct inode_table *t, struct forget_plan *p)
{
	char pattern[256], name[FORGET_NAME_MAX + 1];
	int i, rc = 0;

	for (i = 0; !rc && i < tree_nroutes; i++) {
		const struct route *r = &tree_routes[i];
		const char *rest, *cut;
		struct fs_inode *in;

		if (!(r->flags & (ROUTE_UNLISTED | ROUTE_HIDDEN)))
			continue;
		cut = (r->flags & ROUTE_HIDDEN) ? r->pattern + strlen(r->pattern) : strrchr(r->pattern, '/');
		if (!cut || cut == r->pattern || (size_t)(cut - r->pattern) >= sizeof(pattern))
			return -ENOTSUP;
		memcpy(pattern, r->pattern + 1, (size_t)(cut - r->pattern) - 1);
		pattern[cut - r->pattern - 1] = '\0';
		if (strchr(pattern, ':'))
			return -ENOTSUP;
		in = resolve(t, pattern, &rest, name);
		if (in && !*rest && in->depth)
			rc = notice(p, in->parent, in->name);
	}
	return rc;
}

struct day_printing {
	const struct inode_table *t;
	struct forget_plan *p;
	int rc;
};

/* (locked) inodes_each(): a file held that prints the day, for a new day. */
static void note_day_printing(void *arg, struct fs_inode *in)
{
	struct day_printing *d = arg;
	const struct route *r = in->nlookup ? inodes_route(d->t, in) : NULL;

	if (!d->rc && r && (r->moves & MOVED_UNLOGGED))
		d->rc = notice(d->p, in->ino, NULL);
}

/* (locked) Each changed path: its inode, or its new name; the changed folders held, into `dirs`. */
static int plan_paths(struct inode_table *t, const struct strlist *ps, struct forget_plan *p, struct dir_ref *dirs,
		      size_t *ndirs)
{
	char name[FORGET_NAME_MAX + 1];
	size_t i;
	int rc = 0;

	*ndirs = 0;
	for (i = 0; !rc && i < ps->n; i++) {
		const char *rest;
		struct fs_inode *in = resolve(t, ps->items[i], &rest, name);

		if (!in)
			continue;
		if (!*rest) {
			/*
			 * Held: its pages and attributes (a folder, its listing;
			 * the names below it stay). A file's name goes too, and
			 * the name of one not held, which the kernel may hold as
			 * missing (it forgot the inode, then looked again).
			 */
			if (in->nlookup)
				rc = notice(p, in->ino, NULL);
			if (!rc && in->depth && (!in->nlookup || in->type != NODE_DIR))
				rc = notice(p, in->parent, in->name);
			if (in->type == NODE_DIR && in->nlookup)
				dirs[(*ndirs)++] = (struct dir_ref){ in->ino, ps->items[i] };
		} else if (!strchr(rest, '/') && name[0]) {
			rc = notice(p, in->ino, name); /* new here: the kernel may hold it as missing */
		}
	}
	return rc;
}

/* The names held in changed folders that are gone (not locked: the store is asked). */
static int plan_gone(struct store *st, const struct children *c, struct forget_plan *p)
{
	struct strbuf path = STRBUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < c->n; i++) {
		int64_t ns, size;

		strbuf_reset(&path);
		strbuf_addf(&path, "%s%s%s", c->v[i].dir, c->v[i].dir[0] ? "/" : "", c->v[i].name);
		rc = strbuf_ok(&path);
		if (!rc)
			rc = store_path_stat(st, path.buf, &ns, &size);
		if (rc == -ENOENT)
			rc = notice(p, c->v[i].parent, c->v[i].name);
	}
	strbuf_release(&path);
	return rc;
}

int forget_plan_make(struct inode_table *t, pthread_mutex_t *lock, struct store *st, int64_t since_ns,
		     int day_moved, struct forget_plan *p)
{
	struct day_printing day = { t, p, 0 };
	struct strlist ps = STRLIST_INIT;
	struct children c = { 0 };
	struct dir_ref *dirs = NULL;
	size_t i, ndirs = 0;
	int rc;

	memset(p, 0, sizeof(*p));
	rc = store_read_begin(st);
	if (rc)
		return rc;
	rc = store_paths_changed_since(st, since_ns, take_path, &ps);
	if (!rc && ps.n && !(dirs = malloc(ps.n * sizeof(*dirs))))
		rc = -ENOMEM;
	if (!rc) {
		pthread_mutex_lock(lock);
		rc = plan_unwalked(t, p);
		if (!rc && day_moved) {
			inodes_each(t, note_day_printing, &day);
			rc = day.rc;
		}
		if (!rc)
			rc = plan_paths(t, &ps, p, dirs, &ndirs);
		if (!rc && ndirs) {
			qsort(dirs, ndirs, sizeof(*dirs), by_ino);
			c.dirs = dirs;
			c.ndirs = ndirs;
			inodes_each(t, note_child, &c);
		}
		pthread_mutex_unlock(lock);
		if (!rc && c.oom)
			rc = -ENOMEM;
	}
	if (!rc)
		rc = plan_gone(st, &c, p);
	store_read_end(st);

	for (i = 0; i < c.n; i++)
		free(c.v[i].name);
	free(c.v);
	free(dirs);
	strlist_release(&ps);
	if (rc)
		forget_plan_release(p);
	return rc;
}

void forget_plan_release(struct forget_plan *p)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		free(p->n[i].name);
	free(p->n);
	p->n = NULL;
	p->count = p->alloc = 0;
}
