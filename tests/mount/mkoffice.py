#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make the mail and office files of a FOIA release, with the standard library
only (zipfile, email), for the mount tests and scripts/bench-import.

usage: mkoffice.py docx OUT.docx TITLE PARAGRAPH...
       mkoffice.py xlsx OUT.xlsx SHEET=ROW;ROW... ...   (cells of a row split on ',')
       mkoffice.py eml OUT.eml --from A --to B --date RFC2822 --subject S [--attach FILE]... BODY
       mkoffice.py nested OUT.eml DEPTH          (an email inside an email, DEPTH deep)
       mkoffice.py bomb OUT.docx MIB             (word/document.xml expanding to MIB MiB)"""
import email.message
import email.policy
import sys
import zipfile
from xml.sax.saxutils import escape

CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>%s</Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">%s</Relationships>')
CORE = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties'
        ' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>%s</dc:title>'
        '<dcterms:created xsi:type="dcterms:W3CDTF">%s</dcterms:created></cp:coreProperties>')
W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main'
S = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'


def docx(out, title, paragraphs, created='2019-07-01T00:00:00Z'):
    body = ''.join('<w:p><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>' % escape(p) for p in paragraphs)
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr('[Content_Types].xml', CT % '')
        z.writestr('_rels/.rels', RELS % '<Relationship Id="rId1" Type="x" Target="word/document.xml"/>')
        z.writestr('docProps/core.xml', CORE % (escape(title), created))
        z.writestr('word/document.xml', '<?xml version="1.0" encoding="UTF-8"?>\n<w:document xmlns:w="%s">'
                   '<w:body>%s</w:body></w:document>' % (W, body))


def col(i):
    s = ''
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def xlsx(out, sheets):
    strings = []

    def sst(v):
        if v not in strings:
            strings.append(v)
        return strings.index(v)
    parts = []
    for n, (name, rows) in enumerate(sheets, 1):
        xml_rows = []
        for r, row in enumerate(rows, 1):
            cells = []
            for c, v in enumerate(row):
                if v == '':
                    continue
                if v.isdigit():
                    cells.append('<c r="%s%d"><v>%s</v></c>' % (col(c), r, v))
                else:
                    cells.append('<c r="%s%d" t="s"><v>%d</v></c>' % (col(c), r, sst(v)))
            xml_rows.append('<row r="%d">%s</row>' % (r, ''.join(cells)))
        parts.append(('xl/worksheets/sheet%d.xml' % n,
                      '<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="%s"><sheetData>%s</sheetData>'
                      '</worksheet>' % (S, ''.join(xml_rows))))
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr('[Content_Types].xml', CT % '')
        z.writestr('_rels/.rels', RELS % '<Relationship Id="rId1" Type="x" Target="xl/workbook.xml"/>')
        z.writestr('docProps/core.xml', CORE % ('', '2019-06-05T00:00:00Z'))
        z.writestr('xl/workbook.xml', '<?xml version="1.0" encoding="UTF-8"?>\n<workbook xmlns="%s" xmlns:r="%s">'
                   '<sheets>%s</sheets></workbook>' % (S, R, ''.join(
                       '<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (escape(name), n, n)
                       for n, (name, _) in enumerate(sheets, 1))))
        z.writestr('xl/_rels/workbook.xml.rels', RELS % ''.join(
            '<Relationship Id="rId%d" Type="x" Target="worksheets/sheet%d.xml"/>' % (n, n)
            for n in range(1, len(sheets) + 1)))
        z.writestr('xl/sharedStrings.xml', '<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="%s">%s</sst>' % (
            S, ''.join('<si><t>%s</t></si>' % escape(s) for s in strings)))
        for name, xml in parts:
            z.writestr(name, xml)


def eml(out, frm, to, date, subject, body, attach):
    m = email.message.EmailMessage(policy=email.policy.SMTP)
    m['From'] = frm
    m['To'] = to
    m['Date'] = date
    m['Subject'] = subject
    m['Message-ID'] = '<release-19@example.gov>'
    m.set_content(body)
    for path in attach:
        with open(path, 'rb') as f:
            data = f.read()
        kind = ('application', 'pdf') if path.endswith('.pdf') else ('application', 'octet-stream')
        m.add_attachment(data, maintype=kind[0], subtype=kind[1], filename=path.rsplit('/', 1)[-1])
    with open(out, 'wb') as f:
        f.write(m.as_bytes())


def nested(out, depth):
    inner = email.message.EmailMessage(policy=email.policy.SMTP)
    inner['From'] = 'a@example.gov'
    inner['Subject'] = 'level %d' % depth
    inner['Date'] = 'Mon, 1 Jul 2019 10:00:00 -0400'
    inner.set_content('The innermost message names Nlets.')
    inner.add_attachment(b'Nlets memo\n', maintype='text', subtype='plain', filename='memo.txt')
    for level in range(depth - 1, 0, -1):
        outer = email.message.EmailMessage(policy=email.policy.SMTP)
        outer['From'] = 'a@example.gov'
        outer['Subject'] = 'level %d' % level
        outer['Date'] = 'Mon, 1 Jul 2019 10:00:00 -0400'
        outer['MIME-Version'] = '1.0'
        outer.set_content('Forwarded.')
        outer.add_attachment(inner)
        inner = outer
    with open(out, 'wb') as f:
        f.write(inner.as_bytes())


def bomb(out, mib):
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr('[Content_Types].xml', CT % '')
        with z.open('word/document.xml', 'w') as f:
            f.write(b'<?xml version="1.0"?><w:document xmlns:w="%s"><w:body><w:p><w:r><w:t>' % W.encode())
            chunk = b'A' * (1 << 20)
            for _ in range(mib):
                f.write(chunk)
            f.write(b'</w:t></w:r></w:p></w:body></w:document>')


def main():
    cmd, out = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    if cmd == 'docx':
        docx(out, args[0], args[1:])
    elif cmd == 'xlsx':
        sheets = []
        for a in args:
            name, rows = a.split('=', 1)
            sheets.append((name, [r.split(',') for r in rows.split(';')]))
        xlsx(out, sheets)
    elif cmd == 'eml':
        opts = {'--from': '', '--to': '', '--date': '', '--subject': ''}
        attach, body = [], []
        i = 0
        while i < len(args):
            if args[i] in opts:
                opts[args[i]] = args[i + 1]
                i += 2
            elif args[i] == '--attach':
                attach.append(args[i + 1])
                i += 2
            else:
                body.append(args[i])
                i += 1
        eml(out, opts['--from'], opts['--to'], opts['--date'], opts['--subject'], '\n'.join(body) + '\n', attach)
    elif cmd == 'nested':
        nested(out, int(args[0]))
    elif cmd == 'bomb':
        bomb(out, int(args[0]))
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
