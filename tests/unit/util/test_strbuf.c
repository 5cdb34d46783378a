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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf__addf_fits_or_grows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
