// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The route table: the one place that says what the filesystem shows.
 * Each row maps a path pattern to a view; a `:name` segment matches any one
 * name, which the row's list view enumerates and its exists view checks.
 * A literal segment always wins over a :param sibling. Adding a file to the
 * tree is adding a row here and, if need be, a view in fs/views.c.
 */
#include <string.h>

#include "fs.h"
#include "tree.h"
#include "views.h"
#include "views_redactions.h"

#define DIR(p) { .pattern = p, .type = NODE_DIR }
/* A record's folder: a flow's comes and goes with its days; other records have none (entities). */
#define RECORDS(p, k) \
	{ .pattern = p, .type = NODE_DIR, .list = list_record_slugs, .exists = view_record_exists, .kind = k, \
	  .flags = ROUTE_RECORD, .moves = (k) == REC_FLOWS ? MOVED_BY_FLOWS : MOVED_NEVER }
/* A record's own files: the same while the record is there. */
#define SCALAR(p, k, c) \
	{ .pattern = p, .type = NODE_FILE, .render = view_record_scalar, \
	  .exists = view_record_scalar_exists, .kind = k, .column = c, .moves = MOVED_NEVER }
#define LIST(p, k, c) \
	{ .pattern = p, .type = NODE_FILE, .render = view_record_list, .kind = k, .column = c, .moves = MOVED_NEVER }
#define CITED(p, k) { .pattern = p, .type = NODE_FILE, .render = view_record_sources, .kind = k, .moves = MOVED_NEVER }
#define FILE(p, fn, m) { .pattern = p, .type = NODE_FILE, .render = fn, .moves = m }
#define DOCUMENT_FILE(p, c) \
	{ .pattern = p, .type = NODE_FILE, .render = view_document_value, .exists = document_value_exists, .column = c, \
	  .moves = MOVED_NEVER }
/* A list of the facts' lines: see ROUTE_SPANS. */
#define SYSTEM_FILE(p, r) { .pattern = p, .type = NODE_FILE, .render = view_state_system, .rel = r, .flags = ROUTE_SPANS }
#define RELATION(p, k, r, f, m) \
	{ .pattern = p, .type = NODE_FILE, .render = view_record_relation, .kind = k, .rel = r, .flags = f, .moves = m }
#define ANSWER_LIST(p, answer) \
	{ .pattern = p, .type = NODE_FILE, .render = view_question_states, .column = answer, \
	  .flags = ROUTE_COSTLY | ROUTE_DERIVED, .moves = MOVED_WITH_ANSWERS }

