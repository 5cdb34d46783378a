#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The CPU latency hold (fs/walk.c) changes the whole host, so it is off by
# default: a walk of a default mount never opens /dev/cpu_dma_latency. With
# -o latency_hold a walk takes it (only root may) and lets go of it soon after.
# Deterministic: the daemon's count of holds and its open files, not time.
. "$(dirname "$0")/lib.sh"
need_root
[[ -c /dev/cpu_dma_latency ]] || skip "no /dev/cpu_dma_latency here"

"$SRC/scripts/gen-inventory" 100 "$WORK/gen" >/dev/null
import_into "$WORK/inv.db" "$WORK/gen"
latency_fds() { find "/proc/$DAEMON_PID/fd" -lname /dev/cpu_dma_latency | wc -l; }

mount_db "$WORK/inv.db"
find "$MNT" >/dev/null
holds=$(daemon_stats holds)
[[ $holds == 0 ]] || fail "a default mount took the CPU latency hold $holds time(s)"
ok "a default mount leaves the host's CPUs alone"
unmount

mount_db "$WORK/inv.db" -o latency_hold
find "$MNT" >/dev/null
holds=$(daemon_stats holds)
[[ $holds -ge 1 ]] || fail "-o latency_hold: a first find took no hold"
for _ in $(seq 40); do
  [[ $(latency_fds) == 0 ]] && break
  sleep 0.05
done
[[ $(latency_fds) == 0 ]] || fail "the daemon still holds /dev/cpu_dma_latency 2 s after the walk"
ok "-o latency_hold: a walk took the hold $holds time(s) and let go of it after"
unmount
