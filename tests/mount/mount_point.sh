#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A mount point must be an empty folder that is not a mount point already
# (SPEC section 5), as fusermount3 and sshfs want it: anything else is a
# clear error, exit 1, and nothing is mounted.
. "$(dirname "$0")/lib.sh"

import_into "$WORK/inv.db" "$SRC/tests/fixtures/small"
refused() {
  local target=$1 want=$2 status=0
  "$NLETSFS" mount --db "$WORK/inv.db" "$target" 2>"$WORK/err" || status=$?
  [[ $status == 1 ]] || fail "mount on $target: exit $status, want 1"
  grep -q "$want" "$WORK/err" || fail "mount on $target: [$(cat "$WORK/err")], want '$want'"
  ok "mount on ${target#"$WORK"/} refused: $(cat "$WORK/err")"
}
touch "$WORK/file"
refused "$WORK/file" "not a directory"
refused "$WORK/nosuch" "No such file or directory"
mkdir -p "$WORK/full"
touch "$WORK/full/x"
refused "$WORK/full" "not empty"

mount_db "$WORK/inv.db"
before=$(grep -c " $MNT " /proc/mounts)
refused "$MNT" "already a mount point"
[[ $(grep -c " $MNT " /proc/mounts) == "$before" ]] || fail "a second mount was stacked on $MNT"
ls "$MNT/states" >/dev/null || fail "the first mount stopped serving"
ok "the first mount still serves"
unmount
