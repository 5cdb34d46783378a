// SPDX-License-Identifier: GPL-3.0-or-later
/* The change log's pins: see pin.h. One lock for all: a READ's store work is short. */
#include <assert.h>
#include <errno.h>

#include "../store/store.h"
#include "pin.h"

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void close_all(struct store **st, int n)
{
	int i;

	for (i = 0; i < n; i++)
		store_close(st[i]);
}

int pins_init(struct pins *ps, struct store **st, int n)
{
	int i;

	assert(n >= 0 && n <= PIN_MAX);
	*ps = (struct pins){ .n = n };
	pthread_mutex_init(&ps->mu, NULL);
	for (i = 0; i < n; i++) {
		ps->p[i].st = st[i];
		if (!(ps->p[i].tree = tree_open(st[i]))) {
			for (; i >= 0; i--)
				tree_free(ps->p[i].tree);
			close_all(st, n);
			ps->n = 0;
			return -ENOMEM;
		}
	}
	return 0;
}

static void end_held(struct pin *p)
{
	if (p->held)
		store_read_end(p->st);
	p->held = 0;
	p->kept_ns = 0;
}

/* Take the swapped-in connection, once no transaction is held on the old one. */
static void take_next(struct pin *p)
{
	struct tree *t;

	if (!p->next_st || p->held)
		return;
	t = tree_open(p->next_st);
	if (!t) /* no memory: the old inventory's READs go on; tried again at the next one */
		return;
	tree_free(p->tree);
	store_close(p->st);
	p->st = p->next_st;
	p->tree = t;
	p->next_st = NULL;
}

void pins_release(struct pins *ps)
{
	int i;

	for (i = 0; i < ps->n; i++) {
		struct pin *p = &ps->p[i];

		end_held(p);
		tree_free(p->tree);
		store_close(p->st);
		store_close(p->next_st);
	}
	pthread_mutex_destroy(&ps->mu);
	*ps = (struct pins){ 0 };
}

void pins_swap(struct pins *ps, struct store **st)
{
	int i;

	pthread_mutex_lock(&ps->mu);
	for (i = 0; i < ps->n; i++) {
		store_close(ps->p[i].next_st);
		ps->p[i].next_st = st[i];
		take_next(&ps->p[i]);
	}
	pthread_mutex_unlock(&ps->mu);
}

/* A transaction held, begun now if none was: 0, or -EIO. */
static int hold(struct pin *p)
{
	if (p->held)
		return 0;
	take_next(p);
	if (store_read_begin(p->st))
		return -EIO;
	p->gen = store_generation(p->st);
	if (p->gen < 0) {
		store_read_end(p->st);
		return -EIO;
	}
	p->held = 1;
	p->at_end = 0;
	tree_invalidate(p->tree);
	return 0;
}

/* The pin for READs of the mounted log (`gen` < 0) or of replaced log `gen`, or NULL (with the lock). */
static struct pin *pin_for(struct pins *ps, int64_t gen)
{
	struct pin *idle = NULL;
	int i;

	for (i = 0; i < ps->n; i++) {
		struct pin *p = &ps->p[i];

		if (gen < 0 ? p->held && !p->kept_ns : p->held && p->gen == gen)
			return p;
		if (!p->held && !idle)
			idle = p;
	}
	return gen < 0 ? idle : NULL;
}

int pins_read(struct pins *ps, int64_t gen, int64_t mine, const struct tree_node *node, uint64_t off, size_t len,
	      struct strbuf *out, int *slot)
{
	struct pin *p;
	uint64_t size;
	int rc, yours = 0;

	if (!ps->n)
		return gen < 0 ? -ENOSYS : -ESTALE;
	pthread_mutex_lock(&ps->mu);
	p = pin_for(ps, gen);
	rc = p ? hold(p) : gen < 0 ? -ENOSYS : -ESTALE;
	/* The caller's snapshot shows the same log: it reads it, beside the other READs. */
	if (!rc && gen < 0 && p->gen == mine)
		yours = 1;
	strbuf_reset(out);
	if (!rc && !yours)
		rc = strbuf_grow(out, len);
	if (!rc && !yours)
		rc = tree_read_range(p->tree, node, off, len, out);
	if (!rc) {
		p->last_ns = mono_ns();
		/*
		 * A READ from the start is a reader beginning; one reaching the end,
		 * a reader done (readahead's READs after it, of lower offsets, are its own).
		 */
		if (!off)
			p->at_end = 0;
		if (!tree_size(p->tree, node, &size) && off + len >= size)
			p->at_end = 1;
		p->inflight++;
		*slot = (int)(p - ps->p);
	}
	pthread_mutex_unlock(&ps->mu);
	return rc ? rc : yours;
}

void pins_read_done(struct pins *ps, int slot)
{
	pthread_mutex_lock(&ps->mu);
	assert(slot >= 0 && slot < ps->n && ps->p[slot].inflight > 0);
	ps->p[slot].inflight--;
	pthread_mutex_unlock(&ps->mu);
}

/* Whether a reader is in the middle of the log (with the lock). */
static int in_middle(const struct pin *p, int64_t now)
{
	return p->held && !p->at_end && now - p->last_ns < (int64_t)PIN_IDLE_MS * 1000000;
}

int64_t pins_keep(struct pins *ps, int64_t gen)
{
	int64_t now = mono_ns(), kept = -1;
	struct pin *p;

	pthread_mutex_lock(&ps->mu);
	p = ps->n ? pin_for(ps, -1) : NULL;
	if (p && p->held && in_middle(p, now)) {
		kept = p->gen;
		if (gen != p->gen || p->next_st)
			p->kept_ns = now;
	} else if (p && p->held && !p->inflight) {
		end_held(p); /* a log nobody is in the middle of: the next READ begins at the new one */
	}
	pthread_mutex_unlock(&ps->mu);
	return kept;
}

void pins_tick(struct pins *ps)
{
	int64_t now = mono_ns();
	int i;

	pthread_mutex_lock(&ps->mu);
	for (i = 0; i < ps->n; i++) {
		struct pin *p = &ps->p[i];

		if (p->held && !p->inflight &&
		    (!in_middle(p, now) || (p->kept_ns && now - p->kept_ns >= (int64_t)PIN_KEEP_MAX_MS * 1000000)))
			end_held(p);
		take_next(p);
	}
	pthread_mutex_unlock(&ps->mu);
}
