// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests of the advocates' checklist (store/questions.c) and its files
 * (fs/views_questions.c): the rule table, the answers the default inventory
 * gives, direct answers, votes and dates, the records request, and the maps,
 * which must parse with libxml2 and hold one tile per jurisdiction drawn.
 */
#include "../testlib.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#include "../../../fs/tree.h"

struct fixture {
	struct store *st;
	struct tree *tree;
	char *dir;
};

/* The default inventory, plus the bundle `extra` (files name -> CSV text) when given. */
static struct fixture *fixture_new(const char *const *extra)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->st = test_store_new();
	test_import_ok(f->st, DATA_DIR);
	if (extra) {
		f->dir = test_tmpdir();
		for (; *extra; extra += 2)
			test_write(f->dir, extra[0], extra[1]);
		test_import_ok(f->st, f->dir);
	}
	f->tree = tree_open(f->st);
	assert_non_null(f->tree);
	return f;
}

static void fixture_free(struct fixture *f)
{
	tree_free(f->tree);
	store_close(f->st);
	if (f->dir) {
		test_rmtree(f->dir);
		free(f->dir);
	}
	free(f);
}

static int setup_default(void **state)
{
	*state = fixture_new(NULL);
	return 0;
}

static int teardown(void **state)
{
	fixture_free(*state);
	return 0;
}

/* The answer to question `id` for `state` on `date`, as its name. */
static const char *answer(struct fixture *f, const char *id, const char *state, const char *date,
			  struct store_answer *out)
{
	int q = store_question_find(id);

	assert_true(q >= 0);
	*out = (struct store_answer)STORE_ANSWER_INIT;
	assert_int_equal(store_answer(f->st, q, state, date, out), 0);
	return store_answer_name(out->value);
}

static void assert_answer(struct fixture *f, const char *id, const char *state, const char *date, const char *want)
{
	struct store_answer a;
	const char *got = answer(f, id, state, date, &a);

	if (strcmp(got, want))
		fail_msg("%s %s on %s: %s, expected %s", state, id, date, got, want);
	store_answer_release(&a);
}

static void test_questions__table(void **state)
{
	int i, j;

	(void)state;
	for (i = 0; i < STORE_NQUESTIONS; i++) {
		const char *id = store_question_id(i), *text = store_question_text(i);

		assert_non_null(id);
		assert_int_equal(strspn(id, "abcdefghijklmnopqrstuvwxyz-"), strlen(id));
		assert_int_equal(store_question_find(id), i);
		assert_int_equal(text[strlen(text) - 1], '?');
		for (j = 0; j < i; j++)
			assert_string_not_equal(id, store_question_id(j));
	}
	assert_null(store_question_id(STORE_NQUESTIONS));
	assert_int_equal(store_question_find("nosuch"), -1);
	/* The seed's questions the brief names. */
	assert_true(store_question_find("sample-query") >= 0);
	assert_true(store_question_find("audits") >= 0);
	assert_string_equal(store_question_text(store_question_find("ssn")),
			    "Does your state share Social Security numbers through Nlets?");
}

