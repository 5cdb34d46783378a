// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The slug function: whatever the display name, store_slug() appends only
 * [A-Za-z0-9._-], never "", "." or "..", keeps what was in the buffer
 * before, and a slug's slug is itself (names in paths are stable).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzzlib.h"
#include "../../store/store_i.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name = fuzz_cstring(data, size);
	struct strbuf out = STRBUF_INIT, again = STRBUF_INIT;
	const char *slug;
	size_t n;

	strbuf_addstr(&out, "prefix/");
	store_slug(name, &out);
	FUZZ_ASSERT(strbuf_ok(&out) == 0);
	FUZZ_ASSERT(!strncmp(out.buf, "prefix/", 7));
	slug = out.buf + 7;
	n = strlen(slug);
	FUZZ_ASSERT(n == out.len - 7);
	FUZZ_ASSERT(n > 0 && strcmp(slug, ".") && strcmp(slug, ".."));
	FUZZ_ASSERT(strspn(slug, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n);
	FUZZ_ASSERT(n <= strlen(name) || n == 1);
	store_slug(slug, &again);
	FUZZ_ASSERT(!strcmp(again.buf, slug));
	strbuf_release(&out);
	strbuf_release(&again);
	free(name);
	return 0;
}
