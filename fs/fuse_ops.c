// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The FUSE low-level operations and the mount. Every callback replies
 * exactly once. The caching recipe of SPEC section 2 lives here: day-long
 * entry, attribute and negative timeouts, READDIRPLUS forced on, OPEN and
 * OPENDIR answered with ENOSYS where the kernel supports no-open (so the
 * page cache and directory cache keep serving with no further upcall), exact
 * sizes at lookup, and a read-only mount with default_permissions.
 *
 * The loop is single-threaded: one store handle, no locks. Warm reads cost
 * no upcalls at all, so threads would only serve the first pass.
 */
#define FUSE_USE_VERSION 34

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "inodes.h"

/* The kernel may trust what it was told for a day; nothing changes under it. */
#define FS_TIMEOUT 86400.0

struct fs_state {
	struct store *st;
	struct tree tree;
	struct inode_table inodes;
	int no_open, no_opendir;
	uid_t uid;
	gid_t gid;
	struct timespec mtime;
	uint64_t requests;
};

static struct fs_state *state_of(fuse_req_t req)
{
	struct fs_state *fs = fuse_req_userdata(req);

	fs->requests++;
	return fs;
}

/*
 * Render a file (or link) once and keep its size; keep the bytes when asked,
 * or when they are small enough that the read which usually follows a
 * lookup should not render them again.
 */
#define FS_KEEP_SMALL 4096

static int inode_content(struct fs_state *fs, struct fs_inode *in, int keep)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	if (in->content || (in->size_known && !keep))
		return 0;
	rc = tree_render(&fs->tree, &in->node, &sb);
	if (rc) {
		strbuf_release(&sb);
		return rc;
	}
	in->size = sb.len;
	in->size_known = 1;
	if (keep || sb.len <= FS_KEEP_SMALL) {
		in->content = strbuf_detach(&sb, &in->content_len);
		if (!in->content)
			return -ENOMEM;
	}
	strbuf_release(&sb);
	return 0;
}

static int fill_attr(struct fs_state *fs, struct fs_inode *in, struct stat *stbuf)
{
	int rc = 0;

	memset(stbuf, 0, sizeof(*stbuf));
	stbuf->st_ino = in->ino;
	stbuf->st_uid = fs->uid;
	stbuf->st_gid = fs->gid;
	stbuf->st_mtim = fs->mtime;
	stbuf->st_ctim = fs->mtime;
	stbuf->st_atim = fs->mtime;
	stbuf->st_blksize = 4096;
	switch (in->node.type) {
	case NODE_DIR:
		stbuf->st_mode = S_IFDIR | 0555;
		stbuf->st_nlink = 2;
		break;
	case NODE_FILE:
	case NODE_LINK:
		rc = inode_content(fs, in, 0);
		if (rc)
			return rc;
		stbuf->st_mode = in->node.type == NODE_FILE ? (S_IFREG | 0444) : (S_IFLNK | 0777);
		stbuf->st_nlink = 1;
		stbuf->st_size = (off_t)in->size;
		stbuf->st_blocks = (blkcnt_t)((in->size + 511) / 512);
		break;
	}
	return 0;
}

/* The inode of `name` in `parent`: known already, or resolved now. */
static int child_inode(struct fs_state *fs, struct fs_inode *parent, const char *name, struct fs_inode **out)
{
	struct strbuf path = STRBUF_INIT;
	struct tree_node node;
	int rc;

	strbuf_addf(&path, "%s/%s", parent->path, name);
	if (strbuf_ok(&path))
		return -ENOMEM;
	*out = inodes_find(&fs->inodes, path.buf);
	if (*out) {
		strbuf_release(&path);
		return 0;
	}
	rc = tree_child(&fs->tree, &parent->node, name, &node);
	if (!rc) {
		*out = inodes_add(&fs->inodes, path.buf, &node);
		rc = *out ? 0 : -ENOMEM;
	}
	strbuf_release(&path);
	return rc;
}

