// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The advocates' checklist: the questions of the seed's "What can advocates
 * do?" section (SPEC section 4), each with the rule that answers it for one
 * jurisdiction on one day. The table `rules[]` below is the whole checklist;
 * docs/questions.md says every rule in words.
 *
 * A rule is one query over the jurisdiction's own facts that returns
 * evidence rows (vote, path, note, citation). A vote is yes, no or partial;
 * the answer is the vote when all evidence agrees, partial when it does not,
 * and unknown without evidence. Evidence is a fact about that very
 * question: a block of ICE decides whether DHS can reach the data, not
 * whether photos or name-only queries are shared nor how the block is made.
 * Three things every rule shares:
 *  - a participation row of the state whose function is the question id
 *    (e.g. `ori-block`) is a direct answer and overrides the rest, so an
 *    answer obtained from a state can be recorded as data;
 *  - a law of the state is part of the basis when it and a deciding fact
 *    cite the same source of kind `law`: it is what that fact rests on;
 *  - flows from STAR/SYSTEM (the Nlets documentation about every state) are
 *    never evidence about a state; a rule's background query lists them.
 * Parameters: ?1 the jurisdiction code, ?2 the day (YYYY-MM-DD), ?3 the
 * question id. System ids (dmv, driver_history, vehicle_registration), the
 * agency id DHS and the message key DNQ are the data/ vocabulary.
 */
#include "store_i.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define LIVE_ON(t) "(" t ".valid_from<=?2 AND (" t ".valid_until IS NULL OR " t ".valid_until>?2))"
#define CITE_LINE "c.source||COALESCE(' p.'||c.page,'')"
/* DHS and every agency below it (ICE, CBP, USCIS, LESC, HSI, ...). */
#define DHS_CTE "dhs(id) AS (SELECT 'DHS' UNION SELECT a.id FROM agencies a JOIN dhs ON a.parent=dhs.id)"

/*
 * A participation row p as evidence: vote, direct, kind, citation key,
 * path and note (the columns of ev below).
 */
#define PARTICIPATION_EVIDENCE(vote, direct) \
	vote ", " direct ", " KIND("participation") ", " PARTICIPATION_KEY("p") "," \
	" " REF2("participation", "p.state", "p.function") ", p.function||': '||p.value"
/* The newest participation row of the state for a function, as of ?2. */
#define PARTICIPATION_NEWEST \
	"participation p WHERE p.state=?1 AND p.as_of=(SELECT max(q.as_of) FROM participation q" \
	" WHERE q.state=?1 AND q.function=p.function AND q.as_of<=?2)"
#define PARTICIPATION_ROW(vote, direct) \
	"SELECT " PARTICIPATION_EVIDENCE(vote, direct) " FROM " PARTICIPATION_NEWEST " AND p.function="
#define DIRECT PARTICIPATION_ROW("NULLIF(p.value,'unknown')", "1") "?3"
/* The direct answers to every question, by number (qids: the questions' numbers and ids). */
#define DIRECT_ALL \
	"SELECT x.q, " PARTICIPATION_EVIDENCE("NULLIF(p.value,'unknown')", "1") " FROM qids x JOIN " \
	PARTICIPATION_NEWEST " AND p.function=x.id"
/* Participation row `fn` votes `vote` (an SQL expression of p.value; NULL: no vote). */
#define PARTICIPATION(fn, vote) PARTICIPATION_ROW(vote, "0") "'" fn "'"
/*
 * The state's own flows (from `set`) that meet `cond` vote `vote`; `more`
 * is added to the note. A rule's row reads one flow of sf; a row whose
 * condition reads the state's other flows too reads sfx (FLOWS_ACROSS_IF):
 * the same flows, but not kept per flow in a pass (store_answers_pass).
 */
#define FLOWS_OF(set, vote, more, cond) \
	"SELECT " vote ", 0, " KIND("flows") ", f.id, " REF1("flows", "f.slug") ", f.\"from\"" \
	"||CASE f.status WHEN 'blocked' THEN ' blocks ' ELSE ' to ' END||f.\"to\"" \
	"||COALESCE(', '||f.\"transaction\",'')||CASE f.status WHEN 'blocked' THEN '' ELSE ', '||f.status END" \
	"||" more " FROM " set " f WHERE " cond
