/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The tree: paths resolved through the route table (fs/routes.c) into
 * views. Private to fs/, and free of FUSE, so that the FUSE operations,
 * `nletsfs materialize` and the unit tests all walk one and the same tree.
 *
 * A node is a resolved path: the route it matched, the values its :params
 * captured, and the day it shows. Under at/DATE/ the route table is matched
 * against the rest of the path with that date; everywhere else the date is
 * today and entity folders list every record (SPEC section 2, time rules).
 */
#ifndef NLETSFS_TREE_H
#define NLETSFS_TREE_H

#include <time.h>

#include "../store/store.h"
#include "../util/hmap.h"
#include "../util/strbuf.h"

#define TREE_MAX_ARGS 4

enum node_type { NODE_DIR, NODE_FILE, NODE_LINK };

struct route;

/** What a view gets: the store and what the path said. */
struct view_ctx {
	struct store *st;
	struct tree *tree;		/* for views about time (at/, changes) */
	const struct route *route;
	const char *args[TREE_MAX_ARGS];	/* the :params, in path order */
	int nargs;
	const char *date;		/* the day shown: YYYY-MM-DD */
	const char *entity_date;	/* NULL at the root: every flow whatever its dates (entities have none) */
	int in_at;			/* under at/DATE/ */
};

/** A list view: fills the names a :param segment takes under its parent. */
typedef int (*view_list_fn)(const struct view_ctx *ctx, struct strlist *names);
/** A content view: a file's bytes, or a link's target. */
typedef int (*view_render_fn)(const struct view_ctx *ctx, struct strbuf *out);
/** An existence test for a literal name that is not always there: 0 or -ENOENT. */
typedef int (*view_exists_fn)(const struct view_ctx *ctx);

#define ROUTE_NOT_IN_AT 1u	/* not shown under at/DATE/ */
#define ROUTE_AT_DATE 2u	/* .at/DATE: the root again, as of DATE */
#define ROUTE_MEMO 4u		/* costly content kept until the inventory changes (tree_invalidate), unless stored */
#define ROUTE_HIDDEN 8u		/* resolvable but not listed: walkers (find, grep -r) do not enter it */
#define ROUTE_COSTLY 16u	/* costly to render: a listing gives no size, so find and ls need not render it */
#define ROUTE_VOLATILE 32u	/* content from outside the inventory: forgotten after every refresh check */
#define ROUTE_DERIVED 64u	/* at the root, rendered by the import and stored: a read is a lookup (fs/derive.c) */
/*
 * The content is store relation `rel` (a folder: its names), whose lines
 * follow the facts' valid days: `changes` and `nletsfs diff` take them from
 * store_relation_spans() (fs/spans.c) instead of rendering both days.
 */
#define ROUTE_SPANS 128u
#define ROUTE_CHANGE_LOG 256u	/* `changes`: its size is kept by the import (tree_size) */
#define ROUTE_RECORD_LINES 512u	/* the relation's lines are record references, shown as paths (tree_record_path) */
#define ROUTE_RECORD 1024u	/* its last :param names records of `kind`: where a record of the kind is shown */
#define ROUTE_UNLISTED 2048u	/* its :param resolves names no listing shows (any date, any query): no walk sees them */

/*
 * What moves a route's files from one day to the next (struct route's
 * `moves`), beside ROUTE_SPANS: a fact of that sort starting or stopping
 * makes `changes` render the route's part of the tree on both days. The
 * part is the pattern with :state the fact's state and a record's own
 * :param its slug, cut above the first :param the fact does not name.
 * Every file shown under at/ declares one (tests/unit/fs/test_tree.c).
 */
#define MOVED_NEVER 1u		/* the same on every day (entities have no valid time) */
#define MOVED_BY_FLOWS 2u	/* a flow: its record's folder */
#define MOVED_BY_LAWS 4u
#define MOVED_BY_PARTICIPATION 8u
#define MOVED_BY_ANSWERS 16u	/* a flow, law or participation row that can move the state's checklist answers */
#define MOVED_BY_PARTNER_LISTS 32u	/* a source of kind partner-list, by its date */
#define MOVED_BY_DOCUMENTS 64u	/* a source with a document, by its date */
#define MOVED_EVERY_DAY 128u	/* rendered on every change day (the README's counts) */
#define MOVED_WITH_ANSWERS 256u	/* lines: the :state of the MOVED_BY_ANSWERS file whose "answer: " is the route's column */
#define MOVED_UNLOGGED 512u	/* shows the day itself, so differs every day: left out of `changes`, and a stored copy serves on its day only (docs/time.md) */

