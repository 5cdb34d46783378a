// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * One document becomes a source: its format (doc_sniff.c), its bytes
 * hashed (the content address: bytes already stored add nothing), its
 * text extracted and stored (doc_extract.c), its kind, date, title and id
 * (doc_name.c), and, for a partner list, its entries. The walkers above
 * (doc_archive.c, documents.c) hand each document here; an email's
 * attachments are handed back to them to walk.
 */
#include "importers_i.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "../util/escape.h"

/* OCR's progress through a document, for the report's callback. */
struct ocr_progress {
	struct doc_call *c;
	const char *name;
};

static void ocr_progress(void *arg, long done, long total)
{
	struct ocr_progress *p = arg;

	p->c->rep->progress_ocr(p->c->rep->progress_arg, p->name, done, total);
}

static int partner_entries_of(struct doc_call *c, const struct doc_origin *o, enum doc_format f,
			      const unsigned char *data, size_t len, struct partner_entries *e)
{
	struct strbuf err = STRBUF_INIT;
	unsigned line = 0, col = 0;
	int rc;

	if (f == DOC_HTML)
		rc = partner_list_parse_html((const char *)data, len, e, &err);
	else if (f == DOC_TEXT)
		rc = partner_list_parse_csv((const char *)data, len, e, &err, &line, &col);
	else {
		strbuf_addstr(&err, "a partner list is an HTML page or a CSV file");
		rc = -EINVAL;
	}
	if (rc == -EINVAL)
		rc = import_report_refuse(c->rep, o->label, o->member, line, col, "%s", err.buf);
	strbuf_release(&err);
	return rc;
}

int doc_import(struct doc_call *c, const struct doc_origin *o, const unsigned char *data, size_t len,
	       struct doc_attachments *att)
{
	struct doc_text t = { 0 };
	struct strbuf err = STRBUF_INIT, id = STRBUF_INIT, title = STRBUF_INIT, file = STRBUF_INIT;
	struct strbuf existing = STRBUF_INIT, stored_sha = STRBUF_INIT, member = STRBUF_INIT;
	struct partner_entries entries = { 0 };
	struct ocr_progress progress = { c, o->recorded ? o->recorded : o->label };
	struct pia_info pia;
	enum doc_format f = c->format;
	const char *kind = c->source_kind, *date;
	unsigned line, col;
	char sha[65];
	int rc, is_pia = 0, partner_list;

