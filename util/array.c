// SPDX-License-Identifier: GPL-3.0-or-later
#include "array.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int array_reserve(void *items, size_t n, size_t *alloc, size_t size, size_t first)
{
	void *grown, *old;
	size_t na;

	if (n < *alloc)
		return 0;
	na = *alloc ? *alloc * 2 : first;
	memcpy(&old, items, sizeof(old));
	grown = realloc(old, na * size);
	if (!grown)
		return -ENOMEM;
	memcpy(items, &grown, sizeof(grown));
	*alloc = na;
	return 0;
}