static int fill_entry(struct fs_state *fs, struct fs_inode *in, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = in->ino;
	e->generation = 1;
	e->attr_timeout = FS_TIMEOUT;
	e->entry_timeout = FS_TIMEOUT;
	return fill_attr(fs, in, &e->attr);
}

static void fs_init(void *userdata, struct fuse_conn_info *conn)
{
	struct fs_state *fs = userdata;

	if (conn->capable & FUSE_CAP_READDIRPLUS) {
		conn->want |= FUSE_CAP_READDIRPLUS;
		conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
	}
	fs->no_open = !!(conn->capable & FUSE_CAP_NO_OPEN_SUPPORT);
	fs->no_opendir = !!(conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT);
}

static void fs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fs_state *fs = state_of(req);
	struct fs_inode *p = inodes_get(&fs->inodes, parent), *in = NULL;
	struct fuse_entry_param e;
	int rc;

	if (!p) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	rc = child_inode(fs, p, name, &in);
	if (!rc)
		rc = fill_entry(fs, in, &e);
	if (rc == -ENOENT) {
		/* A negative entry the kernel may cache: no upcall for the next miss. */
		memset(&e, 0, sizeof(e));
		e.entry_timeout = FS_TIMEOUT;
		fuse_reply_entry(req, &e);
		return;
	}
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_entry(req, &e);
}

static void fs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_state *fs = state_of(req);
	struct fs_inode *in = inodes_get(&fs->inodes, ino);
	struct stat stbuf;
	int rc;

	(void)fi;
	rc = in ? fill_attr(fs, in, &stbuf) : -ENOENT;
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_attr(req, &stbuf, FS_TIMEOUT);
}

static void fs_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct fs_state *fs = state_of(req);
	struct fs_inode *in = inodes_get(&fs->inodes, ino);
	struct strbuf sb = STRBUF_INIT;
	int rc;

	if (!in || in->node.type != NODE_LINK)
		rc = -EINVAL;
	else
		rc = tree_render(&fs->tree, &in->node, &sb);
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_readlink(req, sb.buf);
	strbuf_release(&sb);
}

static void fs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_state *fs = state_of(req);
	struct fs_inode *in = inodes_get(&fs->inodes, ino);

	if (!in) {
		fuse_reply_err(req, ENOENT);
	} else if ((fi->flags & O_ACCMODE) != O_RDONLY) {
		fuse_reply_err(req, EROFS);
	} else if (fs->no_open) {
		fuse_reply_err(req, ENOSYS); /* no OPEN or RELEASE again, page cache kept */
	} else {
		fi->keep_cache = 1;
		fi->noflush = 1;
		fuse_reply_open(req, fi);
	}
}

static void fs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct fs_state *fs = state_of(req);
	struct fs_inode *in = inodes_get(&fs->inodes, ino);
	int rc;

	(void)fi;
	if (!in || in->node.type != NODE_FILE) {
		fuse_reply_err(req, in ? EISDIR : ENOENT);
		return;
	}
	rc = inode_content(fs, in, 1);
	if (rc) {
		fuse_reply_err(req, -rc);
		return;
	}
	if ((uint64_t)off >= in->content_len) {
		fuse_reply_buf(req, NULL, 0);
	} else {
		size_t n = in->content_len - (size_t)off;

		fuse_reply_buf(req, in->content + off, n < size ? n : size);
		if ((size_t)off + (n < size ? n : size) < in->content_len)
			return;
	}
	/* Served to the end: the page cache holds it now. */
	free(in->content);
	in->content = NULL;
	in->content_len = 0;
}

