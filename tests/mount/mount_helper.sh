#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# nletsfs as the libfuse ecosystem uses it: `mount -t fuse.nletsfs` and an
# fstab line (a private one, read with `mount -T`, so /etc/fstab is never
# touched) run mount.fuse3, which runs `nletsfs SOURCE MOUNTPOINT -o OPTS`;
# nletsfs mounts, goes to the background, and takes what mount.fuse3
# passes (rw,dev,suid, fstab-only options) in its stride.
#
# mount(8) drops PATH before running its helper, so mount.fuse3's shell
# looks for `nletsfs` in the default PATH, where an installed nletsfs is
# (/usr/local/bin, /usr/bin). To stand for the installed binary without
# installing anything, the test runs in a private mount namespace and puts a
# folder holding a link to the built nletsfs over /usr/local/sbin (first in
# that PATH): nothing outside the namespace sees it.
set -euo pipefail
[[ $(id -u) == 0 ]] || { echo "SKIP: needs root"; exit 77; }
if [[ -z ${NLETSFS_PRIVATE_NS:-} ]]; then
  command -v mount.fuse3 >/dev/null || { echo "SKIP: mount.fuse3 is missing"; exit 77; }
  unshare --mount --propagation private true 2>/dev/null || { echo "SKIP: cannot unshare the mount namespace"; exit 77; }
  NLETSFS_PRIVATE_NS=1 exec unshare --mount --propagation private "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

mkdir "$WORK/bin"
ln -s "$NLETSFS" "$WORK/bin/nletsfs"
mount --bind "$WORK/bin" /usr/local/sbin
on_exit "umount /usr/local/sbin"
[[ $(env -i /bin/sh -c 'command -v nletsfs') == /usr/local/sbin/nletsfs ]] || fail "nletsfs is not in the default PATH"

db=$WORK/inv.db
import_into "$db" "$SRC/tests/fixtures/small"
mkdir -p "$MNT"

# The daemon mount.fuse3 left running for $MNT (not a child of this shell).
daemon_pid() { pgrep -f -- "^nletsfs $1 $MNT( |\$)" | head -1; }

# helper_unmount: umount(8) as users do; the daemon must then exit (a zombie
# counts: reaping it is up to whatever init adopted it).
helper_unmount() {
  umount "$MNT" || fail "umount"
  for _ in $(seq 50); do
    [[ $(ps -o stat= -p "$DAEMON_PID" 2>/dev/null) == @(|Z*) ]] && { DAEMON_PID=; return 0; }
    sleep 0.1
  done
  fail "the daemon is still running after umount"
}

# mounted SOURCE: the mount is there, read-only, served by a daemon in the background.
mounted() {
  mountpoint -q "$MNT" || fail "not mounted"
  DAEMON_PID=$(daemon_pid "$1")
  [[ -n $DAEMON_PID ]] || fail "no daemon for $MNT: $(pgrep -af nletsfs)"
  [[ $(ps -o ppid= -p "$DAEMON_PID" | tr -d ' ') != "$$" ]] || fail "the daemon did not go to the background"
  awk -v m="$MNT" '$2 == m { print $3, $4 }' /proc/mounts | grep -q '^fuse.nletsfs ro,' ||
    fail "mount table: $(grep "$MNT" /proc/mounts)"
  expect_file states/NY/dmv/blocked $'ICE\n'
  if out=$(touch "$MNT/README" 2>&1); then fail "a write succeeded"; fi
  [[ $out == *"Read-only file system"* ]] || fail "write: $out"
}

mount -t fuse.nletsfs "$db" "$MNT" || fail "mount -t fuse.nletsfs"
mounted "$db"
helper_unmount
ok "mount -t fuse.nletsfs DB MNT; umount"

# The README's example; mount.fuse3 adds rw,dev,suid of its own.
mount -t fuse.nletsfs -o allow_other "$db" "$MNT" || fail "mount -t fuse.nletsfs -o allow_other"
mounted "$db"
helper_unmount
mount -t fuse.nletsfs -o rw,dev,suid,allow_other "$db" "$MNT" || fail "mount -o rw,dev,suid,allow_other"
mounted "$db"
awk -v m="$MNT" '$2 == m { print $4 }' /proc/mounts | grep -q allow_other || fail "allow_other not passed on"
helper_unmount
ok "mount -o rw,dev,suid,allow_other: still read-only"

printf '%s %s fuse.nletsfs ro,allow_other,nofail 0 0\n' "$db" "$MNT" >"$WORK/fstab"
mount -T "$WORK/fstab" "$MNT" || fail "mount -T fstab: $(cat "$WORK/fstab")"
mounted "$db"
helper_unmount
ok "an fstab line"

# A signed bundle from fstab, its key given as trust=; a tampered one mounts nothing.
"$NLETSFS" keygen -o "$WORK/k" >/dev/null
"$NLETSFS" pack --db "$db" --key "$WORK/k.pem" -o "$WORK/x.nlb"
printf '%s %s fuse.nletsfs ro,allow_other,trust=%s 0 0\n' "$WORK/x.nlb" "$MNT" "$WORK/k.pub.pem" >"$WORK/fstab"
mount -T "$WORK/fstab" "$MNT" || fail "mount -T fstab of a bundle"
mounted "$WORK/x.nlb"
helper_unmount
python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[-2000] ^= 1; open(sys.argv[1], "wb").write(b)' \
  "$WORK/x.nlb"
if out=$(mount -T "$WORK/fstab" "$MNT" 2>&1); then fail "a tampered bundle mounted from fstab"; fi
[[ $out == *"does not match the MANIFEST"* ]] || fail "tampered bundle: $out"
! mountpoint -q "$MNT" || fail "a tampered bundle is mounted"
ok "a bundle in fstab with trust=; tampered: refused"

# A subscription in fstab: a URL (file:// here; subscribe.sh serves https://) with trust=,
# refresh= and cache=; _netdev is mount(8)'s alone.
"$NLETSFS" pack --db "$db" --name sub --key "$WORK/k.pem" -o "$WORK/sub.nlb"
url=file://$WORK/sub.nlb
printf '%s %s fuse.nletsfs ro,_netdev,trust=%s,refresh=1h,cache=%s 0 0\n' "$url" "$MNT" "$WORK/k.pub.pem" \
  "$WORK/cache" >"$WORK/fstab"
mkdir "$WORK/cache"
mount -T "$WORK/fstab" "$MNT" || fail "mount -T fstab of a URL"
mounted "$url"
grep -qx "url: $url" "$MNT/.nletsfs/status" && grep -qx 'name: sub' "$MNT/.nletsfs/status" ||
  fail "status: $(cat "$MNT/.nletsfs/status")"
helper_unmount
ok "a URL in fstab with trust=, refresh=, cache="

# Not an inventory: mount(8) fails with nletsfs's message, nothing mounted.
echo "not a database" >"$WORK/bad.db"
if out=$(mount -t fuse.nletsfs "$WORK/bad.db" "$MNT" 2>&1); then fail "mount of a bad file succeeded"; fi
[[ $out == *"not an nletsfs inventory"* ]] || fail "bad file: $out"
! mountpoint -q "$MNT" || fail "a bad file is mounted"
ok "a bad inventory: a clear error, nothing mounted"
