// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The questions the tree asks of the inventory: relations between records
 * (what a state system shares and with whom, who receives a field, which
 * paths a source supports), README counts, and the integrity check.
 *
 * Every relation is one indexed query that returns one text column,
 * DISTINCT and ORDER BY under SQLite's BINARY collation (memcmp), which is
 * exactly the bytewise order list files require. ?1 and ?2 are the
 * relation's arguments, ?3 the day shown (YYYY-MM-DD).
 */
#include "store_i.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/array.h"

#define OK_ON(f) f ".valid_from<=?3 AND (" f ".valid_until IS NULL OR " f ".valid_until>?3)"
#define SYSTEM_FLOWS "FROM flows f WHERE f.from_state=?1 AND f.from_system=?2 AND " OK_ON("f")
#define CITE_LINE "c.source||COALESCE(' p.'||c.page,'')"

static const char *const relation_sql[REL_COUNT] = {
	[REL_STATE_SYSTEMS] =
		/* Per system, the first flow that holds: not every flow of the state. */
		"SELECT y.slug FROM systems y WHERE EXISTS (SELECT 1 FROM flows f"
		" WHERE f.from_state=?1 AND f.from_system=y.id AND " OK_ON("f") ") ORDER BY 1",
	[REL_SYSTEM_FIELDS] =
		/* CROSS JOIN: flows first, by state and system; links by key. */
		"SELECT DISTINCT l.value FROM flows f CROSS JOIN links l"
		" ON l.kind=" KIND("flows") " AND l.\"key\"=f.id AND l.col='fields'"
		" WHERE f.from_state=?1 AND f.from_system=?2 AND f.status<>'blocked' AND " OK_ON("f")
		" ORDER BY 1",
	[REL_SYSTEM_TRANSACTIONS] =
		"SELECT DISTINCT f.\"transaction\" " SYSTEM_FLOWS
		" AND f.status<>'blocked' AND f.\"transaction\" IS NOT NULL ORDER BY 1",
	[REL_SYSTEM_RECIPIENTS] =
		"SELECT DISTINCT f.\"to\" " SYSTEM_FLOWS " AND f.status<>'blocked' ORDER BY 1",
	[REL_SYSTEM_BLOCKED] =
		"SELECT DISTINCT f.\"to\" " SYSTEM_FLOWS " AND f.status='blocked' ORDER BY 1",
	[REL_SYSTEM_SOURCES] =
		"SELECT DISTINCT " CITE_LINE " FROM flows f CROSS JOIN citations c ON c.kind=" KIND("flows") " AND c.\"key\"=f.id"
		" WHERE f.from_state=?1 AND f.from_system=?2 AND " OK_ON("f") " ORDER BY 1",
	[REL_AGENCY_RECEIVES] =
		"SELECT DISTINCT f.\"from\" FROM flows f WHERE f.\"to\"=?1 AND f.from_system IS NOT NULL"
		" AND f.status<>'blocked' AND " OK_ON("f") " ORDER BY 1",
	[REL_AGENCY_BLOCKED_BY] =
		"SELECT DISTINCT f.\"from\" FROM flows f WHERE f.\"to\"=?1 AND f.from_system IS NOT NULL"
		" AND f.status='blocked' AND " OK_ON("f") " ORDER BY 1",
	[REL_FIELD_SHARED_BY] =
		"SELECT DISTINCT f.\"from\" FROM links l JOIN flows f ON f.id=l.\"key\""
		" WHERE l.kind=" KIND("flows") " AND l.col='fields' AND l.value=?1 AND f.from_system IS NOT NULL"
		" AND f.status<>'blocked' AND " OK_ON("f") " ORDER BY 1",
	[REL_FIELD_RETURNED_BY] =
		"SELECT DISTINCT t.\"key\" FROM links l JOIN transactions t ON t.\"key\"=l.\"key\""
		" WHERE l.kind=" KIND("transactions") " AND l.col='returns' AND l.value=?1 ORDER BY 1", /* an entity's list: timeless */
	[REL_TRANSACTION_STATES] =
		"SELECT DISTINCT f.from_state FROM flows f WHERE f.\"transaction\"=?1"
		" AND f.from_state IS NOT NULL AND f.from_state<>'*' AND f.status<>'blocked' AND "
		OK_ON("f") " ORDER BY 1",
	/* Entities (agencies, partners, transactions) have no valid time: cited on every day. */
	/*
	 * A record reference per line (REF: its kind, then the names the tree
	 * gives it; fs/ makes the path). A state's system is the systems kind
	 * with the state first.
	 */
	[REL_SOURCE_SUPPORTS] =
		"SELECT " REF1("agencies", "a.slug") " FROM citations c JOIN agencies a ON c.kind=" KIND("agencies")
		" AND c.\"key\"=a.id WHERE c.source=?1"
		" UNION SELECT " REF1("partners", "p.slug") " FROM citations c JOIN partners p"
		" ON c.kind=" KIND("partners") " AND c.\"key\"=p.id WHERE c.source=?1"
		" UNION SELECT " REF1("transactions", "t.slug") " FROM citations c JOIN transactions t"
		" ON c.kind=" KIND("transactions") " AND c.\"key\"=t.\"key\" WHERE c.source=?1"
		" UNION SELECT " REF1("flows", "f.slug") " FROM citations c JOIN flows f ON c.kind=" KIND("flows")
		" AND c.\"key\"=f.id WHERE c.source=?1 AND (?3 IS NULL OR (" OK_ON("f") "))"
		" UNION SELECT " REF2("systems", "f.from_state", "y.slug") " FROM citations c JOIN flows f"
		" ON c.kind=" KIND("flows") " AND c.\"key\"=f.id JOIN systems y ON y.id=f.from_system"
		" WHERE c.source=?1 AND f.from_state<>'*' AND (?3 IS NULL OR (" OK_ON("f") "))"
		" UNION SELECT " REF2("laws", "l.state", "l.slug") " FROM citations c JOIN laws l"
		" ON c.kind=" KIND("laws") " AND c.\"key\"=" LAW_KEY("l") " WHERE c.source=?1"
		" AND (?3 IS NULL OR l.valid_from<=?3)"
		" UNION SELECT " REF2("participation", "p.state", "p.function") " FROM citations c"
		" JOIN participation p ON c.kind=" KIND("participation") " AND c.\"key\"=" PARTICIPATION_KEY("p")
		" WHERE c.source=?1 AND (?3 IS NULL OR p.as_of<=?3)"
		" UNION SELECT " REF1("claims", "k.slug") " FROM citations c JOIN claims k"
		" ON c.kind=" KIND("claims") " AND c.\"key\"=k.id WHERE c.source=?1"
		" ORDER BY 1",
	/*
	 * FROM..TO ranges over dated observations of partner lists. A list is
	 * its sources' url (or title). The partner is seen on a list's date
	 * when that observation names it, or when a record cites that list;
	 * a sighting lasts until the next whole observation of the same list
	 * that lacks the partner. Overlapping ranges of several lists merge
	 * ('~' stands for "still listed": it sorts after every date).
	 */
	[REL_PARTNER_LISTED] =
		"WITH obs(list, d, src) AS (SELECT COALESCE(NULLIF(s.url,''), s.title), o.as_of, o.source"
		"  FROM partner_lists o JOIN sources s ON s.id=o.source WHERE ?3 IS NULL OR o.as_of<=?3),"
		" seen(list, d) AS (SELECT o.list, o.d FROM obs o JOIN partner_listings x"
		"  ON x.source=o.src AND x.partner=?1"
		"  UNION SELECT COALESCE(NULLIF(s.url,''), s.title), s.date FROM citations c"
		"  JOIN sources s ON s.id=c.source WHERE c.kind=" KIND("partners") " AND c.\"key\"=?1 AND s.kind='partner-list'"
		"  AND (?3 IS NULL OR s.date<=?3)),"
		" ends(list, d, e) AS (SELECT v.list, v.d, (SELECT MIN(o.d) FROM obs o WHERE o.list=v.list"
		"  AND o.d>v.d AND NOT EXISTS (SELECT 1 FROM partner_listings x WHERE x.source=o.src"
		"  AND x.partner=?1)) FROM seen v),"
		" ranges(s, e) AS (SELECT MIN(d), COALESCE(e, '~') FROM ends GROUP BY list, e),"
		" breaks(s, e, b) AS (SELECT s, e, CASE WHEN s<=MAX(e) OVER (ORDER BY s, e"
		"  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) THEN 0 ELSE 1 END FROM ranges),"
		" groups(s, e, g) AS (SELECT s, e, SUM(b) OVER (ORDER BY s, e ROWS UNBOUNDED PRECEDING)"
		"  FROM breaks)"
		" SELECT MIN(s)||'..'||REPLACE(MAX(e), '~', '') FROM groups GROUP BY g ORDER BY 1",
	[REL_RECORD_SOURCES] =
		"SELECT DISTINCT " CITE_LINE " FROM citations c WHERE c.kind=?1 AND c.\"key\"=?2 ORDER BY 1",
};

