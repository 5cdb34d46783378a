// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The date parser: store_date_valid() and store_date_full() over arbitrary
 * strings agree with an independent reading of the rule (YYYY, YYYY-MM or
 * YYYY-MM-DD, year 1000-9999, a real month and day, leap years honoured).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzlib.h"

static int num(const char *s, size_t from, size_t to)
{
	int v = 0;

	for (; from < to; from++)
		v = v * 10 + (s[from] - '0');
	return v;
}

static int expected_valid(const char *s)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	size_t n = strlen(s), i;
	int y, m, d, max;

	if (n != 4 && n != 7 && n != 10)
		return 0;
	for (i = 0; i < n; i++)
		if ((i == 4 || i == 7) ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return 0;
	y = num(s, 0, 4);
	if (y < 1000)
		return 0;
	if (n == 4)
		return 1;
	m = num(s, 5, 7);
	if (m < 1 || m > 12)
		return 0;
	if (n == 7)
		return 1;
	d = num(s, 8, 10);
	max = mdays[m - 1] + (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
	return d >= 1 && d <= max;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstring(data, size);
	int valid = expected_valid(s), rc = store_date_valid(s);

	FUZZ_ASSERT(rc == 0 || rc == -EINVAL);
	FUZZ_ASSERT((rc == 0) == valid);
	FUZZ_ASSERT(store_date_full(s) == (valid && strlen(s) == 10));
	free(s);
	return 0;
}
