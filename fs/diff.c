// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * nletsfs diff: the changes tree_diff() finds between two days, printed as
 * lines (text, CSV, JSON) or, for states/, as one sentence or CSV row per
 * change in a state's participation (--by-state).
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../importers/importers.h"
#include "fs.h"
#include "tree.h"

struct diff_print {
	FILE *out;
	enum fs_diff_format format;
	const char *date;	/* TO, as given */
	const char *prefix;	/* whole path components: "" or "states/NY" */
	size_t prefix_len;
	long n;			/* records printed */
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
	int csv = p->format == FS_DIFF_STATES_CSV, added = op == '+';

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

	/* tree_diff matches the prefix as a string; keep whole components only. */
	if (p->prefix_len && (strncmp(path, p->prefix, p->prefix_len) ||
			      (path[p->prefix_len] && path[p->prefix_len] != '/')))
		return 0;
	switch (p->format) {
	case FS_DIFF_TEXT:
		fprintf(p->out, "%s\t%c\t%s\t%s\n", p->date, op, path, line);
		break;
	case FS_DIFF_CSV:
		csv_row(p->out, (const char *[]){ p->date, ops, path, line }, 4);
		break;
	case FS_DIFF_JSON:
		fprintf(p->out, "%s\n  {\"date\": ", p->n ? "," : "");
		json_string(p->out, p->date);
		fprintf(p->out, ", \"op\": \"%c\", \"path\": ", op);
		json_string(p->out, path);
		fprintf(p->out, ", \"line\": ");
		json_string(p->out, line);
		fputc('}', p->out);
		break;
	case FS_DIFF_STATES_TEXT:
	case FS_DIFF_STATES_CSV:
		if (!print_state_change(p, op, path, line))
			return 0;
		break;
	}
	p->n++;
	return ferror(p->out) ? -EIO : 0;
}

/* Does `prefix` name a file or folder in the tree of `day`, or in the present root? */
static int prefix_exists(struct tree *t, const char *prefix, const char *day)
{
	struct strbuf path = STRBUF_INIT;
	struct tree_node n;
	int rc;

	strbuf_addf(&path, "/.at/%s/%s", day, prefix);
	rc = strbuf_ok(&path);
	if (!rc) {
		rc = tree_resolve(t, path.buf, &n);
		if (!rc)
			tree_node_release(&n);
	}
	if (rc == -ENOENT || rc == -ENOTDIR) {
		strbuf_reset(&path);
		strbuf_addf(&path, "/%s", prefix);
		rc = strbuf_ok(&path);
		if (!rc)
			rc = tree_resolve(t, path.buf, &n);
		if (!rc)
			tree_node_release(&n);
	}
	strbuf_release(&path);
	return rc == -ENOTDIR ? -ENOENT : rc;
}

int fs_diff(const char *db, const char *from, const char *to, const char *prefix, enum fs_diff_format format,
	    FILE *out, struct strbuf *err)
{
	struct diff_print p = { out, format, to, prefix ? prefix : "", 0, 0 };
	struct store *st = NULL;
	struct tree t;
	char a[11], b[11];
	int rc;

	p.prefix_len = strlen(p.prefix);
	assert(!p.prefix_len || (p.prefix[0] != '/' && p.prefix[p.prefix_len - 1] != '/'));
	rc = store_open(db, STORE_READONLY, &st, err);
	if (rc)
		return rc;
	tree_init(&t, st);
	/* Compare the trees at/FROM and at/TO show: their change days. */
	rc = store_read_begin(st);
	if (!rc)
		rc = tree_canonical_date(&t, from, a);
	if (!rc)
		rc = tree_canonical_date(&t, to, b);
	if (!rc && p.prefix_len) {
		rc = prefix_exists(&t, p.prefix, a);
		if (rc == -ENOENT)
			rc = prefix_exists(&t, p.prefix, b);
		if (rc == -ENOENT) {
			strbuf_addstr(err, "PATH-PREFIX names nothing in the tree: ");
			for (const char *c = p.prefix; *c; c++) /* one line, whatever it holds */
				strbuf_addch(err, (unsigned char)*c < 0x20 || *c == 0x7f ? '?' : *c);
			strbuf_addstr(err, " (a path inside the mount, such as states/NY)");
			goto out;
		}
	}
	if (rc)
		goto fail;
	if (format == FS_DIFF_CSV)
		fprintf(out, "date,op,path,line\n");
	else if (format == FS_DIFF_STATES_CSV)
		fprintf(out, "state,system,what,change,item\n");
	else if (format == FS_DIFF_JSON)
		fputc('[', out);
	rc = tree_diff(&t, a, b, p.prefix, print_change, &p);
	if (format == FS_DIFF_JSON)
		fprintf(out, "%s]\n", p.n ? "\n" : "");
	else if (format == FS_DIFF_STATES_TEXT && !rc && !p.n)
		fprintf(out, "No change in any state's participation between %s and %s.\n", from, to);
	if (!rc && fflush(out))
		rc = -errno;
fail:
	if (rc)
		strbuf_addf(err, "cannot compare %s and %s: %s", from, to, strerror(-rc));
out:
	store_read_end(st);
	tree_release(&t);
	store_close(st);
	return rc ? rc : p.n > 0;
}
