// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Opening an inventory: schema creation, forward migrations, the fixed
 * jurisdiction table, and transactions.
 *
 * Migrations are a list indexed by the user_version they start from; a file
 * at version N runs migrations[N..] in one transaction. A file with another
 * application_id, or a newer user_version, is refused so that nletsfs never
 * damages what it does not understand.
 */
#include "store_i.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const jurisdictions[STORE_NJURISDICTIONS][2] = {
	{ "AK", "Alaska" }, { "AL", "Alabama" }, { "AR", "Arkansas" },
	{ "AS", "American Samoa" }, { "AZ", "Arizona" }, { "CA", "California" },
	{ "CO", "Colorado" }, { "CT", "Connecticut" }, { "DC", "District of Columbia" },
	{ "DE", "Delaware" }, { "FL", "Florida" }, { "GA", "Georgia" },
	{ "GU", "Guam" }, { "HI", "Hawaii" }, { "IA", "Iowa" },
	{ "ID", "Idaho" }, { "IL", "Illinois" }, { "IN", "Indiana" },
	{ "KS", "Kansas" }, { "KY", "Kentucky" }, { "LA", "Louisiana" },
	{ "MA", "Massachusetts" }, { "MD", "Maryland" }, { "ME", "Maine" },
	{ "MI", "Michigan" }, { "MN", "Minnesota" }, { "MO", "Missouri" },
	{ "MP", "Northern Mariana Islands" }, { "MS", "Mississippi" }, { "MT", "Montana" },
	{ "NC", "North Carolina" }, { "ND", "North Dakota" }, { "NE", "Nebraska" },
	{ "NH", "New Hampshire" }, { "NJ", "New Jersey" }, { "NM", "New Mexico" },
	{ "NV", "Nevada" }, { "NY", "New York" }, { "OH", "Ohio" },
	{ "OK", "Oklahoma" }, { "OR", "Oregon" }, { "PA", "Pennsylvania" },
	{ "PR", "Puerto Rico" }, { "RI", "Rhode Island" }, { "SC", "South Carolina" },
	{ "SD", "South Dakota" }, { "TN", "Tennessee" }, { "TX", "Texas" },
	{ "UT", "Utah" }, { "VA", "Virginia" }, { "VI", "U.S. Virgin Islands" },
	{ "VT", "Vermont" }, { "WA", "Washington" }, { "WI", "Wisconsin" },
	{ "WV", "West Virginia" }, { "WY", "Wyoming" },
};

const char *store_jurisdiction_code(int i)
{
	return i >= 0 && i < STORE_NJURISDICTIONS ? jurisdictions[i][0] : NULL;
}

const char *store_jurisdiction_name_at(int i)
{
	return i >= 0 && i < STORE_NJURISDICTIONS ? jurisdictions[i][1] : NULL;
}

