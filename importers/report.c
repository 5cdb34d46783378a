// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * An import call's report: the data errors it found (every one, each with
 * its file and position) and its warnings. Every importer writes here and
 * this file calls none of them.
 */
#include "importers_i.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../util/array.h"
#include "../util/escape.h"

void import_report_verror(struct import_report *rep, const char *file, unsigned line, unsigned col,
			  const char *fmt, va_list ap)
{
	struct import_error *e;
	char *msg = NULL;

	if (array_reserve(&rep->errors, rep->nerrors, &rep->alloc, sizeof(*rep->errors), 16))
		return;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	e = &rep->errors[rep->nerrors];
	e->file = strdup(file ? file : "");
	e->line = line;
	e->col = col;
	e->message = msg;
	if (!e->file || !e->message) {
		free(e->file);
		free(e->message);
		return;
	}
	rep->nerrors++;
}

void import_report_error(struct import_report *rep, const char *file, unsigned line, unsigned col,
			 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	import_report_verror(rep, file, line, col, fmt, ap);
	va_end(ap);
}

void import_report_warning(struct import_report *rep, const char *file, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	strbuf_addf(&sb, "%s: %s", file, msg ? msg : "out of memory");
	strlist_add(&rep->warnings, sb.buf);
	free(msg);
	strbuf_release(&sb);
}

void import_error_format(const struct import_error *e, struct strbuf *out)
{
	escape_addstr(out, e->file);
	if (e->line)
		strbuf_addf(out, ":%u:%u", e->line, e->col);
	strbuf_addstr(out, ": error: ");
	escape_addstr(out, e->message);
}

void import_report_print(const struct import_report *rep, FILE *out)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < rep->nerrors; i++) {
		strbuf_reset(&sb);
		import_error_format(&rep->errors[i], &sb);
		fprintf(out, "%s\n", sb.buf);
	}
	strbuf_release(&sb);
}

void import_report_release(struct import_report *rep)
{
	for (size_t i = 0; i < rep->nerrors; i++) {
		free(rep->errors[i].file);
		free(rep->errors[i].message);
	}
	free(rep->errors);
	rep->errors = NULL;
	rep->nerrors = rep->alloc = 0;
	strlist_release(&rep->files);
	strlist_release(&rep->members);
	strlist_release(&rep->created);
	strlist_release(&rep->warnings);
	free(rep->redactions);
	rep->redactions = NULL;
	rep->nredactions = rep->aredactions = 0;
}

int import_report_refuse(struct import_report *rep, const char *label, const char *member, unsigned line,
			 unsigned col, const char *fmt, ...)
{
	struct strbuf format = STRBUF_INIT;
	va_list ap;

	/* "member 'NAME': " before the message; a '%' in NAME is no conversion. */
	if (member) {
		strbuf_addstr(&format, "member '");
		for (const char *p = member; *p; p++) {
			if (*p == '%')
				strbuf_addch(&format, '%');
			strbuf_addch(&format, *p);
		}
		strbuf_addstr(&format, "': ");
	}
	strbuf_addstr(&format, fmt);
	va_start(ap, fmt);
	import_report_verror(rep, label, line, col, format.buf, ap);
	va_end(ap);
	strbuf_release(&format);
	return 1;
}
