/* SPDX-License-Identifier: GPL-3.0-or-later */
/* UTF-8 checking, shared by the CSV reader and the text views. */
#ifndef NLETSFS_UTF8_H
#define NLETSFS_UTF8_H

#include <stddef.h>

/**
 * Length (1-4) of the well-formed UTF-8 sequence at p, or 0 when it is not
 * one (overlong, surrogate, past U+10FFFF, truncated at `end`).
 */
size_t utf8_seq_len(const unsigned char *p, const unsigned char *end);
/** 1 when the `len` bytes are well-formed UTF-8 without NUL bytes. */
int utf8_text(const char *s, size_t len);

#endif