int store_jurisdiction_find(const char *code)
{
	int lo = 0, hi = STORE_NJURISDICTIONS - 1;

	if (!code)
		return -1;
	while (lo <= hi) { /* the table is in code order */
		int mid = (lo + hi) / 2, c = strcmp(code, jurisdictions[mid][0]);

		if (!c)
			return mid;
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}

const char *store_jurisdiction_name(const char *code)
{
	return store_jurisdiction_name_at(store_jurisdiction_find(code));
}

/* Version 0 -> 1: the whole schema of docs/format.md. */
static const char schema_v1[] =
	"CREATE TABLE jurisdictions(code TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE sources(id TEXT PRIMARY KEY NOT NULL, title TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK(kind IN ('foia','pia','partner-list','law','report','web','other')),"
	" date TEXT NOT NULL, url TEXT, file TEXT, note TEXT, sha256 TEXT, content BLOB,"
	" slug TEXT, valid_from TEXT NOT NULL DEFAULT '', valid_until TEXT);"
	"CREATE TABLE systems(id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, section TEXT,"
	" slug TEXT, valid_from TEXT NOT NULL DEFAULT '', valid_until TEXT);"
	"CREATE TABLE fields(id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, synonyms TEXT,"
	" slug TEXT, valid_from TEXT NOT NULL DEFAULT '', valid_until TEXT);"
	"CREATE TABLE agencies(id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL,"
	" parent TEXT REFERENCES agencies(id) DEFERRABLE INITIALLY DEFERRED,"
	" membership TEXT CHECK(membership IN ('core','strategic','member','none')),"
	" oris TEXT, source TEXT NOT NULL, page TEXT, quote TEXT,"
	" slug TEXT, valid_from TEXT NOT NULL DEFAULT '', valid_until TEXT);"
	"CREATE TABLE partners(id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK(kind IN ('strategic','hosting')), category TEXT, description TEXT,"
	" source TEXT NOT NULL, page TEXT, quote TEXT,"
	" slug TEXT, valid_from TEXT NOT NULL DEFAULT '', valid_until TEXT);"
	"CREATE TABLE transactions(\"key\" TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL,"
	" section TEXT, purpose TEXT, inputs TEXT, returns TEXT,"
	" scope TEXT CHECK(scope IN ('single-state','multi-state','all-states','federal')),"
	" max_states TEXT, source TEXT NOT NULL, page TEXT, quote TEXT,"
	" slug TEXT, valid_from TEXT NOT NULL DEFAULT '', valid_until TEXT);"
	"CREATE TABLE flows(id TEXT PRIMARY KEY NOT NULL, \"from\" TEXT NOT NULL, \"to\" TEXT NOT NULL,"
	" via TEXT NOT NULL,"
	" \"transaction\" TEXT REFERENCES transactions(\"key\") DEFERRABLE INITIALLY DEFERRED,"
	" fields TEXT, status TEXT NOT NULL CHECK(status IN ('allowed','blocked','conditional','reported')),"
	" conditions TEXT, since TEXT, \"until\" TEXT, source TEXT NOT NULL, page TEXT, quote TEXT,"
	" from_state TEXT,"
	" from_system TEXT REFERENCES systems(id) DEFERRABLE INITIALLY DEFERRED,"
	" slug TEXT, valid_from TEXT NOT NULL DEFAULT '', valid_until TEXT);"
	"CREATE TABLE laws(state TEXT NOT NULL REFERENCES jurisdictions(code), id TEXT NOT NULL,"
	" title TEXT NOT NULL, enacted TEXT, summary TEXT, source TEXT NOT NULL, page TEXT, quote TEXT,"
	" slug TEXT, valid_from TEXT NOT NULL DEFAULT '', valid_until TEXT,"
	" PRIMARY KEY(state, id));"
	"CREATE TABLE participation(state TEXT NOT NULL REFERENCES jurisdictions(code),"
	" function TEXT NOT NULL, as_of TEXT NOT NULL,"
	" value TEXT NOT NULL CHECK(value IN ('yes','no','partial','unknown')), detail TEXT,"
	" source TEXT NOT NULL, page TEXT, quote TEXT,"
	" slug TEXT, valid_from TEXT NOT NULL DEFAULT '', valid_until TEXT,"
	" PRIMARY KEY(state, function, as_of));"
	"CREATE TABLE citations(kind INTEGER NOT NULL, \"key\" TEXT NOT NULL, ord INTEGER NOT NULL,"
	" source TEXT NOT NULL REFERENCES sources(id) DEFERRABLE INITIALLY DEFERRED, page TEXT,"
	" PRIMARY KEY(kind, \"key\", ord)) WITHOUT ROWID;"
	"CREATE INDEX citations_by_source ON citations(source);"
	"CREATE TABLE links(kind INTEGER NOT NULL, \"key\" TEXT NOT NULL, col TEXT NOT NULL,"
	" ord INTEGER NOT NULL, value TEXT NOT NULL,"
	" PRIMARY KEY(kind, \"key\", col, ord)) WITHOUT ROWID;"
	"CREATE INDEX links_by_value ON links(kind, col, value);"
	"CREATE INDEX sources_slug ON sources(slug);"
	"CREATE INDEX systems_slug ON systems(slug);"
	"CREATE INDEX fields_slug ON fields(slug);"
	"CREATE INDEX agencies_slug ON agencies(slug);"
	"CREATE INDEX partners_slug ON partners(slug);"
	"CREATE INDEX transactions_slug ON transactions(slug);"
	"CREATE INDEX flows_slug ON flows(slug);"
	"CREATE INDEX flows_from ON flows(from_state, from_system);"
	"CREATE INDEX flows_to ON flows(\"to\");"
	"CREATE INDEX flows_transaction ON flows(\"transaction\");"
	"CREATE INDEX laws_slug ON laws(state, slug);";

/*
 * Version 1 -> 2: documents (SPEC section 5, "Documents"). A document is a
 * source with stored bytes whose text was extracted page by page; its pages
 * are indexed by FTS5 (external content, so the text is stored once); pages
 * that name Nlets, a field or an agency have an excerpt and mentions;
 * partner lists are dated observations; every import call leaves a run.
 */
static const char schema_v2[] =
	"CREATE TABLE documents(source TEXT PRIMARY KEY NOT NULL"
	" REFERENCES sources(id) DEFERRABLE INITIALLY DEFERRED,"
	" format TEXT NOT NULL CHECK(format IN ('pdf','html','text')), sha256 TEXT NOT NULL,"
	" member TEXT, npages INTEGER NOT NULL, identifier TEXT, component TEXT,"
	" vocabulary TEXT NOT NULL DEFAULT '') WITHOUT ROWID;"
	"CREATE TABLE pages(id INTEGER PRIMARY KEY, source TEXT NOT NULL"
	" REFERENCES documents(source) DEFERRABLE INITIALLY DEFERRED,"
	" page INTEGER NOT NULL, text TEXT NOT NULL, UNIQUE(source, page));"
	"CREATE INDEX sources_sha256 ON sources(sha256);"
	"CREATE VIRTUAL TABLE pages_fts USING fts5(text, content='pages', content_rowid='id',"
	" tokenize='porter unicode61 remove_diacritics 2');"
	"CREATE TABLE excerpts(source TEXT NOT NULL, page INTEGER NOT NULL, names TEXT NOT NULL,"
	" passage TEXT NOT NULL, PRIMARY KEY(source, page)) WITHOUT ROWID;"
	"CREATE TABLE mentions(kind INTEGER NOT NULL, \"key\" TEXT NOT NULL, source TEXT NOT NULL,"
	" page INTEGER NOT NULL, PRIMARY KEY(kind, \"key\", source, page)) WITHOUT ROWID;"
	"CREATE INDEX mentions_by_source ON mentions(source);"
	"CREATE TABLE partner_lists(source TEXT NOT NULL REFERENCES sources(id) DEFERRABLE INITIALLY DEFERRED,"
	" as_of TEXT NOT NULL, entries INTEGER NOT NULL, PRIMARY KEY(source, as_of)) WITHOUT ROWID;"
	"CREATE TABLE partner_listings(source TEXT NOT NULL"
	" REFERENCES sources(id) DEFERRABLE INITIALLY DEFERRED,"
	" partner TEXT NOT NULL REFERENCES partners(id) DEFERRABLE INITIALLY DEFERRED,"
	" name TEXT NOT NULL, description TEXT, PRIMARY KEY(source, partner)) WITHOUT ROWID;"
	"CREATE INDEX partner_listings_by_partner ON partner_listings(partner);"
	"CREATE TABLE import_runs(id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT NOT NULL,"
	" status TEXT NOT NULL CHECK(status IN ('ok','failed')), kind TEXT NOT NULL, report TEXT NOT NULL);";

/*
 * Version 2 -> 3: scans, mail and office files (docs/documents.md). The
 * documents table is rebuilt for its wider format CHECK (SQLite cannot
 * alter a CHECK; foreign keys are off while it runs, see migrate()); a
 * page read by OCR keeps its mean confidence and the black boxes found on
 * it; redactions are the FOIA
 * exemption codes a page withholds under, counted per page.
 */
static const char schema_v3[] =
	"CREATE TABLE documents_v3(source TEXT PRIMARY KEY NOT NULL"
	" REFERENCES sources(id) DEFERRABLE INITIALLY DEFERRED,"
	" format TEXT NOT NULL CHECK(format IN ('pdf','html','text','image','email','docx','xlsx','odt','ods')),"
	" sha256 TEXT NOT NULL,"
	" member TEXT, npages INTEGER NOT NULL, identifier TEXT, component TEXT,"
	" vocabulary TEXT NOT NULL DEFAULT '') WITHOUT ROWID;"
	"INSERT INTO documents_v3 SELECT source, format, sha256, member, npages, identifier, component, vocabulary"
	" FROM documents;"
	"DROP TABLE documents;"
	"ALTER TABLE documents_v3 RENAME TO documents;"
	"ALTER TABLE pages ADD COLUMN ocr INTEGER CHECK(ocr IS NULL OR ocr BETWEEN 0 AND 100);"
	"ALTER TABLE pages ADD COLUMN boxes INTEGER CHECK(boxes IS NULL OR boxes >= 0);"
	"CREATE TABLE redactions(source TEXT NOT NULL REFERENCES documents(source) DEFERRABLE INITIALLY DEFERRED,"
	" page INTEGER NOT NULL, code TEXT NOT NULL, slug TEXT NOT NULL, count INTEGER NOT NULL CHECK(count > 0),"
	" PRIMARY KEY(source, page, code)) WITHOUT ROWID;"
	"CREATE INDEX redactions_by_slug ON redactions(slug, source);";

/*
 * Version 3 -> 4: derived data (store/derived.c), made by the import that
 * changes the inventory, read by the mount as lookups.
 */
static const char schema_v4[] =
	"CREATE TABLE derived(\"key\" TEXT PRIMARY KEY NOT NULL, value) WITHOUT ROWID;"
	"CREATE TABLE change_days(day TEXT PRIMARY KEY NOT NULL, body BLOB NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE derived_files(path TEXT PRIMARY KEY NOT NULL, body BLOB NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE path_times(path TEXT PRIMARY KEY NOT NULL, hash INTEGER NOT NULL,"
	" mtime INTEGER NOT NULL) WITHOUT ROWID;";

/*
 * Version 4 -> 5: the index of the facts' own words (store/derived.c),
 * derived data too, so that a search on a mount is a lookup, not a rebuild
 * of the index by each connection.
 */
static const char schema_v5[] =
	"CREATE VIRTUAL TABLE facts_fts USING fts5(source UNINDEXED, text,"
	" tokenize='porter unicode61 remove_diacritics 2');";

/*
 * Version 5 -> 6: claims, what a source says of an agency or of Nlets
 * itself that is neither a flow nor a state's law or participation (e.g.
 * "no audits of Nlets have been conducted"): a record kind of the bundle,
 * an entity like a source (no valid time).
 */
static const char schema_v6[] =
	"CREATE TABLE claims(id TEXT PRIMARY KEY NOT NULL, subject TEXT NOT NULL, claim TEXT NOT NULL,"
	" value TEXT, as_of TEXT, source TEXT NOT NULL, page TEXT, quote TEXT,"
	" slug TEXT, valid_from TEXT NOT NULL DEFAULT '', valid_until TEXT);"
	"CREATE INDEX claims_slug ON claims(slug);";

/*
 * Version 6 -> 7: each root path's size as the import's walk found it
 * (NULL for folders and links), so that a stat on the mount needs no render.
 */
static const char schema_v7[] = "ALTER TABLE path_times ADD COLUMN size INTEGER;";

/*
 * Version 7 -> 8: the change log in parts of a fixed size, found by number
 * (store/derived.c), not a row a day that a READ read whole. The rows are
 * cut into parts by store_changes_recut() (C, after this SQL): the same
 * bytes, so the derived data stay as fresh as they were.
 */
static const char schema_v8[] = "CREATE TABLE change_log(part INTEGER PRIMARY KEY, body BLOB NOT NULL);";

static const char *const migrations[] = {
	schema_v1,
	schema_v2,
	schema_v3,
	schema_v4,
	schema_v5,
	schema_v6,
	schema_v7,
	schema_v8,
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == STORE_SCHEMA_VERSION,
	       "one migration per schema version");

const char *store_errmsg(struct store *st)
{
	if (!st || !st->db)
		return "no inventory";
	/* After a failed commit the last call, its rollback, succeeded: tell why the commit failed. */
	if (st->commit_error[0] && sqlite3_errcode(st->db) == SQLITE_OK)
		return st->commit_error;
	return sqlite3_errmsg(st->db);
}

/* record_kind(NAME): the enum record_kind of a kind's name, for KIND() in SQL (store_i.h). */
static void record_kind_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *name = (const char *)sqlite3_value_text(argv[0]);
	int k;

	assert(argc == 1);
	for (k = 0; name && k < REC_COUNT; k++) {
		if (!strcmp(store_record_desc((enum record_kind)k)->name, name)) {
			sqlite3_result_int(ctx, k);
			return;
		}
	}
	sqlite3_result_error(ctx, "record_kind(): no such record kind", -1);
}