#define FLOWS(vote, more, cond) FLOWS_OF("sf", vote, more, cond)
/*
 * The state's flows across (sfx) that meet `cond`, once `gate` (a condition
 * on the state's flows that does not read f) holds: the gate is a table of
 * one row or none joined first, so on a day it fails the flows are not
 * read at all; as a term of the WHERE clause it was tested flow by flow.
 */
#define FLOWS_ACROSS_IF(gate, vote, more, cond) \
	FLOWS_OF("(SELECT 1 WHERE " gate ") CROSS JOIN sfx", vote, more, cond)
#define NOTHING "SELECT NULL, 0, NULL, NULL, NULL, NULL WHERE 0"
#define OR " UNION ALL "
#define AND " AND "

/*
 * The pieces of an evidence query; `q` and `same_q` are empty for one
 * question and carry the question's number for all of them at once.
 */
#define EV_HEAD_OF(sf) \
	"WITH RECURSIVE " DHS_CTE ", sf AS (SELECT * FROM flows f WHERE " sf "), sfx AS (SELECT * FROM sf), " SFR_OF_SFX ","
#define EV_HEAD EV_HEAD_OF("f.from_state=?1 AND " LIVE_ON("f"))
/*
 * Whether the state has a law in force on the day: a gate joined first, so
 * that where it has none (most states) no evidence row is joined with its
 * citations to look for one.
 */
#define STATE_HAS_LAWS "EXISTS (SELECT 1 FROM laws l0 WHERE l0.state=?1 AND " LIVE_ON("l0") ")"
#define LAWEV(q) \
	" lawev AS (SELECT DISTINCT " q "e.vote, e.direct, " KIND("laws") ", " LAW_KEY("l") "," \
	" " REF2("laws", "l.state", "l.slug") "," \
	" 'law cited by '||char(1)||e.path||char(2) FROM (SELECT 1 WHERE " STATE_HAS_LAWS ") CROSS JOIN ev e" \
	" JOIN citations c ON c.kind=e.kind AND c.\"key\"=e.k" \
	" JOIN sources s ON s.id=c.source AND s.kind='law' JOIN citations lc ON lc.kind=" KIND("laws") \
	" AND lc.source=s.id JOIN laws l ON lc.\"key\"=" LAW_KEY("l") \
	" WHERE e.vote IS NOT NULL AND e.kind<>" KIND("laws") " AND l.state=?1 AND " LIVE_ON("l") ")," \
	" allev AS (SELECT * FROM ev UNION ALL SELECT * FROM lawev)"
#define ANSWER_ROWS(q, same_q, order) \
	" SELECT " q "a.vote, a.path, a.note, " CITE_LINE " FROM allev a" \
	" LEFT JOIN citations c ON c.kind=a.kind AND c.\"key\"=a.k WHERE a.vote IS NOT NULL" \
	" AND (a.direct=1 OR NOT EXISTS (SELECT 1 FROM ev d WHERE " same_q "d.direct=1 AND d.vote IS NOT NULL))" \
	" ORDER BY " order
#define EVIDENCE(rows) \
	EV_HEAD " ev(vote, direct, kind, k, path, note) AS (" DIRECT OR rows ")," LAWEV("") ANSWER_ROWS("", "", "2, 3, 4")
#define BACKGROUND(cond) \
	"WITH RECURSIVE " DHS_CTE " SELECT DISTINCT f.slug FROM flows f" \
	" WHERE f.from_state='*' AND " LIVE_ON("f") AND cond " ORDER BY 1"

/* Conditions on a flow f. */
#define DL_VR_SYSTEMS "('dmv','driver_history','vehicle_registration')"
#define DL_VR "f.from_system IN " DL_VR_SYSTEMS
#define DL "f.from_system IN ('dmv','driver_history')"
#define NLETS "lower(f.via)='nlets'"
#define TO_DHS "f.\"to\" IN (SELECT id FROM dhs)"
#define TO_PARTNER "f.\"to\" IN (SELECT id FROM partners)"
#define OPEN "f.status<>'blocked'"
#define BLOCKED "f.status='blocked'"
#define MULTI_STATE \
	"f.\"transaction\" IN (SELECT \"key\" FROM transactions WHERE scope IN ('multi-state','all-states'))"
#define NAME_ONLY "f.\"transaction\"='DNQ'"
#define HAS_FIELD(x) \
	"EXISTS (SELECT 1 FROM links l WHERE l.kind=" KIND("flows") " AND l.\"key\"=f.id AND l.col='fields'" \
	" AND l.value='" x "')"
/* Participation votes. */
#define AS_IS "NULLIF(p.value,'unknown')"

