// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * What changed between two days: the line-level difference of the trees
 * at/FROM and at/TO, as diff -r would show it, without rendering the whole
 * tree twice. The route table says how each file moves with time:
 *
 *  - a relation list (ROUTE_SPANS) follows the valid days of the facts
 *    behind its lines: fs/spans.c sweeps them, nothing is rendered;
 *  - the rest is rendered on both days where a fact that starts or stops
 *    holding can change it (add_fact): its record's own folder, its
 *    state's checklist answers, the lists that date partner lists and
 *    documents, and the README, then compared file by file.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/array.h"
#include "../util/hmap.h"
#include "../util/utf8.h"
#include "fs.h"
#include "spans.h"
#include "tree_i.h"

struct candidates {
	struct tree *t;
	struct strlist prefixes;
};

static void candidates_release(struct candidates *c)
{
	strlist_release(&c->prefixes);
}

static int put_deciding(void *arg, const char *id, unsigned questions)
{
	uint64_t v = 0;

	hmap_get(arg, id, &v);
	return hmap_put(arg, id, v | questions);
}

/* The questions flow `id` can move (store_deciding_flows(), asked once a tree) in *questions: 0 or -errno. */
static int flow_questions(struct tree *t, const char *id, unsigned *questions)
{
	uint64_t v = 0;
	int rc;

	if (!t->flow_decides) {
		if (!(t->flow_decides = calloc(1, sizeof(*t->flow_decides))))
			return -ENOMEM;
		rc = store_deciding_flows(t->st, put_deciding, t->flow_decides);
		if (rc) {
			hmap_release(t->flow_decides);
			free(t->flow_decides);
			t->flow_decides = NULL;
			return rc;
		}
	}
	hmap_get(t->flow_decides, id, &v);
	*questions = (unsigned)v;
	return 0;
}

/* The jurisdiction (store_jurisdiction_find) a fact is of, or -1: a flow's from's (XX/SYSTEM), a law's or participation row's id. */
static int fact_jurisdiction(const struct store_fact *f)
{
	char code[8];
	const char *slash;
	size_t len;

	if (f->kind == REC_FLOWS && f->from && (slash = strchr(f->from, '/')))
		len = (size_t)(slash - f->from);
	else if ((f->kind == REC_LAWS || f->kind == REC_PARTICIPATION) && f->id)
		len = strlen(f->id);
	else
		return -1;
	if (len >= sizeof(code))
		return -1;
	memcpy(code, f->kind == REC_FLOWS ? f->from : f->id, len);
	code[len] = '\0';
	return store_jurisdiction_find(code);
}

/*
 * What a fact that starts or stops holding is, in the routes' MOVED_*
 * words, and the checklist questions it moves (bit q) in *questions.
 */
static int fact_moves(struct tree *t, const struct store_fact *f, unsigned *moves, unsigned *questions)
{
	int rc = 0;

	*questions = 0;
	switch (f->kind) {
	case REC_FLOWS:
		rc = flow_questions(t, f->id, questions);
		*moves = MOVED_BY_FLOWS | (*questions ? MOVED_BY_ANSWERS : 0);
		return rc;
	case REC_LAWS:
		*questions = STORE_ALL_QUESTIONS;
		*moves = MOVED_BY_LAWS | MOVED_BY_ANSWERS;
		return 0;
	case REC_PARTICIPATION:
		*questions = STORE_ALL_QUESTIONS;
		*moves = MOVED_BY_PARTICIPATION | MOVED_BY_ANSWERS;
		return 0;
	case REC_SOURCES:
		/* Entities have no valid time (store_kind_has_valid_time): a source's date moves only these. */
		*moves = (f->from && !strcmp(f->from, "partner-list") ? MOVED_BY_PARTNER_LISTS : 0) |
			 (f->to && !strcmp(f->to, "document") ? MOVED_BY_DOCUMENTS : 0);
		return 0;
	default:
		*moves = 0;
		return 0;
	}
}

/*
 * The part of route `r`'s tree that fact `f` moves (MOVED_*): :state is
 * the fact's state (jurisdiction j, fact_jurisdiction), the :param of the
 * fact's own record its slug; the path stops above the first :param the
 * fact does not name. Nothing when the fact names no state or record the
 * route needs.
 */