static int exec(struct store *st, const char *sql)
{
	return store_sqlite_err(sqlite3_exec(st->db, sql, NULL, NULL, NULL));
}

static int pragma_int(struct store *st, const char *sql, int *out)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int(s, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(s);
	return store_sqlite_err(rc);
}

static int seed_jurisdictions(struct store *st)
{
	sqlite3_stmt *s = NULL;
	int i, rc;

	rc = sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO jurisdictions(code, name) VALUES(?1, ?2)",
				-1, &s, NULL);
	for (i = 0; rc == SQLITE_OK && i < STORE_NJURISDICTIONS; i++) {
		sqlite3_bind_text(s, 1, jurisdictions[i][0], -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, jurisdictions[i][1], -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return store_sqlite_err(rc);
}

/*
 * Views for people who open the inventory with sqlite3 or Datasette
 * (docs/schema.md): citations, links and mentions with their record kind
 * as a name ("flows") instead of its integer code. They add nothing nletsfs
 * reads, so they are not a schema version: every writable open makes those
 * that are missing, and an older nletsfs ignores them.
 */
#define STORE_VIEWS "record_kinds", "citations_named", "links_named", "mentions_named"

static int ensure_views(struct store *st)
{
	static const char *const names[] = { STORE_VIEWS };
	struct strbuf sql = STRBUF_INIT;
	int k, rc, have = 0;

	strbuf_addstr(&sql, "SELECT count(*) FROM sqlite_schema WHERE type='view' AND name IN (");
	for (k = 0; k < (int)(sizeof(names) / sizeof(names[0])); k++)
		strbuf_addf(&sql, "%s'%s'", k ? "," : "", names[k]);
	strbuf_addch(&sql, ')');
	rc = strbuf_ok(&sql) ? -ENOMEM : pragma_int(st, sql.buf, &have);
	if (rc || have == (int)(sizeof(names) / sizeof(names[0])))
		goto out;
	strbuf_reset(&sql);
	strbuf_addstr(&sql, "CREATE VIEW IF NOT EXISTS record_kinds(kind, name) AS VALUES");
	for (k = 0; k < REC_COUNT; k++)
		strbuf_addf(&sql, "%s(%d,'%s')", k ? "," : "", k, store_record_desc((enum record_kind)k)->name);
	strbuf_addstr(&sql,
		      ";"
		      "CREATE VIEW IF NOT EXISTS citations_named AS"
		      " SELECT k.name AS kind, c.\"key\", c.ord, c.source, c.page, s.title AS source_title,"
		      " s.date AS source_date FROM citations c JOIN record_kinds k ON k.kind=c.kind"
		      " LEFT JOIN sources s ON s.id=c.source;"
		      "CREATE VIEW IF NOT EXISTS links_named AS"
		      " SELECT k.name AS kind, l.\"key\", l.col, l.ord, l.value"
		      " FROM links l JOIN record_kinds k ON k.kind=l.kind;"
		      "CREATE VIEW IF NOT EXISTS mentions_named AS"
		      " SELECT k.name AS kind, m.\"key\", m.source, m.page"
		      " FROM mentions m JOIN record_kinds k ON k.kind=m.kind;");
	rc = strbuf_ok(&sql) ? -ENOMEM : exec(st, sql.buf);
out:
	strbuf_release(&sql);
	return rc;
}

/* 0 when PRAGMA foreign_key_check finds nothing, -EINVAL when it finds a violation. */
static int foreign_keys_hold(struct store *st)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, "PRAGMA foreign_key_check", -1, &s, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : rc == SQLITE_ROW ? -EINVAL : store_sqlite_err(rc);
}

