// SPDX-License-Identifier: GPL-3.0-or-later
/* nletsfs mount: serve an inventory as a read-only filesystem. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fs/fs.h"
#include "cli.h"

static void help(void)
{
	printf("usage: nletsfs mount [--db FILE] MOUNTPOINT [-f] [-d] [-o OPTIONS]\n"
	       "       nletsfs mount BUNDLE.nlb MOUNTPOINT --trust PUB.pem [-f] [-d] [-o OPTIONS]\n"
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
	       "  --db FILE        the inventory (a database or a bundle)\n"
	       "  --trust PUB.pem  the public key a bundle must be signed with\n"
	       "  --no-verify      mount a bundle without checking its signature (warns)\n"
	       "  -f               stay in the foreground\n"
	       "  -d               debug: log every request (implies -f)\n"
	       "  -o OPTIONS       mount options, e.g. allow_other, auto_unmount; and nletsfs's\n"
	       "                   own: trust=PUB.pem and no_verify (for fstab), and\n"
	       "                   no_push_pages: do not put listed files in the page cache\n"
	       "                   ahead of reads (done while a walk reads what it lists)\n"
	       "                   latency_hold: keep the host's idle CPUs polling while a\n"
	       "                   walk goes on (/dev/cpu_dma_latency, root only; off by\n"
	       "                   default: it changes the whole host; see nletsfs(1))\n"
	       "  -h, --help       this text\n"
	       "  -V, --version    the version\n"
	       "\n"
	       "As a mount helper: mount -t fuse.nletsfs INVENTORY MOUNTPOINT, or in fstab:\n"
	       "  /srv/inventory.db  /mnt/nlets  fuse.nletsfs  ro,allow_other  0 0\n"
	       "  /srv/coalition.nlb /mnt/nlets  fuse.nletsfs  ro,allow_other,trust=/etc/nletsfs/coalition.pub.pem  0 0\n");
}

struct mount_args {
	struct strbuf opts;	/* what goes on to libfuse */
	struct strbuf trust;	/* -o trust=FILE */
	int no_verify;		/* -o no_verify */
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
 * [no_]latency_hold) are taken; options that would contradict a read-only inventory (rw, and ro,
 * which is always set) and userspace-only fstab options are dropped; the
 * rest is for libfuse.
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

int cmd_mount(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "trust", required_argument, NULL, 'T' },
		{ "no-verify", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		CLI_VERSION_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	struct fs_mount_options o = { .push_pages = 1 };
	struct mount_args m = { STRBUF_INIT, STRBUF_INIT, 0 };
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
	if (!trust && m.trust.len)
		trust = m.trust.buf;
	status = cli_source_prepare("mount", cli_db_path(db_opt), trust, m.no_verify, &src);
	if (status != EXIT_DONE)
		goto out;
	o.db = src.db;
	o.store_flags = src.store_flags;
	o.unlink_db = src.tmp != NULL;
	o.source = cli_db_path(db_opt);
	o.mountpoint = argv[optind];
	o.options = m.opts.buf;
	cli_files_note(src.db, &files);
	rc = fs_mount(&o, &err);
	if (rc) {
		cli_say("mount", "%s", err.len ? err.buf : "failed");
		status = EXIT_BAD_DATA;
		cli_files_restore(&files); /* the store is closed: no -wal or -shm of a refused inventory stays */
	}
out:
	cli_source_release(&src);
	strbuf_release(&m.opts);
	strbuf_release(&m.trust);
	strbuf_release(&err);
	return status;
}
