#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The maps as a reader sees them: headless Chromium (Debian's chromium,
# installed by scripts/setup) renders every maps/QID.svg straight from the
# mount to a PNG, and the pictures are checked: not blank, each line of the
# question drawn, the legend's four swatches in their answers' colours with
# their labels, and each jurisdiction's tile in the colour of its answer.
# Skipped (77) only where Chromium is missing or cannot start.
. "$(dirname "$0")/lib.sh"

browser=$(command -v chromium || command -v chromium-browser || true)
[[ -n $browser ]] || skip "Chromium is not installed (scripts/setup installs Debian's chromium)"

import_into "$WORK/inv.db" "$SRC/data"
mount_db "$WORK/inv.db"
maps=$(ls "$MNT/maps")
[[ $(wc -w <<<"$maps") -ge 14 ]] || fail "maps/: $maps"
mkdir "$WORK/png"
for m in $maps; do
  # The window is the map's own size, so that a pixel of the PNG is a unit of the SVG.
  size=$(sed -n 's/^<svg [^>]* width="\([0-9]*\)" height="\([0-9]*\)".*/\1,\2/p' "$MNT/maps/$m")
  [[ $size =~ ^[0-9]+,[0-9]+$ ]] || fail "maps/$m: no width and height"
  # Chromium as root needs --no-sandbox; the rest keeps it off the network and out of any profile.
  timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d "$WORK/profile.XXXXXX")" --hide-scrollbars --force-device-scale-factor=1 \
    --window-size="$size" --screenshot="$WORK/png/${m%.svg}.png" "file://$MNT/maps/$m" >"$WORK/browser.log" 2>&1 || true
  if [[ ! -s $WORK/png/${m%.svg}.png ]]; then
    [[ $m == "$(head -1 <<<"$maps")" ]] && skip "Chromium could not run here: $(tail -n 3 "$WORK/browser.log")"
    fail "Chromium rendered the first map but not maps/$m: $(tail -n 3 "$WORK/browser.log")"
  fi
done

python3 - "$MNT/maps" "$WORK/png" <<'EOF' || fail "the rendered maps"
import os, struct, sys, zlib
import xml.etree.ElementTree as ET

maps, pngs = sys.argv[1:]
NS = '{http://www.w3.org/2000/svg}'
# Each answer's fill: its pattern's base colour and the colour of its marks.
PALETTE = {'yes': [(0x00, 0x44, 0x88)], 'no': [(0xbb, 0x55, 0x66), (0x8a, 0x33, 0x44)],
           'partial': [(0xdd, 0xaa, 0x33), (0xb0, 0x7f, 0x10)], 'unknown': [(0xee, 0xee, 0xee), (0x99, 0x99, 0x99)]}

def decode(path):
    """An 8-bit RGB or RGBA PNG (what Chromium writes) as rows of (r, g, b) tuples."""
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat = 8, b''
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body, pos = data[pos + 8:pos + 8 + n], pos + 12 + n
        if kind == b'IHDR':
            w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat += body
    assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
    bpp, raw = (3 if ctype == 2 else 4), zlib.decompress(idat)
    stride, prev, i, rows = w * bpp, bytearray(w * bpp), 0, []
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
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, bpp)])
        prev = line
    return w, h, rows

def dist(p, q):
    return sum((p[k] - q[k]) ** 2 for k in range(3))

def answer_of(px):
    return min(((dist(px, c), a) for a, cs in PALETTE.items() for c in cs))[1]

def fill(rows, x, y, w, h):
    """The answer whose colours fill a strip along the top of a box (above its labels), and its share."""
    votes = {}
    for yy in range(int(y) + 2, int(y) + 6):
        for xx in range(int(x) + 5, int(x + w) - 5):
            a = answer_of(rows[yy][xx])
            votes[a] = votes.get(a, 0) + 1
    best = max(votes, key=votes.get)
    return best, votes[best] / sum(votes.values())

def dark(rows, x0, y0, x1, y1):
    return sum(1 for y in range(int(y0), int(y1)) for x in range(int(x0), int(x1)) if max(rows[y][x]) < 90)

n = 0
for name in sorted(os.listdir(maps)):
    q = name[:-4]
    svg = ET.parse(os.path.join(maps, name)).getroot()
    w, h, rows = decode(os.path.join(pngs, q + '.png'))
    assert (w, h) == (int(svg.get('width')), int(svg.get('height'))), (q, w, h)
    # Not blank: white is the background, and much more than the background is drawn.
    inked = sum(1 for r in rows for px in r if px != (255, 255, 255))
    assert inked > w * h // 5, '%s: only %d of %d pixels drawn' % (q, inked, w * h)
    # The question: every line of the title drawn in dark ink where the SVG puts it.
    lines = [t for t in svg.findall(NS + 'text') if t.get('font-size') == '18']
    assert lines and ' '.join(t.text for t in lines) == svg.find(NS + 'title').text, q
    for t in lines:
        y = float(t.get('y'))
        ink = dark(rows, 20, y - 15, w - 20, y + 5)
        assert ink > 8 * len(t.text), '%s: title line "%s": %d dark pixels' % (q, t.text, ink)
    # The legend: a swatch in each answer's colour, and its label ("yes: 5") beside it.
    legend = {g.get('class').split()[1]: g for g in svg.iter(NS + 'g') if g.get('class', '').startswith('legend ')}
    assert sorted(legend) == sorted(PALETTE), (q, sorted(legend))
    for a, g in legend.items():
        r = g.find(NS + 'rect')
        x, y, rw, rh = (float(r.get(k)) for k in ('x', 'y', 'width', 'height'))
        got, share = fill(rows, x, y, rw, rh)
        assert got == a and share > 0.6, '%s: legend %s drawn as %s (%.0f%%)' % (q, a, got, share * 100)
        assert dark(rows, x + rw + 8, y, x + rw + 120, y + rh) > 40, '%s: legend %s has no label' % (q, a)
    # Each tile in the colour of its answer.
    tiles = [g for g in svg.iter(NS + 'g') if g.get('class', '').startswith('tile ')]
    assert len(tiles) == 52, (q, len(tiles))
    for g in tiles:
        r, a = g.find(NS + 'rect'), g.get('data-answer')
        got, share = fill(rows, float(r.get('x')), float(r.get('y')), float(r.get('width')), float(r.get('height')))
        assert got == a and share > 0.6, '%s: %s is %s, drawn as %s (%.0f%%)' % (
            q, g.get('data-state'), a, got, share * 100)
    n += 1
    print('ok - maps/%s.svg: %d tiles in their answers\' colours, legend, %d title lines' % (q, len(tiles), len(lines)))
assert n >= 14, n
EOF
ok "Chromium renders every map: the question, the legend and each tile in its answer's colour"
unmount