/* A question only the state can answer: a direct answer (participation row QID) or nothing. */
#define DIRECT_ONLY(id, page, text) { id, page, text, EVIDENCE(NOTHING), NULL, NULL }
/* A rule's evidence: the whole query, and its rows for store_answers()'s query of all rules. */
#define RULE(rows) EVIDENCE(rows), rows

/*
 * A block of a DHS agency says that agency cannot reach the state's data
 * through Nlets, not whether others can: alone it decides nothing. With a
 * fact of the same state saying its data goes out through Nlets (an open
 * flow from those systems to anyone), both halves of "some can, some
 * cannot" are stated, and the two flows vote partial together. Only
 * dhs-access counts it: a block of ICE says nothing of photos, of
 * name-only or multi-state queries, or of how the block is made.
 */
/*
 * sfx holds the flows of one state (the one asked about) or none, so the
 * other flow is of f's state without saying so: the subquery does not
 * depend on f, and runs once a query rather than once a flow.
 */
/*
 * The only flows a rule reads across (sfx): a flow f's or g's condition
 * starts with this, so a pass keeps these flows alone (store_answers_pass).
 */
#define ACROSS(t) t ".from_system IN " DL_VR_SYSTEMS " AND lower(" t ".via)='nlets'"
#define SAME_STATE_NLETS(cond) "EXISTS (SELECT 1 FROM sfx g WHERE " ACROSS("g") " AND " cond ")"
/*
 * The flows across that refuse DHS (sfr, of sfx): few states have one, so
 * both halves look for them first, and a pass keeps them in a table of
 * their own (temp.flow_refused): on most days of most states the state's
 * flows across are then not read at all.
 */
#define REFUSES(t) ACROSS(t) " AND " t ".status='blocked' AND " t ".\"to\" IN (SELECT id FROM dhs)"
#define SFR_OF_SFX "sfr AS (SELECT * FROM sfx f WHERE " REFUSES("f") ")"
#define DHS_REFUSED \
	FLOWS_OF("sfr", "'partial'", "''", SAME_STATE_NLETS("g.status<>'blocked'")) OR \
	FLOWS_ACROSS_IF("EXISTS (SELECT 1 FROM sfr)", "'partial'", "''", \
			ACROSS("f") AND OPEN AND "f.\"to\" NOT IN (SELECT id FROM dhs)")

