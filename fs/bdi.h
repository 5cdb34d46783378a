/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Private to fs/: the mount's own read-ahead window (-o read_ahead_kb=N).
 *
 * A FUSE mount gets the kernel's default window, 128 KiB, and a daemon can
 * only lower it at INIT; root may raise it afterwards through the mount's
 * backing device in sysfs (/sys/class/bdi/MAJ:MIN/read_ahead_kb), as an
 * admin would by hand. It is the mount's alone, like a kernel filesystem's
 * rsize or rasize (CIFS, CephFS): nothing else on the host changes. A
 * sequential read of a big file (`changes`) then takes its READs 1 MiB at a
 * time instead of 128 KiB; small and random reads keep small windows.
 */
#ifndef NLETSFS_BDI_H
#define NLETSFS_BDI_H

/*
 * Set the read-ahead window of the FUSE mount at `mountpoint` (absolute, as
 * the mount table shows it; the last mount there) to `kb` KiB. Found through
 * /proc/self/mountinfo, so nothing asks the mount itself. Returns 0, or a
 * negative errno: -ENOENT when no FUSE mount is there, the write's error
 * (-EACCES when not root) otherwise.
 */
int bdi_read_ahead_set(const char *mountpoint, unsigned kb);

#endif
