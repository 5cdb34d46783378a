#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# After an import the kernel forgets what the import changed, and only that
# (fs/forget.c): a walk made before it stays cached where nothing changed.
# What changed shows within 1 s, whole: a file the kernel had read, one
# held open (no lookup refreshes its pages), a folder gone from a listing
# it holds (NY/dmv, whose one fact ended), names it held as missing that
# now exist (a flow's new `until`, NJ/dmv), and a past day (at/DATE links
# move with the days on which anything changes). Then the mount, walked
# warm, equals `nletsfs materialize` of the inventory. With -o forget_all
# the kernel forgets everything: the same checks hold, and the walk after
# the import asks the daemon several times more than by default (so this
# test fails if the default forgets everything too).
. "$(dirname "$0")/lib.sh"

# One flow ends (it was shown today), one begins: a small import.
mkdir -p "$WORK/end"
cat >"$WORK/end/flows.csv" <<'EOF'
id,from,to,via,transaction,fields,status,conditions,since,until,source,page,quote
ny-dmv-blocks-ice,NY/dmv,ICE,Nlets,DQ,,blocked,,2019-12-14,2020-01-01,ice-2019;qa-2020,18;6,"New York has blocked U.S. Immigration and Customs Enforcement (ICE)"
nj-dmv-to-ice,NJ/dmv,ICE,Nlets,DQ,name;ssn,reported,,2021-03,,qa-2020,4,
EOF
# Then it holds again: NY/dmv comes back, which the kernel held as missing meanwhile.
mkdir -p "$WORK/back"
sed 's/,2019-12-14,2020-01-01,/,2019-12-14,,/' "$WORK/end/flows.csv" >"$WORK/back/flows.csv"

# held FILE TAG: open FILE, read it, say TAG.ready, wait for TAG.go, read it
# again from the same descriptor, print that (the old bytes: exit 1).
held='
import os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
before = os.pread(fd, 65536, 0)
open(sys.argv[2] + ".ready", "w").close()
while not os.path.exists(sys.argv[2] + ".go"):
    time.sleep(0.01)
after = os.pread(fd, 65536, 0)
sys.stdout.write(after.decode())
sys.exit(after == before)
'

# The import shows: every change it made, each read through what the kernel cached.
shown() {
  [[ ! -e $MNT/states/NY/dmv ]] && [[ $(cat "$MNT/flows/ny-dmv-blocks-ice/until") == 2020-01-01 ]] &&
    [[ -d $MNT/flows/nj-dmv-to-ice ]] && grep -qx ICE "$MNT/states/NJ/dmv/recipients" &&
    grep -qx NJ/dmv "$MNT/agencies/ICE/receives" && ! grep -qx NY/dmv "$MNT/agencies/ICE/blocked_by" &&
    [[ ! -e $MNT/at/2020-06-01/states/NY/dmv ]] && grep -qx ICE "$MNT/at/2019-12-20/states/NY/dmv/blocked"
}

keep_pass() { # keep_pass NAME COUNTER [MOUNT OPTION...]: COUNTER, the kind of refresh expected
  local db=$WORK/inv-$1.db
  import_into "$db" "$SRC/tests/fixtures/small"
  mount_db "$db" "${@:3}"
  walk_mount
  # Cached before the import: what it will change, and names it will make (held as missing).
  grep -qx ICE "$MNT/states/NY/dmv/blocked" || fail "$1: NY/dmv does not block ICE before the import"
  grep -qx NY/dmv "$MNT/agencies/ICE/blocked_by" || fail "$1: ICE is not blocked by NY/dmv before the import"
  ls "$MNT/flows/ny-dmv-blocks-ice/until" 2>/dev/null && fail "$1: ny-dmv-blocks-ice ends before the import"
  ls "$MNT/states/NJ/dmv" 2>/dev/null && fail "$1: NJ/dmv before the import"
  ls "$MNT/flows/nj-dmv-to-ice" 2>/dev/null && fail "$1: flows/nj-dmv-to-ice before the import"
  grep -qx ICE "$MNT/at/2020-06-01/states/NY/dmv/blocked" || fail "$1: at/2020-06-01 before the import"
  grep -qx ICE "$MNT/at/2019-12-20/states/NY/dmv/blocked" || fail "$1: at/2019-12-20 before the import"
  # A file held open and read again through the same descriptor after the
  # import (a file no check here looks up again by name, which would
  # refresh the inode): no lookup refreshes its pages or its size.
  rm -f "$WORK/held".*
  python3 -c "$held" "$MNT/fields/name/shared_by" "$WORK/held" >"$WORK/held.out" &
  held_pid=$!
  until [[ -e $WORK/held.ready ]]; do
    kill -0 "$held_pid" 2>/dev/null || fail "$1: the reader could not open fields/name/shared_by"
    sleep 0.01
  done
  walk_mount

  "$NLETSFS" import --db "$db" "$WORK/end" >/dev/null || fail "$1: the import"
  wait_until 1000 shown || fail "$1: the import did not show in the mount within 1 s"
  touch "$WORK/held.go"
  wait "$held_pid" || fail "$1: a file held open across the import still reads its old bytes"
  grep -qx NJ/dmv "$WORK/held.out" || fail "$1: a file held open across the import reads [$(cat "$WORK/held.out")]"
  [[ $(daemon_stats "$2") == 1 ]] || fail "$1: the refresh was not of the kind $2: $(tail -1 "$WORK/daemon.log")"

  walk_asked "$WORK/asked-$1"
  "$NLETSFS" materialize --db "$db" "$WORK/tree-$1" || fail "$1: materialize"
  same_tree "$WORK/tree-$1"
  ok "$1: the import shows after ${WAITED_MS} ms, and the mount equals materialize after it"

  ls "$MNT/states/NY/dmv" 2>/dev/null && fail "$1: NY/dmv after the import"
  "$NLETSFS" import --db "$db" "$WORK/back" >/dev/null || fail "$1: the second import"
  wait_until 1000 grep -qx ICE "$MNT/states/NY/dmv/blocked" || fail "$1: NY/dmv did not come back within 1 s"
  rm -rf "$WORK/tree-$1"
  "$NLETSFS" materialize --db "$db" "$WORK/tree-$1" || fail "$1: materialize"
  same_tree "$WORK/tree-$1"
  ok "$1: a folder held as missing comes back with the next import"
  unmount
}

keep_pass changed forgot_changed
keep_pass all forgot_all -o forget_all
asked_fewer "after the import" "$WORK/asked-changed" "$WORK/asked-all"