/* What the default inventory answers, question by question, and why. */
static const struct {
	const char *q, *state, *date, *want;
} answers[] = {
	/* It refuses ICE and CBP, and a 2025 report says it shares its drivers' data via Nlets. */
	{ "dhs-access", "NY", "2026-01-01", "partial" },
	/* A block of ICE says nothing of photos (the seed, p.3: DHS gets DMV records except photos). */
	{ "photos-dhs", "NY", "2026-01-01", "unknown" },
	{ "name-only-dhs", "NY", "2026-01-01", "unknown" },
	{ "multistate-dhs", "NY", "2026-01-01", "unknown" },
	/* What Nlets documents of every state is not a fact about New York. */
	{ "ssn", "NY", "2026-01-01", "unknown" },
	{ "commercial", "NY", "2026-01-01", "unknown" },
	/* Illinois blocked ICE by a means no source names. */
	{ "ori-block", "IL", "2026-01-01", "unknown" },
	{ "dhs-access", "IL", "2026-01-01", "partial" },
	/* The Nov. 12, 2025 letter tells Arizona it gives ICE self-service access through Nlets. */
	{ "dhs-access", "AZ", "2026-01-01", "yes" },
	{ "dhs-access", "AZ", "2025-11-11", "unknown" },
	/* Washington: ICE blocked, CBP still searching its plate data; its ACCESS switch is the intermediary. */
	{ "dhs-access", "WA", "2026-02-01", "partial" },
	{ "intermediary", "WA", "2026-02-01", "yes" },
	/*
	 * New York's block holds from Dec. 14, 2019, but a block alone says only who cannot reach the
	 * data: partial once a source also says the data goes out through Nlets (Nov. 12, 2025).
	 * A3675 alone (June 2019) decides nothing.
	 */
	{ "dhs-access", "NY", "2019-12-13", "unknown" },
	{ "dhs-access", "NY", "2019-12-14", "unknown" },
	{ "dhs-access", "NY", "2025-11-11", "unknown" },
	{ "dhs-access", "NY", "2025-11-12", "partial" },
	/* That it is made by ORI codes is ICE's statement, filed on 2020-04-24. */
	{ "ori-block", "NY", "2020-04-23", "unknown" },
	{ "ori-block", "NY", "2020-04-24", "yes" },
	/*
	 * The letters of 2025-11-12 already count Washington among the states blocking ICE; that CBP
	 * still reaches its data through Nlets is reported from 2026-01-08: partial from then.
	 */
	{ "dhs-access", "WA", "2025-11-11", "unknown" },
	{ "dhs-access", "WA", "2025-11-12", "unknown" },
	{ "dhs-access", "WA", "2026-01-08", "partial" },
};

static void test_questions__default_answers(void **state)
{
	struct fixture *f = *state;
	char *text = test_cat(f->tree, "/states/NY/questions/ori-block");
	size_t i;

	/* ICE says New York blocks it by ORI codes: yes, on that participation row alone. */
	assert_string_equal(
		text,
		"question: Can your state limit DHS's access to driver's license or vehicle registration information "
		"through Nlets by blocking requests made with ICE's or CBP's Originating Agency Identification (ORI) "
		"code?\n"
		"answer: yes\n"
		"basis: states/NY/participation/blocks-ori (blocks-ori: yes)\n"
		"sources: ice-response-state-dmv-laws p.18; nilc-nlets-qa-2020 p.6; "
		"reuters-states-block-ice-nlets-2025; usatoday-ny-green-light-2019\n");
	free(text);
	for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++)
		assert_answer(f, answers[i].q, answers[i].state, answers[i].date, answers[i].want);
	/* Illinois, Massachusetts, Minnesota and Washington blocked ICE; no source says by ORI. */
	text = test_cat(f->tree, "/questions/ori-block/yes");
	assert_string_equal(text, "NY\n");
	free(text);
}

static void test_questions__no_facts_no_answers(void **state)
{
	struct fixture *f = *state;
	int q;

	/* Louisiana has no fact: unknown everywhere, with no basis and no source. */
	for (q = 0; q < STORE_NQUESTIONS; q++) {
		struct store_answer a = STORE_ANSWER_INIT;
		struct strbuf path = STRBUF_INIT;
		char *text;

		assert_int_equal(store_answer(f->st, q, "LA", "2026-01-01", &a), 0);
		assert_int_equal(a.value, ANSWER_UNKNOWN);
		assert_int_equal(a.basis.n, 0);
		assert_int_equal(a.sources.n, 0);
		store_answer_release(&a);
		strbuf_addf(&path, "/states/LA/questions/%s", store_question_id(q));
		text = test_cat(f->tree, path.buf);
		assert_non_null(strstr(text, "\nanswer: unknown\nbasis: none (no fact about Louisiana in the inventory "
					     "decides it)\nsources: none\n"));
		free(text);
		strbuf_release(&path);
	}
}

