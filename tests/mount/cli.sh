#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The command line's conventions: --version and --help on every command,
# usage errors exit 2, an inventory that is a folder or missing says so,
# and `nletsfs diff` exits as diff(1) does (0 same, 1 changes, 2 trouble),
# matches PATH-PREFIX in whole components (checked against diff -r of the
# mounted at/ folders), and tells each state's changes in sentences or CSV.
. "$(dirname "$0")/lib.sh"

# status COMMAND...: its exit status, output to $WORK/out and $WORK/err.
status() {
  local s=0
  "$@" >"$WORK/out" 2>"$WORK/err" || s=$?
  echo "$s"
}

version=$("$NLETSFS" --version)
[[ $version =~ ^nletsfs\ [0-9]+\.[0-9]+ ]] || fail "--version: $version"
for cmd in import mount export check diff materialize keygen pack verify; do
  [[ $(status "$NLETSFS" $cmd --version) == 0 && $(cat "$WORK/out") == "$version" && ! -s $WORK/err ]] ||
    fail "nletsfs $cmd --version: $(cat "$WORK/out" "$WORK/err")"
  [[ $(status "$NLETSFS" $cmd -V) == 0 && $(cat "$WORK/out") == "$version" ]] || fail "nletsfs $cmd -V"
  [[ $(status "$NLETSFS" $cmd --help) == 0 && $(head -1 "$WORK/out") == "usage: nletsfs $cmd"* ]] ||
    fail "nletsfs $cmd --help: $(head -1 "$WORK/out")"
  grep -q -- '--version' "$WORK/out" || fail "nletsfs $cmd --help does not name --version"
  [[ $(status "$NLETSFS" $cmd --no-such-option) == 2 ]] || fail "nletsfs $cmd --no-such-option is not a usage error"
  grep -q "Try 'nletsfs $cmd --help'" "$WORK/err" || fail "nletsfs $cmd: a usage error without a hint"
done
[[ $(status "$NLETSFS") == 2 && $(status "$NLETSFS" no-such-command) == 2 ]] || fail "a missing or unknown command"
[[ $(status "$NLETSFS" --help) == 0 ]] || fail "nletsfs --help"
grep -E '^  import .*documents' "$WORK/out" >/dev/null || fail "nletsfs --help: import is not said to take documents"
ok "--version, --help and usage errors on every command"

mkdir "$WORK/folder"
[[ $(status "$NLETSFS" check --db "$WORK/folder") == 1 ]] || fail "check --db FOLDER"
grep -q "cannot open $WORK/folder: a folder, not an inventory" "$WORK/err" || fail "check --db FOLDER: $(cat "$WORK/err")"
! grep -q 'I/O' "$WORK/err" || fail "check --db FOLDER speaks of I/O"
[[ $(status "$NLETSFS" check --db "$WORK/nosuch.db") == 1 ]] || fail "check --db MISSING"
grep -q "cannot open $WORK/nosuch.db: no such file" "$WORK/err" || fail "check --db MISSING: $(cat "$WORK/err")"
[[ ! -e $WORK/nosuch.db ]] || fail "check made the inventory it was pointed at"
printf 'Nlets one\n' >"$WORK/a.txt"
printf 'Nlets two\n' >"$WORK/b.txt"
[[ $(status "$NLETSFS" import --db "$WORK/t.db" --title T --date 2020 "$WORK/a.txt" "$WORK/b.txt") == 2 ]] ||
  fail "--title with two documents is not a usage error: $(cat "$WORK/err")"
[[ ! -e $WORK/t.db ]] || fail "a usage error made the inventory"
ok "check of a folder or a missing file, and --title with two documents, say what is wrong"

import_into "$WORK/inv.db" "$SRC/tests/fixtures/small"