static const struct rule {
	const char *id;
	const char *page;	/* where the seed asks it (nilc-nlets-qa-2020) */
	const char *text;	/* the seed's words */
	const char *evidence;
	const char *rows;	/* the rule's own evidence rows (ev's, after DIRECT); NULL: none */
	const char *background;	/* NULL: no generic flow bears on it */
} rules[STORE_NQUESTIONS] = {
	{ "dhs-access", "14",
	  "Can federal and state law enforcement agencies, including DHS agencies, gain access to information in "
	  "driver's license and vehicle registration databases through Nlets?",
	  RULE(FLOWS("'yes'", "''", DL_VR AND NLETS AND TO_DHS AND OPEN) OR DHS_REFUSED),
	  BACKGROUND(DL_VR AND NLETS AND TO_DHS) },
	DIRECT_ONLY("intermediary", "14",
	  "Are the state's criminal justice or other state and local networks an intermediary or access point "
	  "between Nlets and driver's license or vehicle registration databases?"),
	DIRECT_ONLY("unauthorized-users", "14",
	  "Can federal and state law enforcement agencies obtain driver's license and vehicle registration "
	  "databases through Nlets if they are not authorized users of a state's criminal justice information "
	  "system(s) or other state and local information systems and networks?"),
	{ "multistate-dhs", "14",
	  "Does your state's system support a multi-state request by DHS through Nlets for driver's license or "
	  "vehicle registration information?",
	  RULE(FLOWS("'yes'", "''", DL_VR AND NLETS AND TO_DHS AND OPEN AND MULTI_STATE) OR
		   PARTICIPATION("dq-multistate", AS_IS) OR PARTICIPATION("rq-multistate", AS_IS)),
	  BACKGROUND(DL_VR AND NLETS AND TO_DHS AND MULTI_STATE) },
	{ "name-only-dhs", "14",
	  "Does your state's system support a request by DHS for driver's license information by name only?",
	  RULE(FLOWS("'yes'", "''", DL AND NLETS AND TO_DHS AND OPEN AND NAME_ONLY) OR
		   PARTICIPATION("dnq-name-only", AS_IS)),
	  BACKGROUND(DL AND NLETS AND TO_DHS AND NAME_ONLY) },
	{ "ori-block", "14",
	  "Can your state limit DHS's access to driver's license or vehicle registration information through "
	  "Nlets by blocking requests made with ICE's or CBP's Originating Agency Identification (ORI) code?",
	  RULE(PARTICIPATION("blocks-ori", AS_IS)),
	  NULL },
	{ "country-of-birth", "14",
	  "Can DHS agencies find out, through Nlets, an individual's country of birth?",
	  RULE(FLOWS("'yes'", "', fields include country_of_birth'",
			 NLETS AND TO_DHS AND OPEN AND HAS_FIELD("country_of_birth"))),
	  BACKGROUND(NLETS AND TO_DHS AND HAS_FIELD("country_of_birth")) },
	DIRECT_ONLY("non-real-id", "14",
	  "Can DHS agencies find out, through Nlets, whether an individual has been issued a non-REAL ID license?"),
	{ "lawful-status", "14",
	  "Are DHS agencies able to learn through Nlets whether an individual has a license issued to people who "
	  "have not proved that they have lawful immigration status in the U.S.?",
	  RULE(FLOWS("'yes'", "', fields include immigration_status'",
			 DL AND NLETS AND TO_DHS AND OPEN AND HAS_FIELD("immigration_status"))),
	  BACKGROUND(DL AND NLETS AND TO_DHS AND HAS_FIELD("immigration_status")) },
	{ "ssn", "14",
	  "Does your state share Social Security numbers through Nlets?",
	  RULE(FLOWS("'yes'", "', fields include ssn'", NLETS AND OPEN AND HAS_FIELD("ssn"))),
	  BACKGROUND(NLETS AND HAS_FIELD("ssn")) },
	{ "photos-dhs", "14",
	  "Does your state share driver's license photographs with DHS agencies through Nlets?",
	  RULE(FLOWS("'yes'", "', fields include photo'", DL AND NLETS AND TO_DHS AND OPEN AND HAS_FIELD("photo"))),
	  BACKGROUND(DL AND NLETS AND "(" TO_DHS " OR f.\"to\"='*')" AND HAS_FIELD("photo")) },
	{ "commercial", "14",
	  "Does your state provide driver's license or vehicle registration information to commercial entities "
	  "through Nlets?",
	  RULE(FLOWS("'yes'", "''", DL_VR AND NLETS AND TO_PARTNER AND OPEN)),
	  BACKGROUND(DL_VR AND NLETS AND TO_PARTNER) },
	DIRECT_ONLY("sample-query", "14-15",
	  "Can you show us a sample DHS agency query made to Nlets for information in driver's license and vehicle "
	  "registration databases, as well as the results of that query?"),
	DIRECT_ONLY("audits", "15",
	  "What audits or records does the state maintain of DHS's use of Nlets to obtain driver's license and "
	  "vehicle registration information?"),
};

static const char *const answer_names[ANSWER_COUNT] = {
	[ANSWER_YES] = "yes", [ANSWER_NO] = "no", [ANSWER_PARTIAL] = "partial", [ANSWER_UNKNOWN] = "unknown",
};

const char *store_question_id(int i)
{
	return i >= 0 && i < STORE_NQUESTIONS ? rules[i].id : NULL;
}

const char *store_question_text(int i)
{
	return i >= 0 && i < STORE_NQUESTIONS ? rules[i].text : NULL;
}

const char *store_question_page(int i)
{
	return i >= 0 && i < STORE_NQUESTIONS ? rules[i].page : NULL;
}

int store_question_find(const char *id)
{
	int i;

	for (i = 0; id && i < STORE_NQUESTIONS; i++)
		if (!strcmp(rules[i].id, id))
			return i;
	return -1;
}

const char *store_answer_name(enum store_answer_value v)
{
	return v < ANSWER_COUNT ? answer_names[v] : "unknown";
}

void store_answer_release(struct store_answer *a)
{
	strlist_release(&a->basis);
	strlist_release(&a->sources);
	a->value = ANSWER_UNKNOWN;
}

/*
 * Builds the basis from evidence rows ordered by path then note: one entry
 * "PATH (NOTES)" per path. Notes of one path that differ only after their
 * shared words ("law cited by flows/a", "law cited by flows/b") become
 * "law cited by flows/a, flows/b".
 */
