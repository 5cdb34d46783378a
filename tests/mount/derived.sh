#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Derived data is made at import, not on read (SPEC section 2): at a
# generated 10,000-flow inventory, `ls -l` of the root and `cat changes`,
# the checklist, the maps and the README are lookups of what the import
# stored. Shown by changing the stored values behind nletsfs's back: the
# mount shows them, sizes included, so it did not render them; a packed
# bundle carries them; and a write that did not derive (the stored data
# then stale) makes the mount compute again rather than show stale data.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip "sqlite3 is not installed (scripts/setup installs it)"

db=$WORK/inv.db
python3 "$SRC/scripts/gen-inventory" 10000 "$WORK/gen" >/dev/null || fail "gen-inventory"
import_into "$db" "$WORK/gen"

real_size=$(sqlite3 "$db" "SELECT sum(length(body)) FROM change_days") || fail "no stored change log"
(( real_size > 1000000 )) || fail "the stored change log of 10k flows holds $real_size bytes"
sqlite3 "$db" "SELECT count(*) FROM derived_files WHERE path IN ('README', 'maps/ssn.svg',
  'questions/ssn/yes', 'states/TX/questions/ssn', 'states/TX/records_request.txt')" | grep -qx 5 ||
  fail "the import did not store the checklist, maps and README"

# The facts' search index is stored too: a marker row in it is found by a search.
[[ $(sqlite3 "$db" "SELECT count(*) FROM facts_fts") -gt 10000 ]] || fail "the import did not index the facts' words"
# Behind nletsfs's back: a marker in place of each stored value.
sqlite3 "$db" "INSERT INTO facts_fts(source, text) SELECT id, 'zqxmarker' FROM sources LIMIT 1;
  DELETE FROM change_days; INSERT INTO change_days VALUES('2000-01-01', CAST('stored change log' || char(10) AS BLOB));
  UPDATE derived SET value = 18 WHERE key = 'changes_size';
  UPDATE derived_files SET body = CAST('stored ' || path || char(10) AS BLOB)
  WHERE path IN ('README', 'maps/ssn.svg', 'questions/ssn/yes', 'states/TX/questions/ssn');
  UPDATE path_times SET size = (SELECT length(d.body) FROM derived_files d WHERE d.path = path_times.path)
  WHERE path IN ('README', 'maps/ssn.svg', 'questions/ssn/yes', 'states/TX/questions/ssn');" ||
  fail "cannot change the stored values"
mount_db "$db"
ls -l "$MNT" >"$WORK/ls" || fail "ls -l of the root"
grep -qE '^-r--r--r-- 1 [^ ]+ [^ ]+ +18 .* changes$' "$WORK/ls" || fail "ls -l: changes does not have the stored size: $(grep changes "$WORK/ls")"
grep -qE '^-r--r--r-- 1 [^ ]+ [^ ]+ +14 .* README$' "$WORK/ls" || fail "ls -l: README does not have the stored size: $(grep README "$WORK/ls")"
expect_file changes $'stored change log\n'
for f in README maps/ssn.svg questions/ssn/yes states/TX/questions/ssn; do
  expect_file "$f" "stored $f"$'\n'
done
[[ $(ls "$MNT/search/zqxmarker" | wc -l) == 1 ]] || fail "search/ did not read the stored facts' index"
ok "ls -l, changes, README, maps, the checklist and search come from what the import stored"
unmount

# A signed bundle carries the derived data: its mount reads the same lookups.
"$NLETSFS" keygen -o "$WORK/key" >/dev/null || fail "keygen"
"$NLETSFS" pack --db "$db" --key "$WORK/key.pem" -o "$WORK/x.nlb" || fail "pack"
mkdir -p "$MNT"
"$NLETSFS" mount "$WORK/x.nlb" "$MNT" --trust "$WORK/key.pub.pem" -f 2>"$WORK/daemon.log" &
DAEMON_PID=$!
for _ in $(seq 100); do mountpoint -q "$MNT" && break; sleep 0.1; done
mountpoint -q "$MNT" || fail "the bundle did not mount: $(cat "$WORK/daemon.log")"
expect_file changes $'stored change log\n'
expect_file maps/ssn.svg $'stored maps/ssn.svg\n'
ok "a packed bundle carries the derived data"
unmount

# A write that does not derive marks the stored data stale: the mount computes again.
small=$WORK/small.db
import_into "$small" "$SRC/tests/fixtures/small"
mount_db "$small"
cp "$MNT/changes" "$WORK/changes.real"
cp "$MNT/maps/ssn.svg" "$WORK/ssn.real"
unmount
sqlite3 "$small" "UPDATE change_days SET body = CAST('stale' || char(10) AS BLOB);
  UPDATE derived_files SET body = CAST('stale' || char(10) AS BLOB); UPDATE derived SET value = 0 WHERE key = 'fresh'" ||
  fail "cannot mark stale"
mount_db "$small"
cmp -s "$WORK/changes.real" "$MNT/changes" || fail "stale derived data was shown: $(head -3 "$MNT/changes")"
cmp -s "$WORK/ssn.real" "$MNT/maps/ssn.svg" || fail "a stale map was shown"
ok "stale derived data is never shown: the mount computes"
unmount
