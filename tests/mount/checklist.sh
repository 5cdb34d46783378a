#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The advocates' checklist on the default inventory, mounted for real and
# read with cat, grep, sort and Python's XML parser: the answers, the lists
# by answer, the records requests (exactly the unknown questions) and the
# maps (one tile per jurisdiction drawn, classed by its answer).
. "$(dirname "$0")/lib.sh"

import_into "$WORK/inv.db" "$SRC/data"
mount_db "$WORK/inv.db"
cd "$MNT"
today=$(date -u +%F)

qids=$(ls questions)
[[ $(echo "$qids" | wc -l) == 14 ]] || fail "14 questions, got: $qids"
for q in sample-query audits ori-block ssn; do
  [[ -s questions/$q/question ]] || fail "question $q"
done
expect_file questions/ssn/question $'Does your state share Social Security numbers through Nlets?\n'
ok "14 questions"

# ICE says New York blocks it by ORI: yes, with its basis and sources.
expect_line states/NY/questions/ori-block 'answer: yes'
expect_line states/NY/questions/ori-block 'basis: states/NY/participation/blocks-ori (blocks-ori: yes)'
grep -q '^sources: .*ice-response-state-dmv-laws p.18' states/NY/questions/ori-block || fail "NY sources"
[[ $(cut -d: -f1 states/NY/questions/ori-block | tr '\n' ' ') == 'question answer basis sources ' ]] ||
  fail "the four lines of SPEC section 4"
expect_line questions/ori-block/yes NY
expect_line states/NY/questions/dhs-access 'answer: partial'
# A block of ICE decides nothing about photos (seed p.3: DHS gets DMV records except photos).
expect_line states/NY/questions/photos-dhs 'answer: unknown'
# The letter of Nov. 12, 2025 to its governor: Arizona gives ICE self-service access through Nlets.
expect_line states/AZ/questions/dhs-access 'answer: yes'
# A state with no facts: unknown everywhere.
for q in $qids; do
  expect_line states/LA/questions/$q 'answer: unknown'
  expect_line states/LA/questions/$q 'sources: none'
done
[[ $(grep -l '^answer: unknown' states/LA/questions/* | wc -l) == 14 ]] || fail "grep -l over LA's answers"
ok "answers: New York and Louisiana"

# Every jurisdiction is in exactly one list of each question, and the lists agree with the answers.
for q in $qids; do
  for a in yes no partial unknown; do
    sort -c questions/$q/$a 2>/dev/null || fail "questions/$q/$a is not sorted"
    diff questions/$q/$a <(grep -lx "answer: $a" states/*/questions/$q | cut -d/ -f2) >/dev/null ||
      fail "questions/$q/$a does not list the jurisdictions answering $a"
  done
  [[ $(cat questions/$q/{yes,no,partial,unknown} | sort | uniq -u | wc -l) == 56 ]] ||
    fail "questions/$q: each of the 56 jurisdictions exactly once"
done
ok "questions/QID/ lists"

# Each records request asks exactly the questions answered unknown, and cites only what exists.
for code in $(ls states); do
  req=states/$code/records_request.txt
  asked=$(sed -n 's/^[0-9]*\. \[\([a-z-]*\)\].*/\1/p' "$req" | sort)
  unknown=$(grep -l '^answer: unknown' states/$code/questions/* | xargs -n1 basename | sort)
  [[ "$asked" == "$unknown" ]] || fail "$req asks [$asked], the unknown are [$unknown]"
  grep -qx "Date:  $today" "$req" || fail "$req is not dated $today"
  grep -q '______________________________  (your name)' "$req" || fail "$req has no blank for a name"
  # A letter to an official cites documents by title, not the inventory's paths and ids.
  ! grep -E 'flows/|states/[A-Z]{2}/|nletsfs|inventory' "$req" || fail "$req speaks of the inventory"
  python3 - "$req" <<'EOF' || fail "$req cites a document that is no source"
import glob, re, sys
titles = {open(t).read().rstrip('\n') for t in glob.glob('sources/*/title')}
text = open(sys.argv[1]).read()
cited = text.split('\nDocuments cited\n\n', 1)[1].split('\n\n', 1)[0]
entries = [' '.join(l.strip() for l in e.split('\n')) for e in re.split(r'\n(?=- )', cited.strip())]
for e in entries:
    if e == '- none.':
        continue
    title = e[3:e.rindex('" (')]
    assert title in titles, title
EOF
done
tr '\n' ' ' <states/NY/records_request.txt | grep -q 'system of New York  *blocks ICE through Nlets' || fail "NY's known facts"
grep -q 'The documents I have read say nothing of Louisiana in particular' states/LA/records_request.txt || fail "LA: nothing known"
ok "records requests ask exactly the unknown questions"

# Maps: valid XML, one tile per drawn jurisdiction, the class of its answer, the question as title.
for q in $qids; do
  python3 - "maps/$q.svg" "$q" "$today" <<'EOF' || fail "maps/$q.svg"
import os, sys, xml.etree.ElementTree as ET
path, q, today = sys.argv[1:]
ns = '{http://www.w3.org/2000/svg}'
root = ET.parse(path).getroot()
assert root.tag == ns + 'svg', root.tag
assert root.find(ns + 'title').text == open('questions/%s/question' % q).read().rstrip('\n')
tiles = [g for g in root.iter(ns + 'g') if g.get('class', '').startswith('tile ')]
codes = [g.get('data-state') for g in tiles]
assert len(codes) == 52 and len(set(codes)) == 52, codes
assert 'DC' in codes and 'PR' in codes and 'GU' not in codes
for g in tiles:
    answer = g.get('class').split()[1]
    line = 'answer: %s\n' % answer
    assert line in open('states/%s/questions/%s' % (g.get('data-state'), q)).read(), (g.get('data-state'), answer)
    assert g.get('data-answer') == answer
text = open(path).read()
assert today in text and 'legend' in text
EOF
done
# Each map cites the seed's page of its own question (the audits question is on p.15).
grep -q 'Questions and Answers (November 2020), p.15\.' maps/audits.svg || fail "maps/audits.svg cites p.15"
grep -q 'Questions and Answers (November 2020), p.14\.' maps/ssn.svg || fail "maps/ssn.svg cites p.14"
ok "maps parse, 52 tiles classed by their answers"

grep -q 'questions/' README && grep -q 'maps/' README && grep -q 'records_request.txt' README ||
  fail "README points to the checklist"
grep -q 'jurisdictions with a fact: 51 of 56' README || fail "README counts"
ok "README"

cd /
unmount
