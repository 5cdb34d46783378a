// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * nletsfs diff, the tree's part: the lines tree_diff() finds between the
 * trees of two days, under a prefix of whole path components, handed to a
 * sink. How they are printed (text, CSV, JSON, sentences by state) is the
 * command's business: cli/cmd_diff.c.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fs.h"
#include "tree.h"

struct diff_filter {
	const struct fs_diff_sink *sink;
	const char *prefix;	/* whole path components: "" or "states/NY" */
	size_t prefix_len;
};

static int filter_change(void *arg, char op, const char *path, const char *line)
{
	struct diff_filter *f = arg;

	/* tree_diff matches the prefix as a string; keep whole components only. */
	if (f->prefix_len && (strncmp(path, f->prefix, f->prefix_len) ||
			      (path[f->prefix_len] && path[f->prefix_len] != '/')))
		return 0;
	return f->sink->change(f->sink->arg, op, path, line);
}

/* Does `prefix` name a file or folder in the tree of `day`, or in the present root? */
static int prefix_exists(struct tree *t, const char *prefix, const char *day)
{
	struct strbuf path = STRBUF_INIT;
	struct tree_node n;
	int rc;

	strbuf_addf(&path, "/.at/%s/%s", day, prefix);
	rc = strbuf_ok(&path);
	if (!rc) {
		rc = tree_resolve(t, path.buf, &n);
		if (!rc)
			tree_node_release(&n);
	}
	if (rc == -ENOENT || rc == -ENOTDIR) {
		strbuf_reset(&path);
		strbuf_addf(&path, "/%s", prefix);
		rc = strbuf_ok(&path);
		if (!rc)
			rc = tree_resolve(t, path.buf, &n);
		if (!rc)
			tree_node_release(&n);
	}
	strbuf_release(&path);
	return rc == -ENOTDIR ? -ENOENT : rc;
}

int fs_diff(const char *db, const char *from, const char *to, const char *prefix, const struct fs_diff_sink *sink,
	    struct strbuf *err)
{
	struct diff_filter p = { sink, prefix ? prefix : "", 0 };
	struct store *st = NULL;
	struct tree *t;
	char a[11], b[11];
	int rc;

	p.prefix_len = strlen(p.prefix);
	assert(!p.prefix_len || (p.prefix[0] != '/' && p.prefix[p.prefix_len - 1] != '/'));
	rc = store_open(db, STORE_READONLY, &st, err);
	if (rc)
		return rc;
	t = tree_open(st);
	/* Compare the trees at/FROM and at/TO show: their change days. */
	rc = t ? store_read_begin(st) : -ENOMEM;
	if (!rc)
		rc = tree_canonical_date(t, from, a);
	if (!rc)
		rc = tree_canonical_date(t, to, b);
	if (!rc && p.prefix_len) {
		rc = prefix_exists(t, p.prefix, a);
		if (rc == -ENOENT)
			rc = prefix_exists(t, p.prefix, b);
		if (rc == -ENOENT) {
			strbuf_addstr(err, "PATH-PREFIX names nothing in the tree: ");
			for (const char *c = p.prefix; *c; c++) /* one line, whatever it holds */
				strbuf_addch(err, (unsigned char)*c < 0x20 || *c == 0x7f ? '?' : *c);
			strbuf_addstr(err, " (a path inside the mount, such as states/NY)");
			goto out;
		}
	}
	if (rc)
		goto fail;
	rc = sink->begin ? sink->begin(sink->arg) : 0;
	if (!rc)
		rc = tree_diff(t, a, b, p.prefix, filter_change, &p);
	if (sink->end) {
		int r = sink->end(sink->arg, rc);

		rc = rc ? rc : r;
	}
fail:
	if (rc)
		strbuf_addf(err, "cannot compare %s and %s: %s", from, to, strerror(-rc));
out:
	store_read_end(st);
	tree_free(t);
	store_close(st);
	return rc;
}
