/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One line for one record: text that comes from input (a file or member
 * name, an id, a cell) is escaped C-style before it is printed into a file
 * of the tree or a message, so that no name can forge a line or drive a
 * terminal. Control characters become \n, \t, \r or \xHH (ESC is \x1b),
 * a backslash \\, a byte that is not UTF-8 \xHH, and a C1 control
 * (U+0080-U+009F, which some terminals obey) \u0080-\u009f. Everything
 * else, printable UTF-8 included, is copied as it is; text that needs no
 * escape comes out unchanged, and escaping is one-to-one.
 */
#ifndef NLETSFS_ESCAPE_H
#define NLETSFS_ESCAPE_H

#include <stddef.h>

#include "strbuf.h"

/** Append the `len` bytes of `s`, escaped. */
void escape_add(struct strbuf *out, const char *s, size_t len);
/** Append the string `s`, escaped (NULL appends nothing). */
void escape_addstr(struct strbuf *out, const char *s);
/** 1 when `s` would change when escaped. */
int escape_needed(const char *s);

#endif
