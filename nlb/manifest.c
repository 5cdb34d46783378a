// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The manifest of a signed bundle: a few lines of text, rendered and parsed
 * here without any I/O. The parser is strict and canonical (one spelling of
 * every line), because the manifest is what the signature covers: whatever
 * it accepts must mean exactly one thing.
 *
 *   nletsfs-bundle 2
 *   name: coalition inventory
 *   date: 2026-11-27T10:00:00Z
 *   signer: sha256:<64 hex>
 *   serial: 7
 *   member: inventory.db 1499136 <64 hex>
 *
 * Version 1 is the same without the serial line; it is read as serial 0,
 * older than every bundle of version 2.
 */
#include "nlb_i.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/array.h"
#include "../util/utf8.h"

#define MANIFEST_MAGIC "nletsfs-bundle "
#define NAME_MAX_BYTES 256
#define MEMBER_NAME_MAX 100	/* what a plain ustar header holds */

int nlb_manifest_add(struct nlb_manifest *m, const char *name, uint64_t size, const char *sha256_hex)
{
	struct nlb_member *mem;

	if (array_reserve(&m->members, m->n, &m->alloc, sizeof(*m->members), 4))
		return -ENOMEM;
	mem = &m->members[m->n];
	mem->name = strdup(name);
	if (!mem->name)
		return -ENOMEM;
	mem->size = size;
	snprintf(mem->sha256, sizeof(mem->sha256), "%s", sha256_hex);
	m->n++;
	return 0;
}

const struct nlb_member *nlb_manifest_find(const struct nlb_manifest *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->members[i].name, name))
			return &m->members[i];
	return NULL;
}

void nlb_manifest_release(struct nlb_manifest *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->members[i].name);
	free(m->members);
	free(m->name);
	free(m->date);
	free(m->signer);
	memset(m, 0, sizeof(*m));
}

int nlb_manifest_render(const struct nlb_manifest *m, struct strbuf *out)
{
	size_t i;

	strbuf_addf(out, MANIFEST_MAGIC "%u\n", m->version);
	strbuf_addf(out, "name: %s\n", m->name);
	strbuf_addf(out, "date: %s\n", m->date);
	strbuf_addf(out, "signer: %s\n", m->signer);
	if (m->version >= 2)
		strbuf_addf(out, "serial: %llu\n", (unsigned long long)m->serial);
	for (i = 0; i < m->n; i++)
		strbuf_addf(out, "member: %s %llu %s\n", m->members[i].name,
			    (unsigned long long)m->members[i].size, m->members[i].sha256);
	return strbuf_ok(out);
}

int nlb_name_valid(const char *name)
{
	size_t len = strlen(name), i;

	if (!len || len > NAME_MAX_BYTES || !utf8_text(name, len))
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return 0;
	return 1;
}

static int all_of(const char *s, size_t len, const char *set)
{
	return strspn(s, set) >= len;
}

static int hex64(const char *s)
{
	return strlen(s) == 64 && all_of(s, 64, "0123456789abcdef");
}

static int two_digits(const char *s, int max)
{
	return s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && (s[0] - '0') * 10 + (s[1] - '0') <= max;
}

