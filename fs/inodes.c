// SPDX-License-Identifier: GPL-3.0-or-later
#include "inodes.h"

#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A million inodes of a walk, with a :param and a 12-letter name, take a 96-byte block each. */
_Static_assert(offsetof(struct fs_inode, name) <= 64, "an inode's fixed part grew past 64 bytes");

/* A record's number: the first field of an inode and of its extra alike. */
static uint64_t key_of(const void *rec)
{
	return *(const uint64_t *)rec;
}

/*
 * A slot is a record's address with its number's top 16 bits above it
 * (user addresses stay below 2^48 on Linux unless mmap is asked for higher
 * ones): a probe compares those and reads a record only when they match.
 */
#define TAG_SHIFT 48
#define ADDR_MASK ((UINT64_C(1) << TAG_SHIFT) - 1)

static uint64_t tagged(void *rec)
{
	assert(((uintptr_t)rec & ~ADDR_MASK) == 0);
	return (key_of(rec) & ~ADDR_MASK) | (uintptr_t)rec;
}

static void *rec_of(uint64_t slot)
{
	return (void *)(uintptr_t)(slot & ADDR_MASK);
}

/* The record in slot `i` (NULL: empty). */
static void *index_at(const struct ino_index *x, uint64_t i)
{
	return rec_of(x->slots[i]);
}

static void place(uint64_t *slots, uint64_t cap, void *rec)
{
	uint64_t i = key_of(rec) & (cap - 1);

	while (slots[i])
		i = (i + 1) & (cap - 1);
	slots[i] = tagged(rec);
}

/* The slot of record `ino`, or the empty slot where its probe ends. */
static uint64_t pos_of(const struct ino_index *x, uint64_t ino)
{
	uint64_t i = ino & (x->cap - 1), tag = ino & ~ADDR_MASK;

	while (x->slots[i] && ((x->slots[i] & ~ADDR_MASK) != tag || key_of(rec_of(x->slots[i])) != ino))
		i = (i + 1) & (x->cap - 1);
	return i;
}

static void *index_get(const struct ino_index *x, uint64_t ino)
{
	return index_at(x, pos_of(x, ino));
}

/* Record `ino` is now at `rec` (a copy of it, moved). */
static void index_replace(struct ino_index *x, uint64_t ino, void *rec)
{
	uint64_t i = pos_of(x, ino);

	assert(x->slots[i] && key_of(rec) == ino);
	x->slots[i] = tagged(rec);
}

/* The index with `cap` slots (a power of two, more than 4/3 of the records). */
static int resize(struct ino_index *x, uint64_t cap)
{
	uint64_t *slots = calloc(cap, sizeof(*slots));
	uint64_t i;

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < x->cap; i++)
		if (x->slots[i])
			place(slots, cap, index_at(x, i));
	free(x->slots);
	x->slots = slots;
	x->cap = cap;
	return 0;
}

/* Room for one more record (at most 3/4 full: probes stay short, and the index costs 11 to 21 bytes a record). */
static int index_room(struct ino_index *x)
{
	if ((x->n + 1) * 4 <= x->cap * 3)
		return 0;
	return resize(x, x->cap ? x->cap * 2 : 1024);
}

static void index_add(struct ino_index *x, void *rec)
{
	assert((x->n + 1) * 4 <= x->cap * 3);
	place(x->slots, x->cap, rec);
	x->n++;
}

/* Take record `ino` out, by backward-shift deletion (no tombstones: every probe run stays unbroken). */
static void index_remove(struct ino_index *x, uint64_t ino)
{
	uint64_t i = pos_of(x, ino), j, mask = x->cap - 1;

	assert(x->slots[i]);
	x->slots[i] = 0;
	for (j = (i + 1) & mask; x->slots[j]; j = (j + 1) & mask) {
		uint64_t h = key_of(index_at(x, j)) & mask;

		if (((j - h) & mask) >= ((j - i) & mask)) {
			x->slots[i] = x->slots[j];
			x->slots[j] = 0;
			i = j;
		}
	}
	x->n--;
	/* A walk's million records gone, their slots go too (down to 1/4 full; kept if that fails). */
	if (x->cap > 1024 && x->n * 8 < x->cap)
		resize(x, x->cap / 2);
}

