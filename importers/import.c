// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * One import call, whatever it holds: records bundles and documents land in
 * one transaction, then excerpts are computed against the vocabulary as it
 * stands after the call (so a bundle and the documents that mention its
 * fields can come in together), and the call is recorded as a run.
 *
 * A failed call leaves the inventory as it was, except for one thing: its
 * run is recorded in a transaction of its own after the rollback, so that
 * imports/N says what failed. The run log is not part of the inventory's
 * facts (export leaves it out); a dry run records nothing.
 */
#include "importers_i.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/escape.h"

#define RUN_LINES_MAX 1000	/* members, warnings or errors listed in a run */

/* ---- options ------------------------------------------------------------------------------ */

static enum doc_format format_of(const char *kind)
{
	if (!kind)
		return DOC_UNKNOWN;
	if (!strcmp(kind, "pdf"))
		return DOC_PDF;
	if (!strcmp(kind, "html"))
		return DOC_HTML;
	if (!strcmp(kind, "text"))
		return DOC_TEXT;
	return DOC_UNKNOWN;
}

int import_check_options(const struct import_options *o, struct strbuf *err)
{
	const char *k = o->kind;
	int records = k && !strcmp(k, "records"), id_bad = 0;
	size_t start = err->len; /* err may hold earlier messages */

	if (k && strcmp(k, "auto") && !records && !import_is_source_kind(k) && format_of(k) == DOC_UNKNOWN)
		strbuf_addf(err, "--kind %s: not one of records, foia, pia, partner-list, law, report, web, other, "
			    "pdf, html, text, auto", k);
	else if (records && (o->title || o->date || o->url || o->id || o->as_of))
		strbuf_addstr(err, "--title, --date, --url, --id and --as-of describe documents, not records bundles");
	else if (k && !strcmp(k, "partner-list") && !o->as_of)
		strbuf_addstr(err, "--kind partner-list needs --as-of DATE: the day the list was seen");
	else if (o->as_of && o->date)
		strbuf_addstr(err, "--date and --as-of: a partner list is dated by --as-of, the day it was seen");
	else if (o->as_of && !(k && !strcmp(k, "partner-list")))
		strbuf_addstr(err, "--as-of dates a partner list: use it with --kind partner-list");
	else if (o->as_of && store_date_valid(o->as_of))
		strbuf_addf(err, "--as-of %s: not a date (YYYY, YYYY-MM or YYYY-MM-DD)", o->as_of);
	else if (o->date && store_date_valid(o->date))
		strbuf_addf(err, "--date %s: not a date (YYYY, YYYY-MM or YYYY-MM-DD)", o->date);
	if (o->id) {
		for (const unsigned char *p = (const unsigned char *)o->id; *p; p++)
			id_bad |= *p < 0x20 || *p == 0x7f || *p == ';' || *p == '/';
		if (!*o->id || id_bad || strlen(o->id) > 200 || o->id[0] == ' ')
			strbuf_addf(err, "--id '%s': an id has no control characters, ';' or '/', at most 200 bytes",
				    o->id);
	}
	return err->len > start ? -EINVAL : 0;
}

/* ---- the run record ---------------------------------------------------------------------------- */

static void add_lines(struct strbuf *out, const char *key, const struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n && i < RUN_LINES_MAX; i++) {
		strbuf_addf(out, "%s: ", key);
		escape_addstr(out, l->items[i]);
		strbuf_addch(out, '\n');
	}
	if (l->n > RUN_LINES_MAX)
		strbuf_addf(out, "%s: ... and %zu more\n", key, l->n - RUN_LINES_MAX);
}

static void run_report(const struct import_report *rep, const struct strbuf *err, struct strbuf *out)
{
	long rows = 0;
	size_t i;

	for (int k = 0; k < REC_COUNT; k++)
		rows += rep->rows[k];
	add_lines(out, "file", &rep->files);
	add_lines(out, "member", &rep->members);
	add_lines(out, "source", &rep->created);
	strbuf_addf(out, "rows: %ld\ndocuments: %ld\nunchanged: %ld\npages: %ld\nexcerpts: %ld\n", rows,
		    rep->documents, rep->sources_unchanged, rep->pages, rep->excerpts);
	strbuf_addf(out, "partners: %ld new, %ld updated, from %ld list%s\n", rep->partners_added,
		    rep->partners_updated, rep->lists, rep->lists == 1 ? "" : "s");
	if (rep->ocr_pages)
		strbuf_addf(out, "ocr pages: %ld\n", rep->ocr_pages);
	for (size_t k = 0; k < rep->nredactions; k++)
		strbuf_addf(out, "redacted: %s %ld\n", rep->redactions[k].code, rep->redactions[k].count);
	add_lines(out, "warning", &rep->warnings);
	for (i = 0; i < rep->nerrors && i < RUN_LINES_MAX; i++) {
		strbuf_addstr(out, "error: ");
		import_error_format(&rep->errors[i], out);
		strbuf_addch(out, '\n');
	}
	if (rep->nerrors > RUN_LINES_MAX)
		strbuf_addf(out, "error: ... and %zu more\n", rep->nerrors - RUN_LINES_MAX);
	if (err->len) {
		strbuf_addstr(out, "error: ");
		escape_add(out, err->buf, err->len);
		strbuf_addch(out, '\n');
	}
}

