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

real_size=$(sqlite3 "$db" "SELECT sum(length(body)) FROM change_log") || fail "no stored change log"
# Every part but the last is full: byte N is in part N / 131072.
sqlite3 "$db" "SELECT count(*) FROM change_log WHERE length(body) <> 131072 AND part < (SELECT max(part) FROM change_log)" |
  grep -qx 0 || fail "the change log has a short part before its last"
(( real_size > 1000000 )) || fail "the stored change log of 10k flows holds $real_size bytes"
sqlite3 "$db" "SELECT count(*) FROM derived_files WHERE path IN ('README', 'maps/ssn.svg',
  'questions/ssn/yes', 'states/TX/questions/ssn', 'states/TX/records_request.txt')" | grep -qx 5 ||
  fail "the import did not store the checklist, maps and README"

# `changes` is read by parts (a READ reads the rows that hold it): the mount's
# bytes are the stored log's, also read from the middle across parts; and
# reading it does not make the daemon hold it whole (it did: 3 GB at 1M flows).
stored_log() {
  python3 - "$db" "$1" <<'PY' || fail "cannot read the stored change log"
import sqlite3, sys
with open(sys.argv[2], 'wb') as f:
    for (body,) in sqlite3.connect(sys.argv[1]).execute('SELECT body FROM change_log ORDER BY part'):
        f.write(body)
PY
}
stored_log "$WORK/changes.stored"
mount_db "$db"
cmp "$WORK/changes.stored" "$MNT/changes" || fail "the mount's changes differs from the stored log"
echo 1 >/proc/sys/vm/drop_caches 2>/dev/null || true
cmp <(tail -c +$((real_size / 3)) "$MNT/changes" | head -c 300000) \
  <(tail -c +$((real_size / 3)) "$WORK/changes.stored" | head -c 300000) || fail "a part of changes read from its middle differs"
# After a partial read, once the kernel has forgotten `changes`, a new
# lookup still gives the log's size.
head -c 200000 "$MNT/changes" >/dev/null
if echo 2 >/proc/sys/vm/drop_caches 2>/dev/null; then
  size=$(stat -c %s "$MNT/changes")
  [[ $size == "$real_size" ]] || fail "after a partial read changes has size $size, not $real_size"
fi
unmount
# A log of 100 MB behind nletsfs's back (800 parts, each its number then
# x's): the daemon's peak grows by a few parts and its connections' page
# caches, not by the 100 MB.
cp "$db" "$WORK/big.db"
sqlite3 "$WORK/big.db" "DELETE FROM change_log;
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 799)
  INSERT INTO change_log SELECT i, CAST(printf('%06d%.*c', i, 131071 - 6, 'x') || char(10) AS BLOB) FROM n;
  UPDATE derived SET value = (SELECT sum(length(body)) FROM change_log) WHERE key = 'changes_size';" ||
  fail "cannot store a big change log"
db=$WORK/big.db stored_log "$WORK/big.stored"
big_size=$(stat -c %s "$WORK/big.stored")
mount_db "$WORK/big.db"
hwm() { awk '/VmHWM/ { print $2 * 1024 }' "/proc/$DAEMON_PID/status"; }
before=$(hwm)
cmp "$WORK/big.stored" "$MNT/changes" || fail "the mount's changes differs from the big stored log"
grown=$(( $(hwm) - before ))
# A sanitizer build holds freed memory in quarantine: its peak says nothing of ours.
if ! grep -q __asan_init "$NLETSFS"; then
  (( grown < big_size / 2 )) || fail "reading changes ($big_size bytes) grew the daemon's peak memory by $grown bytes"
fi
unmount
ok "changes reads the stored log by parts ($big_size bytes read: the daemon's peak grew by $grown bytes)"
# materialize copies it a chunk at a time too: its peak stays well under the log.
python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' \
  "$NLETSFS" materialize --db "$WORK/big.db" "$WORK/big.copy" >"$WORK/mat.kb" || fail "materialize of the big log"
cmp "$WORK/big.stored" "$WORK/big.copy/changes" || fail "materialize wrote another changes than the big stored log"
mat_peak=$(( $(cat "$WORK/mat.kb") * 1024 ))
if ! grep -q __asan_init "$NLETSFS"; then
  (( mat_peak < big_size / 2 )) || fail "materialize of a $big_size-byte log peaked at $mat_peak bytes"
