// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Time: the days on which the inventory changes, and the facts that change
 * on them. These drive at/ (which days exist, which day a date shares its
 * content with) and `changes` / `nletsfs diff` (which parts of the tree to
 * compare): both ask about days, never about every fact.
 *
 * A partial date is the first day of its period: NORM() pads it in SQL so
 * that range tests compare full dates.
 */
#include "store_i.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define NORM(x) "(" x "||CASE length(" x ") WHEN 4 THEN '-01-01' WHEN 7 THEN '-01' ELSE '' END)"

/*
 * Entities (agencies, partners, transactions, sources, ...) have no valid
 * time (store_kind_has_valid_time): their dates change no day's tree. A
 * source's date still moves two relations: the `listed` dates of the
 * partners a partner list names, and the `mentioned_in` lists of what a
 * document mentions (documents dated up to the day).
 */
#define SOURCE_DATES_MATTER(s) \
	"(" s ".kind='partner-list' OR EXISTS (SELECT 1 FROM mentions m WHERE m.source=" s ".id))"

static const char change_dates_sql[] =
	"SELECT " NORM("valid_from") " FROM flows WHERE valid_from<>''"
	" UNION SELECT " NORM("valid_until") " FROM flows WHERE valid_until IS NOT NULL"
	" UNION SELECT " NORM("valid_from") " FROM laws WHERE valid_from<>''"
	" UNION SELECT " NORM("as_of") " FROM participation"
	" UNION SELECT " NORM("date") " FROM sources s WHERE " SOURCE_DATES_MATTER("s")
	" ORDER BY 1";

/*
 * day, kind, id, from, to, fields, transaction, sources, status: one row per
 * fact and day, in day order, so that `changes` reads every day's facts in
 * one pass over the tables instead of one pass per day.
 */
static const char boundary_sql[] =
	"SELECT * FROM ("
	"SELECT " NORM("valid_from") " AS day, " KIND("flows") ", id, \"from\", \"to\", fields, \"transaction\", source, status"
	" FROM flows WHERE valid_from<>''"
	" UNION ALL SELECT " NORM("valid_until") ", " KIND("flows") ", id, \"from\", \"to\", fields, \"transaction\", source, status"
	" FROM flows WHERE valid_until IS NOT NULL"
	" UNION ALL SELECT " NORM("valid_from") ", " KIND("laws") ", state, id, NULL, NULL, NULL, source, NULL FROM laws"
	" WHERE valid_from<>''"
	" UNION ALL SELECT " NORM("as_of") ", " KIND("participation") ", state, function, NULL, NULL, NULL, source, NULL FROM participation"
	" UNION ALL SELECT " NORM("date") ", " KIND("sources") ", id, kind, CASE WHEN content IS NOT NULL THEN 'document' END,"
	" NULL, NULL, id, NULL FROM sources s WHERE " SOURCE_DATES_MATTER("s") ")"
	" WHERE day>COALESCE(?1,'') AND day<=?2 ORDER BY day";

int store_change_dates(struct store *st, struct strlist *out)
{
	sqlite3_stmt *s = store_stmt(st, change_dates_sql);
	int rc;

	if (!s)
		return -EIO;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(s, 0);

		/* Only well-formed days: a stored date is checked at import. */
		if (d && store_date_full(d))
			strlist_add(out, d);
	}
	store_stmt_done(s);
	if (rc != SQLITE_DONE)
		return store_sqlite_err(rc);
	return out->oom ? -ENOMEM : 0;
}

static const char *col(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

int store_boundary_facts(struct store *st, const char *after, const char *upto,
			 int (*cb)(void *arg, const struct store_fact *f), void *arg)
{
	sqlite3_stmt *s = store_stmt(st, boundary_sql);
	int rc;

	if (!s)
		return -EIO;
	store_bind_text(s, 1, after, 1);
	store_bind_text(s, 2, upto, 0);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_fact f = {
			.date = col(s, 0), .kind = (enum record_kind)sqlite3_column_int(s, 1),
			.id = col(s, 2), .from = col(s, 3), .to = col(s, 4),
			.fields = col(s, 5), .transaction = col(s, 6), .sources = col(s, 7), .status = col(s, 8),
		};

		rc = cb(arg, &f);
		if (rc)
			break;
	}
	store_stmt_done(s);
	if (rc == SQLITE_DONE)
		return 0;
	return rc > 0 ? store_sqlite_err(rc) : rc;
}

int store_cache_size(struct store *st, long size, long *old)
{
	sqlite3_stmt *s = NULL;
	char sql[64];
	int rc = SQLITE_OK;

	if (old) {
		rc = sqlite3_prepare_v2(st->db, "PRAGMA cache_size", -1, &s, NULL);
		if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
			*old = (long)sqlite3_column_int64(s, 0);
			rc = SQLITE_OK;
		}
		sqlite3_finalize(s);
	}
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = %ld", size);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	return store_sqlite_err(rc);
}
