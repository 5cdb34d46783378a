/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * net: subscriptions, a signed bundle (nlb/) fetched by URL and kept
 * current. This header is the whole public face of net/; docs/format.md
 * says how publishers serve bundles, nletsfs(1) how readers subscribe.
 *
 * A fetch (net/fetch.c, libcurl) reads one URL into a file: https:// with
 * TLS verified against the system's CA store (or a private CA's PEM file),
 * file://, and plain http:// only when allowed, since a signature protects
 * a bundle's content but not who reads it. A fetch is bounded in time and
 * in bytes, and conditional: with the ETag and Last-Modified of the copy
 * held, a 304 downloads nothing.
 *
 * A subscription (net/subscription.c) keeps the newest verified bundle of a
 * URL in a cache folder ($XDG_CACHE_HOME/nletsfs/, or /var/cache/nletsfs/
 * for root): a mount starts from it at once, without the network. Nothing
 * enters the cache, and nothing is served, unless its signature and every
 * hash hold; a validly signed bundle older than the one held (by the
 * MANIFEST's serial and date) is refused, as apt refuses a stale Release.
 *
 * Errors: 0 or a negative errno with a message in `err` naming the URL:
 * -EBADMSG for a bundle that fails verification, -ESTALE for a rollback,
 * -EFBIG for a response over the bound, -ETIMEDOUT, -EPROTO for a TLS or
 * HTTP failure, -EINVAL for a URL or option that will not do, -ECANCELED
 * when told to give up.
 */
#ifndef NLETSFS_NET_H
#define NLETSFS_NET_H

#include <stdint.h>

#include "../util/strbuf.h"

/** Bytes a response may have, by default: far above any inventory, far below a full disk. */
#define NET_MAX_BYTES_DEFAULT (1ull << 30)
/** Seconds a whole transfer may take, by default. */
#define NET_TIMEOUT_DEFAULT 600u
/** Seconds to connect (and to get through TLS), at most. */
#define NET_CONNECT_TIMEOUT 30u
/** A transfer slower than this many bytes a second for NET_SLOW_SECONDS is given up. */
#define NET_SLOW_BYTES 1024
#define NET_SLOW_SECONDS 60u

struct net_options {
	const char *cacert;	/* a private CA's PEM file; NULL: the system's CA store */
	int allow_http;		/* plain http:// allowed (never by default) */
	unsigned timeout;	/* seconds for a whole transfer; 0: NET_TIMEOUT_DEFAULT */
	uint64_t max_bytes;	/* a response's bound; 0: NET_MAX_BYTES_DEFAULT */
	const int *cancel;	/* when it turns non-zero (another thread), a transfer gives up: -ECANCELED */
};

/** What a server said of the copy it sent, to ask next time whether it changed. */
struct net_validators {
	char etag[256];		/* "" when none (or not one line of printable ASCII) */
	int64_t mtime;		/* Last-Modified, seconds since the epoch; 0 when none */
};

/** What a fetch got. */
struct net_result {
	struct net_validators v;
	uint64_t bytes;		/* written to the file */
	char sha256[65];	/* of those bytes, hex */
};

/**
 * Fetch `url` into the open file `fd` (from its current offset). With
 * `have` (may be NULL) the request is conditional. Returns 1 when the body
 * was written (its size, hash and validators in `res`), 0 when the server
 * says the copy held is current (304: nothing written), or a negative
 * errno (the file then holds a partial body: throw it away).
 */
int net_fetch(const char *url, const struct net_options *o, const struct net_validators *have, int fd,
	      struct net_result *res, struct strbuf *err);

/** 1 when `s` is a URL net_fetch() takes the scheme of (https://, http://, file://), else 0. */
int net_is_url(const char *s);

/* ---- subscriptions ---------------------------------------------------------------------- */

struct net_sub;

struct net_sub_options {
	const char *url;
	const char *trust;	/* the signer's public key (PEM) */
	const char *cache;	/* the cache folder; NULL: net_cache_dir() */
	struct net_options net;
};

/**
 * The default cache folder: /var/cache/nletsfs for root, else
 * $XDG_CACHE_HOME/nletsfs (when absolute), else $HOME/.cache/nletsfs.
 * 0, or -ENOENT when there is no home to put it in.
 */
int net_cache_dir(struct strbuf *out, struct strbuf *err);

/**
 * A subscription to `o->url`: paths made absolute (a daemon moves to "/"),
 * the cache folder created. Nothing is fetched yet. Close it in any case.
 */
int net_sub_open(const struct net_sub_options *o, struct net_sub **out, struct strbuf *err);
void net_sub_close(struct net_sub *s);

/**
 * The first inventory to serve: from the cache when it holds a bundle that
 * verifies (no network), else fetched now. Returns 0 with *db set to a new
 * private database file (free() the path; the caller unlinks the file), or
 * a negative errno: nothing to serve.
 */
int net_sub_start(struct net_sub *s, char **db, struct strbuf *err);

/**
 * Ask the server for a newer bundle (conditionally). A new one is verified
 * completely and checked against rollback before it replaces the cached
 * one. With `db` non-NULL, when the cache holds a bundle other than the one
 * served (net_sub_start's or the last returned), returns 1 with *db set to
 * its private database file, to serve from now on. Returns 0 when there is
 * nothing new, or a negative errno (the cached bundle is kept). Every check
 * is recorded for net_sub_status().
 */
int net_sub_check(struct net_sub *s, char **db, struct strbuf *err);

/**
 * Make a check in progress (in another thread) give up soon with
 * -ECANCELED, and every later one at once: the mount is ending.
 */
void net_sub_cancel(struct net_sub *s);

/** Copy the cached bundle to `out` (replaced whole, or not at all). */
int net_sub_copy(struct net_sub *s, const char *out, struct strbuf *err);

/**
 * The subscription's status, as `key: value` lines: the URL; the bundle
 * served (name, date, signer, serial, SHA-256, since when); the last check
 * (when, and what came of it); how many checks and full downloads. Safe to
 * call from any thread while another checks.
 */
int net_sub_status(struct net_sub *s, struct strbuf *out);

/** A one-line summary of the bundle served or held: "'NAME' of DATE, serial N, signed by FP". */
int net_sub_describe(struct net_sub *s, struct strbuf *out);

#endif
