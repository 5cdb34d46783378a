// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * What changed between two days: the line-level difference of the trees
 * at/FROM and at/TO, as diff -r would show it, without rendering the whole
 * tree twice. The store names the facts that start or stop holding between
 * the two days; each such fact can only change the folders that show it
 * (its own folder, its state's, its agencies', fields', transactions' and
 * sources' folders, the checklist and maps, the README), so only those
 * subtrees are rendered at both days and compared file by file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/hmap.h"
#include "../util/utf8.h"
#include "../importers/importers.h"
#include "fs.h"
#include "tree.h"

struct candidates {
	struct tree *t;
	struct strlist prefixes;
};

/*
 * Add "<folder>/<slug of id>[/<file>]" for a record of `kind` (nothing when
 * the record has no slug).
 */
static void add_record(struct candidates *c, enum record_kind kind, const char *folder, const char *id,
		       const char *file)
{
	struct strbuf p = STRBUF_INIT;

	if (!id || !*id)
		return;
	strbuf_addf(&p, "%s/", folder);
	if (store_slug_of(c->t->st, kind, id, &p) == 0) {
		if (file)
			strbuf_addf(&p, "/%s", file);
		strlist_add(&c->prefixes, p.buf);
	}
	strbuf_release(&p);
}

static void add_list(struct candidates *c, enum record_kind kind, const char *folder, const char *cell,
		     const char *file)
{
	struct strlist items = STRLIST_INIT;
	size_t i;

	if (cell && strlist_split(&items, cell) == 0)
		for (i = 0; i < items.n; i++)
			add_record(c, kind, folder, items.items[i], file);
	strlist_release(&items);
}

static void add_path(struct candidates *c, const char *fmt, const char *a, const char *b)
{
	struct strbuf p = STRBUF_INIT;

	strbuf_addf(&p, fmt, a, b ? b : "");
	strlist_add(&c->prefixes, p.buf);
	strbuf_release(&p);
}

/*
 * The parts of the tree a fact that starts or stops holding can change: its
 * own folder when it is an entity, and the relation files that list it. This
 * table of rules mirrors the views (fs/routes.c): a new relation view needs
 * its line here, which the time test checks against diff -r.
 */
static int add_fact(void *arg, const struct store_fact *f)
{
	struct candidates *c = arg;
	const char *slash;

	add_list(c, REC_SOURCES, "sources", f->sources, "supports");
	switch (f->kind) {
	case REC_FLOWS:
		add_record(c, REC_FLOWS, "flows", f->id, NULL);
		slash = f->from ? strchr(f->from, '/') : NULL;
		if (slash) {
			struct strbuf state = STRBUF_INIT, sys = STRBUF_INIT;

			strbuf_add(&state, f->from, (size_t)(slash - f->from));
			if (store_jurisdiction_name(state.buf) && store_slug_of(c->t->st, REC_SYSTEMS, slash + 1, &sys) == 0)
				add_path(c, "states/%s/%s", state.buf, sys.buf);
			add_record(c, REC_AGENCIES, "agencies", f->to, "receives");
			add_record(c, REC_AGENCIES, "agencies", f->to, "blocked_by");
			add_list(c, REC_FIELDS, "fields", f->fields, "shared_by");
			add_record(c, REC_TRANSACTIONS, "transactions", f->transaction, "states");
			strbuf_release(&state);
			strbuf_release(&sys);
		}
		break;
	case REC_LAWS:
		if (store_jurisdiction_name(f->id))
			add_path(c, "states/%s/laws", f->id, NULL);
		break;
	case REC_PARTICIPATION:
		if (store_jurisdiction_name(f->id))
			add_path(c, "states/%s/participation", f->id, NULL);
		break;
	case REC_SOURCES:
		add_record(c, REC_SOURCES, "sources", f->id, NULL);
		/* A partner list's day moves the `listed` dates of what it names. */
		if (f->from && !strcmp(f->from, "partner-list"))
			strlist_add(&c->prefixes, "partners");
		/* A document's day moves the mentioned_in lists of what it names. */
		if (f->to && !strcmp(f->to, "document")) {
			strlist_add(&c->prefixes, "fields");
			strlist_add(&c->prefixes, "agencies");
		}
		break;
	case REC_AGENCIES:
		add_record(c, REC_AGENCIES, "agencies", f->id, NULL);
		break;
	case REC_PARTNERS:
		add_record(c, REC_PARTNERS, "partners", f->id, NULL);
		break;
	case REC_TRANSACTIONS:
		add_record(c, REC_TRANSACTIONS, "transactions", f->id, NULL);
		add_list(c, REC_FIELDS, "fields", f->fields, "returned_by");
		break;
	default:
		break;
	}
	/*
	 * Flows, laws and participation decide the state's checklist answers;
	 * the lists questions/QID/ANSWER follow from those (derive_lists()).
	 */
	if (f->kind == REC_FLOWS || f->kind == REC_LAWS || f->kind == REC_PARTICIPATION) {
		const char *state = f->kind == REC_FLOWS ? NULL : f->id;
		struct strbuf st = STRBUF_INIT;

		if (!state && f->from && strchr(f->from, '/')) {
			strbuf_add(&st, f->from, (size_t)(strchr(f->from, '/') - f->from));
			state = st.buf;
		}
		if (state && store_jurisdiction_name(state))
			add_path(c, "states/%s/questions", state, NULL);
		strbuf_release(&st);
	}
	return c->prefixes.oom ? -ENOMEM : 0;
}

/* Sort, and drop prefixes inside another ("states/NY" under "states"). */
static void minimise(struct strlist *l)
{
	size_t i, out = 0;

	strlist_sort_uniq(l);
	for (i = 0; i < l->n; i++) {
		if (out) {
			const char *prev = l->items[out - 1];
			size_t n = strlen(prev);

			if (!strncmp(l->items[i], prev, n) && l->items[i][n] == '/') {
				free(l->items[i]);
				continue;
			}
		}
		l->items[out++] = l->items[i];
	}
	l->n = out;
}

struct file_entry {
	char *path;
	char *data;
	size_t len;
};

struct files {
	struct file_entry *e;
	size_t n, alloc;
};

static void files_release(struct files *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->e[i].path);
		free(f->e[i].data);
	}
	free(f->e);
	memset(f, 0, sizeof(*f));
}

