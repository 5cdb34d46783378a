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

kinds = {s['id']: s['kind'] for s in sources}
pa_slug = slugs([p['id'] for p in partners])
for p in partners:
    d = 'partners/%s/' % pa_slug[p['id']]
    for c, f in (('name', 'name'), ('kind', 'kind'), ('category', 'category'), ('access', 'description'), ('quote', 'quote')):
        scalar(d + c, p[f])
    write(d + 'listed', lines(sdate[s] for s in items(p['source']) if kinds[s] == 'partner-list' and sdate[s] <= today))
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
    write(d + 'returned_by', lines(t['key'] for t in transactions if fl['id'] in items(t['returns'])
                                   and valid_from(t) <= today))

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
        try:
            text = data.decode('utf-8')
            if '\0' not in text:
                write(d + 'text', data + (b'' if not data or data.endswith(b'\n') else b'\n'))
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
    refused_partial = lambda v: 'partial' if v == 'yes' else None
    def refused(systems):
        flows('partial', systems=systems, to_dhs=True, status='blocked')
        part('blocks-ori', refused_partial)
    part(qid, as_is)
    if votes:
        pass  # a direct answer: nothing else counts
    elif qid == 'dhs-access':
        flows('yes', systems=DL_VR, to_dhs=True, status='open'); refused(DL_VR)
    elif qid == 'multistate-dhs':
        flows('yes', systems=DL_VR, to_dhs=True, status='open', multi=True)
        part('dq-multistate', as_is); part('rq-multistate', as_is); refused(DL_VR)
    elif qid == 'name-only-dhs':
        flows('yes', systems=DL, to_dhs=True, status='open', dnq=True); part('dnq-name-only', as_is); refused(DL)
    elif qid == 'ori-block':
        part('blocks-ori', as_is); flows('yes', systems=DL_VR, to_dhs=True, status='blocked')
    elif qid == 'country-of-birth':
        flows('yes', ', fields include country_of_birth', to_dhs=True, status='open', field='country_of_birth')
    elif qid == 'lawful-status':
        flows('yes', ', fields include immigration_status', systems=DL, to_dhs=True, status='open',
              field='immigration_status')
    elif qid == 'ssn':
        flows('yes', ', fields include ssn', status='open', field='ssn')
    elif qid == 'photos-dhs':
        flows('yes', ', fields include photo', systems=DL, to_dhs=True, status='open', field='photo'); refused(DL)
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
