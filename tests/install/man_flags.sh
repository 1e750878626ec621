#!/usr/bin/env bash
# man_flags.sh: fails when a flag that a binary's --help prints is missing from its man page.
#
# Usage: tests/install/man_flags.sh BINARY MANPAGE
#        tests/install/man_flags.sh --self-test BINARY MANPAGE
# Flags taken from the help text: every --long-flag (at the start of a word), and every short
# -X that begins an option line ("  -p, --port N"). In the man page, roff escapes are undone
# first (\- is -, \fB \fI \fR \fP are dropped), then each flag must occur as a whole word.
# The failure message names every missing flag, so updating the page is a matter of reading it.
# --self-test: the check must catch a page that lacks a flag: it removes every line of a copy of
# MANPAGE that mentions the first flag of the help text, and expects a failure naming it.
# Exit 0 pass, 1 fail, 2 usage or setup error.
set -uo pipefail
self_test=0
if [ "${1:-}" = --self-test ]; then self_test=1; shift; fi
[ $# -eq 2 ] || { echo "usage: man_flags.sh [--self-test] BINARY MANPAGE" >&2; exit 2; }
binary=$1 page=$2
name=$(basename "$binary")
[ -r "$page" ] || { echo "man_flags: cannot read $page" >&2; exit 2; }

help_text=$("$binary" --help 2>&1) || { echo "man_flags: $name --help failed" >&2; exit 2; }
help_flags() {
  {
    printf '%s\n' "$help_text" | grep -oE '(^|[^A-Za-z0-9_-])--[a-z][a-z0-9-]*' | sed 's/^[^-]*//'
    printf '%s\n' "$help_text" | grep -oE '^[[:space:]]+-[A-Za-z]([,[:space:]]|$)' |
      sed -E 's/^[[:space:]]+//; s/[,[:space:]]*$//'
  } | awk '!seen[$0]++'
}
flags=$(help_flags)
[ -n "$flags" ] || { echo "man_flags: no flags found in $name --help" >&2; exit 2; }

normalise() { sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' "$1"; }

missing_in() { # PAGE -> the flags it lacks, one a line
  local text
  text=$(normalise "$1")
  while IFS= read -r flag; do
    # A here-string, not a pipe: under pipefail, grep -q leaving early would fail the producer.
    if ! grep -qE -- "(^|[^A-Za-z0-9_-])${flag}([^A-Za-z0-9_-]|\$)" <<<"$text"; then
      printf '%s\n' "$flag"
    fi
  done <<<"$flags"
}

if [ $self_test = 1 ]; then
  first=$(printf '%s\n' "$flags" | head -1)
  work=$(mktemp -d "${TMPDIR:-/tmp}/kiro-man.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  escaped=$(printf '%s' "$first" | sed 's/-/\\\\-/g')
  grep -v -e "$first" -e "$escaped" "$page" >"$work/page.1"
  out=$("$0" "$binary" "$work/page.1" 2>&1)
  rc=$?
  if [ $rc = 1 ] && grep -qE -- "(^| )${first}( |\$)" <<<"$out"; then
    echo "man_flags self-test: a page without $first fails and names it:"
    printf '  %s\n' "$out"
    exit 0
  fi
  echo "man_flags self-test: FAIL: a page without $first gave exit $rc:" >&2
  printf '  %s\n' "$out" >&2
  exit 1
fi

missing=$(missing_in "$page")
count=$(printf '%s\n' "$flags" | grep -c .)
if [ -z "$missing" ]; then
  echo "man_flags: all $count flags of \`$name --help\` are in $(basename "$page")"
  exit 0
fi
echo "man_flags: $page lacks $(printf '%s\n' "$missing" | grep -c .) of the $count flags that \`$name --help\` prints: $(printf '%s\n' "$missing" | tr '\n' ' ')"
exit 1