fi
rm -rf "$WORK/big.db" "$WORK/big.stored" "$WORK/big.copy"
ok "materialize writes the big log by chunks (peak $mat_peak bytes)"

# The facts' search index is stored too: a marker row in it is found by a search.
[[ $(sqlite3 "$db" "SELECT count(*) FROM facts_fts") -gt 10000 ]] || fail "the import did not index the facts' words"
# Behind nletsfs's back: a marker in place of each stored value.
sqlite3 "$db" "INSERT INTO facts_fts(source, text) SELECT id, 'zqxmarker' FROM sources LIMIT 1;
  DELETE FROM change_log; INSERT INTO change_log VALUES(0, CAST('stored change log' || char(10) AS BLOB));
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

# The days after the import: while no fact starts or stops, the stored
# files still serve (a mount lives for weeks), but a map and a records
# request, which print the day, are made for the day. Across a day a fact
# starts or stops on, everything is made again. (The generated facts end
# before yesterday: checked.)
yesterday=$(date -u -d yesterday +%Y-%m-%d)
files_date=$(sqlite3 "$db" "SELECT value FROM derived WHERE key = 'files_date'")
last=$(sqlite3 "$db" "SELECT max(d) FROM (SELECT max(valid_from) d FROM flows UNION SELECT max(valid_until) FROM flows
  UNION SELECT max(valid_from) FROM laws UNION SELECT max(as_of) FROM participation UNION SELECT max(date) FROM sources)")
[[ $last < $yesterday ]] || fail "the generated inventory has a fact on $last: pick other days"
sqlite3 "$db" "UPDATE derived SET value = ${yesterday//-/} WHERE key = 'files_date'" || fail "cannot date the stored files"
mount_db "$db"
ls -l "$MNT" >"$WORK/ls" || fail "ls -l of the root"
grep -qE '^-r--r--r-- 1 [^ ]+ [^ ]+ +14 .* README$' "$WORK/ls" || fail "the day after: README does not have the stored size"
for f in README questions/ssn/yes states/TX/questions/ssn; do
  expect_file "$f" "stored $f"$'\n'
done
grep -q '<svg' "$MNT/maps/ssn.svg" || fail "the day after: the stored map (of the import's day) was shown"
grep -q "as of $(date -u +%Y-%m-%d)" "$MNT/maps/ssn.svg" || fail "the day after: the map is not of today"
[[ $(stat -c %s "$MNT/maps/ssn.svg") == $(wc -c <"$MNT/maps/ssn.svg") ]] || fail "the day after: the map's size is not its own"
grep -qx "Date:  $(date -u +%Y-%m-%d)" "$MNT/states/TX/records_request.txt" || fail "the day after: the records request is not of today"
unmount
# As if imported the day before the last fact's: the import kept that its files hold until then.
before=$(date -u -d "$last - 1 day" +%Y%m%d)
sqlite3 "$db" "UPDATE derived SET value = $before WHERE key = 'files_date';
  UPDATE derived SET value = ${last//-/} WHERE key = 'files_until'" || fail "cannot date the stored files"
mount_db "$db"
[[ $(cat "$MNT/README") == "stored README" ]] && fail "a fact started after the stored files' day, and they were shown"
[[ $(cat "$MNT/questions/ssn/yes") == "stored questions/ssn/yes" ]] &&
  fail "a fact started after the stored files' day, and a stored answer was shown"
ok "the days after the import, the stored files serve until a fact starts or stops; maps and requests are of today"
unmount
sqlite3 "$db" "UPDATE derived SET value = $files_date WHERE key = 'files_date';
  UPDATE derived SET value = 99991231 WHERE key = 'files_until'" || fail "cannot date the stored files"

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
sqlite3 "$small" "UPDATE change_log SET body = CAST('stale' || char(10) AS BLOB);
  UPDATE derived_files SET body = CAST('stale' || char(10) AS BLOB); UPDATE derived SET value = 0 WHERE key = 'fresh'" ||
  fail "cannot mark stale"
mount_db "$small"
cmp -s "$WORK/changes.real" "$MNT/changes" || fail "stale derived data was shown: $(head -3 "$MNT/changes")"
cmp -s "$WORK/ssn.real" "$MNT/maps/ssn.svg" || fail "a stale map was shown"
ok "stale derived data is never shown: the mount computes"
unmount
