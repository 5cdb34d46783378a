// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * One URL into one file, with libcurl's easy interface. What a server may
 * do to us is bounded: the schemes (https and file; http only when asked;
 * a redirect never leaves https, or http when allowed, and never reaches
 * file://), the time (to connect, in all, and a floor on the speed), and
 * the bytes (a declared length over the bound is refused before the body,
 * an undeclared one is cut off at the bound). The body is hashed as it is
 * written, so the caller knows an unchanged copy without reading it again.
 */
#include "net.h"

#include <curl/curl.h>
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../util/io.h"

#ifndef NLETSFS_VERSION
#define NLETSFS_VERSION "0"
#endif

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int net_is_url(const char *s)
{
	return !strncasecmp(s, "https://", 8) || !strncasecmp(s, "http://", 7) || !strncasecmp(s, "file://", 7);
}

struct transfer {
	const char *url;
	int fd;
	uint64_t max, bytes;
	int too_big, write_rc;
	EVP_MD_CTX *md;
	char etag[sizeof(((struct net_validators *)0)->etag)];
};

/* libcurl asks this often, also while nothing arrives: a transfer gives up when told to. */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	const int *cancel = arg;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return cancel && __atomic_load_n(cancel, __ATOMIC_ACQUIRE);
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;

	if (len > t->max - t->bytes) {
		t->too_big = 1;
		return 0; /* libcurl stops: CURLE_WRITE_ERROR */
	}
	t->write_rc = io_write_all(t->fd, data, len);
	if (t->write_rc)
		return 0;
	EVP_DigestUpdate(t->md, data, len);
	t->bytes += len;
	return len;
}

/* An ETag is kept only as one line of printable ASCII that fits: it goes back in a header. */
static void take_etag(struct transfer *t, const char *v, size_t len)
{
	size_t i;

	while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	while (len && (*v == ' ' || *v == '\t'))
		v++, len--;
	t->etag[0] = '\0';
	if (!len || len >= sizeof(t->etag))
		return;
	for (i = 0; i < len; i++)
		if (v[i] < 0x21 || v[i] > 0x7e)
			return;
	memcpy(t->etag, v, len);
	t->etag[len] = '\0';
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;

	/* A redirect's headers come first: only the last response's ETag counts. */
	if (len >= 5 && !strncmp(data, "HTTP/", 5))
		t->etag[0] = '\0';
	else if (len > 5 && !strncasecmp(data, "etag:", 5))
		take_etag(t, data + 5, len - 5);
	return len;
}

static int scheme_allowed(const char *url, const struct net_options *o, struct strbuf *err)
{
	if (!strncasecmp(url, "https://", 8) || !strncasecmp(url, "file://", 7))
		return 0;
	if (!strncasecmp(url, "http://", 7)) {
		if (o->allow_http)
			return 0;
		strbuf_addf(err, "%s: plain http:// is refused: the signature protects the bundle's content but "
			    "not who reads it; use https://, or allow it with -o allow_http (--allow-http)", url);
		return -EINVAL;
	}
	strbuf_addf(err, "%s: not a URL nletsfs fetches (https://, file://, or http:// with -o allow_http)", url);
	return -EINVAL;
}

static int curl_failure(const struct transfer *t, CURLcode c, const char *detail, const struct net_options *o,
			struct strbuf *err)
{
	const char *why = detail[0] ? detail : curl_easy_strerror(c);

	if (t->too_big || c == CURLE_FILESIZE_EXCEEDED) {
		strbuf_addf(err, "%s: the response is larger than %llu bytes, the bound (-o max_size=): cut off",
			    t->url, (unsigned long long)t->max);
		return -EFBIG;
	}
	if (t->write_rc) {
		strbuf_addf(err, "%s: cannot write what it sends: %s", t->url, strerror(-t->write_rc));
		return t->write_rc;
	}
	switch (c) {
	case CURLE_ABORTED_BY_CALLBACK:
		strbuf_addf(err, "%s: given up: the mount is ending", t->url);
		return -ECANCELED;
	case CURLE_OPERATION_TIMEDOUT:
		strbuf_addf(err, "%s: timed out (%s; -o timeout= sets the bound, now %u s)", t->url, why,
			    o->timeout ? o->timeout : NET_TIMEOUT_DEFAULT);
		return -ETIMEDOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		strbuf_addf(err, "%s: cannot connect: %s", t->url, why);
		return -ECONNREFUSED;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		strbuf_addf(err, "%s: TLS failed: %s (a private CA: --cacert FILE)", t->url, why);
		return -EPROTO;
	case CURLE_UNSUPPORTED_PROTOCOL:
		strbuf_addf(err, "%s: %s (a redirect leaves https://?)", t->url, why);
		return -EPROTO;
	case CURLE_FILE_COULDNT_READ_FILE:
		strbuf_addf(err, "%s: %s", t->url, why);
		return -ENOENT;
	default:
		strbuf_addf(err, "%s: %s", t->url, why);
		return -EIO;
	}
}

