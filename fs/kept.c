// SPDX-License-Identifier: GPL-3.0-or-later
/* Files read across an import: see kept.h. A handful at most, so a list. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/array.h"
#include "kept.h"
#include "pin.h"

#define MS (int64_t)1000000

int kept_reading(const struct blob *b, int64_t now)
{
	return b->partly_ns && now - b->partly_ns < PIN_IDLE_MS * MS;
}

static struct kept_file *find(struct kept *k, uint64_t ino)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (k->f[i].ino == ino)
			return &k->f[i];
	return NULL;
}

int kept_add(struct kept *k, uint64_t ino, uint64_t user, uint64_t parent, const char *name, struct blob *b,
	     int64_t now)
{
	struct kept_file *f;
	size_t i, with_bytes = 0;
	char *copy;

	for (i = 0; b && i < k->n; i++)
		with_bytes += k->f[i].bytes != NULL;
	if (with_bytes == KEPT_MAX)
		return -ENOSPC;
	if (array_reserve(&k->f, k->n, &k->alloc, sizeof(*k->f), 4) || !(copy = strdup(name)))
		return -ENOMEM;
	f = &k->f[k->n++];
	*f = (struct kept_file){ .ino = ino, .user = user, .parent = parent, .name = copy,
				 .bytes = blob_get(b), .last_ns = now, .kept_ns = now };
	return 0;
}

struct blob *kept_bytes(struct kept *k, uint64_t ino, int64_t now)
{
	struct kept_file *f = find(k, ino);

	if (!f || !f->bytes)
		return NULL;
	f->last_ns = now;
	return blob_get(f->bytes);
}

static void let_go(struct kept_file *f)
{
	blob_put(f->bytes);
	f->bytes = NULL;
}

void kept_done(struct kept *k, uint64_t ino)
{
	struct kept_file *f = find(k, ino);

	if (f)
		let_go(f);
}

int kept_user(const struct kept *k, uint64_t parent, const char *name, uint64_t *user)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (k->f[i].parent == parent && !strcmp(k->f[i].name, name)) {
			*user = k->f[i].user;
			return 1;
		}
	return 0;
}

void kept_tick(struct kept *k, int64_t now, int (*gone)(void *arg, uint64_t ino), void *arg)
{
	size_t i = 0;

	while (i < k->n) {
		struct kept_file *f = &k->f[i];

		if (now - f->last_ns >= PIN_IDLE_MS * MS || now - f->kept_ns >= PIN_KEEP_MAX_MS * MS)
			let_go(f);
		/* Its reader closed it: nothing of it is read again, and the path's next inode can take its number. */
		if (gone(arg, f->ino)) {
			let_go(f);
			free(f->name);
			*f = k->f[--k->n];
			continue;
		}
		i++;
	}
}

void kept_release(struct kept *k)
{
	size_t i;

	for (i = 0; i < k->n; i++) {
		blob_put(k->f[i].bytes);
		free(k->f[i].name);
	}
	free(k->f);
	*k = (struct kept){ 0 };
}
