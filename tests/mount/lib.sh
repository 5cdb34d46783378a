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
EXIT_HOOKS=()
export LC_ALL=C

cleanup() {
  local rc=$? hook j
  # Background helpers of the test (readers, loops) first: they hold the mount busy.
  # A helper `( cd mnt && timeout 120 find ... )` is a subshell: its children go too.
  for j in $(jobs -p); do
    [[ $j == "$DAEMON_PID" ]] && continue
    pkill -TERM -P "$j" 2>/dev/null || true
    kill "$j" 2>/dev/null || true
  done
  if mountpoint -q "$MNT" 2>/dev/null; then
    fusermount3 -u "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
  fi
  if [[ -n $DAEMON_PID ]] && kill -0 "$DAEMON_PID" 2>/dev/null; then
    kill "$DAEMON_PID" 2>/dev/null || true
    sleep 0.2
    kill -9 "$DAEMON_PID" 2>/dev/null || true
    sleep 0.2
    # A daemon stuck in the kernel (a bug) outlives SIGKILL: abort its connection.
    if kill -0 "$DAEMON_PID" 2>/dev/null && [[ -n ${FUSE_CONN:-} ]]; then
      [[ -d /sys/fs/fuse/connections/$FUSE_CONN ]] ||
        mount -t fusectl none /sys/fs/fuse/connections 2>/dev/null || true
      { echo 1 >"/sys/fs/fuse/connections/$FUSE_CONN/abort"; } 2>/dev/null || true
    fi
  fi
  for hook in "${EXIT_HOOKS[@]}"; do
    eval "$hook" || true
  done
  # A mount a hook could not unmount (still busy) is detached: rm -rf must not go into it.
  local m
  while read -r m; do
    fusermount3 -uz "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done < <(findmnt -rn -o TARGET 2>/dev/null | grep -F "$WORK/" || true)
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }
skip() { echo "SKIP: $*"; exit 77; }

# on_exit COMMAND: run COMMAND (a string, eval'd) when the test ends, however it ends,
# after the unmount and before the scratch folder goes.
on_exit() { EXIT_HOOKS+=("$1"); }

# need_root: the test needs root (useradd, mount(8)); skip otherwise.
need_root() { [[ $(id -u) == 0 ]] || skip "needs root"; }

# import_into DB PATH...: a fresh inventory from bundles.
import_into() {
  local db=$1
  shift
  "$NLETSFS" import --db "$db" "$@" || fail "import of $* failed"
}

# import_refused DB MESSAGE ARGS...: `nletsfs import --db DB ARGS...` exits 1 with
# MESSAGE on its stderr (kept in $WORK/err, its stdout in $WORK/out).
import_refused() {
  local db=$1 msg=$2 s=0
  shift 2
  "$NLETSFS" import --db "$db" "$@" >"$WORK/out" 2>"$WORK/err" || s=$?
  [[ $s == 1 ]] || fail "import $*: exit $s, not 1 ($(cat "$WORK/err"))"
  grep -qF -- "$msg" "$WORK/err" || fail "import $*: no '$msg' in: $(cat "$WORK/err")"
}

# mount_db DB [OPTION...]: mount in the foreground, in the background of this shell.
mount_db() {
  mkdir -p "$MNT"
  "$NLETSFS" mount --db "$1" "$MNT" -f "${@:2}" 2>"$WORK/daemon.log" &
  DAEMON_PID=$!
  for _ in $(seq 100); do
    if mountpoint -q "$MNT"; then
      FUSE_CONN=$(mountpoint -d "$MNT" | cut -d: -f2)
      return 0
    fi
    kill -0 "$DAEMON_PID" 2>/dev/null || fail "the daemon died: $(cat "$WORK/daemon.log")"
    sleep 0.1
  done
  fail "the mount did not appear within 10 s"
}