/* Extra facts: a state's own open flow, a state's own refusal, direct answers. */
static const char *const extra_bundle[] = {
	"flows.csv",
	"id,from,to,via,transaction,fields,status,source,page\n"
	"tx-dq-to-ice,TX/dmv,ICE,Nlets,DQ,name;ssn;photo,allowed,nilc-nlets-qa-2020,3\n"
	"tx-rq-to-bls,TX/vehicle_registration,BLS-Blue-Line-Services,Nlets,RQ,plate,allowed,nilc-nlets-qa-2020,11\n"
	"tx-direct-to-cbp,TX/dmv,CBP,direct access,,name;country_of_birth,allowed,nilc-nlets-qa-2020,7\n"
	"ok-dmv-blocks-cbp,OK/dmv,CBP,Nlets,,,blocked,nilc-nlets-qa-2020,6\n"
	"ok-dq-to-ice,OK/dmv,ICE,Nlets,DQ,name,conditional,nilc-nlets-qa-2020,3\n"
	/* Facts that decide one question and leave the others undecided. */
	"wy-dmv-blocks-ice,WY/dmv,ICE,Nlets,,,blocked,nilc-nlets-qa-2020,6\n"
	"nh-dmv-blocks-ice,NH/dmv,ICE,Nlets,,,blocked,nilc-nlets-qa-2020,6\n"
	"nh-dmv-shared,NH/dmv,*,Nlets,,,reported,nilc-nlets-qa-2020,6\n"
	"sd-dmv-to-ice,SD/dmv,ICE,Nlets,,,reported,nilc-nlets-qa-2020,3\n"
	"sd-dmv-direct-to-cbp,SD/dmv,CBP,direct access,,ssn;photo;country_of_birth;immigration_status,allowed,"
	"nilc-nlets-qa-2020,7\n"
	"sd-vr-direct-to-bls,SD/vehicle_registration,BLS-Blue-Line-Services,direct access,,plate,allowed,"
	"nilc-nlets-qa-2020,11\n"
	"nd-chri-to-ice,ND/criminal_history,ICE,Nlets,IQ,criminal_history,allowed,nilc-nlets-qa-2020,7\n",
	"participation.csv",
	"state,function,value,detail,as_of,source,page\n"
	"TX,dnq-name-only,no,test,2020-01-01,nilc-nlets-qa-2020,4\n"
	"NY,ori-block,no,a direct answer overrides the rules,2021-01-01,nilc-nlets-qa-2020,14\n"
	"VT,audits,yes,test,2021-01-01,nilc-nlets-qa-2020,14\n"
	"VT,ssn,unknown,an unknown direct answer is no answer,2021-01-01,nilc-nlets-qa-2020,14\n"
	"AL,blocks-ice,yes,a block of ICE of no named system,2025-01-01,nilc-nlets-qa-2020,6\n",
	NULL,
};

static int setup_extra(void **state)
{
	*state = fixture_new(extra_bundle);
	return 0;
}

static void test_questions__votes_and_direct_answers(void **state)
{
	struct fixture *f = *state;
	struct store_answer a;
	char ref[64];

	/* A state's own open flow to ICE decides yes; fields decide ssn and photos. */
	assert_answer(f, "dhs-access", "TX", "2026-01-01", "yes");
	assert_answer(f, "multistate-dhs", "TX", "2026-01-01", "yes");
	assert_answer(f, "ssn", "TX", "2026-01-01", "yes");
	assert_answer(f, "photos-dhs", "TX", "2026-01-01", "yes");
	assert_answer(f, "commercial", "TX", "2026-01-01", "yes");
	assert_answer(f, "name-only-dhs", "TX", "2026-01-01", "no");
	/* Direct access is not through Nlets. */
	assert_answer(f, "country-of-birth", "TX", "2026-01-01", "unknown");
	assert_answer(f, "ori-block", "TX", "2026-01-01", "unknown");
	/* Open to ICE, closed to CBP: the votes disagree. */
	assert_answer(f, "dhs-access", "OK", "2026-01-01", "partial");
	/* A block that does not say it is made by ORI does not answer the ORI question. */
	assert_answer(f, "ori-block", "OK", "2026-01-01", "unknown");
	/* A direct answer wins over every rule, and only it is the basis. */
	assert_string_equal(answer(f, "ori-block", "NY", "2026-01-01", &a), "no");
	assert_int_equal(a.basis.n, 1);
	/* A record reference (participation, NY, ori-block): fs/ shows it as states/NY/participation/ori-block. */
	snprintf(ref, sizeof(ref), "%d\tNY\tori-block (ori-block: no)", (int)REC_PARTICIPATION);
	assert_string_equal(a.basis.items[0], ref);
	assert_int_equal(a.sources.n, 1);
	assert_string_equal(a.sources.items[0], "nilc-nlets-qa-2020 p.14");
	store_answer_release(&a);
	assert_answer(f, "ori-block", "NY", "2020-12-31", "yes");
	assert_answer(f, "audits", "VT", "2026-01-01", "yes");
	assert_answer(f, "ssn", "VT", "2026-01-01", "unknown");
}