static int add_route_part(struct candidates *c, const struct route *r, const struct store_fact *f, int j)
{
	struct strbuf path = STRBUF_INIT, slug = STRBUF_INIT;
	const char *args[TREE_MAX_ARGS] = { NULL }, *p = r->pattern;
	int n = 0, rc = 0;

	while ((p = strchr(p, ':')) != NULL && n < TREE_MAX_ARGS) {
		size_t len = strcspn(p, "/");
		int last = !p[len];

		if (len == 6 && !strncmp(p, ":state", 6)) {
			if (j < 0)
				goto out; /* not a jurisdiction's: no part of states/ */
			args[n++] = store_jurisdiction_code(j);
		} else if (last && r->kind == (int)f->kind && r->list == list_record_slugs) {
			if (store_slug_of(c->t->st, f->kind, f->id, &slug))
				goto out;
			args[n++] = slug.buf;
		} else {
			break;
		}
		p += len;
	}
	rc = tree_route_path(r, args, &path);
	if (!rc)
		strlist_add(&c->prefixes, path.buf);
out:
	strbuf_release(&path);
	strbuf_release(&slug);
	return rc;
}

/*
 * The parts of the tree a fact that starts or stops holding can change,
 * beside the relation lists (ROUTE_SPANS, which fs/spans.c follows): those
 * of the routes it moves, as the route table declares (struct route's
 * `moves`). In tree_changes' pass (`day` set), the questions it moves are
 * told to the answers carried from day to day (tree_answers_moved).
 */
static int fact_parts(struct candidates *c, const struct store_fact *f, const char *day)
{
	unsigned moves, questions;
	int i, j = fact_jurisdiction(f), rc = fact_moves(c->t, f, &moves, &questions);

	for (i = 0; i < c->t->nroutes && !rc; i++)
		if (c->t->routes[i].moves & moves)
			rc = add_route_part(c, &c->t->routes[i], f, j);
	if (!rc && day && questions && j >= 0)
		rc = tree_answers_moved(c->t, j, day, questions);
	return rc ? rc : c->prefixes.oom ? -ENOMEM : 0;
}

static int add_fact(void *arg, const struct store_fact *f)
{
	return fact_parts(arg, f, NULL);
}

/* Sort, and drop prefixes inside another ("states/NY" under "states"). */
static void minimise(struct strlist *l)
{
	size_t i, out = 0;

	strlist_sort_uniq(l);
	for (i = 0; i < l->n; i++) {
		if (out) {
			const char *prev = l->items[out - 1];
			size_t n = strlen(prev);

			if (!strncmp(l->items[i], prev, n) && l->items[i][n] == '/') {
				free(l->items[i]);
				continue;
			}
		}
		l->items[out++] = l->items[i];
	}
	l->n = out;
}

struct file_entry {
	char *path;
	char *data;
	size_t len;
};

struct files {
	struct file_entry *e;
	size_t n, alloc;
};

static void files_release(struct files *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->e[i].path);
		free(f->e[i].data);
	}
	free(f->e);
	memset(f, 0, sizeof(*f));
}

static int collect(struct tree *t, const struct tree_node *node, struct strbuf *path, struct files *out)
{
	struct strlist names = STRLIST_INIT;
	size_t i, keep = path->len;
	int rc = 0;

	/* Links are not compared; relation lists come from fs/spans.c. */
	if (node->type == NODE_LINK || (node->type == NODE_FILE && (node->route->flags & ROUTE_SPANS)))
		return 0;
	if (node->type == NODE_FILE) {
		struct strbuf body = STRBUF_INIT;

		rc = tree_render(t, node, &body);
		if (rc == -ENOENT) {
			strbuf_release(&body);
			return 0;
		}
		if (!rc)
			rc = array_reserve(&out->e, out->n, &out->alloc, sizeof(*out->e), 64);
		if (!rc) {
			out->e[out->n].path = strdup(path->buf);
			out->e[out->n].data = strbuf_detach(&body, &out->e[out->n].len);
			rc = out->e[out->n].path && out->e[out->n].data ? 0 : -ENOMEM;
			out->n++;
		}
		strbuf_release(&body);
		return rc;
	}
	rc = tree_list(t, node, &names);
	for (i = 0; !rc && i < names.n; i++) {
		struct tree_node child;

		if (tree_child(t, node, names.items[i], &child))
			continue;
		strbuf_addf(path, "%s%s", path->len ? "/" : "", names.items[i]);
		rc = collect(t, &child, path, out);
		path->len = keep;
		path->buf[keep] = '\0';
		tree_node_release(&child);
	}
	strlist_release(&names);
	return rc;
}

