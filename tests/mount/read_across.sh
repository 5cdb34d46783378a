#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A reader in the middle of a rendered file (a map) when an import changes
# it reads the version it began, whole, not the old start and the new rest;
# who opens the file after the import reads the new one; the path keeps its
# number throughout (fs/kept.h). Two imports in a row, two readers at once:
# one began before both, one between them. The mount is started in the
# background, as scripts/run starts it. The readers drop what the kernel
# cached of the map and read with readahead off (POSIX_FADV_RANDOM), so
# each of their reads is a READ the daemon answers: a reader served from
# pages the kernel cached sends none, and the daemon cannot know it is in
# the middle (fs/kept.h).
. "$(dirname "$0")/lib.sh"

cd "$WORK"
import_into inventory.db "$SRC/tests/fixtures/small"
# The second import: one flow more, for a state the first left alone.
mkdir more
{ head -1 "$SRC/tests/fixtures/update/flows.csv"
  echo "nj-dmv-blocks-cbp,NJ/dmv,CBP,Nlets,DQ,,blocked,,2019-12-14,,update-2021,5,"
} >more/flows.csv
# The three versions, made aside: a map both imports change.
"$NLETSFS" materialize --db inventory.db v0 >/dev/null || fail "materialize v0"
cp inventory.db aside.db
import_into aside.db "$SRC/tests/fixtures/update" >/dev/null
"$NLETSFS" materialize --db aside.db v1 >/dev/null || fail "materialize v1"
import_into aside.db more >/dev/null
"$NLETSFS" materialize --db aside.db v2 >/dev/null || fail "materialize v2"
map=
for f in v0/maps/*.svg; do
  m=maps/${f##*/}
  if ! cmp -s "v0/$m" "v1/$m" && ! cmp -s "v1/$m" "v2/$m" && (( $(stat -c %s "v0/$m") > 3 * 4096 )); then
    map=$m
    break
  fi
done
[[ -n $map ]] || fail "no map of more than 12 KiB changes in both imports: nothing to test"

mount_background inventory.db
ino=$(stat -c %i "mnt/$map")

# reader OUT: 4 KiB, then wait for OUT.go, then the rest 4 KiB a read.
reader='
import os, sys, time
out = sys.argv[1]
fd = os.open("mnt/" + sys.argv[2], os.O_RDONLY)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
with open(out, "wb") as w:
    w.write(os.read(fd, 4096))
    open(out + ".ready", "w").close()
    while not os.path.exists(out + ".go"):
        time.sleep(0.01)
    while True:
        b = os.read(fd, 4096)
        if not b:
            break
        w.write(b)
'
start_reader() { # start_reader OUT: its pid in READER
  python3 -c "$reader" "$1" "$map" &
  READER=$!
  wait_until 10000 test -e "$1.ready" || fail "the reader $1 did not start"
}
# shows V: a new reader gets version V of the map within 2 s, with the path's number.
shows() {
  wait_until 2000 cmp -s "mnt/$map" "$1/$map" || fail "$map does not show the import ($1) within 2 s"
  [[ $(stat -c %i "mnt/$map") == "$ino" ]] || fail "$map has number $(stat -c %i "mnt/$map") at $1, not $ino"
  [[ $(ls -i mnt/maps | awk -v n="${map#maps/}" '$2 == n { print $1 }') == "$ino" ]] ||
    fail "ls -i gives $map another number at $1"
  ok "a reader who opens $map after the import reads $1, and the path keeps its number"
}
# read_whole OUT PID V: the reader OUT read version V, whole.
read_whole() {
  touch "$1.go"
  wait "$2" || fail "the reader $1 failed"
  if ! cmp -s "$1" "$3/$map"; then
    for v in v0 v1 v2; do
      cmp -s "$1" "$v/$map" && fail "the reader $1 read $v, whole, not $3, the version it began"
    done
    fail "the reader $1 read no version whole: $(cmp "$1" "$3/$map" | head -1)"
  fi
  ok "the reader $1, in the middle of $map at the imports, read $3, the version it began, whole"
}

start_reader a
apid=$READER
import_into inventory.db "$SRC/tests/fixtures/update" >/dev/null
shows v1
start_reader b
bpid=$READER
import_into inventory.db more >/dev/null
shows v2
read_whole a "$apid" v0
read_whole b "$bpid" v1
"$NLETSFS" materialize --db inventory.db now >/dev/null || fail "materialize after both imports"
same_tree now
ok "the whole tree is the materialized one after both imports"
unmount_background