/*
 * The same relations across time, for `changes`: one row per fact that puts
 * a line in a list, with the list's arguments as the tree names them (a
 * state code, slugs), the line, and the fact's valid days (since: NULL or
 * '' from the beginning; until: NULL while it holds). Each row's conditions
 * are those of its relation_sql entry above with ?1, ?2 and ?3 lifted out;
 * tests/unit compares the two on every instance and day of an inventory.
 */
#define SPAN_ON(f) f ".valid_from, " f ".valid_until"
#define SYSTEM_ARGS "f.from_state, y.slug"
#define SYSTEM_SPAN_FLOWS "FROM flows f JOIN systems y ON y.id=f.from_system WHERE f.from_state<>'*'"

static const char *const relation_spans_sql[REL_COUNT] = {
	[REL_STATE_SYSTEMS] =
		"SELECT f.from_state, NULL, y.slug, " SPAN_ON("f") " " SYSTEM_SPAN_FLOWS,
	[REL_SYSTEM_FIELDS] =
		"SELECT " SYSTEM_ARGS ", l.value, " SPAN_ON("f") " FROM flows f JOIN systems y ON y.id=f.from_system"
		" JOIN links l ON l.kind=" KIND("flows") " AND l.\"key\"=f.id AND l.col='fields'"
		" WHERE f.from_state<>'*' AND f.status<>'blocked'",
	[REL_SYSTEM_TRANSACTIONS] =
		"SELECT " SYSTEM_ARGS ", f.\"transaction\", " SPAN_ON("f") " " SYSTEM_SPAN_FLOWS
		" AND f.status<>'blocked' AND f.\"transaction\" IS NOT NULL",
	[REL_SYSTEM_RECIPIENTS] =
		"SELECT " SYSTEM_ARGS ", f.\"to\", " SPAN_ON("f") " " SYSTEM_SPAN_FLOWS " AND f.status<>'blocked'",
	[REL_SYSTEM_BLOCKED] =
		"SELECT " SYSTEM_ARGS ", f.\"to\", " SPAN_ON("f") " " SYSTEM_SPAN_FLOWS " AND f.status='blocked'",
	[REL_SYSTEM_SOURCES] =
		"SELECT " SYSTEM_ARGS ", " CITE_LINE ", " SPAN_ON("f") " FROM flows f JOIN systems y ON y.id=f.from_system"
		" JOIN citations c ON c.kind=" KIND("flows") " AND c.\"key\"=f.id WHERE f.from_state<>'*'",
	[REL_AGENCY_RECEIVES] =
		"SELECT a.slug, NULL, f.\"from\", " SPAN_ON("f") " FROM flows f JOIN agencies a ON a.id=f.\"to\""
		" WHERE f.from_system IS NOT NULL AND f.status<>'blocked'",
	[REL_AGENCY_BLOCKED_BY] =
		"SELECT a.slug, NULL, f.\"from\", " SPAN_ON("f") " FROM flows f JOIN agencies a ON a.id=f.\"to\""
		" WHERE f.from_system IS NOT NULL AND f.status='blocked'",
	[REL_FIELD_SHARED_BY] =
		"SELECT d.slug, NULL, f.\"from\", " SPAN_ON("f") " FROM links l JOIN flows f ON f.id=l.\"key\""
		" JOIN fields d ON d.id=l.value WHERE l.kind=" KIND("flows") " AND l.col='fields'"
		" AND f.from_system IS NOT NULL AND f.status<>'blocked'",
	[REL_TRANSACTION_STATES] =
		"SELECT t.slug, NULL, f.from_state, " SPAN_ON("f") " FROM flows f JOIN transactions t"
		" ON t.\"key\"=f.\"transaction\" WHERE f.from_state IS NOT NULL AND f.from_state<>'*'"
		" AND f.status<>'blocked'",
	[REL_SOURCE_SUPPORTS] =
		"SELECT s.slug, NULL, " REF1("agencies", "a.slug") ", NULL, NULL FROM citations c"
		" JOIN sources s ON s.id=c.source JOIN agencies a ON c.kind=" KIND("agencies") " AND c.\"key\"=a.id"
		" UNION ALL SELECT s.slug, NULL, " REF1("partners", "p.slug") ", NULL, NULL FROM citations c"
		" JOIN sources s ON s.id=c.source JOIN partners p ON c.kind=" KIND("partners") " AND c.\"key\"=p.id"
		" UNION ALL SELECT s.slug, NULL, " REF1("claims", "k.slug") ", NULL, NULL FROM citations c"
		" JOIN sources s ON s.id=c.source JOIN claims k ON c.kind=" KIND("claims") " AND c.\"key\"=k.id"
		" UNION ALL SELECT s.slug, NULL, " REF1("transactions", "t.slug") ", NULL, NULL FROM citations c"
		" JOIN sources s ON s.id=c.source JOIN transactions t ON c.kind=" KIND("transactions")
		" AND c.\"key\"=t.\"key\""
		" UNION ALL SELECT s.slug, NULL, " REF1("flows", "f.slug") ", " SPAN_ON("f") " FROM citations c"
		" JOIN sources s ON s.id=c.source JOIN flows f ON c.kind=" KIND("flows") " AND c.\"key\"=f.id"
		" UNION ALL SELECT s.slug, NULL, " REF2("systems", "f.from_state", "y.slug") ", " SPAN_ON("f")
		" FROM citations c JOIN sources s ON s.id=c.source JOIN flows f ON c.kind=" KIND("flows")
		" AND c.\"key\"=f.id JOIN systems y ON y.id=f.from_system WHERE f.from_state<>'*'"
		" UNION ALL SELECT s.slug, NULL, " REF2("laws", "l.state", "l.slug") ", l.valid_from, NULL FROM citations c"
		" JOIN sources s ON s.id=c.source JOIN laws l ON c.kind=" KIND("laws") " AND c.\"key\"=" LAW_KEY("l")
		" UNION ALL SELECT s.slug, NULL, " REF2("participation", "p.state", "p.function") ", p.as_of, NULL"
		" FROM citations c JOIN sources s ON s.id=c.source"
		" JOIN participation p ON c.kind=" KIND("participation") " AND c.\"key\"=" PARTICIPATION_KEY("p"),
};

