#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""listed.py MOUNT: every name that resolves in a folder of the root tree is
in its listing, but under the folders whose routes say they resolve unlisted
names (ROUTE_UNLISTED: at/, search/) and the hidden .at/. The import's walk
follows listings, and what it does not see the kernel is not told to forget
after an import (fs/forget.c). Each folder is probed with the names its
siblings list: a record, a system or a day that exists elsewhere. Prints
one line per name that resolves unlisted, and exits 1 if any."""
import os
import sys

SKIP = {"at", "search", ".at"}


def main():
    root = sys.argv[1]
    listings = {}
    for top in sorted(os.listdir(root)):
        if top in SKIP or not os.path.isdir(os.path.join(root, top)) or os.path.islink(os.path.join(root, top)):
            continue
        for d, dirs, files in os.walk(os.path.join(root, top)):
            listings[d] = set(dirs) | set(files)
    bad = probes = 0
    by_parent = {}
    for d in listings:
        by_parent.setdefault(os.path.dirname(d), []).append(d)
    for parent, children in sorted(by_parent.items()):
        pool = set().union(*(listings[c] for c in children))
        for c in children:
            for name in sorted(pool - listings[c]):
                probes += 1
                try:
                    os.lstat(os.path.join(c, name))
                except (FileNotFoundError, NotADirectoryError):
                    continue
                bad += 1
                print("resolves but is not listed: %r" % os.path.relpath(os.path.join(c, name), root))
    print("%d folders, %d names probed, %d unlisted that resolve" % (len(listings), probes, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