/* The node of `path` in the tree of `date`: 0, or -ENOENT / -ENOTDIR when absent. */
static int resolve_at(struct tree *t, const char *date, const char *path, struct tree_node *node)
{
	struct tree_node next;
	const char *p = path;
	int rc;

	tree_root(t->routes, node, date);
	while (*p) {
		size_t n = strcspn(p, "/");
		char seg[256];

		if (n >= sizeof(seg))
			break;
		memcpy(seg, p, n);
		seg[n] = '\0';
		rc = tree_child(t, node, seg, &next);
		tree_node_release(node);
		if (rc)
			return rc;
		*node = next;
		p += n;
		while (*p == '/')
			p++;
	}
	return 0;
}

/* Every file under `prefix` in the tree of `date`. */
static int collect_prefix(struct tree *t, const char *date, const char *prefix, struct files *out)
{
	struct tree_node node;
	struct strbuf path = STRBUF_INIT;
	int rc = resolve_at(t, date, prefix, &node);

	if (rc)
		return rc == -ENOENT || rc == -ENOTDIR ? 0 : rc;
	strbuf_addstr(&path, prefix);
	rc = collect(t, &node, &path, out);
	tree_node_release(&node);
	strbuf_release(&path);
	return rc;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct file_entry *)a)->path, ((const struct file_entry *)b)->path);
}

/* Split into lines (the last newline ends the last line, it does not start one). */
static void split_lines(const struct file_entry *e, struct strlist *lines)
{
	const char *p = e->data, *end = e->data + e->len;

	if (!utf8_text(e->data, e->len)) {
		strlist_add(lines, "[binary file]");
		return;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		strlist_addn(lines, p, n);
		p += n + (nl ? 1 : 0);
	}
}

/*
 * Lines of `a` not matched in `b` (counting repeats), emitted with `op`,
 * both from line `from` on: their first `from` lines are the same, and
 * match each other (a line of `a` matches the first unmatched of `b`'s
 * count, so the same lines are emitted, in the same order).
 */
static int emit_missing(const struct strlist *a, const struct strlist *b, size_t from, char op, const char *path,
			tree_change_fn emit, void *arg)
{
	struct hmap counts = HMAP_INIT_BORROWED; /* b's lines */
	size_t i;
	int rc = 0;

	for (i = from; i < b->n; i++) {
		uint64_t n = 0;

		hmap_get(&counts, b->items[i], &n);
		if (hmap_put(&counts, b->items[i], n + 1)) {
			rc = -ENOMEM;
			goto out;
		}
	}
	for (i = from; i < a->n && !rc; i++) {
		uint64_t n = 0;

		if (hmap_get(&counts, a->items[i], &n) && n > 0)
			rc = hmap_put(&counts, a->items[i], n - 1);
		else
			rc = emit(arg, op, path, a->items[i]);
	}
out:
	hmap_release(&counts);
	return rc;
}

static int diff_file(const struct file_entry *old, const struct file_entry *new, tree_change_fn emit, void *arg)
{
	struct strlist a = STRLIST_INIT, b = STRLIST_INIT;
	const char *path = old ? old->path : new->path;
	size_t same = 0;
	int rc = 0;

	if (old && new && old->len == new->len && !memcmp(old->data, new->data, old->len))
		return 0;
	if (old)
		split_lines(old, &a);
	if (new)
		split_lines(new, &b);
	/* A file that comes or goes empty still shows. */
	if (!old && !b.n)
		rc = emit(arg, '+', path, "");
	else if (!new && !a.n)
		rc = emit(arg, '-', path, "");
	/* The lines both begin with are not hashed (most changes add or drop a few lines of a long list). */
	while (same < a.n && same < b.n && !strcmp(a.items[same], b.items[same]))
		same++;
	if (!rc)
		rc = emit_missing(&a, &b, same, '-', path, emit, arg);
	if (!rc)
		rc = emit_missing(&b, &a, same, '+', path, emit, arg);
	strlist_release(&a);
	strlist_release(&b);
	return rc;
}

/* Lines are gathered, then sorted by path, so derived lines fall in place. */
struct change {
	char *path, *line;
	char op;
	size_t seq;		/* order within a path: removals, then additions, as found */
};

struct changes {
	struct change *c;
	size_t n, alloc;
};

