/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * store: the inventory on disk. Owns the SQLite schema, its migrations, every
 * SQL statement of the project, slugs and dates. Nothing else includes
 * <sqlite3.h>.
 *
 * An inventory is one SQLite file in WAL mode with foreign keys on. It holds
 * the fixed table of the 56 jurisdictions (present even when empty), one
 * table per record kind of the records bundle (docs/format.md), and two
 * derived tables rebuilt from those rows on every write:
 *   citations(kind, key, ord, source, page)  -- one row per cited source;
 *   links(kind, key, col, ord, value)        -- one row per list item.
 * A record's key is its id; for laws "STATE/ID", for participation
 * "STATE/FUNCTION/AS_OF".
 *
 * Time is valid time. Every fact row carries `valid_from` (its `since`,
 * `enacted` or `as_of`, else the earliest date of the sources it cites) and
 * flows carry `valid_until` (`until`). Dates are kept as written (YYYY,
 * YYYY-MM or YYYY-MM-DD); comparing such a string with a full date bytewise
 * gives start-of-period semantics, so no normalisation is needed.
 *
 * Errors: functions return 0 or a negative errno (-EIO for an SQLite
 * failure, -ENOENT for a missing row, -ENOMEM); store_errmsg() then tells
 * what SQLite said. A store handle is used by one thread at a time.
 */
#ifndef NLETSFS_STORE_H
#define NLETSFS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "../util/strbuf.h"

struct store;

enum store_open_flags {
	STORE_READONLY = 1,	/* open read-only (mount, check, export) */
	STORE_CREATE = 2,	/* create the file and schema when missing */
	STORE_IMMUTABLE = 4,	/* the file never changes while open (signed bundles) */
	/*
	 * A new file nobody reads yet (with STORE_CREATE), built aside and
	 * put in place when done: no write-ahead log until store_use_wal(),
	 * so an import writes each page once, where a log would take it and
	 * give it back to the file (cli/cmd_import.c).
	 */
	STORE_FRESH = 8,
};

/**
 * Open the inventory at `path`. With STORE_CREATE a missing or empty file
 * gets the current schema; an older schema is migrated forward (unless
 * read-only, which then fails). A file that is not an nletsfs inventory, or
 * has a newer schema, is refused with -EINVAL and a message in `err`.
 */
int store_open(const char *path, unsigned flags, struct store **out, struct strbuf *err);
/** Give a STORE_FRESH inventory the write-ahead log every other is opened with: 0, or -EIO with a message in `err`. */
int store_use_wal(struct store *st, struct strbuf *err);
/**
 * A read-only copy, in memory, of the inventory as `src` sees it (the
 * writes of its open transaction included), so that a second thread can
 * read what an import wrote before it commits (fs/derive.c). -EFBIG when
 * the inventory is larger than `max_bytes`. Close it with store_close().
 */
int store_open_copy(struct store *src, int64_t max_bytes, struct store **out);
/**
 * Another read-only connection to a copy's bytes (store_open_copy()), not
 * copied again, for a third thread: close it before `copy`.
 */
int store_open_copy_again(struct store *copy, struct store **out);
/** Close the handle (NULL is a no-op). */
void store_close(struct store *st);
/** The last SQLite error message of this handle. */
const char *store_errmsg(struct store *st);

/** Begin an immediate (write) transaction. */
int store_begin(struct store *st);
/** Commit, after rebuilding derived columns (slugs, valid_from) and the indexes of a bulk load. */
int store_commit(struct store *st);
/** Roll back; the inventory is exactly as before store_begin(). */
void store_rollback(struct store *st);
/**
 * A bulk load, inside a write transaction: the secondary indexes of the
 * record tables (and of citations and links) that are empty now are
 * dropped, to be built once, sorted, by store_bulk_end(), which costs far
 * less than keeping them up to date row by row. Queries by key are as fast
 * meanwhile (primary keys stay). store_commit() ends a load left open;
 * store_rollback() brings the indexes back with everything else.
 */
int store_bulk_begin(struct store *st);
/** Build the indexes store_bulk_begin() dropped (no-op when none). */
int store_bulk_end(struct store *st);
/**
 * In a write transaction: the rows as the commit will keep them (the
 * indexes of a bulk load built, two ids of one slug told apart, -2), for
 * what reads them before it (fs_derive: a tree derived before the slugs
 * were told apart named both records with the first's path).
 */
