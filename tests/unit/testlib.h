/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers shared by the cmocka unit tests: scratch folders and fixtures. */
#ifndef NLETSFS_TESTLIB_H
#define NLETSFS_TESTLIB_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "../../fs/tree.h"
#include "../../importers/importers.h"
#include "../../nlb/nlb.h"
#include "../../util/strbuf.h"
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
/** A test's inventory: the small fixture copied into `dir` and imported, and its tree. */
struct test_inventory {
	struct store *st;
	struct tree *tree;
	char *dir;
};
/** cmocka setup and teardown giving *state a struct test_inventory. */
int test_inventory_setup(void **state);
int test_inventory_teardown(void **state);
/** A cmocka test run on a fresh struct test_inventory. */
#define WITH_INVENTORY(test) cmocka_unit_test_setup_teardown(test, test_inventory_setup, test_inventory_teardown)
/** "DIR/NAME", to free(). */
char *test_path(const char *dir, const char *name);
/** Render the file at `path` of the tree into *out (to free()): 0, or the tree's negative errno (*out NULL). */
int test_render(struct tree *t, const char *path, char **out);
/** The file at `path` of the tree, which must be there (to free()). */
char *test_cat(struct tree *t, const char *path);
/** The names of the folder at `path`, space-separated (to free()). */
char *test_ls(struct tree *t, const char *path);
/** A signer's scratch folder: the small fixture imported into DIR/inv.db, the key pair DIR/k.pem, DIR/k.pub.pem. */
struct test_signer {
	char *dir, *db, *key, *pub;
};
/** Make it; *snapshot (when given) is test_snapshot() of the inventory. */
void test_signer_setup(struct test_signer *s, char **snapshot);
/** Remove the folder and free the names. */
void test_signer_release(struct test_signer *s);
/** A key pair DIR/NAME.pem and DIR/NAME.pub.pem (nlb_keygen), asserting its fingerprint's form. */
void test_keygen(const char *dir, const char *name);
/** A bundle of the inventory file `db` at `out`, named `name`, signed with `key`. */
void test_pack(const char *db, const char *key, const char *name, uint64_t serial, time_t date, const char *out);
/** Every CSV of the inventory's export, concatenated: a snapshot to compare. */
char *test_snapshot(struct store *st);

/**
 * A small valid PDF, written by hand: one page per string (lines split at
 * '|'), Helvetica text; an info dictionary with `title` and `date`
 * (YYYYMMDD) when given; with `encrypt`, a standard security handler whose
 * user password is unknown, so that reading it needs a password.
 */
void test_pdf(struct strbuf *out, const char *const *pages, size_t npages, const char *title, const char *date,
	      int encrypt);

/** An archive member for test_archive(). */
struct test_member {
	const char *name;
	const char *data;	/* NULL: empty */
	size_t len;		/* 0: strlen(data) */
	int type;		/* 0 regular, 'l' symlink, 'h' hard link (to data), 'd' folder */
};
/**
 * Write an archive with libarchive: format "zip", "7zip", "ustar" or "pax",
 * filter "none", "gzip" or "xz"; `passphrase` encrypts zip members.
 */
void test_archive(const char *path, const char *format, const char *filter, const struct test_member *m,
		  size_t n, const char *passphrase);
/** Read a whole file. */
void test_read(const char *path, struct strbuf *out);
/** Write bytes to a file. */
void test_write_bytes(const char *path, const void *data, size_t len);

#endif
