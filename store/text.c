// SPDX-License-Identifier: GPL-3.0-or-later
/* Slugs and dates: the pure functions of the store (no SQL). */
#include "store_i.h"

#include <errno.h>
#include <string.h>
#include <time.h>

void store_slug(const char *name, struct strbuf *out)
{
	size_t start = out->len;
	const unsigned char *p;

	for (p = (const unsigned char *)name; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '.' || *p == '_' || *p == '-')
			strbuf_addch(out, *p);
		else if (*p == ' ')
			strbuf_addch(out, '-');
	}
	/* Never ".", ".." or empty: those are not names a directory can hold. */
	if (out->len == start || !strcmp(out->buf + start, ".") || !strcmp(out->buf + start, "..")) {
		out->len = start;
		if (out->alloc)
			out->buf[start] = '\0';
		strbuf_addch(out, '_');
	}
}

static int digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

int store_date_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	int y, m, d;

	if (n != 4 && n != 7 && n != 10)
		return -EINVAL;
	y = digits(s, 4);
	if (y < 1000)
		return -EINVAL;
	if (n == 4)
		return 0;
	if (s[4] != '-')
		return -EINVAL;
	m = digits(s + 5, 2);
	if (m < 1 || m > 12)
		return -EINVAL;
	if (n == 7)
		return 0;
	if (s[7] != '-')
		return -EINVAL;
	d = digits(s + 8, 2);
	if (d < 1 || d > days_in_month(y, m))
		return -EINVAL;
	return 0;
}

int store_date_full(const char *s)
{
	return s && strlen(s) == 10 && store_date_valid(s) == 0;
}

void store_today(char buf[11])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, 11, "%Y-%m-%d", &tm);
}

void store_now(char buf[21])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
