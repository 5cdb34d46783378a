#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# nletsfs as a Debian package: `dpkg-buildpackage -us -uc -b` on a copy of
# the source makes a .deb that lintian finds free of errors; `dpkg -i`
# installs the binary in /usr/bin, the man page and the bash completion;
# `mount -t fuse.nletsfs` then finds the installed binary and mounts;
# `dpkg -r` removes it all. The install happens in a private mount namespace
# with overlays on /usr, /var and /etc (and /usr/local hidden, so that only
# the package's binary can answer), so the machine itself is never changed.
set -euo pipefail
[[ $(id -u) == 0 ]] || { echo "SKIP: needs root (dpkg -i, overlays)"; exit 77; }
for tool in dpkg-buildpackage dh lintian mount.fuse3 unshare; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is missing (scripts/setup installs it)"; exit 77; }
done
# The package's completion is checked through bash-completion's loader: without it, skip, not pass.
[[ -f /usr/share/bash-completion/bash_completion ]] ||
  { echo "SKIP: bash-completion is missing (scripts/setup installs it)"; exit 77; }
if [[ -z ${NLETSFS_PRIVATE_NS:-} ]]; then
  unshare --mount --propagation private true 2>/dev/null || { echo "SKIP: cannot unshare the mount namespace"; exit 77; }
  NLETSFS_PRIVATE_NS=1 exec unshare --mount --propagation private "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

version=$(sed -n "s/^ *version: '\(.*\)',$/\1/p" "$SRC/meson.build")
head -1 "$SRC/debian/changelog" | grep -q "^nletsfs ($version)" ||
  fail "debian/changelog is not at version $version: $(head -1 "$SRC/debian/changelog")"

# The source as a release has it: the files git knows, without build trees.
tree=$WORK/nletsfs-$version
mkdir "$tree"
(cd "$SRC" && git ls-files -co --exclude-standard 2>/dev/null || find . -path ./build\* -prune -o -type f -print) |
  grep -v '^\./\?\(build\|obj-\|debian/\.\)' | (cd "$SRC" && tar -cf - -T -) | tar -xf - -C "$tree"
(cd "$tree" && DEB_BUILD_OPTIONS="parallel=2 nocheck" timeout 400 dpkg-buildpackage -us -uc -b) \
  >"$WORK/build.log" 2>&1 || fail "dpkg-buildpackage: $(tail -20 "$WORK/build.log")"
deb=$WORK/nletsfs_${version}_$(dpkg --print-architecture).deb
[[ -f $deb ]] || fail "no $deb: $(ls "$WORK")"
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/bin/nletsfs ./usr/share/man/man1/nletsfs.1.gz ./usr/share/bash-completion/completions/nletsfs \
         ./usr/share/doc/nletsfs/copyright; do
  grep -qx "$f" <<<"$contents" || fail "the package lacks $f"
done
ok "dpkg-buildpackage -us -uc -b makes $(basename "$deb")"

timeout 120 lintian --fail-on error "$WORK"/nletsfs_*.changes >"$WORK/lintian.log" 2>&1 ||
  fail "lintian: $(grep -v 'root privileges' "$WORK/lintian.log")"
! grep -q '^E:' "$WORK/lintian.log" || fail "lintian: $(grep '^E:' "$WORK/lintian.log")"
ok "lintian: no errors ($(grep -c '^[WIP]:' "$WORK/lintian.log" || true) warnings and notes)"

# Install into overlays: whatever dpkg writes stays in $WORK.
for d in usr var etc; do
  mkdir -p "$WORK/overlay/$d/up" "$WORK/overlay/$d/work"
  mount -t overlay overlay -o "lowerdir=/$d,upperdir=$WORK/overlay/$d/up,workdir=$WORK/overlay/$d/work" "/$d" ||
    skip "cannot mount an overlay on /$d here"
done
mount -t tmpfs tmpfs /usr/local  # an nletsfs installed by scripts/install would answer first
on_exit "umount /usr/local /usr /var /etc 2>/dev/null"
DEBIAN_FRONTEND=noninteractive timeout 120 dpkg -i "$deb" >"$WORK/dpkg.log" 2>&1 || fail "dpkg -i: $(cat "$WORK/dpkg.log")"
[[ $(dpkg-query -W -f='${Status}' nletsfs) == "install ok installed" ]] || fail "dpkg does not list nletsfs as installed"
[[ $(env -i /bin/sh -c 'command -v nletsfs') == /usr/bin/nletsfs ]] || fail "nletsfs is not in the default PATH"
[[ $(/usr/bin/nletsfs --version) == "nletsfs $version" ]] || fail "the installed nletsfs: $(/usr/bin/nletsfs --version)"
zcat /usr/share/man/man1/nletsfs.1.gz | grep -q '^\.TH NLETSFS 1' || fail "the installed man page"
out=$(bash -c '. /usr/share/bash-completion/bash_completion; _completion_loader nletsfs; complete -p nletsfs')
[[ $out == "complete -F _nletsfs nletsfs" ]] || fail "bash-completion does not load the completion: $out"
ok "dpkg -i installs the binary (on the default PATH), the man page and the completion"

# mount(8) runs mount.fuse3, which finds the package's nletsfs.
"$NLETSFS" import --db "$WORK/inv.db" "$SRC/tests/fixtures/small" || fail "import"
mkdir -p "$MNT"
timeout 30 mount -t fuse.nletsfs -o allow_other "$WORK/inv.db" "$MNT" || fail "mount -t fuse.nletsfs"
grep -qx ICE "$MNT/states/NY/dmv/blocked" || fail "the mount by the installed nletsfs: $(ls "$MNT")"
pid=$(pgrep -f -- "^nletsfs $WORK/inv.db $MNT" | head -1)
[[ $(readlink "/proc/$pid/exe") == /usr/bin/nletsfs ]] || fail "the daemon is not the installed nletsfs"
umount "$MNT" || fail "umount"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
ok "mount -t fuse.nletsfs runs the installed nletsfs"

DEBIAN_FRONTEND=noninteractive timeout 60 dpkg -r nletsfs >"$WORK/dpkg.log" 2>&1 || fail "dpkg -r: $(cat "$WORK/dpkg.log")"
[[ ! -e /usr/bin/nletsfs && ! -e /usr/share/man/man1/nletsfs.1.gz ]] || fail "dpkg -r left files"
ok "dpkg -r removes it"