# mount_background DB [OPTION...]: mount DB at $MNT the way scripts/run and fstab
# do (the daemon forks into the background); DAEMON_PID is the daemon's.
mount_background() {
  mkdir -p "$MNT"
  "$NLETSFS" mount --db "$1" "$MNT" "${@:2}" || fail "the background mount of $1 failed"
  DAEMON_PID=$(pgrep -nf "nletsfs mount --db $1 $MNT" || true)
  FUSE_CONN=$(mountpoint -d "$MNT" | cut -d: -f2)
  [[ -n $DAEMON_PID ]] || fail "no daemon serves the mount"
}

# unmount_background: unmount a background mount; its daemon must exit within 5 s.
unmount_background() {
  fusermount3 -u "$MNT" || fail "fusermount3 -u"
  for _ in $(seq 50); do
    kill -0 "$DAEMON_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$DAEMON_PID" 2>/dev/null && fail "the daemon outlived its unmount"
  DAEMON_PID=
}

# wait_until MS COMMAND...: run COMMAND every 50 ms until it succeeds, for MS
# milliseconds at most; WAITED_MS is how long it took. 1 if it never did.
wait_until() {
  local limit=$1 start
  shift
  start=$(date +%s%N)
  while :; do
    if "$@" 2>/dev/null; then
      WAITED_MS=$(( ($(date +%s%N) - start) / 1000000 ))
      return 0
    fi
    (( $(date +%s%N) - start < limit * 1000000 )) || return 1
    sleep 0.05
  done
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

# same_tree DIR: DIR holds what the mount shows, less at/ and search/: the same
# names of the same types (files, folders, links), and diff -r clean.
same_tree() {
  local dir=$1 entry
  diff <(cd "$MNT" && find . -path ./at -prune -o -path ./search -prune -o -printf '%y %p\n' | sort) \
    <(cd "$dir" && find . -printf '%y %p\n' | sort) || fail "names or types in $dir differ from the mount"
  for entry in "$MNT"/*; do
    case ${entry##*/} in at | search) continue ;; esac
    diff -r "$entry" "$dir/${entry##*/}" || fail "diff -r of ${entry##*/} against the mount"
  done
}

# expect_line PATH LINE: a list file in the mount holds LINE.
expect_line() {
  grep -qxF -- "$2" "$MNT/$1" || fail "$1: no line '$2' in [$(cat "$MNT/$1" 2>&1)]"
}

# walk_mount: what a reader of the whole mount does, grep -r and find.
walk_mount() {
  local s=0
  grep -r ssn "$MNT" >/dev/null || s=$?
  [[ $s -le 1 ]] || fail "grep -r of the mount: exit $s"
  find "$MNT" >/dev/null || fail "find of the mount"
}

# walk_asked FILE: walk the mount; write to FILE the requests the walk asked the daemon.
walk_asked() {
  local before
  before=$(daemon_stats requests)
  walk_mount
  echo $(( $(daemon_stats requests) - before - 1 )) >"$1" # less the stats' own
}

# asked_fewer WHEN CHANGED ALL: the walk WHEN (walk_asked into files CHANGED and
# ALL) asked the daemon less than a third by default of what it asked when the
# kernel forgets everything (-o forget_all).
asked_fewer() {
  local changed all
  changed=$(cat "$2")
  all=$(cat "$3")
  (( changed * 3 < all )) || fail "the walk $1 asked $changed requests, and $all with forget_all"
  ok "the walk $1 asked the daemon $changed requests; $all when the kernel forgets everything"
}

# daemon_stats FIELD: ask the daemon (SIGUSR1) for its request counts; print FIELD
# ("requests" for the total, or lookup, read, readdirplus, inodes, ...).
daemon_stats() {
  local before
  before=$(grep -c '^nletsfs: requests' "$WORK/daemon.log" || true)
  kill -USR1 "$DAEMON_PID"
  for _ in $(seq 50); do
    [[ $(grep -c '^nletsfs: requests' "$WORK/daemon.log" || true) -gt $before ]] && break
    sleep 0.05
  done
  grep '^nletsfs: requests' "$WORK/daemon.log" | tail -1 |
    awk -v f="$1" '{ for (i = 2; i < NF; i += 2) if ($i == f) print $(i + 1) }'
}
