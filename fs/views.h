/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Private to fs/: the views the route table names (fs/views.c). */
#ifndef NLETSFS_VIEWS_H
#define NLETSFS_VIEWS_H

#include "tree.h"

/** The value of `column` in a record of kind `kind` ("" when absent or empty). */
const char *record_value(const struct record *rec, int kind, const char *column);

int view_law(const struct view_ctx *ctx, struct strbuf *out);
int view_participation(const struct view_ctx *ctx, struct strbuf *out);
int list_states(const struct view_ctx *ctx, struct strlist *names);
int view_state_system(const struct view_ctx *ctx, struct strbuf *out);
int view_source_sha256(const struct view_ctx *ctx, struct strbuf *out);
int view_source_text(const struct view_ctx *ctx, struct strbuf *out);
int list_source_original(const struct view_ctx *ctx, struct strlist *names);
int view_source_original(const struct view_ctx *ctx, struct strbuf *out);
int list_export_files(const struct view_ctx *ctx, struct strlist *names);
int view_export_file(const struct view_ctx *ctx, struct strbuf *out);
int list_export_documents(const struct view_ctx *ctx, struct strlist *names);
int view_export_document(const struct view_ctx *ctx, struct strbuf *out);
/** The relation `rel` of the route, of the record its path names (`kind`). */
int view_record_relation(const struct view_ctx *ctx, struct strbuf *out);
int view_state_name(const struct view_ctx *ctx, struct strbuf *out);
int list_state_systems(const struct view_ctx *ctx, struct strlist *names);
int source_has_document(const struct view_ctx *ctx);
int source_has_text(const struct view_ctx *ctx);
int view_readme(const struct view_ctx *ctx, struct strbuf *out);
int list_at_dates(const struct view_ctx *ctx, struct strlist *names);
int at_date_exists(const struct view_ctx *ctx);
int view_at_link(const struct view_ctx *ctx, struct strbuf *out);
int at_day_exists(const struct view_ctx *ctx);
int at_latest_exists(const struct view_ctx *ctx);
int view_at_latest(const struct view_ctx *ctx, struct strbuf *out);
int view_changes(const struct view_ctx *ctx, struct strbuf *out);

/* A subscription's status (fs/views_status.c): .nletsfs/ exists only in a mount that has one. */
struct fs_refresh;
/** The mount's subscription, whose status callback the view asks (NULL: none). Set once, before any view. */
void views_status_source(const struct fs_refresh *r);
int status_exists(const struct view_ctx *ctx);
int view_status(const struct view_ctx *ctx, struct strbuf *out);

/* The advocates' checklist (fs/views_questions.c); the question is the path's last :param. */
int list_questions(const struct view_ctx *ctx, struct strlist *names);
int question_exists(const struct view_ctx *ctx);
/** questions/QID/question: the seed's wording. */
int view_question_text(const struct view_ctx *ctx, struct strbuf *out);
/** questions/QID/ANSWER: the codes whose answer is the route's column (yes, no, partial, unknown). */
int view_question_states(const struct view_ctx *ctx, struct strbuf *out);
/** states/XX/questions/QID: question, answer, basis and sources lines (SPEC section 4). */
int view_state_question(const struct view_ctx *ctx, struct strbuf *out);
/** states/XX/records_request.txt: the draft request asking every unknown question. */
int view_records_request(const struct view_ctx *ctx, struct strbuf *out);
/** maps/QID.svg: names, existence and the tile-grid map. */
int list_maps(const struct view_ctx *ctx, struct strlist *names);
int map_exists(const struct view_ctx *ctx);
int view_map(const struct view_ctx *ctx, struct strbuf *out);

/* fs/views_documents.c */
/** 0 when the view renders (the file exists), else its error: an exists view from a render view. */
int view_renders(view_render_fn render, const struct view_ctx *ctx);
int view_field_mentioned_in(const struct view_ctx *ctx, struct strbuf *out);
int view_agency_mentioned_in(const struct view_ctx *ctx, struct strbuf *out);
int view_document_value(const struct view_ctx *ctx, struct strbuf *out);
int document_value_exists(const struct view_ctx *ctx);
int list_excerpts(const struct view_ctx *ctx, struct strlist *names);
int source_has_excerpts(const struct view_ctx *ctx);
int view_excerpt(const struct view_ctx *ctx, struct strbuf *out);
int excerpt_exists(const struct view_ctx *ctx);
int list_nothing(const struct view_ctx *ctx, struct strlist *names);
int list_search_hits(const struct view_ctx *ctx, struct strlist *names);
int search_query_exists(const struct view_ctx *ctx);
int view_search_hit(const struct view_ctx *ctx, struct strbuf *out);
int search_hit_exists(const struct view_ctx *ctx);
int list_import_runs(const struct view_ctx *ctx, struct strlist *names);
int view_import_run(const struct view_ctx *ctx, struct strbuf *out);
int import_run_exists(const struct view_ctx *ctx);

#endif
