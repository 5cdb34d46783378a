// SPDX-License-Identifier: GPL-3.0-or-later
/* C-style escaping of names from input (util/escape.h). */
#include "escape.h"

#include <string.h>

#include "utf8.h"

/* Bytes of the UTF-8 sequence at p copied as they are (0: escape the byte at p). */
static size_t plain_len(const unsigned char *p, const unsigned char *end)
{
	size_t n;

	if (*p == '\\' || *p < 0x20 || *p == 0x7f)
		return 0;
	n = utf8_seq_len(p, end);
	if (n == 2 && p[0] == 0xC2 && p[1] < 0xA0)
		return 0; /* C1 control */
	return n;
}

void escape_add(struct strbuf *out, const char *s, size_t len)
{
	static const char named[] = "\\\n\t\r", letters[] = "\\ntr";	/* \\ \n \t \r */
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	const char *k;

	while (p < end) {
		const unsigned char *run = p;
		size_t n;

		while (p < end && (n = plain_len(p, end)))
			p += n;
		strbuf_add(out, run, (size_t)(p - run));
		if (p == end)
			break;
		if (*p && (k = strchr(named, *p))) {
			strbuf_addch(out, '\\');
			strbuf_addch(out, letters[k - named]);
		} else if (p[0] == 0xC2 && end - p >= 2 && p[1] >= 0x80 && p[1] < 0xA0) {
			strbuf_addf(out, "\\u%04x", p[1]);
			p++;
		} else {
			strbuf_addf(out, "\\x%02x", *p);
		}
		p++;
	}
}

void escape_addstr(struct strbuf *out, const char *s)
{
	if (s)
		escape_add(out, s, strlen(s));
}

int escape_needed(const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	size_t n;

	while (p < end && (n = plain_len(p, end)))
		p += n;
	return p < end;
}
