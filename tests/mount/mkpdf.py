#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write a small valid PDF by hand: one page per argument (lines split on '|'),
Helvetica text, an info dictionary with --title and --date (YYYYMMDD), and
with --encrypt a standard security handler whose user password is unknown
(so a reader needs a password). Used by the mount tests and scripts/bench-import.

usage: mkpdf.py OUT.pdf [--title T] [--date YYYYMMDD] [--encrypt] PAGE..."""
import sys

def pdf_string(s):
    return '(' + s.replace('\\', '\\\\').replace('(', '\\(').replace(')', '\\)') + ')'

def make(pages, title=None, date=None, encrypt=False):
    objs = []
    def add(body):
        objs.append(body)
        return len(objs)
    font = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>')
    kids = []
    pages_id = len(objs) + 1 + 2 * len(pages)
    for text in pages:
        ops = ['BT', '/F1 11 Tf', '14 TL', '72 740 Td']
        for line in text.split('|'):
            ops.append(pdf_string(line) + " '")
        ops.append('ET')
        stream = '\n'.join(ops)
        content = add('<< /Length %d >>\nstream\n%s\nendstream' % (len(stream.encode('latin-1')), stream))
        kids.append(add('<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R'
                        ' /Resources << /Font << /F1 %d 0 R >> >> >>' % (pages_id, content, font)))
    assert add('<< /Type /Pages /Kids [%s] /Count %d >>' % (' '.join('%d 0 R' % k for k in kids), len(kids))) == pages_id
    catalog = add('<< /Type /Catalog /Pages %d 0 R >>' % pages_id)
    info = {}
    if title:
        info['Title'] = pdf_string(title)
    if date:
        info['CreationDate'] = pdf_string('D:%s000000Z' % date)
    info_id = add('<< %s >>' % ' '.join('/%s %s' % kv for kv in info.items())) if info else None
    enc_id = add('<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -4 >>' % ('ab' * 32, 'cd' * 32)) if encrypt else None
    out = b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n'
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += ('%d 0 obj\n%s\nendobj\n' % (i, body)).encode('latin-1')
    xref = len(out)
    out += ('xref\n0 %d\n0000000000 65535 f \n' % (len(objs) + 1)).encode()
    for off in offsets:
        out += ('%010d 00000 n \n' % off).encode()
    trailer = '/Size %d /Root %d 0 R' % (len(objs) + 1, catalog)
    if info_id:
        trailer += ' /Info %d 0 R' % info_id
    if enc_id:
        trailer += ' /Encrypt %d 0 R /ID [<%s> <%s>]' % (enc_id, '01' * 16, '01' * 16)
    out += ('trailer\n<< %s >>\nstartxref\n%d\n%%%%EOF\n' % (trailer, xref)).encode()
    return out

if __name__ == '__main__':
    args, opts, pages = sys.argv[2:], {}, []
    while args:
        a = args.pop(0)
        if a in ('--title', '--date'):
            opts[a[2:]] = args.pop(0)
        elif a == '--encrypt':
            opts['encrypt'] = True
        else:
            pages.append(a)
    with open(sys.argv[1], 'wb') as f:
        f.write(make(pages, **opts))
