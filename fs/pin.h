/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The change log's pins (fs/pin.c). `changes` runs to gigabytes, read in
 * hundreds of READs, and an import may land between two of them. So an
 * import gives `changes` a new inode (fs/fuse_ops.c): a reader who has the
 * old one open keeps its pages, and its READs are served here, from a read
 * transaction of a connection of its own, begun at the log's first READ
 * and kept while a reader is in the middle of the log. A reader then reads
 * the log it began, whole. A pin ends when a READ reached the log's end,
 * or none came for PIN_IDLE_MS, or at most PIN_KEEP_MAX_MS after the
 * import: a READ of the old log after that fails with ESTALE (its reader
 * paused that long in pages the kernel no longer held). PIN_MAX
 * connections: one for the mounted log, the others for replaced logs still
 * read; when all are taken, the mounted log is read as any file.
 * Private to the FUSE glue (fs/fuse_ops.c); knows nothing of FUSE.
 */
#ifndef NLETSFS_PIN_H
#define NLETSFS_PIN_H

#include <pthread.h>
#include <stdint.h>

#include "tree.h"

/*
 * A reader who sent no READ for this long is not in the middle of the log
 * any more. A slow reader sends one a window of readahead (up to 1 MiB):
 * at 100 KB/s, one each ten seconds.
 */
#define PIN_IDLE_MS 10000
/* The longest a replaced log is served after the import that replaced it. */
#define PIN_KEEP_MAX_MS 60000
/* Connections: the mounted log's and replaced ones'. */
#define PIN_MAX 3

struct pin {
	struct store *st;	/* its connection */
	struct tree *tree;
	struct store *next_st;	/* a new inventory's (fs/fuse_ops.c's swap_db), taken once not held */
	uint64_t epoch, next_epoch;	/* the inventories `st` and `next_st` read (pins.epoch when swapped in) */
	int held;		/* a read transaction is open */
	int at_end;		/* a READ reached the log's end since the last one from its start */
	int inflight;		/* READs served and not yet replied to */
	int64_t gen;		/* the held transaction's generation */
	uint64_t size;		/* the held log's size, once sized */
	int sized;
	int64_t last_ns;	/* when the last READ came (CLOCK_MONOTONIC) */
	int64_t kept_ns;	/* when an import replaced the held log (0: the mounted one) */
};

struct pins {
	pthread_mutex_t mu;
	int n;			/* connections (0: none; READs go to the workers' as before) */
	uint64_t epoch;		/* bumped by each new inventory: two inventories' generations may be equal */
	int64_t shown;		/* the key of the log the mounted `changes` shows (pins_keep), or -1 */
	struct pin p[PIN_MAX];
};

/** CLOCK_MONOTONIC in ns: the clock of the pins, and of the files kept for their readers (fs/kept.h). */
int64_t mono_ns(void);
/** Take over the `n` connections of `st` (n <= PIN_MAX; 0: no pins): 0, or -ENOMEM (then they are closed). */
int pins_init(struct pins *ps, struct store **st, int n);
void pins_release(struct pins *ps);
/**
 * A new inventory's connections (as many as pins_init had), for READs once
 * the old one's readers are done. Call it before a READ can reach the new
 * inventory's snapshots.
 */
void pins_swap(struct pins *ps, struct store **st);
/**
 * READ [off, off + len) of the change log `node` into `out` (reset first).
 * `key` < 0: the mounted log, in its pin, begun now at the newest
 * generation if none is held: 1 without reading when the caller's own
 * snapshot (generation `mine`) shows the same log, so that it reads it
 * itself, beside other READs (one connection serves one at a time);
 * -ENOSYS when no pin is free (or there are none, or the log is not
 * stored): the caller reads it its own way; -ESTALE for a READ past the
 * start that would begin at a log newer than the one shown (an import
 * committed, pins_keep not called yet). `gen` >= 0: a replaced log of
 * that key (pins_keep), -ESTALE when no pin holds it. After 0 or 1, call
 * pins_read_done() with *slot once replied.
 */
int pins_read(struct pins *ps, int64_t key, int64_t mine, const struct tree_node *node, uint64_t off, size_t len,
	      struct strbuf *out, int *slot);
void pins_read_done(struct pins *ps, int slot);
/**
 * An import (or a new inventory) replaced the log with generation `gen`'s:
 * the key of the log a reader is in the middle of, kept for its READs
 * (its generation and inventory, >= 0), or -1 when nobody is (the kernel
 * may hold its pages still).
 */
int64_t pins_keep(struct pins *ps, int64_t gen);
/** The mounted log is generation `gen`'s, of the newest inventory (at mount; after, pins_keep says it). */
void pins_show(struct pins *ps, int64_t gen);
/** The watcher's tick: end the transactions nobody is in the middle of, so that an idle mount holds no snapshot. */
void pins_tick(struct pins *ps);

#endif
