// SPDX-License-Identifier: GPL-3.0-or-later
#include "hmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

uint64_t hmap_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

static struct hmap_slot *find(const struct hmap *m, const char *key)
{
	size_t i = (size_t)hmap_hash(key) & (m->cap - 1);

	while (m->slots[i].key && strcmp(m->slots[i].key, key))
		i = (i + 1) & (m->cap - 1);
	return &m->slots[i];
}

int hmap_get(const struct hmap *m, const char *key, uint64_t *value)
{
	struct hmap_slot *s;

	if (!m->cap)
		return 0;
	s = find(m, key);
	if (!s->key)
		return 0;
	if (value)
		*value = s->value;
	return 1;
}

static int grow(struct hmap *m)
{
	struct hmap old = *m;
	size_t i;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots) {
		*m = old;
		return -ENOMEM;
	}
	for (i = 0; i < old.cap; i++)
		if (old.slots[i].key)
			*find(m, old.slots[i].key) = old.slots[i];
	free(old.slots);
	return 0;
}

int hmap_put(struct hmap *m, const char *key, uint64_t value)
{
	struct hmap_slot *s;

	if ((m->n + 1) * 2 > m->cap && grow(m))
		return -ENOMEM;
	s = find(m, key);
	if (!s->key) {
		s->key = m->borrowed ? (char *)key : strdup(key);
		if (!s->key)
			return -ENOMEM;
		m->n++;
	}
	s->value = value;
	return 0;
}

int hmap_del(struct hmap *m, const char *key)
{
	struct hmap_slot *s;
	size_t i, j, mask = m->cap - 1;

	if (!m->cap)
		return 0;
	s = find(m, key);
	if (!s->key)
		return 0;
	if (!m->borrowed)
		free(s->key);
	s->key = NULL;
	m->n--;
	/* Shift back every entry of the probe run that now has a gap before its home. */
	i = (size_t)(s - m->slots);
	for (j = (i + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
		size_t home = (size_t)hmap_hash(m->slots[j].key) & mask;

		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->slots[i] = m->slots[j];
			m->slots[j].key = NULL;
			i = j;
		}
	}
	return 1;
}

void hmap_release(struct hmap *m)
{
	size_t i;

	for (i = 0; i < m->cap && !m->borrowed; i++)
		free(m->slots[i].key);
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}
