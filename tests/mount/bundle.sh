#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Signed bundles end to end: keygen, pack, verify (also checked with tar,
# sha256sum and openssl, independently of nletsfs), mount and materialize of
# a bundle; a tampered bundle, another key or a missing --trust mount nothing.
. "$(dirname "$0")/lib.sh"

import_into "$WORK/inv.db" "$SRC/tests/fixtures/small"
cd "$WORK"

# ---- keys ----
"$NLETSFS" keygen -o coalition >keygen.out || fail "keygen"
[[ $(stat -c %a coalition.pem) == 600 ]] || fail "the private key is not mode 0600"
[[ $(stat -c %a coalition.pub.pem) == 644 ]] || fail "the public key is not mode 0644"
fp=$(openssl pkey -pubin -in coalition.pub.pem -outform DER | sha256sum | cut -d' ' -f1)
grep -qx "fingerprint: sha256:$fp" keygen.out || fail "the fingerprint is not the SHA-256 of the public key: $(cat keygen.out)"
before=$(sha256sum coalition.pem)
status=0
"$NLETSFS" keygen -o coalition 2>err || status=$?
[[ $status == 1 ]] || fail "keygen over an existing key: status $status"
grep -q 'coalition.pem: File exists' err || fail "keygen over an existing key: $(cat err)"
[[ $(sha256sum coalition.pem) == "$before" ]] || fail "keygen replaced a key"
ok "keygen: Ed25519 PEM pair, 0600, fingerprint, never replaces a key"

# ---- pack, checked without nletsfs ----
"$NLETSFS" pack --db inv.db --name "Test coalition" --key coalition.pem -o x.nlb || fail "pack"
[[ $(tar -tf x.nlb | tr '\n' ' ') == "MANIFEST MANIFEST.sig inventory.db " ]] || fail "members: $(tar -tf x.nlb)"
mkdir ex && tar -C ex -xf x.nlb
openssl pkeyutl -verify -pubin -inkey coalition.pub.pem -rawin -in ex/MANIFEST -sigfile ex/MANIFEST.sig >/dev/null ||
  fail "openssl does not verify the MANIFEST's signature"
grep -qx "member: inventory.db $(stat -c %s ex/inventory.db) $(sha256sum <ex/inventory.db | cut -d' ' -f1)" ex/MANIFEST ||
  fail "the MANIFEST does not give the database's size and SHA-256: $(cat ex/MANIFEST)"
grep -qx 'name: Test coalition' ex/MANIFEST || fail "no name in the MANIFEST"
grep -qx "signer: sha256:$fp" ex/MANIFEST || fail "no signer in the MANIFEST"
grep -qE '^date: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' ex/MANIFEST || fail "no date in the MANIFEST"
"$NLETSFS" check --db ex/inventory.db >/dev/null || fail "the packed database fails nletsfs check"
"$NLETSFS" verify x.nlb --trust coalition.pub.pem >out || fail "verify of a good bundle: $(cat out)"
grep -q '^x.nlb: ok: ' out || fail "verify says: $(cat out)"
ok "pack: tar of MANIFEST, signature and database; openssl and sha256sum agree"

# A key made by OpenSSL's own tools works the same.
openssl genpkey -algorithm ed25519 -out ossl.pem 2>/dev/null && openssl pkey -in ossl.pem -pubout -out ossl.pub.pem
"$NLETSFS" pack --db inv.db --key ossl.pem -o ossl.nlb || fail "pack with an openssl key"
"$NLETSFS" verify ossl.nlb --trust ossl.pub.pem >/dev/null || fail "verify with an openssl key"
ok "keys from openssl genpkey"

# ---- refusals ----
# refuse EXPECTED-STATUS MESSAGE-PART COMMAND...: fails so, says so, and mounts nothing.
refuse() {
  local want=$1 msg=$2 status=0
  shift 2
  "$@" >out 2>err || status=$?
  [[ $status == "$want" ]] || fail "$*: status $status, not $want ($(cat err))"
  grep -qF -- "$msg" err || fail "$*: no '$msg' in: $(cat err)"
  ! mountpoint -q "$MNT" || fail "$*: mounted"
}
# flip BUNDLE MEMBER OUT: OUT is BUNDLE with one byte of MEMBER's data changed.
flip() {
  python3 - "$@" <<'PY'
import sys, tarfile
src, member, out = sys.argv[1:]
data = bytearray(open(src, 'rb').read())
with tarfile.open(src) as t:
    off = t.getmember(member).offset_data
data[off + 20] ^= 1
open(out, 'wb').write(data)
PY
}
mkdir -p "$MNT"
flip x.nlb inventory.db bad-db.nlb
flip x.nlb MANIFEST bad-manifest.nlb
flip x.nlb MANIFEST.sig bad-sig.nlb
refuse 1 "member 'inventory.db' does not match the MANIFEST" "$NLETSFS" verify bad-db.nlb --trust coalition.pub.pem
refuse 1 "bad signature" "$NLETSFS" verify bad-manifest.nlb --trust coalition.pub.pem
refuse 1 "bad signature" "$NLETSFS" verify bad-sig.nlb --trust coalition.pub.pem
refuse 1 "not by the trusted key" "$NLETSFS" verify x.nlb --trust ossl.pub.pem
head -c 100000 x.nlb >short.nlb
refuse 1 "truncated" "$NLETSFS" verify short.nlb --trust coalition.pub.pem
refuse 2 "--trust" "$NLETSFS" verify x.nlb
refuse 1 "does not match the MANIFEST" "$NLETSFS" mount bad-db.nlb "$MNT" --trust coalition.pub.pem
refuse 1 "bad signature" "$NLETSFS" mount bad-manifest.nlb "$MNT" --trust coalition.pub.pem
refuse 1 "bad signature" "$NLETSFS" mount bad-sig.nlb "$MNT" --trust coalition.pub.pem
refuse 1 "does not match the MANIFEST" "$NLETSFS" mount --db bad-db.nlb "$MNT" --trust coalition.pub.pem
refuse 1 "bad signature" "$NLETSFS" mount x.nlb "$MNT" --trust ossl.pub.pem
refuse 2 "is a signed bundle: give --trust" "$NLETSFS" mount x.nlb "$MNT"
refuse 1 "not a signed bundle" "$NLETSFS" mount inv.db "$MNT" --trust coalition.pub.pem
refuse 1 "does not match the MANIFEST" "$NLETSFS" materialize bad-db.nlb --trust coalition.pub.pem never
[[ ! -e never ]] || fail "materialize of a bad bundle wrote something"
ok "a changed byte, another key, a truncated bundle, no --trust: refused, nothing mounted"