/* The questions `state` answers other than unknown on 2026-01-01, as "id=answer " in checklist order. */
static void assert_decided(struct fixture *f, const char *state, const char *want)
{
	struct strbuf got = STRBUF_INIT;
	int q;

	for (q = 0; q < STORE_NQUESTIONS; q++) {
		struct store_answer a;
		const char *v = answer(f, store_question_id(q), state, "2026-01-01", &a);

		if (a.value != ANSWER_UNKNOWN)
			strbuf_addf(&got, "%s=%s ", store_question_id(q), v);
		store_answer_release(&a);
	}
	if (strcmp(got.len ? got.buf : "", want))
		fail_msg("%s decides \"%s\", expected \"%s\"", state, got.len ? got.buf : "", want);
	strbuf_release(&got);
}

/*
 * Each rule answers only from facts about its own question: facts that do
 * not decide a question leave it unknown, rule by rule.
 */
static void test_questions__undecided_is_unknown(void **state)
{
	struct fixture *f = *state;

	/* A blocked flow to ICE alone says who cannot reach the data, not whether anyone can: nothing. */
	assert_decided(f, "WY", "");
	/* With the state's data going out through Nlets, dhs-access is partial; photos, DNQ, NL, ORI stay unknown. */
	assert_decided(f, "NH", "dhs-access=partial ");
	/* A block of ICE of no named system through no named channel decides nothing. */
	assert_decided(f, "AL", "");
	/*
	 * An open flow to ICE through Nlets without message or fields decides dhs-access only:
	 * multistate-dhs needs a multi-state message, name-only-dhs a DNQ, the field questions their
	 * fields, commercial a partner; fields and partners reached outside Nlets do not count.
	 */
	assert_decided(f, "SD", "dhs-access=yes ");
	/* Criminal history to ICE is not driver's license or vehicle data. */
	assert_decided(f, "ND", "");
}

/* The [QID] of each numbered question of a records request, in order. */
static void asked_questions(const char *text, struct strlist *ids)
{
	const char *p;

	for (p = text; (p = strchr(p, '\n')); p++) {
		const char *q = p + 1 + strspn(p + 1, "0123456789");

		if (q > p + 1 && !strncmp(q, ". [", 3))
			strlist_addn(ids, q + 3, strcspn(q + 3, "]"));
	}
}

static void check_request(struct fixture *f, const char *code)
{
	struct strlist asked = STRLIST_INIT, unknown = STRLIST_INIT;
	struct strbuf path = STRBUF_INIT;
	char *text;
	size_t i;
	int q;

	strbuf_addf(&path, "/states/%s/records_request.txt", code);
	text = test_cat(f->tree, path.buf);
	asked_questions(text, &asked);
	for (q = 0; q < STORE_NQUESTIONS; q++) {
		struct store_answer a = STORE_ANSWER_INIT;

		assert_int_equal(store_answer(f->st, q, code, tree_today(f->tree), &a), 0);
		if (a.value == ANSWER_UNKNOWN)
			strlist_add(&unknown, store_question_id(q));
		store_answer_release(&a);
	}
	/* Exactly the unknown questions, in checklist order. */
	assert_int_equal(asked.n, unknown.n);
	for (i = 0; i < asked.n; i++)
		assert_string_equal(asked.items[i], unknown.items[i]);
	/* Dated by the view, with blanks for the requester. */
	assert_non_null(strstr(text, tree_today(f->tree)));
	assert_non_null(strstr(text, "______________________________  (your name)"));
	free(text);
	strlist_release(&asked);
	strlist_release(&unknown);
	strbuf_release(&path);
}

