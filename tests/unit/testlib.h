/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers shared by the cmocka unit tests: scratch folders and fixtures. */
#ifndef NLETSFS_TESTLIB_H
#define NLETSFS_TESTLIB_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../importers/importers.h"
#include "../../store/store.h"

/** A fresh scratch folder under $TMPDIR (removed by test_rmtree). */
char *test_tmpdir(void);
/** rm -rf */
void test_rmtree(const char *path);
/** Write a file (creating folders). */
void test_write(const char *dir, const char *name, const char *content);
/** Copy the fixture bundle `name` (tests/fixtures/NAME) into dir. */
void test_copy_fixture(const char *name, const char *dir);
/** An empty in-memory inventory. */
struct store *test_store_new(void);
/** Import a bundle folder, asserting success. */
void test_import_ok(struct store *st, const char *dir);
/**
 * A new scratch folder (*dir: test_rmtree() and free() it) holding a copy of
 * the fixture bundle `name` under src/, imported into a new inventory: the
 * file `db_name` in that folder, or one in memory when db_name is NULL.
 */
struct store *test_fixture_inventory(const char *name, const char *db_name, char **dir);
/** Close `st` (NULL: already closed) and remove and free `dir`: undo test_fixture_inventory(). */
void test_fixture_release(struct store *st, char *dir);
/** Every CSV of the inventory's export, concatenated: a snapshot to compare. */
char *test_snapshot(struct store *st);

#endif
