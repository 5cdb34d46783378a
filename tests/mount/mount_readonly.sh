#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Every way of writing fails with "Read-only file system" and changes
# nothing; a missing name is ENOENT, twice (the second from the kernel's
# negative cache).
. "$(dirname "$0")/lib.sh"

import_into "$WORK/inv.db" "$SRC/tests/fixtures/small"
mount_db "$WORK/inv.db"
before=$(tar -C "$MNT" -cf - . | sha256sum)

expect_erofs() {
  local what=$1
  shift
  local out
  if out=$("$@" 2>&1); then fail "$what succeeded"; fi
  [[ $out == *"Read-only file system"* ]] || fail "$what: expected 'Read-only file system', got: $out"
}
cd "$MNT"
expect_erofs touch touch new-file
expect_erofs "touch existing" touch states/NY/name
expect_erofs mkdir mkdir newdir
expect_erofs rm rm states/NY/name
expect_erofs "rm -r" rm -r flows/ca-dmv-to-ice
expect_erofs rmdir rmdir states/NY/laws
expect_erofs mv mv states/NY/name states/NY/nom
expect_erofs chmod chmod 600 README
expect_erofs truncate truncate -s 0 README
expect_erofs "echo >" sh -c 'echo x > README'
expect_erofs "echo >>" sh -c 'echo x >> states/NY/dmv/blocked'
expect_erofs ln ln -s README link
expect_erofs "cp into" cp /etc/hostname states/
expect_erofs setfattr python3 -c 'import os; os.setxattr("README", "user.x", b"1")'
cd /
after=$(tar -C "$MNT" -cf - . | sha256sum)
[[ $before == "$after" ]] || fail "the tree changed"
ok "every write is EROFS and changes nothing"

for _ in 1 2; do
  out=$(cat "$MNT/states/NY/nosuch" 2>&1) && fail "cat of a missing name succeeded"
  [[ $out == *"No such file or directory"* ]] || fail "missing name: $out"
  out=$(ls "$MNT/agencies/NOBODY" 2>&1) && fail "ls of a missing agency succeeded"
  [[ $out == *"No such file or directory"* ]] || fail "missing agency: $out"
done
out=$(cat "$MNT/README/x" 2>&1) && fail "a file used as a folder"
[[ $out == *"Not a directory"* ]] || fail "README/x: $out"
ok "ENOENT twice, ENOTDIR"

unmount
ok "clean unmount"
