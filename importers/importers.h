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

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "../store/store.h"
#include "../util/hmap.h"
#include "../util/strbuf.h"

/* ---- CSV (RFC 4180) ------------------------------------------------------- */

struct csv_cell {
	char *text;		/* unescaped, NUL-terminated; in the row's buffer */
	size_t len;
	unsigned line, col;	/* where the cell starts, 1-based (col in characters) */
};

struct csv_row {
	struct csv_cell *cells;
	size_t n, alloc;
	unsigned line;		/* line of the row's first cell */
	char *text;		/* every cell's text, each after the last and NUL-terminated */
	size_t text_len, text_alloc;
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

struct import_report;

/**
 * Read every regular file of a bundle (a directory, or an archive libarchive
 * reads) into memory. When every member sits under one top folder (an
 * archive of a folder), that folder is dropped from the names. Refused, as
 * a data error in `rep` naming the member ("LABEL/NAME: error: ..."), and
 * returning 1: a member that is not a regular file (a link, a FIFO, a
 * device, a folder named like a CSV file at the top), a name that climbs
 * out (`..`, absolute), a name an archive holds twice, an encrypted
 * member, a member past the limits every archive has (importers/archive_i.h:
 * size, expansion, bytes other than its header says), a file of a folder
 * over 2 GiB, a truncated archive, a path that does not exist.
 * Returns 0, 1, or a negative errno (a failure of the system, message in
 * `err`).
 */
int bundle_read(const char *path, struct bundle *b, struct import_report *rep, struct strbuf *err);
/** 1 when a member name is safe: relative, without "." or ".." steps. */
int bundle_safe_name(const char *name);
/** Like bundle_read(), but names only (data NULL): folders at their top level. Refuses nothing. */
int bundle_read_names(const char *path, struct bundle *b, struct strbuf *err);
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
	struct import_error *errors;	/* line 0: the error has no position in the file */
	size_t nerrors, alloc;
	long rows[REC_COUNT];	/* rows read per kind */
	long documents;		/* documents stored (records bundles' files and documents) */
	long sources_unchanged;	/* documents whose bytes were already in the inventory */
	long pages, excerpts;	/* pages extracted, excerpts computed */
	long ocr_pages;		/* pages of them read by OCR */
	struct { char code[16]; long count; } redactions[16];	/* exemption codes found, summed */
	int nredactions;
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
/**
 * The records part of a call, inside the caller's transaction: reads every
 * bundle and writes its rows. Returns 0, 1 (data errors in the report) or
 * a negative errno. Stored files of sources get their text extracted too.
 */
int import_records_txn(struct store *st, const char *const *paths, size_t npaths, struct import_report *rep,
		       struct strbuf *err);
/** 1 when `path` is a records bundle: a folder, or an archive, holding one of the record CSV files. */
int import_is_records_bundle(const char *path);

/** import_records_txn() of bundles already read (bundle_read(), or built by a caller such as a fuzzer). */
int import_bundles_txn(struct store *st, const struct bundle *bundles, size_t nbundles, struct import_report *rep,
		       struct strbuf *err);
/**
 * The records import of bundles already in memory, in a transaction of its
 * own (no import run is recorded): what a fuzzer drives. The bundles stay
 * the caller's; a bundle's label names it in errors.
 */
int import_bundles(struct store *st, const struct bundle *bundles, size_t nbundles, unsigned flags,
		   struct import_report *rep, struct strbuf *err);
/** Print every error as FILE:LINE:COLUMN: error: MESSAGE (FILE: error: MESSAGE without a position). */
void import_report_print(const struct import_report *rep, FILE *out);
void import_report_release(struct import_report *rep);
/** Add an error to the report (file may be NULL: no file). */
void import_report_error(struct import_report *rep, const char *file, unsigned line, unsigned col,
			 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/** import_report_error() with a va_list. */
void import_report_verror(struct import_report *rep, const char *file, unsigned line, unsigned col,
			  const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
/** Add a warning "FILE: MESSAGE". */
void import_report_warning(struct import_report *rep, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- documents: text extraction ----------------------------------------------------- */

/** Formats of a document's bytes, as detected by document_sniff(). */
enum doc_format {
	DOC_UNKNOWN, DOC_PDF, DOC_HTML, DOC_TEXT, DOC_ARCHIVE,
	DOC_IMAGE,	/* PNG, JPEG, TIFF: read by OCR */
	DOC_EMAIL,	/* RFC 5322 / MIME (.eml) */
	DOC_DOCX, DOC_XLSX, DOC_ODT, DOC_ODS,	/* office files: zips read as one document */
};

/** The name of a document format: "pdf", "html", "text", "image", "email", "docx", ... (documents.format). */
const char *doc_format_name(enum doc_format f);
/**
 * What bytes named `name` hold: a PDF (%PDF- in the first KiB), an image
 * (PNG, JPEG or TIFF magic), an office file (a zip named .docx, .xlsx,
 * .odt or .ods), an email (named .eml, or opening with mail headers that
 * include From: and Date: or Subject:), an archive
 * libarchive reads (zip, 7z, gzip, xz, bzip2 or tar magic), HTML (a doctype
 * or <html>, <head>, <body> first, or a .htm/.html/.xhtml name), text
 * (a .txt/.text/.md/.csv/.tsv name, or UTF-8 without NUL bytes), or unknown.
 */
enum doc_format document_sniff(const char *name, const unsigned char *data, size_t len);

/** SHA-256 of the bytes, as 64 lower-case hex digits. */
void import_sha256_hex(const unsigned char *data, size_t len, char out[65]);
/**
 * Extract and store the text of a document a records bundle names (source
 * `source_id` of kind `kind`, file name `file`), unless it is stored
 * already. What cannot be read is a warning, not an error: the bundle
 * says what the document is.
 */
int document_index(struct store *st, const char *source_id, const char *kind, const char *file,
		   const unsigned char *data, size_t len, struct import_report *rep);

/** Text extracted from a document: pages of UTF-8 and what the document says of itself. */
struct doc_text {
	struct strbuf *pages;
	size_t npages, alloc;
	char *title;		/* from its metadata (PDF Title, HTML <title>), or NULL */
	char *date;		/* YYYY-MM-DD from its metadata, or NULL */
	int untitled;		/* its first line is no title ("Sheet: NAME"): without one, its file name is */
	struct ocr_mark {
		int confidence;	/* OCR's mean confidence 0-100; -1: a text layer, not OCRed */
		int boxes;	/* black boxes (redactions) OCR found on the page */
	} *ocr;			/* per page, nocr of them (pages beyond: text layers) */
	size_t nocr;
	/* Optional: OCR's progress through a document's pages (called on the caller's thread). */
	void (*progress)(void *arg, long done, long total);
	void *progress_arg;
};
void doc_text_release(struct doc_text *t);
/**
 * Append a page. The text is made safe for the tree: invalid UTF-8 becomes
 * U+FFFD, NUL bytes are dropped and form feeds (the page separator of
 * sources/ID/text) become line breaks. Returns 0 or -ENOMEM.
 */
int doc_text_add_page(struct doc_text *t, const char *text, size_t len);

/**
 * Plain text: UTF-8 (a BOM is skipped), pages split at form feeds. An empty
 * file, a NUL byte or invalid UTF-8 is refused (-EINVAL) with a message in
 * `err` and its position in *line / *col (1-based, col in characters).
 */
int text_extract(const char *data, size_t len, struct doc_text *out, struct strbuf *err, unsigned *line,
		 unsigned *col);
/**
 * HTML through libxml2's HTML parser (recovering what it can): one page of
 * text, the <title>, and a date from <meta name="date"> (or dcterms.date,
 * DC.date, article:published_time). Refused (-EINVAL, message in `err`):
 * empty input, NUL bytes, bytes invalid in the page's character set, and
 * input in which libxml2 finds no element.
 */
int html_extract(const char *data, size_t len, struct doc_text *out, struct strbuf *err);
/**
 * PDF through poppler-glib: the text of each page, the info dictionary's
 * Title and CreationDate (else ModDate). Refused (-EINVAL, message in
 * `err`): no %PDF- header, no %%EOF at the end (truncated), a password
 * needed to open it (encrypted), anything poppler cannot open (corrupt).
 */
int pdf_extract(const unsigned char *data, size_t len, struct doc_text *out, struct strbuf *err);

/* ---- email (importers/email.c) and office files (importers/office.c) ------------------- */

/** An attachment of an email: its file name (safe as one path step) and decoded bytes. */
struct email_part {
	char *name;
	unsigned char *data;
	size_t len;
};
struct email_parts {
	struct email_part *items;
	size_t n, alloc;
};
void email_parts_release(struct email_parts *p);
/**
 * An email through GMime: one page (From, To, Cc, Date, Subject, a blank
 * line, the text body, or the HTML body's text), the subject as title,
 * the Date: header as date. With `parts`, each attached file and message
 * (NAME.eml) is handed back, decoded. -EINVAL with `err` when GMime finds
 * no message, a part is over 256 MiB decoded, or there are too many.
 */
int email_extract(const unsigned char *data, size_t len, struct doc_text *out, struct email_parts *parts,
		  struct strbuf *err);
/**
 * An office file read with libarchive and libxml2, as one document: .docx
 * and .odt, the paragraphs in order; .xlsx and .ods, a page per sheet
 * ("Sheet: NAME", then each row as a line of tab-separated cells, shared
 * strings resolved). Refused (-EINVAL, `err`): a zip without the parts the
 * format needs, parts over their bounds (size, expansion: a zip bomb), XML
 * libxml2 refuses.
 */
int office_extract(enum doc_format f, const unsigned char *data, size_t len, struct doc_text *out,
		   struct strbuf *err);

/* ---- OCR (importers/ocr.c) and redactions (importers/redactions.c) ------------------ */

#define OCR_REFUSE_PIXELS 64000000	/* an image over this is refused before it is decoded */
#define OCR_MAX_PIXELS 16000000		/* a page over this is scaled down to it (600 dpi Letter is 34M) */

struct Pix;	/* Leptonica's image */
/** Make page `page` (0-based) of a document as an image for OCR: 0, or -EINVAL with a message in `err`. */
typedef int (*ocr_render_fn)(void *arg, size_t page, struct Pix **out, struct strbuf *err);
/**
 * Read pages which[0..n-1] (0-based, in order) of `t` by OCR, in parallel:
 * render(arg, which[i]) makes each page's image on the caller's thread, in
 * order. The text replaces the page's; its confidence goes in t->ocr.
 * -EINVAL with `err` ("page N: ...") when a page is refused (too large,
 * corrupt, over its time), -ENOMEM, -EAGAIN (no thread could start).
 */
int ocr_pages(struct doc_text *t, const size_t *which, size_t n, ocr_render_fn render, void *arg, struct strbuf *err);
/** 0 when a w x h image may be read by OCR; -EINVAL with a message when it is refused. */
int ocr_pixels_check(long w, long h, struct strbuf *err);
/** Mark a page as read by OCR with this mean confidence (0-100) and its black boxes. 0 or -ENOMEM. */
int doc_text_set_ocr(struct doc_text *t, size_t page, int confidence, int boxes);
/**
 * An image file (PNG, JPEG, TIFF: every page of a multi-page TIFF) read by
 * OCR, a page per image. -EINVAL with `err` for what Leptonica cannot
 * decode or a page over the bounds.
 */
int image_extract(const unsigned char *data, size_t len, struct doc_text *out, struct strbuf *err);
/**
 * The FOIA exemption codes of a page's text (docs/documents.md,
 * "Redactions"); `ocr` admits OCR's misreadings. Calls cb(arg, "(b)(7)(C)",
 * "b7C", count) for each code found, in code order; stops at cb's non-zero return.
 * `ocr` is for a page read by OCR on which black boxes were found.
 */
int redactions_scan(const char *text, size_t len, int ocr,
		    int (*cb)(void *arg, const char *code, const char *slug, long count), void *arg);

/* ---- Privacy Impact Assessments ---------------------------------------------------- */

struct pia_info {
	int titled;		/* a line "Privacy Impact Assessment..." opens the page */
	char identifier[80];	/* "DHS/USCIS/PIA-030(g)", or "" */
	char component[40];	/* "USCIS", or "" */
	char date[11];		/* the first date the page gives, YYYY-MM-DD, or "" */
};
/** Read what a PIA's first page says of it. Never fails; fields are "" when not found. */
void pia_detect(const char *page, size_t len, struct pia_info *out);
/** The first date written in text (June 18, 2019; 18 June 2019; 06/18/2019; 2019-06-18), or "". */
void find_first_date(const char *text, size_t len, char out[11]);

/* ---- excerpts ------------------------------------------------------------------------ */

/* Kinds of vocabulary terms: Nlets' own names, fields and agencies. */
#define VOCAB_NLETS 0
#define VOCAB_FIELD REC_FIELDS
#define VOCAB_AGENCY REC_AGENCIES

struct vocab_term {
	char *text;		/* white space collapsed */
	size_t len;
	char *label;		/* what a match names: "Nlets", "field ssn", "agency ICE" */
	int kind;
	int exact_case;		/* matches in capitals only: capitals of at most 5 bytes, a field's one word */
};

/** The terms excerpts look for, indexed by their first word. */
struct vocab {
	struct vocab_term *terms;
	size_t n, alloc;
	size_t *next;		/* terms chained by first word: index + 1, 0 ends */
	struct hmap first;	/* lower-cased first word -> index + 1 of a chain */
	char fingerprint[65];	/* SHA-256 of the rules and the terms */
};

void vocab_init(struct vocab *v);
/** Add a term (terms under two bytes, or not starting with a letter or digit, are ignored). */
int vocab_add(struct vocab *v, int kind, const char *id, const char *term);
/** Add Nlets' names, index the terms and compute the fingerprint. Call once, after the last vocab_add(). */
int vocab_finish(struct vocab *v);
void vocab_release(struct vocab *v);
/** The vocabulary of the inventory (fields and agencies), finished. */
int vocab_from_store(struct store *st, struct vocab *v);

struct excerpt_unit {
	size_t start, end;	/* byte range in the page, without its line break */
	int selected;
};

/** A page's excerpt: what it names and the passage. Reusable across pages. */
struct excerpt {
	struct strlist names;	/* sorted labels: "Nlets", "agency ICE", "field ssn" */
	struct strbuf passage;	/* lines, each ending in a newline; "[...]" between runs */
	struct excerpt_unit *units;
	size_t nunits, aunits;
};
void excerpt_init(struct excerpt *e);
void excerpt_release(struct excerpt *e);
/**
 * Find what a page (any bytes) names. Returns 1 and fills `e` when it
 * names something, 0 when not, -ENOMEM.
 */
int excerpt_page(const struct vocab *v, const char *page, size_t len, struct excerpt *e);
/** The value of the excerpt's "names:" line: its labels joined by "; ". */
void excerpt_names_line(const struct excerpt *e, struct strbuf *out);
/**
 * Compute the excerpts and mentions of every document whose excerpts were
 * computed against another vocabulary (new documents, or after fields or
 * agencies changed), inside the caller's transaction. Adds to *nexcerpts.
 */
int excerpts_refresh(struct store *st, long *nexcerpts);

/* ---- partner lists ------------------------------------------------------------------- */

struct partner_entry {
	char *name;		/* as the list writes it */
	char *description;	/* "" when none */
	char *kind;		/* "strategic", "hosting" or "" (CSV kind column) */
	char *category;		/* "" when none (CSV category column) */
};

struct partner_entries {
	struct partner_entry *v;
	size_t n, alloc;
	int hosting;		/* the page calls itself a list of hosting partners */
};
void partner_entries_release(struct partner_entries *e);
/**
 * The entries of a partner-list page: table rows (name, description[,
 * kind]), <dt>/<dd> pairs, and list items whose name is their first
 * strong/b/a/heading child or the text before " - ", " – " or ": ". List
 * items without a description and anything inside <nav>, <header> or
 * <footer> are not entries. A name seen twice keeps its first entry.
 */
int partner_list_parse_html(const char *data, size_t len, struct partner_entries *out, struct strbuf *err);
/**
 * The entries of a partner-list CSV: columns name* and description, kind,
 * category in any order. Errors carry their position in *line / *col.
 */
int partner_list_parse_csv(const char *data, size_t len, struct partner_entries *out, struct strbuf *err,
			   unsigned *line, unsigned *col);
/**
 * Make each entry a partner (new, or an existing one matched by id, name
 * or slug, whose description it updates) citing the list `source_id`, and
 * record the list as observed whole on `as_of`.
 */
int partner_list_import(struct store *st, const char *source_id, const char *as_of,
			const struct partner_entries *e, struct import_report *rep);

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