int store_settle(struct store *st);
/**
 * In a write transaction: write the pages it changed to the log now
 * (sqlite3_db_cacheflush), so that the commit writes only what changes
 * after. Done by a thread that would otherwise wait (fs_derive, while its
 * pass runs): at 100,000 flows the commit wrote 400 MB after everything.
 */
int store_flush(struct store *st);
/** Begin / end a read snapshot, so several queries see one state. */
int store_read_begin(struct store *st);
void store_read_end(struct store *st);
/**
 * The inventory's generation: the number of its newest import run. Every
 * change to an inventory is an import, failed ones included (their run is
 * logged), so two reads that see one generation see one inventory, on any
 * connection. -1 on error.
 */
int64_t store_generation(struct store *st);

/**
 * Write a consistent copy of the inventory (one read snapshot, compacted,
 * in rollback-journal mode) to `path`, which must be missing or an empty
 * file. Works on a read-only handle. Returns 0, or a negative errno
 * (-ENOSPC on a full disk) with a message in `err`; a failed copy may leave
 * a partial file at `path` for the caller to remove.
 */
int store_snapshot(struct store *st, const char *path, struct strbuf *err);
/**
 * Bring a private copy of an inventory (a bundle's, store_snapshot()'s) of
 * an older schema to this one, as a write would, and back to rollback-
 * journal mode; one of this schema, or newer, stays as it is (a newer one
 * is refused when opened). 0, or a negative errno with a message in `err`.
 */
int store_upgrade(const char *path, struct strbuf *err);

/* ---- jurisdictions --------------------------------------------------- */

/** Number of jurisdictions (56): the 50 states, DC, PR, GU, VI, AS, MP. */
#define STORE_NJURISDICTIONS 56
/** The code and name of jurisdiction i (0 <= i < 56), in code order. */
const char *store_jurisdiction_code(int i);
const char *store_jurisdiction_name_at(int i);
/** The index of the jurisdiction with this code, or -1. No SQL: a fixed table. */
int store_jurisdiction_find(const char *code);
/** The name of the jurisdiction with this code, or NULL. */
const char *store_jurisdiction_name(const char *code);

/* ---- record kinds ----------------------------------------------------- */

/** Record kinds, in import order (a kind may reference earlier kinds). */
enum record_kind {
	REC_SOURCES,
	REC_SYSTEMS,
	REC_FIELDS,
	REC_AGENCIES,
	REC_PARTNERS,
	REC_TRANSACTIONS,
	REC_FLOWS,
	REC_LAWS,
	REC_PARTICIPATION,
	REC_CLAIMS,
	REC_COUNT
};

/**
 * 1 for the kinds that are facts, with a valid time (flows, laws,
 * participation); 0 for entities (sources, systems, fields, agencies,
 * partners, transactions) and for claims (what a source says of an agency
 * or of Nlets, dated by its as_of, docs/format.md), which have none: an entity is there on every
 * day, so that no fact that holds on a day names something absent that day
 * (SPEC section 2, docs/time.md). A partner's listing is a relation
 * (REL_PARTNER_LISTED), dated; the partner is not.
 */
int store_kind_has_valid_time(enum record_kind kind);

enum col_type {
	COL_TEXT,	/* free text, one line or more */
	COL_ID,		/* an id: no control characters, no ';' */
	COL_WORD,	/* a short token without ';' (flows.via) */
	COL_DATE,	/* YYYY, YYYY-MM or YYYY-MM-DD */
	COL_ENUM,	/* one of `values` */
	COL_INT,	/* integer in [min, max] */
	COL_REF,	/* the id of a record of kind `ref` */
	COL_REFLIST,	/* a list of ids of kind `ref` */
	COL_LIST,	/* a list of free items */
	COL_STATE,	/* a jurisdiction code */
	COL_FUNCTION,	/* [a-z0-9-]+ */
	COL_FROM,	/* XX/SYSTEM, STAR/SYSTEM, or an agency or partner id */
	COL_TO,		/* an agency or partner id, or '*' */
	COL_SOURCES,	/* a list of source ids */
	COL_PAGES,	/* a list of pages aligned with the sources */
	COL_PATH,	/* a relative path inside the bundle */
};

#define COLF_REQUIRED 1u	/* must be present and non-empty */
#define COLF_KEY 2u		/* part of the record's key */

struct record_column {
	const char *name;		/* CSV header name */
	unsigned flags;			/* COLF_* */
	enum col_type type;
	const char *const *values;	/* COL_ENUM: NULL-terminated */
	int ref;			/* COL_REF/COL_REFLIST: the record_kind */
	int min, max;			/* COL_INT bounds */
};

