// SPDX-License-Identifier: GPL-3.0-or-later
/* nletsfs mount: serve an inventory as a read-only filesystem. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../fs/fs.h"
#include "cli.h"

static void help(void)
{
	printf("usage: nletsfs mount [--db FILE] MOUNTPOINT [-f] [-d] [-o OPTIONS]\n"
	       "\n"
	       "Mount the inventory read-only at MOUNTPOINT and serve it in the background\n"
	       "until `fusermount3 -u MOUNTPOINT` (or `umount`). Every write fails with\n"
	       "\"Read-only file system\".\n"
	       "\n"
	       "  --db FILE     the inventory\n"
	       "  -f            stay in the foreground\n"
	       "  -d            debug: log every request (implies -f)\n"
	       "  -o OPTIONS    mount options, e.g. allow_other, auto_unmount, and nletsfs's\n"
	       "                push_pages: put listed files in the page cache ahead of reads\n"
	       "  -h, --help    this text\n"
	       "\n"
	       "As a mount helper: mount -t fuse.nletsfs INVENTORY MOUNTPOINT, or in fstab:\n"
	       "  /srv/inventory.db  /mnt/nlets  fuse.nletsfs  ro,allow_other  0 0\n");
}

/*
 * Mount options that would contradict a read-only inventory are dropped;
 * nletsfs's own (push_pages) are taken out for it.
 */
static void filter_options(const char *in, struct strbuf *out, struct fs_mount_options *o)
{
	const char *p = in;

	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == 10 && !strncmp(p, "push_pages", 10)) {
			o->push_pages = 1;
		} else if (n == 13 && !strncmp(p, "no_push_pages", 13)) {
			o->push_pages = 0;
		} else if (n && !(n == 2 && !strncmp(p, "rw", 2)) && !(n == 2 && !strncmp(p, "ro", 2))) {
			if (out->len)
				strbuf_addch(out, ',');
			strbuf_add(out, p, n);
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct fs_mount_options o = { 0 };
	struct strbuf opts = STRBUF_INIT, err = STRBUF_INIT;
	const char *db_opt = NULL;
	int c, rc;

	optind = 1;
	/* Options may follow the mount point, as mount.fuse3 puts them. */
	while ((c = getopt_long(argc, argv, "hfdo:", longopts, NULL)) != -1) {
		switch (c) {
		case 'D':
			db_opt = optarg;
			break;
		case 'f':
			o.foreground = 1;
			break;
		case 'd':
			o.debug = 1;
			break;
		case 'o':
			filter_options(optarg, &opts, &o);
			break;
		case 'h':
			help();
			strbuf_release(&opts);
			return EXIT_DONE;
		default:
			strbuf_release(&opts);
			return cli_usage_error("mount", "bad option");
		}
	}
	if (argc - optind != 1) {
		strbuf_release(&opts);
		return cli_usage_error("mount", "give one MOUNTPOINT");
	}
	o.db = cli_db_path(db_opt);
	o.mountpoint = argv[optind];
	o.options = opts.buf;
	rc = fs_mount(&o, &err);
	if (rc)
		fprintf(stderr, "nletsfs mount: %s\n", err.len ? err.buf : "failed");
	strbuf_release(&opts);
	strbuf_release(&err);
	return rc ? EXIT_BAD_DATA : EXIT_DONE;
}
