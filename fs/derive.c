// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The derived data of an inventory, made inside the transaction of the
 * import that changed it (store/derived.c keeps them), so that a read of
 * the mount is a lookup:
 *
 *  1. one walk of the root tree (what the mount shows less search/QUERY/
 *     and the hidden .at/): every file's content and every folder's
 *     listing is hashed, and a path whose hash differs from the one the
 *     last import stored gets this import's time: its mtime and ctime
 *     (tree_mtime). The costly files (ROUTE_DERIVED: README, the
 *     checklist's answers and lists, records requests, maps) rendered on
 *     the way are stored as they are, for the day of the import;
 *  2. the change log: every change between consecutive change days
 *     (tree_changes), stored as `changes` reads, in parts of
 *     STORE_CHANGE_PART bytes (store_change_writer_flush).
 *     Kept as it is when the walk found nothing changed but imports/
 *     (settle_changes()).
 *
 * The walk is exact by construction: a path's time moves only when its
 * bytes (or listing) moved. Its cost is one render of the root tree per
 * import; docs/time.md says what it does not cover.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "fs.h"
#include "tree_i.h"

/* 64-bit FNV-1a, seeded with the kind of node so that a file and a folder never share a hash. */
static uint64_t hash_add(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t hash_start(char kind)
{
	return hash_add(0xcbf29ce484222325ULL, &kind, 1);
}

struct derive {
	struct tree t;
	struct store *st;
	fs_derive_progress_fn progress;
	void *arg;
	/* the change log as it is written, and the day of its last line */
	struct store_change_writer log;
	uint64_t log_hash;	/* of every line written: the hash of `changes`, not read back */
	char day[11];
	size_t days_done, ndays;
	long lines;
	long paths;
};

static int gather_change(void *arg, const char *day, char op, const char *path, const char *line)
{
	struct derive *d = arg;
	size_t keep;

	if (strcmp(d->day, day)) {
		snprintf(d->day, sizeof(d->day), "%s", day);
		/* About ten lines of progress for the whole log. */
		if (d->progress && ++d->days_done % (d->ndays / 10 + 1) == 0)
			d->progress(d->arg, "change days", (long)d->days_done, (long)d->ndays);
	}
	/* The line format of `changes` and `nletsfs diff`. */
	keep = d->log.pending.len;
	/* Pieces, not a format: two million lines at 100k flows. */
	strbuf_addstr(&d->log.pending, day);
	strbuf_addch(&d->log.pending, '\t');
	strbuf_addch(&d->log.pending, op);
	strbuf_addch(&d->log.pending, '\t');
	strbuf_addstr(&d->log.pending, path);
	strbuf_addch(&d->log.pending, '\t');
	strbuf_addstr(&d->log.pending, line);
	strbuf_addch(&d->log.pending, '\n');
	if (d->log.pending.oom)
		return -ENOMEM;
	d->log_hash = hash_add(d->log_hash, d->log.pending.buf + keep, d->log.pending.len - keep);
	d->lines++;
	return d->log.pending.len >= STORE_CHANGE_PART ? store_change_writer_flush(d->st, &d->log, 0) : 0;
}

static int derive_changes(struct derive *d)
{
	const struct strlist *cd = tree_change_dates(&d->t);
	struct strlist days = STRLIST_INIT;
	char before[11];
	size_t i;
	int rc;

	for (i = 0; i < cd->n; i++)
		strlist_add(&days, cd->items[i]);
	rc = days.oom ? -ENOMEM : 0;
	d->ndays = days.n;
	/* As view_changes did: the first day is compared with the tree every earlier date shows. */
	if (!rc && days.n)
		rc = tree_canonical_date(&d->t, "1000-01-01", before);
	if (!rc && days.n)
		rc = tree_changes(&d->t, before, &days, gather_change, d);
	if (!rc)
		rc = store_change_writer_flush(d->st, &d->log, 1);
	if (!rc)
		rc = store_derived_put(d->st, "changes_size", d->log.stored);
	strlist_release(&days);
	return rc;
}

static int walk(struct derive *d, const struct tree_node *node, struct strbuf *path)
{
	struct strbuf body = STRBUF_INIT;
	struct strlist names = STRLIST_INIT;
	size_t keep = path->len, i;
	uint64_t h;
	int rc;

	if (node->type != NODE_DIR) {
		rc = tree_render(&d->t, node, &body);
		if (rc == -ENOENT) /* listed but with nothing to show: as materialize, no file */
			goto out;
		h = hash_add(hash_start(node->type == NODE_FILE ? 'F' : 'L'), body.buf, body.len);
		if (!rc && node->type == NODE_FILE && (node->route->flags & ROUTE_DERIVED))
			rc = store_derived_file_put(d->st, path->buf, body.buf, body.len);
		if (!rc)
			rc = store_walk_put(d->st, path->buf, h, node->type == NODE_FILE ? (int64_t)body.len : -1);
		d->paths++;
		goto out;
	}
	rc = tree_list(&d->t, node, &names);
	h = hash_start('D');
	for (i = 0; !rc && i < names.n; i++)
		h = hash_add(h, names.items[i], strlen(names.items[i]) + 1);
	if (!rc)
		rc = store_walk_put(d->st, path->buf, h, -1);
	d->paths++;
	if (d->progress && d->paths % 100000 == 0)
		d->progress(d->arg, "paths walked", d->paths, 0);
	for (i = 0; !rc && i < names.n; i++) {
		struct tree_node child;

		/*
		 * search/QUERY/ is any query: none is walked (docs/time.md).
		 * `changes` is hashed once the log is settled (fs_derive).
		 */
		if (!path->len && (!strcmp(names.items[i], "search") || !strcmp(names.items[i], "changes")))
			continue;
		rc = tree_child_listed(&d->t, node, names.items[i], &child);
		if (rc == -ENOENT) {
			rc = 0;
			continue;
		}
		if (rc)
			break;
		if (path->len)
			strbuf_addch(path, '/');
		strbuf_addstr(path, names.items[i]);
		rc = strbuf_ok(path);
		if (!rc)
			rc = walk(d, &child, path);
		path->len = keep;
		if (path->alloc)
			path->buf[keep] = '\0';
		tree_node_release(&child);
	}
out:
	strlist_release(&names);
	strbuf_release(&body);
	return rc;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * The change log, made again, or kept when the walk found nothing changed
 * but imports/: the root tree shows every fact with its dates (records,
 * sources and their dates, documents, partner listings, export/), so a
 * root that did not change means no past day did either.
 */
static int settle_changes(struct derive *d, int was_fresh)
{
	static const char *const not_facts[] = { "imports", "changes" };
	long moved = 0;
	int rc = 0;

	if (was_fresh)
		rc = store_walk_changed_outside(d->st, not_facts, 2, &moved);
	if (!rc && was_fresh && !moved) {
		if (d->progress)
			d->progress(d->arg, "paths changed outside imports/: the change log is kept", 0, 0);
		return store_walk_keep(d->st, "changes");
	}
	if (!rc)
		rc = store_changes_clear(d->st);
	d->log_hash = hash_start('F');
	if (!rc)
		rc = derive_changes(d);
	if (rc)
		return rc;
	if (d->progress)
		d->progress(d->arg, "lines of changes", d->lines, 0);
	/* `changes` reads the parts just stored: the lines' hash is its hash. */
	return store_walk_put(d->st, "changes", d->log_hash, d->log.stored);
}

int fs_derive(struct store *st, fs_derive_progress_fn progress, void *arg, struct strbuf *err)
{
	struct derive d = { .st = st, .progress = progress, .arg = arg, .log = STORE_CHANGE_WRITER_INIT };
	struct strbuf path = STRBUF_INIT;
	struct tree_node root = { 0 };
	int was_fresh = store_derived_fresh(st);
	long changed = 0, from, until;
	int64_t when;
	int rc;

	tree_init_routes(&d.t, st, tree_routes, tree_nroutes);
	/* Everything computed: nothing read from the derived data being replaced. */
	d.t.deriving = 1;
	d.t.use_changes = d.t.use_files = 0;
	tree_root(d.t.routes, &root, NULL);
	rc = store_derived_begin(st);
	if (!rc)
		rc = store_walk_begin(st);
	if (!rc)
		rc = walk(&d, &root, &path);
	if (!rc && progress)
		progress(arg, "paths walked", d.paths, 0);
	if (!rc && (rc = settle_changes(&d, was_fresh)) != 0) {
		strbuf_addf(err, "cannot derive the change log: %s", rc == -ENOMEM ? "out of memory" : store_errmsg(st));
		goto out;
	}
	when = now_ns();
	if (!rc)
		rc = store_walk_end(st, when, &changed);
	if (!rc && changed)
		rc = store_derived_put(st, "changed_at", when);
	if (!rc)
		rc = store_derived_put(st, "files_date", tree_today_key(&d.t));
	/* The days the stored files serve too: no fact starts or stops between them and the import's. */
	if (!rc)
		rc = tree_same_days(&d.t, tree_today(&d.t), &from, &until);
	if (!rc)
		rc = store_derived_put(st, "files_from", from);
	if (!rc)
		rc = store_derived_put(st, "files_until", until);
	if (!rc)
		rc = store_derived_done(st);
	if (rc) {
		strbuf_addf(err, "cannot derive the tree's files and times: %s",
			    rc == -ENOMEM ? "out of memory" : store_errmsg(st));
		goto out;
	}
	if (progress)
		progress(arg, "paths changed", changed, 0);
out:
	tree_node_release(&root);
	tree_release(&d.t);
	strbuf_release(&d.log.pending);
	strbuf_release(&path);
	return rc;
}
