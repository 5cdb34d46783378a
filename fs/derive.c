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
 *     STORE_CHANGE_PART bytes (store_change_writer_flush), each written
 *     only where it differs from the part stored. It is made in a second
 *     thread while the walk runs (struct pass), the relation lists' spans
 *     read in a third on a second connection (tree_changes), and kept as
 *     it is when the walk found nothing changed but imports/
 *     (keeps_changes()).
 *     While the import's thread waits for it, the pages written so far
 *     go to SQLite's log (store_flush), which the commit would do after.
 *
 * The walk is exact by construction: a path's time moves only when its
 * bytes (or listing) moved. Its cost is one render of the root tree per
 * import; docs/time.md says what it does not cover.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/io.h"
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

struct pass;

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
	struct pass *pass;	/* the import's: the change log made beside the walk, or NULL */
	struct pass *to;	/* the pass's own: where its log's bytes go */
	struct tree *aside;	/* the pass's own: a tree for tree_changes' spans thread, or NULL */
	int64_t flushed;	/* the import's: log parts rewritten when its pages last went to the log (store_flush) */
	char why[256];		/* the import's: SQLite's message of a failed pass */
};

/*
 * The change log made in a second thread while the walk runs: the two
 * are the import's two halves (the pass the longer), and independent
 * (each computes from the facts alone).
 * It reads a copy of the inventory as the import's transaction sees it
 * (store_open_copy), since no other connection sees those rows before the
 * commit, and hands its bytes to the import's thread, the one writer, in
 * chunks of a part or more.
 */
#define PASS_QUEUE 256		/* chunks waiting: 32 MiB or more, a few seconds of the pass */
#define PASS_FLUSH_PARTS 64	/* parts written (8 MiB) before their pages go to the log while waiting */

struct pass {
	struct derive d;	/* its own tree, over `copy` */
	struct store *copy;
	struct store *again;	/* a second connection to the copy, or NULL */
	struct tree spans_tree;	/* over `again`: the spans read in a third thread (tree_changes) */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;	/* a chunk queued, or taken, or the pass done */
	struct strbuf queue[PASS_QUEUE];
	size_t head, n;
	int done, rc;		/* rc: the pass's result, once done */
	char errmsg[256];	/* SQLite's message of a failed pass */
	atomic_int cancel;	/* the import keeps the stored log: stop */
};

