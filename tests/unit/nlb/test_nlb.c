// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests of signed bundles (nlb/): a good bundle verifies and gives back
 * the same inventory; any changed byte, another key, a member added, removed
 * or doubled, and a truncated archive are refused; the manifest parser is
 * strict; keys are made safely.
 */
#include "../testlib.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../../nlb/nlb.h"

struct fixture {
	struct test_signer s;	/* the fixture inventory, as a file, and the signer's key pair */
	char *other_pub;	/* somebody else's public key */
	char *bundle;		/* a good bundle of db, signed with key */
	char *expected;		/* test_snapshot() of the inventory */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	test_signer_setup(&f->s, &f->expected);
	test_keygen(f->s.dir, "other");
	f->other_pub = test_path(f->s.dir, "other.pub.pem");
	f->bundle = test_path(f->s.dir, "x.nlb");
	test_pack(f->s.db, f->s.key, "fixture", 1, 1764547200, f->bundle); /* 2025-12-01T00:00:00Z */
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	test_signer_release(&f->s);
	free(f->other_pub);
	free(f->bundle);
	free(f->expected);
	free(f);
	return 0;
}

/* ---- helpers: files and tar surgery -------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static void spit(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	fclose(fp);
}

/* Where the data of a member starts in a plain tar (ustar headers). */
static size_t member_offset(const char *tar, size_t len, const char *name)
{
	size_t off = 0;

	while (off + 512 <= len && tar[off]) {
		size_t size = (size_t)strtoull(tar + off + 124, NULL, 8);

		if (!strcmp(tar + off, name))
			return off + 512;
		off += 512 + (size + 511) / 512 * 512;
	}
	fail_msg("no member %s", name);
	return 0;
}

/* A copy of the bundle with one byte of a member's data flipped. */
static char *flip(struct fixture *f, const char *member, size_t at)
{
	size_t len;
	char *tar = slurp(f->bundle, &len), *out = test_path(f->s.dir, "flipped.nlb");

	tar[member_offset(tar, len, member) + at] ^= 0x01;
	spit(out, tar, len);
	free(tar);
	return out;
}

/* A copy of the bundle rewritten by libarchive: `drop` left out, `add` (with `content`) appended. */
static char *rewrite(struct fixture *f, const char *drop, const char *add, const char *content)
{
	struct archive *in = archive_read_new(), *out = archive_write_new();
	struct archive_entry *e;
	char *path = test_path(f->s.dir, "rewritten.nlb"), buf[65536];

	archive_read_support_format_tar(in);
	assert_int_equal(archive_read_open_filename(in, f->bundle, 10240), ARCHIVE_OK);
	archive_write_set_format_pax_restricted(out);
	assert_int_equal(archive_write_open_filename(out, path), ARCHIVE_OK);
	while (archive_read_next_header(in, &e) == ARCHIVE_OK) {
		la_ssize_t n;

		if (drop && !strcmp(archive_entry_pathname(e), drop))
			continue;
		assert_int_equal(archive_write_header(out, e), ARCHIVE_OK);
		while ((n = archive_read_data(in, buf, sizeof(buf))) > 0)
			assert_int_equal(archive_write_data(out, buf, (size_t)n), n);
	}
	if (add) {
		e = archive_entry_new();
		archive_entry_set_pathname(e, add);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0444);
		archive_entry_set_size(e, (la_int64_t)strlen(content));
		assert_int_equal(archive_write_header(out, e), ARCHIVE_OK);
		archive_write_data(out, content, strlen(content));
		archive_entry_free(e);
	}
	archive_read_free(in);
	assert_int_equal(archive_write_close(out), ARCHIVE_OK);
	archive_write_free(out);
	return path;
}

/* nlb_read() must refuse `path` with -EBADMSG and a message holding `why`. */
static void refused(const char *path, const char *trust, const char *why)
{
	struct strbuf err = STRBUF_INIT;
	struct nlb_manifest m;
	int rc = nlb_read(path, trust, -1, &m, &err);

	if (rc != -EBADMSG || !strstr(err.buf, why))
		fail_msg("expected -EBADMSG and '%s', got %d: %s", why, rc, err.buf);
	nlb_manifest_release(&m);
	strbuf_release(&err);
}

/* nlb_read() must accept `path`. */
static void accepted(const char *path, const char *trust)
{
	struct strbuf err = STRBUF_INIT;
	struct nlb_manifest m;

	if (nlb_read(path, trust, -1, &m, &err))
		fail_msg("%s refused: %s", path, err.buf);
	nlb_manifest_release(&m);
	strbuf_release(&err);
}

