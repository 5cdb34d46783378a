// SPDX-License-Identifier: GPL-3.0-or-later
#include "fuzzlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../importers/importers.h"

void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, what);
	abort();
}

char *fuzz_cstring(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	FUZZ_ASSERT(s);
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

struct store *fuzz_fixture_store(void)
{
	const char *paths[1] = { FIXTURES "/small" };
	struct import_report rep = { 0 };
	struct strbuf err = STRBUF_INIT;
	struct store *st = NULL;

	FUZZ_ASSERT(store_open(":memory:", STORE_CREATE, &st, &err) == 0);
	FUZZ_ASSERT(import_records(st, paths, 1, 0, &rep, &err) == 0);
	import_report_release(&rep);
	strbuf_release(&err);
	return st;
}

char *fuzz_snapshot(struct store *st)
{
	struct strbuf sb = STRBUF_INIT;
	int k;

	for (k = 0; k < REC_COUNT; k++)
		FUZZ_ASSERT(export_render(st, (enum record_kind)k, &sb) == 0);
	FUZZ_ASSERT(strbuf_ok(&sb) == 0);
	return strbuf_detach(&sb, NULL);
}
