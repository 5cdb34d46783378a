#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A FOIA release as agencies make them, for real: a zip of a scanned page
# (an image-only PDF and the same page as a PNG, 200 dpi, speckle, skew,
# black boxes with exemption codes beside them), an email with a PDF
# attached, a Word letter and a two-sheet Excel log, imported in one command
# and read through the mount: OCR'd text, search/, excerpts, mentioned_in,
# sources/ID/redactions and ocr, redactions/CODE/, titles, member paths,
# imports/N. Hostile inputs (a zip bomb in a .docx, an email nested 20 deep,
# a 20,000 x 20,000 pixel image) are refused whole, inventory unchanged.
# Fixtures are made here (tests/mount/mkscan.py, mkoffice.py, mkpdf.py).
# OCR runs on two small pages: Tesseract is a system library, not built with
# the sanitizers, so this test runs in bounded time in both CI passes.
. "$(dirname "$0")/lib.sh"

command -v gs >/dev/null || skip "ghostscript (scripts/setup) renders the scans"
py() { python3 "$SRC/tests/mount/$1" "${@:2}"; }
db=$WORK/inv.db
D=$WORK/release
mkdir -p "$D"
status() { local s=0; "$@" >"$WORK/out" 2>"$WORK/err" || s=$?; echo "$s"; }

import_into "$db" "$SRC/tests/fixtures/small"

lines=("U.S. Immigration and Customs Enforcement"
  "Records of queries made through Nlets by the ICE field office,"
  "June 3, 2019. The officer entered the date of birth and the"
  "driver's license number of each person and received a photo.")
py mkscan.py --pdf "$D/scan.pdf" --stamp ICE-2019-000123 --redact "(b)(6)" --redact "(b)(7)(C)" "${lines[@]}" \
  "|Second page of the scan: the LESC answered." || fail "mkscan.py"
py mkscan.py --png "$D/page.png" --skew -0.6 --seed 7 --redact "(b)(7)(E)" "${lines[@]}" || fail "mkscan.py"
py mkpdf.py "$WORK/attachment-b.pdf" --date 20190702 \
  "Attachment B|The NJ MVC answers ICE queries through Nlets." || fail "mkpdf.py"
py mkoffice.py eml "$D/nj-mvc-email.eml" --from records.unit@example.gov --to requester@example.org \
  --date "Tue, 2 Jul 2019 09:30:00 -0400" --subject "NJ MVC records: Nlets queries" \
  --attach "$WORK/attachment-b.pdf" "Please find attached the records." "A name is withheld under (b)(6)."
py mkoffice.py docx "$D/letter.docx" "Response to request 2019-ICFO-12345" "Dear requester," \
  "ICE queried the date of birth through Nlets." "Names are withheld under (b)(6) and (b)(7)(C)."
py mkoffice.py xlsx "$D/query-log.xlsx" "Queries=Date,Agency,Key;2019-06-03,ICE,DQ;2019-06-04,CBP,DNQ" \
  "Totals=Agency,Count;ICE,12;CBP,3"
(cd "$WORK" && zip -qr release.zip release)
"$NLETSFS" import --db "$db" --kind foia "$WORK/release.zip" >"$WORK/created" 2>"$WORK/err" \
  || fail "import of the release: $(cat "$WORK/err")"
! grep -q 'OCR' "$WORK/err" || fail "progress off a terminal: $(cat "$WORK/err")"
# On a terminal (script(1) gives one), OCR shows its progress.
script -qec "'$NLETSFS' import --db '$WORK/tty.db' --date 2020 '$D/page.png'" /dev/null >"$WORK/tty" \
  || fail "import on a terminal: $(cat "$WORK/tty")"
grep -q 'page.png: OCR 1/1 page' "$WORK/tty" || fail "no OCR progress on a terminal: $(cat "$WORK/tty")"
ok "a release of scans, mail and office files imports in one command"

# One PIA in two files (a page each, as some releases split them): linked by its identifier.
printf 'Privacy Impact Assessment\nfor the LEIS Service\nDHS/ICE/PIA-051\nJune 28, 2019\nLEIS queries Nlets.\n' \
  >"$WORK/pia-page1.txt"
printf 'Privacy Impact Assessment (continued)\nDHS/ICE/PIA-051\nJune 28, 2019\nThe SSN is sent too.\n' \
  >"$WORK/pia-page2.txt"
"$NLETSFS" import --db "$db" "$WORK/pia-page1.txt" "$WORK/pia-page2.txt" >"$WORK/pias" || fail "import of the PIA pages"
[[ $(wc -l <"$WORK/pias") == 2 ]] || fail "two sources: $(cat "$WORK/pias")"

