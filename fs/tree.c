// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Resolving paths through the route table. A child is resolved from its
 * parent alone: the parent already proved every segment above it, so only
 * the last name is checked, with one query at most. A literal route wins
 * over a :param route with the same parent.
 */
#include "../util/array.h"
#include "tree_i.h"
#include "views.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int tree_parent_route(const struct route *routes, int nroutes, int i)
{
	const char *p = routes[i].pattern, *slash = strrchr(p, '/');
	int j;

	if (!slash)
		return -1;
	for (j = 0; j < nroutes; j++)
		if (strlen(routes[j].pattern) == (size_t)(slash - p) && !strncmp(routes[j].pattern, p, slash - p))
			return j;
	return -1;
}

void tree_init_routes(struct tree *t, struct store *st, const struct route *routes, int nroutes)
{
	short parent[TREE_MAX_ROUTES];
	int i, j, n = 0;

	assert(nroutes > 0 && nroutes <= TREE_MAX_ROUTES && !routes[0].pattern[0]);
	memset(t, 0, sizeof(*t));
	t->st = st;
	t->routes = routes;
	t->nroutes = nroutes;
	t->use_changes = t->use_files = -1;
	store_today(t->today);
	for (j = 0; j < nroutes; j++)
		parent[j] = (short)tree_parent_route(routes, nroutes, j);
	for (i = 0; i < nroutes; i++) {
		const char *slash = strrchr(routes[i].pattern, '/');

		t->seg_off[i] = (unsigned char)(slash ? slash - routes[i].pattern + 1 : 0);
		t->kid_start[i] = (unsigned short)n;
		for (j = 0; j < nroutes; j++)
			if (j != i && parent[j] == i)
				t->kids[n++] = (unsigned short)j;
	}
	t->kid_start[nroutes] = (unsigned short)n;
	for (i = 0; i < nroutes; i++) {
		const char *q = routes[i].pattern;
		int params = 0;

		while ((q = strchr(q, ':')) != NULL && ++params)
			q++;
		if ((routes[i].flags & ROUTE_RECORD) && routes[i].kind >= 0 && routes[i].kind < REC_COUNT &&
		    params <= TREE_MAX_ARGS && !t->record_route[routes[i].kind][params])
			t->record_route[routes[i].kind][params] = (unsigned short)(i + 1);
	}
}

/* One answer, shared by the days' caches and a pass's track. */
struct shared_answer {
	unsigned refs;
	struct store_answer a;
};

static struct shared_answer *answer_get(struct shared_answer *s)
{
	if (s)
		s->refs++;
	return s;
}

static void answer_put(struct shared_answer *s)
{
	if (s && !--s->refs) {
		store_answer_release(&s->a);
		free(s);
	}
}

struct tree_answers {
	char date[11];
	struct shared_answer *a[STORE_NQUESTIONS][STORE_NJURISDICTIONS];
};

static void answers_free(struct tree_answers *d)
{
	int q, j;

	if (!d)
		return;
	for (q = 0; q < STORE_NQUESTIONS; q++)
		for (j = 0; j < STORE_NJURISDICTIONS; j++)
			answer_put(d->a[q][j]);
	free(d);
}

/*
 * During a pass over the change days (tree_changes): a jurisdiction's
 * answers on the last day they were made for, and the questions facts
 * moved after it, by day. A later day's answers are those, but for the
 * questions moved in between, which alone are asked of the store.
 */
struct tree_answer_track {
	char last[11];			/* "": none made yet */
	struct shared_answer *a[STORE_NQUESTIONS];
	struct answers_moved {
		char day[11];
		unsigned questions;
	} *moved;
	size_t nmoved, amoved;
};

static void track_release(struct tree_answer_track *k)
{
	int q;

	for (q = 0; q < STORE_NQUESTIONS; q++)
		answer_put(k->a[q]);
	free(k->moved);
	memset(k, 0, sizeof(*k));
}

int tree_answers_track(struct tree *t, int on)
{
	int j;

	if (t->track)
		for (j = 0; j < STORE_NJURISDICTIONS; j++)
			track_release(&t->track[j]);
	free(t->track);
	t->track = NULL;
	if (on && !(t->track = calloc(STORE_NJURISDICTIONS, sizeof(*t->track))))
		return -ENOMEM;
	return 0;
}

