// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests of the files kept for their readers across an import
 * (fs/kept.c): the bytes come back until read to the end, or idle for
 * PIN_IDLE_MS, or kept for PIN_KEEP_MAX_MS; the path's number is found by
 * its folder and name until the kernel forgets the old inode; at most
 * KEPT_MAX files' bytes are kept, and a number alone (the change log's)
 * always is. Time is given, not waited for. (A reader on a real
 * mount is tests/mount/read_across.sh.)
 */
#include "../testlib.h"

#include <errno.h>
#include <stdio.h>

#include "../../../fs/kept.h"
#include "../../../fs/pin.h"

#define MS (int64_t)1000000

static struct blob *bytes(const char *s, uint64_t version)
{
	struct strbuf sb = STRBUF_INIT;
	struct blob *b;

	strbuf_addstr(&sb, s);
	b = blob_new(&sb, version);
	assert_non_null(b);
	return b;
}

static int gone_none(void *arg, uint64_t ino)
{
	(void)arg;
	(void)ino;
	return 0;
}

static int gone_this(void *arg, uint64_t ino)
{
	return ino == *(uint64_t *)arg;
}

static void reading(void **state)
{
	struct blob *b = bytes("x", 1);

	(void)state;
	assert_false(kept_reading(b, 5 * MS)); /* no READ ended short */
	b->partly_ns = 5 * MS;
	assert_true(kept_reading(b, 6 * MS));
	assert_false(kept_reading(b, 5 * MS + PIN_IDLE_MS * MS));
	blob_put(b);
}

static void kept_until_read_or_idle(void **state)
{
	struct kept k = { 0 };
	struct blob *b = bytes("old map", 3), *got;
	uint64_t user = 0;
	int64_t t = 1000 * MS;

	(void)state;
	assert_int_equal(kept_add(&k, 17, 5, 1, "map.svg", b, t), 0);
	blob_put(b); /* the kept one has its own reference */
	assert_true(kept_user(&k, 1, "map.svg", &user));
	assert_int_equal(user, 5);
	assert_false(kept_user(&k, 2, "map.svg", &user));
	assert_false(kept_user(&k, 1, "other.svg", &user));
	assert_null(kept_bytes(&k, 18, t));

	/* READs keep it alive past PIN_IDLE_MS from the import. */
	t += PIN_IDLE_MS * MS / 2;
	got = kept_bytes(&k, 17, t);
	assert_non_null(got);
	assert_memory_equal(got->data, "old map", 7);
	blob_put(got);
	t += PIN_IDLE_MS * MS / 2 + MS;
	kept_tick(&k, t, gone_none, NULL);
	got = kept_bytes(&k, 17, t);
	assert_non_null(got);
	blob_put(got);
	/* Idle for PIN_IDLE_MS: the bytes go, the number stays while the inode does. */
	t += PIN_IDLE_MS * MS;
	kept_tick(&k, t, gone_none, NULL);
	assert_null(kept_bytes(&k, 17, t));
	assert_true(kept_user(&k, 1, "map.svg", &user));
	kept_release(&k);
}

static void done_keep_max_and_gone(void **state)
{
	struct kept k = { 0 };
	struct blob *b = bytes("old", 3), *got;
	uint64_t ino = 17, user;
	int64_t t = 1000 * MS;
	char name[16];
	int i;

	(void)state;
	assert_int_equal(kept_add(&k, 17, 17, 1, "a", b, t), 0);
	assert_int_equal(kept_add(&k, 18, 18, 1, "b", b, t), 0);
	/* Read to the end: its bytes go. */
	kept_done(&k, 17);
	assert_null(kept_bytes(&k, 17, t));
	/* Read on and on: at most PIN_KEEP_MAX_MS after the import. */
	for (t += PIN_IDLE_MS * MS / 2; t < 1000 * MS + PIN_KEEP_MAX_MS * MS; t += PIN_IDLE_MS * MS / 2) {
		got = kept_bytes(&k, 18, t);
		assert_non_null(got);
		blob_put(got);
		kept_tick(&k, t, gone_none, NULL);
	}
	kept_tick(&k, t, gone_none, NULL);
	assert_null(kept_bytes(&k, 18, t));
	/* The kernel forgot 17: it goes, and its path's number with it. */
	kept_tick(&k, t, gone_this, &ino);
	assert_int_equal(k.n, 1);
	assert_false(kept_user(&k, 1, "a", &user));
	assert_true(kept_user(&k, 1, "b", &user));
	/* At most KEPT_MAX files' bytes ("b"'s went); a number alone (the change log's) is always kept. */
	for (i = 0; i < KEPT_MAX; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		assert_int_equal(kept_add(&k, 100 + (uint64_t)i, 100 + (uint64_t)i, 1, name, b, t), 0);
	}
	assert_int_equal(kept_add(&k, 999, 999, 1, "full", b, t), -ENOSPC);
	assert_int_equal(kept_add(&k, 998, 7, 1, "changes", NULL, t), 0);
	assert_null(kept_bytes(&k, 998, t));
	assert_true(kept_user(&k, 1, "changes", &user));
	assert_int_equal(user, 7);
	blob_put(b);
	kept_release(&k);
	assert_int_equal(k.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reading),
		cmocka_unit_test(kept_until_read_or_idle),
		cmocka_unit_test(done_keep_max_and_gone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