struct route {
	const char *pattern;	/* "/states/:state/:system/blocked" */
	enum node_type type;
	view_list_fn list;	/* required when the last segment is a :param */
	view_render_fn render;	/* files and links */
	view_exists_fn exists;	/* optional */
	int kind;		/* record kind, for the generic record views */
	const char *column;	/* record column, for the generic record views */
	enum store_relation rel;/* the relation a relation view shows (ROUTE_SPANS, view_record_relation) */
	unsigned flags;		/* ROUTE_* */
	unsigned moves;		/* MOVED_*: what changes it from day to day, for `changes` (fs/changes.c) */
};

/** The route table and its size. */
extern const struct route tree_routes[];
extern const int tree_nroutes;

struct tree_node {
	const struct route *route;	/* NULL for the at/ and at/DATE folders themselves */
	enum node_type type;
	char *args[TREE_MAX_ARGS];
	int nargs;
	char date[11];			/* "" outside at/ */
};

/* Routes, at most (fs/routes.c checks its table against it when compiled). */
#define TREE_MAX_ROUTES 256

/* A tree: the route table resolved over one store, with its caches (fs/tree_i.h). */
struct tree;

/** A tree of the route table of fs/routes.c (defined there), over `st`: NULL when out of memory. */
struct tree *tree_open(struct store *st);
/** A tree of the route table `routes` (nroutes rows, at most TREE_MAX_ROUTES; row 0 the root), or NULL. */
struct tree *tree_open_routes(struct store *st, const struct route *routes, int nroutes);
void tree_free(struct tree *t);
/**
 * The days that show the same facts as `day` (YYYY-MM-DD), as keys (YYYYMMDD numbers):
 * from the last change day up to `day` (0: none) to the day before the
 * next (99991231: none). 0, or -EIO when the change days cannot be read.
 */
int tree_same_days(struct tree *t, const char *day, long *from, long *until);
/** The route table of the tree (row 0 the root: see tree_root). */
const struct route *tree_table(const struct tree *t);
/** Today as the tree shows it (YYYY-MM-DD): the day of the root's views. */
const char *tree_today(const struct tree *t);
/** The row of route i's folder in `routes` (its pattern less the last segment), or -1 for the root. */
int tree_parent_route(const struct route *routes, int nroutes, int i);
/**
 * The path (no leading '/') of an instance of route `r`: its :params from
 * `args` in order; at the first NULL the path stops above that :param
 * (every instance). 0 or -ENOMEM.
 */
int tree_route_path(const struct route *r, const char *const args[TREE_MAX_ARGS], struct strbuf *out);
/**
 * The path (no leading '/') of the record a record reference line names
 * (store.h, REL_SOURCE_SUPPORTS): the route showing records of its kind
 * with as many :params as it has names. 0, -EINVAL for a line that is not
 * a reference, -ENOENT when no route shows such a record, or -ENOMEM.
 */
int tree_record_path(const struct tree *t, const char *line, struct strbuf *out);
/** Whether `path` (no leading '/') is an instance of route `r`: 1 with its :params in *args, or 0. */
int tree_route_match(const struct route *r, const char *path, struct strlist *args);
/** Forget every cached view (the inventory changed) and refresh today's date. */
void tree_invalidate(struct tree *t);

/** The days on which anything changes (cached until tree_invalidate). */
const struct strlist *tree_change_dates(struct tree *t);
/**
 * The day whose tree `date` shows: the newest change day not after it, or
 * the day before the first change day for a date before everything, or the
 * date itself in an inventory without dates. Writes 11 bytes.
 */
int tree_canonical_date(struct tree *t, const char *date, char out[11]);
/** The root of the tree as it stood on `date` (a full date; NULL: the present root). */
void tree_root(const struct route *routes, struct tree_node *out, const char *date);

/**
 * The changes between the trees of two days, as diff -r of at/FROM and
 * at/TO would show them: `emit` gets each removed ('-') and added ('+')
 * line of each file under PREFIX ("" for all), paths sorted bytewise; a
 * file that appears or disappears empty gives one call with an empty line.
 * `from` NULL is the empty tree before every change.
 */
typedef int (*tree_change_fn)(void *arg, char op, const char *path, const char *line);
int tree_diff(struct tree *t, const char *from, const char *to, const char *prefix, tree_change_fn emit,
	      void *arg);
/**
 * The answer to question `q` for jurisdiction `j` (store_jurisdiction_find)
 * on `date`: store_answer()'s, from store_answers() for the whole state,
 * kept until tree_invalidate. 0, -EINVAL, or store_answers()'s error.
 */