int store_relation_spans(struct store *st, enum store_relation rel, store_span_fn fn, void *arg)
{
	sqlite3_stmt *s;
	int r, rc = 0;

	if (rel >= REL_COUNT || !relation_spans_sql[rel])
		return -EINVAL;
	s = store_stmt(st, relation_spans_sql[rel]);
	if (!s)
		return -EIO;
	while (!rc && (r = sqlite3_step(s)) == SQLITE_ROW) {
		const char *v[5];
		int i;

		for (i = 0; i < 5; i++)
			v[i] = (const char *)sqlite3_column_text(s, i);
		if (v[0] && v[2]) /* as store_collect: a NULL is no line */
			rc = fn(arg, v[0], v[1], v[2], v[3], v[4]);
	}
	if (!rc && r != SQLITE_DONE)
		rc = store_sqlite_err(r);
	store_stmt_done(s);
	return rc;
}

int store_relation(struct store *st, enum store_relation rel, const char *a, const char *b,
		   const char *date, struct strlist *out)
{
	sqlite3_stmt *s;

	if (rel >= REL_COUNT)
		return -EINVAL;
	s = store_stmt(st, relation_sql[rel]);
	if (!s)
		return -EIO;
	if (rel == REL_RECORD_SOURCES) {
		int k;

		for (k = 0; k < REC_COUNT; k++)
			if (!strcmp(store_record_desc((enum record_kind)k)->name, a ? a : ""))
				break;
		sqlite3_bind_int(s, 1, k);
	} else {
		store_bind_text(s, 1, a, 0);
	}
	if (sqlite3_bind_parameter_count(s) >= 2)
		store_bind_text(s, 2, b, 0);
	if (sqlite3_bind_parameter_count(s) >= 3)
		store_bind_text(s, 3, date, 1);
	return store_collect(s, out);
}