/* YYYY-MM-DDTHH:MM:SSZ, a real day and time (UTC). */
static int date_valid(const char *s)
{
	char day[11];

	if (strlen(s) != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return 0;
	memcpy(day, s, 10);
	day[10] = '\0';
	return store_date_full(day) && two_digits(s + 11, 23) && two_digits(s + 14, 59) && two_digits(s + 17, 60);
}

static int member_name_valid(const char *s)
{
	size_t len = strlen(s);

	return len && len <= MEMBER_NAME_MAX &&
	       all_of(s, len, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") &&
	       strcmp(s, ".") && strcmp(s, "..") && strcmp(s, NLB_MANIFEST) && strcmp(s, NLB_SIGNATURE);
}

/* A size in canonical decimal: digits, no sign, no leading zero, no overflow; else -EBADMSG. */
static int parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s || (s[0] == '0' && s[1]) || !all_of(s, strlen(s), "0123456789"))
		return -EBADMSG;
	for (; *s; s++) {
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -EBADMSG;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/* "member: NAME SIZE SHA256" (the part after "member: "). */
static int parse_member(char *v, struct nlb_manifest *m, unsigned line, struct strbuf *err)
{
	char *size = strchr(v, ' '), *sha = size ? strchr(size + 1, ' ') : NULL;
	uint64_t n;

	if (!size || !sha) {
		strbuf_addf(err, "MANIFEST line %u: a member line is `member: NAME SIZE SHA256`", line);
		return -EBADMSG;
	}
	*size++ = '\0';
	*sha++ = '\0';
	if (!member_name_valid(v)) {
		strbuf_addf(err, "MANIFEST line %u: bad member name '%s'", line, v);
		return -EBADMSG;
	}
	if (nlb_manifest_find(m, v)) {
		strbuf_addf(err, "MANIFEST line %u: member '%s' listed twice", line, v);
		return -EBADMSG;
	}
	if (parse_size(size, &n) || !hex64(sha)) {
		strbuf_addf(err, "MANIFEST line %u: member '%s': bad size or SHA-256", line, v);
		return -EBADMSG;
	}
	return nlb_manifest_add(m, v, n, sha);
}

/* One "key: value" header line into its field (which must still be empty). */
static int parse_field(const char *key, char *v, char **field, int (*valid)(const char *), unsigned line,
		       struct strbuf *err)
{
	if (*field) {
		strbuf_addf(err, "MANIFEST line %u: '%s' given twice", line, key);
		return -EBADMSG;
	}
	if (!valid(v)) {
		strbuf_addf(err, "MANIFEST line %u: bad %s '%s'", line, key, v);
		return -EBADMSG;
	}
	*field = strdup(v);
	return *field ? 0 : -ENOMEM;
}

static int signer_valid(const char *s)
{
	return !strncmp(s, "sha256:", 7) && hex64(s + 7);
}

static int parse_version(const char *l, struct nlb_manifest *m, struct strbuf *err)
{
	const char *v = l + strlen(MANIFEST_MAGIC);
	uint64_t n;

	if (strncmp(l, MANIFEST_MAGIC, strlen(MANIFEST_MAGIC)) || parse_size(v, &n) || !n) {
		strbuf_addstr(err, "MANIFEST line 1: not an nletsfs bundle manifest");
		return -EBADMSG;
	}
	if (n > NLB_FORMAT_VERSION) {
		strbuf_addf(err, "MANIFEST: bundle format version %llu; this nletsfs reads versions 1 to %d (upgrade nletsfs)",
			    (unsigned long long)n, NLB_FORMAT_VERSION);
		return -EBADMSG;
	}
	m->version = (unsigned)n;
	return 0;
}

/* "serial: N": version 2 on, once, N >= 1 in canonical decimal. */
static int parse_serial(const char *v, struct nlb_manifest *m, unsigned line, struct strbuf *err)
{
	uint64_t n;

	if (m->version < 2) {
		strbuf_addf(err, "MANIFEST line %u: a serial in a version 1 manifest", line);
		return -EBADMSG;
	}
	if (m->serial) {
		strbuf_addf(err, "MANIFEST line %u: 'serial' given twice", line);
		return -EBADMSG;
	}
	if (parse_size(v, &n) || !n) {
		strbuf_addf(err, "MANIFEST line %u: bad serial '%s' (a whole number from 1)", line, v);
		return -EBADMSG;
	}
	m->serial = n;
	return 0;
}

static int parse_line(char *l, unsigned line, struct nlb_manifest *m, struct strbuf *err)
{
	char *colon = strstr(l, ": ");

	if (line == 1)
		return parse_version(l, m, err);
	if (!colon) {
		strbuf_addf(err, "MANIFEST line %u: not a `key: value` line", line);
		return -EBADMSG;
	}
	*colon = '\0';
	if (!strcmp(l, "member")) {
		if (!m->name || !m->date || !m->signer || (m->version >= 2 && !m->serial)) {
			strbuf_addf(err, "MANIFEST line %u: members come after name, date and signer%s", line,
				    m->version >= 2 ? ", and serial" : "");
			return -EBADMSG;
		}
		return parse_member(colon + 2, m, line, err);
	}
	if (m->n) {
		strbuf_addf(err, "MANIFEST line %u: '%s' after the members", line, l);
		return -EBADMSG;
	}
	if (!strcmp(l, "name"))
		return parse_field(l, colon + 2, &m->name, nlb_name_valid, line, err);
	if (!strcmp(l, "date"))
		return parse_field(l, colon + 2, &m->date, date_valid, line, err);
	if (!strcmp(l, "signer"))
		return parse_field(l, colon + 2, &m->signer, signer_valid, line, err);
	if (!strcmp(l, "serial"))
		return parse_serial(colon + 2, m, line, err);
	strbuf_addf(err, "MANIFEST line %u: unknown key '%s'", line, l);
	return -EBADMSG;
}

int nlb_manifest_parse(const char *text, size_t len, struct nlb_manifest *m, struct strbuf *err)
{
	char *copy = NULL, *p, *nl;
	unsigned line = 0;
	int rc = 0;

	memset(m, 0, sizeof(*m));
	if (!len || text[len - 1] != '\n' || !utf8_text(text, len)) {
		strbuf_addstr(err, "MANIFEST: not text ending in a newline");
		return -EBADMSG;
	}
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (p = copy; !rc && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		*nl = '\0';
		rc = parse_line(p, ++line, m, err);
	}
	if (!rc && !m->n) {
		strbuf_addstr(err, "MANIFEST: no members");
		rc = -EBADMSG;
	}
	free(copy);
	return rc;
}
