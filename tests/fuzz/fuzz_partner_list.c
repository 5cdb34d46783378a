// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * libFuzzer harness of the partner-list parsers (importers/partner_list.c):
 * any bytes as an HTML page (libxml2's recovering parser, then the entry
 * shapes: table rows, dt/dd pairs, list items) and as a CSV file. No store.
 */
#include <stddef.h>
#include <stdint.h>

#include "../../importers/importers_i.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct partner_entries e = { 0 };
	struct strbuf err = STRBUF_INIT;
	unsigned line, col;

	partner_list_parse_html((const char *)data, size, &e, &err);
	partner_entries_release(&e);
	strbuf_reset(&err);
	partner_list_parse_csv((const char *)data, size, &e, &err, &line, &col);
	partner_entries_release(&e);
	strbuf_release(&err);
	return 0;
}
