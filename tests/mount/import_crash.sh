#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Crash safety: an import of a generated bundle (1000 flows: the import derives
# the change log and file times of the whole inventory in its transaction,
# which a kill may interrupt too) killed with SIGKILL at
# random moments, 20 times. After every kill the inventory passes `nletsfs
# check` and holds exactly the state before the import or the state after
# it (compared through `nletsfs export`), never anything in between.
. "$(dirname "$0")/lib.sh"

kills=20
python3 "$SRC/tests/mount/gen_bundle.py" "$SRC/tests/fixtures/small" "$WORK/big" 1000

# The two states an interrupted import may leave, and how long it takes.
import_into "$WORK/before.db" "$SRC/tests/fixtures/small"
"$NLETSFS" export --db "$WORK/before.db" "$WORK/before"
cp "$WORK/before.db" "$WORK/after.db"
start=$(date +%s%N)
import_into "$WORK/after.db" "$WORK/big"
duration_ms=$(( ($(date +%s%N) - start) / 1000000 ))
"$NLETSFS" export --db "$WORK/after.db" "$WORK/after"
diff -rq "$WORK/before" "$WORK/after" >/dev/null && fail "the bundle changed nothing: no test"

db=$WORK/inv.db
n_before=0 n_after=0
for i in $(seq "$kills"); do
  rm -f "$db" "$db-wal" "$db-shm"
  cp "$WORK/before.db" "$db"
  # Anywhere from the start of the import to a little past its usual end.
  delay_ms=$(( RANDOM % (duration_ms + duration_ms / 10 + 1) ))
  "$NLETSFS" import --db "$db" "$WORK/big" 2>/dev/null &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  "$NLETSFS" check --db "$db" >"$WORK/check" 2>&1 ||
    fail "kill $i after ${delay_ms} ms: check fails: $(cat "$WORK/check")"
  rm -rf "$WORK/state"
  "$NLETSFS" export --db "$db" "$WORK/state" || fail "kill $i after ${delay_ms} ms: export fails"
  if diff -r "$WORK/before" "$WORK/state" >/dev/null; then
    n_before=$((n_before + 1))
  elif diff -r "$WORK/after" "$WORK/state" >/dev/null; then
    n_after=$((n_after + 1))
  else
    fail "kill $i after ${delay_ms} ms: the inventory is neither the before nor the after state"
  fi
done
ok "$kills kills during a ${duration_ms} ms import: $n_before left the before state, $n_after the after state"

# The interrupted inventory takes the import again, as if nothing had happened.
import_into "$db" "$WORK/big"
rm -rf "$WORK/state"
"$NLETSFS" export --db "$db" "$WORK/state"
diff -r "$WORK/after" "$WORK/state" >/dev/null || fail "the import after a kill differs"
ok "an import after the kills gives the after state"