int tree_answer(struct tree *t, int q, int j, const char *date, const struct store_answer **out);
/**
 * Every change between consecutive days of `days` (sorted change days),
 * the first compared with `before`, oldest first: what tree_diff() gives
 * for each pair, with the day each change is seen on. Costs about what the
 * facts of the days cost, not days times the tree. `aside`: a second tree
 * over its own connection to the same inventory, on which a thread reads
 * the relation lists' spans meanwhile (NULL: read here); it is not used
 * after the call.
 */
typedef int (*tree_day_change_fn)(void *arg, const char *day, char op, const char *path, const char *line);
int tree_changes(struct tree *t, const char *before, const struct strlist *days, tree_day_change_fn emit,
		 void *arg, struct tree *aside);
/**
 * List `rel` (REL_SYSTEM_FIELDS .. REL_SYSTEM_SOURCES) of the system with
 * id `system` in `state` on `date`, as store_relation() gives it (empty
 * when the system has no flows that day), from store_state_system_lists()
 * kept for the state and day. Valid until the next call or tree_invalidate.
 */
int tree_system_list(struct tree *t, const char *state, const char *date, const char *system,
		     enum store_relation rel, const struct strlist **out);
/** store_counts() of `date`, from those tree_changes() made for its days when it is one. */
int tree_counts(struct tree *t, const char *date, struct store_counts *out);
/** Resolve an absolute path ("/" is the root). 0, -ENOENT or -ENOTDIR. */
int tree_resolve(struct tree *t, const char *path, struct tree_node *out);
/** Resolve `name` inside directory `dir`. */
int tree_child(struct tree *t, const struct tree_node *dir, const char *name, struct tree_node *out);
/**
 * tree_child for a name tree_list gave for `dir` in the same inventory
 * version: its existence is not checked again (a listing of 10k flows
 * would otherwise cost 10k queries).
 */
int tree_child_listed(struct tree *t, const struct tree_node *dir, const char *name, struct tree_node *out);
/** The names in a directory, sorted bytewise. */
int tree_list(struct tree *t, const struct tree_node *dir, struct strlist *names);
/** A file's content or a link's target. */
int tree_render(struct tree *t, const struct tree_node *node, struct strbuf *out);
/** The path of a node, without a leading '/' ("" for the root, ".at/DAY/..." under a day). */
int tree_node_path(const struct tree_node *node, struct strbuf *out);
/**
 * The mtime (and ctime) of a node: the time of the import that last
 * changed its content, or a folder's listing (docs/time.md). Nodes no
 * import walks (under .at/DAY/, search/QUERY/, at/DATE links of days that
 * are not change days) take the time of the last import that changed
 * anything. 0, or -ENOENT when the inventory has no times (never derived).
 * `size`: also the size tree_size() would give, where the same row holds
 * it (a root file), or UINT64_MAX; NULL: not asked.
 */
int tree_mtime(struct tree *t, const struct tree_node *node, struct timespec *ts, uint64_t *size);
/**
 * The size of a file kept by the import (the change log, and every root file
 * while the derived data are fresh and of today), without rendering it: 0,
 * or -ENOENT when not kept.
 */
int tree_size(struct tree *t, const struct tree_node *node, uint64_t *size);
/** Today as the number YYYYMMDD: the day the stored root files are of. */
long tree_today_key(const struct tree *t);
/** A day's key, YYYYMMDD as a number, from YYYY-MM-DD. */
long tree_day_key(const char *day);
/** 1 when `changes` is read from the stored log rather than computed. */
int tree_changes_stored(struct tree *t);
/** Whether `node` is a file read by parts, not whole (the stored change log, which runs to gigabytes): 1 or 0. */
int tree_read_by_parts(struct tree *t, const struct tree_node *node);
/**
 * Of a file read by parts: bytes [off, off + len) appended to `out`, fewer
 * at its end and none past it. -ENOSYS: the file is read whole (tree_render).
 */
int tree_read_range(struct tree *t, const struct tree_node *node, uint64_t off, size_t len, struct strbuf *out);
void tree_node_release(struct tree_node *n);
/** Whether two nodes are different resolutions (route, type, arguments or day): 1 or 0. */
int tree_node_differs(const struct tree_node *a, const struct tree_node *b);
/** Copy a node (deep). */
int tree_node_copy(struct tree_node *dst, const struct tree_node *src);

/* Views shared by the route table (fs/views*.c). */
int view_record_exists(const struct view_ctx *ctx);
int view_record_scalar(const struct view_ctx *ctx, struct strbuf *out);
int view_record_scalar_exists(const struct view_ctx *ctx);
int view_record_list(const struct view_ctx *ctx, struct strbuf *out);
int view_record_sources(const struct view_ctx *ctx, struct strbuf *out);
int list_record_slugs(const struct view_ctx *ctx, struct strlist *names);

#endif
