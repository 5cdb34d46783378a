#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make a scanned page the way FOIA offices do: known text rendered by
Ghostscript at a resolution (200 dpi by default), turned by a slight skew,
with speckle noise, black redaction boxes with exemption codes beside them
(or under them);
written as a PNG, a TIFF-less image-only PDF (no text layer), or both. The
true text goes to --truth (one line per line) for scoring OCR.

usage: mkscan.py [--dpi N] [--skew DEG] [--noise FRACTION] [--seed N]
                 [--png OUT.png] [--pdf OUT.pdf] [--truth OUT.txt]
                 [--redact CODE]... [--redact-under CODE]... [--stamp TEXT] LINE...
Lines are the page's text (10.5-point Times); a '|' in a line starts a new page.
--size WxH makes an image of that many pixels instead (all white, no text):
a hostile input with absurd dimensions, kept small on disk by compression."""
import argparse
import random
import struct
import subprocess
import sys
import zlib


def ps_string(s):
    return '(' + s.replace('\\', '\\\\').replace('(', '\\(').replace(')', '\\)') + ')'


def page_ps(lines, redactions, skew, under=()):
    out = ['%!PS', '<< /PageSize [612 792] >> setpagedevice', '306 396 translate %f rotate -306 -396 translate' % skew,
           '/Times-Roman findfont 10.5 scalefont setfont']
    y = 720
    for line in lines:
        out.append('72 %d moveto %s show' % (y, ps_string(line)))
        y -= 16
    y -= 10
    for code in redactions:
        # A black box where a name was, the exemption code beside it, as reviewers stamp them.
        out.append('0 setgray 72 %d 180 12 rectfill' % (y - 2))
        out.append('/Helvetica findfont 9 scalefont setfont 262 %d moveto %s show' % (y, ps_string(code)))
        out.append('/Times-Roman findfont 10.5 scalefont setfont')
        y -= 24
    for code in under:
        # A box with its code written under it, as some reviewers do.
        out.append('0 setgray 72 %d 180 12 rectfill' % (y - 2))
        out.append('/Helvetica findfont 9 scalefont setfont 80 %d moveto %s show' % (y - 13, ps_string(code)))
        out.append('/Times-Roman findfont 10.5 scalefont setfont')
        y -= 36
    out.append('showpage')
    return '\n'.join(out) + '\n'


def render(ps, dpi):
    """Ghostscript renders the page to 8-bit grey: (width, height, bytes)."""
    r = subprocess.run(['gs', '-q', '-dSAFER', '-dBATCH', '-dNOPAUSE', '-sDEVICE=pgmraw', '-r%d' % dpi,
                        '-dTextAlphaBits=4', '-dGraphicsAlphaBits=4', '-sOutputFile=-', '-'],
                       input=ps.encode('latin-1'), capture_output=True, check=True)
    data = r.stdout
    # P5, width, height, maxval, each after white space or a # comment line; one byte of white space, pixels.
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b'#':
            pos = data.index(b'\n', pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b'P5':
        sys.exit('mkscan.py: unexpected output from gs')
    w, h = int(fields[1]), int(fields[2])
    return w, h, bytearray(data[pos + 1:pos + 1 + w * h])


def speckle(px, w, h, fraction, rng):
    for _ in range(int(w * h * fraction)):
        i = rng.randrange(w * h)
        px[i] = 0 if px[i] > 128 else 255


def png(w, h, rows_raw, depth=8):
    def chunk(kind, body):
        c = struct.pack('>I', len(body)) + kind + body
        return c + struct.pack('>I', zlib.crc32(kind + body) & 0xffffffff)
    ihdr = struct.pack('>IIBBBBB', w, h, depth, 0, 0, 0, 0)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', rows_raw) + chunk(b'IEND', b'')


def png_grey(w, h, px, dpi):
    raw = bytearray()
    for y in range(h):
        raw.append(0)
        raw += px[y * w:(y + 1) * w]
    body = png(w, h, zlib.compress(bytes(raw), 6))
    # pHYs: pixels per metre, so Tesseract knows the resolution.
    ppm = int(round(dpi / 0.0254))
    phys = struct.pack('>IIB', ppm, ppm, 1)
    c = struct.pack('>I', len(phys)) + b'pHYs' + phys + struct.pack('>I', zlib.crc32(b'pHYs' + phys) & 0xffffffff)
    return body[:33] + c + body[33:]


def pdf_of_images(pages, dpi, stamp=None):
    """An image-only PDF: each page one DeviceGray image, no text layer; with
    `stamp`, that text over each page's foot as a text layer (a Bates number)."""
    objs = []

    def add(body):
        objs.append(body)
        return len(objs)
    kids = []
    font = add(b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>') if stamp else None
    pages_id = len(objs) + 1 + 3 * len(pages)
    for w, h, px in pages:
        data = zlib.compress(bytes(px), 6)
        img = add(b'<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray'
                  b' /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n' % (w, h, len(data))
                  + data + b'\nendstream')
        pw, ph = w * 72.0 / dpi, h * 72.0 / dpi
        content = b'q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q' % (pw, ph)
        fonts = b''
        if stamp:
            content += b'\nBT /F1 8 Tf %.2f 24 Td (%s) Tj ET' % (pw - 150, stamp.encode('latin-1'))
            fonts = b' /Font << /F1 %d 0 R >>' % font
        cid = add(b'<< /Length %d >>\nstream\n' % len(content) + content + b'\nendstream')
        kids.append(add(b'<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] /Contents %d 0 R'
                        b' /Resources << /XObject << /Im0 %d 0 R >>%s >> >>' % (pages_id, pw, ph, cid, img, fonts)))
    assert add(b'<< /Type /Pages /Kids [%s] /Count %d >>' % (b' '.join(b'%d 0 R' % k for k in kids),
                                                             len(kids))) == pages_id
    catalog = add(b'<< /Type /Catalog /Pages %d 0 R >>' % pages_id)
    out = b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n'
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b'%d 0 obj\n' % i + body + b'\nendobj\n'
    xref = len(out)
    out += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objs) + 1)
    for off in offsets:
        out += b'%010d 00000 n \n' % off
    out += b'trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n' % (len(objs) + 1, catalog, xref)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--dpi', type=int, default=200)
    ap.add_argument('--skew', type=float, default=0.7)
    ap.add_argument('--noise', type=float, default=0.002)
    ap.add_argument('--seed', type=int, default=19)
    ap.add_argument('--png')
    ap.add_argument('--pdf')
    ap.add_argument('--truth')
    ap.add_argument('--redact', action='append', default=[])
    ap.add_argument('--redact-under', action='append', default=[], help='a box with CODE under it')
    ap.add_argument('--size')
    ap.add_argument('--stamp', help='a text layer on each PDF page, as a Bates number')
    ap.add_argument('lines', nargs='*')
    a = ap.parse_args()
    if a.size:
        # All white at 1 bit a pixel: a few KiB of zlib that says it is W x H.
        w, h = map(int, a.size.split('x'))
        row = b'\x00' + b'\xff' * ((w + 7) // 8)
        z = zlib.compressobj(9)
        body = b''.join(z.compress(row) for _ in range(h)) + z.flush()
        with open(a.png, 'wb') as f:
            f.write(png(w, h, body, depth=1))
        return
    rng = random.Random(a.seed)
    pages_text = [p.split('\n') for p in '\n'.join(a.lines).split('|')]
    pages = []
    for i, lines in enumerate(pages_text):
        lines = [ln for ln in lines if ln]
        w, h, px = render(page_ps(lines, a.redact if i == 0 else [], a.skew, a.redact_under if i == 0 else []), a.dpi)
        speckle(px, w, h, a.noise, rng)
        pages.append((w, h, px))
    if a.png:
        w, h, px = pages[0]
        with open(a.png, 'wb') as f:
            f.write(png_grey(w, h, px, a.dpi))
    if a.pdf:
        with open(a.pdf, 'wb') as f:
            f.write(pdf_of_images(pages, a.dpi, a.stamp))
    if a.truth:
        with open(a.truth, 'w') as f:
            for lines in pages_text:
                f.write('\n'.join(ln for ln in lines if ln) + '\n')


if __name__ == '__main__':
    main()
