#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What `diff -r OLD NEW` sees, in nletsfs's change-line format:
DATE<TAB>+|-<TAB>PATH<TAB>LINE for every line of every file that differs,
paths in bytewise order, a file's removed lines before its added ones.
Written apart from nletsfs, to check `nletsfs diff` and `changes`.

treediff.py OLD NEW DATE [PREFIX]: the lines of OLD to NEW, dated DATE.
treediff.py --chain AT FIRST DAY...: FIRST to the first DAY, then each DAY
to the next, the trees AT/FIRST, AT/DAY...; each tree is read once."""
import os, sys
from collections import Counter

# maps/ draw questions/ and carry their day: `changes` and `nletsfs diff` leave them out.
EXCLUDED = ('maps/',)

def files(root):
    out = {}
    root = os.path.realpath(root)
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            if os.path.islink(p):
                continue
            out[os.path.relpath(p, root)] = open(p, 'rb').read()
    return out

def lines(data):
    try:
        text = data.decode('utf-8')
        if '\0' in text:
            raise ValueError
    except ValueError:
        return ['[binary file]']
    return text.split('\n')[:-1] if text.endswith('\n') else text.split('\n') if text else []

def missing(a, b):
    left = Counter(b)
    res = []
    for x in a:
        if left[x] > 0:
            left[x] -= 1
        else:
            res.append(x)
    return res

def diff(old, new, date, prefix, out):
    for path in sorted(set(old) | set(new), key=lambda p: p.encode()):
        if not path.startswith(prefix) or path.startswith(EXCLUDED):
            continue
        if path in old and path in new and old[path] == new[path]:
            continue
        a = lines(old[path]) if path in old else []
        b = lines(new[path]) if path in new else []
        rows = []
        if path not in old and not b:
            rows.append(('+', ''))
        elif path not in new and not a:
            rows.append(('-', ''))
        rows += [('-', x) for x in missing(a, b)] + [('+', x) for x in missing(b, a)]
        for op, x in rows:
            out.write(('%s\t%s\t%s\t%s\n' % (date, op, path, x)).encode())

out = sys.stdout.buffer
if sys.argv[1] == '--chain':
    at, days = sys.argv[2], sys.argv[3:]
    old = files(os.path.join(at, days[0]))
    for day in days[1:]:
        new = files(os.path.join(at, day))
        diff(old, new, day, '', out)
        old = new
else:
    prefix = sys.argv[4] if len(sys.argv) > 4 else ''
    diff(files(sys.argv[1]), files(sys.argv[2]), sys.argv[3], prefix, out)
