// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The one archive reader: what a records bundle and a document archive
 * share. Members are read start to end, their bytes appended as they come,
 * so a header's size is a claim to check, never a size to allocate. A
 * member is refused when it passes AR_MEMBER_MAX, when it expands more
 * than AR_RATIO_MAX times the compressed bytes read for it (a bomb stops
 * after a few MiB, not at the limit), and when it holds a count of bytes
 * other than its header says. Which entries a door takes (names, links,
 * duplicates) stays with the door: their messages differ, the limits not.
 */
#include "archive_i.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ZIP_TAIL (65536 + 22)	/* a zip's end record sits in its last 64 KiB + 22 bytes */

static la_ssize_t mem_read(struct archive *a, void *arg, const void **buf)
{
	struct ar_memory *m = arg;
	size_t n = m->len - m->pos < AR_BLOCK ? m->len - m->pos : AR_BLOCK;

	(void)a;
	*buf = m->data + m->pos;
	m->pos += n;
	return (la_ssize_t)n;
}

static la_int64_t mem_seek(struct archive *a, void *arg, la_int64_t off, int whence)
{
	struct ar_memory *m = arg;
	la_int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (la_int64_t)m->pos : (la_int64_t)m->len;

	(void)a;
	if (base + off < 0 || base + off > (la_int64_t)m->len)
		return ARCHIVE_FATAL;
	m->pos = (size_t)(base + off);
	return (la_int64_t)m->pos;
}

static la_int64_t mem_skip(struct archive *a, void *arg, la_int64_t n)
{
	struct ar_memory *m = arg;

	(void)a;
	if (n > (la_int64_t)(m->len - m->pos))
		n = (la_int64_t)(m->len - m->pos);
	m->pos += (size_t)n;
	return n;
}

static int is_zip(const unsigned char *data, size_t len)
{
	return len >= 4 && (!memcmp(data, "PK\x03\x04", 4) || !memcmp(data, "PK\x05\x06", 4));
}

/* 1 when the last n bytes of a zip hold its end record ("PK\5\6"). */
static int zip_complete(const unsigned char *tail, size_t n)
{
	for (size_t i = n >= 22 ? n - 22 + 1 : 0; i-- > 0;)
		if (!memcmp(tail + i, "PK\x05\x06", 4))
			return 1;
	return 0;
}

static struct archive *new_reader(void)
{
	struct archive *a = archive_read_new();

	if (a) {
		archive_read_support_filter_all(a);
		archive_read_support_format_all(a);
	}
	return a;
}

static int truncated_zip(struct strbuf *why)
{
	strbuf_addstr(why, "truncated zip archive: no central directory at its end");
	return 1;
}

/* libarchive's reason for an error, without the line break some end with (one error, one line). */
static void add_reason(struct strbuf *why, struct archive *a, const char *none)
{
	const char *s = archive_error_string(a) ? archive_error_string(a) : none;
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	strbuf_add(why, s, n);
}

/* The end of archive_read_open*(): 0, or 1 with libarchive's reason. */
static int opened(struct archive *a, int r, struct archive **out, struct strbuf *why)
{
	if (r != ARCHIVE_OK) {
		strbuf_addstr(why, "truncated or corrupt archive: ");
		add_reason(why, a, "unknown format");
		archive_read_free(a);
		return 1;
	}
	*out = a;
	return 0;
}

int ar_open_file(const char *path, struct archive **out, struct strbuf *why)
{
	unsigned char tail[ZIP_TAIL];
	struct archive *a;
	struct stat sb;
	ssize_t n = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;

	*out = NULL;
	if (fd >= 0 && !fstat(fd, &sb)) {
		n = pread(fd, tail, 4, 0);
		if (n == 4 && is_zip(tail, 4)) {
			off_t off = sb.st_size > ZIP_TAIL ? sb.st_size - ZIP_TAIL : 0;

			n = pread(fd, tail, (size_t)(sb.st_size - off), off);
			if (n >= 0 && !zip_complete(tail, (size_t)n)) {
				close(fd);
				return truncated_zip(why);
			}
		}
	}
	if (n < 0) {
		e = errno;
		if (fd >= 0)
			close(fd);
		strbuf_addstr(why, strerror(e));
		return 1;
	}
	close(fd);
	a = new_reader();
	if (!a)
		return -ENOMEM;
	return opened(a, archive_read_open_filename(a, path, AR_BLOCK), out, why);
}

int ar_open_memory(struct ar_memory *m, const void *data, size_t len, struct archive **out, struct strbuf *why)
{
	struct archive *a;

	*out = NULL;
	m->data = data;
	m->len = len;
	m->pos = 0;
	if (is_zip(m->data, len) && !zip_complete(m->data + (len > ZIP_TAIL ? len - ZIP_TAIL : 0),
						 len > ZIP_TAIL ? ZIP_TAIL : len))
		return truncated_zip(why);
	a = new_reader();
	if (!a)
		return -ENOMEM;
	archive_read_set_read_callback(a, mem_read);
	archive_read_set_seek_callback(a, mem_seek);
	archive_read_set_skip_callback(a, mem_skip);
	archive_read_set_callback_data(a, m);
	return opened(a, archive_read_open1(a), out, why);
}

int ar_read_member(struct archive *a, struct archive_entry *e, struct strbuf *out,
		   int (*check)(void *arg, const struct strbuf *data, struct strbuf *why), void *arg,
		   struct strbuf *why)
{
	la_int64_t size = archive_entry_size(e), before = archive_filter_bytes(a, -1);
	int sized = archive_entry_size_is_set(e);
	size_t start = out->len;
	char buf[65536];
	la_ssize_t n;

	if (sized && (size < 0 || (unsigned long long)size > AR_MEMBER_MAX)) {
		strbuf_addf(why, "%lld bytes uncompressed, over %lu MiB: refused", (long long)size, AR_MEMBER_MAX >> 20);
		return 1;
	}
	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
		unsigned long long packed = (unsigned long long)(archive_filter_bytes(a, -1) - before);
		size_t len = out->len - start + (size_t)n;

		/* Checked before the bytes are kept, so the buffer never grows past the limit. */
		if (len > AR_MEMBER_MAX) {
			strbuf_addf(why, "over %lu MiB uncompressed: refused", AR_MEMBER_MAX >> 20);
			return 1;
		}
		if (len > AR_RATIO_MAX * (packed + AR_RATIO_SLACK)) {
			strbuf_addf(why, "expands more than %d times its compressed size (an archive bomb?): refused",
				    AR_RATIO_MAX);
			return 1;
		}
		strbuf_add(out, buf, (size_t)n);
		if (strbuf_ok(out))
			return -ENOMEM;
		if (check && check(arg, out, why))
			return 1;
	}
	if (n < 0) {
		strbuf_addstr(why, "cannot be read: ");
		add_reason(why, a, "unknown error");
		strbuf_addstr(why, " (truncated, corrupt or encrypted archive)");
		return 1;
	}
	if (sized && (size_t)size != out->len - start) {
		strbuf_addf(why, "%zu bytes where its header says %lld: truncated or corrupt archive", out->len - start,
			    (long long)size);
		return 1;
	}
	return 0;
}
