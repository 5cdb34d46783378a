/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Private to importers/: the parts the importers share, and what their unit
 * tests and fuzzers drive (tests/unit/importers/, tests/fuzz/). The rest of
 * the program calls importers.h.
 *
 * The files call one way, readers at the bottom: report.c, doc_text.c,
 * doc_sniff.c, csv.c and archive.c call nothing of importers/; the readers
 * (text.c, html.c, pdf.c, ocr.c, email.c, office.c) write a struct doc_text;
 * doc_extract.c picks the reader and stores pages; doc_name.c names a
 * document and makes its source; doc_import.c imports one document;
 * doc_archive.c walks archives and attachments; documents.c walks folders;
 * bundle.c and records.c read records bundles; import.c is the call.
 */
#ifndef NLETSFS_IMPORTERS_I_H
#define NLETSFS_IMPORTERS_I_H

#include <stdarg.h>

#include "importers.h"
#include "../util/hmap.h"

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

/* ---- records import (importers/records.c) ---------------------------------------- */

/**
 * The records part of a call, inside the caller's transaction: reads every
 * bundle and writes its rows. Returns 0, 1 (data errors in the report) or
 * a negative errno. Stored files of sources get their text extracted too.
 */
int import_records_txn(struct store *st, const char *const *paths, size_t npaths,
		       int (*name_taken)(int kind, const char *id), struct import_report *rep, struct strbuf *err);
/** 1 when `path` is a records bundle: a folder, or an archive, holding one of the record CSV files. */
int import_is_records_bundle(const char *path);
/**
 * The records import of bundles already in memory, in a transaction of its
 * own (no import run is recorded): what a fuzzer drives. The bundles stay
 * the caller's; a bundle's label names it in errors.
 */
int import_bundles(struct store *st, const struct bundle *bundles, size_t nbundles, unsigned flags,
		   struct import_report *rep, struct strbuf *err);

/* ---- the report (importers/report.c) --------------------------------------------- */