struct basis_builder {
	struct strbuf entry, path, first_note, last_note;
	int oom;
};
#define BASIS_BUILDER_INIT { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, 0 }

static void basis_flush(struct basis_builder *b, struct strlist *basis)
{
	if (b->entry.len) {
		strbuf_addch(&b->entry, ')');
		b->oom |= b->entry.oom;
		if (!b->oom)
			strlist_add(basis, b->entry.buf);
	}
	strbuf_reset(&b->entry);
	strbuf_reset(&b->path);
	strbuf_reset(&b->first_note);
}

static void basis_add(struct basis_builder *b, const char *path, const char *note, struct strlist *basis)
{
	if (strcmp(path, b->path.buf)) {
		basis_flush(b, basis);
		strbuf_addstr(&b->path, path);
		strbuf_addstr(&b->first_note, note);
		strbuf_addf(&b->entry, "%s (%s", path, note);
	} else if (strcmp(note, b->last_note.buf)) {
		const char *first = b->first_note.buf;
		size_t i, cut = 0;

		for (i = 0; first[i] && first[i] == note[i]; i++)
			if (note[i] == ' ')
				cut = i + 1;
		strbuf_addf(&b->entry, ", %s", note + cut);
	}
	strbuf_reset(&b->last_note);
	strbuf_addstr(&b->last_note, note);
	b->oom |= b->entry.oom || b->path.oom || b->first_note.oom || b->last_note.oom;
}

static void basis_release(struct basis_builder *b)
{
	strbuf_release(&b->entry);
	strbuf_release(&b->path);
	strbuf_release(&b->first_note);
	strbuf_release(&b->last_note);
}

/* An answer's evidence rows, as each query gives them: vote, path, note, citation. */
struct answer_builder {
	struct basis_builder b;
	unsigned votes;
};

static void answer_row(struct answer_builder *ab, sqlite3_stmt *s, int col, struct store_answer *out)
{
	const char *vote = (const char *)sqlite3_column_text(s, col);
	const char *path = (const char *)sqlite3_column_text(s, col + 1);
	const char *note = (const char *)sqlite3_column_text(s, col + 2);
	const char *cite = (const char *)sqlite3_column_text(s, col + 3);
	int v;

	for (v = 0; v < ANSWER_UNKNOWN; v++)
		if (vote && !strcmp(vote, answer_names[v]))
			ab->votes |= 1u << v;
	if (path && note)
		basis_add(&ab->b, path, note, &out->basis);
	if (cite)
		strlist_add(&out->sources, cite);
}

/* The answer from its rows: one vote, that answer; evidence both ways, partial; none, unknown. */
static int answer_end(struct answer_builder *ab, struct store_answer *out)
{
	int rc;

	basis_flush(&ab->b, &out->basis);
	rc = ab->b.oom || out->basis.oom || out->sources.oom ? -ENOMEM : 0;
	basis_release(&ab->b);
	if (rc) {
		store_answer_release(out);
		return rc;
	}
	if (!ab->votes)
		out->value = ANSWER_UNKNOWN;
	else if (ab->votes == 1u << ANSWER_YES)
		out->value = ANSWER_YES;
	else if (ab->votes == 1u << ANSWER_NO)
		out->value = ANSWER_NO;
	else
		out->value = ANSWER_PARTIAL;
	strlist_sort_uniq(&out->basis);
	strlist_sort_uniq(&out->sources);
	return 0;
}

#define ANSWER_BUILDER_INIT { BASIS_BUILDER_INIT, 0 }

int store_answer(struct store *st, int q, const char *state, const char *date, struct store_answer *out)
{
	struct answer_builder ab = ANSWER_BUILDER_INIT;
	sqlite3_stmt *s;
	int rc;

	if (q < 0 || q >= STORE_NQUESTIONS)
		return -EINVAL;
	s = store_stmt(st, rules[q].evidence);
	if (!s)
		return -EIO;
	store_bind_text(s, 1, state, 0);
	store_bind_text(s, 2, date, 0);
	store_bind_text(s, 3, rules[q].id, 0);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		answer_row(&ab, s, 0, out);
	store_stmt_done(s);
	if (rc != SQLITE_DONE) {
		basis_release(&ab.b);
		store_answer_release(out);
		return store_sqlite_err(rc);
	}
	return answer_end(&ab, out);
}

/*
 * Every rule in one query: the state's flows (sf), the DHS agencies and the
 * laws are read once instead of once a question; rows come by question.
 */
