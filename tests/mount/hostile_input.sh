#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# No silent input (issue 16): hostile bundles, documents, names and signed
# bundles, all generated here. Every refusal exits 1 (2 for a usage error),
# every line it prints reads FILE[:LINE:COLUMN]: error: MESSAGE (or is the
# "nletsfs CMD:" summary), no name forges a line or reaches the terminal
# raw, the inventory exports exactly as before, and a failed command leaves
# no file behind. The last line counts the bad inputs tried.
. "$(dirname "$0")/lib.sh"

F=$SRC/tests/fixtures/small
db=$WORK/inv.db
tried=0
import_into "$db" "$F"
"$NLETSFS" export --db "$db" "$WORK/base" >/dev/null || fail "export of the base inventory"
cd "$WORK"

# unchanged: the inventory's facts are what they were (export leaves out the run log).
unchanged() {
  rm -rf "$WORK/now"
  "$NLETSFS" export --db "$db" "$WORK/now" >/dev/null || fail "export after $1"
  diff -r "$WORK/base" "$WORK/now" >/dev/null || fail "$1 changed the inventory: $(diff -r "$WORK/base" "$WORK/now" | head -5)"
}

# refused STATUS LINE COMMAND...: exits STATUS within 20 s, prints LINE exactly, every
# line of stderr is an error in the one format or the command's summary, no raw
# control byte reaches the terminal, and the inventory is unchanged.
refused() {
  local want=$1 line=$2 status=0
  shift 2
  timeout 20 "$@" >"$WORK/stdout" 2>"$WORK/err" </dev/null || status=$?
  [[ $status == "$want" ]] || fail "$*: status $status, not $want: $(cat "$WORK/err")"
  grep -qxF -- "$line" "$WORK/err" || fail "$*: no line [$line] in: $(cat -A "$WORK/err")"
  grep -vqE '^([^:]+(:[0-9]+:[0-9]+)?: error: .|nletsfs [a-z]+: |Try .nletsfs [a-z]+ --help.)' "$WORK/err" &&
    fail "$*: a line in another format: $(grep -vE '^([^:]+(:[0-9]+:[0-9]+)?: error: .|nletsfs [a-z]+: |Try )' "$WORK/err")"
  ! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$WORK/err" || fail "$*: a raw control character on stderr: $(cat -A "$WORK/err")"
  unchanged "$*"
  tried=$((tried + 1))
}

# bundle NAME: a copy of the fixture bundle to spoil.
bundle() { rm -rf "$WORK/$1" && cp -r "$F" "$WORK/$1"; }