struct record_desc {
	enum record_kind kind;
	const char *name;		/* "flows": also the tree folder */
	const char *file;		/* "flows.csv" */
	const struct record_column *cols;
	int ncols;
	int nkeys;			/* the first nkeys columns are the key */
};

/** The descriptor of a kind: the single definition of its columns. */
const struct record_desc *store_record_desc(enum record_kind kind);
/** Index of column `name` in the descriptor, or -1. */
int store_record_column(const struct record_desc *d, const char *name);

/**
 * A record as an array of ncols strings in descriptor order; "" for empty.
 * Owned by the caller after store_get_*(); free with record_release().
 */
struct record {
	char **v;
	int n;
};
void record_release(struct record *r);

/** A document attached to a source: its bytes (copied by the store). */
struct store_document {
	const unsigned char *data;
	size_t len;
	const char *sha256_hex;	/* 64 hex digits of SHA-256(data) */
};

/**
 * Insert or update a record. `values` has ncols entries in descriptor order
 * (NULL or "" for empty); they must already be valid (the importers check).
 * When the key exists, the citations of both rows are kept, and the stored
 * values are replaced unless the stored row cites a newer source. `doc` is
 * the document of a source (NULL otherwise).
 */
int store_put_record(struct store *st, enum record_kind kind, const char *const *values,
		     const struct store_document *doc);

/** 1 when a record with this key exists (keys: nkeys strings), 0 if not, <0 on error. */
int store_has_record(struct store *st, enum record_kind kind, const char *const *keys);

/**
 * Call `cb` for every record of a kind, in key order (the export order).
 * Stops and returns cb's value when it is non-zero.
 */
int store_each_record(struct store *st, enum record_kind kind,
		      int (*cb)(void *arg, const struct record *r), void *arg);

/** The stored document of a source: bytes and their SHA-256 (hex). */
int store_source_document(struct store *st, const char *source_id, struct strbuf *bytes,
			  struct strbuf *sha256_hex);

/* ---- views: what the tree asks --------------------------------------- */

/*
 * `date` is a full YYYY-MM-DD: the day the view shows. For listings of
 * facts a NULL date means "every record whatever its dates" (the root
 * folders); entities ignore the date (store_kind_has_valid_time()).
 * Slugs are the names shown in paths (store_slug(), store_i.h).
 */

/** Slugs of the records of a kind visible on `date` (laws, participation: of `state`). */
int store_list_slugs(struct store *st, enum record_kind kind, const char *state,
		     const char *date, struct strlist *out);
/** The record with this slug (laws, participation: of `state`), visible on `date`. */
int store_get_by_slug(struct store *st, enum record_kind kind, const char *state,
		      const char *slug, const char *date, struct record *out);
/**
 * The same record, not copied: valid until the next peek or get by slug or
 * the end of the read transaction. Files of one folder share one query.
 */
int store_peek_by_slug(struct store *st, enum record_kind kind, const char *state, const char *slug,
		       const char *date, const struct record **out);
/** The record with this key (nkeys strings), whatever its dates; -ENOENT when absent. */
int store_get_by_id(struct store *st, enum record_kind kind, const char *const *keys, struct record *out);
/** The slug of the record with this id, or -ENOENT. */
int store_slug_of(struct store *st, enum record_kind kind, const char *id, struct strbuf *slug);

/** Relations: each fills a sorted, duplicate-free list. */
enum store_relation {
	REL_STATE_SYSTEMS,	/* a: state -> slugs of systems with flows from it */
	REL_SYSTEM_FIELDS,	/* a: state, b: system id -> field ids shared */
	REL_SYSTEM_TRANSACTIONS,/* -> message keys answered */
	REL_SYSTEM_RECIPIENTS,	/* -> agency/partner ids receiving */
	REL_SYSTEM_BLOCKED,	/* -> ids blocked */
	REL_SYSTEM_SOURCES,	/* -> "SOURCE p.PAGE" lines */
	REL_AGENCY_RECEIVES,	/* a: id -> "XX/SYSTEM" it receives from */
	REL_AGENCY_BLOCKED_BY,	/* a: id -> "XX/SYSTEM" blocking it */
	REL_FIELD_SHARED_BY,	/* a: field id -> "XX/SYSTEM" sharing it */
	REL_FIELD_RETURNED_BY,	/* a: field id -> message keys returning it */
	REL_TRANSACTION_STATES,	/* a: key -> state codes known to answer it */
	REL_SOURCE_SUPPORTS,	/* a: source id -> record references (store_record_ref) of what cites it */
	REL_PARTNER_LISTED,	/* a: partner id -> FROM..TO ranges it was listed (FROM.. while listed) */
	REL_RECORD_SOURCES,	/* a: kind name, b: key -> "SOURCE p.PAGE" lines */
	REL_COUNT
};
/*
 * A record reference, a line of REL_SOURCE_SUPPORTS: the record kind's
 * number, then the names the tree shows the record under, each after a
 * tab (a slug; for a law or participation row the state and the slug or
 * function; for a state's system, kind systems, the state and the slug).
 * fs/ turns it into the record's path (tree_record_path).
 */