# For sqlite3 users: views name the kinds; docs/schema.md names every table and view (not FTS5's own shadow tables).
q() { sqlite3 -readonly "$WORK/inv.db" "$1"; }
[[ $(q "SELECT count(*) FROM citations") == $(q "SELECT count(*) FROM citations_named") ]] ||
  fail "citations_named does not name every citation's kind"
[[ $(q "SELECT count(*) FROM links") == $(q "SELECT count(*) FROM links_named") && $(q "SELECT count(*) FROM links") -gt 0 ]] ||
  fail "links_named does not name every link's kind"
[[ $(q "SELECT count(*) FROM mentions") == $(q "SELECT count(*) FROM mentions_named") ]] || fail "mentions_named"
[[ $(q "SELECT name FROM record_kinds ORDER BY kind" | paste -sd' ') == \
   'sources systems fields agencies partners transactions flows laws participation claims' ]] || fail "record_kinds"
q "SELECT DISTINCT kind FROM citations_named" | grep -qx flows || fail "citations_named: no flows"
[[ -z $(q "SELECT 1 FROM citations_named WHERE source_title IS NULL") ]] || fail "a citation without its source's title"
for name in $(q "SELECT name FROM sqlite_schema WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'pages_fts_%' AND name NOT LIKE 'facts_fts_%'"); do
  grep -q "\`$name\`" "$SRC/docs/schema.md" || fail "docs/schema.md does not describe $name"
done
# An inventory from before the views gets them at its next import, not on a read-only open.
cp "$WORK/inv.db" "$WORK/old.db"
sqlite3 "$WORK/old.db" "DROP VIEW mentions_named; DROP VIEW links_named; DROP VIEW citations_named; DROP VIEW record_kinds"
"$NLETSFS" check --db "$WORK/old.db" >/dev/null || fail "check of an inventory without views"
[[ $(sqlite3 "$WORK/old.db" "SELECT count(*) FROM sqlite_schema WHERE type='view'") == 0 ]] || fail "a read-only open wrote views"
import_into "$WORK/old.db" "$SRC/tests/fixtures/small"
[[ $(sqlite3 "$WORK/old.db" "SELECT count(*) FROM sqlite_schema WHERE type='view'") == 4 ]] || fail "an import did not add the views"
ok "views for sqlite3 users, and docs/schema.md describes every table and view"

diff_() { status "$NLETSFS" diff --db "$WORK/inv.db" "$@"; }

# Exit statuses as diff(1).
[[ $(diff_ 2019-12-13 2019-12-14 states/NY/dmv) == 1 && -s $WORK/out ]] || fail "changes: not 1"
[[ $(diff_ 2015-01-01 2015-02-01) == 0 && ! -s $WORK/out ]] || fail "no changes: not 0 and silent"
[[ $(diff_ 2019-02-30 2020-01-01) == 2 ]] || fail "a bad date: not 2"
[[ $(status "$NLETSFS" diff --db "$WORK/nosuch.db" 2019-01-01 2020-01-01) == 2 ]] || fail "a missing --db: not 2"
grep -q 'no such file' "$WORK/err" || fail "a missing --db: $(cat "$WORK/err")"
[[ $(cd "$WORK/folder" && status "$NLETSFS" diff 2019-01-01 2020-01-01) == 2 ]] ||
  fail "no ./inventory.db: not 2"
[[ $(diff_ --format yaml 2019-01-01 2020-01-01) == 2 ]] || fail "--format yaml: not 2"
ok "nletsfs diff exits 0 (same), 1 (changes), 2 (trouble)"

# PATH-PREFIX: whole components, as written inside the tree, or a usage error.
for bad in states/NY/dm nosuch/ mnt/states/NY states/ZZ; do
  [[ $(diff_ 2019-12-13 2019-12-14 "$bad") == 2 && ! -s $WORK/out ]] || fail "PATH-PREFIX $bad: not 2"
  grep -q 'PATH-PREFIX names nothing in the tree' "$WORK/err" || fail "PATH-PREFIX $bad: $(cat "$WORK/err")"
