#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A reader in the middle of `changes` when an import lands reads the log it
# began, to its end, not the old log's start and the new one's rest, while
# a reader who begins after the import reads the new log (fs/pin.h). Both
# ways a log is read: its READs come to the daemon (the first reader after
# an import), or it is in the kernel's page cache (read before). The mount
# is started in the background, as scripts/run starts it, and imported
# into several times; `changes` keeps its number throughout.
. "$(dirname "$0")/lib.sh"

cd "$WORK"
python3 "$SRC/scripts/gen-inventory" 4000 gen >/dev/null || fail "gen-inventory"
import_into inventory.db gen
mount_background inventory.db

# stored DB OUT: the change log the last import stored, part after part.
stored() {
  python3 - "$1" >"$2" <<'PY'
import sqlite3, sys
db = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)
sys.stdout.buffer.write(b''.join(r[0] for r in db.execute('SELECT body FROM change_log ORDER BY part')))
PY
}

# One flow more, from a day no other starts on: new lines in the log's middle.
add_flow() { # add_flow N DAY
  mkdir -p "add$1"
  { head -1 gen/flows.csv
    echo "added-flow-$1,NY/dmv,AGENCY-01,Nlets,DQ,name,allowed,,$2,,synthetic-000,1,"
  } >"add$1/flows.csv"
}

# reader OUT: read mnt/changes 8 KiB each 10 ms (its READs keep coming: it is in
# the middle of the log), say so after the first, and the rest at once after go.
# A read failing with ESTALE is written down in OUT.estale.
reader='
import errno, os, sys, time
out = sys.argv[1]
with open("mnt/changes", "rb", buffering=0) as f, open(out, "wb") as w:
    w.write(f.read(8192))
    open(out + ".ready", "w").close()
    while True:
        go = os.path.exists(out + ".go")
        try:
            b = f.read(65536 if go else 8192)
        except OSError as e:
            if e.errno != errno.ESTALE:
                raise
            open(out + ".estale", "w").close()
            break
        if not b:
            break
        w.write(b)
        if not go:
            time.sleep(0.01)
'

round() { # round N DAY cold|warm: a reader across the import of one more flow
  local n=$1 day=$2 how=$3 pid
  # An import first, so that the log is not in the page cache: the reader's READs come to the daemon.
  add_flow "pre$n" "$day"
  "$NLETSFS" import --db inventory.db "addpre$n" >/dev/null 2>"$WORK/import.err" || fail "round $n: import: $(cat "$WORK/import.err")"
  wait_until 3000 test -d "mnt/flows/added-flow-pre$n" || fail "round $n: the first import did not show"
  stored inventory.db "old$n"
  # Or it is: the reader reads the kernel's pages, and sends no READ.
  if [[ $how == warm ]]; then
    cmp -s mnt/changes "old$n" || fail "round $n: changes is not the stored log before the import"
  fi
  add_flow "$n" "$day"
  # Keep the reader reading while the import lands: the pin is held by a reader in the middle.
  python3 -c "$reader" "read$n" &
  pid=$!
  wait_until 10000 test -e "read$n.ready" || fail "round $n: the reader did not start"
  "$NLETSFS" import --db inventory.db "add$n" >/dev/null 2>"$WORK/import.err" || fail "round $n: import: $(cat "$WORK/import.err")"
  stored inventory.db "new$n"
  cmp -s "old$n" "new$n" && fail "round $n: the import did not change the log"
  wait_until 3000 test -d "mnt/flows/added-flow-$n" || fail "round $n: the import did not show"
  # A reader who begins now reads the new log, while the first is in its middle.
  wait_until 1000 cmp -s mnt/changes "new$n" || fail "round $n: a new reader of changes does not read the new log within 1 s"
  ok "round $n ($how): a reader beginning after the import reads the new log ($WAITED_MS ms)"
  [[ $(stat -c %s "read$n") -lt $(stat -c %s "old$n") ]] || fail "round $n: the reader was done before the import showed"
  touch "read$n.go"
  wait "$pid" || fail "round $n: the reader failed"
  # The kernel may drop pages it holds of the old log, which nobody is in
  # the middle of at the import (it sent no READ): its reader then gets
  # ESTALE, never the new log's bytes.
  if [[ $how == warm && -e read$n.estale ]]; then
    cmp -s -n "$(stat -c %s "read$n")" "read$n" "old$n" || fail "round $n: a reader of the cached log read bytes of another"
    ok "round $n ($how): the kernel dropped pages of the old log: its reader got ESTALE after $(stat -c %s "read$n") bytes of it"
  else
    [[ ! -e read$n.estale ]] || fail "round $n: the reader got ESTALE after $(stat -c %s "read$n") bytes"
    cmp -s "read$n" "old$n" ||
      fail "round $n: a reader across the import read $(stat -c %s "read$n") bytes, neither the old log ($(stat -c %s "old$n")) nor the new ($(stat -c %s "new$n"))$(cmp -s "read$n" "new$n" && echo ': it is the new log')"
    ok "round $n ($how): a reader across the import read the log it began, whole"
  fi
  cmp -s mnt/changes "new$n" || fail "round $n: changes is not the new log after the reader stopped"
  # Its number is the path's, whatever inode the kernel holds (SPEC: stable for a path while mounted).
  [[ $(stat -c %i mnt/changes) == "$ino" ]] || fail "round $n: changes has number $(stat -c %i mnt/changes), not $ino"
  [[ $(ls -i mnt | awk '$2 == "changes" { print $1 }') == "$ino" ]] || fail "round $n: ls -i gives changes another number"
}

ino=$(stat -c %i mnt/changes)
round 1 1999-09-09 cold
round 2 1998-08-08 warm
round 3 1997-07-07 cold
unmount_background
