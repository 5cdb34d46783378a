#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Documents, for real: PDFs, text, HTML and archives imported with the CLI,
# then read through the mount: sources/ID/ (text, original, sha256, member,
# excerpts, PIA identifier), fields/F/mentioned_in, search/QUERY/ links,
# partners/X/listed from two dated partner lists, and imports/N. Every
# refusal of bad input exits 1, names the file (and member), and leaves the
# inventory as it was. Fixtures are made here (tests/mount/mkpdf.py, zip, tar).
. "$(dirname "$0")/lib.sh"

mkpdf() { python3 "$SRC/tests/mount/mkpdf.py" "$@"; }
db=$WORK/inv.db
D=$WORK/docs
mkdir -p "$D/release/memos"
status() { local s=0; "$@" >/dev/null 2>"$WORK/err" || s=$?; echo "$s"; }

import_into "$db" "$SRC/tests/fixtures/small"

# A PIA whose first page gives its identifier and date, and a FOIA release (zip) of a PDF and a text memo.
mkpdf "$D/pia.pdf" --title "Privacy Impact Assessment for the LEIS Service" --date 20190701 \
  "Privacy Impact Assessment|for the LEIS Service|DHS/ICE/PIA-051|June 28, 2019" \
  "LEIS queries Nlets for the driver's license and the SSN." "Appendix"
mkpdf "$D/release/memos/email.pdf" --date 20140304 "Re: NYT story|ICE uses Nlets to reach state DMVs."
printf 'Memo\nUSCIS checks the SSN through NLETS.\n\fSecond page names nobody.\n' >"$D/release/memos/memo.txt"
(cd "$D" && zip -qr release.zip release)
cat >"$D/page.html" <<'HTML'
<!DOCTYPE html><html><head><meta charset="utf-8"><title>How ICE reads DMV data</title>
<meta name="date" content="2019-03-13"></head><body><h1>ICE and Nlets</h1>
<p>ICE runs name-only queries (DNQ) through the International Justice and Public Safety Network.</p>
<script>document.write("Nlets")</script></body></html>
HTML
"$NLETSFS" import --db "$db" "$D/pia.pdf" || fail "import of a PDF"
"$NLETSFS" import --db "$db" --kind foia --date 2021-05-01 --url https://example.org/release "$D/release.zip" \
  || fail "import of a zip"
"$NLETSFS" import --db "$db" "$D/page.html" || fail "import of an HTML page"

# Two dated partner lists of one page (url): HTML, then CSV without Acme Data.
cat >"$D/partners.html" <<'HTML'
<html><head><title>Strategic Partners</title></head><body><nav><ul><li><a href="/">Home</a></li></ul></nav>
<table><tr><th>Name</th><th>Access</th></tr>
<tr><td>Datamaxx</td><td>Message switching for agencies</td></tr>
<tr><td>Acme Data</td><td>Limited access to motor vehicle registration information</td></tr></table></body></html>
HTML
printf 'name,description\nDatamaxx,Message switching\nNew Co,Analytics\n' >"$D/partners.csv"
url=https://example.org/strategic-partner-list
"$NLETSFS" import --db "$db" --kind partner-list --as-of 2021-01-15 --url $url "$D/partners.html" \
  || fail "import of a partner-list page"
"$NLETSFS" import --db "$db" --kind partner-list --as-of 2022-02 --url $url "$D/partners.csv" \
  || fail "import of a partner-list CSV"
ok "import of PDF, zip, HTML and two partner lists"

# Content-addressed: the same bytes again add nothing.
"$NLETSFS" export --db "$db" "$WORK/before"
"$NLETSFS" import --db "$db" --date 2020 "$D/release/memos/memo.txt" "$D/pia.pdf" || fail "re-import"
"$NLETSFS" export --db "$db" "$WORK/again"
diff -r "$WORK/before" "$WORK/again" || fail "importing the same bytes again changed the inventory"
ok "the same bytes twice are one source"

# Refusals: exit 1, the file (and member) named, the inventory as it was.
refused() { import_refused "$db" "$@"; } # MESSAGE ARGS...
B=$WORK/bad
mkdir -p "$B"
head -c 300 "$D/pia.pdf" >"$B/truncated.pdf"
refused "$B/truncated.pdf: error: truncated PDF" --date 2020 "$B/truncated.pdf"
{ printf '%%PDF-1.4\n'; head -c 2000 /dev/urandom | base64; printf '\n%%%%EOF\n'; } >"$B/corrupt.pdf"
refused "$B/corrupt.pdf: error: corrupt PDF" --date 2020 "$B/corrupt.pdf"
mkpdf "$B/encrypted.pdf" --encrypt "Nlets secrets"
refused "$B/encrypted.pdf: error: encrypted PDF" --date 2020 "$B/encrypted.pdf"
printf 'caf\xe9 Nlets\n' >"$B/latin1.txt"
refused "$B/latin1.txt:1:4: error: invalid UTF-8" --date 2020 "$B/latin1.txt"
printf 'Nlets\0SSN\n' >"$B/nul.txt"
refused "$B/nul.txt:1:6: error: NUL byte" --date 2020 --kind text "$B/nul.txt"
: >"$B/empty.txt"
refused "$B/empty.txt: error: empty file" --date 2020 "$B/empty.txt"
printf '\x01\x02<<<' >"$B/malformed.html"
refused "$B/malformed.html: error: malformed HTML" --date 2020 "$B/malformed.html"
python3 - "$B" <<'PY'
import io, sys, zipfile
d = sys.argv[1]
def z(name, members):
    with zipfile.ZipFile(d + '/' + name, 'w', zipfile.ZIP_DEFLATED) as f:
        for n, data in members:
            f.writestr(n, data)