# ---- 1. a bundle member that is not a regular file ----
point1() {
bundle dir && rm dir/flows.csv && mkdir dir/flows.csv
refused 1 "dir/flows.csv: error: a folder, not a file: a records bundle's CSV files are regular files" \
  "$NLETSFS" import --db "$db" dir
bundle fifo && rm fifo/systems.csv && mkfifo fifo/systems.csv
refused 1 "fifo/systems.csv: error: a FIFO: a bundle holds regular files only (links and special files are refused)" \
  "$NLETSFS" import --db "$db" fifo
echo 'id,name' >outside.csv
bundle out && rm out/fields.csv && ln -s "$WORK/outside.csv" out/fields.csv
refused 1 "out/fields.csv: error: a symbolic link: a bundle holds regular files only (links and special files are refused)" \
  "$NLETSFS" import --db "$db" out
bundle etc && rm etc/systems.csv && ln -s /etc/passwd etc/systems.csv
refused 1 "etc/systems.csv: error: a symbolic link: a bundle holds regular files only (links and special files are refused)" \
  "$NLETSFS" import --db "$db" etc
bundle sub && ln -s /etc/passwd sub/files/pia2.txt
refused 1 "sub/files/pia2.txt: error: a symbolic link: a bundle holds regular files only (links and special files are refused)" \
  "$NLETSFS" import --db "$db" sub
bundle sock && rm sock/laws.csv && python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' sock/laws.csv
refused 1 "sock/laws.csv: error: a socket: a bundle holds regular files only (links and special files are refused)" \
  "$NLETSFS" import --db "$db" sock
mkfifo pipe
refused 1 "pipe: error: a FIFO: a bundle is a folder or an archive file" "$NLETSFS" import --db "$db" --kind records pipe
# Into an empty folder: the one error, not twenty misleading ones, and no inventory left behind.
mkdir empty
refused 1 "etc/systems.csv: error: a symbolic link: a bundle holds regular files only (links and special files are refused)" \
  "$NLETSFS" import --db empty/new.db etc
[[ $(grep -c ': error: ' err) == 1 ]] || fail "more than one error for one link: $(cat err)"
# A bundle of a call that holds no records file is not passed over.
mkdir nothing && echo 'notes' >nothing/readme.txt
refused 1 "nothing: error: no records files (sources.csv, flows.csv, ...) in this bundle" \
  "$NLETSFS" import --db "$db" --kind records "$F" nothing
# Every refusal is told, not the first alone, across the bundles of a call.
refused 1 "sock/laws.csv: error: a socket: a bundle holds regular files only (links and special files are refused)" \
  "$NLETSFS" import --db "$db" fifo sock dir
[[ $(grep -c ': error: ' err) == 3 ]] || fail "three bad bundles, not three errors: $(cat err)"
# What a bundle holds beyond its records and sources' files is not imported, and said so.
bundle extra && echo 'x' >extra/files/unused.txt && echo 'x' >extra/notes.md && echo 'x' >extra/README
"$NLETSFS" import --db "$WORK/extra.db" extra 2>err || fail "a bundle with extra files: $(cat err)"
grep -qxF "nletsfs import: warning: extra/files/unused.txt: neither a records file nor a source's file: not imported" err ||
  fail "no warning for an unused file: $(cat err)"
grep -qxF "nletsfs import: warning: extra/notes.md: neither a records file nor a source's file: not imported" err ||
  fail "no warning for an unused file: $(cat err)"
! grep -q README err || fail "a warning for the bundle's README: $(cat err)"
ok "bundle folders: a folder, FIFO, socket or link where a file belongs is an error naming it"

}

# ---- 2 (and 5). archives: a name twice, links ----
point2() {
python3 - "$F" <<'PY'
import io, os, sys, tarfile, zipfile
src = sys.argv[1]
def tar(name, extra, prefix=""):
    with tarfile.open(name, "w") as t:
        for n in sorted(os.listdir(src)):
            if n.endswith(".csv"):
                t.add(os.path.join(src, n), prefix + n)
        t.add(os.path.join(src, "files"), prefix + "files")
        for info, data in extra:
            t.addfile(info, io.BytesIO(data) if data is not None else None)
def reg(n, data):
    i = tarfile.TarInfo(n); i.size = len(data); return (i, data)
def link(n, kind, target):
    i = tarfile.TarInfo(n); i.type = kind; i.linkname = target; return (i, None)
tar("dup.tar", [reg("fields.csv", b"id,name\nbogus,Bogus\n")])
tar("dotdup.tar", [reg("./fields.csv", b"id,name\nbogus,Bogus\n")])
tar("topdup.tar", [reg("data/fields.csv", b"id,name\nbogus,Bogus\n")], "data/")
tar("symlink.tar", [link("partners.csv.bak", tarfile.SYMTYPE, "/etc/passwd")])
tar("hardlink.tar", [link("extra.csv.bak", tarfile.LNKTYPE, "fields.csv")])
with zipfile.ZipFile("dup.zip", "w") as z:
    for n in sorted(os.listdir(src)):
        if n.endswith(".csv"):
            z.write(os.path.join(src, n), n)
    z.write(os.path.join(src, "files", "pia.txt"), "files/pia.txt")
    import warnings; warnings.simplefilter("ignore")
    z.writestr("flows.csv", b"id\n")
PY
refused 1 "dup.tar/fields.csv: error: the archive holds this name twice" "$NLETSFS" import --db "$db" dup.tar
refused 1 "dotdup.tar/fields.csv: error: the archive holds this name twice" "$NLETSFS" import --db "$db" dotdup.tar
refused 1 "topdup.tar/data/fields.csv: error: the archive holds this name twice" "$NLETSFS" import --db "$db" topdup.tar
refused 1 "dup.zip/flows.csv: error: the archive holds this name twice" "$NLETSFS" import --db "$db" dup.zip
refused 1 "symlink.tar/partners.csv.bak: error: a symbolic link: links and special files are refused" \
  "$NLETSFS" import --db "$db" symlink.tar
refused 1 "hardlink.tar/extra.csv.bak: error: a hard link: links and special files are refused" \
  "$NLETSFS" import --db "$db" hardlink.tar
ok "archives: a name given twice, a link: errors naming the member, in the one format"

}

