// SPDX-License-Identifier: GPL-3.0-or-later
/* nletsfs import: records bundles and documents into an inventory, all or nothing. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../fs/fs.h"
#include "../importers/importers.h"
#include "../util/cleanup.h"
#include "../util/escape.h"
#include "cli.h"

static void help(void)
{
	printf("usage: nletsfs import [--db FILE] [--kind KIND] [--as-of DATE] [--title T] [--date D]\n"
	       "                      [--url U] [--id ID] [--dry-run] PATH...\n"
	       "\n"
	       "Import records bundles (folders or archives of the CSV files of docs/format.md)\n"
	       "and documents (PDF, HTML and plain-text files; scans: images and PDF pages\n"
	       "without text, read by OCR; emails (.eml), their attachments imported as their\n"
	       "members; .docx, .xlsx, .odt, .ods; folders and archives of them: zip, tar,\n"
	       "tar.gz, tar.xz, 7z, nested up to 3 deep). A document becomes a source: its\n"
	       "bytes stored (the same bytes twice are one source), its text extracted page\n"
	       "by page and searchable under search/, its pages that name Nlets, a field or\n"
	       "an agency shown as excerpts, the exemption codes (FOIA, Privacy Act, state laws,\n"
	       "DPPA) of its pages listed in sources/ID/redactions. The id of each source made\n"
	       "is printed on stdout. All PATHs land in one transaction, or none does; each\n"
	       "call is logged under imports/.\n"
	       "\n"
	       "  --db FILE     the inventory (created when missing: built beside it as\n"
	       "                FILE.new-XXXXXX, put in place whole, removed should the\n"
	       "                import fail or be interrupted)\n"
	       "  --kind KIND   what PATH holds (default auto):\n"
	       "                  auto     a folder or archive holding record CSV files is a\n"
	       "                           records bundle; anything else is documents\n"
	       "                  records  records bundles only\n"
	       "                  foia, pia, partner-list, law, report, web, other\n"
	       "                           documents of that source kind (else detected: a first\n"
	       "                           page titled \"Privacy Impact Assessment\" is a pia,\n"
	       "                           HTML is web, the rest other)\n"
	       "                  pdf, html, text\n"
	       "                           documents of that format (else detected from the bytes)\n"
	       "  --as-of DATE  partner-list: the day the list was seen (required with it)\n"
	       "  --title T     the document's title (one document only)\n"
	       "  --date D      its date (else its own: PDF info, a PIA's first page, HTML <meta>,\n"
	       "                an email's Date:, an office file's properties, a scan's first date)\n"
	       "  --url U       where it was published\n"
	       "  --id ID       its source id (one document only; default: a slug of its title\n"
	       "                and 8 digits of its SHA-256); an existing source without a\n"
	       "                document gets this one\n"
	       "  --dry-run     check only; write nothing\n"
	       "  -h, --help    this text\n"
	       "  -V, --version the version\n"
	       "\n"
	       "Errors read FILE:LINE:COLUMN: error: MESSAGE (FILE: error: MESSAGE without a\n"
	       "position; archive members are named). Exit status: 0 imported, 1 bad data\n"
	       "(nothing imported), 2 usage.\n");
}

/* "  NAME: N rows" (or pages), the name escaped: it comes from the input. */
static void progress_line(const char *name, long n, const char *unit)
{
	struct strbuf sb = STRBUF_INIT;

	escape_addstr(&sb, name);
	fprintf(stderr, "  %s: %ld %s%s\n", sb.buf, n, unit, n == 1 ? "" : "s");
	strbuf_release(&sb);
}

static void progress(void *arg, const char *file, long rows)
{
	(void)arg;
	progress_line(file, rows, "row");
}

static void progress_document(void *arg, const char *name, long pages)
{
	(void)arg;
	progress_line(name, pages, "page");
}

/* One line, redrawn: OCR is the slow part of a scanned release. */
static void progress_ocr(void *arg, const char *name, long done, long total)
{
	(void)arg;
	fprintf(stderr, "\r  %s: OCR %ld/%ld page%s%s", name, done, total, total == 1 ? "" : "s",
		done == total ? "\n" : "");
}

static void progress_derive(void *arg, const char *what, long n, long of)
{
	(void)arg;
	if (of)
		fprintf(stderr, "  derived: %ld of %ld %s\n", n, of, what);
	else
		fprintf(stderr, "  derived: %ld %s\n", n, what);
}

