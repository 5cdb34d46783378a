/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Private to fs/: the views the route table names (fs/views.c). */
#ifndef NLETSFS_VIEWS_H
#define NLETSFS_VIEWS_H

#include "tree.h"

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
int view_agency_receives(const struct view_ctx *ctx, struct strbuf *out);
int view_agency_blocked_by(const struct view_ctx *ctx, struct strbuf *out);
int view_partner_listed(const struct view_ctx *ctx, struct strbuf *out);
int view_transaction_states(const struct view_ctx *ctx, struct strbuf *out);
int view_field_shared_by(const struct view_ctx *ctx, struct strbuf *out);
int view_field_returned_by(const struct view_ctx *ctx, struct strbuf *out);
int view_source_supports(const struct view_ctx *ctx, struct strbuf *out);
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

#endif
