#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The README works as written. scripts/install (what scripts/run calls)
# installs nletsfs, its man page and its bash completion (here under a
# --destdir, put first on PATH); then, in a folder holding the default
# inventory as ./inventory.db mounted at ./mnt, as after scripts/run:
# every `$ COMMAND` example prints the lines the README shows under it
# ("..." ends a line shown in part), and every other command of the
# README's sh blocks runs and succeeds, in order (bundles, materialize,
# copies of the mount, whose links must not dangle).
. "$(dirname "$0")/lib.sh"

root=$WORK/root
"$SRC/scripts/install" --destdir "$root" "$(dirname "$NLETSFS")" >"$WORK/install.log" 2>&1 ||
  fail "scripts/install: $(cat "$WORK/install.log")"
bindir=$(find "$root" -type f -name nletsfs -path '*/bin/*' -printf '%h\n' | head -1)
[[ -x $bindir/nletsfs ]] || fail "scripts/install installed no binary: $(find "$root")"
prefix=${bindir%/bin}
[[ -f $prefix/share/man/man1/nletsfs.1 ]] || fail "scripts/install installed no man page"
[[ -f $prefix/share/bash-completion/completions/nletsfs ]] || fail "scripts/install installed no completion"
export PATH=$bindir:$PATH
[[ $(command -v nletsfs) == "$bindir/nletsfs" ]] || fail "nletsfs is not found on PATH"
[[ $(nletsfs --version) == $("$NLETSFS" --version) ]] || fail "the installed nletsfs is not the built one"
ok "scripts/install: nletsfs, man page and completion; nletsfs found on PATH"

here=$WORK/readme
mkdir "$here"
MNT=$here/mnt      # lib.sh unmounts it, however the test ends
cd "$here"
nletsfs import --db inventory.db "$SRC/data" 2>"$WORK/import.log" || fail "import of data/: $(cat "$WORK/import.log")"
mkdir mnt
nletsfs mount --db inventory.db mnt || fail "nletsfs mount"

python3 - "$SRC/README.md" <<'EOF' || fail "the README's examples"
import re, subprocess, sys

blocks = re.findall(r'^```sh\n(.*?)^```\n', open(sys.argv[1]).read(), re.S | re.M)
assert len(blocks) >= 6, len(blocks)

def run(cmd):
    return subprocess.run(['bash', '-c', cmd], capture_output=True, text=True, timeout=60)

shown = 0
for block in blocks:            # first the examples that show their output, with ./mnt the default inventory
    lines = block.split('\n')[:-1]
    i = 0
    while i < len(lines):
        if not lines[i].startswith('$ '):
            i += 1
            continue
        cmd, want = lines[i][2:].split('  #')[0], []
        i += 1
        while i < len(lines) and not lines[i].startswith('$ '):
            want.append(lines[i])
            i += 1
        r = run(cmd)
        got = r.stdout.split('\n')[:-1]
        if not want:
            continue
        assert r.returncode in (0, 1), '%s: status %d: %s' % (cmd, r.returncode, r.stderr)
        assert len(got) == len(want), '%s printed %d lines, the README shows %d:\n%s' % (cmd, len(got), len(want), r.stdout)
        for g, w in zip(got, want):
            assert g.startswith(w[:-3].rstrip()) if w.endswith('...') else g == w, '%s: %r, the README shows %r' % (cmd, g, w)
        shown += 1
assert shown >= 7, shown

ran = 0
for block in blocks:            # then every other command, in order
    if any(l.startswith('$ ') or l.startswith('scripts/') for l in block.split('\n')):
        continue
    for cmd in block.split('\n'):
        if cmd.strip() and not cmd.startswith('#'):
            r = run(cmd)
            assert r.returncode == 0, '%s: status %d: %s%s' % (cmd, r.returncode, r.stdout, r.stderr)
            ran += 1
assert ran >= 10, ran
print('ok - %d examples print what the README shows; %d commands run' % (shown, ran))
EOF
mountpoint -q mnt || fail "the README's mount of the bundle is gone"
[[ -z $(find copy -xtype l) ]] || fail "rsync -a --exclude=/at left dangling links: $(find copy -xtype l | head -3)"
diff -r --no-dereference -x at mnt copy || fail "the rsync copy differs from the mount"
! tar -tf tree.tar | grep -q '^\./at' || fail "tar --exclude=./at kept at/"
diff -r tree-2019-06-01 mnt/at/2019-06-01/ || fail "materialize --at 2019-06-01 is not at/2019-06-01"
[[ -f tree-2024-01-01/README && -f tree/README ]] || fail "materialize"
ok "every README example works as written, through the installed nletsfs"
