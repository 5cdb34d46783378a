/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The tree's own state: its caches, and what the import sets while it
 * derives. Private to the tree engine (fs/tree.c, fs/changes.c,
 * fs/spans.c, fs/derive.c); everything else holds a struct tree * from
 * tree_open() and asks fs/tree.h's functions.
 */
#ifndef NLETSFS_TREE_I_H
#define NLETSFS_TREE_I_H

#include <stdatomic.h>

#include "tree.h"

struct tree_memo {
	char *key;
	char *data;
	size_t len;
};

struct tree_answers;
struct tree_answer_track;


struct tree {
	struct store *st;
	const struct route *routes;	/* the route table (fs/routes.c gives its own to tree_init) */
	int nroutes;
	/*
	 * The route table as a tree, made by tree_init: the children of route
	 * i are kids[kid_start[i] .. kid_start[i + 1]), in table order, and
	 * route i's last segment starts at pattern + seg_off[i]. Resolving a
	 * name then looks at a folder's few child routes, not at every route.
	 */
	unsigned short kid_start[TREE_MAX_ROUTES + 1];
	unsigned short kids[TREE_MAX_ROUTES];
	unsigned char seg_off[TREE_MAX_ROUTES];
	/* The ROUTE_RECORD route of each record kind and number of :params, + 1 (0: none), for tree_record_path. */
	unsigned short record_route[REC_COUNT][TREE_MAX_ARGS + 1];
	char today[11];
	struct strlist change_dates;	/* cached store_change_dates() */
	int change_dates_valid;
	struct tree_memo *memo;		/* ROUTE_MEMO contents */
	size_t nmemo, amemo;
	/* Checklist answers of the two days asked last: a folder's files, the
	 * questions/ lists, maps and records requests all ask the same ones. */
	struct tree_answers *answers[2];
	/* In tree_changes' pass, each jurisdiction's answers carried from day to day (tree_answers_track). */
	struct tree_answer_track *track;
	/*
	 * The system lists of the two states and days asked last, made when a
	 * second system of the state is asked for on a day: a walk goes
	 * through a state's system folders one after another (and `changes`
	 * compares them on two days), while a single folder is cheaper alone.
	 */
	struct tree_system_lists {
		struct store_system_lists *l;
		size_t n;
		char *state;		/* NULL: none kept */
		char date[11];
	} sys[2];
	char *sys_last;			/* "STATE DATE SYSTEM" asked last without them */
	struct strlist sys_one;		/* a list made alone */
	/*
	 * Whether reads take the derived data the import stored (fs/derive.c):
	 * -1 not known yet (asked of the store once per inventory version), 0
	 * compute on read, 1 look up. `deriving`: the import is making them.
	 */
	signed char use_changes, use_files;
	int deriving;
	/* Set by a caller whose pass may be stopped (fs/derive.c): tree_changes and its spans end at it. */
	const atomic_int *cancel;
	/* the ids of the flows that can move a checklist answer (store_deciding_flows), for `changes` */
	struct hmap *flow_decides;
	/* The README's counts of every day of a pass over the change days (tree_changes), or NULL. */
	const struct strlist *count_days;
	struct store_counts *counts;
	/* The counts of the day asked last outside a pass: the maps and the README all ask them. */
	char last_counts_date[11];
	struct store_counts last_counts;
};


/** Set up `t` in place (tree_open's work): the route table `routes`, over `st`. */
void tree_init_routes(struct tree *t, struct store *st, const struct route *routes, int nroutes);
/** Free what `t` holds (not `t` itself). */
void tree_release(struct tree *t);
/**
 * Start (`on`) or end carrying each jurisdiction's checklist answers from
 * one day of a pass to the next: tree_answer() then asks the store only
 * for the questions tree_answers_moved() said moved in between. The days
 * are asked in order (an earlier one is answered whole). 0 or -ENOMEM.
 */
int tree_answers_track(struct tree *t, int on);
/** Facts starting or stopping on `day` move `questions` (bit q) of jurisdiction j. 0 or -ENOMEM. */
int tree_answers_moved(struct tree *t, int j, const char *day, unsigned questions);

#endif
