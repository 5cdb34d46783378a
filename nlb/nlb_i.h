/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Private to nlb/: keys, signatures and streaming SHA-256 (OpenSSL EVP). */
#ifndef NLETSFS_NLB_I_H
#define NLETSFS_NLB_I_H

#include <openssl/evp.h>

#include "nlb.h"

/** Bytes of an Ed25519 signature. */
#define NLB_SIG_LEN 64
#define NLB_END_MARKER 1024	/* tar ends with two 512-byte zero blocks */

/** Read an Ed25519 private key from a PEM file. -EINVAL for anything else. */
int nlb_key_load_private(const char *path, EVP_PKEY **out, struct strbuf *err);
/** Read an Ed25519 public key from a PEM file. -EINVAL for anything else. */
int nlb_key_load_public(const char *path, EVP_PKEY **out, struct strbuf *err);
/** Append "sha256:" + the hex SHA-256 of the key's public half in DER. */
int nlb_key_fingerprint(EVP_PKEY *key, struct strbuf *out);
/** Sign `len` bytes into sig[NLB_SIG_LEN]. */
int nlb_sign(EVP_PKEY *key, const void *msg, size_t len, unsigned char *sig, struct strbuf *err);
/** 0 when `sig` is the signature of the bytes by `key`, else -EBADMSG. */
int nlb_verify_signature(EVP_PKEY *key, const void *msg, size_t len, const unsigned char *sig, size_t siglen);

/** A SHA-256 computed as bytes stream by. */
struct nlb_hash {
	EVP_MD_CTX *ctx;
	uint64_t size;
};

int nlb_hash_init(struct nlb_hash *h);
void nlb_hash_update(struct nlb_hash *h, const void *data, size_t len);
/** Finish into 64 hex digits and a NUL; releases the context. */
void nlb_hash_final(struct nlb_hash *h, char hex[65]);
/** Release without finishing (NULL context is fine). */
void nlb_hash_release(struct nlb_hash *h);

/**
 * Create a private (0600) file DIR/BASE.XXXXXX with mkostemp(); its path
 * goes to *path (free() it). Returns the open fd, or a negative errno with a
 * message.
 */
int nlb_temp_file(const char *dir, const char *base, char **path, struct strbuf *err);
/** $TMPDIR, else /tmp. */
const char *nlb_temp_dir(void);

/** Append an OpenSSL error queue's first message (or "unknown error"), and clear the queue. */
void nlb_ssl_error(struct strbuf *err);

/** Append a member (name and hash copied). 0 or -ENOMEM. */
int nlb_manifest_add(struct nlb_manifest *m, const char *name, uint64_t size, const char *sha256_hex);
/** The member with this name, or NULL. */
const struct nlb_member *nlb_manifest_find(const struct nlb_manifest *m, const char *name);
/** The SHA-256 of a whole file, in hex. 0 or a negative errno. */
int nlb_file_sha256(const char *path, char hex[65]);

#endif
