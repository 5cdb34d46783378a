#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Pushed pages (fs/walk.c): a walk that reads what it lists
# gets the files in the page cache before it reads them, so a first grep -r
# costs the daemon few READs; the bytes are the files' own; readers that
# race the pushes (several at once, some reading files the pushes are
# writing) all finish with the right bytes, with no deadlock; an import
# replaces pushed pages; -o no_push_pages turns it off. Deterministic:
# request counts and contents, not time.
. "$(dirname "$0")/lib.sh"

"$SRC/scripts/gen-inventory" 300 "$WORK/gen" >/dev/null
import_into "$WORK/inv.db" "$WORK/gen"
"$NLETSFS" materialize --db "$WORK/inv.db" "$WORK/copy" >/dev/null || fail "materialize"
rm -f "$WORK/copy/changes" # computed on demand; a walk that lists it does not read it below
(cd "$WORK/copy" && grep -r ssn . | sort) >"$WORK/want"
files=$(find "$WORK/copy" -type f | wc -l)
[[ $files -gt 2000 ]] || fail "the synthetic tree has only $files files"

# 1. One reader: the first grep -r reads from pushed pages.
mount_db "$WORK/inv.db"
(cd "$MNT" && grep -r ssn --exclude=changes . | sort) >"$WORK/got" || fail "grep -r of the mount"
diff "$WORK/want" "$WORK/got" >/dev/null || fail "grep -r of the mount differs from the materialized tree"
reads=$(daemon_stats read)
echo "first grep -r of $files files: $reads READ requests"
[[ $reads -lt $((files / 4)) ]] || fail "a first grep -r cost $reads READs for $files files: pages were not pushed"
ok "a first grep -r of $files files cost $reads READs"
unmount

# 2. Racing readers on a fresh mount: two grep -r, a cat of every file in
# tree order and one in reverse order, so reads hit files while they are pushed.
mount_db "$WORK/inv.db"
(cd "$WORK/copy" && find . -type f | sort) >"$WORK/list"
race() {
  case $1 in
    grep) (cd "$MNT" && timeout 120 grep -r ssn --exclude=changes . | sort) >"$WORK/race.$2" ;;
    cat) (cd "$MNT" && timeout 120 xargs -a "$WORK/list" cat) >"$WORK/race.$2" ;;
    tac) (cd "$MNT" && tac "$WORK/list" | timeout 120 xargs cat) >"$WORK/race.$2" ;;
  esac
}
pids=()
for r in "grep 1" "grep 2" "cat 3" "tac 4"; do
  race $r &
  pids+=($!)
done
for p in "${pids[@]}"; do
  wait "$p" || fail "a racing reader failed or hung (status $?)"
done
# Served at once, each by a worker of its own: the old single loop served one at a time.
busy=$(daemon_stats busy_max)
[[ $busy -ge 2 ]] || fail "four racing readers were served one request at a time (busy_max $busy)"
diff "$WORK/want" "$WORK/race.1" >/dev/null || fail "racing grep -r 1 read wrong bytes"
diff "$WORK/want" "$WORK/race.2" >/dev/null || fail "racing grep -r 2 read wrong bytes"
(cd "$WORK/copy" && xargs -a "$WORK/list" cat) | cmp -s - "$WORK/race.3" || fail "racing cat read wrong bytes"
(cd "$WORK/copy" && tac "$WORK/list" | xargs cat) | cmp -s - "$WORK/race.4" || fail "racing reverse cat read wrong bytes"
ok "four racing readers finish with the right bytes"

# 3. An import replaces what was pushed: no reader sees the old bytes after it.
f=$MNT/flows/flow-0000001
before=$(cat "$f/status")
want_status=reported
[[ $before == reported ]] && want_status=blocked
# The same claim (same source and page) with another status replaces it.
read -r src page < <(head -1 "$f/sources" | sed 's/ p\./ /')
mkdir -p "$WORK/upd"
printf 'id,from,to,via,transaction,fields,status,conditions,since,until,source,page,quote\n%s\n' \
  "flow-0000001,$(cat "$f/from"),$(cat "$f/to"),$(cat "$f/via"),,,$want_status,,,,$src,$page," >"$WORK/upd/flows.csv"
"$NLETSFS" import --db "$WORK/inv.db" "$WORK/upd" || fail "import of the update"
for _ in $(seq 40); do
  [[ $(cat "$f/status") == "$want_status" ]] && break
  sleep 0.05
done
[[ $(cat "$f/status") == "$want_status" ]] || fail "a pushed page outlived the import: $(cat "$f/status")"
ok "an import replaces pushed pages ($before -> $want_status)"
unmount

# 4. -o no_push_pages: every file read is a READ.
mount_db "$WORK/inv.db" -o no_push_pages
grep -r ssn --exclude=changes "$MNT" >/dev/null
reads=$(daemon_stats read)
[[ $reads -ge $((files / 2)) ]] || fail "with no_push_pages a first grep -r cost only $reads READs"
ok "-o no_push_pages: $reads READs"
unmount

# 5. A walk that lists without reading (find) pushes no page. The lister
# ahead is off by default (it did not pay: docs/performance.md), and
# -o list_ahead starts it: it lists folders before the walk asks, and the
# walk reads the same bytes.
mount_db "$WORK/inv.db"
find "$MNT" -path "$MNT/at" -prune -o -print >/dev/null
pushes=$(daemon_stats pushes)
ahead=$(daemon_stats ahead)
[[ $pushes == 0 ]] || fail "a find pushed $pushes pages"
[[ $ahead == 0 ]] || fail "by default the lister ahead listed $ahead folders"
ok "a find pushes nothing; nothing is listed ahead by default"
unmount
mount_db "$WORK/inv.db" -o list_ahead
(cd "$MNT" && grep -r ssn --exclude=changes . | sort) >"$WORK/got"
diff "$WORK/want" "$WORK/got" >/dev/null || fail "grep -r with list_ahead differs from the materialized tree"
ahead=$(daemon_stats ahead)
[[ $ahead -gt 0 ]] || fail "with list_ahead the lister listed nothing"
ok "-o list_ahead: $ahead folders listed ahead, the same bytes read"
unmount
