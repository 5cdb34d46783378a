// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * A consistent copy of an inventory, for signed bundles (nlb/). SQLite's
 * VACUUM INTO writes the state of one read transaction into a new file:
 * compact, free of the WAL, and in rollback-journal mode, so the copy opens
 * with immutable=1 (no lock, no -wal or -shm file) wherever it lands.
 */
#include "store_i.h"

int store_snapshot(struct store *st, const char *path, struct strbuf *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(st->db, "VACUUM INTO ?1", -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	if (rc != SQLITE_OK)
		strbuf_addf(err, "cannot copy the inventory to %s: %s", path, sqlite3_errmsg(st->db));
	sqlite3_finalize(s);
	return store_sqlite_err(rc);
}