/* The entry of `system` in *l (added when new), or NULL on ENOMEM. */
static struct store_system_lists *system_entry(struct store_system_lists **l, size_t *n, size_t *alloc,
					       const char *system)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*l)[i].system, system))
			return &(*l)[i];
	if (array_reserve(l, *n, alloc, sizeof(**l), 16))
		return NULL;
	memset(&(*l)[*n], 0, sizeof(**l));
	(*l)[*n].system = strdup(system);
	return (*l)[*n].system ? &(*l)[(*n)++] : NULL;
}

/*
 * Each query gives (system, value, what): `what` says which lists the row
 * goes to, as REL_SYSTEM_* bits; the conditions are the five relations'.
 */
static const char *const state_lists_sql[3] = {
	"SELECT f.from_system, l.value, 1<<1 FROM flows f CROSS JOIN links l"
	" ON l.kind=" KIND("flows") " AND l.\"key\"=f.id AND l.col='fields'"
	" WHERE f.from_state=?1 AND f.from_system IS NOT NULL AND f.status<>'blocked' AND " OK_ON("f"),
	"SELECT f.from_system, f.\"transaction\", 1<<2 FROM flows f WHERE f.from_state=?1 AND f.from_system IS NOT NULL"
	" AND f.status<>'blocked' AND f.\"transaction\" IS NOT NULL AND " OK_ON("f")
	" UNION ALL SELECT f.from_system, f.\"to\", CASE WHEN f.status='blocked' THEN 1<<4 ELSE 1<<3 END"
	" FROM flows f WHERE f.from_state=?1 AND f.from_system IS NOT NULL AND f.status IS NOT NULL AND " OK_ON("f"),
	"SELECT f.from_system, " CITE_LINE ", 1<<5 FROM flows f CROSS JOIN citations c ON c.kind=" KIND("flows") " AND c.\"key\"=f.id"
	" WHERE f.from_state=?1 AND f.from_system IS NOT NULL AND " OK_ON("f"),
};

