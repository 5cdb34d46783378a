/* SPDX-License-Identifier: GPL-3.0-or-later */
/* io: small helpers over file descriptors, and what the system lets a process have. */
#ifndef NLETSFS_IO_H
#define NLETSFS_IO_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/**
 * Write all `len` bytes of `data` to `fd`, going on after short writes and
 * EINTR. Returns 0, or a negative errno (-ENOSPC on a full disk); after a
 * failure an unknown part was written.
 */
int io_write_all(int fd, const void *data, size_t len);
/**
 * Append what is left to read of `fd` to `out`, going on after EINTR.
 * Stops with -EFBIG once `out` holds more than `max` bytes, and with
 * check(arg, out)'s non-zero return (a negative errno) when `check` is
 * given; it is asked after each block. Returns 0, -ENOMEM, or a negative
 * errno; `out` keeps what was read.
 */
int io_read_all(int fd, struct strbuf *out, size_t max, int (*check)(void *arg, const struct strbuf *out),
		void *arg);
/**
 * The memory this process may have, in bytes: the machine's, or its
 * control group's limit where that is less (cgroup v2 memory.max, v1
 * memory.limit_in_bytes; a container's). 0 when nothing says.
 */
uint64_t io_memory_bytes(void);

#endif
