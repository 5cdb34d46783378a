#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The default inventory (data/), mounted for real: the seed's facts are
# there, every fact is cited, every cited source exists, and the whole tree
# matches the independent model.
. "$(dirname "$0")/lib.sh"

import_into "$WORK/inv.db" "$SRC/data"
"$NLETSFS" check --db "$WORK/inv.db" >/dev/null || fail "nletsfs check of the default inventory"
mount_db "$WORK/inv.db"
cd "$MNT"

[[ $(ls states | wc -l) == 56 ]] || fail "56 jurisdictions"
for code in $(cut -d' ' -f1 "$SRC/tests/mount/jurisdictions.txt"); do
  [[ -s states/$code/name ]] || fail "states/$code/name"
done
expect_line states/NY/dmv/blocked ICE
expect_line states/NY/dmv/blocked CBP
[[ -f states/NY/laws/A3675 && -f states/NY/laws/A9508B ]] || fail "New York's law and its amendment"
grep -q '^enacted: 2019' states/NY/laws/A3675 || fail "A3675 enacted in 2019"
grep -q '^value: yes' states/NY/participation/blocks-ori || fail "NY blocks by ORI"
ok "New York"

for a in ICE CBP USCIS DOJ FBI DOS; do
  expect_file agencies/$a/membership $'core\n'
done
for a in HHS-ORR LESC OBIM INTERPOL CANADA; do
  [[ -s agencies/$a/name ]] || fail "agency $a"
done
expect_line agencies/LESC/oris VTICE0900
expect_line agencies/ICE/blocked_by NY/dmv
ok "agencies"

for key in DQ DNQ KQ RQ RNQ IQ PPQ IAQ IAR; do
  [[ -d transactions/$key ]] || fail "transaction $key"
done
expect_line transactions/DQ/returns ssn
expect_line transactions/DNQ/returns ssn
expect_line fields/ssn/returned_by DQ
expect_line fields/ssn/returned_by KR
ok "transactions and fields"

expect_file partners/Datamaxx/kind $'strategic\n'
expect_file partners/Forensic-Logic/kind $'hosting\n'
[[ $(ls partners | wc -l) == 6 ]] || fail "the six partners the seed names"
grep -rqs '34' sources/*/note || fail "the seed's partner counts are in a source note"
ok "partners"

expect_line flows/e-verify-dl-check/fields ssn
expect_file flows/e-verify-dl-check/to $'USCIS\n'
grep -qi 'not store' flows/e-verify-dl-check/conditions || fail "E-Verify condition"
for f in hhs-orr-sponsor-to-fbi fbi-iaq-to-lesc lesc-iar-to-hhs-orr nnws-ncic-to-ice dq-multistate-to-ice \
  dnq-name-only-to-ice kq-driver-history-to-ice rq-vehicle-registration-to-ice iq-criminal-history-to-ice \
  ppc-corrections-to-ice ny-dmv-blocks-ice ny-dmv-blocks-cbp; do
  [[ -d flows/$f ]] || fail "flow $f"
done
ok "flows"

# What a source says of Nlets itself: a claim, cited to the seed's page.
[[ $(cat claims/no-audits-of-nlets/subject) == NLETS ]] || fail "claims/no-audits-of-nlets/subject"
grep -qx 'nilc-nlets-qa-2020 p.13' claims/no-audits-of-nlets/sources || fail "the audits claim cites seed p.13"
grep -qx 'claims/core-members-strategic-partners' sources/nilc-nlets-qa-2020/supports ||
  fail "a source's supports lists the claims citing it"
ok "claims"

# Every fact cites a source, and every cited source exists.
for f in flows/* agencies/* partners/* transactions/* claims/*; do
  [[ -s $f/sources ]] || fail "$f has no source"
done
cat states/*/laws/* states/*/participation/* | sed -n 's/^sources: //p' | tr ';' '\n' >"$WORK/cited"
cat flows/*/sources agencies/*/sources partners/*/sources transactions/*/sources claims/*/sources states/*/*/sources \
  2>/dev/null >>"$WORK/cited"
sed 's/^ *//; s/ p\..*//' "$WORK/cited" | sort -u | while read -r src; do
  [[ -d sources/$src ]] || fail "cited source $src is not in sources/"
done
ok "every fact cited, every cited source present"

# Search reads the facts' own words (no default source has a document): a hit is a source that a
# matching fact cites, or whose title or note matches, and links to it.
ls search/ssn | grep -qx nilc-nlets-qa-2020 || fail "search/ssn finds the seed through its facts"
[[ $(readlink search/ssn/nilc-nlets-qa-2020) == ../../sources/nilc-nlets-qa-2020 ]] || fail "a hit links to its source"
ls 'search/"driver license"' | grep -qx nlets-wiki-section-13 || fail "phrase search over source titles"
ls search/NLNOQHELP | grep -qx nlets-guide-dl-niem || fail "search over a message type's purpose"
ls 'search/"self-service" AND Hobbs' | grep -qx voz-dmv-letters-governors-2025 || fail "search over flow conditions"
ls 'search/"no audits"' | grep -qx nilc-nlets-qa-2020 || fail "search over claims"
[[ -z $(ls search/nosuchwordanywhere) ]] || fail "no hit, empty folder"
ok "search finds facts and their sources"

cd /
"$NLETSFS" export --db "$WORK/inv.db" "$WORK/export"
python3 "$SRC/tests/mount/oracle.py" "$WORK/export" "$WORK/model" "$(date -u +%F)"
for d in states agencies partners transactions fields systems flows sources claims; do
  # records_request.txt is prose, checked by tests/mount/questions.sh and the unit tests.
  diff -r -x records_request.txt "$WORK/model/$d" "$MNT/$d" || fail "diff -r of $d/ against the model"
done
ok "the whole tree matches the model"
unmount
