#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# An import onto a full disk: the inventory lives on a 4 MiB tmpfs and the
# bundle is far too big for it. The import fails with a clear message that
# names the inventory (exit 1), and the inventory is exactly as before and
# still passes `nletsfs check`. Needs root to mount the tmpfs.
. "$(dirname "$0")/lib.sh"

if [[ $(id -u) != 0 ]]; then
  echo "SKIP: mounting a tmpfs needs root"
  exit 77
fi
# lib.sh's cleanup unmounts whatever is mounted at $MNT, even on failure.
mkdir -p "$MNT"
mount -t tmpfs -o size=4m nletsfs-test "$MNT" || { echo "SKIP: cannot mount a tmpfs here"; exit 77; }

db=$MNT/inv.db
import_into "$db" "$SRC/tests/fixtures/small"
"$NLETSFS" export --db "$db" "$WORK/before"
python3 "$SRC/tests/mount/gen_bundle.py" "$SRC/tests/fixtures/small" "$WORK/big" 2000
s=0
"$NLETSFS" import --db "$db" "$WORK/big" 2>"$WORK/err" || s=$?
[[ $s == 1 ]] || fail "import onto a full disk: exit $s, not 1: $(cat "$WORK/err")"
grep -q "cannot write the inventory $db: No space left on device" "$WORK/err" ||
  fail "no clear message: $(cat "$WORK/err")"
grep -q 'nothing was imported' "$WORK/err" || fail "no 'nothing was imported': $(cat "$WORK/err")"
ok "full disk: exit 1, '$(head -c 100 "$WORK/err")...'"

"$NLETSFS" check --db "$db" >"$WORK/check" || fail "check after a full disk: $(cat "$WORK/check")"
"$NLETSFS" export --db "$db" "$WORK/after"
diff -r "$WORK/before" "$WORK/after" >/dev/null || fail "the failed import changed the inventory"
ok "the inventory is unchanged and passes check"

# With room again, the same import goes through: the failure left nothing in the way.
mount -o remount,size=128m "$MNT" || fail "cannot grow the tmpfs"
import_into "$db" "$WORK/big"
"$NLETSFS" check --db "$db" >/dev/null || fail "check after the retried import"
"$NLETSFS" export --db "$db" "$WORK/retry"
[[ $(grep -c '^generated-' "$WORK/retry/flows.csv") == 2000 ]] || fail "the retried import did not land whole"
ok "with room again, the import lands"