/* Bring the schema from `version` to STORE_SCHEMA_VERSION in one transaction. */
static int migrate(struct store *st, int version, struct strbuf *err)
{
	int rc, v;

	/*
	 * Off while tables are rebuilt (version 3): dropping a parent table with
	 * foreign keys on counts its children as violations even when the
	 * rebuilt table holds every row again. PRAGMA foreign_keys is a no-op
	 * inside a transaction, so it is set around it; integrity is checked
	 * before the commit instead.
	 */
	rc = exec(st, "PRAGMA foreign_keys = OFF");
	if (!rc)
		rc = exec(st, "BEGIN IMMEDIATE");
	if (rc)
		goto fail;
	for (v = version; v < STORE_SCHEMA_VERSION; v++) {
		rc = exec(st, migrations[v]);
		/* 7 -> 8: the stored change log moves into parts, by C. */
		if (!rc && v == 7)
			rc = store_changes_recut(st);
		if (rc)
			goto fail_rollback;
	}
	rc = seed_jurisdictions(st);
	if (!rc)
		rc = ensure_views(st);
	if (rc)
		goto fail_rollback;
	rc = exec(st, "PRAGMA application_id = 1313625171"); /* STORE_APPLICATION_ID */
	if (!rc)
		rc = exec(st, "PRAGMA user_version = 8"); /* STORE_SCHEMA_VERSION */
	if (!rc)
		rc = foreign_keys_hold(st);
	if (!rc)
		rc = exec(st, "COMMIT");
	if (rc)
		goto fail_rollback;
	return exec(st, "PRAGMA foreign_keys = ON");
fail_rollback:
	strbuf_addf(err, "cannot create the schema: %s", sqlite3_errmsg(st->db));
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	return rc;
fail:
	strbuf_addf(err, "cannot write the inventory: %s", sqlite3_errmsg(st->db));
	sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	return rc;
}

