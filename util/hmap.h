/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hmap: an open-addressing hash map from strings to 64-bit values.
 *
 * Keys are copied, or borrowed (HMAP_INIT_BORROWED: the caller's strings,
 * which outlive the map, neither copied nor freed). Lookups, inserts and deletes are O(1) expected; the
 * table doubles at 50% load; deletion shifts later entries back, so there
 * are no tombstones to slow lookups down.
 */
#ifndef NLETSFS_HMAP_H
#define NLETSFS_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hmap_slot {
	char *key;
	uint64_t value;
};

struct hmap {
	struct hmap_slot *slots;
	size_t cap, n;
	int borrowed;	/* keys are the caller's */
};

#define HMAP_INIT { NULL, 0, 0, 0 }
#define HMAP_INIT_BORROWED { NULL, 0, 0, 1 }

/** 64-bit FNV-1a of a NUL-terminated string. */
uint64_t hmap_hash(const char *s);
/** The value for `key` in *value; returns 1 if found, 0 if not. */
int hmap_get(const struct hmap *m, const char *key, uint64_t *value);
/** Insert or overwrite. Returns 0 or -ENOMEM. */
int hmap_put(struct hmap *m, const char *key, uint64_t value);
/** Remove `key`; returns 1 if it was there. */
int hmap_del(struct hmap *m, const char *key);
/** Free all keys (unless borrowed) and the table. */
void hmap_release(struct hmap *m);

#endif
