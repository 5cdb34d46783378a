// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * nletsfs diff: what changed between two days. fs_diff() finds the lines;
 * this file prints them as lines (text, CSV, JSON) or, for states/, as one
 * sentence or CSV row per change in a state's participation (--by-state).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../fs/fs.h"
#include "../importers/importers.h"
#include "../store/store.h"
#include "cli.h"

enum diff_format {
	DIFF_TEXT,		/* DATE<TAB>+|-<TAB>PATH<TAB>LINE */
	DIFF_CSV,		/* date,op,path,line */
	DIFF_JSON,		/* an array of {date, op, path, line} */
	DIFF_STATES_TEXT,	/* states/ in sentences: "NY: dmv began blocking ICE" */
	DIFF_STATES_CSV,	/* states/ as state,system,what,change,item */
};

struct diff_print {
	FILE *out;
	enum diff_format format;
	const char *from, *date;	/* FROM and TO, as given */
	long n;				/* records printed */
};

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static void csv_row(FILE *out, const char *const *cells, size_t n)
{
	struct strbuf row = STRBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addch(&row, ',');
		csv_write_cell(&row, cells[i]);
	}
	fprintf(out, "%s\n", row.buf ? row.buf : "");
	strbuf_release(&row);
}

/* The lists of a state's system and what a line added to or removed from each means. */
static const struct {
	const char *file, *began, *stopped;
} system_lists[] = {
	{ "shared_fields", "began sharing", "stopped sharing" },
	{ "recipients", "began sending to", "stopped sending to" },
	{ "blocked", "began blocking", "stopped blocking" },
	{ "transactions", "began answering", "stopped answering" },
};

/* "states/NY/dmv/blocked" -> the three components after states/, or 0 when it is not that deep. */
static int state_path(const char *path, char part[3][256])
{
	const char *p = path + strlen("states/"), *slash;
	int i;

	if (strncmp(path, "states/", 7))
		return 0;
	for (i = 0; i < 3; i++) {
		slash = strchr(p, '/');
		if ((i < 2) != (slash != NULL))
			return 0;
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (!len || len >= sizeof(part[i]))
			return 0;
		memcpy(part[i], p, len);
		part[i][len] = 0;
		p += len + 1;
	}
	return 1;
}

/* A line "KEY: VALUE" of a record file: VALUE, or NULL. */
static const char *field(const char *line, const char *key)
{
	size_t n = strlen(key);

	return !strncmp(line, key, n) && line[n] == ':' && line[n + 1] == ' ' ? line + n + 2 : NULL;
}

/* One change of states/ as a sentence or a CSV row (state,system,what,change,item); 1 if printed. */
static int print_state_change(struct diff_print *p, char op, const char *path, const char *line)
{
	char part[3][256], what[300];
	const char *state = part[0], *value;
	int csv = p->format == DIFF_STATES_CSV, added = op == '+';

	if (!state_path(path, part) || !*line)
		return 0;
	if (!strcmp(part[1], "participation") && (value = field(line, "value"))) {
		if (csv)
			csv_row(p->out, (const char *[]){ state, "", part[2], added ? "is now" : "was", value }, 5);
		else if (added)
			fprintf(p->out, "%s: %s is now %s\n", state, part[2], value);
		return csv || added;
	}
	if (!strcmp(part[1], "questions") && (value = field(line, "answer"))) {
		snprintf(what, sizeof(what), "question %s", part[2]);
		if (csv)
			csv_row(p->out, (const char *[]){ state, "", what, added ? "is now" : "was", value }, 5);
		else if (added)
			fprintf(p->out, "%s: the checklist's answer to %s is now %s\n", state, part[2], value);
		return csv || added;
	}
	if (!strcmp(part[1], "laws") && (value = field(line, "title"))) {
		snprintf(what, sizeof(what), "%s: %s", part[2], value);
		if (csv)
			csv_row(p->out, (const char *[]){ state, "", "law", added ? "recorded" : "gone", what }, 5);
		else
			fprintf(p->out, "%s: %s%s (%s)\n", state, added ? "law recorded: " : "law no longer in force: ",
				part[2], value);
		return 1;
	}
	for (size_t i = 0; i < sizeof(system_lists) / sizeof(system_lists[0]); i++) {
		if (strcmp(part[2], system_lists[i].file))
			continue;
		if (csv)
			csv_row(p->out, (const char *[]){ state, part[1], part[2], added ? "began" : "stopped", line }, 5);
		else
			fprintf(p->out, "%s: %s %s %s\n", state, part[1],
				added ? system_lists[i].began : system_lists[i].stopped, line);
		return 1;
	}
	return 0;
}

static int print_change(void *arg, char op, const char *path, const char *line)
{
	struct diff_print *p = arg;
	char ops[2] = { op, 0 };

	switch (p->format) {
	case DIFF_TEXT:
		fprintf(p->out, "%s\t%c\t%s\t%s\n", p->date, op, path, line);
		break;
	case DIFF_CSV:
		csv_row(p->out, (const char *[]){ p->date, ops, path, line }, 4);
		break;
	case DIFF_JSON:
		fprintf(p->out, "%s\n  {\"date\": ", p->n ? "," : "");
		json_string(p->out, p->date);
		fprintf(p->out, ", \"op\": \"%c\", \"path\": ", op);
		json_string(p->out, path);
		fprintf(p->out, ", \"line\": ");
		json_string(p->out, line);
		fputc('}', p->out);
		break;
	case DIFF_STATES_TEXT:
	case DIFF_STATES_CSV:
		if (!print_state_change(p, op, path, line))
			return 0;
		break;
	}
	p->n++;
	return ferror(p->out) ? -EIO : 0;
}