int store_relation(struct store *st, enum store_relation rel, const char *a, const char *b,
		   const char *date, struct strlist *out);
/**
 * Relation `rel` across time, for the change log: `fn` gets, for each fact
 * that puts a line in a list, the list's arguments as path names (`a`: a
 * state code or a slug; `b`: a system's slug or NULL), the line, and the
 * days it holds: from `since` (NULL or "" from the beginning) to the day
 * before `until` (NULL: still holds). A line several facts give comes once
 * for each. For every relation but REL_FIELD_RETURNED_BY (timeless),
 * REL_PARTNER_LISTED (ranges of lists) and REL_RECORD_SOURCES (a record's
 * own); those give -EINVAL. 0, fn's non-zero return, or a negative errno.
 */
typedef int (*store_span_fn)(void *arg, const char *a, const char *b, const char *line, const char *since,
			     const char *until);
int store_relation_spans(struct store *st, enum store_relation rel, store_span_fn fn, void *arg);
/**
 * The lists REL_SYSTEM_FIELDS .. REL_SYSTEM_SOURCES of every system of
 * `state` on `date`, from three queries over the state's flows instead of
 * five per system: the same lines store_relation() gives, in rel[r -
 * REL_SYSTEM_FIELDS]. A system without flows that day is not in *out.
 * 0 or a negative errno; free with store_system_lists_free().
 */
#define STORE_SYSTEM_NLISTS (REL_SYSTEM_SOURCES - REL_SYSTEM_FIELDS + 1)
struct store_system_lists {
	char *system;				/* the system's id */
	struct strlist rel[STORE_SYSTEM_NLISTS];
};
int store_state_system_lists(struct store *st, const char *state, const char *date,
			     struct store_system_lists **out, size_t *n);
void store_system_lists_free(struct store_system_lists *l, size_t n);
/** Counts for the generated README, as of `date`. */
struct store_counts {
	long states_with_facts, flows, partners, agencies, sources, transactions, fields, laws;
	char newest_source_date[11];
};
int store_counts(struct store *st, const char *date, struct store_counts *out);
/** store_counts() for each of `days` (sorted) into out[0 .. days->n), in one pass over the dated facts. */
int store_counts_days(struct store *st, const struct strlist *days, struct store_counts *out);

/* ---- time ---------------------------------------------------------------- */

/**
 * Every date on which something in the inventory starts or stops holding,
 * as full YYYY-MM-DD dates (a partial date is the first day of its period),
 * sorted and without duplicates.
 */
int store_change_dates(struct store *st, struct strlist *out);

/**
 * A fact whose validity starts or ends in a span of days
 * (store_boundary_facts): a flow, law or participation row, or a source
 * whose date moves a relation (a partner list, a document with mentions).
 */
struct store_fact {
	enum record_kind kind;
	const char *id;		/* flows, sources: the id; laws, participation: the state */
	const char *from, *to;	/* flows: from and to; laws: the law id; participation: the function;
				   sources: the kind in `from`, "document" in `to` when stored */
	const char *fields;	/* flows: fields (';' list) */
	const char *transaction;/* flows: the message key */
	const char *sources;	/* the ';' list of sources it cites */
	const char *status;	/* flows: the status */
	const char *date;	/* the day in the span on which it starts or stops holding */
};

/**
 * Call `cb` for every fact that starts or stops holding on a day in
 * (after, upto], by day; `after` NULL means from the beginning of time. A
 * fact that both starts and stops in the span comes once for each day.
 */
int store_boundary_facts(struct store *st, const char *after, const char *upto,
			 int (*cb)(void *arg, const struct store_fact *f), void *arg);
/**
 * Set SQLite's page cache (PRAGMA cache_size units: pages, or KiB when
 * negative); the setting before in *old unless NULL. A pass over every
 * change day reads each state's flows hundreds of times: with the default
 * 2 MB, an inventory larger than that is read from the OS again each time.
 */
int store_cache_size(struct store *st, long size, long *old);

/* ---- the advocates' checklist (store/questions.c) --------------------- */

