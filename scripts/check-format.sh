#!/usr/bin/env bash
# check-format.sh: fails when a C source or header of the tree is not formatted the way
# .clang-format says. Files written before .clang-format existed and not formatted since are
# listed in scripts/format-legacy.txt and skipped; every other tracked .c/.h file (new ones
# included) must be clean. A legacy file that has become clean is reported, so that the list
# only shrinks.
#   scripts/check-format.sh          check (exit 1 on an unformatted file)
#   scripts/check-format.sh --fix    format the files that are checked, in place
# Needs clang-format (scripts/install-deps.sh format); versions differ in small ways, so CI and
# developers should use the same one (Debian 12: clang-format 14).
set -euo pipefail
cd "$(dirname "$0")/.."
fix=0
[ "${1:-}" = "--fix" ] && fix=1
command -v clang-format >/dev/null 2>&1 || { echo "check-format: clang-format not found (scripts/install-deps.sh format)" >&2; exit 2; }

legacy=scripts/format-legacy.txt
is_legacy() { grep -qxF "$1" "$legacy"; }

bad=0 checked=0 now_clean=()
while IFS= read -r f; do
  case "$f" in vendor/*|third_party/*) continue ;; esac
  if is_legacy "$f"; then
    clang-format --dry-run --Werror "$f" >/dev/null 2>&1 && now_clean+=("$f")
    continue
  fi
  checked=$((checked + 1))
  if [ "$fix" = 1 ]; then
    clang-format -i "$f"
  elif ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "check-format: $f is not formatted (clang-format -i $f)"
    bad=$((bad + 1))
  fi
done < <(git ls-files '*.c' '*.h')

for f in "${now_clean[@]+"${now_clean[@]}"}"; do
  echo "check-format: $f is formatted now: remove it from $legacy"
done
echo "check-format: $checked files checked, $bad not formatted, $(grep -vc "^#" "$legacy") legacy files skipped"
[ "$bad" = 0 ]