ok = ('ok.txt', 'A good first member.\n')
z('climb.zip', [ok, ('../../etc/cron.d/x.txt', 'x\n')])
z('absolute.zip', [ok, ('/etc/x.txt', 'x\n')])
z('bomb.zip', [ok, ('zeros.txt', b'\0' * (64 << 20))])
inner = ok
for level in range(4):
    b = io.BytesIO()
    with zipfile.ZipFile(b, 'w') as f:
        f.writestr(*inner)
    inner = ('l%d.zip' % level, b.getvalue())
z('deep.zip', [ok, inner])
z('badmember.zip', [ok, ('docs/latin1.txt', b'caf\xe9\n')])
PY
refused "climb.zip: error: member '../../etc/cron.d/x.txt': its name climbs out" --date 2020 "$B/climb.zip"
refused "absolute.zip: error: member '/etc/x.txt': its name climbs out" --date 2020 "$B/absolute.zip"
refused "bomb.zip: error: member 'zeros.txt': expands more than 200 times" --date 2020 "$B/bomb.zip"
refused "deep.zip: error: member 'l3.zip/l2.zip/l1.zip': an archive nested more than 3 deep" --date 2020 "$B/deep.zip"
refused "badmember.zip:1:4: error: member 'docs/latin1.txt': invalid UTF-8" --date 2020 "$B/badmember.zip"
mkdir -p "$B/tree" && printf 'A good first member.\n' >"$B/tree/a.txt" && ln -s /etc/passwd "$B/tree/link.txt"
(cd "$B/tree" && zip -qy ../link.zip a.txt link.txt && tar cf ../link.tar a.txt link.txt \
  && ln a.txt hard.txt && tar cf ../hard.tar a.txt hard.txt && zip -q -P secret ../encrypted.zip a.txt)
refused "link.zip: error: member 'link.txt': a link" --date 2020 "$B/link.zip"
refused "link.tar: error: member 'link.txt': a link" --date 2020 "$B/link.tar"
refused "hard.tar: error: member 'hard.txt': a link" --date 2020 "$B/hard.tar"
refused "encrypted.zip: error: member 'a.txt': encrypted" --date 2020 "$B/encrypted.zip"
head -c 150 "$D/release.zip" >"$B/truncated.zip"
refused "truncated.zip: error: truncated zip archive" --date 2020 "$B/truncated.zip"
(cd "$D" && tar czf "$B/cut.tar.gz" release) && head -c 400 "$B/cut.tar.gz" >"$B/truncated.tar.gz"
refused "truncated.tar.gz: error:" --date 2020 "$B/truncated.tar.gz"
# Several paths, one bad: nothing of the call lands.
printf 'A new memo that must not land, Nlets.\n' >"$B/good.txt"
refused "latin1.txt:1:4: error: invalid UTF-8" --date 2020 "$B/good.txt" "$B/latin1.txt"
"$NLETSFS" export --db "$db" "$WORK/after"
diff -r "$WORK/before" "$WORK/after" || fail "a refused import changed the inventory"
[[ $(status "$NLETSFS" import --db "$db" --kind partner-list "$D/partners.csv") == 2 ]] || fail "no --as-of: exit 2"
[[ $(status "$NLETSFS" import --db "$db" --kind spreadsheet "$D/pia.pdf") == 2 ]] || fail "bad --kind: exit 2"
[[ $(status "$NLETSFS" import --db "$db" --as-of 2020 "$D/pia.pdf") == 2 ]] || fail "--as-of alone: exit 2"
ok "every refusal: exit 1, file and member named, inventory unchanged"