static void changes_release(struct changes *cs)
{
	size_t i;

	for (i = 0; i < cs->n; i++) {
		free(cs->c[i].path);
		free(cs->c[i].line);
	}
	free(cs->c);
	*cs = (struct changes){ 0 };
}

static int gather(void *arg, char op, const char *path, const char *line)
{
	struct changes *cs = arg;

	if (array_reserve(&cs->c, cs->n, &cs->alloc, sizeof(*cs->c), 256))
		return -ENOMEM;
	cs->c[cs->n].path = strdup(path);
	cs->c[cs->n].line = strdup(line);
	cs->c[cs->n].op = op;
	cs->c[cs->n].seq = cs->n;
	if (!cs->c[cs->n].path || !cs->c[cs->n].line) {
		free(cs->c[cs->n].path);
		free(cs->c[cs->n].line);
		return -ENOMEM;
	}
	cs->n++;
	return 0;
}

static int cmp_change(const void *a, const void *b)
{
	const struct change *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * A MOVED_WITH_ANSWERS list (questions/QID/ANSWER) holds the states whose
 * MOVED_BY_ANSWERS file (states/XX/questions/QID) says `answer: ANSWER`,
 * the list route's column: a state's answer moving from A to B is "- XX"
 * in the A list and "+ XX" in the B list. Deriving these lines saves
 * answering every question for every state on every day. Removals come
 * before additions, each in state order, as a diff of the sorted lists
 * has them.
 */
static int derive_lists(const struct tree *t, struct changes *cs)
{
	const struct route *from = NULL;
	struct strlist args = STRLIST_INIT;
	struct strbuf path = STRBUF_INIT;
	size_t i, n = cs->n;
	int pass, r, rc = 0;

	for (r = 0; r < t->nroutes; r++)
		if ((t->routes[r].moves & MOVED_BY_ANSWERS) && t->routes[r].type == NODE_FILE)
			from = &t->routes[r];
	for (pass = 0; from && pass < 2 && !rc; pass++) {
		char op = pass ? '+' : '-';

		/* The files' changes come in path order, so the states do. */
		for (i = 0; i < n && !rc; i++) {
			struct change *c = &cs->c[i];

			if (c->op != op || strncmp(c->line, "answer: ", 8) || !tree_route_match(from, c->path, &args) ||
			    args.n != 2)
				continue;
			for (r = 0; r < t->nroutes && !rc; r++) {
				const struct route *to = &t->routes[r];
				const char *qid[TREE_MAX_ARGS] = { args.items[1] };

				/* cs->c[i], not c: gather() below may move the array. */
				if (!(to->moves & MOVED_WITH_ANSWERS) || strcmp(to->column, cs->c[i].line + 8))
					continue;
				rc = tree_route_path(to, qid, &path);
				if (!rc)
					rc = gather(cs, op, path.buf, args.items[0]);
				if (!rc)
					cs->c[cs->n - 1].seq = (size_t)pass << 32 | i;
			}
		}
	}
	strlist_release(&args);
	strbuf_release(&path);
	return rc;
}

/*
 * The renders of one day kept for the next pairs of days, by prefix: the
 * tree of day k is both the `to` of pair k and the `from` of pair k+1, and a
 * prefix no fact touched since keeps its files. Record folders of their own
 * ("flows/ID", "sources/ID") are not kept: a record's dates come up once or
 * twice, and there are as many as there are facts.
 */
struct memo_entry {
	char *prefix;
	struct files files;
};

struct diff_memo {
	struct hmap index;	/* prefix -> (uintptr_t)struct memo_entry * */
};

static struct memo_entry *memo_get(struct diff_memo *m, const char *prefix)
{
	uint64_t v;

	return hmap_get(&m->index, prefix, &v) ? (struct memo_entry *)(uintptr_t)v : NULL;
}

static void memo_entry_free(struct memo_entry *e)
{
	files_release(&e->files);
	free(e->prefix);
	free(e);
}

static void memo_drop(struct diff_memo *m, const char *prefix)
{
	struct memo_entry *e = memo_get(m, prefix);

	if (e) {
		hmap_del(&m->index, prefix);
		memo_entry_free(e);
	}
}

static void memo_release(struct diff_memo *m)
{
	size_t i;

	for (i = 0; i < m->index.cap; i++)
		if (m->index.slots && m->index.slots[i].key)
			memo_entry_free((struct memo_entry *)(uintptr_t)m->index.slots[i].value);
	hmap_release(&m->index);
}

static int memo_keeps(const char *prefix)
{
	const char *slash = strchr(prefix, '/');

	return !slash || strchr(slash + 1, '/');
}

/* Whether sorted `l` holds the first `n` bytes of `s`. */
static int sorted_has(const struct strlist *l, const char *s, size_t n)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(l->items[mid], s, n);

		if (!c && !l->items[mid][n])
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Whether `path` or a folder above it is in sorted `l`. */
static int sorted_covers(const struct strlist *l, const char *path)
{
	size_t i, n = strlen(path);

	for (i = n; i > 0; i--)
		if ((i == n || path[i] == '/') && sorted_has(l, path, i))
			return 1;
	return 0;
}

/* Whether sorted `l` holds something below folder `prefix`. */
static int sorted_has_below(const struct strlist *l, const char *prefix)
{
	size_t lo = 0, hi = l->n, n = strlen(prefix);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(l->items[mid], prefix) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Names below "a" sort after it, but "a-b" and "a.b" come before "a/b". */
	for (; lo < l->n && !strncmp(l->items[lo], prefix, n); lo++)
		if (l->items[lo][n] == '/')
			return 1;
	return 0;
}

/*
 * Forget what the pair about to be compared may change: every kept prefix
 * that contains or lies in something `touched` names, but those equal to a
 * prefix to render (`render`), which are its `from` files.
 */
static int memo_forget(struct diff_memo *m, const struct strlist *render, const struct strlist *touched)
{
	struct strlist drop = STRLIST_INIT;
	size_t i;

	for (i = 0; i < m->index.cap; i++) {
		const char *q = m->index.slots ? m->index.slots[i].key : NULL;

		if (!q || sorted_has(render, q, strlen(q)))
			continue;
		if (sorted_covers(touched, q) || sorted_has_below(touched, q))
			strlist_add(&drop, q);
	}
	for (i = 0; i < drop.n; i++)
		memo_drop(m, drop.items[i]);
	i = drop.oom;
	strlist_release(&drop);
	return i ? -ENOMEM : 0;
}

/* Move the kept files of `prefix` into `out`; 1 when there were some, else 0. */
static int memo_take(struct diff_memo *m, const char *prefix, struct files *out)
{
	struct memo_entry *e = m ? memo_get(m, prefix) : NULL;
	size_t i;

	if (!e)
		return 0;
	for (i = 0; i < e->files.n; i++) {
		if (array_reserve(&out->e, out->n, &out->alloc, sizeof(*out->e), 64))
			return -ENOMEM;
		out->e[out->n++] = e->files.e[i];
		e->files.e[i].path = e->files.e[i].data = NULL;
	}
	memo_drop(m, prefix);
	return 1;
}

/* Keep a copy of files [start, end) of `src` as the files of `prefix`. */
static int memo_put(struct diff_memo *m, const char *prefix, const struct files *src, size_t start, size_t end)
{
	struct memo_entry *e = calloc(1, sizeof(*e));
	size_t i;

	if (!e)
		return -ENOMEM;
	e->prefix = strdup(prefix);
	e->files.e = end > start ? calloc(end - start, sizeof(*e->files.e)) : NULL;
	e->files.alloc = end - start;
	for (i = start; e->prefix && (e->files.e || end == start) && i < end; i++) {
		struct file_entry *d = &e->files.e[e->files.n];

		d->path = strdup(src->e[i].path);
		d->data = malloc(src->e[i].len + 1);
		e->files.n++;
		if (!d->path || !d->data)
			break;
		memcpy(d->data, src->e[i].data, src->e[i].len + 1);
		d->len = src->e[i].len;
	}
	if (i < end || !e->prefix || hmap_put(&m->index, prefix, (uint64_t)(uintptr_t)e)) {
		memo_entry_free(e);
		return -ENOMEM;
	}
	return 0;
}

/*
 * The file-by-file differences of the candidate parts of the two trees,
 * rendered on both days (the `from` side from `memo` where it has them;
 * the `to` side kept in it).
 */
static int diff_files(struct tree *t, const char *from, const char *to, const char *prefix, struct candidates *c,
		      struct diff_memo *memo, tree_change_fn emit, void *arg)
{
	struct files old = { 0 }, new = { 0 };
	struct strlist render = STRLIST_INIT;
	size_t i, j, plen = strlen(prefix);
	int rc = 0;

	minimise(&c->prefixes);
	if (memo)
		rc = memo_forget(memo, &c->prefixes, &c->prefixes);
	for (i = 0; i < c->prefixes.n; i++)
		strlist_add(&render, c->prefixes.items[i]);
	if (!rc && render.oom)
		rc = -ENOMEM;
	for (i = 0; i < render.n && !rc; i++) {
		const char *p = render.items[i];
		size_t start = new.n;

		/* Only what lies under the prefix asked for (or contains it). */
		if (plen && strncmp(p, prefix, plen) && strncmp(prefix, p, strlen(p)))
			continue;
		rc = memo_take(memo, p, &old);
		if (!rc)
			rc = collect_prefix(t, from, p, &old);
		else if (rc > 0)
			rc = 0;
		if (!rc)
			rc = collect_prefix(t, to, p, &new);
		if (!rc && memo && memo_keeps(p))
			rc = memo_put(memo, p, &new, start, new.n);
	}
	if (rc)
		goto out;
	if (old.n) /* qsort(NULL, 0, ...) is undefined */
		qsort(old.e, old.n, sizeof(*old.e), cmp_entry);
	if (new.n)
		qsort(new.e, new.n, sizeof(*new.e), cmp_entry);
	for (i = j = 0; !rc && (i < old.n || j < new.n);) {
		int cmp = i == old.n ? 1 : j == new.n ? -1 : strcmp(old.e[i].path, new.e[j].path);
		const char *path = cmp <= 0 ? old.e[i].path : new.e[j].path;
		int wanted = !plen || !strncmp(path, prefix, plen);

		if (cmp < 0) {
			rc = wanted ? diff_file(&old.e[i], NULL, emit, arg) : 0;
			i++;
		} else if (cmp > 0) {
			rc = wanted ? diff_file(NULL, &new.e[j], emit, arg) : 0;
			j++;
		} else {
			rc = wanted ? diff_file(&old.e[i], &new.e[j], emit, arg) : 0;
			i++;
			j++;
		}
	}
out:
	files_release(&old);
	files_release(&new);
	strlist_release(&render);
	return rc;
}

/*
 * The second half of a pair of days (day `day` of `sp`), whose rendered
 * files' changes `cs` holds (diff_files): the lists' changes from the
 * spans, the lists derived from the answers, sorted by path, to `emit`.
 * `cs` is released.
 */
static int pair_finish(struct tree *t, const char *prefix, struct spans *sp, size_t day, struct changes *cs,
		       tree_change_fn emit, void *arg)
{
	size_t i, plen = strlen(prefix);
	int rc = spans_next_day(sp, day, gather, cs);

	if (!rc)
		rc = derive_lists(t, cs);
	if (!rc && cs->n)
		qsort(cs->c, cs->n, sizeof(*cs->c), cmp_change);
	for (i = 0; i < cs->n && !rc; i++)
		if (!plen || !strncmp(cs->c[i].path, prefix, plen))
			rc = emit(arg, cs->c[i].op, cs->c[i].path, cs->c[i].line);
	changes_release(cs);
	return rc;
}

/* The changes of one pair of days (day `day` of `sp`), sorted by path, to `emit`. */
static int pair_changes(struct tree *t, const char *from, const char *to, const char *prefix,
			struct candidates *c, struct diff_memo *memo, struct spans *sp, size_t day,
			tree_change_fn emit, void *arg)
{
	struct changes cs = { 0 };
	/* Lists under questions/ are derived from states/: compare those too. */
	int rc = diff_files(t, from, to, !strncmp(prefix, "questions", 9) ? "" : prefix, c, memo, gather, &cs);

	if (rc) {
		changes_release(&cs);
		return rc;
	}
	return pair_finish(t, prefix, sp, day, &cs, emit, arg);
}

/*
 * The routes rendered on every day (MOVED_EVERY_DAY: the README's counts).
 * maps/ are left out (MOVED_UNLOGGED): they draw questions/ (whose changes
 * are listed) and carry the day they show, so they would change every
 * day; see docs/time.md.
 */
static int candidates_start(struct candidates *c)
{
	const char *none[TREE_MAX_ARGS] = { NULL };
	struct strbuf path = STRBUF_INIT;
	int i, rc = 0;

	for (i = 0; i < c->t->nroutes && !rc; i++)
		if (c->t->routes[i].moves & MOVED_EVERY_DAY) {
			rc = tree_route_path(&c->t->routes[i], none, &path);
			strlist_add(&c->prefixes, path.buf);
		}
	strbuf_release(&path);
	return rc ? rc : c->prefixes.oom ? -ENOMEM : 0;
}

int tree_diff(struct tree *t, const char *from, const char *to, const char *prefix, tree_change_fn emit,
	      void *arg)
{
	/* Before every change: a day no fact reaches back to. */
	const char *before = "0000-00-00", *after, *upto;
	struct candidates c = { .t = t };
	struct strlist days = STRLIST_INIT;
	struct spans *sp = NULL;
	int rc, reverse;

	if (!from)
		from = before;
	if (!prefix)
		prefix = "";
	reverse = strcmp(from, to) > 0;
	after = reverse ? to : from;
	upto = reverse ? from : to;
	strlist_add(&days, upto);
	rc = days.oom ? -ENOMEM : candidates_start(&c);
	if (!rc)
		rc = store_boundary_facts(t->st, strcmp(after, before) ? after : NULL, upto, add_fact, &c);
	if (!rc)
		rc = spans_open(t, after, &days, reverse, &sp);
	if (!rc)
		rc = pair_changes(t, from, to, prefix, &c, NULL, sp, 0, emit, arg);
	spans_free(sp);
	strlist_release(&days);
	candidates_release(&c);
	return rc;
}

/*
 * The spans read in a thread of their own (spans_open, a quarter of the
 * pass at 100k flows), on a second tree over another connection to the
 * same inventory, while the days' files are rendered.
 */
struct aside {
	pthread_t thread;
	struct tree *t;
	const char *before;
	const struct strlist *days;
	struct spans *spans;
	int rc;
	atomic_int done;
};

static void *aside_main(void *arg)
{
	struct aside *a = arg;

	pthread_setname_np(pthread_self(), "spans");
	a->rc = spans_open(a->t, a->before, a->days, 0, &a->spans);
	atomic_store(&a->done, 1);
	return NULL;
}

/* A pair whose files are compared, waiting for the spans. */
struct pending {
	struct changes cs;
	size_t day;
};

/* Bytes of changes held while the spans are read: past them, the renders wait. */
#define SERIES_PENDING_MAX (64u << 20)

/*
 * Every pair of consecutive days in one pass: the facts come in day order
 * from one query, and each pair is compared when the facts pass its last
 * day, with the renders of the day before kept (struct diff_memo). With
 * the spans read aside, the pairs' files are compared ahead and held
 * (`pending`, in day order) until the spans are there.
 */
struct series {
	struct tree *t;
	const struct strlist *days;
	const char *before;
	size_t i;		/* the pair being gathered: (days[i-1], days[i]] */
	struct candidates c;
	struct diff_memo memo;
	struct spans *spans;	/* NULL until `aside` has read them */
	struct aside *aside;	/* started, not joined yet; or NULL */
	struct pending *pending;
	size_t head, npending, apending;
	size_t held;		/* bytes in pending (about) */
	size_t emitting;	/* the day of the pair being emitted */
	tree_day_change_fn emit;
	void *arg;
};

static int series_emit(void *arg, char op, const char *path, const char *line)
{
	struct series *s = arg;

	return s->emit(s->arg, s->days->items[s->emitting], op, path, line);
}

/* The spans from the thread that reads them, waiting for it when `wait`; 0 with none yet. */
static int series_join(struct series *s, int wait)
{
	struct aside *a = s->aside;
	int rc;

	if (!a || (!wait && !atomic_load(&a->done)))
		return 0;
	pthread_join(a->thread, NULL);
	s->aside = NULL;
	s->spans = a->spans;
	rc = a->rc;
	free(a);
	return rc;
}

/* Finish the pairs held, once the spans are there (waiting for them when `wait`). */
static int series_flush(struct series *s, int wait)
{
	int rc = series_join(s, wait);

	while (!rc && s->spans && s->head < s->npending) {
		struct pending *p = &s->pending[s->head++];

		s->emitting = p->day;
		rc = pair_finish(s->t, "", s->spans, p->day, &p->cs, series_emit, s);
	}
	if (s->head == s->npending)
		s->head = s->npending = s->held = 0;
	return rc;
}

/* Compare the files of the pair gathered, hold it, and start the next. */
static int series_next(struct series *s)
{
	const char *from = s->i ? s->days->items[s->i - 1] : s->before;
	struct changes cs = { 0 };
	size_t k;
	int rc;

	/* Held pairs emit nothing, the caller's way to stop: stopped here too. */
	if (s->t->cancel && atomic_load_explicit(s->t->cancel, memory_order_relaxed))
		return -ECANCELED;
	rc = diff_files(s->t, from, s->days->items[s->i], "", &s->c, &s->memo, gather, &cs);

	if (!rc && array_reserve(&s->pending, s->npending, &s->apending, sizeof(*s->pending), 64))
		rc = -ENOMEM;
	if (rc) {
		changes_release(&cs);
	} else {
		for (k = 0; k < cs.n; k++)
			s->held += sizeof(cs.c[k]) + strlen(cs.c[k].path) + strlen(cs.c[k].line) + 2;
		s->pending[s->npending++] = (struct pending){ cs, s->i };
	}
	candidates_release(&s->c);
	s->i++;
	if (!rc)
		rc = series_flush(s, s->held > SERIES_PENDING_MAX);
	return rc ? rc : candidates_start(&s->c);
}

/* What is left of a series: the spans' thread joined, the pairs held dropped. */
static void series_release(struct series *s)
{
	size_t k;

	if (s->aside)
		series_join(s, 1);
	for (k = s->head; k < s->npending; k++)
		changes_release(&s->pending[k].cs);
	free(s->pending);
	candidates_release(&s->c);
	memo_release(&s->memo);
	spans_free(s->spans);
}

static int series_fact(void *arg, const struct store_fact *f)
{
	struct series *s = arg;
	int rc = 0;

	while (!rc && s->i < s->days->n && f->date && strcmp(f->date, s->days->items[s->i]) > 0)
		rc = series_next(s);
	if (!rc && s->i < s->days->n)
		rc = fact_parts(&s->c, f, s->days->items[s->i]);
	return rc;
}

/* The spans of the series, read in a thread on `aside` when it can be had, else here. */
static int series_spans(struct series *s, struct tree *aside)
{
	struct aside *a = aside ? calloc(1, sizeof(*a)) : NULL;

	if (a) {
		a->t = aside;
		a->before = s->before;
		a->days = s->days;
		atomic_init(&a->done, 0);
		if (!pthread_create(&a->thread, NULL, aside_main, a)) {
			s->aside = a;
			return 0;
		}
		free(a);
	}
	return spans_open(s->t, s->before, s->days, 0, &s->spans);
}

int tree_changes(struct tree *t, const char *before, const struct strlist *days, tree_day_change_fn emit,
		 void *arg, struct tree *aside)
{
	struct series s = { .t = t, .days = days, .before = before, .c = { .t = t }, .memo = { HMAP_INIT },
			    .emit = emit, .arg = arg };
	long cache = 0;
	int rc = 0;

	if (!days->n)
		return 0;
	/* Up to 256 MiB (as an import) for the pass, given back after: it reads every state's flows on every day. */
	rc = store_cache_size(t->st, -262144, &cache);
	if (!rc)
		rc = candidates_start(&s.c);
	if (!rc)
		rc = series_spans(&s, aside);
	/*
	 * The checklist's answers of the days read each flow's evidence, found
	 * once, and carry from day to day but for the questions facts moved.
	 */
	if (!rc)
		rc = store_answers_pass(t->st, 1);
	if (!rc)
		rc = tree_answers_track(t, 1);
	/* The README is rendered on every day: its counts come from one pass. */
	if (!rc && !(t->counts = calloc(days->n, sizeof(*t->counts))))
		rc = -ENOMEM;
	if (!rc)
		rc = store_counts_days(t->st, days, t->counts);
	if (!rc)
		t->count_days = days;
	if (!rc)
		rc = store_boundary_facts(t->st, strcmp(before, "0000-00-00") ? before : NULL,
					  days->items[days->n - 1], series_fact, &s);
	while (!rc && s.i < days->n)
		rc = series_next(&s);
	if (!rc)
		rc = series_flush(&s, 1);
	if (cache) {
		int undo = store_cache_size(t->st, cache, NULL);

		rc = rc ? rc : undo;
	}
	series_release(&s);
	free(t->counts);
	t->counts = NULL;
	t->count_days = NULL;
	tree_answers_track(t, 0);
	store_answers_pass(t->st, 0);
	return rc;
}