_Static_assert(STORE_APPLICATION_ID == 1313625171, "application_id pragma literal");
_Static_assert(STORE_SCHEMA_VERSION == 8, "user_version pragma literal");

/*
 * Once a process, before SQLite starts: no count of its memory, which
 * takes one mutex of the whole process on every allocation of every
 * connection (an import's two threads, a mount's workers). sqlite3_config
 * refuses once SQLite has started; then the counts stay, nothing else.
 */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* What every connection of a store has: extended codes and the functions the schema's SQL calls. */
static int connection_setup(struct store *st)
{
	sqlite3_extended_result_codes(st->db, 1);
	return sqlite3_create_function_v2(st->db, "record_kind", 1,
					  SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
					  record_kind_fn, NULL, NULL, NULL);
}

int store_open(const char *path, unsigned flags, struct store **out, struct strbuf *err)
{
	struct store *st;
	int oflags, rc, appid = 0, version = 0;
	struct strbuf uri = STRBUF_INIT;
	struct stat sb;

	*out = NULL;
	pthread_once(&sqlite_once, sqlite_setup);
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->flags = flags;
	if (flags & STORE_READONLY)
		oflags = SQLITE_OPEN_READONLY;
	else
		oflags = SQLITE_OPEN_READWRITE | ((flags & STORE_CREATE) ? SQLITE_OPEN_CREATE : 0);
	oflags |= SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
	/* A URI so that odd file names need no escaping rules of ours. */
	strbuf_addstr(&uri, "file:");
	for (const char *p = path; *p; p++) {
		if (*p == '?' || *p == '#' || *p == '%')
			strbuf_addf(&uri, "%%%02X", (unsigned char)*p);
		else
			strbuf_addch(&uri, *p);
	}
	if (flags & STORE_IMMUTABLE)
		strbuf_addstr(&uri, "?immutable=1");
	rc = strbuf_ok(&uri);
	if (rc)
		goto fail;
	/* SQLite says "disk I/O error" of a folder, and "unable to open" of a missing file. */
	if (strcmp(path, ":memory:") && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		strbuf_addf(err, "cannot open %s: a folder, not an inventory (a SQLite file such as %s/inventory.db)",
			    path, path);
		rc = -EISDIR;
		goto fail;
	}
	if (!(flags & STORE_CREATE) && strcmp(path, ":memory:") && stat(path, &sb) != 0 && errno == ENOENT) {
		strbuf_addf(err, "cannot open %s: no such file (`nletsfs import` makes an inventory)", path);
		rc = -ENOENT;
		goto fail;
	}
	rc = sqlite3_open_v2(uri.buf, &st->db, oflags, NULL);
	if (rc != SQLITE_OK) {
		strbuf_addf(err, "cannot open %s: %s", path,
			    st->db ? sqlite3_errmsg(st->db) : "out of memory");
		rc = store_sqlite_err(rc);
		goto fail;
	}
	rc = connection_setup(st);
	if (rc != SQLITE_OK) {
		strbuf_addf(err, "cannot open %s: %s", path, sqlite3_errmsg(st->db));
		rc = store_sqlite_err(rc);
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 10000);
	rc = pragma_int(st, "PRAGMA application_id", &appid);
	if (!rc)
		rc = pragma_int(st, "PRAGMA user_version", &version);
	if (rc) {
		strbuf_addf(err, "%s: error: not an nletsfs inventory: %s", path, sqlite3_errmsg(st->db));
		rc = -EINVAL;
		goto fail;
	}
	if (appid != STORE_APPLICATION_ID) {
		int ntables = 0;

		rc = pragma_int(st, "SELECT count(*) FROM sqlite_schema", &ntables);
		if (rc || appid != 0 || ntables != 0 || version != 0) {
			strbuf_addf(err, "%s: error: not an nletsfs inventory", path);
			rc = -EINVAL;
			goto fail;
		}
	}
	if (version > STORE_SCHEMA_VERSION) {
		strbuf_addf(err, "%s: error: schema version %d; this nletsfs reads up to %d: upgrade nletsfs",
			    path, version, STORE_SCHEMA_VERSION);
		rc = -EINVAL;
		goto fail;
	}
	if (!(flags & STORE_READONLY)) {
		/* A fresh file's journal holds the little a rollback needs: its pages did not exist. */
		rc = exec(st, (flags & STORE_FRESH) ? "PRAGMA journal_mode = MEMORY" : "PRAGMA journal_mode = WAL");
		if (!rc)
			rc = exec(st, "PRAGMA synchronous = NORMAL");
		/* An import is one transaction: a page cache that holds it saves
		 * spilling pages to the WAL and reading them back. */
		if (!rc)
			rc = exec(st, "PRAGMA cache_size = -262144");
		if (rc) {
			strbuf_addf(err, "cannot write %s: %s", path, sqlite3_errmsg(st->db));
			goto fail;
		}
	}
	/*
	 * Readers do not map the file (mmap_size stays 0): a mount has nine
	 * connections, and a mapping's pages count in its RSS once per
	 * connection (576 MiB for nine 64 MiB maps of a 318 MiB inventory at
	 * 100k flows). With the derived data stored, a first walk read through
	 * each connection's page cache was 3% slower than mapped at 10k flows.
	 */
	if (flags & STORE_READONLY) {
		rc = exec(st, "PRAGMA mmap_size = 0");
		if (rc)
			goto fail;
	}
	rc = exec(st, "PRAGMA foreign_keys = ON");
	if (rc)
		goto fail;
	if (version < STORE_SCHEMA_VERSION) {
		if (flags & STORE_READONLY) {
			strbuf_addf(err, "%s is %s; run `nletsfs import` on it first", path,
				    version ? "of an older schema" : "empty");
			rc = -EINVAL;
			goto fail;
		}
		rc = migrate(st, version, err);
		if (rc)
			goto fail;
	} else if (!(flags & (STORE_READONLY | STORE_IMMUTABLE))) {
		rc = ensure_views(st);
		if (rc) {
			strbuf_addf(err, "cannot write the inventory %s: %s", path, sqlite3_errmsg(st->db));
			goto fail;
		}
	}
	strbuf_release(&uri);
	*out = st;
	return 0;
fail:
	strbuf_release(&uri);
	store_close(st);
	return rc ? rc : -EIO;
}