int tree_answers_moved(struct tree *t, int j, const char *day, unsigned questions)
{
	struct tree_answer_track *k;

	assert(t->track && j >= 0 && j < STORE_NJURISDICTIONS && strlen(day) < sizeof(k->moved->day));
	k = &t->track[j];
	if (k->nmoved && !strcmp(k->moved[k->nmoved - 1].day, day)) {
		k->moved[k->nmoved - 1].questions |= questions;
		return 0;
	}
	if (array_reserve(&k->moved, k->nmoved, &k->amoved, sizeof(*k->moved), 16))
		return -ENOMEM;
	memcpy(k->moved[k->nmoved].day, day, strlen(day) + 1);
	k->moved[k->nmoved++].questions = questions;
	return 0;
}

/* The questions of k moved after its last day and up to `date` (after it: every one). */
static unsigned track_moved(const struct tree_answer_track *k, const char *date)
{
	unsigned questions = 0;
	size_t i;

	if (!k->last[0] || strcmp(k->last, date) > 0)
		return STORE_ALL_QUESTIONS;
	for (i = 0; i < k->nmoved; i++)
		if (strcmp(k->moved[i].day, k->last) > 0 && strcmp(k->moved[i].day, date) <= 0)
			questions |= k->moved[i].questions;
	return questions;
}

/* `date`'s answers (d's, of jurisdiction j) become k's last: the days up to it are done with. */
static void track_keep(struct tree_answer_track *k, const struct tree_answers *d, int j, const char *date)
{
	size_t i, n = 0;
	int q;

	if (k->last[0] && strcmp(k->last, date) > 0)
		return;
	for (q = 0; q < STORE_NQUESTIONS; q++) {
		answer_put(k->a[q]);
		k->a[q] = answer_get(d->a[q][j]);
	}
	memcpy(k->last, date, strlen(date) + 1);
	for (i = 0; i < k->nmoved; i++)
		if (strcmp(k->moved[i].day, date) > 0)
			k->moved[n++] = k->moved[i];
	k->nmoved = n;
}

int tree_answer(struct tree *t, int q, int j, const char *date, const struct store_answer **out)
{
	struct tree_answers *d;
	int rc;

	if (q < 0 || q >= STORE_NQUESTIONS || j < 0 || j >= STORE_NJURISDICTIONS || !store_date_full(date))
		return -EINVAL;
	if (t->answers[1] && !strcmp(t->answers[1]->date, date)) {
		d = t->answers[0];
		t->answers[0] = t->answers[1];
		t->answers[1] = d;
	}
	d = t->answers[0];
	if (!d || strcmp(d->date, date)) {
		/* A third day: the one asked longest ago goes. */
		d = calloc(1, sizeof(*d));
		if (!d)
			return -ENOMEM;
		memcpy(d->date, date, sizeof(d->date));
		answers_free(t->answers[1]);
		t->answers[1] = t->answers[0];
		t->answers[0] = d;
	}
	if (!d->a[q][j]) {
		/* A state's folder, map tile or request asks all its answers: one query gives them. */
		struct tree_answer_track *k = t->track ? &t->track[j] : NULL;
		unsigned asked = k ? track_moved(k, date) : STORE_ALL_QUESTIONS;
		struct store_answer all[STORE_NQUESTIONS];
		int i;

		rc = store_answers_some(t->st, store_jurisdiction_code(j), date, asked, all);
		for (i = 0; i < STORE_NQUESTIONS; i++) {
			struct shared_answer *s = NULL;

			if (!rc && (asked >> i & 1)) {
				s = malloc(sizeof(*s));
				if (s) {
					s->refs = 1;
					s->a = all[i];
					all[i] = (struct store_answer)STORE_ANSWER_INIT;
				}
			} else if (!rc) {
				s = answer_get(k->a[i]); /* not moved since k's last day */
			}
			store_answer_release(&all[i]);
			if (!rc && !s)
				rc = -ENOMEM;
			if (d->a[i][j])
				answer_put(s);
			else
				d->a[i][j] = s;
		}
		if (rc) {
			for (i = 0; i < STORE_NQUESTIONS; i++) {
				answer_put(d->a[i][j]);
				d->a[i][j] = NULL;
			}
			return rc;
		}
		if (k)
			track_keep(k, d, j, date);
	}
	*out = &d->a[q][j]->a;
	return 0;
}