/* The derived data (fs_derive), in the import's transaction; its progress on a terminal. */
static int derive(void *arg, struct store *st, int quiet, struct strbuf *err)
{
	int show = *(const int *)arg && !quiet;

	if (show)
		fprintf(stderr, "  deriving the change log, checklist, maps and file times...\n");
	return fs_derive(st, 0, show ? progress_derive : NULL, NULL, err);
}

/* Call `fn` with each name of what SQLite may make of the file built aside (cli_db_suffixes). */
static void aside_names(const struct strbuf *aside, int (*fn)(const char *path))
{
	struct strbuf path = STRBUF_INIT;

	for (size_t i = 0; aside->len && i < CLI_FILES_N; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s%s", aside->buf, cli_db_suffixes[i]);
		if (!strbuf_ok(&path))
			fn(path.buf);
	}
	strbuf_release(&path);
}

static int remove_name(const char *path)
{
	unlink(path);
	cleanup_forget(path);
	return 0;
}

/*
 * A new inventory is built aside, in `aside` (DB.new-XXXXXX, beside it):
 * nobody reads it until it is whole, so it needs no write-ahead log, and
 * an import of one writes each page once instead of to the log and then
 * again to the file. It gets the file mode a new file would. 0, or -errno
 * with a message in `err`.
 */
static int aside_make(const char *db, struct strbuf *aside, struct strbuf *err)
{
	mode_t mask = umask(0);
	int fd, rc;

	umask(mask);
	strbuf_addf(aside, "%s.new-XXXXXX", db);
	if ((rc = strbuf_ok(aside)) != 0)
		return rc;
	fd = mkstemp(aside->buf);
	if (fd < 0) {
		rc = -errno;
		strbuf_addf(err, "cannot create %s: %s", db, strerror(errno));
		strbuf_reset(aside);
		return rc;
	}
	if (fchmod(fd, 0666 & ~mask) != 0) {
		rc = -errno;
		strbuf_addf(err, "cannot create %s: %s", db, strerror(errno));
	}
	close(fd);
	/* Ctrl-C, kill or a closed terminal leave nothing of it either (cli/main.c guards them). */
	aside_names(aside, cleanup_add);
	cleanup_say("nletsfs import: interrupted; nothing was imported\n");
	return rc;
}

/* The inventory built aside goes in place, unless another process made one there meanwhile. */
static int aside_put(const char *aside, const char *db, struct strbuf *err)
{
	int fd = open(aside, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0 || fsync(fd) != 0)
		rc = -errno;
	if (fd >= 0)
		close(fd);
	/* link() and not rename(): a file made there since the start is not replaced. */
	if (!rc && link(aside, db) != 0)
		rc = -errno;
	if (rc == -EEXIST)
		strbuf_addf(err, "%s: error: made by another process during this import; nothing was imported: "
				 "import again", db);
	else if (rc)
		strbuf_addf(err, "cannot create %s: %s", db, strerror(-rc));
	return rc;
}

/* Remove what SQLite may leave of the file built aside: no longer the signals' to remove. */
static void aside_remove(const struct strbuf *aside)
{
	aside_names(aside, remove_name);
}

/* A system failure; a full disk is the user's to fix, so it names the inventory plainly. */
static void report_failure(const char *db, int rc, const struct strbuf *err)
{
	if (rc == -ENOSPC)
		fprintf(stderr, "nletsfs import: cannot write the inventory %s: %s (%s); nothing was imported\n",
			db, strerror(ENOSPC), err->len ? err->buf : "database or disk is full");
	else
		cli_say("import", "%s", err->len ? err->buf : "failed");
}