/*
 * The questions of the seed's "What can advocates do?" list, each answered
 * for one jurisdiction on one day by a rule over that jurisdiction's own
 * facts (flows from XX/SYSTEM, participation rows, laws); docs/questions.md
 * says each rule in words. Generic facts (flows from STAR/SYSTEM: what the
 * Nlets documentation says of every state) never decide an answer; they are
 * the question's background. No deciding fact gives ANSWER_UNKNOWN.
 */

/** Number of questions in the checklist. */
#define STORE_NQUESTIONS 14

enum store_answer_value { ANSWER_YES, ANSWER_NO, ANSWER_PARTIAL, ANSWER_UNKNOWN, ANSWER_COUNT };

/** The id (a slug: "ori-block") and the seed's wording of question i (0 <= i < STORE_NQUESTIONS). */
const char *store_question_id(int i);
const char *store_question_text(int i);
/** The page of the seed (nilc-nlets-qa-2020) where question i is asked: "14", "14-15". */
const char *store_question_page(int i);
/** The index of the question with this id, or -1. */
int store_question_find(const char *id);
/** "yes", "no", "partial", "unknown". */
const char *store_answer_name(enum store_answer_value v);

struct store_answer {
	enum store_answer_value value;
	/*
	 * "REF (NOTE)" of each deciding fact, REF a record reference (see
	 * store_relation); a record a note names is a reference between the
	 * bytes 1 and 2 ("law cited by \1REF\2").
	 */
	struct strlist basis;
	struct strlist sources;	/* "SOURCE p.PAGE" of those facts, sorted */
};
#define STORE_ANSWER_INIT { ANSWER_UNKNOWN, STRLIST_INIT, STRLIST_INIT }

/**
 * Answer question `q` for jurisdiction `state` as of `date` (YYYY-MM-DD).
 * `out` must be STORE_ANSWER_INIT or released; on error it is left empty.
 * Returns 0, -EINVAL for a bad index, -EIO or -ENOMEM.
 */
int store_answer(struct store *st, int q, const char *state, const char *date, struct store_answer *out);
/**
 * Every question's answer for `state` as of `date`, in one query: what
 * store_answer() gives for each q, in out[q] (each set, and released on
 * error). Returns 0, -EIO or -ENOMEM.
 */
int store_answers(struct store *st, const char *state, const char *date, struct store_answer out[STORE_NQUESTIONS]);
/** Every question: the `questions` mask of store_answers_some(). */
#define STORE_ALL_QUESTIONS ((1u << STORE_NQUESTIONS) - 1)
/**
 * store_answers() for the questions in `questions` (bit q: question q):
 * out[q] is set for those and STORE_ANSWER_INIT for the others. In a pass
 * (store_answers_pass()), only their rules run. 0, -EIO or -ENOMEM.
 */
int store_answers_some(struct store *st, const char *state, const char *date, unsigned questions,
		       struct store_answer out[STORE_NQUESTIONS]);
void store_answer_release(struct store_answer *a);

/**
 * The background of question `q` on `date`: slugs of the generic flows
 * (from STAR/SYSTEM) the question's rule looks at, sorted. They say what
 * Nlets does where a state takes part, not what any one state does.
 */
int store_question_background(struct store *st, int q, const char *date, struct strlist *flow_slugs);

/**
 * Start (`on`) or end a pass of store_answers() over many days, as the
 * change log makes: each flow's own evidence is found once and kept for
 * the connection, so a day's answers read it instead of running every
 * rule over every flow of the state. The inventory must not change during
 * the pass. 0 or a negative errno.
 */
int store_answers_pass(struct store *st, int on);
/**
 * `fn` gets the id of every flow that is evidence for some question of the
 * checklist, on some day, with questions it can move (bit q: question q);
 * a flow may come more than once, with other questions. Any other flow can
 * start or stop holding without moving any answer. 0, fn's non-zero
 * return, or a negative errno.
 */
int store_deciding_flows(struct store *st, int (*fn)(void *arg, const char *flow_id, unsigned questions),
			 void *arg);

/** Slugs of the flows from `state`'s own systems that hold on `date`, sorted. */
int store_state_flows(struct store *st, const char *state, const char *date, struct strlist *flow_slugs);

/* ---- documents (store/documents.c) ------------------------------------ */

/*
 * A document is a source whose stored bytes had their text extracted page by
 * page (PDF pages; form-feed pages of plain text; one page of HTML). Pages
 * are numbered from 1 and indexed by FTS5. A page that names Nlets, a field
 * or an agency has one excerpt and a mention per thing named. Documents are
 * written inside the caller's import transaction, like records.
 */

