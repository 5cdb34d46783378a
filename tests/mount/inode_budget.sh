#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The inode budget (fs/evict.c, -o max_inodes=N): walks of a tree many
# times the budget leave the daemon holding about the budget's inodes, not
# the tree's (without a bound it holds the tree's: the check below can
# fail); what the walks read is the tree's own, also with several walkers
# at once on a background mount started as scripts/run starts it; a bad
# value is refused. Deterministic: counts and contents, not time.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip "sqlite3 is not installed (scripts/setup installs it)"

"$SRC/scripts/gen-inventory" 1000 "$WORK/gen" >/dev/null
import_into "$WORK/inv.db" "$WORK/gen" >/dev/null
"$NLETSFS" materialize --db "$WORK/inv.db" "$WORK/copy" >/dev/null || fail "materialize"
entries=$(find "$WORK/copy" | wc -l)
[[ $entries -gt 8000 ]] || fail "the synthetic tree has only $entries entries"

# 1. No bound: a walk leaves the kernel holding an inode of every entry, and the daemon one for each.
mount_db "$WORK/inv.db" -o max_inodes=0
find "$MNT" -path "$MNT/at" -prune -o -print >/dev/null
ls -lR "$MNT/states" "$MNT/flows" >/dev/null
held=$(daemon_stats inodes)
[[ $held -gt $((entries * 3 / 4)) ]] || fail "without a bound the daemon holds $held inodes after a walk of $entries"
ok "without a bound, a walk of $entries entries leaves $held inodes"
unmount

# 2. A budget of 1000: the same walks, twice, and a grep -r and a diff -r
# against the materialized tree; the daemon holds the budget, the idle
# list (4096) and the pinned, never the tree.
mount_db "$WORK/inv.db" -o max_inodes=1000
for _ in 1 2; do
  find "$MNT" -path "$MNT/at" -prune -o -print >/dev/null
  ls -lR "$MNT/states" "$MNT/flows" >/dev/null
done
same_tree "$WORK/copy"
held=$(daemon_stats inodes)
evicted=$(daemon_stats evicted)
[[ $held -le $((1000 + 4096 + 64)) ]] || fail "with max_inodes=1000 the daemon holds $held inodes"
[[ $evicted -gt 0 ]] || fail "nothing was evicted"
ok "with max_inodes=1000, walks of $entries entries leave $held inodes ($evicted names dropped); the tree reads whole"
unmount

# 3. The daemon in the background, as scripts/run starts it, with a small
# budget and three walkers at once: each reads what the materialized tree holds.
(cd "$WORK/copy" && grep -r ssn --exclude=changes . | sort) >"$WORK/want"
cd "$WORK"
mkdir -p mnt2
"$NLETSFS" mount --db inv.db -o max_inodes=1000 mnt2 || fail "the background mount failed"
on_exit "fusermount3 -u '$WORK/mnt2' 2>/dev/null; sleep 0.2"
FUSE_CONN=$(mountpoint -d mnt2 | cut -d: -f2)
for i in 1 2 3; do
  (cd mnt2 && timeout 120 grep -r ssn --exclude=changes --exclude-dir=at --exclude-dir=search . | sort) >"$WORK/got.$i" &
done
wait
for i in 1 2 3; do
  diff "$WORK/want" "$WORK/got.$i" >/dev/null || fail "walker $i of 3 read something else than the tree"
done
ok "three walkers at once under a budget of 1000 read the tree's own bytes"
# Imports one after another while two walkers go on evicting: each shows within 1 s.
for i in 1 2; do
  (cd mnt2 && timeout 120 find . -path ./at -prune -o -path ./search -prune -o -type f -print0 |
    xargs -0 cat >/dev/null) 2>"$WORK/walk.$i" &
done
for i in 1 2 3; do
  printf 'Budget test document %s about Nlets.\n' "$i" >"doc$i.txt"
  "$NLETSFS" import --db inv.db --kind foia --date 2020-01-0"$i" "doc$i.txt" >/dev/null || fail "import $i"
  want=$(sqlite3 inv.db "SELECT count(*) FROM sources")
  for _ in $(seq 20); do
    [[ $(ls mnt2/sources | wc -l) == "$want" ]] && break
    sleep 0.05
  done
  [[ $(ls mnt2/sources | wc -l) == "$want" ]] || fail "import $i did not show within 1 s under the budget"
done
wait
for i in 1 2; do
  [[ ! -s $WORK/walk.$i ]] || fail "walker $i saw errors during the imports: $(head -3 "$WORK/walk.$i")"
done
fusermount3 -u mnt2 || fail "unmount of the background mount"
ok "three imports in a row show within 1 s while two walkers evict; the walkers saw no error"

# 4. A bad budget: usage error, exit 2, nothing mounted.
for bad in 12 abc -5 ''; do
  s=0
  "$NLETSFS" mount --db inv.db -o "max_inodes=$bad" mnt2 2>"$WORK/err" || s=$?
  [[ $s == 2 ]] || fail "max_inodes=$bad: exit $s, not 2"
  grep -q "max_inodes=$bad: a number of inodes, at least 1000" "$WORK/err" || fail "max_inodes=$bad: $(cat "$WORK/err")"
  mountpoint -q mnt2 && fail "max_inodes=$bad mounted"
done
ok "a bad max_inodes is refused with exit 2"
