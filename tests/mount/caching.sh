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
# While the walk worked in the kernel, the idle daemon listed folders ahead of it.
ahead=$(daemon_stats ahead)
hits=$(daemon_stats hits)
[[ $ahead -gt 0 && $hits -gt 0 ]] || fail "no folder was listed ahead of the walk (ahead $ahead, hits $hits)"
ok "the walk found $hits of $ahead folders listed ahead"
grep -r ssn "$MNT" >/dev/null
find "$MNT" >/dev/null
ls -lR "$MNT" >/dev/null
again=$(daemon_stats requests)
cost=$((again - warm))
echo "warm-up: $warm requests; a second grep -r, find and ls -lR: $cost"
grep '^nletsfs: requests' "$WORK/daemon.log" | tail -1
[[ $cost -le 5 ]] || fail "a second grep -r, find and ls -lR cost $cost requests (at most 5 expected)"
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