static int collect(struct tree *t, const struct tree_node *node, struct strbuf *path, struct files *out)
{
	struct strlist names = STRLIST_INIT;
	size_t i, keep = path->len;
	int rc = 0;

	if (node->type == NODE_LINK)
		return 0;
	if (node->type == NODE_FILE) {
		struct strbuf body = STRBUF_INIT;

		rc = tree_render(t, node, &body);
		if (rc == -ENOENT) {
			strbuf_release(&body);
			return 0;
		}
		if (!rc && out->n == out->alloc) {
			size_t na = out->alloc ? out->alloc * 2 : 64;
			struct file_entry *ne = realloc(out->e, na * sizeof(*ne));

			if (ne) {
				out->e = ne;
				out->alloc = na;
			} else {
				rc = -ENOMEM;
			}
		}
		if (!rc) {
			out->e[out->n].path = strdup(path->buf);
			out->e[out->n].data = strbuf_detach(&body, &out->e[out->n].len);
			rc = out->e[out->n].path && out->e[out->n].data ? 0 : -ENOMEM;
			out->n++;
		}
		strbuf_release(&body);
		return rc;
	}
	rc = tree_list(t, node, &names);
	for (i = 0; !rc && i < names.n; i++) {
		struct tree_node child;

		if (tree_child(t, node, names.items[i], &child))
			continue;
		strbuf_addf(path, "%s%s", path->len ? "/" : "", names.items[i]);
		rc = collect(t, &child, path, out);
		path->len = keep;
		path->buf[keep] = '\0';
		tree_node_release(&child);
	}
	strlist_release(&names);
	return rc;
}