# "Beside a black box": a scanned page with (5)(6) stamped beside a box and (0)(6) under
# another (OCR's readings of a small (b)(6), so b6 twice) and (5)(6) in running text far
# from any box (a rule's number: not counted); state-law codes stamped beside boxes. And a
# letter citing each state law's notation, the DPPA's and the Privacy Act's, with near
# misses that are no code.
py mkscan.py --png "$WORK/beside.png" --seed 3 --redact "(5)(6)" --redact "POL 87(2)(b)" \
  --redact "Gov't Code 552.130" --redact-under "(0)(6)" \
  "Queries through Nlets are logged under rule (5)(6) of the manual," \
  "and the officer keeps the log for a year." || fail "mkscan.py"
cat >"$WORK/state-letter.txt" <<'LETTER'
Response on Nlets queries from five state DMVs
New York: names withheld under Public Officers Law § 87(2)(b).
California: withheld under Gov. Code § 7927.705 (formerly § 6254(k)).
Illinois: 5 ILCS 140/7(1)(c). Washington: RCW 42.56.230(7).
Texas: Gov't Code § 552.130, motor vehicle records. Florida: s. 119.0712(2).
Massachusetts: G.L. c. 4, § 7(26)(c). The DPPA, 18 U.S.C. § 2721, and the Privacy Act, (k)(2).
Not codes: section 87(2)(b) alone, 6254(k) alone, 42 U.S.C. 2721, 5 U.S.C. § 552a(k)(2), RCW 42.56.
LETTER
"$NLETSFS" import --db "$db" --date 2020 "$WORK/beside.png" "$WORK/state-letter.txt" >"$WORK/state_ids" \
  || fail "import of beside.png and state-letter.txt"

# Hostile inputs: refused whole, the file and the reason named, nothing lands.
"$NLETSFS" export --db "$db" "$WORK/before"
B=$WORK/bad
mkdir -p "$B"
py mkoffice.py bomb "$B/bomb.docx" 64
py mkoffice.py nested "$B/nested.eml" 20
py mkscan.py --size 20000x20000 --png "$B/huge.png"
refused() { import_refused "$db" "$@"; } # MESSAGE ARGS...
refused "bomb.docx: error: part 'word/document.xml' expands" --date 2020 "$B/bomb.docx"
refused "nested.eml: error: member 'attachment-1.eml/attachment-1.eml/attachment-1.eml': an email nested more than 3 deep" \
  --date 2020 "$B/nested.eml"
refused "huge.png: error: page 1: 20000 x 20000 pixels, over the 64-megapixel bound of OCR: refused" \
  --date 2020 "$B/huge.png"
(cd "$B" && zip -q hostile.zip huge.png)
refused "hostile.zip: error: member 'huge.png': page 1: 20000 x 20000 pixels" --date 2020 "$B/hostile.zip"
"$NLETSFS" export --db "$db" "$WORK/after"
diff -r "$WORK/before" "$WORK/after" || fail "a refused import changed the inventory"
ok "a zip bomb in a .docx, an email nested 20 deep, a 20000x20000 image: refused, inventory unchanged"

mount_db "$db"
cd "$MNT"
src_of() { grep -lx "$1" sources/*/member | cut -d/ -f2; }
scan=$(src_of release.zip/release/scan.pdf)
page=$(src_of release.zip/release/page.png)
mail=$(src_of release.zip/release/nj-mvc-email.eml)
att=$(src_of release.zip/release/nj-mvc-email.eml/attachment-b.pdf)
letter=$(src_of release.zip/release/letter.docx)
log=$(src_of release.zip/release/query-log.xlsx)
for v in scan page mail att letter log; do
  [[ -n ${!v} ]] || fail "no source for $v: $(cat sources/*/member)"
done
ok "member paths: release.zip/release/nj-mvc-email.eml/attachment-b.pdf and the rest"
[[ $(sort "$WORK/created" | tr '\n' ' ') == "$(printf '%s\n' $scan $page $mail $att $letter $log | sort | tr '\n' ' ')" ]] \
  || fail "import printed [$(cat "$WORK/created")], not the six sources it made"

# OCR: the scan reads as text, per page, marked as OCR with a confidence; a text layer is not OCRed.
grep -q 'Records of queries made through Nlets by the ICE field office' "sources/$scan/text" \
  || fail "OCR of the scanned PDF: $(cat "sources/$scan/text")"
