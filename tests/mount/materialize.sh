#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `nletsfs materialize` writes the tree the mount shows: for the fixture and
# for the default inventory, the same names of the same types (files,
# folders, links) and `diff -r` clean against the real mount, less at/ and
# search/. With --at it writes the tree of that day.
. "$(dirname "$0")/lib.sh"

import_into "$WORK/small.db" "$SRC/tests/fixtures/small"
"$NLETSFS" materialize --db "$WORK/small.db" "$WORK/small" || fail "materialize"
mount_db "$WORK/small.db"
same_tree "$WORK/small"
unmount
ok "the fixture: diff -r against the mount is clean"

import_into "$WORK/default.db" "$SRC/data"
NLETSFS_DB=$WORK/default.db "$NLETSFS" materialize "$WORK/default" || fail "materialize of the default inventory"
mount_db "$WORK/default.db"
same_tree "$WORK/default"
unmount
ok "the default inventory: diff -r against the mount is clean ($(find "$WORK/default" -type f | wc -l) files)"

# The tree as at/2019-06-01/ shows it (diff -r against the mount), before New York's DMV blocked ICE
# (2019-12-14) it still sent ICE its records, California's DMV did too (until
# 2020), and New York's law of 2019-06-17 was not yet enacted.
"$NLETSFS" materialize --db "$WORK/small.db" --at 2019-06-01 "$WORK/at" || fail "materialize --at"
mount_db "$WORK/small.db"
diff -r "$WORK/at" "$MNT/at/2019-06-01/" || fail "materialize --at differs from at/2019-06-01/"
unmount
[[ $(cat "$WORK/small/states/NY/dmv/blocked") == ICE ]] || fail "today NY's DMV blocks ICE"
[[ ! -s $WORK/at/states/NY/dmv/blocked ]] || fail "on 2019-06-01 NY's DMV did not block ICE yet"
[[ $(cat "$WORK/at/states/NY/dmv/recipients") == ICE ]] || fail "on 2019-06-01 NY's DMV sent to ICE"
# (records_request.txt is written to be sent today: only the present has it; the
# checklist answers follow the facts, checked in tests/mount/checklist.sh.)
diff <(diff -rq -x records_request.txt -x questions "$WORK/small/states" "$WORK/at/states" | sed "s|$WORK/||g" | sort) - <<'EOF' || fail "states/ differs otherwise"
Files small/states/NY/dmv/blocked and at/states/NY/dmv/blocked differ
Files small/states/NY/dmv/recipients and at/states/NY/dmv/recipients differ
Files small/states/NY/dmv/shared_fields and at/states/NY/dmv/shared_fields differ
Files small/states/NY/dmv/sources and at/states/NY/dmv/sources differ
Files small/states/NY/dmv/transactions and at/states/NY/dmv/transactions differ
Only in at/states/CA: dmv
Only in small/states/NY/laws: A3675
Only in small/states/NY/participation: blocks-ori
EOF
[[ -d $WORK/small/flows/ny-dmv-blocks-ice && ! -e $WORK/at/flows/ny-dmv-blocks-ice ]] ||
  fail "the flow blocking ICE is not in the tree of 2019-06-01"
[[ ! -e $WORK/at/export/flows.csv && -e $WORK/small/export/flows.csv ]] || fail "export/ is the present's only"
ok "--at 2019-06-01: NY's DMV not yet blocking ICE"

status=0
"$NLETSFS" materialize --db "$WORK/small.db" --at 2019-02-30 "$WORK/bad" 2>"$WORK/err" || status=$?
[[ $status == 2 && ! -e $WORK/bad ]] || fail "--at 2019-02-30: status $status"
grep -q 'give a date as YYYY-MM-DD' "$WORK/err" || fail "--at 2019-02-30: $(cat "$WORK/err")"
status=0
"$NLETSFS" materialize --db "$WORK/small.db" "$WORK/small" 2>"$WORK/err" || status=$?
[[ $status == 1 ]] || fail "materialize into a full folder: status $status"
grep -q 'is not empty' "$WORK/err" || fail "full folder: $(cat "$WORK/err")"
ok "a bad date is a usage error; a full folder is refused"
