// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests of subscriptions (net/), over file:// URLs (subscribe.sh runs
 * a real HTTPS server): the rollback rules by serial and date; a tampered
 * bundle or one over the bound refused with the cache kept; a cache that
 * rotted is dropped at start; a newer bundle another mount cached is taken
 * up; schemes refused.
 */
#include "../testlib.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../../net/net.h"
#include "../../../nlb/nlb.h"

#define DAY 86400
#define T0 1764547200 /* 2025-12-01T00:00:00Z */

struct fixture {
	struct test_signer s;
	char *published, *url, *cache;
};

/* Publish a bundle of the inventory with this serial and date at the URL. */
static void publish(struct fixture *f, uint64_t serial, time_t date)
{
	test_pack(f->s.db, f->s.key, "coalition", serial, date, f->published);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	test_signer_setup(&f->s, NULL);
	f->published = test_path(f->s.dir, "coalition.nlb");
	f->cache = test_path(f->s.dir, "cache");
	assert_true(asprintf(&f->url, "file://%s", f->published) > 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	test_signer_release(&f->s);
	free(f->published);
	free(f->url);
	free(f->cache);
	free(f);
	return 0;
}

static struct net_sub *open_sub(struct fixture *f, uint64_t max_bytes)
{
	struct net_sub_options o = { .url = f->url, .trust = f->s.pub, .cache = f->cache };
	struct strbuf err = STRBUF_INIT;
	struct net_sub *s = NULL;

	o.net.max_bytes = max_bytes;
	if (net_sub_open(&o, &s, &err))
		fail_msg("open: %s", err.buf);
	strbuf_release(&err);
	return s;
}

/* A check's result; a database it hands over is removed. `want` is the message's part on failure. */
static int check(struct net_sub *s, const char *want)
{
	struct strbuf err = STRBUF_INIT;
	char *db = NULL;
	int rc = net_sub_check(s, &db, &err);

	if (rc < 0 && want && !strstr(err.buf, want))
		fail_msg("check: rc %d, no '%s' in '%s'", rc, want, err.buf);
	assert_true(rc == 1 ? db != NULL : db == NULL);
	if (db)
		unlink(db);
	free(db);
	strbuf_release(&err);
	return rc;
}

static void start(struct net_sub *s)
{
	struct strbuf err = STRBUF_INIT;
	char *db = NULL;

	if (net_sub_start(s, &db, &err))
		fail_msg("start: %s", err.buf);
	assert_non_null(db);
	unlink(db);
	free(db);
	strbuf_release(&err);
}

/* The status line `key: ` of the subscription. */
static char *status_of(struct net_sub *s, const char *key)
{
	struct strbuf st = STRBUF_INIT;
	char *line, *end, *out;

	assert_int_equal(net_sub_status(s, &st), 0);
	line = strstr(st.buf, key);
	assert_non_null(line);
	line += strlen(key);
	end = strchr(line, '\n');
	out = strndup(line, (size_t)(end - line));
	strbuf_release(&st);
	return out;
}

static void assert_serial(struct net_sub *s, const char *want)
{
	char *v = status_of(s, "\nserial: ");

	assert_string_equal(v, want);
	free(v);
}

static void test_net__rollback_by_serial_and_date(void **state)
{
	struct fixture *f = *state;
	struct net_sub *s;

	publish(f, 2, T0);
	s = open_sub(f, 0);
	start(s);
	assert_serial(s, "2");
	assert_int_equal(check(s, NULL), 0); /* the same bytes */

	publish(f, 1, T0 + DAY); /* a lower serial, whatever its date */
	assert_int_equal(check(s, "refused as a rollback"), -ESTALE);
	publish(f, 2, T0 + DAY); /* the same serial with other bytes */
	assert_int_equal(check(s, "not newer"), -ESTALE);
	publish(f, 3, T0 - DAY); /* a higher serial, an earlier date */
	assert_int_equal(check(s, "refused as a rollback"), -ESTALE);
	assert_serial(s, "2");

	publish(f, 3, T0); /* newer serial, the same date: newer */
	assert_int_equal(check(s, NULL), 1);
	assert_serial(s, "3");
	assert_int_equal(check(s, NULL), 0);
	net_sub_close(s);

	/* The floor survives the mount: a new subscription starts from the cache, at serial 3. */
	publish(f, 2, T0 + 2 * DAY);
	s = open_sub(f, 0);
	start(s);
	assert_serial(s, "3");
	assert_int_equal(check(s, "rollback"), -ESTALE);
	net_sub_close(s);
}

/* The cached bundle (one, not the .state or .lock). */
static char *cached_bundle(struct fixture *f)
{
	DIR *d = opendir(f->cache);
	struct dirent *e;
	char *p = NULL;

	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);

		assert_null(strstr(e->d_name, ".part")); /* nothing half-downloaded is left */
		if (n > 4 && !strcmp(e->d_name + n - 4, ".nlb")) {
			assert_null(p);
			p = test_path(f->cache, e->d_name);
		}
	}
	closedir(d);
	assert_non_null(p);
	return p;
}