/* Every file under `prefix` in the tree of `date`. */
static int collect_prefix(struct tree *t, const char *date, const char *prefix, struct files *out)
{
	struct tree_node node, next;
	struct strbuf path = STRBUF_INIT;
	const char *p = prefix;
	int rc = 0;

	tree_root(&node, date);
	while (*p) {
		size_t n = strcspn(p, "/");
		char seg[256];

		if (n >= sizeof(seg))
			break;
		memcpy(seg, p, n);
		seg[n] = '\0';
		rc = tree_child(t, &node, seg, &next);
		tree_node_release(&node);
		if (rc) {
			strbuf_release(&path);
			return rc == -ENOENT || rc == -ENOTDIR ? 0 : rc;
		}
		node = next;
		p += n;
		while (*p == '/')
			p++;
	}
	strbuf_addstr(&path, prefix);
	rc = collect(t, &node, &path, out);
	tree_node_release(&node);
	strbuf_release(&path);
	return rc;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct file_entry *)a)->path, ((const struct file_entry *)b)->path);
}

/* Split into lines (the last newline ends the last line, it does not start one). */
static void split_lines(const struct file_entry *e, struct strlist *lines)
{
	const char *p = e->data, *end = e->data + e->len;

	if (!utf8_text(e->data, e->len)) {
		strlist_add(lines, "[binary file]");
		return;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		strlist_addn(lines, p, n);
		p += n + (nl ? 1 : 0);
	}
}

/* Lines of `a` not matched in `b` (counting repeats), emitted with `op`. */
static int emit_missing(const struct strlist *a, const struct strlist *b, char op, const char *path,
			tree_change_fn emit, void *arg)
{
	struct hmap counts = HMAP_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < b->n; i++) {
		uint64_t n = 0;

		hmap_get(&counts, b->items[i], &n);
		if (hmap_put(&counts, b->items[i], n + 1)) {
			rc = -ENOMEM;
			goto out;
		}
	}
	for (i = 0; i < a->n && !rc; i++) {
		uint64_t n = 0;

		if (hmap_get(&counts, a->items[i], &n) && n > 0)
			rc = hmap_put(&counts, a->items[i], n - 1);
		else
			rc = emit(arg, op, path, a->items[i]);
	}
out:
	hmap_release(&counts);
	return rc;
}

static int diff_file(const struct file_entry *old, const struct file_entry *new, tree_change_fn emit, void *arg)
{
	struct strlist a = STRLIST_INIT, b = STRLIST_INIT;
	const char *path = old ? old->path : new->path;
	int rc = 0;

	if (old && new && old->len == new->len && !memcmp(old->data, new->data, old->len))
		return 0;
	if (old)
		split_lines(old, &a);
	if (new)
		split_lines(new, &b);
	/* A file that comes or goes empty still shows. */
	if (!old && !b.n)
		rc = emit(arg, '+', path, "");
	else if (!new && !a.n)
		rc = emit(arg, '-', path, "");
	if (!rc)
		rc = emit_missing(&a, &b, '-', path, emit, arg);
	if (!rc)
		rc = emit_missing(&b, &a, '+', path, emit, arg);
	strlist_release(&a);
	strlist_release(&b);
	return rc;
}

static int diff_files(struct tree *t, const char *from, const char *to, const char *prefix, tree_change_fn emit,
		      void *arg);

/* Lines are gathered, then sorted by path, so derived lines fall in place. */
struct change {
	char *path, *line;
	char op;
	size_t seq;		/* order within a path: removals, then additions, as found */
};

struct changes {
	struct change *c;
	size_t n, alloc;
};