/** What a document row says besides its pages (strings may be NULL). */
struct store_document_info {
	const char *source;	/* the source id (the sources row exists already) */
	const char *format;	/* "pdf", "html" or "text" */
	const char *sha256_hex;	/* of the stored bytes */
	const char *member;	/* its path inside the archive(s) it came from */
	const char *identifier;	/* a PIA's identifier, e.g. DHS/USCIS/PIA-030(g) */
	const char *component;	/* the component named in it, e.g. USCIS */
};

/**
 * Store a document and its pages (page i+1 is pages[i], lens[i] bytes of
 * UTF-8), replacing any earlier pages, excerpts and mentions of the source.
 * Its excerpts are computed later (store_documents_stale()).
 */
int store_document_put(struct store *st, const struct store_document_info *d, const char *const *pages,
		       const size_t *lens, size_t npages);
/** 1 when the source has a document extracted from bytes with this SHA-256, 0 if not. */
int store_document_current(struct store *st, const char *source_id, const char *sha256_hex);
/** The id of the source whose stored bytes have this SHA-256 (the first by id), or -ENOENT. */
int store_source_by_sha256(struct store *st, const char *sha256_hex, struct strbuf *id);
/** A document's text: its pages joined by form feeds; -ENOENT when it has no pages. */
int store_source_text(struct store *st, const char *source_id, struct strbuf *out);

/**
 * Ids of the other sources whose document has the same identifier (a PIA in
 * several files: one per page, or a PDF and its text), sorted.
 */
int store_same_identifier(struct store *st, const char *source_id, struct strlist *out);

/** One document's row, as owned strings ("" when empty); free with store_document_row_release(). */
struct store_document_row {
	char *format, *member, *identifier, *component;
	char *agency;		/* the component, when it is the id of an agency of the inventory */
	long npages;
};
/** The document of a source, or -ENOENT. */
int store_document_get(struct store *st, const char *source_id, struct store_document_row *out);
void store_document_row_release(struct store_document_row *r);

/**
 * The vocabulary excerpts look for: calls cb(arg, kind, id, term) for every
 * field id and synonym (kind REC_FIELDS) and every agency id and name (kind
 * REC_AGENCIES), ordered by kind, id and term. Stops at cb's non-zero return.
 */
int store_each_term(struct store *st, int (*cb)(void *arg, int kind, const char *id, const char *term),
		    void *arg);
/** The sources of the documents whose excerpts were computed against another vocabulary. */
int store_documents_stale(struct store *st, const char *vocabulary, struct strlist *sources);
/** Call cb(arg, page, text, len) for each page of a document, in page order. */
int store_each_page(struct store *st, const char *source_id,
		    int (*cb)(void *arg, long page, const char *text, size_t len), void *arg);
/** Forget a document's excerpts and mentions (before computing them again). */
int store_excerpts_clear(struct store *st, const char *source_id);
/** Store the excerpt of a page: `names` is its "names: ..." line's value, `passage` the text. */
int store_excerpt_put(struct store *st, const char *source_id, long page, const char *names, const char *passage);
/** Record that a page names a field (REC_FIELDS) or an agency (REC_AGENCIES). */
int store_mention_put(struct store *st, int kind, const char *id, const char *source_id, long page);
/** Mark a document's excerpts as computed against this vocabulary fingerprint. */
int store_document_set_vocabulary(struct store *st, const char *source_id, const char *vocabulary);
/** The names "pN" of a document's excerpts. */
int store_excerpt_names(struct store *st, const char *source_id, struct strlist *out);
/** The excerpt file of page `page`: "names: ...", a blank line, the passage. -ENOENT when none. */
int store_excerpt_get(struct store *st, const char *source_id, long page, struct strbuf *out);
/**
 * Ids of the sources with a page naming field or agency `id` (kind
 * REC_FIELDS or REC_AGENCIES), dated on or before `date` (NULL: any date).
 */
int store_mentioned_in(struct store *st, int kind, const char *id, const char *date, struct strlist *out);

/** Most results a search gives. */
#define STORE_SEARCH_MAX 1000
/**
 * Slugs of the sources whose pages match an FTS5 query, best first (bm25
 * of their best page), at most STORE_SEARCH_MAX. A query FTS5 cannot parse
 * gives -ENOENT.
 */
int store_search(struct store *st, const char *query, struct strlist *slugs);

