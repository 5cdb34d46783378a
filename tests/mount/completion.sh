#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Bash completion (cli/nletsfs.bash-completion) as bash-completion runs it:
# commands, each command's options, --kind and --format values, the days of
# at/ and the paths of the mounted inventory for `diff` and `materialize --at`.
. "$(dirname "$0")/lib.sh"
[[ -f /usr/share/bash-completion/bash_completion ]] || skip "bash-completion is not installed (scripts/setup installs it)"

import_into "$WORK/inv.db" "$SRC/tests/fixtures/small"
mount_db "$WORK/inv.db"
cd "$WORK"   # ./mnt is the mounted inventory, as after scripts/run

# complete LINE: what Tab offers at the end of LINE, sorted, one line.
complete_line() {
  bash -c '
    . /usr/share/bash-completion/bash_completion
    . "$1"
    COMP_LINE=$2 COMP_POINT=${#2}
    read -ra COMP_WORDS <<<"$2"
    [[ $2 == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    _nletsfs nletsfs "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf "%s\n" "${COMPREPLY[@]}" | sort | paste -sd" "' _ "$SRC/cli/nletsfs.bash-completion" "$1"
}
expect() {
  local got
  got=$(complete_line "$1")
  [[ $got == "$2" ]] || fail "'$1<Tab>' offers '$got', not '$2'"
}

expect "nletsfs " "check diff export import keygen materialize mount pack verify"
expect "nletsfs di" "diff"
expect "nletsfs --v" "--version"
expect "nletsfs import --kind p" "partner-list pdf pia"
expect "nletsfs diff --format " "csv json text"
expect "nletsfs diff --b" "--by-state"
expect "nletsfs check --" "--db --help --version"
expect "nletsfs mount -o no_" "no_latency_hold no_list_ahead no_push_pages no_verify"
expect "nletsfs mount -o li" "list_ahead"
expect "nletsfs mount -o max" "max_inodes="
expect "nletsfs mount -o read" "read_ahead_kb="
days=$(ls mnt/at | grep -v latest | grep '^2019-12' | paste -sd" ")
[[ -n $days ]] || fail "the fixture has no change day in 2019-12"
expect "nletsfs diff 2019-12" "$days"
expect "nletsfs diff --db inv.db 2019-01-01 2019-12" "$days"
expect "nletsfs materialize --at 2019-12" "$days"
expect "nletsfs diff 2019-01-01 2020-01-01 states/NY" "states/NY/"
expect "nletsfs diff 2019-01-01 2020-01-01 states/NY/d" "states/NY/dmv/"
ok "bash completion: commands, options, values, at/ days and tree paths"
unmount