/** Add an error to the report (file may be NULL: no file). */
void import_report_error(struct import_report *rep, const char *file, unsigned line, unsigned col,
			 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/** import_report_error() with a va_list. */
void import_report_verror(struct import_report *rep, const char *file, unsigned line, unsigned col,
			  const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
/** Add a warning "FILE: MESSAGE". */
void import_report_warning(struct import_report *rep, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/**
 * Report a refusal of `label` (and of its member, when in an archive:
 * "member 'NAME': " before the message); returns 1.
 */
int import_report_refuse(struct import_report *rep, const char *label, const char *member, unsigned line,
			 unsigned col, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/** FILE[:LINE:COLUMN]: error: MESSAGE, one line: the file and the message are escaped (util/escape.h). */
void import_error_format(const struct import_error *e, struct strbuf *out);

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

/** Bytes [start, end) of a page's text. */
struct text_span {
	size_t start, end;
};

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
		struct text_span *beside; /* the page's words beside a black box, in text order (malloc'd) */
		size_t nbeside;
	} *ocr;			/* per page, nocr of them (pages beyond: text layers) */
	size_t nocr, aocr;
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
 * order. The text replaces the page's; its confidence, its black boxes and
 * the spans of its words beside one (where a misread code counts) go in t->ocr.
 * -EINVAL with `err` ("page N: ...") when a page is refused (too large,
 * corrupt, over its time), -ENOMEM, -EAGAIN (no thread could start).
 */
int ocr_pages(struct doc_text *t, const size_t *which, size_t n, ocr_render_fn render, void *arg, struct strbuf *err);
/** 0 when a w x h image may be read by OCR; -EINVAL with a message when it is refused. */
int ocr_pixels_check(long w, long h, struct strbuf *err);
/**
 * Mark a page as read by OCR with this mean confidence (0-100), its black
 * boxes and the spans of its text beside one, which it takes (freed on
 * failure too). 0 or -ENOMEM.
 */
int doc_text_set_ocr(struct doc_text *t, size_t page, int confidence, int boxes, struct text_span *beside,
		     size_t nbeside);
/**
 * An image file (PNG, JPEG, TIFF: every page of a multi-page TIFF) read by
 * OCR, a page per image. -EINVAL with `err` for what Leptonica cannot
 * decode or a page over the bounds.
 */
int image_extract(const unsigned char *data, size_t len, struct doc_text *out, struct strbuf *err);
/**
 * The exemption codes of a page's text (docs/documents.md, "Redactions"):
 * FOIA's, the Privacy Act's and those of the state laws whose notation is
 * clear. `ocr` (a page read by OCR) admits OCR's misreadings, and a code
 * read with one counts only where it touches one of beside[0..nbeside-1],
 * the words OCR found beside a black box; a code written exactly counts
 * anywhere. Calls cb(arg, "(b)(7)(C)", "b7C", count) for each code found:
 * FOIA's and the Privacy Act's first in statute order, then the others by
 * slug; stops at cb's non-zero return. 0, -ENOMEM or cb's return.
 */
int redactions_scan(const char *text, size_t len, int ocr, const struct text_span *beside, size_t nbeside,
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


/* ---- documents: one import call's (doc_extract.c, doc_name.c, doc_import.c, doc_archive.c, documents.c) --- */

/*
 * Bytes of an HTML or plain-text document, and of the text extracted from
 * any document: indexing text for search and excerpts takes about nine
 * times its size in memory, so this bounds an import's memory per document
 * (docs/documents.md, "Limits").
 */
#define DOC_TEXT_MAX (16UL << 20)

/* One import call's documents. */
struct doc_call {
	struct store *st;
	const struct import_options *o;
	struct import_report *rep;
	const char *source_kind;	/* the --kind when it is a source kind, else NULL (detect) */
	enum doc_format format;		/* the --kind when it is a format, else DOC_UNKNOWN (sniff) */
	long ndocs;			/* documents met so far */
};

/* Where a document came from, for errors and its sources row. */
struct doc_origin {
	const char *label;	/* the path given (errors name it) */
	const char *member;	/* its path in the archive, for errors ("dir/a.pdf"), or NULL */
	const char *recorded;	/* what sources/ID/member shows ("release.zip/dir/a.pdf"), or NULL */
	const char *name;	/* its file name (the extension of original.EXT) */
	const char *top;	/* the outermost archive's file name, when in one */
	int depth;		/* archives and emails it is inside of */
	const char *date;	/* the date it takes when it gives none (an attachment: its email's) */
};

/* What a document hands back to its walker: an email's attachments, and the date they take. */
struct doc_attachments {
	struct email_parts parts;
	struct strbuf date;
};

/** Extract the text of bytes of a known format. 0, or -EINVAL with `err` (and a position for text). */
int doc_extract(enum doc_format f, const unsigned char *data, size_t len, struct doc_text *t, struct strbuf *err,
		unsigned *line, unsigned *col);
/**
 * 1 once bytes being read are past DOC_TEXT_MAX and an HTML or text
 * document (forced by --kind, or by their first bytes and name): refused
 * then, not read on to their end, so memory stays bounded.
 */
int doc_text_too_big(enum doc_format forced, const char *name, const struct strbuf *sb);
/** 1 when a page holds something besides white space. */
int doc_has_text(const struct doc_text *t);
/** Store the extracted pages of source `id`, with their OCR marks and exemption codes. */
int document_store_pages(struct store *st, const char *id, enum doc_format f, const char *sha, const char *member,
			 const struct pia_info *pia, const struct doc_text *t, struct import_report *rep);

/** 1 when `k` is a kind of source (the sources descriptor's kind column). */
int import_is_source_kind(const char *k);
/** The title: `given` (--title), else the document's own, else its first line of text, else its file name. */
void doc_title(const char *given, const struct doc_text *t, const char *name, struct strbuf *out);
/** A readable id: the title's first words in lower case, a dash, 8 digits of the SHA-256. */
void doc_make_id(const char *title, const char *sha, struct strbuf *id);
/** The file name the source keeps: its own, with an extension that says its format. */
void doc_file_name(const char *name, enum doc_format f, struct strbuf *out);
/** The sources row of a new document, or of an existing source it is attached to (--id). */
int doc_source_put(struct doc_call *c, const char *id, const char *title, const char *kind, const char *date,
		   const char *file, const unsigned char *data, size_t len, const char *sha);

/**
 * One document: a source with its pages, or nothing when its bytes are one
 * already. An email's attachments are handed back in `att` (to the
 * caller, initialised empty, to release). 0, 1 (refused: in the report)
 * or a negative errno.
 */
int doc_import(struct doc_call *c, const struct doc_origin *o, const unsigned char *data, size_t len,
	       struct doc_attachments *att);
/** doc_import(), then its attachments as members of an archive. 0, 1 or a negative errno. */
int doc_take(struct doc_call *c, const struct doc_origin *o, const unsigned char *data, size_t len);
/** Every member of the archive at `path`, nested archives walked (up to AR_NESTING_MAX deep). */
int doc_archive_import(struct doc_call *c, const char *path);
/**
 * Import one PATH of a call as documents: a file, a folder of files, or an
 * archive (nested up to 3 deep). Returns 0, 1 when the input was refused
 * (the error is in the report) or a negative errno.
 */
int documents_import_path(struct doc_call *c, const char *path);

#endif
