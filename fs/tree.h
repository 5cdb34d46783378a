/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The tree: paths resolved through the route table (fs/routes.c) into
 * views. Private to fs/, and free of FUSE, so that the FUSE operations,
 * `nletsfs materialize` and the unit tests all walk one and the same tree.
 *
 * A node is a resolved path: the route it matched, the values its :params
 * captured, and the day it shows. Under at/DATE/ the route table is matched
 * against the rest of the path with that date; everywhere else the date is
 * today and entity folders list every record (SPEC section 2, time rules).
 */
#ifndef NLETSFS_TREE_H
#define NLETSFS_TREE_H

#include "../store/store.h"
#include "../util/strbuf.h"

#define TREE_MAX_ARGS 4

enum node_type { NODE_DIR, NODE_FILE, NODE_LINK };

struct route;

/** What a view gets: the store and what the path said. */
struct view_ctx {
	struct store *st;
	const struct route *route;
	const char *args[TREE_MAX_ARGS];	/* the :params, in path order */
	int nargs;
	const char *date;		/* the day shown: YYYY-MM-DD */
	const char *entity_date;	/* NULL at the root: every record */
	int in_at;			/* under at/DATE/ */
};

/** A list view: fills the names a :param segment takes under its parent. */
typedef int (*view_list_fn)(const struct view_ctx *ctx, struct strlist *names);
/** A content view: a file's bytes, or a link's target. */
typedef int (*view_render_fn)(const struct view_ctx *ctx, struct strbuf *out);
/** An existence test for a literal name that is not always there: 0 or -ENOENT. */
typedef int (*view_exists_fn)(const struct view_ctx *ctx);

#define ROUTE_NOT_IN_AT 1u	/* not shown under at/DATE/ */

struct route {
	const char *pattern;	/* "/states/:state/:system/blocked" */
	enum node_type type;
	view_list_fn list;	/* required when the last segment is a :param */
	view_render_fn render;	/* files and links */
	view_exists_fn exists;	/* optional */
	int kind;		/* record kind, for the generic record views */
	const char *column;	/* record column, for the generic record views */
	unsigned flags;		/* ROUTE_* */
};

/** The route table and its size. */
extern const struct route tree_routes[];
extern const int tree_nroutes;

struct tree_node {
	const struct route *route;	/* NULL for the at/ and at/DATE folders themselves */
	enum node_type type;
	char *args[TREE_MAX_ARGS];
	int nargs;
	char date[11];			/* "" outside at/ */
	int at_level;			/* 1: /at, 2: /at/DATE, 0 otherwise */
};

struct tree {
	struct store *st;
	char today[11];
};

void tree_init(struct tree *t, struct store *st);
/** Resolve an absolute path ("/" is the root). 0, -ENOENT or -ENOTDIR. */
int tree_resolve(struct tree *t, const char *path, struct tree_node *out);
/** Resolve `name` inside directory `dir`. */
int tree_child(struct tree *t, const struct tree_node *dir, const char *name, struct tree_node *out);
/** The names in a directory, sorted bytewise. */
int tree_list(struct tree *t, const struct tree_node *dir, struct strlist *names);
/** A file's content or a link's target. */
int tree_render(struct tree *t, const struct tree_node *node, struct strbuf *out);
void tree_node_release(struct tree_node *n);
/** Copy a node (deep). */
int tree_node_copy(struct tree_node *dst, const struct tree_node *src);

/* Views shared by the route table (fs/views*.c). */
int view_record_exists(const struct view_ctx *ctx);
int view_record_scalar(const struct view_ctx *ctx, struct strbuf *out);
int view_record_scalar_exists(const struct view_ctx *ctx);
int view_record_list(const struct view_ctx *ctx, struct strbuf *out);
int view_record_sources(const struct view_ctx *ctx, struct strbuf *out);
int list_record_slugs(const struct view_ctx *ctx, struct strlist *names);

#endif
