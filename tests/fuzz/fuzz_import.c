// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The records importer: a bundle of one fuzzed CSV file (the first input
 * byte picks which file: sources.csv ... claims.csv, or a file the
 * importer does not know) imported into an in-memory inventory that holds
 * tests/fixtures/small, so that references can resolve.
 *
 * It never crashes or leaks. When it fails, it says why (errors with a
 * place, or a message) and the inventory is exactly as before. When it
 * succeeds, the inventory passes `nletsfs check`, and importing the same
 * bundle again changes nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "../../importers/importers_i.h"
#include "fuzzlib.h"

static struct store *inventory;
static char *fixture_snapshot;

static int import_once(struct bundle *b)
{
	struct import_report rep = { 0 };
	struct strbuf err = STRBUF_INIT;
	size_t i;
	int rc = import_bundles(inventory, b, 1, 0, &rep, &err);

	FUZZ_ASSERT(rc == 0 || rc == 1);
	FUZZ_ASSERT(rc ? rep.nerrors > 0 || err.len > 0 : rep.nerrors == 0);
	for (i = 0; i < rep.nerrors; i++) {
		FUZZ_ASSERT(rep.errors[i].line >= 1 && rep.errors[i].col >= 1);
		FUZZ_ASSERT(*rep.errors[i].message);
		FUZZ_ASSERT(!strncmp(rep.errors[i].file, "fuzz/", 5));
	}
	import_report_release(&rep);
	strbuf_release(&err);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bundle_member m;
	struct bundle b = { 0 };
	struct strbuf report = STRBUF_INIT;
	char *snap, *again;
	int k;

	if (!size)
		return 0;
	if (!inventory) {
		inventory = fuzz_fixture_store();
		fixture_snapshot = fuzz_snapshot(inventory);
	}
	k = data[0] % (REC_COUNT + 1);
	m.name = (char *)(k < REC_COUNT ? store_record_desc((enum record_kind)k)->file : "notes.csv");
	m.data = (unsigned char *)data + 1;
	m.len = size - 1;
	b.label = (char *)"fuzz";
	b.members = &m;
	b.n = b.alloc = 1;

	if (import_once(&b)) {
		snap = fuzz_snapshot(inventory);
		FUZZ_ASSERT(!strcmp(snap, fixture_snapshot));
		free(snap);
		return 0;
	}
	FUZZ_ASSERT(store_check(inventory, &report) == 0);
	snap = fuzz_snapshot(inventory);
	FUZZ_ASSERT(import_once(&b) == 0);
	again = fuzz_snapshot(inventory);
	FUZZ_ASSERT(!strcmp(snap, again));
	free(snap);
	free(again);
	strbuf_release(&report);
	/* The next input starts from the fixture again. */
	store_close(inventory);
	inventory = fuzz_fixture_store();
	return 0;
}
