// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * HTML documents through libxml2's HTML parser. Saved web pages are rarely
 * valid, so the parser recovers from what it can (unclosed tags, stray
 * brackets); what it cannot read is refused: no element at all, or bytes
 * that are not text in the page's character set (libxml2 would otherwise
 * re-read the rest as Latin-1 and store mojibake).
 *
 * The text is what a reader sees: scripts, styles and the head left out,
 * white space collapsed, one line per block element, one page.
 */
#include "html_i.h"

#include <errno.h>
#include <string.h>

#include "../util/utf8.h"

struct html_errors {
	int encoding;		/* bytes invalid in the character set */
	int invalid;		/* characters HTML cannot hold (control characters) */
	char message[160];
	char halt[160];		/* the last error (the one that stopped the parser, if it stopped) */
	int halt_line;
};

/* libxml2's error callback: keep the first encoding error. */
static void on_error(void *ctx, const char *msg, ...)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct html_errors *he = ctxt->_private;
	xmlErrorPtr e = xmlCtxtGetLastError(ctxt);

	(void)msg;
	/* The last error: when the parser stops, nothing follows the one that stopped it. */
	if (he && e && e->message) {
		snprintf(he->halt, sizeof(he->halt), "%s", e->message);
		he->halt[strcspn(he->halt, "\n")] = '\0';
		he->halt_line = e->line;
	}
	if (!he || !e || he->encoding || he->invalid)
		return;
	he->invalid = e->code == XML_ERR_INVALID_CHAR;
	if (e->code == XML_ERR_INVALID_ENCODING || e->code == XML_ERR_UNKNOWN_ENCODING ||
	    e->code == XML_ERR_UNSUPPORTED_ENCODING || he->invalid) {
		he->encoding = !he->invalid;
		snprintf(he->message, sizeof(he->message), "%s", e->message ? e->message : "bad encoding");
		/* libxml2's messages end in a newline. */
		he->message[strcspn(he->message, "\n")] = '\0';
	}
}

int html_read(const char *data, size_t len, htmlDocPtr *doc, struct strbuf *err)
{
	struct html_errors he = { 0 };
	htmlParserCtxtPtr ctxt;
	htmlDocPtr d = NULL;
	int rc = 0;

	*doc = NULL;
	if (!len) {
		strbuf_addstr(err, "empty file");
		return -EINVAL;
	}
	if (memchr(data, 0, len)) {
		strbuf_addstr(err, "NUL byte: this is not an HTML page");
		return -EINVAL;
	}
	if (len > (size_t)0x7fffffff) {
		strbuf_addstr(err, "too large for the HTML parser");
		return -EFBIG;
	}
	ctxt = htmlNewParserCtxt();
	if (!ctxt)
		return -ENOMEM;
	ctxt->_private = &he;
	ctxt->sax->error = on_error;
	ctxt->sax->warning = on_error;
	ctxt->sax->fatalError = on_error;
	/*
	 * Bytes that are valid UTF-8 are read as UTF-8 (libxml2 would take a
	 * page without a charset for Latin-1); others as the page declares.
	 */
	d = htmlCtxtReadMemory(ctxt, data, (int)len, NULL, utf8_text(data, len) ? "UTF-8" : NULL,
			       HTML_PARSE_RECOVER | HTML_PARSE_NONET);
	if (he.encoding) {
		strbuf_addf(err, "not text in the page's character set (%s): save the page as UTF-8", he.message);
		rc = -EINVAL;
	} else if (he.invalid) {
		strbuf_addf(err, "malformed HTML: %s", he.message);
		rc = -EINVAL;
	} else if (ctxt->disableSAX) {
		/* libxml2 stopped part way (elements nested over 256 deep, say): what it read is not the page. */
		strbuf_addf(err, "the HTML parser gave up at line %d: %s", he.halt_line,
			    *he.halt ? he.halt : "it stopped before the end");
		rc = -EINVAL;
	} else if (!d || !xmlDocGetRootElement(d)) {
		strbuf_addstr(err, "malformed HTML: libxml2 finds no element in it");
		rc = -EINVAL;
	}
	htmlFreeParserCtxt(ctxt);
	if (rc) {
		xmlFreeDoc(d);
		return rc;
	}
	*doc = d;
	return 0;
}

int html_is(xmlNodePtr node, const char *name)
{
	return node && node->type == XML_ELEMENT_NODE && node->name &&
	       !xmlStrcasecmp(node->name, (const xmlChar *)name);
}

static int is_one_of(xmlNodePtr node, const char *const *names)
{
	for (; *names; names++)
		if (html_is(node, *names))
			return 1;
	return 0;
}

static const char *const hidden[] = {
	"script", "style", "noscript", "template", "head", "iframe", "object", "svg", "select", NULL,
};
static const char *const blocks[] = {
	"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "thead", "tbody", "tfoot", "caption",
	"h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer", "nav", "aside",
	"main", "blockquote", "pre", "hr", "form", "figure", "figcaption", "address", "fieldset", "body",
	"html", "title", NULL,
};

struct text_out {
	struct strbuf *out;
	int pre;	/* inside <pre>: keep white space */
};

static void newline(struct strbuf *out)
{
	if (out->len && out->buf[out->len - 1] != '\n')
		strbuf_addch(out, '\n');
}

