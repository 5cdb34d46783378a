// SPDX-License-Identifier: GPL-3.0-or-later
/* What mount and pull share for a bundle fetched by URL: the options, and their values. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct unit {
	char suffix;	/* '\0': none */
	uint64_t times;
};

static const struct unit seconds[] = { { '\0', 1 }, { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 0, 0 } };
/* Powers of 1024. */
static const struct unit bytes[] = { { '\0', 1 }, { 'K', 1 << 10 }, { 'k', 1 << 10 }, { 'M', 1 << 20 },
				     { 'G', 1 << 30 }, { 0, 0 } };

/* A whole number with at most one unit suffix ("90", "5m", "200M"), up to `max`: 0, or -EINVAL. */
static int parse_scaled(const char *s, const struct unit *units, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || (end[0] && end[1]))
		return -EINVAL;
	for (; units->times; units++) {
		if (units->suffix != *end)
			continue;
		if (v > max / units->times)
			return -EINVAL;
		*out = v * units->times;
		return 0;
	}
	return -EINVAL;
}

/* Whole seconds, up to ten years. */
static int parse_duration(const char *s, unsigned *out)
{
	uint64_t v;
	int rc = parse_scaled(s, seconds, 3650ull * 86400, &v);

	if (!rc)
		*out = (unsigned)v;
	return rc;
}

static int value_of(const char *p, size_t n, const char *key, struct strbuf *into)
{
	size_t k = strlen(key);

	if (n <= k || strncmp(p, key, k))
		return 0;
	strbuf_reset(into);
	strbuf_add(into, p + k, n - k);
	return 1;
}

int cli_net_option(const char *p, size_t n, struct cli_net *c)
{
	if (n == 10 && !strncmp(p, "allow_http", 10)) {
		c->allow_http = 1;
		return 1;
	}
	return value_of(p, n, "refresh=", &c->refresh) || value_of(p, n, "cacert=", &c->cacert) ||
	       value_of(p, n, "max_size=", &c->max_size) || value_of(p, n, "timeout=", &c->timeout) ||
	       value_of(p, n, "cache=", &c->cache);
}

int cli_net_finish(const char *cmd, const struct cli_net *c, struct net_sub_options *o, unsigned *refresh)
{
	unsigned timeout = 0;

	o->cache = c->cache.len ? c->cache.buf : NULL;
	o->net.cacert = c->cacert.len ? c->cacert.buf : NULL;
	o->net.allow_http = c->allow_http;
	o->net.max_bytes = NET_MAX_BYTES_DEFAULT;
	if (c->max_size.len && (parse_scaled(c->max_size.buf, bytes, UINT64_MAX, &o->net.max_bytes) ||
				!o->net.max_bytes))
		return cli_usage_error(cmd, "max_size=%s: a size in bytes, or with K, M or G (e.g. 200M)",
				       c->max_size.buf);
	if (c->timeout.len && (parse_duration(c->timeout.buf, &timeout) || !timeout))
		return cli_usage_error(cmd, "timeout=%s: a duration from 1 s (e.g. 90s, 10m)", c->timeout.buf);
	o->net.timeout = timeout;
	if (refresh) {
		*refresh = CLI_REFRESH_DEFAULT;
		if (c->refresh.len && parse_duration(c->refresh.buf, refresh))
			return cli_usage_error(cmd, "refresh=%s: a duration (e.g. 30m, 1h, 1d; 0: only on SIGHUP)",
					       c->refresh.buf);
	}
	return -1;
}

void cli_net_release(struct cli_net *c)
{
	strbuf_release(&c->refresh);
	strbuf_release(&c->cacert);
	strbuf_release(&c->max_size);
	strbuf_release(&c->timeout);
	strbuf_release(&c->cache);
}