/*
 * `key`: the text is built, so its cache key is an object's address, one
 * for each `head`, `more` and `tail`. `more`: further rows of ev (NULL:
 * none); `tail`: what to select from ev (NULL: the answer rows).
 */
/* The questions whose rules read the state's other flows (sfx): their answers move with any of those. */
static unsigned across_questions(void)
{
	unsigned m = 0;
	int q;

	for (q = 0; q < STORE_NQUESTIONS; q++)
		if (rules[q].rows && strstr(rules[q].rows, "sfx"))
			m |= 1u << q;
	return m;
}

/*
 * `masked`: ?3 is a mask of the questions asked (bit q: question q), and
 * only their rows are made: a question's answer reads its own rows alone
 * (ANSWER_ROWS' d.q=a.q), so the others are not missed.
 */
static sqlite3_stmt *evidence_stmt(struct store *st, const void *key, const char *head, const char *more,
				   const char *tail, int masked)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *s = store_stmt_find(st, key);
	int q;

	if (s)
		return s;
	strbuf_addf(&sql, "%s qids(q, id) AS (%s", head, masked ? "SELECT * FROM (VALUES " : "VALUES ");
	for (q = 0; q < STORE_NQUESTIONS; q++)
		strbuf_addf(&sql, "%s(%d, '%s')", q ? ", " : "", q, rules[q].id);
	strbuf_addf(&sql, "%s), ev(q, vote, direct, kind, k, path, note) AS (" DIRECT_ALL,
		    masked ? ") WHERE (?3 >> column1) & 1" : "");
	for (q = 0; q < STORE_NQUESTIONS; q++)
		if (rules[q].rows) {
			strbuf_addf(&sql, " UNION ALL SELECT %d, * FROM (%s)", q, rules[q].rows);
			if (masked)
				strbuf_addf(&sql, " WHERE (?3 >> %d) & 1", q);
		}
	if (more)
		strbuf_addf(&sql, " UNION ALL %s%s", more, masked ? " AND (?3 >> e.q) & 1" : "");
	if (tail)
		strbuf_addf(&sql, ") %s", tail);
	else
		strbuf_addstr(&sql, ")," LAWEV("e.q, ") ANSWER_ROWS("a.q, ", "d.q=a.q AND ", "1, 3, 4, 5"));
	s = strbuf_ok(&sql) ? NULL : store_stmt_keyed(st, key, sql.buf);
	strbuf_release(&sql);
	return s;
}

/*
 * During a pass over the change days (store_answers_pass()), the rules'
 * one-flow rows (sf) of every flow are kept in temp.flow_ev with the
 * flow's state and valid days: each reads one flow, whatever the day and
 * state, so a day's evidence is then the kept rows of the state's flows
 * that hold, found by index. The rules run over no flow in sf, for their
 * participation rows and their rows across flows (sfx) only, and sfx holds
 * only the flows those read (ACROSS, kept in temp.flow_across): a state has
 * thousands of flows, a few of them evidence. sfx and sfr are NOT
 * MATERIALIZED: each place that reads them seeks the temp table where it
 * is reached. Read twice, SQLite copied sfx whole up front on every call,
 * also where the gate before its join fails (half of the call's time).
 */
#define FLOW_EV_HEAD_OF(gate) \
	"WITH RECURSIVE " DHS_CTE ", sfx AS NOT MATERIALIZED (SELECT * FROM temp.flow_across f WHERE " gate \
	"f.from_state=?1 AND " LIVE_ON("f") "), sfr AS NOT MATERIALIZED (SELECT * FROM temp.flow_refused f WHERE " gate \
	"f.from_state=?1 AND " LIVE_ON("f") "), sf AS (SELECT * FROM flows f WHERE 0),"
#define FLOW_EV_HEAD FLOW_EV_HEAD_OF("")
#define FLOW_EV_ROWS \
	"SELECT e.q, e.vote, e.direct, e.kind, e.k, e.path, e.note FROM temp.flow_ev e WHERE e.from_state=?1" \
	" AND e.valid_from<=?2 AND (e.valid_until IS NULL OR e.valid_until>?2)"
/* Every flow in sf, and none across (sfx): each flow's own rows. */
#define EACH_FLOW_HEAD \
	"WITH RECURSIVE " DHS_CTE ", sf AS (SELECT * FROM flows f), sfx AS (SELECT * FROM flows f WHERE 0), " SFR_OF_SFX ","

