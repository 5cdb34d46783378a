#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Mount a small bundle for real and read it the way people do: cat, diff -r
# against an independent model built from `nletsfs export`, rsync -a, tar,
# cp -a, find, ls -lR, grep -r and Python's os.walk.
. "$(dirname "$0")/lib.sh"

import_into "$WORK/inv.db" "$SRC/tests/fixtures/small"
mount_db "$WORK/inv.db"

grep -q 'Nlets' "$MNT/README" || fail "README does not say what this is"
expect_file states/NY/name $'New York\n'
expect_file states/NY/dmv/blocked $'ICE\n'
expect_file agencies/ICE/parent $'DHS\n'
expect_file partners/Forensic-Logic/kind $'hosting\n'
expect_line transactions/DQ/returns ssn
expect_line fields/ssn/shared_by '*/dmv'
[[ $(ls "$MNT/states" | wc -l) == 56 ]] || fail "states/ does not hold 56 jurisdictions"
ok "cat"

# The mount equals a model of the tree built by a separate program from the export.
"$NLETSFS" export --db "$WORK/inv.db" "$WORK/export"
python3 "$SRC/tests/mount/oracle.py" "$WORK/export" "$WORK/model" "$(date -u +%F)"
for d in states agencies partners transactions fields systems flows sources; do
  # records_request.txt is prose, checked by tests/mount/questions.sh and the unit tests.
  diff -r -x records_request.txt "$WORK/model/$d" "$MNT/$d" || fail "diff -r of $d/ against the model"
done
diff -r "$WORK/export" "$MNT/export" || fail "diff -r of export/ against nletsfs export"
ok "diff -r against the model and the export"

# Sizes are exact: stat, wc -c and read agree on every file.
while IFS= read -r -d '' f; do
  [[ $(stat -c %s "$f") == $(wc -c <"$f") ]] || fail "size of $f"
done < <(find "$MNT" -type f -print0)
ok "exact sizes"

rsync -a "$MNT/" "$WORK/rsynced/" || fail "rsync -a"
diff -r --no-dereference "$MNT" "$WORK/rsynced" || fail "rsync copy differs"
tar -C "$MNT" -cf "$WORK/tree.tar" . || fail "tar"
mkdir "$WORK/untarred" && tar -C "$WORK/untarred" -xf "$WORK/tree.tar"
diff -r --no-dereference "$MNT" "$WORK/untarred" || fail "tar copy differs"
cp -a "$MNT" "$WORK/copied" || fail "cp -a"
diff -r --no-dereference "$MNT" "$WORK/copied" || fail "cp -a copy differs"
ok "rsync -a, tar, cp -a"

n_find=$(find "$MNT" | wc -l)
n_walk=$(python3 -c 'import os,sys; print(sum(1 + len(d) + len(f) for _, d, f in os.walk(sys.argv[1])) - 0)' "$MNT")
# os.walk counts each folder once as a root and once as a child, except the top.
n_walk_entries=$(python3 -c '
import os, sys
n = 1
for _, dirs, files in os.walk(sys.argv[1]):
    n += len(dirs) + len(files)
print(n)' "$MNT")
[[ $n_find == "$n_walk_entries" ]] || fail "find saw $n_find entries, os.walk $n_walk_entries ($n_walk)"
ls -lR "$MNT" >/dev/null || fail "ls -lR"
grep -rl VTICE0900 "$MNT/agencies" | grep -q 'agencies/LESC/oris' || fail "grep -r"
[[ $(stat -c %i "$MNT/states/NY") == $(stat -c %i "$MNT/states/NY") ]] || fail "inode not stable"
ok "find, os.walk, ls -lR, grep -r"

unmount
ok "clean unmount"

# As scripts/run mounts: in the background, with a relative inventory and
# mount point (the daemon then works from /: its watcher's connection and
# its unmount need the full paths). SIGTERM ends it and its mount, also
# when it comes right after a walk, while the loop keeps the CPU latency low.
bg=bg-$$
mkdir -p "$WORK/$bg"
on_exit "fusermount3 -u '$WORK/$bg' 2>/dev/null; pkill -f -- '--db inv.db $bg\$' 2>/dev/null"
(cd "$WORK" && "$NLETSFS" mount --db inv.db "$bg") || fail "nletsfs mount --db inv.db $bg (in the background)"
grep -q 'Nlets' "$WORK/$bg/README" || fail "the background mount does not serve README"
pid=$(pgrep -f -- "--db inv.db $bg\$" | head -1)
[[ -n $pid ]] || fail "no background daemon for $bg"
ls -lR "$WORK/$bg" >/dev/null || fail "ls -lR of the background mount"
kill -TERM "$pid"
for _ in $(seq 50); do
  mountpoint -q "$WORK/$bg" || break
  sleep 0.1
done
mountpoint -q "$WORK/$bg" && fail "SIGTERM right after a walk left $bg mounted"
for _ in $(seq 50); do
  [[ ! -e /proc/$pid || $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == Z ]] && break
  sleep 0.1
done
[[ ! -e /proc/$pid || $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == Z ]] || fail "the daemon outlived SIGTERM"
ok "a background mount with relative paths serves, and SIGTERM after a walk unmounts it"
