/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * nlb: signed inventory bundles, the way one coalition publishes an
 * inventory that many people mount. This header is the whole public face
 * of nlb/; docs/format.md describes the format byte by byte, and how to
 * check a bundle by hand with tar, sha256sum and openssl.
 *
 * A bundle (BUNDLE.nlb) is one uncompressed tar archive holding:
 *   MANIFEST      text: the format version, the inventory's name, the date
 *                 it was packed, the signer's key fingerprint, the serial
 *                 (one more than the previous bundle's), and one line
 *                 "member: NAME SIZE SHA256" per member;
 *   MANIFEST.sig  the Ed25519 signature of the MANIFEST bytes (64 bytes);
 *   inventory.db  a consistent snapshot of the inventory (store_snapshot()).
 *
 * A bundle is accepted when the signature verifies against the trusted
 * public key, the archive holds exactly the manifest's members (none
 * missing, none added, none twice, only regular files), and every member
 * has the size and SHA-256 the manifest gives. Reading never trusts the
 * archive's order or sizes: members are streamed, hashed and counted.
 *
 * Keys are Ed25519 in PEM: the private key as PKCS#8, the public key as
 * SubjectPublicKeyInfo, the same files `openssl genpkey -algorithm ed25519`
 * and `openssl pkey -pubout` write. All cryptography goes through OpenSSL's
 * EVP interface. A key's fingerprint is "sha256:" and the SHA-256 of its
 * public key in DER, in hex.
 *
 * Errors: functions return 0 or a negative errno with a message in `err`
 * that names the file or member: -EBADMSG for a bundle that fails
 * verification (signature, hash, size or member list), -EINVAL for a file
 * that is not what it should be (not a key, not a tar), -EEXIST when a key
 * file exists already, other values for a failure of the system.
 */
#ifndef NLETSFS_NLB_H
#define NLETSFS_NLB_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "../store/store.h"
#include "../util/strbuf.h"

/**
 * The format version this nletsfs writes. It reads this one and version 1,
 * which is version 2 without the serial line (docs/format.md).
 */
#define NLB_FORMAT_VERSION 2
/** Member names. */
#define NLB_MANIFEST "MANIFEST"
#define NLB_SIGNATURE "MANIFEST.sig"
#define NLB_DATABASE "inventory.db"

/* ---- keys ------------------------------------------------------------------ */

/**
 * Generate an Ed25519 key pair: NAME.pem (the private key, mode 0600) and
 * NAME.pub.pem (the public key, mode 0644). Neither file may exist
 * (-EEXIST); on any failure neither is left behind. Appends the key's
 * fingerprint to `fingerprint`.
 */
int nlb_keygen(const char *name, struct strbuf *fingerprint, struct strbuf *err);

/* ---- the manifest (text only: no I/O, no cryptography) ---------------------- */

struct nlb_member {
	char *name;		/* [A-Za-z0-9._-]+, neither MANIFEST nor MANIFEST.sig */
	uint64_t size;
	char sha256[65];	/* lower-case hex */
};

struct nlb_manifest {
	unsigned version;	/* 1 or NLB_FORMAT_VERSION */
	char *name;		/* the inventory's name: one line of UTF-8 text */
	char *date;		/* when it was packed: YYYY-MM-DDTHH:MM:SSZ */
	char *signer;		/* "sha256:" + 64 hex digits */
	uint64_t serial;	/* >= 1 from version 2 on; 0 in version 1, which has none */
	struct nlb_member *members;
	size_t n, alloc;
};

/** The manifest's text, as signed. 0 or -ENOMEM. */
int nlb_manifest_render(const struct nlb_manifest *m, struct strbuf *out);
/**
 * Parse a manifest's text strictly: the version line first, then name,
 * date and signer exactly once each (and serial, exactly once from version
 * 2 on, never in version 1), then at least one member line, every
 * line ending in a newline; a member named twice, an unsafe name, a field
 * out of shape or an unknown line is -EBADMSG with the line in `err`. A
 * newer format version is -EBADMSG saying so. `m` is filled (release it
 * either way).
 */
int nlb_manifest_parse(const char *text, size_t len, struct nlb_manifest *m, struct strbuf *err);
/** 1 when `name` is valid as the inventory's name in a manifest. */
int nlb_name_valid(const char *name);
void nlb_manifest_release(struct nlb_manifest *m);

/* ---- writing ------------------------------------------------------------------ */

struct nlb_pack_options {
	const char *name;	/* the inventory's name (nlb_name_valid()) */
	const char *key;	/* the private key's PEM file */
	time_t date;		/* the date written in the manifest and on every member */
	uint64_t serial;	/* the manifest's serial, >= 1 */
};

/**
 * The serial a new bundle written to `out` gets: one more than the one
 * `out` holds now (a bundle of version 1 counts as serial 0), or 1 when
 * there is no `out` yet. A file at `out` that is not a readable bundle is
 * an error: the caller must then say which serial to use.
 */
int nlb_next_serial(const char *out, uint64_t *serial, struct strbuf *err);

/**
 * Write the bundle of the inventory `st` to `out`: snapshot the database
 * into a private temporary file (under $TMPDIR), hash it, sign the
 * manifest, and write the tar beside `out` before renaming it into place,
 * so `out` is either the whole new bundle or untouched.
 */
int nlb_pack(struct store *st, const struct nlb_pack_options *o, const char *out, struct strbuf *err);

/* ---- reading ------------------------------------------------------------------ */

/**
 * 1 when `path` is a tar archive (the form of a bundle, whatever its name),
 * 0 when it is something else (an SQLite inventory), or a negative errno
 * when it cannot be read.
 */
int nlb_is_bundle(const char *path);

/**
 * Read and check the bundle at `path`. With `trust` (a public key's PEM
 * file) the signature must verify against it; with NULL it is not checked,
 * but sizes, hashes and the member list still are. When `db_fd` >= 0 the
 * database member is written to it (its bytes are only good when 0 is
 * returned). `m` receives the manifest (release it either way).
 */
int nlb_read(const char *path, const char *trust, int db_fd, struct nlb_manifest *m, struct strbuf *err);

/**
 * nlb_read() into a new private file (mode 0600, from mkstemp() under
 * $TMPDIR, else /tmp) whose path is returned in *db_path (free() it; the
 * caller unlinks the file, which may be done as soon as it is open). On
 * failure no file is left and *db_path is NULL.
 */
int nlb_extract(const char *path, const char *trust, char **db_path, struct nlb_manifest *m,
		struct strbuf *err);

#endif