static void fs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_state *fs = state_of(req);
	struct fs_inode *in = inodes_get(&fs->inodes, ino);

	if (!in) {
		fuse_reply_err(req, ENOENT);
	} else if (in->node.type != NODE_DIR) {
		fuse_reply_err(req, ENOTDIR);
	} else if (fs->no_opendir) {
		fuse_reply_err(req, ENOSYS);
	} else {
		fi->cache_readdir = 1;
		fi->keep_cache = 1;
		fuse_reply_open(req, fi);
	}
}

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, int plus)
{
	struct fs_state *fs = state_of(req);
	struct fs_inode *in = inodes_get(&fs->inodes, ino);
	char *buf = NULL;
	size_t used = 0;
	int rc = 0;

	if (!in || in->node.type != NODE_DIR) {
		fuse_reply_err(req, in ? ENOTDIR : ENOENT);
		return;
	}
	if (off == 0 || !in->names_valid) {
		strlist_release(&in->names);
		rc = tree_list(&fs->tree, &in->node, &in->names);
		if (rc) {
			fuse_reply_err(req, -rc);
			return;
		}
		in->names_valid = 1;
	}
	buf = malloc(size);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	/* Offsets: 1 after ".", 2 after "..", k + 3 after names[k]. */
	for (; (size_t)off < in->names.n + 2; off++) {
		const char *name = off == 0 ? "." : off == 1 ? ".." : in->names.items[off - 2];
		struct fuse_entry_param e;
		struct fs_inode *child = NULL;
		size_t need;

		memset(&e, 0, sizeof(e));
		if (off < 2) {
			e.attr.st_ino = in->ino;
			e.attr.st_mode = S_IFDIR;
		} else {
			rc = child_inode(fs, in, name, &child);
			if (!rc)
				rc = fill_entry(fs, child, &e);
			if (rc == -ENOENT) { /* vanished since the listing: skip it */
				rc = 0;
				continue;
			}
			if (rc)
				break;
		}
		if (plus)
			need = fuse_add_direntry_plus(req, buf + used, size - used, name, &e, off + 1);
		else
			need = fuse_add_direntry(req, buf + used, size - used, name, &e.attr, off + 1);
		if (need > size - used)
			break; /* full; the entry was not added, and with plus no lookup was counted */
		used += need;
	}
	if (rc && !used) {
		fuse_reply_err(req, -rc);
	} else {
		if ((size_t)off >= in->names.n + 2) {
			strlist_release(&in->names); /* listed to the end */
			in->names_valid = 0;
		}
		fuse_reply_buf(req, buf, used);
	}
	free(buf);
}

static void fs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	do_readdir(req, ino, size, off, 0);
}

static void fs_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	do_readdir(req, ino, size, off, 1);
}

static void fs_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct fs_state *fs = state_of(req);
	struct statvfs sv;

	(void)ino;
	memset(&sv, 0, sizeof(sv));
	sv.f_bsize = 4096;
	sv.f_frsize = 4096;
	sv.f_files = fs->inodes.n;
	sv.f_namemax = 255;
	sv.f_flag = ST_RDONLY;
	fuse_reply_statfs(req, &sv);
}

/* Every way of changing the tree: refused, and nothing changes. */
static void erofs(fuse_req_t req)
{
	state_of(req);
	fuse_reply_err(req, EROFS);
}

static void fs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set, struct fuse_file_info *fi)
{
	(void)ino, (void)attr, (void)to_set, (void)fi;
	erofs(req);
}

static void fs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	(void)parent, (void)name, (void)mode, (void)rdev;
	erofs(req);
}

static void fs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	(void)parent, (void)name, (void)mode;
	erofs(req);
}

static void fs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	(void)parent, (void)name;
	erofs(req);
}

static void fs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	(void)link, (void)parent, (void)name;
	erofs(req);
}

static void fs_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		      const char *newname, unsigned int flags)
{
	(void)parent, (void)name, (void)newparent, (void)newname, (void)flags;
	erofs(req);
}

static void fs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	(void)ino, (void)newparent, (void)newname;
	erofs(req);
}

static void fs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	(void)parent, (void)name, (void)mode, (void)fi;
	erofs(req);
}

