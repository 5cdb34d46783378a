// SPDX-License-Identifier: GPL-3.0-or-later
/* Where mount and materialize read an inventory from: a database, or a signed bundle. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../nlb/nlb.h"
#include "../util/cleanup.h"
#include "cli.h"

int cli_source_prepare(const char *cmd, const char *path, const char *trust, int no_verify, struct cli_source *out)
{
	struct strbuf err = STRBUF_INIT;
	struct nlb_manifest m;
	int rc;

	memset(out, 0, sizeof(*out));
	out->db = path;
	/* By content, not by name: `--db x.nlb` and an fstab line both work. */
	rc = nlb_is_bundle(path);
	if (rc < 0) {
		cli_say(cmd, "%s: %s", path, strerror(-rc));
		return EXIT_BAD_DATA;
	}
	if (!rc) {
		if (!trust)
			return EXIT_DONE;
		cli_say(cmd, "%s is an inventory database, not a signed bundle: it has no signature to check against %s",
			path, trust);
		return EXIT_BAD_DATA;
	}
	if (!trust && !no_verify)
		return cli_usage_error(cmd, "%s is a signed bundle: give --trust PUB.pem (its signer's public key), "
				       "or --no-verify", path);
	if (!trust)
		cli_say(cmd, "warning: --no-verify: the signature of %s is not checked; anyone could have changed its content",
			path);
	rc = nlb_extract(path, trust, &out->tmp, &m, &err);
	nlb_manifest_release(&m);
	/* Packed by an older nletsfs: the private copy is brought to this schema. */
	if (!rc)
		rc = store_upgrade(out->tmp, &err);
	if (rc) {
		cli_say_failure(cmd, rc, err.buf);
		strbuf_release(&err);
		return EXIT_BAD_DATA;
	}
	strbuf_release(&err);
	out->db = out->tmp;
	out->store_flags = STORE_IMMUTABLE;
	return EXIT_DONE;
}

void cli_source_release(struct cli_source *s)
{
	if (s->tmp) {
		unlink(s->tmp);
		cleanup_forget(s->tmp);
	}
	free(s->tmp);
	s->tmp = NULL;
}
