// SPDX-License-Identifier: GPL-3.0-or-later
/* util/strbuf: formatted appends, in place or grown. */
#include "../testlib.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../util/strbuf.h"

/* strbuf_addf formats in place where it fits, and grows where it does not: the same bytes either way. */
static void test_strbuf__addf_fits_or_grows(void **state)
{
	struct strbuf sb = STRBUF_INIT, want = STRBUF_INIT;
	char big[300];
	int i;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (i = 0; i < 200; i++) { /* every remaining room, from none to more than enough */
		const char *s = big + sizeof(big) - 1 - (size_t)(i % 97);

		char num[16];

		strbuf_addf(&sb, "%d:%s;", i, s);
		snprintf(num, sizeof(num), "%d:", i);
		strbuf_addstr(&want, num);
		strbuf_addstr(&want, s);
		strbuf_addch(&want, ';');
		assert_int_equal(sb.len, want.len);
		assert_int_equal(strlen(sb.buf), sb.len);
		assert_string_equal(sb.buf, want.buf);
	}
	strbuf_addf(&sb, "%s", ""); /* nothing added: still terminated */
	assert_int_equal(sb.len, want.len);
	assert_int_equal(strlen(sb.buf), sb.len);
	strbuf_release(&sb);
	strbuf_release(&want);
}

/* A format of strings only is appended without vsnprintf: the bytes snprintf gives, whatever the strings. */
static void test_strbuf__addf_strings_only(void **state)
{
	static const char *const fmts[] = { "", "plain", "%s", "%s%s", "a %s b %s c", "100%% %s", "%%s %s %%",
					    "%s\n%s\n", "%%%%" };
	const char *args[] = { "", "x", "a longer string, with % signs %s and all", NULL };
	char want[512];
	size_t f, i, j;

	(void)state;
	for (f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++)
		for (i = 0; i < sizeof(args) / sizeof(args[0]); i++)
			for (j = 0; j < sizeof(args) / sizeof(args[0]); j++) {
				struct strbuf sb = STRBUF_INIT;
				const char *a = args[i] ? args[i] : "(null)", *b = args[j] ? args[j] : "(null)";

				strbuf_addstr(&sb, "before;");
				/* Two string arguments for every format; those that take fewer ignore the rest. */
				strbuf_addf(&sb, fmts[f], a, b);
				snprintf(want, sizeof(want), "before;%s", "");
				snprintf(want + 7, sizeof(want) - 7, fmts[f], a, b);
				assert_string_equal(sb.buf, want);
				assert_int_equal(sb.len, strlen(want));
				strbuf_release(&sb);
			}
}

/* Any other conversion takes vsnprintf's way, the same bytes. */
static void test_strbuf__addf_other_conversions(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	strbuf_addf(&sb, "%s=%d %5s|%-3s|%.2s %%", "n", 42, "ab", "c", "xyz");
	assert_string_equal(sb.buf, "n=42    ab|c  |xy %");
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf__addf_fits_or_grows),
		cmocka_unit_test(test_strbuf__addf_strings_only),
		cmocka_unit_test(test_strbuf__addf_other_conversions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
