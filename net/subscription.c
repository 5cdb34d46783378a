// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * A subscription: the newest verified bundle of one URL, kept in a cache
 * folder, and the one a mount serves. Per URL the folder holds
 *
 *   NAME-HASH.nlb     the newest bundle that verified (public bytes, 0644)
 *   NAME-HASH.state   what is known of it: the server's validators (ETag,
 *                     Last-Modified), its SHA-256, and its MANIFEST's name,
 *                     date, signer and serial, as `key: value` lines
 *   NAME-HASH.lock    flock()ed while a check runs: mounts and pulls of one
 *                     URL take turns
 *
 * where NAME is the URL's last segment made safe and HASH the start of the
 * URL's SHA-256. A download goes to a temporary file beside them and
 * replaces the bundle by rename() only once it verified and is newer, so
 * the cached bundle is always whole and verified, and a crash leaves the
 * old one. The cached bundle's serial and date are the floor a new bundle
 * must rise above (rollback); a mount also compares with what it serves,
 * so a cache emptied behind its back does not let an older bundle in.
 *
 * A mount's own state (what it serves, the last check) is in memory, under
 * a mutex: the refresher thread checks while workers read the status.
 */
#include "net.h"
#include "../store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../nlb/nlb.h"
#include "../util/cleanup.h"
#include "../util/io.h"

/* What is known of one bundle: its bytes' hash and its MANIFEST's header. */
struct held {
	char sha256[65];	/* "" when none */
	char name[257];
	char date[21];
	char signer[72];
	uint64_t serial;
};

/* The .state file: the cached bundle and the server's validators for it. */
struct state {
	struct held b;
	struct net_validators v;
};

struct net_sub {
	char *url, *trust, *cacert;
	struct net_options net;
	char *bundle, *state, *lock;	/* the cache's files (absolute) */

	pthread_mutex_t mu;		/* the fields below: read by workers, written by the refresher */
	struct held served;		/* "" sha256: none yet */
	time_t served_since, checked;
	char *result;			/* what the last check came to */
	unsigned long checks, downloads;
	int cancel;			/* atomic: net_sub_cancel() */
};

/* ---- small things ------------------------------------------------------------------------- */

static void iso_time(time_t t, char out[21])
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 21, "unknown");
}

