// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Ed25519 keys and signatures, and SHA-256, through OpenSSL's EVP
 * interface. Ed25519 signs the message itself (no separate digest), so
 * signing and verifying use the one-shot EVP_DigestSign/EVP_DigestVerify
 * with a NULL digest. Keys are the PEM files OpenSSL's own tools write, so a
 * coalition may make its key with `openssl genpkey -algorithm ed25519` too.
 */
#include "nlb_i.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void nlb_ssl_error(struct strbuf *err)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	if (e) {
		ERR_error_string_n(e, buf, sizeof(buf));
		strbuf_addstr(err, buf);
	} else {
		strbuf_addstr(err, "unknown error");
	}
	ERR_clear_error();
}

static void hex(const unsigned char *md, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int nlb_hash_init(struct nlb_hash *h)
{
	h->size = 0;
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || !EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL)) {
		nlb_hash_release(h);
		return -ENOMEM;
	}
	return 0;
}

void nlb_hash_update(struct nlb_hash *h, const void *data, size_t len)
{
	EVP_DigestUpdate(h->ctx, data, len);
	h->size += len;
}

void nlb_hash_final(struct nlb_hash *h, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_DigestFinal_ex(h->ctx, md, &n);
	hex(md, n < 32 ? n : 32, out);
	out[64] = '\0';
	nlb_hash_release(h);
}

void nlb_hash_release(struct nlb_hash *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

static int check_ed25519(EVP_PKEY *key, const char *path, struct strbuf *err)
{
	if (EVP_PKEY_get_id(key) == EVP_PKEY_ED25519)
		return 0;
	strbuf_addf(err, "%s: not an Ed25519 key (make one with `nletsfs keygen`)", path);
	return -EINVAL;
}

/* Read one PEM object with `read`; a missing file or a wrong kind of PEM is a clear message. */
static int load_key(const char *path, int public, EVP_PKEY **out, struct strbuf *err)
{
	FILE *f;
	int rc;

	*out = NULL;
	f = fopen(path, "re");
	if (!f) {
		rc = -errno;
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		return rc;
	}
	*out = public ? PEM_read_PUBKEY(f, NULL, NULL, NULL) : PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!*out) {
		strbuf_addf(err, "%s: not a PEM %s key (", path, public ? "public" : "private");
		nlb_ssl_error(err);
		strbuf_addch(err, ')');
		return -EINVAL;
	}
	rc = check_ed25519(*out, path, err);
	if (rc) {
		EVP_PKEY_free(*out);
		*out = NULL;
	}
	return rc;
}

int nlb_key_load_private(const char *path, EVP_PKEY **out, struct strbuf *err)
{
	return load_key(path, 0, out, err);
}

int nlb_key_load_public(const char *path, EVP_PKEY **out, struct strbuf *err)
{
	return load_key(path, 1, out, err);
}

int nlb_key_fingerprint(EVP_PKEY *key, struct strbuf *out)
{
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char hexbuf[65];
	int len = i2d_PUBKEY(key, &der), ok;

	if (len <= 0)
		return -ENOMEM;
	ok = EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32;
	OPENSSL_free(der);
	if (!ok)
		return -EIO;
	hex(md, 32, hexbuf);
	strbuf_addf(out, "sha256:%s", hexbuf);
	return strbuf_ok(out);
}

int nlb_sign(EVP_PKEY *key, const void *msg, size_t len, unsigned char *sig, struct strbuf *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t siglen = NLB_SIG_LEN;
	int rc = 0;

	if (!ctx || EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, msg, len) != 1 || siglen != NLB_SIG_LEN) {
		strbuf_addstr(err, "cannot sign: ");
		nlb_ssl_error(err);
		rc = -EIO;
	}
	EVP_MD_CTX_free(ctx);
	return rc;
}

int nlb_verify_signature(EVP_PKEY *key, const void *msg, size_t len, const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	ok = ctx && siglen == NLB_SIG_LEN && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1 &&
	     EVP_DigestVerify(ctx, sig, siglen, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok ? 0 : -EBADMSG;
}

/* Create `path` for writing with exactly `mode`, refusing to replace a file. */
static int create_exclusive(const char *path, mode_t mode, FILE **out, struct strbuf *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode), rc;

	*out = NULL;
	if (fd < 0) {
		rc = -errno;
		strbuf_addf(err, "%s: %s%s", path, strerror(errno),
			    errno == EEXIST ? " (remove it, or choose another name)" : "");
		return rc;
	}
	/* Whatever the umask, the private key is readable by its owner only. */
	if (fchmod(fd, mode) || !(*out = fdopen(fd, "w"))) {
		rc = -errno;
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return rc;
	}
	return 0;
}

/* Close a written key file; 0, or -EIO with a message. */
static int finish(FILE *f, int wrote, const char *path, struct strbuf *err)
{
	int bad = !wrote || fflush(f) || fsync(fileno(f));

	if (fclose(f))
		bad = 1;
	if (bad && !err->len)
		strbuf_addf(err, "%s: cannot write the key", path);
	return bad ? -EIO : 0;
}

int nlb_keygen(const char *name, struct strbuf *fingerprint, struct strbuf *err)
{
	struct strbuf priv = STRBUF_INIT, pub = STRBUF_INIT;
	EVP_PKEY *key = NULL;
	FILE *fpriv = NULL, *fpub = NULL;
	int rc, rc_pub, made_priv = 0, made_pub = 0;

	strbuf_addf(&priv, "%s.pem", name);
	strbuf_addf(&pub, "%s.pub.pem", name);
	rc = strbuf_ok(&priv) ? -ENOMEM : strbuf_ok(&pub);
	if (rc)
		goto out;
	key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!key) {
		strbuf_addstr(err, "cannot generate a key: ");
		nlb_ssl_error(err);
		rc = -EIO;
		goto out;
	}
	/* Both names are claimed before anything is written, so a clash leaves nothing. */
	rc = create_exclusive(priv.buf, 0600, &fpriv, err);
	if (rc)
		goto out;
	made_priv = 1;
	rc = create_exclusive(pub.buf, 0644, &fpub, err);
	if (rc)
		goto out;
	made_pub = 1;
	rc = finish(fpriv, PEM_write_PrivateKey(fpriv, key, NULL, NULL, 0, NULL, NULL) == 1, priv.buf, err);
	rc_pub = finish(fpub, PEM_write_PUBKEY(fpub, key) == 1, pub.buf, err);
	fpriv = fpub = NULL;
	if (!rc)
		rc = rc_pub;
	if (!rc)
		rc = nlb_key_fingerprint(key, fingerprint);
out:
	if (fpriv)
		fclose(fpriv);
	if (fpub)
		fclose(fpub);
	if (rc && made_priv)
		unlink(priv.buf);
	if (rc && made_pub)
		unlink(pub.buf);
	EVP_PKEY_free(key);
	strbuf_release(&priv);
	strbuf_release(&pub);
	return rc;
}
