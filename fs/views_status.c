// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * .nletsfs/status: what a subscription serves and how its last check went.
 * Not from the inventory (a bundle's database is immutable, and the check
 * is news about it): the subscription (net/, through cli/) writes it when
 * asked. The route is ROUTE_VOLATILE, so the mount forgets it after every
 * check. One mount per process: the source is set once, before the workers.
 */
#include <errno.h>

#include "fs.h"
#include "views.h"

static const struct fs_refresh *source;

void views_status_source(const struct fs_refresh *r)
{
	source = r && r->status ? r : NULL;
}

int status_exists(const struct view_ctx *ctx)
{
	(void)ctx;
	return source ? 0 : -ENOENT;
}

int view_status(const struct view_ctx *ctx, struct strbuf *out)
{
	(void)ctx;
	if (!source)
		return -ENOENT;
	return source->status(source->arg, out);
}