/* One line of text, whatever a server or a message put in it. */
static void add_line_safe(struct strbuf *out, const char *s)
{
	for (; *s; s++)
		strbuf_addch(out, (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

static void held_from(struct held *h, const struct nlb_manifest *m, const char *sha256)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->sha256, sizeof(h->sha256), "%s", sha256);
	snprintf(h->name, sizeof(h->name), "%s", m->name ? m->name : "");
	snprintf(h->date, sizeof(h->date), "%s", m->date ? m->date : "");
	snprintf(h->signer, sizeof(h->signer), "%s", m->signer ? m->signer : "");
	h->serial = m->serial;
}

static void describe(const struct held *h, struct strbuf *out)
{
	strbuf_addf(out, "'%s' of %s, serial ", h->name, h->date);
	if (h->serial)
		strbuf_addf(out, "%llu", (unsigned long long)h->serial);
	else
		strbuf_addstr(out, "none (format 1)");
	strbuf_addf(out, ", signed by %s", h->signer);
}

/* mkdir -p, each new folder with `mode`. */
static int make_dirs(const char *path, mode_t mode, struct strbuf *err)
{
	char *p = strdup(path), *s;
	int rc = 0;

	if (!p)
		return -ENOMEM;
	for (s = p + 1; !rc; s++) {
		char c = *s;

		if (c && c != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) && errno != EEXIST) {
			rc = -errno;
			strbuf_addf(err, "cannot create the cache folder %s: %s", p, strerror(errno));
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return rc;
}

/* ---- the cache -------------------------------------------------------------------------------- */

int net_cache_dir(struct strbuf *out, struct strbuf *err)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (geteuid() == 0)
		strbuf_addstr(out, "/var/cache/nletsfs");
	else if (xdg && xdg[0] == '/') /* the XDG spec: a relative path is to be ignored */
		strbuf_addf(out, "%s/nletsfs", xdg);
	else if (home && home[0] == '/')
		strbuf_addf(out, "%s/.cache/nletsfs", home);
	else {
		strbuf_addstr(err, "no cache folder: neither $XDG_CACHE_HOME nor $HOME is set (give -o cache=DIR)");
		return -ENOENT;
	}
	return strbuf_ok(out);
}

/* "coalition.nlb-1f2e3d4c5b6a7988": the URL's last segment, made safe, and its hash. */
static int cache_base(const char *url, struct strbuf *out)
{
	const char *q = url + strcspn(url, "?#"), *slash = q;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned i;
	size_t n;

	while (slash > url && slash[-1] != '/')
		slash--;
	for (n = 0; slash + n < q && n < 64; n++) {
		char c = slash[n];

		/* Not a dot first: a cache file is never hidden, nor "." or "..". */
		strbuf_addch(out, (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
					  (c == '.' && n) || c == '_' || c == '-' ? c : '_');
	}
	if (!n)
		strbuf_addstr(out, "bundle");
	if (!EVP_Digest(url, strlen(url), md, NULL, EVP_sha256(), NULL))
		return -ENOMEM;
	strbuf_addch(out, '-');
	for (i = 0; i < 8; i++)
		strbuf_addf(out, "%02x", md[i]);
	return strbuf_ok(out);
}

static int read_state(const struct net_sub *s, struct state *st)
{
	char line[1024];
	FILE *f = fopen(s->state, "re");

	memset(st, 0, sizeof(*st));
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		char *v = strstr(line, ": ");

		line[strcspn(line, "\n")] = '\0';
		if (!v)
			continue;
		*v = '\0';
		v += 2;
		if (!strcmp(line, "etag"))
			snprintf(st->v.etag, sizeof(st->v.etag), "%s", v);
		else if (!strcmp(line, "last-modified"))
			st->v.mtime = strtoll(v, NULL, 10);
		else if (!strcmp(line, "sha256"))
			snprintf(st->b.sha256, sizeof(st->b.sha256), "%s", v);
		else if (!strcmp(line, "name"))
			snprintf(st->b.name, sizeof(st->b.name), "%s", v);
		else if (!strcmp(line, "date"))
			snprintf(st->b.date, sizeof(st->b.date), "%s", v);
		else if (!strcmp(line, "signer"))
			snprintf(st->b.signer, sizeof(st->b.signer), "%s", v);
		else if (!strcmp(line, "serial"))
			st->b.serial = strtoull(v, NULL, 10);
	}
	fclose(f);
	/* Only a whole record counts: a bundle's hash and its date. */
	if (strlen(st->b.sha256) != 64 || strlen(st->b.date) != 20)
		memset(st, 0, sizeof(*st));
	return 0;
}

/* Write `data` to `path` whole or not at all: a temporary file beside it, renamed over it. */
static int replace_file(const char *path, const void *data, size_t len, int src_fd, struct strbuf *err)
{
	char *tmp = NULL;
	int fd, rc = 0;

	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	cleanup_add(tmp); /* util/cleanup.h */
	if (src_fd >= 0) {
		char buf[65536];
		ssize_t n;

		if (lseek(src_fd, 0, SEEK_SET) < 0)
			rc = -errno;
		while (!rc && (n = read(src_fd, buf, sizeof(buf))) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			rc = n < 0 ? -errno : io_write_all(fd, buf, (size_t)n);
		}
	} else {
		rc = io_write_all(fd, data, len);
	}
	if (!rc && (fchmod(fd, 0644) || fsync(fd)))
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc)
		unlink(tmp);
	cleanup_forget(tmp); /* renamed into place, or removed */
out:
	if (rc)
		strbuf_addf(err, "cannot write %s: %s", path, strerror(-rc));
	free(tmp);
	return rc;
}

