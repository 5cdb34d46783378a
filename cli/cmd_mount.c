// SPDX-License-Identifier: GPL-3.0-or-later
/* nletsfs mount: serve an inventory as a read-only filesystem. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../fs/fs.h"
#include "../store/store.h"
#include "../util/cleanup.h"
#include "cli.h"

static void help(void)
{
	printf("usage: nletsfs mount [--db FILE] MOUNTPOINT [-f] [-d] [-o OPTIONS]\n"
	       "       nletsfs mount BUNDLE.nlb MOUNTPOINT --trust PUB.pem [-f] [-d] [-o OPTIONS]\n"
	       "       nletsfs mount URL MOUNTPOINT --trust PUB.pem [--cacert CA.pem] [-o refresh=DURATION,...]\n"
	       "\n"
	       "Mount the inventory read-only at MOUNTPOINT and serve it in the background\n"
	       "until `fusermount3 -u MOUNTPOINT` (or `umount`). Every write fails with\n"
	       "\"Read-only file system\".\n"
	       "\n"
	       "The inventory may be a signed bundle (`nletsfs pack`), given as --db or as\n"
	       "the first operand and known by its content: its signature and every hash\n"
	       "are checked against PUB.pem first, and nothing is mounted unless all hold.\n"
	       "Its database is then read from a private copy that disappears with the mount.\n"
	       "\n"
	       "A bundle given by URL (https://, file://; http:// only with -o allow_http) is\n"
	       "a subscription: fetched and verified before anything is mounted, kept in a\n"
	       "cache ($XDG_CACHE_HOME/nletsfs, /var/cache/nletsfs for root) so the next\n"
	       "mount starts from it at once, and checked for a newer one at once, every\n"
	       "refresh interval and on SIGHUP (a conditional request: a 304 downloads\n"
	       "nothing). A new bundle is swapped in live once it verifies; one that fails,\n"
	       "or is older than the one mounted (rollback), is refused and logged, and the\n"
	       "mount serves what it had. MOUNTPOINT/.nletsfs/status says what is mounted.\n"
	       "\n"
	       "  --db FILE        the inventory (a database or a bundle)\n"
	       "  --trust PUB.pem  the public key a bundle must be signed with\n"
	       "  --no-verify      mount a bundle without checking its signature (warns;\n"
	       "                   not for a URL)\n"
	       "  --cacert CA.pem  a URL's TLS server is checked against this CA, not the\n"
	       "                   system's store (also -o cacert=)\n"
	       "  -f               stay in the foreground\n"
	       "  -d               debug: log every request (implies -f)\n"
	       "  -o OPTIONS       mount options, e.g. allow_other, auto_unmount; and nletsfs's\n"
	       "                   own: trust=PUB.pem and no_verify (for fstab), and\n"
	       "                   no_push_pages: do not put listed files in the page cache\n"
	       "                   ahead of reads (done while a walk reads what it lists)\n"
	       "                   latency_hold: keep the host's idle CPUs polling while a\n"
	       "                   walk goes on (/dev/cpu_dma_latency, root only; off by\n"
	       "                   default: it changes the whole host; see nletsfs(1))\n"
	       "                   list_ahead: list the folders a walk is about to enter\n"
	       "                   before it asks (off by default: it did not pay, see\n"
	       "                   docs/performance.md)\n"
	       "                   max_inodes=N: the kernel may hold N inodes at most (default\n"
	       "                   1000000, about 110 MB of the daemon's memory; 0: no bound);\n"
	       "                   past it the least recently used are dropped, and looked up\n"
	       "                   again when used\n"
	       "                   read_ahead_kb=N: the mount's read-ahead window in KiB\n"
	       "                   (default 1024: a big file is read 1 MiB a READ; 0: the\n"
	       "                   kernel's 128 KiB); set through sysfs, so root only: others\n"
	       "                   keep the kernel's; it changes this mount alone\n"
	       "                   forget_all: after an import or on a new day, the kernel\n"
	       "                   forgets all it holds, not only what changed\n"
	       "                   inval_names: where the kernel forgets all it holds\n"
	       "                   (forget_all, a new day), tell it each name, as kernels\n"
	       "                   before 6.16 need (used there anyway)\n"
	       "                   for a URL: refresh=DURATION (default 1h; 30s, 10m, 1d;\n"
	       "                   0: only on SIGHUP), allow_http, cacert=CA.pem,\n"
	       "                   max_size=SIZE (default 1G; 200M, 64K), timeout=DURATION\n"
	       "                   (a whole download, default 10m), cache=DIR\n"
	       "  -h, --help       this text\n"
	       "  -V, --version    the version\n"
	       "\n"
	       "As a mount helper: mount -t fuse.nletsfs INVENTORY MOUNTPOINT, or in fstab:\n"
	       "  /srv/inventory.db  /mnt/nlets  fuse.nletsfs  ro,allow_other  0 0\n"
	       "  /srv/coalition.nlb /mnt/nlets  fuse.nletsfs  ro,allow_other,trust=/etc/nletsfs/coalition.pub.pem  0 0\n"
	       "  https://example.org/coalition.nlb  /mnt/nlets  fuse.nletsfs\n"
	       "      ro,allow_other,_netdev,trust=/etc/nletsfs/coalition.pub.pem,refresh=1h  0 0\n");
}

struct mount_args {
	struct strbuf opts;	/* what goes on to libfuse */
	struct strbuf trust;	/* -o trust=FILE */
	int no_verify;		/* -o no_verify */
	struct cli_net net;	/* a URL's: refresh=, cacert=, allow_http, max_size=, timeout=, cache= */
	int net_given;
	struct strbuf max_inodes;	/* -o max_inodes=N, checked once all options are read */
	int max_inodes_given;
	struct strbuf read_ahead;	/* -o read_ahead_kb=N, checked the same way */
};

