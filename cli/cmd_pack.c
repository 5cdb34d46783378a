// SPDX-License-Identifier: GPL-3.0-or-later
/* nletsfs pack: the inventory as one signed bundle. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../fs/fs.h"
#include "../nlb/nlb.h"
#include "cli.h"

static void help(void)
{
	printf("usage: nletsfs pack [--db FILE] [--name NAME] [--serial N] --key KEY.pem -o BUNDLE.nlb\n"
	       "\n"
	       "Write the inventory as one signed bundle: a tar holding a consistent copy of\n"
	       "the database, a MANIFEST (format version, the inventory's name, the date, the\n"
	       "signer's key fingerprint, a serial, and the size and SHA-256 of each member)\n"
	       "and the Ed25519 signature of the MANIFEST. Anyone with the public key mounts\n"
	       "it with\n"
	       "`nletsfs mount BUNDLE.nlb MOUNTPOINT --trust PUB.pem`, or checks it with\n"
	       "`nletsfs verify`. BUNDLE.nlb is replaced only once the new one is complete.\n"
	       "\n"
	       "  --db FILE       the inventory\n"
	       "  --name NAME     the inventory's name in the MANIFEST (default: the file's\n"
	       "                  name without .db)\n"
	       "  --serial N      the bundle's serial (default: one more than the serial of\n"
	       "                  the bundle at -o, or 1 when there is none); subscribers\n"
	       "                  refuse a bundle whose serial or date is older than theirs\n"
	       "  --key KEY.pem   the private key (`nletsfs keygen`)\n"
	       "  -o BUNDLE.nlb   the bundle to write\n"
	       "  -h, --help      this text\n"
	       "  -V, --version   the version\n"
	       "\n"
	       "The date is now, or $SOURCE_DATE_EPOCH when set (for reproducible bundles).\n");
}

/* "inventory" from "/srv/inventory.db". */
static char *default_name(const char *db)
{
	char *copy = strdup(db), *base, *name;
	size_t n;

	if (!copy)
		return NULL;
	base = basename(copy);
	n = strlen(base);
	if (n > 3 && !strcmp(base + n - 3, ".db"))
		base[n - 3] = '\0';
	name = strdup(base);
	free(copy);
	return name;
}

/* Now, or $SOURCE_DATE_EPOCH. */
static int pack_date(time_t *out)
{
	const char *env = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	*out = time(NULL);
	if (!env || !*env)
		return 0;
	errno = 0;
	v = strtoll(env, &end, 10);
	if (errno || *end || v < 0 || v > 253402300799LL) /* up to 9999-12-31 */
		return -EINVAL;
	*out = (time_t)v;
	return 0;
}

/*
 * A bundle is mounted immutable: it must carry the derived data, or every
 * reader would compute it on read. An inventory whose last write did not
 * derive (its first import failed after the schema moved on) derives now.
 */
static int derive_if_stale(const char *db, struct strbuf *err)
{
	struct store *st = NULL;
	int rc = store_open(db, STORE_READONLY, &st, err);

	if (!rc && store_derived_fresh(st)) {
		store_close(st);
		return 0;
	}
	store_close(st);
	st = NULL;
	if (!rc)
		rc = store_open(db, 0, &st, err);
	if (!rc && (rc = store_begin(st)) != 0)
		strbuf_addf(err, "cannot write %s: %s", db, store_errmsg(st));
	if (!rc) {
		rc = fs_derive(st, 0, NULL, NULL, err);
		if (rc)
			store_rollback(st);
		else if ((rc = store_commit(st)) != 0)
			strbuf_addf(err, "cannot write %s: %s", db, store_errmsg(st));
	}
	store_close(st);
	return rc;
}

int cmd_pack(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "name", required_argument, NULL, 'n' },
		{ "key", required_argument, NULL, 'k' },
		{ "serial", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		CLI_VERSION_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	struct nlb_pack_options o = { 0 };
	struct strbuf err = STRBUF_INIT;
	struct store *st = NULL;
	const char *db_opt = NULL, *name = NULL, *out = NULL, *serial = NULL, *db;
	char *dflt = NULL;
	int c, status = EXIT_DONE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:V", longopts, NULL)) != -1) {
		switch (c) {
		case 'D':
			db_opt = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'k':
			o.key = optarg;
			break;
		case 's':
			serial = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			help();
			return EXIT_DONE;
		case 'V':
			return cli_version();
		default:
			return cli_usage_error("pack", "bad option");
		}
	}
	if (optind != argc)
		return cli_usage_error("pack", "unexpected argument '%s'", argv[optind]);
	if (!o.key || !out)
		return cli_usage_error("pack", "give --key KEY.pem and -o BUNDLE.nlb");
	if (name && !nlb_name_valid(name))
		return cli_usage_error("pack", "--name: one line of text, at most 256 bytes");
	if (pack_date(&o.date))
		return cli_usage_error("pack", "SOURCE_DATE_EPOCH: not a number of seconds");
	if (serial) {
		char *end;

		errno = 0;
		o.serial = strtoull(serial, &end, 10);
		if (errno || *end || !o.serial || serial[0] < '1' || serial[0] > '9')
			return cli_usage_error("pack", "--serial: a whole number from 1");
	} else if (nlb_next_serial(out, &o.serial, &err)) {
		fprintf(stderr, "nletsfs pack: %s: %s (give --serial N)\n", out, err.buf);
		strbuf_release(&err);
		return EXIT_BAD_DATA;
	}
	db = cli_db_path(db_opt);
	o.name = name;
	if (!o.name) {
		o.name = dflt = default_name(db);
		if (!dflt)
			return EXIT_BAD_DATA;
	}
	if (derive_if_stale(db, &err) || store_open(db, STORE_READONLY, &st, &err) || nlb_pack(st, &o, out, &err)) {
		cli_say("pack", "%s", err.len ? err.buf : "failed");
		status = EXIT_BAD_DATA;
	}
	store_close(st);
	free(dflt);
	strbuf_release(&err);
	return status;
}