static void system_lists_drop(struct tree_system_lists *k)
{
	store_system_lists_free(k->l, k->n);
	free(k->state);
	memset(k, 0, sizeof(*k));
}

static int system_lists_match(const struct tree_system_lists *k, const char *state, const char *date)
{
	return k->state && !strcmp(k->state, state) && !strcmp(k->date, date);
}

/* Are the state's lists worth making? Yes when another system of the state and day was asked last. */
static int system_lists_wanted(struct tree *t, const char *state, const char *date, const char *system)
{
	struct strbuf key = STRBUF_INIT;
	size_t n;
	int yes;

	strbuf_addf(&key, "%s %s ", state, date);
	n = key.len;
	strbuf_addstr(&key, system);
	yes = t->sys_last && !strncmp(t->sys_last, key.buf, n) && strcmp(t->sys_last + n, system);
	free(t->sys_last);
	t->sys_last = strbuf_detach(&key, NULL);
	return yes;
}

int tree_counts(struct tree *t, const char *date, struct store_counts *out)
{
	/* The pass's days are sorted: a day of it is found by halves, not one by one. */
	size_t i = t->count_days ? strlist_lower_bound(t->count_days, date) : 0;
	int rc;

	if (t->count_days && i < t->count_days->n && !strcmp(t->count_days->items[i], date)) {
		*out = t->counts[i];
		return 0;
	}
	if (!strcmp(t->last_counts_date, date)) {
		*out = t->last_counts;
		return 0;
	}
	rc = store_counts(t->st, date, out);
	if (!rc && strlen(date) < sizeof(t->last_counts_date)) {
		t->last_counts = *out;
		memcpy(t->last_counts_date, date, strlen(date) + 1);
	}
	return rc;
}

int tree_system_list(struct tree *t, const char *state, const char *date, const char *system,
		     enum store_relation rel, const struct strlist **out)
{
	static const struct strlist empty = STRLIST_INIT;
	struct tree_system_lists *k = &t->sys[0], swap;
	size_t i;
	int rc;

	if (rel < REL_SYSTEM_FIELDS || rel > REL_SYSTEM_SOURCES || strlen(date) >= sizeof(k->date))
		return -EINVAL;
	if (!system_lists_match(k, state, date)) {
		/* The other one kept, or a third: the one asked longest ago goes. */
		swap = t->sys[1];
		t->sys[1] = t->sys[0];
		t->sys[0] = swap;
	}
	if (!system_lists_match(k, state, date)) {
		if (!system_lists_wanted(t, state, date, system)) {
			strlist_release(&t->sys_one);
			*out = &t->sys_one;
			return store_relation(t->st, rel, state, system, date, &t->sys_one);
		}
		system_lists_drop(k);
		rc = store_state_system_lists(t->st, state, date, &k->l, &k->n);
		if (!rc && !(k->state = strdup(state)))
			rc = -ENOMEM;
		if (rc) {
			system_lists_drop(k);
			return rc;
		}
		strcpy(k->date, date);
	}
	*out = &empty;
	for (i = 0; i < k->n; i++)
		if (!strcmp(k->l[i].system, system))
			*out = &k->l[i].rel[rel - REL_SYSTEM_FIELDS];
	return 0;
}

