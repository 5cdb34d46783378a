// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Growing arrays: the one realloc-and-double step of the program. Every
 * array that grows (lists, manifests, CSV cells and text, change lists)
 * grows here, so the size arithmetic is checked in one place.
 */
#include "array.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int array_reserve(void *items, size_t n, size_t *alloc, size_t size, size_t first)
{
	void *grown, *old;
	size_t na;

	assert(size > 0 && first > 0);
	if (n < *alloc)
		return 0;
	na = *alloc ? *alloc : first;
	while (na <= n) {
		if (na > SIZE_MAX / 2)
			return -ENOMEM;
		na *= 2;
	}
	/* The byte count must fit a size_t: a wrapped one would allocate too little. */
	if (na > SIZE_MAX / size)
		return -ENOMEM;
	memcpy(&old, items, sizeof(old));
	grown = realloc(old, na * size);
	if (!grown)
		return -ENOMEM;
	memcpy(items, &grown, sizeof(grown));
	*alloc = na;
	return 0;
}
