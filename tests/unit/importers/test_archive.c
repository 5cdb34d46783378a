// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests of the one archive reader (importers/archive.c): what a
 * header claims is checked, never allocated; a bomb stops early. The doors
 * (records bundle, documents) are tested through the command in
 * tests/mount/hostile_input.sh, point 9.
 */
#include "../testlib.h"
#include "../../../importers/archive_i.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A ustar archive of one member holding `data`, whose header claims `claim` bytes. */
static void tar_claiming(struct strbuf *out, const char *data, size_t len, unsigned long long claim)
{
	unsigned char h[512] = { 0 };
	unsigned sum = 0;
	size_t i;

	strcpy((char *)h, "big.bin");
	memcpy(h + 100, "0000644", 8);
	memcpy(h + 108, "0000000", 8);
	memcpy(h + 116, "0000000", 8);
	snprintf((char *)h + 124, 12, "%011llo", claim);
	memcpy(h + 136, "00000000000", 12);
	h[156] = '0';
	memcpy(h + 257, "ustar\0" "00", 8);
	memset(h + 148, ' ', 8);
	for (i = 0; i < sizeof(h); i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	strbuf_reset(out);
	strbuf_add(out, h, sizeof(h));
	strbuf_add(out, data, len);
	for (i = len; i % 512; i++)
		strbuf_addch(out, 0);
	for (i = 0; i < 1024; i++)	/* tar's end: two zero blocks */
		strbuf_addch(out, 0);
	assert_int_equal(strbuf_ok(out), 0);
}

/* Open `bytes`, read the first member's header and data: ar_read_member()'s result. */
static int read_first(const struct strbuf *bytes, struct strbuf *data, struct strbuf *why)
{
	struct ar_memory m;
	struct archive *a;
	struct archive_entry *e;
	int rc;

	assert_int_equal(ar_open_memory(&m, bytes->buf, bytes->len, &a, why), 0);
	assert_int_equal(archive_read_next_header(a, &e), ARCHIVE_OK);
	rc = ar_read_member(a, e, data, NULL, NULL, why);
	archive_read_free(a);
	return rc;
}

static void test_archive__header_claims_are_checked_not_allocated(void **state)
{
	struct strbuf tar = STRBUF_INIT, data = STRBUF_INIT, why = STRBUF_INIT;

	(void)state;
	/* Over the limit by its header: refused before a byte is read or allocated. */
	tar_claiming(&tar, "0123456789", 10, 300ULL << 20);
	assert_int_equal(read_first(&tar, &data, &why), 1);
	assert_string_equal(why.buf, "314572800 bytes uncompressed, over 256 MiB: refused");
	assert_int_equal(data.alloc, 0);
	/* Under the limit, but a lie: 100 MiB claimed, 10 bytes and tar's end follow. */
	strbuf_reset(&why);
	tar_claiming(&tar, "0123456789", 10, 100ULL << 20);
	assert_int_equal(read_first(&tar, &data, &why), 1);
	assert_non_null(strstr(why.buf, "cannot be read: Truncated tar archive"));
	assert_true(data.alloc < (1UL << 20));
	/* The truth is read. */
	strbuf_reset(&why);
	strbuf_reset(&data);
	tar_claiming(&tar, "0123456789", 10, 10);
	assert_int_equal(read_first(&tar, &data, &why), 0);
	assert_int_equal(data.len, 10);
	assert_memory_equal(data.buf, "0123456789", 10);
	strbuf_release(&tar);
	strbuf_release(&data);
	strbuf_release(&why);
}

static void test_archive__bomb_stops_early(void **state)
{
	struct strbuf zeros = STRBUF_INIT, zip = STRBUF_INIT, data = STRBUF_INIT, why = STRBUF_INIT;
	char *dir = test_tmpdir(), *path = NULL;

	(void)state;
	assert_true(asprintf(&path, "%s/bomb.zip", dir) > 0);
	assert_int_equal(strbuf_grow(&zeros, 32UL << 20), 0);
	memset(zeros.buf, 0, 32UL << 20);
	zeros.len = 32UL << 20;
	test_archive(path, "zip", "none", (struct test_member[]){ { "zeros.bin", zeros.buf, zeros.len, 0 } }, 1, NULL);
	test_read(path, &zip);
	assert_int_equal(read_first(&zip, &data, &why), 1);
	assert_string_equal(why.buf, "expands more than 200 times its compressed size (an archive bomb?): refused");
	/* 200 times (the compressed bytes + 64 KiB of read-ahead slack): a few MiB, not the 32 MiB. */
	assert_true(data.len <= 200 * (zip.len + (64UL << 10)));
	assert_true(data.len < zeros.len);
	test_rmtree(dir);
	free(dir);
	free(path);
	strbuf_release(&zeros);
	strbuf_release(&zip);
	strbuf_release(&data);
	strbuf_release(&why);
}

static void test_archive__truncated_zip_refused(void **state)
{
	struct strbuf zip = STRBUF_INIT, why = STRBUF_INIT;
	char *dir = test_tmpdir(), *path = NULL;
	struct ar_memory m;
	struct archive *a;

	(void)state;
	assert_true(asprintf(&path, "%s/a.zip", dir) > 0);
	test_archive(path, "zip", "none", (struct test_member[]){ { "a.txt", "some text\n", 0, 0 } }, 1, NULL);
	test_read(path, &zip);
	assert_int_equal(ar_open_memory(&m, zip.buf, zip.len - 22, &a, &why), 1);
	assert_string_equal(why.buf, "truncated zip archive: no central directory at its end");
	test_write_bytes(path, zip.buf, zip.len - 22);
	strbuf_reset(&why);
	assert_int_equal(ar_open_file(path, &a, &why), 1);
	assert_string_equal(why.buf, "truncated zip archive: no central directory at its end");
	test_rmtree(dir);
	free(dir);
	free(path);
	strbuf_release(&zip);
	strbuf_release(&why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_archive__header_claims_are_checked_not_allocated),
		cmocka_unit_test(test_archive__bomb_stops_early),
		cmocka_unit_test(test_archive__truncated_zip_refused),
	};

	return cmocka_run_group_tests_name("archive", tests, NULL, NULL);
}