static void test_questions__records_request(void **state)
{
	struct fixture *f = *state;
	char *text;
	int i;

	for (i = 0; i < STORE_NJURISDICTIONS; i++)
		check_request(f, store_jurisdiction_code(i));
	/* New York's: what is known, cited by title, date and page; Louisiana's: nothing known, all asked. */
	text = test_cat(f->tree, "/states/NY/records_request.txt");
	assert_non_null(strstr(text, "\n- [ori-block] yes: "));
	assert_non_null(strstr(text, "\n- The Driver license (DMV) system of New York blocks ICE through Nlets,\n"));
	assert_non_null(strstr(text, "\"Nlets: Questions and Answers\" (2020-11), p. 6"));
	assert_non_null(strstr(text, "\n- \"Nlets: Questions and Answers\" (report, 2020-11).\n"
				     "  https://www.nilc.org/resources/nlets-questions-and-answers/\n"));
	assert_null(strstr(text, "[ori-block] Can"));
	/* A letter to an official: no paths or ids of the inventory. */
	assert_null(strstr(text, "flows/"));
	assert_null(strstr(text, "nilc-nlets-qa-2020"));
	assert_null(strstr(text, "inventory"));
	free(text);
	text = test_cat(f->tree, "/states/LA/records_request.txt");
	assert_non_null(strstr(text, "\n14. [audits] "));
	assert_non_null(strstr(text, "- The documents I have read say nothing of Louisiana in particular.\n"));
	/* Background comes from the generic flows, and says so. */
	assert_non_null(strstr(text, "   Public documents say this of Nlets in general, for each jurisdiction that\n"
				     "   takes part, not of Louisiana in particular:\n"));
	assert_non_null(strstr(text, "   - The Driver license (DMV) system of each jurisdiction that takes part"));
	free(text);
	/* Outside the 50 states, the jurisdiction's own words. */
	text = test_cat(f->tree, "/states/PR/records_request.txt");
	assert_non_null(strstr(text, "runs the Commonwealth's connection to Nlets"));
	assert_non_null(strstr(text, "Does the Commonwealth share Social Security numbers through Nlets?"));
	assert_null(strstr(text, "state's connection"));
	assert_null(strstr(text, "your state"));
	free(text);
	text = test_cat(f->tree, "/states/DC/records_request.txt");
	assert_non_null(strstr(text, "Under the public records law of the District of Columbia,"));
	assert_null(strstr(text, "your state"));
	free(text);
}

/* The value of attribute `name`, or NULL (free with xmlFree). */
static char *attr(xmlNode *n, const char *name)
{
	return (char *)xmlGetProp(n, (const xmlChar *)name);
}

/* Check every tile under `n` against the store: one per drawn jurisdiction, classed by its answer. */
static void check_tiles(struct fixture *f, int q, xmlNode *n, struct strlist *seen)
{
	for (; n; n = n->next) {
		char *cls = n->type == XML_ELEMENT_NODE ? attr(n, "class") : NULL;

		if (cls && !strncmp(cls, "tile ", 5)) {
			struct store_answer a = STORE_ANSWER_INIT;
			char *code = attr(n, "data-state");

			assert_non_null(code);
			assert_int_equal(store_answer(f->st, q, code, tree_today(f->tree), &a), 0);
			assert_string_equal(cls + 5, store_answer_name(a.value));
			strlist_add(seen, code);
			store_answer_release(&a);
			xmlFree(code);
		} else if (n->type == XML_ELEMENT_NODE) {
			check_tiles(f, q, n->children, seen);
		}
		xmlFree(cls);
	}
}

