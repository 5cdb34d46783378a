// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Email (RFC 5322 with MIME, as .eml files are exported) through GMime 3.
 * One page: the From, To, Cc, Date and Subject headers (decoded), a blank
 * line, then the text body (text/plain; else the text/html body through
 * the HTML importer). The subject is the title, the Date: header the date.
 * Every attached file, and every attached message (message/rfc822, as
 * NAME.eml), is handed back decoded for the caller to import as a member
 * document of the email (importers/doc_archive.c).
 */
#include "../util/array.h"
#include "archive_i.h"
#include "importers_i.h"

#include <errno.h>
#include <gmime/gmime.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define EMAIL_PART_MAX AR_MEMBER_MAX	/* bytes of one decoded attachment, as of an archive member */
#define EMAIL_PARTS_MAX 10000
#define EMAIL_NESTING_MARKS_MAX 1000	/* multipart boundaries and attached messages GMime may nest */

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_start(void)
{
	g_mime_init();
}

void email_parts_release(struct email_parts *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->items[i].name);
		free(p->items[i].data);
	}
	free(p->items);
	memset(p, 0, sizeof(*p));
}

struct walk {
	struct email_parts *parts;	/* NULL: attachments are not wanted */
	struct strbuf plain, html;
	int nplain, nhtml;
	int rc;
	struct strbuf *err;
};

/* A name for an attachment that is safe as one step of a member path. */
static char *part_name(const char *given, size_t index, const char *ext)
{
	struct strbuf sb = STRBUF_INIT;

	for (const char *p = given ? given : ""; *p; p++)
		strbuf_addch(&sb, *p == '/' || *p == '\\' || (unsigned char)*p < 0x20 ? '_' : *p);
	if (!sb.len || !strcmp(sb.buf, ".") || !strcmp(sb.buf, "..")) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "attachment-%zu%s", index, ext);
	}
	if (strbuf_ok(&sb)) {
		strbuf_release(&sb);
		return NULL;
	}
	return sb.buf;
}

static int add_part(struct walk *w, const char *given, const char *ext, GByteArray *bytes)
{
	struct email_parts *p = w->parts;
	struct email_part *e;

	if (bytes->len > EMAIL_PART_MAX) {
		strbuf_addf(w->err, "attachment '%s': over %lu MiB decoded: refused", given ? given : "(unnamed)",
			    EMAIL_PART_MAX >> 20);
		return -EINVAL;
	}
	if (p->n >= EMAIL_PARTS_MAX) {
		strbuf_addf(w->err, "more than %d attachments: refused", EMAIL_PARTS_MAX);
		return -EINVAL;
	}
	if (array_reserve(&p->items, p->n, &p->alloc, sizeof(*p->items), 8))
		return -ENOMEM;
	e = &p->items[p->n];
	e->name = part_name(given, p->n + 1, ext);
	e->len = bytes->len;
	e->data = malloc(bytes->len ? bytes->len : 1);
	if (!e->name || !e->data) {
		free(e->name);
		free(e->data);
		return -ENOMEM;
	}
	memcpy(e->data, bytes->data, bytes->len);
	p->n++;
	return 0;
}

/* The decoded bytes of a part (transfer encoding undone) or of an attached message, as written. */
static GByteArray *bytes_of(GMimeObject *part, GMimeStream **keep)
{
	GMimeStream *mem = g_mime_stream_mem_new();

	if (GMIME_IS_MESSAGE_PART(part)) {
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(part));

		if (inner)
			g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, mem);
	} else {
		GMimeDataWrapper *content = g_mime_part_get_content(GMIME_PART(part));

		if (content)
			g_mime_data_wrapper_write_to_stream(content, mem);
	}
	*keep = mem;
	return g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
}

static void visit(GMimeObject *parent, GMimeObject *part, gpointer arg)
{
	struct walk *w = arg;
	GMimeContentType *type = g_mime_object_get_content_type(part);
	GMimeStream *keep = NULL;

	(void)parent;
	if (w->rc)
		return;
	if (GMIME_IS_MESSAGE_PART(part)) {
		if (w->parts) {
			GMimeContentDisposition *d = g_mime_object_get_content_disposition(part);
			const char *fn = d ? g_mime_content_disposition_get_parameter(d, "filename") : NULL;
			struct strbuf name = STRBUF_INIT;

			/* An attached message is imported as an email: its name ends .eml. */
			if (fn && *fn)
				strbuf_addf(&name, "%s%s", fn, strlen(fn) > 4 && !strcasecmp(fn + strlen(fn) - 4, ".eml") ? "" : ".eml");
			w->rc = add_part(w, name.len ? name.buf : NULL, ".eml", bytes_of(part, &keep));
			strbuf_release(&name);
		}
	} else if (GMIME_IS_PART(part)) {
		GMimePart *p = GMIME_PART(part);
		const char *fn = g_mime_part_get_filename(p);
		int text = g_mime_content_type_is_type(type, "text", "plain"), html = g_mime_content_type_is_type(type, "text", "html");

		if ((text || html) && !g_mime_part_is_attachment(p) && !(fn && *fn) && GMIME_IS_TEXT_PART(part)) {
			char *s = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
			struct strbuf *into = text ? &w->plain : &w->html;

			if (s) {
				if (into->len)
					strbuf_addch(into, '\n');
				/* Mail's line ends are CRLF; the tree's are LF. */
				for (const char *c = s; *c; c++)
					if (!(c[0] == '\r' && c[1] == '\n'))
						strbuf_addch(into, *c);
				g_free(s);
			}
			if (strbuf_ok(into))
				w->rc = -ENOMEM;
		} else if (w->parts) {
			w->rc = add_part(w, fn, "", bytes_of(part, &keep));
		}
	}
	if (keep)
		g_object_unref(keep);
}