/* fstab options that mean something to mount(8) only, should they reach us. */
static int userspace_only(const char *p, size_t n)
{
	static const char *const names[] = { "defaults", "auto", "noauto", "nofail", "_netdev",
					     "user", "users", "nouser", "owner", "group" };
	size_t i;

	if (n >= 2 && !strncmp(p, "x-", 2))
		return 1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && !strncmp(p, names[i], n))
			return 1;
	return 0;
}

/*
 * Split a -o list: nletsfs's own options (trust=, no_verify, [no_]push_pages,
 * [no_]latency_hold, [no_]list_ahead, max_inodes=, read_ahead_kb=, inval_names,
 * forget_all, and a URL's: cli_net_option()) are taken; options that would
 * contradict a read-only inventory (rw, and ro, which is always set) and
 * userspace-only fstab options are dropped; the rest is for libfuse.
 */
static void filter_options(const char *in, struct mount_args *m, struct fs_mount_options *o)
{
	const char *p = in;

	while (*p) {
		size_t n = strcspn(p, ",");

		if (n > 6 && !strncmp(p, "trust=", 6)) {
			strbuf_reset(&m->trust);
			strbuf_add(&m->trust, p + 6, n - 6);
		} else if (n == 9 && !strncmp(p, "no_verify", 9)) {
			m->no_verify = 1;
		} else if (n == 10 && !strncmp(p, "push_pages", 10)) {
			o->push_pages = 1;
		} else if (n == 13 && !strncmp(p, "no_push_pages", 13)) {
			o->push_pages = 0;
		} else if (n == 12 && !strncmp(p, "latency_hold", 12)) {
			o->latency_hold = 1;
		} else if (n == 15 && !strncmp(p, "no_latency_hold", 15)) {
			o->latency_hold = 0;
		} else if (n == 10 && !strncmp(p, "list_ahead", 10)) {
			o->list_ahead = 1;
		} else if (n == 13 && !strncmp(p, "no_list_ahead", 13)) {
			o->list_ahead = 0;
		} else if (n == 11 && !strncmp(p, "inval_names", 11)) {
			o->inval_names = 1;
		} else if (n == 10 && !strncmp(p, "forget_all", 10)) {
			o->forget_all = 1;
		} else if (n >= 11 && !strncmp(p, "max_inodes=", 11)) {
			strbuf_reset(&m->max_inodes);
			strbuf_add(&m->max_inodes, p + 11, n - 11);
			m->max_inodes_given = 1;
		} else if (n >= 14 && !strncmp(p, "read_ahead_kb=", 14)) {
			strbuf_reset(&m->read_ahead);
			strbuf_add(&m->read_ahead, p + 14, n - 14);
			o->read_ahead_given = 1;
		} else if (cli_net_option(p, n, &m->net)) {
			m->net_given = 1;
		} else if (n && !(n == 2 && !strncmp(p, "rw", 2)) && !(n == 2 && !strncmp(p, "ro", 2)) &&
			   !userspace_only(p, n)) {
			if (m->opts.len)
				strbuf_addch(&m->opts, ',');
			strbuf_add(&m->opts, p, n);
		}
		p += n;
		if (*p == ',')
			p++;
	}
}

