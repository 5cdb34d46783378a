// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Views about time: at/ (every valid day as a link to .at/DAY, DAY being
 * the change day whose tree it shows; `latest`), and `changes` (every change, oldest first, in the line format of
 * `nletsfs diff`).
 */
#include <errno.h>
#include <string.h>

#include "tree.h"
#include "views.h"

int list_at_dates(const struct view_ctx *ctx, struct strlist *names)
{
	const struct strlist *d = tree_change_dates(ctx->tree);
	size_t i;

	for (i = 0; i < d->n; i++)
		strlist_add(names, d->items[i]);
	return names->oom ? -ENOMEM : 0;
}

int at_date_exists(const struct view_ctx *ctx)
{
	return store_date_full(ctx->args[ctx->nargs - 1]) ? 0 : -ENOENT;
}

/* at/DATE -> ../.at/DAY, DAY being the change day whose tree DATE shows. */
int view_at_link(const struct view_ctx *ctx, struct strbuf *out)
{
	char day[11];
	int rc = tree_canonical_date(ctx->tree, ctx->args[ctx->nargs - 1], day);

	if (!rc)
		strbuf_addf(out, "../.at/%s", day);
	return rc ? rc : strbuf_ok(out);
}

/* .at/DAY exists for the days that have a tree of their own. */
int at_day_exists(const struct view_ctx *ctx)
{
	char day[11];
	const char *date = ctx->args[ctx->nargs - 1];

	if (tree_canonical_date(ctx->tree, date, day) || strcmp(day, date))
		return -ENOENT;
	return 0;
}

int at_latest_exists(const struct view_ctx *ctx)
{
	return tree_change_dates(ctx->tree)->n ? 0 : -ENOENT;
}

int view_at_latest(const struct view_ctx *ctx, struct strbuf *out)
{
	const struct strlist *d = tree_change_dates(ctx->tree);

	if (!d->n)
		return -ENOENT;
	strbuf_addstr(out, d->items[d->n - 1]);
	return strbuf_ok(out);
}

static int add_change(void *arg, const char *day, char op, const char *path, const char *line)
{
	struct strbuf *out = arg;

	strbuf_addf(out, "%s\t%c\t%s\t%s\n", day, op, path, line);
	return strbuf_ok(out);
}

int view_changes(const struct view_ctx *ctx, struct strbuf *out)
{
	const struct strlist *d = tree_change_dates(ctx->tree);
	struct strlist days = STRLIST_INIT;
	char before[11];
	size_t i;
	int rc;

	/* The import stored it (fs/derive.c): a read is a lookup. */
	if (tree_changes_stored(ctx->tree))
		return store_changes_read(ctx->st, out);
	/* A copy: rendering may refill the tree's cache of days. */
	for (i = 0; i < d->n; i++)
		strlist_add(&days, d->items[i]);
	/* The first day is compared with the tree every earlier date shows. */
	rc = days.oom ? -ENOMEM : 0;
	if (!rc && days.n)
		rc = tree_canonical_date(ctx->tree, "1000-01-01", before);
	if (!rc && days.n)
		rc = tree_changes(ctx->tree, before, &days, add_change, out, NULL);
	strlist_release(&days);
	return rc;
}
