#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""An independent model of the tree (SPEC section 2), built from an exported
records bundle: what the mount must show at its root on DAY. The mount test
compares it with `diff -r`. It shares no code with nletsfs on purpose."""
import csv, hashlib, os, re, sys
from collections import defaultdict

bundle, out, today = sys.argv[1], sys.argv[2], sys.argv[3]

def rows(name):
    with open(os.path.join(bundle, name), newline='', encoding='utf-8') as f:
        return list(csv.DictReader(f))

def items(cell):
    return [x.strip() for x in cell.split(';')] if cell else []

def slug(name):
    s = ''.join('-' if c == ' ' else c for c in name if re.match(r'[A-Za-z0-9._ -]', c))
    return '_' if s in ('', '.', '..') else s

def slugs(ids):
    used, res = set(), {}
    for i in sorted(ids, key=lambda x: x.encode()):
        base = cand = slug(i)
        n = 1
        while cand in used:
            n += 1
            cand = '%s-%d' % (base, n)
        used.add(cand)
        res[i] = cand
    return res

def write(path, text):
    p = os.path.join(out, path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, 'wb') as f:
        f.write(text if isinstance(text, bytes) else text.encode())

def lines(values):
    return ''.join(v + '\n' for v in sorted(set(values), key=lambda x: x.encode()))

def scalar(path, value):
    if value:
        write(path, value + '\n')

def cites(r):
    src, pages = items(r['source']), items(r.get('page', ''))
    pages += ['-'] * (len(src) - len(pages))
    return [s + ('' if p == '-' else ' p.' + p) for s, p in zip(src, pages)]

sources = rows('sources.csv')
sdate = {s['id']: s['date'] for s in sources}
def valid_from(r, own=''):
    ds = [sdate[s] for s in items(r['source'])]
    return own or (min(ds) if ds else '')

systems, fields = rows('systems.csv'), rows('fields.csv')
agencies, partners = rows('agencies.csv'), rows('partners.csv')
transactions, flows = rows('transactions.csv'), rows('flows.csv')
laws, participation = rows('laws.csv'), rows('participation.csv')
claims = rows('claims.csv') if os.path.exists(os.path.join(bundle, 'claims.csv')) else []

def flow_ok(f):
    vf = valid_from(f, f['since'])
    return vf <= today and (not f['until'] or f['until'] > today)
live = [f for f in flows if flow_ok(f)]
def from_state_system(f):
    return f['from'].split('/', 1) if '/' in f['from'] else (None, None)

sys_slug = slugs([s['id'] for s in systems])
for code, name in [l.split(' ', 1) for l in open(os.path.join(os.path.dirname(__file__), 'jurisdictions.txt')).read().splitlines()]:
    write('states/%s/name' % code, name + '\n')
    os.makedirs(os.path.join(out, 'states', code, 'laws'), exist_ok=True)
    os.makedirs(os.path.join(out, 'states', code, 'participation'), exist_ok=True)
    mine = [f for f in live if from_state_system(f)[0] == code]
    for sid in sorted({from_state_system(f)[1] for f in mine}):
        fs = [f for f in mine if from_state_system(f)[1] == sid]
        ok = [f for f in fs if f['status'] != 'blocked']
        d = 'states/%s/%s/' % (code, sys_slug[sid])
        write(d + 'shared_fields', lines(x for f in ok for x in items(f['fields'])))
        write(d + 'transactions', lines(f['transaction'] for f in ok if f['transaction']))
        write(d + 'recipients', lines(f['to'] for f in ok))
        write(d + 'blocked', lines(f['to'] for f in fs if f['status'] == 'blocked'))
        write(d + 'sources', lines(c for f in fs for c in cites(f)))

def keyvalues(r, cols):
    text = ''
    for c in cols:
        if r.get(c):
            text += '%s: %s\n' % (c, r[c].replace('\n', ' ').replace('\r', ' '))
    cs = sorted(set(cites(r)), key=lambda x: x.encode())
    if cs:
        text += 'sources: %s\n' % '; '.join(cs)
    return text

for st in {l['state'] for l in laws}:
    mine = [l for l in laws if l['state'] == st]
    sl = slugs([l['id'] for l in mine])
    for l in mine:
        if valid_from(l, l['enacted']) <= today:
            write('states/%s/laws/%s' % (st, sl[l['id']]), keyvalues(l, ['title', 'enacted', 'summary', 'quote']))
latest = {}
for p in participation:
    k = (p['state'], p['function'])
    if p['as_of'] <= today and (k not in latest or p['as_of'] > latest[k]['as_of']):
        latest[k] = p
for (st, fn), p in latest.items():
    write('states/%s/participation/%s' % (st, fn), keyvalues(p, ['function', 'value', 'detail', 'as_of', 'quote']))

# Documents: the text of stored files (plain text only: this model reads no PDF or HTML),
# cut into form-feed pages; excerpts and mentions by the rules of docs/documents.md.
BLANKS = ' \t\n\r\v\f'
WORD = '0-9A-Za-z_\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u1fff\u2070-\ufefe\uff00-\U0010ffff'
NLETS = ['Nlets', 'NNWS', 'International Justice and Public Safety Network',
         'National Law Enforcement Telecommunications System']

def term_pattern(term, field=False):
    term = ' '.join(x for x in re.split('[%s]+' % BLANKS, term) if x)
    if len(term.encode()) < 2 or not re.match('[%s]' % WORD, term[0]):
        return None
    # A field's name of one word (no blank, '-' or '_') counts in capitals only.
    one_word = field and not re.search('[ _-]', term)
    if one_word:
        term = ''.join(c.upper() if 'a' <= c <= 'z' else c for c in term)
    exact = one_word or (re.search('[A-Z]', term) and not re.search('[a-z]', term) and len(term.encode()) <= 5)
    pat = ''
    for c in term:
        if c == ' ':
            pat += '[%s]+' % BLANKS
        elif c == "'":
            pat += "['\u2018\u2019]"
        elif c.isascii() and c.isalpha() and not exact:
            pat += '[%s%s]' % (c.lower(), c.upper())
        else:
            pat += re.escape(c)
    tail = '(?![%s])' % WORD if re.match('[%s]' % WORD, term[-1]) else ''
    return re.compile('(?<![%s])(?=(%s%s))' % (WORD, pat, tail))

vocab = [('Nlets', term_pattern(t)) for t in NLETS]
# A field's names: id, id in words (not when a word is one letter: a_number), display name, synonyms.
vocab += [('field ' + f['id'], term_pattern(t, True)) for f in fields
          for t in [f['id'], f['name']] + items(f['synonyms'])
          + ([f['id'].replace('_', ' ')] if '_' in f['id'] and not re.search('(^|_).(_|$)', f['id']) else [])]
vocab += [('agency ' + a['id'], term_pattern(t)) for a in agencies for t in (a['id'], a['name'])]
vocab = [(label, pat) for label, pat in vocab if pat]

def units(page):
    """Lines, and lines over 300 bytes cut at their last blank before 300 bytes: (start, end) offsets."""
    out, pos = [], 0
    for line in page.split(b'\n'):
        start, eol = pos, pos + len(line)
        while eol - start > 300:
            seg = page[start:eol]
            k = 300
            while k > 0 and seg[k] not in b' \t':
                k -= 1
            if k > 0:
                out.append((start, start + k))
                start += k + 1
            else:
                k = 300
                while k > 0 and seg[k] & 0xC0 == 0x80:
                    k -= 1
                k = k or 300
                out.append((start, start + k))
                start += k
        out.append((start, eol))
        pos = eol + 1
    return out

def excerpt(page):
    text = page.decode()
    offs = [0]
    for c in text:
        offs.append(offs[-1] + len(c.encode()))
    us = units(page)
    starts = [u[0] for u in us]
    def unit_of(off):
        return max(i for i, s0 in enumerate(starts) if s0 <= off)
    names, sel = set(), set()
    for label, pat in vocab:
        for m in pat.finditer(text):
            names.add(label)
            u1, u2 = unit_of(offs[m.start(1)]), unit_of(offs[m.end(1)] - 1)
            sel.update(range(max(u1 - 1, 0), min(u2 + 2, len(us))))
    if not names:
        return None
    groups, i = [], 0
    while i < len(us):
        if i not in sel:
            i += 1
            continue
        g = []
        while i < len(us) and i in sel:
            g.append(page[us[i][0]:us[i][1]].rstrip(BLANKS.encode()))
            i += 1
        while g and not g[0]:
            g.pop(0)
        while g and not g[-1]:
            g.pop()
        if g:
            groups.append(g)
    body = b'[...]\n'.join(b''.join(u + b'\n' for u in g) for g in groups[:20])
    if len(groups) > 20:
        n = len(groups) - 20
        body += b'[... %d more passage%s on this page]\n' % (n, b'' if n == 1 else b's')
    return sorted(names, key=lambda x: x.encode()), body

def document_pages(data):
    """The pages nletsfs extracts from a stored text file, or None when it extracts none."""
    if b'\0' in data or not data:
        return None
    try:
        data.decode('utf-8')
    except UnicodeDecodeError:
        return None
    if data[:3] == b'\xef\xbb\xbf':
        data = data[3:]
    head = data[:1024].lstrip(b' \t\r\n').lower()
    if b'%PDF-' in data[:1024] or head.startswith((b'<!doctype html', b'<html', b'<head', b'<body', b'<title', b'<meta')):
        raise SystemExit('oracle.py: documents other than plain text are not modelled')
    return data.split(b'\f')

PIA_ID = re.compile(r'([A-Z]{2,10})/([A-Z][A-Z0-9-]{0,15})/PIA-[0-9]{1,4}(\([a-z]{1,3}\))?')
mentions = defaultdict(set)
doc_pages = {}
for s in sources:
    if s['file']:
        pages = document_pages(open(os.path.join(bundle, s['file']), 'rb').read())
        if pages is not None:
            doc_pages[s['id']] = pages
            for n, page in enumerate(pages, 1):
                ex = excerpt(page)
                if ex and s['date'] <= today:
                    for label in ex[0]:
                        mentions[label].add(s['id'])

ag_slug = slugs([a['id'] for a in agencies])
for a in agencies:
    d = 'agencies/%s/' % ag_slug[a['id']]
    for c in ('name', 'parent', 'membership', 'quote'):
        scalar(d + c, a[c])
    write(d + 'oris', lines(items(a['oris'])))
    to_me = [f for f in live if f['to'] == a['id'] and '/' in f['from']]
    write(d + 'receives', lines(f['from'] for f in to_me if f['status'] != 'blocked'))
    write(d + 'blocked_by', lines(f['from'] for f in to_me if f['status'] == 'blocked'))
    write(d + 'sources', lines(cites(a)))
    write(d + 'mentioned_in', lines(mentions['agency ' + a['id']]))

kinds = {s['id']: s['kind'] for s in sources}
pa_slug = slugs([p['id'] for p in partners])
for p in partners:
    d = 'partners/%s/' % pa_slug[p['id']]
    for c, f in (('name', 'name'), ('kind', 'kind'), ('category', 'category'), ('access', 'description'), ('quote', 'quote')):
        scalar(d + c, p[f])
    # A records bundle's citations of partner lists are sightings: listed from the first, still listed.
    seen = [sdate[s] for s in items(p['source']) if kinds[s] == 'partner-list' and sdate[s] <= today]
    write(d + 'listed', lines([min(seen) + '..'] if seen else []))
    write(d + 'sources', lines(cites(p)))

tr_slug = slugs([t['key'] for t in transactions])
for t in transactions:
    d = 'transactions/%s/' % tr_slug[t['key']]
    for c in ('name', 'section', 'purpose', 'scope', 'max_states', 'quote'):
        scalar(d + c, t[c])
    write(d + 'inputs', lines(items(t['inputs'])))
    write(d + 'returns', lines(items(t['returns'])))
    write(d + 'states', lines(from_state_system(f)[0] for f in live if f['transaction'] == t['key']
                              and f['status'] != 'blocked' and from_state_system(f)[0] not in (None, '*')))
    write(d + 'sources', lines(cites(t)))

fi_slug = slugs([f['id'] for f in fields])
for fl in fields:
    d = 'fields/%s/' % fi_slug[fl['id']]
    scalar(d + 'name', fl['name'])
    write(d + 'synonyms', lines(items(fl['synonyms'])))
    write(d + 'shared_by', lines(f['from'] for f in live if fl['id'] in items(f['fields'])
                                 and '/' in f['from'] and f['status'] != 'blocked'))
    # Message types, like every entity, have no valid time (docs/time.md).
    write(d + 'returned_by', lines(t['key'] for t in transactions if fl['id'] in items(t['returns'])))
    write(d + 'mentioned_in', lines(mentions['field ' + fl['id']]))

for s in systems:
    d = 'systems/%s/' % sys_slug[s['id']]
    scalar(d + 'name', s['name'])
    scalar(d + 'section', s['section'])

fl_slug = slugs([f['id'] for f in flows])
for f in flows:
    d = 'flows/%s/' % fl_slug[f['id']]
    for c in ('from', 'to', 'via', 'transaction', 'status', 'conditions', 'since', 'until', 'quote'):
        scalar(d + c, f[c])
    write(d + 'fields', lines(items(f['fields'])))
    write(d + 'sources', lines(cites(f)))

# Claims, like sources, have no valid time (docs/time.md).
cl_slug = slugs([c['id'] for c in claims])
for c in claims:
    d = 'claims/%s/' % cl_slug[c['id']]
    for col in ('subject', 'claim', 'value', 'as_of', 'quote'):
        scalar(d + col, c[col])
    write(d + 'sources', lines(cites(c)))

so_slug = slugs([s['id'] for s in sources])
law_slugs = {}
for st in {l['state'] for l in laws}:
    law_slugs.update({(st, k): v for k, v in slugs([l['id'] for l in laws if l['state'] == st]).items()})
for s in sources:
    d = 'sources/%s/' % so_slug[s['id']]
    for c in ('title', 'kind', 'date', 'url', 'note'):
        scalar(d + c, s[c])
    if s['file']:
        data = open(os.path.join(bundle, s['file']), 'rb').read()
        scalar(d + 'sha256', hashlib.sha256(data).hexdigest())
        ext = ''.join(c for c in s['file'].rsplit('.', 1)[-1].lower() if c.isalnum())[:8] if '.' in os.path.basename(s['file']) else ''
        write(d + 'original.' + (ext or 'bin'), data)
        # Exemption codes (importers/redactions.c) are not modelled: the bundles this model reads stamp none,
        # neither FOIA's and the Privacy Act's nor a state law's or the DPPA's (docs/documents.md, "Redactions").
        assert not re.search(rb'\((b|j|k)\)\(|87 ?\(2\)|7\(26\)|Twenty-sixth|ILCS 140|\bRCW\s|42\.56\.|552\.1\d\d|119\.071|'
                             rb'(Code|GC|\xc2\xa7)\W{0,9}(625[45]|79[23]\d\.\d{3})|U\.?S\.?C\.?\W+272[1-5]', data, re.I), \
            'oracle.py models no redactions: %s' % s['file']
        write(d + 'redactions', b'')
        pages = doc_pages.get(s['id'])
        if pages is not None:
            text = b'\f'.join(pages)
            if any(pages):
                write(d + 'text', text + (b'' if text.endswith(b'\n') else b'\n'))
            for n, page in enumerate(pages, 1):
                ex = excerpt(page)
                if ex:
                    write(d + 'excerpts/p%d' % n, b'names: ' + '; '.join(ex[0]).encode() + b'\n\n' + ex[1])
            m = PIA_ID.search(pages[0][:65536].decode(errors='replace')) if s['kind'] == 'pia' and pages else None
            if m:
                scalar(d + 'identifier', m.group(0))
                scalar(d + 'component', m.group(2))
                if m.group(2) in ag_slug:
                    scalar(d + 'agency', m.group(2))
        elif data == b'':
            write(d + 'text', b'')
        else:
            try:
                if '\0' not in data.decode('utf-8'):
                    write(d + 'text', data + (b'' if data.endswith(b'\n') else b'\n'))
            except UnicodeDecodeError:
                pass
    sid = s['id']
    sup = ['agencies/' + ag_slug[a['id']] for a in agencies if sid in items(a['source'])]
    sup += ['partners/' + pa_slug[p['id']] for p in partners if sid in items(p['source'])]
    sup += ['transactions/' + tr_slug[t['key']] for t in transactions if sid in items(t['source'])]
    sup += ['flows/' + fl_slug[f['id']] for f in flows if sid in items(f['source'])]
    sup += ['states/%s/%s' % (from_state_system(f)[0], sys_slug[from_state_system(f)[1]]) for f in flows
            if sid in items(f['source']) and from_state_system(f)[0] not in (None, '*')]
    sup += ['states/%s/laws/%s' % (l['state'], law_slugs[(l['state'], l['id'])]) for l in laws if sid in items(l['source'])]
    sup += ['states/%s/participation/%s' % (p['state'], p['function']) for p in participation if sid in items(p['source'])]
    sup += ['claims/' + cl_slug[c['id']] for c in claims if sid in items(c['source'])]
    write(d + 'supports', lines(sup))

# The advocates' checklist (docs/questions.md): states/XX/questions/QID.
QUESTIONS = [
    ('dhs-access', "Can federal and state law enforcement agencies, including DHS agencies, gain access to "
     "information in driver's license and vehicle registration databases through Nlets?"),
    ('intermediary', "Are the state's criminal justice or other state and local networks an intermediary or "
     "access point between Nlets and driver's license or vehicle registration databases?"),
    ('unauthorized-users', "Can federal and state law enforcement agencies obtain driver's license and vehicle "
     "registration databases through Nlets if they are not authorized users of a state's criminal justice "
     "information system(s) or other state and local information systems and networks?"),
    ('multistate-dhs', "Does your state's system support a multi-state request by DHS through Nlets for driver's "
     "license or vehicle registration information?"),
    ('name-only-dhs', "Does your state's system support a request by DHS for driver's license information by "
     "name only?"),
    ('ori-block', "Can your state limit DHS's access to driver's license or vehicle registration information "
     "through Nlets by blocking requests made with ICE's or CBP's Originating Agency Identification (ORI) code?"),
    ('country-of-birth', "Can DHS agencies find out, through Nlets, an individual's country of birth?"),
    ('non-real-id', "Can DHS agencies find out, through Nlets, whether an individual has been issued a non-REAL "
     "ID license?"),
    ('lawful-status', "Are DHS agencies able to learn through Nlets whether an individual has a license issued to "
     "people who have not proved that they have lawful immigration status in the U.S.?"),
    ('ssn', "Does your state share Social Security numbers through Nlets?"),
    ('photos-dhs', "Does your state share driver's license photographs with DHS agencies through Nlets?"),
    ('commercial', "Does your state provide driver's license or vehicle registration information to commercial "
     "entities through Nlets?"),
    ('sample-query', "Can you show us a sample DHS agency query made to Nlets for information in driver's license "
     "and vehicle registration databases, as well as the results of that query?"),
    ('audits', "What audits or records does the state maintain of DHS's use of Nlets to obtain driver's license "
     "and vehicle registration information?"),
]

parent = {a['id']: a['parent'] for a in agencies}
def is_dhs(x):
    while x:
        if x == 'DHS':
            return True
        x = parent.get(x, '')
    return False
partner_ids = {p['id'] for p in partners}
scope = {t['key']: t['scope'] for t in transactions}
DL, DL_VR = {'dmv', 'driver_history'}, {'dmv', 'driver_history', 'vehicle_registration'}

def check(f, systems=None, to_dhs=False, to_partner=False, status=None, field=None, multi=False, dnq=False):
    sysid = from_state_system(f)[1]
    return ((systems is None or sysid in systems) and f['via'].lower() == 'nlets'
            and (not to_dhs or is_dhs(f['to'])) and (not to_partner or f['to'] in partner_ids)
            and (status is None or (f['status'] == 'blocked') == (status == 'blocked'))
            and (field is None or field in items(f['fields']))
            and (not multi or scope.get(f['transaction']) in ('multi-state', 'all-states'))
            and (not dnq or f['transaction'] == 'DNQ'))

def answer(qid, code):
    mine = [f for f in live if from_state_system(f)[0] == code]
    votes = []   # (vote, path, note, cites, sources of kind law)
    def flows(vote, more='', **kw):
        for f in mine:
            if check(f, **kw):
                note = f['from'] + (' blocks ' if f['status'] == 'blocked' else ' to ') + f['to']
                note += (', ' + f['transaction'] if f['transaction'] else '')
                note += ('' if f['status'] == 'blocked' else ', ' + f['status']) + more
                votes.append((vote, 'flows/' + fl_slug[f['id']], note, f))
    def part(fn, vote):
        p = latest.get((code, fn))
        if p and vote(p['value']):
            votes.append((vote(p['value']), 'states/%s/participation/%s' % (code, fn), fn + ': ' + p['value'], p))
    as_is = lambda v: None if v == 'unknown' else v
    def refused(systems):
        # A block of a DHS agency votes partial only beside an open flow of the state's data through
        # Nlets (to anyone), and that flow votes with it; only dhs-access counts a block.
        shared = [f for f in mine if check(f, systems=systems, status='open')]
        blocks = [f for f in mine if check(f, systems=systems, to_dhs=True, status='blocked')]
        if shared and blocks:
            flows('partial', systems=systems, to_dhs=True, status='blocked')
            n = len(votes)
            flows('partial', systems=systems, status='open')
            votes[n:] = [v for v in votes[n:] if not is_dhs(v[3]['to'])]
    part(qid, as_is)
    if votes:
        pass  # a direct answer: nothing else counts
    elif qid == 'dhs-access':
        flows('yes', systems=DL_VR, to_dhs=True, status='open'); refused(DL_VR)
    elif qid == 'multistate-dhs':
        flows('yes', systems=DL_VR, to_dhs=True, status='open', multi=True)
        part('dq-multistate', as_is); part('rq-multistate', as_is)
    elif qid == 'name-only-dhs':
        flows('yes', systems=DL, to_dhs=True, status='open', dnq=True); part('dnq-name-only', as_is)
    elif qid == 'ori-block':
        part('blocks-ori', as_is)
    elif qid == 'country-of-birth':
        flows('yes', ', fields include country_of_birth', to_dhs=True, status='open', field='country_of_birth')
    elif qid == 'lawful-status':
        flows('yes', ', fields include immigration_status', systems=DL, to_dhs=True, status='open',
              field='immigration_status')
    elif qid == 'ssn':
        flows('yes', ', fields include ssn', status='open', field='ssn')
    elif qid == 'photos-dhs':
        flows('yes', ', fields include photo', systems=DL, to_dhs=True, status='open', field='photo')
    elif qid == 'commercial':
        flows('yes', systems=DL_VR, to_partner=True, status='open')
    # A law joins the basis when it and a deciding fact cite the same source of kind law.
    for vote, path, note, r in list(votes):
        law_src = {s for s in items(r['source']) if kinds[s] == 'law'}
        for l in laws:
            if l['state'] == code and valid_from(l, l['enacted']) <= today and law_src & set(items(l['source'])):
                votes.append((vote, 'states/%s/laws/%s' % (code, law_slugs[(code, l['id'])]), 'law cited by ' + path, l))
    if not votes:
        return 'unknown', [], []
    vs = {v[0] for v in votes}
    value = vs.pop() if len(vs) == 1 else 'partial'
    notes = defaultdict(set)
    for v in votes:
        notes[v[1]].add(v[2])
    basis = []
    for path in sorted(notes, key=lambda x: x.encode()):
        ns = sorted(notes[path], key=lambda x: x.encode())
        entry = ns[0]
        for n in ns[1:]:   # "law cited by a", "law cited by b" -> "law cited by a, b"
            i = 0
            while i < min(len(n), len(ns[0])) and n[i] == ns[0][i]:
                i += 1
            entry += ', ' + n[n.rfind(' ', 0, i) + 1:]
        basis.append('%s (%s)' % (path, entry))
    srcs = sorted({c for v in votes for c in cites(v[3])}, key=lambda x: x.encode())
    return value, basis, srcs

for code, name in [l.split(' ', 1) for l in open(os.path.join(os.path.dirname(__file__), 'jurisdictions.txt')).read().splitlines()]:
    for qid, text in QUESTIONS:
        value, basis, srcs = answer(qid, code)
        write('states/%s/questions/%s' % (code, qid),
              'question: %s\nanswer: %s\nbasis: %s\nsources: %s\n' % (
                  text, value, '; '.join(basis) or 'none (no fact about %s in the inventory decides it)' % name,
                  '; '.join(srcs) or 'none'))
