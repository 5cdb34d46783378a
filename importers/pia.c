// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Privacy Impact Assessments: what their first page says of them. A DHS
 * PIA's cover reads "Privacy Impact Assessment [Update] for ...", then its
 * identifier (DHS/USCIS/PIA-030(g): department, component, number and
 * update letter) and its date. The component is what the inventory links
 * as the PIA's agency.
 */
#include "importers_i.h"

#include "../util/array.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PIA_TITLE "Privacy Impact Assessment"
#define PIA_TITLE_LINES 15	/* non-blank lines of the page searched for the title */
#define PIA_SCAN_MAX 65536	/* bytes of the page searched */

static const char *const months[] = {
	"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
	"november", "december",
};

/* The month (1-12) a word names ("June", "Jun", "Jun.", "Sept"), or 0. */
static int month_of(const char *w, size_t n)
{
	char low[16];
	size_t i;

	if (n && w[n - 1] == '.')
		n--;
	if (n < 3 || n >= sizeof(low))
		return 0;
	for (i = 0; i < n; i++)
		low[i] = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] - 'A' + 'a' : w[i]);
	low[n] = '\0';
	for (i = 0; i < 12; i++)
		if (!strcmp(low, months[i]) || (n == 3 && !strncmp(low, months[i], 3)) || (i == 8 && !strcmp(low, "sept")))
			return (int)i + 1;
	return 0;
}

/* A number of exactly `digits` digits (0: 1 or 2) at p, or -1. */
static int number(const char *p, size_t n, int digits)
{
	int v = 0;

	if (!n || (digits && n != (size_t)digits) || (!digits && n > 2))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

struct word {
	const char *p;
	size_t n;
};

static int set_date(char out[11], int y, int m, int d)
{
	if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return 0;
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
	if (store_date_valid(out)) {
		out[0] = '\0';
		return 0;
	}
	return 1;
}

/* Try the date forms starting at word i of w[0..n). */
static int date_at(const struct word *w, size_t i, size_t n, char out[11])
{
	int m = month_of(w[i].p, w[i].n), y, d, mm;
	const char *s = w[i].p;

	/* June 18, 2019 */
	if (m && i + 2 < n && (d = number(w[i + 1].p, w[i + 1].n, 0)) > 0 &&
	    (y = number(w[i + 2].p, w[i + 2].n, 4)) > 0)
		return set_date(out, y, m, d);
	/* 18 June 2019 */
	if (i + 2 < n && (d = number(w[i].p, w[i].n, 0)) > 0 && (mm = month_of(w[i + 1].p, w[i + 1].n)) &&
	    (y = number(w[i + 2].p, w[i + 2].n, 4)) > 0)
		return set_date(out, y, mm, d);
	/* 06/18/2019 */
	if (w[i].n == 10 && s[2] == '/' && s[5] == '/' && (mm = number(s, 2, 2)) > 0 &&
	    (d = number(s + 3, 2, 2)) > 0 && (y = number(s + 6, 4, 4)) > 0)
		return set_date(out, y, mm, d);
	/* 2019-06-18 */
	if (w[i].n == 10 && s[4] == '-' && s[7] == '-' && (y = number(s, 4, 4)) > 0 &&
	    (mm = number(s + 5, 2, 2)) > 0 && (d = number(s + 8, 2, 2)) > 0)
		return set_date(out, y, mm, d);
	return 0;
}

void find_first_date(const char *text, size_t len, char out[11])
{
	struct word *w = NULL;
	size_t n = 0, alloc = 0, i;
	const char *p = text, *end = text + (len > PIA_SCAN_MAX ? PIA_SCAN_MAX : len);

	out[0] = '\0';
	/* Words: runs of letters, digits, '/', '-' and '.'; commas end them. */
	while (p < end) {
		const char *s;

		while (p < end && !((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
			p++;
		s = p;
		while (p < end && ((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
				   *p == '/' || *p == '-' || *p == '.'))
			p++;
		if (p == s)
			continue;
		if (array_reserve(&w, n, &alloc, sizeof(*w), 256))
			break;
		w[n].p = s;
		w[n].n = (size_t)(p - s);
		/* "2019." at the end of a sentence is the year 2019. */
		while (w[n].n > 1 && s[w[n].n - 1] == '.' && !month_of(s, w[n].n))
			w[n].n--;
		n++;
	}
	for (i = 0; i < n && !out[0]; i++)
		date_at(w, i, n, out);
	free(w);
}

/* Is one of the first non-blank lines "Privacy Impact Assessment..."? */
static int titled(const char *p, const char *end)
{
	int lines = 0;

	while (p < end && lines < PIA_TITLE_LINES) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol)
			eol = end;
		while (p < eol && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p < eol) {
			lines++;
			if ((size_t)(eol - p) >= strlen(PIA_TITLE) && !strncasecmp(p, PIA_TITLE, strlen(PIA_TITLE)))
				return 1;
		}
		p = eol + 1;
	}
	return 0;
}

void pia_detect(const char *page, size_t len, struct pia_info *out)
{
	regex_t re;
	regmatch_t m[3];
	size_t n = len > PIA_SCAN_MAX ? PIA_SCAN_MAX : len;
	char *text;

	memset(out, 0, sizeof(*out));
	out->titled = titled(page, page + n);
	find_first_date(page, n, out->date);
	text = malloc(n + 1);
	if (!text)
		return;
	memcpy(text, page, n);
	text[n] = '\0';
	/* NUL bytes would hide the rest of the page from regexec(). */
	for (size_t i = 0; i < n; i++)
		if (!text[i])
			text[i] = ' ';
	if (!regcomp(&re, "([A-Z]{2,10})/([A-Z][A-Z0-9-]{0,15})/PIA-[0-9]{1,4}(\\([a-z]{1,3}\\))?",
		     REG_EXTENDED)) {
		if (!regexec(&re, text, 3, m, 0)) {
			snprintf(out->identifier, sizeof(out->identifier), "%.*s", (int)(m[0].rm_eo - m[0].rm_so),
				 text + m[0].rm_so);
			snprintf(out->component, sizeof(out->component), "%.*s", (int)(m[2].rm_eo - m[2].rm_so),
				 text + m[2].rm_so);
		}
		regfree(&re);
	}
	free(text);
}
