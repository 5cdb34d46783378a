#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Every name that resolves in the root tree is listed (listed.py), but under
# at/, search/ and .at/ (routes marked ROUTE_UNLISTED, or hidden): after an
# import the kernel is told to forget what the import's walk, which follows
# listings, found changed (fs/forget.c), so a name that resolves unlisted
# would keep its old content. On the default inventory and on the small
# fixture with its update.
. "$(dirname "$0")/lib.sh"

import_into "$WORK/data.db" "$SRC/data"
import_into "$WORK/small.db" "$SRC/tests/fixtures/small"
import_into "$WORK/small.db" "$SRC/tests/fixtures/update"
for db in data small; do
  mount_db "$WORK/$db.db"
  python3 "$SRC/tests/mount/listed.py" "$MNT" >"$WORK/out" || fail "$db: $(head -5 "$WORK/out")"
  ok "$db: $(tail -1 "$WORK/out")"
  unmount
done
