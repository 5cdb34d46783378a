#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The mount's read-ahead window (fs/bdi.c, -o read_ahead_kb=N): 1 MiB by
# default where the daemon may set it (root), in the foreground and in the
# background as scripts/run starts it; 0 keeps the kernel's 128 KiB; a bad
# value is refused before anything is mounted; a user who is not root
# mounts all the same, keeps the kernel's window, and is told when he asked
# for another. The bytes read with the big window are the stored log's.
. "$(dirname "$0")/lib.sh"
need_root

import_into "$WORK/inv.db" "$SRC/tests/fixtures/small"
# window_is KB [DIR]: the mount at DIR (default $MNT) has a KB KiB window within 1 s (set a tick after INIT).
window_is() {
  local bdi _
  bdi=/sys/class/bdi/$(dev_at "${2:-$MNT}")/read_ahead_kb
  for _ in $(seq 20); do
    [[ $(cat "$bdi") == "$1" ]] && return 0
    sleep 0.05
  done
  [[ $(cat "$bdi") == "$1" ]]
}
# bdi_of [DIR]: its window. From the mount table: root may not stat a user's mount.
dev_at() { awk -v m="$1" '$5 == m { d = $3 } END { print d }' /proc/self/mountinfo; }
bdi_of() { cat "/sys/class/bdi/$(dev_at "${1:-$MNT}")/read_ahead_kb"; }

mount_db "$WORK/inv.db"
window_is 1024 || fail "a default mount's window is $(bdi_of) KiB, not 1024"
python3 - "$WORK/inv.db" >"$WORK/stored" <<'PY'
import sqlite3, sys
for (body,) in sqlite3.connect(sys.argv[1]).execute('SELECT body FROM change_log ORDER BY part'):
    sys.stdout.buffer.write(body)
PY
[[ -s $WORK/stored ]] && cmp -s "$WORK/stored" "$MNT/changes" || fail "changes read with a 1 MiB window is not the stored log"
ok "a default mount reads ahead 1 MiB at a time, and changes is the stored log"
unmount

mount_db "$WORK/inv.db" -o read_ahead_kb=0
sleep 0.2
[[ $(bdi_of) == 128 ]] || fail "read_ahead_kb=0: the window is $(bdi_of) KiB, not the kernel's 128"
unmount
ok "read_ahead_kb=0 keeps the kernel's 128 KiB"

# In the background, as scripts/run and fstab start it.
mkdir -p "$WORK/bg"
"$NLETSFS" mount --db "$WORK/inv.db" -o read_ahead_kb=4096 "$WORK/bg" || fail "the background mount failed"
on_exit "fusermount3 -u '$WORK/bg' 2>/dev/null"
window_is 4096 "$WORK/bg" || fail "read_ahead_kb=4096 in the background: the window is $(bdi_of "$WORK/bg") KiB"
fusermount3 -u "$WORK/bg" || fail "fusermount3 -u"
ok "read_ahead_kb=4096 holds for a background mount"

for bad in -1 2 65537 1M x ""; do
  s=0
  "$NLETSFS" mount --db "$WORK/inv.db" -o "read_ahead_kb=$bad" "$WORK/bg" 2>"$WORK/err" || s=$?
  [[ $s == 2 ]] || fail "read_ahead_kb=$bad: exit $s, not 2"
  grep -q "read_ahead_kb=$bad: a window in KiB, 4 to 65536" "$WORK/err" || fail "read_ahead_kb=$bad: $(cat "$WORK/err")"
  mountpoint -q "$WORK/bg" && fail "read_ahead_kb=$bad mounted"
done
ok "bad read_ahead_kb values are refused with exit 2, nothing mounted"

# Not root: the mount works and keeps the kernel's window; asked for one, the daemon says why not.
user=nletsfs-r$$
if command -v useradd >/dev/null && command -v runuser >/dev/null && [[ -u $(command -v fusermount3) ]] &&
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user"; then
  on_exit "userdel -f $user 2>/dev/null"
fi
if id "$user" >/dev/null 2>&1 && runuser -u "$user" -- test -r /dev/fuse -a -w /dev/fuse; then
  chmod 755 "$WORK"
  chmod 644 "$WORK/inv.db"
  mkdir -p "$WORK/um" && chown "$user" "$WORK/um"
  touch "$WORK/user.log" && chown "$user" "$WORK/user.log"
  runuser -u "$user" -- "$NLETSFS" mount --db "$WORK/inv.db" -o read_ahead_kb=2048 "$WORK/um" -f \
    2>"$WORK/user.log" &
  upid=$!
  on_exit "kill $upid 2>/dev/null"
  for _ in $(seq 100); do [[ -n $(dev_at "$WORK/um") ]] && break; sleep 0.1; done
  [[ -n $(dev_at "$WORK/um") ]] || fail "$user could not mount: $(cat "$WORK/user.log")"
  on_exit "fusermount3 -u '$WORK/um' 2>/dev/null"
  for _ in $(seq 20); do grep -q "read_ahead_kb=2048" "$WORK/user.log" && break; sleep 0.05; done
  grep -q "read_ahead_kb=2048: the mount keeps the kernel's window: Permission denied" "$WORK/user.log" ||
    fail "$user asked for read_ahead_kb=2048 and was not told why not: $(cat "$WORK/user.log")"
  [[ $(bdi_of "$WORK/um") == 128 ]] || fail "$user's mount: window $(bdi_of "$WORK/um") KiB"
  runuser -u "$user" -- cat "$WORK/um/README" >/dev/null || fail "$user cannot read his mount"
  runuser -u "$user" -- fusermount3 -u "$WORK/um" || fail "$user: fusermount3 -u"
  wait "$upid" || fail "$user's daemon exited with $?"
  ok "a mount by a user who is not root keeps the kernel's window and says why"
else
  echo "# not run: a user who is not root (no useradd, runuser, setuid fusermount3, or /dev/fuse closed to users)"
fi