/* ---- tests ------------------------------------------------------------------ */

static void test_nlb__good_bundle_verifies_and_round_trips(void **state)
{
	struct fixture *f = *state;
	struct strbuf err = STRBUF_INIT;
	struct nlb_manifest m;
	struct store *st = NULL;
	char *db = NULL, *got;

	assert_int_equal(nlb_is_bundle(f->bundle), 1);
	assert_int_equal(nlb_read(f->bundle, f->s.pub, -1, &m, &err), 0);
	assert_string_equal(m.name, "fixture");
	assert_string_equal(m.date, "2025-12-01T00:00:00Z");
	assert_int_equal(m.n, 1);
	assert_string_equal(m.members[0].name, NLB_DATABASE);
	nlb_manifest_release(&m);

	/* The extracted database is the same inventory, readable immutable. */
	assert_int_equal(nlb_extract(f->bundle, f->s.pub, &db, &m, &err), 0);
	assert_int_equal(store_open(db, STORE_READONLY | STORE_IMMUTABLE, &st, &err), 0);
	unlink(db); /* as mount does: the open handle keeps reading it */
	got = test_snapshot(st);
	assert_string_equal(got, f->expected);
	assert_int_equal(store_check(st, &err), 0);
	store_close(st);
	nlb_manifest_release(&m);
	free(got);
	free(db);
	strbuf_release(&err);
}

static void test_nlb__same_inputs_give_the_same_bytes(void **state)
{
	struct fixture *f = *state;
	char *again = test_path(f->s.dir, "again.nlb"), *a, *b;
	size_t alen, blen;

	test_pack(f->s.db, f->s.key, "fixture", 1, 1764547200, again);
	a = slurp(f->bundle, &alen);
	b = slurp(again, &blen);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	free(a);
	free(b);
	free(again);
}

static void test_nlb__a_flipped_byte_is_refused(void **state)
{
	struct fixture *f = *state;
	char *p;

	p = flip(f, NLB_DATABASE, 5000);
	refused(p, f->s.pub, "member 'inventory.db' does not match the MANIFEST (SHA-256)");
	/* Without the signature check the hashes still catch it. */
	refused(p, NULL, "does not match the MANIFEST");
	free(p);

	p = flip(f, NLB_MANIFEST, 20); /* inside the name line */
	refused(p, f->s.pub, "bad signature");
	free(p);

	p = flip(f, NLB_SIGNATURE, 10);
	refused(p, f->s.pub, "bad signature");
	free(p);
}

static void test_nlb__no_verify_skips_only_the_signature(void **state)
{
	struct fixture *f = *state;
	char *p = flip(f, NLB_SIGNATURE, 10);

	accepted(p, NULL);
	free(p);
}

static void test_nlb__another_key_is_refused(void **state)
{
	struct fixture *f = *state;

	refused(f->bundle, f->other_pub, "not by the trusted key");
}

static void test_nlb__members_added_removed_or_doubled_are_refused(void **state)
{
	struct fixture *f = *state;
	char *p;

	p = rewrite(f, NULL, "extra.txt", "hello\n");
	refused(p, f->s.pub, "member 'extra.txt' is not in the MANIFEST");
	free(p);
	p = rewrite(f, NULL, NLB_DATABASE, "hello\n");
	refused(p, f->s.pub, "appears twice");
	free(p);
	p = rewrite(f, NLB_DATABASE, NULL, NULL);
	refused(p, f->s.pub, "member 'inventory.db' is in the MANIFEST but missing");
	free(p);
	p = rewrite(f, NLB_SIGNATURE, NULL, NULL);
	refused(p, f->s.pub, "not signed");
	free(p);
	p = rewrite(f, NLB_MANIFEST, NULL, NULL);
	refused(p, f->s.pub, "no MANIFEST");
	free(p);
}

static void test_nlb__member_order_does_not_matter(void **state)
{
	struct fixture *f = *state;
	size_t len, off;
	char *tar = slurp(f->bundle, &len), *manifest, *p;

	off = member_offset(tar, len, NLB_MANIFEST);
	manifest = strndup(tar + off, (size_t)strtoull(tar + off - 512 + 124, NULL, 8));
	p = rewrite(f, NLB_MANIFEST, NLB_MANIFEST, manifest); /* the MANIFEST moved to the end */
	accepted(p, f->s.pub);
	free(manifest);
	free(tar);
	free(p);
}