/* FNV-1a of the name, seeded with the parent's number, then mixed (splitmix64's finaliser). */
static uint64_t name_hash(uint64_t parent, const char *name)
{
	uint64_t h = 1469598103934665603ULL ^ (parent * 0x9E3779B97F4A7C15ULL);

	while (*name) {
		h ^= (unsigned char)*name++;
		h *= 1099511628211ULL;
	}
	h ^= h >> 30;
	h *= 0xBF58476D1CE4E5B9ULL;
	h ^= h >> 27;
	h *= 0x94D049BB133111EBULL;
	return h ^ (h >> 31);
}

struct blob *blob_new(struct strbuf *sb, uint64_t version)
{
	struct blob *b = malloc(sizeof(*b));

	if (!b)
		return NULL;
	b->data = strbuf_detach(sb, &b->len);
	if (!b->data) {
		free(b);
		return NULL;
	}
	b->refs = 1;
	b->version = version;
	b->partly_ns = 0;
	return b;
}

struct blob *blob_get(struct blob *b)
{
	if (b)
		__atomic_fetch_add(&b->refs, 1, __ATOMIC_RELAXED);
	return b;
}

void blob_put(struct blob *b)
{
	if (b && __atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		free(b->data);
		free(b);
	}
}

struct listing *listing_new(uint64_t version)
{
	struct listing *l = calloc(1, sizeof(*l));

	if (l) {
		l->refs = 1;
		l->version = version;
	}
	return l;
}

struct listing *listing_get(struct listing *l)
{
	if (l)
		__atomic_fetch_add(&l->refs, 1, __ATOMIC_RELAXED);
	return l;
}

