#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A map opened in a real browser: headless Chromium renders maps/ori-block.svg
# straight from the mount to a PNG, which must show the tiles in their
# colours. Skipped (77) with a message when Chromium is not installed or
# cannot run here. Chromium is large, so scripts/setup does not install it;
# with NLETSFS_TEST_BROWSER=1 this test tries `apt-get install chromium`.
. "$(dirname "$0")/lib.sh"

find_browser() { command -v chromium || command -v chromium-browser || true; }
browser=$(find_browser)
if [[ -z $browser && ${NLETSFS_TEST_BROWSER:-} == 1 ]]; then
  sudo=()
  if [[ $(id -u) != 0 ]]; then sudo=(sudo -n); fi
  export DEBIAN_FRONTEND=noninteractive
  { timeout 240 "${sudo[@]}" apt-get install -y -q --no-install-recommends chromium ||
    { timeout 120 "${sudo[@]}" apt-get update -q &&
      timeout 240 "${sudo[@]}" apt-get install -y -q --no-install-recommends chromium; }; } \
    >"$WORK/apt.log" 2>&1 || true
  browser=$(find_browser)
fi
if [[ -z $browser ]]; then
  echo "SKIP: Chromium is not installed (NLETSFS_TEST_BROWSER=1 lets this test install the Debian package chromium)"
  exit 77
fi

import_into "$WORK/inv.db" "$SRC/data"
mount_db "$WORK/inv.db"
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$(mktemp -d "$WORK/profile.XXXXXX")" \
  --screenshot="$WORK/map.png" --window-size=800,600 "file://$MNT/maps/ori-block.svg" >"$WORK/browser.log" 2>&1 || true
if [[ ! -s $WORK/map.png ]]; then
  echo "SKIP: Chromium could not run here: $(tail -n 3 "$WORK/browser.log")"
  exit 77
fi

# Decode the PNG (no imaging library needed) and count the pixels of each answer's colour.
python3 - "$WORK/map.png" "$(wc -l <"$MNT/questions/ori-block/yes")" <<'EOF' || fail "the rendered map"
import struct, sys, zlib
data, yes_tiles = open(sys.argv[1], 'rb').read(), int(sys.argv[2])
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat = 8, b''
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body, pos = data[pos + 8:pos + 8 + n], pos + 12 + n
    if kind == b'IHDR':
        w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
    elif kind == b'IDAT':
        idat += body
assert (w, h) == (800, 600), (w, h)
assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
bpp, raw = (3 if ctype == 2 else 4), zlib.decompress(idat)
stride, prev, i, counts = w * bpp, bytearray(w * bpp), 0, {}
for y in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + ((a + b) >> 1)) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        px = bytes(line[x:x + 3])
        counts[px] = counts.get(px, 0) + 1
    prev = line
def near(rgb):
    return sum(n for px, n in counts.items() if all(abs(px[k] - rgb[k]) <= 6 for k in range(3)))
blue, grey = near((0x00, 0x44, 0x88)), near((0xee, 0xee, 0xee))
# Each yes tile is 44x44 units of dark blue (less its labels); the unknown tiles are light grey.
assert blue >= yes_tiles * 900, 'yes tiles: %d blue pixels for %d tiles' % (blue, yes_tiles)
assert grey >= 20 * 900, 'unknown tiles: %d grey pixels' % grey
print('ok - %d yes tiles drawn (%d blue pixels), %d grey pixels' % (yes_tiles, blue, grey))
EOF
ok "Chromium renders maps/ori-block.svg from the mount"
unmount
