// SPDX-License-Identifier: GPL-3.0-or-later
/* nletsfs verify: check a signed bundle against a public key. */
#include <getopt.h>
#include <stdio.h>

#include "../nlb/nlb.h"
#include "cli.h"

static void help(void)
{
	printf("usage: nletsfs verify BUNDLE.nlb --trust PUB.pem\n"
	       "\n"
	       "Check a signed bundle: its MANIFEST's Ed25519 signature against the public\n"
	       "key PUB.pem, that it holds exactly the members the MANIFEST lists (none\n"
	       "missing, none added), and the size and SHA-256 of each. Prints what it\n"
	       "checked; exits 0 when all of it holds, 1 otherwise, saying what failed.\n"
	       "\n"
	       "  --trust PUB.pem  the signer's public key (`nletsfs keygen` wrote it)\n"
	       "  -h, --help       this text\n"
	       "  -V, --version    the version\n");
}

int cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "trust", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		CLI_VERSION_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	struct strbuf err = STRBUF_INIT;
	struct nlb_manifest m;
	const char *trust = NULL;
	int c, rc, status = EXIT_DONE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		if (c == 'T') {
			trust = optarg;
		} else if (c == 'h') {
			help();
			return EXIT_DONE;
		} else if (c == 'V') {
			return cli_version();
		} else {
			return cli_usage_error("verify", "bad option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("verify", "give one BUNDLE.nlb");
	if (!trust)
		return cli_usage_error("verify", "give --trust PUB.pem, the public key of the bundle's signer");
	rc = nlb_read(argv[optind], trust, -1, &m, &err);
	if (rc) {
		cli_say_failure("verify", rc, err.buf);
		status = EXIT_BAD_DATA;
	} else {
		printf("%s: ok: inventory '%s' of %s, signed by %s; %zu member%s the MANIFEST\n",
		       argv[optind], m.name, m.date, m.signer, m.n, m.n == 1 ? " matches" : "s match");
	}
	nlb_manifest_release(&m);
	strbuf_release(&err);
	return status;
}
