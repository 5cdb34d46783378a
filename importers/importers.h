/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * importers: what comes into an inventory and what goes out as a bundle.
 *
 * The records importer reads a records bundle (docs/format.md) from a
 * directory or an archive, checks every cell, and writes through the store
 * in one transaction per call: either every row of every path lands, or
 * none does. Data errors are collected (all of them, not just the first)
 * as `struct import_error` and printed as `FILE:LINE:COLUMN: error: MESSAGE`.
 *
 * Documents (PDF, HTML, plain text, and archives of them) become sources
 * with their bytes stored and their text extracted page by page; pages that
 * name Nlets, a field or an agency get excerpts; partner lists are dated
 * observations (docs/documents.md). import_paths() is the one entry point
 * of an import call, whatever it holds; it records each call as a run
 * (imports/N).
 *
 * The exporter writes the inverse: a bundle whose re-import gives the same
 * inventory and whose re-export is byte-identical.
 */
#ifndef NLETSFS_IMPORTERS_H
#define NLETSFS_IMPORTERS_H

#include <stddef.h>
#include <stdio.h>

#include "../store/store.h"
#include "../util/strbuf.h"

/* What the rest of the program calls; the importers' own parts are in importers_i.h. */

/* ---- an import call ---------------------------------------------------------- */

struct import_error {
	char *file;		/* "data/flows.csv", "b.tar.gz/flows.csv" */
	unsigned line, col;
	char *message;
};

struct import_report {
	struct import_error *errors;	/* line 0: the error has no position in the file */
	size_t nerrors, alloc;
	long rows[REC_COUNT];	/* rows read per kind */
	long documents;		/* documents stored (records bundles' files and documents) */
	long sources_unchanged;	/* documents whose bytes were already in the inventory */
	long pages, excerpts;	/* pages extracted, excerpts computed */
	long ocr_pages;		/* pages of them read by OCR */
	struct report_code { char code[96]; long count; } *redactions; /* exemption codes found, summed (malloc'd) */
	size_t nredactions, aredactions;
	long partners_added, partners_updated, lists;	/* from partner lists */
	struct strlist files;	/* the paths of the call */
	struct strlist members;	/* archive members imported: "ARCHIVE/PATH" */
	struct strlist created;	/* ids of the document sources this call created */
	struct strlist warnings;/* "FILE: MESSAGE": what was skipped or lacks text */
	int64_t run;		/* the number of this call's run (imports/N); 0 when not recorded */
	void (*progress)(void *arg, const char *file, long rows);	/* optional */
	void (*progress_document)(void *arg, const char *name, long pages);	/* optional */
	void (*progress_ocr)(void *arg, const char *name, long done, long total);	/* optional */
	void *progress_arg;
};

#define IMPORT_DRY_RUN 1u

/** What an import call was asked (nletsfs import's options). */
struct import_options {
	/*
	 * NULL or "auto" (records bundles are records, anything else is a
	 * document), "records", a source kind (foia, pia, partner-list, law,
	 * report, web, other) or a document format (pdf, html, text).
	 */
	const char *kind;
	const char *as_of;	/* partner-list: the day the list was seen (required) */
	const char *title, *date, *url, *id;	/* a document's metadata; title and id: one document only */
	unsigned flags;		/* IMPORT_DRY_RUN */
	/*
	 * Optional: make the derived data (store/derived.c) inside the call's
	 * transaction, after its writes and its run, before the commit; a
	 * failure fails the call. fs/ owns it (fs_derive): importers/ does not
	 * know the tree. `quiet`: no progress (the run of a failed call).
	 */
	int (*derive)(void *arg, struct store *st, int quiet, struct strbuf *err);
	void *derive_arg;
	/*
	 * Optional: whether a record of kind `kind` may not take the id `id`,
	 * because the tree shows a fixed name where its folder would go (fs/
	 * knows which: fs_name_reserved). Such a row is refused.
	 */
	int (*name_taken)(int kind, const char *id);
};

/**
 * One import call: every path lands in one transaction, or none does.
 * Returns 0 when everything landed (or, dry run, would land), 1 when the
 * input had errors (in the report; nothing was written), -EINVAL for
 * options that contradict each other (message in `err`), or another
 * negative errno for a failure of the system. Except in a dry run, the call
 * is recorded as a run (imports/N), a failed one in a transaction of its
 * own after the rollback, so that the log says what failed.
 */
int import_paths(struct store *st, const struct import_options *o, const char *const *paths, size_t npaths,
		 struct import_report *rep, struct strbuf *err);

/** Options that contradict each other (or an unknown kind, a bad date or id): -EINVAL with a message. */
int import_check_options(const struct import_options *o, struct strbuf *err);
/** import_paths() with --kind records (bundles only). */
int import_records(struct store *st, const char *const *paths, size_t npaths, unsigned flags,
		   struct import_report *rep, struct strbuf *err);
/** Print every error as FILE:LINE:COLUMN: error: MESSAGE (FILE: error: MESSAGE without a position). */
void import_report_print(const struct import_report *rep, FILE *out);
void import_report_release(struct import_report *rep);

/* ---- CSV out ----------------------------------------------------------------- */

/** Append one cell, quoted when it holds , " CR LF or edge spaces. */
void csv_write_cell(struct strbuf *out, const char *text);

/* ---- export ------------------------------------------------------------------- */

/**
 * Render one CSV file of the bundle (header and every row, in key order)
 * into `out`. A source's stored document is named `files/SLUG.EXT` in its
 * `file` column, where export_write() puts it.
 */
int export_render(struct store *st, enum record_kind kind, struct strbuf *out);
/** The bundle path of a source's stored document: "files/SLUG.EXT". */
int export_document_path(struct store *st, const char *source_id, const char *file, struct strbuf *out);
/** Write the whole bundle into directory `dir` (created if missing). */
int export_write(struct store *st, const char *dir, struct strbuf *err);
/** The extension of a file name, lower-cased and slug-safe ("pdf"), or "bin". */
void export_extension(const char *file, struct strbuf *out);

#endif