/* What goes before the first change: a CSV header, JSON's '['. */
static int print_begin(void *arg)
{
	struct diff_print *p = arg;

	if (p->format == DIFF_CSV)
		fprintf(p->out, "date,op,path,line\n");
	else if (p->format == DIFF_STATES_CSV)
		fprintf(p->out, "state,system,what,change,item\n");
	else if (p->format == DIFF_JSON)
		fputc('[', p->out);
	return 0;
}

/* What goes after the last: JSON's ']' (also after a failure, so the array closes), or "No change". */
static int print_end(void *arg, int rc)
{
	struct diff_print *p = arg;

	if (p->format == DIFF_JSON)
		fprintf(p->out, "%s]\n", p->n ? "\n" : "");
	else if (p->format == DIFF_STATES_TEXT && !rc && !p->n)
		fprintf(p->out, "No change in any state's participation between %s and %s.\n", p->from, p->date);
	return !rc && fflush(p->out) ? -errno : 0;
}

static void help(void)
{
	printf("usage: nletsfs diff [--db FILE] [--format text|csv|json] FROM TO [PATH-PREFIX]\n"
	       "       nletsfs diff [--db FILE] --by-state [--format text|csv] FROM TO [states/XX]\n"
	       "\n"
	       "Print what changed in the tree between the days FROM and TO (YYYY-MM-DD):\n"
	       "the lines `diff -r at/FROM at/TO` shows in a mounted inventory, one per line\n"
	       "as DATE<TAB>+|-<TAB>PATH<TAB>LINE, where DATE is TO. PATH-PREFIX keeps only\n"
	       "that file or folder, in whole path components inside the tree: states/NY\n"
	       "or states/NY/dmv (not states/NY/dm, not mnt/states/NY). A PATH-PREFIX that\n"
	       "names nothing in the tree is an error.\n"
	       "\n"
	       "  --db FILE       the inventory\n"
	       "  --format F      text (the default), csv (date,op,path,line) or json\n"
	       "  --by-state      each state's participation in sentences (\"NY: dmv began\n"
	       "                  blocking ICE\"), or with --format csv as state,system,what,\n"
	       "                  change,item: its systems' fields, recipients, blocks and\n"
	       "                  message types, participation, laws and checklist answers\n"
	       "  -h, --help      this text\n"
	       "  -V, --version   the version\n"
	       "\n"
	       "Exit status, as diff(1): 0 no changes, 1 changes, 2 trouble (a usage error,\n"
	       "an inventory that cannot be read).\n"
	       "\n"
	       "Examples:\n"
	       "  nletsfs diff 2025-01-01 2026-01-01 states/ | grep /blocked\n"
	       "  nletsfs diff --by-state 2019-01-01 2024-01-01\n");
}

/* diff(1): trouble is 2, whatever it was. */
#define EXIT_TROUBLE 2

int cmd_diff(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "format", required_argument, NULL, 'F' },
		{ "by-state", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		CLI_VERSION_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	enum diff_format format = DIFF_TEXT;
	const char *db_opt = NULL, *fmt = "text";
	struct strbuf err = STRBUF_INIT, prefix = STRBUF_INIT;
	struct diff_print p = { stdout, DIFF_TEXT, NULL, NULL, 0 };
	const struct fs_diff_sink sink = { print_begin, print_change, print_end, &p };
	int c, n, rc, by_state = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'D':
			db_opt = optarg;
			break;
		case 'F':
			fmt = optarg;
			break;
		case 'S':
			by_state = 1;
			break;
		case 'h':
			help();
			return EXIT_DONE;
		case 'V':
			return cli_version();
		default:
			return cli_usage_error("diff", "bad option");
		}
	}
	if (!strcmp(fmt, "text"))
		format = by_state ? DIFF_STATES_TEXT : DIFF_TEXT;
	else if (!strcmp(fmt, "csv"))
		format = by_state ? DIFF_STATES_CSV : DIFF_CSV;
	else if (!strcmp(fmt, "json") && !by_state)
		format = DIFF_JSON;
	else
		return cli_usage_error("diff", "--format %s: use %s", fmt, by_state ? "text or csv" : "text, csv or json");
	n = argc - optind;
	if (n != 2 && n != 3)
		return cli_usage_error("diff", "give FROM and TO, and optionally a PATH-PREFIX");
	for (c = 0; c < 2; c++)
		if (!store_date_full(argv[optind + c]))
			return cli_usage_error("diff", "'%s' is not a date (YYYY-MM-DD)", argv[optind + c]);
	/* The prefix as path components: no leading, trailing or doubled '/'. */
	for (const char *p = n == 3 ? argv[optind + 2] : by_state ? "states" : ""; *p; p++)
		if (*p != '/' || (prefix.len && p[1] && p[1] != '/'))
			strbuf_addch(&prefix, *p);
	if (strbuf_ok(&prefix)) {
		rc = -ENOMEM;
		goto out;
	}
	if (by_state && strcmp(prefix.buf, "states") && strncmp(prefix.buf, "states/", 7)) {
		rc = cli_usage_error("diff", "--by-state takes a PATH-PREFIX under states/, such as states/NY");
		goto out;
	}
	p.format = format;
	p.from = argv[optind];
	p.date = argv[optind + 1];
	rc = fs_diff(cli_db_path(db_opt), argv[optind], argv[optind + 1], prefix.len ? prefix.buf : "", &sink, &err);
	if (!rc)
		rc = p.n > 0; /* as diff(1): 1 when there are changes */
	if (rc < 0) {
		cli_say("diff", "%s", err.len ? err.buf : strerror(-rc));
		rc = EXIT_TROUBLE;
	}
out:
	strbuf_release(&err);
	strbuf_release(&prefix);
	return rc < 0 ? EXIT_TROUBLE : rc;
}
