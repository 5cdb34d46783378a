# SPDX-License-Identifier: GPL-3.0-or-later
# Shared by the real-mount tests (sourced). Gives each test a scratch folder
# and a mount that is always unmounted, and its daemon always reaped, when
# the test ends, passes, fails or is killed by meson's timeout.
set -euo pipefail
: "${NLETSFS:?path of the nletsfs binary}" "${SRC:?the source root}"

if [[ ! -e /dev/fuse ]] || ! command -v fusermount3 >/dev/null; then
  echo "SKIP: FUSE is not available here"
  exit 77
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/nletsfs-mount.XXXXXX")
MNT=$WORK/mnt
DAEMON_PID=
export LC_ALL=C

cleanup() {
  local rc=$?
  if mountpoint -q "$MNT" 2>/dev/null; then
    fusermount3 -u "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
  fi
  if [[ -n $DAEMON_PID ]] && kill -0 "$DAEMON_PID" 2>/dev/null; then
    kill "$DAEMON_PID" 2>/dev/null || true
    sleep 0.2
    kill -9 "$DAEMON_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

# import_into DB PATH...: a fresh inventory from bundles.
import_into() {
  local db=$1
  shift
  "$NLETSFS" import --db "$db" "$@" || fail "import of $* failed"
}

# mount_db DB: mount in the foreground, in the background of this shell.
mount_db() {
  mkdir -p "$MNT"
  "$NLETSFS" mount --db "$1" "$MNT" -f 2>"$WORK/daemon.log" &
  DAEMON_PID=$!
  for _ in $(seq 100); do
    mountpoint -q "$MNT" && return 0
    kill -0 "$DAEMON_PID" 2>/dev/null || fail "the daemon died: $(cat "$WORK/daemon.log")"
    sleep 0.1
  done
  fail "the mount did not appear within 10 s"
}

# unmount: and the daemon must exit cleanly.
unmount() {
  fusermount3 -u "$MNT" || fail "fusermount3 -u failed"
  local status=0
  wait "$DAEMON_PID" || status=$?
  DAEMON_PID=
  [[ $status == 0 ]] || fail "the daemon exited with status $status: $(cat "$WORK/daemon.log")"
  # A sanitizer build (scripts/test --sanitize) reports leaks and undefined
  # behaviour on the daemon's stderr, possibly after replies that looked fine.
  if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:|Sanitizer: ' "$WORK/daemon.log"; then
    fail "the daemon's sanitizer report: $(cat "$WORK/daemon.log")"
  fi
}

# expect_file PATH CONTENT: the file in the mount holds exactly CONTENT.
expect_file() {
  diff <(printf '%s' "$2") "$MNT/$1" >/dev/null || fail "$1: expected [$2], got [$(cat "$MNT/$1" 2>&1)]"
}

# expect_line PATH LINE: a list file in the mount holds LINE.
expect_line() {
  grep -qxF -- "$2" "$MNT/$1" || fail "$1: no line '$2' in [$(cat "$MNT/$1" 2>&1)]"
}