grep -q 'LESC answered' "sources/$scan/text" || fail "OCR of page 2"
# Each page carries a Bates number as a text layer: a stamp on a scan, so the page is OCRed and the stamp kept.
[[ $(grep -c '^ICE-2019-000123$' "sources/$scan/text") == 2 ]] || fail "the stamps: $(cat "sources/$scan/text")"
[[ $(tr -cd '\f' <"sources/$scan/text" | wc -c) == 1 ]] || fail "two pages"
grep -q "license number of each person and received a photo" "sources/$page/text" || fail "OCR of the PNG"
# PAGE, CONFIDENCE, BOXES: page 1 has the two redaction boxes, page 2 none.
awk -F'\t' 'NF != 3 || $2 < 60 || $2 > 100 { exit 1 } END { exit NR != 2 }' "sources/$scan/ocr" \
  || fail "sources/ID/ocr: $(cat "sources/$scan/ocr")"
[[ $(cut -f1,3 "sources/$scan/ocr" | tr '\t\n' ': ') == '1:2 2:0 ' ]] || fail "ocr pages: $(cat "sources/$scan/ocr")"
[[ $(cut -f3 "sources/$page/ocr") == 1 ]] || fail "the PNG's one box: $(cat "sources/$page/ocr")"
[[ ! -e sources/$att/ocr ]] || fail "a PDF with a text layer is not OCRed"
expect_file "sources/$scan/date" $'2019-06-03\n'
expect_file "sources/$page/kind" $'foia\n'
ok "OCR: scanned PDF pages and a PNG read, marked with confidence; text layers not OCRed"

expect_file "sources/$scan/redactions" $'1\t(b)(6)\t1\n1\t(b)(7)(C)\t1\n'
expect_file "sources/$page/redactions" $'1\t(b)(7)(E)\t1\n'
expect_file "sources/$letter/redactions" $'1\t(b)(6)\t1\n1\t(b)(7)(C)\t1\n'
expect_file "sources/$att/redactions" ''
{ read -r beside && read -r letter2; } <"$WORK/state_ids" || fail "ids: $(cat "$WORK/state_ids")"
expect_file "sources/$beside/redactions" \
  $'1\t(b)(6)\t2\n1\tN.Y. POL § 87(2)(b)\t1\n1\tTex. Gov\'t Code § 552.130\t1\n'
[[ $(cut -f3 "sources/$beside/ocr") == 4 ]] || fail "beside.png's four boxes: $(cat "sources/$beside/ocr")"
grep -q 'under rule (5)(6) of the manual' "sources/$beside/text" || fail "the rule's (5)(6): $(cat "sources/$beside/text")"
expect_file "sources/$letter2/redactions" $'1\t(k)(2)\t1\n1\t18 U.S.C. § 2721\t1\n1\t5 ILCS 140/7(1)(c)\t1\n'\
$'1\tCal. Gov. Code § 6254(k)\t1\n1\tCal. Gov. Code § 7927.705\t1\n1\tFla. Stat. § 119.0712(2)\t1\n'\
$'1\tMass. G.L. c. 4, § 7(26)(c)\t1\n1\tN.Y. POL § 87(2)(b)\t1\n1\tRCW 42.56.230(7)\t1\n'\
$'1\tTex. Gov\'t Code § 552.130\t1\n'
[[ $(ls redactions | tr '\n' ' ') == 'CA-GC-6254-k CA-GC-7927.705 DPPA-2721 FL-119.0712-2 IL-140-7-1-c MA-4-7-26-c '\
'NY-POL-87-2-b TX-552.130 WA-42.56.230-7 b6 b7C b7E k2 ' ]] || fail "redactions/: $(ls redactions)"
[[ $(ls redactions/TX-552.130 | tr '\n' ' ') == "$(printf '%s\n' "$beside" "$letter2" | sort | tr '\n' ' ')" ]] \
  || fail "redactions/TX-552.130: $(ls redactions/TX-552.130)"
