#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The caching recipe holds: after a warm-up, a second grep -r and find of
# the mount cost the daemon at most a handful of requests (it counts them;
# SIGUSR1 prints the counts). Deterministic: counts, not time.
. "$(dirname "$0")/lib.sh"

import_into "$WORK/inv.db" "$SRC/data"
mount_db "$WORK/inv.db"

grep -r ssn "$MNT" >/dev/null
find "$MNT" >/dev/null
ls -lR "$MNT" >/dev/null
warm=$(daemon_stats requests)
[[ $warm -gt 100 ]] || fail "the warm-up cost only $warm requests: is the daemon counting?"
# The kernel may drop a few clean pages meanwhile (this VM's DAMON pages out
# memory it sees as cold): a walk that reads them again costs a READ each.
# So one more walk is allowed, and one of the two must cost a handful; a
# cache that does not hold costs hundreds every time.
walk_again() {
  local before
  before=$(daemon_stats requests)
  grep -r ssn "$MNT" >/dev/null
  find "$MNT" >/dev/null
  ls -lR "$MNT" >/dev/null
  echo $(( $(daemon_stats requests) - before ))
}
cost=$(walk_again)
echo "warm-up: $warm requests; a second grep -r, find and ls -lR: $cost"
grep '^nletsfs: requests' "$WORK/daemon.log" | tail -1
if [[ $cost -gt 5 ]]; then
  cost=$(walk_again)
  echo "a third: $cost"
  grep '^nletsfs: requests' "$WORK/daemon.log" | tail -1
fi
[[ $cost -le 5 ]] || fail "a second and a third grep -r, find and ls -lR cost over 5 requests (the last $cost)"
ok "warm walks cost $cost requests"

# An idle mount sleeps: after the walks, only the watcher wakes (10 times a
# second). A thread left polling would wake 100 times a second or more.
wakeups() { cat /proc/"$DAEMON_PID"/task/*/status | awk '/^voluntary_ctxt_switches/ {n += $2} END {print n}'; }
sleep 0.5
before=$(wakeups)
sleep 2
idle=$(( $(wakeups) - before ))
[[ $idle -le 60 ]] || fail "the idle daemon woke $idle times in 2 s"
ok "the idle daemon woke $idle times in 2 s"
unmount
