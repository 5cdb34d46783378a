#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The command line as a user meets it: --help, usage errors (exit 2), bad
# data (exit 1, FILE:LINE:COLUMN errors on stderr, the inventory exactly as
# it was), --dry-run, re-import, check, and refusing (in every command) what
# is not an inventory or is of a newer schema.
# Nothing is mounted here (mounts are only refused), but it shares the
# scratch-folder harness.
. "$(dirname "$0")/lib.sh"

# Read whole before grep -q, which stops at its match: a text past one pipe write would get SIGPIPE.
for cmd in import mount export check; do
  grep -q "usage: nletsfs $cmd" <<<"$("$NLETSFS" "$cmd" --help)" || fail "$cmd --help"
done
grep -q 'Commands:' <<<"$("$NLETSFS" --help)" || fail "--help"
"$NLETSFS" --version | grep -q '^nletsfs [0-9]' || fail "--version"
status() { local s=0; "$@" >/dev/null 2>&1 || s=$?; echo "$s"; }
[[ $(status "$NLETSFS") == 2 ]] || fail "no command: exit 2"
[[ $(status "$NLETSFS" frobnicate) == 2 ]] || fail "unknown command: exit 2"
[[ $(status "$NLETSFS" import) == 2 ]] || fail "import without PATH: exit 2"
[[ $(status "$NLETSFS" import --bogus x) == 2 ]] || fail "bad option: exit 2"
[[ $(status "$NLETSFS" export) == 2 ]] || fail "export without DIR: exit 2"
[[ $(status "$NLETSFS" mount) == 2 ]] || fail "mount without MOUNTPOINT: exit 2"
[[ $(status "$NLETSFS" check extra) == 2 ]] || fail "check with an argument: exit 2"
ok "help and usage"

db=$WORK/inv.db
"$NLETSFS" import --dry-run --db "$db" "$SRC/tests/fixtures/small" || fail "dry run of a good bundle"
[[ ! -e $db ]] || fail "a dry run created the inventory"
import_into "$db" "$SRC/tests/fixtures/small"
"$NLETSFS" export --db "$db" "$WORK/before"
import_into "$db" "$SRC/tests/fixtures/small"
"$NLETSFS" export --db "$db" "$WORK/again"
diff -r "$WORK/before" "$WORK/again" || fail "re-importing the same bundle changed the inventory"
ok "dry run writes nothing; re-import changes nothing"

# A bundle with errors in two files: all reported, exit 1, nothing imported.
cp -r "$SRC/tests/fixtures/small" "$WORK/bad"
cat >>"$WORK/bad/flows.csv" <<'CSV'
new-flow,NY/dmv,CBP,Nlets,DQ,ssn,blocked,,2019-12-14,,ice-2019,18,
bad-flow,NY/dmv,ICE,Nlets,DQ,ssn,maybe,,2019-13-01,,ice-2019,18,
CSV
printf 'XX,L,Title,,,qa-2020,1,\n' >>"$WORK/bad/laws.csv"
s=0
"$NLETSFS" import --db "$db" "$WORK/bad" 2>"$WORK/err" || s=$?
[[ $s == 1 ]] || fail "bad data: exit $s, not 1"
grep -qx "$WORK/bad/flows.csv:6:17: error: to: unknown agency or partner 'CBP'" "$WORK/err" || fail "$(cat "$WORK/err")"
grep -qx "$WORK/bad/flows.csv:7:34: error: status: 'maybe' is not one of: allowed, blocked, conditional, reported" \
  "$WORK/err" || fail "status error missing: $(cat "$WORK/err")"
grep -q "^$WORK/bad/flows.csv:7:41: error: since: invalid date '2019-13-01'" "$WORK/err" || fail "date error missing"
grep -q "^$WORK/bad/laws.csv:3:1: error: state: unknown jurisdiction code 'XX'" "$WORK/err" || fail "laws error missing"
grep -q 'nothing was imported' "$WORK/err" || fail "no summary line"
"$NLETSFS" export --db "$db" "$WORK/after"
diff -r "$WORK/before" "$WORK/after" || fail "a failed import changed the inventory"
ok "bad data: every error, exit 1, inventory unchanged"

"$NLETSFS" check --db "$db" | grep -q ': ok' || fail "check of a good inventory"
sqlite3 "$db" "DELETE FROM citations WHERE \"key\"='ny-dmv-blocks-ice'"
s=0
"$NLETSFS" check --db "$db" >"$WORK/check" || s=$?
[[ $s == 1 ]] || fail "check of a damaged inventory: exit $s"
grep -q 'fact without a source: flows/ny-dmv-blocks-ice' "$WORK/check" || fail "check report: $(cat "$WORK/check")"
ok "check"

