// SPDX-License-Identifier: GPL-3.0-or-later
/* util/array: growth by doubling, room for any index, and no wrapped size. */
#include "../testlib.h"

#include <errno.h>
#include <stdlib.h>

#include "../../../util/array.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_array__grows_by_doubling),
		cmocka_unit_test(test_array__room_for_a_far_index),
		cmocka_unit_test(test_array__overflow_is_enomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