static void flip_last_kib(const char *path)
{
	struct strbuf b = STRBUF_INIT;

	test_read(path, &b);
	b.buf[b.len - 2000] ^= 1;
	test_write_bytes(path, b.buf, b.len);
	strbuf_release(&b);
}

static void test_net__tampered_or_oversize_is_refused_and_the_cache_kept(void **state)
{
	struct fixture *f = *state;
	struct strbuf before = STRBUF_INIT, after = STRBUF_INIT;
	struct net_sub *s;
	char *cached;

	publish(f, 1, T0);
	s = open_sub(f, 0);
	start(s);
	cached = cached_bundle(f);
	test_read(cached, &before);
	publish(f, 2, T0 + DAY);
	flip_last_kib(f->published);
	assert_int_equal(check(s, "does not match the MANIFEST"), -EBADMSG);
	assert_serial(s, "1");
	free(cached);
	cached = cached_bundle(f);
	test_read(cached, &after);
	assert_true(before.len == after.len && !memcmp(before.buf, after.buf, before.len));
	net_sub_close(s);

	/* Over the bound: cut off, nothing left. */
	publish(f, 3, T0 + 2 * DAY);
	s = open_sub(f, 4096);
	assert_int_equal(check(s, "larger than 4096 bytes"), -EFBIG);
	free(cached);
	cached = cached_bundle(f);
	net_sub_close(s);
	free(cached);
	strbuf_release(&before);
	strbuf_release(&after);
}

static void test_net__a_rotten_cache_is_dropped_at_start(void **state)
{
	struct fixture *f = *state;
	struct strbuf err = STRBUF_INIT;
	struct net_sub *s;
	char *cached, *db = NULL;

	publish(f, 1, T0);
	s = open_sub(f, 0);
	start(s);
	net_sub_close(s);
	cached = cached_bundle(f);
	flip_last_kib(cached);
	/* With the server gone too, nothing is served: not the rotten copy. */
	unlink(f->published);
	s = open_sub(f, 0);
	assert_true(net_sub_start(s, &db, &err) < 0);
	assert_null(db);
	assert_non_null(strstr(err.buf, "the cached copy was dropped"));
	net_sub_close(s);
	/* With the server back, fetched anew. */
	publish(f, 1, T0);
	s = open_sub(f, 0);
	start(s);
	assert_serial(s, "1");
	net_sub_close(s);
	free(cached);
	strbuf_release(&err);
}

static void test_net__a_newer_bundle_another_mount_cached_is_taken_up(void **state)
{
	struct fixture *f = *state;
	struct net_sub *a, *b;

	publish(f, 1, T0);
	a = open_sub(f, 0);
	b = open_sub(f, 0);
	start(a);
	start(b);
	publish(f, 2, T0 + DAY);
	assert_int_equal(check(b, NULL), 1);
	/* a's download is the cached bytes: no news from the server, but the cache is newer than a's. */
	assert_int_equal(check(a, NULL), 1);
	assert_serial(a, "2");
	assert_int_equal(check(a, NULL), 0);
	net_sub_close(a);
	net_sub_close(b);
}

static void test_net__schemes(void **state)
{
	struct net_options o = { 0 };
	struct net_result res;
	struct strbuf err = STRBUF_INIT;

	(void)state;
	assert_int_equal(net_fetch("http://127.0.0.1:1/x.nlb", &o, NULL, -1, &res, &err), -EINVAL);
	assert_non_null(strstr(err.buf, "plain http:// is refused"));
	strbuf_reset(&err);
	assert_int_equal(net_fetch("ftp://127.0.0.1/x.nlb", &o, NULL, -1, &res, &err), -EINVAL);
	strbuf_reset(&err);
	o.allow_http = 1;
	assert_int_equal(net_fetch("http://127.0.0.1:1/x.nlb", &o, NULL, -1, &res, &err), -ECONNREFUSED);
	assert_int_equal(net_is_url("https://a/b"), 1);
	assert_int_equal(net_is_url("/srv/x.nlb"), 0);
	strbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_net__rollback_by_serial_and_date, setup, teardown),
		cmocka_unit_test_setup_teardown(test_net__tampered_or_oversize_is_refused_and_the_cache_kept, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_net__a_rotten_cache_is_dropped_at_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_net__a_newer_bundle_another_mount_cached_is_taken_up, setup,
						teardown),
		cmocka_unit_test(test_net__schemes),
	};

	return cmocka_run_group_tests_name("net", tests, NULL, NULL);
}
