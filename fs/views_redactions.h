/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Private to fs/: views of scans (fs/views_redactions.c): OCR marks, redactions, one document in many files. */
#ifndef NLETSFS_VIEWS_REDACTIONS_H
#define NLETSFS_VIEWS_REDACTIONS_H

#include "tree.h"

/** sources/ID/redactions: "PAGE<TAB>CODE<TAB>COUNT" lines (SPEC section 2); empty when nothing is withheld. */
int view_source_redactions(const struct view_ctx *ctx, struct strbuf *out);
/** sources/ID/ocr: "PAGE<TAB>CONFIDENCE<TAB>BOXES" of each page read by OCR; there only when one was. */
int view_source_ocr(const struct view_ctx *ctx, struct strbuf *out);
int source_ocr_exists(const struct view_ctx *ctx);
/** redactions/CODE/SOURCE: every exemption withheld under, and links to the sources withholding under it. */
int list_redaction_codes(const struct view_ctx *ctx, struct strlist *names);
int redaction_code_exists(const struct view_ctx *ctx);
int list_redaction_sources(const struct view_ctx *ctx, struct strlist *names);
int redaction_source_exists(const struct view_ctx *ctx);
int view_redaction_source(const struct view_ctx *ctx, struct strbuf *out);

/** sources/ID/same_as: the ids of the sources holding the same PIA (by identifier); there only when some do. */
int view_source_same_as(const struct view_ctx *ctx, struct strbuf *out);
int source_same_as_exists(const struct view_ctx *ctx);

#endif
