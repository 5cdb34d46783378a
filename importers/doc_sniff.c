// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Format sniffing: what a document's bytes (and its name) say it is, from
 * its first KiB. It reads nothing else and calls nothing of importers/.
 */
#include "importers_i.h"

#include <string.h>
#include <strings.h>

#include "../util/utf8.h"

const char *doc_format_name(enum doc_format f)
{
	switch (f) {
	case DOC_PDF:
		return "pdf";
	case DOC_HTML:
		return "html";
	case DOC_TEXT:
		return "text";
	case DOC_IMAGE:
		return "image";
	case DOC_EMAIL:
		return "email";
	case DOC_DOCX:
		return "docx";
	case DOC_XLSX:
		return "xlsx";
	case DOC_ODT:
		return "odt";
	case DOC_ODS:
		return "ods";
	default:
		return "";
	}
}

static int ends_with(const char *name, const char *suffix)
{
	size_t n = strlen(name), m = strlen(suffix);

	return n >= m && !strcasecmp(name + n - m, suffix);
}

static int starts_ci(const unsigned char *p, const unsigned char *end, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(end - p) >= n && !strncasecmp((const char *)p, s, n);
}

/*
 * Mail opens with header fields; a memo that starts "From: ..." does not
 * have Date: or Subject: and MIME-Version: or Message-ID: too.
 */
static int looks_like_mail(const unsigned char *p, const unsigned char *end)
{
	static const char *const starts[] = { "From:", "Return-Path:", "Received:", "Date:", "Message-ID:",
					      "MIME-Version:", "Delivered-To:", "Subject:", "To:", NULL };
	int from = 0, date_or_subject = 0, mime = 0, first = 1;

	while (p < end) {
		const unsigned char *eol = memchr(p, '\n', (size_t)(end - p));
		int known = 0;

		if (!eol || eol == p || (*p == '\r' && eol == p + 1))
			break; /* the blank line ends the header (or the window ends) */
		for (int i = 0; starts[i]; i++)
			if (starts_ci(p, end, starts[i]))
				known = 1;
		if (first && !known)
			return 0;
		first = 0;
		from |= starts_ci(p, end, "From:");
		date_or_subject |= starts_ci(p, end, "Date:") || starts_ci(p, end, "Subject:");
		mime |= starts_ci(p, end, "MIME-Version:") || starts_ci(p, end, "Message-ID:") ||
			starts_ci(p, end, "Received:");
		p = eol + 1;
	}
	return from && date_or_subject && mime;
}

enum doc_format document_sniff(const char *name, const unsigned char *data, size_t len)
{
	static const struct {
		size_t off;
		const char *magic;
		size_t n;
	} archives[] = {
		{ 0, "PK\x03\x04", 4 }, { 0, "PK\x05\x06", 4 }, { 0, "7z\xBC\xAF\x27\x1C", 6 },
		{ 0, "\x1F\x8B", 2 }, { 0, "\xFD" "7zXZ\x00", 6 }, { 0, "BZh", 3 }, { 257, "ustar", 5 },
		{ 0, "\x28\xB5\x2F\xFD", 4 }, { 0, "Rar!\x1A\x07", 6 },
	};
	static const char *const html_starts[] = { "<!doctype html", "<html", "<head", "<body", "<title", "<meta", NULL };
	static const char *const text_names[] = { ".txt", ".text", ".md", ".csv", ".tsv", NULL };
	const unsigned char *p = data, *end = data + (len < 1024 ? len : 1024);
	size_t i;

	for (const unsigned char *q = p; q + 5 <= end; q++)
		if (!memcmp(q, "%PDF-", 5))
			return DOC_PDF;
	if ((len >= 8 && !memcmp(data, "\x89PNG\r\n\x1A\n", 8)) || (len >= 3 && !memcmp(data, "\xFF\xD8\xFF", 3)) ||
	    (len >= 4 && (!memcmp(data, "II*\0", 4) || !memcmp(data, "MM\0*", 4))))
		return DOC_IMAGE;
	if (len >= 4 && !memcmp(data, "PK\x03\x04", 4)) {
		/* Office files are zips; their name says which (office.c checks the parts are there). */
		if (ends_with(name, ".docx"))
			return DOC_DOCX;
		if (ends_with(name, ".xlsx"))
			return DOC_XLSX;
		if (ends_with(name, ".odt"))
			return DOC_ODT;
		if (ends_with(name, ".ods"))
			return DOC_ODS;
	}
	if (ends_with(name, ".eml") || looks_like_mail(p, end))
		return DOC_EMAIL;
	for (i = 0; i < sizeof(archives) / sizeof(archives[0]); i++)
		if (len >= archives[i].off + archives[i].n &&
		    !memcmp(data + archives[i].off, archives[i].magic, archives[i].n))
			return DOC_ARCHIVE;
	if (ends_with(name, ".htm") || ends_with(name, ".html") || ends_with(name, ".xhtml"))
		return DOC_HTML;
	if (end - p >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		p += 3;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	for (i = 0; html_starts[i]; i++)
		if (starts_ci(p, end, html_starts[i]))
			return DOC_HTML;
	for (i = 0; text_names[i]; i++)
		if (ends_with(name, text_names[i]))
			return DOC_TEXT;
	return len && utf8_text((const char *)data, len) ? DOC_TEXT : DOC_UNKNOWN;
}