/*
 * A read-only connection to an inventory's bytes in memory, `size` of them
 * at `buf`: freed with it when `owned`, else kept by their owner until it
 * is closed.
 */
static int open_bytes(unsigned char *buf, sqlite3_int64 size, int owned, struct store **out)
{
	struct store *st = calloc(1, sizeof(*st));
	int rc;

	if (!st) {
		if (owned)
			sqlite3_free(buf);
		return -ENOMEM;
	}
	st->flags = STORE_READONLY;
	rc = sqlite3_open_v2(":memory:", &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK)
		rc = connection_setup(st);
	if (rc == SQLITE_OK)
		rc = sqlite3_deserialize(st->db, "main", buf, size, size,
					 (owned ? SQLITE_DESERIALIZE_FREEONCLOSE : 0) | SQLITE_DESERIALIZE_READONLY);
	else if (owned)
		sqlite3_free(buf);
	/* SQLite reads the copy's pages where they are rather than into its page cache, a second copy. */
	if (rc == SQLITE_OK) {
		char sql[64];

		snprintf(sql, sizeof(sql), "PRAGMA mmap_size = %lld", (long long)size);
		rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	}
	if (rc != SQLITE_OK) {
		store_close(st);
		return store_sqlite_err(rc);
	}
	*out = st;
	return 0;
}