void tree_invalidate(struct tree *t)
{
	size_t i;

	system_lists_drop(&t->sys[0]);
	system_lists_drop(&t->sys[1]);
	free(t->sys_last);
	t->sys_last = NULL;
	strlist_release(&t->sys_one);
	for (i = 0; i < 2; i++) {
		answers_free(t->answers[i]);
		t->answers[i] = NULL;
	}
	tree_answers_track(t, 0);

	strlist_release(&t->change_dates);
	t->change_dates_valid = 0;
	t->last_counts_date[0] = '\0';
	for (i = 0; i < t->nmemo; i++) {
		free(t->memo[i].key);
		free(t->memo[i].data);
	}
	free(t->memo);
	t->memo = NULL;
	t->nmemo = t->amemo = 0;
	store_today(t->today);
	if (t->flow_decides)
		hmap_release(t->flow_decides);
	free(t->flow_decides);
	t->flow_decides = NULL;
	if (!t->deriving)
		t->use_changes = t->use_files = -1;
}

void tree_release(struct tree *t)
{
	tree_invalidate(t);
}

struct tree *tree_open_routes(struct store *st, const struct route *routes, int nroutes)
{
	struct tree *t = malloc(sizeof(*t));

	if (t)
		tree_init_routes(t, st, routes, nroutes);
	return t;
}

void tree_free(struct tree *t)
{
	if (!t)
		return;
	tree_release(t);
	free(t);
}

const struct route *tree_table(const struct tree *t)
{
	return t->routes;
}

const char *tree_today(const struct tree *t)
{
	return t->today;
}

const struct strlist *tree_change_dates(struct tree *t)
{
	if (!t->change_dates_valid) {
		strlist_release(&t->change_dates);
		if (store_change_dates(t->st, &t->change_dates) == 0)
			t->change_dates_valid = 1;
	}
	return &t->change_dates;
}

