#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Live updates in the mode users run: the daemon in the background, started
# exactly as scripts/run starts it (relative paths, no -f), then imports one
# after another, documents and records bundles, while readers walk the tree.
# Each import shows within 1 s; the daemon never loses the database's WAL
# (a daemon that opened the database before forking did: SQLite's locks do
# not survive fork(), and the importer deleted the WAL it still read).
. "$(dirname "$0")/lib.sh"

cd "$WORK"
"$NLETSFS" import --db inventory.db "$SRC/tests/fixtures/small" >/dev/null || fail "first import"
mount_background inventory.db

# Readers meanwhile: a grep -r and a find in loops, and four loops of lookups.
reader() {
  while [[ ! -e $WORK/stop ]]; do
    case $1 in
      grep) grep -r ssn mnt >/dev/null 2>>"$WORK/errors"; [[ $? -le 1 ]] || echo "grep failed" >>"$WORK/errors" ;;
      find) find mnt >/dev/null 2>>"$WORK/errors" || echo "find failed" >>"$WORK/errors" ;;
    esac
  done
}
: >"$WORK/errors"
reader grep &
reader find &
# Names never seen, in four loops: each is a request, so every worker stays
# busy and none is ever idle for the watcher's tick. A worker that kept its
# snapshot across an import would serve the old inventory, and the kernel
# would cache what it said. Each loop is a job of this shell itself (python,
# not a subshell around it), so the cleanup's kill reaches it; it also ends
# when the scratch folder goes. An error it meets lands in errors.
lookups='
import os, sys
work, i = sys.argv[2], 0
while os.path.isdir(work) and not os.path.exists(work + "/stop"):
    for d in ("sources", "flows", "agencies"):
        name = "%s/mnt/%s/never-%s-%d" % (work, d, sys.argv[1], i)
        try:
            os.stat(name)
            print(name, "exists")
        except FileNotFoundError:
            pass
    i += 1
'
for k in 1 2 3 4; do python3 -c "$lookups" "$k" "$WORK" >>"$WORK/errors" 2>&1 & done

# shows_within_1s TEST...: TEST holds within 1 s.
shows_within_1s() {
  local _
  for _ in $(seq 20); do
    "$@" && return 0
    sleep 0.05
  done
  "$@"
}
has_import() { [[ -e mnt/imports/$1 ]] || ls mnt/imports | grep -qx "0*$1"; }
# changes_is_stored: `changes` on the mount is the log the last import stored, part after part.
changes_is_stored() {
  python3 - inventory.db >"$WORK/changes.stored" <<'PY' || return 1
import sqlite3, sys
for (body,) in sqlite3.connect(sys.argv[1]).execute('SELECT body FROM change_log ORDER BY part'):
    sys.stdout.buffer.write(body)
PY
  [[ -s $WORK/changes.stored ]] && cmp -s "$WORK/changes.stored" mnt/changes
}
runs=1
for i in 1 2 3 4 5 6; do
  if (( i % 3 == 0 )); then
    # A records bundle: a new flow.
    mkdir -p "bundle$i"
    printf 'id,title,kind,date,url\nsrc-%s,Background test %s,report,2021-0%s-01,\n' "$i" "$i" "$i" >"bundle$i/sources.csv"
    printf 'id,from,to,via,transaction,fields,status,conditions,since,until,source,page,quote\n' >"bundle$i/flows.csv"
    printf 'bg-flow-%s,NY/dmv,ICE,Nlets,,,reported,,,,src-%s,1,\n' "$i" "$i" >>"bundle$i/flows.csv"
    "$NLETSFS" import --db inventory.db "bundle$i" >/dev/null || fail "import $i (records) failed"
    shows_within_1s test -d "mnt/flows/bg-flow-$i" || fail "import $i: flows/bg-flow-$i did not show within 1 s"
  else
    printf 'Background test document %s: Nlets shares ssn with ICE.\n' "$i" >"doc$i.txt"
    "$NLETSFS" import --db inventory.db --kind foia --date 2020-01-0"$i" "doc$i.txt" >/dev/null ||
      fail "import $i (document) failed"
    n=$(sqlite3 inventory.db "SELECT count(*) FROM sources")
    sources_are() { [[ $(ls mnt/sources | wc -l) -eq $1 ]]; }
    shows_within_1s sources_are "$n" ||
      fail "import $i: mnt/sources has $(ls mnt/sources | wc -l) sources, the database $n"
  fi
  runs=$((runs + 1))
  shows_within_1s has_import "$runs" || fail "import $i: imports/ lists $(ls mnt/imports | tr '\n' ' ')"
  shows_within_1s changes_is_stored || fail "import $i: changes is not the stored log ($(stat -c %s mnt/changes) bytes, stored $(stat -c %s "$WORK/changes.stored"))"
  cat mnt/README >/dev/null || fail "import $i: README unreadable"
  ls "mnt/search/Nlets" >/dev/null || fail "import $i: search unreadable"
  ok "import $i shows within 1 s"
done
touch "$WORK/stop"
wait $(jobs -p | grep -vx "$DAEMON_PID") 2>/dev/null || true
[[ ! -s $WORK/errors ]] || fail "readers saw errors: $(head -5 "$WORK/errors")"
ok "two readers walked the tree through six imports without an error"
if ls -l "/proc/$DAEMON_PID/fd" | grep -q '(deleted)'; then
  fail "the daemon reads deleted files: $(ls -l "/proc/$DAEMON_PID/fd" | grep deleted)"
fi
ok "the daemon holds no deleted WAL"
# A worker keeps its read transaction from one request to the next, and
# ends it once idle: after the walks nothing holds an old snapshot, so a
# checkpoint can reset the WAL (a kept one would make it grow for good).
wal_reset() { [[ $(sqlite3 inventory.db "PRAGMA wal_checkpoint(TRUNCATE)") == "0|0|0" ]]; }
for _ in $(seq 20); do
  wal_reset && break
  sleep 0.1
done
wal_reset || fail "an idle daemon still holds a read snapshot: wal_checkpoint(TRUNCATE) gave $(sqlite3 inventory.db 'PRAGMA wal_checkpoint(TRUNCATE)')"
ok "an idle daemon holds no snapshot: the WAL is reset"
# After six imports, every size the mount gives (the import's kept sizes,
# not renders) is the size of the file's bytes as materialize writes them.
"$NLETSFS" materialize --db inventory.db copy >/dev/null || fail "materialize"
sizes() { (cd "$1" && find . -path ./at -prune -o -path ./search -prune -o -type f -printf '%s %p\n' | sort -k2); }
diff <(sizes copy) <(sizes mnt) >"$WORK/sizes" || fail "sizes on the mount differ from the files' bytes: $(head -5 "$WORK/sizes")"
ok "after six imports every size the mount gives is its file's"
# And the whole tree: what the walkers cached through the imports, each of
# which made the kernel forget only what it changed (fs/forget.c), is what
# the inventory holds now.
same_tree copy
ok "after six imports under walkers the mount equals materialize"
unmount_background
ok "the daemon exits with its unmount"
