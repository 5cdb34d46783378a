// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Writing a signed bundle. The database is snapshotted into a private
 * temporary file first (the live inventory may be written meanwhile), then
 * hashed; the manifest names its size and hash and is signed; the tar is
 * written MANIFEST, MANIFEST.sig, inventory.db, into a temporary file
 * beside the target that is renamed over it only when complete. Every
 * member is written as a plain file owned by 0:0, mode 0444, dated with the
 * manifest's date, so packing the same inventory at the same date with the
 * same key gives the same bytes.
 */
#include "nlb_i.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/cleanup.h"

#define COPY_CHUNK 65536

/* Hash a whole file from its start. */
static int hash_fd(int fd, uint64_t *size, char sha[65])
{
	struct nlb_hash h;
	unsigned char buf[COPY_CHUNK];
	ssize_t n;
	int rc = nlb_hash_init(&h);

	if (rc)
		return rc;
	if (lseek(fd, 0, SEEK_SET) < 0) {
		rc = -errno;
		nlb_hash_release(&h);
		return rc;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			nlb_hash_release(&h);
			return rc;
		}
		nlb_hash_update(&h, buf, (size_t)n);
	}
	*size = h.size;
	nlb_hash_final(&h, sha);
	return 0;
}

int nlb_file_sha256(const char *path, char hex[65])
{
	uint64_t size;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -errno;
	rc = hash_fd(fd, &size, hex);
	close(fd);
	return rc;
}

int nlb_next_serial(const char *out, uint64_t *serial, struct strbuf *err)
{
	struct strbuf msg = STRBUF_INIT;
	struct nlb_manifest m;
	int rc;

	*serial = 1;
	if (access(out, F_OK) && errno == ENOENT)
		return 0;
	/* The publisher's own previous bundle: its members are checked, its signature need not be. */
	rc = nlb_read(out, NULL, -1, &m, &msg);
	if (!rc && m.serial == UINT64_MAX)
		rc = -EOVERFLOW;
	if (rc)
		strbuf_addf(err, "cannot read the serial of the bundle it replaces: %s",
			    msg.len ? msg.buf : strerror(-rc));
	else
		*serial = m.serial + 1;
	nlb_manifest_release(&m);
	strbuf_release(&msg);
	return rc;
}

static void tar_error(struct archive *a, const char *out, struct strbuf *err)
{
	if (!err->len)
		strbuf_addf(err, "%s: cannot write: %s", out, archive_error_string(a) ? archive_error_string(a) : "error");
}

/* One member's header: a plain read-only file of `size` bytes owned by 0:0. */
static int write_header(struct archive *a, const char *name, uint64_t size, time_t date)
{
	struct archive_entry *e = archive_entry_new();
	int rc;

	if (!e)
		return -ENOMEM;
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0444);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_mtime(e, date, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	rc = archive_write_header(a, e) == ARCHIVE_OK ? 0 : -EIO;
	archive_entry_free(e);
	return rc;
}

static int write_bytes(struct archive *a, const char *name, const void *data, size_t len, time_t date)
{
	int rc = write_header(a, name, len, date);

	if (!rc && len && archive_write_data(a, data, len) != (la_ssize_t)len)
		rc = -EIO;
	return rc;
}

static int write_file(struct archive *a, const char *name, int fd, uint64_t size, time_t date)
{
	unsigned char buf[COPY_CHUNK];
	uint64_t done = 0;
	int rc = write_header(a, name, size, date);

	if (!rc && lseek(fd, 0, SEEK_SET) < 0)
		rc = -errno;
	while (!rc && done < size) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (uint64_t)n > size - done) { /* our own private file changed size */
			rc = -EIO;
			break;
		}
		if (archive_write_data(a, buf, (size_t)n) != n)
			rc = -EIO;
		done += (uint64_t)n;
	}
	return rc;
}

/* The tar itself, into the open file `fd`. */
static int write_tar(int fd, const char *out, const struct strbuf *manifest, const unsigned char *sig, int db_fd,
		     uint64_t db_size, time_t date, struct strbuf *err)
{
	struct archive *a = archive_write_new();
	int rc;

	if (!a)
		return -ENOMEM;
	rc = archive_write_set_format_pax_restricted(a) == ARCHIVE_OK &&
			     archive_write_set_bytes_in_last_block(a, 1) == ARCHIVE_OK &&
			     archive_write_open_fd(a, fd) == ARCHIVE_OK
		     ? 0
		     : -EIO;
	if (!rc)
		rc = write_bytes(a, NLB_MANIFEST, manifest->buf, manifest->len, date);
	if (!rc)
		rc = write_bytes(a, NLB_SIGNATURE, sig, NLB_SIG_LEN, date);
	if (!rc)
		rc = write_file(a, NLB_DATABASE, db_fd, db_size, date);
	if (!rc && archive_write_close(a) != ARCHIVE_OK)
		rc = -EIO;
	if (rc)
		tar_error(a, out, err);
	archive_write_free(a);
	return rc;
}