[[ $(readlink "redactions/DPPA-2721/$letter2") == ../../sources/$letter2 ]] || fail "redactions/DPPA-2721/"
ls redactions/b6 | grep -qx "$beside" || fail "(5)(6) beside a box is (b)(6): $(ls redactions/b6)"
run2=$(grep -lx "source: $letter2" imports/*) || fail "no imports/N of state-letter.txt"
grep -qx 'redacted: N.Y. POL § 87(2)(b) 2' "$run2" || fail "the call's NY total: $(cat "$run2")"
grep -qx "redacted: Tex. Gov't Code § 552.130 2" "$run2" || fail "the call's TX total: $(cat "$run2")"
[[ $(grep -c '^redacted: ' "$run2") == 11 ]] || fail "eleven codes in the call: $(cat "$run2")"
ok "beside a black box: a misread (5)(6) or (0)(6) counts there (right of a box, under one), not in running text; state laws' codes, the DPPA's, the Privacy Act's"
[[ $(ls redactions/b7C | tr '\n' ' ') == "$(printf '%s\n' "$letter" "$scan" | sort | tr '\n' ' ')" ]] \
  || fail "redactions/b7C: $(ls redactions/b7C)"
[[ $(readlink "redactions/b7E/$page") == ../../sources/$page ]] || fail "redactions/CODE/ID links to the source"
cmp -s "redactions/b6/$mail/text" "sources/$mail/text" || fail "a redaction link leads to its source"
[[ ! -e redactions/b5 ]] || fail "an exemption nobody withholds under"
ok "redactions: per page in sources/ID/redactions, and redactions/CODE/ lists who withholds"

ls search/Nlets | grep -qx "$scan" || fail "search/Nlets: $(ls search/Nlets)"
ls 'search/"field office"' | grep -qx "$page" || fail "phrase search over OCR text"
ls search/LESC | grep -qx "$scan" || fail "search/LESC"
grep -q 'names: .*Nlets' "sources/$scan/excerpts/p1" || fail "excerpt of the scan: $(cat "sources/$scan/excerpts/p1")"
grep -q 'agency ICE' "sources/$scan/excerpts/p1" || fail "the scan names ICE: $(cat "sources/$scan/excerpts/p1")"
grep -qx "$scan" agencies/ICE/mentioned_in || fail "agencies/ICE/mentioned_in: $(cat agencies/ICE/mentioned_in)"
grep -qx "$scan" agencies/LESC/mentioned_in || fail "agencies/LESC/mentioned_in (page 2)"
grep -qx "$letter" fields/date_of_birth/mentioned_in \
  || fail "'date of birth' names field date_of_birth: $(cat fields/date_of_birth/mentioned_in)"
! grep -qx "$letter" fields/name/mentioned_in || fail "'Names are withheld' is not the field name"
ok "search/, excerpts and mentioned_in work on OCR text; fields by their display names"

expect_file "sources/$mail/title" $'NJ MVC records: Nlets queries\n'
expect_file "sources/$mail/date" $'2019-07-02\n'
grep -qx 'From: records.unit@example.gov' "sources/$mail/text" || fail "email from"
grep -qx 'To: requester@example.org' "sources/$mail/text" || fail "email to"
grep -qx 'Please find attached the records.' "sources/$mail/text" || fail "email body"
! grep -q 'JVBERi0' "sources/$mail/text" || fail "the attachment is not base64 in the text"
expect_file "sources/$att/title" $'Attachment B\n'
expect_file "sources/$att/date" $'2019-07-02\n'
grep -q 'NJ MVC answers ICE queries through Nlets' "sources/$att/text" || fail "attachment text"
cmp -s "sources/$att/original.pdf" "$WORK/attachment-b.pdf" || fail "the attachment's bytes"
ok "email: subject as title, Date: header, from/to, body, the PDF attachment a member document"

expect_file "sources/$letter/title" $'Response to request 2019-ICFO-12345\n'
expect_file "sources/$letter/text" $'Dear requester,\nICE queried the date of birth through Nlets.\nNames are withheld under (b)(6) and (b)(7)(C).\n'
[[ -e sources/$letter/original.docx ]] || fail "original.docx"
expect_file "sources/$log/title" $'query-log.xlsx\n' # no dc:title: a sheet's name is no title, the file's is
expect_file "sources/$log/text" $'Sheet: Queries\nDate\tAgency\tKey\n2019-06-03\tICE\tDQ\n2019-06-04\tCBP\tDNQ\n\fSheet: Totals\nAgency\tCount\nICE\t12\nCBP\t3\n'
! grep -rq '<?xml' sources/*/title || fail "no source is an XML part"
[[ $(grep -l 'release.zip/release/letter.docx' sources/*/member | wc -l) == 1 ]] || fail "one source per office file"
ok "office: a .docx's paragraphs and a .xlsx's two sheets, one source each"

{ read -r pia1 && read -r pia2; } <"$WORK/pias" || fail "the PIA pages' ids: $(cat "$WORK/pias")"
expect_file "sources/$pia1/same_as" "$pia2"$'\n'
expect_file "sources/$pia2/same_as" "$pia1"$'\n'
[[ ! -e sources/$letter/same_as ]] || fail "same_as only where another file holds the same document"
ok "one PIA in two files: each names the other in same_as"

run=$(grep -l '^member: release.zip/release/query-log.xlsx$' imports/* | head -1)
[[ -n $run ]] || fail "imports/N of the release"
grep -qx 'ocr pages: 3' "$run" || fail "ocr pages in $run: $(cat "$run")"
grep -qx 'redacted: (b)(6) 3' "$run" || fail "the release's (b)(6) total: $(cat "$run")"
grep -qx 'member: release.zip/release/nj-mvc-email.eml/attachment-b.pdf' "$run" || fail "attachment in the run"
grep -qx "source: $att" "$run" || fail "imports/N lists the sources made: $(cat "$run")"
ok "imports/N and the import's output: the sources made; OCR pages and redactions summed"
cd /
unmount
