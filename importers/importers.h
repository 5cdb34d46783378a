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
 * The exporter writes the inverse: a bundle whose re-import gives the same
 * inventory and whose re-export is byte-identical.
 */
#ifndef NLETSFS_IMPORTERS_H
#define NLETSFS_IMPORTERS_H

#include <stddef.h>
#include <stdio.h>

#include "../store/store.h"
#include "../util/strbuf.h"

/* ---- CSV (RFC 4180) ------------------------------------------------------- */

struct csv_cell {
	char *text;		/* unescaped, NUL-terminated */
	size_t len;
	unsigned line, col;	/* where the cell starts, 1-based (col in characters) */
};

struct csv_row {
	struct csv_cell *cells;
	size_t n, alloc;
	unsigned line;		/* line of the row's first cell */
};

struct csv_reader {
	const char *p, *end;	/* remaining input */
	unsigned line, col;
	int failed;		/* a syntax error: nothing more can be read */
};

/** Start reading `len` bytes (a leading UTF-8 BOM is skipped). */
void csv_init(struct csv_reader *r, const char *data, size_t len);
/**
 * Read the next record into `row` (its cells are replaced). Returns 1 for a
 * record, 0 at the end, -1 on a syntax error (unterminated quote, a quote
 * inside an unquoted cell, a NUL byte, invalid UTF-8), described in `msg`
 * with its position in *line / *col. A blank line is skipped.
 */
int csv_next(struct csv_reader *r, struct csv_row *row, struct strbuf *msg, unsigned *line, unsigned *col);
void csv_row_release(struct csv_row *row);
/** Append one cell, quoted when it holds , " CR LF or edge spaces. */
void csv_write_cell(struct strbuf *out, const char *text);

/* ---- bundles: a directory or an archive ------------------------------------ */

struct bundle_member {
	char *name;		/* path inside the bundle, '/'-separated */
	unsigned char *data;
	size_t len;
};

struct bundle {
	char *label;		/* how errors name the bundle: the path given */
	struct bundle_member *members;
	size_t n, alloc;
};

/**
 * Read every regular file of a bundle (a directory, or an archive libarchive
 * reads) into memory. Names that climb out (`..`), absolute names and links
 * are refused. When every member sits under one top folder (an archive of a
 * folder), that folder is dropped from the names. Returns 0 or a negative
 * errno with a message in `err`.
 */
int bundle_read(const char *path, struct bundle *b, struct strbuf *err);
/** The member with this name, or NULL. */
const struct bundle_member *bundle_find(const struct bundle *b, const char *name);
void bundle_release(struct bundle *b);

/* ---- records import ---------------------------------------------------------- */

struct import_error {
	char *file;		/* "data/flows.csv", "b.tar.gz/flows.csv" */
	unsigned line, col;
	char *message;
};

struct import_report {
	struct import_error *errors;
	size_t nerrors, alloc;
	long rows[REC_COUNT];	/* rows read per kind */
	long documents;		/* documents stored */
	void (*progress)(void *arg, const char *file, long rows);	/* optional */
	void *progress_arg;
};

#define IMPORT_DRY_RUN 1u

/**
 * Import the bundles at `paths` in one transaction. Returns 0 when
 * everything landed (or, with IMPORT_DRY_RUN, would land), 1 when the data
 * had errors (listed in the report; nothing was written), or a negative
 * errno for a failure of the system (also nothing written).
 */
int import_records(struct store *st, const char *const *paths, size_t npaths, unsigned flags,
		   struct import_report *rep, struct strbuf *err);
/**
 * What import_records() does once its paths are read: import bundles
 * already in memory (bundle_read(), or built by a caller such as a fuzzer)
 * in one transaction, with the same results. The bundles stay the caller's;
 * a bundle's label names it in errors.
 */
int import_bundles(struct store *st, const struct bundle *bundles, size_t nbundles, unsigned flags,
		   struct import_report *rep, struct strbuf *err);
/** Print every error as FILE:LINE:COLUMN: error: MESSAGE. */
void import_report_print(const struct import_report *rep, FILE *out);
void import_report_release(struct import_report *rep);

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
