// SPDX-License-Identifier: GPL-3.0-or-later
/* nletsfs keygen: an Ed25519 key pair for signing bundles. */
#include <getopt.h>
#include <stdio.h>

#include "../nlb/nlb.h"
#include "cli.h"

static void help(void)
{
	printf("usage: nletsfs keygen -o NAME\n"
	       "\n"
	       "Make an Ed25519 key pair for signing bundles (`nletsfs pack`): NAME.pem, the\n"
	       "private key (mode 0600: keep it secret), and NAME.pub.pem, the public key\n"
	       "(publish it: whoever mounts your bundles checks them with it). Existing files\n"
	       "are never replaced. Prints the key's fingerprint, sha256:HEX, the SHA-256 of\n"
	       "the public key in DER form.\n"
	       "\n"
	       "  -o NAME       where to write the two files\n"
	       "  -h, --help    this text\n"
	       "  -V, --version the version\n");
}

int cmd_keygen(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		CLI_VERSION_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	struct strbuf fp = STRBUF_INIT, err = STRBUF_INIT;
	const char *name = NULL;
	int c, status = EXIT_DONE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:V", longopts, NULL)) != -1) {
		if (c == 'o') {
			name = optarg;
		} else if (c == 'h') {
			help();
			return EXIT_DONE;
		} else if (c == 'V') {
			return cli_version();
		} else {
			return cli_usage_error("keygen", "bad option");
		}
	}
	if (optind != argc)
		return cli_usage_error("keygen", "unexpected argument '%s'", argv[optind]);
	if (!name || !*name)
		return cli_usage_error("keygen", "give -o NAME: where to write NAME.pem and NAME.pub.pem");
	if (nlb_keygen(name, &fp, &err)) {
		cli_say("keygen", "%s", err.buf);
		status = EXIT_BAD_DATA;
	} else {
		printf("%s.pem: the private key; keep it secret\n"
		       "%s.pub.pem: the public key; publish it\n"
		       "fingerprint: %s\n",
		       name, name, fp.buf);
	}
	strbuf_release(&fp);
	strbuf_release(&err);
	return status;
}