int store_state_system_lists(struct store *st, const char *state, const char *date,
			     struct store_system_lists **out, size_t *n)
{
	struct store_system_lists *l = NULL;
	size_t nl = 0, alloc = 0, i;
	int q, r, rc = 0;

	_Static_assert(REL_SYSTEM_FIELDS == 1 && REL_SYSTEM_SOURCES == 5, "the bits in state_lists_sql");
	for (q = 0; q < 3 && !rc; q++) {
		sqlite3_stmt *s = store_stmt(st, state_lists_sql[q]);

		if (!s) {
			rc = -EIO;
			break;
		}
		store_bind_text(s, 1, state, 0);
		store_bind_text(s, 3, date, 1);
		while (!rc && (r = sqlite3_step(s)) == SQLITE_ROW) {
			const char *sys = (const char *)sqlite3_column_text(s, 0);
			const char *v = (const char *)sqlite3_column_text(s, 1);
			int what = sqlite3_column_int(s, 2), k;
			struct store_system_lists *e;

			if (!sys || !v)
				continue; /* as store_collect: NULLs are no line */
			e = system_entry(&l, &nl, &alloc, sys);
			if (!e) {
				rc = -ENOMEM;
				break;
			}
			for (k = REL_SYSTEM_FIELDS; k <= REL_SYSTEM_SOURCES; k++)
				if (what & (1 << k))
					strlist_add(&e->rel[k - REL_SYSTEM_FIELDS], v);
		}
		if (!rc && r != SQLITE_DONE)
			rc = store_sqlite_err(r);
		store_stmt_done(s);
	}
	for (i = 0; i < nl && !rc; i++)
		for (q = 0; q < STORE_SYSTEM_NLISTS; q++) {
			strlist_sort_uniq(&l[i].rel[q]);
			if (l[i].rel[q].oom)
				rc = -ENOMEM;
		}
	if (rc) {
		store_system_lists_free(l, nl);
		return rc;
	}
	*out = l;
	*n = nl;
	return 0;
}

