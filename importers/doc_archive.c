// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Archive walking: an archive of documents is read once, start to end,
 * through the one archive reader (importers/archive.c, with its limits),
 * member by member, so memory holds one member at a time (and an archive
 * nested in it). What an archive may not do is refused before anything of
 * the call lands: names that climb out ('..', absolute), links, special
 * files, encrypted members, nesting deeper than AR_NESTING_MAX, members
 * over the reader's limits (size, expansion: a bomb), and truncated or
 * corrupt data. The error names the archive and the member.
 *
 * An email's attachments are walked here too, as the members of an
 * archive: doc_take() imports a document, then what it holds.
 */
#include "archive_i.h"
#include "importers_i.h"

#include <errno.h>
#include <string.h>

static int take_attachments(struct doc_call *c, const struct doc_origin *o, const struct email_parts *parts,
			    const char *date);

int doc_take(struct doc_call *c, const struct doc_origin *o, const unsigned char *data, size_t len)
{
	struct doc_attachments att = { { 0 }, STRBUF_INIT };
	int rc = doc_import(c, o, data, len, &att);

	if (!rc && att.parts.n)
		rc = take_attachments(c, o, &att.parts, att.date.buf);
	email_parts_release(&att.parts);
	strbuf_release(&att.date);
	return rc;
}

struct archive_walk {
	struct doc_call *c;
	const char *label;	/* the path of the outermost archive */
	const char *top;	/* its file name, first step of recorded member paths */
	const char *chain;	/* "" or "inner.zip/": the path of this archive inside the outermost */
	int depth;		/* 1 for the outermost */
};

static int walk_archive(const struct archive_walk *w, struct archive *a);

/* ar_read_member()'s check: an HTML or text document stops at DOC_TEXT_MAX, not at the member limit. */
struct text_check {
	enum doc_format forced;
	const char *member;
};

static int text_check(void *arg, const struct strbuf *data, struct strbuf *why)
{
	const struct text_check *t = arg;

	if (!doc_text_too_big(t->forced, t->member, data))
		return 0;
	strbuf_addf(why, "over %lu MiB: an HTML or text document is at most %lu MiB (split it)", DOC_TEXT_MAX >> 20,
		    DOC_TEXT_MAX >> 20);
	return 1;
}

/* Read the current member's data under the reader's limits. 0, 1 (refused) or -errno. */
static int read_member(const struct archive_walk *w, struct archive *a, struct archive_entry *e, const char *member,
		       struct strbuf *sb)
{
	struct text_check t = { w->c->format, member };
	struct strbuf why = STRBUF_INIT;
	int rc = ar_read_member(a, e, sb, text_check, &t, &why);

	if (rc > 0)
		import_report_refuse(w->c->rep, w->label, member, 0, 0, "%s", why.buf);
	strbuf_release(&why);
	return rc;
}

/* A member that is itself an archive: walk it from memory, one level deeper. */
static int walk_nested(const struct archive_walk *w, const char *member, const struct strbuf *sb)
{
	struct strbuf chain = STRBUF_INIT, why = STRBUF_INIT;
	struct archive_walk inner = *w;
	struct ar_memory m;
	struct archive *a;
	int rc;

	if (w->depth >= AR_NESTING_MAX)
		return import_report_refuse(w->c->rep, w->label, member, 0, 0,
					    "an archive nested more than %d deep: refused", AR_NESTING_MAX);
	rc = ar_open_memory(&m, sb->buf, sb->len, &a, &why);
	if (rc) {
		if (rc > 0)
			import_report_refuse(w->c->rep, w->label, member, 0, 0, "%s", why.buf);
		strbuf_release(&why);
		return rc;
	}
	strbuf_addf(&chain, "%s/", member);
	inner.chain = chain.buf;
	inner.depth = w->depth + 1;
	rc = walk_archive(&inner, a);
	archive_read_free(a);
	strbuf_release(&chain);
	return rc;
}

/* A member of an archive (or an attachment): an archive to walk, or a document. */
static int take_member(const struct archive_walk *w, const char *member, const char *name, const char *date,
		       const struct strbuf *data)
{
	struct strbuf recorded = STRBUF_INIT;
	struct doc_origin o = { w->label, member, NULL, name, w->top, w->depth, date };
	int rc;

	if (data->len && document_sniff(name, (const unsigned char *)data->buf, data->len) == DOC_ARCHIVE)
		return walk_nested(w, member, data);
	strbuf_addf(&recorded, "%s/%s", w->top, member);
	o.recorded = recorded.buf;
	rc = strbuf_ok(&recorded) ? -ENOMEM : doc_take(w->c, &o, (const unsigned char *)data->buf, data->len);
	strbuf_release(&recorded);
	return rc;
}

