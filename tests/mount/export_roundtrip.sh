#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Export, import into an empty inventory, export again: byte-identical, for
# the test bundle and for the default inventory. And export/ in the mount is
# the same bundle.
. "$(dirname "$0")/lib.sh"

for bundle in "$SRC/tests/fixtures/small" "$SRC/data"; do
  name=$(basename "$bundle")
  import_into "$WORK/$name-1.db" "$bundle"
  "$NLETSFS" export --db "$WORK/$name-1.db" "$WORK/$name-a" || fail "export of $name"
  import_into "$WORK/$name-2.db" "$WORK/$name-a"
  "$NLETSFS" export --db "$WORK/$name-2.db" "$WORK/$name-b" || fail "second export of $name"
  diff -r "$WORK/$name-a" "$WORK/$name-b" || fail "$name: the second export differs"
  ok "$name: export, import, export is byte-identical"
done

# An archive of the export imports to the same inventory.
tar -C "$WORK/small-a" -czf "$WORK/small.tar.gz" .
import_into "$WORK/small-3.db" "$WORK/small.tar.gz"
"$NLETSFS" export --db "$WORK/small-3.db" "$WORK/small-c"
diff -r "$WORK/small-a" "$WORK/small-c" || fail "tar.gz of the export imports differently"
ok "tar.gz bundle"

mount_db "$WORK/data-1.db"
diff -r "$WORK/data-a" "$MNT/export" || fail "export/ in the mount differs from nletsfs export"
unmount
ok "export/ in the mount"