static int write_state(const struct net_sub *s, const struct state *st, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	int rc;

	strbuf_addf(&text, "url: ");
	add_line_safe(&text, s->url);
	strbuf_addf(&text, "\netag: %s\nlast-modified: %lld\nsha256: %s\nname: %s\ndate: %s\nsigner: %s\nserial: %llu\n",
		    st->v.etag, (long long)st->v.mtime, st->b.sha256, st->b.name, st->b.date, st->b.signer,
		    (unsigned long long)st->b.serial);
	rc = strbuf_ok(&text);
	if (!rc)
		rc = replace_file(s->state, text.buf, text.len, -1, err);
	strbuf_release(&text);
	return rc;
}

/* ---- verification and rollback ----------------------------------------------------------- */

/*
 * Verify the bundle at `path` against the trusted key (and, with `db`,
 * extract its database to a private file). `what` names it in messages.
 */
static int verify(const struct net_sub *s, const char *path, const char *sha256, char **db, struct held *out,
		  struct strbuf *err)
{
	struct strbuf msg = STRBUF_INIT;
	struct nlb_manifest m;
	int rc;

	rc = db ? nlb_extract(path, s->trust, db, &m, &msg) : nlb_read(path, s->trust, -1, &m, &msg);
	if (rc == -EINVAL) /* not a tar at all: garbage, refused like a bad bundle */
		rc = -EBADMSG;
	/* Packed by an older nletsfs: the private copy is brought to this schema (store_upgrade). */
	if (!rc && db)
		rc = store_upgrade(*db, &msg);
	if (rc)
		strbuf_addf(err, "%s: refused: %s", s->url, msg.buf);
	else
		held_from(out, &m, sha256);
	nlb_manifest_release(&m);
	strbuf_release(&msg);
	return rc;
}

/*
 * A new bundle must not be older than `ref` (what is cached or served):
 * not a lower serial, not an earlier date, and not the same serial again
 * with other bytes (bundles of format 1, serial 0, go by their date).
 */
static int newer_than(const struct net_sub *s, const struct held *b, const struct held *ref, const char *what,
		      struct strbuf *err)
{
	int date = strcmp(b->date, ref->date);

	if (!ref->sha256[0] || !strcmp(b->sha256, ref->sha256))
		return 0;
	if (b->serial > ref->serial && date >= 0)
		return 0;
	if (!b->serial && !ref->serial && date > 0)
		return 0;
	strbuf_addf(err, "%s: refused as a rollback: the bundle offered, ", s->url);
	describe(b, err);
	strbuf_addf(err, ", is not newer than the one %s, ", what);
	describe(ref, err);
	return -ESTALE;
}

/* ---- a subscription -------------------------------------------------------------------------- */

static char *absolute(const char *path)
{
	return path[0] == '/' ? strdup(path) : realpath(path, NULL);
}

int net_sub_open(const struct net_sub_options *o, struct net_sub **out, struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT, base = STRBUF_INIT;
	struct net_sub *s = calloc(1, sizeof(*s));
	int rc = 0;

	*out = s;
	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->mu, NULL);
	s->net = o->net;
	s->net.cancel = &s->cancel;
	s->url = strdup(o->url);
	s->trust = absolute(o->trust);
	if (!s->trust) {
		rc = -errno;
		strbuf_addf(err, "%s: %s", o->trust, strerror(errno));
		goto out;
	}
	if (o->net.cacert) {
		s->cacert = absolute(o->net.cacert);
		if (!s->cacert) {
			rc = -errno;
			strbuf_addf(err, "%s: %s", o->net.cacert, strerror(errno));
			goto out;
		}
		s->net.cacert = s->cacert;
	}
	if (!s->url) {
		rc = -ENOMEM;
		goto out;
	}
	if (!net_is_url(s->url)) {
		strbuf_addf(err, "%s: not a URL (https://, file://, or http:// with -o allow_http)", s->url);
		rc = -EINVAL;
		goto out;
	}
	if (o->cache) {
		char *abs = realpath(o->cache, NULL);

		strbuf_addstr(&dir, abs ? abs : o->cache);
		free(abs);
		if (dir.buf[0] != '/') {
			strbuf_addf(err, "%s: the cache folder must exist, or be given as an absolute path", o->cache);
			rc = -EINVAL;
			goto out;
		}
	} else if ((rc = net_cache_dir(&dir, err))) {
		goto out;
	}
	rc = make_dirs(dir.buf, 0755, err);
	if (!rc)
		rc = cache_base(s->url, &base);
	if (rc)
		goto out;
	if (asprintf(&s->bundle, "%s/%s.nlb", dir.buf, base.buf) < 0 ||
	    asprintf(&s->state, "%s/%s.state", dir.buf, base.buf) < 0 ||
	    asprintf(&s->lock, "%s/%s.lock", dir.buf, base.buf) < 0)
		rc = -ENOMEM;