static sqlite3_stmt *all_evidence_stmt(struct store *st)
{
	static const char key, pass_key;

	if (st->answers_pass)
		return evidence_stmt(st, &pass_key, FLOW_EV_HEAD, FLOW_EV_ROWS, NULL, 0);
	return evidence_stmt(st, &key, EV_HEAD, NULL, NULL, 0);
}

/*
 * The pass's statement for some questions (?3, a mask): the state's flows
 * across are read only when a question whose rules read them is asked.
 */
static sqlite3_stmt *some_evidence_stmt(struct store *st)
{
	static const char key;
	struct strbuf head = STRBUF_INIT;
	sqlite3_stmt *s = store_stmt_find(st, &key);
	unsigned across = across_questions();

	if (s)
		return s;
	strbuf_addf(&head, FLOW_EV_HEAD_OF("(?3 & %u) <> 0 AND "), across, across);
	s = strbuf_ok(&head) ? NULL : evidence_stmt(st, &key, head.buf, FLOW_EV_ROWS, NULL, 1);
	strbuf_release(&head);
	return s;
}

/* Every flow's own evidence rows: the rules over every flow, whatever its dates and with no state (?1, ?2 NULL). */
static sqlite3_stmt *flow_evidence_stmt(struct store *st, const char *tail)
{
	static const char ids_key, rows_key;

	return evidence_stmt(st, tail ? (const void *)&ids_key : (const void *)&rows_key, EACH_FLOW_HEAD, NULL,
			     tail ? tail : "SELECT q, vote, direct, kind, k, path, note FROM ev"
					   " WHERE kind=" KIND("flows") " AND vote IS NOT NULL", 0);
}

int store_answers_pass(struct store *st, int on)
{
	static const char *const setup[] = {
		"CREATE TEMP TABLE IF NOT EXISTS flow_ev(q, vote, direct, kind, k, path, note, from_state, valid_from,"
		" valid_until)",
		"CREATE INDEX IF NOT EXISTS temp.flow_ev_state ON flow_ev(from_state, valid_from, valid_until, q, vote, direct,"
		" kind, k, path, note)",
		"DELETE FROM temp.flow_ev",
		"DROP TABLE IF EXISTS temp.flow_across",
		"CREATE TEMP TABLE flow_across AS SELECT id, slug, \"from\", \"to\", via, \"transaction\", status, from_state, from_system, valid_from, valid_until FROM flows f WHERE " ACROSS("f"),
		"CREATE INDEX temp.flow_across_state ON flow_across(from_state, valid_from, valid_until, status, \"to\", from_system, via, id, slug, \"from\", \"transaction\")",
		"DROP TABLE IF EXISTS temp.flow_refused",
		"CREATE TEMP TABLE flow_refused AS WITH RECURSIVE " DHS_CTE " SELECT * FROM temp.flow_across f WHERE " REFUSES("f"),
		"CREATE INDEX temp.flow_refused_state ON flow_refused(from_state, valid_from)",
	};
	sqlite3_stmt *rows, *ins;
	size_t i;
	int r, rc = 0;

	st->answers_pass = 0;
	if (!on)
		return 0;
	for (i = 0; !rc && i < sizeof(setup) / sizeof(setup[0]); i++)
		rc = store_sqlite_err(sqlite3_exec(st->db, setup[i], NULL, NULL, NULL));
	if (rc)
		return rc;
	rows = flow_evidence_stmt(st, NULL);
	ins = rows ? store_stmt(st, "INSERT INTO temp.flow_ev SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, f.from_state,"
				    " f.valid_from, f.valid_until FROM flows f WHERE f.id=?5") : NULL;
	if (!rows || !ins)
		return -EIO;
	while (!rc && (r = sqlite3_step(rows)) == SQLITE_ROW) {
		int c;

		for (c = 0; c < 7; c++)
			sqlite3_bind_value(ins, c + 1, sqlite3_column_value(rows, c));
		r = sqlite3_step(ins);
		rc = r == SQLITE_DONE ? 0 : store_sqlite_err(r);
		store_stmt_done(ins);
	}
	if (!rc && r != SQLITE_DONE)
		rc = store_sqlite_err(r);
	store_stmt_done(rows);
	if (!rc)
		st->answers_pass = 1;
	return rc;
}

/*
 * A flow with an evidence row of its own, or a state's flow through Nlets
 * from its driver's license or vehicle registration systems (which moves
 * dhs-access together with another flow of the state: DHS_REFUSED). Any
 * other flow can start or stop holding without moving an answer, on any day.
 */