done
[[ $(diff_ 2019-12-13 2019-12-14 /states/NY/dmv/) == 1 ]] || fail "/states/NY/dmv/"
cp "$WORK/out" "$WORK/dmv"
[[ $(diff_ 2019-12-13 2019-12-14 states//NY/dmv) == 1 ]] && cmp -s "$WORK/out" "$WORK/dmv" ||
  fail "states//NY/dmv is not states/NY/dmv"
! cut -f3 "$WORK/dmv" | grep -v '^states/NY/dmv/' || fail "PATH-PREFIX states/NY/dmv shows other paths"
[[ $(diff_ 2019-12-13 2019-12-14 states/NY/dmv/blocked) == 1 ]] || fail "a file as PATH-PREFIX"
[[ $(cut -f3 "$WORK/out" | sort -u) == states/NY/dmv/blocked ]] || fail "a file as PATH-PREFIX: $(cat "$WORK/out")"
ok "PATH-PREFIX matches whole components; one that names nothing is a usage error"

# --by-state: sentences and CSV, "No change" with status 0.
[[ $(diff_ --by-state 2019-12-13 2019-12-14) == 1 ]] || fail "--by-state: not 1"
for line in 'NY: dmv began blocking ICE' 'NY: dmv stopped sending to ICE' 'NY: blocks-ori is now yes'; do
  grep -qxF "$line" "$WORK/out" || fail "--by-state lacks '$line': $(cat "$WORK/out")"
done
[[ $(diff_ --by-state --format csv 2019-12-13 2019-12-14 states/NY) == 1 ]] || fail "--by-state csv"
[[ $(head -1 "$WORK/out") == state,system,what,change,item ]] || fail "--by-state csv header"
grep -qx 'NY,dmv,blocked,began,ICE' "$WORK/out" || fail "--by-state csv: $(cat "$WORK/out")"
[[ $(diff_ --by-state 2015-01-01 2015-02-01) == 0 ]] || fail "--by-state with no change: not 0"
grep -qx "No change in any state's participation between 2015-01-01 and 2015-02-01." "$WORK/out" ||
  fail "--by-state with no change: $(cat "$WORK/out")"
[[ $(diff_ --by-state 2019-12-13 2019-12-14 fields) == 2 ]] || fail "--by-state fields: not 2"
[[ $(diff_ --by-state --format json 2019-12-13 2019-12-14) == 2 ]] || fail "--by-state json: not 2"
[[ $(diff_ --by-state 2019-12-13 2019-12-14 states/NY/dm) == 2 ]] || fail "--by-state states/NY/dm: not 2"
[[ ! -e $SRC/scripts/participation-diff ]] || fail "scripts/participation-diff is still there"
ok "nletsfs diff --by-state: sentences, CSV and 'No change'"

# Against the mount: the status and the paths are what diff -r of at/ folders says.
mount_db "$WORK/inv.db"
for case in 2019-12-13:2019-12-14:states/NY 2019-12-13:2019-12-14:states/CA 2015-01-01:2015-02-01:states \
            1990-01-01:2019-12-14:fields/ssn; do
  IFS=: read -r a b p <<<"$case"
  want=0
  diff -r "$MNT/at/$a/$p" "$MNT/at/$b/$p" >/dev/null 2>&1 || want=$?
  got=$(diff_ "$a" "$b" "$p")
  [[ $got == "$want" ]] || fail "nletsfs diff $a $b $p: $got, diff -r: $want"
  python3 "$SRC/tests/mount/treediff.py" "$MNT/at/$a" "$MNT/at/$b" "$b" | awk -F'\t' -v p="$p/" \
    'index($3, p) == 1' >"$WORK/theirs"
  diff "$WORK/theirs" "$WORK/out" || fail "nletsfs diff $a $b $p is not what diff -r shows"
done
unmount
ok "nletsfs diff's status and lines are diff -r's, under a PATH-PREFIX"