out:
	strbuf_release(&dir);
	strbuf_release(&base);
	return rc;
}

void net_sub_close(struct net_sub *s)
{
	if (!s)
		return;
	pthread_mutex_destroy(&s->mu);
	free(s->url);
	free(s->trust);
	free(s->cacert);
	free(s->bundle);
	free(s->state);
	free(s->lock);
	free(s->result);
	free(s);
}

/*
 * Take the cache's lock for this URL: an fd to close, or a negative errno.
 * Another process may hold it through a whole download: waited for in
 * steps, so that net_sub_cancel() is heard.
 */
static int lock_cache(const struct net_sub *s, struct strbuf *err)
{
	const struct timespec step = { 0, 100 * 1000 * 1000 };
	int fd = open(s->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644), rc = 0;

	while (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			rc = -errno;
			break;
		}
		if (__atomic_load_n(&s->cancel, __ATOMIC_ACQUIRE)) {
			strbuf_addf(err, "%s: given up: the mount is ending", s->url);
			close(fd);
			return -ECANCELED;
		}
		nanosleep(&step, NULL);
	}
	if (fd < 0 || rc) {
		rc = -errno;
		strbuf_addf(err, "cannot lock %s: %s", s->lock, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	return fd;
}

/* Record a check's outcome for the status: `rc` and its message, or `what` happened. */
static void record(struct net_sub *s, int rc, const char *what, const struct strbuf *err, int downloaded)
{
	struct strbuf r = STRBUF_INIT;
	char *old;

	if (rc < 0) {
		/* A refusal's message says "refused" itself (verify(), newer_than()). */
		if (rc != -EBADMSG && rc != -ESTALE)
			strbuf_addstr(&r, "failed: ");
		add_line_safe(&r, err->len ? err->buf : strerror(-rc));
		strbuf_addstr(&r, " (the mounted bundle is served still)");
	} else {
		strbuf_addstr(&r, what);
	}
	pthread_mutex_lock(&s->mu);
	s->checked = time(NULL);
	s->checks++;
	s->downloads += (unsigned long)downloaded;
	old = s->result;
	s->result = strbuf_ok(&r) ? NULL : strbuf_detach(&r, NULL);
	pthread_mutex_unlock(&s->mu);
	free(old);
	strbuf_release(&r);
}

static void serve(struct net_sub *s, const struct held *b)
{
	pthread_mutex_lock(&s->mu);
	s->served = *b;
	s->served_since = time(NULL);
	pthread_mutex_unlock(&s->mu);
}

/*
 * Fetch into a temporary file of the cache; a new bundle that verifies and
 * is newer replaces the cached one. `*what` says what happened; *fresh_db
 * is the new bundle's database when `want_db` and one came.
 */
static int fetch_into_cache(struct net_sub *s, struct state *st, int want_db, char **fresh_db, const char **what,
			    int *downloaded, struct strbuf *err)
{
	struct net_result res;
	struct held b;
	char *tmp = NULL;
	int have = st->b.sha256[0] && access(s->bundle, R_OK) == 0;
	int fd, rc;

	*what = "not modified (nothing downloaded)";
	if (asprintf(&tmp, "%s.part.XXXXXX", s->bundle) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0 || fchmod(fd, 0644)) { /* a bundle is public: readable like the folder */
		rc = -errno;
		strbuf_addf(err, "cannot create a file in the cache: %s: %s", tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return rc;
	}
	cleanup_add(tmp); /* util/cleanup.h */
	rc = net_fetch(s->url, &s->net, have ? &st->v : NULL, fd, &res, err);
	if (rc > 0 && fsync(fd)) { /* whole on disk before it may be renamed into the cache */
		rc = -errno;
		strbuf_addf(err, "%s: %s", tmp, strerror(errno));
	}
	if (close(fd) && rc >= 0) {
		rc = -errno;
		strbuf_addf(err, "%s: %s", tmp, strerror(errno));
	}
	if (rc <= 0)
		goto out;
	*downloaded = 1;
	if (have && !strcmp(res.sha256, st->b.sha256)) {
		/* The same bytes again (a server without validators): only the validators are new. */
		*what = "unchanged (the same bytes were downloaded)";
		st->v = res.v;
		rc = write_state(s, st, err);
		goto out;
	}
	rc = verify(s, tmp, res.sha256, want_db ? fresh_db : NULL, &b, err);
	if (!rc)
		rc = newer_than(s, &b, &st->b, "cached", err);
	pthread_mutex_lock(&s->mu);
	if (!rc)
		rc = newer_than(s, &b, &s->served, "mounted", err);
	pthread_mutex_unlock(&s->mu);
	if (!rc && rename(tmp, s->bundle)) {
		rc = -errno;
		strbuf_addf(err, "cannot put the new bundle in the cache: %s: %s", s->bundle, strerror(errno));
	}
	if (rc)
		goto out;
	st->b = b;
	st->v = res.v;
	rc = write_state(s, st, err);
	*what = "new bundle downloaded and verified";
out:
	if (rc < 0 && want_db && *fresh_db) {
		unlink(*fresh_db);
		cleanup_forget(*fresh_db);
		free(*fresh_db);
		*fresh_db = NULL;
	}
	unlink(tmp); /* gone already when renamed */
	cleanup_forget(tmp);
	free(tmp);
	return rc < 0 ? rc : 0;
}

int net_sub_check(struct net_sub *s, char **db, struct strbuf *err)
{
	struct state st;
	struct held b, served;
	const char *what = "";
	char *fresh = NULL;
	int lock, rc, downloaded = 0;

	if (db)
		*db = NULL;
	lock = lock_cache(s, err);
	if (lock < 0) {
		record(s, lock, NULL, err, 0);
		return lock;
	}
	rc = read_state(s, &st);
	if (!rc)
		rc = fetch_into_cache(s, &st, db != NULL, &fresh, &what, &downloaded, err);
	pthread_mutex_lock(&s->mu);
	served = s->served;
	pthread_mutex_unlock(&s->mu);
	/* The cache holds another bundle than the one served (this check's, or another process's)? */
	if (!rc && db && st.b.sha256[0] && strcmp(st.b.sha256, served.sha256)) {
		if (fresh) {
			b = st.b;
			*db = fresh;
			fresh = NULL;
		} else {
			rc = verify(s, s->bundle, st.b.sha256, db, &b, err);
			if (!rc)
				rc = newer_than(s, &b, &served, "mounted", err);
			if (rc && *db) {
				unlink(*db);
				cleanup_forget(*db);
				free(*db);
				*db = NULL;
			}
			what = "a newer bundle in the cache (another mount or pull fetched it)";
		}
		if (!rc) {
			serve(s, &b);
			rc = 1;
		}
	}
	close(lock);
	record(s, rc, what, err, downloaded);
	return rc;
}

int net_sub_start(struct net_sub *s, char **db, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	struct state st;
	struct held b;
	int lock, rc;

	*db = NULL;
	lock = lock_cache(s, err);
	if (lock < 0)
		return lock;
	rc = read_state(s, &st);
	if (!rc && st.b.sha256[0] && access(s->bundle, R_OK) == 0) {
		/* The cache at once; what sits there was verified, and is again, as it may have rotted. */
		rc = verify(s, s->bundle, st.b.sha256, db, &b, &why);
		if (!rc) {
			char *note = strdup("started from the cache; not checked yet");

			serve(s, &b);
			pthread_mutex_lock(&s->mu);
			free(s->result);
			s->result = note;
			pthread_mutex_unlock(&s->mu);
		} else if (rc == -EBADMSG) { /* rotten or signed by another key; not for a full /tmp */
			unlink(s->bundle);
			unlink(s->state);
		} else {
			close(lock);
			strbuf_add(err, why.buf, why.len);
			strbuf_release(&why);
			return rc;
		}
	}
	close(lock);
	if (*db) {
		strbuf_release(&why);
		return 0;
	}
	/* Nothing good cached: fetch now, and fail here, on the terminal, if that fails. */
	rc = net_sub_check(s, db, err);
	if (rc == 0 && !*db) {
		strbuf_addf(err, "%s: the server says nothing changed, but the cache holds no bundle", s->url);
		rc = -EIO;
	}
	if (rc < 0 && why.len)
		strbuf_addf(err, " (the cached copy was dropped: %s)", why.buf);
	strbuf_release(&why);
	return rc < 0 ? rc : 0;
}

void net_sub_cancel(struct net_sub *s)
{
	__atomic_store_n(&s->cancel, 1, __ATOMIC_RELEASE);
}

int net_sub_copy(struct net_sub *s, const char *out, struct strbuf *err)
{
	struct state st;
	struct held b;
	int lock, fd = -1, rc;

	lock = lock_cache(s, err);
	if (lock < 0)
		return lock;
	rc = read_state(s, &st);
	if (!rc && !st.b.sha256[0]) {
		strbuf_addf(err, "%s: no bundle in the cache", s->url);
		rc = -ENOENT;
	}
	/* Verified again: the cache is a folder on a disk like any other. */
	if (!rc)
		rc = verify(s, s->bundle, st.b.sha256, NULL, &b, err);
	if (!rc) {
		fd = open(s->bundle, O_RDONLY | O_CLOEXEC);
		rc = fd < 0 ? -errno : 0;
	}
	if (!rc)
		rc = replace_file(out, NULL, 0, fd, err);
	if (!rc)
		serve(s, &b);
	if (fd >= 0)
		close(fd);
	close(lock);
	return rc;
}

int net_sub_describe(struct net_sub *s, struct strbuf *out)
{
	pthread_mutex_lock(&s->mu);
	describe(&s->served, out);
	pthread_mutex_unlock(&s->mu);
	return strbuf_ok(out);
}

int net_sub_status(struct net_sub *s, struct strbuf *out)
{
	char since[21], checked[21];

	pthread_mutex_lock(&s->mu);
	iso_time(s->served_since, since);
	iso_time(s->checked, checked);
	strbuf_addstr(out, "url: ");
	add_line_safe(out, s->url);
	strbuf_addstr(out, "\nname: ");
	add_line_safe(out, s->served.name);
	strbuf_addf(out, "\ndate: %s\nsigner: %s\nserial: ", s->served.date, s->served.signer);
	if (s->served.serial)
		strbuf_addf(out, "%llu\n", (unsigned long long)s->served.serial);
	else
		strbuf_addstr(out, "none (bundle format 1)\n");
	strbuf_addf(out, "sha256: %s\nmounted: %s\nchecked: %s\nresult: %s\nchecks: %lu\ndownloads: %lu\ncache: ",
		    s->served.sha256, since, s->checked ? checked : "never", s->result ? s->result : "",
		    s->checks, s->downloads);
	add_line_safe(out, s->bundle);
	strbuf_addch(out, '\n');
	pthread_mutex_unlock(&s->mu);
	return strbuf_ok(out);
}