void store_system_lists_free(struct store_system_lists *l, size_t n)
{
	size_t i;
	int q;

	for (i = 0; i < n; i++) {
		free(l[i].system);
		for (q = 0; q < STORE_SYSTEM_NLISTS; q++)
			strlist_release(&l[i].rel[q]);
	}
	free(l);
}

int store_counts(struct store *st, const char *date, struct store_counts *out)
{
	static const char sql[] =
		"SELECT"
		" (SELECT count(*) FROM (SELECT from_state FROM flows f WHERE from_state<>'*' AND " OK_ON("f")
		"  UNION SELECT state FROM laws WHERE valid_from<=?3"
		"  UNION SELECT state FROM participation WHERE as_of<=?3)),"
		" (SELECT count(*) FROM flows f WHERE " OK_ON("f") "),"
		/* Entities have no valid time: every day lists them all (store_kind_has_valid_time). */
		" (SELECT count(*) FROM partners),"
		" (SELECT count(*) FROM agencies),"
		" (SELECT count(*) FROM sources),"
		" (SELECT count(*) FROM transactions),"
		" (SELECT count(*) FROM fields),"
		" (SELECT count(*) FROM laws WHERE valid_from<=?3),"
		" (SELECT MAX(date) FROM sources)";
	sqlite3_stmt *s = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 3, date, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
	}
	if (rc == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(s, 8);

		out->states_with_facts = sqlite3_column_int64(s, 0);
		out->flows = sqlite3_column_int64(s, 1);
		out->partners = sqlite3_column_int64(s, 2);
		out->agencies = sqlite3_column_int64(s, 3);
		out->sources = sqlite3_column_int64(s, 4);
		out->transactions = sqlite3_column_int64(s, 5);
		out->fields = sqlite3_column_int64(s, 6);
		out->laws = sqlite3_column_int64(s, 7);
		if (d) {
			strncpy(out->newest_source_date, d, sizeof(out->newest_source_date) - 1);
		}
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return store_sqlite_err(rc);
}

/* The index of the first of `days` on or after `d` (NULL: none): from it on, a fact dated `d` holds. */
static size_t first_day_from(const struct strlist *days, const char *d)
{
	return d ? strlist_lower_bound(days, d) : days->n;
}

/*
 * store_counts() of every day of `days` in one pass: each dated count is a
 * running sum over the days of +1 where a fact starts and -1 where it
 * ends, with the conditions of store_counts()'s query (?3 there is a day).
 */
int store_counts_days(struct store *st, const struct strlist *days, struct store_counts *out)
{
	static const char *const dated[] = {
		"SELECT from_state, valid_from, valid_until, 1 FROM flows",
		"SELECT state, valid_from, NULL, 2 FROM laws",
		"SELECT state, as_of, NULL, 0 FROM participation",
	};
	long *flows = NULL, *laws = NULL, *by_state = NULL;	/* by_state: STORE_NJURISDICTIONS rows of days */
	size_t n = days->n, i, q;
	int rc, r;

	if (!n)
		return 0;
	rc = store_counts(st, days->items[0], &out[0]);
	flows = calloc(n + 1, sizeof(*flows));
	laws = calloc(n + 1, sizeof(*laws));
	by_state = calloc((size_t)STORE_NJURISDICTIONS * (n + 1), sizeof(*by_state));
	if (!rc && (!flows || !laws || !by_state))
		rc = -ENOMEM;
	for (q = 0; !rc && q < sizeof(dated) / sizeof(dated[0]); q++) {
		sqlite3_stmt *s = store_stmt(st, dated[q]);

		if (!s) {
			rc = -EIO;
			break;
		}
		while (!rc && (r = sqlite3_step(s)) == SQLITE_ROW) {
			const char *state = (const char *)sqlite3_column_text(s, 0);
			size_t from = first_day_from(days, (const char *)sqlite3_column_text(s, 1));
			size_t to = first_day_from(days, (const char *)sqlite3_column_text(s, 2));
			int what = sqlite3_column_int(s, 3), j = state ? store_jurisdiction_find(state) : -1;

			if (from >= to)
				continue;
			if (what == 1) {
				flows[from]++;
				flows[to]--;
			} else if (what == 2) {
				laws[from]++;
			}
			if (j >= 0) {
				by_state[(size_t)j * (n + 1) + from]++;
				by_state[(size_t)j * (n + 1) + to]--;
			}
		}
		if (!rc && r != SQLITE_DONE)
			rc = store_sqlite_err(r);
		store_stmt_done(s);
	}
	for (i = 0; !rc && i < n; i++) {
		int j;

		if (i) {
			out[i] = out[i - 1];
			flows[i] += flows[i - 1];
			laws[i] += laws[i - 1];
		}
		out[i].flows = flows[i];
		out[i].laws = laws[i];
		out[i].states_with_facts = 0;
		for (j = 0; j < STORE_NJURISDICTIONS; j++) {
			long *row = &by_state[(size_t)j * (n + 1)];

			if (i)
				row[i] += row[i - 1];
			out[i].states_with_facts += row[i] > 0;
		}
	}
	free(flows);
	free(laws);
	free(by_state);
	return rc;
}