# ---- 3. rules between the columns of a row ----
point3() {
bundle r1 && sed -i '3s/2019-12-14,,/2021-01-01,2019-01-01,/' r1/flows.csv
refused 1 "r1/flows.csv:3:60: error: until: 2019-01-01 is before since 2021-01-01" "$NLETSFS" import --db "$db" r1
bundle r2 && sed -i '3s/2019-12-14,,/2019-06,2019,/' r2/flows.csv
refused 1 "r2/flows.csv:3:57: error: until: 2019 is before since 2019-06" "$NLETSFS" import --db "$db" r2
bundle r3
python3 - r3/agencies.csv <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
h = rows[0]
row = [""] * len(h)
row[h.index("id")] = row[h.index("parent")] = "loop"
row[h.index("name")] = "Loop agency"
row[h.index("source")] = rows[1][h.index("source")].split(";")[0]
csv.writer(open(sys.argv[1], "a"), lineterminator="\n").writerow(row)
PY
line=$(wc -l <r3/agencies.csv)
col=$(head -1 r3/agencies.csv | tr ',' '\n' | grep -nx parent | cut -d: -f1)
col=$(tail -1 r3/agencies.csv | cut -d, -f1-$((col - 1)) | wc -c)
refused 1 "r3/agencies.csv:$line:$((col + 1)): error: parent: agency 'loop' cannot be its own parent" \
  "$NLETSFS" import --db "$db" r3
bundle r4
python3 - r4/transactions.csv <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
h = rows[0]
rows[1][h.index("scope")] = "single-state"
rows[1][h.index("max_states")] = "5"
csv.writer(open(sys.argv[1], "w"), lineterminator="\n").writerows(rows)
PY
col=$(head -1 r4/transactions.csv | tr ',' '\n' | grep -nx max_states | cut -d: -f1)
col=$(sed -n 2p r4/transactions.csv | python3 -c "import csv,sys; r=next(csv.reader(sys.stdin)); print(sum(len(c)+(2 if (',' in c or '\"' in c) else 0)+1 for c in r[:$col-1])+1)")
refused 1 "r4/transactions.csv:2:$col: error: max_states: 5 states for a single-state transaction (give 1, or another scope)" \
  "$NLETSFS" import --db "$db" r4
printf '<html><body><ul><li>Acme</li></ul></body></html>\n' >list.html
refused 2 "nletsfs import: --date and --as-of: a partner list is dated by --as-of, the day it was seen" \
  "$NLETSFS" import --db "$db" --kind partner-list --as-of 2020-01-01 --date 2021-01-01 list.html
# A partner list in CSV: a row without a name, a name twice, a name of two lines are errors, not skipped.
printf 'name,description\nAcme,hosts\n,nameless\n' >nameless.csv
printf 'name,description\nAcme,hosts\nAcme,again\n' >twice.csv
printf 'name,description\n"Acme\nstatus: ok",hosts\n' >twoline.csv
refused 1 "nameless.csv:3:1: error: name: a value is required" \
  "$NLETSFS" import --db "$db" --kind partner-list --as-of 2020-01-01 nameless.csv
refused 1 "twice.csv:3:1: error: name: 'Acme' is listed twice" \
  "$NLETSFS" import --db "$db" --kind partner-list --as-of 2020-01-01 twice.csv
refused 1 "twoline.csv:2:1: error: name: 'Acme\nstatus: ok' has a control character" \
  "$NLETSFS" import --db "$db" --kind partner-list --as-of 2020-01-01 twoline.csv
# The edges hold: until on since's day, or in its year given as a year, is accepted.
bundle r5 && sed -i '3s/2019-12-14,,/2019-12-14,2019-12-14,/' r5/flows.csv
"$NLETSFS" import --db "$WORK/edge.db" r5 2>err || fail "until = since refused: $(cat err)"
ok "until before since, an agency its own parent, a single-state transaction over 5 states, a partner list's nameless or repeated names: FILE:LINE:COLUMN errors"

}

