// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * libFuzzer harness of the excerpt extractor (importers/excerpts.c): any
 * bytes as a page, against a small vocabulary with every kind of term
 * (capitals-only codes, a field's one-word id looked for in capitals,
 * multi-word terms, ids with '_', apostrophes, non-ASCII). The
 * first byte, when there is one, picks whether the page also goes through
 * doc_text_add_page() first, as extracted pages do.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../importers/importers_i.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void build(struct vocab *v)
{
	vocab_init(v);
	vocab_add(v, VOCAB_AGENCY, "ICE", "ICE");
	vocab_add(v, VOCAB_AGENCY, "ICE", "U.S. Immigration and Customs Enforcement");
	vocab_add(v, VOCAB_AGENCY, "HHS-ORR", "Office of Refugee Resettlement");
	vocab_add(v, VOCAB_FIELD, "ssn", "ssn");
	vocab_add(v, VOCAB_FIELD, "ssn", "social security #");
	vocab_add(v, VOCAB_FIELD, "date_of_birth", "date_of_birth");
	vocab_add(v, VOCAB_FIELD, "date_of_birth", "date of birth");
	vocab_add(v, VOCAB_FIELD, "license_number", "driver's license or state ID number");
	vocab_add(v, VOCAB_FIELD, "offense_code", "OFF");
	vocab_add(v, VOCAB_FIELD, "place", "lieu de naissance \xc3\xa0 l'\xc3\xa9tranger");
	vocab_finish(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vocab v;
	struct excerpt e;
	struct doc_text t = { 0 };
	struct strbuf names = STRBUF_INIT;

	build(&v);
	excerpt_init(&e);
	if (size && (data[0] & 1) && doc_text_add_page(&t, (const char *)data + 1, size - 1) == 0)
		excerpt_page(&v, t.pages[0].buf, t.pages[0].len, &e);
	else
		excerpt_page(&v, (const char *)data, size, &e);
	excerpt_names_line(&e, &names);
	strbuf_release(&names);
	doc_text_release(&t);
	excerpt_release(&e);
	vocab_release(&v);
	return 0;
}