/* A number option (max_inodes=N, read_ahead_kb=N): digits only, 0 or from `least` to `most`; 0 or -EINVAL. */
static int parse_count(const char *s, uint64_t least, uint64_t most, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || (v && (v < least || v > most)))
		return -EINVAL;
	*out = v;
	return 0;
}

static int sub_check(void *arg, char **db, struct strbuf *err)
{
	int rc = net_sub_check(arg, db, err);

	return rc == -ECANCELED ? 0 : rc; /* the mount is ending: nothing to say */
}

static int sub_status(void *arg, struct strbuf *out)
{
	return net_sub_status(arg, out);
}

static void sub_cancel(void *arg)
{
	net_sub_cancel(arg);
}

/*
 * A subscription: the first inventory from the cache or the server (here,
 * on the terminal, where a failure is seen), then the refresher's checks.
 */
static int mount_url(const char *url, const char *trust, struct mount_args *m, struct fs_mount_options *o)
{
	struct net_sub_options so = { .url = url, .trust = trust };
	struct fs_refresh refresh = { .check = sub_check, .status = sub_status, .cancel = sub_cancel };
	struct strbuf err = STRBUF_INIT;
	struct net_sub *sub = NULL;
	char *db = NULL;
	int rc, st;

	if (m->no_verify)
		return cli_usage_error("mount", "%s: a bundle by URL is always verified: --no-verify does not apply", url);
	if (!trust)
		return cli_usage_error("mount", "%s: give --trust PUB.pem (or -o trust=), the public key of the "
				       "bundle's signer", url);
	st = cli_net_finish("mount", &m->net, &so, &refresh.interval);
	if (st >= 0)
		return st;
	rc = net_sub_open(&so, &sub, &err);
	/* What the first fetch makes is not left by a signal; the daemon's signals are libfuse's. */
	cleanup_guard();
	if (!rc)
		rc = net_sub_start(sub, &db, &err);
	cleanup_unguard();
	if (!rc) {
		refresh.arg = sub;
		o->db = db;
		o->store_flags = STORE_IMMUTABLE;
		o->unlink_db = 1;
		o->source = url;
		o->refresh = &refresh;
		rc = fs_mount(o, &err);
	}
	if (rc)
		fprintf(stderr, "nletsfs mount: %s\n", err.len ? err.buf : strerror(-rc));
	if (db) { /* when the mount failed before the daemon took it (gone already otherwise) */
		unlink(db);
		cleanup_forget(db);
	}
	free(db);
	net_sub_close(sub);
	strbuf_release(&err);
	return rc ? EXIT_BAD_DATA : EXIT_DONE;
}

