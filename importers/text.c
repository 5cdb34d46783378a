// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Plain text documents: UTF-8, one page per form feed. Nothing is guessed:
 * a file that is not UTF-8, or holds a NUL byte, is refused with the line
 * and column of the first bad byte, so the user can see what to convert.
 */
#include "importers_i.h"

#include <errno.h>

#include "../util/utf8.h"

int text_extract(const char *data, size_t len, struct doc_text *out, struct strbuf *err, unsigned *line,
		 unsigned *col)
{
	const unsigned char *p = (const unsigned char *)data, *end = p + len, *page;
	int rc = 0;

	*line = *col = 1;
	if (!len) {
		strbuf_addstr(err, "empty file");
		*line = *col = 0;
		return -EINVAL;
	}
	if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		p += 3;
	page = p;
	while (p < end) {
		size_t n;

		if (!*p) {
			strbuf_addstr(err, "NUL byte: this is not a text file");
			return -EINVAL;
		}
		n = utf8_seq_len(p, end);
		if (!n) {
			strbuf_addstr(err, "invalid UTF-8 (convert the file to UTF-8, e.g. with iconv)");
			return -EINVAL;
		}
		if (*p == '\f') {
			rc = doc_text_add_page(out, (const char *)page, (size_t)(p - page));
			if (rc)
				return rc;
			page = p + 1;
		}
		if (*p == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
		p += n;
	}
	return doc_text_add_page(out, (const char *)page, (size_t)(end - page));
}