const struct route tree_routes[] = {
	DIR(""),
	{ .pattern = "/README", .type = NODE_FILE, .render = view_readme, .flags = ROUTE_DERIVED, .moves = MOVED_EVERY_DAY },
	/* A subscription's status: which bundle is mounted, and the last check. */
	{ .pattern = "/.nletsfs", .type = NODE_DIR, .exists = status_exists, .flags = ROUTE_NOT_IN_AT },
	{ .pattern = "/.nletsfs/status", .type = NODE_FILE, .render = view_status, .exists = status_exists,
	  .flags = ROUTE_NOT_IN_AT | ROUTE_VOLATILE },

	DIR("/states"),
	{ .pattern = "/states/:state", .type = NODE_DIR, .list = list_states },
	FILE("/states/:state/name", view_state_name, MOVED_NEVER),
	{ .pattern = "/states/:state/laws", .type = NODE_DIR, .moves = MOVED_BY_LAWS },
	{ .pattern = "/states/:state/laws/:law", .type = NODE_FILE, .list = list_record_slugs,
	  .exists = view_record_exists, .render = view_law, .kind = REC_LAWS, .flags = ROUTE_RECORD,
	  .moves = MOVED_NEVER },
	{ .pattern = "/states/:state/participation", .type = NODE_DIR, .moves = MOVED_BY_PARTICIPATION },
	{ .pattern = "/states/:state/participation/:function", .type = NODE_FILE, .list = list_record_slugs,
	  .exists = view_record_exists, .render = view_participation, .kind = REC_PARTICIPATION,
	  .flags = ROUTE_RECORD, .moves = MOVED_NEVER },
	DIR("/states/:state/questions"),
	{ .pattern = "/states/:state/questions/:question", .type = NODE_FILE, .list = list_questions,
	  .exists = question_exists, .render = view_state_question, .flags = ROUTE_COSTLY | ROUTE_DERIVED,
	  .moves = MOVED_BY_ANSWERS },
	/* A request is written to be sent now: not a view of the past. */
	{ .pattern = "/states/:state/records_request.txt", .type = NODE_FILE, .render = view_records_request,
	  .flags = ROUTE_NOT_IN_AT | ROUTE_COSTLY | ROUTE_DERIVED, .moves = MOVED_UNLOGGED },
	{ .pattern = "/states/:state/:system", .type = NODE_DIR, .list = list_state_systems, .rel = REL_STATE_SYSTEMS,
	  .kind = REC_SYSTEMS, .flags = ROUTE_SPANS | ROUTE_RECORD },
	SYSTEM_FILE("/states/:state/:system/shared_fields", REL_SYSTEM_FIELDS),
	SYSTEM_FILE("/states/:state/:system/transactions", REL_SYSTEM_TRANSACTIONS),
	SYSTEM_FILE("/states/:state/:system/recipients", REL_SYSTEM_RECIPIENTS),
	SYSTEM_FILE("/states/:state/:system/blocked", REL_SYSTEM_BLOCKED),
	SYSTEM_FILE("/states/:state/:system/sources", REL_SYSTEM_SOURCES),

	DIR("/questions"),
	{ .pattern = "/questions/:question", .type = NODE_DIR, .list = list_questions, .exists = question_exists },
	FILE("/questions/:question/question", view_question_text, MOVED_NEVER),
	ANSWER_LIST("/questions/:question/yes", "yes"),
	ANSWER_LIST("/questions/:question/no", "no"),
	ANSWER_LIST("/questions/:question/partial", "partial"),
	ANSWER_LIST("/questions/:question/unknown", "unknown"),

	DIR("/maps"),
	{ .pattern = "/maps/:map", .type = NODE_FILE, .list = list_maps, .exists = map_exists, .render = view_map,
	  .flags = ROUTE_COSTLY | ROUTE_DERIVED, .moves = MOVED_UNLOGGED },

	DIR("/agencies"),
	RECORDS("/agencies/:agency", REC_AGENCIES),
	SCALAR("/agencies/:agency/name", REC_AGENCIES, "name"),
	SCALAR("/agencies/:agency/parent", REC_AGENCIES, "parent"),
	SCALAR("/agencies/:agency/membership", REC_AGENCIES, "membership"),
	LIST("/agencies/:agency/oris", REC_AGENCIES, "oris"),
	RELATION("/agencies/:agency/receives", REC_AGENCIES, REL_AGENCY_RECEIVES, ROUTE_SPANS, 0),
	RELATION("/agencies/:agency/blocked_by", REC_AGENCIES, REL_AGENCY_BLOCKED_BY, ROUTE_SPANS, 0),
	SCALAR("/agencies/:agency/quote", REC_AGENCIES, "quote"),
	CITED("/agencies/:agency/sources", REC_AGENCIES),
	FILE("/agencies/:agency/mentioned_in", view_agency_mentioned_in, MOVED_BY_DOCUMENTS),

	DIR("/partners"),
	RECORDS("/partners/:partner", REC_PARTNERS),
	SCALAR("/partners/:partner/name", REC_PARTNERS, "name"),
	SCALAR("/partners/:partner/kind", REC_PARTNERS, "kind"),
	SCALAR("/partners/:partner/category", REC_PARTNERS, "category"),
	SCALAR("/partners/:partner/access", REC_PARTNERS, "description"),
	RELATION("/partners/:partner/listed", REC_PARTNERS, REL_PARTNER_LISTED, 0, MOVED_BY_PARTNER_LISTS),
	SCALAR("/partners/:partner/quote", REC_PARTNERS, "quote"),
	CITED("/partners/:partner/sources", REC_PARTNERS),

	DIR("/transactions"),
	RECORDS("/transactions/:key", REC_TRANSACTIONS),
	SCALAR("/transactions/:key/name", REC_TRANSACTIONS, "name"),
	SCALAR("/transactions/:key/section", REC_TRANSACTIONS, "section"),
	SCALAR("/transactions/:key/purpose", REC_TRANSACTIONS, "purpose"),
	LIST("/transactions/:key/inputs", REC_TRANSACTIONS, "inputs"),
	LIST("/transactions/:key/returns", REC_TRANSACTIONS, "returns"),
	SCALAR("/transactions/:key/scope", REC_TRANSACTIONS, "scope"),
	SCALAR("/transactions/:key/max_states", REC_TRANSACTIONS, "max_states"),
	RELATION("/transactions/:key/states", REC_TRANSACTIONS, REL_TRANSACTION_STATES, ROUTE_SPANS, 0),
	SCALAR("/transactions/:key/quote", REC_TRANSACTIONS, "quote"),
	CITED("/transactions/:key/sources", REC_TRANSACTIONS),

	DIR("/fields"),
	RECORDS("/fields/:field", REC_FIELDS),
	SCALAR("/fields/:field/name", REC_FIELDS, "name"),
	LIST("/fields/:field/synonyms", REC_FIELDS, "synonyms"),
	RELATION("/fields/:field/shared_by", REC_FIELDS, REL_FIELD_SHARED_BY, ROUTE_SPANS, 0),
	RELATION("/fields/:field/returned_by", REC_FIELDS, REL_FIELD_RETURNED_BY, 0, MOVED_NEVER),
	FILE("/fields/:field/mentioned_in", view_field_mentioned_in, MOVED_BY_DOCUMENTS),

	DIR("/systems"),
	RECORDS("/systems/:system", REC_SYSTEMS),
	SCALAR("/systems/:system/name", REC_SYSTEMS, "name"),
	SCALAR("/systems/:system/section", REC_SYSTEMS, "section"),

	DIR("/flows"),
	RECORDS("/flows/:flow", REC_FLOWS),
	SCALAR("/flows/:flow/from", REC_FLOWS, "from"),
	SCALAR("/flows/:flow/to", REC_FLOWS, "to"),
	SCALAR("/flows/:flow/via", REC_FLOWS, "via"),
	SCALAR("/flows/:flow/transaction", REC_FLOWS, "transaction"),
	LIST("/flows/:flow/fields", REC_FLOWS, "fields"),
	SCALAR("/flows/:flow/status", REC_FLOWS, "status"),
	SCALAR("/flows/:flow/conditions", REC_FLOWS, "conditions"),
	SCALAR("/flows/:flow/since", REC_FLOWS, "since"),
	SCALAR("/flows/:flow/until", REC_FLOWS, "until"),
	SCALAR("/flows/:flow/quote", REC_FLOWS, "quote"),
	CITED("/flows/:flow/sources", REC_FLOWS),

	/* What a source says of an agency or of Nlets itself (docs/format.md, claims.csv). */
	DIR("/claims"),
	RECORDS("/claims/:claim", REC_CLAIMS),
	SCALAR("/claims/:claim/subject", REC_CLAIMS, "subject"),
	SCALAR("/claims/:claim/claim", REC_CLAIMS, "claim"),
	SCALAR("/claims/:claim/value", REC_CLAIMS, "value"),
	SCALAR("/claims/:claim/as_of", REC_CLAIMS, "as_of"),
	SCALAR("/claims/:claim/quote", REC_CLAIMS, "quote"),
	CITED("/claims/:claim/sources", REC_CLAIMS),

	DIR("/sources"),
	RECORDS("/sources/:source", REC_SOURCES),
	SCALAR("/sources/:source/title", REC_SOURCES, "title"),
	SCALAR("/sources/:source/kind", REC_SOURCES, "kind"),
	SCALAR("/sources/:source/date", REC_SOURCES, "date"),
	SCALAR("/sources/:source/url", REC_SOURCES, "url"),
	SCALAR("/sources/:source/note", REC_SOURCES, "note"),
	{ .pattern = "/sources/:source/sha256", .type = NODE_FILE, .render = view_source_sha256,
	  .exists = source_has_document, .moves = MOVED_NEVER },
	{ .pattern = "/sources/:source/text", .type = NODE_FILE, .render = view_source_text,
	  .exists = source_has_text, .moves = MOVED_NEVER },
	RELATION("/sources/:source/supports", REC_SOURCES, REL_SOURCE_SUPPORTS, ROUTE_SPANS | ROUTE_RECORD_LINES, 0),
	DOCUMENT_FILE("/sources/:source/member", "member"),
	DOCUMENT_FILE("/sources/:source/identifier", "identifier"),
	DOCUMENT_FILE("/sources/:source/component", "component"),
	DOCUMENT_FILE("/sources/:source/agency", "agency"),
	{ .pattern = "/sources/:source/redactions", .type = NODE_FILE, .render = view_source_redactions,
	  .exists = source_has_document, .moves = MOVED_NEVER },
	{ .pattern = "/sources/:source/ocr", .type = NODE_FILE, .render = view_source_ocr,
	  .exists = source_ocr_exists, .moves = MOVED_NEVER },
	{ .pattern = "/sources/:source/same_as", .type = NODE_FILE, .render = view_source_same_as,
	  .exists = source_same_as_exists, .moves = MOVED_NEVER },
	{ .pattern = "/sources/:source/excerpts", .type = NODE_DIR, .exists = source_has_excerpts },
	{ .pattern = "/sources/:source/excerpts/:excerpt", .type = NODE_FILE, .list = list_excerpts,
	  .exists = excerpt_exists, .render = view_excerpt, .moves = MOVED_NEVER },
	{ .pattern = "/sources/:source/:original", .type = NODE_FILE, .list = list_source_original,
	  .render = view_source_original, .moves = MOVED_NEVER },

	/*
	 * at/DATE is a link into the hidden .at/, where each day on which
	 * anything changes has its tree: find, grep -r, cp -a and tar do not
	 * follow links, so walking the mount does not walk every past day.
	 */
	{ .pattern = "/at", .type = NODE_DIR, .flags = ROUTE_NOT_IN_AT },
	{ .pattern = "/at/latest", .type = NODE_LINK, .render = view_at_latest, .exists = at_latest_exists,
	  .flags = ROUTE_NOT_IN_AT },
	{ .pattern = "/at/:date", .type = NODE_LINK, .list = list_at_dates, .exists = at_date_exists,
	  .render = view_at_link, .flags = ROUTE_NOT_IN_AT | ROUTE_UNLISTED },
	{ .pattern = "/.at", .type = NODE_DIR, .flags = ROUTE_NOT_IN_AT | ROUTE_HIDDEN },
	{ .pattern = "/.at/:date", .type = NODE_DIR, .list = list_at_dates, .exists = at_day_exists,
	  .flags = ROUTE_NOT_IN_AT | ROUTE_AT_DATE },
	{ .pattern = "/changes", .type = NODE_FILE, .render = view_changes,
	  .flags = ROUTE_NOT_IN_AT | ROUTE_MEMO | ROUTE_COSTLY | ROUTE_CHANGE_LOG },

	{ .pattern = "/export", .type = NODE_DIR, .flags = ROUTE_NOT_IN_AT },
	{ .pattern = "/export/files", .type = NODE_DIR, .flags = ROUTE_NOT_IN_AT },

	/* search/QUERY/: any FTS5 query is a folder of links to the sources it finds. */
	{ .pattern = "/search", .type = NODE_DIR, .flags = ROUTE_NOT_IN_AT },
	{ .pattern = "/search/:query", .type = NODE_DIR, .list = list_nothing, .exists = search_query_exists,
	  .flags = ROUTE_NOT_IN_AT | ROUTE_UNLISTED },
	{ .pattern = "/search/:query/:hit", .type = NODE_LINK, .list = list_search_hits, .render = view_search_hit,
	  .exists = search_hit_exists, .flags = ROUTE_NOT_IN_AT },

	/* redactions/CODE/: links to the sources that withhold under exemption CODE (b6, b7C, TX-552.130). */
	{ .pattern = "/redactions", .type = NODE_DIR, .flags = ROUTE_NOT_IN_AT },
	{ .pattern = "/redactions/:code", .type = NODE_DIR, .list = list_redaction_codes,
	  .exists = redaction_code_exists, .flags = ROUTE_NOT_IN_AT },
	{ .pattern = "/redactions/:code/:source", .type = NODE_LINK, .list = list_redaction_sources,
	  .render = view_redaction_source, .exists = redaction_source_exists, .flags = ROUTE_NOT_IN_AT },

	{ .pattern = "/imports", .type = NODE_DIR, .flags = ROUTE_NOT_IN_AT },
	{ .pattern = "/imports/:run", .type = NODE_FILE, .list = list_import_runs, .exists = import_run_exists,
	  .render = view_import_run, .flags = ROUTE_NOT_IN_AT },

	{ .pattern = "/export/files/:document", .type = NODE_FILE, .list = list_export_documents,
	  .render = view_export_document, .flags = ROUTE_NOT_IN_AT },
	{ .pattern = "/export/:file", .type = NODE_FILE, .list = list_export_files, .render = view_export_file,
	  .flags = ROUTE_NOT_IN_AT },
};

const int tree_nroutes = (int)(sizeof(tree_routes) / sizeof(tree_routes[0]));
_Static_assert(sizeof(tree_routes) / sizeof(tree_routes[0]) <= TREE_MAX_ROUTES, "raise TREE_MAX_ROUTES");

struct tree *tree_open(struct store *st)
{
	return tree_open_routes(st, tree_routes, tree_nroutes);
}

int fs_name_reserved(int kind, const char *id)
{
	int i, j;

	for (i = 0; i < tree_nroutes; i++) {
		int parent;

		/* Called once a record: the parent (a scan of the table) only for the kind's routes. */
		if (!(tree_routes[i].flags & ROUTE_RECORD) || tree_routes[i].kind != kind)
			continue;
		parent = tree_parent_route(tree_routes, tree_nroutes, i);
		/* A literal sibling: a fixed name in the same folder. */
		for (j = 0; j < tree_nroutes; j++) {
			const char *name = strrchr(tree_routes[j].pattern, '/');

			if (j != i && name && name[1] != ':' && !strcmp(name + 1, id) &&
			    tree_parent_route(tree_routes, tree_nroutes, j) == parent)
				return 1;
		}
	}
	return 0;
}
