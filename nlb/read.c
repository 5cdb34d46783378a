// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Reading and checking a signed bundle in one pass over the tar, in
 * whatever order its members come: the manifest and the signature are kept
 * in memory, every other member is streamed through SHA-256 (and the
 * database also into the caller's file). Only then are the signature, the
 * member list, the sizes and the hashes compared, so nothing read is
 * trusted before the end, and the caller throws the extracted bytes away
 * unless everything held.
 */
#include "nlb_i.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/io.h"

#define MANIFEST_MAX (1u << 20)
#define READ_CHUNK 65536

int nlb_is_bundle(const char *path)
{
	struct archive *a;
	struct archive_entry *e;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -errno;
	a = archive_read_new();
	if (!a) {
		close(fd);
		return -ENOMEM;
	}
	/* Plain tar only: an SQLite file never has a valid tar header checksum. */
	archive_read_support_format_tar(a);
	rc = archive_read_open_fd(a, fd, 10240) == ARCHIVE_OK && archive_read_next_header(a, &e) == ARCHIVE_OK;
	archive_read_free(a);
	close(fd);
	return rc;
}

struct reading {
	const char *path;		/* the bundle, for messages */
	struct archive *a;
	struct strbuf manifest, sig;
	int have_manifest, have_sig;
	struct nlb_manifest seen;	/* every other member: name, size, hash as read */
};

static int corrupt(struct reading *r, const char *member, struct strbuf *err)
{
	strbuf_addf(err, "%s: error: member '%s': truncated or corrupt archive (%s)", r->path, member,
		    archive_error_string(r->a) ? archive_error_string(r->a) : "read error");
	return -EBADMSG;
}

/* The manifest or the signature: small, kept whole. */
static int read_small(struct reading *r, const char *name, struct strbuf *into, size_t max, struct strbuf *err)
{
	unsigned char buf[READ_CHUNK];
	la_ssize_t n;

	while ((n = archive_read_data(r->a, buf, sizeof(buf))) > 0) {
		if (into->len + (size_t)n > max) {
			strbuf_addf(err, "%s: error: member '%s' is too large", r->path, name);
			return -EBADMSG;
		}
		strbuf_add(into, buf, (size_t)n);
	}
	if (n < 0)
		return corrupt(r, name, err);
	return strbuf_ok(into);
}

/* Any other member: hashed as it streams by; the database also goes to db_fd. */
static int read_member(struct reading *r, const char *name, int db_fd, struct strbuf *err)
{
	unsigned char buf[READ_CHUNK];
	struct nlb_hash h;
	uint64_t size;
	char sha[65];
	la_ssize_t n = 0;
	int rc = nlb_hash_init(&h);

	if (db_fd < 0 || strcmp(name, NLB_DATABASE))
		db_fd = -1;
	while (!rc && (n = archive_read_data(r->a, buf, sizeof(buf))) > 0) {
		nlb_hash_update(&h, buf, (size_t)n);
		if (db_fd >= 0) {
			rc = io_write_all(db_fd, buf, (size_t)n);
			if (rc)
				strbuf_addf(err, "cannot extract %s from %s: %s", name, r->path, strerror(-rc));
		}
	}
	if (!rc && n < 0)
		rc = corrupt(r, name, err);
	if (rc) {
		nlb_hash_release(&h);
		return rc;
	}
	size = h.size;
	nlb_hash_final(&h, sha);
	return nlb_manifest_add(&r->seen, name, size, sha);
}

static int read_entries(struct reading *r, int db_fd, struct strbuf *err)
{
	struct archive_entry *e;
	int rc = 0, st;

	while (!rc && (st = archive_read_next_header(r->a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		int is_manifest, is_sig;

		if (!name)
			name = "";
		is_manifest = !strcmp(name, NLB_MANIFEST);
		is_sig = !strcmp(name, NLB_SIGNATURE);
		if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e)) {
			strbuf_addf(err, "%s: error: member '%s' is not a plain file", r->path, name);
			rc = -EBADMSG;
		} else if ((is_manifest && r->have_manifest) || (is_sig && r->have_sig) ||
			   nlb_manifest_find(&r->seen, name)) {
			strbuf_addf(err, "%s: error: member '%s' appears twice", r->path, name);
			rc = -EBADMSG;
		} else if (is_manifest) {
			r->have_manifest = 1;
			rc = read_small(r, name, &r->manifest, MANIFEST_MAX, err);
		} else if (is_sig) {
			r->have_sig = 1;
			rc = read_small(r, name, &r->sig, NLB_SIG_LEN, err);
		} else {
			rc = read_member(r, name, db_fd, err);
		}
	}
	if (!rc && st != ARCHIVE_EOF) {
		strbuf_addf(err, "%s: error: truncated or corrupt archive (%s)", r->path,
			    archive_error_string(r->a) ? archive_error_string(r->a) : "read error");
		rc = -EBADMSG;
	}
	return rc;
}

/*
 * One bundle, one byte string: the archive ends as nletsfs pack ends it,
 * with the two zero blocks of tar's end marker and nothing after them.
 * libarchive reads a tar cut inside its end marker, or followed by junk,
 * as whole; then two files with different SHA-256 sums would verify as the
 * same bundle. `end` is where the end marker starts (libarchive's position
 * of the header it found empty).
 */
static int check_end(struct reading *r, int fd, int64_t end, struct strbuf *err)
{
	unsigned char buf[READ_CHUNK];
	struct stat sb;
	int64_t off;
	ssize_t n;

	if (fstat(fd, &sb))
		return -errno;
	if (end < 0 || sb.st_size < end + NLB_END_MARKER) {
		strbuf_addf(err, "%s: error: truncated archive: it ends before tar's end marker (two zero blocks) is complete",
			    r->path);
		return -EBADMSG;
	}
	if (sb.st_size > end + NLB_END_MARKER) {
		strbuf_addf(err, "%s: error: %lld bytes after the archive's end: refused, so that a bundle's SHA-256 "
			    "identifies it", r->path, (long long)(sb.st_size - end - NLB_END_MARKER));
		return -EBADMSG;
	}
	for (off = end; off < sb.st_size; off += n) {
		n = pread(fd, buf, (size_t)(sb.st_size - off < READ_CHUNK ? sb.st_size - off : READ_CHUNK), off);
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		for (ssize_t i = 0; i < n; i++)
			if (buf[i]) {
				strbuf_addf(err, "%s: error: corrupt archive: a non-zero byte in tar's end marker, at offset %lld",
					    r->path, (long long)(off + i));
				return -EBADMSG;
			}
	}
	return 0;
}

/* Why the signature failed: another signer (the manifest says who) or a change after signing. */
static int bad_signature(struct reading *r, EVP_PKEY *key, const char *trust, struct strbuf *err)
{
	struct nlb_manifest m;
	struct strbuf msg = STRBUF_INIT, fp = STRBUF_INIT;

	nlb_key_fingerprint(key, &fp);
	if (!nlb_manifest_parse(r->manifest.buf, r->manifest.len, &m, &msg) && strcmp(m.signer, fp.buf))
		strbuf_addf(err, "%s: error: bad signature: signed by key %s, not by the trusted key in %s (%s)", r->path,
			    m.signer, trust, fp.buf);
	else
		strbuf_addf(err, "%s: error: bad signature: the MANIFEST or its signature was changed after signing, "
			    "or it was not signed by the key in %s", r->path, trust);
	nlb_manifest_release(&m);
	strbuf_release(&msg);
	strbuf_release(&fp);
	return -EBADMSG;
}

/* The archive holds exactly the manifest's members, each with its size and hash. */
static int compare_members(struct reading *r, const struct nlb_manifest *m, struct strbuf *err)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		const struct nlb_member *want = &m->members[i], *got = nlb_manifest_find(&r->seen, want->name);

		if (!got) {
			strbuf_addf(err, "%s: error: member '%s' is in the MANIFEST but missing from the bundle", r->path,
				    want->name);
			return -EBADMSG;
		}
		if (got->size != want->size || strcmp(got->sha256, want->sha256)) {
			strbuf_addf(err, "%s: error: member '%s' does not match the MANIFEST (%s): it was changed after signing",
				    r->path, want->name, got->size != want->size ? "size" : "SHA-256");
			return -EBADMSG;
		}
	}
	for (i = 0; i < r->seen.n; i++) {
		if (!nlb_manifest_find(m, r->seen.members[i].name)) {
			strbuf_addf(err, "%s: error: member '%s' is not in the MANIFEST: it was added after signing", r->path,
				    r->seen.members[i].name);
			return -EBADMSG;
		}
	}
	if (!nlb_manifest_find(m, NLB_DATABASE)) {
		strbuf_addf(err, "%s: error: the MANIFEST names no %s", r->path, NLB_DATABASE);
		return -EBADMSG;
	}
	return 0;
}