static void test_nlb__truncated_archives_are_refused(void **state)
{
	struct fixture *f = *state;
	char *p = test_path(f->s.dir, "short.nlb"), *tar;
	size_t len, db_at;

	tar = slurp(f->bundle, &len);
	db_at = member_offset(tar, len, NLB_DATABASE);
	spit(p, tar, len / 2); /* in the middle of the database */
	refused(p, f->s.pub, "truncated");
	spit(p, tar, db_at + 4096); /* just into the database */
	refused(p, f->s.pub, "truncated");
	spit(p, tar, db_at - 512); /* the database left out whole */
	refused(p, f->s.pub, "missing");
	free(tar);
	free(p);
}

static void test_nlb__a_failed_extract_leaves_no_file(void **state)
{
	struct fixture *f = *state;
	char *tmp = test_path(f->s.dir, "tmp"), *p = flip(f, NLB_DATABASE, 100), *db = (char *)"x";
	const char *old = getenv("TMPDIR");
	char *saved = old ? strdup(old) : NULL;
	struct strbuf err = STRBUF_INIT;
	struct nlb_manifest m;
	DIR *d;
	struct dirent *de;
	int n = 0;

	assert_int_equal(mkdir(tmp, 0700), 0);
	setenv("TMPDIR", tmp, 1);
	assert_int_equal(nlb_extract(p, f->s.pub, &db, &m, &err), -EBADMSG);
	assert_null(db);
	nlb_manifest_release(&m);
	if (saved)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	d = opendir(tmp);
	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	assert_int_equal(n, 0);
	free(saved);
	free(tmp);
	free(p);
	strbuf_release(&err);
}

static void test_nlb__is_bundle_by_content(void **state)
{
	struct fixture *f = *state;
	char *empty = test_path(f->s.dir, "empty"), *missing = test_path(f->s.dir, "missing");

	spit(empty, "", 0);
	assert_int_equal(nlb_is_bundle(f->bundle), 1);
	assert_int_equal(nlb_is_bundle(f->s.db), 0);
	assert_int_equal(nlb_is_bundle(empty), 0);
	assert_int_equal(nlb_is_bundle(missing), -ENOENT);
	free(empty);
	free(missing);
}

