// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * A small RFC 4180 reader and writer. The reader keeps the position of every
 * cell so that the importer can point at the exact character of a bad value,
 * and checks UTF-8 as it goes so that no invalid byte reaches the store.
 */
#include "importers.h"

#include "../util/utf8.h"

#include <stdlib.h>
#include <string.h>

void csv_init(struct csv_reader *r, const char *data, size_t len)
{
	r->p = data;
	r->end = data + len;
	r->line = 1;
	r->col = 1;
	r->failed = 0;
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		r->p += 3;
}

void csv_row_release(struct csv_row *row)
{
	size_t i;

	for (i = 0; i < row->n; i++)
		free(row->cells[i].text);
	free(row->cells);
	row->cells = NULL;
	row->n = row->alloc = 0;
}

static void row_clear(struct csv_row *row)
{
	size_t i;

	for (i = 0; i < row->n; i++)
		free(row->cells[i].text);
	row->n = 0;
}

static int fail(struct csv_reader *r, struct strbuf *msg, unsigned *line, unsigned *col,
		const char *what)
{
	r->failed = 1;
	strbuf_addstr(msg, what);
	*line = r->line;
	*col = r->col;
	return -1;
}

int csv_next(struct csv_reader *r, struct csv_row *row, struct strbuf *msg, unsigned *line, unsigned *col)
{
	struct strbuf cell = STRBUF_INIT;
	int rc = -1;

	row_clear(row);
	if (r->failed)
		return -1;
	/* Skip blank lines between records. */
	while (r->p < r->end && (*r->p == '\n' || *r->p == '\r')) {
		if (*r->p == '\n') {
			r->line++;
			r->col = 1;
		}
		r->p++;
	}
	if (r->p >= r->end)
		return 0;
	row->line = r->line;
	for (;;) {
		unsigned cline = r->line, ccol = r->col;
		int quoted = 0;

		strbuf_reset(&cell);
		if (r->p < r->end && *r->p == '"') {
			quoted = 1;
			r->p++;
			r->col++;
		}
		for (;;) {
			const unsigned char *u = (const unsigned char *)r->p;
			size_t n;

			if (r->p >= r->end) {
				if (quoted) {
					*line = cline;
					*col = ccol;
					r->failed = 1;
					strbuf_addstr(msg, "unterminated quoted cell");
					goto out;
				}
				break;
			}
			if (*u == 0) {
				fail(r, msg, line, col, "NUL byte in CSV text");
				goto out;
			}
			if (*u == '"') {
				if (!quoted) {
					fail(r, msg, line, col, "quote inside an unquoted cell (quote the whole cell)");
					goto out;
				}
				if (r->p + 1 < r->end && r->p[1] == '"') {
					strbuf_addch(&cell, '"');
					r->p += 2;
					r->col += 2;
					continue;
				}
				r->p++;
				r->col++;
				if (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r') {
					fail(r, msg, line, col, "text after a closing quote");
					goto out;
				}
				quoted = 0;
				break;
			}
			if (!quoted && (*u == ',' || *u == '\n' || *u == '\r'))
				break;
			n = utf8_seq_len(u, (const unsigned char *)r->end);
			if (!n) {
				fail(r, msg, line, col, "invalid UTF-8");
				goto out;
			}
			strbuf_add(&cell, r->p, n);
			if (*u == '\n') {
				r->line++;
				r->col = 1;
			} else {
				r->col++;
			}
			r->p += n;
		}
		if (row->n == row->alloc) {
			size_t na = row->alloc ? row->alloc * 2 : 16;
			struct csv_cell *nc = realloc(row->cells, na * sizeof(*nc));

			if (!nc)
				goto oom;
			row->cells = nc;
			row->alloc = na;
		}
		if (strbuf_ok(&cell))
			goto oom;
		row->cells[row->n].len = cell.len;
		row->cells[row->n].text = strbuf_detach(&cell, NULL);
		if (!row->cells[row->n].text)
			goto oom;
		row->cells[row->n].line = cline;
		row->cells[row->n].col = ccol;
		row->n++;
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			r->col++;
			continue;
		}
		/* End of record: CRLF, LF, CR or end of input. */
		if (r->p < r->end && *r->p == '\r')
			r->p++;
		if (r->p < r->end && *r->p == '\n')
			r->p++;
		r->line++;
		r->col = 1;
		rc = 1;
		break;
	}
out:
	strbuf_release(&cell);
	return rc;
oom:
	strbuf_release(&cell);
	return fail(r, msg, line, col, "out of memory");
}

void csv_write_cell(struct strbuf *out, const char *text)
{
	size_t n = strlen(text);
	const char *p;

	if (!strpbrk(text, ",\"\r\n") && !(n && (text[0] == ' ' || text[n - 1] == ' '))) {
		strbuf_add(out, text, n);
		return;
	}
	strbuf_addch(out, '"');
	for (p = text; *p; p++) {
		if (*p == '"')
			strbuf_addch(out, '"');
		strbuf_addch(out, *p);
	}
	strbuf_addch(out, '"');
}