static int record_run(struct store *st, const struct import_options *o, struct import_report *rep,
		      const struct strbuf *err, const char *started, const char *status)
{
	struct strbuf report = STRBUF_INIT;
	struct store_import_run run = { started, NULL, status, o->kind ? o->kind : "auto", NULL };
	char finished[21];
	int rc;

	store_now(finished);
	run.finished = finished;
	run_report(rep, err, &report);
	run.report = report.buf;
	rc = strbuf_ok(&report) ? -ENOMEM : store_import_run_put(st, &run, &rep->run);
	strbuf_release(&report);
	return rc;
}

/*
 * The failed call's run, in a transaction of its own: the inventory itself
 * is unchanged. With the derive, so that imports/ and the new run get their
 * times (it finds nothing else changed and keeps the rest); should that
 * fail too (a full disk), the run alone, the derived data as fresh as it was.
 */
static void record_failed_run(struct store *st, const struct import_options *o, struct import_report *rep,
			      const struct strbuf *err, const char *started)
{
	int attempt, rc = -1;

	for (attempt = o->derive ? 0 : 1; rc && attempt < 2; attempt++) {
		struct strbuf ignored = STRBUF_INIT;

		if (store_begin(st))
			return;
		if (attempt)
			store_derived_unchanged(st);
		rc = record_run(st, o, rep, err, started, "failed");
		if (!rc && !attempt)
			rc = o->derive(o->derive_arg, st, 1, &ignored);
		if (!rc)
			rc = store_commit(st); /* which rolls back when it fails */
		else
			store_rollback(st);
		strbuf_release(&ignored);
	}
}

/* ---- the call ---------------------------------------------------------------------------------- */

int import_paths(struct store *st, const struct import_options *o, const char *const *paths, size_t npaths,
		 struct import_report *rep, struct strbuf *err)
{
	const char **records = calloc(npaths ? npaths : 1, sizeof(*records));
	struct doc_call call = { st, o, rep, NULL, format_of(o->kind), 0 };
	size_t nrecords = 0, i;
	char started[21];
	int rc = 0, dry = (o->flags & IMPORT_DRY_RUN) != 0, begun = 0;
	size_t err_start = err->len; /* err may hold earlier messages */

	store_now(started);
	if (!records)
		return -ENOMEM;
	rc = import_check_options(o, err);
	if (rc) {
		free(records); /* a usage error: not a run */
		return rc;
	}
	call.source_kind = import_is_source_kind(o->kind) ? o->kind : NULL;
	/* auto: a folder or archive holding record CSV files is a bundle; anything else, documents. */
	for (i = 0; i < npaths; i++) {
		strlist_add(&rep->files, paths[i]);
		if ((o->kind && !strcmp(o->kind, "records")) ||
		    ((!o->kind || !strcmp(o->kind, "auto")) && import_is_records_bundle(paths[i])))
			records[nrecords++] = paths[i];
	}
	rc = store_begin(st);
	if (rc) {
		strbuf_addf(err, "cannot write the inventory: %s", store_errmsg(st));
		goto out;
	}
	begun = 1;
	if (nrecords)
		rc = import_records_txn(st, records, nrecords, o->name_taken, rep, err);
	for (i = 0; !rc && !rep->nerrors && i < npaths; i++) {
		size_t j;

		for (j = 0; j < nrecords && records[j] != paths[i]; j++)
			;
		if (j == nrecords)
			rc = documents_import_path(&call, paths[i]);
	}
	if (!rc && !rep->nerrors && err->len == err_start) {
		rc = excerpts_refresh(st, &rep->excerpts);
		if (rc)
			strbuf_addf(err, "cannot compute excerpts: %s", rc == -ENOMEM ? "out of memory" : store_errmsg(st));
	}
	if (rc == 1 || (!rc && (rep->nerrors || err->len > err_start)))
		rc = 1;
	if (!rc && !dry) {
		rc = record_run(st, o, rep, err, started, "ok");
		if (!rc && o->derive) {
			rc = o->derive(o->derive_arg, st, 0, err);
			if (rc)
				goto out;
		}
		if (!rc)
			rc = store_commit(st);
		if (rc)
			strbuf_addf(err, "cannot commit the import: %s", store_errmsg(st));
		begun = 0;
	}
out:
	if (begun)
		store_rollback(st);
	if (rc && !dry)
		record_failed_run(st, o, rep, err, started);
	free(records);
	return rc;
}

int import_records(struct store *st, const char *const *paths, size_t npaths, unsigned flags,
		   struct import_report *rep, struct strbuf *err)
{
	struct import_options o = { .kind = "records", .flags = flags };

	return import_paths(st, &o, paths, npaths, rep, err);
}
