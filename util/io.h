/* SPDX-License-Identifier: GPL-3.0-or-later */
/* io: small helpers over file descriptors. */
#ifndef NLETSFS_IO_H
#define NLETSFS_IO_H

#include <stddef.h>

/**
 * Write all `len` bytes of `data` to `fd`, going on after short writes and
 * EINTR. Returns 0, or a negative errno (-ENOSPC on a full disk); after a
 * failure an unknown part was written.
 */
int io_write_all(int fd, const void *data, size_t len);

#endif
