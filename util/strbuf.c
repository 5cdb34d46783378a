// SPDX-License-Identifier: GPL-3.0-or-later
/* strbuf and strlist: see strbuf.h for the invariants. */
#include "strbuf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"

void strbuf_init(struct strbuf *sb)
{
	sb->buf = (char *)"";
	sb->len = 0;
	sb->alloc = 0;
	sb->oom = 0;
}

void strbuf_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	strbuf_init(sb);
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->alloc)
		sb->buf[0] = '\0';
	sb->oom = 0;
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *res;

	if (sb->oom) {
		strbuf_release(sb);
		return NULL;
	}
	res = sb->alloc ? sb->buf : strdup("");
	if (len)
		*len = sb->len;
	strbuf_init(sb);
	return res;
}

int strbuf_grow(struct strbuf *sb, size_t extra)
{
	/* alloc 0: buf is the shared empty string, nothing to realloc. */
	char *buf = sb->alloc ? sb->buf : NULL;
	size_t alloc = sb->alloc;

	if (sb->oom)
		return -ENOMEM;
	if (extra >= SIZE_MAX - sb->len) /* len + extra + 1 would wrap */
		goto fail;
	if (sb->len + extra < sb->alloc)
		return 0;
	/* Room for the byte at len + extra: the NUL after `extra` more. */
	if (array_reserve(&buf, sb->len + extra, &alloc, 1, 64))
		goto fail;
	if (!sb->alloc)
		buf[0] = '\0';
	sb->buf = buf;
	sb->alloc = alloc;
	return 0;
fail:
	sb->oom = 1;
	return -ENOMEM;
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	if (strbuf_grow(sb, len))
		return;
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
	if (s)
		strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, int c)
{
	char ch = (char)c;

	strbuf_add(sb, &ch, 1);
}

/* Whether `fmt` has no conversion but %s and %%: appended without vsnprintf (see strbuf_addf). */
static int strings_only(const char *fmt)
{
	for (const char *p = strchr(fmt, '%'); p; p = strchr(p + 2, '%'))
		if (p[1] != 's' && p[1] != '%')
			return 0;
	return 1;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	size_t room = sb->alloc ? sb->alloc - sb->len : 0; /* the NUL's byte included */
	va_list ap;
	int n;

	if (sb->oom)
		return;
	/*
	 * Most formats only join strings, and vsnprintf's set-up costs about a
	 * thousand instructions a call, more than the copying (4% of an import).
	 * The bytes are vsnprintf's, "(null)" for NULL included.
	 */
	if (strings_only(fmt)) {
		const char *p = fmt, *pct;

		va_start(ap, fmt);
		while ((pct = strchr(p, '%'))) {
			strbuf_add(sb, p, (size_t)(pct - p));
			if (pct[1] == '%') {
				strbuf_addch(sb, '%');
			} else {
				const char *arg = va_arg(ap, const char *);

				strbuf_addstr(sb, arg ? arg : "(null)");
			}
			p = pct + 2;
		}
		va_end(ap);
		strbuf_addstr(sb, p);
		return;
	}
	/* Formatted once where it fits (most appends): a measuring pass cost as much as the writing. */
	va_start(ap, fmt);
	n = vsnprintf(room ? sb->buf + sb->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < room) {
		sb->len += (size_t)n;
		return;
	}
	if (n < 0 || strbuf_grow(sb, (size_t)n)) {
		if (sb->alloc) /* a cut-short attempt wrote past len */
			sb->buf[sb->len] = '\0';
		return;
	}
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void strbuf_addline(struct strbuf *sb, const char *s)
{
	strbuf_addstr(sb, s);
	strbuf_addch(sb, '\n');
}

void strlist_addn(struct strlist *l, const char *s, size_t len)
{
	char *copy;

	if (l->oom)
		return;
	if (array_reserve(&l->items, l->n, &l->alloc, sizeof(*l->items), 16)) {
		l->oom = 1;
		return;
	}
	copy = len == (size_t)-1 ? strdup(s) : strndup(s, len);
	if (!copy) {
		l->oom = 1;
		return;
	}
	l->items[l->n++] = copy;
}

static int cmp_bytes(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strlist_sort_uniq(struct strlist *l)
{
	size_t i, out = 0;

	if (l->n < 2)
		return;
	qsort(l->items, l->n, sizeof(*l->items), cmp_bytes);
	for (i = 0; i < l->n; i++) {
		if (out && !strcmp(l->items[out - 1], l->items[i]))
			free(l->items[i]);
		else
			l->items[out++] = l->items[i];
	}
	l->n = out;
}

size_t strlist_lower_bound(const struct strlist *l, const char *s)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(l->items[mid], s) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long strlist_find(const struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->items[i], s))
			return (long)i;
	return -1;
}

void strlist_release(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = l->alloc = 0;
	l->oom = 0;
}

void strlist_write_lines(const struct strlist *l, struct strbuf *sb)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		strbuf_addline(sb, l->items[i]);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

int strlist_split(struct strlist *l, const char *cell)
{
	const char *p = cell, *end, *a, *b;

	if (!cell || !*cell)
		return 0;
	for (;;) {
		end = strchr(p, ';');
		if (!end)
			end = p + strlen(p);
		a = p;
		b = end;
		while (a < b && is_space(*a))
			a++;
		while (b > a && is_space(b[-1]))
			b--;
		if (a == b)
			return -EINVAL;
		strlist_addn(l, a, (size_t)(b - a));
		if (!*end)
			break;
		p = end + 1;
	}
	return l->oom ? -ENOMEM : 0;
}
