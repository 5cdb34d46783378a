/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Private to importers/: the one archive reader, for both doors an archive
 * comes in by: a records bundle (bundle.c) and a document archive
 * (doc_archive.c, and an email's attachments). One set of limits, stated
 * here and in docs/documents.md ("Archives"), which docs/format.md points
 * to. libarchive's own names start with archive_; these start with ar_.
 */
#ifndef NLETSFS_ARCHIVE_I_H
#define NLETSFS_ARCHIVE_I_H

#include <archive.h>
#include <archive_entry.h>
#include <stddef.h>

#include "../util/strbuf.h"

#define AR_MEMBER_MAX (256UL << 20)	/* bytes of one member, uncompressed (and of an attachment) */
#define AR_RATIO_MAX 200		/* uncompressed / compressed bytes of a member */
#define AR_RATIO_SLACK (64UL << 10)	/* read-ahead the compressed count may miss */
#define AR_NESTING_MAX 3		/* archives (and emails) inside archives */
#define AR_BLOCK 16384			/* libarchive reads this much at a time */

/* An archive held in memory, handed to libarchive a block at a time (so byte counts are exact). */
struct ar_memory {
	const unsigned char *data;
	size_t len, pos;
};

/*
 * Open an archive (every format and filter libarchive reads) from a file,
 * or from bytes in `m` (which must outlive the reader). A zip without its
 * central directory is refused as truncated: libarchive would read its
 * members up to the cut. Returns 0 with *out to archive_read_free(), 1
 * when refused (why: "truncated zip archive: ...", "truncated or corrupt
 * archive: ...", or why the file cannot be opened), or -ENOMEM.
 */
int ar_open_file(const char *path, struct archive **out, struct strbuf *why);
int ar_open_memory(struct ar_memory *m, const void *data, size_t len, struct archive **out, struct strbuf *why);

/*
 * Read the member whose header `e` is, appending its bytes to `out`, which
 * grows as they arrive: nothing is allocated on the word of a header.
 * Refused (returns 1, the reason in `why`): a header claiming more than
 * AR_MEMBER_MAX, more bytes than that as they are read, bytes expanding
 * more than AR_RATIO_MAX times the compressed bytes read for them, a read
 * error (truncated, corrupt, encrypted), and a count of bytes other than
 * the header's. `check`, when given, is asked after each block and
 * refuses by returning 1 with its reason in `why`. Returns 0, 1 or -ENOMEM.
 */
int ar_read_member(struct archive *a, struct archive_entry *e, struct strbuf *out,
		   int (*check)(void *arg, const struct strbuf *data, struct strbuf *why), void *arg,
		   struct strbuf *why);

#endif
