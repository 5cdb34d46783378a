// SPDX-License-Identifier: GPL-3.0-or-later
/* The change log's pins: see pin.h. One lock for all: a READ's store work is short. */
#include <assert.h>
#include <errno.h>

#include "../store/store.h"
#include "pin.h"

int64_t mono_ns(void)
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
	*ps = (struct pins){ .n = n, .shown = -1 };
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
	p->epoch = p->next_epoch;
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
	ps->epoch++;
	for (i = 0; i < ps->n; i++) {
		struct pin *p = &ps->p[i];

		store_close(p->next_st); /* one not taken yet: the newer replaces it */
		p->next_st = st[i];
		p->next_epoch = ps->epoch;
		take_next(p);
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
	p->sized = 0;
	tree_invalidate(p->tree);
	return 0;
}

/* A log's key: its inventory and generation. */
static int64_t make_key(uint64_t epoch, int64_t gen)
{
	assert(gen >= 0 && gen < ((int64_t)1 << 40));
	return (int64_t)((epoch & 0x7fffff) << 40 | (uint64_t)gen);
}

static int64_t key_of(const struct pin *p)
{
	return make_key(p->epoch, p->gen);
}

/* The pin for READs of the mounted log (`key` < 0) or of replaced log `key`, or NULL (with the lock). */
static struct pin *pin_for(struct pins *ps, int64_t key)
{
	struct pin *idle = NULL;
	int i;

	for (i = 0; i < ps->n; i++) {
		struct pin *p = &ps->p[i];

		if (key < 0 ? p->held && !p->kept_ns : p->held && key_of(p) == key)
			return p;
		if (!p->held && !idle)
			idle = p;
	}
	return key < 0 ? idle : NULL;
}

int pins_read(struct pins *ps, int64_t key, int64_t mine, const struct tree_node *node, uint64_t off, size_t len,
	      struct strbuf *out, int *slot)
{
	struct pin *p;
	int rc, yours = 0, began;

	if (!ps->n)
		return key < 0 ? -ENOSYS : -ESTALE;
	pthread_mutex_lock(&ps->mu);
	p = pin_for(ps, key);
	began = p && !p->held;
	rc = p ? hold(p) : key < 0 ? -ENOSYS : -ESTALE;
	/*
	 * Begun past the start at another log than the mounted one shows: an
	 * import committed and the kernel was not told yet. Its reader has pages
	 * of the shown log, which no pin holds: stale, not the new log's bytes.
	 */
	if (!rc && began && off && ps->shown >= 0 && key_of(p) != ps->shown) {
		end_held(p);
		rc = -ESTALE;
	}
	/* The caller's snapshot shows the same log (of the same inventory): it reads it, beside the other READs. */
	if (!rc && key < 0 && p->epoch == ps->epoch && p->gen == mine)
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
		if (!p->sized) /* a query: once per transaction, not at each READ */
			p->sized = !tree_size(p->tree, node, &p->size);
		if (p->sized && off + len >= p->size)
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
	ps->shown = make_key(ps->epoch, gen);
	p = ps->n ? pin_for(ps, -1) : NULL;
	if (p && p->held) {
		int mid = in_middle(p, now);

		if (mid)
			kept = key_of(p);
		/* Of a replaced log: kept for its reader, not the mounted log's READs. */
		if (key_of(p) != ps->shown || p->next_st) {
			if (mid || p->inflight) /* ended by the tick once its READs are through */
				p->kept_ns = now;
			else /* nobody is in its middle: the next READ begins at the new one */
				end_held(p);
		}
	}
	pthread_mutex_unlock(&ps->mu);
	return kept;
}

void pins_show(struct pins *ps, int64_t gen)
{
	pthread_mutex_lock(&ps->mu);
	ps->shown = make_key(ps->epoch, gen);
	pthread_mutex_unlock(&ps->mu);
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