/*
 * SIGPIPE: a peer that closes early must not end the process. It is
 * blocked around the transfer, and one raised meanwhile is taken before
 * the mask is restored.
 */
static void block_sigpipe(sigset_t *old)
{
	sigset_t pipe;

	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, old);
}

static void restore_sigpipe(const sigset_t *old)
{
	struct timespec zero = { 0, 0 };
	sigset_t pipe;

	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	if (!sigismember(old, SIGPIPE))
		while (sigtimedwait(&pipe, NULL, &zero) == SIGPIPE)
			;
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

int net_fetch(const char *url, const struct net_options *o, const struct net_validators *have, int fd,
	      struct net_result *res, struct strbuf *err)
{
	struct transfer t = { .url = url, .fd = fd };
	struct curl_slist *headers = NULL;
	char detail[CURL_ERROR_SIZE] = "", inm[sizeof(have->etag) + 32];
	const char *protocols = o->allow_http ? "https,http" : "https";
	int is_file = !strncasecmp(url, "file://", 7);
	unsigned timeout = o->timeout ? o->timeout : NET_TIMEOUT_DEFAULT;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0, i;
	curl_off_t filetime = -1;
	long code = 0;
	sigset_t old;
	CURLcode c;
	CURL *h;
	int rc;

	memset(res, 0, sizeof(*res));
	t.max = o->max_bytes ? o->max_bytes : NET_MAX_BYTES_DEFAULT;
	rc = scheme_allowed(url, o, err);
	if (rc)
		return rc;
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK) {
		strbuf_addf(err, "cannot start libcurl: %s", curl_easy_strerror(curl_init_rc));
		return -EIO;
	}
	h = curl_easy_init();
	t.md = EVP_MD_CTX_new();
	if (!h || !t.md || !EVP_DigestInit_ex(t.md, EVP_sha256(), NULL)) {
		rc = -ENOMEM;
		goto out;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, is_file ? "file" : protocols);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
	/* Verification is libcurl's default; said here so no one wonders. */
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->cacert)
		curl_easy_setopt(h, CURLOPT_CAINFO, o->cacert);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for DNS timeouts */
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)NET_CONNECT_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)timeout);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, (long)NET_SLOW_BYTES);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)(timeout < NET_SLOW_SECONDS ? timeout : NET_SLOW_SECONDS));
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)t.max);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "nletsfs/" NLETSFS_VERSION);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, detail);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
	curl_easy_setopt(h, CURLOPT_FILETIME, 1L);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)o->cancel);
	/*
	 * Conditional over HTTP only: a file's time has whole seconds, and a
	 * bundle replaced within the second would be missed; a local copy is
	 * known unchanged by its hash instead.
	 */
	if (have && !is_file) {
		if (have->etag[0]) {
			snprintf(inm, sizeof(inm), "If-None-Match: %s", have->etag);
			headers = curl_slist_append(headers, inm);
			if (!headers) {
				rc = -ENOMEM;
				goto out;
			}
			curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
		}
		/*
		 * A date only without an ETag: libcurl takes a 200 whose
		 * Last-Modified is not after it for a 304, and a new bundle
		 * copied with an old mtime would be missed.
		 */
		if (!have->etag[0] && have->mtime > 0) {
			curl_easy_setopt(h, CURLOPT_TIMECONDITION, (long)CURL_TIMECOND_IFMODSINCE);
			curl_easy_setopt(h, CURLOPT_TIMEVALUE_LARGE, (curl_off_t)have->mtime);
		}
	}
	block_sigpipe(&old);
	c = curl_easy_perform(h);
	restore_sigpipe(&old);
	if (c != CURLE_OK) {
		rc = curl_failure(&t, c, detail, o, err);
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (!is_file && code == 304) {
		rc = 0;
		goto out;
	}
	if (!is_file && code != 200) {
		strbuf_addf(err, "%s: the server answered HTTP %ld", url, code);
		rc = code == 404 || code == 410 ? -ENOENT : -EPROTO;
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_FILETIME_T, &filetime);
	res->v.mtime = is_file || filetime < 0 ? 0 : (int64_t)filetime;
	memcpy(res->v.etag, t.etag, sizeof(t.etag));
	res->bytes = t.bytes;
	EVP_DigestFinal_ex(t.md, md, &mdlen);
	for (i = 0; i < mdlen && i < 32; i++)
		snprintf(res->sha256 + 2 * i, 3, "%02x", md[i]);
	rc = 1;
out:
	curl_slist_free_all(headers);
	if (h)
		curl_easy_cleanup(h);
	EVP_MD_CTX_free(t.md);
	return rc;
}