static void test_questions__maps_parse(void **state)
{
	struct fixture *f = *state;
	int q;

	for (q = 0; q < STORE_NQUESTIONS; q++) {
		struct strlist seen = STRLIST_INIT;
		struct strbuf path = STRBUF_INIT;
		xmlDoc *doc;
		xmlNode *root, *n;
		char *svg, *title = NULL;
		size_t len;

		strbuf_addf(&path, "/maps/%s.svg", store_question_id(q));
		svg = test_cat(f->tree, path.buf);
		len = strlen(svg);
		doc = xmlReadMemory(svg, (int)len, path.buf, "UTF-8", XML_PARSE_NONET | XML_PARSE_NOERROR);
		assert_non_null(doc);
		root = xmlDocGetRootElement(doc);
		assert_string_equal((const char *)root->name, "svg");
		assert_string_equal((const char *)root->ns->href, "http://www.w3.org/2000/svg");
		for (n = root->children; n; n = n->next)
			if (n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, "title"))
				title = (char *)xmlNodeGetContent(n);
		assert_non_null(title);
		assert_string_equal(title, store_question_text(q));
		check_tiles(f, q, root->children, &seen);
		/* 52 tiles: the 50 states, DC and PR, each once. */
		assert_int_equal(seen.n, 52);
		strlist_sort_uniq(&seen);
		assert_int_equal(seen.n, 52);
		assert_true(strlist_find(&seen, "DC") >= 0 && strlist_find(&seen, "PR") >= 0);
		assert_int_equal(strlist_find(&seen, "GU"), -1);
		assert_non_null(strstr(svg, tree_today(f->tree)));
		xmlFree(title);
		xmlFreeDoc(doc);
		free(svg);
		strlist_release(&seen);
		strbuf_release(&path);
	}
}

static void assert_strlists_equal(const struct strlist *a, const struct strlist *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++)
		assert_string_equal(a->items[i], b->items[i]);
}

/* Days before, across and after the fixtures' facts, on which answers are compared. */
static const char *const check_days[] = { "2000-01-01", "2019-06-01", "2020-01-01", "2021-06-01", "2026-11-27" };
#define NCHECK_DAYS (sizeof(check_days) / sizeof(check_days[0]))

/* Answer `a` (asked one way) is `b` (asked with every question): value, basis and sources. */
static void assert_same_answer(const struct store_answer *a, const struct store_answer *b, const char *code, int q,
			       const char *day)
{
	if (a->value != b->value)
		fail_msg("%s %s on %s: %s asked so, %s with every question", code, store_question_id(q), day,
			 store_answer_name(a->value), store_answer_name(b->value));
	assert_strlists_equal(&a->basis, &b->basis);
	assert_strlists_equal(&a->sources, &b->sources);
}

/* store_answers (every question in one query) gives what store_answer gives question by question. */
static void test_questions__all_at_once(void **state)
{
	struct fixture *f = *state;
	size_t d;
	int j, q, decided = 0;

	for (d = 0; d < NCHECK_DAYS; d++)
		for (j = 0; j < STORE_NJURISDICTIONS; j++) {
			const char *code = store_jurisdiction_code(j);
			struct store_answer all[STORE_NQUESTIONS];

			assert_int_equal(store_answers(f->st, code, check_days[d], all), 0);
			for (q = 0; q < STORE_NQUESTIONS; q++) {
				struct store_answer one = STORE_ANSWER_INIT;

				assert_int_equal(store_answer(f->st, q, code, check_days[d], &one), 0);
				assert_same_answer(&one, &all[q], code, q, check_days[d]);
				decided += one.value != ANSWER_UNKNOWN;
				store_answer_release(&one);
				store_answer_release(&all[q]);
			}
		}
	assert_true(decided > 10);
}

static int put_questions(void *arg, const char *id, unsigned questions)
{
	struct strlist *l = arg;
	char line[160];

	snprintf(line, sizeof(line), "%s %x", id, questions);
	strlist_add(l, line);
	return 0;
}

