/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Private to importers/: the HTML reading that documents (html.c) and partner lists share. */
#ifndef NLETSFS_HTML_I_H
#define NLETSFS_HTML_I_H

#include <libxml/HTMLparser.h>

#include "importers_i.h"

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

#endif