	if (!len)
		return import_report_refuse(c->rep, o->label, o->member, 0, 0, "empty file");
	if (f == DOC_UNKNOWN) {
		f = document_sniff(o->name, data, len);
		if (f == DOC_UNKNOWN) {
			if (o->member) { /* releases mix in spreadsheets and images: skip them */
				import_report_warning(c->rep, o->label, "member '%s': not a PDF, HTML or text file: skipped",
						      o->member);
				return 0;
			}
			return import_report_refuse(c->rep, o->label, NULL, 0, 0,
						    "not a PDF, HTML or text file (nletsfs reads those, and archives of them)");
		}
	} else if (document_sniff(o->name, data, len) == DOC_PDF && f != DOC_PDF) {
		return import_report_refuse(c->rep, o->label, o->member, 0, 0, "a PDF, not %s", doc_format_name(f));
	}
	if (++c->ndocs > 1 && (c->o->id || c->o->title))
		return import_report_refuse(c->rep, o->label, o->member, 0, 0,
					    "--id and --title name one document, and this call holds more than one");
	partner_list = kind && !strcmp(kind, "partner-list");
	import_sha256_hex(data, len, sha);
	rc = store_source_by_sha256(c->st, sha, &existing);
	if (rc && rc != -ENOENT)
		goto out;
	if (!rc && !partner_list) {
		/* Content-addressed: these bytes are a source already. */
		c->rep->sources_unchanged++;
		goto out;
	}
	if (!rc) {
		/* A list seen again: one more observation of the same source. */
		rc = partner_entries_of(c, o, f, data, len, &entries);
		if (!rc)
			rc = partner_list_import(c->st, existing.buf, c->o->as_of, &entries, c->rep);
		c->rep->sources_unchanged++;
		goto out;
	}
	if (c->rep->progress_ocr) {
		t.progress = ocr_progress;
		t.progress_arg = &progress;
	}
	if (f == DOC_EMAIL)
		rc = email_extract(data, len, &t, &att->parts, &err);
	else
		rc = doc_extract(f, data, len, &t, &err, &line, &col);
	if (rc == -EINVAL) {
		rc = import_report_refuse(c->rep, o->label, o->member, line, col, "%s", err.buf);
		goto out;
	}
	if (rc)
		goto out;
	if (t.npages && (!kind || !strcmp(kind, "pia"))) {
		pia_detect(t.pages[0].buf, t.pages[0].len, &pia);
		is_pia = !strcmp(kind ? kind : "", "pia") || pia.titled ||
			 (t.title && !strncasecmp(t.title, "Privacy Impact Assessment", 25));
	}
	if (!kind)
		kind = is_pia ? "pia" : f == DOC_HTML ? "web" : "other";
	if (partner_list)
		date = c->o->as_of;
	else if (c->o->date)
		date = c->o->date;
	else if (is_pia && *pia.date)
		date = pia.date;
	else
		date = t.date;
	if (!date && t.nocr && t.npages) {
		/* A scan has no metadata of its own: the first date its first page gives. */
		find_first_date(t.pages[0].buf, t.pages[0].len, pia.date);
		date = *pia.date ? pia.date : NULL;
	}
	if (!date)
		date = o->date;
	if (!date) {
		rc = import_report_refuse(c->rep, o->label, o->member, 0, 0,
					  "no date: the document does not give one; give --date");
		goto out;
	}
	doc_title(c->o->title, &t, o->name, &title);
	if (c->o->id)
		strbuf_addstr(&id, c->o->id);
	else
		doc_make_id(title.buf, sha, &id);
	doc_file_name(o->name, f, &file);
	rc = strbuf_ok(&title) || strbuf_ok(&id) || strbuf_ok(&file) ? -ENOMEM : 0;
	if (rc)
		goto out;
	rc = store_source_document(c->st, id.buf, NULL, &stored_sha);
	if (!rc) {
		rc = import_report_refuse(c->rep, o->label, o->member, 0, 0,
					  "source '%s' already holds another document (sha256 %s)", id.buf,
					  stored_sha.buf);
		goto out;
	}
	if (rc != -ENOENT)
		goto out;
	/* sources/ID/member is one line, whatever the archive calls its member. */
	escape_addstr(&member, o->recorded);
	rc = strbuf_ok(&member) ? -ENOMEM : doc_source_put(c, id.buf, title.buf, kind, date, file.buf, data, len, sha);
	if (!rc)
		rc = document_store_pages(c->st, id.buf, f, sha, o->recorded ? member.buf : NULL, is_pia ? &pia : NULL,
					  &t, c->rep);
	if (rc)
		goto out;
	c->rep->documents++;
	c->rep->pages += (long)t.npages;
	if (c->rep->progress_document)
		c->rep->progress_document(c->rep->progress_arg, o->recorded ? o->recorded : o->label, (long)t.npages);
	if (o->recorded)
		strlist_add(&c->rep->members, o->recorded);
	strlist_add(&c->rep->created, id.buf);
	if (!doc_has_text(&t))
		import_report_warning(c->rep, o->label, "%s%s%sno text (a scan without a text layer?)",
				      o->member ? "member '" : "", o->member ? o->member : "", o->member ? "': " : "");
	if (partner_list) {
		rc = partner_entries_of(c, o, f, data, len, &entries);
		if (!rc)
			rc = partner_list_import(c->st, id.buf, c->o->as_of, &entries, c->rep);
	}
	/* An email's attachments are its walker's to take (doc_archive.c), on the email's date. */
	if (!rc && att->parts.n)
		strbuf_addstr(&att->date, date);
	if (!rc && att->parts.n && strbuf_ok(&att->date))
		rc = -ENOMEM;
out:
	partner_entries_release(&entries);
	doc_text_release(&t);
	strbuf_release(&err);
	strbuf_release(&id);
	strbuf_release(&title);
	strbuf_release(&file);
	strbuf_release(&existing);
	strbuf_release(&stored_sha);
	strbuf_release(&member);
	return rc;
}
