// SPDX-License-Identifier: GPL-3.0-or-later
#include "inodes.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ROOT_INO 1

/*
 * Both indexes are open-addressing arrays of (key, inode) with linear
 * probing: keyed by number, and by name hash. A probe compares keys in the
 * array and reads an inode only when its key matches.
 */
static void place(struct inode_slot *slots, uint64_t cap, uint64_t key, struct fs_inode *in)
{
	uint64_t i = key & (cap - 1);

	while (slots[i].in)
		i = (i + 1) & (cap - 1);
	slots[i].key = key;
	slots[i].in = in;
}

/* Backward-shift deletion of slot i keeps every probe run unbroken (no tombstones). */
static void unplace(struct inode_slot *slots, uint64_t cap, uint64_t i)
{
	uint64_t j, mask = cap - 1;

	slots[i].in = NULL;
	for (j = (i + 1) & mask; slots[j].in; j = (j + 1) & mask) {
		uint64_t h = slots[j].key & mask;

		if (((j - h) & mask) >= ((j - i) & mask)) {
			slots[i] = slots[j];
			slots[j].in = NULL;
			i = j;
		}
	}
}

static struct inode_slot *slot_of(const struct inode_table *t, uint64_t ino)
{
	uint64_t i = ino & (t->cap - 1);