# ---- mounting a bundle ----
"$NLETSFS" materialize --db inv.db plain || fail "materialize of the database"
mkdir tmp
TMPDIR=$WORK/tmp mount_db x.nlb --trust coalition.pub.pem
same_tree plain
grep -q "^x.nlb $MNT fuse.nletsfs ro," /proc/mounts || fail "mount table: $(grep "$MNT" /proc/mounts)"
[[ -z $(ls tmp) ]] || fail "the extracted copy is still in TMPDIR: $(ls tmp)"
ls -l "/proc/$DAEMON_PID/fd" | grep -q 'nletsfs-bundle.* (deleted)' || fail "the daemon does not hold the private copy"
out=$(touch "$MNT/README" 2>&1) && fail "a write to a mounted bundle succeeded"
[[ $out == *"Read-only file system"* ]] || fail "write: $out"
unmount
ok "mount BUNDLE --trust: same tree, read-only, private copy unlinked"

# Known by its content, whatever its name, also as --db; the same through -o trust=.
cp x.nlb renamed.db
mount_db renamed.db -o trust="$WORK/coalition.pub.pem"
expect_file states/NY/dmv/blocked $'ICE\n'
unmount
ok "a bundle named .db, with -o trust="

# --no-verify mounts a bundle whose signature is bad, and warns.
mount_db bad-sig.nlb --no-verify
grep -q 'warning: --no-verify' "$WORK/daemon.log" || fail "no warning: $(cat "$WORK/daemon.log")"
expect_file states/NY/name $'New York\n'
unmount
ok "--no-verify warns"

"$NLETSFS" materialize x.nlb --trust coalition.pub.pem frombundle || fail "materialize of a bundle"
diff -r plain frombundle || fail "materialize of the bundle differs"
ok "materialize BUNDLE --trust"

# A bundle packed by an older nletsfs (schema 7, the change log a row a day)
# still mounts: its private copy is brought to this schema when extracted,
# the stored log cut into parts, as it was (a marker here, so that a log
# computed again or dropped shows), the rest the same tree.
command -v sqlite3 >/dev/null || skip "sqlite3 is not installed (scripts/setup installs it)"
mkdir v7 && tar -C v7 -xf x.nlb
sqlite3 v7/inventory.db "CREATE TABLE change_days(day TEXT PRIMARY KEY NOT NULL, body BLOB NOT NULL) WITHOUT ROWID;
  INSERT INTO change_days VALUES('2000-01-01', CAST('stored change log' || char(10) AS BLOB));
  UPDATE derived SET value = 18 WHERE key = 'changes_size';
  DROP TABLE change_log; PRAGMA user_version = 7;" || fail "cannot take the database back to schema 7"
sed -i "s/^member: inventory.db .*/member: inventory.db $(stat -c %s v7/inventory.db) $(sha256sum <v7/inventory.db | cut -d' ' -f1)/" v7/MANIFEST
openssl pkeyutl -sign -inkey coalition.pem -rawin -in v7/MANIFEST -out v7/MANIFEST.sig || fail "cannot sign"
# Blocks of 512 bytes: a bundle ends with tar's end marker, no padding after it.
tar -C v7 -b1 -cf v7.nlb MANIFEST MANIFEST.sig inventory.db
"$NLETSFS" verify v7.nlb --trust coalition.pub.pem >/dev/null 2>err || fail "the schema-7 bundle does not verify: $(cat err)"
mount_db v7.nlb --trust coalition.pub.pem
expect_file changes $'stored change log\n'
unmount
"$NLETSFS" materialize v7.nlb --trust coalition.pub.pem from7 || fail "materialize of the schema-7 bundle"
diff -r -x changes plain from7 || fail "materialize of the schema-7 bundle differs"
ok "a bundle of schema 7 mounts and materializes: its stored change log carried over, the rest the same tree"