/*
 * In a pass over the days (store_answers_pass), store_answers_some for some
 * questions gives what store_answers gives for those, and what
 * store_answer gives for each (its query reads no table of the pass), and
 * nothing for the others; store_deciding_flows says the same of each flow
 * in and out of it. Flows that refuse DHS (NY, and four states from
 * 2025-11-12) make dhs-access partial in the pass as outside it.
 */
static void test_questions__some_in_a_pass(void **state)
{
	struct fixture *f = *state;
	struct strlist outside = STRLIST_INIT, inside = STRLIST_INIT;
	unsigned masks[STORE_NQUESTIONS + 2];
	size_t d, m, nmasks = 0;
	int j, q, decided = 0, refused = 0;

	for (q = 0; q < STORE_NQUESTIONS; q++)
		masks[nmasks++] = 1u << q;
	masks[nmasks++] = 0;
	masks[nmasks++] = STORE_ALL_QUESTIONS & ~1u;
	assert_int_equal(store_deciding_flows(f->st, put_questions, &outside), 0);
	assert_int_equal(store_answers_pass(f->st, 1), 0);
	assert_int_equal(store_deciding_flows(f->st, put_questions, &inside), 0);
	strlist_sort_uniq(&outside);
	strlist_sort_uniq(&inside);
	assert_strlists_equal(&outside, &inside);
	assert_true(inside.n > 0);
	for (d = 0; d < NCHECK_DAYS; d++)
		for (j = 0; j < STORE_NJURISDICTIONS; j++) {
			const char *code = store_jurisdiction_code(j);
			struct store_answer all[STORE_NQUESTIONS];

			assert_int_equal(store_answers(f->st, code, check_days[d], all), 0);
			for (q = 0; q < STORE_NQUESTIONS; q++) {
				struct store_answer one = STORE_ANSWER_INIT;

				assert_int_equal(store_answer(f->st, q, code, check_days[d], &one), 0);
				assert_same_answer(&one, &all[q], code, q, check_days[d]);
				refused += q == 0 && one.value == ANSWER_PARTIAL;
				store_answer_release(&one);
			}
			for (m = 0; m < nmasks; m++) {
				struct store_answer some[STORE_NQUESTIONS];

				assert_int_equal(store_answers_some(f->st, code, check_days[d], masks[m], some), 0);
				for (q = 0; q < STORE_NQUESTIONS; q++) {
					if (masks[m] >> q & 1) {
						assert_same_answer(&some[q], &all[q], code, q, check_days[d]);
						decided += some[q].value != ANSWER_UNKNOWN;
					} else {
						assert_int_equal(some[q].value, ANSWER_UNKNOWN);
						assert_int_equal(some[q].basis.n + some[q].sources.n, 0);
					}
					store_answer_release(&some[q]);
				}
			}
			for (q = 0; q < STORE_NQUESTIONS; q++)
				store_answer_release(&all[q]);
		}
	assert_int_equal(store_answers_pass(f->st, 0), 0);
	assert_true(decided > 10);
	assert_true(refused >= 2);
	strlist_release(&outside);
	strlist_release(&inside);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_questions__table),
		cmocka_unit_test(test_questions__default_answers),
		cmocka_unit_test(test_questions__no_facts_no_answers),
		cmocka_unit_test(test_questions__records_request),
		cmocka_unit_test(test_questions__maps_parse),
		cmocka_unit_test_setup_teardown(test_questions__votes_and_direct_answers, setup_extra, teardown),
		cmocka_unit_test_setup_teardown(test_questions__undecided_is_unknown, setup_extra, teardown),
		cmocka_unit_test(test_questions__all_at_once),
		cmocka_unit_test_setup_teardown(test_questions__all_at_once, setup_extra, teardown),
		cmocka_unit_test(test_questions__some_in_a_pass),
		cmocka_unit_test_setup_teardown(test_questions__some_in_a_pass, setup_extra, teardown),
	};
	int rc;

	rc = cmocka_run_group_tests_name("questions", tests, setup_default, teardown);
	xmlCleanupParser();
	return rc;
}
