// SPDX-License-Identifier: GPL-3.0-or-later
/* Unit tests of the RFC 4180 reader and writer (importers/csv.c). */
#include "../testlib.h"
#include "../../../importers/importers_i.h"

#include <string.h>

static void read_all(const char *in, struct csv_row *rows, int max, int *n, struct strbuf *msg, unsigned *line,
		     unsigned *col, int *rc)
{
	struct csv_reader r;

	csv_init(&r, in, strlen(in));
	*n = 0;
	while (*n < max && (*rc = csv_next(&r, &rows[*n], msg, line, col)) > 0)
		(*n)++;
}

static void test_csv__quotes_newlines_and_positions(void **state)
{
	struct csv_row rows[5] = { 0 };
	struct strbuf msg = STRBUF_INIT;
	unsigned line = 0, col = 0;
	int n, rc, i;

	(void)state;
	read_all("\xEF\xBB\xBFid,name\r\na,\"x, \"\"y\"\"\"\n\nb,\"two\nlines\"\nc,\xc3\xa9t\xc3\xa9\n", rows, 5, &n,
		 &msg, &line, &col, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(n, 4);
	assert_string_equal(rows[0].cells[1].text, "name");
	assert_string_equal(rows[1].cells[1].text, "x, \"y\"");
	assert_int_equal(rows[1].cells[1].line, 2);
	assert_int_equal(rows[1].cells[1].col, 3);
	assert_int_equal(rows[2].line, 4); /* the blank line 3 is skipped */
	assert_string_equal(rows[2].cells[1].text, "two\nlines");
	assert_int_equal(rows[3].line, 6);
	assert_string_equal(rows[3].cells[1].text, "\xc3\xa9t\xc3\xa9");
	for (i = 0; i < 5; i++)
		csv_row_release(&rows[i]);
	strbuf_release(&msg);
}

static void test_csv__syntax_errors(void **state)
{
	static const struct {
		const char *in;
		unsigned line, col;
		const char *msg;
	} cases[] = {
		{ "a,b\n1,\"open\n", 2, 3, "unterminated quoted cell" },
		{ "a,b\n1,x\"y\n", 2, 4, "quote inside an unquoted cell" },
		{ "a,b\n1,\"x\"y\n", 2, 6, "text after a closing quote" },
		{ "a,b\n1,\xff\n", 2, 3, "invalid UTF-8" },
		{ "a,b\n1,\xc0\xaf\n", 2, 3, "invalid UTF-8" },
		{ "a,b\n1,\xed\xa0\x80\n", 2, 3, "invalid UTF-8" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct csv_row rows[3] = { 0 };
		struct strbuf msg = STRBUF_INIT;
		unsigned line = 0, col = 0;
		int n, rc, j;

		read_all(cases[i].in, rows, 3, &n, &msg, &line, &col, &rc);
		assert_int_equal(rc, -1);
		assert_int_equal(line, cases[i].line);
		assert_int_equal(col, cases[i].col);
		assert_non_null(strstr(msg.buf, cases[i].msg));
		for (j = 0; j < 3; j++)
			csv_row_release(&rows[j]);
		strbuf_release(&msg);
	}
}

static void test_csv__nul_byte(void **state)
{
	static const char in[] = "a,b\n1,x\0y\n";
	struct csv_reader r;
	struct csv_row row = { 0 };
	struct strbuf msg = STRBUF_INIT;
	unsigned line, col;

	(void)state;
	csv_init(&r, in, sizeof(in) - 1);
	assert_int_equal(csv_next(&r, &row, &msg, &line, &col), 1);
	assert_int_equal(csv_next(&r, &row, &msg, &line, &col), -1);
	assert_non_null(strstr(msg.buf, "NUL"));
	csv_row_release(&row);
	strbuf_release(&msg);
}

static void test_csv__writer_round_trips(void **state)
{
	static const char *const cells[] = { "plain", "a,b", "say \"hi\"", "two\nlines", " edge ", "", "\xc3\xa9" };
	struct strbuf out = STRBUF_INIT, msg = STRBUF_INIT;
	struct csv_reader r;
	struct csv_row row = { 0 };
	unsigned line, col;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
		if (i)
			strbuf_addch(&out, ',');
		csv_write_cell(&out, cells[i]);
	}
	strbuf_addch(&out, '\n');
	csv_init(&r, out.buf, out.len);
	assert_int_equal(csv_next(&r, &row, &msg, &line, &col), 1);
	assert_int_equal(row.n, sizeof(cells) / sizeof(cells[0]));
	for (i = 0; i < row.n; i++)
		assert_string_equal(row.cells[i].text, cells[i]);
	csv_row_release(&row);
	strbuf_release(&out);
	strbuf_release(&msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv__quotes_newlines_and_positions),
		cmocka_unit_test(test_csv__syntax_errors),
		cmocka_unit_test(test_csv__nul_byte),
		cmocka_unit_test(test_csv__writer_round_trips),
	};

	return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