static void add_text(struct text_out *t, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (t->pre) {
		strbuf_addstr(t->out, s);
		return;
	}
	for (; *p; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v') {
			if (t->out->len && t->out->buf[t->out->len - 1] != ' ' && t->out->buf[t->out->len - 1] != '\n')
				strbuf_addch(t->out, ' ');
		} else {
			strbuf_addch(t->out, *p);
		}
	}
}

static void walk(struct text_out *t, xmlNodePtr node)
{
	for (xmlNodePtr c = node; c; c = c->next) {
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
			if (c->content)
				add_text(t, (const char *)c->content);
			continue;
		}
		if (c->type != XML_ELEMENT_NODE || is_one_of(c, hidden))
			continue;
		if (html_is(c, "br")) {
			strbuf_addch(t->out, '\n');
			continue;
		}
		if (html_is(c, "td") || html_is(c, "th"))
			add_text(t, " ");
		if (is_one_of(c, blocks))
			newline(t->out);
		if (html_is(c, "pre")) {
			t->pre++;
			walk(t, c->children);
			t->pre--;
		} else {
			walk(t, c->children);
		}
		if (is_one_of(c, blocks))
			newline(t->out);
	}
}

/* Trim every line, drop blank lines at the edges and runs of blank lines. */
static void tidy_lines(const struct strbuf *in, struct strbuf *out)
{
	const char *p = in->buf, *end = in->buf + in->len;
	int blank_pending = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *s = p, *e;

		if (!eol)
			eol = end;
		e = eol;
		while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (s == e) {
			blank_pending = out->len > 0;
		} else {
			if (blank_pending)
				strbuf_addch(out, '\n');
			blank_pending = 0;
			strbuf_add(out, s, (size_t)(e - s));
			strbuf_addch(out, '\n');
		}
		p = eol + 1;
	}
}

void html_node_text(xmlNodePtr node, struct strbuf *out)
{
	struct strbuf raw = STRBUF_INIT;
	struct text_out t = { &raw, 0 };
	size_t start = out->len;

	walk(&t, node->children);
	/* One line: line breaks become spaces, then edges trimmed. */
	for (size_t i = 0; i < raw.len; i++)
		if (raw.buf[i] == '\n')
			raw.buf[i] = ' ';
	add_text(&(struct text_out){ out, 0 }, raw.buf);
	while (out->len > start && out->buf[out->len - 1] == ' ')
		out->buf[--out->len] = '\0';
	if (out->len > start && out->buf[start] == ' ')
		memmove(out->buf + start, out->buf + start + 1, out->len-- - start);
	strbuf_release(&raw);
}

/* Depth-first search for the first element named `name`. */
static xmlNodePtr find(xmlNodePtr node, const char *name)
{
	for (xmlNodePtr c = node; c; c = c->next) {
		xmlNodePtr hit;

		if (html_is(c, name))
			return c;
		if (c->type == XML_ELEMENT_NODE && (hit = find(c->children, name)))
			return hit;
	}
	return NULL;
}

/* A date from the head's <meta> tags, when one is a valid date. */
static void meta_date(xmlNodePtr node, char out[11])
{
	static const char *const names[] = {
		"date", "dcterms.date", "dc.date", "article:published_time", "dcterms.created", NULL,
	};

	for (xmlNodePtr c = node; c && !*out; c = c->next) {
		if (html_is(c, "meta")) {
			xmlChar *name = xmlGetProp(c, (const xmlChar *)"name");
			xmlChar *prop = xmlGetProp(c, (const xmlChar *)"property");
			xmlChar *content = xmlGetProp(c, (const xmlChar *)"content");
			const xmlChar *key = name ? name : prop;

			for (int i = 0; key && content && names[i]; i++) {
				if (xmlStrcasecmp(key, (const xmlChar *)names[i]))
					continue;
				snprintf(out, 11, "%.10s", (const char *)content);
				if (store_date_valid(out))
					out[0] = '\0';
				break;
			}
			xmlFree(name);
			xmlFree(prop);
			xmlFree(content);
		} else if (c->type == XML_ELEMENT_NODE) {
			meta_date(c->children, out);
		}
	}
}

int html_extract(const char *data, size_t len, struct doc_text *out, struct strbuf *err)
{
	struct strbuf raw = STRBUF_INIT, text = STRBUF_INIT, title = STRBUF_INIT;
	struct text_out t = { &raw, 0 };
	htmlDocPtr doc = NULL;
	xmlNodePtr root, node;
	char date[11] = "";
	int rc = html_read(data, len, &doc, err);

	if (rc)
		return rc;
	root = xmlDocGetRootElement(doc);
	walk(&t, root);
	tidy_lines(&raw, &text);
	node = find(root, "title");
	if (node)
		html_node_text(node, &title);
	meta_date(root, date);
	rc = strbuf_ok(&text) || strbuf_ok(&title) ? -ENOMEM : 0;
	if (!rc)
		rc = doc_text_add_page(out, text.buf, text.len);
	if (!rc && title.len && !(out->title = strdup(title.buf)))
		rc = -ENOMEM;
	if (!rc && *date && !(out->date = strdup(date)))
		rc = -ENOMEM;
	xmlFreeDoc(doc);
	strbuf_release(&raw);
	strbuf_release(&text);
	strbuf_release(&title);
	return rc;
}