mount_db "$db"
cd "$MNT"
pia=$(grep -lx 'DHS/ICE/PIA-051' sources/*/identifier | cut -d/ -f2)
[[ -n $pia ]] || fail "no source with the PIA's identifier"
[[ $pia == privacy-impact-assessment-leis-service-* ]] || fail "PIA id $pia"
expect_file "sources/$pia/kind" $'pia\n'
expect_file "sources/$pia/date" $'2019-06-28\n'
expect_file "sources/$pia/component" $'ICE\n'
expect_file "sources/$pia/agency" $'ICE\n'
[[ $(sha256sum <"sources/$pia/original.pdf" | cut -d' ' -f1) == $(cat "sources/$pia/sha256") ]] || fail "sha256"
cmp -s "sources/$pia/original.pdf" "$D/pia.pdf" || fail "original.pdf is not the imported bytes"
[[ $(tr -cd '\f' <"sources/$pia/text" | wc -c) == 2 ]] || fail "three pages: two form feeds in text"
grep -q 'LEIS queries Nlets' "sources/$pia/text" || fail "page text"
ls "sources/$pia/excerpts" | grep -qx p2 || fail "no excerpt of page 2"
grep -qx 'names: Nlets; field ssn' "sources/$pia/excerpts/p2" || fail "$(cat "sources/$pia/excerpts/p2")"
ok "a PIA: identifier, date, agency, text, original, excerpts"

memo=$(grep -lx 'release.zip/release/memos/memo.txt' sources/*/member | cut -d/ -f2)
[[ -n $memo ]] || fail "the zip's memo has no member file"
expect_file "sources/$memo/kind" $'foia\n'
expect_file "sources/$memo/date" $'2021-05-01\n'
expect_file "sources/$memo/url" $'https://example.org/release\n'
expect_file "sources/$memo/excerpts/p1" $'names: Nlets; agency USCIS; field ssn\n\nMemo\nUSCIS checks the SSN through NLETS.\n'
[[ ! -e sources/$memo/excerpts/p2 ]] || fail "page 2 names nothing"
grep -rlx 'release.zip/release/memos/email.pdf' sources/*/member >/dev/null || fail "the zip's PDF"
grep -qx "$memo" fields/ssn/mentioned_in || fail "fields/ssn/mentioned_in: $(cat fields/ssn/mentioned_in)"
grep -qx "$pia" agencies/ICE/mentioned_in || fail "agencies/ICE/mentioned_in"
grep -qx "$memo" agencies/USCIS/mentioned_in || fail "agencies/USCIS/mentioned_in"
grep -rl 'agency ICE' sources/*/excerpts >/dev/null || fail "grep -r over excerpts"
web=$(grep -lx 'How ICE reads DMV data' sources/*/title | cut -d/ -f2)
expect_file "sources/$web/kind" $'web\n'
expect_file "sources/$web/date" $'2019-03-13\n'
grep -q 'International Justice and Public Safety Network' "sources/$web/text" || fail "HTML text"
! grep -q 'document.write' "sources/$web/text" || fail "scripts are not text"
ok "an archive's members, an HTML page, mentioned_in"

ls search/ssn | grep -qx "$memo" || fail "search/ssn: $(ls search/ssn)"
[[ $(readlink "search/ssn/$memo") == ../../sources/$memo ]] || fail "search hits are links to sources"
cmp -s "search/ssn/$memo/text" "sources/$memo/text" || fail "a search hit leads to its source"
ls 'search/"public safety network"' | grep -qx "$web" || fail "phrase search"
ls 'search/leis AND ssn' | grep -qx "$pia" || fail "AND search"
[[ -z $(ls search/nosuchwordanywhere) ]] || fail "a query without hits is an empty folder"
for q in 'AND (' '"unterminated' 'NEAR(a b'; do
  ls "search/$q" >/dev/null 2>&1 && fail "malformed query '$q' is a folder"
  [[ $(ls "search/$q" 2>&1) == *'No such file'* ]] || fail "malformed query '$q': not ENOENT"
done
find search/ssn -maxdepth 1 | grep -q . || fail "find in search/"
ok "search/ through the mount: ranked links, phrases, malformed queries are ENOENT"

expect_file partners/Acme-Data/listed $'2021-01-15..2022-02\n'
expect_file partners/New-Co/listed $'2022-02..\n'
expect_file partners/Datamaxx/listed $'2020-10..\n'
expect_file partners/Datamaxx/access $'Message switching\n'
expect_file partners/Acme-Data/access $'Limited access to motor vehicle registration information\n'
[[ ! -e partners/Home ]] || fail "a navigation link is not a partner"
ok "two dated partner lists: listed ranges end when a list drops a partner"

ls imports | sort -n | tail -1 >"$WORK/last"
[[ $(ls imports | wc -l) -ge 25 ]] || fail "imports/: $(ls imports | wc -l) runs"
grep -l '^status: failed' imports/* >/dev/null || fail "failed runs are recorded"
grep -q "^error: $B/encrypted.pdf: error: encrypted PDF" imports/* || fail "a failed run's error"
grep -q '^member: release.zip/release/memos/memo.txt$' imports/* || fail "a run's members"
grep -lq '^kind: partner-list$' imports/* || fail "a run's kind"
grep -q '^partners: 1 new, 1 updated, from 1 list$' imports/* || fail "a run's partner counts"
ok "imports/: every run, failed ones too"
cd /
unmount
