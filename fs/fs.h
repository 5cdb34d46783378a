/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fs: the inventory as a read-only filesystem. This header is the whole
 * public face of fs/; nothing outside this folder knows FUSE exists.
 */
#ifndef NLETSFS_FS_H
#define NLETSFS_FS_H

#include "../util/strbuf.h"

struct fs_mount_options {
	const char *db;		/* inventory file */
	const char *mountpoint;
	int foreground;		/* -f: stay in the foreground */
	int debug;		/* -d: libfuse debug log (implies foreground) */
	const char *options;	/* -o list, passed to the mount after ro,default_permissions */
};

/**
 * Mount the inventory and serve it until unmounted (fusermount3 -u, umount,
 * or SIGINT/SIGTERM). Returns 0 after a clean unmount, or a negative errno
 * with a message in `err` when the inventory cannot be opened or the mount
 * fails. In the background, errors after the fork go to syslog-less stderr.
 */
int fs_mount(const struct fs_mount_options *o, struct strbuf *err);

#endif