static int gather(void *arg, char op, const char *path, const char *line)
{
	struct changes *cs = arg;

	if (cs->n == cs->alloc) {
		size_t na = cs->alloc ? cs->alloc * 2 : 256;
		struct change *nc = realloc(cs->c, na * sizeof(*nc));

		if (!nc)
			return -ENOMEM;
		cs->c = nc;
		cs->alloc = na;
	}
	cs->c[cs->n].path = strdup(path);
	cs->c[cs->n].line = strdup(line);
	cs->c[cs->n].op = op;
	cs->c[cs->n].seq = cs->n;
	if (!cs->c[cs->n].path || !cs->c[cs->n].line) {
		free(cs->c[cs->n].path);
		free(cs->c[cs->n].line);
		return -ENOMEM;
	}
	cs->n++;
	return 0;
}

static int cmp_change(const void *a, const void *b)
{
	const struct change *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * questions/QID/ANSWER lists the states whose states/XX/questions/QID says
 * `answer: ANSWER`: a state's answer moving from A to B is "- XX" in the A
 * list and "+ XX" in the B list. Deriving these lines saves answering every
 * question for every state on every day. Removals come before additions,
 * each in state order, as a diff of the sorted lists has them.
 */
static int derive_lists(struct changes *cs)
{
	size_t i, n = cs->n;
	int pass, rc = 0;

	for (pass = 0; pass < 2 && !rc; pass++) {
		char op = pass ? '+' : '-';

		for (i = 0; i < n && !rc; i++) {
			struct change *c = &cs->c[i];
			char state[3], qid[64], path[128];

			if (c->op != op || strncmp(c->line, "answer: ", 8) ||
			    sscanf(c->path, "states/%2[A-Z]/questions/%63[^/]", state, qid) != 2)
				continue;
			snprintf(path, sizeof(path), "questions/%s/%s", qid, c->line + 8);
			rc = gather(cs, op, path, state);
			if (!rc)
				cs->c[cs->n - 1].seq = (size_t)pass << 32 | (size_t)(state[0] << 8 | state[1]);
		}
	}
	return rc;
}

int tree_diff(struct tree *t, const char *from, const char *to, const char *prefix, tree_change_fn emit,
	      void *arg)
{
	struct changes cs = { 0 };
	size_t i;
	int rc;

	/* Lists under questions/ are derived from states/: compare those too. */
	rc = diff_files(t, from, to, prefix && !strncmp(prefix, "questions", 9) ? "" : prefix, gather, &cs);
	if (!rc)
		rc = derive_lists(&cs);
	if (!rc && cs.n)
		qsort(cs.c, cs.n, sizeof(*cs.c), cmp_change);
	for (i = 0; i < cs.n; i++) {
		size_t plen = prefix ? strlen(prefix) : 0;

		if (!rc && (!plen || !strncmp(cs.c[i].path, prefix, plen)))
			rc = emit(arg, cs.c[i].op, cs.c[i].path, cs.c[i].line);
		free(cs.c[i].path);
		free(cs.c[i].line);
	}
	free(cs.c);
	return rc;
}

/* The file-by-file differences of the candidate parts of the two trees. */
static int diff_files(struct tree *t, const char *from, const char *to, const char *prefix, tree_change_fn emit,
		      void *arg)
{
	/* Before every change: a day no fact reaches back to. */
	const char *before = "0000-00-00", *after, *upto;
	struct candidates c = { t, STRLIST_INIT };
	struct files old = { 0 }, new = { 0 };
	size_t i, j, plen = prefix ? strlen(prefix) : 0;
	int rc, reverse;

	if (!from)
		from = before;
	reverse = strcmp(from, to) > 0;
	after = reverse ? to : from;
	upto = reverse ? from : to;
	/*
	 * The README's counts may move on any day. maps/ are left out: they
	 * draw questions/ (whose changes are listed) and carry the day they
	 * show, so they would change every day; see docs/time.md.
	 */
	strlist_add(&c.prefixes, "README");
	rc = store_boundary_facts(t->st, strcmp(after, before) ? after : NULL, upto, add_fact, &c);
	if (rc)
		goto out;
	minimise(&c.prefixes);
	for (i = 0; i < c.prefixes.n && !rc; i++) {
		const char *p = c.prefixes.items[i];

		/* Only what lies under the prefix asked for (or contains it). */
		if (plen && strncmp(p, prefix, plen) && strncmp(prefix, p, strlen(p)))
			continue;
		rc = collect_prefix(t, from, p, &old);
		if (!rc)
			rc = collect_prefix(t, to, p, &new);
	}
	if (rc)
		goto out;
	if (old.n) /* qsort(NULL, 0, ...) is undefined */
		qsort(old.e, old.n, sizeof(*old.e), cmp_entry);
	if (new.n)
		qsort(new.e, new.n, sizeof(*new.e), cmp_entry);
	for (i = j = 0; !rc && (i < old.n || j < new.n);) {
		int cmp = i == old.n ? 1 : j == new.n ? -1 : strcmp(old.e[i].path, new.e[j].path);
		const char *path = cmp <= 0 ? old.e[i].path : new.e[j].path;
		int wanted = !plen || !strncmp(path, prefix, plen);

		if (cmp < 0) {
			rc = wanted ? diff_file(&old.e[i], NULL, emit, arg) : 0;
			i++;
		} else if (cmp > 0) {
			rc = wanted ? diff_file(NULL, &new.e[j], emit, arg) : 0;
			j++;
		} else {
			rc = wanted ? diff_file(&old.e[i], &new.e[j], emit, arg) : 0;
			i++;
			j++;
		}
	}
out:
	files_release(&old);
	files_release(&new);
	strlist_release(&c.prefixes);
	return rc;
}

/* ---- nletsfs diff ---------------------------------------------------------- */

struct diff_print {
	FILE *out;
	enum fs_diff_format format;
	const char *date;
	long n;
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

static int print_change(void *arg, char op, const char *path, const char *line)
{
	struct diff_print *p = arg;

	switch (p->format) {
	case FS_DIFF_TEXT:
		fprintf(p->out, "%s\t%c\t%s\t%s\n", p->date, op, path, line);
		break;
	case FS_DIFF_CSV: {
		struct strbuf row = STRBUF_INIT;
		char ops[2] = { op, 0 };

		csv_write_cell(&row, p->date);
		strbuf_addch(&row, ',');
		csv_write_cell(&row, ops);
		strbuf_addch(&row, ',');
		csv_write_cell(&row, path);
		strbuf_addch(&row, ',');
		csv_write_cell(&row, line);
		fprintf(p->out, "%s\n", row.buf);
		strbuf_release(&row);
		break;
	}
	case FS_DIFF_JSON:
		fprintf(p->out, "%s\n  {\"date\": ", p->n ? "," : "");
		json_string(p->out, p->date);
		fprintf(p->out, ", \"op\": \"%c\", \"path\": ", op);
		json_string(p->out, path);
		fprintf(p->out, ", \"line\": ");
		json_string(p->out, line);
		fputc('}', p->out);
		break;
	}
	p->n++;
	return ferror(p->out) ? -EIO : 0;
}

int fs_diff(const char *db, const char *from, const char *to, const char *prefix, enum fs_diff_format format,
	    FILE *out, struct strbuf *err)
{
	struct diff_print p = { out, format, to, 0 };
	struct store *st = NULL;
	struct tree t;
	char a[11], b[11];
	int rc;

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
	if (format == FS_DIFF_CSV)
		fprintf(out, "date,op,path,line\n");
	else if (format == FS_DIFF_JSON)
		fputc('[', out);
	if (!rc)
		rc = tree_diff(&t, a, b, prefix ? prefix : "", print_change, &p);
	if (format == FS_DIFF_JSON)
		fprintf(out, "%s]\n", p.n ? "\n" : "");
	if (rc)
		strbuf_addf(err, "cannot compare %s and %s: %s", from, to, strerror(-rc));
	store_read_end(st);
	tree_release(&t);
	store_close(st);
	return rc;
}
