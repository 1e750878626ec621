#!/usr/bin/env bash
# compare_verdicts.sh: the portable build's demo must reach the native build's verdicts.
#
# Usage: tests/platform/compare_verdicts.sh NATIVE_REPORT_DIR PORTABLE_REPORT_DIR
# Reads the demo-*.json files (stallcheck --json, written by scripts/demo.sh) of both builds and
# compares them scenario by scenario: the verdict must be identical; the cause too, except that
# where the portable run had no thread source (evidence source "none": no /proc, no `sample`)
# the cause pipe-full-unconfirmed stands for the native log-pipe-deadlock or
# pipe-writers-blocked (the pipe is full, the threads cannot be seen).
# Exit 0 when every scenario agrees, 1 when one does not, 2 when a report is missing.
set -uo pipefail
native=$1 portable=$2
field() { # FILE NAME -> the first "NAME": "value" of the JSON file
  grep -o "\"$2\":[[:space:]]*\"[^\"]*\"" "$1" | head -1 | sed 's/.*"\([^"]*\)"$/\1/'
}
shopt -s nullglob
files=("$native"/demo-*.json)
if [ ${#files[@]} -eq 0 ]; then
  echo "compare_verdicts: no demo-*.json in $native (run the native demo first)" >&2
  exit 2
fi
bad=0
compared=0
printf '%-44s %-28s %-28s %s\n' scenario native portable agrees
for n in "${files[@]}"; do
  name=$(basename "$n")
  p="$portable/$name"
  if [ ! -f "$p" ]; then
    echo "compare_verdicts: $p is missing" >&2
    exit 2
  fi
  nv=$(field "$n" verdict) nc=$(field "$n" cause)
  pv=$(field "$p" verdict) pc=$(field "$p" cause) ps=$(field "$p" source)
  ok=yes
  if [ -z "$nv" ] || [ "$nv" != "$pv" ]; then
    ok=NO
  elif [ "$nc" != "$pc" ]; then
    ok=NO
    if [ "$pc" = pipe-full-unconfirmed ] && [ "$ps" = none ] &&
      { [ "$nc" = log-pipe-deadlock ] || [ "$nc" = pipe-writers-blocked ]; }; then
      ok="yes (no thread source)"
    fi
  fi
  [ "${ok%% *}" = yes ] || bad=1
  compared=$((compared + 1))
  printf '%-44s %-28s %-28s %s\n' "${name#demo-}" "$nv/$nc" "$pv/$pc" "$ok"
done
if [ $bad = 0 ]; then
  echo "compare_verdicts: the portable build agrees with the native build in all $compared scenarios"
else
  echo "compare_verdicts: the portable build DISAGREES with the native build"
fi
exit $bad