int nlb_read(const char *path, const char *trust, int db_fd, struct nlb_manifest *m, struct strbuf *err)
{
	struct reading r = { .path = path, .manifest = STRBUF_INIT, .sig = STRBUF_INIT };
	struct strbuf msg = STRBUF_INIT;
	EVP_PKEY *key = NULL;
	int rc = 0, fd = -1;

	memset(m, 0, sizeof(*m));
	/* The key first: a wrong --trust file is told before a long read. */
	if (trust && (rc = nlb_key_load_public(trust, &key, err)))
		goto out;
	r.a = archive_read_new();
	if (!r.a) {
		rc = -ENOMEM;
		goto out;
	}
	archive_read_support_format_tar(r.a);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (archive_read_open_fd(r.a, fd, READ_CHUNK) != ARCHIVE_OK) {
		strbuf_addf(err, "%s: error: not a signed bundle: %s", path, archive_error_string(r.a));
		rc = -EINVAL;
		goto out;
	}
	rc = read_entries(&r, db_fd, err);
	if (rc)
		goto out;
	if (!r.have_manifest) {
		strbuf_addf(err, "%s: error: no %s: not a signed nletsfs bundle", path, NLB_MANIFEST);
		rc = -EBADMSG;
		goto out;
	}
	if (key && !r.have_sig) {
		strbuf_addf(err, "%s: error: no %s: the bundle is not signed", path, NLB_SIGNATURE);
		rc = -EBADMSG;
		goto out;
	}
	if (key && nlb_verify_signature(key, r.manifest.buf, r.manifest.len, (const unsigned char *)r.sig.buf,
					r.sig.len)) {
		rc = bad_signature(&r, key, trust, err);
		goto out;
	}
	rc = nlb_manifest_parse(r.manifest.buf, r.manifest.len, m, &msg);
	if (rc) {
		strbuf_addf(err, "%s: error: %s", path, msg.buf);
		goto out;
	}
	rc = compare_members(&r, m, err);
	/* Last: a tampered member or signature is told as such, before the bytes around them. */
	if (!rc)
		rc = check_end(&r, fd, archive_read_header_position(r.a), err);
out:
	if (r.a)
		archive_read_free(r.a);
	if (fd >= 0)
		close(fd);
	EVP_PKEY_free(key);
	strbuf_release(&r.manifest);
	strbuf_release(&r.sig);
	strbuf_release(&msg);
	nlb_manifest_release(&r.seen);
	return rc;
}

int nlb_extract(const char *path, const char *trust, char **db_path, struct nlb_manifest *m, struct strbuf *err)
{
	int fd, rc;

	memset(m, 0, sizeof(*m));
	fd = nlb_temp_file(nlb_temp_dir(), "nletsfs-bundle", db_path, err);
	if (fd < 0)
		return fd;
	rc = nlb_read(path, trust, fd, m, err);
	if (close(fd) && !rc)
		rc = -errno;
	if (rc) {
		if (!err->len)
			strbuf_addf(err, "cannot extract %s: %s", path, strerror(-rc));
		unlink(*db_path);
		cleanup_forget(*db_path);
		free(*db_path);
		*db_path = NULL;
	}
	return rc;
}