/**
 * 0 when the source with this slug has a page matching the query, else
 * -ENOENT (also for a query FTS5 cannot parse). One source's pages are
 * searched, so it is cheap whatever the query matches elsewhere.
 */
int store_search_has(struct store *st, const char *query, const char *slug);

/* ---- scans: OCR marks and redactions (store/scans.c) ---------------------- */

/**
 * Mark page `page` of a stored document as read by OCR, with Tesseract's
 * mean confidence (0-100) and the black boxes (redactions) found on it.
 */
int store_page_ocr_put(struct store *st, const char *source_id, long page, int confidence, int boxes);
/** "PAGE<TAB>CONFIDENCE<TAB>BOXES" lines of a document's OCR'd pages, sorted bytewise; -ENOENT when none was. */
int store_ocr_get(struct store *st, const char *source_id, struct strbuf *out);
/**
 * Count `count` marks of exemption `code` ("(b)(7)(C)", slug "b7C") on a
 * page of a stored document (added to what the page has already).
 */
int store_redaction_put(struct store *st, const char *source_id, long page, const char *code, const char *slug,
			long count);
/** "PAGE<TAB>CODE<TAB>COUNT" lines of a document, sorted bytewise (empty when none). */
int store_redactions_get(struct store *st, const char *source_id, struct strbuf *out);
/** The slugs ("b6", "b7C") of every exemption some document withholds under, sorted. */
int store_redaction_slugs(struct store *st, struct strlist *slugs);
/** The slugs of the sources withholding under exemption `slug`, sorted. */
int store_redaction_sources(struct store *st, const char *slug, struct strlist *source_slugs);
/** 0 when the source with slug `source_slug` withholds under `slug`, else -ENOENT. */
int store_redaction_has(struct store *st, const char *slug, const char *source_slug);

/* ---- partner lists --------------------------------------------------------- */

/**
 * Partner lists are dated observations of a whole list (a source of kind
 * partner-list). Two observations are of the same list when their sources
 * share a url (or, without one, a title). A partner listed on one date and
 * missing from a later observation of the same list stops being listed on
 * that later date; partners/X/listed shows the ranges (REL_PARTNER_LISTED).
 */
/** Record that the list `source_id` was observed whole on `as_of`, with `entries` partners. */
int store_partner_list_put(struct store *st, const char *source_id, const char *as_of, long entries);
/** Record that the list names `partner_id` (as `name`, with `description`). */
int store_partner_listing_put(struct store *st, const char *source_id, const char *partner_id,
			      const char *name, const char *description);
/** The id of the partner an entry named `name` is: same id, same name (ASCII case ignored) or same slug. */
int store_partner_match(struct store *st, const char *name, struct strbuf *id);

/* ---- import runs ----------------------------------------------------------- */

/** One import call, as imports/N shows it. */
struct store_import_run {
	const char *started, *finished;	/* YYYY-MM-DDTHH:MM:SSZ */
	const char *status;		/* "ok" or "failed" */
	const char *kind;		/* the --kind of the call */
	const char *report;		/* "key: value" lines: files, members, counts, warnings, errors */
};
/** Append a run; its number goes to *id (may be NULL). */
int store_import_run_put(struct store *st, const struct store_import_run *r, int64_t *id);
/** The numbers of every run, as names. */
int store_import_run_names(struct store *st, struct strlist *out);
/** The file imports/N. -ENOENT when there is no such run. */
int store_import_run_get(struct store *st, int64_t id, struct strbuf *out);

/* ---- derived data (store/derived.c) ------------------------------------------ */

/*
 * What the tree would otherwise compute on read, made inside the import's
 * transaction by fs/ (tree_derive) and read by the mount as lookups: the
 * change log, the costly files of the root tree, and every root
 * path's content hash with the time of the import that last changed it.
 * A commit that did not derive marks it all stale (readers compute on
 * read); store_derived_fresh() tells which.
 */
/** 1 when the derived data matches the inventory, else 0. */
int store_derived_fresh(struct store *st);
/** A number kept with the derived data ("changes_size", "files_date", "changed_at"); -ENOENT when unset. */
int store_derived_get(struct store *st, const char *key, int64_t *value);
int store_derived_put(struct store *st, const char *key, int64_t value);
/** In a write transaction: forget the stored files, before deriving them again; mark the data stale meanwhile. */
int store_derived_begin(struct store *st);
/** Mark the derived data fresh (the facts' index rebuilt first): the commit of this transaction keeps it so. */
int store_derived_done(struct store *st);
/** This transaction writes nothing the derived data depends on (an import run): its commit keeps them fresh. */
void store_derived_unchanged(struct store *st);
/* The change log is stored in parts of this many bytes, each but the last full: byte `off` is in part off / STORE_CHANGE_PART. */
#define STORE_CHANGE_PART 131072
/*
 * The change log written again from its start: its bytes go into
 * `pending`, and each part is stored once full, where it differs from the
 * part stored under its number (a log made again as it was writes nothing).
 */