static void fs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	(void)ino, (void)buf, (void)size, (void)off, (void)fi;
	erofs(req);
}

static void fs_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value, size_t size,
			int flags)
{
	(void)ino, (void)name, (void)value, (void)size, (void)flags;
	erofs(req);
}

static void fs_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	(void)ino, (void)name;
	erofs(req);
}

static const struct fuse_lowlevel_ops fs_ops = {
	.init = fs_init,
	.lookup = fs_lookup,
	.getattr = fs_getattr,
	.readlink = fs_readlink,
	.open = fs_open,
	.read = fs_read,
	.opendir = fs_opendir,
	.readdir = fs_readdir,
	.readdirplus = fs_readdirplus,
	.statfs = fs_statfs,
	.setattr = fs_setattr,
	.mknod = fs_mknod,
	.mkdir = fs_mkdir,
	.unlink = fs_unlink,
	.rmdir = fs_unlink,
	.symlink = fs_symlink,
	.rename = fs_rename,
	.link = fs_link,
	.create = fs_create,
	.write = fs_write,
	.setxattr = fs_setxattr,
	.removexattr = fs_removexattr,
};

int fs_mount(const struct fs_mount_options *o, struct strbuf *err)
{
	struct fs_state fs;
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_session *se = NULL;
	struct strbuf opts = STRBUF_INIT;
	struct stat dbst;
	const char *source;
	int rc = 0, mounted = 0, handlers = 0;

	memset(&fs, 0, sizeof(fs));
	if (stat(o->db, &dbst) == 0)
		fs.mtime = dbst.st_mtim;
	/* Open once before forking, so a bad inventory is reported on the terminal. */
	rc = store_open(o->db, STORE_READONLY | o->store_flags, &fs.st, err);
	if (o->unlink_db)
		unlink(o->db); /* the open handle keeps a private copy alive until the unmount */
	if (rc)
		return rc;
	fs.uid = getuid();
	fs.gid = getgid();
	tree_init(&fs.tree, fs.st);
	rc = inodes_init(&fs.inodes);
	if (rc)
		goto out;

	strbuf_addstr(&opts, "ro,default_permissions,subtype=nletsfs,fsname=");
	source = o->source ? o->source : o->db;
	strbuf_addstr(&opts, strchr(source, ',') ? "nletsfs" : source);
	if (o->options && *o->options)
		strbuf_addf(&opts, ",%s", o->options);
	if (fuse_opt_add_arg(&args, "nletsfs") || fuse_opt_add_arg(&args, "-o") ||
	    fuse_opt_add_arg(&args, opts.buf) || (o->debug && fuse_opt_add_arg(&args, "-d"))) {
		rc = -ENOMEM;
		goto out;
	}
	se = fuse_session_new(&args, &fs_ops, sizeof(fs_ops), &fs);
	if (!se) {
		strbuf_addf(err, "cannot start the filesystem (bad -o option?)");
		rc = -EINVAL;
		goto out;
	}
	if (fuse_set_signal_handlers(se)) {
		strbuf_addf(err, "cannot set signal handlers");
		rc = -EIO;
		goto out;
	}
	handlers = 1;
	if (fuse_session_mount(se, o->mountpoint)) {
		strbuf_addf(err, "cannot mount on %s", o->mountpoint);
		rc = -EIO;
		goto out;
	}
	mounted = 1;
	if (fuse_daemonize(o->foreground || o->debug)) {
		rc = -EIO;
		goto out;
	}
	rc = fuse_session_loop(se);
	rc = rc < 0 ? rc : 0;
out:
	if (mounted)
		fuse_session_unmount(se);
	if (handlers)
		fuse_remove_signal_handlers(se);
	if (se)
		fuse_session_destroy(se);
	fuse_opt_free_args(&args);
	strbuf_release(&opts);
	inodes_release(&fs.inodes);
	store_close(fs.st);
	return rc;
}