# ---- 4. names cannot forge lines, in the tree or on the terminal ----
point4() {
python3 - <<'PY'
import io, tarfile
with tarfile.open("forge.tar", "w") as t:
    data = b"Nlets memo\n"
    i = tarfile.TarInfo("memo.txt\nstatus: failed\nerror: forged line\x1b[31m"); i.size = len(data)
    t.addfile(i, io.BytesIO(data))
PY
"$NLETSFS" import --db "$WORK/forge.db" --date 2020-01-01 forge.tar 2>err || fail "the forged-name memo: $(cat err)"
refused 2 "nletsfs import: --id 'x\\x1b]0;pwned\\x07\\x1b[31m': an id has no control characters, ';' or '/', at most 200 bytes" \
  "$NLETSFS" import --db "$db" --date 2020 --id $'x\e]0;pwned\a\e[31m' forge.tar
bundle e1 && sed -i $'3s/^ny-dmv-blocks-ice,NY/ny-dmv\\\\blocks\e[2J,XX/' e1/flows.csv
refused 1 "e1/flows.csv:3:1: error: id: id 'ny-dmv\\\\blocks\\x1b[2J' has a control character" "$NLETSFS" import --db "$db" e1
refused 1 "$WORK/no"$'\\n'"such: error: No such file or directory" "$NLETSFS" import --db "$db" "$WORK/no"$'\n'"such"
refused 1 "$WORK/no"$'\\n'"such.tar: error: No such file or directory" \
  "$NLETSFS" import --db "$db" --kind records "$WORK/no"$'\n'"such.tar"
mount_db "$WORK/forge.db"
run=$(ls "$MNT/imports" | sort -n | tail -1)
[[ $(grep -c '^status: ' "$MNT/imports/$run") == 1 ]] || fail "imports/$run: a forged status line: $(cat "$MNT/imports/$run")"
expect_line "imports/$run" 'member: forge.tar/memo.txt\nstatus: failed\nerror: forged line\x1b[31m'
! grep -q '^error: forged line' "$MNT/imports/$run" || fail "imports/$run: a forged error line"
member=$(ls -d "$MNT"/sources/*/member)
[[ $(wc -l <"$member") == 1 ]] || fail "sources/ID/member is not one line: $(cat -A "$member")"
grep -qxF 'forge.tar/memo.txt\nstatus: failed\nerror: forged line\x1b[31m' "$member" || fail "member: $(cat -A "$member")"
! LC_ALL=C grep -rq $'\x1b' "$MNT/imports" "$MNT/sources" || fail "a raw ESC in imports/ or sources/"
unmount
ok "a member named with newlines and ESC is one escaped line in imports/N and sources/ID/member; ids and paths in messages escaped"

}

# ---- 6. a failed command leaves the file system as it found it ----
point6() {
head -c 50000 "$db" >trunc.db
mkdir -p "$MNT"
refused 1 "trunc.db: error: not an nletsfs inventory: database disk image is malformed" \
  "$NLETSFS" mount --db trunc.db "$MNT"
[[ ! -e trunc.db-wal && ! -e trunc.db-shm ]] || fail "a refused mount left $(ls trunc.db-*)"
mkdir fresh
(cd fresh && refused 1 "missing.csv: error: No such file or directory" "$NLETSFS" import missing.csv)
[[ -z $(ls -A fresh) ]] || fail "a failed import into a folder without an inventory left $(ls -A fresh)"
refused 1 "dup.tar/fields.csv: error: the archive holds this name twice" "$NLETSFS" import --db fresh/inv.db dup.tar
[[ -z $(ls -A fresh) ]] || fail "a refused bundle left $(ls -A fresh)"
ok "a refused mount leaves no -wal or -shm; a failed import creates no inventory"

}

# ---- 7. a signed bundle is one byte string ----
point7() {
"$NLETSFS" keygen -o k >/dev/null && "$NLETSFS" pack --db "$db" --key k.pem -o x.nlb || fail "pack"
"$NLETSFS" verify x.nlb --trust k.pub.pem >/dev/null || fail "verify of the packed bundle"
{ cat x.nlb; printf 'junk'; } >junk.nlb
{ cat x.nlb; head -c 10240 /dev/zero; } >zeros.nlb
{ cat x.nlb; head -c 512 /dev/zero; } >block.nlb
for cut in 1 512 1024; do head -c -$cut x.nlb >cut$cut.nlb; done
refused 1 "junk.nlb: error: 4 bytes after the archive's end: refused, so that a bundle's SHA-256 identifies it" \
  "$NLETSFS" verify junk.nlb --trust k.pub.pem
refused 1 "zeros.nlb: error: 10240 bytes after the archive's end: refused, so that a bundle's SHA-256 identifies it" \
  "$NLETSFS" verify zeros.nlb --trust k.pub.pem
refused 1 "block.nlb: error: 512 bytes after the archive's end: refused, so that a bundle's SHA-256 identifies it" \
  "$NLETSFS" verify block.nlb --trust k.pub.pem
for cut in 1 512 1024; do
  refused 1 "cut$cut.nlb: error: truncated archive: it ends before tar's end marker (two zero blocks) is complete" \
    "$NLETSFS" verify cut$cut.nlb --trust k.pub.pem
done
refused 1 "junk.nlb: error: 4 bytes after the archive's end: refused, so that a bundle's SHA-256 identifies it" \
  "$NLETSFS" mount --db junk.nlb --trust k.pub.pem "$MNT"
! mountpoint -q "$MNT" || fail "a bundle with junk after its end was mounted"
ok "a signed bundle with bytes after its end, or its end marker cut, is refused"

}

# ---- 8. big and deep documents ----
point8() {
python3 - <<'PY'
line = "Nlets driver license record query agency state field. " * 20 + "\n"
with open("big.html", "w") as f:
    f.write('<html><head><meta name="date" content="2020-01-01"></head><body>\n')
    f.write(("<p>" + line) * (40 * 2**20 // len(line)))
with open("big.txt", "w") as f:
    f.write(line.strip() * (20 * 2**20 // len(line)) + "\n")    # one line of 20 MiB
with open("deep.html", "w") as f:
    f.write("<html><body>" + "<div>" * 200000 + "Nlets text" + "</div>" * 200000 + "</body></html>")
PY
# Peak memory of the refusals (max RSS of the child): the file is not read on past the limit.
rss() {
  python3 -c 'import resource, subprocess, sys
subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)' "$@"
}
refused 1 "big.html: error: over 16 MiB: an HTML or text document is at most 16 MiB (split it)" \
  "$NLETSFS" import --db "$db" --date 2020-01-01 big.html
refused 1 "big.txt: error: over 16 MiB: an HTML or text document is at most 16 MiB (split it)" \
  "$NLETSFS" import --db "$db" --date 2020-01-01 big.txt
refused 1 "deep.html: error: the HTML parser gave up at line 1: Excessive depth in document: 256 use XML_PARSE_HUGE option" \
  "$NLETSFS" import --db "$db" --date 2020-01-01 deep.html
tar -cf docs.tar big.txt
refused 1 "docs.tar: error: member 'big.txt': over 16 MiB: an HTML or text document is at most 16 MiB (split it)" \
  "$NLETSFS" import --db "$db" --date 2020-01-01 docs.tar
# A sanitizer build holds freed memory in quarantine: its RSS says nothing of ours.
if ! grep -q __asan_init "$NLETSFS"; then
  mb=$(rss "$NLETSFS" import --db "$db" --date 2020-01-01 big.html)
  ((mb < 100)) || fail "refusing a 40 MiB HTML page took $mb MiB"
fi
ok "HTML or text over 16 MiB refused before it is read whole; 200,000 nested divs: the parser's giving up is an error"

}

# ---- 9. one archive reader (issue 15): the same hostile archive refused through both doors ----
# Each archive holds a records bundle's CSV files and one hostile member, so that it is
# read as a records bundle by default and as documents with --kind report: a bomb (64 MiB
# of zeros in a 64 KiB zip), a member whose header claims 300 MiB (refused before a byte
# is read or allocated), a tar member whose header claims 100 MiB where 10 bytes follow,
# and a zip member whose headers say 10 bytes where its data holds 1000.
point9() {
python3 - "$F" <<'PY'
import io, os, struct, sys, tarfile, zipfile
src = sys.argv[1]
csvs = sorted(n for n in os.listdir(src) if n.endswith(".csv"))
def tar_claiming(name, claim):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for n in csvs:
            t.add(os.path.join(src, n), n)
        i = tarfile.TarInfo("big.bin"); i.size = 10
        t.addfile(i, io.BytesIO(b"0123456789"))
    raw = bytearray(b.getvalue())
    off = 0
    while raw[off:off + 100].rstrip(b"\0") != b"big.bin":
        off += 512 + (int(raw[off + 124:off + 136].rstrip(b"\0 ") or b"0", 8) + 511) // 512 * 512
    raw[off + 124:off + 136] = b"%011o\0" % claim        # the size field, then the checksum anew
    raw[off + 148:off + 156] = b" " * 8
    raw[off + 148:off + 156] = b"%06o\0 " % sum(raw[off:off + 512])
    open(name, "wb").write(raw)
def zip_of(name, member, data):
    with zipfile.ZipFile(name, "w", zipfile.ZIP_DEFLATED) as z:
        for n in csvs:
            z.write(os.path.join(src, n), n)
        z.writestr(member, data)
tar_claiming("oversize.tar", 300 << 20)
tar_claiming("lie.tar", 100 << 20)
zip_of("bomb.zip", "zeros.bin", b"\0" * (64 << 20))
zip_of("short.zip", "big.bin", b"x" * 1000)
raw = bytearray(open("short.zip", "rb").read())
for sig, name_at, size_at in ((b"PK\3\4", 26, 22), (b"PK\1\2", 28, 24)):   # local and central headers
    i = raw.find(sig)
    while i >= 0:
        n = struct.unpack_from("<H", raw, i + name_at)[0]
        if raw[i + (30 if sig == b"PK\3\4" else 46):][:n] == b"big.bin":
            struct.pack_into("<I", raw, i + size_at, 10)
        i = raw.find(sig, i + 4)
open("short.zip", "wb").write(raw)
PY
local f why
while IFS='|' read -r f why; do
  refused 1 "$f: error: $why" "$NLETSFS" import --db "$db" "${f%%/*}"
  refused 1 "$f: error: $why" "$NLETSFS" import --db "$db" --kind records "${f%%/*}"
  refused 1 "${f%%/*}: error: member '${f#*/}': $why" "$NLETSFS" import --db "$db" --kind report --date 2020-01-01 "${f%%/*}"
done <<'EOF'
bomb.zip/zeros.bin|expands more than 200 times its compressed size (an archive bomb?): refused
oversize.tar/big.bin|314572800 bytes uncompressed, over 256 MiB: refused
lie.tar/big.bin|cannot be read: Truncated tar archive (truncated, corrupt or encrypted archive)
short.zip/big.bin|cannot be read: ZIP uncompressed data is wrong size (read 1000, expected 10) (truncated, corrupt or encrypted archive)
EOF
ok "one archive reader: a bomb, a member over 256 MiB, headers that lie: refused alike as records and as documents"
}

# POINTS="1 7": run some points only (to see each fail on a build without its fix).
for p in ${POINTS:-1 2 3 4 6 7 8 9}; do
  "point$p"
done
echo "ok - $tried bad inputs refused, each with its message, the inventory unchanged"