static int manifest_text(const struct nlb_pack_options *o, EVP_PKEY *key, uint64_t db_size, const char *db_sha,
			 struct strbuf *text)
{
	struct nlb_manifest m = { .version = NLB_FORMAT_VERSION };
	struct strbuf signer = STRBUF_INIT;
	char date[32];
	struct tm tm;
	int rc;

	if (!gmtime_r(&o->date, &tm) || !strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return -EINVAL;
	rc = nlb_key_fingerprint(key, &signer);
	if (!rc)
		rc = nlb_manifest_add(&m, NLB_DATABASE, db_size, db_sha);
	m.name = (char *)o->name;
	m.serial = o->serial;
	m.date = date;
	m.signer = signer.buf;
	if (!rc)
		rc = nlb_manifest_render(&m, text);
	m.name = m.date = m.signer = NULL; /* borrowed */
	nlb_manifest_release(&m);
	strbuf_release(&signer);
	return rc;
}

int nlb_pack(struct store *st, const struct nlb_pack_options *o, const char *out, struct strbuf *err)
{
	struct strbuf manifest = STRBUF_INIT;
	unsigned char sig[NLB_SIG_LEN];
	EVP_PKEY *key = NULL;
	char *snap = NULL, *snap_journal = NULL, *tmp = NULL, *outdir = NULL, db_sha[65];
	int snap_fd = -1, fd = -1, rc;
	uint64_t db_size = 0;

	if (!o->serial) {
		strbuf_addstr(err, "a bundle's serial is 1 or more");
		return -EINVAL;
	}
	if (!nlb_name_valid(o->name)) {
		strbuf_addf(err, "bad inventory name '%s': one line of text, at most 256 bytes", o->name);
		return -EINVAL;
	}
	rc = nlb_key_load_private(o->key, &key, err);
	if (rc)
		goto out;
	/* VACUUM INTO writes to an empty file; ours is private (0600) from the start. */
	snap_fd = nlb_temp_file(nlb_temp_dir(), "nletsfs-pack", &snap, err);
	if (snap_fd < 0) {
		rc = snap_fd;
		goto out;
	}
	/* SQLite's journal of the snapshot while VACUUM INTO writes it: not left by a signal either. */
	if (asprintf(&snap_journal, "%s-journal", snap) < 0) {
		snap_journal = NULL;
		rc = -ENOMEM;
		goto out;
	}
	cleanup_add(snap_journal);
	rc = store_snapshot(st, snap, err);
	if (!rc)
		rc = hash_fd(snap_fd, &db_size, db_sha);
	if (!rc)
		rc = manifest_text(o, key, db_size, db_sha, &manifest);
	if (!rc)
		rc = nlb_sign(key, manifest.buf, manifest.len, sig, err);
	if (rc)
		goto out;
	outdir = strdup(out);
	if (!outdir) {
		rc = -ENOMEM;
		goto out;
	}
	fd = nlb_temp_file(dirname(outdir), ".nletsfs-pack", &tmp, err);
	if (fd < 0) {
		rc = fd;
		goto out;
	}
	rc = write_tar(fd, out, &manifest, sig, snap_fd, db_size, o->date, err);
	if (!rc && (fchmod(fd, 0644) || fsync(fd)))
		rc = -errno;
	if (!rc && rename(tmp, out))
		rc = -errno;
	if (rc && !err->len)
		strbuf_addf(err, "%s: %s", out, strerror(-rc));
out:
	if (fd >= 0)
		close(fd);
	if (rc && tmp)
		unlink(tmp);
	if (tmp) /* renamed into place, or removed */
		cleanup_forget(tmp);
	if (snap_fd >= 0)
		close(snap_fd);
	if (snap) {
		unlink(snap);
		cleanup_forget(snap);
	}
	if (snap_journal) { /* SQLite removed it, unless VACUUM INTO failed */
		unlink(snap_journal);
		cleanup_forget(snap_journal);
		free(snap_journal);
	}
	free(snap);
	free(tmp);
	free(outdir);
	EVP_PKEY_free(key);
	strbuf_release(&manifest);
	return rc;
}
