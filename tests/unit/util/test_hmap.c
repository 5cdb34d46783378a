// SPDX-License-Identifier: GPL-3.0-or-later
/* util/hmap: a map of borrowed keys. */
#include "../testlib.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../util/hmap.h"

/* A map of borrowed keys finds them, deletes them, and frees none of them (ASan would tell). */
static void test_hmap__borrowed_keys(void **state)
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
		cmocka_unit_test(test_hmap__borrowed_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
