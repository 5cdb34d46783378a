#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A subscription end to end, against a real HTTPS server on 127.0.0.1 (a
# static file server with ETags, tests/mount/bundle_server.py, with a
# certificate made here): plain http and an unknown CA refused; the first
# mount; 304s download nothing; a new bundle seen within a refresh; a
# tampered one, a rollback and an oversize one refused with the old served
# still; the server stopped and the mount serving; a mount from the cache
# with the server down; SIGHUP checks now; pull; a response with no length
# cut off at the bound.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || skip "no python3"
command -v openssl >/dev/null || skip "no openssl"
cd "$WORK"
SERVER_PID=
stop_server() {
  if [[ -n $SERVER_PID ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}
on_exit stop_server

# start_server [PORT]: serve $WORK/pub over HTTPS; $PORT is where.
start_server() {
  rm -f port
  python3 "$SRC/tests/mount/bundle_server.py" pub cert.pem key.pem "${1:-0}" port server.log 2>server.err &
  SERVER_PID=$!
  for _ in $(seq 100); do
    [[ -s port ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || fail "the server died: $(cat server.err)"
    sleep 0.1
  done
  [[ -s port ]] || fail "the server did not start"
  PORT=$(cat port)
}

# publish FILE: the bundle the server gives from now on (replaced whole, as a publisher should).
publish() { cp "$1" pub/.next && mv pub/.next pub/coalition.nlb; }

# status FIELD: the value of a line of the mount's status.
status() { sed -n "s/^$1: //p" "$MNT/.nletsfs/status"; }

# wait_status FIELD PATTERN: until the status's FIELD matches PATTERN (grep -E), 15 s at most.
wait_status() {
  for _ in $(seq 150); do
    status "$1" | grep -qE -- "$2" && return 0
    sleep 0.1
  done
  fail "status $1 is not /$2/ after 15 s: $(cat "$MNT/.nletsfs/status")"
}

# wait_checks N: until the mount has checked N more times than now.
wait_checks() {
  local want=$(($(status checks) + $1))
  for _ in $(seq 150); do
    (($(status checks) >= want)) && return 0
    sleep 0.1
  done
  fail "fewer than $1 more checks in 15 s: $(cat "$MNT/.nletsfs/status")"
}

# downloads: the bundle's full (200) responses the server has sent.
downloads() { grep -c '^GET /coalition.nlb 200 ' server.log || true; }

# ---- a publisher's side: a key, a certificate, three bundles ----
import_into inv.db "$SRC/tests/fixtures/small"
"$NLETSFS" keygen -o coalition >/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout key.pem -out cert.pem 2>/dev/null || fail "openssl req"
"$NLETSFS" pack --db inv.db --name Coalition --key coalition.pem -o one.nlb || fail "pack 1"
cp one.nlb two.nlb
"$NLETSFS" import --db inv.db "$SRC/tests/fixtures/update" >/dev/null || fail "import of the update"
"$NLETSFS" pack --db inv.db --name Coalition --key coalition.pem -o two.nlb || fail "pack 2"
grep -qx 'serial: 1' <(tar -xOf one.nlb MANIFEST) || fail "the first bundle's serial: $(tar -xOf one.nlb MANIFEST)"
grep -qx 'serial: 2' <(tar -xOf two.nlb MANIFEST) || fail "pack did not increment the serial: $(tar -xOf two.nlb MANIFEST)"
ok "pack: serial 1, then 2 over the bundle it replaces"
mkdir pub cache
publish one.nlb
start_server
URL=https://127.0.0.1:$PORT/coalition.nlb
NET=(--trust "$WORK/coalition.pub.pem" --cacert "$WORK/cert.pem")

# ---- refused before anything is mounted ----
mkdir -p "$MNT"
refuse() {
  local msg=$1 st=0
  shift
  "$@" >out 2>err || st=$?
  [[ $st == 1 ]] || fail "$*: status $st ($(cat err))"
  grep -qF -- "$msg" err || fail "$*: no '$msg' in: $(cat err)"
  ! mountpoint -q "$MNT" || fail "$*: mounted"
}
refuse "TLS failed" "$NLETSFS" mount "$URL" "$MNT" --trust coalition.pub.pem -o cache="$WORK/cache"
refuse "plain http:// is refused" "$NLETSFS" mount "http://127.0.0.1:$PORT/coalition.nlb" "$MNT" "${NET[@]}" \
  -o cache="$WORK/cache"
refuse "cannot connect" "$NLETSFS" mount "https://127.0.0.1:1/coalition.nlb" "$MNT" "${NET[@]}" -o cache="$WORK/cache"
[[ -z $(ls cache | grep -v '\.lock$') ]] || fail "a refused mount left files in the cache: $(ls cache)"
ok "an unknown CA, plain http, no server: refused, nothing mounted or cached"

# ---- the first mount, and 304s ----
mount_db "$URL" "${NET[@]}" -o cache="$WORK/cache",refresh=1s,max_size=4M
expect_file states/NY/name $'New York\n'
[[ ! -e $MNT/agencies/CBP ]] || fail "the first bundle has CBP"
[[ $(status serial) == 1 && $(status name) == Coalition ]] || fail "status: $(cat "$MNT/.nletsfs/status")"
[[ $(status sha256) == $(sha256sum <one.nlb | cut -d' ' -f1) ]] || fail "status sha256: $(status sha256)"
[[ $(status signer) == sha256:$(openssl pkey -pubin -in coalition.pub.pem -outform DER | sha256sum | cut -d' ' -f1) ]] ||
  fail "status signer: $(status signer)"
[[ $(status url) == "$URL" ]] || fail "status url: $(status url)"
grep -q "^$URL $MNT fuse.nletsfs ro," /proc/mounts || fail "mount table: $(grep "$MNT" /proc/mounts)"
cmp -s one.nlb cache/coalition.nlb-*.nlb || fail "the cache does not hold the bundle"
wait_checks 2
[[ $(downloads) == 1 ]] || fail "downloads after 304s: $(downloads): $(cat server.log)"
grep -q '^GET /coalition.nlb 304 0$' server.log || fail "no 304: $(cat server.log)"
[[ $(status downloads) == 1 ]] || fail "status downloads: $(status downloads)"
[[ $(status result) == "not modified"* ]] || fail "status result: $(status result)"
ok "first mount verified and cached; later checks are 304s, nothing downloaded"

# ---- a new bundle, within a refresh ----
publish two.nlb
start=$(date +%s%N)
wait_status serial '^2$'
for _ in $(seq 50); do [[ -d $MNT/agencies/CBP ]] && break; sleep 0.1; done
[[ -d $MNT/agencies/CBP ]] || fail "the new bundle's inventory is not served"
expect_line states/NY/dmv/blocked CBP
ms=$((($(date +%s%N) - start) / 1000000))
((ms < 5000)) || fail "the new bundle took $ms ms to show (refresh=1s)"
cmp -s two.nlb cache/coalition.nlb-*.nlb || fail "the cache does not hold the new bundle"
ok "a new bundle is seen after $ms ms"

# ---- refused, the old served still: tampered, rollback, oversize ----
python3 - two.nlb bad.nlb <<'PY'
import sys, tarfile
src, out = sys.argv[1:]
data = bytearray(open(src, 'rb').read())
with tarfile.open(src) as t:
    off = t.getmember('inventory.db').offset_data
data[off + 100] ^= 1
open(out, 'wb').write(data)
PY
# refused_with PATTERN: the next checks refuse what is published (the status and the log
# say so, in the same words); bundle 2 is served still.
refused_with() {
  wait_status result "$1"
  [[ $(status serial) == 2 && -d $MNT/agencies/CBP ]] || fail "not bundle 2 after a refusal: $(cat "$MNT/.nletsfs/status")"
  expect_line states/NY/dmv/blocked CBP
  grep -E -- "$1" "$WORK/daemon.log" | grep -q 'served still' ||
    fail "the refusal is not logged: $(cat "$WORK/daemon.log")"
  cmp -s two.nlb cache/coalition.nlb-*.nlb || fail "the cache lost bundle 2"
}
publish bad.nlb
refused_with "refused: .*does not match the MANIFEST"
publish one.nlb
refused_with "refused as a rollback: .*serial 1, .*not newer than the one cached, .*serial 2, "
head -c 100000 /dev/urandom >garbage.nlb
publish garbage.nlb
refused_with "refused: .*(truncated or corrupt|not a signed bundle)"
head -c 5000000 /dev/urandom >pub/big.nlb
publish pub/big.nlb
refused_with "larger than 4194304 bytes"
ls cache | grep -q part && fail "a refused download was left in the cache: $(ls cache)"
ok "a tampered bundle, a rollback, garbage and an oversize response: refused and logged, bundle 2 served"

# ---- the server stopped ----
publish two.nlb
stop_server
refused_with "cannot connect"
ok "the server stopped: bundle 2 served"
unmount

# ---- from the cache at once, the server down; SIGHUP checks now ----
mount_db "$URL" "${NET[@]}" -o cache="$WORK/cache",refresh=0
[[ $(status serial) == 2 && -d $MNT/agencies/CBP ]] || fail "not started from the cache: $(cat "$MNT/.nletsfs/status")"
wait_status result "cannot connect"
"$NLETSFS" import --db inv.db "$SRC/tests/fixtures/small" >/dev/null # a third bundle: any change will do
"$NLETSFS" pack --db inv.db --name Coalition --key coalition.pem -o two.nlb
cp two.nlb three.nlb
publish three.nlb
start_server "$PORT"
checks=$(status checks)
sleep 1.5
[[ $(status checks) == "$checks" ]] || fail "refresh=0 checked without SIGHUP"
kill -HUP "$DAEMON_PID"
wait_status serial '^3$'
ok "a mount from the cache with the server down; SIGHUP fetched bundle 3"
# A check stuck on a slow server does not hold the unmount up.
touch pub/.slow
checks=$(status checks)
kill -HUP "$DAEMON_PID"
for _ in $(seq 50); do grep -q '^SLOW /coalition.nlb$' server.log && break; sleep 0.1; done
grep -q '^SLOW /coalition.nlb$' server.log || fail "the slow download did not start: $(cat server.log)"
sleep 0.2
[[ $(status checks) == "$checks" ]] || fail "the check on a slow server ended: $(cat "$MNT/.nletsfs/status")"
start=$(date +%s%N)
unmount
ms=$((($(date +%s%N) - start) / 1000000))
((ms < 3000)) || fail "the unmount took $ms ms with a download in progress"
rm pub/.slow
ok "an unmount during a slow download: the daemon gone after $ms ms"

# ---- pull ----
"$NLETSFS" pull "$URL" "${NET[@]}" --cache "$WORK/cache" -o pulled.nlb >out || fail "pull: $(cat out)"
cmp -s three.nlb pulled.nlb || fail "pull wrote other bytes"
grep -q "ok: 'Coalition' of .*, serial 3, signed by sha256:" out || fail "pull says: $(cat out)"
n=$(downloads)
"$NLETSFS" pull "$URL" "${NET[@]}" --cache "$WORK/cache" -o pulled.nlb >/dev/null || fail "pull again"
[[ $(downloads) == "$n" ]] || fail "a second pull downloaded again"
# A server with dates and no ETags: If-Modified-Since, and a 304.
"$NLETSFS" pull "https://127.0.0.1:$PORT/dated/coalition.nlb" "${NET[@]}" --cache "$WORK/cache" -o dated.nlb \
  >/dev/null || fail "pull of dated/"
"$NLETSFS" pull "https://127.0.0.1:$PORT/dated/coalition.nlb" "${NET[@]}" --cache "$WORK/cache" -o dated.nlb \
  >/dev/null || fail "pull of dated/ again"
[[ $(grep -c '^GET /dated/coalition.nlb 200 ' server.log) == 1 && $(grep -c '^GET /dated/coalition.nlb 304 ' server.log) == 1 ]] ||
  fail "If-Modified-Since: $(grep dated server.log)"
cmp -s three.nlb dated.nlb || fail "pull of dated/ wrote other bytes"
st=0
"$NLETSFS" pull "https://127.0.0.1:$PORT/endless.nlb" "${NET[@]}" --cache "$WORK/cache" --max-size 1M -o x.nlb \
  2>err || st=$?
[[ $st == 1 ]] && grep -q "larger than 1048576 bytes, the bound" err || fail "endless response: status $st: $(cat err)"
for _ in $(seq 50); do grep -q '^GET /endless.nlb ' server.log && break; sleep 0.1; done
sent=$(sed -n 's|^GET /endless.nlb 200 ||p' server.log)
[[ -n $sent ]] && ((sent < 64 << 20)) || fail "the server sent $sent bytes before the client stopped"
[[ ! -e x.nlb ]] && ! ls cache | grep -q part || fail "a cut-off download left a file"
st=0
"$NLETSFS" pull "https://127.0.0.1:$PORT/slow.nlb" "${NET[@]}" --cache "$WORK/cache" --timeout 2s -o x.nlb \
  2>err || st=$?
[[ $st == 1 ]] && grep -q "timed out" err || fail "slow response: status $st: $(cat err)"
ok "pull: the bundle, no second download (ETag, or If-Modified-Since); an endless response cut off after $sent bytes; a slow one timed out"
