/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Private to importers/: the HTML reading that documents and partner lists share. */
#ifndef NLETSFS_DOCUMENTS_I_H
#define NLETSFS_DOCUMENTS_I_H

#include <libxml/HTMLparser.h>

#include "importers.h"

/**
 * Parse HTML with libxml2, recovering what it can. Refuses (-EINVAL, message
 * in `err`) empty input, NUL bytes, bytes invalid in the page's character
 * set, and input with no element. Free the result with xmlFreeDoc().
 */
int html_read(const char *data, size_t len, htmlDocPtr *doc, struct strbuf *err);
/** The text of a node and its descendants, white space collapsed, trimmed. */
void html_node_text(xmlNodePtr node, struct strbuf *out);
/** 1 when the element's name is `name` (ASCII case ignored). */
int html_is(xmlNodePtr node, const char *name);

/* One import call's documents (importers/documents.c). */
struct doc_call {
	struct store *st;
	const struct import_options *o;
	struct import_report *rep;
	const char *source_kind;	/* the --kind when it is a source kind, else NULL (detect) */
	enum doc_format format;		/* the --kind when it is a format, else DOC_UNKNOWN (sniff) */
	long ndocs;			/* documents met so far */
};

/**
 * Import one PATH of a call as documents: a file, a folder of files, or an
 * archive (nested up to 3 deep). Returns 0, 1 when the input was refused
 * (the error is in the report) or a negative errno.
 */
int documents_import_path(struct doc_call *c, const char *path);

#endif
