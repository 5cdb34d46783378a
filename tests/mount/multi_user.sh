#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Many people, one inventory: mounted by root with allow_other, an
# unprivileged user (made for this test, removed after it however it ends)
# reads every file root reads and can change nothing. Files are 0444,
# folders 0555, and default_permissions is on. Without allow_other the same
# user is kept out, which shows the test can tell the difference.
. "$(dirname "$0")/lib.sh"
need_root
command -v useradd >/dev/null && command -v runuser >/dev/null || skip "useradd and runuser are needed"

user=nletsfs-t$$
useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user" ||
  fail "useradd $user"
on_exit "userdel -f $user 2>/dev/null"
as_user() { runuser -u "$user" -- "$@"; }
chmod 755 "$WORK" # the user must reach the mount point

import_into "$WORK/inv.db" "$SRC/tests/fixtures/small"
mount_db "$WORK/inv.db" -o allow_other
opts=$(awk -v m="$MNT" '$2 == m { print $4 }' /proc/mounts)
for o in ro default_permissions allow_other; do
  [[ ,$opts, == *",$o,"* ]] || fail "mount option $o missing: $opts"
done
[[ $(find "$MNT" -type f -printf '%m %u\n' | sort -u) == "444 root" ]] || fail "file modes: $(find "$MNT" -type f -printf '%m %u\n' | sort -u)"
[[ $(find "$MNT" -type d -printf '%m %u\n' | sort -u) == "555 root" ]] || fail "folder modes: $(find "$MNT" -type d -printf '%m %u\n' | sort -u)"
[[ $(stat -c '%a %U %F' "$MNT/README" "$MNT/states/NY/dmv/blocked" "$MNT" "$MNT/states/NY" | sort -u | tr '\n' ';') == \
  "444 root regular file;555 root directory;" ]] || fail "stat: $(stat -c '%n %a %U %F' "$MNT/README" "$MNT")"
ok "ro, default_permissions, allow_other; files 0444, folders 0555"

# The user finds and reads everything root does.
listing() { cd "$MNT" && find . | sort; }
content() { cd "$MNT" && find . -type f -print0 | sort -z | xargs -0 cat | sha256sum; }
export -f listing content
export MNT
[[ $(as_user bash -c listing) == "$(listing)" ]] || fail "the user does not see the same names"
[[ $(as_user bash -c content) == "$(content)" ]] || fail "the user does not read the same bytes"
as_user grep -q ICE "$MNT/states/NY/dmv/blocked" || fail "grep as the user"
ok "$user reads every file (find, cat)"

# ... and can change nothing.
before=$(content)
for cmd in "touch $MNT/new" "touch $MNT/README" "rm -f $MNT/README" "mkdir $MNT/d" \
  "mv $MNT/states/NY/name $MNT/states/NY/x" "chmod 666 $MNT/README" "truncate -s 0 $MNT/README" \
  "sh -c 'echo x >> $MNT/states/NY/dmv/blocked'" "ln -s /etc/passwd $MNT/link" "rm -rf $MNT/flows"; do
  if out=$(as_user sh -c "$cmd" 2>&1); then fail "as $user, '$cmd' succeeded"; fi
  [[ $out == *"Read-only file system"* || $out == *"Permission denied"* || $out == *"Operation not permitted"* ]] ||
    fail "as $user, '$cmd': $out"
done
[[ $(content) == "$before" ]] || fail "the tree changed"
ok "$user can change nothing (EROFS, EACCES)"
unmount

# Without allow_other, FUSE keeps every other user out.
mount_db "$WORK/inv.db"
if out=$(as_user ls "$MNT" 2>&1); then fail "without allow_other the user could list the mount"; fi
[[ $out == *"Permission denied"* ]] || fail "without allow_other: $out"
unmount
ok "without allow_other the user is kept out"
