// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The path router: fuzzed paths resolved through the route table over an
 * in-memory inventory holding tests/fixtures/small. tree_resolve() never
 * crashes or leaks whatever the path; a folder it resolves lists names that
 * are real names (no "", ".", "..", '/') and each resolves as its child
 * (what lookup after readdir relies on); a file or link that resolves
 * renders.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../fs/tree.h"
#include "fuzzlib.h"

/* Enough children to cover every route under a folder, few enough to stay fast. */
#define MAX_CHILDREN 64

static struct store *inventory;

static void check_node(struct tree *t, const struct tree_node *node, int depth)
{
	struct strbuf out = STRBUF_INIT;
	struct strlist names = STRLIST_INIT;
	size_t i;
	int rc;

	if (node->type != NODE_DIR) {
		rc = tree_render(t, node, &out);
		FUZZ_ASSERT(rc == 0 && strbuf_ok(&out) == 0);
		FUZZ_ASSERT(tree_list(t, node, &names) == -ENOTDIR);
		strbuf_release(&out);
		return;
	}
	FUZZ_ASSERT(tree_render(t, node, &out) == -EISDIR);
	FUZZ_ASSERT(tree_list(t, node, &names) == 0);
	for (i = 0; i < names.n && i < MAX_CHILDREN; i++) {
		const char *name = names.items[i];
		struct tree_node child;

		FUZZ_ASSERT(*name && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, ".."));
		FUZZ_ASSERT(i == 0 || strcmp(names.items[i - 1], name) < 0);
		FUZZ_ASSERT(tree_child(t, node, name, &child) == 0);
		if (depth == 0)
			check_node(t, &child, 1);
		tree_node_release(&child);
	}
	strlist_release(&names);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_cstring(data, size);
	struct tree_node node;
	struct tree *t;
	int rc;

	if (!inventory)
		inventory = fuzz_fixture_store();
	t = tree_open(inventory);
	FUZZ_ASSERT(t);
	rc = tree_resolve(t, path, &node);
	FUZZ_ASSERT(rc == 0 || rc == -ENOENT || rc == -ENOTDIR || rc == -ENAMETOOLONG);
	if (!rc) {
		check_node(t, &node, 0);
		tree_node_release(&node);
	}
	tree_free(t);
	free(path);
	return 0;
}