struct store_change_writer {
	struct strbuf pending;	/* bytes not stored yet */
	int64_t part;		/* the next part's number */
	int64_t stored;		/* bytes of the log so far */
	int64_t rewritten;	/* parts that differed from the stored ones */
};
#define STORE_CHANGE_WRITER_INIT { STRBUF_INIT, 0, 0, 0 }
/** Store the full parts of w->pending; the rest moves to its front. 0 or a negative errno. */
int store_change_writer_flush(struct store *st, struct store_change_writer *w);
/** Store what is left as the log's last part, and forget the stored parts past it. */
int store_change_writer_end(struct store *st, struct store_change_writer *w);
/** Append the whole change log. */
int store_changes_read(struct store *st, struct strbuf *out);
/** Append bytes [off, off + len) of the change log: fewer at its end, none past it. */
int store_changes_read_range(struct store *st, uint64_t off, size_t len, struct strbuf *out);
/** Store / read a derived file of the root tree by path ("maps/ssn.svg"); get gives -ENOENT when absent. */
int store_derived_file_put(struct store *st, const char *path, const char *body, size_t len);
int store_derived_file_get(struct store *st, const char *path, struct strbuf *out);
/**
 * Of `path`, from one row: the time (ns since the epoch) of the import that
 * last changed it, and its size as the last walk found it (-1 for a folder,
 * a link, or a walk that kept none); -ENOENT when the path is unknown.
 */
int store_path_stat(struct store *st, const char *path, int64_t *ns, int64_t *size);
/**
 * Call `fn` with each root path that an import after `since_ns` changed or
 * made (its time is later), in no order, until it returns non-zero, which
 * is returned. A path gone since has no row: its folder's listing changed.
 */
int store_paths_changed_since(struct store *st, int64_t since_ns, int (*fn)(void *arg, const char *path),
			      void *arg);
/**
 * A walk of the root tree, the import's time `now_ns`: store_walk_put()
 * each file and link with the hash of its content and a file's size (-1:
 * none), store_walk_put_dir() each folder with the hash of its listing and
 * the listing, store_walk_gone() each name listed that shows nothing; then
 * store_walk_end() tells how many paths changed (new, changed or gone).
 * A path new or whose hash changed takes `now_ns`; a path a folder no
 * longer lists is forgotten, with all under it. Written as the walk goes,
 * in the caller's transaction.
 */
int store_walk_begin(struct store *st, int64_t now_ns);
int store_walk_put(struct store *st, const char *path, uint64_t hash, int64_t size);
int store_walk_put_dir(struct store *st, const char *path, uint64_t hash, const struct strlist *names);
int store_walk_gone(struct store *st, const char *path);
int store_walk_end(struct store *st, long *changed);
/**
 * After store_walk_end(), a path hashed late (`changes`, made beside the
 * walk, which its folder's listing keeps): its hash and size stored, with
 * `now_ns` when the hash differs; `changed` counts it then.
 */
int store_walk_late(struct store *st, const char *path, uint64_t hash, int64_t size, int64_t now_ns, long *changed);
/** How many paths the walk so far made, changed or forgot, but for those under the n top-level `names`. */
int store_walk_changed_outside(struct store *st, const char *const *names, size_t n, long *changed);

/* ---- checks ------------------------------------------------------------ */

/**
 * Run PRAGMA integrity_check, foreign_key_check and "every fact has a
 * source"; append one line per problem to `report`. Returns the number of
 * problems (0 = healthy) or a negative errno.
 */
int store_check(struct store *st, struct strbuf *report);

/* ---- dates (no SQL) ---------------------------------------------------- */

/**
 * Validate a date cell: YYYY, YYYY-MM or YYYY-MM-DD with a real month and
 * day (leap years honoured), year 1000-9999. Returns 0 or -EINVAL.
 */
int store_date_valid(const char *s);
/** 1 when `s` is a full valid YYYY-MM-DD date. */
int store_date_full(const char *s);
/** Today's date (UTC) as YYYY-MM-DD into buf[11]. */
void store_today(char buf[11]);
/** The time now (UTC) as YYYY-MM-DDTHH:MM:SSZ into buf[21]. */
void store_now(char buf[21]);

#endif