static void test_nlb__keys(void **state)
{
	struct fixture *f = *state;
	struct strbuf fp = STRBUF_INIT, err = STRBUF_INIT;
	struct nlb_manifest m;
	struct stat sb;
	char *base = test_path(f->s.dir, "k"), *fresh = test_path(f->s.dir, "fresh"), *fresh_pub;

	assert_int_equal(stat(f->s.key, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	/* An existing key is never replaced, and a clash leaves nothing new. */
	assert_int_equal(nlb_keygen(base, &fp, &err), -EEXIST);
	assert_non_null(strstr(err.buf, "k.pem"));
	fresh_pub = test_path(f->s.dir, "fresh.pub.pem");
	spit(fresh_pub, "x", 1);
	strbuf_reset(&err);
	assert_int_equal(nlb_keygen(fresh, &fp, &err), -EEXIST);
	assert_int_equal(stat(fresh_pub, &sb), 0);
	assert_int_equal(sb.st_size, 1);
	free(fresh_pub);
	fresh_pub = test_path(f->s.dir, "fresh.pem");
	assert_int_not_equal(stat(fresh_pub, &sb), 0);
	/* A private key is no trusted public key, and a missing key is said so. */
	strbuf_reset(&err);
	assert_int_equal(nlb_read(f->bundle, f->s.key, -1, &m, &err), -EINVAL);
	assert_non_null(strstr(err.buf, "not a PEM public key"));
	nlb_manifest_release(&m);
	strbuf_reset(&err);
	assert_int_equal(nlb_read(f->bundle, fresh_pub, -1, &m, &err), -ENOENT);
	nlb_manifest_release(&m);
	free(fresh_pub);
	free(fresh);
	free(base);
	strbuf_release(&fp);
	strbuf_release(&err);
}

#define SIGNER "signer: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
#define HASH "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HEAD "nletsfs-bundle 1\nname: a coalition\ndate: 2026-01-02T03:04:05Z\n" SIGNER
#define HEAD2 "nletsfs-bundle 2\nname: a coalition\ndate: 2026-01-02T03:04:05Z\n" SIGNER

static void test_nlb__manifest_parser_is_strict(void **state)
{
	static const struct {
		const char *text, *error; /* error NULL: accepted */
	} cases[] = {
		{ HEAD "member: inventory.db 10 " HASH "\n", NULL },
		{ HEAD "member: inventory.db 0 " HASH "\nmember: README 3 " HASH "\n", NULL },
		{ "nletsfs-bundle 3\nname: a\n", "format version 3" },
		/* Version 2: a serial after the signer, exactly once; version 1 has none. */
		{ HEAD2 "serial: 7\nmember: inventory.db 10 " HASH "\n", NULL },
		{ HEAD2 "member: inventory.db 10 " HASH "\n", "and serial" },
		{ HEAD "serial: 7\nmember: inventory.db 10 " HASH "\n", "a serial in a version 1" },
		{ HEAD2 "serial: 0\nmember: inventory.db 10 " HASH "\n", "bad serial" },
		{ HEAD2 "serial: 07\nmember: inventory.db 10 " HASH "\n", "bad serial" },
		{ HEAD2 "serial: 7\nserial: 8\nmember: inventory.db 10 " HASH "\n", "given twice" },
		{ HEAD2 "serial: 7\nmember: a 1 " HASH "\nserial: 8\n", "after the members" },
		{ "tar-bundle 1\n", "not an nletsfs bundle manifest" },
		{ HEAD, "no members" },
		{ HEAD "member: inventory.db 10 " HASH, "newline" },
		{ HEAD "member: inventory.db 010 " HASH "\n", "bad size" },
		{ HEAD "member: inventory.db -1 " HASH "\n", "bad size" },
		{ HEAD "member: inventory.db 99999999999999999999 " HASH "\n", "bad size" },
		{ HEAD "member: inventory.db 10 " HASH "0\n", "bad size or SHA-256" },
		{ HEAD "member: inventory.db 10 ABCDEF\n", "bad size or SHA-256" },
		{ HEAD "member: ../etc 10 " HASH "\n", "bad member name" },
		{ HEAD "member: MANIFEST.sig 10 " HASH "\n", "bad member name" },
		{ HEAD "member: a 1 " HASH "\nmember: a 1 " HASH "\n", "listed twice" },
		{ HEAD "member: a 1\n", "member line" },
		{ HEAD "member: a 1 " HASH "\nname: b\n", "after the members" },
		{ "nletsfs-bundle 1\nname: a\nmember: a 1 " HASH "\n", "after name, date and signer" },
		{ HEAD "name: again\nmember: a 1 " HASH "\n", "given twice" },
		{ HEAD "colour: blue\nmember: a 1 " HASH "\n", "unknown key" },
		{ HEAD "no colon here\n", "key: value" },
		{ "nletsfs-bundle 1\nname: \ndate: 2026-01-02T03:04:05Z\n", "bad name" },
		{ "nletsfs-bundle 1\nname: a\rb\n", "bad name" },
		{ "nletsfs-bundle 1\nname: a\ndate: 2026-02-30T03:04:05Z\n", "bad date" },
		{ "nletsfs-bundle 1\nname: a\ndate: 2026-01-02 03:04:05\n", "bad date" },
		{ "nletsfs-bundle 1\nname: a\nsigner: md5:00\n", "bad signer" },
		{ "nletsfs-bundle 1\nname: \xff\n", "not text" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf err = STRBUF_INIT, again = STRBUF_INIT;
		struct nlb_manifest m;
		int rc = nlb_manifest_parse(cases[i].text, strlen(cases[i].text), &m, &err);

		if (cases[i].error ? rc != -EBADMSG || !strstr(err.buf, cases[i].error) : rc != 0)
			fail_msg("case %zu: rc %d, message '%s'", i, rc, err.buf);
		/* What is accepted is canonical: it renders back byte for byte. */
		if (!rc) {
			assert_int_equal(nlb_manifest_render(&m, &again), 0);
			assert_string_equal(again.buf, cases[i].text);
		}
		nlb_manifest_release(&m);
		strbuf_release(&err);
		strbuf_release(&again);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nlb__good_bundle_verifies_and_round_trips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nlb__same_inputs_give_the_same_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nlb__a_flipped_byte_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nlb__no_verify_skips_only_the_signature, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nlb__another_key_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nlb__members_added_removed_or_doubled_are_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_nlb__member_order_does_not_matter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nlb__truncated_archives_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nlb__a_failed_extract_leaves_no_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nlb__is_bundle_by_content, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nlb__keys, setup, teardown),
		cmocka_unit_test(test_nlb__manifest_parser_is_strict),
	};

	return cmocka_run_group_tests_name("nlb", tests, NULL, NULL);
}
