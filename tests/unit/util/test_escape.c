// SPDX-License-Identifier: GPL-3.0-or-later
/* util/escape: one record, one line; printable text unchanged; one-to-one. */
#include "../testlib.h"

#include <string.h>

#include "../../../util/escape.h"

static void test_escape__table(void **state)
{
	static const struct {
		const char *in;
		size_t len;	/* 0: strlen(in) */
		const char *out;
	} cases[] = {
		{ "flows.csv", 0, "flows.csv" },
		{ "", 0, "" },
		{ "memo.txt\nstatus: failed\nerror: forged", 0, "memo.txt\\nstatus: failed\\nerror: forged" },
		{ "a\tb\rc", 0, "a\\tb\\rc" },
		{ "x\x1b]0;pwned\a\x1b[31m", 0, "x\\x1b]0;pwned\\x07\\x1b[31m" },
		{ "back\\slash", 0, "back\\\\slash" },
		{ "del\x7f", 0, "del\\x7f" },
		{ "Montr\xc3\xa9" "al \xe2\x80\x94 \xf0\x9f\x98\x80", 0, "Montr\xc3\xa9" "al \xe2\x80\x94 \xf0\x9f\x98\x80" },
		{ "csi\xc2\x9b" "31m", 0, "csi\\u009b31m" },	/* a C1 control, one byte CSI to some terminals */
		{ "nbsp\xc2\xa0", 0, "nbsp\xc2\xa0" },
		{ "latin1 \xe9t\xe9", 0, "latin1 \\xe9t\\xe9" },	/* not UTF-8 */
		{ "cut \xe2\x80", 0, "cut \\xe2\\x80" },		/* a truncated sequence */
		{ "nul\0after", 9, "nul\\x00after" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);

		escape_add(&sb, cases[i].in, len);
		assert_string_equal(sb.buf, cases[i].out);
		assert_null(memchr(sb.buf, '\n', sb.len));
		if (!cases[i].len)
			assert_int_equal(escape_needed(cases[i].in), strcmp(cases[i].in, cases[i].out) != 0);
		strbuf_release(&sb);
	}
}

/* Every single byte and every pair: the output is printable ASCII or UTF-8 without controls. */
static void test_escape__no_control_byte_survives(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char in[2];

	(void)state;
	for (int a = 0; a < 256; a++)
		for (int b = 0; b < 256; b++) {
			in[0] = (char)a;
			in[1] = (char)b;
			strbuf_reset(&sb);
			escape_add(&sb, in, 2);
			for (size_t i = 0; i < sb.len; i++) {
				unsigned char ch = (unsigned char)sb.buf[i];

				assert_false(ch < 0x20 || ch == 0x7f);
				assert_false(ch == 0xc2 && i + 1 < sb.len && (unsigned char)sb.buf[i + 1] < 0xa0);
			}
		}
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape__table),
		cmocka_unit_test(test_escape__no_control_byte_survives),
	};

	return cmocka_run_group_tests_name("escape", tests, NULL, NULL);
}