printf 'not a database\n' >"$WORK/text.db"
sqlite3 "$WORK/other.db" 'CREATE TABLE t(x)'
import_into "$WORK/newer.db" "$SRC/tests/fixtures/small"
sqlite3 "$WORK/newer.db" 'PRAGMA user_version = 99'
# refused FILE MESSAGE COMMAND...: exit 1, MESSAGE on stderr, FILE untouched.
refused() {
  local f=$1 message=$2 s=0 sum
  shift 2
  sum=$(sha256sum "$f")
  "$@" >/dev/null 2>"$WORK/err" || s=$?
  [[ $s == 1 ]] || fail "$* on $f: exit $s, not 1"
  grep -q "$message" "$WORK/err" || fail "$* on $f: no clear message: $(cat "$WORK/err")"
  [[ $(sha256sum "$f") == "$sum" ]] || fail "$* changed $f"
}
for f in "$WORK/text.db" "$WORK/other.db" "$WORK/newer.db"; do
  message='error: not an nletsfs inventory'
  [[ $f == *newer.db ]] && message='error: schema version 99; this nletsfs reads up to'
  refused "$f" "$message" "$NLETSFS" check --db "$f"
  refused "$f" "$message" "$NLETSFS" import --db "$f" "$SRC/tests/fixtures/small"
  refused "$f" "$message" "$NLETSFS" export --db "$f" "$WORK/export"
  mkdir -p "$MNT"
  refused "$f" "$message" "$NLETSFS" mount --db "$f" "$MNT"
  ! mountpoint -q "$MNT" || fail "mounted $f"
done
[[ ! -e $WORK/export ]] || fail "an export of what is not an inventory wrote files"
sqlite3 "$WORK/other.db" 'SELECT count(*) FROM t' >/dev/null || fail "a foreign database was damaged"
ok "check, import, export and mount refuse what is not an inventory, or of a newer schema"

# A new inventory is built aside (DB.new-XXXXXX) and put in place whole, with
# the write-ahead log a mount reads it with; a failed import leaves nothing;
# one made at the path by another process meanwhile is not replaced.
mkdir "$WORK/fresh"
import_into "$WORK/fresh/inv.db" "$SRC/tests/fixtures/small" >/dev/null
[[ $(sqlite3 "$WORK/fresh/inv.db" 'PRAGMA journal_mode') == wal ]] || fail "a new inventory is not in WAL mode"
[[ $(sqlite3 "$WORK/fresh/inv.db" 'PRAGMA integrity_check') == ok ]] || fail "a new inventory fails integrity_check"
[[ $(cd "$WORK/fresh" && echo *) == inv.db ]] || fail "a new inventory left: $(ls "$WORK/fresh")"
mkdir "$WORK/fresh/bad"
printf 'id,from,bogus\nx,y,z\n' >"$WORK/fresh/bad/flows.csv"
s=0
"$NLETSFS" import --db "$WORK/fresh/new.db" "$WORK/fresh/bad" >/dev/null 2>&1 || s=$?
[[ $s == 1 ]] || fail "a bad bundle into a new inventory: exit $s, not 1"
[[ $(cd "$WORK/fresh" && echo *) == "bad inv.db" ]] || fail "a failed import left: $(ls "$WORK/fresh")"
python3 "$SRC/scripts/gen-inventory" 3000 "$WORK/fresh/gen" >/dev/null || fail "gen-inventory"
s=0
"$NLETSFS" import --db "$WORK/fresh/race.db" "$WORK/fresh/gen" >/dev/null 2>"$WORK/err" &
ipid=$!
wait_until 10000 compgen -G "$WORK/fresh/race.db.new-*" >/dev/null || fail "no inventory built aside"
echo "made meanwhile" >"$WORK/fresh/race.db"
wait "$ipid" || s=$?
[[ $s == 1 ]] || fail "an inventory made during the import: exit $s, not 1"
grep -q 'made by another process during this import; nothing was imported' "$WORK/err" ||
  fail "no clear message: $(cat "$WORK/err")"
[[ $(cat "$WORK/fresh/race.db") == "made meanwhile" ]] || fail "the file made meanwhile was replaced"
! compgen -G "$WORK/fresh/race.db.new-*" >/dev/null || fail "the inventory built aside was left"
ok "a new inventory is built aside and put in place whole, never over one made meanwhile"

# An import into a new inventory ended by a signal leaves nothing, says so,
# and dies of the signal (a shell sees 128 + its number). A script's
# background job starts with SIGINT ignored, which the import keeps so;
# Ctrl-C reaches a foreground one with it not ignored: so it is started here.
for sig in INT TERM HUP; do
  s=0
  python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
    "$NLETSFS" import --db "$WORK/fresh/cut.db" "$WORK/fresh/gen" >/dev/null 2>"$WORK/err" &
  ipid=$!
  wait_until 10000 compgen -G "$WORK/fresh/cut.db.new-*" >/dev/null || fail "SIG$sig: no inventory built aside"
  kill -s "$sig" "$ipid"
  wait "$ipid" || s=$?
  [[ $s == $((128 + $(kill -l "$sig"))) ]] || fail "an import sent SIG$sig: exit $s"
  ! compgen -G "$WORK/fresh/cut.db*" >/dev/null || fail "an import sent SIG$sig left: $(ls "$WORK/fresh")"
  grep -q '^nletsfs import: interrupted; nothing was imported$' "$WORK/err" ||
    fail "an import sent SIG$sig: no clear message: $(cat "$WORK/err")"
done
ok "an import into a new inventory ended by SIGINT, SIGTERM or SIGHUP leaves nothing"
