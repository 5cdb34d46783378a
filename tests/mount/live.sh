#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# An import into a mounted inventory shows within 1 s, without a remount:
# names the kernel had cached as missing appear, cached pages are replaced,
# readers see the import whole or not at all, and 4 readers walking the
# tree meanwhile see no error. Three times: the kernel told what the import
# changed (the default, fs/forget.c), told to forget every name at once
# (-o forget_all: FUSE_NOTIFY_INC_EPOCH, where it has it), and told each
# name (-o forget_all,inval_names, as kernels before 6.16 need).
. "$(dirname "$0")/lib.sh"

# The update shows: NJ's DMV sends to ICE, and CBP is an agency.
shown() {
  [[ -f $MNT/states/NJ/dmv/recipients ]] && grep -qx ICE "$MNT/states/NJ/dmv/recipients" &&
    grep -qx NJ/dmv "$MNT/agencies/ICE/receives" && [[ -d $MNT/agencies/CBP ]]
}

live_pass() { # live_pass NAME [MOUNT OPTION...]
  rm -f "$WORK/stop" "$WORK"/errors.*
  import_into "$WORK/inv-$1.db" "$SRC/tests/fixtures/small"
  mount_db "$WORK/inv-$1.db" "${@:2}"

  # Warm the kernel's caches with what the import will change, misses included.
  cat "$MNT/agencies/ICE/receives" "$MNT/fields/name/shared_by" >/dev/null
  ls "$MNT/states/NJ/dmv" 2>/dev/null && fail "NJ/dmv before the import"
  ls "$MNT/agencies/CBP" 2>/dev/null && fail "CBP before the import"
  before_flows=$(ls "$MNT/flows" | wc -l)
  after_flows=$((before_flows + 62))

  # Four readers: grep -r and find in loops, and two that check the flow count is whole.
  reader() {
    local kind=$1 errs=$WORK/errors.$2
    : >"$errs"
    while [[ ! -e $WORK/stop ]]; do
      case $kind in
        # Not agencies/: its listing would bring back CBP, which the kernel holds as missing.
        grep) grep -r --exclude-dir=agencies ssn "$MNT" >/dev/null 2>>"$errs"; [[ $? -le 1 ]] || echo "grep failed" >>"$errs" ;;
        find) find "$MNT" -path "$MNT/agencies" -prune -o -print >/dev/null 2>>"$errs" || echo "find failed" >>"$errs" ;;
        count)
          n=$(ls "$MNT/flows" 2>>"$errs" | wc -l)
          [[ $n == "$before_flows" || $n == "$after_flows" ]] || echo "saw $n flows: half an import" >>"$errs" ;;
      esac
    done
  }
  reader grep 1 &
  r1=$!
  reader find 2 &
  r2=$!
  reader count 3 &
  r3=$!
  reader count 4 &
  r4=$!
  sleep 0.5

  "$NLETSFS" import --db "$WORK/inv-$1.db" "$SRC/tests/fixtures/update" || fail "import into the mounted inventory"
  wait_until 1000 shown || fail "the import did not show in the mount within 1 s"
  ok "$1: the import shows in the mount after ${WAITED_MS} ms"
  expect_line states/NY/dmv/blocked CBP
  expect_line fields/name/shared_by NJ/dmv
  [[ $(ls "$MNT/flows" | wc -l) == "$after_flows" ]] || fail "flows after the import"

  sleep 1
  touch "$WORK/stop"
  wait $r1 $r2 $r3 $r4
  cat "$WORK"/errors.* >"$WORK/all-errors"
  [[ ! -s $WORK/all-errors ]] || fail "readers saw errors: $(head -5 "$WORK/all-errors")"
  ok "$1: 4 readers during the import: no error, never half an import"
  unmount
}
live_pass changed
live_pass all_at_once -o forget_all
live_pass by_name -o forget_all,inval_names
