// SPDX-License-Identifier: GPL-3.0-or-later
/* Unit tests of util/io.c: reading a whole descriptor, and the memory a process may have. */
#include "../testlib.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../../util/io.h"

/* The memory a process may have: some, and never more than the machine's or its control group's. */
static void test_io__memory_is_the_smaller_limit(void **state)
{
	uint64_t mem = io_memory_bytes(), machine = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE);
	unsigned long long limit = 0;
	FILE *fp;

	(void)state;
	assert_true(mem > 0);
	assert_true(mem <= machine);
	/* A v2 control group at the root of the hierarchy (a container's own view). */
	fp = fopen("/sys/fs/cgroup/memory.max", "r");
	if (fp && fscanf(fp, "%llu", &limit) == 1)
		assert_true(mem <= limit);
	if (fp)
		fclose(fp);
}

/* io_read_all stops past its bound with -EFBIG, and reads all below it. */
static void test_io__read_all_is_bounded(void **state)
{
	struct strbuf out = STRBUF_INIT;
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(io_write_all(fds[1], "0123456789", 10), 0);
	close(fds[1]);
	assert_int_equal(io_read_all(fds[0], &out, 100, NULL, NULL), 0);
	assert_int_equal(out.len, 10);
	close(fds[0]);
	strbuf_reset(&out);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(io_write_all(fds[1], "0123456789", 10), 0);
	close(fds[1]);
	assert_int_equal(io_read_all(fds[0], &out, 5, NULL, NULL), -EFBIG);
	close(fds[0]);
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_io__memory_is_the_smaller_limit),
		cmocka_unit_test(test_io__read_all_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
