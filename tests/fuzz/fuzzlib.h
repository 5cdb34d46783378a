/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Shared by the libFuzzer harnesses (tests/fuzz/fuzz_NAME.c, run by
 * scripts/fuzz). A harness states the invariants of what it fuzzes with
 * FUZZ_ASSERT; a broken one aborts, and libFuzzer saves the input that broke
 * it as a reproducer. Setup failures abort too: a harness that cannot build
 * its fixture must not report success.
 */
#ifndef NLETSFS_FUZZLIB_H
#define NLETSFS_FUZZLIB_H

#include <stddef.h>
#include <stdint.h>

#include "../../store/store.h"

/** Abort with `what` and its place when `cond` is false. */
#define FUZZ_ASSERT(cond) \
	do { \
		if (!(cond)) \
			fuzz_fail(__FILE__, __LINE__, #cond); \
	} while (0)

/** Print "FILE:LINE: invariant failed: WHAT" and abort. */
void fuzz_fail(const char *file, int line, const char *what) __attribute__((noreturn));
/** The input as a NUL-terminated string (malloc'd; an inner NUL ends it early). */
char *fuzz_cstring(const uint8_t *data, size_t size);
/** A new in-memory inventory holding the bundle tests/fixtures/small. */
struct store *fuzz_fixture_store(void);
/** The whole export (every CSV, concatenated; malloc'd): equal snapshots, equal inventories. */
char *fuzz_snapshot(struct store *st);

#endif
