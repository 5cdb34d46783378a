// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The relation lists across time. A route marked ROUTE_SPANS shows store
 * relation `rel`: each of its lines is there on a day when some fact that
 * gives it holds (store_relation_spans). So the changes of those lists
 * come from the facts' valid days alone, swept in day order with a count
 * of the facts behind each (path, line), without rendering any list on any
 * day; the path of a line is its route's pattern with the arguments the
 * store gives. A file whose folder comes and goes with the facts (a
 * state's system) has its presence counted the same way, from the folder
 * route's own spans.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/array.h"
#include "../util/hmap.h"
#include "spans.h"
#include "tree_i.h"

/* Strings kept once, numbered in order of first sight. */
struct intern {
	struct hmap index;	/* string -> number */
	char **s;
	size_t n, alloc;
};

static int intern(struct intern *in, const char *s, uint32_t *id)
{
	uint64_t v;
	char *copy;

	if (hmap_get(&in->index, s, &v)) {
		*id = (uint32_t)v;
		return 0;
	}
	if (in->n >= UINT32_MAX || array_reserve(&in->s, in->n, &in->alloc, sizeof(*in->s), 256))
		return -ENOMEM;
	copy = strdup(s);
	if (!copy || hmap_put(&in->index, s, in->n)) {
		free(copy);
		return -ENOMEM;
	}
	in->s[in->n] = copy;
	*id = (uint32_t)in->n++;
	return 0;
}

static void intern_release(struct intern *in)
{
	size_t i;

	for (i = 0; i < in->n; i++)
		free(in->s[i]);
	free(in->s);
	hmap_release(&in->index);
	memset(in, 0, sizeof(*in));
}

#define NO_LINE UINT32_MAX	/* the key of a file's presence rather than of a line */

struct key {
	uint32_t path, line;	/* line NO_LINE: the file's presence */
	int32_t count;		/* facts behind it on the day swept to */
	int32_t before;		/* count before the day being swept; -1 when not touched */
};

struct event {
	uint32_t key;
	uint32_t day;		/* index into days */
	int32_t delta;
};

struct spans {
	const struct strlist *days;
	const char *before;
	struct intern paths, lines;
	/*
	 * (path, line) -> key + 1, open addressing, 0 an empty slot; the
	 * numbers themselves are hashed, not a string of them (a million
	 * keys at 100k flows: a string and its copy each cost a malloc).
	 */
	uint32_t *key_slots;
	size_t key_cap;		/* a power of two, or 0 */
	struct key *keys;
	size_t nkeys, akeys;
	int32_t *path_lines;	/* lines present in each path on the day swept to */
	size_t apath_lines;
	struct event *ev;
	size_t nev, aev;
	size_t next;		/* first event not swept yet (events sorted by day) */
	int reverse;		/* compare the later day with the earlier (tree_diff from a later day) */
	/* while loading: the route being read */
	const struct tree *t;
	const struct route *route;
	/* presence: the names of the files under the folder route's path, each counted */
	const char *children[TREE_MAX_ROUTES];
	size_t nchildren;
	int rc;
};

/* The index of the first day >= `d`, or days->n: when a fact starting or ending on `d` is first seen. */
static size_t day_index(const struct spans *s, const char *d)
{
	return strlist_lower_bound(s->days, d);
}

static size_t key_slot(const struct spans *s, uint32_t path, uint32_t line)
{
	uint64_t h = ((uint64_t)path << 32 | line) * 0x9e3779b97f4a7c15ull;
	size_t i = (size_t)(h >> 32) & (s->key_cap - 1);
	uint32_t k;

	while ((k = s->key_slots[i]) && (s->keys[k - 1].path != path || s->keys[k - 1].line != line))
		i = (i + 1) & (s->key_cap - 1);
	return i;
}

/* Double the slots, keeping the load at most one half. */
static int key_grow(struct spans *s)
{
	size_t cap = s->key_cap ? s->key_cap * 2 : 4096, i;
	uint32_t *old = s->key_slots;

	s->key_slots = calloc(cap, sizeof(*s->key_slots));
	if (!s->key_slots) {
		s->key_slots = old;
		return -ENOMEM;
	}
	s->key_cap = cap;
	for (i = 0; i < s->nkeys; i++)
		s->key_slots[key_slot(s, s->keys[i].path, s->keys[i].line)] = (uint32_t)i + 1;
	free(old);
	return 0;
}

static int key_of(struct spans *s, uint32_t path, uint32_t line, uint32_t *key)
{
	size_t i;

	if ((s->nkeys + 1) * 2 > s->key_cap && key_grow(s))
		return -ENOMEM;
	i = key_slot(s, path, line);
	if (s->key_slots[i]) {
		*key = s->key_slots[i] - 1;
		return 0;
	}
	if (s->nkeys >= UINT32_MAX - 1 || array_reserve(&s->keys, s->nkeys, &s->akeys, sizeof(*s->keys), 1024))
		return -ENOMEM;
	s->keys[s->nkeys] = (struct key){ path, line, 0, -1 };
	*key = (uint32_t)s->nkeys++;
	s->key_slots[i] = *key + 1;
	return 0;
}

static int add_event(struct spans *s, uint32_t key, const char *d, int32_t delta)
{
	size_t day = day_index(s, d);

	if (day >= s->days->n)
		return 0; /* after the last day asked */
	if (array_reserve(&s->ev, s->nev, &s->aev, sizeof(*s->ev), 4096))
		return -ENOMEM;
	s->ev[s->nev++] = (struct event){ key, (uint32_t)day, delta };
	return 0;
}

/* One fact's line: counted on the first day, or an event on the day it starts and the day it ends. */
static int add_span(struct spans *s, uint32_t key, const char *since, const char *until)
{
	int from_start = !since || !*since || strcmp(since, s->before) <= 0;
	int rc = 0;

	if (until && since && strcmp(until, since) <= 0)
		return 0; /* holds on no day */
	if (until && strcmp(until, s->before) <= 0)
		return 0; /* over before the first day */
	if (from_start)
		s->keys[key].count++;
	else
		rc = add_event(s, key, since, +1);
	if (!rc && until)
		rc = add_event(s, key, until, -1);
	return rc;
}

/* A line `lid` (NO_LINE: presence) of the file at `path`, held from `since` to `until`. */
static int path_span(struct spans *s, const char *path, uint32_t lid, const char *since, const char *until)
{
	uint32_t pid, key;
	int rc = intern(&s->paths, path, &pid);

	if (!rc)
		rc = key_of(s, pid, lid, &key);
	return rc ? rc : add_span(s, key, since, until);
}

static int line_span(void *arg, const char *a, const char *b, const char *line, const char *since,
		     const char *until)
{
	struct spans *s = arg;
	struct strbuf path = STRBUF_INIT;
	uint32_t lid = NO_LINE;
	/* A folder's lines are the names of its last :param. */
	const char *args[TREE_MAX_ARGS] = { a, b ? b : line, b ? line : NULL, NULL };
	size_t i, keep;
	int rc;

	if (s->t->cancel && atomic_load_explicit(s->t->cancel, memory_order_relaxed))
		return -ECANCELED;
	if (s->route->type != NODE_DIR)
		args[b ? 2 : 1] = NULL;
	rc = tree_route_path(s->route, args, &path);
	keep = path.len;
	/* The folder's files are there while it is: one query for all of them. */
	for (i = 0; !rc && i < s->nchildren; i++) {
		strbuf_addf(&path, "/%s", s->children[i]);
		rc = strbuf_ok(&path);
		if (!rc)
			rc = path_span(s, path.buf, NO_LINE, since, until);
		path.len = keep;
		path.buf[keep] = '\0';
	}
	if (!rc && !s->nchildren && (s->route->flags & ROUTE_RECORD_LINES)) {
		/* A record reference is shown as the record's path. */
		struct strbuf ref = STRBUF_INIT;

		rc = tree_record_path(s->t, line, &ref);
		if (!rc)
			rc = intern(&s->lines, ref.buf, &lid);
		strbuf_release(&ref);
	} else if (!rc && !s->nchildren) {
		rc = intern(&s->lines, line, &lid);
	}
	if (!rc && !s->nchildren)
		rc = path_span(s, path.buf, lid, since, until);
	strbuf_release(&path);
	return rc;
}

static int cmp_event(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	return x->day < y->day ? -1 : x->day > y->day;
}

void spans_free(struct spans *s)
{
	if (!s)
		return;
	intern_release(&s->paths);
	intern_release(&s->lines);
	free(s->key_slots);
	free(s->keys);
	free(s->path_lines);
	free(s->ev);
	free(s);
}

/* A relation list shown under at/: its lines follow the facts' days. */
static int spans_file(const struct route *r)
{
	return (r->flags & ROUTE_SPANS) && r->type == NODE_FILE && !(r->flags & ROUTE_NOT_IN_AT);
}

int spans_open(struct tree *t, const char *before, const struct strlist *days, int reverse, struct spans **out)
{
	struct spans *s = calloc(1, sizeof(*s));
	size_t i;
	int r, rc = s ? 0 : -ENOMEM;

	*out = NULL;
	if (rc)
		return rc;
	s->t = t;
	s->days = days;
	s->before = before;
	s->reverse = reverse;
	for (r = 0; !rc && r < t->nroutes; r++) {
		const struct route *route = &t->routes[r];

		if (!spans_file(route))
			continue;
		s->route = route;
		s->nchildren = 0;
		rc = store_relation_spans(t->st, route->rel, line_span, s);
	}
	/* The presence of such files whose folder comes and goes with the facts: by folder. */
	for (r = 0; !rc && r < t->nroutes; r++) {
		const struct route *folder = &t->routes[r];
		int c;

		if (folder->type != NODE_DIR || !(folder->flags & ROUTE_SPANS))
			continue;
		s->route = folder;
		s->nchildren = 0;
		for (c = 0; c < t->nroutes; c++) {
			const struct route *route = &t->routes[c];

			if (spans_file(route) && tree_parent_route(t->routes, t->nroutes, c) == r) {
				assert(s->nchildren < TREE_MAX_ROUTES);
				s->children[s->nchildren++] = strrchr(route->pattern, '/') + 1;
			}
		}
		if (s->nchildren)
			rc = store_relation_spans(t->st, folder->rel, line_span, s);
	}
	s->nchildren = 0;
	if (!rc && s->nev)
		qsort(s->ev, s->nev, sizeof(*s->ev), cmp_event);
	if (!rc && s->paths.n && !(s->path_lines = calloc(s->paths.n, sizeof(*s->path_lines))))
		rc = -ENOMEM;
	for (i = 0; !rc && i < s->nkeys; i++)
		if (s->keys[i].line != NO_LINE && s->keys[i].count > 0)
			s->path_lines[s->keys[i].path]++;
	if (rc) {
		spans_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

struct touched {
	uint32_t key;
	uint32_t path;
	const char *line;	/* NULL: the presence */
};

static int cmp_touched(const void *a, const void *b)
{
	const struct touched *x = a, *y = b;

	if (x->path != y->path)
		return x->path < y->path ? -1 : 1;
	if (!x->line || !y->line)
		return !x->line ? (y->line ? -1 : 0) : 1;
	return strcmp(x->line, y->line);
}

static int present(int32_t count)
{
	return count > 0;
}

/* Whether a key held on the earlier and the later day of the pair compared (swapped when reversed). */
static int was(const struct spans *s, const struct key *k)
{
	return present(s->reverse ? k->count : k->before);
}

static int is(const struct spans *s, const struct key *k)
{
	return present(s->reverse ? k->before : k->count);
}

/*
 * Emit one path's changes as diff_file() does: an empty file that comes
 * or goes, then the lines removed, then the lines added, each in bytewise
 * order (the order of the list files).
 */
static int emit_path(struct spans *s, const struct touched *t, size_t n, tree_change_fn emit, void *arg)
{
	const char *path = s->paths.s[t[0].path];
	int32_t lines_later = s->path_lines[t[0].path], lines_earlier;
	size_t i;
	int pass, rc = 0;

	/* path_lines counts the later day swept to; the earlier day's count follows from what moved. */
	for (i = 0, lines_earlier = lines_later; i < n; i++)
		if (t[i].line)
			lines_earlier += present(s->keys[t[i].key].before) - present(s->keys[t[i].key].count);
	if (s->reverse) {
		int32_t swap = lines_later;

		lines_later = lines_earlier;
		lines_earlier = swap;
	}
	/* The presence sorts first (cmp_touched). */
	if (!t[0].line) {
		const struct key *k = &s->keys[t[0].key];

		if (!was(s, k) && is(s, k) && !lines_later)
			rc = emit(arg, '+', path, "");
		else if (was(s, k) && !is(s, k) && !lines_earlier)
			rc = emit(arg, '-', path, "");
	}
	for (pass = 0; pass < 2 && !rc; pass++)
		for (i = 0; i < n && !rc; i++) {
			const struct key *k = &s->keys[t[i].key];

			if (!t[i].line || was(s, k) == is(s, k))
				continue;
			if (pass == 0 && was(s, k))
				rc = emit(arg, '-', path, t[i].line);
			else if (pass == 1 && is(s, k))
				rc = emit(arg, '+', path, t[i].line);
		}
	return rc;
}

int spans_next_day(struct spans *s, size_t day, tree_change_fn emit, void *arg)
{
	struct touched *t = NULL;
	size_t n = 0, alloc = 0, i, j;
	int rc = 0;

	/* Days the caller skipped count as part of this one. */
	for (i = s->next; i < s->nev && s->ev[i].day <= day; i++) {
		struct key *k = &s->keys[s->ev[i].key];

		if (k->before < 0) {
			if (array_reserve(&t, n, &alloc, sizeof(*t), 256)) {
				rc = -ENOMEM;
				goto out;
			}
			k->before = k->count;
			t[n++] = (struct touched){ s->ev[i].key, k->path,
						   k->line == NO_LINE ? NULL : s->lines.s[k->line] };
		}
		k->count += s->ev[i].delta;
	}
	s->next = i;
	for (i = 0; i < n; i++) {
		const struct key *k = &s->keys[t[i].key];

		if (t[i].line)
			s->path_lines[k->path] += present(k->count) - present(k->before);
	}
	if (n)
		qsort(t, n, sizeof(*t), cmp_touched);
	for (i = 0; i < n && !rc; i = j) {
		for (j = i + 1; j < n && t[j].path == t[i].path; j++)
			;
		rc = emit_path(s, t + i, j - i, emit, arg);
	}
out:
	for (i = 0; i < n; i++)
		s->keys[t[i].key].before = -1;
	free(t);
	return rc;
}
