#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A new day between two days that show the same facts moves only the files
# that print the day (the maps, the records requests; MOVED_UNLOGGED): the
# kernel forgets those, the unwalked folders (at/, search/, .at/), and
# nothing else, so a walk made before midnight stays cached after it
# (fs/forget.c). The daemon's clock is moved with libfaketime, from noon
# to just past midnight of the day the inventory was imported. After the
# new day: a map read before, and one held open, show the new day; the
# mount equals `nletsfs materialize` of that day; and the walk after it
# asks the daemon less than a third of what it asks when the kernel
# forgets everything (-o forget_all, what every new day did before). The
# same holds for a signed bundle, which a coalition's readers mount.
. "$(dirname "$0")/lib.sh"

faketime_lib=
for f in /usr/lib/*/faketime/libfaketimeMT.so.1 /usr/lib/faketime/libfaketimeMT.so.1; do
  [[ -e $f ]] && faketime_lib=$f && break
done
[[ -n $faketime_lib ]] || skip "libfaketime is not installed (scripts/setup installs faketime)"
# AddressSanitizer's runtime reads the clock before libfaketime is ready, and the process hangs.
if grep -qa __asan_init "$NLETSFS"; then
  skip "libfaketime cannot run in a process with AddressSanitizer (scripts/test --sanitize)"
fi

today=$(date +%F)
tomorrow=$(date -d "$today + 1 day" +%F)
clock=$WORK/clock # the daemon's time, read again each second at most
# One inventory for every pass: mounts and materialize only read it.
db=$WORK/inv.db
import_into "$db" "$SRC/tests/fixtures/small" >/dev/null

# day_pass NAME COUNTER [MOUNT OPTION...]: COUNTER, the kind of refresh expected.
# With NAME "bundle", the inventory is mounted as a signed bundle (immutable).
day_pass() {
  local map mount=$db
  if [[ $1 == bundle ]]; then
    "$NLETSFS" keygen -o "$WORK/key" >/dev/null || fail "keygen"
    "$NLETSFS" pack --db "$db" --key "$WORK/key.pem" -o "$WORK/inv.nlb" >/dev/null || fail "pack"
    mount=$WORK/inv.nlb
    set -- "$@" --trust "$WORK/key.pub.pem"
  fi
  echo "$today 12:00:00" >"$clock"
  LD_PRELOAD=$faketime_lib FAKETIME_TIMESTAMP_FILE=$clock FAKETIME_CACHE_DURATION=1 \
    FAKETIME_DONT_FAKE_MONOTONIC=1 NO_FAKE_STAT=1 mount_db "$mount" "${@:3}"
  walk_mount
  map=$(cd "$MNT/maps" && ls | head -1)
  [[ -n $map ]] || fail "$1: no map"
  grep -q "$today" "$MNT/maps/$map" || fail "$1: maps/$map does not show $today"
  # A map held open across midnight, read again through the same descriptor.
  exec {held}<"$MNT/maps/$map"
  grep -q "$today" <&"$held" || fail "$1: the held map does not show $today"
  walk_mount

  echo "$tomorrow 00:00:01" >"$clock"
  wait_until 3000 grep -q "$tomorrow" "$MNT/maps/$map" ||
    fail "$1: maps/$map does not show $tomorrow 3 s after the daemon's midnight"
  # pread from offset 0 through the same open file: no lookup refreshes its pages.
  python3 -c 'import os, sys; sys.stdout.write(os.pread(int(sys.argv[1]), 1 << 20, 0).decode())' "$held" \
    <&"$held" >"$WORK/held.out" || fail "$1: the held map cannot be read again"
  exec {held}<&-
  grep -q "$tomorrow" "$WORK/held.out" || fail "$1: a map held open across midnight still shows $today"
  [[ $(daemon_stats "$2") == 1 ]] || fail "$1: the refresh was not of the kind $2: $(tail -1 "$WORK/daemon.log")"

  walk_asked "$WORK/asked-$1"
  LD_PRELOAD=$faketime_lib FAKETIME="$tomorrow 00:00:30" NO_FAKE_STAT=1 \
    "$NLETSFS" materialize --db "$db" "$WORK/tree-$1" || fail "$1: materialize"
  same_tree "$WORK/tree-$1"
  ok "$1: the new day shows after ${WAITED_MS} ms, and the mount equals materialize of it"
  unmount
}

# The daemon in the background, as scripts/run and fstab start it: what it
# does not tell the kernel stays in the page cache (fincore), and what it
# tells shows. The README (stored by the import, the same both days) keeps
# its pages across midnight; a map's show the new day.
background_pass() {
  local map
  echo "$today 12:00:00" >"$clock"
  LD_PRELOAD=$faketime_lib FAKETIME_TIMESTAMP_FILE=$clock FAKETIME_CACHE_DURATION=1 \
    FAKETIME_DONT_FAKE_MONOTONIC=1 NO_FAKE_STAT=1 mount_background "$db"
  walk_mount
  map=$(cd "$MNT/maps" && ls | head -1)
  grep -q "$today" "$MNT/maps/$map" || fail "background: maps/$map does not show $today"
  cat "$MNT/README" >/dev/null
  [[ $(fincore -nr -o PAGES "$MNT/README") -gt 0 ]] || fail "background: the README is not in the page cache after reading it"
  echo "$tomorrow 00:00:01" >"$clock"
  wait_until 3000 grep -q "$tomorrow" "$MNT/maps/$map" ||
    fail "background: maps/$map does not show $tomorrow 3 s after the daemon's midnight"
  [[ $(fincore -nr -o PAGES "$MNT/README") -gt 0 ]] ||
    fail "background: the README's pages were dropped at midnight (the kernel was told to forget everything)"
  LD_PRELOAD=$faketime_lib FAKETIME="$tomorrow 00:00:30" NO_FAKE_STAT=1 \
    "$NLETSFS" materialize --db "$db" "$WORK/tree-bg" || fail "background: materialize"
  same_tree "$WORK/tree-bg"
  unmount_background
  ok "background: the new day shows after ${WAITED_MS} ms, the README stays cached, and the mount equals materialize of it"
}

day_pass changed forgot_changed
day_pass bundle forgot_changed
day_pass all forgot_all -o forget_all
background_pass
asked_fewer "after midnight" "$WORK/asked-changed" "$WORK/asked-all"
