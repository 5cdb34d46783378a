// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * A small RFC 4180 reader and writer. The reader keeps the position of every
 * cell so that the importer can point at the exact character of a bad value,
 * and checks UTF-8 as it goes so that no invalid byte reaches the store.
 *
 * Why not libcsv (which SPEC names for CSV): libcsv hands its callbacks a
 * field's bytes and no position, and takes any byte. A records bundle's
 * errors must read FILE:LINE:COLUMN (docs/format.md), for a cell that spans
 * lines too, and an inventory must hold only UTF-8. So this reader differs
 * from libcsv in what it reports and refuses, not in what a good file means:
 *  - every cell carries the line and column (in characters, from 1) where
 *    it starts, its opening quote for a quoted cell; a syntax error carries
 *    the position of the offending character, an unterminated quote that of
 *    its cell;
 *  - bytes that are not UTF-8, and NUL, are errors at their position;
 *  - a quote inside an unquoted cell, and text after a closing quote, are
 *    errors (libcsv's CSV_STRICT; by default it takes them as text);
 *  - as libcsv, CRLF, LF and a lone CR end a record, blank lines are no
 *    records, and a leading UTF-8 byte-order mark is skipped.
 * Trimming, and what a cell means, are the importer's (importers/records.c).
 */
#include "importers_i.h"

#include "../util/array.h"
#include "../util/utf8.h"

#include <errno.h>
#include <stdint.h>
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
	free(row->cells);
	free(row->text);
	row->cells = NULL;
	row->text = NULL;
	row->n = row->alloc = row->text_len = row->text_alloc = 0;
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

/* Append to the row's text. Returns 0 or -1 (out of memory). */
static int text_add(struct csv_row *row, const char *data, size_t n)
{
	/* Room for the n bytes and a NUL: element text_len + n of the text. */
	if (n >= SIZE_MAX - row->text_len ||
	    array_reserve(&row->text, row->text_len + n, &row->text_alloc, 1, 256))
		return -ENOMEM;
	memcpy(row->text + row->text_len, data, n);
	row->text_len += n;
	return 0;
}

/* A byte that is a whole character of the cell, needing no check: plain ASCII. */
static int plain(unsigned char ch, int quoted)
{
	return ch && ch < 0x80 && ch != '"' && ch != '\n' && (quoted || (ch != ',' && ch != '\r'));
}

/*
 * One allocation per row rather than per cell: the cells' text is read into
 * one buffer, which may move as it grows, so each cell's pointer is set once
 * the row is complete (or has failed).
 */
static void point_cells(struct csv_row *row)
{
	size_t i, off = 0;

	for (i = 0; i < row->n; i++) {
		row->cells[i].text = row->text + off;
		off += row->cells[i].len + 1;
	}
}

int csv_next(struct csv_reader *r, struct csv_row *row, struct strbuf *msg, unsigned *line, unsigned *col)
{
	int rc = -1;

	row->n = 0;
	row->text_len = 0;
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
		size_t start = row->text_len;
		int quoted = 0;

		if (r->p < r->end && *r->p == '"') {
			quoted = 1;
			r->p++;
			r->col++;
		}
		for (;;) {
			const unsigned char *u;
			const char *run = r->p;
			size_t n;

			/* Most of a cell is plain ASCII: copied in one go. */
			while (r->p < r->end && plain((unsigned char)*r->p, quoted))
				r->p++;
			if (r->p > run) {
				if (text_add(row, run, (size_t)(r->p - run)))
					goto oom;
				r->col += (unsigned)(r->p - run);
			}
			u = (const unsigned char *)r->p;
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
					if (text_add(row, "\"", 1))
						goto oom;
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
			if (text_add(row, r->p, n))
				goto oom;
			if (*u == '\n') {
				r->line++;
				r->col = 1;
			} else {
				r->col++;
			}
			r->p += n;
		}
		if (array_reserve(&row->cells, row->n, &row->alloc, sizeof(*row->cells), 16))
			goto oom;
		if (text_add(row, "", 1)) /* the cell's NUL */
			goto oom;
		row->cells[row->n].len = row->text_len - 1 - start;
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
	point_cells(row);
	return rc;
oom:
	point_cells(row);
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
