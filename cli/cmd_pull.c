// SPDX-License-Identifier: GPL-3.0-or-later
/* nletsfs pull: fetch a signed bundle by URL and verify it, without mounting. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void help(void)
{
	printf("usage: nletsfs pull URL --trust PUB.pem [-o FILE] [--cacert CA.pem] [--allow-http]\n"
	       "                        [--max-size SIZE] [--timeout DURATION] [--cache DIR]\n"
	       "\n"
	       "Fetch the signed bundle at URL (https://, file://; http:// only with\n"
	       "--allow-http) as a subscription does: conditionally (a 304 downloads\n"
	       "nothing), bounded in time and size, into the cache ($XDG_CACHE_HOME/nletsfs,\n"
	       "/var/cache/nletsfs for root), and only once its signature and every hash\n"
	       "hold and it is not older than the bundle cached (rollback). Then write the\n"
	       "verified bundle to FILE (default: the URL's last segment, here).\n"
	       "\n"
	       "  --trust PUB.pem      the public key the bundle must be signed with\n"
	       "  -o FILE              where to write the bundle (replaced whole, or not at all)\n"
	       "  --cacert CA.pem      check the TLS server against this CA, not the system's\n"
	       "  --allow-http         allow plain http:// (the signature protects the content,\n"
	       "                       not who reads it)\n"
	       "  --max-size SIZE      the most bytes to read (default 1G; 200M, 64K)\n"
	       "  --timeout DURATION   the longest a download may take (default 10m; 90s)\n"
	       "  --cache DIR          the cache folder\n"
	       "  -h, --help           this text\n");
}

/* "coalition.nlb" from "https://host/path/coalition.nlb?x=1". */
static char *default_out(const char *url)
{
	size_t end = strcspn(url, "?#"), start = end;

	while (start && url[start - 1] != '/')
		start--;
	if (start == end || url[start] == '.')
		return strdup("bundle.nlb");
	return strndup(url + start, end - start);
}

int cmd_pull(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "trust", required_argument, NULL, 'T' },
		{ "cacert", required_argument, NULL, 'C' },
		{ "allow-http", no_argument, NULL, 'H' },
		{ "max-size", required_argument, NULL, 'M' },
		{ "timeout", required_argument, NULL, 't' },
		{ "cache", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_net net = CLI_NET_INIT;
	struct net_sub_options so = { 0 };
	struct strbuf err = STRBUF_INIT, what = STRBUF_INIT;
	struct net_sub *sub = NULL;
	const char *out = NULL;
	char *dflt = NULL;
	int c, rc, status = EXIT_DONE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'T':
			so.trust = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'C':
			strbuf_addstr(&net.cacert, optarg);
			break;
		case 'H':
			net.allow_http = 1;
			break;
		case 'M':
			strbuf_addstr(&net.max_size, optarg);
			break;
		case 't':
			strbuf_addstr(&net.timeout, optarg);
			break;
		case 'c':
			strbuf_addstr(&net.cache, optarg);
			break;
		case 'h':
			help();
			goto done;
		default:
			status = cli_usage_error("pull", "bad option");
			goto done;
		}
	}
	if (argc - optind != 1) {
		status = cli_usage_error("pull", "give one URL");
		goto done;
	}
	so.url = argv[optind];
	if (!net_is_url(so.url)) {
		status = cli_usage_error("pull", "%s: not a URL (https://, file://, or http:// with --allow-http)", so.url);
		goto done;
	}
	if (!so.trust) {
		status = cli_usage_error("pull", "give --trust PUB.pem, the public key of the bundle's signer");
		goto done;
	}
	rc = cli_net_finish("pull", &net, &so, NULL);
	if (rc >= 0) {
		status = rc;
		goto done;
	}
	if (!out && !(out = dflt = default_out(so.url))) {
		status = EXIT_BAD_DATA;
		goto done;
	}
	rc = net_sub_open(&so, &sub, &err);
	if (!rc)
		rc = net_sub_check(sub, NULL, &err);
	if (rc >= 0)
		rc = net_sub_copy(sub, out, &err);
	if (rc >= 0)
		rc = net_sub_describe(sub, &what);
	if (rc < 0) {
		fprintf(stderr, "nletsfs pull: %s\n", err.len ? err.buf : strerror(-rc));
		status = EXIT_BAD_DATA;
	} else {
		printf("%s: ok: %s -> %s\n", so.url, what.buf, out);
	}
done:
	net_sub_close(sub);
	cli_net_release(&net);
	strbuf_release(&err);
	strbuf_release(&what);
	free(dflt);
	return status;
}