int cmd_import(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "kind", required_argument, NULL, 'k' },
		{ "as-of", required_argument, NULL, 'a' },
		{ "title", required_argument, NULL, 't' },
		{ "date", required_argument, NULL, 'd' },
		{ "url", required_argument, NULL, 'u' },
		{ "id", required_argument, NULL, 'i' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		CLI_VERSION_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	const char *db_opt = NULL, *db;
	struct import_options o = { 0 };
	struct import_report rep = { 0 };
	struct strbuf err = STRBUF_INIT, aside = STRBUF_INIT;
	struct store *st = NULL;
	struct cli_files files = { 0 };
	struct stat sb;
	int c, rc, status = EXIT_DONE, k, tty = isatty(STDERR_FILENO), fresh = 0;
	long total = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+hnV", longopts, NULL)) != -1) {
		switch (c) {
		case 'D':
			db_opt = optarg;
			break;
		case 'k':
			o.kind = optarg;
			break;
		case 'a':
			o.as_of = optarg;
			break;
		case 't':
			o.title = optarg;
			break;
		case 'd':
			o.date = optarg;
			break;
		case 'u':
			o.url = optarg;
			break;
		case 'i':
			o.id = optarg;
			break;
		case 'n':
			o.flags |= IMPORT_DRY_RUN;
			break;
		case 'h':
			help();
			return EXIT_DONE;
		case 'V':
			return cli_version();
		default:
			return cli_usage_error("import", "bad option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("import", "give at least one PATH to import");
	/* A folder or archive holding several is found while reading; several PATHs are a usage error now. */
	if ((o.title || o.id) && argc - optind > 1)
		return cli_usage_error("import", "--title and --id name one document; give one PATH with them");
	if (import_check_options(&o, &err)) {
		status = cli_usage_error("import", "%s", err.buf);
		strbuf_release(&err);
		return status;
	}
	db = cli_db_path(db_opt);
	/* A dry run never creates the inventory it was pointed at. */
	if ((o.flags & IMPORT_DRY_RUN) && stat(db, &sb) != 0)
		db = ":memory:";
	cli_files_note(db, &files);
	fresh = strcmp(db, ":memory:") && lstat(db, &sb) != 0 && errno == ENOENT;
	rc = fresh ? aside_make(db, &aside, &err) : 0;
	if (!rc)
		rc = store_open(fresh ? aside.buf : db, STORE_CREATE | (fresh ? STORE_FRESH : 0), &st, &err);
	if (rc) {
		report_failure(db, rc, &err);
		status = EXIT_BAD_DATA;
		goto out;
	}
	o.derive = derive;
	o.name_taken = fs_name_reserved;
	o.derive_arg = &tty;
	if (tty) {
		rep.progress = progress;
		rep.progress_document = progress_document;
		rep.progress_ocr = progress_ocr;
	}
	rc = import_paths(st, &o, (const char *const *)argv + optind, (size_t)(argc - optind), &rep, &err);
	/* A new inventory, whole: with the log a mount reads it with, in place. */
	if (!rc && fresh) {
		rc = store_use_wal(st, &err);
		store_close(st);
		st = NULL;
		if (!rc)
			rc = aside_put(aside.buf, db, &err);
		if (!rc) /* in place: a signal now leaves it whole, and removes only its name aside */
			cleanup_say(NULL);
	}
	import_report_print(&rep, stderr);
	/* The ids of the sources made, one a line, whatever stdout is: a script takes them from here. */
	for (size_t i = 0; !rc && !(o.flags & IMPORT_DRY_RUN) && i < rep.created.n; i++)
		printf("%s\n", rep.created.items[i]);
	for (size_t i = 0; i < rep.warnings.n; i++)
		cli_say("import", "warning: %s", rep.warnings.items[i]);
	if (rc < 0 || (rc && err.len)) {
		report_failure(db, rc, &err);
		status = EXIT_BAD_DATA;
	} else if (rc) {
		fprintf(stderr, "nletsfs import: %zu error%s; nothing was imported\n", rep.nerrors,
			rep.nerrors == 1 ? "" : "s");
		status = EXIT_BAD_DATA;
	} else if (isatty(STDERR_FILENO)) {
		for (k = 0; k < REC_COUNT; k++)
			total += rep.rows[k];
		fprintf(stderr, "nletsfs import: %s %ld rows, %ld documents (%ld pages, %ld unchanged), %ld excerpts%s\n",
			(o.flags & IMPORT_DRY_RUN) ? "checked" : "imported", total, rep.documents, rep.pages,
			rep.sources_unchanged, rep.excerpts, (o.flags & IMPORT_DRY_RUN) ? " (dry run: nothing written)" : "");
		if (rep.run)
			fprintf(stderr, "nletsfs import: logged as imports/%06" PRId64 "\n", rep.run);
	}
out:
	import_report_release(&rep);
	store_close(st);
	aside_remove(&aside); /* in place by its other name, or failed */
	cleanup_say(NULL);
	strbuf_release(&aside);
	/* A failed call into a new inventory leaves no inventory (its failed run with it): built aside, none was made. */
	if (status != EXIT_DONE && !fresh)
		cli_files_restore(&files);
	strbuf_release(&err);
	return status;
}
