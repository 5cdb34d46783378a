#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# File times mean something (SPEC section 2): after an import into a mounted
# inventory, `find -newer REF` lists exactly the files whose content and the
# folders whose listing the import changed (what `nletsfs materialize` before
# and after shows), an import that changes nothing moves nothing but its own
# run, and `rsync -a` of the mount then equals `nletsfs materialize`, even for
# a README and a map whose size did not change.
. "$(dirname "$0")/lib.sh"
command -v rsync >/dev/null || skip "rsync is not installed (scripts/setup installs it)"

db=$WORK/inv.db
import_into "$db" "$SRC/tests/fixtures/small"
"$NLETSFS" materialize --db "$db" "$WORK/m1" || fail "materialize after the first import"
mount_db "$db"

# The mirror a coalition member keeps, taken now.
rsync -a --exclude /at --exclude /search "$MNT/" "$WORK/mirror/" || fail "rsync of the mount"

# A second import: Texas answers one question `partial` (a participation row) and
# has one more flow. `partial` and `unknown` are as long, and the README's counts
# keep their digits: the map and the README change, their sizes do not.
mkdir "$WORK/b2"
cat >"$WORK/b2/participation.csv" <<'EOF'
state,function,as_of,value,detail,source,page,quote
TX,intermediary,2020-01-01,partial,The state network relays some queries,qa-2020,9,
EOF
cat >"$WORK/b2/flows.csv" <<'EOF'
id,from,to,via,transaction,fields,status,conditions,since,until,source,page,quote
tx-dmv-to-ice,TX/dmv,ICE,Nlets,DQ,name,reported,,2020-01-01,,qa-2020,9,
EOF
# shows N: the mount lists N runs under imports/ within 5 s, and RUN is the
# newest's name. A listing, not a lookup: the kernel keeps listings until the
# daemon's refresh after the import, so the refresh has begun; a moment more
# lets it reach every inode.
shows() {
  for _ in $(seq 50); do
    if [[ $(ls "$MNT/imports" | wc -l) -ge $1 ]]; then
      RUN=$(ls "$MNT/imports" | tail -1)
      sleep 0.3
      return 0
    fi
    sleep 0.1
  done
  fail "imports/ does not list $1 runs"
}
# rsync's quick check compares times in whole seconds (--modify-window=0):
# the second import lands in a later second than the first, as imports a
# person or a cron job makes do (docs/time.md).
sleep "$(awk -v n="$(date +%N)" 'BEGIN { printf "%.3f", 1 - n / 1e9 }')"
touch "$WORK/ref"
sleep 0.05
import_into "$db" "$WORK/b2"
shows 2
"$NLETSFS" materialize --db "$db" "$WORK/m2" || fail "materialize after the second import"
for f in README maps/intermediary.svg; do
  [[ $(stat -c %s "$WORK/m1/$f") == $(stat -c %s "$WORK/m2/$f") ]] || fail "test setup: $f changed size"
  cmp -s "$WORK/m1/$f" "$WORK/m2/$f" && fail "test setup: $f did not change"
done

# What the import changed: files whose bytes differ or are new, folders whose
# listing differs or are new, links whose target differs or are new.
changed_between() {
  python3 - "$1" "$2" <<'EOF'
import os, sys
a, b = sys.argv[1], sys.argv[2]
def kind(p):
    if os.path.islink(p): return 'l', os.readlink(p)
    if os.path.isdir(p): return 'd', sorted(os.listdir(p))
    with open(p, 'rb') as f: return 'f', f.read()
paths = ['.']
for root, dirs, files in os.walk(b):
    rel = os.path.relpath(root, b)
    paths += [os.path.normpath(os.path.join(rel, e)) for e in dirs + files]
out = []
for r in paths:
    pa, pb = os.path.join(a, r), os.path.join(b, r)
    if not os.path.lexists(pa) or kind(pa) != kind(pb):
        out.append('.' if r == '.' else './' + r)
print('\n'.join(sorted(out)))
EOF
}
newer() {
  (cd "$MNT" && find . -path ./at -prune -o -path ./search -prune -o -newer "$1" -print | LC_ALL=C sort)
}
changed_between "$WORK/m1" "$WORK/m2" >"$WORK/expected"
[[ -s $WORK/expected ]] || fail "test setup: the second import changed nothing"
newer "$WORK/ref" >"$WORK/found"
diff "$WORK/expected" "$WORK/found" >"$WORK/delta" ||
  fail "find -newer is not what the import changed (< changed but not newer, > newer but unchanged): $(cat "$WORK/delta")"
ok "find -newer lists exactly the $(wc -l <"$WORK/expected") paths the import changed"

# ctime follows mtime; an unchanged file keeps the first import's time.
[[ $(stat -c %Y "$MNT/README") == $(stat -c %Z "$MNT/README") ]] || fail "README: ctime is not mtime"
[[ ! "$MNT/flows/ny-dmv-blocks-ice/from" -nt "$WORK/ref" ]] || fail "an untouched file got a new time"
ok "ctime is mtime; untouched files keep theirs"

rsync -a --exclude /at --exclude /search "$MNT/" "$WORK/mirror/" || fail "rsync of the mount"
diff -r "$WORK/m2" "$WORK/mirror" >"$WORK/stale" || fail "rsync -a left the mirror stale: $(head -20 "$WORK/stale")"
ok "rsync -a of the mount equals materialize (README and a map of unchanged size included)"

# The same import again changes no fact: only its own run is new.
touch "$WORK/ref2"
sleep 0.05
import_into "$db" "$WORK/b2"
shows 3
newer "$WORK/ref2" >"$WORK/found2"
diff <(printf './imports\n./imports/%s\n' "$RUN") "$WORK/found2" ||
  fail "an import that changes nothing moved more than its run: $(cat "$WORK/found2")"
ok "an import that changes nothing moves only imports/"

# A failed import changes no fact either: only its run (status failed) is new.
mkdir "$WORK/bad"
printf 'id,from,to,via,transaction,fields,status,conditions,since,until,source,page,quote\nx,TX/dmv,ICE,Nlets,DQ,name,weird,,,,qa-2020,9,\n' \
  >"$WORK/bad/flows.csv"
touch "$WORK/ref3"
sleep 0.05
"$NLETSFS" import --db "$db" "$WORK/bad" 2>/dev/null && fail "a bad bundle imported"
shows 4
newer "$WORK/ref3" >"$WORK/found3"
diff <(printf './imports\n./imports/%s\n' "$RUN") "$WORK/found3" ||
  fail "a failed import moved more than its run: $(cat "$WORK/found3")"
ok "a failed import moves only imports/"

unmount