static void add_header(struct strbuf *page, const char *name, const char *value)
{
	if (value && *value)
		strbuf_addf(page, "%s: %s\n", name, value);
}

static void add_addresses(struct strbuf *page, const char *name, InternetAddressList *l)
{
	char *s = l ? internet_address_list_to_string(l, NULL, FALSE) : NULL;

	add_header(page, name, s);
	g_free(s);
}

/* Upper bound of the parts GMime would nest: "boundary=" and "message/rfc822", in any case. */
static size_t nesting_marks(const unsigned char *data, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i + 9 <= len; i++)
		if ((data[i] | 0x20) == 'b' && !strncasecmp((const char *)data + i, "boundary=", 9))
			n++;
		else if ((data[i] | 0x20) == 'm' && i + 14 <= len && !strncasecmp((const char *)data + i, "message/rfc822", 14))
			n++;
	return n;
}

int email_extract(const unsigned char *data, size_t len, struct doc_text *out, struct email_parts *parts,
		  struct strbuf *err)
{
	struct walk w = { parts, STRBUF_INIT, STRBUF_INIT, 0, 0, 0, err };
	struct strbuf page = STRBUF_INIT;
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;
	GDateTime *date;
	const char *subject;
	int rc = 0;

	pthread_once(&gmime_once, gmime_start);
	if (memchr(data, '\0', len)) {
		strbuf_addstr(err, "corrupt email: a NUL byte");
		return -EINVAL;
	}
	/* GMime's parser recurses into each nested part: bound the nesting before it runs. */
	if (nesting_marks(data, len) > EMAIL_NESTING_MARKS_MAX) {
		strbuf_addf(err, "more than %d nested MIME parts: refused", EMAIL_NESTING_MARKS_MAX);
		return -EINVAL;
	}
	stream = g_mime_stream_mem_new_with_buffer((const char *)data, len);
	parser = g_mime_parser_new_with_stream(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);
	if (!msg || !g_mime_message_get_mime_part(msg)) {
		strbuf_addstr(err, "corrupt email: no message GMime can read");
		rc = -EINVAL;
		goto out;
	}
	subject = g_mime_message_get_subject(msg);
	add_addresses(&page, "From", g_mime_message_get_from(msg));
	add_addresses(&page, "To", g_mime_message_get_to(msg));
	add_addresses(&page, "Cc", g_mime_message_get_cc(msg));
	date = g_mime_message_get_date(msg);
	if (date) {
		gchar *d = g_date_time_format(date, "%Y-%m-%d");

		if (d && strlen(d) == 10 && store_date_valid(d) == 0 && !(out->date = strdup(d)))
			rc = -ENOMEM;
		add_header(&page, "Date", d);
		g_free(d);
	}
	add_header(&page, "Subject", subject);
	if (!rc && subject && *subject && !(out->title = strdup(subject)))
		rc = -ENOMEM;
	g_mime_message_foreach(msg, visit, &w);
	rc = rc ? rc : w.rc;
	if (!rc) {
		strbuf_addch(&page, '\n');
		if (w.plain.len) {
			strbuf_add(&page, w.plain.buf, w.plain.len);
		} else if (w.html.len) {
			struct doc_text html = { 0 };
			struct strbuf herr = STRBUF_INIT;

			/* Through the HTML importer; an HTML body it cannot read leaves the headers alone. */
			if (!html_extract(w.html.buf, w.html.len, &html, &herr))
				for (size_t i = 0; i < html.npages; i++)
					strbuf_add(&page, html.pages[i].buf, html.pages[i].len);
			doc_text_release(&html);
			strbuf_release(&herr);
		}
		if (page.len && page.buf[page.len - 1] != '\n')
			strbuf_addch(&page, '\n');
		rc = strbuf_ok(&page) ? -ENOMEM : doc_text_add_page(out, page.buf, page.len);
	}
out:
	if (msg)
		g_object_unref(msg);
	strbuf_release(&w.plain);
	strbuf_release(&w.html);
	strbuf_release(&page);
	return rc;
}