int cmd_mount(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "trust", required_argument, NULL, 'T' },
		{ "no-verify", no_argument, NULL, 'N' },
		{ "cacert", required_argument, NULL, 'C' },
		{ "allow-http", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		CLI_VERSION_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	struct fs_mount_options o = { .push_pages = 1, .max_inodes = FS_MAX_INODES_DEFAULT,
				      .read_ahead_kb = FS_READ_AHEAD_KB_DEFAULT };
	struct mount_args m = { STRBUF_INIT, STRBUF_INIT, 0, CLI_NET_INIT, 0, STRBUF_INIT, 0, STRBUF_INIT };
	struct strbuf err = STRBUF_INIT;
	struct cli_source src = { 0 };
	struct cli_files files = { 0 };
	const char *db_opt = NULL, *trust = NULL;
	int c, rc, status = EXIT_DONE;

	optind = 1;
	/* Options may follow the mount point, as mount.fuse3 puts them. */
	while ((c = getopt_long(argc, argv, "hfdo:V", longopts, NULL)) != -1) {
		switch (c) {
		case 'D':
			db_opt = optarg;
			break;
		case 'T':
			trust = optarg;
			break;
		case 'N':
			m.no_verify = 1;
			break;
		case 'C':
			strbuf_reset(&m.net.cacert);
			strbuf_addstr(&m.net.cacert, optarg);
			m.net_given = 1;
			break;
		case 'H':
			m.net.allow_http = 1;
			m.net_given = 1;
			break;
		case 'f':
			o.foreground = 1;
			break;
		case 'd':
			o.debug = 1;
			break;
		case 'o':
			filter_options(optarg, &m, &o);
			break;
		case 'h':
			help();
			goto out;
		case 'V':
			cli_version();
			goto out;
		default:
			status = cli_usage_error("mount", "bad option");
			goto out;
		}
	}
	if (argc - optind == 2 && !db_opt) {
		db_opt = argv[optind++];
	} else if (argc - optind != 1) {
		status = cli_usage_error("mount", "give one MOUNTPOINT (after --db FILE), or INVENTORY MOUNTPOINT");
		goto out;
	}
	if (m.max_inodes_given &&
	    parse_count(m.max_inodes.len ? m.max_inodes.buf : "", FS_MAX_INODES_MIN, UINT64_MAX, &o.max_inodes)) {
		status = cli_usage_error("mount", "max_inodes=%s: a number of inodes, at least %d (0: no bound)",
					 m.max_inodes.len ? m.max_inodes.buf : "", FS_MAX_INODES_MIN);
		goto out;
	}
	if (o.read_ahead_given) {
		uint64_t kb;

		if (parse_count(m.read_ahead.len ? m.read_ahead.buf : "", FS_READ_AHEAD_KB_MIN, FS_READ_AHEAD_KB_MAX,
				&kb)) {
			status = cli_usage_error("mount", "read_ahead_kb=%s: a window in KiB, %d to %d (0: the kernel's)",
						 m.read_ahead.len ? m.read_ahead.buf : "", FS_READ_AHEAD_KB_MIN,
						 FS_READ_AHEAD_KB_MAX);
			goto out;
		}
		o.read_ahead_kb = (unsigned)kb;
	}
	if (!trust && m.trust.len)
		trust = m.trust.buf;
	o.mountpoint = argv[optind];
	o.options = m.opts.buf;
	if (net_is_url(cli_db_path(db_opt))) {
		status = mount_url(cli_db_path(db_opt), trust, &m, &o);
		goto out;
	}
	if (m.net_given) {
		status = cli_usage_error("mount", "refresh=, cacert=, allow_http, max_size=, timeout= and cache= are "
					 "for a bundle given by URL");
		goto out;
	}
	/* A bundle's inventory extracted meanwhile is not left by a signal; the daemon's signals are libfuse's. */
	cleanup_guard();
	status = cli_source_prepare("mount", cli_db_path(db_opt), trust, m.no_verify, &src);
	cleanup_unguard();
	if (status != EXIT_DONE)
		goto out;
	o.db = src.db;
	o.store_flags = src.store_flags;
	o.unlink_db = src.tmp != NULL;
	o.source = cli_db_path(db_opt);
	cli_files_note(src.db, &files);
	rc = fs_mount(&o, &err);
	if (rc) {
		/* A bad inventory reads FILE: error: MESSAGE; anything else, nletsfs mount: MESSAGE. */
		if (strstr(err.buf ? err.buf : "", ": error: "))
			cli_say_failure("mount", -EBADMSG, err.buf);
		else
			cli_say("mount", "%s", err.len ? err.buf : "failed");
		status = EXIT_BAD_DATA;
		cli_files_restore(&files); /* the store is closed: no -wal or -shm of a refused inventory stays */
	}
out:
	cli_source_release(&src);
	strbuf_release(&m.opts);
	strbuf_release(&m.trust);
	strbuf_release(&m.max_inodes);
	strbuf_release(&m.read_ahead);
	cli_net_release(&m.net);
	strbuf_release(&err);
	return status;
}