int store_open_copy(struct store *src, int64_t max_bytes, struct store **out)
{
	sqlite3_int64 size = 0;
	unsigned char *buf;
	int pages = 0, page = 0;

	*out = NULL;
	if (pragma_int(src, "PRAGMA page_count", &pages) || pragma_int(src, "PRAGMA page_size", &page) ||
	    (int64_t)pages * page > max_bytes)
		return -EFBIG;
	/* Through src's pager: its open transaction's pages as it sees them. */
	buf = sqlite3_serialize(src->db, "main", &size, 0);
	if (!buf)
		return -ENOMEM;
	/* A copy in memory has no WAL: bytes 18 and 19 of the header say the journal is a rollback one (1), not WAL (2). */
	if (size >= 100)
		buf[18] = buf[19] = 1;
	return open_bytes(buf, size, 1, out);
}

int store_open_copy_again(struct store *copy, struct store **out)
{
	sqlite3_int64 size = 0;
	/* The copy's own bytes (a database in memory is one block), not copied: read-only both. */
	unsigned char *buf = sqlite3_serialize(copy->db, "main", &size, SQLITE_SERIALIZE_NOCOPY);

	*out = NULL;
	return buf ? open_bytes(buf, size, 0, out) : -EINVAL;
}

int store_upgrade(const char *path, struct strbuf *err)
{
	struct store *st = NULL;
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int rc, version = 0;

	/* The version alone, by SQLite: store_open() refuses an older schema read-only. */
	pthread_once(&sqlite_once, sqlite_setup);
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL);
	if (rc == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	/* Current, newer, empty or no inventory at all: as it is (opening it says what is wrong). */
	if (version <= 0 || version >= STORE_SCHEMA_VERSION)
		return 0;
	rc = store_open(path, 0, &st, err); /* migrates */
	if (!rc)
		rc = exec(st, "PRAGMA journal_mode = DELETE");
	if (rc && !err->len)
		strbuf_addf(err, "cannot bring %s to schema version %d: %s", path, STORE_SCHEMA_VERSION,
			    store_errmsg(st));
	store_close(st);
	return rc;
}

