#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Time: at/DATE shows the tree as it stood that day; at/ lists the change
# days and latest; invalid dates are ENOENT; `nletsfs diff` and `changes`
# say exactly what diff -r of two at/ folders shows.
. "$(dirname "$0")/lib.sh"

# slug ID: the name a record's id has in paths (no two ids of these bundles share one).
slug() { local s=${1// /-}; printf '%s' "${s//[^A-Za-z0-9._-]/}"; }
# no_dangling DAY: each flow of at/DAY names a system, recipient, message
# key, fields and sources that are folders of at/DAY too.
no_dangling() {
  local d=at/$1 f from to x
  for f in "$d"/flows/*/; do
    [[ -d $f ]] || continue
    from=$(cat "$f/from") to=$(cat "$f/to")
    if [[ $from == */* ]]; then
      [[ -d $d/systems/$(slug "${from#*/}") ]] || fail "$f names $from: no $d/systems/${from#*/}"
      [[ ${from%%/*} == '*' || -d $d/states/${from%%/*}/$(slug "${from#*/}") ]] || fail "$f names $from: no folder"
    else
      [[ -d $d/agencies/$(slug "$from") ]] || fail "$f names $from: no $d/agencies/$from"
    fi
    [[ $to == '*' || -d $d/agencies/$(slug "$to") || -d $d/partners/$(slug "$to") ]] || fail "$f names $to: absent"
    [[ ! -e $f/transaction || -d $d/transactions/$(slug "$(cat "$f/transaction")") ]] ||
      fail "$f names the message key $(cat "$f/transaction"): absent"
    while read -r x; do
      [[ -d $d/fields/$(slug "$x") ]] || fail "$f names the field $x: absent"
    done <"$f/fields"
    while read -r x _; do
      [[ -d $d/sources/$(slug "$x") ]] || fail "$f names the source $x: absent"
    done <"$f/sources"
  done
}

import_into "$WORK/inv.db" "$SRC/tests/fixtures/small"
mount_db "$WORK/inv.db"
cd "$MNT"

days=$(ls at | grep -v latest)
[[ -n $days ]] || fail "at/ lists no days"
newest=$(printf '%s\n' "$days" | tail -1)
[[ $(readlink at/latest) == "$newest" ]] || fail "at/latest -> $(readlink at/latest), not $newest"
for d in 2014-01-01 2019-12-14 2020-01-01; do
  grep -qx "$d" <<<"$days" || fail "at/ does not list the change day $d"
done
ok "at/ lists the change days and latest"

# New York's DMV: ICE received name and address until 2019-12-14, then was blocked.
expect_file at/2019-12-13/states/NY/dmv/recipients $'ICE\n'
expect_file at/2019-12-13/states/NY/dmv/blocked ''
expect_file at/2019-12-14/states/NY/dmv/recipients ''
expect_file at/2019-12-14/states/NY/dmv/blocked $'ICE\n'
expect_file at/2019-12-13/fields/ssn/shared_by $'*/dmv\nCA/dmv\n'
expect_file at/2020-01-01/fields/ssn/shared_by $'*/dmv\n'
# California's only flow ended on 2020-01-01.
[[ -d at/2019-12-31/states/CA/dmv ]] || fail "CA/dmv before 2020"
[[ ! -e at/2020-01-01/states/CA/dmv ]] || fail "CA/dmv after 2020"
# Any valid day resolves, and days with no change between them share one tree.
[[ $(readlink at/2019-06-15) == "$(readlink at/2019-06-16)" ]] || fail "two days of one span differ"
ls at/2019-06-15/states/NY >/dev/null || fail "a day that is not a change day"
# Before anything is known: empty lists, not errors.
[[ -z $(ls at/1990-01-01/flows) ]] || fail "flows before anything"
[[ $(ls at/1990-01-01/states | wc -l) == 56 ]] || fail "states before anything"
expect_file at/1990-01-01/fields/ssn/shared_by ''
[[ ! -e at/2019-06-15/at && ! -e at/2019-06-15/changes && ! -e at/2019-06-15/export ]] ||
  fail "at/DATE shows at/, changes or export/"
for d in 1990-01-01 $(ls at | grep -v latest); do no_dangling "$d"; done
ok "at/DATE before and after each change; nothing dangles"

for bad in 2025-02-30 2025-13-01 2019-02-29 words 2019-1-01 20190101; do
  for _ in 1 2; do
    out=$(ls "at/$bad" 2>&1) && fail "at/$bad resolved"
    [[ $out == *"No such file or directory"* ]] || fail "at/$bad: $out"
  done
done
ok "invalid dates are ENOENT"

# Walking a hundred different days costs what the change days cost, not a tree per date.
per_tree=$(find ".at/$newest" | wc -l)
ndays=$(printf '%s\n' "$days" | wc -l)
for i in $(seq 0 99); do
  find "at/$(date -u -d "2012-01-01 + $((i * 53)) days" +%F)/" >/dev/null
done
inodes=$(daemon_stats inodes)
(( inodes <= (ndays + 2) * per_tree + 100 )) ||
  fail "100 dates left $inodes inodes in the daemon (${ndays} change days of about $per_tree paths)"
ok "100 dates walked: $inodes inodes for $ndays change days"

cd /
pairs="1990-01-01:2019-12-14 2019-12-13:2019-12-14 2014-06-01:2026-01-01 2020-06-01:2019-06-01"
for pair in $pairs; do
  a=${pair%%:*} b=${pair##*:}
  ours=0
  "$NLETSFS" diff --db "$WORK/inv.db" "$a" "$b" >"$WORK/ours" || ours=$?
  python3 "$SRC/tests/mount/treediff.py" "$MNT/at/$a" "$MNT/at/$b" "$b" >"$WORK/theirs"
  diff "$WORK/theirs" "$WORK/ours" || fail "nletsfs diff $a $b is not what diff -r shows"
  s=0
  diff -r "$MNT/at/$a" "$MNT/at/$b" >/dev/null || s=$?
  [[ $s == "$ours" ]] || fail "diff -r ($s) and nletsfs diff ($ours) disagree on $a $b"
done
"$NLETSFS" diff --db "$WORK/inv.db" 2019-12-13 2019-12-14 states/NY/dmv >"$WORK/ny" || [[ $? == 1 ]]
grep -qxF $'2019-12-14\t+\tstates/NY/dmv/blocked\tICE' "$WORK/ny" || fail "prefix diff: $(cat "$WORK/ny")"
grep -qxF $'2019-12-14\t-\tstates/NY/dmv/recipients\tICE' "$WORK/ny" || fail "prefix diff: $(cat "$WORK/ny")"
! grep -qv $'\tstates/NY/dmv/' "$WORK/ny" || fail "prefix diff shows other paths"
"$NLETSFS" diff --db "$WORK/inv.db" --format csv 2019-12-13 2019-12-14 states/NY/dmv >"$WORK/ny.csv" || [[ $? == 1 ]]
head -1 "$WORK/ny.csv" | grep -qx 'date,op,path,line' || fail "csv header"
"$NLETSFS" diff --db "$WORK/inv.db" --format json 2019-12-13 2019-12-14 states/NY/dmv >"$WORK/ny.json" || [[ $? == 1 ]]
python3 -c 'import json,sys; d=json.load(sys.stdin); assert {"date":"2019-12-14","op":"+","path":"states/NY/dmv/blocked","line":"ICE"} in d' <"$WORK/ny.json" ||
  fail "json"
s=0; "$NLETSFS" diff --db "$WORK/inv.db" 2019-02-30 2020-01-01 2>/dev/null || s=$?
[[ $s == 2 ]] || fail "a bad date is a usage error"
ok "nletsfs diff equals diff -r of at/ folders, in text, csv and json"

# changes_are_day_diffs WHAT: changes is every change day's lines, oldest first,
# equal to diff -r of the whole trees of consecutive days (tests/mount/treediff.py).
changes_are_day_diffs() {
  python3 "$SRC/tests/mount/treediff.py" --chain "$MNT/at" 1000-01-01 $(ls "$MNT/at" | grep -v latest) >"$WORK/expected" ||
    fail "$1: treediff.py"
  diff "$WORK/expected" "$MNT/changes" >"$WORK/changes.diff" ||
    fail "$1: changes is not the diff of consecutive days: $(head -5 "$WORK/changes.diff")"
  [[ -s $MNT/changes ]] || fail "$1: changes is empty"
}
changes_are_day_diffs "the fixture"
ok "changes"
unmount

# The same on the default inventory, whose facts reach every kind of route:
# a route whose files change with the day but that fs/changes.c's rules do
# not name shows here as a line `changes` lacks.
cd "$WORK"
import_into "$WORK/default.db" "$SRC/data"
mount_db "$WORK/default.db"
changes_are_day_diffs "the default inventory"
ok "changes of the default inventory ($(wc -l <"$WORK/expected") lines, $(ls "$MNT/at" | grep -vc latest) days)"
# nletsfs diff across years, both ways, against diff -r of the two days' trees.
days=($(ls "$MNT/at" | grep -v latest))
first=${days[0]} last=${days[${#days[@]}-1]} mid=${days[${#days[@]}/2]}
for pair in "$first:$last" "$last:$mid"; do
  a=${pair%%:*} b=${pair##*:}
  "$NLETSFS" diff --db "$WORK/default.db" "$a" "$b" >"$WORK/ours" || [[ $? == 1 ]] || fail "nletsfs diff $a $b"
  python3 "$SRC/tests/mount/treediff.py" "$MNT/at/$a" "$MNT/at/$b" "$b" >"$WORK/theirs"
  [[ -s $WORK/theirs ]] || fail "no change between $a and $b to compare"
  diff "$WORK/theirs" "$WORK/ours" >/dev/null || fail "nletsfs diff $a $b is not what diff -r shows: $(diff "$WORK/theirs" "$WORK/ours" | head -3)"
done
ok "nletsfs diff of the default inventory, $first to $last and back to $mid"
unmount

# Past days are consistent (issue 13, point 4): the only source for ICE is
# dated 2025-11-10, while the flow WA/dmv -> ICE holds since 2019-05-21.
# Entities have no valid time: ICE, DQ, the fields and the source are under
# every at/D/, so no fact that holds on a day names something absent.
b=$WORK/past
mkdir -p "$b"
printf '%s\n' 'id,title,kind,date,url,file,note' \
  'wa-2025,Washington DOL letter,foia,2025-11-10,,,' >"$b/sources.csv"
printf '%s\n' 'id,name,parent,membership,oris,source,page,quote' \
  'ICE,U.S. Immigration and Customs Enforcement,,core,,wa-2025,2,' >"$b/agencies.csv"
printf '%s\n' 'id,name,section' 'dmv,Driver license,13' >"$b/systems.csv"
printf '%s\n' 'id,name,synonyms' 'name,Name,' 'photo,Photograph,' >"$b/fields.csv"
printf '%s\n' 'key,name,section,purpose,inputs,returns,scope,max_states,source,page,quote' \
  'DQ,Driver License Query,13,,name,name;photo,multi-state,,wa-2025,3,' >"$b/transactions.csv"
printf '%s\n' 'id,from,to,via,transaction,fields,status,conditions,since,until,source,page,quote' \
  'wa-dmv-to-ice,WA/dmv,ICE,Nlets,DQ,name;photo,reported,,2019-05-21,2025-11-18,wa-2025,2,' \
  'wa-dmv-blocks-ice,WA/dmv,ICE,Nlets,DQ,,blocked,,2025-11-18,,wa-2025,3,' >"$b/flows.csv"
import_into "$WORK/past.db" "$b"
mount_db "$WORK/past.db"
cd "$MNT"
[[ -d at/2019-05-21/flows/wa-dmv-to-ice ]] || fail "the flow of 2019-05-21"
[[ $(ls at/2019-05-21/agencies) == ICE ]] || fail "at/2019-05-21/agencies: [$(ls at/2019-05-21/agencies 2>&1)]"
expect_file at/2025-11-01/agencies/ICE/receives $'WA/dmv\n'
expect_file at/2025-11-18/agencies/ICE/receives ''
expect_file at/2025-11-18/agencies/ICE/blocked_by $'WA/dmv\n'
[[ $(ls at/2019-05-20/flows) == '' && $(ls at/2019-05-20/agencies) == ICE ]] ||
  fail "before the flow: no flow, ICE still there"

for d in 1990-01-01 $(ls at | grep -v latest); do no_dangling "$d"; done
cd /
"$NLETSFS" materialize --db "$WORK/past.db" --at 2019-05-21 "$WORK/past-at" || fail "materialize --at"
diff -r "$WORK/past-at" "$MNT/at/2019-05-21/" || fail "materialize --at 2019-05-21 differs from the mount"
# Backwards too: from a later day to an earlier one (spans swap what holds on each).
for pair in 1990-01-01:2019-05-21 2019-05-21:2025-11-18 2025-11-01:2025-11-10 2025-11-18:2019-05-21 2025-11-10:1990-01-01; do
  a=${pair%%:*} b=${pair##*:}
  "$NLETSFS" diff --db "$WORK/past.db" "$a" "$b" >"$WORK/ours" || [[ $? == 1 ]] || fail "nletsfs diff $a $b"
  python3 "$SRC/tests/mount/treediff.py" "$MNT/at/$a" "$MNT/at/$b" "$b" >"$WORK/theirs"
  diff "$WORK/theirs" "$WORK/ours" || fail "nletsfs diff $a $b is not what diff -r shows"
done
unmount
ok "past days: every entity a fact of the day names is there; materialize --at and diff agree"