int store_deciding_flows(struct store *st, int (*fn)(void *arg, const char *flow_id, unsigned questions),
			 void *arg)
{
	sqlite3_stmt *s[2];
	unsigned across = across_questions();
	int i, r = SQLITE_DONE, rc = 0;

	/* In a pass, temp.flow_ev holds those rows already: the rules need not run over every flow again. */
	s[0] = st->answers_pass ? store_stmt(st, "SELECT DISTINCT k, q FROM temp.flow_ev")
				: flow_evidence_stmt(st, "SELECT DISTINCT k, q FROM ev WHERE kind=" KIND("flows")
							 " AND vote IS NOT NULL");
	s[1] = store_stmt(st, "SELECT f.id, NULL FROM flows f WHERE f.from_state<>'*' AND " ACROSS("f"));
	for (i = 0; i < 2 && !rc; i++) {
		if (!s[i])
			return -EIO;
		while (!rc && (r = sqlite3_step(s[i])) == SQLITE_ROW) {
			int q = sqlite3_column_int(s[i], 1);
			/* A flow across moves the questions whose rules read the state's other flows. */
			unsigned questions = i ? across : q >= 0 && q < STORE_NQUESTIONS ? 1u << q : 0;

			if (sqlite3_column_text(s[i], 0) && questions)
				rc = fn(arg, (const char *)sqlite3_column_text(s[i], 0), questions);
		}
		if (!rc && r != SQLITE_DONE)
			rc = store_sqlite_err(r);
		store_stmt_done(s[i]);
	}
	return rc;
}

int store_answers_some(struct store *st, const char *state, const char *date, unsigned questions,
		       struct store_answer out[STORE_NQUESTIONS])
{
	struct answer_builder ab[STORE_NQUESTIONS];
	int some = st->answers_pass && questions != STORE_ALL_QUESTIONS;
	sqlite3_stmt *s = some ? some_evidence_stmt(st) : all_evidence_stmt(st);
	int q, rc;

	for (q = 0; q < STORE_NQUESTIONS; q++) {
		ab[q] = (struct answer_builder)ANSWER_BUILDER_INIT;
		out[q] = (struct store_answer)STORE_ANSWER_INIT;
	}
	/* A day of the pass on which no fact moved the state's answers asks none. */
	if (!questions)
		return 0;
	if (!s)
		return -EIO;
	store_bind_text(s, 1, state, 0);
	store_bind_text(s, 2, date, 0);
	if (some)
		sqlite3_bind_int64(s, 3, questions);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		q = sqlite3_column_int(s, 0);
		if (q >= 0 && q < STORE_NQUESTIONS && (questions >> q & 1))
			answer_row(&ab[q], s, 1, &out[q]);
	}
	store_stmt_done(s);
	rc = rc == SQLITE_DONE ? 0 : store_sqlite_err(rc);
	for (q = 0; q < STORE_NQUESTIONS; q++) {
		int r = answer_end(&ab[q], &out[q]);

		rc = rc ? rc : r;
	}
	if (rc)
		for (q = 0; q < STORE_NQUESTIONS; q++)
			store_answer_release(&out[q]);
	return rc;
}

int store_answers(struct store *st, const char *state, const char *date, struct store_answer out[STORE_NQUESTIONS])
{
	return store_answers_some(st, state, date, STORE_ALL_QUESTIONS, out);
}

/* Run a one-column query with ?1 and ?2 bound, appending each row to `out`. */
static int list_rows(struct store *st, const char *sql, const char *a, const char *date, struct strlist *out)
{
	sqlite3_stmt *s = store_stmt(st, sql);

	if (!s)
		return -EIO;
	if (a)
		store_bind_text(s, 1, a, 0);
	store_bind_text(s, 2, date, 0);
	return store_collect(s, out);
}

int store_question_background(struct store *st, int q, const char *date, struct strlist *flow_slugs)
{
	if (q < 0 || q >= STORE_NQUESTIONS)
		return -EINVAL;
	if (!rules[q].background)
		return 0;
	return list_rows(st, rules[q].background, NULL, date, flow_slugs);
}

int store_state_flows(struct store *st, const char *state, const char *date, struct strlist *flow_slugs)
{
	return list_rows(st, "SELECT slug FROM flows f WHERE f.from_state=?1 AND " LIVE_ON("f") " ORDER BY 1", state, date,
			 flow_slugs);
}