int store_use_wal(struct store *st, struct strbuf *err)
{
	sqlite3_stmt *s = NULL;
	int ok = 0;

	/* The pragma answers the mode it left the file in: the old one when it could not switch. */
	if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		ok = !sqlite3_stricmp((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	if (!ok) {
		strbuf_addf(err, "cannot switch to a write-ahead log: %s", sqlite3_errmsg(st->db));
		return -EIO;
	}
	return 0;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	store_memo_clear(st);
	store_stmt_cache_release(st);
	sqlite3_close(st->db);
	strlist_release(&st->bulk_indexes);
	store_walk_release(st);
	free(st);
}

static int step_once(struct store *st, const char *sql)
{
	sqlite3_stmt *s = store_stmt(st, sql);

	return s ? store_step_done(s) : store_sqlite_err(sqlite3_errcode(st->db));
}

int store_begin(struct store *st)
{
	int rc = step_once(st, "BEGIN IMMEDIATE");

	if (!rc) {
		st->in_txn = 1;
		st->derived_in_txn = 0;
		st->dirty_slugs = 0;
		st->commit_error[0] = '\0';
	}
	return rc;
}

/* Add the name and SQL of each index of `table` to names and sqls when the table holds no row. */
static int empty_table_indexes(struct store *st, const char *table, struct strlist *names, struct strlist *sqls)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *s = NULL;
	int rc;

	strbuf_addf(&sql, "SELECT 1 FROM \"%s\" LIMIT 1", table);
	if (strbuf_ok(&sql))
		return -ENOMEM;
	rc = sqlite3_prepare_v2(st->db, sql.buf, -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	sqlite3_finalize(s);
	strbuf_release(&sql);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return store_sqlite_err(rc);
	/* sql IS NULL: the automatic indexes of primary keys, which stay. */
	rc = sqlite3_prepare_v2(st->db, "SELECT name, sql FROM sqlite_schema"
				" WHERE type='index' AND tbl_name=?1 AND sql IS NOT NULL ORDER BY rowid",
				-1, &s, NULL);
	if (rc == SQLITE_OK)
		sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		strlist_add(names, (const char *)sqlite3_column_text(s, 0));
		strlist_add(sqls, (const char *)sqlite3_column_text(s, 1));
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_sqlite_err(rc);
	return names->oom || sqls->oom ? -ENOMEM : 0;
}

int store_bulk_begin(struct store *st)
{
	static const char *const link_tables[] = { "citations", "links" };
	struct strlist names = STRLIST_INIT, sqls = STRLIST_INIT;
	struct strbuf drop = STRBUF_INIT;
	size_t i;
	int k, rc = st->bulk_indexes.n ? -EINVAL : 0;

	for (k = 0; !rc && k < REC_COUNT; k++)
		rc = empty_table_indexes(st, store_record_desc((enum record_kind)k)->name, &names, &sqls);
	for (i = 0; !rc && i < sizeof(link_tables) / sizeof(link_tables[0]); i++)
		rc = empty_table_indexes(st, link_tables[i], &names, &sqls);
	/* Each one dropped is kept, so that store_bulk_end() builds exactly those. */
	for (i = 0; !rc && i < names.n; i++) {
		strbuf_reset(&drop);
		strbuf_addf(&drop, "DROP INDEX \"%s\"", names.items[i]);
		rc = strbuf_ok(&drop);
		if (!rc)
			rc = exec(st, drop.buf);
		if (!rc)
			strlist_add(&st->bulk_indexes, sqls.items[i]);
		if (!rc && st->bulk_indexes.oom)
			rc = -ENOMEM;
	}
	strlist_release(&names);
	strlist_release(&sqls);
	strbuf_release(&drop);
	return rc;
}

int store_bulk_end(struct store *st)
{
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < st->bulk_indexes.n; i++)
		rc = exec(st, st->bulk_indexes.items[i]);
	if (!rc)
		strlist_release(&st->bulk_indexes);
	return rc;
}

int store_settle(struct store *st)
{
	int rc = store_bulk_end(st);

	return rc ? rc : store_refresh_slugs(st);
}

int store_flush(struct store *st)
{
	int rc = sqlite3_db_cacheflush(st->db);

	return rc == SQLITE_OK ? 0 : store_sqlite_err(rc);
}

int store_commit(struct store *st)
{
	int rc = store_settle(st);

	if (!rc)
		rc = store_derived_mark_stale(st);

	if (!rc)
		rc = step_once(st, "COMMIT");
	if (rc) {
		snprintf(st->commit_error, sizeof(st->commit_error), "%s", sqlite3_errmsg(st->db));
		store_rollback(st);
		return rc;
	}
	st->in_txn = 0;
	st->facts_fts_ok = 0;
	return 0;
}

void store_rollback(struct store *st)
{
	if (st->in_txn)
		step_once(st, "ROLLBACK");
	st->in_txn = 0;
	st->facts_fts_ok = 0; /* it may have undone a rebuild of temp.facts_fts */
	/* The rollback brought back the indexes a bulk load dropped. */
	strlist_release(&st->bulk_indexes);
}

int store_read_begin(struct store *st)
{
	store_memo_clear(st);
	return step_once(st, "BEGIN DEFERRED");
}

void store_read_end(struct store *st)
{
	step_once(st, "COMMIT");
}
