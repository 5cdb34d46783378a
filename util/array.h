/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Growing arrays: one place for the realloc-and-double step. */
#ifndef NLETSFS_ARRAY_H
#define NLETSFS_ARRAY_H

#include <stddef.h>

/**
 * Make room for element `n` (index n, so n + 1 elements) of the array at
 * *items (a pointer to the array pointer) of *alloc elements of `size`
 * bytes: when it is too small, the array starts at `first` elements and
 * doubles until element n fits. Returns 0, or -ENOMEM with the array
 * unchanged when memory runs out or the byte count would overflow a size_t.
 */
int array_reserve(void *items, size_t n, size_t *alloc, size_t size, size_t first);

#endif