/* Append each row of a one-column query to the report, prefixed. */
static int report_rows(struct store *st, const char *sql, const char *prefix, const char *skip,
		       struct strbuf *report, int *problems)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);

		if (skip && t && !strcmp(t, skip))
			continue;
		strbuf_addf(report, "%s%s\n", prefix, t ? t : "?");
		(*problems)++;
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	if (rc != SQLITE_DONE) {
		strbuf_addf(report, "%scheck failed: %s\n", prefix, sqlite3_errmsg(st->db));
		(*problems)++;
	}
	return 0;
}

int store_check(struct store *st, struct strbuf *report)
{
	int problems = 0;

	report_rows(st, "PRAGMA integrity_check", "integrity: ", "ok", report, &problems);
	report_rows(st, "SELECT \"table\"||' row '||rowid||' references a missing '||parent"
			" FROM pragma_foreign_key_check", "foreign key: ", NULL, report, &problems);
	report_rows(st,
		    "SELECT 'agencies/'||id FROM agencies a WHERE NOT EXISTS"
		    " (SELECT 1 FROM citations c WHERE c.kind=" KIND("agencies") " AND c.\"key\"=a.id)"
		    " UNION ALL SELECT 'partners/'||id FROM partners p WHERE NOT EXISTS"
		    " (SELECT 1 FROM citations c WHERE c.kind=" KIND("partners") " AND c.\"key\"=p.id)"
		    " UNION ALL SELECT 'transactions/'||\"key\" FROM transactions t WHERE NOT EXISTS"
		    " (SELECT 1 FROM citations c WHERE c.kind=" KIND("transactions") " AND c.\"key\"=t.\"key\")"
		    " UNION ALL SELECT 'flows/'||id FROM flows f WHERE NOT EXISTS"
		    " (SELECT 1 FROM citations c WHERE c.kind=" KIND("flows") " AND c.\"key\"=f.id)"
		    " UNION ALL SELECT 'laws/'||state||'/'||id FROM laws l WHERE NOT EXISTS"
		    " (SELECT 1 FROM citations c WHERE c.kind=" KIND("laws") " AND c.\"key\"=" LAW_KEY("l") ")"
		    " UNION ALL SELECT 'participation/'||state||'/'||function||'/'||as_of FROM participation p"
		    " WHERE NOT EXISTS (SELECT 1 FROM citations c WHERE c.kind=" KIND("participation")
		    " AND c.\"key\"=" PARTICIPATION_KEY("p") ")"
		    " UNION ALL SELECT 'claims/'||id FROM claims k WHERE NOT EXISTS"
		    " (SELECT 1 FROM citations c WHERE c.kind=" KIND("claims") " AND c.\"key\"=k.id)",
		    "fact without a source: ", NULL, report, &problems);
	report_rows(st, "SELECT c.source||' (cited by kind '||c.kind||' '||c.\"key\"||')' FROM citations c"
			" WHERE NOT EXISTS (SELECT 1 FROM sources s WHERE s.id=c.source)",
		    "missing source: ", NULL, report, &problems);
	report_rows(st, "SELECT 'jurisdictions: '||count(*)||' rows, 56 expected' FROM jurisdictions"
			" HAVING count(*)<>56", "schema: ", NULL, report, &problems);
	return problems;
}