void listing_put(struct listing *l)
{
	if (l && __atomic_sub_fetch(&l->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		strlist_release(&l->names);
		free(l);
	}
}

/* ---- cached bytes and names, beside the few inodes that have them ---- */

struct inode_extra {
	uint64_t ino;			/* first, as an inode's */
	struct blob *content;
	struct listing *listing;
	uint64_t user;			/* the number users see, if `renumbered` */
};

static struct inode_extra *extra_of(const struct inode_table *t, const struct fs_inode *in)
{
	return in->extra ? index_get(&t->extras, in->ino) : NULL;
}

/* `in`'s extra, made if it has none (NULL without memory). */
static struct inode_extra *extra_make(struct inode_table *t, struct fs_inode *in)
{
	struct inode_extra *x = extra_of(t, in);

	if (x || index_room(&t->extras) || !(x = calloc(1, sizeof(*x))))
		return x;
	x->ino = in->ino;
	index_add(&t->extras, x);
	in->extra = 1;
	return x;
}

/* `in`'s extra to keep something in (made if need be), or to clear something of (NULL if none). */
static struct inode_extra *extra_for(struct inode_table *t, struct fs_inode *in, int keeping)
{
	return keeping ? extra_make(t, in) : extra_of(t, in);
}

/* An extra with nothing left in it goes (NULL is fine). */
static void extra_trim(struct inode_table *t, struct fs_inode *in, struct inode_extra *x)
{
	if (!x || x->content || x->listing || in->renumbered)
		return;
	index_remove(&t->extras, in->ino);
	free(x);
	in->extra = 0;
}

struct blob *inodes_content(const struct inode_table *t, const struct fs_inode *in)
{
	struct inode_extra *x = extra_of(t, in);

	return x ? x->content : NULL;
}

/* Without an extra (no memory), what was to be kept is let go of. */
void inodes_keep_content(struct inode_table *t, struct fs_inode *in, struct blob *b)
{
	struct inode_extra *x = extra_for(t, in, b != NULL);

	blob_put(x ? x->content : b);
	if (x)
		x->content = b;
	extra_trim(t, in, x);
}

struct listing *inodes_listing(const struct inode_table *t, const struct fs_inode *in)
{
	struct inode_extra *x = extra_of(t, in);

	return x ? x->listing : NULL;
}

void inodes_keep_listing(struct inode_table *t, struct fs_inode *in, struct listing *l)
{
	struct inode_extra *x = extra_for(t, in, l != NULL);

	listing_put(x ? x->listing : l);
	if (x)
		x->listing = l;
	extra_trim(t, in, x);
}

void inodes_each_content(struct inode_table *t, void (*fn)(void *arg, struct fs_inode *in, struct blob *b), void *arg)
{
	uint64_t i;

	for (i = 0; i < t->extras.cap; i++) {
		struct inode_extra *x = index_at(&t->extras, i);
		struct fs_inode *in = x && x->content ? inodes_get(t, x->ino) : NULL;

		if (in && !inodes_detached(in, NULL))
			fn(arg, in, x->content);
	}
}

uint64_t inodes_user(const struct inode_table *t, const struct fs_inode *in)
{
	struct inode_extra *x = in->renumbered ? extra_of(t, in) : NULL;

	return x ? x->user : in->ino;
}

int inodes_set_user(struct inode_table *t, struct fs_inode *in, uint64_t user)
{
	struct inode_extra *x = extra_make(t, in);

	if (!x)
		return -ENOMEM;
	x->user = user;
	in->renumbered = 1;
	return 0;
}

/* ---- life: held by the kernel, pinned by requests, idle, freed ---- */

static void free_inode(struct inode_table *t, struct fs_inode *in)
{
	inodes_keep_content(t, in, NULL);
	inodes_keep_listing(t, in, NULL);
	in->renumbered = 0;
	extra_trim(t, in, extra_of(t, in));
	free(in);
}

int inodes_init(struct inode_table *t, const struct route *routes)
{
	struct tree_node node;
	struct fs_inode *root;

	memset(t, 0, sizeof(*t));
	t->routes = routes;
	t->idle = malloc(INODES_IDLE_MAX * sizeof(*t->idle));
	root = calloc(1, offsetof(struct fs_inode, name) + 1);
	if (!t->idle || !root || index_room(&t->by_ino)) {
		free(root);
		inodes_release(t);
		return -ENOMEM;
	}
	tree_root(routes, &node, NULL);
	root->ino = INODES_ROOT;
	root->parent = INODES_ROOT;
	root->type = (uint8_t)node.type;
	root->route = 1;
	index_add(&t->by_ino, root);
	return 0;
}

void inodes_release(struct inode_table *t)
{
	uint64_t i;

	for (i = 0; i < t->by_ino.cap; i++)
		free(index_at(&t->by_ino, i));
	for (i = 0; i < t->extras.cap; i++) {
		struct inode_extra *x = index_at(&t->extras, i);

		if (x) {
			blob_put(x->content);
			listing_put(x->listing);
			free(x);
		}
	}
	free(t->by_ino.slots);
	free(t->extras.slots);
	free(t->moved);
	free(t->idle);
	memset(t, 0, sizeof(*t));
}

struct fs_inode *inodes_get(struct inode_table *t, uint64_t ino)
{
	return ino ? index_get(&t->by_ino, ino) : NULL;
}

static int named(const struct fs_inode *in, uint64_t parent, const char *name)
{
	return in->parent == parent && !strcmp(in->name, name);
}

/* The inode of `name` in folder number `parent`, of name hash `h`: at its hash's slot, or moved. */
static struct fs_inode *by_name(const struct inode_table *t, uint64_t parent, const char *name, uint64_t h)
{
	struct fs_inode *in = index_get(&t->by_ino, h);
	size_t i;

	if (in && named(in, parent, name))
		return in;
	for (i = 0; i < t->nmoved; i++)
		if (named(t->moved[i], parent, name))
			return t->moved[i];
	return NULL;
}

struct fs_inode *inodes_find(struct inode_table *t, const struct fs_inode *parent, const char *name)
{
	return by_name(t, parent->ino, name, name_hash(parent->ino, name));
}

/* The number a new inode of name hash `h` gets: `h`, or the next free one. 0 means "no inode" to the kernel and 1 is the root: never handed out. */
static uint64_t free_number(const struct inode_table *t, uint64_t h)
{
	uint64_t ino = h;

	while (ino <= INODES_ROOT || index_get(&t->by_ino, ino))
		ino++;
	return ino;
}

/* The bytes after the name that `node` needs (its :params unlike `name`, and its day), and which :params are the name. */
static size_t node_bytes(const char *name, const struct tree_node *node, uint8_t *args_name)
{
	size_t n = 0;
	int i;

	assert(node->nargs <= TREE_MAX_ARGS && TREE_MAX_ARGS <= 8);
	*args_name = 0;
	for (i = 0; i < node->nargs; i++) {
		if (!strcmp(node->args[i], name))
			*args_name |= (uint8_t)(1u << i);
		else
			n += strlen(node->args[i]) + 1;
	}
	return n + (node->date[0] ? strlen(node->date) + 1 : 0);
}

/* A new inode of `name`, resolving to `node`, with nothing else set. */
static struct fs_inode *new_inode(const struct inode_table *t, const char *name, const struct tree_node *node)
{
	size_t len = strlen(name) + 1;
	uint8_t args_name;
	size_t more = node_bytes(name, node, &args_name);
	struct fs_inode *in = calloc(1, offsetof(struct fs_inode, name) + len + more);
	char *p;
	int i;

	if (!in)
		return NULL;
	memcpy(in->name, name, len);
	p = in->name + len;
	for (i = 0; i < node->nargs; i++)
		if (!(args_name & (1u << i)))
			p = stpcpy(p, node->args[i]) + 1;
	if (node->date[0]) {
		strcpy(p, node->date);
		in->has_date = 1;
	}
	assert(!node->route || (node->route >= t->routes && node->route - t->routes < TREE_MAX_ROUTES - 1));
	in->route = node->route ? (uint8_t)(node->route - t->routes + 1) : 0;
	in->type = (uint8_t)node->type;
	in->nargs = (uint8_t)node->nargs;
	in->args_name = args_name;
	return in;
}

static int add_moved(struct inode_table *t, struct fs_inode *in)
{
	if (t->nmoved == t->amoved) {
		size_t a = t->amoved ? t->amoved * 2 : 8;
		struct fs_inode **m = realloc(t->moved, a * sizeof(*m));

		if (!m)
			return -ENOMEM;
		t->moved = m;
		t->amoved = a;
	}
	t->moved[t->nmoved++] = in;
	return 0;
}

/* Where `in` is in `moved`, or nmoved. */
static size_t moved_at(const struct inode_table *t, const struct fs_inode *in)
{
	size_t i;

	for (i = 0; i < t->nmoved && t->moved[i] != in; i++)
		;
	return i;
}

struct fs_inode *inodes_add(struct inode_table *t, const struct fs_inode *parent, const char *name,
			    const struct tree_node *node)
{
	uint64_t h = name_hash(parent->ino, name), ino;
	struct fs_inode *in = by_name(t, parent->ino, name, h);

	if (in)
		return in;
	if (index_room(&t->by_ino))
		return NULL;
	assert(parent->depth < UINT8_MAX);
	ino = free_number(t, h);
	in = new_inode(t, name, node);
	if (!in)
		return NULL;
	if (ino != h && add_moved(t, in)) {
		free(in);
		return NULL;
	}
	in->ino = ino;
	in->parent = parent->ino;
	in->depth = (uint8_t)(parent->depth + 1);
	index_add(&t->by_ino, in);
	return in;
}

uint64_t inodes_number(struct inode_table *t, const struct fs_inode *parent, const char *name)
{
	uint64_t h = name_hash(parent->ino, name);
	struct fs_inode *in = by_name(t, parent->ino, name, h);

	return in ? in->ino : free_number(t, h);
}

const struct route *inodes_route(const struct inode_table *t, const struct fs_inode *in)
{
	return in->route ? &t->routes[in->route - 1] : NULL;
}

void inodes_node(const struct inode_table *t, const struct fs_inode *in, struct tree_node *out)
{
	const char *p = in->name + strlen(in->name) + 1;
	int i;

	memset(out, 0, sizeof(*out));
	out->route = inodes_route(t, in);
	out->type = (enum node_type)in->type;
	out->nargs = in->nargs;
	for (i = 0; i < in->nargs; i++) {
		if (in->args_name & (1u << i)) {
			out->args[i] = (char *)in->name;
		} else {
			out->args[i] = (char *)p;
			p += strlen(p) + 1;
		}
	}
	if (in->has_date)
		snprintf(out->date, sizeof(out->date), "%s", p);
}

int inodes_node_differs(const struct inode_table *t, const struct fs_inode *in, const struct tree_node *node)
{
	struct tree_node mine;

	inodes_node(t, in, &mine);
	return tree_node_differs(&mine, node);
}

struct fs_inode *inodes_set_node(struct inode_table *t, struct fs_inode *in, const struct tree_node *node)
{
	struct fs_inode *n = new_inode(t, in->name, node), fresh;
	size_t m;

	assert(!in->pins);
	if (!n)
		return NULL;
	/* All of `in` but the node new_inode() made (a field added later comes along), then the links to it. */
	fresh = *n;
	memcpy(n, in, offsetof(struct fs_inode, name));
	n->route = fresh.route;
	n->type = fresh.type;
	n->nargs = fresh.nargs;
	n->args_name = fresh.args_name;
	n->has_date = fresh.has_date;
	/* The index's slot and `moved` point at it; everything else finds it by number. */
	assert(index_get(&t->by_ino, in->ino) == in);
	index_replace(&t->by_ino, in->ino, n);
	m = moved_at(t, in);
	if (m < t->nmoved)
		t->moved[m] = n;
	free(in);
	return n;
}

int inodes_size(const struct fs_inode *in, uint64_t v, uint64_t *size)
{
	if (in->stat_version != v || !(in->have & INODE_HAVE_SIZE))
		return 0;
	*size = in->size;
	return 1;
}

int inodes_mtime(const struct fs_inode *in, uint64_t v, struct timespec *ts)
{
	if (in->stat_version != v || !(in->have & INODE_HAVE_MTIME))
		return 0;
	ts->tv_sec = (time_t)(in->mtime_ns / 1000000000);
	ts->tv_nsec = (long)(in->mtime_ns % 1000000000);
	return 1;
}

/* What is known at `v`: what was known at it already, or nothing. */
static void stat_at(struct fs_inode *in, uint64_t v)
{
	if (in->stat_version != v) {
		in->stat_version = v;
		in->have = 0;
	}
}

void inodes_set_size(struct fs_inode *in, uint64_t v, uint64_t size)
{
	stat_at(in, v);
	in->size = size;
	in->have |= INODE_HAVE_SIZE;
}

void inodes_set_mtime(struct fs_inode *in, uint64_t v, const struct timespec *ts)
{
	/* Times before 1970 do not come: an import's clock. */
	assert(ts->tv_sec >= 0);
	stat_at(in, v);
	in->mtime_ns = (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
	in->have |= INODE_HAVE_MTIME;
}

void inodes_clear_stat(struct fs_inode *in)
{
	in->stat_version = 0;
	in->have = 0;
}

static int unused(const struct fs_inode *in)
{
	return in->ino != INODES_ROOT && !in->nlookup && !in->pins;
}

static void free_unused(struct inode_table *t, struct fs_inode *in)
{
	size_t m = t->nmoved ? moved_at(t, in) : 0;

	if (m < t->nmoved)
		t->moved[m] = t->moved[--t->nmoved];
	index_remove(&t->by_ino, in->ino);
	free_inode(t, in);
}

/*
 * An inode nobody holds (no lookups of the kernel's, no request's pin)
 * joins the idle ring, so what was made for it (a size listed ahead) waits
 * for the kernel's asking; past INODES_IDLE_MAX the longest idle goes, and
 * is freed if nobody took it up meanwhile.
 */
static void drop_if_unused(struct inode_table *t, struct fs_inode *in)
{
	if (!unused(in) || in->idle)
		return;
	while (t->nidle == INODES_IDLE_MAX) {
		struct fs_inode *old = index_get(&t->by_ino, t->idle[t->idle_head]);

		t->idle_head = (t->idle_head + 1) % INODES_IDLE_MAX;
		t->nidle--;
		assert(old && old->idle); /* only the ring frees an unused inode */
		old->idle = 0;
		if (unused(old))
			free_unused(t, old);
	}
	in->idle = 1;
	t->idle[(t->idle_head + t->nidle++) % INODES_IDLE_MAX] = in->ino;
}

void inodes_hold(struct inode_table *t, struct fs_inode *in)
{
	if (in->nlookup++ == 0 && in->ino != INODES_ROOT)
		t->held++;
	in->used = 1;
}

/* `n` of `in`'s lookups are gone. */
static void unhold(struct inode_table *t, struct fs_inode *in, uint64_t n)
{
	if (!in->nlookup)
		return;
	in->nlookup = n >= in->nlookup ? 0 : in->nlookup - n;
	if (!in->nlookup && in->ino != INODES_ROOT)
		t->held--;
	drop_if_unused(t, in);
}

void inodes_unhold(struct inode_table *t, struct fs_inode *in)
{
	assert(in->nlookup > 0);
	unhold(t, in, 1);
}

void inodes_touch(struct inode_table *t, struct fs_inode *in)
{
	(void)t;
	in->used = 1;
}

uint64_t inodes_count(const struct inode_table *t)
{
	return t->by_ino.n;
}

uint64_t inodes_held(const struct inode_table *t)
{
	return t->held;
}

size_t inodes_over(struct inode_table *t, uint64_t keep, struct inode_name *out, size_t n)
{
	uint64_t over = t->held > keep ? t->held - keep : 0, seen;
	size_t k = 0;

	/* The clock: a slot is passed twice at most (once to clear `used`, once to name it). */
	for (seen = 0; k < n && k < over && seen < 2 * t->by_ino.cap; seen++) {
		struct fs_inode *in;

		t->hand &= t->by_ino.cap - 1; /* the index may have shrunk since */
		in = index_at(&t->by_ino, t->hand++);
		/* A detached inode has no name to drop: its reader keeps it (inodes_detach). */
		if (!in || !in->nlookup || in->pins || in->ino == INODES_ROOT || !in->parent)
			continue;
		if (in->used) {
			in->used = 0;
			continue;
		}
		out[k].parent = in->parent;
		out[k].name = strdup(in->name);
		if (!out[k].name)
			break;
		in->used = 1;
		k++;
	}
	return k;
}

void inodes_forget(struct inode_table *t, uint64_t ino, uint64_t n)
{
	struct fs_inode *in = ino == INODES_ROOT ? NULL : inodes_get(t, ino);

	if (in)
		unhold(t, in, n);
}

void inodes_unpin(struct inode_table *t, struct fs_inode *in)
{
	assert(in->pins > 0);
	in->pins--;
	drop_if_unused(t, in);
}

void inodes_detach(struct fs_inode *in, int64_t key)
{
	assert(in->depth && in->parent);
	/* No folder has number 0: by_name() never finds it again. Atomic: fill_attr() reads it unlocked. */
	__atomic_store_n(&in->parent, 0, __ATOMIC_RELAXED);
	in->node_version = key < 0 ? 0 : (uint64_t)key + 1;
}

int inodes_detached(const struct fs_inode *in, int64_t *key)
{
	if (!in->depth || in->parent)
		return 0;
	if (key)
		*key = (int64_t)in->node_version - 1;
	return 1;
}

int inodes_detached_stat(const struct fs_inode *in, uint64_t *size, struct timespec *ts)
{
	if ((in->have & (INODE_HAVE_SIZE | INODE_HAVE_MTIME)) != (INODE_HAVE_SIZE | INODE_HAVE_MTIME))
		return 0;
	*size = in->size;
	ts->tv_sec = (time_t)(in->mtime_ns / 1000000000);
	ts->tv_nsec = (long)(in->mtime_ns % 1000000000);
	return 1;
}

static void reset_one(void *arg, struct fs_inode *in)
{
	struct inode_table *t = arg;
	if (!inodes_detached(in, NULL)) {
		inodes_clear_stat(in);
		in->node_version = 0;
	}
	inodes_keep_content(t, in, NULL);
	inodes_keep_listing(t, in, NULL);
}

void inodes_reset_caches(struct inode_table *t)
{
	inodes_each(t, reset_one, t);
}

void inodes_each(struct inode_table *t, void (*fn)(void *arg, struct fs_inode *in), void *arg)
{
	uint64_t i;

	for (i = 0; i < t->by_ino.cap; i++)
		if (t->by_ino.slots[i])
			fn(arg, index_at(&t->by_ino, i));
}