/* The pass's thread: hand the chunk in `pending` to the writer, waiting for room. */
static int pass_push(struct pass *p, struct strbuf *pending)
{
	int rc = 0;

	pthread_mutex_lock(&p->mu);
	while (p->n == PASS_QUEUE && !atomic_load(&p->cancel))
		pthread_cond_wait(&p->cond, &p->mu);
	if (atomic_load(&p->cancel)) {
		rc = -ECANCELED;
	} else {
		p->queue[(p->head + p->n++) % PASS_QUEUE] = *pending;
		*pending = (struct strbuf)STRBUF_INIT;
		pthread_cond_broadcast(&p->cond);
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

static int gather_change(void *arg, const char *day, char op, const char *path, const char *line)
{
	struct derive *d = arg;
	size_t keep;

	if (d->to && atomic_load_explicit(&d->to->cancel, memory_order_relaxed))
		return -ECANCELED;
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
	if (d->log.pending.len < STORE_CHANGE_PART)
		return 0;
	return d->to ? pass_push(d->to, &d->log.pending) : store_change_writer_flush(d->st, &d->log);
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
		rc = tree_changes(&d->t, before, &days, gather_change, d, d->aside);
	strlist_release(&days);
	return rc;
}

static void *pass_main(void *arg)
{
	struct pass *p = arg;
	int rc;

	/* For top -H and perf: the import's second thread. */
	pthread_setname_np(pthread_self(), "changes");
	rc = derive_changes(&p->d);

	/* The log's last bytes, fewer than a part. */
	if (!rc && p->d.log.pending.len)
		rc = pass_push(p, &p->d.log.pending);
	pthread_mutex_lock(&p->mu);
	if (rc)
		snprintf(p->errmsg, sizeof(p->errmsg), "%s", store_errmsg(p->copy));
	p->done = 1;
	p->rc = rc;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/*
 * The import's thread: write the chunks queued (the stored log's parts
 * that differ from them), waiting for them when `wait`, until the pass is
 * done. 0, or the pass's or the writer's error.
 */
static int pass_take(struct derive *d, int wait)
{
	struct pass *p = d->pass;
	int rc = 0;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!rc && p->n) {
			struct strbuf chunk = p->queue[p->head];

			p->head = (p->head + 1) % PASS_QUEUE;
			p->n--;
			pthread_cond_broadcast(&p->cond);
			pthread_mutex_unlock(&p->mu);
			strbuf_add(&d->log.pending, chunk.buf, chunk.len);
			strbuf_release(&chunk);
			rc = store_change_writer_flush(d->st, &d->log);
			pthread_mutex_lock(&p->mu);
		}
		if (rc || !wait || p->done)
			break;
		/* About to wait for the pass: write the parts stored so far meanwhile, not at the commit. */
		if (d->log.rewritten - d->flushed >= PASS_FLUSH_PARTS) {
			d->flushed = d->log.rewritten;
			pthread_mutex_unlock(&p->mu);
			rc = store_flush(d->st);
			pthread_mutex_lock(&p->mu);
			continue;
		}
		pthread_cond_wait(&p->cond, &p->mu);
	}
	if (!rc && p->done && !p->n && p->rc) {
		rc = p->rc;
		snprintf(d->why, sizeof(d->why), "%s", p->errmsg);
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

static void pass_free(struct pass *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		strbuf_release(&p->queue[(p->head + i) % PASS_QUEUE]);
	tree_release(&p->d.t);
	strbuf_release(&p->d.log.pending);
	if (p->again)
		tree_release(&p->spans_tree);
	store_close(p->again); /* before the copy, whose bytes it reads */
	store_close(p->copy);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

/* Stop the pass (at its next line when it is not done) and free it. */
static void pass_end(struct derive *d)
{
	struct pass *p = d->pass;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	atomic_store(&p->cancel, 1);
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	pass_free(p);
	d->pass = NULL;
}

/* A tree of the pass over `st`: computing everything, stopped with it, on the import's day `like` shows. */
static void pass_tree(struct pass *p, struct tree *t, struct store *st, const struct tree *like)
{
	tree_init_routes(t, st, like->routes, like->nroutes);
	t->cancel = &p->cancel;
	t->deriving = 1;
	t->use_changes = t->use_files = 0;
	/* The day the import's walk shows, should midnight pass meanwhile. */
	memcpy(t->today, like->today, sizeof(t->today));
}

/*
 * Start the pass beside the walk, when a copy of the inventory takes at
 * most an eighth of the memory the process may have (the machine's, or
 * its container's); else (or when a thread or the
 * copy cannot be had) the log is made after the walk, in this thread, as
 * it is the same log either way.
 */
static void pass_start(struct derive *d)
{
	int64_t budget = (int64_t)(io_memory_bytes() / 8);
	struct pass *p = calloc(1, sizeof(*p));

	if (!p)
		return;
	if (store_open_copy(d->st, budget, &p->copy)) {
		free(p);
		return;
	}
	pass_tree(p, &p->d.t, p->copy, &d->t);
	/* Without a second connection, the pass reads the spans itself. */
	if (!store_open_copy_again(p->copy, &p->again)) {
		pass_tree(p, &p->spans_tree, p->again, &d->t);
		p->d.aside = &p->spans_tree;
	}
	p->d.st = p->copy;
	p->d.progress = d->progress;
	p->d.arg = d->arg;
	p->d.log = (struct store_change_writer)STORE_CHANGE_WRITER_INIT;
	p->d.log_hash = hash_start('F');
	p->d.to = p;
	atomic_init(&p->cancel, 0);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cond, NULL);
	if (pthread_create(&p->thread, NULL, pass_main, p))
		pass_free(p);
	else
		d->pass = p;
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
		if (rc == -ENOENT) { /* listed but with nothing to show: as materialize, no file */
			rc = store_walk_gone(d->st, path->buf);
			goto out;
		}
		h = hash_add(hash_start(node->type == NODE_FILE ? 'F' : 'L'), body.buf, body.len);
		if (!rc && node->type == NODE_FILE && (node->route->flags & ROUTE_DERIVED))
			rc = store_derived_file_put(d->st, path->buf, body.buf, body.len);
		if (!rc)
			rc = store_walk_put(d->st, path->buf, h, node->type == NODE_FILE ? (int64_t)body.len : -1);
		d->paths++;
		goto out;
	}
	/* The pass's chunks, written as they come: a folder at a time. */
	rc = d->pass ? pass_take(d, 0) : 0;
	if (!rc)
		rc = tree_list(&d->t, node, &names);
	h = hash_start('D');
	for (i = 0; !rc && i < names.n; i++)
		h = hash_add(h, names.items[i], strlen(names.items[i]) + 1);
	if (!rc)
		rc = store_walk_put_dir(d->st, path->buf, h, &names);
	d->paths++;
	if (d->progress && d->paths % 100000 == 0)
		d->progress(d->arg, "paths walked", d->paths, 0);
	for (i = 0; !rc && i < names.n; i++) {
		struct tree_node child = { 0 };

		/*
		 * search/QUERY/ is any query: none is walked (docs/time.md).
		 * `changes` is hashed once the log is settled (fs_derive).
		 */
		if (!path->len && (!strcmp(names.items[i], "search") || !strcmp(names.items[i], "changes")))
			continue;
		if (path->len)
			strbuf_addch(path, '/');
		strbuf_addstr(path, names.items[i]);
		rc = strbuf_ok(path);
		if (!rc)
			rc = tree_child_listed(&d->t, node, names.items[i], &child);
		if (rc == -ENOENT) /* listed, not there: as materialize, no path */
			rc = store_walk_gone(d->st, path->buf);
		else if (!rc)
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
 * Whether the stored change log stays as it is: the walk found nothing
 * changed but imports/, and the pass, if any, wrote no part yet (each it
 * wrote differed from the stored one). The root tree shows every fact
 * with its dates (records, sources and their dates, documents, partner
 * listings, export/), so a root that did not change means no past day
 * did either.
 */
static int keeps_changes(struct derive *d, int was_fresh, int *keep)
{
	static const char *const not_facts[] = { "imports", "changes" };
	long moved = 0;
	int rc = 0;

	*keep = 0;
	if (was_fresh)
		rc = store_walk_changed_outside(d->st, not_facts, 2, &moved);
	if (!rc && was_fresh && !moved && !d->log.rewritten) {
		*keep = 1;
		pass_end(d);
		if (d->progress)
			d->progress(d->arg, "paths changed outside imports/: the change log is kept", 0, 0);
	}
	return rc;
}

/* The change log made again (by the pass, or here), stored, and `changes` given its time. */
static int make_changes(struct derive *d, int64_t when, long *changed, struct strbuf *err)
{
	int rc;

	if (d->pass) {
		/* Done (seen under its lock) when 0: its counts are final. */
		rc = pass_take(d, 1);
		if (!rc) {
			d->log_hash = d->pass->d.log_hash;
			d->lines = d->pass->d.lines;
		}
	} else {
		d->log_hash = hash_start('F');
		rc = derive_changes(d);
	}
	if (!rc)
		rc = store_change_writer_end(d->st, &d->log);
	if (!rc)
		rc = store_derived_put(d->st, "changes_size", d->log.stored);
	if (!rc && d->progress)
		d->progress(d->arg, "lines of changes", d->lines, 0);
	/* `changes` reads the parts just stored: the lines' hash is its hash. */
	if (!rc)
		rc = store_walk_late(d->st, "changes", d->log_hash, d->log.stored, when, changed);
	if (rc)
		strbuf_addf(err, "cannot derive the change log: %s",
			    rc == -ENOMEM ? "out of memory" : d->why[0] ? d->why : store_errmsg(d->st));
	return rc;
}

int fs_derive(struct store *st, unsigned flags, fs_derive_progress_fn progress, void *arg, struct strbuf *err)
{
	struct derive d = { .st = st, .progress = progress, .arg = arg, .log = STORE_CHANGE_WRITER_INIT };
	struct strbuf path = STRBUF_INIT;
	struct tree_node root = { 0 };
	int was_fresh = store_derived_fresh(st);
	long changed = 0, from, until;
	int64_t when;
	int keep = 0, rc;

	tree_init_routes(&d.t, st, tree_routes, tree_nroutes);
	/* Everything computed: nothing read from the derived data being replaced. */
	d.t.deriving = 1;
	d.t.use_changes = d.t.use_files = 0;
	tree_root(d.t.routes, &root, NULL);
	rc = store_settle(st);
	if (!rc)
		rc = store_derived_begin(st);
	/* The import's time: every path it makes or changes takes it, `changes` too. */
	when = now_ns();
	if (!rc)
		rc = store_walk_begin(st, when);
	if (!rc && !(flags & FS_DERIVE_ONE_THREAD))
		pass_start(&d);
	if (!rc)
		rc = walk(&d, &root, &path);
	if (!rc && progress)
		progress(arg, "paths walked", d.paths, 0);
	if (!rc)
		rc = keeps_changes(&d, was_fresh, &keep);
	/*
	 * The walk's times are stored while the pass, if any, goes on. Until
	 * the log is made, `changes` keeps the time it has.
	 */
	if (!rc)
		rc = store_walk_end(st, &changed);
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
	/* What the walk wrote goes to the log while the pass still runs, not at the commit. */
	if (!rc && d.pass && !keep) {
		rc = store_flush(st);
		d.flushed = d.log.rewritten;
	}
	if (rc) {
		strbuf_addf(err, "cannot derive the tree's files and times: %s",
			    rc == -ENOMEM ? "out of memory" : store_errmsg(st));
		goto out;
	}
	if (!keep && (rc = make_changes(&d, when, &changed, err)) != 0)
		goto out;
	if (changed && (rc = store_derived_put(st, "changed_at", when)) != 0) {
		strbuf_addf(err, "cannot derive the tree's files and times: %s", store_errmsg(st));
		goto out;
	}
	if (progress)
		progress(arg, "paths changed", changed, 0);
out:
	pass_end(&d);
	tree_node_release(&root);
	tree_release(&d.t);
	strbuf_release(&d.log.pending);
	strbuf_release(&path);
	return rc;
}