/*
 * An email's attachments are members of it, as of an archive: recorded as
 * "release.zip/mail.eml/a.pdf" (or "mail.eml/a.pdf"), under the limits of
 * archives, an email inside an email counting as a level of nesting.
 */
static int take_attachments(struct doc_call *c, const struct doc_origin *o, const struct email_parts *parts,
			    const char *date)
{
	const char *base = strrchr(o->name, '/') ? strrchr(o->name, '/') + 1 : o->name;
	struct strbuf chain = STRBUF_INIT, member = STRBUF_INIT, data = STRBUF_INIT;
	struct archive_walk w = { c, o->label, o->top ? o->top : base, "", o->depth + 1 };
	int rc = 0;

	if (w.depth > AR_NESTING_MAX)
		return import_report_refuse(c->rep, o->label, o->member, 0, 0,
					    "an email nested more than %d deep: refused", AR_NESTING_MAX);
	if (o->member)
		strbuf_addf(&chain, "%s/", o->member);
	w.chain = chain.buf ? chain.buf : "";
	for (size_t i = 0; !rc && i < parts->n; i++) {
		strbuf_reset(&member);
		strbuf_addf(&member, "%s%s", w.chain, parts->items[i].name);
		/* take_member() reads a strbuf; the attachment is lent, not copied. */
		data.buf = (char *)parts->items[i].data;
		data.len = parts->items[i].len;
		rc = strbuf_ok(&member) ? -ENOMEM : take_member(&w, member.buf, parts->items[i].name, date, &data);
	}
	strbuf_release(&chain);
	strbuf_release(&member);
	return rc;
}

static int walk_archive(const struct archive_walk *w, struct archive *a)
{
	struct archive_entry *e;
	struct strbuf member = STRBUF_INIT, data = STRBUF_INIT;
	int r, rc = 0;

	while (!rc && ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN)) {
		const char *name = archive_entry_pathname_utf8(e);
		mode_t type = archive_entry_filetype(e);

		if (!name)
			name = archive_entry_pathname(e);
		while (name && name[0] == '.' && name[1] == '/') /* "tar -C dir ." writes ./NAME */
			name += 2;
		strbuf_reset(&member);
		strbuf_addf(&member, "%s%s", w->chain, name ? name : "");
		if (type == AE_IFDIR && name && bundle_safe_name(name))
			continue;
		if (!name || !bundle_safe_name(name)) {
			rc = import_report_refuse(w->c->rep, w->label, member.buf, 0, 0,
						  "its name climbs out of the archive (absolute, or with '..'): refused");
		} else if (archive_entry_hardlink(e) || type == AE_IFLNK) {
			rc = import_report_refuse(w->c->rep, w->label, member.buf, 0, 0,
						  "a link: links in archives are refused");
		} else if (type != AE_IFREG) {
			rc = import_report_refuse(w->c->rep, w->label, member.buf, 0, 0, "a special file: refused");
		} else if (archive_entry_is_encrypted(e)) {
			rc = import_report_refuse(w->c->rep, w->label, member.buf, 0, 0, "encrypted: refused");
		}
		if (rc)
			break;
		strbuf_reset(&data);
		rc = read_member(w, a, e, member.buf, &data);
		if (rc)
			break;
		rc = take_member(w, member.buf, name, NULL, &data);
	}
	if (!rc && r != ARCHIVE_EOF)
		rc = import_report_refuse(w->c->rep, w->label, NULL, 0, 0, "%s%s%struncated or corrupt archive: %s",
					  member.len ? "after member '" : "", member.buf, member.len ? "': " : "",
					  archive_error_string(a) ? archive_error_string(a) : "unknown error");
	strbuf_release(&member);
	strbuf_release(&data);
	return rc;
}

int doc_archive_import(struct doc_call *c, const char *path)
{
	const char *top = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct archive_walk w = { c, path, top, "", 1 };
	struct strbuf why = STRBUF_INIT;
	struct archive *a;
	int rc = ar_open_file(path, &a, &why);

	if (rc > 0)
		import_report_refuse(c->rep, path, NULL, 0, 0, "%s", why.buf);
	strbuf_release(&why);
	if (rc)
		return rc;
	rc = walk_archive(&w, a);
	archive_read_free(a);
	return rc;
}