	while (t->slots[i].in && t->slots[i].key != ino)
		i = (i + 1) & (t->cap - 1);
	return &t->slots[i];
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

static int grow(struct inode_table *t)
{
	uint64_t cap = t->cap ? t->cap * 2 : 1024, i;
	struct inode_slot *slots = calloc(cap, sizeof(*slots)), *by_name = calloc(cap, sizeof(*by_name));

	if (!slots || !by_name) {
		free(slots);
		free(by_name);
		return -ENOMEM;
	}
	for (i = 0; i < t->cap; i++) {
		if (t->slots[i].in)
			place(slots, cap, t->slots[i].key, t->slots[i].in);
		if (t->by_name[i].in)
			place(by_name, cap, t->by_name[i].key, t->by_name[i].in);
	}
	free(t->slots);
	free(t->by_name);
	t->slots = slots;
	t->by_name = by_name;
	t->cap = cap;
	return 0;
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
	b->off = 0;
	b->part = 0;
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

static void free_inode(struct fs_inode *in)
{
	tree_node_release(&in->node);
	blob_put(in->content);
	listing_put(in->listing);
	free(in);
}

int inodes_init(struct inode_table *t, const struct route *routes)
{
	struct fs_inode *root;

	memset(t, 0, sizeof(*t));
	if (grow(t))
		return -ENOMEM;
	root = calloc(1, sizeof(*root) + 1);
	if (!root) {
		inodes_release(t);
		return -ENOMEM;
	}
	root->ino = ROOT_INO;
	root->parent = ROOT_INO;
	tree_root(routes, &root->node, NULL);
	place(t->slots, t->cap, ROOT_INO, root);
	t->n = 1;
	return 0;
}

void inodes_release(struct inode_table *t)
{
	uint64_t i;

	for (i = 0; i < t->cap; i++)
		if (t->slots[i].in)
			free_inode(t->slots[i].in);
	free(t->slots);
	free(t->by_name);
	memset(t, 0, sizeof(*t));
}

struct fs_inode *inodes_get(struct inode_table *t, uint64_t ino)
{
	return ino ? slot_of(t, ino)->in : NULL;
}

static struct inode_slot *name_slot(const struct inode_table *t, uint64_t parent, const char *name, uint64_t h)
{
	uint64_t i = h & (t->cap - 1);
	struct inode_slot *s;

	while ((s = &t->by_name[i])->in &&
	       (s->key != h || s->in->parent != parent || strcmp(s->in->name, name)))
		i = (i + 1) & (t->cap - 1);
	return s;
}

struct fs_inode *inodes_find(struct inode_table *t, const struct fs_inode *parent, const char *name)
{
	return name_slot(t, parent->ino, name, name_hash(parent->ino, name))->in;
}

/* The number a new inode of name hash `h` gets: `h`, or the next free one. 0 means "no inode" to the kernel and 1 is the root: never handed out. */
static uint64_t free_number(const struct inode_table *t, uint64_t h)
{
	uint64_t ino = h;

	while (ino <= ROOT_INO || slot_of(t, ino)->in)
		ino++;
	return ino;
}

struct fs_inode *inodes_add(struct inode_table *t, const struct fs_inode *parent, const char *name,
			    struct tree_node *node)
{
	uint64_t h = name_hash(parent->ino, name), ino;
	struct fs_inode *in = name_slot(t, parent->ino, name, h)->in;

	if (in)
		return in;
	/* At most 3/4 full: linear probing stays short, and the slots cost 21 to 43 bytes an inode. */
	if ((t->n + 1) * 4 > t->cap * 3 && grow(t))
		goto fail;
	ino = free_number(t, h);
	in = calloc(1, sizeof(*in) + strlen(name) + 1);
	if (!in)
		goto fail;
	strcpy(in->name, name);
	in->ino = ino;
	in->parent = parent->ino;
	in->name_hash = h;
	in->depth = parent->depth + 1;
	in->node = *node;
	memset(node, 0, sizeof(*node));
	place(t->slots, t->cap, ino, in);
	place(t->by_name, t->cap, h, in);
	t->n++;
	return in;
fail:
	return NULL;
}

uint64_t inodes_number(struct inode_table *t, const struct fs_inode *parent, const char *name)
{
	uint64_t h = name_hash(parent->ino, name);
	struct fs_inode *in = name_slot(t, parent->ino, name, h)->in;

	return in ? in->ino : free_number(t, h);
}

static int unused(const struct fs_inode *in)
{
	return in->ino != ROOT_INO && !in->nlookup && !in->pins;
}

static void list_unlink(struct inode_table *t, struct fs_inode *in)
{
	struct inode_list *l = in->list == INODES_IDLE ? &t->idle : &t->held;

	assert(in->list);
	*(in->prev ? &in->prev->next : &l->head) = in->next;
	*(in->next ? &in->next->prev : &l->tail) = in->prev;
	in->prev = in->next = NULL;
	in->list = 0;
	l->n--;
}

/* At the tail of list `which` (moved there if on a list already). */
static void list_append(struct inode_table *t, struct fs_inode *in, int which)
{
	struct inode_list *l = which == INODES_IDLE ? &t->idle : &t->held;

	if (in->list)
		list_unlink(t, in);
	in->list = which;
	in->prev = l->tail;
	*(l->tail ? &l->tail->next : &l->head) = in;
	l->tail = in;
	l->n++;
}

static void free_unused(struct inode_table *t, struct fs_inode *in)
{
	unplace(t->by_name, t->cap, (uint64_t)(name_slot(t, in->parent, in->name, in->name_hash) - t->by_name));
	unplace(t->slots, t->cap, (uint64_t)(slot_of(t, in->ino) - t->slots));
	free_inode(in);
	t->n--;
}

/*
 * An inode nobody holds (no lookups of the kernel's, no request's pin)
 * joins the idle list, so what was made for it (a size listed ahead) waits
 * for the kernel's asking; past INODES_IDLE_MAX the longest idle are freed.
 * One used again meanwhile leaves the list when it comes to its head.
 */
static void drop_if_unused(struct inode_table *t, struct fs_inode *in)
{
	if (!unused(in))
		return;
	if (in->list != INODES_IDLE)
		list_append(t, in, INODES_IDLE);
	while (t->idle.n > INODES_IDLE_MAX || (t->idle.head && !unused(t->idle.head))) {
		struct fs_inode *old = t->idle.head;

		list_unlink(t, old);
		if (unused(old))
			free_unused(t, old);
	}
}

void inodes_hold(struct inode_table *t, struct fs_inode *in)
{
	in->nlookup++;
	if (in->ino != ROOT_INO)
		list_append(t, in, INODES_HELD);
}

void inodes_unhold(struct inode_table *t, struct fs_inode *in)
{
	assert(in->nlookup > 0);
	if (--in->nlookup == 0 && in->list == INODES_HELD)
		list_unlink(t, in);
	drop_if_unused(t, in);
}

void inodes_touch(struct inode_table *t, struct fs_inode *in)
{
	if (in->list == INODES_HELD)
		list_append(t, in, INODES_HELD);
}

size_t inodes_over(struct inode_table *t, uint64_t keep, struct inode_name *out, size_t n)
{
	uint64_t over = t->held.n > keep ? t->held.n - keep : 0, seen;
	size_t k = 0;

	/* Each inode is looked at once at most: the pinned go round to the tail. */
	for (seen = 0; k < n && k < over && seen < t->held.n; seen++) {
		struct fs_inode *in = t->held.head;

		list_append(t, in, INODES_HELD);
		if (in->pins)
			continue;
		out[k].parent = in->parent;
		out[k].name = strdup(in->name);
		if (!out[k].name)
			break;
		k++;
	}
	return k;
}

void inodes_forget(struct inode_table *t, uint64_t ino, uint64_t n)
{
	struct fs_inode *in = ino == ROOT_INO ? NULL : slot_of(t, ino)->in;

	if (!in)
		return;
	in->nlookup = n >= in->nlookup ? 0 : in->nlookup - n;
	if (!in->nlookup && in->list == INODES_HELD)
		list_unlink(t, in);
	drop_if_unused(t, in);
}

void inodes_unpin(struct inode_table *t, struct fs_inode *in)
{
	assert(in->pins > 0);
	in->pins--;
	drop_if_unused(t, in);
}

static void reset_one(void *arg, struct fs_inode *in)
{
	(void)arg;
	in->size_version = 0;
	in->mtime_version = 0;
	in->node_version = 0;
	blob_put(in->content);
	in->content = NULL;
	listing_put(in->listing);
	in->listing = NULL;
}

void inodes_reset_caches(struct inode_table *t)
{
	inodes_each(t, reset_one, NULL);
}

void inodes_each(struct inode_table *t, void (*fn)(void *arg, struct fs_inode *in), void *arg)
{
	uint64_t i;

	for (i = 0; i < t->cap; i++)
		if (t->slots[i].in)
			fn(arg, t->slots[i].in);
}
