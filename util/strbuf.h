/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * strbuf: a growable, always NUL-terminated byte buffer.
 *
 * Invariants: `buf` is never NULL after strbuf_init() (it points at a static
 * empty string until the first append), `len < alloc` whenever alloc > 0,
 * and buf[len] == '\0'. Appends that fail to allocate set `oom` and leave
 * the buffer unchanged, so callers may append freely and check strbuf_ok()
 * once at the end.
 */
#ifndef NLETSFS_STRBUF_H
#define NLETSFS_STRBUF_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;	/* contents, NUL-terminated */
	size_t len;	/* bytes used, excluding the NUL */
	size_t alloc;	/* bytes allocated; 0 while buf is the static "" */
	int oom;	/* set when an append could not allocate */
};

#define STRBUF_INIT { (char *)"", 0, 0, 0 }

/** Initialise an empty buffer. */
void strbuf_init(struct strbuf *sb);
/** Free the contents and reset to empty. */
void strbuf_release(struct strbuf *sb);
/** Empty the buffer but keep its allocation. */
void strbuf_reset(struct strbuf *sb);
/** Take ownership of the contents (malloc'd, NUL-terminated); sb is reset. NULL on OOM. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
/** Make room for at least `extra` more bytes. Returns 0 or -ENOMEM. */
int strbuf_grow(struct strbuf *sb, size_t extra);
/** Append `len` bytes. */
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
/** Append a NUL-terminated string (NULL appends nothing). */
void strbuf_addstr(struct strbuf *sb, const char *s);
/** Append one byte. */
void strbuf_addch(struct strbuf *sb, int c);
/** Append printf-style. */
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** Append `s` then a newline (the usual line of a list file). */
void strbuf_addline(struct strbuf *sb, const char *s);
/** 0 when every append succeeded, -ENOMEM otherwise. */
static inline int strbuf_ok(const struct strbuf *sb) { return sb->oom ? -ENOMEM : 0; }

/*
 * A list of owned strings, used for list files: collect, then
 * strlist_sort_uniq() gives the bytewise-sorted, duplicate-free order that
 * every list file of the tree uses.
 */
struct strlist {
	char **items;
	size_t n, alloc;
	int oom;
};

#define STRLIST_INIT { NULL, 0, 0, 0 }

/** Append a copy of `s` (or of its first `len` bytes when len != (size_t)-1). */
void strlist_addn(struct strlist *l, const char *s, size_t len);
static inline void strlist_add(struct strlist *l, const char *s) { strlist_addn(l, s, (size_t)-1); }
/** Sort bytewise and drop duplicates. */
void strlist_sort_uniq(struct strlist *l);
/** Index of `s` in the list, or -1. */
long strlist_find(const struct strlist *l, const char *s);
/** In a list sorted bytewise: the index of the first item not below `s` (l->n when none). */
size_t strlist_lower_bound(const struct strlist *l, const char *s);
/** Free every item and the array. */
void strlist_release(struct strlist *l);
/** Append each item followed by a newline to sb. */
void strlist_write_lines(const struct strlist *l, struct strbuf *sb);
/**
 * Split a `;`-separated list cell into trimmed items. Empty input gives an
 * empty list. Returns 0, or -EINVAL when an item is empty (e.g. "a;;b").
 */
int strlist_split(struct strlist *l, const char *cell);

#endif