/* The day before a full date (timegm handles month and year ends). */
static void day_before(const char *date, char out[11])
{
	struct tm tm = { 0 };
	time_t when;

	tm.tm_year = atoi(date) - 1900;
	tm.tm_mon = atoi(date + 5) - 1;
	tm.tm_mday = atoi(date + 8) - 1;
	tm.tm_hour = 12;
	when = timegm(&tm);
	gmtime_r(&when, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

long tree_day_key(const char *d)
{
	return atol(d) * 10000 + atol(d + 5) * 100 + atol(d + 8);
}

/* How many of the sorted change days `d` are on or before `date`, by binary search. */
static size_t days_upto(const struct strlist *d, const char *date)
{
	size_t lo = 0, hi = d->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(d->items[mid], date) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int tree_canonical_date(struct tree *t, const char *date, char out[11])
{
	const struct strlist *d = tree_change_dates(t);
	size_t lo;

	if (!store_date_full(date))
		return -ENOENT;
	lo = days_upto(d, date); /* the last change day <= date is lo - 1 */
	if (lo > 0)
		memcpy(out, d->items[lo - 1], 11);
	else if (d->n)
		day_before(d->items[0], out);
	else
		memcpy(out, date, 11);
	return 0;
}

int tree_same_days(struct tree *t, const char *day, long *from, long *until)
{
	const struct strlist *d = tree_change_dates(t);
	size_t lo;

	if (!t->change_dates_valid)
		return -EIO;
	lo = days_upto(d, day);
	*from = lo > 0 ? tree_day_key(d->items[lo - 1]) : 0;
	*until = lo < d->n ? tree_day_key(d->items[lo]) : 99991231;
	return 0;
}

void tree_root(const struct route *routes, struct tree_node *out, const char *date)
{
	memset(out, 0, sizeof(*out));
	out->route = &routes[0];
	out->type = NODE_DIR;
	if (date)
		snprintf(out->date, sizeof(out->date), "%s", date);
}

void tree_node_release(struct tree_node *n)
{
	int i;

	for (i = 0; i < n->nargs; i++)
		free(n->args[i]);
	memset(n, 0, sizeof(*n));
}

int tree_node_differs(const struct tree_node *a, const struct tree_node *b)
{
	int i;

	if (a->route != b->route || a->type != b->type || a->nargs != b->nargs || strcmp(a->date, b->date))
		return 1;
	for (i = 0; i < a->nargs; i++)
		if (strcmp(a->args[i], b->args[i]))
			return 1;
	return 0;
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

static void make_ctx(struct tree *t, const struct tree_node *n, const struct route *r, struct view_ctx *ctx)
{
	int i;

	memset(ctx, 0, sizeof(*ctx));
	ctx->st = t->st;
	ctx->tree = t;
	ctx->route = r;
	for (i = 0; i < n->nargs; i++)
		ctx->args[i] = n->args[i];
	ctx->nargs = n->nargs;
	ctx->in_at = n->date[0] != 0;
	ctx->date = ctx->in_at ? n->date : t->today;
	ctx->entity_date = ctx->in_at ? n->date : NULL;
}

/* Route `dir`'s child routes: [*first, end). */
static int kids_of(const struct tree *t, const struct tree_node *dir, int *first)
{
	int i = (int)(dir->route - t->routes);

	*first = t->kid_start[i];
	return t->kid_start[i + 1];
}

static int visible(const struct tree_node *dir, const struct route *r)
{
	return !(dir->date[0] && (r->flags & ROUTE_NOT_IN_AT));
}

/* `check`: prove the name exists; a name tree_list just gave is known to. */
static int child(struct tree *t, const struct tree_node *dir, const char *name, struct tree_node *out, int check)
{
	const struct route *param = NULL, *lit = NULL;
	struct view_ctx ctx;
	int i, end, rc;

	memset(out, 0, sizeof(*out));
	if (dir->type != NODE_DIR)
		return -ENOTDIR;
	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -ENOENT;
	for (end = kids_of(t, dir, &i); i < end; i++) {
		const struct route *r = &t->routes[t->kids[i]];
		const char *seg = r->pattern + t->seg_off[t->kids[i]];

		if (!visible(dir, r))
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
	if (!check) {
		rc = 0;
	} else if (out->route->exists) {
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
	if (out->route->flags & ROUTE_AT_DATE) {
		char day[11];

		snprintf(day, sizeof(day), "%s", name);
		tree_node_release(out);
		tree_root(t->routes, out, day);
	}
	return 0;
fail:
	tree_node_release(out);
	return rc;
}

int tree_child(struct tree *t, const struct tree_node *dir, const char *name, struct tree_node *out)
{
	return child(t, dir, name, out, 1);
}

int tree_child_listed(struct tree *t, const struct tree_node *dir, const char *name, struct tree_node *out)
{
	return child(t, dir, name, out, 0);
}

int tree_resolve(struct tree *t, const char *path, struct tree_node *out)
{
	struct tree_node cur = { 0 };
	const char *p = path;
	int rc = 0;

	tree_root(t->routes, &cur, NULL);
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
	int i, end, rc = 0;

	if (dir->type != NODE_DIR)
		return -ENOTDIR;
	for (end = kids_of(t, dir, &i); i < end && !rc; i++) {
		const struct route *r = &t->routes[t->kids[i]];
		const char *seg = r->pattern + t->seg_off[t->kids[i]];

		if (!visible(dir, r) || (r->flags & ROUTE_HIDDEN))
			continue;
		make_ctx(t, dir, r, &ctx);
		if (seg[0] == ':') {
			rc = r->list(&ctx, names);
			continue;
		}
		/* A literal name adds no :param: its test sees the folder's. */
		if (r->exists && r->exists(&ctx))
			continue;
		strlist_add(names, seg);
	}
	if (!rc && names->oom)
		rc = -ENOMEM;
	if (!rc)
		strlist_sort_uniq(names);
	return rc;
}

/* Render once per inventory version: the content waits in t->memo. */
static int render_memo(struct tree *t, const struct tree_node *node, const struct view_ctx *ctx,
		       struct strbuf *out)
{
	struct strbuf key = STRBUF_INIT, body = STRBUF_INIT;
	struct tree_memo *nm;
	size_t i;
	int rc;

	strbuf_addf(&key, "%s@%s", node->route->pattern, node->date);
	for (i = 0; i < t->nmemo; i++)
		if (!strcmp(t->memo[i].key, key.buf)) {
			strbuf_add(out, t->memo[i].data, t->memo[i].len);
			strbuf_release(&key);
			return strbuf_ok(out);
		}
	rc = node->route->render(ctx, &body);
	if (rc)
		goto out;
	strbuf_add(out, body.buf, body.len);
	if (!array_reserve(&t->memo, t->nmemo, &t->amemo, sizeof(*t->memo), 8)) {
		nm = t->memo;
		nm[t->nmemo].len = body.len;
		nm[t->nmemo].data = strbuf_detach(&body, NULL);
		nm[t->nmemo].key = strbuf_detach(&key, NULL);
		if (nm[t->nmemo].data && nm[t->nmemo].key)
			t->nmemo++;
	}
	rc = strbuf_ok(out);
out:
	strbuf_release(&key);
	strbuf_release(&body);
	return rc;
}

int tree_node_path(const struct tree_node *node, struct strbuf *out)
{
	const char *p;
	int arg = 0;

	if (!node->route)
		return -ENOENT;
	if (node->date[0])
		strbuf_addf(out, ".at/%s", node->date);
	for (p = node->route->pattern; *p;) {
		size_t n;

		p++; /* the '/' */
		n = strcspn(p, "/");
		if (out->len)
			strbuf_addch(out, '/');
		if (*p == ':') {
			if (arg >= node->nargs)
				return -ENOENT;
			strbuf_addstr(out, node->args[arg++]);
		} else {
			strbuf_add(out, p, n);
		}
		p += n;
	}
	return strbuf_ok(out);
}

int tree_changes_stored(struct tree *t)
{
	if (t->use_changes < 0)
		t->use_changes = (signed char)store_derived_fresh(t->st);
	return t->use_changes;
}

int tree_read_by_parts(struct tree *t, const struct tree_node *node)
{
	return node->type == NODE_FILE && node->route && (node->route->flags & ROUTE_CHANGE_LOG) && !node->date[0] &&
	       tree_changes_stored(t);
}

int tree_read_range(struct tree *t, const struct tree_node *node, uint64_t off, size_t len, struct strbuf *out)
{
	if (!tree_read_by_parts(t, node))
		return -ENOSYS;
	return store_changes_read_range(t->st, off, len, out);
}

long tree_today_key(const struct tree *t)
{
	return tree_day_key(t->today);
}

/*
 * Whether the import's stored files show what the root shows today:
 * 1 they are of today; 2 of another day, but no fact starts or stops
 * between that day and today (the import kept the days that show the
 * same facts, tree_same_days), so all but the routes that print the day
 * (MOVED_UNLOGGED) are the same; 0 not at all. A mount lives for weeks
 * after its import: without 2, every day after it would compute again.
 */
static int files_stored(struct tree *t)
{
	if (t->use_files < 0) {
		int64_t day = 0, from, until;
		long today = tree_today_key(t);

		if (!store_derived_fresh(t->st) || store_derived_get(t->st, "files_date", &day))
			t->use_files = 0;
		else if (day == today)
			t->use_files = 1;
		else
			t->use_files = !store_derived_get(t->st, "files_from", &from) &&
				       !store_derived_get(t->st, "files_until", &until) && from <= today && today < until
					       ? 2 : 0;
	}
	return t->use_files;
}

/* Whether route `r`'s root file is read from what the import stored. */
static int stored_serves(struct tree *t, const struct route *r)
{
	int u = files_stored(t);

	return u == 1 || (u == 2 && !(r->moves & MOVED_UNLOGGED));
}

/* A root file whose size the import's walk kept: the same bytes while the stored files serve. */
static int size_kept(struct tree *t, const struct tree_node *node)
{
	return node->type == NODE_FILE && node->route && !node->date[0] && !(node->route->flags & ROUTE_VOLATILE) &&
	       !tree_read_by_parts(t, node) && stored_serves(t, node->route);
}

int tree_size(struct tree *t, const struct tree_node *node, uint64_t *size)
{
	int64_t n = -1, ns;
	int rc = -ENOENT;

	/* The change log's size, kept by the import: a stat need not read it. */
	if (tree_read_by_parts(t, node)) {
		rc = store_derived_get(t->st, "changes_size", &n);
	} else if (size_kept(t, node)) {
		struct strbuf path = STRBUF_INIT;

		rc = tree_node_path(node, &path);
		if (!rc)
			rc = store_path_stat(t->st, path.buf, &ns, &n);
		strbuf_release(&path);
		if (!rc && n < 0)
			rc = -ENOENT;
	}
	if (!rc)
		*size = (uint64_t)n;
	return rc;
}

int tree_mtime(struct tree *t, const struct tree_node *node, struct timespec *ts, uint64_t *size)
{
	struct strbuf path = STRBUF_INIT;
	int64_t ns = 0, n = -1;
	int rc = tree_node_path(node, &path);

	if (!rc)
		rc = store_path_stat(t->st, path.buf, &ns, &n);
	if (rc == -ENOENT || rc == -ENOMEM) {
		n = -1;
		rc = store_derived_get(t->st, "changed_at", &ns);
	}
	if (!rc) {
		ts->tv_sec = (time_t)(ns / 1000000000);
		ts->tv_nsec = (long)(ns % 1000000000);
	}
	/* One row gives both: a stat of a file asks one query, not two. */
	if (size)
		*size = !rc && n >= 0 && size_kept(t, node) ? (uint64_t)n : UINT64_MAX;
	strbuf_release(&path);
	return rc;
}

int tree_render(struct tree *t, const struct tree_node *node, struct strbuf *out)
{
	struct view_ctx ctx;

	if (node->type == NODE_DIR)
		return -EISDIR;
	if (!node->route || !node->route->render)
		return -EIO;
	if ((node->route->flags & ROUTE_DERIVED) && !node->date[0] && stored_serves(t, node->route)) {
		struct strbuf path = STRBUF_INIT;
		size_t keep = out->len;
		int rc = tree_node_path(node, &path);

		if (!rc)
			rc = store_derived_file_get(t->st, path.buf, out);
		strbuf_release(&path);
		if (rc != -ENOENT)
			return rc;
		/* Not stored (a path the import's walk did not reach): render it. */
		out->len = keep;
		if (out->alloc)
			out->buf[keep] = '\0';
	}
	make_ctx(t, node, node->route, &ctx);
	/* A stored change log is read as cheaply as a memo, and takes no memory of the daemon's. */
	if (!(node->route->flags & ROUTE_MEMO) || tree_changes_stored(t))
		return node->route->render(&ctx, out);
	return render_memo(t, node, &ctx, out);
}

int tree_route_path(const struct route *r, const char *const args[TREE_MAX_ARGS], struct strbuf *out)
{
	const char *p = r->pattern;
	int used = 0;

	strbuf_reset(out);
	while (*p) {
		size_t n;

		p += *p == '/';
		n = strcspn(p, "/");
		if (*p == ':' && (used == TREE_MAX_ARGS || !args[used]))
			break; /* every instance from here down */
		if (out->len)
			strbuf_addch(out, '/');
		if (*p == ':')
			strbuf_addstr(out, args[used++]);
		else
			strbuf_add(out, p, n);
		p += n;
	}
	return strbuf_ok(out);
}

int tree_route_match(const struct route *r, const char *path, struct strlist *args)
{
	const char *p = r->pattern, *q = path;

	strlist_release(args);
	while (*p && *q) {
		size_t n, m;

		p += *p == '/';
		n = strcspn(p, "/");
		m = strcspn(q, "/");
		if (*p == ':')
			strlist_addn(args, q, m);
		else if (n != m || strncmp(p, q, n))
			return 0;
		p += n;
		q += m;
		q += *q == '/';
		if (!*q && *p)
			return 0;
	}
	return !*p && !*q && !args->oom;
}

int tree_record_path(const struct tree *t, const char *line, struct strbuf *out)
{
	const char *args[TREE_MAX_ARGS] = { NULL };
	char names[512], *p, *end;
	long kind = strtol(line, &end, 10);
	int n = 0;

	if (end == line || *end != '\t' || strlen(end + 1) >= sizeof(names))
		return -EINVAL;
	strcpy(names, end + 1);
	for (p = names; p && n < TREE_MAX_ARGS; n++) {
		args[n] = p;
		p = strchr(p, '\t');
		if (p)
			*p++ = '\0';
	}
	if (kind < 0 || kind >= REC_COUNT || p || !t->record_route[kind][n])
		return -ENOENT;
	return tree_route_path(&t->routes[t->record_route[kind][n] - 1], args, out);
}
