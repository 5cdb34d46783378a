// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The records CSV reader: csv_next() over arbitrary bytes never crashes,
 * leaks or loops; every cell it returns is valid UTF-8 without NUL, its
 * length is right and its position moves forward; an error has a message
 * and a position, and the reader stays failed. And what csv_write_cell()
 * (the exporter) writes of a row reads back as the same row.
 */
#include <stdlib.h>
#include <string.h>

#include "../../importers/importers_i.h"
#include "../../util/utf8.h"
#include "fuzzlib.h"

/* Write the row after a header line, read both back: the same cells. */
static void check_round_trip(const struct csv_row *row)
{
	struct strbuf text = STRBUF_INIT, msg = STRBUF_INIT;
	struct csv_row back = { 0 };
	struct csv_reader r;
	unsigned line, col;
	size_t i;

	strbuf_addstr(&text, "header\n");
	for (i = 0; i < row->n; i++) {
		if (i)
			strbuf_addch(&text, ',');
		csv_write_cell(&text, row->cells[i].text);
	}
	strbuf_addch(&text, '\n');
	csv_init(&r, text.buf, text.len);
	FUZZ_ASSERT(csv_next(&r, &back, &msg, &line, &col) == 1);
	if (row->n == 1 && !row->cells[0].len) {
		/* A lone empty cell is written as a blank line, which readers skip. */
		FUZZ_ASSERT(csv_next(&r, &back, &msg, &line, &col) == 0);
	} else {
		FUZZ_ASSERT(csv_next(&r, &back, &msg, &line, &col) == 1);
		FUZZ_ASSERT(back.n == row->n);
		for (i = 0; i < row->n; i++) {
			FUZZ_ASSERT(back.cells[i].len == row->cells[i].len);
			FUZZ_ASSERT(!memcmp(back.cells[i].text, row->cells[i].text, row->cells[i].len));
		}
		FUZZ_ASSERT(csv_next(&r, &back, &msg, &line, &col) == 0);
	}
	csv_row_release(&back);
	strbuf_release(&text);
	strbuf_release(&msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_reader r;
	struct csv_row row = { 0 };
	struct strbuf msg = STRBUF_INIT;
	unsigned line = 0, col = 0, last_line = 0;
	size_t rows = 0, i;
	int n;

	csv_init(&r, (const char *)data, size);
	while ((n = csv_next(&r, &row, &msg, &line, &col)) > 0) {
		FUZZ_ASSERT(++rows <= size); /* every record consumes input */
		FUZZ_ASSERT(row.n > 0 && row.line > last_line);
		last_line = row.line;
		for (i = 0; i < row.n; i++) {
			const struct csv_cell *c = &row.cells[i];

			FUZZ_ASSERT(c->text && strlen(c->text) == c->len);
			FUZZ_ASSERT(utf8_text(c->text, c->len));
			FUZZ_ASSERT(c->line >= row.line && c->col >= 1);
		}
		check_round_trip(&row);
	}
	if (n < 0) {
		FUZZ_ASSERT(msg.len > 0 && line >= 1 && col >= 1);
		FUZZ_ASSERT(csv_next(&r, &row, &msg, &line, &col) == -1);
	} else {
		FUZZ_ASSERT(csv_next(&r, &row, &msg, &line, &col) == 0);
	}
	csv_row_release(&row);
	strbuf_release(&msg);
	return 0;
}
