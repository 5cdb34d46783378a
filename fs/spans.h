/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The changes of the relation lists (routes marked ROUTE_SPANS) from day
 * to day, from the valid days of the facts behind each line
 * (store_relation_spans), with no list rendered. Private to fs/: used by
 * fs/changes.c for `changes` and `nletsfs diff`.
 */
#ifndef NLETSFS_SPANS_H
#define NLETSFS_SPANS_H

#include "tree.h"

struct spans;

/**
 * Read the spans of every ROUTE_SPANS route shown under at/, for the
 * pairs of days (before, days[0]], (days[0], days[1]], ... (`days`
 * sorted, kept by the caller until spans_free). `reverse`: the pairs are
 * compared from the later day to the earlier (one day only). 0 or a
 * negative errno.
 */
int spans_open(struct tree *t, const char *before, const struct strlist *days, int reverse, struct spans **out);
/**
 * The changes of the lists from the previous day to days[day] (days not
 * asked for since are part of it), as tree_diff() emits them for one
 * path: an empty file that comes or goes, lines removed, lines added, in
 * bytewise order; paths in no order. Days are asked in increasing order.
 */
int spans_next_day(struct spans *s, size_t day, tree_change_fn emit, void *arg);
void spans_free(struct spans *s);

#endif
