// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Resolving paths through the route table. A child is resolved from its
 * parent alone: the parent already proved every segment above it, so only
 * the last name is checked, with one query at most. A literal route wins
 * over a :param route with the same parent.
 */
#include "tree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void tree_init(struct tree *t, struct store *st)
{
	t->st = st;
	store_today(t->today);
}

void tree_node_release(struct tree_node *n)
{
	int i;

	for (i = 0; i < n->nargs; i++)
		free(n->args[i]);
	memset(n, 0, sizeof(*n));
}

int tree_node_copy(struct tree_node *dst, const struct tree_node *src)
{
	int i;

	*dst = *src;
	for (i = 0; i < src->nargs; i++) {
		dst->args[i] = strdup(src->args[i]);
		if (!dst->args[i]) {
			dst->nargs = i;
			tree_node_release(dst);
			return -ENOMEM;
		}
	}
	return 0;
}

static void make_ctx(const struct tree *t, const struct tree_node *n, const struct route *r, struct view_ctx *ctx)
{
	int i;

	memset(ctx, 0, sizeof(*ctx));
	ctx->st = t->st;
	ctx->route = r;
	for (i = 0; i < n->nargs; i++)
		ctx->args[i] = n->args[i];
	ctx->nargs = n->nargs;
	ctx->in_at = n->date[0] != 0;
	ctx->date = ctx->in_at ? n->date : t->today;
	ctx->entity_date = ctx->in_at ? n->date : NULL;
}

/* Is `pattern` a child of `parent` (one more segment)? Returns the last segment or NULL. */
static const char *child_segment(const char *parent, const char *pattern)
{
	size_t n = strlen(parent);

	if (strncmp(pattern, parent, n) || pattern[n] != '/' || strchr(pattern + n + 1, '/'))
		return NULL;
	return pattern + n + 1;
}

static int visible(const struct tree_node *dir, const struct route *r)
{
	return !(dir->date[0] && (r->flags & ROUTE_NOT_IN_AT));
}

int tree_child(struct tree *t, const struct tree_node *dir, const char *name, struct tree_node *out)
{
	const struct route *param = NULL, *lit = NULL;
	struct view_ctx ctx;
	int i, rc;

	memset(out, 0, sizeof(*out));
	if (dir->type != NODE_DIR)
		return -ENOTDIR;
	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -ENOENT;
	for (i = 0; i < tree_nroutes; i++) {
		const struct route *r = &tree_routes[i];
		const char *seg = child_segment(dir->route->pattern, r->pattern);

		if (!seg || !visible(dir, r))
			continue;
		if (seg[0] == ':')
			param = r;
		else if (!strcmp(seg, name))
			lit = r;
	}
	if (!lit && !param)
		return -ENOENT;
	rc = tree_node_copy(out, dir);
	if (rc)
		return rc;
	out->route = lit ? lit : param;
	out->type = out->route->type;
	if (!lit) {
		if (out->nargs >= TREE_MAX_ARGS) {
			rc = -ENOENT;
			goto fail;
		}
		out->args[out->nargs] = strdup(name);
		if (!out->args[out->nargs]) {
			rc = -ENOMEM;
			goto fail;
		}
		out->nargs++;
	}
	make_ctx(t, out, out->route, &ctx);
	if (out->route->exists) {
		rc = out->route->exists(&ctx);
	} else if (!lit) {
		/* No cheap test: the name must be one the list view gives. */
		struct strlist names = STRLIST_INIT;
		struct view_ctx pctx;

		make_ctx(t, dir, out->route, &pctx);
		rc = out->route->list(&pctx, &names);
		if (!rc && strlist_find(&names, name) < 0)
			rc = -ENOENT;
		strlist_release(&names);
	}
	if (rc)
		goto fail;
	return 0;
fail:
	tree_node_release(out);
	return rc;
}

int tree_resolve(struct tree *t, const char *path, struct tree_node *out)
{
	struct tree_node cur = { 0 };
	const char *p = path;
	int rc = 0;

	cur.route = &tree_routes[0];
	cur.type = NODE_DIR;
	while (*p) {
		struct tree_node next;
		char seg[256];
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		n = strcspn(p, "/");
		if (n >= sizeof(seg)) {
			rc = -ENAMETOOLONG;
			break;
		}
		memcpy(seg, p, n);
		seg[n] = '\0';
		p += n;
		rc = tree_child(t, &cur, seg, &next);
		tree_node_release(&cur);
		if (rc)
			return rc;
		cur = next;
	}
	if (rc) {
		tree_node_release(&cur);
		return rc;
	}
	*out = cur;
	return 0;
}

int tree_list(struct tree *t, const struct tree_node *dir, struct strlist *names)
{
	struct view_ctx ctx;
	int i, rc = 0;

	if (dir->type != NODE_DIR)
		return -ENOTDIR;
	for (i = 0; i < tree_nroutes && !rc; i++) {
		const struct route *r = &tree_routes[i];
		const char *seg = child_segment(dir->route->pattern, r->pattern);

		if (!seg || !visible(dir, r))
			continue;
		if (seg[0] == ':') {
			make_ctx(t, dir, r, &ctx);
			rc = r->list(&ctx, names);
			continue;
		}
		if (r->exists) {
			struct tree_node child;

			if (tree_child(t, dir, seg, &child))
				continue;
			tree_node_release(&child);
		}
		strlist_add(names, seg);
	}
	if (!rc && names->oom)
		rc = -ENOMEM;
	if (!rc)
		strlist_sort_uniq(names);
	return rc;
}

int tree_render(struct tree *t, const struct tree_node *node, struct strbuf *out)
{
	struct view_ctx ctx;

	if (node->type == NODE_DIR)
		return -EISDIR;
	if (!node->route || !node->route->render)
		return -EIO;
	make_ctx(t, node, node->route, &ctx);
	return node->route->render(&ctx, out);
}
