// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * util/array: growth by doubling, room for any index, and no wrapped size;
 * on top of it strbuf_addf, and hmap with borrowed keys.
 */
#include "../testlib.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../util/array.h"
#include "../../../util/hmap.h"
#include "../../../util/strbuf.h"

static void test_array__grows_by_doubling(void **state)
{
	int *v = NULL;
	size_t n, alloc = 0;

	(void)state;
	for (n = 0; n < 100; n++) {
		assert_int_equal(array_reserve(&v, n, &alloc, sizeof(*v), 16), 0);
		assert_true(n < alloc);
		v[n] = (int)n;
	}
	assert_int_equal(alloc, 128); /* 16, 32, 64, 128 */
	for (n = 0; n < 100; n++)
		assert_int_equal(v[n], (int)n);
	free(v);
}

static void test_array__room_for_a_far_index(void **state)
{
	char *t = NULL;
	size_t alloc = 0;

	(void)state;
	assert_int_equal(array_reserve(&t, 1000, &alloc, 1, 256), 0);
	assert_int_equal(alloc, 1024);
	t[1000] = 'x';
	/* Room already there: nothing moves. */
	assert_int_equal(array_reserve(&t, 1023, &alloc, 1, 256), 0);
	assert_int_equal(alloc, 1024);
	free(t);
}

static void test_array__overflow_is_enomem(void **state)
{
	static const struct {
		size_t n, alloc, size;
	} cases[] = {
		{ SIZE_MAX / 8, 0, 16 },		/* elements fit, bytes wrap */
		{ SIZE_MAX - 1, 0, 1 },			/* doubling past SIZE_MAX */
		{ (SIZE_MAX / 2) + 1, 0, 2 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		void *p = NULL;
		size_t alloc = cases[i].alloc;

		assert_int_equal(array_reserve(&p, cases[i].n, &alloc, cases[i].size, 16), -ENOMEM);
		assert_null(p);
		assert_int_equal(alloc, cases[i].alloc); /* unchanged */
	}
}

/* strbuf_addf formats in place where it fits, and grows where it does not: the same bytes either way. */
static void test_array__strbuf_addf_fits_or_grows(void **state)
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

/* A map of borrowed keys finds them, deletes them, and frees none of them (ASan would tell). */
static void test_array__hmap_borrowed_keys(void **state)
{
	struct hmap m = HMAP_INIT_BORROWED;
	char keys[200][8];
	uint64_t v;
	int i;

	(void)state;
	for (i = 0; i < 200; i++) { /* past the first table's 64 slots: it grows */
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		assert_int_equal(hmap_put(&m, keys[i], (uint64_t)i), 0);
	}
	for (i = 0; i < 200; i += 2)
		assert_int_equal(hmap_del(&m, keys[i]), 1);
	for (i = 0; i < 200; i++) {
		assert_int_equal(hmap_get(&m, keys[i], &v), i % 2);
		if (i % 2)
			assert_int_equal(v, (uint64_t)i);
	}
	for (i = 0, v = 0; (size_t)i < m.cap; i++) /* the caller's strings themselves */
		v += m.slots[i].key == keys[1];
	assert_int_equal(v, 1);
	hmap_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_array__grows_by_doubling),
		cmocka_unit_test(test_array__room_for_a_far_index),
		cmocka_unit_test(test_array__overflow_is_enomem),
		cmocka_unit_test(test_array__strbuf_addf_fits_or_grows),
		cmocka_unit_test(test_array__hmap_borrowed_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
